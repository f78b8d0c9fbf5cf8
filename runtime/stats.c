#include "stats.h"

#include <json-c/json.h>

static void row(FILE *f, const char *name, int64_t v, double scale, const char *unit)
{
	if (v < 0)
		fprintf(f, "  %-18s %12s\n", name, "n/a");
	else if (scale == 1)
		fprintf(f, "  %-18s %12lld %s\n", name, (long long)v, unit);
	else
		fprintf(f, "  %-18s %12.3f %s\n", name, (double)v / scale, unit);
}

static void add(json_object *o, const char *key, int64_t v)
{
	json_object_object_add(o, key, v < 0 ? NULL : json_object_new_int64(v));
}

void stats_print(FILE *f, enum stats_format format, const struct cgroup_stats *st)
{
	if (format == STATS_JSON) {
		json_object *o = json_object_new_object();
		add(o, "memory_peak_bytes", st->memory_peak);
		add(o, "cpu_user_usec", st->cpu_user_us);
		add(o, "cpu_system_usec", st->cpu_system_us);
		add(o, "cpu_throttled_usec", st->cpu_throttled_us);
		add(o, "cpu_nr_throttled", st->cpu_nr_throttled);
		add(o, "pids_peak", st->pids_peak);
		add(o, "oom_kill", st->oom_kill);
		fprintf(f, "%s\n", json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN));
		json_object_put(o);
		return;
	}
	fprintf(f, "shikumi stats:\n");
	row(f, "memory peak", st->memory_peak, 1 << 20, "MiB");
	row(f, "cpu user", st->cpu_user_us, 1e6, "s");
	row(f, "cpu system", st->cpu_system_us, 1e6, "s");
	row(f, "cpu throttled", st->cpu_throttled_us, 1e6, "s");
	row(f, "throttled periods", st->cpu_nr_throttled, 1, "");
	row(f, "pids peak", st->pids_peak, 1, "");
	row(f, "oom kills", st->oom_kill, 1, "");
}
