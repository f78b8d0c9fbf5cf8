/* Looking at paths inside a root file system from outside it, safely: symlinks in ROOTFS
 * (busybox's applet links are absolute ones, /bin/sh -> /bin/busybox) resolve as they will
 * inside the container, never to the host's files. */
#ifndef SHIKUMI_ROOTFS_H
#define SHIKUMI_ROOTFS_H

#include <stddef.h>

/* Opens PATH as seen from inside the root whose directory fd is rootfd (openat2 with
 * RESOLVE_IN_ROOT). Returns an fd or a negative errno. */
int rootfs_open(int rootfd, const char *path, int flags);

/* Finds COMMAND the way execvp(3) will inside the container: as a path when it holds a
 * '/', else in each directory of path_list (a PATH value). Returns 0 when an executable
 * regular file is found, -ENOENT when none is, -EACCES when one is found but is not
 * executable; a message names the command. The path found goes to found (n_found bytes)
 * unless it is NULL. */
int rootfs_find_command(int rootfd, const char *command, const char *path_list, char *found,
			size_t n_found);

/* Creates PATH inside the root (like mkdir -p), or an empty file there when as_file is true
 * and the last component is missing: a mount point for a volume. Returns an O_PATH fd of the
 * result, opened in the root, or a negative errno with a message. */
int rootfs_make_mountpoint(int rootfd, const char *path, int as_file);

#endif
