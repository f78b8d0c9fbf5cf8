#include "container.h"

#include "../common/err.h"
#include "../common/fd.h"
#include "../common/parse.h"
#include "../common/timing.h"
#include "caps.h"
#include "cli.h"
#include "init.h"
#include "seccomp_load.h"
#include "stats.h"
#include "mounts.h"
#include "net.h"
#include "rootfs.h"
#include "sync.h"
#include "tty.h"
#include "userns.h"

#include <fcntl.h>
#include <poll.h>
#include <pwd.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/capability.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

/* ---- validation (parent, nothing created yet) ---- */

static bool under_volume(const struct container_config *cfg, const char *path)
{
	for (size_t i = 0; i < cfg->n_volumes; i++) {
		size_t n = strlen(cfg->volumes[i].target);
		if (!strncmp(path, cfg->volumes[i].target, n) && (path[n] == '/' || !path[n]))
			return true;
	}
	return false;
}

static int check_privileges(void)
{
	cap_t caps = cap_get_proc();
	cap_flag_value_t admin = CAP_CLEAR;
	if (caps) {
		cap_get_flag(caps, CAP_SYS_ADMIN, CAP_EFFECTIVE, &admin);
		cap_free(caps);
	}
	if (admin != CAP_SET)
		return err_set(0, "shikumi run needs root (CAP_SYS_ADMIN) to create namespaces and "
				  "mounts; run it with sudo");
	return 0;
}

/* Whether `name` is an executable in one of the usual directories. */
static bool have_tool(const char *name)
{
	static const char *const dirs[] = {"/usr/bin", "/bin", "/usr/sbin", "/sbin"};
	char path[64];
	for (size_t i = 0; i < sizeof(dirs) / sizeof(*dirs); i++) {
		snprintf(path, sizeof(path), "%s/%s", dirs[i], name);
		if (access(path, X_OK) == 0)
			return true;
	}
	return false;
}

/* The login name of uid from /etc/passwd (getpwuid needs NSS, which a static binary lacks). */
static const char *user_name(uid_t uid, char *buf, size_t n)
{
	FILE *f = fopen("/etc/passwd", "re");
	if (!f)
		return NULL;
	char line[512];
	const char *found = NULL;
	while (!found && fgets(line, sizeof(line), f)) {
		char *name = strtok(line, ":"), *pw = strtok(NULL, ":"), *id = strtok(NULL, ":");
		if (name && pw && id && strtoul(id, NULL, 10) == uid) {
			snprintf(buf, n, "%s", name);
			found = buf;
		}
	}
	fclose(f);
	return found;
}

/* Rootless: the caller's own ids are root inside; the rest of a range /etc/subuid and
 * /etc/subgid grant follows, when newuidmap and newgidmap are there to write it. */
static void rootless_maps(struct container_host *host)
{
	uid_t uid = geteuid();
	gid_t gid = getegid();
	char name[256];
	const char *user = user_name(uid, name, sizeof(name));
	uint32_t us, uc, gs, gc;
	host->uidmap[0] = (struct id_map){0, uid, 1};
	host->gidmap[0] = (struct id_map){0, gid, 1};
	host->n_uidmap = host->n_gidmap = 1;
	if (userns_subid_range("/etc/subuid", user, uid, &us, &uc) == 0 &&
	    userns_subid_range("/etc/subgid", user, uid, &gs, &gc) == 0 && have_tool("newuidmap") &&
	    have_tool("newgidmap")) {
		host->uidmap[host->n_uidmap++] = (struct id_map){1, us, uc < 65535 ? uc : 65535};
		host->gidmap[host->n_gidmap++] = (struct id_map){1, gs, gc < 65535 ? gc : 65535};
		host->map_helpers = true;
	}
}

/* Decides who root inside is, and how ROOTFS comes to look owned by it. */
static int plan_userns(const struct container_config *cfg, struct container_host *host,
		       const struct stat *root)
{
	host->rootless = geteuid() != 0;
	host->userns = host->rootless || cfg->userns == USERNS_PRIVATE;
	if (!host->userns)
		return check_privileges();
	memcpy(host->uidmap, cfg->uidmap, sizeof(host->uidmap));
	memcpy(host->gidmap, cfg->gidmap, sizeof(host->gidmap));
	host->n_uidmap = cfg->n_uidmap;
	host->n_gidmap = cfg->n_gidmap;
	if (!host->rootless) {
		if (!host->n_uidmap)
			host->uidmap[host->n_uidmap++] =
			    (struct id_map){0, USERNS_DEFAULT_BASE, USERNS_DEFAULT_COUNT};
		if (!host->n_gidmap)
			host->gidmap[host->n_gidmap++] = host->uidmap[0];
		uint32_t root_uid = userns_host_id(host->uidmap, host->n_uidmap, 0);
		/* A rootfs already given to the range (shikumi rootfs-chown) is used as it is;
		 * one owned by the host's root is shown through an idmapped mount. */
		host->idmap_rootfs = root->st_uid != root_uid;
		if (host->idmap_rootfs && root->st_uid != 0)
			return err_set(0,
				       "ROOTFS '%s' belongs to uid %u, but the container's root is "
				       "uid %u on the host: shikumi rootfs-chown %s %u",
				       cfg->rootfs, (unsigned)root->st_uid, root_uid, cfg->rootfs,
				       root_uid);
		return check_privileges();
	}
	if (cfg->userns == USERNS_HOST)
		return err_set(0,
			       "--userns=host needs root: as uid %u shikumi runs rootless, in a "
			       "user namespace of its own",
			       (unsigned)geteuid());
	if (host->n_uidmap) {
		/* Ranges chosen by hand: only the setuid helpers may write them, and they
		 * check /etc/subuid and /etc/subgid. */
		if (!have_tool("newuidmap") || !have_tool("newgidmap"))
			return err_set(0, "--uidmap/--gidmap as a non-root user need newuidmap and "
					  "newgidmap (apt-get install uidmap) and a range in "
					  "/etc/subuid and /etc/subgid");
		host->map_helpers = true;
	} else {
		rootless_maps(host);
	}
	uint32_t root_uid = userns_host_id(host->uidmap, host->n_uidmap, 0);
	if (root->st_uid != root_uid)
		return err_set(0,
			       "ROOTFS '%s' belongs to uid %u, not to uid %u, who is root in a "
			       "rootless container: use a rootfs you own (cp -r it as yourself)",
			       cfg->rootfs, (unsigned)root->st_uid, root_uid);
	return 0;
}

static int validate_net(const struct container_config *cfg, const struct container_host *host)
{
	if (cfg->net == NET_HOST && host->userns)
		return err_set(0, "--net host cannot go with a user namespace (it could not mount "
				  "the host network's sysfs): use --net bridge or run as root "
				  "without --userns");
	if (cfg->net != NET_BRIDGE)
		return 0;
	if (host->rootless)
		return err_set(0,
			       "--net bridge needs root: creating a bridge and veth pairs takes "
			       "CAP_NET_ADMIN on the host; rootless, use --net loopback or none");
	return net_check_bridge(cfg->bridge, &cfg->subnet);
}

static int read_text(const char *path, char *buf, size_t n)
{
	autoclose int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return err_set(errno, "cannot read %s", path);
	size_t len = 0;
	ssize_t r;
	while (len < n - 1 && (r = read(fd, buf + len, n - 1 - len)) > 0)
		len += (size_t)r;
	buf[len] = '\0';
	return 0;
}

static int locate_cgroup(struct container_host *host)
{
	static char buf[1 << 18];
	int r = read_text("/proc/self/mountinfo", buf, sizeof(buf));
	if (r < 0)
		return r;
	host->cgroup2 = cgroup_find_mount(buf, host->cg_root, sizeof(host->cg_root)) == 0;
	if (!host->cgroup2)
		return 0;
	if ((r = read_text("/proc/self/cgroup", buf, sizeof(buf))) < 0)
		return r;
	return cgroup_parse_self(buf, host->cg_base, sizeof(host->cg_base));
}

/* Whether we may create groups below our own (root may; a rootless caller only where the
 * group was delegated to it). */
static bool cgroup_writable(const struct container_host *host)
{
	char dir[2 * PATH_MAX + 1];
	snprintf(dir, sizeof(dir), "%s%s", host->cg_root, host->cg_base);
	return access(dir, W_OK) == 0;
}

static int validate_limits(const struct cgroup_limits *l, const struct container_host *host)
{
	unsigned want = cgroup_limits_controllers(l), missing;
	if (!want)
		return 0;
	if (!host->cgroup2)
		return err_set(0, "limits need a cgroup v2 hierarchy, and none is mounted here");
	if (host->rootless && !cgroup_writable(host))
		return err_set(0,
			       "limits need a cgroup you may write to, and %s%s is not yours: "
			       "run as root, or in a group systemd delegates to you "
			       "(systemd-run --user --scope -p Delegate=yes shikumi run ...)",
			       host->cg_root, host->cg_base);
	int r = cgroup_missing_controllers(host->cg_root, host->cg_base, want, &missing);
	if (r < 0)
		return r;
	if (missing)
		return err_set(
		    0,
		    "the %s controller is not available in the cgroup v2 hierarchy at %s "
		    "(this host keeps it in cgroup v1, or it was not delegated here); "
		    "use a pure cgroup v2 host, or run inside tests/testhost/run",
		    cgroup_controller_name(missing & -missing), host->cg_root);
	unsigned major, minor;
	char dev[64];
	struct stat st;
	if (l->io_max[0] && sscanf(l->io_max, "%u:%u", &major, &minor) == 2) {
		snprintf(dev, sizeof(dev), "/sys/dev/block/%u:%u", major, minor);
		if (stat(dev, &st) < 0)
			return err_set(0, "invalid --io-max: there is no block device %u:%u", major,
				       minor);
	}
	if (l->cpuset_cpus[0])
		return cgroup_parse_cpuset(l->cpuset_cpus, (int)sysconf(_SC_NPROCESSORS_CONF));
	return 0;
}

int container_validate(const struct container_config *cfg, struct container_host *host,
		       int *exit_code)
{
	*exit_code = 125;
	struct stat root_st, st;
	if (stat(cfg->rootfs, &root_st) < 0)
		return err_set(errno, "ROOTFS '%s'", cfg->rootfs);
	if (!S_ISDIR(root_st.st_mode))
		return err_set(0, "ROOTFS '%s' is not a directory", cfg->rootfs);
	for (size_t i = 0; i < cfg->n_volumes; i++)
		if (stat(cfg->volumes[i].source, &st) < 0)
			return err_set(errno, "volume source '%s'", cfg->volumes[i].source);
	for (size_t i = 0; i < cfg->n_devices; i++) {
		if (lstat(cfg->devices[i], &st) < 0)
			return err_set(errno, "--device '%s'", cfg->devices[i]);
		if (!S_ISCHR(st.st_mode) && !S_ISBLK(st.st_mode))
			return err_set(0, "--device '%s' is not a device node", cfg->devices[i]);
	}
	autoclose int rootfd = open(cfg->rootfs, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (rootfd < 0)
		return err_set(errno, "cannot open ROOTFS '%s'", cfg->rootfs);
	if (!under_volume(cfg, cfg->cwd)) {
		autoclose int cwd = rootfs_open(rootfd, cfg->cwd, O_PATH | O_DIRECTORY);
		if (cwd < 0)
			return err_set(-cwd, "working directory '%s' in ROOTFS", cfg->cwd);
	}
	/* A command that lives in a volume is only visible once the volume is mounted: then
	 * exec(2) inside has the last word. */
	bool in_volume =
	    strchr(cfg->argv[0], '/') ? under_volume(cfg, cfg->argv[0]) : cfg->n_volumes > 0;
	int r = rootfs_find_command(rootfd, cfg->argv[0], cli_env_get(cfg, "PATH"));
	if (r < 0 && !in_volume) {
		*exit_code = r == -EACCES ? 126 : 127;
		return r;
	}
	if ((r = plan_userns(cfg, host, &root_st)) < 0 || (r = validate_net(cfg, host)) < 0)
		return r;
	if (strcmp(cfg->seccomp, "default") && strcmp(cfg->seccomp, "off") &&
	    (r = seccomp_compile_file(cfg->seccomp, cfg->caps, &host->seccomp_bpf,
				      &host->seccomp_len)) < 0)
		return r;
	if ((r = locate_cgroup(host)) < 0)
		return r;
	return validate_limits(&cfg->limits, host);
}

/* ---- inside: the child, which becomes the container's init ---- */

/* Creates the command's pty in the container's own devpts instance, puts its slave on
 * /dev/console and hands the master to the runtime. Returns the slave fd. */
static int setup_pty(int rootfd, int sock)
{
	autoclose int master = rootfs_open(rootfd, "/dev/pts/ptmx", O_RDWR | O_NOCTTY);
	if (master < 0)
		return err_set(-master, "cannot open /dev/pts/ptmx in the container");
	if (unlockpt(master) < 0)
		return err_set(errno, "cannot unlock the pty");
	autoclose int slave = ioctl(master, TIOCGPTPEER, O_RDWR | O_NOCTTY | O_CLOEXEC);
	if (slave < 0)
		return err_set(errno, "cannot open the pty's slave");
	char src[FD_PATH_MAX];
	int r = mounts_bind_into(rootfd, fd_path(slave, src), "/dev/console", true);
	if (r < 0)
		return r;
	struct sync_msg m = {.type = SYNC_PTY};
	if ((r = sync_send(sock, &m, master)) < 0)
		return err_set(-r, "cannot pass the pty to the runtime");
	return fd_steal(&slave);
}

static int enter_rootfs(int rootfd)
{
	/* pivot_root(".", ".") stacks the old root on top of the new one; unmounting "." then
	 * detaches the old root, and with it every host path. */
	if (fchdir(rootfd) < 0)
		return err_set(errno, "cannot enter ROOTFS");
	if (syscall(SYS_pivot_root, ".", ".") < 0)
		return err_set(errno, "pivot_root failed");
	if (umount2(".", MNT_DETACH) < 0)
		return err_set(errno, "cannot detach the old root");
	if (chdir("/") < 0)
		return err_set(errno, "cannot enter the new root");
	return 0;
}

/* CAP_MKNOD stays (container engines grant it), and no device cgroup stands in the way on
 * cgroup v2 without a BPF program: so no mount where the container can write may honour
 * device nodes. ROOTFS and the volumes are nodev, /dev is read-only once populated; a node
 * for the host's disk can still be made, in /tmp say, but not opened. */
static int lock_devices(const struct container_config *cfg, int rootfd)
{
	int r = mounts_remount(rootfd,
			       (cfg->privileged ? 0 : MS_NODEV) | (cfg->read_only ? MS_RDONLY : 0));
	if (r < 0)
		return err_set(-r, "cannot remount the root file system%s",
			       cfg->read_only ? " read-only" : " nodev");
	if (cfg->privileged)
		return 0;
	autoclose int dev = rootfs_open(rootfd, "/dev", O_PATH | O_DIRECTORY);
	if (dev < 0 || (r = mounts_remount(dev, MS_RDONLY)) < 0)
		return err_set(dev < 0 ? -dev : -r, "cannot make /dev read-only");
	return 0;
}

/* Everything the child does before the command is forked. Returns the pty slave fd (or -1
 * without a terminal), or a negative errno with a message. */
static int child_setup(const struct container_config *cfg, int sock, bool tty,
		       const struct sync_msg *go, int idmapped, const char *hosts,
		       struct sync_msg *timing)
{
	/* A session of its own: the caller's terminal sends its signals (Ctrl-C) to the runtime
	 * only, which passes them on exactly once. */
	if (setsid() < 0)
		return err_set(errno, "setsid failed");
	if ((cfg->namespaces & CLONE_NEWUTS) &&
	    sethostname(cfg->hostname, strlen(cfg->hostname)) < 0)
		return err_set(errno, "cannot set the hostname");
	int r;
	if ((cfg->namespaces & CLONE_NEWNET) &&
	    (r = net_configure_inside(cfg->net == NET_NONE, go->net_addr, go->net_prefix,
				      go->net_gateway)) < 0)
		return r;
	timing->t[PHASE_NAMESPACES] = timing_now();

	/* Private propagation first: nothing mounted from here on may leak to the host. */
	if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0)
		return err_set(errno, "cannot make / private in the new mount namespace");
	/* pivot_root needs the new root to be a mount point: bind ROOTFS on itself, or put
	 * the idmapped copy the runtime made there. */
	if (idmapped >= 0 ? syscall(SYS_move_mount, idmapped, "", AT_FDCWD, cfg->rootfs,
				    MOVE_MOUNT_F_EMPTY_PATH) < 0
			  : mount(cfg->rootfs, cfg->rootfs, NULL, MS_BIND | MS_REC, NULL) < 0)
		return err_set(errno, "cannot bind-mount ROOTFS '%s'", cfg->rootfs);
	autoclose int rootfd = open(cfg->rootfs, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (rootfd < 0)
		return err_set(errno, "cannot open ROOTFS '%s'", cfg->rootfs);
	struct mount_entry table[MOUNTS_MAX];
	int n = mounts_build(cfg, tty, hosts, table, MOUNTS_MAX);
	if (n < 0 || (r = mounts_apply(rootfd, table, (size_t)n)) < 0)
		return n < 0 ? n : r;
	autoclose int slave = -1;
	if (tty && (slave = setup_pty(rootfd, sock)) < 0)
		return slave;
	if ((r = lock_devices(cfg, rootfd)) < 0)
		return r;
	timing->t[PHASE_MOUNTS] = timing_now();

	if ((r = enter_rootfs(rootfd)) < 0)
		return r;
	if (chdir(cfg->cwd) < 0)
		return err_set(errno, "cannot change to the working directory '%s'", cfg->cwd);
	timing->t[PHASE_PIVOT_ROOT] = timing_now();
	/* From here on this init, and everything it starts, is a reduced root. */
	if (!cfg->privileged && (r = caps_apply(cfg->caps)) < 0)
		return r;
	return tty ? fd_steal(&slave) : -1;
}

static void __attribute__((noreturn)) child_fail(int sock, int code)
{
	struct sync_msg m = {.type = SYNC_ERROR, .code = code};
	snprintf(m.text, sizeof(m.text), "%s", err_msg());
	sync_send(sock, &m, -1);
	_exit(code);
}

static void __attribute__((noreturn))
exec_command(const struct container_config *cfg, const struct container_host *host, int slave,
	     int sock, struct sync_msg *timing, const sigset_t *caller_mask)
{
	/* A fresh process image inside: every signal at its default action, whatever the
	 * caller ignored (a script's background job starts with SIGINT ignored). */
	for (int sig = 1; sig < NSIG; sig++)
		if (sig != SIGKILL && sig != SIGSTOP)
			signal(sig, SIG_DFL);
	sigprocmask(SIG_SETMASK, caller_mask, NULL);
	if (slave >= 0) {
		/* Its own session with the pty as controlling terminal: job control and Ctrl-C
		 * work inside as on any terminal. */
		if (setsid() < 0 || tty_attach_slave(slave) < 0)
			child_fail(sock, 125);
	}
	timing->t[PHASE_FORKED] = timing_now();
	/* no_new_privs: no setuid binary or file capability can give back what was dropped
	 * (and seccomp needs it from a process without CAP_SYS_ADMIN). */
	if (!cfg->privileged && prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0) {
		err_set(errno, "cannot set no_new_privs");
		child_fail(sock, 125);
	}
	/* The default filter was compiled at build time, a profile before the clone: here it
	 * is only handed to the kernel. */
	int r = 0;
	if (!strcmp(cfg->seccomp, "default")) {
		const struct seccomp_prebuilt *p =
		    &seccomp_prebuilt[seccomp_variant_for(cfg->caps)];
		r = seccomp_load_bpf(p->bpf, p->len);
	} else if (host->seccomp_bpf) {
		r = seccomp_load_bpf(host->seccomp_bpf, host->seccomp_len);
	}
	if (r < 0)
		child_fail(sock, 125);
	timing->t[PHASE_SECCOMP] = timing_now();
	environ = (char **)cfg->env;
	if (cfg->timing) {
		timing->t[PHASE_EXEC] = timing_now();
		sync_send(sock, timing, -1);
	}
	execvp(cfg->argv[0], cfg->argv);
	int code = errno == ENOENT || errno == ENOTDIR ? 127 : 126;
	err_set(errno, "cannot execute '%s' in the container", cfg->argv[0]);
	child_fail(sock, code);
}

static void __attribute__((noreturn))
child_main(const struct container_config *cfg, const struct container_host *host, int sock,
	   bool tty, const char *hosts, const sigset_t *forward, const sigset_t *caller_mask)
{
	struct sync_msg timing = {.type = SYNC_TIMING};
	timing.t[PHASE_CHILD_START] = timing_now();
	/* If the runtime dies, so does this init, and with it every process of the pid
	 * namespace. Set before waiting for SYNC_GO: a runtime that died earlier shows as
	 * end-of-file there, so no window is left open. */
	if (prctl(PR_SET_PDEATHSIG, SIGKILL) < 0)
		_exit(125);
	struct sync_msg go;
	autoclose int idmapped = -1;
	if (sync_recv(sock, &go, &idmapped) <= 0 || go.type != SYNC_GO)
		_exit(125);
	if (host->userns) {
		/* The maps are written: uid 0 inside now means the host uid they name. */
		if (userns_become_root() < 0)
			child_fail(sock, 125);
		/* A change of credentials clears the parent-death signal: arm it again, and
		 * make sure the runtime did not die in between (its end of the socket). */
		struct pollfd p = {.fd = sock, .events = POLLIN};
		if (prctl(PR_SET_PDEATHSIG, SIGKILL) < 0 || poll(&p, 1, 0) != 0)
			_exit(125);
	}
	/* Now that we are in the container's cgroup, a new cgroup namespace makes that group
	 * the root of what the container sees. */
	if ((cfg->namespaces & CLONE_NEWCGROUP) && unshare(CLONE_NEWCGROUP) < 0) {
		err_set(errno, "cannot create the cgroup namespace");
		child_fail(sock, 125);
	}
	int slave = child_setup(cfg, sock, tty, &go, idmapped, hosts, &timing);
	if (slave < 0 && slave != -1)
		child_fail(sock, 125);
	pid_t cmd = fork();
	if (cmd < 0) {
		err_set(errno, "cannot fork the command");
		child_fail(sock, 125);
	}
	if (cmd == 0)
		exec_command(cfg, host, slave, sock, &timing, caller_mask);
	close(sock);
	if (slave >= 0)
		close(slave);
	_exit(init_wait(cmd, forward));
}

/* ---- outside: the runtime ---- */

struct runtime {
	pid_t pid;
	int sock, sigfd, master;
	bool stdin_open, exited;
	int eof_resends; /* end-of-file characters sent again after input ended */
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

static void write_all(int fd, const char *buf, size_t n)
{
	while (n > 0) {
		ssize_t w = write(fd, buf, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return;
		buf += w;
		n -= (size_t)w;
	}
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
		write_all(STDOUT_FILENO, buf, (size_t)n);
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

static void runtime_loop(struct runtime *rt)
{
	while (!rt->exited) {
		if (rt->sample)
			sample_cgroup(rt);
		struct pollfd p[4];
		nfds_t np = 0;
		p[np++] = (struct pollfd){.fd = rt->sigfd, .events = POLLIN};
		p[np++] = (struct pollfd){.fd = rt->sock, .events = POLLIN}; /* -1: ignored */
		p[np++] = (struct pollfd){.fd = rt->master, .events = POLLIN};
		p[np++] = (struct pollfd){
		    .fd = rt->master >= 0 && rt->stdin_open ? STDIN_FILENO : -1, .events = POLLIN};
		if (poll(p, np, rt->sample ? 20 : -1) < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		if (p[0].revents)
			handle_signal(rt);
		if (p[1].revents)
			handle_sync(rt);
		if (p[2].revents && rt->master >= 0)
			relay_output(rt);
		if (p[3].revents & (POLLIN | POLLHUP | POLLERR))
			relay_stdin(rt);
	}
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

static void print_timing(const struct runtime *rt, uint64_t t_start, uint64_t t_validated,
			 uint64_t t_cgroup, uint64_t t_end)
{
	const uint64_t *t = rt->timing.t;
	timing_print(stderr, "validate", t_start, t_validated);
	timing_print(stderr, "cgroup", t_validated, t_cgroup);
	timing_print(stderr, "network", 0, rt->t_net);
	timing_print(stderr, "clone", rt->t_leased, t[PHASE_CHILD_START]);
	timing_print(stderr, "namespaces", t[PHASE_CHILD_START], t[PHASE_NAMESPACES]);
	timing_print(stderr, "mounts", t[PHASE_NAMESPACES], t[PHASE_MOUNTS]);
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
 * has cgroup v2: shikumi/run-PID below our own group. */
static int cgroup_setup(const struct container_config *cfg, const struct container_host *host,
			struct cgroup *cg)
{
	unsigned controllers = cgroup_limits_controllers(&cfg->limits);
	if (!host->cgroup2 || (host->rootless && !controllers && !cgroup_writable(host)))
		return 0;
	cgroup_remove_stale(host->cg_root, host->cg_base);
	char name[32];
	snprintf(name, sizeof(name), "run-%d", getpid());
	int r = cgroup_create(host->cg_root, host->cg_base, name, controllers, cg);
	if (r < 0 && !controllers) {
		/* No limit asked for: the container can run without a group of its own. */
		fprintf(stderr, "shikumi: warning: running without a cgroup: %s\n", err_msg());
		return 0;
	}
	if (r == 0 && (r = cgroup_set_limits(cg, &cfg->limits)) < 0)
		cgroup_destroy(cg);
	return r;
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

int container_run(const struct container_config *cfg, const struct container_host *host,
		  uint64_t t_start, int *exit_code)
{
	*exit_code = 125;
	uint64_t t_validated = timing_now();
	struct cgroup cg = {.fd = -1};
	int r = cgroup_setup(cfg, host, &cg);
	if (r < 0)
		return r;
	uint64_t t_cgroup = timing_now();
	struct lease lease = {.path = ""};
	if (cfg->net == NET_BRIDGE && (r = net_lease(cfg, &lease)) < 0) {
		cgroup_destroy(&cg);
		return r;
	}
	bool tty = cfg->tty == TTY_ON;
	sigset_t forward, blocked, caller_mask;
	init_forwarded_signals(&forward);
	blocked = forward;
	sigaddset(&blocked, SIGCHLD);
	/* Blocked before the clone, so the child starts with them blocked too: the init
	 * collects them with sigwaitinfo, and none can be lost in between. */
	sigprocmask(SIG_BLOCK, &blocked, &caller_mask);
	/* An ignored signal never reaches a signalfd: take back the ones we forward, as runc
	 * and docker do, so `kill -INT` reaches the command even from a script's background
	 * job. Blocked, their default actions never run here. */
	for (int sig = 1; sig < NSIG; sig++)
		if (sigismember(&blocked, sig))
			signal(sig, SIG_DFL);

	struct runtime rt = {.sock = -1, .sigfd = -1, .master = -1, .stdin_open = true};
	rt.t_leased = timing_now();
	rt.t_net = rt.t_leased - t_cgroup;
	rt.cg = cg.fd >= 0 ? &cg : NULL;
	int sv[2] = {-1, -1};
	autoclose int idmapped = -1;
	rt.sigfd = signalfd(-1, &blocked, SFD_CLOEXEC);
	if (rt.sigfd < 0 || socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0) {
		r = err_set(errno, "cannot create the runtime's signal fd and socket");
		goto fail;
	}
	bool into;
	/* The cgroup namespace is made by the child once it is in its group (see child_main). */
	unsigned flags = (cfg->namespaces & ~CLONE_NEWCGROUP) | (host->userns ? CLONE_NEWUSER : 0);
	rt.pid = clone_namespaces(flags, cg.fd, &into);
	if (rt.pid == 0) {
		close(sv[0]);
		close(rt.sigfd);
		child_main(cfg, host, sv[1], tty, lease.path[0] ? lease.path : NULL, &forward,
			   &caller_mask);
	}
	close(sv[1]);
	rt.sock = sv[0];
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
	uint64_t t_veth = timing_now();
	if ((!into && cg.fd >= 0 && (r = cgroup_attach(&cg, rt.pid)) < 0) ||
	    (host->userns && (r = prepare_userns(cfg, host, rt.pid, &idmapped)) < 0) ||
	    (lease.path[0] && (r = net_create_veth(cfg->bridge, lease.veth, rt.pid)) < 0)) {
		kill(rt.pid, SIGKILL);
		waitpid(rt.pid, NULL, 0);
		goto fail;
	}
	if (lease.path[0])
		rt.t_net += timing_now() - t_veth;
	/* The outside is ready: release the child, telling it eth0's address. */
	struct sync_msg go = {.type = SYNC_GO};
	if (lease.path[0]) {
		go.net_addr = lease.addr;
		go.net_prefix = cfg->subnet.prefix;
		go.net_gateway = ipam_gateway(&cfg->subnet);
	}
	sync_send(rt.sock, &go, idmapped);
	rt.sample = cfg->stats && cg.fd >= 0 &&
		    (faccessat(cg.fd, "memory.peak", F_OK, 0) < 0 ||
		     faccessat(cg.fd, "pids.peak", F_OK, 0) < 0);

	if (tty && isatty(STDIN_FILENO) && tty_make_raw(STDIN_FILENO) < 0)
		fprintf(stderr, "shikumi: warning: %s\n", err_msg());
	runtime_loop(&rt);
	tty_restore();
	close(rt.sigfd);
	sigprocmask(SIG_SETMASK, &caller_mask, NULL);

	*exit_code = exit_code_from_wait_status(rt.status);
	report_cgroup(cfg, &rt, *exit_code);
	net_unlease(cfg, &lease);
	if (cg.fd >= 0) {
		if (cgroup_destroy(&cg) < 0)
			fprintf(stderr, "shikumi: warning: %s\n", err_msg());
		/* A runtime killed just before this one started left a group that still held its
		 * dying container then, so cgroup_setup could not remove it; by now it is empty. */
		cgroup_remove_stale(host->cg_root, host->cg_base);
	}
	if (cfg->timing && rt.have_timing)
		print_timing(&rt, t_start, t_validated, t_cgroup, timing_now());
	if (rt.error[0]) {
		err_set(0, "%s", rt.error);
		return -EINVAL;
	}
	return 0;

fail:
	if (rt.sock >= 0)
		close(rt.sock);
	if (rt.sigfd >= 0)
		close(rt.sigfd);
	sigprocmask(SIG_SETMASK, &caller_mask, NULL);
	char msg[512];
	snprintf(msg, sizeof(msg), "%s", err_msg());
	net_unlease(cfg, &lease);
	cgroup_destroy(&cg);
	err_set(0, "%s", msg);
	return r;
}
