/* How a container starts, from inside: the child that clone3 made in new namespaces runs the
 * steps below in this order, each one a function that returns 0 or a negative errno with a
 * message. The first that fails ends the start (exit 125, its name in the message) before
 * the command could run: setup fails closed (invariant 3). Read top to bottom, this file is
 * DESIGN.md's "Container start", steps 5 to 7.
 *
 * What the attacker is: root inside the container, running the command once it is exec'd.
 * Every step is there to make sure that, by then, nothing of the host is within reach. */
#include "child.h"

#include "../common/err.h"
#include "../common/fd.h"
#include "../common/timing.h"
#include "caps.h"
#include "cli.h"
#include "confine.h"
#include "fault.h"
#include "init.h"
#include "mounts.h"
#include "net.h"
#include "overlay.h"
#include "rootfs.h"
#include "seccomp_load.h"
#include "sync.h"
#include "trampoline_fd.h"
#include "tty.h"
#include "userns.h"
#include "usernotif.h"

#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/capability.h>
#include <sys/prctl.h>
#include <grp.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

extern char **environ;

struct child {
	const struct child_args *a;
	const struct container_config *cfg;
	struct sync_msg go;	/* the runtime's go-ahead: eth0's address with --net bridge */
	int idmapped;		/* the runtime's idmapped copy of ROOTFS, or -1 */
	int root;		/* the container's root mount, once made */
	int slave;		/* the command's pty, or -1 */
	struct sync_msg timing; /* --timing: when each phase ended */
	bool filtered;		/* the command's seccomp filter is loaded already (create) */
};

/* ---- the steps, in order ---- */

/* Invariant 1: no host file descriptor crosses into the container. The child holds a copy of
 * every fd of the runtime and of whoever started it (an `exec 9</` in the caller's shell is
 * the host's root, the runc CVE-2024-21626 class; the runtime's own cgroup fd is the host's
 * cgroup tree). All go now, before anything else runs here, but stdio, the sync socket and
 * the runtime's copy of /proc (a mount, used and dropped before pivot_root). */
static int close_fds(struct child *c)
{
	int keep[4 + CONFIG_MAX_JOINS] = {c->a->sock, c->a->proc_clone, c->a->start_fd,
					  c->a->trampoline};
	for (size_t i = 0; i < c->cfg->n_joins; i++)
		keep[4 + i] = c->a->host->join_fd[i];
	unsigned from = 3;
	for (;;) {
		/* The lowest kept fd at or above `from`: close everything in between. */
		unsigned next = ~0U;
		for (size_t i = 0; i < 4 + c->cfg->n_joins; i++)
			if (keep[i] >= (int)from && (unsigned)keep[i] < next)
				next = (unsigned)keep[i];
		if (next > from && close_range(from, next - 1, 0) < 0)
			return err_set(errno, "cannot close the inherited file descriptors");
		if (next == ~0U)
			return 0;
		from = next + 1;
	}
}

/* The runtime has, at this point, nothing waiting for the child but the go-ahead: anything
 * else readable on the socket is its end of the connection closing. */
static int runtime_alive(const struct child *c)
{
	struct pollfd p = {.fd = c->a->sock, .events = POLLIN};
	int n = poll(&p, 1, 0);
	return n == 0 ? 0 : err_set(ESRCH, "the runtime is gone");
}

/* If the runtime dies, this init dies too, and with it every process of the pid namespace.
 * A runtime killed before the prctl sends no signal: the check after the go-ahead (below)
 * closes that window. */
static int parent_death(struct child *c)
{
	/* `create`: the runtime exits by design once the container waits for `start`; its
	 * caller (conmon, a shim) is the subreaper that inherits this init, and `delete` ends
	 * what a create killed halfway left. */
	if (c->a->start_fd >= 0)
		return 0;
	return prctl(PR_SET_PDEATHSIG, SIGKILL) < 0 ? err_set(errno, "PR_SET_PDEATHSIG") : 0;
}

/* The runtime writes the id maps and makes the network before it says go. A go-ahead it sent
 * just before it was killed is still queued: so the runtime must still be there now, when
 * the parent-death signal is armed, or this child would run on, orphaned. */
static int wait_go(struct child *c)
{
	int r = sync_recv(c->a->sock, &c->go, &c->idmapped);
	if (r <= 0 || c->go.type != SYNC_GO)
		return err_set(r < 0 ? -r : EPIPE, "no go-ahead from the runtime");
	return runtime_alive(c);
}

static int become_root(struct child *c)
{
	if (!c->a->host->userns)
		return 0;
	/* The maps are written: uid 0 inside now means the host uid they name. */
	int r = userns_become_root();
	if (r < 0)
		return r;
	/* A change of credentials clears the parent-death signal: arm it again, and check once
	 * more that the runtime did not die in between. */
	if ((r = parent_death(c)) < 0)
		return r;
	return runtime_alive(c);
}

/* The namespaces the config joins instead of making (linux.namespaces[].path): the fds that
 * validation opened and checked to be namespaces of the right type, never a path resolved
 * again. Before the hostname, the network and the mounts, which then act on the joined
 * ones (the ipc namespace's mqueue, the network's sysfs). This child is still the host's
 * root here: validation refuses a join with a user namespace of the container's own. */
static int join_namespaces(struct child *c)
{
	for (size_t i = 0; i < c->cfg->n_joins; i++) {
		int fd = c->a->host->join_fd[i];
		int r = setns(fd, (int)c->cfg->joins[i].type);
		int e = errno;
		close(fd);
		if (r < 0)
			return err_set(e, "cannot join the namespace at '%s'",
				       c->cfg->joins[i].path);
	}
	return 0;
}

/* Now that we are in the container's cgroup, a new cgroup namespace makes that group the
 * root of what the container sees. */
static int cgroup_ns(struct child *c)
{
	if ((c->cfg->namespaces & CLONE_NEWCGROUP) && unshare(CLONE_NEWCGROUP) < 0)
		return err_set(errno, "cannot create the cgroup namespace");
	return 0;
}

/* A session of its own: the caller's terminal sends its signals (Ctrl-C) to the runtime
 * only, which passes them on exactly once. */
static int session(struct child *c)
{
	(void)c;
	return setsid() < 0 ? err_set(errno, "setsid failed") : 0;
}

static int hostname(struct child *c)
{
	if ((c->cfg->namespaces & CLONE_NEWUTS) &&
	    sethostname(c->cfg->hostname, strlen(c->cfg->hostname)) < 0)
		return err_set(errno, "cannot set the hostname");
	return 0;
}

static int network(struct child *c)
{
	if (!(c->cfg->namespaces & CLONE_NEWNET))
		return 0;
	int r = net_configure_inside(c->cfg->net == NET_NONE, c->go.net_addr, c->go.net_prefix,
				     c->go.net_gateway);
	c->timing.t[PHASE_NAMESPACES] = timing_now();
	return r;
}

/* Private propagation first: nothing mounted from here on may leak to the host. */
/* The config's sysctls, each one of the container's own namespaces (the reader accepts only
 * those, as runc does): written now, while the host's /proc is still the one mounted, since
 * a sysctl file applies to the namespaces of whoever writes it, and the container's /proc/sys
 * is read-only once mounted. */
static int sysctls(struct child *c)
{
	for (size_t i = 0; i < c->cfg->n_sysctls; i++) {
		const struct sysctl_set *s = &c->cfg->sysctls[i];
		char path[256];
		int n = snprintf(path, sizeof(path), "/proc/sys/%s", s->key);
		if (n < 0 || (size_t)n >= sizeof(path))
			return err_set(ENAMETOOLONG, "sysctl %s", s->key);
		for (char *p = path + 10; *p; p++)
			if (*p == '.')
				*p = '/';
		autoclose int fd = open(path, O_WRONLY | O_CLOEXEC | O_NOFOLLOW);
		size_t len = strlen(s->value);
		if (fd < 0 || write(fd, s->value, len) != (ssize_t)len)
			return err_set(errno, "cannot set sysctl %s to '%s'", s->key, s->value);
	}
	return 0;
}

static int private_mounts(struct child *c)
{
	(void)c;
	if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0)
		return err_set(errno, "cannot make / private in the new mount namespace");
	return 0;
}

/* Invariants 5 and 7: the root is an overlay over ROOTFS (or ROOTFS itself with --persist),
 * resolved once here and checked to be the directory validation saw. */
static int root_layer(struct child *c)
{
	const struct overlay_spec spec = {
	    .rootfs = c->cfg->rootfs,
	    .expect = &c->a->host->root_st,
	    .idmapped = c->idmapped,
	    .persist = c->cfg->persist,
	    .nodev = !c->cfg->privileged,
	};
	c->root = overlay_make_root(&spec);
	if (c->idmapped >= 0)
		close(c->idmapped);
	c->idmapped = -1;
	c->timing.t[PHASE_OVERLAY] = timing_now();
	return c->root < 0 ? c->root : 0;
}

/* Volumes, then proc, a minimal /dev, read-only sysfs and cgroup, then the masks: the table
 * of runtime/mounts.c. */
static int mount_table(struct child *c)
{
	struct mount_entry table[MOUNTS_MAX];
	int n = mounts_build(c->cfg, c->a->tty, c->a->hosts, c->a->cgroup_dir,
			     c->a->host->volume_st, table, MOUNTS_MAX);
	if (n < 0)
		return n;
	int r = mounts_apply(c->root, table, (size_t)n, c->a->proc_clone);
	if (c->a->proc_clone >= 0)
		close(c->a->proc_clone);
	return r;
}

/* The command's pty, made in the container's own devpts instance: its slave goes on
 * /dev/console, its master to the runtime. */
static int console(struct child *c)
{
	if (!c->a->tty)
		return 0;
	autoclose int master = rootfs_open(c->root, "/dev/pts/ptmx", O_RDWR | O_NOCTTY);
	if (master < 0)
		return err_set(-master, "cannot open /dev/pts/ptmx in the container");
	if (unlockpt(master) < 0)
		return err_set(errno, "cannot unlock the pty");
	autoclose int slave = ioctl(master, TIOCGPTPEER, O_RDWR | O_NOCTTY | O_CLOEXEC);
	if (slave < 0)
		return err_set(errno, "cannot open the pty's slave");
	char src[FD_PATH_MAX];
	int r = mounts_bind_into(c->root, fd_path(slave, src), "/dev/console", true);
	if (r < 0)
		return r;
	struct sync_msg m = {.type = SYNC_PTY};
	if ((r = sync_send(c->a->sock, &m, master)) < 0)
		return err_set(-r, "cannot pass the pty to the runtime");
	c->slave = fd_steal(&slave);
	return 0;
}

/* `create`'s OCI createContainer hooks: here, in the container's namespaces, as root, with its
 * root and volumes mounted (at ROOTFS's path: overlay.c) and not yet read-only, the host's
 * paths still reachable (the hook's path is the host's, as the spec asks). */
static int create_container_hooks(struct child *c)
{
	return c->a->hooks ? c->a->hooks(CHILD_CREATED, c->go.pid, c->a->hooks_arg) : 0;
}

/* startContainer: `start` released the init; in the container (its root, its identity and
 * capabilities), before the command is forked. A failure ends the container with 125. */
static int start_container_hooks(struct child *c)
{
	return c->a->hooks ? c->a->hooks(CHILD_STARTED, c->go.pid, c->a->hooks_arg) : 0;
}

/* CAP_MKNOD stays (container engines grant it), and no device cgroup stands in the way on
 * cgroup v2 without a BPF program: so no mount where the container can write honours device
 * nodes. The root and the volumes are nodev already; /dev becomes read-only once populated.
 * A node for the host's disk can still be made, in /tmp say, but not opened. --read-only
 * makes the root read-only now that the volumes' mount points exist in its upper layer. */
static int lock_mounts(struct child *c)
{
	int r;
	if (c->cfg->read_only && (r = mounts_set_attr(c->root, MOUNT_ATTR_RDONLY, false)) < 0)
		return err_set(-r, "cannot make the root file system read-only");
	if (!c->cfg->privileged) {
		autoclose int dev = rootfs_open(c->root, "/dev", O_PATH | O_DIRECTORY);
		if (dev < 0 || (r = mounts_set_attr(dev, MOUNT_ATTR_RDONLY, false)) < 0)
			return err_set(dev < 0 ? -dev : -r, "cannot make /dev read-only");
	}
	c->timing.t[PHASE_MOUNTS] = timing_now();
	return 0;
}

/* pivot_root(".", ".") stacks the old root on top of the new one; unmounting "." then
 * detaches the old root, and with it every host path. */
static int pivot(struct child *c)
{
	if (fchdir(c->root) < 0)
		return err_set(errno, "cannot enter ROOTFS");
	if (syscall(SYS_pivot_root, ".", ".") < 0)
		return err_set(errno, "pivot_root failed");
	if (umount2(".", MNT_DETACH) < 0)
		return err_set(errno, "cannot detach the old root");
	if (chdir("/") < 0)
		return err_set(errno, "cannot enter the new root");
	close(c->root);
	c->root = -1;
	return 0;
}

/* Once the root is the container's, and when the config keeps CAP_SYS_ADMIN (umount, mount and
 * remount need it, and the seccomp filter lets them through only then; exec never gets more
 * capabilities than the container): from here no mount the runtime made can be undone from
 * inside (mounts_seal). Root inside would otherwise unmount the masks and read what they hide
 * (/proc/timer_list), remount /proc/sys read-write, or mount a /proc without the masks; with a
 * user namespace mapping the host's uid 0 (now refused with SYS_ADMIN: validate.c) it wrote
 * kernel.core_pattern. The copy costs about a millisecond, so containers that cannot unmount
 * anyway do without it. Not for --privileged, which promises nothing masked and nothing
 * locked. */
static int seal_mounts(struct child *c)
{
	if (c->cfg->privileged || !(c->cfg->caps & CAP_BIT(CAP_SYS_ADMIN)))
		return 0;
	return mounts_seal();
}

/* After pivot_root, so that the working directory resolves inside the root only. */
static int cwd(struct child *c)
{
	if (chdir(c->cfg->cwd) < 0)
		return err_set(errno, "cannot change to the working directory '%s'", c->cfg->cwd);
	c->timing.t[PHASE_PIVOT_ROOT] = timing_now();
	return 0;
}

/* The OCI process.user's supplementary groups and umask, its resource limits, and the
 * capability drop (confine.c): the same for PID 1, the command and an exec'd process. */
static int identity(struct child *c)
{
	int r = confine_identity(c->cfg);
	if (r < 0 || (c->cfg->uid == 0 && c->cfg->gid == 0))
		return r;
	/* A change of credentials clears the parent-death signal, as in become_root. */
	if ((r = parent_death(c)) < 0)
		return r;
	return runtime_alive(c);
}

static int oom_score(struct child *c)
{
	return confine_oom_score(c->cfg);
}

static int rlimits(struct child *c)
{
	return confine_rlimits(c->cfg);
}

/* From here on this init, and everything it starts, is a reduced root: the same capability
 * sets for PID 1 and the command (invariant 2). */
static int capabilities(struct child *c)
{
	return confine_capabilities(c->cfg);
}

/* Invariant 2: PID 1 gives nothing away. Non-dumpable, /proc/1/mem, /proc/1/exe (the host's
 * shikumi binary), /proc/1/fd and pidfd_getfd on it need CAP_SYS_PTRACE, which the container
 * lacks; set before the fork, so the command never sees a dumpable PID 1. */
static int undumpable(struct child *c)
{
	(void)c;
	return prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) < 0 ? err_set(errno, "PR_SET_DUMPABLE") : 0;
}

/* PID 1 is a fork of the runtime, so /proc/1/cmdline (readable by anyone, no ptrace check)
 * would show the runtime's argv: ROOTFS's and every volume's host path, and whatever else
 * was typed; /proc/1/environ (for a container given CAP_SYS_PTRACE) the caller's whole
 * environment. The kernel shows the memory between arg_start and arg_end, and between
 * env_start and env_end (/proc/self/stat fields 48 to 51): overwrite both, in PID 1 alone
 * (the command's argv and env are there too, and the forked command keeps its own copy of
 * the memory). */
static int hide_argv(void)
{
	char stat[1024];
	autoclose int fd = open("/proc/self/stat", O_RDONLY | O_CLOEXEC);
	ssize_t n = fd < 0 ? -1 : read(fd, stat, sizeof(stat) - 1);
	if (n <= 0)
		return err_set(errno, "cannot read /proc/self/stat");
	stat[n] = '\0';
	char *p = strrchr(stat, ')'); /* the name may hold spaces: fields count from after it */
	unsigned long field_value[52] = {0};
	for (int field = 2; p && field < 51; field++) {
		p = strchr(p + 1, ' ');
		if (p && field >= 47)
			field_value[field + 1] = strtoul(p + 1, NULL, 10);
	}
	unsigned long start = field_value[48], end = field_value[49];
	unsigned long env_start = field_value[50], env_end = field_value[51];
	if (!start || end <= start || !env_start || env_end < env_start)
		return err_set(EINVAL, "cannot find the command line in /proc/self/stat");
	static const char title[] = "shikumi-init";
	size_t len = end - start;
	memset((void *)start, 0, len);
	memcpy((void *)start, title, len < sizeof(title) ? len - 1 : sizeof(title) - 1);
	memset((void *)env_start, 0, env_end - env_start);
	return 0;
}

static int no_new_privs(struct child *c)
{
	return confine_no_new_privs(c->cfg);
}

/* --syscalls=user: a filter of its own, before the allow-list (whose filter then stays the
 * same, and may refuse seccomp(2) itself), that hands uname and open/openat to a listener.
 * The listener goes to the supervisor, over the sync socket, before any of those calls is
 * made here (the command's own open of "/" below is one: the supervisor must be listening
 * by then), and is closed here: the container never holds it, so it cannot answer its own
 * calls, and once the supervisor is gone they fail with ENOSYS instead of waiting. */
static int user_syscalls(struct child *c)
{
	if (!c->cfg->syscalls_user && !c->cfg->trace_summary)
		return 0;
	if (c->filtered) /* `create` loads the allow-list before the fork: too late for ours */
		return err_set(0, "--syscalls=user is not supported for a created container");
	return usernotif_install(c->a->sock, c->cfg->syscalls_user, c->cfg->trace_summary);
}

static int command_seccomp(struct child *c)
{
	int r = c->filtered ? 0 : confine_seccomp(c->cfg, c->a->host);
	c->timing.t[PHASE_SECCOMP] = timing_now();
	return r;
}

/* What PID 1 holds from here on: its stdio points at the container's /dev/null, and nothing
 * else is open (the sync socket and the pty slave were the command's business, the release
 * pipe is closed once written). Its own filter lets through only what waiting, forwarding
 * signals and exiting take. */
static int confine_init(struct child *c)
{
	int r = hide_argv();
	if (r < 0)
		return r;
	autoclose int null = open("/dev/null", O_RDWR | O_CLOEXEC);
	if (null < 0)
		return err_set(errno, "cannot open /dev/null for PID 1");
	for (int fd = 0; fd < 3; fd++)
		if (dup2(null, fd) < 0)
			return err_set(errno, "cannot point PID 1's stdio at /dev/null");
	r = no_new_privs(c);
	if (r == 0 && !c->cfg->privileged && strcmp(c->cfg->seccomp, "off"))
		r = seccomp_load_bpf(seccomp_prebuilt_init.bpf, seccomp_prebuilt_init.len);
	if (r < 0)
		return r;
	close(c->a->sock);
	close(c->a->trampoline);
	if (c->slave >= 0)
		close(c->slave);
	c->slave = -1;
	return 0;
}

/* `create`: the container is whole (mounts, root, capabilities) and waits here, before its
 * command exists, until `start` opens the state's exec.fifo for reading, as runc's does. The
 * fifo is reopened through this process's own /proc (the container's, after pivot_root),
 * from the O_PATH fd the runtime gave; the open blocks until the reader comes. */
static int wait_start(struct child *c)
{
	if (c->a->start_fd < 0)
		return 0;
	/* A created container can be entered (`exec`) while this waits: what comes in must find
	 * the init no less confined than itself (a container given CAP_SYS_PTRACE could drive an
	 * unfiltered init into system calls its own filter refuses). The command's filter now,
	 * which the forked command keeps; PID 1 adds its own, narrower one after the fork. */
	int r = no_new_privs(c);
	if (r == 0 && (r = confine_seccomp(c->cfg, c->a->host)) == 0)
		c->filtered = true;
	if (r < 0)
		return r;
	struct sync_msg ready = {.type = SYNC_READY}, recorded;
	r = sync_send(c->a->sock, &ready, -1);
	if (r < 0)
		return err_set(-r, "cannot tell the runtime the container is ready");
	/* Only a container that the state records may wait: a runtime gone before it says so
	 * reads as end-of-file here, and this init ends (it has no parent-death signal). */
	int none = -1;
	r = sync_recv(c->a->sock, &recorded, &none);
	if (none >= 0)
		close(none);
	if (r <= 0 || recorded.type != SYNC_GO)
		return err_set(r < 0 ? -r : EPIPE, "the runtime did not record the container");
	char path[FD_PATH_MAX];
	int fd = open(fd_path(c->a->start_fd, path), O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return err_set(errno, "cannot open the start fifo");
	bool ok = write(fd, "0", 1) == 1;
	close(fd);
	close(c->a->start_fd);
	return ok ? 0 : err_set(errno, "cannot write the start fifo");
}

/* ---- running the steps ---- */

static void __attribute__((noreturn)) child_fail(struct child *c, int code)
{
	struct sync_msg m = {.type = SYNC_ERROR, .code = code};
	snprintf(m.text, sizeof(m.text), "%s", err_msg());
	/* No runtime to tell once `create` has handed the container over (a startContainer
	 * hook that fails): then the container's own stderr says it. */
	if (sync_send(c->a->sock, &m, -1) < 0)
		fprintf(stderr, "shikumi: %s\n", m.text);
	_exit(code);
}

#define STEP(c, fn)                                                                                \
	do {                                                                                       \
		int step_r_ = fault_point(#fn);                                                    \
		if (step_r_ == 0)                                                                  \
			step_r_ = fn(c);                                                           \
		if (step_r_ < 0) {                                                                 \
			err_wrap(step_r_, "container setup failed at '%s'", #fn);                  \
			child_fail(c, 125);                                                        \
		}                                                                                  \
	} while (0)

/* The forked command: what stays of the init's state is the container's; then exec. */
static void __attribute__((noreturn)) exec_command(struct child *c, int release)
{
	/* A fresh process image inside: every signal at its default action, whatever the
	 * caller or the runtime ignored (a script's background job starts with SIGINT ignored,
	 * the runtime ignores SIGPIPE). */
	for (int sig = 1; sig < NSIG; sig++)
		if (sig != SIGKILL && sig != SIGSTOP)
			signal(sig, SIG_DFL);
	sigprocmask(SIG_SETMASK, c->a->caller_mask, NULL);
	/* Its own session with the pty as controlling terminal: job control and Ctrl-C work
	 * inside as on any terminal. */
	if (c->slave >= 0 && (setsid() < 0 || tty_attach_slave(c->slave) < 0))
		child_fail(c, 125);
	c->timing.t[PHASE_FORKED] = timing_now();
	STEP(c, no_new_privs);
	STEP(c, user_syscalls);
	STEP(c, command_seccomp);
	environ = (char **)c->cfg->env;
	if (c->cfg->timing) {
		c->timing.t[PHASE_EXEC] = timing_now();
		sync_send(c->a->sock, &c->timing, -1);
	}
	/* Only once PID 1 is confined: if that fails, PID 1 exits, the pipe reads end-of-file,
	 * and the command never runs. */
	char ok;
	if (read(release, &ok, 1) != 1)
		_exit(125);
	close(release);
	/* Found as execvp would, then exec'd through the sealed trampoline (trampoline.c says
	 * why): this process's /proc/self/exe is still the host's shikumi binary. */
	char path[PATH_MAX];
	const char *cmd = c->cfg->argv[0];
	int r = 0;
	if (!strchr(cmd, '/')) {
		autoclose int root = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
		r = root < 0 ? err_set(errno, "cannot open the container's root")
			     : rootfs_find_command(root, cmd, cli_env_get(c->cfg, "PATH"), path,
						   sizeof(path));
		cmd = path;
	}
	if (r == 0)
		r = trampoline_exec(c->a->trampoline, cmd, c->cfg->argv,
				    (char *const *)c->cfg->env);
	child_fail(c, r == -ENOENT || r == -ENOTDIR ? 127 : 126);
}

void child_main(const struct child_args *a)
{
	struct child c = {.a = a, .cfg = a->cfg, .idmapped = -1, .root = -1, .slave = -1};
	c.timing.type = SYNC_TIMING;
	c.timing.t[PHASE_CHILD_START] = timing_now();
	STEP(&c, close_fds);
	STEP(&c, parent_death);
	STEP(&c, wait_go);
	STEP(&c, become_root);
	STEP(&c, join_namespaces);
	STEP(&c, cgroup_ns);
	STEP(&c, session);
	STEP(&c, hostname);
	STEP(&c, network);
	STEP(&c, sysctls);
	STEP(&c, private_mounts);
	STEP(&c, root_layer);
	STEP(&c, mount_table);
	STEP(&c, console);
	STEP(&c, create_container_hooks);
	STEP(&c, lock_mounts);
	STEP(&c, pivot);
	STEP(&c, seal_mounts);
	STEP(&c, cwd);
	STEP(&c, oom_score);
	STEP(&c, identity);
	STEP(&c, rlimits);
	STEP(&c, capabilities);
	STEP(&c, undumpable);
	STEP(&c, wait_start);
	STEP(&c, start_container_hooks);
	int release[2];
	if (pipe2(release, O_CLOEXEC) < 0) {
		err_set(errno, "cannot create the command's release pipe");
		child_fail(&c, 125);
	}
	pid_t cmd = fork();
	if (cmd < 0) {
		err_set(errno, "cannot fork the command");
		child_fail(&c, 125);
	}
	if (cmd == 0) {
		close(release[1]);
		exec_command(&c, release[0]);
	}
	close(release[0]);
	/* PID 1 from here. */
	STEP(&c, confine_init);
	if (write(release[1], "", 1) != 1) {
		err_set(errno, "cannot release the command");
		_exit(125);
	}
	close(release[1]);
	_exit(init_wait(cmd, a->forward));
}
