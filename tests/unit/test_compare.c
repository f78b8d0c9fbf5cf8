/* Unit tests: shikumi compare's numbers (runtime/compare_report.c): percentiles, hyperfine's
 * JSON, --timing lines, and the table, chart and JSON it writes. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "../../runtime/compare.h"

#include <json-c/json.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

static void percentile_nearest_rank(void **state)
{
	(void)state;
	double v[10] = {10, 1, 9, 2, 8, 3, 7, 4, 6, 5};
	assert_true(compare_percentile(v, 10, 90) == 9);
	assert_true(compare_percentile(v, 10, 50) == 5);
	assert_true(compare_percentile(v, 10, 100) == 10);
	assert_true(compare_percentile(v, 10, 0) == 1);
	double one[1] = {42};
	assert_true(compare_percentile(one, 1, 90) == 42);
	assert_true(isnan(compare_percentile(one, 0, 90)));
	/* 20 runs: p90 is the 18th smallest, not an interpolation. */
	double t[20];
	for (int i = 0; i < 20; i++)
		t[i] = 20 - i;
	assert_true(compare_percentile(t, 20, 90) == 18);
}

static const char *hyperfine_json =
    "{\"results\":[{\"command\":\"x\",\"mean\":0.0042,\"stddev\":0.001,\"median\":0.004,"
    "\"user\":0.001,\"system\":0.002,\"min\":0.003,\"max\":0.009,"
    "\"times\":[0.003,0.004,0.004,0.005,0.009],\"exit_codes\":[0,0,0,0,0]}]}";

static void reads_hyperfine(void **state)
{
	(void)state;
	struct compare_result r = {.name = "x"};
	assert_int_equal(compare_read_hyperfine(hyperfine_json, &r), 0);
	assert_int_equal(r.runs, 5);
	assert_true(fabs(r.median_ms - 4.0) < 1e-9);
	assert_true(fabs(r.min_ms - 3.0) < 1e-9);
	assert_true(fabs(r.max_ms - 9.0) < 1e-9);
	assert_true(fabs(r.mean_ms - 4.2) < 1e-9);
	assert_true(fabs(r.p90_ms - 9.0) < 1e-9); /* 5 runs: rank ceil(4.5) = 5 */
}

static void refuses_broken_hyperfine(void **state)
{
	(void)state;
	struct compare_result r = {.name = "x"};
	assert_true(compare_read_hyperfine("not json", &r) < 0);
	assert_true(compare_read_hyperfine("{\"results\":[]}", &r) < 0);
	assert_true(
	    compare_read_hyperfine("{\"results\":[{\"median\":1,\"min\":1,\"max\":1}]}", &r) < 0);
	assert_true(compare_read_hyperfine("{\"results\":[{\"times\":[1],\"min\":1}]}", &r) < 0);
}

static void timing_lines_to_median_phases(void **state)
{
	(void)state;
	struct compare_samples s = {0};
	compare_samples_add(&s, "timing: validate           0.300 ms\n"
				"timing: clone              3.000 ms\nsome other line\n");
	compare_samples_add(&s, "timing: validate           0.100 ms\n"
				"timing: clone              1.000 ms\n"
				"timing: network            2.000 ms\n");
	compare_samples_add(&s, "noise\ntiming: validate 0.200 ms\ntiming: clone 2.000 ms");
	struct compare_result r = {0};
	compare_phases_median(&s, &r);
	assert_int_equal(r.nphases, 3);
	assert_string_equal(r.phases[0].name, "validate");
	assert_true(fabs(r.phases[0].ms - 0.2) < 1e-9);
	assert_string_equal(r.phases[1].name, "clone");
	assert_true(fabs(r.phases[1].ms - 2.0) < 1e-9);
	assert_string_equal(r.phases[2].name, "network"); /* seen once: that value */
	assert_true(fabs(r.phases[2].ms - 2.0) < 1e-9);
}

static struct compare_report *sample_report(void)
{
	static struct compare_report rep;
	rep = (struct compare_report){.command = "/bin/true",
				      .runs = 5,
				      .kvm = true,
				      .n = 3,
				      .note = "first <note> & more\nsecond"};
	rep.r[0] = (struct compare_result){.name = "shikumi run",
					   .kind = COMPARE_CONTAINER,
					   .runs = 5,
					   .median_ms = 4,
					   .p90_ms = 5,
					   .min_ms = 3,
					   .max_ms = 6,
					   .mean_ms = 4.1,
					   .rss_kib = 1500,
					   .tree_rss_kib = 1400,
					   .nphases = 1};
	strcpy(rep.r[0].phases[0].name, "clone");
	rep.r[0].phases[0].ms = 1.5;
	rep.r[1] = (struct compare_result){.name = "crun",
					   .kind = COMPARE_CONTAINER,
					   .runs = 5,
					   .median_ms = 10,
					   .p90_ms = 12,
					   .min_ms = 9,
					   .max_ms = 13,
					   .mean_ms = 10,
					   .rss_kib = -1,
					   .tree_rss_kib = 3000};
	rep.r[2] = (struct compare_result){
	    .name = "shikumi vm", .kind = COMPARE_VM, .skipped = "no /dev/kvm here"};
	return &rep;
}

static char *capture(int (*write)(FILE *, const struct compare_report *),
		     const struct compare_report *rep)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	assert_non_null(f);
	if (write)
		assert_int_equal(write(f, rep), 0);
	else
		compare_print_table(f, rep);
	fclose(f);
	return buf;
}

/* The line of text that starts with prefix (after spaces), as a string of its own. */
static const char *line_of(const char *text, const char *prefix)
{
	static char line[512];
	for (const char *l = text; *l; l += strcspn(l, "\n") + (l[strcspn(l, "\n")] == '\n')) {
		const char *s = l + strspn(l, " ");
		if (!strncmp(s, prefix, strlen(prefix))) {
			snprintf(line, sizeof(line), "%.*s", (int)strcspn(s, "\n"), s);
			return line;
		}
	}
	return "";
}

static void table_names_rows_ratios_and_skips(void **state)
{
	(void)state;
	char *t = capture(NULL, sample_report());
	const char *row = line_of(t, "shikumi run  ");
	assert_non_null(strstr(row, " 4.00 ms    5.00 ms    3.00 ms    6.00 ms"));
	assert_non_null(strstr(row, "1.5 MiB"));
	assert_non_null(strstr(line_of(t, "crun  "), "10.0 ms    12.0 ms"));
	assert_non_null(strstr(line_of(t, "crun  "), " - "));
	assert_non_null(strstr(line_of(t, "shikumi vm"), "not timed: no /dev/kvm here"));
	assert_non_null(strstr(line_of(t, "shikumi run  /"), "crun  "));
	assert_non_null(strstr(line_of(t, "shikumi run  /"), " 0.40 "));
	assert_non_null(strstr(line_of(t, "clone"), "1.50 ms"));
	assert_non_null(strstr(t, "note: first <note> & more\n      second\n"));
	free(t);
}

static void svg_is_escaped_and_has_a_bar_per_timed_contender(void **state)
{
	(void)state;
	char *svg = capture(compare_write_svg, sample_report());
	assert_non_null(strstr(svg, "<svg xmlns=\"http://www.w3.org/2000/svg\""));
	assert_non_null(strstr(svg, "first &lt;note&gt; &amp; more"));
	assert_null(strstr(svg, "<note>"));
	int bars = 0;
	for (char *p = svg; (p = strstr(p, "class=\"ct\"")); p++)
		bars++;
	assert_int_equal(bars, 2); /* the VM was not timed: no bar, and no second panel */
	assert_non_null(strstr(svg, "</svg>\n"));
	free(svg);
}

static void json_round_trips(void **state)
{
	(void)state;
	char *text = capture(compare_write_json, sample_report());
	json_object *root = json_tokener_parse(text), *list, *o, *v;
	assert_non_null(root);
	assert_true(json_object_object_get_ex(root, "contenders", &list));
	assert_int_equal(json_object_array_length(list), 3);
	o = json_object_array_get_idx(list, 0);
	assert_true(json_object_object_get_ex(o, "median_ms", &v));
	assert_true(fabs(json_object_get_double(v) - 4.0) < 1e-9);
	assert_true(json_object_object_get_ex(o, "phases_ms", &v));
	assert_true(json_object_object_get_ex(v, "clone", &v));
	o = json_object_array_get_idx(list, 1);
	assert_true(json_object_object_get_ex(o, "runtime_rss_kib", &v));
	assert_null(v); /* unknown is null, not -1 */
	o = json_object_array_get_idx(list, 2);
	assert_true(json_object_object_get_ex(o, "skipped", &v));
	assert_string_equal(json_object_get_string(v), "no /dev/kvm here");
	assert_false(json_object_object_get_ex(o, "median_ms", &v));
	json_object_put(root);
	free(text);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(percentile_nearest_rank),
	    cmocka_unit_test(reads_hyperfine),
	    cmocka_unit_test(refuses_broken_hyperfine),
	    cmocka_unit_test(timing_lines_to_median_phases),
	    cmocka_unit_test(table_names_rows_ratios_and_skips),
	    cmocka_unit_test(svg_is_escaped_and_has_a_bar_per_timed_contender),
	    cmocka_unit_test(json_round_trips),
	};
	return cmocka_run_group_tests_name("compare", tests, NULL, NULL);
}
