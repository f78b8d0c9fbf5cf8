#include "snapshot.h"

#include "../common/err.h"
#include "../common/fd.h"

#include <dirent.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define PAGE 4096

/* ---- taking it ---- */

static uint64_t realtime_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* The MSRs KVM says it saves and restores (KVM_GET_MSR_INDEX_LIST), less those this vCPU
 * cannot read (some depend on CPUID features the guest does not have), in `out`. */
static int read_msrs(const struct snap_machine *m, int fd, struct kvm_msr_entry **out, uint32_t *n)
{
	struct kvm_msr_list probe = {.nmsrs = 0};
	ioctl(m->kvm, KVM_GET_MSR_INDEX_LIST, &probe); /* E2BIG, with the count */
	autofree struct kvm_msr_list *list =
	    calloc(1, sizeof(*list) + (probe.nmsrs + 1) * sizeof(uint32_t));
	*out = calloc(probe.nmsrs + 1, sizeof(**out));
	if (!list || !*out)
		return err_set(ENOMEM, "out of memory");
	list->nmsrs = probe.nmsrs;
	if (ioctl(m->kvm, KVM_GET_MSR_INDEX_LIST, list) < 0)
		return err_set(errno, "KVM_GET_MSR_INDEX_LIST failed");
	*n = 0;
	struct {
		struct kvm_msrs h;
		struct kvm_msr_entry e;
	} one;
	for (uint32_t i = 0; i < list->nmsrs; i++) {
		memset(&one, 0, sizeof(one));
		one.h.nmsrs = 1;
		one.e.index = list->indices[i];
		if (ioctl(fd, KVM_GET_MSRS, &one) == 1)
			(*out)[(*n)++] = one.e;
	}
	return 0;
}

static int xsave_size(const struct snap_machine *m)
{
	int n = ioctl(m->vm, KVM_CHECK_EXTENSION, KVM_CAP_XSAVE2);
	return n > (int)sizeof(struct kvm_xsave) ? n : (int)sizeof(struct kvm_xsave);
}

static int save_vcpu(const struct snap_machine *m, struct vcpu *c, struct snap_buf *b)
{
	/* The port write it stopped in, completed: KVM_RUN with immediate_exit returns EINTR
	 * at once, the guest's state consistent. */
	c->run->immediate_exit = 1;
	if (ioctl(c->fd, KVM_RUN, 0) == 0 || (errno != EINTR && errno != EAGAIN))
		return err_set(errno, "cannot stop vCPU %d for the snapshot", c->id);
	c->run->immediate_exit = 0;
	struct kvm_mp_state mp;
	struct kvm_regs regs;
	struct kvm_sregs sregs;
	struct kvm_xcrs xcrs;
	struct kvm_debugregs dbg;
	struct kvm_lapic_state lapic;
	struct kvm_vcpu_events events;
	int xs = xsave_size(m);
	autofree struct kvm_xsave *xsave = calloc(1, (size_t)xs);
	autofree struct kvm_msr_entry *msrs = NULL;
	uint32_t nmsrs = 0;
	if (!xsave)
		return err_set(ENOMEM, "out of memory");
	unsigned long get_xsave =
	    xs > (int)sizeof(struct kvm_xsave) ? KVM_GET_XSAVE2 : KVM_GET_XSAVE;
	const char *what = NULL;
	if (ioctl(c->fd, KVM_GET_MP_STATE, &mp) < 0)
		what = "KVM_GET_MP_STATE";
	else if (ioctl(c->fd, KVM_GET_REGS, &regs) < 0)
		what = "KVM_GET_REGS";
	else if (ioctl(c->fd, KVM_GET_SREGS, &sregs) < 0)
		what = "KVM_GET_SREGS";
	else if (ioctl(c->fd, get_xsave, xsave) < 0)
		what = "KVM_GET_XSAVE";
	else if (ioctl(c->fd, KVM_GET_XCRS, &xcrs) < 0)
		what = "KVM_GET_XCRS";
	else if (ioctl(c->fd, KVM_GET_DEBUGREGS, &dbg) < 0)
		what = "KVM_GET_DEBUGREGS";
	else if (ioctl(c->fd, KVM_GET_LAPIC, &lapic) < 0)
		what = "KVM_GET_LAPIC";
	else if (ioctl(c->fd, KVM_GET_VCPU_EVENTS, &events) < 0)
		what = "KVM_GET_VCPU_EVENTS";
	if (what)
		return err_set(errno, "%s failed for vCPU %d", what, c->id);
	int r = read_msrs(m, c->fd, &msrs, &nmsrs);
	int i = c->id;
	if (r == 0)
		r = snap_put(b, SNAP_VCPU(SNAP_SREGS, i), &sregs, sizeof(sregs));
	if (r == 0)
		r = snap_put(b, SNAP_VCPU(SNAP_REGS, i), &regs, sizeof(regs));
	if (r == 0)
		r = snap_put(b, SNAP_VCPU(SNAP_XSAVE, i), xsave, (uint32_t)xs);
	if (r == 0)
		r = snap_put(b, SNAP_VCPU(SNAP_XCRS, i), &xcrs, sizeof(xcrs));
	if (r == 0)
		r = snap_put(b, SNAP_VCPU(SNAP_DEBUGREGS, i), &dbg, sizeof(dbg));
	if (r == 0)
		r = snap_put(b, SNAP_VCPU(SNAP_LAPIC, i), &lapic, sizeof(lapic));
	if (r == 0)
		r = snap_put(b, SNAP_VCPU(SNAP_MSRS, i), msrs,
			     nmsrs * (uint32_t)sizeof(struct kvm_msr_entry));
	if (r == 0)
		r = snap_put(b, SNAP_VCPU(SNAP_EVENTS, i), &events, sizeof(events));
	if (r == 0)
		r = snap_put(b, SNAP_VCPU(SNAP_MPSTATE, i), &mp, sizeof(mp));
	return r;
}

static int save_machine(const struct snap_machine *m, struct snap_buf *b)
{
	struct kvm_irqchip chip[3];
	static const uint32_t tags[3] = {SNAP_PIC_MASTER, SNAP_PIC_SLAVE, SNAP_IOAPIC};
	struct kvm_pit_state2 pit;
	struct kvm_clock_data clock = {0};
	int r = 0;
	for (int i = 0; i < 3 && r == 0; i++) {
		chip[i] = (struct kvm_irqchip){.chip_id = (uint32_t)i};
		if (ioctl(m->vm, KVM_GET_IRQCHIP, &chip[i]) < 0)
			return err_set(errno, "KVM_GET_IRQCHIP %d failed", i);
		r = snap_put(b, tags[i], &chip[i], sizeof(chip[i]));
	}
	if (r == 0 && ioctl(m->vm, KVM_GET_PIT2, &pit) < 0)
		return err_set(errno, "KVM_GET_PIT2 failed");
	if (r == 0)
		r = snap_put(b, SNAP_PIT, &pit, sizeof(pit));
	if (r == 0 && ioctl(m->vm, KVM_GET_CLOCK, &clock) < 0)
		return err_set(errno, "KVM_GET_CLOCK failed");
	/* KVM gives the host's real time with the clock only where the host's own clock is the
	 * TSC (its master clock); elsewhere (the test host) the VMM's reading is as good. */
	if (!(clock.flags & KVM_CLOCK_REALTIME))
		clock.realtime = realtime_ns();
	if (r == 0)
		r = snap_put(b, SNAP_CLOCK, &clock, sizeof(clock));
	return r;
}

/* SIGINT, SIGTERM or SIGHUP while the snapshot is written: the write stops, what was written
 * is removed, and the VMM says so (SIGKILL cannot be caught: snapshot_sweep is for that). */
static volatile sig_atomic_t stop_signal;

static void on_stop_signal(int sig)
{
	stop_signal = sig;
}

static int stopped(void)
{
	if (!stop_signal)
		return 0;
	return err_set(EINTR, "--snapshot: stopped by signal %d (%s); nothing was written",
		       (int)stop_signal, strsignal(stop_signal));
}

static int write_all(int fd, const void *data, size_t len, off_t off, const char *what)
{
	const uint8_t *p = data;
	while (len) {
		if (stopped())
			return -EINTR;
		/* At most 64 MiB at a time, so that a signal is seen soon. */
		ssize_t n = pwrite(fd, p, len < (64u << 20) ? len : (64u << 20), off);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return err_set(n < 0 ? errno : ENOSPC, "cannot write the snapshot's %s",
				       what);
		p += n;
		len -= (size_t)n;
		off += n;
	}
	return 0;
}

static bool zero_page(const uint8_t *p)
{
	static const uint8_t zero[PAGE];
	return !memcmp(p, zero, PAGE);
}

/* Guest RAM, its pages that hold anything: runs of them in one write each, holes between. */
static int write_mem(int fd, const struct snap_machine *m)
{
	if (ftruncate(fd, (off_t)m->mem_size) < 0)
		return err_set(errno, "cannot size the snapshot's memory file");
	uint64_t run = 0, off = 0;
	bool in_run = false;
	for (off = 0; off < m->mem_size; off += PAGE) {
		if (off % (64u << 20) == 0 && stopped())
			return -EINTR;
		bool z = zero_page(m->mem + off);
		if (!z && !in_run) {
			run = off;
			in_run = true;
		} else if (z && in_run) {
			int r = write_all(fd, m->mem + run, off - run, (off_t)run, "memory");
			if (r < 0)
				return r;
			in_run = false;
		}
	}
	if (in_run)
		return write_all(fd, m->mem + run, off - run, (off_t)run, "memory");
	return 0;
}

static void remove_tmp(const char *tmp)
{
	char p[PATH_MAX + 16];
	snprintf(p, sizeof(p), "%s/mem", tmp);
	unlink(p);
	snprintf(p, sizeof(p), "%s/state", tmp);
	unlink(p);
	rmdir(tmp);
}

/* Writes `len` bytes to a new file `name` in `tmp`, on disk before it returns (fsync: a
 * snapshot renamed into place is whole even after a crash). */
static int write_file(const char *tmp, const char *name, const struct snap_machine *m,
		      const void *data, size_t len)
{
	char path[PATH_MAX + 16];
	snprintf(path, sizeof(path), "%s/%s", tmp, name);
	int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0)
		return err_set(errno, "cannot create '%s'", path);
	int r = m ? write_mem(fd, m) : write_all(fd, data, len, 0, name);
	if (r == 0 && fsync(fd) < 0)
		r = err_set(errno, "cannot write the snapshot's %s", name);
	if (close(fd) < 0 && r == 0)
		r = err_set(errno, "cannot write the snapshot's %s", name);
	return r;
}

/* The directory `path` is in, synced so that the rename that made the snapshot is on disk. */
static void sync_parent(const char *path)
{
	char copy[PATH_MAX];
	snprintf(copy, sizeof(copy), "%s", path);
	int fd = open(dirname(copy), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd >= 0) {
		fsync(fd);
		close(fd);
	}
}

/* NAME is exactly "BASE.tmp-PID-XXXXXX" (what snapshot_write makes: a decimal PID without
 * sign, space or leading zero, mkdtemp's six letters and digits): its PID, or 0. */
static long tmp_name_pid(const char *name, const char *base)
{
	size_t bl = strlen(base);
	if (strncmp(name, base, bl) || name[bl] < '1' || name[bl] > '9')
		return 0;
	const char *p = name + bl;
	long pid = 0;
	for (; *p >= '0' && *p <= '9' && pid < 1L << 31; p++)
		pid = pid * 10 + (*p - '0');
	if (*p++ != '-' || strlen(p) != 6)
		return 0;
	for (int i = 0; i < 6; i++)
		if (!((p[i] >= 'a' && p[i] <= 'z') || (p[i] >= 'A' && p[i] <= 'Z') ||
		      (p[i] >= '0' && p[i] <= '9')))
			return 0;
	return pid;
}

/* One of the two files, only if it is a regular file of this user's. */
static void unlink_own(int dir, const char *name)
{
	struct stat st;
	if (fstatat(dir, name, &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISREG(st.st_mode) &&
	    st.st_uid == geteuid())
		unlinkat(dir, name, 0);
}

void snapshot_sweep(const char *dir)
{
	char copy[PATH_MAX], base[PATH_MAX];
	snprintf(copy, sizeof(copy), "%s", dir);
	snprintf(base, sizeof(base), "%s.tmp-", basename(copy));
	snprintf(copy, sizeof(copy), "%s", dir);
	DIR *d = opendir(dirname(copy));
	if (!d)
		return;
	/* In a directory others may rename things in (writable by them, not sticky), a
	 * directory of this user's with such a name need not be one its writer made: none is
	 * touched there. */
	struct stat pst;
	if (fstat(dirfd(d), &pst) < 0 ||
	    ((pst.st_mode & (S_IWGRP | S_IWOTH)) && !(pst.st_mode & S_ISVTX)) ||
	    (pst.st_uid != geteuid() && pst.st_uid != 0)) {
		closedir(d);
		return;
	}
	struct dirent *e;
	while ((e = readdir(d))) {
		long pid = tmp_name_pid(e->d_name, base);
		struct stat st, opened;
		/* Only this user's, and only of a writer that is gone. */
		if (pid <= 0 || (kill((pid_t)pid, 0) == 0 || errno != ESRCH) ||
		    fstatat(dirfd(d), e->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0 ||
		    !S_ISDIR(st.st_mode) || st.st_uid != geteuid())
			continue;
		int sub =
		    openat(dirfd(d), e->d_name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (sub < 0)
			continue;
		/* The one looked at, not one swapped in since. */
		if (fstat(sub, &opened) == 0 && opened.st_dev == st.st_dev &&
		    opened.st_ino == st.st_ino) {
			unlink_own(sub, "mem");
			unlink_own(sub, "state");
			unlinkat(dirfd(d), e->d_name, AT_REMOVEDIR);
		}
		close(sub);
	}
	closedir(d);
}

int snapshot_write(const char *dir, const struct snap_machine *m, struct snap_header *h)
{
	struct snap_buf b;
	int r = snap_begin(&b);
	for (int i = 0; i < m->cpus->n && r == 0; i++)
		r = save_vcpu(m, &m->cpus->cpu[i], &b);
	if (r == 0)
		r = save_machine(m, &b);
	if (r == 0)
		r = snap_put_devices(&b, m->uart, m->kbd, m->cmos, m->marker);
	if (r < 0) {
		free(b.data);
		return r;
	}
	snap_finish(&b, h);
	/* DIR.tmp-PID-XXXXXX: the writer's PID tells snapshot_sweep whether it is still there. */
	char tmp[PATH_MAX];
	if (snprintf(tmp, sizeof(tmp), "%s.tmp-%d-XXXXXX", dir, (int)getpid()) >=
	    (int)sizeof(tmp)) {
		free(b.data);
		return err_set(0, "--snapshot: the path is too long");
	}
	struct sigaction sa = {.sa_handler = on_stop_signal}, old[3];
	static const int sigs[3] = {SIGINT, SIGTERM, SIGHUP};
	sigemptyset(&sa.sa_mask);
	stop_signal = 0;
	for (int i = 0; i < 3; i++)
		sigaction(sigs[i], &sa, &old[i]);
	if (!mkdtemp(tmp)) {
		r = err_set(errno, "cannot create a directory beside '%s'", dir);
	} else {
		r = write_file(tmp, "mem", m, NULL, 0);
		if (r == 0)
			r = write_file(tmp, "state", NULL, b.data, b.len);
		if (r == 0) /* a signal that came after the last write */
			r = stopped();
		if (r == 0 && rename(tmp, dir) < 0)
			r = err_set(errno, "cannot rename the snapshot to '%s'", dir);
		if (r < 0)
			remove_tmp(tmp);
		else
			sync_parent(dir);
	}
	for (int i = 0; i < 3; i++)
		sigaction(sigs[i], &old[i], NULL);
	free(b.data);
	return r;
}

/* ---- restoring it ---- */

static int get(const uint8_t *s, size_t len, uint32_t tag, uint32_t want, const void **p,
	       uint32_t *got)
{
	return snap_get(s, len, tag, want, p, got);
}

/* The guest's TSC, moved on by `elapsed_ns` of real time at this vCPU's TSC rate: a guest
 * whose clocksource is the TSC (Linux picks it over kvm-clock where the TSC is invariant)
 * would otherwise go on from the time of the snapshot. */
static void tsc_forward(struct vcpu *c, struct kvm_msr_entry *e, uint32_t n, uint64_t elapsed_ns)
{
	int khz = ioctl(c->fd, KVM_GET_TSC_KHZ, 0);
	if (khz <= 0 || !elapsed_ns)
		return;
	for (uint32_t i = 0; i < n; i++)
		if (e[i].index == 0x10) /* IA32_TIME_STAMP_COUNTER */
			e[i].data +=
			    (uint64_t)((unsigned __int128)elapsed_ns * (unsigned)khz / 1000000u);
}

static int restore_vcpu(const struct snap_machine *m, struct vcpu *c, const uint8_t *s, size_t len,
			uint64_t elapsed_ns)
{
	int i = c->id, xs = xsave_size(m);
	const void *sregs, *regs, *xsave, *xcrs, *dbg, *lapic, *msrs, *events, *mp;
	uint32_t msrs_len;
	int r = get(s, len, SNAP_VCPU(SNAP_SREGS, i), sizeof(struct kvm_sregs), &sregs, NULL);
	if (r == 0)
		r = get(s, len, SNAP_VCPU(SNAP_REGS, i), sizeof(struct kvm_regs), &regs, NULL);
	if (r == 0 && (r = get(s, len, SNAP_VCPU(SNAP_XSAVE, i), (uint32_t)xs, &xsave, NULL)) < 0)
		r = err_wrap(r, "this KVM's XSAVE area is %d bytes", xs);
	if (r == 0)
		r = get(s, len, SNAP_VCPU(SNAP_XCRS, i), sizeof(struct kvm_xcrs), &xcrs, NULL);
	if (r == 0)
		r = get(s, len, SNAP_VCPU(SNAP_DEBUGREGS, i), sizeof(struct kvm_debugregs), &dbg,
			NULL);
	if (r == 0)
		r = get(s, len, SNAP_VCPU(SNAP_LAPIC, i), sizeof(struct kvm_lapic_state), &lapic,
			NULL);
	if (r == 0)
		r = get(s, len, SNAP_VCPU(SNAP_MSRS, i), 0, &msrs, &msrs_len);
	if (r == 0)
		r = get(s, len, SNAP_VCPU(SNAP_EVENTS, i), sizeof(struct kvm_vcpu_events), &events,
			NULL);
	if (r == 0)
		r = get(s, len, SNAP_VCPU(SNAP_MPSTATE, i), sizeof(struct kvm_mp_state), &mp, NULL);
	if (r < 0)
		return r;
	if (msrs_len % sizeof(struct kvm_msr_entry))
		return err_set(0, "the snapshot's MSRs of vCPU %d are damaged", i);
	uint32_t nmsrs = msrs_len / (uint32_t)sizeof(struct kvm_msr_entry);
	/* Copies: the file's records are only 8-byte aligned, and KVM writes some back. */
	struct kvm_sregs sr;
	struct kvm_regs rg;
	struct kvm_xcrs xc;
	struct kvm_debugregs db;
	struct kvm_lapic_state la;
	struct kvm_vcpu_events ev;
	struct kvm_mp_state ms;
	autofree struct kvm_xsave *xsv = calloc(1, (size_t)xs);
	autofree struct kvm_msrs *ml = calloc(1, sizeof(*ml) + msrs_len);
	if (!xsv || !ml)
		return err_set(ENOMEM, "out of memory");
	memcpy(&sr, sregs, sizeof(sr));
	/* KVM on AMD reports TR as busy (type 11: its svm_get_segment sets the bit); an AMD CPU
	 * never looks at that type again after LTR, but QEMU's emulated one (the test host's
	 * nested KVM) checks for an available TSS (9) on every I/O permission check, and the
	 * guest's first `out` from user space after a restore faulted. On AMD: 9, what LTR
	 * left in the descriptor cache. (Intel's VMX wants 11 for a 64-bit guest: kept.) */
	if (m->amd && sr.tr.type == 11)
		sr.tr.type = 9;
	memcpy(&rg, regs, sizeof(rg));
	memcpy(xsv, xsave, (size_t)xs);
	memcpy(&xc, xcrs, sizeof(xc));
	memcpy(&db, dbg, sizeof(db));
	memcpy(&la, lapic, sizeof(la));
	memcpy(&ev, events, sizeof(ev));
	memcpy(&ms, mp, sizeof(ms));
	ml->nmsrs = nmsrs;
	memcpy(ml->entries, msrs, msrs_len);
	tsc_forward(c, ml->entries, nmsrs, elapsed_ns);
	const char *what = NULL;
	if (ioctl(c->fd, KVM_SET_SREGS, &sr) < 0)
		what = "KVM_SET_SREGS";
	else if (ioctl(c->fd, KVM_SET_REGS, &rg) < 0)
		what = "KVM_SET_REGS";
	else if (ioctl(c->fd, KVM_SET_XSAVE, xsv) < 0)
		what = "KVM_SET_XSAVE";
	else if (ioctl(c->fd, KVM_SET_XCRS, &xc) < 0)
		what = "KVM_SET_XCRS";
	else if (ioctl(c->fd, KVM_SET_DEBUGREGS, &db) < 0)
		what = "KVM_SET_DEBUGREGS";
	else if (ioctl(c->fd, KVM_SET_LAPIC, &la) < 0)
		what = "KVM_SET_LAPIC";
	if (what)
		return err_set(errno, "%s failed for vCPU %d (a snapshot from another host?)", what,
			       i);
	int set = ioctl(c->fd, KVM_SET_MSRS, ml);
	if (set < 0)
		return err_set(errno, "KVM_SET_MSRS failed for vCPU %d", i);
	if ((uint32_t)set != nmsrs)
		return err_set(0,
			       "this KVM refused MSR 0x%x of vCPU %d (a snapshot from another "
			       "host?)",
			       ml->entries[set].index, i);
	if (ioctl(c->fd, KVM_SET_VCPU_EVENTS, &ev) < 0)
		what = "KVM_SET_VCPU_EVENTS";
	else if (ioctl(c->fd, KVM_SET_MP_STATE, &ms) < 0)
		what = "KVM_SET_MP_STATE";
	if (what)
		return err_set(errno, "%s failed for vCPU %d", what, i);
	return 0;
}

/* What each restoring ioctl needs (api.rst): a fixed list, since every snapshot holds all of
 * this state (the format has no optional parts). KVM_KVMCLOCK_CTRL is only a courtesy to
 * the guest's watchdog, and KVM_CLOCK_REALTIME has its fallback: neither is required. */
int snapshot_check_caps(int kvm)
{
	static const struct {
		int cap;
		const char *name, *what;
	} need[] = {
	    {KVM_CAP_IRQCHIP, "KVM_CAP_IRQCHIP", "the PIC and IOAPIC"},
	    {KVM_CAP_PIT_STATE2, "KVM_CAP_PIT_STATE2", "the PIT"},
	    {KVM_CAP_ADJUST_CLOCK, "KVM_CAP_ADJUST_CLOCK", "the KVM clock"},
	    {KVM_CAP_XSAVE, "KVM_CAP_XSAVE", "the vCPUs' XSAVE area"},
	    {KVM_CAP_XCRS, "KVM_CAP_XCRS", "the vCPUs' XCRs"},
	    {KVM_CAP_DEBUGREGS, "KVM_CAP_DEBUGREGS", "the vCPUs' debug registers"},
	    {KVM_CAP_VCPU_EVENTS, "KVM_CAP_VCPU_EVENTS", "the vCPUs' pending events"},
	    {KVM_CAP_MP_STATE, "KVM_CAP_MP_STATE", "the vCPUs' run states"},
	};
	const char *absent = getenv("SHIKUMI_VMM_TEST_NO_CAP");
	for (size_t i = 0; i < sizeof(need) / sizeof(need[0]); i++)
		if ((absent && !strcmp(absent, need[i].name)) ||
		    ioctl(kvm, KVM_CHECK_EXTENSION, need[i].cap) <= 0)
			return err_set(0, "this host's KVM lacks %s, which restoring %s needs",
				       need[i].name, need[i].what);
	return 0;
}

int snapshot_restore(const struct snap_machine *m, const uint8_t *s, size_t len)
{
	const void *p;
	struct kvm_clock_data clock;
	int r = get(s, len, SNAP_CLOCK, sizeof(clock), &p, NULL);
	if (r < 0)
		return r;
	memcpy(&clock, p, sizeof(clock));
	uint64_t now = realtime_ns();
	uint64_t elapsed = clock.realtime && now > clock.realtime ? now - clock.realtime : 0;
	for (int i = 0; i < m->cpus->n && r == 0; i++)
		r = restore_vcpu(m, &m->cpus->cpu[i], s, len, elapsed);
	static const uint32_t tags[3] = {SNAP_PIC_MASTER, SNAP_PIC_SLAVE, SNAP_IOAPIC};
	for (int i = 0; i < 3 && r == 0; i++) {
		struct kvm_irqchip chip;
		if ((r = get(s, len, tags[i], sizeof(chip), &p, NULL)) < 0)
			break;
		memcpy(&chip, p, sizeof(chip));
		if (chip.chip_id != (uint32_t)i)
			return err_set(0, "the snapshot's interrupt controller %d is damaged", i);
		if (ioctl(m->vm, KVM_SET_IRQCHIP, &chip) < 0)
			return err_set(errno, "KVM_SET_IRQCHIP %d failed", i);
	}
	struct kvm_pit_state2 pit;
	if (r == 0 && (r = get(s, len, SNAP_PIT, sizeof(pit), &p, NULL)) == 0) {
		memcpy(&pit, p, sizeof(pit));
		if (ioctl(m->vm, KVM_SET_PIT2, &pit) < 0)
			return err_set(errno, "KVM_SET_PIT2 failed");
	}
	if (r == 0) {
		/* With the host's real time of the snapshot, KVM moves the clock on by the time
		 * since (KVM_CLOCK_REALTIME); the guest's clock goes on from the host's now. */
		if (!(clock.flags & KVM_CLOCK_REALTIME) && clock.realtime) {
			now = realtime_ns();
			if (now > clock.realtime)
				clock.clock += now - clock.realtime;
		}
		clock.flags &= KVM_CLOCK_REALTIME;
		if (ioctl(m->vm, KVM_SET_CLOCK, &clock) < 0)
			return err_set(errno, "KVM_SET_CLOCK failed");
		/* The guest was stopped, not hung: its soft-lockup watchdog is told so. */
		for (int i = 0; i < m->cpus->n; i++)
			ioctl(m->cpus->cpu[i].fd, KVM_KVMCLOCK_CTRL, 0);
	}
	return r;
}
