/* How a container starts, from outside, and how it ends: the runtime creates the cgroup and
 * the network lease, clones the child into new namespaces (child.c takes it from there),
 * writes its id maps and makes its veth, releases it, then supervises it (signals, the pty,
 * --stats) until it exits, and removes everything it made (DESIGN.md, "Container start",
 * steps 2-4 and 8). */
#include "container.h"

#include "../common/err.h"
#include "../common/fd.h"
#include "../common/parse.h"
#include "../common/timing.h"
#include "../cgroup/devices.h"
#include "child.h"
#include "fault.h"
#include "init.h"
#include "net.h"
#include "stats.h"
#include "sync.h"
#include "supervisor.h"
#include "trampoline_fd.h"
#include "tty.h"
#include "userns.h"
#include "usernotif.h"

#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

struct runtime {
	pid_t pid;
	int sock, sigfd, master;
	bool stdin_open, exited;
	bool output_closed; /* stdout's reader went away: the container was ended */
	int eof_resends;    /* end-of-file characters sent again after input ended */
	int eof_ticks;	    /* ... and on a timer (EOF_TICKS at most, EOF_TICK_MS apart) */
	int status;
	struct sync_msg timing;
	bool have_timing;
	char error[sizeof(((struct sync_msg *)0)->text)];
	uint64_t t_exit;
	uint64_t t_net;		 /* the runtime's network work: lease, bridge, veth */
	uint64_t t_leased;	 /* when the lease was taken, just before the clone */
	const struct cgroup *cg; /* NULL when the container has none */
	bool sample;		 /* no memory.peak / pids.peak: keep the maxima ourselves */
	int64_t memory_seen, pids_seen;
	struct usernotif un; /* --syscalls=user: the listener, once the command sends it */
};

struct shikumi_clone_args {
	uint64_t flags, pidfd, child_tid, parent_tid, exit_signal, stack, stack_size, tls, set_tid,
	    set_tid_size, cgroup;
};

#ifndef CLONE_INTO_CGROUP
#define CLONE_INTO_CGROUP 0x200000000ULL
#endif

/* A fork(2) that also makes the new namespaces, born inside the cgroup cgroup_fd (when >= 0)
 * with clone3's CLONE_INTO_CGROUP, so not one instruction runs outside it. Kernels without
 * it (before 5.7) get clone3 or clone without; *into says which, and the caller then moves
 * the child before releasing it. Returns 0 in the child, like fork. */
static pid_t clone_namespaces(unsigned flags, int cgroup_fd, bool *into)
{
	struct shikumi_clone_args args = {.flags = flags, .exit_signal = SIGCHLD};
	long pid = -1;
	*into = false;
	if (cgroup_fd >= 0) {
		args.flags |= CLONE_INTO_CGROUP;
		args.cgroup = (uint64_t)cgroup_fd;
		pid = syscall(SYS_clone3, &args, sizeof(args));
		if (pid >= 0) {
			*into = true;
			return (pid_t)pid;
		}
		if (errno != ENOSYS && errno != EINVAL && errno != E2BIG)
			return -1;
		args.flags = flags;
		args.cgroup = 0;
	}
	pid = syscall(SYS_clone3, &args, sizeof(args));
	if (pid < 0 && errno == ENOSYS)
		pid = syscall(SYS_clone, (unsigned long)flags | SIGCHLD, NULL, NULL, NULL, NULL);
	return (pid_t)pid;
}

/* Returns 0, or a negative errno (-EPIPE: the reader is gone). */
static int write_all(int fd, const char *buf, size_t n)
{
	while (n > 0) {
		ssize_t w = write(fd, buf, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return w < 0 ? -errno : -EIO;
		buf += w;
		n -= (size_t)w;
	}
	return 0;
}

static void handle_sync(struct runtime *rt)
{
	struct sync_msg m;
	int fd;
	int r = sync_recv(rt->sock, &m, &fd);
	if (r <= 0) {
		close(rt->sock);
		rt->sock = -1;
		return;
	}
	switch (m.type) {
	case SYNC_ERROR:
		snprintf(rt->error, sizeof(rt->error), "%s", m.text);
		break;
	case SYNC_PTY:
		if (fd >= 0 && rt->master < 0) {
			rt->master = fd;
			tty_copy_winsize(STDIN_FILENO, rt->master);
			return;
		}
		break;
	case SYNC_TIMING:
		rt->timing = m;
		rt->have_timing = true;
		break;
	case SYNC_NOTIFY:
		/* The fault build's listener_lost plays a supervisor that is gone: the kernel
		 * then fails the intercepted calls with ENOSYS. */
		if (fd >= 0 && rt->un.fd < 0 && fault_point("listener_lost") == 0) {
			if (usernotif_start(&rt->un, fd) < 0)
				fprintf(stderr, "shikumi: warning: %s\n", err_msg());
			return;
		}
		break;
	}
	if (fd >= 0)
		close(fd);
}

static void handle_signal(struct runtime *rt)
{
	struct signalfd_siginfo si;
	if (read(rt->sigfd, &si, sizeof(si)) != sizeof(si))
		return;
	if (si.ssi_signo == SIGCHLD) {
		if (waitpid(rt->pid, &rt->status, WNOHANG) == rt->pid) {
			rt->exited = true;
			rt->t_exit = timing_now();
		}
	} else if (si.ssi_signo == SIGWINCH && rt->master >= 0) {
		tty_copy_winsize(STDIN_FILENO, rt->master); /* the pty signals its own group */
	} else {
		kill(rt->pid, (int)si.ssi_signo);
	}
}

static void relay_stdin(struct runtime *rt)
{
	char buf[4096];
	ssize_t n = read(STDIN_FILENO, buf, sizeof(buf));
	if (n > 0) {
		write_all(rt->master, buf, (size_t)n);
	} else if (n == 0 || errno != EINTR) {
		/* Input ended: the pty's end-of-file character tells the command so. */
		rt->stdin_open = false;
		write_all(rt->master, "\x04", 1);
	}
}

/* Returns false once the pty has nothing more to give (every slave holder is gone). */
static bool relay_output(struct runtime *rt)
{
	char buf[8192];
	ssize_t n = read(rt->master, buf, sizeof(buf));
	if (n > 0) {
		if (write_all(STDOUT_FILENO, buf, (size_t)n) == -EPIPE && !rt->output_closed) {
			/* Nobody reads the output any more (`shikumi run -t ... | head -1`): the
			 * command would have died of SIGPIPE writing to a pipe; end it, and go on
			 * to the teardown (the runtime ignores SIGPIPE, so it gets here). */
			rt->output_closed = true;
			kill(rt->pid, SIGKILL);
		}
		/* Input that ended before the command set up its terminal (a shell switching to
		 * raw mode) can lose the end-of-file: the command spoke, so it is reading
		 * again; say end-of-file again, a few times at most. */
		if (!rt->stdin_open && rt->eof_resends < 8) {
			rt->eof_resends++;
			write_all(rt->master, "\x04", 1);
		}
		return true;
	}
	if (n < 0 && (errno == EINTR || errno == EAGAIN))
		return true;
	close(rt->master);
	rt->master = -1;
	return false;
}

static void sample_cgroup(struct runtime *rt)
{
	int64_t memory = cgroup_read_value(rt->cg, "memory.current");
	int64_t pids = cgroup_read_value(rt->cg, "pids.current");
	if (memory > rt->memory_seen)
		rt->memory_seen = memory;
	if (pids > rt->pids_seen)
		rt->pids_seen = pids;
}

/* After input ended, the end-of-file character again every EOF_TICK_MS, EOF_TICKS times at
 * most: a command that sets up its terminal after the input ended (a shell going to its line
 * editor, which may flush what was typed) and says nothing more would otherwise wait for input
 * that never comes (once seen in a clean-clone run under load: `echo cmd | shikumi run -t`
 * waited 900 s). Bounded, so that a command that never reads cannot fill the pty's buffer. */
#define EOF_TICK_MS 200
#define EOF_TICKS   50

static void runtime_loop(struct runtime *rt)
{
	uint64_t next_tick = 0;
	while (!rt->exited) {
		if (rt->sample)
			sample_cgroup(rt);
		struct pollfd p[5];
		nfds_t np = 0;
		p[np++] = (struct pollfd){.fd = rt->sigfd, .events = POLLIN};
		p[np++] = (struct pollfd){.fd = rt->sock, .events = POLLIN}; /* -1: ignored */
		p[np++] = (struct pollfd){.fd = rt->master, .events = POLLIN};
		p[np++] = (struct pollfd){
		    .fd = rt->master >= 0 && rt->stdin_open ? STDIN_FILENO : -1, .events = POLLIN};
		p[np++] = (struct pollfd){.fd = rt->un.fd, .events = POLLIN};
		bool ticking = rt->master >= 0 && !rt->stdin_open && rt->eof_ticks < EOF_TICKS;
		int timeout = rt->sample ? 20 : ticking ? EOF_TICK_MS : -1;
		if (poll(p, np, timeout) < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		uint64_t now = timing_now() / 1000000;
		if (ticking && now >= next_tick) {
			if (next_tick) { /* the first tick only sets the clock */
				rt->eof_ticks++;
				write_all(rt->master, "\x04", 1);
			}
			next_tick = now + EOF_TICK_MS;
		}
		if (p[0].revents)
			handle_signal(rt);
		if (p[1].revents)
			handle_sync(rt);
		if (p[2].revents && rt->master >= 0)
			relay_output(rt);
		if (p[3].revents & (POLLIN | POLLHUP | POLLERR))
			relay_stdin(rt);
		/* One notification a turn: a container that floods us with calls still leaves
		 * its signals and its terminal their turn. POLLHUP: no process has the filter. */
		if (p[4].revents & POLLIN)
			usernotif_handle(&rt->un);
		else if (p[4].revents)
			usernotif_stop(&rt->un);
	}
	usernotif_stop(&rt->un);
	/* The container is gone; what it said before it went may still be queued. */
	if (rt->sock >= 0) {
		fcntl(rt->sock, F_SETFL, O_NONBLOCK);
		while (rt->sock >= 0)
			handle_sync(rt);
	}
	if (rt->master >= 0) {
		fcntl(rt->master, F_SETFL, O_NONBLOCK);
		while (rt->master >= 0 && relay_output(rt)) {
			struct pollfd p = {.fd = rt->master, .events = POLLIN};
			if (poll(&p, 1, 0) <= 0)
				break;
		}
	}
}

void supervisor_take_signals(sigset_t *forward, sigset_t *blocked, sigset_t *caller_mask,
			     struct sigaction *caller_pipe)
{
	init_forwarded_signals(forward);
	*blocked = *forward;
	sigaddset(blocked, SIGCHLD);
	sigprocmask(SIG_BLOCK, blocked, caller_mask);
	struct sigaction ignore = {.sa_handler = SIG_IGN};
	sigaction(SIGPIPE, &ignore, caller_pipe);
	/* An ignored signal never reaches a signalfd: take back the ones we forward, as runc
	 * and docker do, so `kill -INT` reaches the command even from a script's background
	 * job. Blocked, their default actions never run here. */
	for (int sig = 1; sig < NSIG; sig++)
		if (sigismember(blocked, sig))
			signal(sig, SIG_DFL);
}

int supervisor_follow(pid_t pid, int sock, int master, int sigfd, char *error, size_t n)
{
	struct runtime rt = {.pid = pid,
			     .sock = sock,
			     .sigfd = sigfd,
			     .master = master,
			     .stdin_open = true,
			     .un = {.fd = -1}};
	if (master >= 0 && isatty(STDIN_FILENO)) {
		tty_copy_winsize(STDIN_FILENO, master);
		if (tty_make_raw(STDIN_FILENO) < 0)
			fprintf(stderr, "shikumi: warning: %s\n", err_msg());
	}
	runtime_loop(&rt);
	tty_restore();
	snprintf(error, n, "%s", rt.error);
	return rt.output_closed ? 128 + SIGPIPE : exit_code_from_wait_status(rt.status);
}

static void print_timing(const struct runtime *rt, uint64_t t_start, uint64_t t_validated,
			 uint64_t t_cgroup, uint64_t t_end)
{
	const uint64_t *t = rt->timing.t;
	timing_print(stderr, "validate", t_start, t_validated);
	timing_print(stderr, "cgroup", t_validated, t_cgroup);
	timing_print(stderr, "network", 0, rt->t_net);
	timing_print(stderr, "clone", rt->t_leased, t[PHASE_CHILD_START]);
	timing_print(stderr, "namespaces", t[PHASE_CHILD_START], t[PHASE_NAMESPACES]);
	timing_print(stderr, "overlay", t[PHASE_NAMESPACES], t[PHASE_OVERLAY]);
	timing_print(stderr, "mounts", t[PHASE_OVERLAY], t[PHASE_MOUNTS]);
	timing_print(stderr, "pivot_root", t[PHASE_MOUNTS], t[PHASE_PIVOT_ROOT]);
	timing_print(stderr, "fork", t[PHASE_PIVOT_ROOT], t[PHASE_FORKED]);
	timing_print(stderr, "seccomp", t[PHASE_FORKED], t[PHASE_SECCOMP]);
	timing_print(stderr, "start-total", t_start, t[PHASE_EXEC]);
	timing_print(stderr, "run", t[PHASE_EXEC], rt->t_exit); /* exec to exit */
	timing_print(stderr, "teardown", rt->t_exit, t_end);
	timing_print(stderr, "total", t_start, t_end);
}

/* Writes the child's id maps and, where ROOTFS belongs to the host's root, makes the
 * idmapped mount the child will use as its root (*idmapped, else -1). */
static int prepare_userns(const struct container_config *cfg, const struct container_host *host,
			  pid_t pid, int *idmapped)
{
	int r = userns_write_maps(pid, host->uidmap, host->n_uidmap, host->gidmap, host->n_gidmap,
				  host->map_helpers, host->rootless && !host->map_helpers);
	if (r < 0 || !host->idmap_rootfs)
		return r;
	*idmapped = userns_idmapped_tree(pid, cfg->rootfs);
	return *idmapped < 0 ? *idmapped : 0;
}

/* Every container gets a group of its own (for kill-all, limits and counters) where the host
 * has cgroup v2: shikumi/run-PID-START below our own group, whose name says that it lives
 * as long as this runtime (the next start removes it once we are gone); a container that
 * `create` leaves running outlives its runtime, so its group is shikumi/oci-ID (id), which
 * only `delete` removes; or the config's linux.cgroupsPath, as runc places it (containerd's
 * /NAMESPACE/ID, a Kubernetes pod's group), whose parents are made as needed and outlive it
 * (shared by the containers below them) unless the start fails. */
static int cgroup_setup(const struct container_config *cfg, const struct container_host *host,
			const char *id, struct cgroup *cg)
{
	unsigned controllers = cgroup_limits_controllers(&cfg->limits);
	if (!host->cgroup2 || (host->rootless && !controllers && !host->cg_writable))
		return 0;
	cgroup_remove_stale(host->cg_root, host->cg_base);
	int r;
	char name[300];
	if (cfg->cgroups_path) { /* OCI linux.cgroupsPath: where the caller wants it */
		if ((r = cgroup_create_path(host->cg_root, host->cg_base, cfg->cgroups_path,
					    controllers, cg)) < 0)
			return err_wrap(r, "linux.cgroupsPath");
	} else {
		r = id ? snprintf(name, sizeof(name), "oci-%s", id) >= (int)sizeof(name)
			     ? err_set(ENAMETOOLONG, "container id '%s'", id)
			     : 0
		       : cgroup_run_name(name, sizeof(name));
		if (r == 0)
			r = cgroup_create(host->cg_root, host->cg_base, name, controllers, cg);
	}
	if (r < 0 && !controllers && !id && !cfg->limits.devices_set) {
		/* No limit asked for: the container can run without a group of its own. */
		fprintf(stderr, "shikumi: warning: running without a cgroup: %s\n", err_msg());
		return 0;
	}
	if (r == 0 && (r = cgroup_set_limits(cg, &cfg->limits)) < 0)
		cgroup_destroy(cg);
	/* The device rules, before the container's first instruction (it is cloned into the
	 * group). Rootless, there is no program to load (it needs CAP_SYS_ADMIN on the host), as
	 * with runc and crun: the container reaches only nodes its user could open anyway. */
	if (r == 0 && (cfg->limits.devices_set || (cfg->limits.devices_default && host->cgroup2)) &&
	    !host->rootless && (r = cgroup_devices_attach(cg->fd, &cfg->limits.devices)) < 0) {
		err_wrap(r, "linux.resources.devices");
		cgroup_destroy(cg);
	}
	return r;
}

/* --syscalls=user: what the supervisor needs to answer for the container. uname's nodename
 * is read live from the container's uts namespace, which the supervisor enters (nothing of
 * its own needs the host's hostname); where it may not (rootless), it is the one the
 * container was given. */
static void usernotif_prepare(struct usernotif *u, const struct container_config *cfg,
			      const struct cgroup *cg, pid_t pid)
{
	u->cg = cg;
	u->t_start = timing_now();
	u->answer = cfg->syscalls_user;
	u->trace = cfg->trace_summary;
	snprintf(u->nodename, sizeof(u->nodename), "%s", cfg->hostname ? cfg->hostname : "");
	if (!(cfg->namespaces & CLONE_NEWUTS)) {
		u->uts_live = true;
		return;
	}
	char path[64];
	snprintf(path, sizeof(path), "/proc/%d/ns/uts", (int)pid);
	autoclose int ns = open(path, O_RDONLY | O_CLOEXEC);
	u->uts_live = ns >= 0 && setns(ns, CLONE_NEWUTS) == 0;
}

static void delete_stale_veth(const struct lease *l)
{
	net_delete_link(l->veth);
}

/* --net bridge, before the clone: under the state directory's lock, the bridge (made on
 * first use), stale leases taken back, and an address for this container. */
static int net_lease(const struct container_config *cfg, struct lease *lease)
{
	autoclose int lock = ipam_lock(cfg->bridge);
	if (lock < 0)
		return lock;
	char veth[16];
	snprintf(veth, sizeof(veth), "shk%d", getpid());
	int r = net_ensure_bridge(cfg->bridge, &cfg->subnet);
	if (r == 0)
		r = ipam_reclaim(lock, delete_stale_veth);
	if (r == 0)
		r = ipam_take(lock, &cfg->subnet, cfg->ip, cfg->hostname, getpid(), veth, lease);
	return r;
}

/* The veth's host end (the kernel would remove it with the namespace, but not at once),
 * then the lease. */
static void net_unlease(const struct container_config *cfg, struct lease *lease)
{
	if (!lease->path[0])
		return;
	net_delete_link(lease->veth);
	ipam_release(cfg->bridge, lease);
}

/* Counters for --stats, and the OOM notice: read before the group goes away. */
static void report_cgroup(const struct container_config *cfg, const struct runtime *rt,
			  int exit_code)
{
	if (!rt->cg || (!cfg->stats && exit_code != 137))
		return;
	struct cgroup_stats st;
	cgroup_read_stats(rt->cg, &st);
	if (st.memory_peak < 0 && rt->memory_seen > 0)
		st.memory_peak = rt->memory_seen;
	if (st.pids_peak < 0 && rt->pids_seen > 0)
		st.pids_peak = rt->pids_seen;
	if (exit_code == 137 && st.oom_kill > 0)
		fprintf(stderr,
			"shikumi: the memory limit (memory.max %lld bytes) killed the container's "
			"command: oom_kill %lld\n",
			(long long)cfg->limits.memory_max, (long long)st.oom_kill);
	if (cfg->stats)
		stats_print(stderr, cfg->stats, &st);
}

/* What `create` asks of a start: stop before the command, hand the container over. */
struct detach {
	const char *id;	    /* the container's id: its group is shikumi/oci-ID */
	int start_fd;	    /* the exec.fifo the init waits on */
	int console_socket; /* process.terminal: where the pty's master goes; -1 without */
	int (*record)(pid_t pid, const char *cgroup, void *arg);
	int (*hooks)(enum child_point point, int host_pid, void *arg); /* child_args.hooks */
	void *arg;
};

static int container_start(const struct container_config *cfg, const struct container_host *host,
			   uint64_t t_start, int *exit_code, const struct detach *detach);

int container_run(const struct container_config *cfg, const struct container_host *host,
		  uint64_t t_start, int *exit_code)
{
	return container_start(cfg, host, t_start, exit_code, NULL);
}

int container_create(const struct container_config *cfg, const struct container_host *host,
		     const char *id, int start_fd, int console_socket,
		     int (*record)(pid_t pid, const char *cgroup, void *arg),
		     int (*hooks)(enum child_point point, int host_pid, void *arg), void *arg)
{
	int code;
	const struct detach d = {id, start_fd, console_socket, record, hooks, arg};
	return container_start(cfg, host, timing_now(), &code, &d);
}

/* `create`: the init says it is ready (waiting on the fifo) or why it failed; with a
 * terminal, it has passed the pty's master first (rt->master). */
static int wait_ready(struct runtime *rt)
{
	struct sync_msg m;
	for (;;) {
		int fd = -1, r = sync_recv(rt->sock, &m, &fd);
		if (r > 0 && m.type == SYNC_PTY && fd >= 0 && rt->master < 0)
			rt->master = fd_steal(&fd);
		if (fd >= 0)
			close(fd);
		if (r <= 0)
			return err_set(0, "the container ended during its setup");
		if (m.type == SYNC_READY)
			return 0;
		if (m.type == SYNC_ERROR)
			return err_set(0, "%s", m.text);
	}
}

static int container_start(const struct container_config *cfg, const struct container_host *host,
			   uint64_t t_start, int *exit_code, const struct detach *detach)
{
	*exit_code = 125;
	uint64_t t_validated = timing_now();
	/* Every signal the runtime handles is blocked before it creates anything, so that none
	 * can end it between creating a thing and being ready to remove it (a SIGTERM just
	 * before the clone used to leave the cgroup and the lease). They wait, and reach the
	 * command once it runs. The child starts with them blocked too: PID 1 collects them
	 * with sigwaitinfo, and none can be lost in between. SIGPIPE is ignored: a reader
	 * that goes away is noticed where the runtime writes (relay_output). */
	sigset_t forward, blocked, caller_mask;
	struct sigaction caller_pipe;
	supervisor_take_signals(&forward, &blocked, &caller_mask, &caller_pipe);

	struct cgroup cg = {.fd = -1};
	struct lease lease = {.path = ""};
	struct runtime rt = {
	    .sock = -1, .sigfd = -1, .master = -1, .stdin_open = true, .un = {.fd = -1}};
	int sv[2] = {-1, -1};
	autoclose int idmapped = -1;
	autoclose int proc_clone = -1;
	autoclose int trampoline = -1;
	uint64_t t_cgroup = 0;
	int r;
	if ((r = fault_point("cgroup")) < 0 ||
	    (r = cgroup_setup(cfg, host, detach ? detach->id : NULL, &cg)) < 0)
		goto fail;
	t_cgroup = timing_now();
	if (cfg->net == NET_BRIDGE &&
	    ((r = fault_point("lease")) < 0 || (r = net_lease(cfg, &lease)) < 0))
		goto fail;
	rt.t_leased = timing_now();
	rt.t_net = rt.t_leased - t_cgroup;
	rt.cg = cg.fd >= 0 ? &cg : NULL;
	rt.sigfd = signalfd(-1, &blocked, SFD_CLOEXEC);
	if (rt.sigfd < 0 || socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0) {
		r = err_set(errno, "cannot create the runtime's signal fd and socket");
		goto fail;
	}
	/* A user namespace may mount a new proc only where a proc of its mount namespace is
	 * fully visible; on a host whose /proc has files mounted over, the child needs this
	 * copy of ours without them (see mount_proc in mounts.c). Only root can make it. */
	if (host->userns && !host->rootless)
		proc_clone = open_tree(AT_FDCWD, "/proc", OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC);
	if ((r = trampoline = trampoline_open()) < 0)
		goto fail;
	bool tty = cfg->tty == TTY_ON;
	bool into;
	/* The cgroup namespace is made by the child once it is in its group (see child.c). */
	unsigned flags = (cfg->namespaces & ~CLONE_NEWCGROUP) | (host->userns ? CLONE_NEWUSER : 0);
	rt.pid = clone_namespaces(flags, cg.fd, &into);
	if (rt.pid == 0) {
		const struct child_args args = {
		    .cfg = cfg,
		    .host = host,
		    .sock = sv[1],
		    .proc_clone = proc_clone,
		    .tty = tty,
		    .hosts = lease.path[0] ? lease.path : NULL,
		    .cgroup_dir = cg.fd >= 0 ? cg.path : NULL,
		    .forward = &forward,
		    .caller_mask = &caller_mask,
		    .start_fd = detach ? detach->start_fd : -1,
		    .hooks = detach ? detach->hooks : NULL,
		    .hooks_arg = detach ? detach->arg : NULL,
		    .trampoline = trampoline,
		};
		child_main(&args);
	}
	close(sv[1]);
	rt.sock = sv[0];
	for (size_t i = 0; i < cfg->n_joins; i++)
		close(host->join_fd[i]); /* the child's now */
	if (proc_clone >= 0)
		close(fd_steal(&proc_clone));
	close(fd_steal(&trampoline));
	if (rt.pid < 0) {
		if (errno == EPERM && host->rootless)
			r = err_set(errno,
				    "cannot create a user namespace as uid %u (are "
				    "unprivileged user namespaces disabled? see sysctl "
				    "user.max_user_namespaces)",
				    (unsigned)geteuid());
		else
			r = err_set(errno, errno == EPERM
					       ? "cannot create namespaces (needs root "
						 "or CAP_SYS_ADMIN)"
					       : "cannot create the container's namespaces");
		goto fail;
	}
	if (cfg->syscalls_user || cfg->trace_summary)
		usernotif_prepare(&rt.un, cfg, rt.cg, rt.pid);
	uint64_t t_veth = timing_now();
	if ((!into && cg.fd >= 0 && (r = cgroup_attach(&cg, rt.pid)) < 0) ||
	    (host->userns && ((r = fault_point("userns_maps")) < 0 ||
			      (r = prepare_userns(cfg, host, rt.pid, &idmapped)) < 0)) ||
	    (lease.path[0] && ((r = fault_point("veth")) < 0 ||
			       (r = net_create_veth(cfg->bridge, lease.veth, rt.pid)) < 0))) {
		kill(rt.pid, SIGKILL);
		waitpid(rt.pid, NULL, 0);
		/* A child that failed first (its veth was then refused, say) said why. */
		fcntl(rt.sock, F_SETFL, O_NONBLOCK);
		while (rt.sock >= 0 && !rt.error[0])
			handle_sync(&rt);
		if (rt.error[0])
			r = err_set(0, "%s", rt.error);
		goto fail;
	}
	if (lease.path[0])
		rt.t_net += timing_now() - t_veth;
	/* The outside is ready: release the child, telling it eth0's address. */
	struct sync_msg go = {.type = SYNC_GO, .pid = rt.pid};
	if (lease.path[0]) {
		go.net_addr = lease.addr;
		go.net_prefix = cfg->subnet.prefix;
		go.net_gateway = ipam_gateway(&cfg->subnet);
	}
	sync_send(rt.sock, &go, idmapped);
	if (detach) {
		/* The container is the caller's from here: no teardown; `delete` removes the
		 * group. A failure before it is ready is torn down as any other. */
		if ((r = wait_ready(&rt)) < 0) {
			kill(rt.pid, SIGKILL);
			waitpid(rt.pid, NULL, 0);
			goto fail;
		}
		/* Recorded, then told to wait: a runtime killed before the go leaves an init
		 * that reads end-of-file and ends itself. */
		const struct sync_msg recorded = {.type = SYNC_GO};
		if ((tty && (r = tty_send_console(detach->console_socket, rt.master)) < 0) ||
		    (r = detach->record(rt.pid, cg.fd >= 0 ? cg.path : "", detach->arg)) < 0 ||
		    (r = sync_send(rt.sock, &recorded, -1)) < 0) {
			kill(rt.pid, SIGKILL);
			waitpid(rt.pid, NULL, 0);
			goto fail;
		}
		if (cg.fd >= 0)
			close(cg.fd);
		if (rt.master >= 0)
			close(rt.master);
		close(rt.sock);
		close(rt.sigfd);
		sigaction(SIGPIPE, &caller_pipe, NULL);
		sigprocmask(SIG_SETMASK, &caller_mask, NULL);
		*exit_code = 0;
		return 0;
	}
	rt.sample = cfg->stats && cg.fd >= 0 &&
		    (faccessat(cg.fd, "memory.peak", F_OK, 0) < 0 ||
		     faccessat(cg.fd, "pids.peak", F_OK, 0) < 0);

	if (tty && isatty(STDIN_FILENO) && tty_make_raw(STDIN_FILENO) < 0)
		fprintf(stderr, "shikumi: warning: %s\n", err_msg());
	runtime_loop(&rt);
	tty_restore();
	close(rt.sigfd);

	*exit_code = rt.output_closed ? 128 + SIGPIPE : exit_code_from_wait_status(rt.status);
	report_cgroup(cfg, &rt, *exit_code);
	net_unlease(cfg, &lease);
	if (cg.fd >= 0) {
		if (cgroup_destroy(&cg) < 0)
			fprintf(stderr, "shikumi: warning: %s\n", err_msg());
		/* A runtime killed just before this one started left a group that still held its
		 * dying container then, so cgroup_setup could not remove it; by now it is empty. */
		cgroup_remove_stale(host->cg_root, host->cg_base);
	}
	if (cfg->trace_summary)
		usernotif_summary(&rt.un, stderr);
	if (cfg->timing && rt.have_timing)
		print_timing(&rt, t_start, t_validated, t_cgroup, timing_now());
	sigaction(SIGPIPE, &caller_pipe, NULL);
	sigprocmask(SIG_SETMASK, &caller_mask, NULL);
	if (rt.error[0]) {
		err_set(0, "%s", rt.error);
		return -EINVAL;
	}
	return 0;

fail:
	usernotif_stop(&rt.un);
	if (rt.master >= 0)
		close(rt.master);
	if (rt.sock >= 0)
		close(rt.sock);
	if (rt.sigfd >= 0)
		close(rt.sigfd);
	char msg[512];
	snprintf(msg, sizeof(msg), "%s", err_msg());
	net_unlease(cfg, &lease);
	cgroup_destroy(&cg);
	err_set(0, "%s", msg);
	sigaction(SIGPIPE, &caller_pipe, NULL);
	sigprocmask(SIG_SETMASK, &caller_mask, NULL);
	return r;
}
