/* What a process keeps of root's power once it is inside: the identity the config names,
 * its resource limits, the capability drop, no_new_privs and the seccomp filter. The
 * container's command and PID 1 get them in child.c, a process that `exec` brings in later in
 * exec.c: one code, so that neither can be given more than the other. Each returns 0 or a
 * negative errno with a message. */
#ifndef SHIKUMI_CONFINE_H
#define SHIKUMI_CONFINE_H

#include "container.h"

/* The OCI process.user: supplementary groups, umask, gid and uid (the CLI sets none), the
 * permitted capabilities kept across the switch to a uid other than 0. */
int confine_identity(const struct container_config *cfg);

/* process.oomScoreAdj: written to /proc/self/oom_score_adj while still root (lowering it takes
 * CAP_SYS_RESOURCE); children inherit it. */
int confine_oom_score(const struct container_config *cfg);

/* Resource limits, before the capabilities go: raising a hard limit above the caller's takes
 * CAP_SYS_RESOURCE, which the container does not keep. */
int confine_rlimits(const struct container_config *cfg);

/* Bounding, permitted, effective and inheritable sets to cfg->caps, ambient empty (caps.c);
 * --privileged keeps everything. */
int confine_capabilities(const struct container_config *cfg);

/* no_new_privs: no setuid binary or file capability can give back what was dropped (and
 * seccomp needs it from a process without CAP_SYS_ADMIN). */
int confine_no_new_privs(const struct container_config *cfg);

/* The command's filter: the default one was compiled at build time, a profile before the
 * clone (host->seccomp_bpf); here it is only handed to the kernel. */
int confine_seccomp(const struct container_config *cfg, const struct container_host *host);

#endif
