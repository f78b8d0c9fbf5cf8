/* Step 1 of a container's start (DESIGN.md): everything that can be checked is checked here,
 * in the runtime, before anything exists. Nothing in this file creates a cgroup, a mount, a
 * namespace or a file: a wrong flag, path or privilege ends the start with one line. */
#include "container.h"

#include "../common/err.h"
#include "../common/proc.h"
#include "../common/fd.h"
#include "caps.h"
#include "cli.h"
#include "mounts.h"
#include "net.h"
#include "rootfs.h"
#include "fault.h"
#include "seccomp_load.h"
#include "usernotif.h"
#include "userns.h"

#include <fcntl.h>
#include <sys/capability.h>
#include <linux/magic.h>
#include <linux/nsfs.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/capability.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <unistd.h>

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
		/* The host's uid 0 inside, with CAP_SYS_ADMIN: root inside has the host root's file
		 * permissions and may mount, so a fresh cgroup hierarchy (v1 on a hybrid host,
		 * its own v2 group) lets it write host limits and its own (found by review); the
		 * locked mount table (seal_mounts) cannot stop a mount that is new. */
		bool admin = (cfg->caps & CAP_BIT(CAP_SYS_ADMIN)) && !cfg->privileged;
		for (size_t i = 0; admin && i < host->n_uidmap; i++)
			if (host->uidmap[i].outside == 0)
				return err_set(
				    0, "the user namespace maps the host's uid 0 and CAP_SYS_ADMIN "
				       "is kept: root inside would have the host root's file "
				       "permissions and could mount cgroup hierarchies and write "
				       "them; "
				       "map other host ids (--userns=private) or drop SYS_ADMIN");
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

/* Whether we may create groups below our own (root may; a rootless caller only where the
 * group was delegated to it). */
static bool cgroup_writable(const struct container_host *host)
{
	char dir[2 * PATH_MAX + 1];
	snprintf(dir, sizeof(dir), "%s%s", host->cg_root, host->cg_base);
	return access(dir, W_OK) == 0;
}

static int locate_cgroup(struct container_host *host)
{
	static char buf[1 << 18];
	int r = read_text_file("/proc/self/mountinfo", buf, sizeof(buf));
	if (r < 0)
		return r;
	host->cgroup2 = cgroup_find_mount(buf, host->cg_root, sizeof(host->cg_root)) == 0;
	if (!host->cgroup2)
		return 0;
	if ((r = read_text_file("/proc/self/cgroup", buf, sizeof(buf))) < 0 ||
	    (r = cgroup_parse_self(buf, host->cg_base, sizeof(host->cg_base))) < 0)
		return r;
	host->cg_writable = cgroup_writable(host);
	return 0;
}

static int validate_limits(const struct cgroup_limits *l, const struct container_host *host)
{
	unsigned want = cgroup_limits_controllers(l), missing;
	bool devices = l->devices_set && !host->rootless; /* see cgroup_setup */
	if (!want && !devices)
		return 0;
	if (!host->cgroup2)
		return err_set(0, "%s need a cgroup v2 hierarchy, and none is mounted here",
			       want ? "limits" : "device rules (linux.resources.devices)");
	if (host->rootless && !host->cg_writable)
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

/* Volumes never land on the container's kernel file systems: a host directory over /proc
 * would show the host's processes (or hide the masks), one over /sys or /dev the host's
 * devices and kernel switches. runc refuses the same. Targets are absolute and free of "..",
 * so that this textual check is the whole truth; a symlink in ROOTFS that points a target at
 * /proc resolves inside the root, before /proc is mounted over it (see child.c). */
static int validate_volume_target(const char *target)
{
	static const char *const kernel_fs[] = {"/proc", "/sys", "/dev"};
	if (target[0] != '/')
		return err_set(0, "volume target '%s' must be an absolute path", target);
	/* "." and ".." components would let /./proc past the textual check below. */
	for (const char *p = target; *p;) {
		while (*p == '/')
			p++;
		size_t n = strcspn(p, "/");
		if ((n == 1 && p[0] == '.') || (n == 2 && p[0] == '.' && p[1] == '.'))
			return err_set(0, "volume target '%s' must not hold '.' or '..'", target);
		p += n;
	}
	const char *t = target;
	while (t[0] == '/' && t[1] == '/')
		t++;
	for (size_t i = 0; i < sizeof(kernel_fs) / sizeof(*kernel_fs); i++) {
		size_t n = strlen(kernel_fs[i]);
		if (!strncmp(t, kernel_fs[i], n) && (t[n] == '/' || !t[n]))
			return err_set(0,
				       "volume target '%s' is refused: %s belongs to the "
				       "container's own kernel file systems",
				       target, kernel_fs[i]);
	}
	return 0;
}

static const char *ns_name(unsigned type)
{
	switch (type) {
	case CLONE_NEWNET:
		return "network";
	case CLONE_NEWIPC:
		return "ipc";
	case CLONE_NEWUTS:
		return "uts";
	case CLONE_NEWCGROUP:
		return "cgroup";
	case CLONE_NEWNS:
		return "mount";
	case CLONE_NEWPID:
		return "pid";
	case CLONE_NEWUSER:
		return "user";
	}
	return "unknown";
}

/* A namespace to join, opened once here and checked to be a namespace file of the type the
 * config names: the child setns()es this fd, never the path (invariant 7). The path is
 * opened O_PATH first and must lie on nsfs before it is opened for real, so that a config
 * naming a device (/dev/watchdog, a tape) or a fifo cannot make the host's root open it.
 * Only without a user namespace of the container's own: setns needs CAP_SYS_ADMIN over the
 * namespace's owner, which a new user namespace never has over the host's, and the child's
 * sysfs (network) and mqueue (ipc) mounts would be refused for the same reason. Joining the
 * host's own namespaces (/proc/1/ns/net) is what the config asks and is allowed, as runc
 * does: whoever writes config.json is root on the host already. */
static int open_joins(const struct container_config *cfg, struct container_host *host)
{
	for (size_t i = 0; i < cfg->n_joins; i++)
		host->join_fd[i] = -1;
	for (size_t i = 0; i < cfg->n_joins; i++) {
		const struct ns_join *j = &cfg->joins[i];
		const char *what = ns_name(j->type);
		if (host->userns)
			return err_set(0,
				       "%s namespace path '%s': joining a namespace needs the "
				       "host's user namespace (the container's own user namespace "
				       "would hold no privilege over it)",
				       what, j->path);
		autoclose int at = open(j->path, O_PATH | O_CLOEXEC);
		struct statfs fs;
		if (at < 0 || fstatfs(at, &fs) < 0)
			return err_set(errno, "%s namespace path '%s'", what, j->path);
		if (fs.f_type != NSFS_MAGIC)
			return err_set(0, "%s namespace path '%s': not a namespace file", what,
				       j->path);
		char self[FD_PATH_MAX];
		int fd = open(fd_path(at, self), O_RDONLY | O_CLOEXEC);
		if (fd < 0)
			return err_set(errno, "%s namespace path '%s'", what, j->path);
		host->join_fd[i] = fd;
		int type = ioctl(fd, NS_GET_NSTYPE);
		if (type < 0)
			return err_set(errno, "%s namespace path '%s': not a namespace file", what,
				       j->path);
		if ((unsigned)type != j->type)
			return err_set(
			    0, "%s namespace path '%s': a%s %s namespace, not a%s %s one", what,
			    j->path, type == CLONE_NEWIPC ? "n" : "", ns_name((unsigned)type),
			    j->type == CLONE_NEWIPC ? "n" : "", what);
	}
	return 0;
}

/* Stdio is the one thing the child keeps of the caller's (invariant 1): a directory there
 * (`shikumi run ... < /`, `shikumi exec ID ... < /`) would be the host's file tree inside,
 * through /proc/self/fd/0. */
int container_validate_stdio(void)
{
	static const char *const names[] = {"standard input", "standard output", "standard error"};
	for (int fd = 0; fd < 3; fd++) {
		struct stat st;
		if (fstat(fd, &st) == 0 && S_ISDIR(st.st_mode))
			return err_set(0,
				       "%s is a directory: the container would reach the host's "
				       "files through it",
				       names[fd]);
	}
	return 0;
}

int container_validate(const struct container_config *cfg, struct container_host *host,
		       int *exit_code)
{
	*exit_code = 125;
	int r = container_validate_stdio();
	if (r < 0)
		return r;
	struct stat st, host_root;
	/* ROOTFS is resolved here once; the child resolves the same path in its own mount
	 * namespace and refuses to go on unless it finds this very directory (root_st), so a
	 * symlink swapped in between wins nothing. */
	autoclose int rootfd = open(cfg->rootfs, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (rootfd < 0)
		return err_set(errno,
			       errno == ENOTDIR ? "ROOTFS '%s' is not a directory" : "ROOTFS '%s'",
			       cfg->rootfs);
	if (fstat(rootfd, &host->root_st) < 0 || stat("/", &host_root) < 0)
		return err_set(errno, "ROOTFS '%s'", cfg->rootfs);
	if (host->root_st.st_dev == host_root.st_dev && host->root_st.st_ino == host_root.st_ino)
		return err_set(0,
			       "ROOTFS '%s' is the host's own root: a container needs a root file "
			       "system of its own (make rootfs builds one in build/rootfs)",
			       cfg->rootfs);
	for (size_t i = 0; i < cfg->n_volumes; i++) {
		r = validate_volume_target(cfg->volumes[i].target);
		if (r < 0)
			return r;
		if (cfg->volumes[i].tmpfs)
			continue;
		if (stat(cfg->volumes[i].source, &host->volume_st[i]) < 0)
			return err_set(errno, "volume source '%s'", cfg->volumes[i].source);
	}
	/* The front end checked them (with its own names for them); the core does not rely on it.
	 */
	const char *const *lists[] = {cfg->masked_paths, cfg->readonly_paths};
	size_t counts[] = {cfg->n_masked_paths, cfg->n_readonly_paths};
	for (size_t l = 0; l < 2; l++)
		for (size_t i = 0; i < counts[l]; i++) {
			const char *why = mounts_path_problem(lists[l][i]);
			if (why)
				return err_set(0, "%s path '%s' %s", l ? "read-only" : "masked",
					       lists[l][i], why);
		}
	for (size_t i = 0; i < cfg->n_devices; i++) {
		if (lstat(cfg->devices[i], &st) < 0)
			return err_set(errno, "--device '%s'", cfg->devices[i]);
		if (!S_ISCHR(st.st_mode) && !S_ISBLK(st.st_mode))
			return err_set(0, "--device '%s' is not a device node", cfg->devices[i]);
	}
	if (!under_volume(cfg, cfg->cwd)) {
		autoclose int cwd = rootfs_open(rootfd, cfg->cwd, O_PATH | O_DIRECTORY);
		if (cwd < 0)
			return err_set(-cwd, "working directory '%s' in ROOTFS", cfg->cwd);
	}
	/* A command that lives in a volume is only visible once the volume is mounted: then
	 * exec(2) inside has the last word. */
	bool in_volume =
	    strchr(cfg->argv[0], '/') ? under_volume(cfg, cfg->argv[0]) : cfg->n_volumes > 0;
	r = rootfs_find_command(rootfd, cfg->argv[0], cli_env_get(cfg, "PATH"), NULL, 0);
	if (r < 0 && !in_volume) {
		*exit_code = r == -EACCES ? 126 : 127;
		return r;
	}
	if ((r = plan_userns(cfg, host, &host->root_st)) < 0 || (r = open_joins(cfg, host)) < 0 ||
	    (r = validate_net(cfg, host)) < 0)
		return r;
	if (cfg->seccomp_profile)
		r = seccomp_compile_json(cfg->seccomp_profile, cfg->caps, "linux.seccomp",
					 &host->seccomp_bpf, &host->seccomp_len);
	else if (strcmp(cfg->seccomp, "default") && strcmp(cfg->seccomp, "off"))
		r = seccomp_compile_file(cfg->seccomp, cfg->caps, &host->seccomp_bpf,
					 &host->seccomp_len);
	if (r < 0)
		return r;
	/* Linux 5.0's SECCOMP_RET_USER_NOTIF (the fault build can pretend it is missing). */
	if ((cfg->syscalls_user || cfg->trace_summary) &&
	    (fault_point("usernotif_kernel") < 0 || !usernotif_available()))
		return err_set(0,
			       "%s: this kernel cannot hand system calls to "
			       "user space (seccomp user notification needs Linux 5.0)",
			       cfg->syscalls_user ? "--syscalls=user" : "--trace=summary");
	if ((r = locate_cgroup(host)) < 0)
		return r;
	return validate_limits(&cfg->limits, host);
}
