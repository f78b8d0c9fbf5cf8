/* The supervisor as a kernel (README, "System calls answered in user space"). What the
 * attacker is: root in the container, with as many threads as it likes, making the calls we
 * answer with arguments that point anywhere and change while we look at them. So:
 * - the caller's memory is read once, into our own buffer, and every decision is made on that
 *   copy (a path is never read twice: a racing thread cannot show us one and the answer
 *   another); after each read of it, SECCOMP_IOCTL_NOTIF_ID_VALID says the caller still is the
 *   one that made the call (its pid may otherwise be someone else's by now);
 * - reads and writes are bounded (a path no longer than our longest name is not ours), go
 *   through process_vm_readv/writev, which fail on memory that is not mapped or writable as
 *   the kernel's own copy would;
 * - nothing the container names is ever opened by us: what it gets from us is text we made,
 *   in a sealed memfd it can only read;
 * - nothing here waits on the container: the listener is read only when poll says it holds a
 *   notification, and one whose caller was killed since is an ENOENT we skip. */
#include "usernotif.h"

#include "../cgroup/cgroup.h"
#include "../common/err.h"
#include "../common/fd.h"
#include "../common/timing.h"
#include "reexec.h"
#include "seccomp_load.h"
#include "sync.h"

#include <fcntl.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <sched.h>
#include <linux/seccomp.h>
#include <seccomp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <sys/sysinfo.h>
#include <sys/uio.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#ifndef SECCOMP_ADDFD_FLAG_SEND
#define SECCOMP_ADDFD_FLAG_SEND (1UL << 1)
#endif

bool usernotif_available(void)
{
	uint32_t action = SECCOMP_RET_USER_NOTIF;
	return syscall(SYS_seccomp, SECCOMP_GET_ACTION_AVAIL, 0, &action) == 0;
}

int usernotif_install(int sock, bool answer, bool trace)
{
	static const int calls[] = {SCMP_SYS(uname), SCMP_SYS(sysinfo), SCMP_SYS(open),
				    SCMP_SYS(openat)};
	/* --trace=summary: every call is the supervisor's to see; but for the one that hands
	 * it the listener (sendmsg on the sync socket, which is gone at exec). */
	scmp_filter_ctx ctx = seccomp_init(trace ? SCMP_ACT_NOTIFY : SCMP_ACT_ALLOW);
	if (!ctx)
		return err_set(ENOMEM, "cannot make the user-notification filter");
	/* no_new_privs is the caller's business (set already, or --privileged's CAP_SYS_ADMIN).
	 * Another ABI (i386, x32) is not ours to answer: the allow-list decides on it. */
	int r = seccomp_attr_set(ctx, SCMP_FLTATR_CTL_NNP, 0);
	if (r == 0)
		r = seccomp_attr_set(ctx, SCMP_FLTATR_ACT_BADARCH, SCMP_ACT_ALLOW);
	for (size_t i = 0; r == 0 && answer && !trace && i < sizeof(calls) / sizeof(*calls); i++)
		r = seccomp_rule_add(ctx, SCMP_ACT_NOTIFY, calls[i], 0);
	if (r == 0 && trace)
		r = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(sendmsg), 1,
				     SCMP_A0(SCMP_CMP_EQ, (scmp_datum_t)sock));
	if (r < 0) {
		seccomp_release(ctx);
		return err_set(-r, "cannot make the user-notification filter");
	}
	unsigned char *bpf;
	size_t len;
	if ((r = seccomp_export_ctx(ctx, "for --syscalls=user", &bpf, &len)) < 0)
		return r;
	struct sock_fprog prog = {.len = (unsigned short)(len / sizeof(struct sock_filter)),
				  .filter = (struct sock_filter *)bpf};
	/* From here until the listener is sent, with --trace=summary, any other system call
	 * would wait for a supervisor that cannot see it yet: nothing but the sendmsg. The
	 * kernel makes the listener close-on-exec. */
	int fd = (int)syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER,
			      SECCOMP_FILTER_FLAG_NEW_LISTENER, &prog);
	if (fd < 0) {
		r = err_set(errno, "cannot load the user-notification filter");
		free(bpf);
		return r;
	}
	struct sync_msg m = {.type = SYNC_NOTIFY};
	r = sync_send(sock, &m, fd);
	free(bpf);
	close(fd);
	return r < 0 ? err_set(-r, "cannot pass the seccomp listener to the runtime") : 0;
}

int usernotif_start(struct usernotif *u, int listener)
{
	if (seccomp_notify_alloc(&u->req, &u->resp) < 0) {
		close(listener);
		return err_set(ENOMEM, "cannot allocate the notification buffers");
	}
	u->fd = listener;
	return 0;
}

void usernotif_stop(struct usernotif *u)
{
	if (u->fd >= 0)
		close(u->fd);
	u->fd = -1;
	if (u->req)
		seccomp_notify_free(u->req, u->resp);
	u->req = NULL;
	u->resp = NULL;
}

/* ---- the caller's memory ---- */

/* Reads up to n bytes at addr in pid, as far as it is mapped: the range is split at the page
 * boundary (process_vm_readv does not split an iovec element), so a path at the very end of a
 * mapping is read up to there. Returns the bytes read, or -1. */
static ssize_t peek(pid_t pid, uint64_t addr, char *buf, size_t n)
{
	const uint64_t page = 4096;
	uint64_t first = page - (addr % page);
	struct iovec local = {.iov_base = buf, .iov_len = n};
	struct iovec remote[2] = {
	    {.iov_base = (void *)(uintptr_t)addr, .iov_len = first < n ? first : n},
	    {.iov_base = (void *)(uintptr_t)(addr + first), .iov_len = first < n ? n - first : 0}};
	return process_vm_readv(pid, &local, 1, remote, remote[1].iov_len ? 2 : 1, 0);
}

static bool still_valid(const struct usernotif *u)
{
	return seccomp_notify_id_valid(u->fd, u->req->id) == 0;
}

/* ---- answers ---- */

static void respond(struct usernotif *u, int64_t val, int error, uint32_t flags)
{
	u->resp->id = u->req->id;
	u->resp->val = val;
	u->resp->error = error;
	u->resp->flags = flags;
	/* ENOENT: the caller was killed meanwhile; nothing to answer. */
	seccomp_notify_respond(u->fd, u->resp);
}

/* Lets the kernel run the call as if nobody had looked. Safe only because nothing we decide
 * here is a permission: the kernel reads the arguments again, and a racing thread can change
 * them in between, so it gets whatever the kernel gives for its new arguments, which is what
 * it would have got without us (README says it at length). */
static void pass(struct usernotif *u)
{
	u->continued++;
	respond(u, 0, 0, SECCOMP_USER_NOTIF_FLAG_CONTINUE);
}

/* Copies our answer into the caller's buffer at args[0], as the kernel's copy_to_user would:
 * EFAULT where it is not mapped writable. Valid before: the pid is still the caller's; valid
 * after: it was all along (a caller blocked in its system call cannot end and come back). */
static void answer_with(struct usernotif *u, const void *buf, size_t len)
{
	if (!still_valid(u))
		return;
	struct iovec local = {.iov_base = (void *)buf, .iov_len = len};
	struct iovec remote = {.iov_base = (void *)(uintptr_t)u->req->data.args[0], .iov_len = len};
	ssize_t n = process_vm_writev(u->req->pid, &local, 1, &remote, 1, 0);
	if (!still_valid(u))
		return;
	if (n < 0 && errno != EFAULT) {
		/* Not a bad pointer: we may not write there (Yama's ptrace_scope, a rootless
		 * runtime before the command's exec). The kernel's own answer, then. */
		pass(u);
		return;
	}
	u->answered++;
	respond(u, n == (ssize_t)len ? 0 : -1, n == (ssize_t)len ? 0 : -EFAULT, 0);
}

static void answer_uname(struct usernotif *u)
{
	struct utsname un;
	if (uname(&un) < 0) {
		pass(u);
		return;
	}
	if (!u->uts_live)
		snprintf(un.nodename, sizeof(un.nodename), "%s", u->nodename);
	/* The host's release, and who answered: "6.1.0-18-amd64-shikumi-user". */
	static const char mark[] = "-shikumi-user";
	char release[sizeof(un.release)];
	snprintf(release, sizeof(release), "%.*s%s", (int)(sizeof(release) - sizeof(mark)),
		 un.release, mark);
	memcpy(un.release, release, sizeof(release));
	answer_with(u, &un, sizeof(un));
}

static const char *const proc_names[UN_FILES] = {
    [UN_MEMINFO] = "/proc/meminfo", [UN_CPUINFO] = "/proc/cpuinfo", [UN_STAT] = "/proc/stat",
    [UN_UPTIME] = "/proc/uptime",   [UN_LOADAVG] = "/proc/loadavg",
};

/* A whole file, at most max bytes, into a malloc'd string; NULL when it cannot be read. */
static char *slurp(int dir, const char *name, size_t max)
{
	autoclose int fd = openat(dir, name, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return NULL;
	size_t cap = 8192, len = 0;
	char *buf = malloc(cap);
	while (buf) {
		ssize_t n = read(fd, buf + len, cap - len - 1);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			if (n < 0) {
				free(buf);
				return NULL;
			}
			buf[len] = '\0';
			return buf;
		}
		len += (size_t)n;
		if (len + 1 == cap) {
			char *more = cap < max ? realloc(buf, cap * 2) : NULL;
			if (!more)
				free(buf);
			buf = more;
			cap *= 2;
		}
	}
	return NULL;
}

/* A cgroup file's one value ("max": -1); -2 when it cannot be read. */
static int64_t cg_value(const struct usernotif *u, const char *name)
{
	char *s = u->cg ? slurp(u->cg->fd, name, 64) : NULL;
	if (!s)
		return -2;
	int64_t v = !strncmp(s, "max", 3) ? -1 : strtoll(s, NULL, 10);
	free(s);
	return v;
}

static int64_t kv(const char *text, const char *key)
{
	size_t n = strlen(key);
	for (const char *p = text; p && *p; p = strchr(p, '\n'), p = p ? p + 1 : NULL)
		if (!strncmp(p, key, n) && p[n] == ' ')
			return strtoll(p + n + 1, NULL, 10);
	return -1;
}

static int64_t cg_stat(const struct usernotif *u, const char *file, const char *key)
{
	char *s = u->cg ? slurp(u->cg->fd, file, 65536) : NULL;
	int64_t v = s ? kv(s, key) : -2;
	free(s);
	return v;
}

/* What the memory controller says; false where the group has none (no memory.current). */
static bool container_mem(const struct usernotif *u, struct procview_mem *m)
{
	*m = (struct procview_mem){
	    .max = cg_value(u, "memory.max"),
	    .current = cg_value(u, "memory.current"),
	    .file = cg_stat(u, "memory.stat", "file"),
	    .shmem = cg_stat(u, "memory.stat", "shmem"),
	    .slab_reclaimable = cg_stat(u, "memory.stat", "slab_reclaimable"),
	    .swap_max = cg_value(u, "memory.swap.max"),
	    .swap_current = cg_value(u, "memory.swap.current"),
	};
	if (m->swap_max == -2)
		m->swap_max = -1;
	return m->max != -2 && m->current >= 0;
}

/* The CPUs the container may use: its cpuset (the supervisor's own affinity where the group
 * has no cpuset controller), cut to what cpu.max grants. */
static int container_cpus(const struct usernotif *u, struct procview_cpus *c)
{
	char *list = u->cg ? slurp(u->cg->fd, "cpuset.cpus.effective", 65536) : NULL;
	char *max = u->cg ? slurp(u->cg->fd, "cpu.max", 64) : NULL;
	int limit = max ? procview_cpu_limit(max) : 0;
	int r = list ? procview_parse_cpus(list, limit, c) : -ENOENT;
	free(list);
	free(max);
	if (r == 0)
		return 0;
	cpu_set_t set;
	if (sched_getaffinity(0, sizeof(set), &set) < 0)
		return -errno;
	c->n = 0;
	for (int i = 0; i < CPU_SETSIZE && i < PROCVIEW_MAX_CPUS; i++)
		if (CPU_ISSET(i, &set) && (limit <= 0 || c->n < limit))
			c->cpu[c->n++] = i;
	return 0;
}

/* Writes the container's version of file to out; -ENOENT when what it needs cannot be read
 * (no cgroup, no memory controller): the caller then lets the real file through. */
static int generate(struct usernotif *u, enum usernotif_file file, FILE *out)
{
	struct procview_cpus cpus;
	int r = 0;
	char *host = NULL;
	switch (file) {
	case UN_MEMINFO: {
		struct procview_mem m;
		if (!container_mem(u, &m))
			return -ENOENT;
		host = slurp(AT_FDCWD, "/proc/meminfo", 1 << 20);
		r = host ? procview_meminfo(host, &m, out) : -ENOENT;
		break;
	}
	case UN_CPUINFO:
	case UN_STAT:
		if ((r = container_cpus(u, &cpus)) < 0)
			return r;
		host = slurp(AT_FDCWD, file == UN_STAT ? "/proc/stat" : "/proc/cpuinfo", 8 << 20);
		r = !host	      ? -ENOENT
		    : file == UN_STAT ? procview_stat(host, &cpus, out)
				      : procview_cpuinfo(host, &cpus, out);
		break;
	case UN_UPTIME: {
		int64_t used = cg_stat(u, "cpu.stat", "usage_usec");
		if ((r = container_cpus(u, &cpus)) < 0)
			return r;
		double up = (double)(timing_now() - u->t_start) / 1e9;
		r = procview_uptime(up, cpus.n, used > 0 ? (double)used / 1e6 : 0, out);
		break;
	}
	case UN_LOADAVG: {
		int64_t used = cg_stat(u, "cpu.stat", "usage_usec");
		if (used < 0)
			return -ENOENT;
		r = procview_loadavg(&u->load, timing_now(), (uint64_t)used,
				     cg_value(u, "pids.current"), out);
		break;
	}
	default:
		return -EINVAL;
	}
	free(host);
	return r;
}

/* The generated text in a memfd sealed against every change, reopened read-only: the
 * container gets an fd of its own file description, at offset 0, that it can neither write
 * nor grow, nor use to reach anything of ours. Returns the fd or a negative errno. */
static int sealed_text(enum usernotif_file file, const char *text, size_t len)
{
	char name[32];
	snprintf(name, sizeof(name), "shikumi-%s", proc_names[file] + 6);
	autoclose int fd = sealed_memfd_create(name);
	if (fd < 0)
		return fd;
	for (size_t done = 0; done < len;) {
		ssize_t n = write(fd, text + done, len - done);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -EIO;
		done += (size_t)n;
	}
	int r = sealed_memfd_seal(fd);
	if (r < 0)
		return r;
	char path[FD_PATH_MAX];
	r = open(fd_path(fd, path), O_RDONLY | O_CLOEXEC);
	return r < 0 ? -errno : r;
}

static void answer_open(struct usernotif *u, bool at)
{
	const __u64 *a = u->req->data.args;
	uint64_t path = at ? a[1] : a[0];
	int flags = (int)(at ? a[2] : a[1]);
	/* One read, bounded by our longest name: a longer path is not ours. */
	char buf[32];
	ssize_t n = peek(u->req->pid, path, buf, sizeof(buf));
	if (!still_valid(u))
		return;
	const char *nul = n > 0 ? memchr(buf, '\0', (size_t)n) : NULL;
	int file = UN_FILES;
	if (nul)
		for (file = 0; file < UN_FILES && strcmp(buf, proc_names[file]); file++)
			;
	/* Only a plain read-only open: O_PATH, O_DIRECTORY, a write get the kernel's answer. */
	if (file == UN_FILES || (flags & O_ACCMODE) != O_RDONLY ||
	    (flags & (O_PATH | O_DIRECTORY | O_CREAT | O_TMPFILE | O_TRUNC))) {
		pass(u);
		return;
	}
	char *text = NULL;
	size_t len = 0;
	FILE *out = open_memstream(&text, &len);
	int r = out ? generate(u, (enum usernotif_file)file, out) : -ENOMEM;
	if (out)
		fclose(out);
	int fd = r == 0 ? sealed_text((enum usernotif_file)file, text, len) : -1;
	free(text);
	if (fd < 0) {
		if (!u->said[file])
			fprintf(stderr,
				"shikumi: --syscalls=user: cannot read the container's cgroup for "
				"%s (%s): the container sees the host's\n",
				proc_names[file], strerror(r < 0 ? -r : EIO));
		u->said[file] = true;
		pass(u);
		return;
	}
	struct seccomp_notif_addfd add = {
	    .id = u->req->id,
	    .flags = SECCOMP_ADDFD_FLAG_SEND, /* installs the fd and answers with its number */
	    .srcfd = (uint32_t)fd,
	    .newfd_flags = (uint32_t)(flags & O_CLOEXEC),
	};
	int got = ioctl(u->fd, SECCOMP_IOCTL_NOTIF_ADDFD, &add);
	if (got < 0 && errno == EINVAL) {
		/* Before Linux 5.14: install, then answer with the number. */
		add.flags = 0;
		got = ioctl(u->fd, SECCOMP_IOCTL_NOTIF_ADDFD, &add);
		if (got >= 0)
			respond(u, got, 0, 0);
	}
	if (got < 0 && (errno == EMFILE || errno == ENFILE)) {
		/* The caller's fd table is full: the answer the kernel's own open would give. */
		respond(u, -1, -errno, 0);
	} else if (got < 0 && errno != ENOENT) {
		/* Before Linux 5.9, no ADDFD at all: the real file. */
		if (!u->said_addfd)
			fprintf(stderr,
				"shikumi: --syscalls=user: cannot hand the container a file "
				"(SECCOMP_IOCTL_NOTIF_ADDFD: %s): it sees the host's /proc files\n",
				strerror(errno));
		u->said_addfd = true;
		pass(u);
	} else if (got >= 0) {
		u->answered++;
	}
	close(fd);
}

/* free(1) and uptime(1) ask sysinfo(2), not /proc: the same numbers as /proc/meminfo,
 * /proc/uptime and /proc/loadavg give (the host's memory where the cgroup says nothing). */
static void answer_sysinfo(struct usernotif *u)
{
	struct sysinfo si;
	if (sysinfo(&si) < 0) {
		pass(u);
		return;
	}
	struct procview_mem m;
	bool have_mem = container_mem(u, &m);
	int64_t used = cg_stat(u, "cpu.stat", "usage_usec");
	if (used >= 0) { /* bring the load averages up to now */
		FILE *null = fopen("/dev/null", "we");
		if (null) {
			procview_loadavg(&u->load, timing_now(), (uint64_t)used, -1, null);
			fclose(null);
		}
	}
	procview_sysinfo(&si, have_mem ? &m : NULL, (double)(timing_now() - u->t_start) / 1e9,
			 u->load.avg, cg_value(u, "pids.current"));
	answer_with(u, &si, sizeof(si));
}

int usernotif_handle(struct usernotif *u)
{
	memset(u->req, 0, sizeof(*u->req)); /* the kernel wants it zeroed */
	if (seccomp_notify_receive(u->fd, u->req) < 0) {
		/* ENOENT (the caller is gone) or an interrupted wait: nothing to do. A listener
		 * with no filter behind it reads as POLLHUP, which the caller watches. */
		return 0;
	}
	if (u->trace && u->req->data.nr >= 0 && u->req->data.nr < USERNOTIF_MAX_NR)
		u->count[u->req->data.nr]++;
	if (!u->answer || u->req->data.arch != AUDIT_ARCH_X86_64) {
		pass(u);
		return 0;
	}
	int nr = u->req->data.nr;
	if (nr == SCMP_SYS(uname))
		answer_uname(u);
	else if (nr == SCMP_SYS(sysinfo))
		answer_sysinfo(u);
	else if (nr == SCMP_SYS(openat))
		answer_open(u, true);
	else if (nr == SCMP_SYS(open))
		answer_open(u, false);
	else
		pass(u);
	return 0;
}

void usernotif_summary(const struct usernotif *u, FILE *f)
{
	int order[USERNOTIF_MAX_NR], n = 0;
	uint64_t total = 0;
	for (int nr = 0; nr < USERNOTIF_MAX_NR; nr++)
		if (u->count[nr]) {
			order[n++] = nr;
			total += u->count[nr];
		}
	/* Most called first, as strace -c does (a few dozen at most: insertion sort). */
	for (int i = 1; i < n; i++)
		for (int k = i; k > 0 && u->count[order[k]] > u->count[order[k - 1]]; k--) {
			int t = order[k];
			order[k] = order[k - 1];
			order[k - 1] = t;
		}
	fprintf(f, "%10s %s\n---------- ----------------\n", "calls", "syscall");
	for (int i = 0; i < n; i++) {
		char *name = seccomp_syscall_resolve_num_arch(SCMP_ARCH_NATIVE, order[i]);
		fprintf(f, "%10llu %s\n", (unsigned long long)u->count[order[i]],
			name ? name : "?");
		free(name);
	}
	fprintf(f, "---------- ----------------\n%10llu total\n", (unsigned long long)total);
}
