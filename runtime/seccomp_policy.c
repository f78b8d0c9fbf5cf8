#include "seccomp_policy.h"

#include "../common/err.h"
#include "caps.h"

#include <sched.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/capability.h>

unsigned seccomp_variant_for(uint64_t caps)
{
	return ((caps & CAP_BIT(CAP_SYS_ADMIN)) ? SECCOMP_KEEPS_ADMIN : 0) |
	       ((caps & CAP_BIT(CAP_SYS_PTRACE)) ? SECCOMP_KEEPS_PTRACE : 0);
}

/* Always refused: they act on the whole machine, not on one container. */
static const char *const always_denied[] = {
    "kexec_load",
    "kexec_file_load", /* replace the running kernel */
    "init_module",
    "finit_module",
    "delete_module", /* change the kernel's code */
    "reboot",
    "swapon",
    "swapoff",
    "acct",
    "keyctl",
    "add_key",
    "request_key", /* the keyring is not namespaced */
    "bpf",
    "perf_event_open",	 /* kernel-wide tracing and programs */
    "open_by_handle_at", /* opens files by handle, past mount boundaries */
    "lookup_dcookie",
    "iopl",
    "ioperm",
    "uselib",
    "userfaultfd",
};

/* Refused unless CAP_SYS_ADMIN was added: new mounts would undo the container's view. */
static const char *const admin_only[] = {
    "mount",	"umount",  "umount2", "pivot_root", "move_mount",    "fsopen",
    "fsconfig", "fsmount", "fspick",  "open_tree",  "mount_setattr", "setns",
};

/* Refused unless CAP_SYS_PTRACE was added. */
static const char *const ptrace_only[] = {"ptrace", "process_vm_readv", "process_vm_writev"};

static int deny(scmp_filter_ctx ctx, const char *name, int err, unsigned n_args,
		const struct scmp_arg_cmp *arg)
{
	int nr = seccomp_syscall_resolve_name(name);
	if (nr == __NR_SCMP_ERROR)
		return err_set(0, "unknown system call '%s'", name);
	int r = n_args ? seccomp_rule_add_array(ctx, SCMP_ACT_ERRNO((uint16_t)err), nr, n_args, arg)
		       : seccomp_rule_add(ctx, SCMP_ACT_ERRNO((uint16_t)err), nr, 0);
	/* -EDOM/-EOPNOTSUPP: the call does not exist on one of the ABIs; nothing to refuse. */
	if (r < 0 && r != -EDOM && r != -EOPNOTSUPP)
		return err_set(-r, "cannot add a seccomp rule for %s", name);
	return 0;
}

static int new_ctx(scmp_filter_ctx *out)
{
	scmp_filter_ctx ctx = seccomp_init(SCMP_ACT_ALLOW);
	if (!ctx)
		return err_set(ENOMEM, "seccomp_init failed");
	/* A 64-bit process can still make i386 (int 0x80) and x32 system calls: filter
	 * those ABIs too, or they would be a way around every rule. */
	int r;
	if ((r = seccomp_arch_add(ctx, SCMP_ARCH_X86)) < 0 && r != -EEXIST)
		goto fail;
	if ((r = seccomp_arch_add(ctx, SCMP_ARCH_X32)) < 0 && r != -EEXIST)
		goto fail;
	*out = ctx;
	return 0;
fail:
	seccomp_release(ctx);
	return err_set(-r, "cannot add the i386/x32 ABIs to the seccomp filter");
}

int seccomp_policy_default(unsigned variant, scmp_filter_ctx *out)
{
	scmp_filter_ctx ctx;
	int r = new_ctx(&ctx);
	if (r < 0)
		return r;
#define EACH(list, cond)                                                                           \
	for (size_t i = 0; (cond) && r == 0 && i < sizeof(list) / sizeof(list[0]); i++)            \
	r = deny(ctx, list[i], EPERM, 0, NULL)
	EACH(always_denied, true);
	EACH(admin_only, !(variant & SECCOMP_KEEPS_ADMIN));
	EACH(ptrace_only, !(variant & SECCOMP_KEEPS_PTRACE));
#undef EACH
	if (!(variant & SECCOMP_KEEPS_ADMIN) && r == 0) {
		/* A new user namespace would hand the process a full set of capabilities there,
		 * and with them the kernel's namespaced attack surface: refuse CLONE_NEWUSER in
		 * unshare and clone. clone3 passes its flags in memory a filter cannot read: it
		 * answers ENOSYS, and the C library falls back to clone. */
		struct scmp_arg_cmp newuser =
		    SCMP_A0(SCMP_CMP_MASKED_EQ, CLONE_NEWUSER, CLONE_NEWUSER);
		r = deny(ctx, "unshare", EPERM, 1, &newuser);
		if (r == 0)
			r = deny(ctx, "clone", EPERM, 1, &newuser);
		if (r == 0)
			r = deny(ctx, "clone3", ENOSYS, 0, NULL);
	}
	if (r < 0) {
		seccomp_release(ctx);
		return r;
	}
	*out = ctx;
	return 0;
}

int seccomp_policy_from_file(const char *path, scmp_filter_ctx *out)
{
	FILE *f = fopen(path, "re");
	if (!f)
		return err_set(errno, "seccomp profile '%s'", path);
	scmp_filter_ctx ctx;
	int r = new_ctx(&ctx);
	char line[256];
	for (int lineno = 1; r == 0 && fgets(line, sizeof(line), f); lineno++) {
		char *hash = strchr(line, '#');
		if (hash)
			*hash = '\0';
		char name[64], errname[64], extra[8];
		int n = sscanf(line, "%63s %63s %7s", name, errname, extra);
		if (n <= 0)
			continue;
		int e = EPERM;
		if (n == 3) {
			r = err_set(0, "%s:%d: expected 'SYSCALL [ERRNO]'", path, lineno);
			break;
		}
		if (n == 2) {
			char *end;
			long v = strtol(errname, &end, 10);
			if (*end || v < 1 || v > 4095) {
				r = err_set(0, "%s:%d: '%s' is not an errno number (1-4095)", path,
					    lineno, errname);
				break;
			}
			e = (int)v;
		}
		if ((r = deny(ctx, name, e, 0, NULL)) < 0)
			err_wrap(r, "%s:%d", path, lineno);
	}
	fclose(f);
	if (r < 0) {
		seccomp_release(ctx);
		return r;
	}
	*out = ctx;
	return 0;
}

/* What the container's PID 1 does once the command runs (runtime/init.c): wait for signals
 * and children, forward signals, release the command, exit. Anything else kills it, and with
 * it the container: code that found its way into PID 1 can do nothing more than that. */
static const char *const init_allowed[] = {
    "rt_sigtimedwait", "rt_sigprocmask",  "kill",  "wait4", "waitid", "exit", "exit_group",
    "close",	       "restart_syscall", "write",
};

int seccomp_policy_init(scmp_filter_ctx *out)
{
	scmp_filter_ctx ctx = seccomp_init(SCMP_ACT_KILL_PROCESS);
	if (!ctx)
		return err_set(ENOMEM, "seccomp_init failed");
	for (size_t i = 0; i < sizeof(init_allowed) / sizeof(*init_allowed); i++) {
		int r = seccomp_rule_add(ctx, SCMP_ACT_ALLOW,
					 seccomp_syscall_resolve_name(init_allowed[i]), 0);
		if (r < 0) {
			seccomp_release(ctx);
			return err_set(-r, "cannot allow %s for PID 1", init_allowed[i]);
		}
	}
	*out = ctx;
	return 0;
}
