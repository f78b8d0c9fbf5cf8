/* How a second process enters a running container (`shikumi exec`, what `nsenter` and
 * `runc exec` do): it joins the namespaces of the container's init and its cgroup, and gets
 * the confinement the container's command got (confine.c: the same capabilities,
 * no_new_privs and seccomp filter), so that exec is no way around any of them.
 *
 * What the attacker is: root inside the container, already running, waiting for a process of
 * the host to come in. While the entering process is still shikumi, it must give nothing:
 *  - it is non-dumpable before it joins the pid namespace, so /proc/PID/mem, /proc/PID/exe
 *    and /proc/PID/fd need CAP_SYS_PTRACE, which the container lacks;
 *  - it holds no host fd when it becomes visible: it joins the cgroup by writing its pid to
 *    cgroup.procs (no cgroup fd to inherit) and closes everything but stdio, its pty and its
 *    socket;
 *  - its /proc/self/exe is not the host's shikumi binary but a sealed memfd copy
 *    (exe_reexec_sealed): a command that is a script starting `#!/proc/self/exe` runs that
 *    copy, and a write through /proc/PID/exe fails (runc CVE-2019-5736).
 *  - it is confined before it becomes visible: root inside sees it first as B, already the
 *    container's user with the container's capabilities and filter, in a session of its own.
 * The process forks twice: A, in the host's pid namespace (invisible inside), joins the
 * cgroup and every namespace with one setns on a pidfd, makes the pty, closes the caller's
 * fds, and confines itself; B, A's clone with CLONE_PARENT, is born in the container's pid
 * namespace as a child of `shikumi exec` itself, which follows it (or, with --detach, leaves
 * it to whoever reaps orphans: conmon is a subreaper). */
#include "container.h"

#include "../common/err.h"
#include "../common/fd.h"
#include "../common/proc.h"
#include "confine.h"
#include "supervisor.h"
#include "sync.h"
#include "tty.h"

#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

/* The namespaces the init is in that the caller is not: joining one's own user namespace
 * again is refused by setns, and --net host shares the host's. */
static unsigned namespaces_to_join(pid_t pid)
{
	static const struct {
		const char *name;
		unsigned flag;
	} ns[] = {{"user", CLONE_NEWUSER},    {"mnt", CLONE_NEWNS},  {"pid", CLONE_NEWPID},
		  {"uts", CLONE_NEWUTS},      {"ipc", CLONE_NEWIPC}, {"net", CLONE_NEWNET},
		  {"cgroup", CLONE_NEWCGROUP}};
	unsigned flags = 0;
	for (size_t i = 0; i < sizeof(ns) / sizeof(*ns); i++) {
		char path[64];
		struct stat mine, theirs;
		snprintf(path, sizeof(path), "/proc/%d/ns/%s", (int)pid, ns[i].name);
		if (stat(path, &theirs) < 0)
			continue;
		snprintf(path, sizeof(path), "/proc/self/ns/%s", ns[i].name);
		if (stat(path, &mine) < 0 || mine.st_ino != theirs.st_ino ||
		    mine.st_dev != theirs.st_dev)
			flags |= ns[i].flag;
	}
	return flags;
}

struct entering {
	const struct container_config *cfg;
	const struct container_host *host;
	const struct exec_target *t;
	const struct exec_opts *o;
	int sock; /* to `shikumi exec`: errors, the pty, B's pid */
	const sigset_t *caller_mask;
};

static void __attribute__((noreturn)) enter_fail(const struct entering *e, int code)
{
	struct sync_msg m = {.type = SYNC_ERROR, .code = code};
	snprintf(m.text, sizeof(m.text), "%s", err_msg());
	sync_send(e->sock, &m, -1);
	_exit(code);
}

/* The command's pty, made in the container's devpts (its /dev/ptmx, now that this process
 * is in the container's mount namespace), as the container's own. Its master goes to the
 * console socket, or to `shikumi exec` to relay. Returns the slave. */
static int exec_console(const struct entering *e)
{
	autoclose int master = open("/dev/ptmx", O_RDWR | O_NOCTTY | O_CLOEXEC);
	if (master < 0)
		return err_set(errno, "cannot open /dev/ptmx in the container");
	int slave;
	if (unlockpt(master) < 0 ||
	    (slave = ioctl(master, TIOCGPTPEER, O_RDWR | O_NOCTTY | O_CLOEXEC)) < 0)
		return err_set(errno, "cannot open the pty's slave");
	int r;
	if (e->o->console_socket >= 0) {
		r = tty_send_console(e->o->console_socket, master);
	} else {
		struct sync_msg m = {.type = SYNC_PTY};
		r = sync_send(e->sock, &m, master);
		if (r < 0)
			err_set(-r, "cannot pass the pty to shikumi exec");
	}
	if (r < 0) {
		close(slave);
		return r;
	}
	return slave;
}

/* B: born confined, in the container's pid namespace, only the terminal left to set up. A
 * session of its own always, so that the caller's terminal is never its controlling one:
 * without one, TIOCSTI could push commands into the host's shell and /dev/tty would be the
 * caller's terminal. */
static void __attribute__((noreturn)) enter_exec(const struct entering *e, int slave)
{
	const struct container_config *cfg = e->cfg;
	if (setsid() < 0 || (slave >= 0 && tty_attach_slave(slave) < 0)) {
		err_set(errno, "exec: cannot start a session of its own");
		enter_fail(e, 125);
	}
	environ = (char **)cfg->env;
	execvp(cfg->argv[0], cfg->argv);
	int code = errno == ENOENT || errno == ENOTDIR ? 127 : 126;
	err_set(errno, "cannot execute '%s' in the container", cfg->argv[0]);
	enter_fail(e, code);
}

/* A: joins, is confined, then makes B. Everything that needs privilege or holds something of
 * the host happens here, where root inside cannot see it (A stays in the host's pid
 * namespace): B becomes visible inside only once it is what the container's command is. A
 * container given CAP_SYS_PTRACE (no user namespace) may ptrace any process it sees, even a
 * non-dumpable one; an entering process still root and unfiltered would be a way out. */
static void __attribute__((noreturn)) enter(const struct entering *e, int pidfd)
{
	const struct container_config *cfg = e->cfg;
	if (prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) < 0) {
		err_set(errno, "PR_SET_DUMPABLE");
		enter_fail(e, 125);
	}
	if (e->t->cgroup[0]) {
		char path[PATH_MAX + 16];
		snprintf(path, sizeof(path), "%s/cgroup.procs", e->t->cgroup);
		autoclose int fd = open(path, O_WRONLY | O_CLOEXEC);
		if (fd < 0 || write(fd, "0", 1) != 1) {
			err_set(errno, "cannot join the container's cgroup %s", e->t->cgroup);
			enter_fail(e, 125);
		}
	}
	unsigned flags = namespaces_to_join(e->t->pid);
	if (flags && setns(pidfd, (int)flags) < 0) {
		err_set(errno, "cannot join the container's namespaces");
		enter_fail(e, 125);
	}
	close(pidfd);
	/* The init may have ended while we joined: its namespaces then hold no container. */
	if (kill(e->t->pid, 0) < 0) {
		err_set(ESRCH, "the container ended");
		enter_fail(e, 125);
	}
	for (int sig = 1; sig < NSIG; sig++)
		if (sig != SIGKILL && sig != SIGSTOP)
			signal(sig, SIG_DFL);
	sigprocmask(SIG_SETMASK, e->caller_mask, NULL);
	int slave = -1, r;
	if (cfg->tty == TTY_ON && (r = slave = exec_console(e)) < 0)
		enter_fail(e, 125);
	if (e->o->console_socket >= 0)
		close(e->o->console_socket);
	/* stdio, the pty's slave and the socket to shikumi exec (close-on-exec) are all this
	 * process holds. */
	int keep_lo = slave > e->sock ? e->sock : slave,
	    keep_hi = slave > e->sock ? slave : e->sock;
	if (keep_lo < 0)
		keep_lo = keep_hi;
	if ((keep_lo > 3 && close_range(3, (unsigned)keep_lo - 1, 0) < 0) ||
	    (keep_hi > keep_lo + 1 &&
	     close_range((unsigned)keep_lo + 1, (unsigned)keep_hi - 1, 0) < 0) ||
	    close_range((unsigned)keep_hi + 1, ~0U, 0) < 0) {
		err_set(errno, "exec: cannot close the caller's file descriptors");
		enter_fail(e, 125);
	}
	if (chdir(cfg->cwd) < 0) {
		err_set(errno, "cannot change to the working directory '%s'", cfg->cwd);
		enter_fail(e, 125);
	}
	if ((r = confine_identity(cfg)) < 0 || (r = confine_rlimits(cfg)) < 0 ||
	    (r = confine_capabilities(cfg)) < 0 || (r = confine_no_new_privs(cfg)) < 0 ||
	    (r = confine_seccomp(cfg, e->host)) < 0) {
		err_wrap(r, "exec: cannot confine the process");
		enter_fail(e, 125);
	}
	/* clone, not clone3: the container's seccomp filter answers clone3 with ENOSYS (its
	 * flags are out of a filter's reach). With CLONE_PARENT the exit signal is A's own,
	 * SIGCHLD, sent to `shikumi exec`. */
	long pid = syscall(SYS_clone, CLONE_PARENT, 0, NULL, NULL, 0);
	if (pid < 0) {
		err_set(errno, "cannot start the process in the container");
		enter_fail(e, 125);
	}
	if (pid == 0)
		enter_exec(e, slave);
	struct sync_msg m = {.type = SYNC_READY, .code = (int32_t)pid};
	_exit(sync_send(e->sock, &m, -1) < 0 ? 125 : 0);
}

int container_exec(const struct container_config *cfg, const struct container_host *host,
		   const struct exec_target *t, const struct exec_opts *o, int *exit_code)
{
	*exit_code = 125;
	int r = container_validate_stdio();
	if (r < 0)
		return r;
	int pidfd = (int)syscall(SYS_pidfd_open, t->pid, 0);
	/* Opened, then checked: the pidfd is the recorded init, never a process that reused
	 * its pid. */
	if (pidfd < 0 || !proc_alive(t->pid, t->pid_start)) {
		if (pidfd >= 0)
			close(pidfd);
		return err_set(0, "the container's process %d is gone: the container is stopped",
			       (int)t->pid);
	}
	sigset_t forward, blocked, caller_mask;
	struct sigaction caller_pipe;
	supervisor_take_signals(&forward, &blocked, &caller_mask, &caller_pipe);
	int sv[2], sigfd = signalfd(-1, &blocked, SFD_CLOEXEC);
	if (sigfd < 0 || socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0) {
		r = err_set(errno, "cannot create exec's signal fd and socket");
		goto out;
	}
	const struct entering e = {cfg, host, t, o, sv[1], &caller_mask};
	pid_t a = fork();
	if (a < 0) {
		r = err_set(errno, "cannot fork");
		close(sv[0]);
		close(sv[1]);
		goto out;
	}
	if (a == 0) {
		close(sv[0]);
		enter(&e, pidfd);
	}
	close(sv[1]);
	close(pidfd);
	pidfd = -1;
	/* A says B's pid, or why it failed; B may have failed already too. */
	struct sync_msg m;
	pid_t b = 0;
	int master = -1, fd;
	char error[sizeof(m.text)] = "";
	/* With a pty to relay, its master too (B sends it after A has sent B's pid). */
	bool relay = cfg->tty == TTY_ON && o->console_socket < 0 && !o->detach;
	while ((!b || (relay && master < 0)) && !error[0]) {
		fd = -1;
		int got = sync_recv(sv[0], &m, &fd);
		if (got <= 0)
			break;
		if (m.type == SYNC_READY)
			b = m.code;
		else if (m.type == SYNC_ERROR)
			snprintf(error, sizeof(error), "%s", m.text), *exit_code = m.code;
		else if (m.type == SYNC_PTY && master < 0)
			master = fd_steal(&fd);
		if (fd >= 0)
			close(fd);
	}
	int status;
	waitpid(a, &status, 0);
	if (!b || error[0]) {
		if (b)
			waitpid(b, NULL, 0);
		close(sv[0]);
		if (master >= 0)
			close(master);
		r = err_set(0, "%s", error[0] ? error : "exec: the entering process failed");
		goto out;
	}
	if (o->record && (r = o->record(b, o->arg)) < 0) {
		kill(b, SIGKILL);
		waitpid(b, NULL, 0);
		close(sv[0]);
		if (master >= 0)
			close(master);
		goto out;
	}
	if (o->detach) {
		/* B's own end of the socket closes when it execs: until then, it may still fail. */
		for (;;) {
			fd = -1;
			int got = sync_recv(sv[0], &m, &fd);
			if (fd >= 0 && m.type == SYNC_PTY && master < 0)
				master = fd_steal(&fd);
			if (fd >= 0)
				close(fd);
			if (got <= 0 || m.type == SYNC_ERROR)
				break;
		}
		close(sv[0]);
		if (master >= 0)
			close(master);
		if (m.type == SYNC_ERROR) {
			*exit_code = m.code;
			waitpid(b, NULL, 0);
			r = err_set(0, "%s", m.text);
			goto out;
		}
		*exit_code = 0;
		r = 0;
		goto out;
	}
	*exit_code = supervisor_follow(b, sv[0], master, sigfd, error, sizeof(error));
	r = error[0] ? err_set(0, "%s", error) : 0;
out:
	if (pidfd >= 0)
		close(pidfd);
	if (sigfd >= 0)
		close(sigfd);
	sigaction(SIGPIPE, &caller_pipe, NULL);
	sigprocmask(SIG_SETMASK, &caller_mask, NULL);
	return r;
}
