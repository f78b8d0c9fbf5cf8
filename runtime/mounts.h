/* The container's file-system view as a table: built from the config by a pure function
 * (unit-tested), then applied in the child's new mount namespace before pivot_root. */
#ifndef SHIKUMI_MOUNTS_H
#define SHIKUMI_MOUNTS_H

#include "config.h"

#include <stdbool.h>
#include <stdint.h>
#include <sys/stat.h>
#include <sys/types.h>

enum mount_kind {
	MK_MOUNT,  /* mount(source, target, fstype, flags, data) */
	MK_MKDIR,  /* a directory, in a file system we just mounted */
	MK_DEVICE, /* a character device node (bind-mounted from the host where mknod is refused) */
	MK_SYMLINK, /* target -> source */
	MK_BIND,    /* a host path (a volume) at target, nodev and nosuid; read-only with MS_RDONLY,
		       all recursively */
	MK_DEVICE_BIND, /* a host device node (--device) at the same path in the container's /dev */
	MK_MASK,     /* hide target: /dev/null over a file, an empty read-only tmpfs over a dir */
	MK_READONLY, /* target stays visible but read-only */
	MK_TMPFS,    /* a tmpfs volume (OCI mounts): its mount point made inside the root first */
	MK_NODE,     /* an OCI linux.devices node in the container's /dev */
};

struct mount_entry {
	enum mount_kind kind;
	const char *source;
	const char *target; /* absolute, as seen inside the container */
	const char *fstype;
	unsigned long flags;
	const char *data;
	unsigned major, minor;
	mode_t mode;
	const struct stat *expect;	/* MK_BIND of a volume: what validation found at source */
	const struct device_node *node; /* MK_NODE */
};

/* What every container hides and what it sees read-only (runc's lists), NULL-terminated;
 * `shikumi spec` writes them out as maskedPaths and readonlyPaths. */
extern const char *const mounts_masked_paths[];
extern const char *const mounts_readonly_paths[];

/* shikumi's own entries (under 48), and each a config can add */
#define MOUNTS_MAX                                                                                 \
	(48 + CONFIG_MAX_VOLUMES + CONFIG_MAX_NODES + CONFIG_MAX_DEVICES + 2 * CONFIG_MAX_PATHS)

/* What is wrong with path as a path to mask or make read-only inside the container (a reason
 * to print), or NULL: absolute, not the root itself, no "." or ".." component, below PATH_MAX. */
const char *mounts_path_problem(const char *path);

/* Fills out[] with what the container needs, in the order it must be done. Returns how many
 * entries, or a negative errno when max is too small. with_console adds /dev/console (a pty
 * is bound on it later). */
int mounts_build(const struct container_config *cfg, bool with_console, const char *hosts,
		 const char *cgroup_dir, const struct stat *volume_st, struct mount_entry *out,
		 size_t max);

/* Applies the table below rootfd (the container's root, already a mount point of its own in
 * a private mount namespace). Paths resolve inside the root (RESOLVE_IN_ROOT), so a symlink in
 * ROOTFS cannot send a mount to the host. Missing targets of MK_MASK and MK_READONLY are
 * skipped: not every kernel has every /proc file. proc_clone (or -1): a detached copy of the
 * host's /proc without its over-mounts, for a user namespace on a host that masks /proc (see
 * mount_proc). Returns 0 or a negative errno with a message naming the entry. */
int mounts_apply(int rootfd, const struct mount_entry *table, size_t n, int proc_clone);

/* Adds MOUNT_ATTR_* flags to the mount at fd (and, when recursive, to every mount below it),
 * keeping those it has. Returns 0 or a negative errno. */
int mounts_set_attr(int fd, uint64_t attrs, bool recursive);

/* Whether fd is the file validation saw (want): 0, or -ESTALE with a message naming what
 * and path. */
int mounts_same_file(int fd, const struct stat *want, const char *what, const char *path);

/* Mounts source (a path or "/proc/self/fd/N") over target inside the root; used for the
 * console once the pty exists. */
int mounts_bind_into(int rootfd, const char *source, const char *target, bool as_file);

/* Moves the caller into a copy of its mount namespace in which the kernel has locked every
 * mount: none can be unmounted, nor made writable, suid, dev or exec again, by anyone, even
 * with CAP_SYS_ADMIN; the caller's user namespace and other namespaces are unchanged. For the
 * init once pivot_root is done. Returns 0 or a negative errno with a message. */
int mounts_seal(void);

#endif
