/* Starting a container, from a validated struct container_config to the command's exit
 * status. The sequence is the one in DESIGN.md: validate; clone into new namespaces; the
 * parent readies the outside and releases the child; the child builds its file-system view,
 * pivots into it, and becomes PID 1's init for the command. */
#ifndef SHIKUMI_CONTAINER_H
#define SHIKUMI_CONTAINER_H

#include "config.h"

#include <limits.h>
#include <stdint.h>
#include <sys/stat.h>
#include <sys/types.h>

/* What validation learned about this machine, for the start that follows. */
struct container_host {
	bool cgroup2; /* a cgroup v2 hierarchy is mounted */
	char
	    cg_root[PATH_MAX]; /* its mount point: /sys/fs/cgroup, or .../unified on hybrid hosts */
	char cg_base[PATH_MAX]; /* our own group in it: containers go below, in shikumi/run-PID */
	bool cg_writable;	/* we may create groups below cg_base */
	struct stat root_st;	/* ROOTFS as validation found it: the child checks it is the same */
	struct stat volume_st[CONFIG_MAX_VOLUMES]; /* each volume's source, likewise */
	unsigned char *seccomp_bpf; /* a --seccomp=FILE profile, compiled; NULL otherwise */
	size_t seccomp_len;
	bool userns;	   /* the container gets a user namespace of its own */
	bool rootless;	   /* shikumi runs as a non-root user */
	bool map_helpers;  /* newuidmap/newgidmap write the maps (a range from /etc/subuid) */
	bool idmap_rootfs; /* ROOTFS belongs to the host's root: mount it idmapped */
	struct id_map uidmap[CONFIG_MAX_IDMAPS], gidmap[CONFIG_MAX_IDMAPS];
	size_t n_uidmap, n_gidmap;
	int join_fd[CONFIG_MAX_JOINS]; /* cfg->joins[i], opened and checked: what the child
					  setns()es (closed by the runtime after the clone) */
};

/* Checks everything that can be checked before anything is created: ROOTFS exists and is a
 * directory holding the command; each volume's source exists; the working directory exists;
 * the privileges suffice; the cgroup controllers the limits need exist. On failure returns a
 * negative errno with a message, and *exit_code is what `shikumi run` should exit with (127 command
 * not found, 126 not executable, 125 anything else). */
int container_validate(const struct container_config *cfg, struct container_host *host,
		       int *exit_code);

/* Refuses a directory as standard input, output or error (the host's file tree inside,
 * through /proc/self/fd/N); part of container_validate, and what container_exec checks. */
int container_validate_stdio(void);

/* Runs the container to its end. cfg->tty must be TTY_ON or TTY_OFF by now. On success
 * *exit_code is the command's status as the shell's $? and 0 is returned; when the container
 * could not be started, a negative errno with a message (and *exit_code 125, or the status
 * the command's start failed with). t_start is when shikumi started, for --timing. */
int container_run(const struct container_config *cfg, const struct container_host *host,
		  uint64_t t_start, int *exit_code);

/* Where container_create's hooks is called: after the mounts, before pivot_root (the OCI
 * createContainer hooks: the host's paths are still there), and once `start` has released the
 * init, before the command is forked (startContainer: the container's own paths). */
enum child_point {
	CHILD_CREATED,
	CHILD_STARTED,
};

/* `create`: the same start, stopped before the command: the init waits until something
 * opens the fifo (start_fd, O_PATH) for reading. With cfg->tty TTY_ON the command's pty is
 * made in the container and its master sent to console_socket (runc's --console-socket).
 * The container's group is shikumi/oci-ID (id), which outlives this runtime. Once it is ready,
 * record(pid, cgroup path or
 * "", arg) is called: only when that returns 0 is the init told to wait for `start`; when it
 * fails, or the runtime dies before, the init ends itself, so that no container exists that
 * no state records. Nothing is torn down after that; the caller's `delete` does it. On
 * failure nothing is left, as with container_run. hooks (or NULL) is called inside the
 * container at each enum child_point (child.h), with the same arg: the OCI createContainer
 * and startContainer hooks. */
int container_create(const struct container_config *cfg, const struct container_host *host,
		     const char *id, int start_fd, int console_socket,
		     int (*record)(pid_t pid, const char *cgroup, void *arg),
		     int (*hooks)(enum child_point point, int host_pid, void *arg), void *arg);

/* `exec`: a process in a running container (exec.c). */
struct exec_target {
	pid_t pid;	    /* the container's init, on the host */
	uint64_t pid_start; /* its start time: a process that reused the pid is not it */
	const char *cgroup; /* the container's group on the host, "" when none */
};

struct exec_opts {
	bool detach;	    /* return once the command runs, leaving it to the caller's reaper */
	int console_socket; /* cfg->tty: where the pty's master goes; -1: relay it here */
	int (*record)(pid_t pid, void *arg); /* told the process's pid (a pid file), or NULL */
	void *arg;
};

/* Runs cfg's command (argv, env, cwd, tty) in the namespaces and cgroup of t, confined as
 * the container's command is (cfg's capabilities, no_new_privs, seccomp; host from
 * container_validate's seccomp compilation). Follows it to its end (*exit_code is its $?),
 * or with o->detach returns once it is exec'd. The caller must be running from a sealed copy
 * of its binary (exe_reexec_sealed). */
int container_exec(const struct container_config *cfg, const struct container_host *host,
		   const struct exec_target *t, const struct exec_opts *o, int *exit_code);

#endif
