#include "seccomp_policy.h"

#include "../common/err.h"
#include "caps.h"

#include <linux/net.h>
#include <sched.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdlib.h>
#include <sys/capability.h>
#include <sys/socket.h>

unsigned seccomp_variant_for(uint64_t caps)
{
	return ((caps & CAP_BIT(CAP_SYS_ADMIN)) ? SECCOMP_KEEPS_ADMIN : 0) |
	       ((caps & CAP_BIT(CAP_SYS_PTRACE)) ? SECCOMP_KEEPS_PTRACE : 0) |
	       ((caps & CAP_BIT(CAP_SYS_NICE)) ? SECCOMP_KEEPS_NICE : 0);
}

/* ---- the default filter: an allow-list ----
 * The facts (which calls ordinary programs make, which take a capability to be safe) follow
 * Docker's default profile, the one most container software has been tested under. A name
 * may exist on one ABI only (chown32 on i386, arch_prctl on x86-64 and x32): it is allowed
 * where it exists. */

/* Files, directories, descriptors and their metadata: the container's own file system. */
static const char *const allow_files[] = {
    "access",
    "chdir",
    "chmod",
    "chown",
    "chown32",
    "close",
    "close_range",
    "copy_file_range",
    "creat",
    "dup",
    "dup2",
    "dup3",
    "faccessat",
    "faccessat2",
    "fadvise64",
    "fadvise64_64",
    "fallocate",
    "fchdir",
    "fchmod",
    "fchmodat",
    "fchmodat2",
    "fchown",
    "fchown32",
    "fchownat",
    "fcntl",
    "fcntl64",
    "fdatasync",
    "fgetxattr",
    "flistxattr",
    "flock",
    "fremovexattr",
    "fsetxattr",
    "fstat",
    "fstat64",
    "fstatat64",
    "fstatfs",
    "fstatfs64",
    "fsync",
    "ftruncate",
    "ftruncate64",
    "futimesat",
    "getcwd",
    "getdents",
    "getdents64",
    "getxattr",
    "inotify_add_watch",
    "inotify_init",
    "inotify_init1",
    "inotify_rm_watch",
    "lchown",
    "lchown32",
    "lgetxattr",
    "link",
    "linkat",
    "listxattr",
    "llistxattr",
    "_llseek",
    "lremovexattr",
    "lseek",
    "lsetxattr",
    "lstat",
    "lstat64",
    "mkdir",
    "mkdirat",
    "mknod",
    "mknodat",
    "newfstatat",
    "open",
    "openat",
    "openat2",
    "pipe",
    "pipe2",
    "pread64",
    "preadv",
    "preadv2",
    "pwrite64",
    "pwritev",
    "pwritev2",
    "read",
    "readahead",
    "readlink",
    "readlinkat",
    "readv",
    "removexattr",
    "rename",
    "renameat",
    "renameat2",
    "rmdir",
    "sendfile",
    "sendfile64",
    "setxattr",
    "splice",
    "stat",
    "stat64",
    "statfs",
    "statfs64",
    "statx",
    "symlink",
    "symlinkat",
    "sync",
    "sync_file_range",
    "syncfs",
    "tee",
    "truncate",
    "truncate64",
    "umask",
    "unlink",
    "unlinkat",
    "utime",
    "utimensat",
    "utimensat_time64",
    "utimes",
    "vmsplice",
    "write",
    "writev",
    /* the kernel checks CAP_SYS_CHROOT, which containers keep by default */
    "chroot",
    /* marks on the container's own files; fanotify_init, which watches whole mounts,
     * takes CAP_SYS_ADMIN below */
    "fanotify_mark",
    /* ioctl's requests are the drivers' business: /dev holds only harmless devices */
    "ioctl",
};

/* Waiting and asynchronous I/O (io_uring is refused below: the old AIO calls are not a
 * second system-call interface). */
static const char *const allow_waiting[] = {
    "epoll_create",
    "epoll_create1",
    "epoll_ctl",
    "epoll_ctl_old",
    "epoll_pwait",
    "epoll_pwait2",
    "epoll_wait",
    "epoll_wait_old",
    "eventfd",
    "eventfd2",
    "futex",
    "futex_time64",
    "futex_waitv",
    "io_cancel",
    "io_destroy",
    "io_getevents",
    "io_pgetevents",
    "io_pgetevents_time64",
    "io_setup",
    "io_submit",
    "_newselect",
    "pause",
    "poll",
    "ppoll",
    "ppoll_time64",
    "pselect6",
    "pselect6_time64",
    "select",
    "signalfd",
    "signalfd4",
    "timerfd_create",
    "timerfd_gettime",
    "timerfd_gettime64",
    "timerfd_settime",
    "timerfd_settime64",
};

/* Memory of one's own. */
static const char *const allow_memory[] = {
    "brk",	 "madvise",	  "membarrier",	      "memfd_create", "memfd_secret", "mincore",
    "mlock",	 "mlock2",	  "mlockall",	      "mmap",	      "mmap2",	      "mprotect",
    "mremap",	 "msync",	  "munlock",	      "munlockall",   "munmap",	      "pkey_alloc",
    "pkey_free", "pkey_mprotect", "remap_file_pages",
};

/* Processes, credentials, limits, scheduling: the kernel checks each against the
 * container's capabilities and its pid namespace. */
static const char *const allow_processes[] = {
    "capget",
    "capset",
    "execve",
    "execveat",
    "exit",
    "exit_group",
    "fork",
    "vfork",
    "getcpu",
    "getegid",
    "getegid32",
    "geteuid",
    "geteuid32",
    "getgid",
    "getgid32",
    "getgroups",
    "getgroups32",
    "getpgid",
    "getpgrp",
    "getpid",
    "getppid",
    "getpriority",
    "getresgid",
    "getresgid32",
    "getresuid",
    "getresuid32",
    "getrlimit",
    "get_robust_list",
    "getrusage",
    "getsid",
    "get_thread_area",
    "gettid",
    "getuid",
    "getuid32",
    "ioprio_get",
    "ioprio_set",
    "landlock_add_rule",
    "landlock_create_ruleset",
    "landlock_restrict_self",
    "prctl",
    "prlimit64",
    "process_mrelease",
    "rseq",
    "sched_getaffinity",
    "sched_getattr",
    "sched_getparam",
    "sched_get_priority_max",
    "sched_get_priority_min",
    "sched_getscheduler",
    "sched_rr_get_interval",
    "sched_rr_get_interval_time64",
    "sched_setaffinity",
    "sched_setattr",
    "sched_setparam",
    "sched_setscheduler",
    "sched_yield",
    "seccomp",
    "setfsgid",
    "setfsgid32",
    "setfsuid",
    "setfsuid32",
    "setgid",
    "setgid32",
    "setgroups",
    "setgroups32",
    "setpgid",
    "setpriority",
    "setregid",
    "setregid32",
    "setresgid",
    "setresgid32",
    "setresuid",
    "setresuid32",
    "setreuid",
    "setreuid32",
    "setrlimit",
    "set_robust_list",
    "setsid",
    "set_thread_area",
    "set_tid_address",
    "setuid",
    "setuid32",
    "ugetrlimit",
    "uname",
    "sysinfo",
    "wait4",
    "waitid",
    "waitpid",
    "getrandom",
    /* the x86 specific: the TLS segment (modify_ldt, a descriptor table of one's own, is
     * left out, as Docker leaves it: old kernel bugs, and nothing but Wine and DOS
     * emulators need it) */
    "arch_prctl",
};

/* Signals, timers, clocks (reading them: setting the host's clock is refused below;
 * adjtimex and clock_adjtime only read without CAP_SYS_TIME). */
static const char *const allow_signals_time[] = {
    "alarm",
    "kill",
    "pidfd_open",
    "pidfd_send_signal",
    "restart_syscall",
    "rt_sigaction",
    "rt_sigpending",
    "rt_sigprocmask",
    "rt_sigqueueinfo",
    "rt_sigreturn",
    "rt_sigsuspend",
    "rt_sigtimedwait",
    "rt_sigtimedwait_time64",
    "rt_tgsigqueueinfo",
    "sigaltstack",
    "sigprocmask",
    "sigreturn",
    "tgkill",
    "tkill",
    "adjtimex",
    "clock_adjtime",
    "clock_adjtime64",
    "clock_getres",
    "clock_getres_time64",
    "clock_gettime",
    "clock_gettime64",
    "clock_nanosleep",
    "clock_nanosleep_time64",
    "getitimer",
    "gettimeofday",
    "nanosleep",
    "setitimer",
    "time",
    "timer_create",
    "timer_delete",
    "timer_getoverrun",
    "timer_gettime",
    "timer_gettime64",
    "timer_settime",
    "timer_settime64",
    "times",
};

/* Sockets (socket itself has an argument filter below) and System V / POSIX IPC, all in the
 * container's own network and IPC namespaces. */
static const char *const allow_ipc[] = {
    "accept",
    "accept4",
    "bind",
    "connect",
    "getpeername",
    "getsockname",
    "getsockopt",
    "listen",
    "recvfrom",
    "recvmmsg",
    "recvmmsg_time64",
    "recvmsg",
    "sendmmsg",
    "sendmsg",
    "sendto",
    "setsockopt",
    "shutdown",
    "socketpair",
    "ipc",
    "mq_getsetattr",
    "mq_notify",
    "mq_open",
    "mq_timedreceive",
    "mq_timedreceive_time64",
    "mq_timedsend",
    "mq_timedsend_time64",
    "mq_unlink",
    "msgctl",
    "msgget",
    "msgrcv",
    "msgsnd",
    "semctl",
    "semget",
    "semop",
    "semtimedop",
    "semtimedop_time64",
    "shmat",
    "shmctl",
    "shmdt",
    "shmget",
};

/* Refused with EPERM whatever the capabilities: they act on the whole machine, or open a
 * way around the filter and the namespaces. An explicit EPERM (not the allow-list's ENOSYS)
 * says "not here" rather than "not in this kernel", so programs do not look for a fallback. */
static const char *const deny_always[] = {
    "kexec_load", "kexec_file_load",		    /* replace the running kernel */
    "init_module", "finit_module", "delete_module", /* change the kernel's code */
    "reboot", "swapon", "swapoff", "acct", "vhangup", "keyctl", "add_key",
    "request_key",	      /* the keyring is not namespaced */
    "bpf", "perf_event_open", /* kernel-wide programs and tracing */
    "lookup_dcookie",
    /* by handle, past every mount boundary: open_by_handle_at is the "shocker" escape,
     * name_to_handle_at hands out the handles */
    "open_by_handle_at", "name_to_handle_at",
    /* a second system-call interface, out of the filter's reach, and a large share of
     * the kernel's recent exploitable bugs */
    "io_uring_setup", "io_uring_enter", "io_uring_register",
    "userfaultfd",    /* stalls the kernel at a chosen point: a race-exploitation tool */
    "iopl", "ioperm", /* raw port I/O */
    "uselib", "settimeofday", "stime", "clock_settime", "clock_settime64", /* the host's clock */
};

/* Refused unless CAP_SYS_ADMIN was added: new mounts would undo the container's view, and
 * setns/new namespaces (clone, unshare, below) reach namespaced kernel code as its root. */
static const char *const admin_only[] = {
    "mount",	"umount",      "umount2",	"pivot_root", "move_mount",    "fsopen",
    "fsconfig", "fsmount",     "fspick",	"open_tree",  "mount_setattr", "setns",
    "quotactl", "quotactl_fd", "fanotify_init", "syslog",     "sethostname",   "setdomainname",
};

/* Refused unless CAP_SYS_PTRACE was added: reading or changing another process's memory and
 * descriptors (pidfd_getfd would steal PID 1's). */
static const char *const ptrace_only[] = {
    "ptrace", "process_vm_readv", "process_vm_writev", "kcmp", "pidfd_getfd", "process_madvise",
};

/* Refused unless CAP_SYS_NICE was added: NUMA placement is the machine's, and moving another
 * process's pages (move_pages, migrate_pages) is a way to disturb it. */
static const char *const nice_only[] = {
    "mbind",	     "move_pages",    "migrate_pages",
    "set_mempolicy", "get_mempolicy", "set_mempolicy_home_node",
};

/* The namespace flags of clone and unshare (CLONE_NEWTIME shares its bit with clone's exit
 * signal: it is a flag for unshare only). */
static const uint64_t ns_flags[] = {CLONE_NEWNS,   CLONE_NEWCGROUP, CLONE_NEWUTS, CLONE_NEWIPC,
				    CLONE_NEWUSER, CLONE_NEWPID,    CLONE_NEWNET, CLONE_NEWTIME};
#define N_CLONE_NS_FLAGS 7

/* personality: only Linux's own and its 32-bit and uname-2.6 forms, and the query
 * (0xffffffff). READ_IMPLIES_EXEC and ADDR_NO_RANDOMIZE, an exploit's friends, are not. */
static const uint64_t personalities[] = {0x0, 0x8, 0x20000, 0x20008, 0xffffffff};

int seccomp_policy_rule(scmp_filter_ctx ctx, uint32_t action, int nr, unsigned n_args,
			const struct scmp_arg_cmp *args)
{
	int r = n_args ? seccomp_rule_add_array(ctx, action, nr, n_args, args)
		       : seccomp_rule_add(ctx, action, nr, 0);
	/* -EDOM/-EOPNOTSUPP: the call does not exist on one of the ABIs; nothing to filter. */
	if (r < 0 && r != -EDOM && r != -EOPNOTSUPP) {
		char *name = seccomp_syscall_resolve_num_arch(SCMP_ARCH_NATIVE, nr);
		int e = err_set(-r, "cannot add a seccomp rule for %s", name ? name : "a call");
		free(name);
		return e;
	}
	return 0;
}

/* The ABI the default filter's context being built covers (one context per ABI, merged at
 * the end: a name missing on an ABI then costs nothing there, where a filter covering all
 * three would carry a never-matching test for it). 0: every ABI of the context. */
static uint32_t rule_arch;

static int rule(scmp_filter_ctx ctx, uint32_t action, const char *name, unsigned n_args,
		const struct scmp_arg_cmp *args)
{
	int nr = seccomp_syscall_resolve_name(name);
	/* A name libseccomp does not know is a mistake in the tables above: fail the build. */
	if (nr == __NR_SCMP_ERROR)
		return err_set(0, "libseccomp does not know the system call '%s'", name);
	/* Not a call on this ABI, even multiplexed (i386's socket is socketcall's SYS_SOCKET,
	 * which libseccomp writes the rule for): nothing to filter. */
	if (rule_arch && seccomp_syscall_resolve_name_rewrite(rule_arch, name) < 0)
		return 0;
	return seccomp_policy_rule(ctx, action, nr, n_args, args);
}

static int each(scmp_filter_ctx ctx, uint32_t action, const char *const *names, size_t n)
{
	int r = 0;
	for (size_t i = 0; r == 0 && i < n; i++)
		r = rule(ctx, action, names[i], 0, NULL);
	return r;
}
#define EACH(ctx, action, list) each(ctx, action, list, sizeof(list) / sizeof(list[0]))

/* clone and unshare: allowed without namespace flags; any namespace flag is EPERM. */
static int namespaces_rules(scmp_filter_ctx ctx, const char *name, size_t n_flags)
{
	uint64_t all = 0;
	int r = 0;
	for (size_t i = 0; r == 0 && i < n_flags; i++) {
		all |= ns_flags[i];
		struct scmp_arg_cmp set = SCMP_A0(SCMP_CMP_MASKED_EQ, ns_flags[i], ns_flags[i]);
		r = rule(ctx, SCMP_ACT_ERRNO(EPERM), name, 1, &set);
	}
	struct scmp_arg_cmp none = SCMP_A0(SCMP_CMP_MASKED_EQ, all, 0);
	return r ? r : rule(ctx, SCMP_ACT_ALLOW, name, 1, &none);
}

static int default_rules(scmp_filter_ctx ctx, unsigned variant)
{
	const uint32_t allow = SCMP_ACT_ALLOW, eperm = SCMP_ACT_ERRNO(EPERM);
	bool admin = variant & SECCOMP_KEEPS_ADMIN;
	int r;
	if ((r = EACH(ctx, allow, allow_files)) < 0 || (r = EACH(ctx, allow, allow_waiting)) < 0 ||
	    (r = EACH(ctx, allow, allow_memory)) < 0 ||
	    (r = EACH(ctx, allow, allow_processes)) < 0 ||
	    (r = EACH(ctx, allow, allow_signals_time)) < 0 ||
	    (r = EACH(ctx, allow, allow_ipc)) < 0 || (r = EACH(ctx, eperm, deny_always)) < 0 ||
	    (r = EACH(ctx, admin ? allow : eperm, admin_only)) < 0 ||
	    (r = EACH(ctx, (variant & SECCOMP_KEEPS_PTRACE) ? allow : eperm, ptrace_only)) < 0 ||
	    (r = EACH(ctx, (variant & SECCOMP_KEEPS_NICE) ? allow : eperm, nice_only)) < 0)
		return r;
	if (admin) {
		if ((r = rule(ctx, allow, "clone", 0, NULL)) < 0 ||
		    (r = rule(ctx, allow, "clone3", 0, NULL)) < 0 ||
		    (r = rule(ctx, allow, "unshare", 0, NULL)) < 0)
			return r;
	} else {
		/* A new namespace hands the process a full set of capabilities there (a user
		 * namespace) or reaches the kernel's namespaced code as its root. clone3
		 * passes its flags in memory a filter cannot read: it is left to the default,
		 * ENOSYS, and the C library falls back to clone. */
		if ((r = namespaces_rules(ctx, "clone", N_CLONE_NS_FLAGS)) < 0 ||
		    (r = namespaces_rules(ctx, "unshare", sizeof(ns_flags) / sizeof(ns_flags[0]))) <
			0)
			return r;
	}
	/* Other personalities fall to the default, ENOSYS: libseccomp cannot say "none of
	 * these values" in one rule, and a rule without arguments would override these. */
	for (size_t i = 0; i < sizeof(personalities) / sizeof(personalities[0]); i++) {
		struct scmp_arg_cmp is = SCMP_A0(SCMP_CMP_EQ, personalities[i]);
		if ((r = rule(ctx, allow, "personality", 1, &is)) < 0)
			return r;
	}
	/* vsock reaches the hypervisor's host side: no container has business there. The
	 * EPERM rule goes first: libseccomp merges the two into one test. */
	struct scmp_arg_cmp vsock = SCMP_A0(SCMP_CMP_EQ, AF_VSOCK),
			    not_vsock = SCMP_A0(SCMP_CMP_NE, AF_VSOCK);
	if ((r = rule(ctx, eperm, "socket", 1, &vsock)) < 0)
		return r;
	if (rule_arch == SCMP_ARCH_X86) {
		/* i386's socketcall multiplexes the socket calls with their arguments in
		 * memory, out of the filter's reach: libseccomp writes the rule above as
		 * "socketcall(SYS_SOCKET): EPERM" (and a second rule for socket would clash
		 * with it), the other socket calls go through socketcall. An i386 program gets
		 * no sockets: fail closed. */
		struct scmp_arg_cmp other_call = SCMP_A0(SCMP_CMP_NE, SYS_SOCKET);
		return rule(ctx, allow, "socketcall", 1, &other_call);
	}
	return rule(ctx, allow, "socket", 1, &not_vsock);
	return 0;
}

/* Optimise the filter into a binary tree of system-call numbers: a call is found in about
 * log2(n) tests instead of one test per allowed call before it. */
int seccomp_policy_optimise(scmp_filter_ctx ctx)
{
	int r = seccomp_attr_set(ctx, SCMP_FLTATR_CTL_OPTIMIZE, 2);
	return r < 0 ? err_set(-r, "cannot ask libseccomp for a binary-tree filter") : 0;
}

/* One ABI's part of the default filter. */
static int default_for_abi(uint32_t arch, unsigned variant, scmp_filter_ctx *out)
{
	scmp_filter_ctx ctx = seccomp_init(SCMP_ACT_ERRNO(ENOSYS));
	if (!ctx)
		return err_set(ENOMEM, "seccomp_init failed");
	int r = 0;
	if (arch != seccomp_arch_native() &&
	    ((r = seccomp_arch_add(ctx, arch)) < 0 ||
	     (r = seccomp_arch_remove(ctx, seccomp_arch_native())) < 0))
		r = err_set(-r, "cannot make a seccomp filter for ABI %#x", arch);
	if (r == 0 && (r = seccomp_policy_optimise(ctx)) == 0) {
		rule_arch = arch;
		r = default_rules(ctx, variant);
		rule_arch = 0;
	}
	if (r < 0) {
		seccomp_release(ctx);
		return r;
	}
	*out = ctx;
	return 0;
}

int seccomp_policy_default(unsigned variant, scmp_filter_ctx *out)
{
	/* A 64-bit process can still make i386 (int 0x80) and x32 system calls: the filter
	 * covers those ABIs too, or they would be a way around every rule. */
	const uint32_t abis[] = {SCMP_ARCH_X86_64, SCMP_ARCH_X32, SCMP_ARCH_X86};
	scmp_filter_ctx ctx = NULL;
	int r = default_for_abi(abis[0], variant, &ctx);
	for (size_t i = 1; r == 0 && i < sizeof(abis) / sizeof(abis[0]); i++) {
		scmp_filter_ctx part;
		if ((r = default_for_abi(abis[i], variant, &part)) < 0)
			break;
		/* seccomp_merge takes part over, also when it fails */
		if ((r = seccomp_merge(ctx, part)) < 0)
			r = err_set(-r, "cannot merge the seccomp filter's ABIs");
	}
	if (r < 0) {
		if (ctx)
			seccomp_release(ctx);
		return r;
	}
	*out = ctx;
	return 0;
}

/* ---- PID 1's filter ----
 * The container's init only waits for signals (sigwaitinfo: rt_sigtimedwait), passes them
 * on (kill), reaps (wait4) and exits; it has pointed its stdio at /dev/null before (child.c,
 * confine_init) and writes one byte to release the command after. A process that code
 * injected into it would need for anything else is killed outright. */
static const char *const init_allowed[] = {
    "rt_sigtimedwait",
    "kill",
    "wait4",
    "exit_group",
    "exit",
    /* the kernel's own restart of an interrupted wait, and signal masks and returns */
    "restart_syscall",
    "rt_sigprocmask",
    "rt_sigreturn",
    /* the one byte that releases the command once PID 1 is confined (child.c) */
    "write",
    "close",
};

int seccomp_policy_init(scmp_filter_ctx *out)
{
	scmp_filter_ctx ctx = seccomp_init(SCMP_ACT_KILL_PROCESS);
	if (!ctx)
		return err_set(ENOMEM, "seccomp_init failed");
	/* No other ABI: an i386 or x32 call kills it too (the default action for an
	 * architecture the filter does not name is libseccomp's KILL, made KILL_PROCESS). */
	int r = seccomp_attr_set(ctx, SCMP_FLTATR_ACT_BADARCH, SCMP_ACT_KILL_PROCESS);
	if (r < 0)
		r = err_set(-r, "cannot set PID 1's filter's action for other ABIs");
	if (r == 0)
		r = EACH(ctx, SCMP_ACT_ALLOW, init_allowed);
	if (r < 0) {
		seccomp_release(ctx);
		return r;
	}
	*out = ctx;
	return 0;
}
