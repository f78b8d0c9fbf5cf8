/* sysprobe CALL: makes one system call a container should not be able to make, with
 * arguments that cannot harm the machine even when it is allowed (bad flags, null
 * pointers, a reboot command a pid namespace refuses). Prints "allowed" when the kernel got
 * past its permission checks, or "denied: <errno>" when it did not; exits 0 or 1 likewise.
 * CALL: kexec module bpf keyctl keyctl32 perf ptrace userns reboot settime
 * keyctl32 makes keyctl through the i386 entry (int 0x80) from this 64-bit process: a filter
 * that covered only the x86-64 ABI would let it through. */
#include <errno.h>
#include <linux/bpf.h>
#include <linux/keyctl.h>
#include <linux/reboot.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/ptrace.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <unistd.h>

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
	if (argc != 2) {
		fprintf(stderr,
			"usage: sysprobe "
			"kexec|module|bpf|keyctl|keyctl32|perf|ptrace|userns|reboot|settime\n");
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
	else if (!strcmp(c, "keyctl32")) {
		long ret; /* i386: eax = 288 (keyctl), ebx, ecx, edx = the arguments */
		signal(SIGSEGV, no_i386_entry);
		__asm__ volatile("int $0x80"
				 : "=a"(ret)
				 : "a"(288L), "b"(KEYCTL_GET_KEYRING_ID),
				   "c"(KEY_SPEC_SESSION_KEYRING), "d"(0)
				 : "memory");
		r = ret < 0 ? (errno = (int)-ret, -1) : ret;
	} else if (!strcmp(c, "perf"))
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
		printf("denied: %s\n", strerror(errno));
		return 1;
	}
	printf("allowed\n");
	return 0;
}
