/* --syscalls=user: system calls answered in user space, gVisor's idea in small. The command's
 * process gets, before its allow-list, a second seccomp filter that hands uname and the
 * opening of five /proc files to a listener (SECCOMP_RET_USER_NOTIF); the runtime's
 * supervisor holds the listener and answers them, as the kernel it pretends to be: uname with
 * a release of its own, sysinfo and the /proc files from the container's cgroup (procview.c).
 * Everything else goes on to the kernel. */
#ifndef SHIKUMI_USERNOTIF_H
#define SHIKUMI_USERNOTIF_H

#include "procview.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#define USERNOTIF_MAX_NR 512 /* x86-64's system call numbers, for --trace=summary's counts */

/* Whether this kernel can notify a listener (SECCOMP_RET_USER_NOTIF, Linux 5.0). */
bool usernotif_available(void);

/* In the command's process, no_new_privs set: loads the notifying filter (answer: uname,
 * sysinfo, open and openat notify; trace: every call does) and sends its listener to the
 * supervisor over sock. Returns 0, or a negative errno with a message. */
int usernotif_install(int sock, bool answer, bool trace);

struct cgroup;
struct seccomp_notif;
struct seccomp_notif_resp;

enum usernotif_file {
	UN_MEMINFO,
	UN_CPUINFO,
	UN_STAT,
	UN_UPTIME,
	UN_LOADAVG,
	UN_FILES,
};

/* The supervisor's side. */
struct usernotif {
	int fd;			 /* the listener, -1 until the command sends it */
	const struct cgroup *cg; /* the container's group, NULL when it has none */
	uint64_t t_start;	 /* when the container started (timing_now) */
	char nodename[65];	 /* uname's nodename where the supervisor cannot read it live */
	bool uts_live;		 /* the supervisor is in the container's uts namespace */
	bool said[UN_FILES];	 /* "cannot read the cgroup" was said for this file */
	bool said_addfd;
	struct seccomp_notif *req;
	struct seccomp_notif_resp *resp;
	struct procview_load load;
	uint64_t answered, continued;
	bool answer; /* --syscalls=user */
	bool trace;  /* --trace=summary */
	uint64_t count[USERNOTIF_MAX_NR];
};

/* Takes over listener (from the command, over the sync socket). Returns 0 or a negative errno
 * with a message. */
int usernotif_start(struct usernotif *u, int listener);

/* Answers one notification: call when poll says the listener is readable (POLLHUP instead:
 * every process that had the filter is gone, call usernotif_stop). Never blocks on the
 * container: a notification that went away (its caller killed) is skipped. Returns 0. */
int usernotif_handle(struct usernotif *u);

/* --trace=summary: each call the command made and how often, most first, as strace -c. */
void usernotif_summary(const struct usernotif *u, FILE *f);

/* Closes the listener: from then on the container's intercepted calls fail with ENOSYS. */
void usernotif_stop(struct usernotif *u);

#endif
