/* Capabilities: root inside a container keeps only what containers need (libcap). */
#ifndef SHIKUMI_CAPS_H
#define SHIKUMI_CAPS_H

#include <stdint.h>

#define CAP_BIT(c) (1ULL << (c))

/* What container engines grant by default: enough to act as root over the container's own
 * files and processes, nothing that reaches the kernel or the host (no SYS_ADMIN, SYS_MODULE,
 * SYS_PTRACE, SYS_RAWIO, NET_ADMIN, SYS_TIME...). */
uint64_t caps_default(void);

/* Every capability this kernel and libcap know. */
uint64_t caps_all(void);

/* "NET_ADMIN", "net_admin" or "CAP_NET_ADMIN" -> its number; "ALL" -> -1. Unknown names are
 * refused with the list of known ones. */
int caps_parse(const char *name, int *cap);

/* "chown, dac_override, ..." for keep, written into buf. */
void caps_describe(uint64_t keep, char *buf, unsigned n);

/* Drops every capability not in keep from the bounding set, clears the ambient set, and
 * sets permitted, effective and inheritable to keep. */
int caps_apply(uint64_t keep);

/* For a uid other than 0 (after confine_identity switched to it, keeping the permitted set):
 * the bounding, permitted, effective and inheritable sets as given, then the ambient
 * capabilities raised, which are what such a process keeps through exec. Returns 0 or a
 * negative errno with a message. */
int caps_apply_sets(uint64_t bounding, uint64_t permitted, uint64_t effective, uint64_t inheritable,
		    uint64_t ambient);

/* Makes the effective set the whole permitted set again (setuid away from 0 empties it). */
int caps_raise_effective(void);

#endif
