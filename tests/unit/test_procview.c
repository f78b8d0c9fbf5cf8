/* Unit tests: the /proc files --syscalls=user serves (runtime/procview.c), from fixed host
 * files and cgroup values. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "../../runtime/procview.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/sysinfo.h>

static const char host_meminfo[] = "MemTotal:       16318032 kB\n"
				   "MemFree:         9000000 kB\n"
				   "MemAvailable:   12000000 kB\n"
				   "Buffers:          300000 kB\n"
				   "Cached:          2000000 kB\n"
				   "SwapCached:            0 kB\n"
				   "Shmem:            100000 kB\n"
				   "SReclaimable:     500000 kB\n"
				   "SwapTotal:       2097148 kB\n"
				   "SwapFree:        2097148 kB\n";

static const char host_cpuinfo[] = "processor\t: 0\nmodel name\t: A\n\n"
				   "processor\t: 1\nmodel name\t: B\n\n"
				   "processor\t: 2\nmodel name\t: C\n\n"
				   "processor\t: 3\nmodel name\t: D\n\n";

static const char host_stat[] = "cpu  10 0 10 100 0 0 0 0 0 0\n"
				"cpu0 1 0 1 10 0 0 0 0 0 0\n"
				"cpu1 2 0 2 20 0 0 0 0 0 0\n"
				"cpu2 3 0 3 30 0 0 0 0 0 0\n"
				"cpu3 4 0 4 40 0 0 0 0 0 0\n"
				"intr 12345\nctxt 999\nbtime 1700000000\nprocesses 42\n";

/* Runs fn into a string (the caller frees it). */
#define CAPTURE(text, call)                                                                        \
	do {                                                                                       \
		size_t len_;                                                                       \
		FILE *out = open_memstream(&(text), &len_);                                        \
		assert_non_null(out);                                                              \
		assert_int_equal(call, 0);                                                         \
		fclose(out);                                                                       \
	} while (0)

static long long field(const char *text, const char *key)
{
	const char *p = strstr(text, key);
	return p ? strtoll(p + strlen(key), NULL, 10) : -1;
}

static void meminfo_from_memory_max(void **state)
{
	(void)state;
	struct procview_mem m = {.max = 256 << 20,
				 .current = 64 << 20,
				 .file = 16 << 20,
				 .shmem = 1 << 20,
				 .slab_reclaimable = 2 << 20,
				 .swap_max = 0,
				 .swap_current = 0};
	char *t;
	CAPTURE(t, procview_meminfo(host_meminfo, &m, out));
	assert_int_equal(field(t, "MemTotal:"), 262144);
	assert_int_equal(field(t, "MemFree:"), 196608);
	assert_int_equal(field(t, "MemAvailable:"), 196608 + 16384);
	assert_int_equal(field(t, "Buffers:"), 0);
	assert_int_equal(field(t, "Cached:"), 16384);
	assert_int_equal(field(t, "Shmem:"), 1024);
	assert_int_equal(field(t, "SReclaimable:"), 2048);
	assert_int_equal(field(t, "SwapTotal:"), 0);
	assert_int_equal(field(t, "SwapFree:"), 0);
	assert_int_equal(field(t, "SwapCached:"), 0); /* kept */
	/* The kernel's columns: free(1) and others parse them. */
	assert_non_null(strstr(t, "MemTotal:         262144 kB\n"));
	free(t);
}

static void meminfo_unlimited_is_the_hosts(void **state)
{
	(void)state;
	struct procview_mem m = {.max = -1, .current = 1 << 20, .swap_max = -1};
	char *t;
	CAPTURE(t, procview_meminfo(host_meminfo, &m, out));
	assert_string_equal(t, host_meminfo);
	free(t);
	/* A limit above the host's memory is no limit either. */
	m.max = (int64_t)1 << 50;
	CAPTURE(t, procview_meminfo(host_meminfo, &m, out));
	assert_int_equal(field(t, "MemTotal:"), 16318032);
	free(t);
}

static void meminfo_used_beyond_the_limit(void **state)
{
	(void)state;
	struct procview_mem m = {
	    .max = 1 << 20, .current = 4 << 20, .file = 8 << 20, .swap_max = -1};
	char *t;
	CAPTURE(t, procview_meminfo(host_meminfo, &m, out));
	assert_int_equal(field(t, "MemFree:"), 0);
	assert_int_equal(field(t, "MemAvailable:"), 1024); /* never above MemTotal */
	free(t);
}

static void meminfo_refuses_what_is_not_one(void **state)
{
	(void)state;
	struct procview_mem m = {.max = -1};
	assert_int_equal(procview_meminfo("hello\n", &m, stdout), -EINVAL);
}

static void cpu_lists_and_quota(void **state)
{
	(void)state;
	struct procview_cpus c;
	assert_int_equal(procview_parse_cpus("0-2,5\n", 0, &c), 0);
	assert_int_equal(c.n, 4);
	assert_int_equal(c.cpu[3], 5);
	assert_int_equal(procview_parse_cpus("1,3", 0, &c), 0);
	assert_int_equal(c.n, 2);
	assert_int_equal(c.cpu[1], 3);
	assert_int_equal(procview_parse_cpus("0-7", procview_cpu_limit("150000 100000\n"), &c), 0);
	assert_int_equal(c.n, 2);
	assert_int_equal(procview_cpu_limit("max 100000\n"), 0);
	assert_int_equal(procview_cpu_limit("50000 100000"), 1);
	assert_int_equal(procview_cpu_limit("junk"), 0);
	assert_int_equal(procview_parse_cpus("", 0, &c), -EINVAL);
	assert_int_equal(procview_parse_cpus("3-1", 0, &c), -EINVAL);
	assert_int_equal(procview_parse_cpus("x", 0, &c), -EINVAL);
	assert_int_equal(procview_parse_cpus("0-99999", 0, &c), -EINVAL);
}

static void cpuinfo_keeps_the_cpuset_renumbered(void **state)
{
	(void)state;
	struct procview_cpus c;
	assert_int_equal(procview_parse_cpus("1,3", 0, &c), 0);
	char *t;
	CAPTURE(t, procview_cpuinfo(host_cpuinfo, &c, out));
	assert_string_equal(
	    t, "processor\t: 0\nmodel name\t: B\n\nprocessor\t: 1\nmodel name\t: D\n\n");
	free(t);
}

static void stat_sums_the_cpuset(void **state)
{
	(void)state;
	struct procview_cpus c;
	assert_int_equal(procview_parse_cpus("2-3", 0, &c), 0);
	char *t;
	CAPTURE(t, procview_stat(host_stat, &c, out));
	assert_string_equal(t, "cpu  7 0 7 70 0 0 0 0 0 0\n"
			       "cpu0 3 0 3 30 0 0 0 0 0 0\n"
			       "cpu1 4 0 4 40 0 0 0 0 0 0\n"
			       "intr 12345\nctxt 999\nbtime 1700000000\nprocesses 42\n");
	free(t);
}

static void uptime_and_idle(void **state)
{
	(void)state;
	char *t;
	CAPTURE(t, procview_uptime(10.5, 2, 3.0, out));
	assert_string_equal(t, "10.50 18.00\n");
	free(t);
	CAPTURE(t, procview_uptime(1.0, 1, 5.0, out));
	assert_string_equal(t, "1.00 0.00\n");
	free(t);
}

static void loadavg_follows_busy_cpus(void **state)
{
	(void)state;
	struct procview_load l = {0};
	char *t;
	CAPTURE(t, procview_loadavg(&l, 1000000000ULL, 0, 3, out));
	assert_string_equal(t, "0.00 0.00 0.00 1/3 0\n");
	free(t);
	/* Two CPUs busy for 15 minutes: the 1-minute average is close to 2, the others follow. */
	uint64_t ns = 1000000000ULL, us = 0;
	for (int i = 0; i < 900; i++) {
		ns += 1000000000ULL;
		us += 2000000;
		FILE *null = fopen("/dev/null", "w");
		assert_int_equal(procview_loadavg(&l, ns, us, 3, null), 0);
		fclose(null);
	}
	assert_true(l.avg[0] > 1.99 && l.avg[0] <= 2.0);
	assert_true(l.avg[1] > 1.9 && l.avg[1] < l.avg[0]);
	assert_true(l.avg[2] > 1.2 && l.avg[2] < l.avg[1]);
	CAPTURE(t, procview_loadavg(&l, ns + 1000000000ULL, us + 2000000, 3, out));
	assert_non_null(strstr(t, " 2/3 0\n"));
	free(t);
}

static void sysinfo_of_the_container(void **state)
{
	(void)state;
	struct sysinfo si = {.uptime = 99999,
			     .totalram = 4 << 20, /* 16 GiB in 4 KiB units */
			     .freeram = 2 << 20,
			     .totalswap = 1 << 10,
			     .freeswap = 1 << 10,
			     .procs = 500,
			     .mem_unit = 4096};
	const double load[3] = {1.5, 0.25, 0};
	struct procview_mem m = {.max = 256 << 20, .current = 64 << 20, .swap_max = 0};
	procview_sysinfo(&si, &m, 12.7, load, 3);
	assert_int_equal(si.uptime, 12);
	assert_int_equal(si.loads[0], 98304);
	assert_int_equal(si.loads[1], 16384);
	assert_int_equal(si.procs, 3);
	assert_int_equal(si.mem_unit, 1);
	assert_int_equal(si.totalram, 256 << 20);
	assert_int_equal(si.freeram, 192 << 20);
	assert_int_equal(si.totalswap, 0);
	/* No memory controller: the host's memory, in bytes. */
	struct sysinfo host = {.totalram = 4 << 20, .freeram = 2 << 20, .mem_unit = 4096};
	procview_sysinfo(&host, NULL, 1, load, -1);
	assert_int_equal(host.totalram, 4 << 20); /* untouched, unit kept */
	assert_int_equal(host.mem_unit, 4096);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(meminfo_from_memory_max),
	    cmocka_unit_test(meminfo_unlimited_is_the_hosts),
	    cmocka_unit_test(meminfo_used_beyond_the_limit),
	    cmocka_unit_test(meminfo_refuses_what_is_not_one),
	    cmocka_unit_test(cpu_lists_and_quota),
	    cmocka_unit_test(cpuinfo_keeps_the_cpuset_renumbered),
	    cmocka_unit_test(stat_sums_the_cpuset),
	    cmocka_unit_test(uptime_and_idle),
	    cmocka_unit_test(loadavg_follows_busy_cpus),
	    cmocka_unit_test(sysinfo_of_the_container),
	};
	return cmocka_run_group_tests_name("procview", tests, NULL, NULL);
}
