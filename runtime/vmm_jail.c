/* The VMM's jail: every shikumi-vmm that `shikumi vm` starts runs as a contained process, so
 * that a guest that breaks into the VMM (a bug in a device model that reads guest memory)
 * finds as little as Firecracker's jailer leaves it:
 *
 *   namespaces   fresh pid (the VMM is PID 1 of its own), mount, ipc, uts and net: the tap,
 *                handed in as an fd, is its only network
 *   root         an empty read-only tmpfs: /dev/kvm (a node of its own, the VMM's uid's) and
 *                /proc (its own pid namespace's: the VMM reads /proc/self); the kernel,
 *                initramfs and disk are fds opened here, as root, before the jail closes
 *   credentials  uid and gid 65534 (nobody), no supplementary groups, no capabilities (the
 *                bounding set emptied too), no_new_privs
 *   seccomp      an allow-list of the system calls shikumi-vmm makes and the ioctls it
 *                issues (KVM's, the tap's, the terminal's), clone only for threads, anything
 *                else kills the process (SIGSYS, which shikumi reports)
 *
 * The VMM is exec'd from an fd of its binary opened before pivot_root (execveat, allowed by
 * the filter for that fd alone), so the binary is not in the jail either.
 *
 * What is not jailed yet: --snapshot and --from (the snapshot directory is read and written
 * by path), shikumi compare's VMs, and there is no cgroup of its own (memory and pids). */
#include "vmm_jail.h"

#include "../common/err.h"
#include "../common/fd.h"
#include "../common/kvm.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <linux/kvm.h>
#include <linux/if_tun.h>
#include <poll.h>
#include <sched.h>
#include <seccomp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/capability.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#define JAIL_DIR "/tmp" /* where the new root is built: over it, in the jail's mount ns */

int vmm_jail_init(struct vmm_jail *j, const char *vmm)
{
	*j = (struct vmm_jail){.on = true, .exe_fd = -1};
	/* What the VMM says of this machine's KVM, said here: the jail has no /sys. */
	if (access("/dev/kvm", F_OK) < 0 && errno == ENOENT)
		return err_set(0, "this machine offers no KVM (/dev/kvm is missing); "
				  "tests/testhost/run shows how to try it under emulation");
	if (kvm_is_pvm())
		return err_set(0, KVM_PVM_REASON "; --tiny runs here (shikumi-vmm --tiny), and "
						 "tests/testhost/run boots Linux under emulation");
	j->exe_fd = open(vmm, O_RDONLY | O_CLOEXEC);
	if (j->exe_fd < 0)
		return err_set(errno, "cannot open %s", vmm);
	return 0;
}

int vmm_jail_file(struct vmm_jail *j, const char *what, char **path, bool writable)
{
	if (j->nfds == VMM_JAIL_FILES)
		return err_set(0, "too many files for the VMM's jail");
	/* As the VMM would open it (no waiting on a FIFO); a directory is opened read-only so
	 * that the VMM's own check names it. */
	int fd = open(*path, (writable ? O_RDWR : O_RDONLY) | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0 && errno == EISDIR)
		fd = open(*path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return err_set(errno, "%s '%s'", what, *path);
	int flags = fcntl(fd, F_GETFL);
	if (flags >= 0)
		fcntl(fd, F_SETFL, flags & ~O_NONBLOCK);
	int i = j->nfds++;
	j->fds[i] = fd;
	snprintf(j->args[i], sizeof(j->args[i]), "/dev/fd/%d", fd);
	*path = j->args[i];
	return 0;
}

void vmm_jail_close(struct vmm_jail *j)
{
	for (int i = 0; i < j->nfds; i++)
		close(j->fds[i]);
	j->nfds = 0;
	if (j->exe_fd >= 0)
		close(j->exe_fd);
	j->exe_fd = -1;
}

/* ---- inside the jail (the child, before its exec) ---- */

/* The system calls shikumi-vmm makes (strace -f of boots with an initramfs, a disk, a tap and
 * two vCPUs, plus what glibc's start-up, threads and error paths call). */
static const int allowed[] = {
    SCMP_SYS(read),
    SCMP_SYS(write),
    SCMP_SYS(readv),
    SCMP_SYS(writev),
    SCMP_SYS(pread64),
    SCMP_SYS(pwrite64),
    SCMP_SYS(close),
    SCMP_SYS(close_range),
    SCMP_SYS(openat),
    SCMP_SYS(newfstatat),
    SCMP_SYS(fstat),
    SCMP_SYS(lseek),
    SCMP_SYS(readlink),
    SCMP_SYS(access),
    SCMP_SYS(fcntl),
    SCMP_SYS(flock),
    SCMP_SYS(fsync),
    SCMP_SYS(fdatasync),
    SCMP_SYS(mmap),
    SCMP_SYS(munmap),
    SCMP_SYS(mprotect),
    SCMP_SYS(madvise),
    SCMP_SYS(brk),
    SCMP_SYS(futex),
    SCMP_SYS(set_robust_list),
    SCMP_SYS(rseq),
    SCMP_SYS(set_tid_address),
    SCMP_SYS(arch_prctl),
    SCMP_SYS(prlimit64),
    SCMP_SYS(getrandom),
    SCMP_SYS(clock_gettime),
    SCMP_SYS(clock_nanosleep),
    SCMP_SYS(nanosleep),
    SCMP_SYS(poll),
    SCMP_SYS(ppoll),
    SCMP_SYS(eventfd2),
    SCMP_SYS(rt_sigaction),
    SCMP_SYS(rt_sigprocmask),
    SCMP_SYS(rt_sigreturn),
    SCMP_SYS(restart_syscall),
    SCMP_SYS(tgkill),
    SCMP_SYS(getpid),
    SCMP_SYS(gettid),
    SCMP_SYS(sched_yield),
    SCMP_SYS(sysinfo),
    SCMP_SYS(exit),
    SCMP_SYS(exit_group),
};

/* Its ioctls: KVM's (vmm/), the tap's (virtio_net.c), the terminal's (the console). */
static const unsigned long allowed_ioctls[] = {
    KVM_GET_API_VERSION,
    KVM_CREATE_VM,
    KVM_CHECK_EXTENSION,
    KVM_GET_VCPU_MMAP_SIZE,
    KVM_GET_SUPPORTED_CPUID,
    KVM_GET_MSR_INDEX_LIST,
    KVM_CREATE_VCPU,
    KVM_CREATE_IRQCHIP,
    KVM_CREATE_PIT2,
    KVM_SET_TSS_ADDR,
    KVM_SET_IDENTITY_MAP_ADDR,
    KVM_SET_USER_MEMORY_REGION,
    KVM_IRQ_LINE,
    KVM_GET_CLOCK,
    KVM_SET_CLOCK,
    KVM_GET_IRQCHIP,
    KVM_SET_IRQCHIP,
    KVM_GET_PIT2,
    KVM_SET_PIT2,
    KVM_RUN,
    KVM_GET_REGS,
    KVM_SET_REGS,
    KVM_GET_SREGS,
    KVM_SET_SREGS,
    KVM_GET_MSRS,
    KVM_SET_MSRS,
    KVM_SET_CPUID2,
    KVM_GET_LAPIC,
    KVM_SET_LAPIC,
    KVM_GET_MP_STATE,
    KVM_SET_MP_STATE,
    KVM_GET_VCPU_EVENTS,
    KVM_SET_VCPU_EVENTS,
    KVM_GET_DEBUGREGS,
    KVM_SET_DEBUGREGS,
    KVM_GET_XCRS,
    KVM_SET_XCRS,
    KVM_GET_XSAVE,
    KVM_GET_XSAVE2,
    KVM_SET_XSAVE,
    KVM_GET_TSC_KHZ,
    KVM_KVMCLOCK_CTRL,
    TUNGETIFF,
    TUNSETOFFLOAD,
    TUNSETVNETHDRSZ,
    TCGETS,
    TCSETS,
    TCSETSW,
    TCSETSF,
    TIOCGWINSZ,
};

static scmp_filter_ctx build_filter(int exe_fd)
{
	scmp_filter_ctx ctx = seccomp_init(SCMP_ACT_KILL_PROCESS);
	if (!ctx)
		return NULL;
	int r = 0;
	for (size_t i = 0; r == 0 && i < sizeof(allowed) / sizeof(*allowed); i++)
		r = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, allowed[i], 0);
	for (size_t i = 0; r == 0 && i < sizeof(allowed_ioctls) / sizeof(*allowed_ioctls); i++)
		r = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(ioctl), 1,
				     SCMP_A1(SCMP_CMP_EQ, allowed_ioctls[i]));
	/* Threads, not processes: clone with CLONE_THREAD; clone3, whose flags a filter cannot
	 * see, answers ENOSYS, and glibc falls back to clone. */
	if (r == 0)
		r = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(clone), 1,
				     SCMP_A0(SCMP_CMP_MASKED_EQ, CLONE_THREAD, CLONE_THREAD));
	if (r == 0)
		r = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(ENOSYS), SCMP_SYS(clone3), 0);
	/* The one exec: shikumi-vmm from its fd (its own binary, under this same filter). */
	if (r == 0)
		r = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(execveat), 2,
				     SCMP_A0(SCMP_CMP_EQ, (scmp_datum_t)exe_fd),
				     SCMP_A4(SCMP_CMP_EQ, AT_EMPTY_PATH));
	if (r < 0) {
		seccomp_release(ctx);
		errno = -r;
		return NULL;
	}
	return ctx;
}

/* The new root: an empty tmpfs with the VMM's own /dev/kvm and its pid namespace's /proc,
 * made read-only; the host's tree is detached. */
static int enter_root(void)
{
	struct stat kvm;
	if (stat("/dev/kvm", &kvm) < 0)
		return err_set(errno, "jail: /dev/kvm");
	if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0)
		return err_set(errno, "jail: cannot make the mounts private");
	if (mount("shikumi-vmm", JAIL_DIR, "tmpfs", MS_NOSUID | MS_NOEXEC, "mode=0755,size=64k") <
	    0)
		return err_set(errno, "jail: cannot mount its root");
	if (mkdir(JAIL_DIR "/dev", 0755) < 0 || mkdir(JAIL_DIR "/proc", 0555) < 0)
		return err_set(errno, "jail: cannot make its directories");
	if (mknod(JAIL_DIR "/dev/kvm", S_IFCHR | 0600, kvm.st_rdev) < 0 ||
	    chown(JAIL_DIR "/dev/kvm", VMM_JAIL_UID, VMM_JAIL_GID) < 0)
		return err_set(errno, "jail: cannot make its /dev/kvm");
	if (chdir(JAIL_DIR) < 0 || syscall(SYS_pivot_root, ".", ".") < 0 ||
	    umount2(".", MNT_DETACH) < 0 || chdir("/") < 0)
		return err_set(errno, "jail: cannot pivot_root into its root");
	if (mount("proc", "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL) < 0)
		return err_set(errno, "jail: cannot mount its /proc");
	if (mount(NULL, "/", NULL, MS_REMOUNT | MS_BIND | MS_RDONLY | MS_NOSUID | MS_NOEXEC, NULL) <
	    0)
		return err_set(errno, "jail: cannot make its root read-only");
	return 0;
}

/* uid and gid 65534, no groups, no capabilities left in any set, no_new_privs. */
static int drop_privileges(void)
{
	for (cap_value_t c = 0; c <= CAP_LAST_CAP; c++)
		if (cap_drop_bound(c) < 0 && errno != EINVAL)
			return err_set(errno,
				       "jail: cannot drop capability %d from the bounding set", c);
	if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) < 0 && errno != EINVAL)
		return err_set(errno, "jail: cannot clear the ambient capabilities");
	if (setgroups(0, NULL) < 0 || setresgid(VMM_JAIL_GID, VMM_JAIL_GID, VMM_JAIL_GID) < 0 ||
	    setresuid(VMM_JAIL_UID, VMM_JAIL_UID, VMM_JAIL_UID) < 0)
		return err_set(errno, "jail: cannot become uid %d", VMM_JAIL_UID);
	/* Leaving uid 0 emptied the permitted and effective sets; checked, not assumed. */
	cap_t caps = cap_get_proc();
	cap_t none = cap_init();
	int same = caps && none ? cap_compare(caps, none) : -1;
	cap_free(caps);
	cap_free(none);
	if (same != 0)
		return err_set(0, "jail: capabilities are left after the change of uid");
	/* Its own /proc/self stays its own (a change of uid made it root's). */
	if (prctl(PR_SET_DUMPABLE, 1, 0, 0, 0) < 0 || prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
		return err_set(errno, "jail: cannot set no_new_privs");
	return 0;
}

/* In the child, a new pid namespace's PID 1: never returns. `parent`: a pidfd of shikumi. */
static void jail_exec(struct vmm_jail *j, char **args, int parent)
{
	static char *const empty_env[] = {NULL};
	scmp_filter_ctx filter = build_filter(j->exe_fd);
	int r = filter ? 0 : err_set(errno, "jail: cannot build its seccomp filter");
	if (r == 0)
		r = enter_root();
	if (r == 0)
		r = drop_privileges();
	/* The change of uid cleared the parent-death signal: set again, and the parent checked
	 * again (it may have died in between). */
	struct pollfd p = {.fd = parent, .events = POLLIN};
	if (r == 0 && (prctl(PR_SET_PDEATHSIG, SIGKILL) < 0 || poll(&p, 1, 0) != 0))
		_exit(125);
	close(parent);
	if (r == 0)
		sethostname("shikumi-vmm", 11);
	/* Only the files handed over cross the exec; the binary's fd goes with it. */
	for (int i = 0; r == 0 && i < j->nfds; i++)
		if (fcntl(j->fds[i], F_SETFD, 0) < 0)
			r = err_set(errno, "jail: cannot pass the VMM its files");
	if (r == 0 && (r = seccomp_load(filter)) < 0)
		err_set(-r, "jail: cannot load its seccomp filter");
	if (r == 0) {
		syscall(SYS_execveat, j->exe_fd, "", args, empty_env, AT_EMPTY_PATH);
		err_set(errno, "cannot run %s", args[0]);
	}
	fprintf(stderr, "shikumi: %s\n", err_msg());
	_exit(125);
}

/* ---- the parent ---- */

static volatile sig_atomic_t vmm_pid, forwarded, jailed;

/* A jailed VMM is PID 1 of its namespace, which takes from outside only the signals it
 * handles, and SIGKILL: it gets SIGKILL, and the status reports the signal that was sent. */
static void forward(int sig)
{
	if (vmm_pid > 0) {
		forwarded = sig;
		kill(vmm_pid, jailed ? SIGKILL : sig);
	}
}

int vmm_launch(char **args, struct vm_net *net, struct vmm_jail *j, bool timing)
{
	static const int sigs[] = {SIGINT, SIGTERM, SIGHUP, SIGQUIT};
	sigset_t block, old;
	sigemptyset(&block);
	for (size_t i = 0; i < sizeof(sigs) / sizeof(*sigs); i++)
		sigaddset(&block, sigs[i]);
	/* The terminal as it was: a VMM killed (by its filter, by a forwarded signal) leaves
	 * it raw. */
	struct termios tio;
	bool tty = isatty(STDIN_FILENO) && tcgetattr(STDIN_FILENO, &tio) == 0;
	/* The parent, for the child to check once it will die with it. */
	autoclose int parent = (int)syscall(SYS_pidfd_open, getpid(), 0);
	if (parent < 0) {
		vm_net_teardown(net);
		return err_set(errno, "cannot watch this process (pidfd_open)");
	}
	/* Blocked across the fork: the child execs with them pending and default, the parent
	 * forwards them once it knows the child's pid. */
	sigprocmask(SIG_BLOCK, &block, &old);
	long flags = SIGCHLD;
	if (j->on)
		flags |= CLONE_NEWPID | CLONE_NEWNS | CLONE_NEWIPC | CLONE_NEWUTS | CLONE_NEWNET;
	pid_t pid = (pid_t)syscall(SYS_clone, flags, NULL, NULL, NULL, NULL);
	if (pid < 0) {
		err_set(errno, "cannot start %s%s", args[0], j->on ? " in its jail" : "");
		sigprocmask(SIG_SETMASK, &old, NULL);
		vm_net_teardown(net);
		return -1;
	}
	if (pid == 0) {
		/* The VMM dies with its parent, and the tap with the VMM: a `shikumi vm` killed
		 * with SIGKILL leaves only a lease whose owner is gone, which the next start
		 * takes back. */
		struct pollfd p = {.fd = parent, .events = POLLIN};
		if (prctl(PR_SET_PDEATHSIG, SIGKILL) < 0 || poll(&p, 1, 0) != 0)
			_exit(125);
		if (net->on && fcntl(net->tap_fd, F_SETFD, 0) < 0) /* crosses the exec */
			_exit(125);
		sigprocmask(SIG_SETMASK, &old, NULL);
		if (j->on)
			jail_exec(j, args, parent);
		close(parent);
		execv(args[0], args);
		fprintf(stderr, "shikumi: cannot run %s: %s\n", args[0], strerror(errno));
		_exit(125);
	}
	vmm_pid = pid;
	jailed = j->on;
	vmm_jail_close(j); /* the VMM's alone now */
	if (net->on) {
		close(net->tap_fd); /* ... and its exit removes the tap */
		net->tap_fd = -1;
	}
	struct sigaction sa = {.sa_handler = forward};
	sigemptyset(&sa.sa_mask);
	for (size_t i = 0; i < sizeof(sigs) / sizeof(*sigs); i++)
		sigaction(sigs[i], &sa, NULL);
	sigprocmask(SIG_SETMASK, &old, NULL);
	int status = 0;
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	vmm_pid = 0;
	if (tty && WIFSIGNALED(status))
		tcsetattr(STDIN_FILENO, TCSANOW, &tio);
	vm_net_teardown(net);
	if (timing && net->on)
		vm_net_print_timing(net);
	if (WIFEXITED(status))
		return WEXITSTATUS(status);
	int sig = WTERMSIG(status);
	if (sig == SIGKILL && forwarded)
		sig = forwarded;
	else if (sig == SIGSYS && j->on)
		fprintf(
		    stderr,
		    "shikumi: the VMM was killed by its jail's seccomp filter (SIGSYS): it made "
		    "a system call that shikumi-vmm never needs\n");
	return 128 + sig;
}
