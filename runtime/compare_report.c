/* shikumi compare: reading hyperfine's and --timing's numbers, writing the table, the SVG
 * chart and the JSON. Nothing here starts a process. */
#include "compare.h"
#include "../common/err.h"

#include <json-c/json.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

double compare_percentile(double *v, size_t n, double p)
{
	if (n == 0)
		return NAN;
	qsort(v, n, sizeof(*v), cmp_double);
	size_t rank = (size_t)ceil(p / 100.0 * (double)n); /* nearest rank, 1-based */
	return v[rank ? rank - 1 : 0];
}

static double num(json_object *o, const char *key)
{
	json_object *v;
	if (!json_object_object_get_ex(o, key, &v) ||
	    (!json_object_is_type(v, json_type_double) && !json_object_is_type(v, json_type_int)))
		return NAN;
	return json_object_get_double(v);
}

int compare_read_hyperfine(const char *json, struct compare_result *r)
{
	json_object *root = json_tokener_parse(json), *results, *times;
	int rc = -1;
	if (!root || !json_object_object_get_ex(root, "results", &results) ||
	    json_object_array_length(results) != 1) {
		err_set(0, "hyperfine's JSON has no result for %s", r->name);
		goto out;
	}
	json_object *res = json_object_array_get_idx(results, 0);
	if (!json_object_object_get_ex(res, "times", &times) ||
	    !json_object_is_type(times, json_type_array) || json_object_array_length(times) == 0) {
		err_set(0, "hyperfine's JSON has no run times for %s", r->name);
		goto out;
	}
	size_t n = json_object_array_length(times);
	double *t = calloc(n, sizeof(*t));
	if (!t) {
		err_set(ENOMEM, "reading hyperfine's times");
		goto out;
	}
	for (size_t i = 0; i < n; i++)
		t[i] = json_object_get_double(json_object_array_get_idx(times, i)) * 1e3;
	r->runs = (int)n;
	r->median_ms = num(res, "median") * 1e3;
	r->mean_ms = num(res, "mean") * 1e3;
	r->min_ms = num(res, "min") * 1e3;
	r->max_ms = num(res, "max") * 1e3;
	r->p90_ms = compare_percentile(t, n, 90); /* hyperfine has no percentiles of its own */
	free(t);
	if (isnan(r->median_ms) || isnan(r->min_ms) || isnan(r->max_ms)) {
		err_set(0, "hyperfine's JSON lacks median/min/max for %s", r->name);
		goto out;
	}
	rc = 0;
out:
	json_object_put(root);
	return rc;
}

void compare_samples_add(struct compare_samples *s, const char *out)
{
	if (s->nruns >= 16)
		return;
	for (const char *line = out; line && *line;
	     line = strchr(line, '\n') ? strchr(line, '\n') + 1 : NULL) {
		char name[24];
		double ms;
		if (sscanf(line, "timing: %23s %lf ms", name, &ms) != 2)
			continue;
		int k = 0;
		while (k < s->nphases && strcmp(s->name[k], name))
			k++;
		if (k == s->nphases) {
			if (k == COMPARE_PHASES)
				continue;
			snprintf(s->name[k], sizeof(s->name[k]), "%s", name);
			for (int j = 0; j < 16; j++)
				s->ms[k][j] = NAN;
			s->nphases++;
		}
		s->ms[k][s->nruns] = ms;
	}
	s->nruns++;
}

void compare_phases_median(struct compare_samples *s, struct compare_result *r)
{
	r->nphases = 0;
	for (int k = 0; k < s->nphases; k++) {
		double v[16];
		size_t n = 0;
		for (int j = 0; j < s->nruns; j++)
			if (!isnan(s->ms[k][j]))
				v[n++] = s->ms[k][j];
		if (!n)
			continue;
		struct compare_phase *p = &r->phases[r->nphases++];
		snprintf(p->name, sizeof(p->name), "%s", s->name[k]);
		p->ms = compare_percentile(v, n, 50);
	}
}

/* 0.42 ms, 12.3 ms, 1234 ms: three significant digits are what a reader compares. */
static const char *ms(double v, char *buf, size_t n)
{
	if (isnan(v))
		snprintf(buf, n, "-");
	else
		snprintf(buf, n, "%.*f ms", v < 10 ? 2 : v < 100 ? 1 : 0, v);
	return buf;
}

static const char *mib(long kib, char *buf, size_t n)
{
	if (kib < 0)
		snprintf(buf, n, "-");
	else
		snprintf(buf, n, "%.1f MiB", (double)kib / 1024.0);
	return buf;
}

static const struct compare_result *find(const struct compare_report *rep, const char *name)
{
	for (int i = 0; i < rep->n; i++)
		if (!strcmp(rep->r[i].name, name) && !rep->r[i].skipped[0])
			return &rep->r[i];
	return NULL;
}

/* Whether any contender of this kind was timed. */
static bool timed_kind(const struct compare_report *rep, enum compare_kind kind)
{
	for (int i = 0; i < rep->n; i++)
		if (rep->r[i].kind == kind && !rep->r[i].skipped[0])
			return true;
	return false;
}

static void ratio(FILE *f, const struct compare_report *rep, const char *a, const char *b,
		  const char *what)
{
	const struct compare_result *x = find(rep, a), *y = find(rep, b);
	if (!x || !y || !(y->median_ms > 0))
		return;
	double q = x->median_ms / y->median_ms;
	fprintf(f, "  %-12s / %-12s %*.2f%s  %s\n", a, b, 8, q, q >= 10 ? "x" : " ", what);
}

void compare_print_table(FILE *f, const struct compare_report *rep)
{
	char a[32], b[32], c[32], d[32], e[32], g[32];
	fprintf(f, "\nshikumi compare: `%s`, start to exit, %d runs each (timed by hyperfine)\n\n",
		rep->command, rep->runs);
	fprintf(f, "  %-13s %10s %10s %10s %10s %13s %13s\n", "", "median", "p90", "min", "max",
		"runtime RSS", "largest proc");
	for (int i = 0; i < rep->n; i++) {
		const struct compare_result *r = &rep->r[i];
		if (r->skipped[0])
			continue;
		fprintf(f, "  %-13s %10s %10s %10s %10s %13s %13s\n", r->name,
			ms(r->median_ms, a, sizeof(a)), ms(r->p90_ms, b, sizeof(b)),
			ms(r->min_ms, c, sizeof(c)), ms(r->max_ms, d, sizeof(d)),
			mib(r->rss_kib, e, sizeof(e)), mib(r->tree_rss_kib, g, sizeof(g)));
	}
	for (int i = 0; i < rep->n; i++)
		if (rep->r[i].skipped[0])
			fprintf(f, "  %-13s not timed: %s\n", rep->r[i].name, rep->r[i].skipped);
	fprintf(f, "\n  runtime RSS: the runtime's or VMM's own process at its exit (a VM's guest "
		   "RAM is in it);\n  largest proc: the biggest process of all it ran (wait4).\n");
	if (timed_kind(rep, COMPARE_VM))
		fprintf(f,
			"  Each VM run came after %d MiB were written and freed, untimed "
			"(shikumi compare --help).\n",
			COMPARE_WASH_MIB);
	for (int i = 0; i < rep->n; i++) {
		const struct compare_result *r = &rep->r[i];
		if (r->skipped[0] || (!r->nphases && !r->memory_note[0]))
			continue;
		fprintf(f, "\n%s, where the time goes (--timing, median of the probe runs):\n",
			r->name);
		for (int k = 0; k < r->nphases; k++)
			fprintf(f, "  %-12s %10s\n", r->phases[k].name,
				ms(r->phases[k].ms, a, sizeof(a)));
		if (r->memory_note[0])
			fprintf(f, "  %s\n", r->memory_note);
	}
	char *ratios = NULL;
	size_t len = 0;
	FILE *r = open_memstream(&ratios, &len);
	if (r) {
		ratio(r, rep, "shikumi run", "crun", "(target <= 0.60)");
		ratio(r, rep, "shikumi run", "runc", "");
		ratio(r, rep, "shikumi run", "bwrap", "(same namespaces)");
		ratio(r, rep, "shikumi vm", "qemu microvm", "(target <= 0.50)");
		ratio(r, rep, "shikumi vm", "shikumi run",
		      "(a VM boots a kernel; a container does not)");
		ratio(r, rep, "shikumi vm (restored)", "shikumi vm", "(target <= 0.25)");
		ratio(r, rep, "shikumi vm (restored)", "shikumi run", "(target <= 1.5)");
		fclose(r);
		if (len)
			fprintf(f, "\nratios of the medians:\n%s", ratios);
		free(ratios);
	}
	for (const char *l = rep->note; *l;) {
		size_t ll = strcspn(l, "\n");
		fprintf(f, "%s%.*s\n", l == rep->note ? "\nnote: " : "      ", (int)ll, l);
		l += ll + (l[ll] == '\n');
	}
}

/* ---- SVG ---- */

static void xml_text(FILE *f, const char *s)
{
	for (; *s; s++) {
		const char *e = *s == '<'   ? "&lt;"
				: *s == '>' ? "&gt;"
				: *s == '&' ? "&amp;"
				: *s == '"' ? "&quot;"
					    : NULL;
		if (e)
			fputs(e, f);
		else
			fputc(*s, f);
	}
}

/* A "nice" axis end: 1, 2 or 5 times a power of ten, at least v. */
static double axis_end(double v)
{
	double p = pow(10, floor(log10(v > 0 ? v : 1)));
	for (int i = 0;; i++) {
		double m = (double[]){1, 2, 5, 10}[i] * p;
		if (m >= v || i == 3)
			return m;
	}
}

enum { SVG_W = 860, LABEL_W = 130, BAR_H = 22, ROW_H = 34, PLOT_W = 560 };

/* One panel: a bar per contender of the given kinds (median), a whisker from min to max and a
 * tick at p90, on a linear axis from 0. Returns the height used. */
static int svg_panel(FILE *f, const struct compare_report *rep, int y0, bool containers_only,
		     const char *title)
{
	double top = 0;
	int rows = 0;
	for (int i = 0; i < rep->n; i++) {
		const struct compare_result *r = &rep->r[i];
		if (r->skipped[0] || (containers_only && r->kind != COMPARE_CONTAINER))
			continue;
		top = fmax(top, r->max_ms);
		rows++;
	}
	if (!rows)
		return 0;
	top = axis_end(top);
	fprintf(f, "<text x=\"10\" y=\"%d\" class=\"h\">", y0 + 18);
	xml_text(f, title);
	fputs("</text>\n", f);
	int y = y0 + 34, x0 = LABEL_W + 10;
	for (int t = 0; t <= 5; t++) {
		double x = x0 + PLOT_W * t / 5.0;
		fprintf(f,
			"<line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\" class=\"grid\"/>"
			"<text x=\"%.1f\" y=\"%d\" class=\"ax\">%g ms</text>\n",
			x, y, x, y + rows * ROW_H, x, y + rows * ROW_H + 14, top * t / 5.0);
	}
	for (int i = 0; i < rep->n; i++) {
		const struct compare_result *r = &rep->r[i];
		if (r->skipped[0] || (containers_only && r->kind != COMPARE_CONTAINER))
			continue;
		double k = PLOT_W / top, w = fmax(1.5, r->median_ms * k);
		int cy = y + BAR_H / 2 + 4;
		char m[32];
		fprintf(f, "<text x=\"%d\" y=\"%d\" class=\"lbl\">", LABEL_W, cy + 4);
		xml_text(f, r->name);
		fprintf(f,
			"</text>\n<rect x=\"%d\" y=\"%d\" width=\"%.1f\" height=\"%d\" "
			"class=\"%s\"/>\n",
			x0, y + 4, w, BAR_H, r->kind == COMPARE_VM ? "vm" : "ct");
		fprintf(f,
			"<line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\" class=\"wh\"/>"
			"<line x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\" class=\"wh\"/>\n",
			x0 + r->min_ms * k, cy, x0 + r->max_ms * k, cy, x0 + r->p90_ms * k, cy - 6,
			x0 + r->p90_ms * k, cy + 6);
		fprintf(f, "<text x=\"%.1f\" y=\"%d\" class=\"val\">%s</text>\n",
			x0 + fmax(w, r->max_ms * k) + 6, cy + 4, ms(r->median_ms, m, sizeof(m)));
		y += ROW_H;
	}
	return 34 + rows * ROW_H + 24;
}

int compare_write_svg(FILE *f, const struct compare_report *rep)
{
	bool vm = timed_kind(rep, COMPARE_VM), ct = timed_kind(rep, COMPARE_CONTAINER);
	/* Drawn once to a buffer to learn the height, then framed. */
	char *body = NULL;
	size_t len = 0;
	FILE *b = open_memstream(&body, &len);
	if (!b)
		return err_set(errno, "drawing the chart");
	char title[1200];
	snprintf(title, sizeof(title),
		 "Start to exit of `%s`: median (bar), min-max (line), p90 (tick), %d runs",
		 rep->command, rep->runs);
	int h = 10 + svg_panel(b, rep, 10, false, title);
	if (vm && ct)
		h += svg_panel(b, rep, h, true, "The containers alone, on their own scale");
	fclose(b);
	int notes = 0;
	for (const char *l = rep->note; *l; l += strcspn(l, "\n") + (l[strcspn(l, "\n")] == '\n'))
		notes++;
	int total_h = h + notes * 16 + 8;
	fprintf(f,
		"<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
		"<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" "
		"viewBox=\"0 0 %d %d\" font-family=\"sans-serif\" font-size=\"13\">\n"
		"<style>.h{font-weight:bold;font-size:14px}.lbl{text-anchor:end}.ax{font-size:11px;"
		"text-anchor:middle;fill:#555}.grid{stroke:#ddd}.ct{fill:#2a7ab0}.vm{fill:#d9822b}"
		".wh{stroke:#222;stroke-width:1.5}.val{fill:#222}</style>\n"
		"<rect width=\"100%%\" height=\"100%%\" fill=\"white\"/>\n%s",
		SVG_W, total_h, SVG_W, total_h, body ? body : "");
	int y = h + 8;
	for (const char *l = rep->note; *l; y += 16) {
		size_t ll = strcspn(l, "\n");
		char line[512];
		snprintf(line, sizeof(line), "%.*s", (int)ll, l);
		fprintf(f, "<text x=\"10\" y=\"%d\" class=\"ax\" style=\"text-anchor:start\">", y);
		xml_text(f, line);
		fputs("</text>\n", f);
		l += ll + (l[ll] == '\n');
	}
	fputs("</svg>\n", f);
	free(body);
	return ferror(f) ? err_set(EIO, "writing the chart") : 0;
}

/* ---- JSON ---- */

static json_object *jnum(double v)
{
	return isnan(v) ? NULL : json_object_new_double(round(v * 1000) / 1000);
}

int compare_write_json(FILE *f, const struct compare_report *rep)
{
	json_object *root = json_object_new_object(), *list = json_object_new_array();
	json_object_object_add(root, "command", json_object_new_string(rep->command));
	json_object_object_add(root, "runs", json_object_new_int(rep->runs));
	json_object_object_add(root, "kvm", json_object_new_boolean(rep->kvm));
	if (rep->note[0])
		json_object_object_add(root, "note", json_object_new_string(rep->note));
	for (int i = 0; i < rep->n; i++) {
		const struct compare_result *r = &rep->r[i];
		json_object *o = json_object_new_object();
		json_object_object_add(o, "name", json_object_new_string(r->name));
		json_object_object_add(
		    o, "kind", json_object_new_string(r->kind == COMPARE_VM ? "vm" : "container"));
		json_object_object_add(o, "command", json_object_new_string(r->command));
		if (r->skipped[0]) {
			json_object_object_add(o, "skipped", json_object_new_string(r->skipped));
			json_object_array_add(list, o);
			continue;
		}
		json_object_object_add(o, "runs", json_object_new_int(r->runs));
		json_object_object_add(o, "median_ms", jnum(r->median_ms));
		json_object_object_add(o, "p90_ms", jnum(r->p90_ms));
		json_object_object_add(o, "min_ms", jnum(r->min_ms));
		json_object_object_add(o, "max_ms", jnum(r->max_ms));
		json_object_object_add(o, "mean_ms", jnum(r->mean_ms));
		json_object_object_add(o, "runtime_rss_kib",
				       r->rss_kib < 0 ? NULL : json_object_new_int64(r->rss_kib));
		json_object_object_add(
		    o, "largest_process_rss_kib",
		    r->tree_rss_kib < 0 ? NULL : json_object_new_int64(r->tree_rss_kib));
		if (r->nphases) {
			json_object *ph = json_object_new_object();
			for (int k = 0; k < r->nphases; k++)
				json_object_object_add(ph, r->phases[k].name,
						       jnum(r->phases[k].ms));
			json_object_object_add(o, "phases_ms", ph);
		}
		if (r->memory_note[0])
			json_object_object_add(o, "memory", json_object_new_string(r->memory_note));
		json_object_array_add(list, o);
	}
	json_object_object_add(root, "contenders", list);
	fprintf(f, "%s\n", json_object_to_json_string_ext(root, JSON_C_TO_STRING_PRETTY));
	json_object_put(root);
	return ferror(f) ? err_set(EIO, "writing the JSON") : 0;
}
