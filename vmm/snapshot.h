/* Snapshots of a running machine (shikumi-vmm --snapshot DIR, --restore DIR): the KVM side.
 *
 * Taking one: once every vCPU has left KVM_RUN (vcpus_run returned: the guest wrote "ready"
 * to the boot-marker port), each is entered once more with immediate_exit set, which
 * completes the port access it stopped in and returns at once (the KVM API's way to make the
 * state consistent); then its state is read, and the machine's: the PIC pair and I/O APIC,
 * the PIT, the KVM clock. DIR/mem is guest RAM (sparse: pages that are all zero are holes),
 * DIR/state the rest (snapfile.h). Both are written into DIR.tmp-PID-XXXXXX, synced, and renamed
 * to DIR at the end, so that a failed or interrupted snapshot leaves nothing (one killed
 * with SIGKILL is removed by the next --snapshot DIR: snapshot_sweep).
 *
 * Restoring: the vCPUs are created with the same CPUID as for a boot, then, each in the
 * order the KVM API needs (Firecracker's notes say why): SREGS (the APIC base) before REGS,
 * XSAVE and XCRS, debug registers, LAPIC (before the MSRs: the TSC deadline needs the LAPIC
 * in that mode), MSRs, the events (after REGS, which clear pending exceptions), MP state;
 * then the interrupt controllers, the PIT, and last the clock, moved on by the real time that
 * went by since the snapshot (KVM_CLOCK_REALTIME), so that the guest's clock is the host's. */
#ifndef SHIKUMI_VMM_SNAPSHOT_H
#define SHIKUMI_VMM_SNAPSHOT_H

#include "snapfile.h"
#include "vcpu.h"

struct snap_machine {
	int kvm, vm;
	struct vcpus *cpus;
	struct serial *uart;
	struct i8042 *kbd;
	struct cmos *cmos;
	struct marker *marker;
	uint8_t *mem;
	uint64_t mem_size;
	bool amd; /* the host CPU is AMD's (KVM on SVM) */
};

/* Writes the snapshot of the stopped machine to `dir` (which must not exist), with header
 * fields from `h` (kernel_id, memory, cpus, devices, version). Returns 0, or a negative errno
 * with a message, and then nothing is left. */
int snapshot_write(const char *dir, const struct snap_machine *m, struct snap_header *h);

/* Removes what a shikumi-vmm killed while writing `dir` left beside it (DIR.tmp-PID-XXXXXX of
 * a PID that is gone, owned by this user); those of a writer still running are left alone. */
void snapshot_sweep(const char *dir);

/* Sets the vCPUs' state (created, never run) and the machine's from a parsed state file. */
int snapshot_restore(const struct snap_machine *m, const uint8_t *state, size_t len);

/* Checks, on /dev/kvm's fd and before any VM exists, that this host's KVM has every capability
 * snapshot_restore's ioctls need; a missing one is an error naming it. For the tests,
 * SHIKUMI_VMM_TEST_NO_CAP=KVM_CAP_NAME makes the check take that one as missing. */
int snapshot_check_caps(int kvm);

#endif
