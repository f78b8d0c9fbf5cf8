/* Unit tests: the cgroup v2 library (cgroup/cgroup.c). The parsers and the file handling run
 * against a fake tree in a temporary directory; with SHIKUMI_REAL_CGROUP=1 (set by the test
 * host tests) a second group runs against the real /sys/fs/cgroup. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "../../cgroup/cgroup.h"
#include "../../common/proc.h"
#include "../../common/err.h"

#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

static char root[64];

static void put(const char *rel, const char *text)
{
	char p[PATH_MAX];
	snprintf(p, sizeof(p), "%s%s", root, rel);
	FILE *f = fopen(p, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

static char *get(const char *rel)
{
	static char buf[512];
	char p[PATH_MAX];
	snprintf(p, sizeof(p), "%s%s", root, rel);
	FILE *f = fopen(p, "r");
	if (!f)
		return NULL;
	size_t n = fread(buf, 1, sizeof(buf) - 1, f);
	buf[n] = '\0';
	fclose(f);
	return buf;
}

static int fake_setup(void **state)
{
	(void)state;
	snprintf(root, sizeof(root), "/tmp/shikumi-cg-XXXXXX");
	if (!mkdtemp(root))
		return -1;
	char p[PATH_MAX];
	snprintf(p, sizeof(p), "%s/user.slice", root);
	mkdir(p, 0755);
	put("/cgroup.controllers", "cpuset cpu io memory hugetlb pids rdma misc\n");
	put("/cgroup.subtree_control", "cpu memory pids io cpuset\n");
	put("/user.slice/cgroup.controllers", "memory pids\n");
	put("/user.slice/cgroup.subtree_control", "\n");
	return 0;
}

static int fake_teardown(void **state)
{
	(void)state;
	char cmd[128];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", root);
	return system(cmd) == 0 ? 0 : -1;
}

static void cpus_to_quota(void **state)
{
	(void)state;
	int64_t q;
	assert_int_equal(cgroup_parse_cpus("0.5", &q), 0);
	assert_int_equal(q, 50000);
	assert_int_equal(cgroup_parse_cpus("2", &q), 0);
	assert_int_equal(q, 200000);
	assert_int_equal(cgroup_parse_cpus("0.25", &q), 0);
	assert_int_equal(q, 25000);
	assert_int_equal(cgroup_parse_cpus("-1", &q), -EINVAL);
	assert_int_equal(cgroup_parse_cpus("0", &q), -EINVAL);
	assert_int_equal(cgroup_parse_cpus("abc", &q), -EINVAL);
	assert_int_equal(cgroup_parse_cpus("1.5x", &q), -EINVAL);
	assert_int_equal(cgroup_parse_cpus("nan", &q), -EINVAL);
	assert_int_equal(cgroup_parse_cpus("5000", &q), -EINVAL);
}

static void io_max_line(void **state)
{
	(void)state;
	char out[160];
	unsigned maj, min;
	assert_int_equal(cgroup_parse_io_max("8:0 rbps=1M wbps=512K", out, sizeof(out), &maj, &min),
			 0);
	assert_string_equal(out, "8:0 rbps=1048576 wbps=524288");
	assert_int_equal(maj, 8);
	assert_int_equal(min, 0);
	assert_int_equal(
	    cgroup_parse_io_max("253:1 riops=100 wbps=max", out, sizeof(out), &maj, &min), 0);
	assert_string_equal(out, "253:1 riops=100 wbps=max");
	assert_int_equal(cgroup_parse_io_max("sda rbps=1M", out, sizeof(out), &maj, &min), -EINVAL);
	assert_int_equal(cgroup_parse_io_max("8:0", out, sizeof(out), &maj, &min), -EINVAL);
	assert_int_equal(cgroup_parse_io_max("8:0 speed=1M", out, sizeof(out), &maj, &min),
			 -EINVAL);
	assert_non_null(strstr(err_msg(), "unknown key 'speed'"));
	assert_int_equal(cgroup_parse_io_max("8:0 rbps=fast", out, sizeof(out), &maj, &min),
			 -EINVAL);
	assert_int_equal(cgroup_parse_io_max("8:0 riops=1M", out, sizeof(out), &maj, &min),
			 -EINVAL);
	assert_int_equal(cgroup_parse_io_max("8:0 rbps=0", out, sizeof(out), &maj, &min), -EINVAL);
}

static void cpuset_lists(void **state)
{
	(void)state;
	assert_int_equal(cgroup_parse_cpuset("0", 2), 0);
	assert_int_equal(cgroup_parse_cpuset("0-1", 2), 0);
	assert_int_equal(cgroup_parse_cpuset("0,2-3,5", 8), 0);
	assert_int_equal(cgroup_parse_cpuset("2", 2), -EINVAL);
	assert_non_null(strstr(err_msg(), "CPU 2 does not exist"));
	assert_int_equal(cgroup_parse_cpuset("", 2), -EINVAL);
	assert_int_equal(cgroup_parse_cpuset("1-0", 2), -EINVAL);
	assert_int_equal(cgroup_parse_cpuset("a", 2), -EINVAL);
	assert_int_equal(cgroup_parse_cpuset("0,", 2), -EINVAL);
	assert_int_equal(cgroup_parse_cpuset("0-", 2), -EINVAL);
}

static void finds_mount_and_own_group(void **state)
{
	(void)state;
	char out[256];
	const char *hybrid =
	    "25 1 254:0 / / rw,relatime - ext4 /dev/vda rw\n"
	    "30 25 0:26 / /sys/fs/cgroup ro,nosuid - tmpfs tmpfs ro,mode=755\n"
	    "40 30 0:37 / /sys/fs/cgroup/unified rw,relatime - cgroup2 cgroup2 rw\n"
	    "41 30 0:38 / /sys/fs/cgroup/memory rw - cgroup cgroup rw,memory\n";
	assert_int_equal(cgroup_find_mount(hybrid, out, sizeof(out)), 0);
	assert_string_equal(out, "/sys/fs/cgroup/unified");
	assert_int_equal(
	    cgroup_find_mount("25 1 254:0 / / rw - ext4 /dev/vda rw\n", out, sizeof(out)), -ENOENT);
	assert_int_equal(
	    cgroup_parse_self("1:cpu:/\n0::/user.slice/session-2.scope\n", out, sizeof(out)), 0);
	assert_string_equal(out, "/user.slice/session-2.scope");
	assert_int_equal(cgroup_parse_self("1:cpu:/\n", out, sizeof(out)), -ENOENT);
}

static void limits_need_controllers(void **state)
{
	(void)state;
	struct cgroup_limits l;
	cgroup_limits_init(&l);
	assert_int_equal(cgroup_limits_controllers(&l), 0);
	l.memory_max = 1 << 20;
	l.pids_max = 10;
	assert_int_equal(cgroup_limits_controllers(&l), CG_MEMORY | CG_PIDS);
	l.cpu_weight = 50;
	strcpy(l.cpuset_cpus, "0");
	assert_int_equal(cgroup_limits_controllers(&l), CG_MEMORY | CG_PIDS | CG_CPU | CG_CPUSET);
	unsigned missing;
	assert_int_equal(
	    cgroup_missing_controllers(root, "/user.slice", CG_MEMORY | CG_CPU | CG_IO, &missing),
	    0);
	assert_int_equal(missing, CG_CPU | CG_IO);
	assert_int_equal(cgroup_missing_controllers(root, "", CG_MEMORY | CG_CPU, &missing), 0);
	assert_int_equal(missing, 0);
	assert_string_equal(cgroup_controller_name(CG_IO), "io");
}

/* cgroup_limits_add: only a controller's own plain file names, one-line values, at most
 * CGROUP_MAX_FILES. */
static void extra_files_checked(void **state)
{
	(void)state;
	struct cgroup_limits l;
	cgroup_limits_init(&l);
	const char *good[] = {
	    "memory.high", "hugetlb.1GB.rsvd.max", "io.weight", "misc.max", "cpu.idle", "rdma.max"};
	for (size_t i = 0; i < sizeof(good) / sizeof(*good); i++)
		assert_int_equal(cgroup_limits_add(&l, good[i], "1"), 0);
	assert_int_equal(cgroup_limits_controllers(&l),
			 CG_MEMORY | CG_HUGETLB | CG_IO | CG_MISC | CG_CPU | CG_RDMA);
	const char *bad[] = {"cgroup.procs",	"cgroup.subtree_control",
			     "memory",		"memory.",
			     "../pids.max",	"pids/../../x",
			     "memory..high",	"Memory.high",
			     "net_cls.classid", "",
			     "memory.high\n",	".memory"};
	for (size_t i = 0; i < sizeof(bad) / sizeof(*bad); i++) {
		assert_int_equal(cgroup_limits_add(&l, bad[i], "1"), -EINVAL);
		assert_non_null(strstr(err_msg(), "is not a file of a cgroup controller"));
	}
	assert_int_equal(cgroup_limits_add(&l, "pids.max", "5\n+cpu"), -EINVAL);
	assert_non_null(strstr(err_msg(), "one line of printable characters"));
	assert_int_equal(cgroup_limits_add(&l, "pids.max", ""), -EINVAL);
	char longv[200];
	memset(longv, '1', sizeof(longv) - 1);
	longv[sizeof(longv) - 1] = '\0';
	assert_int_equal(cgroup_limits_add(&l, "pids.max", longv), -EINVAL);
	assert_int_equal(l.n_files, 6);
	while (l.n_files < CGROUP_MAX_FILES)
		assert_int_equal(cgroup_limits_add(&l, "pids.max", "1"), 0);
	assert_int_equal(cgroup_limits_add(&l, "pids.max", "1"), -EINVAL);
	assert_non_null(strstr(err_msg(), "too many"));
}

static void create_limits_stats_in_fake_tree(void **state)
{
	(void)state;
	struct cgroup cg;
	/* Controllers already on in the root are not written again; /shikumi gets them. */
	mkdir(strcat(strcpy((char[PATH_MAX]){0}, root), "/shikumi"), 0755);
	put("/shikumi/cgroup.subtree_control", "");
	assert_int_equal(cgroup_create(root, "/", "run-1", CG_MEMORY, &cg), 0);
	assert_string_equal(get("/cgroup.subtree_control"), "cpu memory pids io cpuset\n");
	assert_string_equal(get("/shikumi/cgroup.subtree_control"), "+memory");
	assert_int_equal(cgroup_create(root, "/", "run-1", 0, &(struct cgroup){0}), -EEXIST);
	struct cgroup_limits l;
	cgroup_limits_init(&l);
	l.memory_max = 64 << 20;
	l.cpu_quota_us = 50000;
	l.pids_max = 32;
	assert_int_equal(cgroup_set_limits(&cg, &l), -ENOENT); /* a fake group has no files */
	assert_non_null(strstr(err_msg(), "memory.max"));
	put("/shikumi/run-1/memory.max", "max");
	put("/shikumi/run-1/cpu.max", "max 100000");
	put("/shikumi/run-1/pids.max", "max");
	assert_int_equal(cgroup_set_limits(&cg, &l), 0);
	assert_string_equal(get("/shikumi/run-1/memory.max"), "67108864");
	assert_string_equal(get("/shikumi/run-1/cpu.max"), "50000 100000");
	assert_string_equal(get("/shikumi/run-1/pids.max"), "32");
	/* Further files, after the limits above, in order: the last write to a file wins. */
	assert_int_equal(cgroup_limits_add(&l, "hugetlb.2MB.max", "4194304"), 0);
	assert_int_equal(cgroup_limits_add(&l, "pids.max", "7"), 0);
	assert_int_equal(cgroup_limits_controllers(&l), CG_MEMORY | CG_CPU | CG_PIDS | CG_HUGETLB);
	put("/shikumi/run-1/hugetlb.2MB.max", "max");
	assert_int_equal(cgroup_set_limits(&cg, &l), 0);
	assert_string_equal(get("/shikumi/run-1/hugetlb.2MB.max"), "4194304");
	assert_string_equal(get("/shikumi/run-1/pids.max"), "7");
	assert_int_equal(cgroup_limits_add(&l, "memory.high", "1M"), 0);
	assert_int_equal(cgroup_set_limits(&cg, &l), -ENOENT); /* named, as any other */
	assert_non_null(strstr(err_msg(), "cannot write '1M' to "));
	assert_non_null(strstr(err_msg(), "/memory.high"));
	put("/shikumi/run-1/cpu.stat", "usage_usec 1500\nuser_usec 1000\nsystem_usec 500\n"
				       "nr_periods 4\nnr_throttled 2\nthrottled_usec 700\n");
	put("/shikumi/run-1/memory.events", "low 0\nhigh 0\nmax 3\noom 1\noom_kill 1\n");
	put("/shikumi/run-1/memory.peak", "12345\n");
	struct cgroup_stats st;
	assert_int_equal(cgroup_read_stats(&cg, &st), 0);
	assert_int_equal(st.cpu_user_us, 1000);
	assert_int_equal(st.cpu_system_us, 500);
	assert_int_equal(st.cpu_throttled_us, 700);
	assert_int_equal(st.cpu_nr_throttled, 2);
	assert_int_equal(st.oom_kill, 1);
	assert_int_equal(st.memory_peak, 12345);
	assert_int_equal(st.pids_peak, -1); /* no pids.peak: not counted */
	close(cg.fd);
}

static void stale_groups_removed(void **state)
{
	(void)state;
	char p[PATH_MAX];
	const char *dirs[] = {"/shikumi/run-999999999", "/shikumi/run-2", "/shikumi/other"};
	for (int i = 0; i < 3; i++) {
		snprintf(p, sizeof(p), "%s%s", root, dirs[i]);
		mkdir(p, 0755);
	}
	/* PID 999999999 cannot exist, PID 2 is no shikumi: both stale; "other" is not ours.
	 * (run-1 of the test above still holds files: a fake group that refuses, like a real
	 * one that still has processes.) */
	assert_int_equal(cgroup_remove_stale(root, "/"), 2);
	struct stat st;
	snprintf(p, sizeof(p), "%s/shikumi/other", root);
	assert_int_equal(stat(p, &st), 0);
	snprintf(p, sizeof(p), "%s/shikumi/run-2", root);
	assert_int_equal(stat(p, &st), -1);
	snprintf(p, sizeof(p), "%s/shikumi/run-1", root);
	assert_int_equal(stat(p, &st), 0);
}

static void stale_groups_judged_by_start_time(void **state)
{
	(void)state;
	char name[64], p[PATH_MAX], reused[64];
	struct stat st;
	assert_int_equal(cgroup_run_name(name, sizeof(name)), 0);
	unsigned long long start;
	assert_int_equal(proc_start_time(getpid(), &start), 0);
	char want[64];
	snprintf(want, sizeof(want), "run-%d-%llu", (int)getpid(), start);
	assert_string_equal(name, want);
	/* This very process under another start time: its PID reused by a live process (a
	 * shikumi even: this test binary's comm is not, but the old rule only read comm). */
	snprintf(reused, sizeof(reused), "run-%d-%llu", (int)getpid(), start + 1);
	const char *dirs[] = {name, reused, "run-12-x", "run-1-2-3"};
	for (int i = 0; i < 4; i++) {
		snprintf(p, sizeof(p), "%s/shikumi/%s", root, dirs[i]);
		assert_int_equal(mkdir(p, 0755), 0);
	}
	assert_int_equal(cgroup_remove_stale(root, "/"), 1);
	snprintf(p, sizeof(p), "%s/shikumi/%s", root, reused);
	assert_int_equal(stat(p, &st), -1); /* the dead runtime's group went */
	for (int i = 0; i < 4; i++) {
		if (i == 1)
			continue;
		snprintf(p, sizeof(p), "%s/shikumi/%s", root, dirs[i]);
		assert_int_equal(stat(p, &st), 0); /* the live one stays; names not ours too */
		rmdir(p);
	}
}

/* ---- against the real hierarchy (inside the test host) ---- */

static void real_group_lifecycle(void **state)
{
	(void)state;
	struct cgroup cg;
	assert_int_equal(cgroup_create("/sys/fs/cgroup", "/", "run-unit", CG_MEMORY | CG_PIDS, &cg),
			 0);
	struct cgroup_limits l;
	cgroup_limits_init(&l);
	l.memory_max = 32 << 20;
	l.pids_max = 8;
	assert_int_equal(cgroup_set_limits(&cg, &l), 0);
	pid_t child = fork();
	if (child == 0) {
		pause();
		_exit(0);
	}
	assert_int_equal(cgroup_attach(&cg, child), 0);
	char path[PATH_MAX + 32], buf[256];
	snprintf(path, sizeof(path), "%s/cgroup.procs", cg.path);
	FILE *f = fopen(path, "r");
	assert_non_null(fgets(buf, sizeof(buf), f));
	fclose(f);
	assert_int_equal(atoi(buf), child);
	assert_int_equal(cgroup_freeze(&cg, true), 0);
	snprintf(path, sizeof(path), "%s/cgroup.events", cg.path);
	int frozen = 0;
	for (int i = 0; i < 1000 && !frozen; i++) {
		f = fopen(path, "r");
		while (fgets(buf, sizeof(buf), f))
			frozen |= !strcmp(buf, "frozen 1\n");
		fclose(f);
		usleep(1000);
	}
	assert_true(frozen);
	assert_int_equal(cgroup_freeze(&cg, false), 0);
	assert_int_equal(cgroup_kill(&cg), 0);
	int status;
	assert_int_equal(waitpid(child, &status, 0), child);
	assert_true(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);
	char dir[PATH_MAX];
	snprintf(dir, sizeof(dir), "%s", cg.path);
	assert_int_equal(cgroup_destroy(&cg), 0);
	struct stat st;
	assert_int_equal(stat(dir, &st), -1);
}

/* linux.cgroupsPath: what is refused, where the group goes, and that only what was made is
 * removed (a parent that was there stays; a failure part way leaves nothing). */
static void create_path_in_fake_tree(void **state)
{
	(void)state;
	const char *bad[] = {"/", "", "a//b", "/a/../b", "./a", "a/.", "sys.slice:x:y", "a/\nb"};
	for (size_t i = 0; i < sizeof(bad) / sizeof(*bad); i++)
		assert_int_equal(cgroup_check_path(bad[i]), -EINVAL);
	assert_int_equal(cgroup_check_path("/default/c1"), 0);
	assert_int_equal(cgroup_check_path("pod/c..1"), 0);
	char p[PATH_MAX];
	struct stat st;
	struct cgroup cg;
	/* Absolute: below the root whatever the base; the parents made, then removed with it. */
	assert_int_equal(cgroup_create_path(root, "/me", "/ns/pod/c1", 0, &cg), 0);
	assert_string_equal(cg.path, strcat(strcpy(p, root), "/ns/pod/c1"));
	assert_string_equal(cg.top, strcat(strcpy(p, root), "/ns"));
	assert_int_equal(cgroup_create_path(root, "/me", "/ns/pod/c1", 0, &(struct cgroup){0}),
			 -EINVAL);
	assert_non_null(strstr(err_msg(), "exists already"));
	assert_int_equal(cgroup_destroy(&cg), 0);
	assert_int_equal(stat(strcat(strcpy(p, root), "/ns"), &st), -1);
	/* Relative: below the base; a parent that was there already stays. */
	mkdir(strcat(strcpy(p, root), "/me"), 0755);
	mkdir(strcat(strcpy(p, root), "/me/pod"), 0755);
	assert_int_equal(cgroup_create_path(root, "/me", "pod/c2", 0, &cg), 0);
	assert_string_equal(cg.path, strcat(strcpy(p, root), "/me/pod/c2"));
	assert_string_equal(cg.top, "");
	assert_int_equal(cgroup_destroy(&cg), 0);
	assert_int_equal(stat(strcat(strcpy(p, root), "/me/pod"), &st), 0);
	/* Controllers asked for, and a new parent has no cgroup.subtree_control (a fake one):
	 * the failure removes the parents made. */
	assert_true(cgroup_create_path(root, "/", "/new/deeper/c3", CG_MEMORY, &cg) < 0);
	assert_int_equal(cg.fd, -1);
	assert_int_equal(stat(strcat(strcpy(p, root), "/new"), &st), -1);
	/* A parent that holds processes, or is a shikumi container's group, is another
	 * container's: nesting there is refused, and nothing is made. */
	mkdir(strcat(strcpy(p, root), "/busy"), 0755);
	FILE *f = fopen(strcat(strcpy(p, root), "/busy/cgroup.procs"), "w");
	assert_non_null(f);
	fputs("4242\n", f);
	fclose(f);
	assert_int_equal(cgroup_create_path(root, "/", "/busy/c4", 0, &cg), -EINVAL);
	assert_non_null(strstr(err_msg(), "nest in another container's group"));
	assert_int_equal(stat(strcat(strcpy(p, root), "/busy/c4"), &st), -1);
	unlink(strcat(strcpy(p, root), "/busy/cgroup.procs"));
	rmdir(strcat(strcpy(p, root), "/busy"));
	mkdir(strcat(strcpy(p, root), "/shikumi"), 0755);
	mkdir(strcat(strcpy(p, root), "/shikumi/oci-a"), 0755);
	assert_int_equal(cgroup_create_path(root, "/", "/shikumi/oci-a/evil", 0, &cg), -EINVAL);
	assert_int_equal(stat(strcat(strcpy(p, root), "/shikumi/oci-a/evil"), &st), -1);
	rmdir(strcat(strcpy(p, root), "/shikumi/oci-a"));
	rmdir(strcat(strcpy(p, root), "/shikumi"));
	rmdir(strcat(strcpy(p, root), "/me/pod"));
	rmdir(strcat(strcpy(p, root), "/me"));
}

int main(void)
{
	const struct CMUnitTest fake[] = {
	    cmocka_unit_test(cpus_to_quota),
	    cmocka_unit_test(io_max_line),
	    cmocka_unit_test(cpuset_lists),
	    cmocka_unit_test(finds_mount_and_own_group),
	    cmocka_unit_test(limits_need_controllers),
	    cmocka_unit_test(extra_files_checked),
	    cmocka_unit_test(create_limits_stats_in_fake_tree),
	    cmocka_unit_test(stale_groups_removed),
	    cmocka_unit_test(stale_groups_judged_by_start_time),
	    cmocka_unit_test(create_path_in_fake_tree),
	};
	const struct CMUnitTest real[] = {
	    cmocka_unit_test(real_group_lifecycle),
	};
	int r = cmocka_run_group_tests_name("cgroup", fake, fake_setup, fake_teardown);
	if (getenv("SHIKUMI_REAL_CGROUP"))
		r |= cmocka_run_group_tests_name("cgroup-real", real, NULL, NULL);
	return r;
}
