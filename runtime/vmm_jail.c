/* The VMM's jail: every shikumi-vmm that `shikumi vm` starts runs as a contained process, so
 * that a guest that breaks into the VMM (a bug in a device model that reads guest memory)
 * finds as little as Firecracker's jailer leaves it:
 *
 *   namespaces   fresh pid (the VMM is PID 1 of its own), mount, ipc, uts and net: the tap,
 *                handed in as an fd, is its only network
 *   root         an empty read-only tmpfs: /dev/kvm (a node of its own, the VMM's uid's) and
 *                /proc (its own pid namespace's processes only, subset=pid: the VMM reads
 *                /proc/self); the kernel, initramfs and disk are fds opened here, as root,
 *                and only if they are regular files
 *   credentials  a uid and gid of its own (VMM_JAIL_ID_BASE + shikumi's pid), no
 *                supplementary groups, no capabilities in any set (the bounding set emptied
 *                too), no_new_privs; no core dumps (they would hold guest memory), at most
 *                64 threads and 256 fds
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
#include "../common/parse.h"
#include "../common/proc.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <linux/kvm.h>
#include <linux/seccomp.h>
#include <linux/if_tun.h>
#include <poll.h>
#include <sched.h>
#include <seccomp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/capability.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#define JAIL_DIR "/tmp" /* where the new root is built: over it, in the jail's mount ns */

static scmp_filter_ctx build_filter(int exe_fd);

/* The VMM's group, below the one shikumi runs in, named as a container's (run-PID-START: the
 * next start's sweep removes it if this process is killed): memory.max the guest's RAM plus
 * the overhead, pids.max. Only where cgroup v2 has both controllers; elsewhere (v1 or hybrid
 * hosts) there is no group, and --help says so. */
static int make_group(struct vmm_jail *j, const char *memory)
{
	static char buf[1 << 18];
	char root[PATH_MAX], base[PATH_MAX], name[64];
	unsigned missing = 0;
	uint64_t ram = VMM_JAIL_DEFAULT_MEMORY;
	if (geteuid() != 0)
		return 0; /* no jail either: shikumi vm says that it needs root */
	if (memory && parse_size(memory, &ram) < 0)
		return 0; /* shikumi-vmm says why, with no group made */
	if (read_text_file("/proc/self/mountinfo", buf, sizeof(buf)) < 0 ||
	    cgroup_find_mount(buf, root, sizeof(root)) < 0 ||
	    read_text_file("/proc/self/cgroup", buf, sizeof(buf)) < 0 ||
	    cgroup_parse_self(buf, base, sizeof(base)) < 0 ||
	    cgroup_missing_controllers(root, base, CG_MEMORY | CG_PIDS, &missing) < 0 || missing)
		return 0;
	int r = cgroup_run_name(name, sizeof(name));
	if (r == 0)
		r = cgroup_create(root, base, name, CG_MEMORY | CG_PIDS, &j->cg);
	static struct cgroup_limits l;
	cgroup_limits_init(&l);
	l.memory_max = (int64_t)(ram + VMM_JAIL_MEMORY_OVERHEAD);
	l.pids_max = VMM_JAIL_PIDS;
	if (r == 0 && (r = cgroup_set_limits(&j->cg, &l)) < 0)
		cgroup_destroy(&j->cg);
	return r;
}

int vmm_jail_init(struct vmm_jail *j, const char *vmm, const char *memory)
{
	*j = (struct vmm_jail){.on = true, .exe_fd = -1, .cg.fd = -1};
	/* The VMM tells PVM by /sys/module, which its jail has not: told here (vmm_launch). */
	j->pvm = kvm_is_pvm();
	j->id = VMM_JAIL_ID_BASE + (unsigned)getpid();
	j->exe_fd = open(vmm, O_RDONLY | O_CLOEXEC);
	if (j->exe_fd < 0)
		return err_set(errno, "cannot open %s", vmm);
	/* The VMM's own filter, as BPF (libseccomp's), in a memfd it reads with --seccomp-fd. */
	scmp_filter_ctx own = build_filter(-1);
	int fd = own ? memfd_create("shikumi-vmm-seccomp", MFD_CLOEXEC) : -1;
	int r = fd < 0 ? -errno : seccomp_export_bpf(own, fd);
	if (own)
		seccomp_release(own);
	if (r == 0 && lseek(fd, 0, SEEK_SET) < 0)
		r = -errno;
	if (r < 0) {
		if (fd >= 0)
			close(fd);
		vmm_jail_close(j);
		return err_set(-r, "cannot make the VMM's seccomp filter");
	}
	j->fds[j->nfds++] = fd;
	snprintf(j->seccomp_arg, sizeof(j->seccomp_arg), "%d", fd);
	if ((r = make_group(j, memory)) < 0) {
		vmm_jail_close(j);
		return r;
	}
	return 0;
}

int vmm_jail_file(struct vmm_jail *j, const char *what, char **path, bool writable)
{
	if (j->nfds == VMM_JAIL_FILES)
		return err_set(0, "too many files for the VMM's jail");
	/* Looked at before it is opened (O_PATH opens nothing): opening a device node or a FIFO
	 * as root has effects of its own (a watchdog reboots, a tty becomes ours), and only a
	 * regular file goes to the VMM (found by review). Then opened through that same inode. */
	autoclose int at = open(*path, O_PATH | O_CLOEXEC);
	struct stat st;
	if (at < 0 || fstat(at, &st) < 0)
		return err_set(errno, "%s '%s'", what, *path);
	bool disk = !strcmp(what, "the disk");
	if (disk && S_ISDIR(st.st_mode))
		return err_set(0, "%s '%s' is a directory, not an image file", what, *path);
	if (!S_ISREG(st.st_mode))
		return err_set(0, "%s '%s' is not a regular file", what, *path);
	char link[FD_PATH_MAX];
	int fd = open(fd_path(at, link), (writable ? O_RDWR : O_RDONLY) | O_NOCTTY | O_CLOEXEC);
	if (fd < 0)
		return err_set(errno, "%s '%s'", what, *path);
	int i = j->nfds++;
	j->fds[i] = fd;
	snprintf(j->args[i], sizeof(j->args[i]), "/dev/fd/%d", fd);
	*path = j->args[i];
	return 0;
}

/* The files, once the VMM has its copies. */
static void close_files(struct vmm_jail *j)
{
	for (int i = 0; i < j->nfds; i++)
		close(j->fds[i]);
	j->nfds = 0;
	if (j->exe_fd >= 0)
		close(j->exe_fd);
	j->exe_fd = -1;
}

void vmm_jail_close(struct vmm_jail *j)
{
	close_files(j);
	if (j->cg.fd >= 0)
		cgroup_destroy(&j->cg);
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
    SCMP_SYS(sched_getaffinity), /* glibc's malloc, past 8 arenas */
    SCMP_SYS(time),		 /* the vDSO's fallbacks */
    SCMP_SYS(gettimeofday),
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

/* exe_fd >= 0: the jail's filter, which also lets this process exec shikumi-vmm from that fd
 * and load the VMM's own; -1: the VMM's own, which allows no exec and no other filter (the
 * VMM loads it first thing: --seccomp-fd). */
static scmp_filter_ctx build_filter(int exe_fd)
{
	scmp_filter_ctx ctx = seccomp_init(SCMP_ACT_KILL_PROCESS);
	if (!ctx)
		return NULL;
	/* A call of another architecture's (int 0x80) ends the process too, not one thread. */
	int r = seccomp_attr_set(ctx, SCMP_FLTATR_ACT_BADARCH, SCMP_ACT_KILL_PROCESS);
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
	/* The one exec: shikumi-vmm from its fd (its own binary, under this same filter), which
	 * then stacks its own filter, without this rule. */
	if (r == 0 && exe_fd >= 0)
		r = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(execveat), 2,
				     SCMP_A0(SCMP_CMP_EQ, (scmp_datum_t)exe_fd),
				     SCMP_A4(SCMP_CMP_EQ, AT_EMPTY_PATH));
	if (r == 0 && exe_fd >= 0)
		r = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(seccomp), 2,
				     SCMP_A0(SCMP_CMP_EQ, SECCOMP_SET_MODE_FILTER),
				     SCMP_A1(SCMP_CMP_EQ, 0));
	if (r < 0) {
		seccomp_release(ctx);
		errno = -r;
		return NULL;
	}
	return ctx;
}

/* The new root: an empty tmpfs with the VMM's own /dev/kvm and its pid namespace's /proc,
 * made read-only; the host's tree is detached. */
static int enter_root(unsigned id)
{
	struct stat kvm;
	/* No /dev/kvm: none in the jail either, and the VMM says so, once it has checked its
	 * arguments. */
	bool have_kvm = stat("/dev/kvm", &kvm) == 0;
	if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0)
		return err_set(errno, "jail: cannot make the mounts private");
	if (mount("shikumi-vmm", JAIL_DIR, "tmpfs", MS_NOSUID | MS_NOEXEC, "mode=0755,size=64k") <
	    0)
		return err_set(errno, "jail: cannot mount its root");
	if (mkdir(JAIL_DIR "/dev", 0755) < 0 || mkdir(JAIL_DIR "/proc", 0555) < 0)
		return err_set(errno, "jail: cannot make its directories");
	if (have_kvm && (mknod(JAIL_DIR "/dev/kvm", S_IFCHR | 0600, kvm.st_rdev) < 0 ||
			 chown(JAIL_DIR "/dev/kvm", id, id) < 0))
		return err_set(errno, "jail: cannot make its /dev/kvm");
	if (chdir(JAIL_DIR) < 0 || syscall(SYS_pivot_root, ".", ".") < 0 ||
	    umount2(".", MNT_DETACH) < 0 || chdir("/") < 0)
		return err_set(errno, "jail: cannot pivot_root into its root");
	if (mount("proc", "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC,
		  "subset=pid,hidepid=invisible") < 0)
		return err_set(errno, "jail: cannot mount its /proc");
	if (mount(NULL, "/", NULL, MS_REMOUNT | MS_BIND | MS_RDONLY | MS_NOSUID | MS_NOEXEC, NULL) <
	    0)
		return err_set(errno, "jail: cannot make its root read-only");
	if (sethostname("shikumi-vmm", 11) < 0)
		return err_set(errno, "jail: cannot name its uts namespace");
	return 0;
}

/* Its own uid and gid, no groups, no capabilities left in any set, no_new_privs, limits. */
static int drop_privileges(unsigned id)
{
	static const struct {
		int resource;
		rlim_t max;
	} limits[] = {{RLIMIT_CORE, 0}, {RLIMIT_NPROC, 64}, {RLIMIT_NOFILE, 256}};
	for (size_t i = 0; i < sizeof(limits) / sizeof(*limits); i++) {
		struct rlimit rl = {limits[i].max, limits[i].max};
		if (setrlimit(limits[i].resource, &rl) < 0)
			return err_set(errno, "jail: cannot set its resource limits");
	}
	for (cap_value_t c = 0; c < (cap_value_t)cap_max_bits(); c++)
		if (cap_drop_bound(c) < 0 && errno != EINVAL)
			return err_set(errno,
				       "jail: cannot drop capability %d from the bounding set", c);
	if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) < 0 && errno != EINVAL)
		return err_set(errno, "jail: cannot clear the ambient capabilities");
	if (setgroups(0, NULL) < 0 || setresgid(id, id, id) < 0 || setresuid(id, id, id) < 0)
		return err_set(errno, "jail: cannot become uid %u", id);
	/* Leaving uid 0 emptied the permitted and effective sets; the inheritable one is
	 * emptied here; all checked, not assumed. */
	cap_t none = cap_init();
	if (!none || cap_set_proc(none) < 0) {
		cap_free(none);
		return err_set(errno, "jail: cannot clear its capabilities");
	}
	cap_t caps = cap_get_proc();
	int same = caps ? cap_compare(caps, none) : -1;
	cap_free(caps);
	cap_free(none);
	if (same != 0)
		return err_set(0, "jail: capabilities are left after the change of uid");
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
		return err_set(errno, "jail: cannot set no_new_privs");
	return 0;
}

/* In the child, a new pid namespace's PID 1: never returns. `parent`: a pidfd of shikumi. */
static void jail_exec(struct vmm_jail *j, char **args, int parent)
{
	static char *const empty_env[] = {NULL};
	scmp_filter_ctx filter = build_filter(j->exe_fd);
	int r = filter ? 0 : err_set(errno, "jail: cannot build its seccomp filter");
	if (r == 0 && j->cg.fd >= 0)
		r = cgroup_attach(&j->cg, 0); /* 0: this process */
	if (r == 0)
		r = enter_root(j->id);
	if (r == 0)
		r = drop_privileges(j->id);
	/* The change of uid cleared the parent-death signal: set again, and the parent checked
	 * again (it may have died in between). */
	struct pollfd p = {.fd = parent, .events = POLLIN};
	if (r == 0 && (prctl(PR_SET_PDEATHSIG, SIGKILL) < 0 || poll(&p, 1, 0) != 0))
		_exit(125);
	close(parent);
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
	/* The terminal as it was, whatever the VMM left: one killed (by its filter, by a
	 * forwarded signal) leaves it raw, and a subverted one could leave any setting, or
	 * O_NONBLOCK on the stdin it shares with the shell (found by review). */
	struct termios tio;
	bool tty = isatty(STDIN_FILENO) && tcgetattr(STDIN_FILENO, &tio) == 0;
	int in_flags = fcntl(STDIN_FILENO, F_GETFL);
	/* The parent, for the child to check once it will die with it. */
	autoclose int parent = (int)syscall(SYS_pidfd_open, getpid(), 0);
	if (parent < 0) {
		int e = errno;
		vmm_jail_close(j);
		vm_net_teardown(net);
		return err_set(e, "cannot watch this process (pidfd_open)");
	}
	/* Blocked across the fork: the child execs with them pending and default, the parent
	 * forwards them once it knows the child's pid. */
	sigprocmask(SIG_BLOCK, &block, &old);
	long flags = SIGCHLD;
	if (j->on)
		flags |= CLONE_NEWPID | CLONE_NEWNS | CLONE_NEWIPC | CLONE_NEWUTS | CLONE_NEWNET;
	pid_t pid = (pid_t)syscall(SYS_clone, flags, NULL, NULL, NULL, NULL);
	if (pid < 0) {
		int e = errno;
		sigprocmask(SIG_SETMASK, &old, NULL);
		vmm_jail_close(j);
		vm_net_teardown(net);
		return err_set(e, "cannot start %s%s", args[0], j->on ? " in its jail" : "");
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
	close_files(j); /* the VMM's alone now */
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
	if (tty)
		tcsetattr(STDIN_FILENO, TCSANOW, &tio);
	if (in_flags >= 0)
		fcntl(STDIN_FILENO, F_SETFL, in_flags);
	vmm_jail_close(j); /* its group */
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
