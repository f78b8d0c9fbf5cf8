/* --seccomp=FILE and the OCI config's linux.seccomp: the OCI/Docker JSON seccomp profile, the
 * format runc, crun, podman and Docker take, built into a libseccomp filter.
 *   {"defaultAction": "SCMP_ACT_ERRNO", "defaultErrnoRet": 38,
 *    "architectures": ["SCMP_ARCH_X86_64", "SCMP_ARCH_X86", "SCMP_ARCH_X32"],
 *    "syscalls": [{"names": ["read", "write"], "action": "SCMP_ACT_ALLOW"},
 *                 {"names": ["socket"], "action": "SCMP_ACT_ALLOW",
 *                  "args": [{"index": 0, "value": 40, "op": "SCMP_CMP_NE"}]},
 *                 {"names": ["mount"], "action": "SCMP_ACT_ALLOW",
 *                  "includes": {"caps": ["CAP_SYS_ADMIN"]}}]}
 * Keys are read as runc and moby read them: "archMap" adds the native architecture's entry and
 * its subArchitectures; "includes"/"excludes" select a rule by kept capabilities ("caps", all
 * of them), architecture ("arches", Go's names: amd64) and kernel ("minKernel"); several
 * conditions on one argument make one rule each (libseccomp cannot AND them), as in runc.
 * Without "architectures" or "archMap" the filter covers x86-64 only, and an i386 or x32 call
 * kills the thread (libseccomp's default, as under runc). The filter is a binary tree, as the
 * default one. Names libseccomp does not know are skipped (so that a profile written for a newer
 * kernel loads), and listed by seccomp_profile_skipped(). Unknown keys are ignored. */
#ifndef SHIKUMI_SECCOMP_PROFILE_H
#define SHIKUMI_SECCOMP_PROFILE_H

#include <json-c/json.h>
#include <seccomp.h>
#include <stdint.h>

/* Builds the filter profile describes for a container that keeps the capabilities caps.
 * where prefixes every message ("seccomp profile 'p.json'"), which then names the JSON path
 * at fault: "seccomp profile 'p.json': syscalls[3].action: unknown action 'SCMP_ACT_FOO'". */
int seccomp_policy_from_json(struct json_object *profile, uint64_t caps, const char *where,
			     scmp_filter_ctx *out);

/* Reads and builds a profile file (where: "seccomp profile 'PATH'"). */
int seccomp_profile_from_file(const char *path, uint64_t caps, scmp_filter_ctx *out);

/* The names the last seccomp_policy_from_json skipped, ", "-separated; "" when none. */
const char *seccomp_profile_skipped(void);

#endif
