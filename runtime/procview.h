/* The container's own /proc/meminfo, /proc/cpuinfo, /proc/stat, /proc/uptime and
 * /proc/loadavg, as --syscalls=user serves them (usernotif.c): the host's file, rewritten from
 * what the container's cgroup allows it, the way LXCFS does. Pure text in, text out, so that
 * each generator can be tested on its own (tests/unit/test_procview.c). */
#ifndef SHIKUMI_PROCVIEW_H
#define SHIKUMI_PROCVIEW_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#define PROCVIEW_MAX_CPUS 1024

/* What the memory controller says of the container, in bytes; -1 where it says nothing. */
struct procview_mem {
	int64_t max;		  /* memory.max ("max": -1) */
	int64_t current;	  /* memory.current */
	int64_t file;		  /* memory.stat file: the page cache it holds */
	int64_t shmem;		  /* memory.stat shmem */
	int64_t slab_reclaimable; /* memory.stat slab_reclaimable */
	int64_t swap_max;	  /* memory.swap.max ("max" or absent: -1) */
	int64_t swap_current;
};

/* The CPUs the container sees: the host's numbers of those it may run on, in order. */
struct procview_cpus {
	int n;
	int cpu[PROCVIEW_MAX_CPUS];
};

/* Parses a cgroup CPU list ("0-3,5") into c, keeping the first `limit` CPUs at most (limit <= 0:
 * all), as cpu.max's quota allows (procview_cpu_limit). Returns 0, or -EINVAL for a list that is
 * not one. */
int procview_parse_cpus(const char *list, int limit, struct procview_cpus *c);

/* How many CPUs' worth of time cpu.max ("QUOTA PERIOD" or "max PERIOD") grants, rounded up;
 * 0 for no limit (or an unreadable value). */
int procview_cpu_limit(const char *cpu_max);

/* /proc/meminfo: host is the host's file; MemTotal becomes memory.max where it is smaller than
 * the host's memory, MemFree and MemAvailable what the container has left of it, Cached,
 * SReclaimable and Shmem its own (free(1) counts Buffers + Cached + SReclaimable as cache),
 * SwapTotal/SwapFree memory.swap.max and what is left. Returns 0, or -EINVAL when host is not a
 * meminfo (no MemTotal line). */
int procview_meminfo(const char *host, const struct procview_mem *m, FILE *out);

/* /proc/cpuinfo: the host's entries for the CPUs of c only, numbered from 0. */
int procview_cpuinfo(const char *host, const struct procview_cpus *c, FILE *out);

/* /proc/stat: the cpuN lines of c's CPUs only, numbered from 0, the "cpu" line their sum; the
 * rest as the host has it. */
int procview_stat(const char *host, const struct procview_cpus *c, FILE *out);

/* /proc/uptime: seconds since the container started, and the idle seconds of its CPUs in
 * that time (ncpus * uptime - the CPU time it used, never below 0). */
int procview_uptime(double uptime, int ncpus, double used, FILE *out);

/* The load averages, kept as the kernel keeps its own (an exponentially decayed mean over 1,
 * 5 and 15 minutes), but of the container's busy CPUs (its cpu.stat usage_usec over time);
 * updated lazily, whenever /proc/loadavg is read. */
struct procview_load {
	double avg[3];
	uint64_t last_ns, last_usage_us;
	bool started;
};

/* Folds in the usage at now_ns, then prints /proc/loadavg: the three averages, running/total
 * tasks (tasks: the container's pids.current, -1 if unknown) and a last pid of 0. */
int procview_loadavg(struct procview_load *l, uint64_t now_ns, uint64_t usage_us, int64_t tasks,
		     FILE *out);

/* sysinfo(2), which free(1) and uptime(1) read rather than /proc: the host's si (from the
 * supervisor's own call) with the container's memory (m NULL: the host's), uptime, load
 * averages and task count (-1: the host's) put in. */
struct sysinfo;
void procview_sysinfo(struct sysinfo *si, const struct procview_mem *m, double uptime,
		      const double load[3], int64_t tasks);

#endif
