#include "procview.h"

#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/sysinfo.h>

int procview_parse_cpus(const char *list, int limit, struct procview_cpus *c)
{
	c->n = 0;
	const char *p = list;
	while (*p && *p != '\n') {
		char *end;
		errno = 0;
		long lo = strtol(p, &end, 10), hi = lo;
		if (end == p || errno || lo < 0)
			return -EINVAL;
		p = end;
		if (*p == '-') {
			hi = strtol(++p, &end, 10);
			if (end == p || hi < lo)
				return -EINVAL;
			p = end;
		}
		if (hi >= PROCVIEW_MAX_CPUS)
			return -EINVAL;
		for (long i = lo; i <= hi; i++)
			if (c->n < PROCVIEW_MAX_CPUS && (limit <= 0 || c->n < limit))
				c->cpu[c->n++] = (int)i;
		if (*p == ',')
			p++;
		else if (*p && *p != '\n')
			return -EINVAL;
	}
	return c->n > 0 ? 0 : -EINVAL;
}

int procview_cpu_limit(const char *cpu_max)
{
	long long quota, period;
	if (sscanf(cpu_max, "%lld %lld", &quota, &period) != 2 || quota <= 0 || period <= 0)
		return 0; /* "max 100000" reads no quota */
	return (int)((quota + period - 1) / period);
}

/* The index of host CPU cpu in c, or -1. */
static int cpu_index(const struct procview_cpus *c, long cpu)
{
	for (int i = 0; i < c->n; i++)
		if (c->cpu[i] == cpu)
			return i;
	return -1;
}

int procview_meminfo(const char *host, const struct procview_mem *m, FILE *out)
{
	long long host_total = -1;
	const char *t = strstr(host, "MemTotal:");
	if (!t || sscanf(t, "MemTotal: %lld", &host_total) != 1)
		return -EINVAL;
	bool limited = m->max >= 0 && m->max / 1024 < host_total;
	long long total = limited ? m->max / 1024 : host_total;
	long long used = m->current > 0 ? m->current / 1024 : 0;
	long long free_kb = used < total ? total - used : 0;
	long long cached = m->file > 0 ? m->file / 1024 : 0;
	long long avail = free_kb + cached < total ? free_kb + cached : total;
	for (const char *line = host; *line;) {
		const char *nl = strchr(line, '\n');
		size_t len = nl ? (size_t)(nl - line) : strlen(line);
		char key[64];
		const char *colon = memchr(line, ':', len);
		size_t klen = colon ? (size_t)(colon - line) : 0;
		long long v = -1;
		if (colon && klen < sizeof(key)) {
			memcpy(key, line, klen);
			key[klen] = '\0';
			if (!limited)
				v = -1;
			else if (!strcmp(key, "MemTotal"))
				v = total;
			else if (!strcmp(key, "MemFree"))
				v = free_kb;
			else if (!strcmp(key, "MemAvailable"))
				v = avail;
			else if (!strcmp(key, "Buffers"))
				v = 0;
			else if (!strcmp(key, "Cached"))
				v = cached;
			else if (!strcmp(key, "SReclaimable"))
				v = m->slab_reclaimable > 0 ? m->slab_reclaimable / 1024 : 0;
			else if (!strcmp(key, "Shmem") && m->shmem >= 0)
				v = m->shmem / 1024;
			if (m->swap_max >= 0 && !strcmp(key, "SwapTotal"))
				v = m->swap_max / 1024;
			else if (m->swap_max >= 0 && !strcmp(key, "SwapFree"))
				v = m->swap_max > m->swap_current
					? (m->swap_max -
					   (m->swap_current > 0 ? m->swap_current : 0)) /
					      1024
					: 0;
		}
		if (v >= 0) {
			char label[sizeof(key) + 1];
			snprintf(label, sizeof(label), "%s:", key);
			fprintf(out, "%-16s%8lld kB\n", label, v); /* the kernel's columns */
		} else
			fprintf(out, "%.*s\n", (int)len, line);
		line += len + (nl ? 1 : 0);
	}
	return ferror(out) ? -EIO : 0;
}

int procview_cpuinfo(const char *host, const struct procview_cpus *c, FILE *out)
{
	/* Entries are separated by a blank line; each begins "processor\t: N". */
	bool keep = false;
	for (const char *line = host; *line;) {
		const char *nl = strchr(line, '\n');
		size_t len = nl ? (size_t)(nl - line) : strlen(line);
		long n;
		if (!strncmp(line, "processor", 9) && sscanf(line, "processor : %ld", &n) == 1) {
			int i = cpu_index(c, n);
			keep = i >= 0;
			if (keep)
				fprintf(out, "processor\t: %d\n", i);
		} else if (keep) {
			fprintf(out, "%.*s\n", (int)len, line);
		}
		line += len + (nl ? 1 : 0);
	}
	return ferror(out) ? -EIO : 0;
}

int procview_stat(const char *host, const struct procview_cpus *c, FILE *out)
{
	/* user nice system idle iowait irq softirq steal guest guest_nice */
	unsigned long long sum[10] = {0};
	char *rest = NULL;
	size_t rest_len = 0;
	FILE *cpus = open_memstream(&rest, &rest_len);
	if (!cpus)
		return -ENOMEM;
	for (const char *line = host; *line;) {
		const char *nl = strchr(line, '\n');
		size_t len = nl ? (size_t)(nl - line) : strlen(line);
		long n;
		unsigned long long v[10] = {0};
		if (!strncmp(line, "cpu ", 4)) {
			/* recomputed below */
		} else if (!strncmp(line, "cpu", 3) && sscanf(line + 3, "%ld", &n) == 1) {
			int i = cpu_index(c, n);
			const char *f = strchr(line, ' ');
			if (i >= 0 && f) {
				sscanf(f, "%llu %llu %llu %llu %llu %llu %llu %llu %llu %llu",
				       &v[0], &v[1], &v[2], &v[3], &v[4], &v[5], &v[6], &v[7],
				       &v[8], &v[9]);
				for (int k = 0; k < 10; k++)
					sum[k] += v[k];
				fprintf(cpus, "cpu%d%.*s\n", i, (int)(len - (size_t)(f - line)), f);
			}
		} else {
			fprintf(cpus, "%.*s\n", (int)len, line);
		}
		line += len + (nl ? 1 : 0);
	}
	fclose(cpus);
	fprintf(out, "cpu ");
	for (int k = 0; k < 10; k++)
		fprintf(out, " %llu", sum[k]);
	fprintf(out, "\n%s", rest ? rest : "");
	free(rest);
	return ferror(out) ? -EIO : 0;
}

int procview_uptime(double uptime, int ncpus, double used, FILE *out)
{
	double idle = uptime * (ncpus > 0 ? ncpus : 1) - used;
	fprintf(out, "%.2f %.2f\n", uptime, idle > 0 ? idle : 0.0);
	return ferror(out) ? -EIO : 0;
}

int procview_loadavg(struct procview_load *l, uint64_t now_ns, uint64_t usage_us, int64_t tasks,
		     FILE *out)
{
	static const double window_s[3] = {60, 300, 900};
	double busy = 0;
	if (l->started && now_ns > l->last_ns && usage_us >= l->last_usage_us) {
		double dt = (double)(now_ns - l->last_ns) / 1e9;
		busy = (double)(usage_us - l->last_usage_us) / 1e6 / dt;
		for (int k = 0; k < 3; k++) {
			double e = exp(-dt / window_s[k]);
			l->avg[k] = l->avg[k] * e + busy * (1 - e);
		}
	}
	l->started = true;
	l->last_ns = now_ns;
	l->last_usage_us = usage_us;
	long running = lround(ceil(busy));
	if (running < 1)
		running = 1; /* the reader itself */
	if (tasks >= 0 && running > tasks)
		running = (long)tasks;
	fprintf(out, "%.2f %.2f %.2f %ld/%" PRId64 " 0\n", l->avg[0], l->avg[1], l->avg[2], running,
		tasks >= 0 ? tasks : (int64_t)running);
	return ferror(out) ? -EIO : 0;
}

void procview_sysinfo(struct sysinfo *si, const struct procview_mem *m, double uptime,
		      const double load[3], int64_t tasks)
{
	si->uptime = (long)uptime;
	for (int k = 0; k < 3; k++)
		si->loads[k] = (unsigned long)(load[k] * 65536.0); /* 1 << SI_LOAD_SHIFT */
	if (tasks >= 0)
		si->procs = (unsigned short)(tasks < 65535 ? tasks : 65535);
	if (!m)
		return;
	uint64_t unit = si->mem_unit ? si->mem_unit : 1;
	uint64_t host_total = (uint64_t)si->totalram * unit;
	si->mem_unit = 1;
	si->totalram = host_total;
	si->freeram = (uint64_t)si->freeram * unit;
	si->sharedram = (uint64_t)si->sharedram * unit;
	si->bufferram = (uint64_t)si->bufferram * unit;
	si->totalswap = (uint64_t)si->totalswap * unit;
	si->freeswap = (uint64_t)si->freeswap * unit;
	si->totalhigh = si->freehigh = 0;
	if (m->max >= 0 && (uint64_t)m->max < host_total) {
		uint64_t used = m->current > 0 ? (uint64_t)m->current : 0;
		si->totalram = (uint64_t)m->max;
		si->freeram = used < (uint64_t)m->max ? (uint64_t)m->max - used : 0;
		si->sharedram = m->shmem > 0 ? (uint64_t)m->shmem : 0;
		si->bufferram = 0;
	}
	if (m->swap_max >= 0) {
		uint64_t used = m->swap_current > 0 ? (uint64_t)m->swap_current : 0;
		si->totalswap = (uint64_t)m->swap_max;
		si->freeswap = used < (uint64_t)m->swap_max ? (uint64_t)m->swap_max - used : 0;
	}
}
