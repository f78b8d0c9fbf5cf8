/* A small library over the cgroup v2 file interface: create a group, enable the controllers
 * it needs, write limits, attach (or clone into) it, read statistics and events, freeze, kill
 * every process in it, remove it. Every function returns 0 or a negative errno and leaves a
 * message (common/err.h); nothing exits. Paths are taken relative to a root directory given
 * by the caller, so the unit tests can run against a fake tree. */
#ifndef SHIKUMI_CGROUP_H
#define SHIKUMI_CGROUP_H

/* Where the lock that orders the making of container groups lives (root's runtime). */
#ifndef CGROUP_LOCK_DIR
#define CGROUP_LOCK_DIR "/run/shikumi"
#endif

#include "devices_rule.h"

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#define CGROUP_CPU_PERIOD_US 100000 /* cpu.max's period: --cpus 0.5 is 50000 of 100000 */
#define CGROUP_MAX_FILES     32	    /* cgroup_limits.files */

enum cgroup_controller {
	CG_CPU = 1 << 0,
	CG_MEMORY = 1 << 1,
	CG_PIDS = 1 << 2,
	CG_IO = 1 << 3,
	CG_CPUSET = 1 << 4,
	CG_HUGETLB = 1 << 5,
	CG_MISC = 1 << 6,
	CG_RDMA = 1 << 7,
};

/* The name of one controller bit ("memory"), as cgroup.controllers spells it. */
const char *cgroup_controller_name(unsigned bit);

/* Limits to write; -1 (or 0 / "" where noted) means "leave as it is". */
struct cgroup_limits {
	int64_t memory_max;	 /* memory.max, bytes */
	int64_t memory_swap_max; /* memory.swap.max, bytes */
	int64_t cpu_quota_us;	 /* cpu.max quota per CGROUP_CPU_PERIOD_US */
	int cpu_weight;		 /* cpu.weight, 1..10000; 0: unset */
	int64_t pids_max;	 /* pids.max */
	char io_max[160];	 /* io.max line, "MAJ:MIN rbps=N wbps=N ..."; "": unset */
	char cpuset_cpus[128];	 /* cpuset.cpus, "0-2,4"; "": unset */
	/* Further files of the group, written in this order after those above (an OCI config's
	 * blockIO, hugepageLimits and unified): each a controller's file (cgroup_limits_add). */
	struct cgroup_file_write {
		char file[64];
		char value[128];
	} files[CGROUP_MAX_FILES];
	size_t n_files;
	/* The device cgroup's rules (cgroup/devices.h), a BPF program attached to the group;
	 * devices_set false: none (every device the container's /dev holds may be opened), but
	 * for devices_default: rules the config did not ask for (an OCI config without
	 * linux.resources.devices gets runc's defaults), applied only where a program can be (as
	 * root, on cgroup v2), never a reason to refuse the container. */
	bool devices_set, devices_default;
	struct devices_rules devices;
};

/* Adds file=value to l->files: file must be a plain name of one of the controllers above
 * ("hugetlb.2MB.max", "memory.high"; never "cgroup.*", which is the runtime's own), value one
 * line of printable characters, at most CGROUP_MAX_FILES. Returns 0, or -EINVAL with a
 * message. */
int cgroup_limits_add(struct cgroup_limits *l, const char *file, const char *value);

/* cgroup.max.depth of every container's group: how deep the groups it may make inside its own
 * (with cgroup2 mounted read-write) can nest. */
#define CGROUP_MAX_DEPTH       32
#define CGROUP_MAX_DESCENDANTS 4096 /* ... and how many groups in all below it */

void cgroup_limits_init(struct cgroup_limits *l);

/* The controllers the limits need (CG_* bits). */
unsigned cgroup_limits_controllers(const struct cgroup_limits *l);

/* --cpus: "0.5" -> 50000 (µs of CPU per 100000 µs period). Accepts 0.01 to 1024. */
int cgroup_parse_cpus(const char *s, int64_t *quota_us);

/* --io-max: "MAJ:MIN rbps=1M wbps=512K riops=100 wiops=100" -> the io.max line with sizes in
 * bytes ("8:0 rbps=1048576 wbps=524288 ..."), and the device numbers. */
int cgroup_parse_io_max(const char *s, char *out, size_t n, unsigned *major, unsigned *minor);

/* --cpuset: checks a CPU list ("0", "0-2,5") and that every CPU is below ncpus. */
int cgroup_parse_cpuset(const char *s, int ncpus);

/* The cgroup v2 mount point, from mountinfo text (/proc/self/mountinfo): /sys/fs/cgroup on
 * pure v2 hosts, /sys/fs/cgroup/unified on hybrid ones. -ENOENT when there is none. */
int cgroup_find_mount(const char *mountinfo, char *out, size_t n);

/* The cgroup v2 path of a process, from /proc/PID/cgroup text ("0::/user.slice/x" ->
 * "/user.slice/x"). */
int cgroup_parse_self(const char *proc_cgroup, char *out, size_t n);

/* Which of `want` the group at root/rel does not offer (not in its cgroup.controllers). */
int cgroup_missing_controllers(const char *root, const char *rel, unsigned want, unsigned *missing);

struct cgroup {
	int fd; /* the group's directory */
	char path[PATH_MAX];
	char top[PATH_MAX]; /* cgroup_create_path: the highest parent it made, "" for none;
			       cgroup_destroy removes those too (when they are empty) */
};

/* Creates the group at `rel` (an OCI cgroupsPath, checked by cgroup_check_path): below root
 * when it starts with '/', else below root/base, making the missing parents and enabling
 * `controllers` in each one's cgroup.subtree_control on the way. The group itself must not
 * exist yet. On failure nothing it made is left. */
int cgroup_create_path(const char *root, const char *base, const char *rel, unsigned controllers,
		       struct cgroup *cg);

/* Whether `rel` is a cgroupsPath cgroup_create_path takes: components of 1 to 255 bytes,
 * none "." or "..", no newline, not the root itself; a systemd "slice:prefix:name" is
 * refused by name. Returns 0 or -EINVAL with the reason as the message. */
int cgroup_check_path(const char *rel);

/* Creates root/base/shikumi/name, enabling `controllers` in base's and base/shikumi's
 * cgroup.subtree_control on the way. */
int cgroup_create(const char *root, const char *base, const char *name, unsigned controllers,
		  struct cgroup *cg);

int cgroup_set_limits(const struct cgroup *cg, const struct cgroup_limits *l);
int cgroup_attach(const struct cgroup *cg, pid_t pid);

struct cgroup_stats {
	/* Each value is -1 where this kernel or hierarchy does not have it. */
	int64_t memory_peak, memory_current, cpu_usage_us, cpu_user_us, cpu_system_us;
	int64_t cpu_throttled_us, cpu_nr_throttled, pids_peak, pids_current, oom, oom_kill;
};

/* One number from a one-number file of the group (memory.current), or -1 when absent. */
int64_t cgroup_read_value(const struct cgroup *cg, const char *file);

/* Reads what the group's files say now. */
int cgroup_read_stats(const struct cgroup *cg, struct cgroup_stats *st);

int cgroup_freeze(const struct cgroup *cg, bool frozen);

/* SIGKILLs every process in the group: cgroup.kill, or (before Linux 5.14) freeze, kill each
 * pid in cgroup.procs, thaw, until it is empty. */
int cgroup_kill(const struct cgroup *cg);

/* Kills what is left, waits for the group to empty, removes it, closes cg->fd. */
int cgroup_destroy(struct cgroup *cg);

/* This process's group name, "run-PID-STARTTIME" (its start time from /proc/self/stat): a
 * PID alone is reused, PID and start time name one process, which cgroup_remove_stale can
 * then judge dead or alive. Returns 0 or a negative errno with a message. */
int cgroup_run_name(char *buf, size_t n);

/* Removes groups under root/base/shikumi that a runtime left behind: run-PID-START whose
 * process (PID and start time) is gone, or an older run-PID whose PID is not a live
 * shikumi. A stale group still holding processes gets cgroup.kill and is removed once empty
 * (waiting at most 200 ms). Returns how many were removed. */
int cgroup_remove_stale(const char *root, const char *base);

#endif
