/* The container's side of a start: the ordered setup pipeline (DESIGN.md, "Container start",
 * steps 5 to 7) that the cloned child runs in its new namespaces, from the runtime's
 * go-ahead to the exec of the command, and the init it then becomes as PID 1. */
#ifndef SHIKUMI_CHILD_H
#define SHIKUMI_CHILD_H

#include "container.h"

#include <signal.h>
#include <stdbool.h>

struct child_args {
	const struct container_config *cfg;
	const struct container_host *host;
	int sock;		     /* the child's end of the sync socket (sync.h) */
	int proc_clone;		     /* see mounts_apply; -1 when there is none */
	bool tty;		     /* the command gets a pty */
	const char *hosts;	     /* --net bridge: the lease file, bound as /etc/hosts */
	const char *cgroup_dir;	     /* the container's group on the host; NULL when none */
	const sigset_t *forward;     /* the signals PID 1 passes on to the command */
	const sigset_t *caller_mask; /* the caller's signal mask, for the command */
	int start_fd;	/* `create`: the state's exec.fifo (O_PATH), waited on; -1 for run */
	int trampoline; /* the sealed exec trampoline (trampoline_fd.h) the command goes through */
	/* `create` with OCI createContainer/startContainer hooks: called inside at those points
	 * (with the init's pid on the host), NULL otherwise. A failure fails the step. */
	int (*hooks)(enum child_point point, int host_pid, void *arg);
	void *hooks_arg;
};

/* Runs in the child right after clone; never returns. Any failing step ends it with exit 125
 * and a SYNC_ERROR naming the step, before the command could run. */
void child_main(const struct child_args *a) __attribute__((noreturn));

#endif
