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

#endif
