/* One device cgroup rule, as the BPF program (cgroup/devices.bpf.c) and the runtime both see
 * it: plain fixed-size fields, no pointers, so that the same header compiles for both. */
#ifndef SHIKUMI_CGROUP_DEVICES_RULE_H
#define SHIKUMI_CGROUP_DEVICES_RULE_H

#define DEVICES_MAX_RULES 128

/* The kernel's own values (BPF_DEVCG_DEV_*, BPF_DEVCG_ACC_* in linux/bpf.h). */
enum { DEVICES_ANY_TYPE = 0, DEVICES_BLOCK = 1, DEVICES_CHAR = 2 };
enum { DEVICES_MKNOD = 1, DEVICES_READ = 2, DEVICES_WRITE = 4 };

struct devices_rule {
	unsigned int type;   /* DEVICES_ANY_TYPE ('a'), DEVICES_BLOCK or DEVICES_CHAR */
	int major, minor;    /* -1: any */
	unsigned int access; /* DEVICES_MKNOD | DEVICES_READ | DEVICES_WRITE */
	unsigned int allow;  /* 1 allow, 0 deny */
};

/* Evaluated in order, the last rule that matches decides; none: denied. An allow rule matches
 * an access whose every kind it allows; a deny rule one that asks for any kind it denies. */
struct devices_rules {
	unsigned int n;
	struct devices_rule rule[DEVICES_MAX_RULES];
};

#endif
