/* The system calls a container may not make, as libseccomp filters. Used at build time
 * (runtime/seccomp_gen.c compiles the default filter to BPF once) and at run time for
 * --seccomp=FILE profiles. */
#ifndef SHIKUMI_SECCOMP_POLICY_H
#define SHIKUMI_SECCOMP_POLICY_H

#include <seccomp.h>
#include <stdint.h>

/* The default filter has one variant per combination of these kept capabilities: with
 * CAP_SYS_ADMIN the mount family is allowed, with CAP_SYS_PTRACE ptrace is. */
enum {
	SECCOMP_KEEPS_ADMIN = 1,
	SECCOMP_KEEPS_PTRACE = 2,
	SECCOMP_VARIANTS = 4,
};

unsigned seccomp_variant_for(uint64_t caps);

/* Builds the default filter (EPERM for what a container has no business doing) for the
 * x86-64, i386 and x32 ABIs. */
int seccomp_policy_default(unsigned variant, scmp_filter_ctx *out);

/* Builds a filter from a text profile (see README): one system call a line, optionally
 * followed by the errno it fails with; '#' starts a comment. */
/* PID 1's own filter: only what waiting, forwarding signals and exiting take; anything else
 * kills it. */
int seccomp_policy_init(scmp_filter_ctx *out);

int seccomp_policy_from_file(const char *path, scmp_filter_ctx *out);

#endif
