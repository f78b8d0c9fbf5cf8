#include "hooks.h"

#include "../common/err.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static uint64_t now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

/* The hook's process: stdin is the state, stdout and stderr the runtime's; no other fd of
 * the runtime (a state directory's lock, a container's fifo) and no blocked or ignored
 * signal of it crosses. */
static void __attribute__((noreturn)) hook_exec(const struct oci_hook *h, int in)
{
	sigset_t none;
	sigemptyset(&none);
	for (int sig = 1; sig < NSIG; sig++)
		if (sig != SIGKILL && sig != SIGSTOP)
			signal(sig, SIG_DFL);
	sigprocmask(SIG_SETMASK, &none, NULL);
	/* A group of its own, so that a timeout kills what it started as well. */
	setpgid(0, 0);
	if (dup2(in, STDIN_FILENO) < 0)
		_exit(127);
	if (close_range(3, ~0U, 0) < 0)
		_exit(127);
	execve(h->path, (char *const *)h->args, (char *const *)h->env);
	_exit(127);
}

/* One hook: 0, or a negative errno with the line naming it. */
static int run_one(const struct oci_hook *h, const char *name, const char *state)
{
	int sv[2];
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) < 0)
		return err_set(errno, "%s (%s): cannot make its stdin", name, h->path);
	pid_t pid = fork();
	if (pid < 0) {
		int e = errno;
		close(sv[0]);
		close(sv[1]);
		return err_set(e, "%s (%s): cannot fork", name, h->path);
	}
	if (pid == 0)
		hook_exec(h, sv[1]);
	setpgid(pid, pid); /* also here: the child may not have run yet at a timeout */
	close(sv[1]);
	/* The state is small (a few KiB): it fits the socket's buffer, so a hook that never
	 * reads cannot hold the runtime here. MSG_NOSIGNAL: a hook gone already is no SIGPIPE. */
	fcntl(sv[0], F_SETFL, O_NONBLOCK);
	(void)!send(sv[0], state, strlen(state), MSG_NOSIGNAL);
	close(sv[0]);
	int pidfd = (int)syscall(SYS_pidfd_open, pid, 0);
	uint64_t deadline = h->timeout ? now_ms() + (uint64_t)h->timeout * 1000 : 0;
	int status = 0;
	for (;;) {
		pid_t w = waitpid(pid, &status, WNOHANG);
		if (w == pid)
			break;
		if (w < 0 && errno != EINTR) {
			int e = errno;
			if (pidfd >= 0)
				close(pidfd);
			return err_set(e, "%s (%s): cannot wait for it", name, h->path);
		}
		uint64_t t = now_ms();
		if (deadline && t >= deadline) {
			kill(-pid, SIGKILL); /* the hook and every process of its group */
			waitpid(pid, NULL, 0);
			if (pidfd >= 0)
				close(pidfd);
			return err_set(0, "%s (%s): timed out after %d s", name, h->path,
				       h->timeout);
		}
		int wait_ms = deadline ? (int)(deadline - t) : -1;
		if (pidfd >= 0) {
			struct pollfd p = {.fd = pidfd, .events = POLLIN};
			poll(&p, 1, wait_ms);
		} else {
			usleep(10000);
		}
	}
	if (pidfd >= 0)
		close(pidfd);
	if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
		return 0;
	if (WIFEXITED(status))
		return err_set(0, "%s (%s): exited with status %d", name, h->path,
			       WEXITSTATUS(status));
	return err_set(0, "%s (%s): killed by signal %d", name, h->path, WTERMSIG(status));
}

int hooks_run(const struct oci_config *oc, enum oci_hook_kind kind, const char *state_json,
	      bool warn_only)
{
	for (size_t i = 0; i < oc->n_hooks[kind]; i++) {
		char name[64];
		snprintf(name, sizeof(name), "hooks.%s[%zu]", oci_hook_names[kind], i);
		int r = run_one(&oc->hooks[kind][i], name, state_json);
		if (r < 0 && !warn_only)
			return r;
		if (r < 0)
			fprintf(stderr, "shikumi: warning: %s\n", err_msg());
	}
	return 0;
}
