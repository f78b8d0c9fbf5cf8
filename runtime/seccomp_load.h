/* Loading the container's seccomp filter on the command's way to exec. */
#ifndef SHIKUMI_SECCOMP_LOAD_H
#define SHIKUMI_SECCOMP_LOAD_H

#include "seccomp_policy.h"

#include <stddef.h>
#include <stdint.h>

struct seccomp_prebuilt {
	const unsigned char *bpf; /* struct sock_filter[], as libseccomp exported it */
	size_t len;		  /* in bytes */
};

/* The default filter's variants, compiled at build time (build/gen/seccomp_default.c). */
extern const struct seccomp_prebuilt seccomp_prebuilt[SECCOMP_VARIANTS];
/* PID 1's filter (seccomp_policy_init), compiled at build time too. */
extern const struct seccomp_prebuilt seccomp_prebuilt_init;

/* Installs a BPF program (struct sock_filter[], len bytes) with seccomp(2). no_new_privs
 * must be set. */
int seccomp_load_bpf(const unsigned char *bpf, size_t len);

/* Exports a filter built with libseccomp to BPF in memory (*bpf malloc'd), and releases it;
 * what names it in messages. */
int seccomp_export_ctx(scmp_filter_ctx ctx, const char *what, unsigned char **bpf, size_t *len);

/* Compiles an OCI/Docker JSON profile (runtime/seccomp_profile.h) for a container that keeps
 * the capabilities caps, to BPF with libseccomp: in the runtime, before anything is created
 * (the file is out of reach once the container has pivoted). *bpf is malloc'd. */
int seccomp_compile_file(const char *path, uint64_t caps, unsigned char **bpf, size_t *len);

/* The same for a profile already parsed (an OCI config's linux.seccomp); where names it in
 * messages ("linux.seccomp: syscalls[2].action: ..."). */
struct json_object;
int seccomp_compile_json(struct json_object *profile, uint64_t caps, const char *where,
			 unsigned char **bpf, size_t *len);

#endif
