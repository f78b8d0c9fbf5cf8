#include "mounts.h"

#include "../common/err.h"
#include "../common/fd.h"
#include "rootfs.h"

#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/sysmacros.h>
#include <unistd.h>

/* The devices every container gets: nothing that reaches real hardware. */
static const struct {
	const char *name;
	unsigned major, minor;
} safe_devices[] = {
    {"null", 1, 3},   {"zero", 1, 5},	 {"full", 1, 7},
    {"random", 1, 8}, {"urandom", 1, 9}, {"tty", 5, 0},
};

/* Paths that leak the host (kernel memory, keyrings, timers of every process, firmware
 * tables): hidden. */
static const char *const masked_paths[] = {
    "/proc/kcore",	 "/proc/keys",		"/proc/timer_list",
    "/proc/sched_debug", "/proc/latency_stats", "/proc/timer_stats",
    "/proc/acpi",	 "/proc/scsi",		"/sys/firmware",
};

/* Paths that configure the whole kernel, not just this container: visible, read-only. */
static const char *const readonly_paths[] = {
    "/proc/sys", "/proc/sysrq-trigger", "/proc/irq", "/proc/bus", "/proc/fs", "/proc/asound",
};

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

int mounts_build(const struct container_config *cfg, bool with_console, const char *hosts,
		 struct mount_entry *out, size_t max)
{
	size_t n = 0;
#define ADD(...)                                                                                   \
	do {                                                                                       \
		if (n >= max)                                                                      \
			return err_set(ENOSPC, "mount table too small");                           \
		out[n++] = (struct mount_entry){__VA_ARGS__};                                      \
	} while (0)

	const unsigned long nosuid_nodev_noexec = MS_NOSUID | MS_NODEV | MS_NOEXEC;
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
	for (size_t i = 0; i < ARRAY_SIZE(safe_devices); i++) {
		static char paths[ARRAY_SIZE(safe_devices)][32];
		snprintf(paths[i], sizeof(paths[i]), "/dev/%s", safe_devices[i].name);
		ADD(.kind = MK_DEVICE, .source = paths[i], .target = paths[i],
		    .major = safe_devices[i].major, .minor = safe_devices[i].minor, .mode = 0666);
	}
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
	if (cfg->namespaces & CLONE_NEWCGROUP)
		ADD(.kind = MK_MOUNT, .source = "cgroup2", .target = "/sys/fs/cgroup",
		    .fstype = "cgroup2", .flags = nosuid_nodev_noexec | MS_RDONLY);
	for (size_t i = 0; i < cfg->n_devices; i++)
		ADD(.kind = MK_DEVICE_BIND, .source = cfg->devices[i], .target = cfg->devices[i]);
	/* --net bridge: an /etc/hosts that names the container (its lease file), read-only so
	 * that the container cannot rewrite the lease. A volume on /etc/hosts comes later and
	 * wins. */
	if (hosts)
		ADD(.kind = MK_BIND, .source = hosts, .target = "/etc/hosts", .flags = MS_RDONLY);
	for (size_t i = 0; i < cfg->n_volumes; i++) {
		const struct volume *v = &cfg->volumes[i];
		ADD(.kind = MK_BIND, .source = v->source, .target = v->target,
		    .flags = v->read_only ? MS_RDONLY : 0);
	}
	for (size_t i = 0; i < ARRAY_SIZE(masked_paths) && !cfg->privileged; i++)
		ADD(.kind = MK_MASK, .target = masked_paths[i]);
	for (size_t i = 0; i < ARRAY_SIZE(readonly_paths) && !cfg->privileged; i++)
		ADD(.kind = MK_READONLY, .target = readonly_paths[i]);
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

int mounts_remount(int fd, unsigned long add)
{
	/* Keep the flags the mount has: a remount that dropped nosuid or nodev would be refused
	 * in a user namespace, where they are locked. */
	struct statvfs sv;
	if (fstatvfs(fd, &sv) < 0)
		return -errno;
	unsigned long keep = sv.f_flag & (ST_RDONLY | ST_NOSUID | ST_NODEV | ST_NOEXEC |
					  ST_NOATIME | ST_NODIRATIME | ST_RELATIME);
	return mount_on_fd(NULL, fd, NULL, MS_BIND | MS_REMOUNT | keep | add, NULL);
}

static int remount_readonly(int fd)
{
	return mounts_remount(fd, MS_RDONLY);
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
	if (r < 0)
		return r;
	autoclose int top = rootfs_open(rootfd, target, O_PATH); /* the new bind mount */
	return top < 0 ? top : remount_readonly(top);
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
	char src[FD_PATH_MAX];
	return mount_on_fd(fd_path(null, src), fd, NULL, MS_BIND, NULL);
}

int mounts_bind_into(int rootfd, const char *source, const char *target, bool as_file)
{
	autoclose int fd = rootfs_make_mountpoint(rootfd, target, as_file);
	if (fd < 0)
		return fd;
	int r = mount_on_fd(source, fd, NULL, MS_BIND | MS_REC, NULL);
	return r < 0 ? err_set(-r, "cannot bind %s on %s", source, target) : 0;
}

static int device(int rootfd, const struct mount_entry *e)
{
	char dir[64];
	snprintf(dir, sizeof(dir), "%s", e->target);
	char *name = strrchr(dir, '/');
	*name++ = '\0';
	autoclose int dirfd = rootfs_open(rootfd, dir, O_PATH | O_DIRECTORY);
	if (dirfd < 0)
		return dirfd;
	if (!e->source) /* a mount point to be filled later (the console) */
		return mknodat(dirfd, name, S_IFREG | e->mode, 0) < 0 ? -errno : 0;
	if (mknodat(dirfd, name, S_IFCHR | e->mode, makedev(e->major, e->minor)) == 0)
		return fchmodat(dirfd, name, e->mode, 0) < 0 ? -errno : 0; /* past the umask */
	if (errno != EPERM)
		return -errno;
	/* In a user namespace mknod is refused: bind the host's node instead. */
	int r = mounts_bind_into(rootfd, e->source, e->target, true);
	return r;
}

static int apply_one(int rootfd, const struct mount_entry *e)
{
	autoclose int fd = -1;
	switch (e->kind) {
	case MK_MOUNT:
		fd = rootfs_open(rootfd, e->target, O_PATH | O_DIRECTORY);
		if (fd < 0)
			return fd;
		return mount_on_fd(e->source, fd, e->fstype, e->flags, e->data);
	case MK_MKDIR:
		if (mkdirat(rootfd, e->target + 1, e->mode) < 0 && errno != EEXIST)
			return -errno;
		return fchmodat(rootfd, e->target + 1, e->mode, 0) < 0 ? -errno : 0;
	case MK_DEVICE:
		return device(rootfd, e);
	case MK_SYMLINK:
		return symlinkat(e->source, rootfd, e->target + 1) < 0 ? -errno : 0;
	case MK_BIND: {
		struct stat st;
		if (stat(e->source, &st) < 0)
			return -errno;
		int r = mounts_bind_into(rootfd, e->source, e->target, !S_ISDIR(st.st_mode));
		if (r < 0)
			return r;
		/* nodev: a device node in a volume (or made in one) opens nothing. */
		fd = rootfs_open(rootfd, e->target, O_PATH);
		return fd < 0 ? fd : mounts_remount(fd, MS_NODEV | (e->flags & MS_RDONLY));
	}
	case MK_DEVICE_BIND:
		return mounts_bind_into(rootfd, e->source, e->target, true);
	case MK_MASK:
		return mask(rootfd, e->target);
	case MK_READONLY:
		return bind_readonly(rootfd, e->target);
	}
	return -EINVAL;
}

int mounts_apply(int rootfd, const struct mount_entry *table, size_t n)
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
	};
	for (size_t i = 0; i < n; i++) {
		int r = apply_one(rootfd, &table[i]);
		if (r < 0) {
			if (table[i].kind == MK_BIND)
				return err_set(-r, "cannot bind-mount volume %s on %s",
					       table[i].source, table[i].target);
			return err_set(-r, "cannot %s %s", verbs[table[i].kind], table[i].target);
		}
	}
	return 0;
}
