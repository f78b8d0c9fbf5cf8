/* The container's PID 1. In a pid namespace the first process has two duties the kernel
 * gives nobody else: every orphan is re-parented to it, so it must reap them or they stay
 * zombies; and it gets no default signal actions, so a SIGTERM the command should see must
 * be passed on. This init does exactly that and nothing more. */
#ifndef SHIKUMI_INIT_H
#define SHIKUMI_INIT_H

#include <signal.h>
#include <sys/types.h>

/* The signals the runtime and the init pass on to the command. */
void init_forwarded_signals(sigset_t *set);

/* Waits for the command (pid cmd), reaping every other child that exits meanwhile and
 * sending each signal of `forward` that arrives on to the command. The signals must be
 * blocked already. Returns the command's status as the shell's $? (128+N for signal N). */
int init_wait(pid_t cmd, const sigset_t *forward);

#endif
