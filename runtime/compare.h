/* shikumi compare: the same command started many times as a container and as a VM, by
 * shikumi and by the peers that are installed, timed by hyperfine, reported as a table, an
 * SVG bar chart and JSON. compare.c runs things; compare_report.c only reads and writes
 * numbers (and is what the unit tests see). */
#ifndef SHIKUMI_COMPARE_H
#define SHIKUMI_COMPARE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#define COMPARE_MAX    8
#define COMPARE_PHASES 16

/* Memory written and freed before each VM run, untimed (compare.c says why). */
#define COMPARE_WASH_MIB 128

enum compare_kind { COMPARE_CONTAINER, COMPARE_VM };

struct compare_phase {
	char name[24];
	double ms;
};

struct compare_result {
	char name[32];
	enum compare_kind kind;
	char command[2048]; /* as handed to hyperfine (shell words) */
	char skipped[256];  /* why it was not timed; empty when it was */
	int runs;	    /* timed runs (hyperfine) */
	double median_ms, p90_ms, min_ms, max_ms, mean_ms;
	long rss_kib;	   /* the runtime's or VMM's own peak RSS (VmHWM at exit); -1 unknown */
	long tree_rss_kib; /* the largest process of everything it ran (wait4's ru_maxrss) */
	int nphases;	   /* shikumi's own --timing phases, median over the probe runs */
	struct compare_phase phases[COMPARE_PHASES];
	char memory_note[160]; /* shikumi's own account of memory, e.g. the VMM's split */
};

struct compare_report {
	char command[1024]; /* the command every contender started, for titles */
	int runs;
	bool kvm;
	char note[512]; /* what the reader should know about this run (no KVM, hybrid cgroups) */
	int n;
	struct compare_result r[COMPARE_MAX];
};

/* The p-th percentile (0-100) of n values by the nearest-rank method; v is sorted in place. */
double compare_percentile(double *v, size_t n, double p);

/* Reads hyperfine's --export-json text for one command into r (median, p90 from the times,
 * min, max, mean, runs). */
int compare_read_hyperfine(const char *json, struct compare_result *r);

/* Collects "timing: NAME  X ms" lines from --timing output. Called once per probe run; the
 * k-th call's values go to column k of samples, and compare_phases_median() then fills r. */
struct compare_samples {
	int nphases, nruns;
	char name[COMPARE_PHASES][24];
	double ms[COMPARE_PHASES][16];
};
void compare_samples_add(struct compare_samples *s, const char *timing_output);
void compare_phases_median(struct compare_samples *s, struct compare_result *r);

/* The table a person reads (stdout), the chart (SVG) and the raw numbers (JSON). */
void compare_print_table(FILE *f, const struct compare_report *rep);
int compare_write_svg(FILE *f, const struct compare_report *rep);
int compare_write_json(FILE *f, const struct compare_report *rep);

/* shikumi compare's command line and run (compare.c). */
int compare_main(int argc, char **argv);

#endif
