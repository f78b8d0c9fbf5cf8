/* The container's system-call filters, as libseccomp filters: the default allow-list and
 * PID 1's own, narrower one. Built at build time (runtime/seccomp_gen.c compiles them to BPF
 * once); runtime/seccomp_profile.c builds --seccomp=FILE profiles with the same helpers. */
#ifndef SHIKUMI_SECCOMP_POLICY_H
#define SHIKUMI_SECCOMP_POLICY_H

#include <seccomp.h>
#include <stdint.h>

/* The default filter has one variant per combination of these kept capabilities: with
 * CAP_SYS_ADMIN the mount family, setns and new namespaces are allowed, with CAP_SYS_PTRACE
 * ptrace and its relatives, with CAP_SYS_NICE the NUMA memory-policy calls. */
enum {
	SECCOMP_KEEPS_ADMIN = 1,
	SECCOMP_KEEPS_PTRACE = 2,
	SECCOMP_KEEPS_NICE = 4,
	SECCOMP_VARIANTS = 8,
};

unsigned seccomp_variant_for(uint64_t caps);

/* Builds the default filter for the x86-64, i386 and x32 ABIs: what programs need is
 * allowed, what reaches past the container fails with EPERM, anything else (unknown, newer
 * than this list) with ENOSYS. */
int seccomp_policy_default(unsigned variant, scmp_filter_ctx *out);

/* Builds PID 1's filter: the few calls init_wait makes (and pointing its stdio at
 * /dev/null before); anything else kills it. */
int seccomp_policy_init(scmp_filter_ctx *out);

/* Adds one rule, for every ABI of ctx where the call exists: a call missing on one ABI
 * (chown32 on x86-64) is nothing to filter there. */
int seccomp_policy_rule(scmp_filter_ctx ctx, uint32_t action, int nr, unsigned n_args,
			const struct scmp_arg_cmp *args);

/* Asks libseccomp for a binary tree of system-call numbers: a call is found in about
 * log2(n) tests instead of one test per call before it. */
int seccomp_policy_optimise(scmp_filter_ctx ctx);

#endif
