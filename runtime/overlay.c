#include "overlay.h"

#include "../common/err.h"
#include "../common/fd.h"
#include "mounts.h"

#include <fcntl.h>
#include <stdio.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

/* The lower layer: ROOTFS's whole mount tree, copied detached (a user namespace may not copy
 * it without the mounts below, which could hide what is under them), or the runtime's
 * idmapped copy; either way checked to be the directory validation saw. */
static int lower_tree(const struct overlay_spec *s)
{
	autoclose int tree = s->idmapped >= 0
				 ? dup(s->idmapped)
				 : open_tree(AT_FDCWD, s->rootfs,
					     OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_RECURSIVE);
	if (tree < 0)
		return err_set(errno, "cannot take a copy of ROOTFS '%s'", s->rootfs);
	int r = mounts_same_file(tree, s->expect, "ROOTFS", s->rootfs);
	if (r < 0)
		return r;
	return fd_steal(&tree);
}

/* fsopen + fsconfig + fsmount: a new, detached mount of fstype with options key=value pairs
 * (NULL-terminated). */
static int new_mount(const char *fstype, const char *const *options, unsigned attrs)
{
	autoclose int fs = fsopen(fstype, FSOPEN_CLOEXEC);
	if (fs < 0)
		return -errno;
	for (const char *const *o = options; *o; o += 2)
		if (fsconfig(fs, FSCONFIG_SET_STRING, o[0], o[1], 0) < 0)
			return -errno;
	if (fsconfig(fs, FSCONFIG_CMD_CREATE, NULL, NULL, 0) < 0)
		return -errno;
	int m = fsmount(fs, FSMOUNT_CLOEXEC, attrs);
	return m < 0 ? -errno : m;
}

int overlay_make_root(const struct overlay_spec *s)
{
	autoclose int lower = lower_tree(s);
	if (lower < 0)
		return lower;
	int r;
	if (s->persist) {
		/* --persist: ROOTFS itself, on purpose. */
		if (s->nodev && (r = mounts_set_attr(lower, MOUNT_ATTR_NODEV, true)) < 0)
			return err_set(-r, "cannot make ROOTFS nodev");
		if (move_mount(lower, "", AT_FDCWD, s->rootfs, MOVE_MOUNT_F_EMPTY_PATH) < 0)
			return err_set(errno, "cannot mount ROOTFS '%s'", s->rootfs);
		return fd_steal(&lower);
	}
	/* The scratch tmpfs: lower/ (ROOTFS), upper/ and work/ (the overlay's). It is attached
	 * over ROOTFS's path only because overlayfs takes its layers by path, and the overlay
	 * then over it, so that ROOTFS's path shows the container's root in this namespace until
	 * pivot_root (where an OCI createContainer hook looks for it, as with runc); the path is
	 * in this namespace alone and goes with the old root at pivot_root. */
	static const char *const tmpfs_opts[] = {"mode", "0755", NULL};
	autoclose int scratch =
	    new_mount("tmpfs", tmpfs_opts, MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV);
	if (scratch < 0)
		return err_set(-scratch, "cannot create the container's tmpfs layer");
	static const char *const dirs[] = {"lower", "upper", "work"};
	for (size_t i = 0; i < sizeof(dirs) / sizeof(*dirs); i++)
		if (mkdirat(scratch, dirs[i], 0755) < 0)
			return err_set(errno, "cannot create %s in the container's tmpfs layer",
				       dirs[i]);
	/* The upper directory is the merged root's face: give it ROOTFS's mode and owner. */
	if (fchmodat(scratch, "upper", s->expect->st_mode & 07777, 0) < 0)
		return err_set(errno, "cannot set the mode of the overlay's root");
	/* In a user namespace the host's owner may have no id inside (EINVAL): then the
	 * container's root, who made it, keeps it. */
	if (fchownat(scratch, "upper", s->expect->st_uid, s->expect->st_gid, 0) < 0 &&
	    errno != EINVAL && errno != EPERM)
		return err_set(errno, "cannot set the owner of the overlay's root");
	if (move_mount(scratch, "", AT_FDCWD, s->rootfs, MOVE_MOUNT_F_EMPTY_PATH) < 0 ||
	    move_mount(lower, "", scratch, "lower", MOVE_MOUNT_F_EMPTY_PATH) < 0)
		return err_set(errno, "cannot attach the container's layers");
	char lowerdir[64], upperdir[64], workdir[64];
	snprintf(lowerdir, sizeof(lowerdir), "/proc/self/fd/%d/lower", scratch);
	snprintf(upperdir, sizeof(upperdir), "/proc/self/fd/%d/upper", scratch);
	snprintf(workdir, sizeof(workdir), "/proc/self/fd/%d/work", scratch);
	const char *const overlay_opts[] = {"lowerdir", lowerdir, "upperdir", upperdir,
					    "workdir",	workdir,  NULL};
	autoclose int root = new_mount("overlay", overlay_opts, s->nodev ? MOUNT_ATTR_NODEV : 0);
	if (root < 0)
		return err_set(-root,
			       "cannot create the overlay over ROOTFS '%s' (--persist runs on "
			       "ROOTFS itself)",
			       s->rootfs);
	if (move_mount(root, "", AT_FDCWD, s->rootfs, MOVE_MOUNT_F_EMPTY_PATH) < 0)
		return err_set(errno, "cannot attach the overlay");
	return fd_steal(&root);
}
