#include "mounts.h"

#include "../common/err.h"
#include "../common/fd.h"
#include "rootfs.h"
#include "std_devices.h"

#include <fcntl.h>
#include <limits.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <unistd.h>

/* Paths that leak the host: kernel memory (kcore), keyrings of every user (keys), the timers
 * and scheduling of every process on the machine (timer_list, sched_debug, latency_stats,
 * timer_stats), hardware and firmware tables (acpi, scsi, asound, /sys/firmware), and the
 * energy counters of /sys/devices/virtual/powercap, a side channel that has leaked secrets
 * of other processes (PLATYPUS). Hidden: runc's and Docker's list. */
const char *const mounts_masked_paths[] = {
    "/proc/acpi",
    "/proc/asound",
    "/proc/kcore",
    "/proc/keys",
    "/proc/latency_stats",
    "/proc/timer_list",
    "/proc/timer_stats",
    "/proc/sched_debug",
    "/proc/scsi",
    "/sys/firmware",
    "/sys/devices/virtual/powercap",
    NULL,
};

/* Paths that configure the whole kernel, not just this container: visible, read-only. */
const char *const mounts_readonly_paths[] = {
    "/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger", NULL,
};

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

static bool in_list(const char *const *list, const char *path)
{
	for (; *list; list++)
		if (!strcmp(*list, path))
			return true;
	return false;
}

const char *mounts_path_problem(const char *path)
{
	if (path[0] != '/')
		return "must be an absolute path";
	if (strlen(path) >= PATH_MAX)
		return "too long";
	if (!path[strspn(path, "/")])
		return "is the container's root itself (root.readonly makes it read-only)";
	for (const char *p = path; *p;) {
		while (*p == '/')
			p++;
		size_t n = strcspn(p, "/");
		if ((n == 1 && p[0] == '.') || (n == 2 && p[0] == '.' && p[1] == '.'))
			return "must not hold '.' or '..'";
		p += n;
	}
	return NULL;
}

int mounts_build(const struct container_config *cfg, bool with_console, const char *hosts,
		 const char *cgroup_dir, const struct stat *volume_st, struct mount_entry *out,
		 size_t max)
{
	size_t n = 0;
#define ADD(...)                                                                                   \
	do {                                                                                       \
		if (n >= max)                                                                      \
			return err_set(ENOSPC, "mount table too small");                           \
		out[n++] = (struct mount_entry){__VA_ARGS__};                                      \
	} while (0)

	const unsigned long nosuid_nodev_noexec = MS_NOSUID | MS_NODEV | MS_NOEXEC;
	/* Host paths first, then the kernel's file systems on top: a volume whose target a
	 * symlink in ROOTFS sent to /proc, /sys or /dev ends up under them, hidden (validation
	 * refuses those targets when they are written out). --net bridge: an /etc/hosts that
	 * names the container (its lease file), read-only so that the container cannot rewrite
	 * the lease; a volume on /etc/hosts comes later and wins. */
	if (hosts)
		ADD(.kind = MK_BIND, .source = hosts, .target = "/etc/hosts", .flags = MS_RDONLY);
	for (size_t i = 0; i < cfg->n_volumes; i++) {
		const struct volume *v = &cfg->volumes[i];
		if (v->tmpfs) {
			/* nosuid and nodev always, as every volume */
			ADD(.kind = MK_TMPFS, .source = "tmpfs", .target = v->target,
			    .fstype = "tmpfs", .data = v->tmpfs,
			    .flags = MS_NOSUID | MS_NODEV | (v->read_only ? MS_RDONLY : 0) |
				     (v->no_exec ? MS_NOEXEC : 0));
			continue;
		}
		ADD(.kind = MK_BIND, .source = v->source, .target = v->target,
		    .flags = (v->read_only ? MS_RDONLY : 0) | (v->no_exec ? MS_NOEXEC : 0) |
			     (v->single ? 0 : MS_REC),
		    .expect = volume_st ? &volume_st[i] : NULL);
	}
	/* /proc of the new pid namespace: only the container's processes appear in it. */
	ADD(.kind = MK_MOUNT, .source = "proc", .target = "/proc", .fstype = "proc",
	    .flags = nosuid_nodev_noexec);
	/* A fresh, small /dev instead of the host's: only the devices listed above. */
	ADD(.kind = MK_MOUNT, .source = "tmpfs", .target = "/dev", .fstype = "tmpfs",
	    .flags = MS_NOSUID | MS_STRICTATIME, .data = "mode=755,size=65536k");
	ADD(.kind = MK_MKDIR, .target = "/dev/pts", .mode = 0755);
	ADD(.kind = MK_MKDIR, .target = "/dev/shm", .mode = 01777);
	ADD(.kind = MK_MKDIR, .target = "/dev/mqueue", .mode = 01777);
	/* Its own devpts instance: the container sees its own ptys, not the host's. */
	ADD(.kind = MK_MOUNT, .source = "devpts", .target = "/dev/pts", .fstype = "devpts",
	    .flags = MS_NOSUID | MS_NOEXEC, .data = "newinstance,ptmxmode=0666,mode=0620");
	ADD(.kind = MK_MOUNT, .source = "shm", .target = "/dev/shm", .fstype = "tmpfs",
	    .flags = nosuid_nodev_noexec, .data = "mode=1777,size=65536k");
	/* POSIX message queues of the new ipc namespace. */
	ADD(.kind = MK_MOUNT, .source = "mqueue", .target = "/dev/mqueue", .fstype = "mqueue",
	    .flags = nosuid_nodev_noexec);
	for (size_t i = 0; i < ARRAY_SIZE(std_devices); i++) {
		static char paths[ARRAY_SIZE(std_devices)][32];
		snprintf(paths[i], sizeof(paths[i]), "/dev/%s", std_devices[i].name);
		ADD(.kind = MK_DEVICE, .source = paths[i], .target = paths[i],
		    .major = std_devices[i].major, .minor = std_devices[i].minor, .mode = 0666);
	}
	/* The config's linux.devices (OCI): each node it lists, and nothing else, beside those
	 * (the reader checked the paths: under /dev, out of pts, shm and mqueue). */
	for (size_t i = 0; i < cfg->n_nodes; i++)
		if (!cfg->nodes[i].standard)
			ADD(.kind = MK_NODE, .target = cfg->nodes[i].path, .node = &cfg->nodes[i]);
	if (with_console)
		ADD(.kind = MK_DEVICE, .target = "/dev/console", .mode = 0600);
	ADD(.kind = MK_SYMLINK, .source = "pts/ptmx", .target = "/dev/ptmx");
	ADD(.kind = MK_SYMLINK, .source = "/proc/self/fd", .target = "/dev/fd");
	ADD(.kind = MK_SYMLINK, .source = "/proc/self/fd/0", .target = "/dev/stdin");
	ADD(.kind = MK_SYMLINK, .source = "/proc/self/fd/1", .target = "/dev/stdout");
	ADD(.kind = MK_SYMLINK, .source = "/proc/self/fd/2", .target = "/dev/stderr");
	/* sysfs of the new net namespace, read-only: the container may look, not configure. */
	ADD(.kind = MK_MOUNT, .source = "sysfs", .target = "/sys", .fstype = "sysfs",
	    .flags = nosuid_nodev_noexec | MS_RDONLY);
	/* The container's own cgroup as the root of the hierarchy (its cgroup namespace):
	 * it can read its limits and counters, not change them. */
	bool cgroup_ns = cfg->namespaces & CLONE_NEWCGROUP;
	for (size_t i = 0; i < cfg->n_joins; i++)
		cgroup_ns |= cfg->joins[i].type == CLONE_NEWCGROUP;
	if (cgroup_ns)
		ADD(.kind = MK_MOUNT, .source = "cgroup2", .target = "/sys/fs/cgroup",
		    .fstype = "cgroup2", .flags = nosuid_nodev_noexec | MS_RDONLY);
	/* Without one (an OCI config may leave it out: ctr's does), a new cgroup2 mount would
	 * show the host's whole hierarchy: the container's own group is bound there instead,
	 * read-only, as runc does, so that what reads its limits there still finds them. */
	else if (cgroup_dir)
		ADD(.kind = MK_BIND, .source = cgroup_dir, .target = "/sys/fs/cgroup",
		    .flags = MS_RDONLY | MS_NOEXEC);
	for (size_t i = 0; i < cfg->n_devices; i++)
		ADD(.kind = MK_DEVICE_BIND, .source = cfg->devices[i], .target = cfg->devices[i]);
	for (size_t i = 0; mounts_masked_paths[i] && !cfg->privileged; i++)
		ADD(.kind = MK_MASK, .target = mounts_masked_paths[i]);
	for (size_t i = 0; mounts_readonly_paths[i] && !cfg->privileged; i++)
		ADD(.kind = MK_READONLY, .target = mounts_readonly_paths[i]);
	/* The config's own lists, after shikumi's (those above hold whatever they say); an entry
	 * that is already one of shikumi's, as podman's are, is not mounted twice. */
	for (size_t i = 0; i < cfg->n_masked_paths; i++)
		if (cfg->privileged || !in_list(mounts_masked_paths, cfg->masked_paths[i]))
			ADD(.kind = MK_MASK, .target = cfg->masked_paths[i]);
	for (size_t i = 0; i < cfg->n_readonly_paths; i++)
		if (cfg->privileged || !in_list(mounts_readonly_paths, cfg->readonly_paths[i]))
			ADD(.kind = MK_READONLY, .target = cfg->readonly_paths[i]);
#undef ADD
	return (int)n;
}

/* mount(2) on an O_PATH fd opened inside the root: the fd pins the real target, so nothing in
 * ROOTFS can redirect the mount between the check and the use. */
static int mount_on_fd(const char *source, int fd, const char *fstype, unsigned long flags,
		       const char *data)
{
	char path[FD_PATH_MAX];
	return mount(source, fd_path(fd, path), fstype, flags, data) < 0 ? -errno : 0;
}

int mounts_set_attr(int fd, uint64_t attrs, bool recursive)
{
	/* mount_setattr only adds: flags the kernel locked (nosuid, nodev in a user namespace)
	 * stay as they are, and with AT_RECURSIVE every mount below gets them too: a :ro volume
	 * of / leaves no writable /proc or /dev underneath, as a bind remount (which changes one
	 * mount only) did. */
	struct mount_attr attr = {.attr_set = attrs};
	return mount_setattr(fd, "", AT_EMPTY_PATH | (recursive ? AT_RECURSIVE : 0), &attr,
			     sizeof(attr)) < 0
		   ? -errno
		   : 0;
}

int mounts_same_file(int fd, const struct stat *want, const char *what, const char *path)
{
	struct stat st;
	if (fstat(fd, &st) < 0)
		return err_set(errno, "%s '%s'", what, path);
	if (st.st_dev != want->st_dev || st.st_ino != want->st_ino) {
		err_set(0,
			"%s '%s' is no longer what was checked before the start (swapped for "
			"another file or a symlink): refusing to go on",
			what, path);
		return -ESTALE; /* the message says it all */
	}
	return 0;
}

/* A device node bound from elsewhere: usable, but its inode unchangeable through the bind. */
#define NODE_BIND_ATTRS (MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID | MOUNT_ATTR_NOEXEC)

/* Adds attrs to the mount now on top of target (the bind just made there). */
static int set_top(int rootfd, const char *target, uint64_t attrs, bool recursive)
{
	autoclose int top = rootfs_open(rootfd, target, O_PATH);
	return top < 0 ? top : mounts_set_attr(top, attrs, recursive);
}

static int bind_readonly(int rootfd, const char *target)
{
	autoclose int fd = rootfs_open(rootfd, target, O_PATH);
	if (fd == -ENOENT)
		return 0;
	if (fd < 0)
		return fd;
	/* Bind the path on itself: the source is the same fd, never a host path. */
	char self[FD_PATH_MAX];
	int r = mount_on_fd(fd_path(fd, self), fd, NULL, MS_BIND | MS_REC, NULL);
	return r < 0 ? r : set_top(rootfd, target, MOUNT_ATTR_RDONLY, true);
}

static int mask(int rootfd, const char *target)
{
	autoclose int fd = rootfs_open(rootfd, target, O_PATH);
	if (fd == -ENOENT)
		return 0;
	if (fd < 0)
		return fd;
	struct stat st;
	if (fstat(fd, &st) < 0)
		return -errno;
	if (S_ISDIR(st.st_mode))
		return mount_on_fd("tmpfs", fd, "tmpfs",
				   MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC, "size=0,mode=555");
	autoclose int null = rootfs_open(rootfd, "/dev/null", O_PATH);
	if (null < 0)
		return null;
	/* Read-only: the bind shares /dev/null's inode, which a chmod through the mask would
	 * change under the read-only /dev (found by review). */
	char src[FD_PATH_MAX];
	int r = mount_on_fd(fd_path(null, src), fd, NULL, MS_BIND, NULL);
	return r < 0 ? r : set_top(rootfd, target, NODE_BIND_ATTRS, false);
}

int mounts_bind_into(int rootfd, const char *source, const char *target, bool as_file)
{
	autoclose int fd = rootfs_make_mountpoint(rootfd, target, as_file);
	if (fd < 0)
		return fd;
	int r = mount_on_fd(source, fd, NULL, MS_BIND | MS_REC, NULL);
	return r < 0 ? err_set(-r, "cannot bind %s on %s", source, target) : 0;
}

/* A host device node at target: a read-only bind (nosuid, noexec too), so that root inside may
 * open the device, as the device rules allow, but not chmod, chown or touch the host's node
 * itself: a bind shares the host's inode (found by review: a read-write bind let a container
 * make the host's /dev/loop7 0666 for every host user). */
static int bind_host_node(int rootfd, const char *source, const char *target)
{
	int r = mounts_bind_into(rootfd, source, target, true);
	if (r < 0)
		return r;
	r = set_top(rootfd, target, NODE_BIND_ATTRS, false);
	return r < 0 ? err_set(-r, "cannot make the bind of %s read-only", target) : 0;
}

/* A host path at target: resolved once (a detached copy of its whole mount tree, made in
 * the container's mount namespace), checked to be what validation saw, made nodev and
 * nosuid, read-only with MS_RDONLY, all recursively, and only then attached: there is no
 * moment at which the container could see it writable. */
static int bind_volume(int rootfd, const struct mount_entry *e)
{
	autoclose int tree =
	    open_tree(AT_FDCWD, e->source,
		      OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | (e->flags & MS_REC ? AT_RECURSIVE : 0));
	if (tree < 0)
		return -errno;
	int r;
	if (e->expect && (r = mounts_same_file(tree, e->expect, "volume source", e->source)) < 0)
		return r;
	struct stat st;
	if (fstat(tree, &st) < 0)
		return -errno;
	uint64_t attrs = MOUNT_ATTR_NODEV | MOUNT_ATTR_NOSUID |
			 (e->flags & MS_RDONLY ? MOUNT_ATTR_RDONLY : 0) |
			 (e->flags & MS_NOEXEC ? MOUNT_ATTR_NOEXEC : 0);
	if ((r = mounts_set_attr(tree, attrs, true)) < 0)
		return r;
	autoclose int at = rootfs_make_mountpoint(rootfd, e->target, !S_ISDIR(st.st_mode));
	if (at < 0)
		return at;
	if (move_mount(tree, "", at, "", MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH) < 0)
		return -errno;
	return 0;
}

/* The directory that holds target, opened inside the root (an image's /dev may be a symlink:
 * it resolves inside, never from the host's /, where this runs as the host's root), and
 * target's last component in name. */
static int parent_in_root(int rootfd, const char *target, char *name, size_t n)
{
	char dir[64];
	snprintf(dir, sizeof(dir), "%s", target);
	char *last = strrchr(dir, '/');
	snprintf(name, n, "%s", last + 1);
	*last = '\0';
	return rootfs_open(rootfd, dir, O_PATH | O_DIRECTORY);
}

/* A directory in a file system just mounted (/dev/pts in the new /dev), its mode set past
 * the umask through an fd of it: never through a path that a symlink could redirect. */
static int make_dir(int rootfd, const struct mount_entry *e)
{
	char name[64];
	autoclose int dir = parent_in_root(rootfd, e->target, name, sizeof(name));
	if (dir < 0)
		return dir;
	if (mkdirat(dir, name, e->mode) < 0 && errno != EEXIST)
		return -errno;
	autoclose int fd = openat(dir, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	return fchmod(fd, e->mode) < 0 ? -errno : 0;
}

static int device(int rootfd, const struct mount_entry *e)
{
	char name[64];
	autoclose int dirfd = parent_in_root(rootfd, e->target, name, sizeof(name));
	if (dirfd < 0)
		return dirfd;
	if (!e->source) /* a mount point to be filled later (the console) */
		return mknodat(dirfd, name, S_IFREG | e->mode, 0) < 0 ? -errno : 0;
	if (mknodat(dirfd, name, S_IFCHR | e->mode, makedev(e->major, e->minor)) == 0)
		return fchmodat(dirfd, name, e->mode, 0) < 0 ? -errno : 0; /* past the umask */
	if (errno != EPERM)
		return -errno;
	/* In a user namespace mknod is refused: bind the host's node instead. */
	return bind_host_node(rootfd, e->source, e->target);
}

/* A linux.devices node: made in the container's /dev (its folder too, /dev/net for tun), with
 * the config's mode and owner. In a user namespace mknod is refused: the host's node at the
 * same path is bound instead, if it is that very device. */
static int make_node(int rootfd, const struct device_node *d)
{
	char name[64];
	const char *slash = strchr(d->path + 5, '/');
	if (slash) { /* /dev/DIR/NAME */
		char dir[64];
		snprintf(dir, sizeof(dir), "%.*s", (int)(slash - d->path), d->path);
		char leaf[64];
		autoclose int devfd = parent_in_root(rootfd, dir, leaf, sizeof(leaf));
		if (devfd < 0)
			return devfd;
		if (mkdirat(devfd, leaf, 0755) < 0 && errno != EEXIST)
			return -errno;
	}
	autoclose int dirfd = parent_in_root(rootfd, d->path, name, sizeof(name));
	if (dirfd < 0)
		return dirfd;
	mode_t type = d->type == 'b' ? S_IFBLK : d->type == 'p' ? S_IFIFO : S_IFCHR;
	dev_t dev = d->type == 'p' ? 0 : makedev(d->major, d->minor);
	if (mknodat(dirfd, name, type | (d->mode & 07777), dev) < 0) {
		if (errno != EPERM)
			return -errno;
		struct stat st;
		if (stat(d->path, &st) < 0 || (st.st_mode & S_IFMT) != type || st.st_rdev != dev)
			return err_set(EPERM,
				       "cannot create device node %s in a user namespace, and the "
				       "host has no such node there to bind",
				       d->path);
		return bind_host_node(rootfd, d->path, d->path);
	}
	if (fchownat(dirfd, name, d->uid, d->gid, AT_SYMLINK_NOFOLLOW) < 0 ||
	    fchmodat(dirfd, name, d->mode & 07777, 0) < 0) /* past the umask */
		return -errno;
	return 0;
}

/* A new proc for the container's pid namespace. In a user namespace the kernel allows it
 * only where some proc mount of the mount namespace is already fully visible: a host whose
 * /proc has files mounted over (a Docker or Kubernetes pod masks /proc/timer_list and
 * friends) has none, and the mount fails with EPERM. proc_clone is then the runtime's copy
 * of its own /proc without those over-mounts (see supervisor.c): attached on the old root's
 * /proc for this one check, it lets the new proc through, and it goes with the old root at
 * pivot_root. The container's proc is masked by the table as any other. */
static int mount_proc(int fd, const struct mount_entry *e, int proc_clone)
{
	int r = mount_on_fd(e->source, fd, e->fstype, e->flags, e->data);
	if (r != -EPERM || proc_clone < 0)
		return r;
	if (move_mount(proc_clone, "", AT_FDCWD, "/proc", MOVE_MOUNT_F_EMPTY_PATH) < 0)
		return -errno;
	return mount_on_fd(e->source, fd, e->fstype, e->flags, e->data);
}

static int apply_one(int rootfd, const struct mount_entry *e, int proc_clone)
{
	autoclose int fd = -1;
	switch (e->kind) {
	case MK_MOUNT:
		fd = rootfs_open(rootfd, e->target, O_PATH | O_DIRECTORY);
		if (fd < 0)
			return fd;
		if (!strcmp(e->fstype, "proc"))
			return mount_proc(fd, e, proc_clone);
		return mount_on_fd(e->source, fd, e->fstype, e->flags, e->data);
	case MK_MKDIR:
		return make_dir(rootfd, e);
	case MK_DEVICE:
		return device(rootfd, e);
	case MK_SYMLINK: {
		char name[64];
		autoclose int dir = parent_in_root(rootfd, e->target, name, sizeof(name));
		if (dir < 0)
			return dir;
		return symlinkat(e->source, dir, name) < 0 ? -errno : 0;
	}
	case MK_BIND:
		return bind_volume(rootfd, e);
	case MK_DEVICE_BIND:
		return bind_host_node(rootfd, e->source, e->target);
	case MK_NODE:
		return make_node(rootfd, e->node);
	case MK_TMPFS:
		/* the mount point is made inside the root (a symlink resolves there) */
		fd = rootfs_make_mountpoint(rootfd, e->target, false);
		if (fd < 0)
			return fd;
		return mount_on_fd(e->source, fd, e->fstype, e->flags, e->data);
	case MK_MASK:
		return mask(rootfd, e->target);
	case MK_READONLY:
		return bind_readonly(rootfd, e->target);
	}
	return -EINVAL;
}

int mounts_apply(int rootfd, const struct mount_entry *table, size_t n, int proc_clone)
{
	static const char *const verbs[] = {
	    [MK_MOUNT] = "mount",
	    [MK_MKDIR] = "create",
	    [MK_DEVICE] = "create device",
	    [MK_SYMLINK] = "create symlink",
	    [MK_BIND] = "bind-mount",
	    [MK_MASK] = "mask",
	    [MK_READONLY] = "make read-only",
	    [MK_DEVICE_BIND] = "give the device",
	    [MK_TMPFS] = "mount a tmpfs on",
	    [MK_NODE] = "create device node",
	};
	for (size_t i = 0; i < n; i++) {
		int r = apply_one(rootfd, &table[i], proc_clone);
		if (r == -EPERM && table[i].kind == MK_MOUNT && !strcmp(table[i].fstype, "proc") &&
		    proc_clone < 0)
			return err_set(
			    -r, "cannot mount /proc: this host's /proc has files mounted "
				"over (as in a container), and a user namespace may not "
				"mount a proc that reveals them; run as root, or unmask /proc "
				"outside (e.g. docker --security-opt systempaths=unconfined)");
		if (r == -ESTALE)
			return r;
		if (r < 0) {
			if (table[i].kind == MK_BIND)
				return err_set(-r, "cannot bind-mount volume %s on %s",
					       table[i].source, table[i].target);
			return err_set(-r, "cannot %s %s", verbs[table[i].kind], table[i].target);
		}
	}
	return 0;
}

/* Until now every mount is the container's to undo: its mount namespace belongs to the
 * container's user namespace (or, without one, to the host's), and CAP_SYS_ADMIN there unmounts
 * a mask or the read-only /proc/sys, remounts it read-write, or mounts a fresh /proc beside it.
 * The kernel locks the mounts it copies into a mount namespace owned by another user namespace
 * than the original's (mount_namespaces(7), "locked mounts"): so a helper is born with a new
 * user namespace and, owned by it, a new mount namespace, the locked copy; this process has
 * every capability over that child user namespace, enters the copy (setns through a pidfd), and
 * lets the helper go. The caller stays in its own user namespace, where its network, hostname
 * and IPC belong. The mounts it makes afterwards are not locked; mounting over a locked one
 * hides it but uncovers nothing, and a new proc or sysfs mount is refused while locked masks
 * cover parts of the visible one. */
int mounts_seal(void)
{
	/* Becoming uid 0 of a user namespace that maps another host uid made this process, and so
	 * the helper, non-dumpable, and setns through a pidfd checks ptrace access to the helper,
	 * as owned by the host's root: refused (--userns=private). Dumpable until the helper is
	 * gone; the `undumpable` step clears it again before anything of the container runs. */
	if (prctl(PR_SET_DUMPABLE, 1, 0, 0, 0) < 0)
		return err_set(errno, "cannot seal the mount table: PR_SET_DUMPABLE");
	int wait_fd[2];
	if (pipe2(wait_fd, O_CLOEXEC) < 0)
		return err_set(errno, "cannot seal the mount table: pipe");
	long pid = syscall(SYS_clone, (unsigned long)(CLONE_NEWUSER | CLONE_NEWNS | SIGCHLD), NULL,
			   NULL, NULL, NULL);
	if (pid == 0) {
		/* The helper holds the namespaces until the caller is in: end-of-file. */
		char b;
		close(wait_fd[1]);
		_exit(read(wait_fd[0], &b, 1) < 0);
	}
	int e = errno;
	close(wait_fd[0]);
	int r = 0;
	if (pid < 0)
		r = err_set(e, "cannot seal the mount table: no new user namespace for it");
	else {
		int pidfd = (int)syscall(SYS_pidfd_open, (pid_t)pid, 0);
		if (pidfd < 0 || setns(pidfd, CLONE_NEWNS) < 0)
			r = err_set(errno, "cannot seal the mount table: cannot enter its copy");
		if (pidfd >= 0)
			close(pidfd);
	}
	close(wait_fd[1]);
	while (pid > 0 && waitpid((pid_t)pid, NULL, 0) < 0 && errno == EINTR)
		;
	return r;
}
