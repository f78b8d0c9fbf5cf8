/* sysprobe CALL: makes one system call a container should not be able to make, with
 * arguments that cannot harm the machine even when it is allowed (bad flags, null
 * pointers, a reboot command a pid namespace refuses). Prints "allowed" when the kernel got
 * past its permission checks, or "denied: <errno>" when it did not; exits 0 or 1 likewise.
 * A refusal names its errno ("denied: Operation not permitted (EPERM)"), so that a test can
 * tell seccomp's explicit EPERM from the ENOSYS an allow-list answers for what it does not know.
 * CALL: kexec module bpf keyctl keyctl32 keyctlx32 perf ptrace userns reboot settime
 *       iouring iouring32 pidfd_getfd kcmp personality move_pages mbind vsock
 *       name_to_handle nosys nosys32 newcall
 * keyctl32 makes keyctl through the i386 entry (int 0x80) from this 64-bit process, keyctlx32
 * through the x32 one (the number with bit 30 set): a filter that covered only the x86-64 ABI
 * would let them through. A kernel built without x32 answers ENOSYS there, a filter EPERM.
 * sysprobe getppid-loop|personality-loop N: N calls, prints the nanoseconds one took (the
 * cost of the filter on a system call). */
#include <errno.h>
#include <fcntl.h>
#include <linux/bpf.h>
#include <linux/io_uring.h>
#include <linux/kcmp.h>
#include <linux/keyctl.h>
#include <linux/reboot.h>
#include <sched.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/personality.h>
#include <sys/ptrace.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#ifndef AF_VSOCK
#define AF_VSOCK 40
#endif
/* The x32 ABI's numbers are x86-64's with this bit set. */
#define X32_BIT 0x40000000L
/* Never allocated on x86-64 or i386 (x86-64 jumps from 334 to 424, i386 from 386 to 393): the
 * kernel answers ENOSYS, and so must a filter that does not know it. */
#define NR_UNALLOCATED 390
/* mseal (Linux 6.10): newer than libseccomp 2.5 and than any list written before it, the
 * kind of call a deny-list lets through. */
#define NR_MSEAL 462

/* int 0x80 with up to three arguments: the i386 entry, from this 64-bit process. */
static long i386_call(long nr, long a, long b, long c)
{
	long ret;
	__asm__ volatile("int $0x80" : "=a"(ret) : "a"(nr), "b"(a), "c"(b), "d"(c) : "memory");
	return ret < 0 ? (errno = (int)-ret, -1) : ret;
}

/* N calls, timed: getppid, which the kernel's seccomp cache (Linux 5.11) lets past a filter
 * that always allows it without running it, or personality(0xffffffff), the query, which a
 * filter on its argument has to run for every call. */
static int call_loop(const char *which, const char *count)
{
	long n = atol(count);
	bool query = !strcmp(which, "personality-loop");
	struct timespec a, b;
	clock_gettime(CLOCK_MONOTONIC, &a);
	for (long i = 0; i < n; i++)
		query ? syscall(SYS_personality, 0xffffffffUL) : syscall(SYS_getppid);
	clock_gettime(CLOCK_MONOTONIC, &b);
	double ns = (double)(b.tv_sec - a.tv_sec) * 1e9 + (double)(b.tv_nsec - a.tv_nsec);
	printf("%.1f ns per %s\n", n > 0 ? ns / (double)n : 0, query ? "personality" : "getppid");
	return 0;
}

/* A kernel without the i386 entry (no IA32 emulation, or ia32_emulation=0) answers int 0x80
 * with SIGSEGV: the call did not get in. */
static void no_i386_entry(int sig)
{
	(void)sig;
	static const char msg[] = "denied: this kernel has no i386 entry\n";
	if (write(STDOUT_FILENO, msg, sizeof(msg) - 1) < 0)
		_exit(1);
	_exit(1);
}

int main(int argc, char **argv)
{
	if (argc == 3 && (!strcmp(argv[1], "getppid-loop") || !strcmp(argv[1], "personality-loop")))
		return call_loop(argv[1], argv[2]);
	if (argc != 2) {
		fprintf(stderr, "usage: sysprobe CALL (see the source for the list)\n");
		return 2;
	}
	const char *c = argv[1];
	long r;
	union bpf_attr attr;
	memset(&attr, 0, sizeof(attr));
	if (!strcmp(c, "kexec"))
		r = syscall(SYS_kexec_load, 0, 0, NULL, 0xdead0000UL); /* bad flags: EINVAL */
	else if (!strcmp(c, "module"))
		r = syscall(SYS_init_module, NULL, 0, ""); /* no image: EFAULT/ENOEXEC */
	else if (!strcmp(c, "bpf"))
		r = syscall(SYS_bpf, BPF_PROG_LOAD, &attr, sizeof(attr)); /* empty: EINVAL */
	else if (!strcmp(c, "keyctl"))
		r = syscall(SYS_keyctl, KEYCTL_GET_KEYRING_ID, KEY_SPEC_SESSION_KEYRING, 0);
	else if (!strcmp(c, "keyctl32")) { /* i386: keyctl is 288 */
		signal(SIGSEGV, no_i386_entry);
		r = i386_call(288, KEYCTL_GET_KEYRING_ID, KEY_SPEC_SESSION_KEYRING, 0);
	} else if (!strcmp(c, "keyctlx32"))
		r = syscall(X32_BIT | SYS_keyctl, KEYCTL_GET_KEYRING_ID, KEY_SPEC_SESSION_KEYRING,
			    0);
	else if (!strcmp(c, "iouring")) { /* a ring of one entry: a new fd when allowed */
		struct io_uring_params p;
		memset(&p, 0, sizeof(p));
		r = syscall(SYS_io_uring_setup, 1, &p);
	} else if (!strcmp(c, "iouring32")) { /* i386: io_uring_setup is 425 there too */
		struct io_uring_params p;
		memset(&p, 0, sizeof(p));
		signal(SIGSEGV, no_i386_entry);
		/* A stack address above 4 GiB cannot reach an i386 call: pass no params, the
		 * kernel's EFAULT is past the filter just as well. */
		r = i386_call(425, 1, 0, 0);
	} else if (!strcmp(c, "pidfd_getfd")) {
		/* PID 1's fd 0, stolen: what a container must not do to its init. */
		int pidfd = (int)syscall(SYS_pidfd_open, 1, 0);
		r = pidfd < 0 ? -1 : syscall(SYS_pidfd_getfd, pidfd, 0, 0);
	} else if (!strcmp(c, "kcmp")) /* are we sharing our address space with ourselves? */
		r = syscall(SYS_kcmp, getpid(), getpid(), KCMP_VM, 0, 0);
	else if (!strcmp(c, "personality")) /* executable stacks, no ASLR: for exploits */
		r = personality(READ_IMPLIES_EXEC | ADDR_NO_RANDOMIZE);
	else if (!strcmp(c, "modify_ldt")) { /* read the (empty) LDT: 0 when allowed */
		char ldt[16];
		r = syscall(SYS_modify_ldt, 0, ldt, sizeof(ldt));
	} else if (!strcmp(c, "move_pages")) /* no pages: returns 0 when allowed */
		r = syscall(SYS_move_pages, 0, 0, NULL, NULL, NULL, 0);
	else if (!strcmp(c, "mbind")) /* no range, default policy: 0 when allowed */
		r = syscall(SYS_mbind, NULL, 0, 0, NULL, 0, 0);
	else if (!strcmp(c, "vsock")) /* EAFNOSUPPORT without the module: still let in */
		r = socket(AF_VSOCK, SOCK_STREAM, 0);
	else if (!strcmp(c, "name_to_handle")) {
		/* A handle of 0 bytes: EOVERFLOW, past the filter, when allowed. */
		struct file_handle fh = {.handle_bytes = 0};
		int mnt;
		r = syscall(SYS_name_to_handle_at, AT_FDCWD, "/", &fh, &mnt, 0);
	} else if (!strcmp(c, "nosys"))
		r = syscall(NR_UNALLOCATED);
	else if (!strcmp(c, "nosys32")) {
		signal(SIGSEGV, no_i386_entry);
		r = i386_call(NR_UNALLOCATED, 0, 0, 0);
	} else if (!strcmp(c, "newcall")) /* mseal(0, 0, 0): nothing to seal, 0 when allowed */
		r = syscall(NR_MSEAL, 0, 0, 0);
	else if (!strcmp(c, "perf"))
		r = syscall(SYS_perf_event_open, NULL, 0, -1, -1, 0); /* no attr: EFAULT */
	else if (!strcmp(c, "ptrace"))
		r = ptrace(PTRACE_SEIZE, 1, NULL, NULL); /* ends when we exit */
	else if (!strcmp(c, "userns"))
		r = unshare(CLONE_NEWUSER);
	else if (!strcmp(c, "reboot")) /* CAD_OFF: refused in any pid namespace but the host's */
		r = syscall(SYS_reboot, LINUX_REBOOT_MAGIC1, LINUX_REBOOT_MAGIC2,
			    LINUX_REBOOT_CMD_CAD_OFF, NULL);
	else if (!strcmp(c, "settime")) {
		/* The permission check (CAP_SYS_TIME in the host's user namespace) comes before
		 * the check of this impossible time zone: EINVAL means it was let in. */
		struct timezone tz = {.tz_minuteswest = 100000};
		r = settimeofday(NULL, &tz);
	} else {
		fprintf(stderr, "sysprobe: unknown call '%s'\n", c);
		return 2;
	}
	/* EPERM (seccomp, or a missing capability) and ENOSYS mean "not let in"; any other
	 * error came from past the permission checks. */
	if (r < 0 && (errno == EPERM || errno == ENOSYS || errno == EACCES)) {
		printf("denied: %s (%s)\n", strerror(errno), strerrorname_np(errno));
		return 1;
	}
	printf("allowed\n");
	return 0;
}
