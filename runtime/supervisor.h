/* The supervisor's loop, for a process it did not start through container_run: `exec`'s. */
#ifndef SHIKUMI_SUPERVISOR_H
#define SHIKUMI_SUPERVISOR_H

#include <signal.h>
#include <stddef.h>
#include <sys/types.h>

/* Blocks every signal the supervisor handles (the forwarded ones, *forward, and SIGCHLD: all
 * of them *blocked, for a signalfd) before anything is created, so that none can end it
 * between creating a thing and being ready to remove it; ignores SIGPIPE (a reader that goes
 * away is noticed where it writes). The caller's mask and SIGPIPE action are kept in
 * *caller_mask and *caller_pipe, to be put back. */
void supervisor_take_signals(sigset_t *forward, sigset_t *blocked, sigset_t *caller_mask,
			     struct sigaction *caller_pipe);

/* Follows pid (a child of the caller) to its end as `shikumi run` follows a container: the
 * signals read from sigfd (a signalfd of the blocked forwarded signals and SIGCHLD) are
 * passed on, a SYNC_ERROR on sock is copied to error, and with a pty master (>= 0) the
 * caller's terminal is relayed in raw mode. sock and master are closed. Returns the exit
 * status as the shell's $? (128+N for signal N). */
int supervisor_follow(pid_t pid, int sock, int master, int sigfd, char *error, size_t n);

#endif
