/* The vCPUs: their creation, the CPU each one sees, and the loop that runs each on its own
 * thread until the VM ends.
 *
 * vCPU 0 is the bootstrap processor: it alone gets the 64-bit boot state (GDT, page tables,
 * long mode, the entry point and boot_params in its registers) and runs on the calling thread.
 * The others are application processors as on a real PC: KVM holds them in
 * KVM_MP_STATE_UNINITIALIZED, inside KVM_RUN on their threads, until the guest's BSP sends
 * them INIT and SIPI through the in-kernel local APIC; KVM then starts them in real mode at
 * the SIPI's vector, where Linux put its trampoline. The VMM never touches their registers.
 *
 * Every port and MMIO exit of every vCPU goes to the one device bus (bus.c, a lock per
 * device). The first vCPU that ends the VM (the guest's reset, a triple fault, a failure)
 * records why, and kicks the others out of KVM_RUN (immediate_exit and a signal); vcpu_run
 * returns once every thread has stopped.
 */
#ifndef SHIKUMI_VMM_VCPU_H
#define SHIKUMI_VMM_VCPU_H

#include "bus.h"

#include <linux/kvm.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#define VCPU_MAX 8

/* How the VM ended: what the vCPU that ended it saw. */
enum vcpu_end {
	VCPU_END_RESET = 1, /* the guest pulsed the i8042's reset line */
	VCPU_END_HLT,	    /* without an irqchip (the tiny guest): it halted */
	VCPU_END_SHUTDOWN,  /* a shutdown exit: a triple fault, or a reset by one (reboot=t) */
	VCPU_END_FAIL,	    /* KVM could not enter the guest, or an internal error, or an exit
			     * this VMM does not know: `detail` and `message` say which */
	VCPU_END_ERROR,	    /* KVM_RUN itself failed (the message in err_msg) */
	VCPU_END_PAUSE,	    /* the guest said it is ready for a snapshot (vcpus.pause) */
	VCPU_END_TIMEOUT,   /* vcpus_stop: the VMM gave up waiting (the message says for what) */
};

struct vcpu {
	struct vcpus *set;
	int id, fd;
	struct kvm_run *run;
	size_t run_size;
	pthread_t thread;
	bool started; /* a thread of its own (the APs) */
};

struct vcpus {
	/* Filled by the caller before vcpus_create. */
	int kvm, vm;		/* /dev/kvm and the VM's fds */
	struct bus *pio, *mmio; /* where every access goes */
	const bool *reset; /* the i8042's reset line, looked at after this vCPU's port writes */
	const bool *pause; /* NULL, or with --snapshot the marker's "ready": stop every vCPU */
	bool tiny;	   /* no irqchip: no TSC-deadline timer, HLT ends the VM */
	bool debug;	   /* report every access no device claimed */
	/* Set by vcpus_create. */
	int n;
	struct vcpu cpu[VCPU_MAX];
	uint32_t signature, features; /* CPUID leaf 1 EAX and EDX, for the MP table */
	/* How the VM ended, written once by the vCPU that ended it (`ended` set last). */
	int ended;
	enum vcpu_end why;
	int who;
	char message[160];
	bool have_regs; /* the registers of `who` when it failed, for the report */
	struct kvm_regs regs;
	struct kvm_sregs sregs;
	uint64_t hlt_exits, shutdown_exits; /* summed over the vCPUs (atomic) */
};

/* Creates `n` vCPUs: each with its kvm_run and the CPUID of its APIC id (vcpu 0 the BSP, with
 * the long-mode state in `mem` and `boot`'s registers), the others left for the guest to
 * start. With `boot` NULL (a restore) neither: their state comes from the snapshot. Returns
 * 0, or a negative errno with a message. */
int vcpus_create(struct vcpus *s, int n, uint8_t *mem, const struct kvm_regs *boot);

/* Runs every vCPU (the BSP on this thread) until one ends the VM, and waits for the others.
 * Returns 0 with s->why saying how it ended, or a negative errno with a message when a vCPU
 * thread could not be started (then nothing runs any more either). */
int vcpus_run(struct vcpus *s);

/* Ends the VM from outside the vCPUs (another thread), as `why` with `message`, unless a
 * vCPU ended it first. */
void vcpus_stop(struct vcpus *s, enum vcpu_end why, const char *message);

/* Unmaps and closes what vcpus_create made. */
void vcpus_close(struct vcpus *s);

#endif
