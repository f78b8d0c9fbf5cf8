#include "init.h"

#include "../common/parse.h"

#include <errno.h>
#include <sys/wait.h>

void init_forwarded_signals(sigset_t *set)
{
	sigemptyset(set);
	sigaddset(set, SIGINT);
	sigaddset(set, SIGTERM);
	sigaddset(set, SIGHUP);
	sigaddset(set, SIGQUIT);
	sigaddset(set, SIGUSR1);
	sigaddset(set, SIGUSR2);
	sigaddset(set, SIGWINCH);
}

int init_wait(pid_t cmd, const sigset_t *forward)
{
	sigset_t wait_set = *forward;
	sigaddset(&wait_set, SIGCHLD);
	for (;;) {
		int sig = sigwaitinfo(&wait_set, NULL);
		if (sig < 0)
			continue; /* EINTR */
		if (sig != SIGCHLD) {
			kill(cmd, sig);
			continue;
		}
		/* One SIGCHLD may stand for many exits: reap until none is left. */
		int status;
		pid_t p;
		while ((p = waitpid(-1, &status, WNOHANG)) > 0)
			if (p == cmd)
				return exit_code_from_wait_status(status);
		if (p < 0 && errno == ECHILD)
			return 255; /* cannot happen: the command is our child until reaped */
	}
}
