#include "vcpu.h"

#include "../common/err.h"
#include "../common/fd.h"
#include "x86.h"

#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#define CPUID_QUERY 128		      /* entries asked of KVM_GET_SUPPORTED_CPUID */
#define CPUID_ROOM  (CPUID_QUERY + 3) /* and room for the leaf 0xB levels we may add */
#define KICK_SIGNAL SIGUSR1	      /* takes a vCPU thread out of KVM_RUN (EINTR) */

/* The lock that makes "the first vCPU to end the VM" one vCPU. */
static pthread_mutex_t end_lock = PTHREAD_MUTEX_INITIALIZER;

/* ---- creation ---- */

static int map_run(struct vcpus *s, struct vcpu *c)
{
	int size = ioctl(s->kvm, KVM_GET_VCPU_MMAP_SIZE, 0);
	if (size <= 0)
		return err_set(errno, "KVM_GET_VCPU_MMAP_SIZE failed");
	c->run_size = (size_t)size;
	c->run = mmap(NULL, c->run_size, PROT_READ | PROT_WRITE, MAP_SHARED, c->fd, 0);
	if (c->run == MAP_FAILED) {
		c->run = NULL;
		return err_set(errno, "cannot map vCPU %d's kvm_run", c->id);
	}
	return 0;
}

/* The CPU vCPU `c` sees: what this KVM offers (`base`, `n` entries), a virtual one, with its
 * own APIC id and the machine's topology. */
static int set_cpuid(struct vcpus *s, struct vcpu *c, const struct kvm_cpuid2 *base)
{
	autofree struct kvm_cpuid2 *cpuid =
	    calloc(1, sizeof(*cpuid) + CPUID_ROOM * sizeof(struct kvm_cpuid_entry2));
	if (!cpuid)
		return err_set(ENOMEM, "out of memory");
	memcpy(cpuid->entries, base->entries, base->nent * sizeof(base->entries[0]));
	bool tsc_deadline =
	    !s->tiny && ioctl(s->kvm, KVM_CHECK_EXTENSION, KVM_CAP_TSC_DEADLINE_TIMER) > 0;
	x86_cpuid_guest(cpuid->entries, (int)base->nent, tsc_deadline);
	cpuid->nent = (uint32_t)x86_cpuid_topology(cpuid->entries, (int)base->nent, CPUID_ROOM,
						   (uint32_t)c->id, s->n);
	if (ioctl(c->fd, KVM_SET_CPUID2, cpuid) < 0)
		return err_set(errno, "KVM_SET_CPUID2 failed for vCPU %d", c->id);
	if (c->id == 0)
		for (uint32_t i = 0; i < cpuid->nent; i++)
			if (cpuid->entries[i].function == 1) {
				s->signature = cpuid->entries[i].eax;
				s->features = cpuid->entries[i].edx;
			}
	return 0;
}

/* The BSP's 64-bit boot state: where firmware would have left a 64-bit boot loader. */
static int set_boot_state(struct vcpu *c, uint8_t *mem, const struct kvm_regs *boot)
{
	struct kvm_sregs sregs;
	if (ioctl(c->fd, KVM_GET_SREGS, &sregs) < 0)
		return err_set(errno, "KVM_GET_SREGS failed");
	x86_build_tables(mem);
	x86_long_mode(&sregs);
	if (ioctl(c->fd, KVM_SET_SREGS, &sregs) < 0)
		return err_set(errno, "KVM_SET_SREGS failed");
	struct kvm_regs regs = *boot;
	regs.rflags = 0x2; /* bit 1 is always set; interrupts off */
	regs.rsp = GUEST_STACK_TOP;
	if (ioctl(c->fd, KVM_SET_REGS, &regs) < 0)
		return err_set(errno, "KVM_SET_REGS failed");
	return 0;
}

int vcpus_create(struct vcpus *s, int n, uint8_t *mem, const struct kvm_regs *boot)
{
	int max = ioctl(s->kvm, KVM_CHECK_EXTENSION, KVM_CAP_MAX_VCPUS);
	if (max <= 0)
		max = ioctl(s->kvm, KVM_CHECK_EXTENSION, KVM_CAP_NR_VCPUS);
	if (n < 1 || n > VCPU_MAX || (max > 0 && n > max))
		return err_set(0, "--cpus %d: this KVM runs at most %d vCPUs", n,
			       max > 0 && max < VCPU_MAX ? max : VCPU_MAX);
	autofree struct kvm_cpuid2 *base =
	    calloc(1, sizeof(*base) + CPUID_QUERY * sizeof(struct kvm_cpuid_entry2));
	if (!base)
		return err_set(ENOMEM, "out of memory");
	base->nent = CPUID_QUERY;
	if (ioctl(s->kvm, KVM_GET_SUPPORTED_CPUID, base) < 0)
		return err_set(errno, "KVM_GET_SUPPORTED_CPUID failed");
	s->n = n;
	for (int i = 0; i < n; i++) {
		struct vcpu *c = &s->cpu[i];
		*c = (struct vcpu){.set = s, .id = i, .fd = -1};
		c->fd = ioctl(s->vm, KVM_CREATE_VCPU, (unsigned long)i);
		if (c->fd < 0)
			return err_set(errno, "KVM_CREATE_VCPU %d failed", i);
		int r = map_run(s, c);
		if (r == 0)
			r = set_cpuid(s, c, base);
		if (r < 0)
			return r;
		if (!boot)
			continue; /* restored: the snapshot has the rest */
		if (i == 0) {
			if ((r = set_boot_state(c, mem, boot)) < 0)
				return r;
			continue;
		}
		/* KVM's default for a vCPU other than the BSP when the local APIC is in the
		 * kernel, said here since the whole start of an AP depends on it: it waits in
		 * KVM_RUN for INIT and SIPI. */
		struct kvm_mp_state mp = {.mp_state = KVM_MP_STATE_UNINITIALIZED};
		if (ioctl(c->fd, KVM_SET_MP_STATE, &mp) < 0)
			return err_set(errno, "KVM_SET_MP_STATE failed for vCPU %d", i);
	}
	return 0;
}

void vcpus_close(struct vcpus *s)
{
	for (int i = 0; i < s->n; i++) {
		struct vcpu *c = &s->cpu[i];
		if (c->run)
			munmap(c->run, c->run_size);
		if (c->fd >= 0)
			close(c->fd);
		c->run = NULL;
		c->fd = -1;
	}
}

/* ---- the end of the VM ---- */

static void kick(int sig)
{
	(void)sig; /* only there so that the signal interrupts KVM_RUN instead of killing us */
}

/* Records how the VM ended, if no vCPU did before, and stops the others: each gets
 * immediate_exit (KVM_RUN returns at once if it was about to enter) and then the signal (if it
 * is inside, KVM_RUN returns EINTR). In that order no vCPU can miss both. */
static void end_vm(struct vcpu *c, enum vcpu_end why, bool regs, const char *fmt, ...)
{
	struct vcpus *s = c->set;
	pthread_mutex_lock(&end_lock);
	if (s->ended) {
		pthread_mutex_unlock(&end_lock);
		return;
	}
	s->why = why;
	s->who = c->id;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(s->message, sizeof(s->message), fmt, ap);
	va_end(ap);
	s->have_regs = regs && ioctl(c->fd, KVM_GET_REGS, &s->regs) == 0 &&
		       ioctl(c->fd, KVM_GET_SREGS, &s->sregs) == 0;
	__atomic_store_n(&s->ended, 1, __ATOMIC_RELEASE);
	pthread_mutex_unlock(&end_lock);
	for (int i = 0; i < s->n; i++) {
		if (i == c->id)
			continue;
		__atomic_store_n(&s->cpu[i].run->immediate_exit, 1, __ATOMIC_RELEASE);
		if (i == 0 || __atomic_load_n(&s->cpu[i].started, __ATOMIC_ACQUIRE))
			pthread_kill(s->cpu[i].thread, KICK_SIGNAL);
	}
}

void vcpus_stop(struct vcpus *s, enum vcpu_end why, const char *message)
{
	pthread_mutex_lock(&end_lock);
	if (s->ended) {
		pthread_mutex_unlock(&end_lock);
		return;
	}
	s->why = why;
	s->who = -1;
	snprintf(s->message, sizeof(s->message), "%s", message);
	__atomic_store_n(&s->ended, 1, __ATOMIC_RELEASE);
	pthread_mutex_unlock(&end_lock);
	for (int i = 0; i < s->n; i++) {
		__atomic_store_n(&s->cpu[i].run->immediate_exit, 1, __ATOMIC_RELEASE);
		if (i == 0 || __atomic_load_n(&s->cpu[i].started, __ATOMIC_ACQUIRE))
			pthread_kill(s->cpu[i].thread, KICK_SIGNAL);
	}
}

/* ---- running ---- */

static void debug_unknown(const struct bus *b, uint64_t addr, const uint8_t *data, uint32_t len,
			  bool is_write)
{
	uint64_t v = 0;
	memcpy(&v, data, len < sizeof(v) ? len : sizeof(v));
	if (is_write)
		fprintf(stderr,
			"shikumi-vmm: %u-byte write of 0x%llx to unknown %s 0x%llx ignored\r\n",
			len, (unsigned long long)v, b->space, (unsigned long long)addr);
	else
		fprintf(stderr, "shikumi-vmm: %u-byte read of unknown %s 0x%llx: 0x%llx\r\n", len,
			b->space, (unsigned long long)addr, (unsigned long long)v);
}

static void port_io(struct vcpu *c)
{
	struct vcpus *s = c->set;
	struct kvm_run *run = c->run;
	uint8_t *data = (uint8_t *)run + run->io.data_offset;
	bool out = run->io.direction == KVM_EXIT_IO_OUT;
	/* A string instruction (rep outsb) comes as one exit of `count` accesses. */
	for (uint32_t i = 0; i < run->io.count; i++, data += run->io.size)
		if (!bus_access(s->pio, run->io.port, data, run->io.size, out) && s->debug)
			debug_unknown(s->pio, run->io.port, data, run->io.size, out);
}

static void mmio(struct vcpu *c)
{
	struct vcpus *s = c->set;
	struct kvm_run *run = c->run;
	uint32_t len = run->mmio.len <= sizeof(run->mmio.data) ? run->mmio.len : 8;
	if (!bus_access(s->mmio, run->mmio.phys_addr, run->mmio.data, len, run->mmio.is_write) &&
	    s->debug)
		debug_unknown(s->mmio, run->mmio.phys_addr, run->mmio.data, len,
			      run->mmio.is_write);
}

/* Runs vCPU `c` until the VM ends, by its hand or another's. */
static void vcpu_loop(struct vcpu *c)
{
	struct vcpus *s = c->set;
	while (!__atomic_load_n(&s->ended, __ATOMIC_ACQUIRE)) {
		if (ioctl(c->fd, KVM_RUN, 0) < 0) {
			if (errno == EINTR || errno == EAGAIN)
				continue; /* a kick (the loop's test ends it) or a stray signal */
			end_vm(c, VCPU_END_ERROR, false, "KVM_RUN failed on vCPU %d: %s", c->id,
			       strerror(errno));
			return;
		}
		struct kvm_run *run = c->run;
		switch (run->exit_reason) {
		case KVM_EXIT_IO:
			port_io(c);
			if (__atomic_load_n(s->reset, __ATOMIC_ACQUIRE))
				end_vm(c, VCPU_END_RESET, false, "reset");
			else if (s->pause && __atomic_load_n(s->pause, __ATOMIC_ACQUIRE))
				end_vm(c, VCPU_END_PAUSE, false, "ready for a snapshot");
			break;
		case KVM_EXIT_MMIO:
			mmio(c);
			break;
		case KVM_EXIT_HLT: /* only without an irqchip (the tiny guest): it is done */
			__atomic_fetch_add(&s->hlt_exits, 1, __ATOMIC_RELAXED);
			end_vm(c, VCPU_END_HLT, false, "halt");
			break;
		case KVM_EXIT_SHUTDOWN:
			__atomic_fetch_add(&s->shutdown_exits, 1, __ATOMIC_RELAXED);
			end_vm(c, VCPU_END_SHUTDOWN, true,
			       "the guest triple-faulted (a shutdown exit%s)",
			       s->n > 1 ? (c->id ? " on an AP" : " on the BSP") : "");
			break;
		case KVM_EXIT_FAIL_ENTRY:
			end_vm(c, VCPU_END_FAIL, true,
			       "KVM could not enter the guest (reason 0x%llx) on vCPU %d",
			       (unsigned long long)run->fail_entry.hardware_entry_failure_reason,
			       c->id);
			break;
		case KVM_EXIT_INTERNAL_ERROR:
			end_vm(c, VCPU_END_FAIL, true, "KVM internal error %u on vCPU %d",
			       run->internal.suberror, c->id);
			break;
		default:
			end_vm(c, VCPU_END_FAIL, true, "unexpected exit reason %u on vCPU %d",
			       run->exit_reason, c->id);
			break;
		}
	}
}

static void *vcpu_thread(void *arg)
{
	vcpu_loop(arg);
	return NULL;
}

int vcpus_run(struct vcpus *s)
{
	struct sigaction sa = {.sa_handler = kick}; /* no SA_RESTART: KVM_RUN must return */
	sigemptyset(&sa.sa_mask);
	if (sigaction(KICK_SIGNAL, &sa, NULL) < 0)
		return err_set(errno, "cannot set the vCPUs' signal handler");
	s->cpu[0].thread = pthread_self();
	int r = 0;
	for (int i = 1; i < s->n && r == 0; i++) {
		int e = pthread_create(&s->cpu[i].thread, NULL, vcpu_thread, &s->cpu[i]);
		if (e)
			r = err_set(e, "cannot start a thread for vCPU %d", i);
		else
			__atomic_store_n(&s->cpu[i].started, true, __ATOMIC_RELEASE);
	}
	if (r == 0)
		vcpu_loop(&s->cpu[0]);
	else
		end_vm(&s->cpu[0], VCPU_END_ERROR, false, "%s", err_msg());
	for (int i = 1; i < s->n; i++)
		if (s->cpu[i].started)
			pthread_join(s->cpu[i].thread, NULL);
	return r;
}
