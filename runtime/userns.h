/* User namespaces: who the container's root is on the host.
 *
 * A uid map line "INSIDE OUTSIDE COUNT" says that ids INSIDE..INSIDE+COUNT-1 in the container
 * are OUTSIDE..OUTSIDE+COUNT-1 on the host. The runtime (outside) writes the maps of the child
 * it cloned with CLONE_NEWUSER before letting it go on; the child then becomes uid 0 inside,
 * which is an ordinary uid on the host. */
#ifndef SHIKUMI_USERNS_H
#define SHIKUMI_USERNS_H

#include "config.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#define USERNS_DEFAULT_BASE  100000u
#define USERNS_DEFAULT_COUNT 65536u

/* Parses "INSIDE:OUTSIDE:COUNT" for option `name`. */
int userns_parse_map(const char *name, const char *spec, struct id_map *out);

/* The host id that `inside` maps to, or (uint32_t)-1 when it is not mapped. */
uint32_t userns_host_id(const struct id_map *maps, size_t n, uint32_t inside);

/* Finds the range /etc/subuid (or subgid: `file`) grants to the user `name` or the id `id`.
 * Returns 0 and fills *start, *count, or -ENOENT when none. */
int userns_subid_range(const char *file, const char *name, uint32_t id, uint32_t *start,
		       uint32_t *count);

/* Writes the child's uid and gid maps: directly, or with newuidmap/newgidmap (`helpers`,
 * the setuid tools of the uidmap package that check /etc/subuid for an unprivileged
 * caller). Without helpers an unprivileged caller may only map its own ids, and must deny
 * setgroups(2) first (`deny_setgroups`). */
int userns_write_maps(pid_t pid, const struct id_map *uids, size_t n_uids,
		      const struct id_map *gids, size_t n_gids, bool helpers, bool deny_setgroups);

/* An idmapped clone of the tree at `path` (mount_setattr MOUNT_ATTR_IDMAP), in the user
 * namespace of process `pid`: files owned by host uid 0 appear owned by the container's
 * root. Returns the detached mount's fd, for move_mount(2) inside. */
int userns_idmapped_tree(pid_t pid, const char *path);

/* Inside the new namespace: become root (uid and gid 0, no supplementary groups). */
int userns_become_root(void);

/* Gives every file under `root` to the id range starting at `base`: a file owned by uid u
 * (counted from the range `root` itself now belongs to) goes to base + u, the same for
 * gids; permission bits (setuid included) are kept. The directory's own owner tells which
 * range it comes from, so `base` 0 gives a tree back to the host's root. */
int userns_shift_tree(const char *root, uint32_t base);

#endif
