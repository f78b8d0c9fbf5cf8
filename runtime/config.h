/* One in-memory description of a container. The command line fills it today; an OCI
 * config.json will fill the same struct later. The core never parses anything itself. */
#ifndef SHIKUMI_CONFIG_H
#define SHIKUMI_CONFIG_H

#include "../cgroup/cgroup.h"
#include "ipam.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define CONFIG_MAX_ENV	   256
#define CONFIG_MAX_VOLUMES 64
#define CONFIG_MAX_DEVICES 16
#define CONFIG_MAX_RLIMITS 16
#define CONFIG_MAX_GROUPS  32
#define CONFIG_MAX_SYSCTLS 32
#define CONFIG_MAX_IDMAPS  5  /* lines of a uid or gid map (newuidmap takes at most 5 too) */
#define CONFIG_MAX_NODES   32 /* OCI linux.devices entries */
#define CONFIG_MAX_JOINS   4  /* namespaces joined by path: network, ipc, uts, cgroup */
#define CONFIG_MAX_PATHS   64 /* OCI maskedPaths, and readonlyPaths, each */

struct volume {
	const char *source; /* host path, must exist (NULL for a tmpfs) */
	const char *tmpfs;  /* a new tmpfs instead of a host path: its data ("size=1m,mode=755"),
			       checked to hold only size, mode, nr_inodes, uid, gid (OCI only) */
	const char *target; /* absolute path inside the container */
	bool read_only;
	bool no_exec; /* noexec, recursively (an OCI mount's option; the CLI has none) */
	bool single;  /* an OCI "bind" without "rbind": this mount alone, not those below it */
	bool persist; /* write ROOTFS itself instead of an ephemeral overlay */
};

/* setrlimit(resource, {soft, hard}) for the container's processes (an OCI process.rlimits
 * entry; the CLI sets none, so the caller's limits are inherited). */
struct rlimit_set {
	int resource; /* RLIMIT_* */
	uint64_t soft, hard;
};

/* A namespaced kernel setting (an OCI linux.sysctl entry), key with dots: net.ipv4.ip_forward. */
struct sysctl_set {
	const char *key, *value;
};

/* An existing namespace the container joins instead of making its own (an OCI
 * linux.namespaces entry with a path): validation opens and checks it, the child setns()es. */
struct ns_join {
	unsigned type;	  /* CLONE_NEWNET, CLONE_NEWIPC, CLONE_NEWUTS or CLONE_NEWCGROUP */
	const char *path; /* e.g. /proc/PID/ns/net, /run/netns/NAME */
};

/* A device node made in the container's /dev (an OCI linux.devices entry). Listing a host disk
 * here gives it to the container: root inside can then read and write it. */
struct device_node {
	char type;	  /* 'c' (or 'u'), 'b', 'p' */
	const char *path; /* /dev/NAME or /dev/DIR/NAME */
	uint32_t major, minor;
	uint32_t mode; /* permission bits; 0666 unless the config says */
	uint32_t uid, gid;
	bool standard; /* one of shikumi's own nodes, the same device: already there */
};

enum stats_format {
	STATS_NONE,
	STATS_TABLE,
	STATS_JSON,
};

/* INSIDE..INSIDE+COUNT-1 in the container are OUTSIDE..OUTSIDE+COUNT-1 on the host. */
struct id_map {
	uint32_t inside, outside, count;
};

enum userns_mode {
	USERNS_AUTO,	/* host when shikumi runs as root, private when it runs rootless */
	USERNS_HOST,	/* root inside is root outside (when shikumi runs as root) */
	USERNS_PRIVATE, /* a user namespace: root inside is an unprivileged uid outside */
};

enum net_mode {
	NET_LOOPBACK, /* a new net namespace with lo up (the default) */
	NET_NONE,     /* a new net namespace, lo down: no network at all */
	NET_BRIDGE,   /* lo, and eth0 on a veth pair whose host end is a port of a bridge */
	NET_HOST,     /* the host's own network namespace (for demonstrations) */
};

enum tty_mode {
	TTY_AUTO, /* a pty when stdin is a terminal */
	TTY_ON,
	TTY_OFF,
};

struct json_object;

struct container_config {
	const char *rootfs;
	char *const *argv; /* NULL-terminated; never empty after cli_parse */
	const char *env[CONFIG_MAX_ENV + 1];
	size_t n_env;
	const char *cwd;
	const char *hostname;
	struct volume volumes[CONFIG_MAX_VOLUMES];
	size_t n_volumes;
	const char *devices[CONFIG_MAX_DEVICES]; /* host device nodes given to the container */
	size_t n_devices;
	struct device_node nodes[CONFIG_MAX_NODES]; /* OCI linux.devices */
	size_t n_nodes;
	bool read_only;
	bool persist; /* write ROOTFS itself instead of an ephemeral overlay */
	enum tty_mode tty;
	bool timing;
	unsigned namespaces; /* CLONE_NEW* flags: the namespaces made for the container */
	struct ns_join joins[CONFIG_MAX_JOINS]; /* existing ones joined instead (OCI only) */
	size_t n_joins;
	uint64_t caps; /* capabilities kept (CAP_BIT); the default set unless changed; for
			  a uid other than 0, the bounding set */
	/* A uid other than 0 (OCI process.user): its capability sets as the config gives them
	 * (root's are all cfg->caps: at exec root gets its bounding set whatever they say). */
	uint64_t caps_permitted, caps_effective, caps_inheritable, caps_ambient;
	uint32_t uid, gid; /* the command's ids inside (OCI process.user); 0 for the CLI */
	bool set_oom_score_adj;
	int oom_score_adj; /* OCI process.oomScoreAdj, written to /proc/self/oom_score_adj */
	bool privileged;   /* every capability, no seccomp, nothing masked: for demonstrations */
	/* OCI maskedPaths and readonlyPaths: hidden, or seen read-only, as well as shikumi's own
	 * lists (mounts.h), never instead of them; absolute, checked by mounts_path_problem. */
	const char *masked_paths[CONFIG_MAX_PATHS], *readonly_paths[CONFIG_MAX_PATHS];
	size_t n_masked_paths, n_readonly_paths;
	const char *seccomp;		     /* "default", "off", or a profile file */
	struct json_object *seccomp_profile; /* an OCI config's linux.seccomp, parsed; or NULL */
	bool syscalls_user; /* --syscalls=user: the supervisor answers some calls (usernotif.h) */
	bool trace_summary; /* --trace=summary: it counts every call of the command */
	enum userns_mode userns;
	struct id_map uidmap[CONFIG_MAX_IDMAPS], gidmap[CONFIG_MAX_IDMAPS]; /* --uidmap/--gidmap */
	size_t n_uidmap, n_gidmap;
	enum net_mode net;
	const char *bridge;   /* NET_BRIDGE: the host bridge (default shikumi0) */
	struct subnet subnet; /* NET_BRIDGE: its subnet (default 10.89.0.0/24) */
	uint32_t ip;	      /* NET_BRIDGE: a fixed address (host order), 0 for any */
	struct cgroup_limits limits;
	const char *cgroups_path; /* OCI linux.cgroupsPath ("/..." from the cgroup root, else
				     below the runtime's own group); NULL: shikumi's own name */
	uint32_t groups[CONFIG_MAX_GROUPS]; /* supplementary groups (OCI additionalGids) */
	size_t n_groups;		    /* 0: none, as the runtime leaves it */
	int umask;			    /* the command's umask; -1: the caller's */
	struct sysctl_set sysctls[CONFIG_MAX_SYSCTLS]; /* checked to be the container's own */
	size_t n_sysctls;
	struct rlimit_set rlimits[CONFIG_MAX_RLIMITS];
	size_t n_rlimits;
	enum stats_format stats; /* printed on stderr when the container exits */
};

#endif
