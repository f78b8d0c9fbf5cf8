/* A KVM virtual machine with one vCPU: the whole monitor, from /dev/kvm to the guest's exit.
 *
 * Ports the VMM answers (everything else is counted and ignored: reads give 0xff):
 *   0x3f8-0x3ff  the 8250 UART (serial.c), IRQ 4: the guest's console
 *   0x60, 0x64   the i8042 (legacy.c): command 0xfe on 0x64 pulses the reset line, which
 *                ends the VM (how Linux reboots with reboot=k; `reboot -f` in the guest)
 *   0x70, 0x71   the CMOS clock (legacy.c): the host's time
 *   0x510        boot marker: any write means "user space reached" (timed by --timing)
 *   0x511        exit status: the byte written is the status shikumi-vmm exits with once
 *                the guest powers off (the guest's /init writes its command's status here)
 */
#ifndef SHIKUMI_VMM_VM_H
#define SHIKUMI_VMM_VM_H

#include <stdbool.h>
#include <stdint.h>

#define VM_PORT_MARKER 0x510
#define VM_PORT_STATUS 0x511

/* Exit statuses of shikumi-vmm besides the guest's own. */
#define VM_EXIT_PANIC	    120 /* the guest kernel panicked */
#define VM_EXIT_TRIPLEFAULT 121 /* the vCPU failed: triple fault, or KVM could not run it */
#define VM_EXIT_ERROR	    125 /* the VMM itself failed (the message says why) */

struct vm_config {
	const char *kernel;  /* a bzImage, or with `tiny` a flat binary */
	const char *initrd;  /* NULL for none */
	const char *cmdline; /* the kernel command line */
	uint64_t memory;     /* guest RAM, bytes */
	bool tiny;	     /* a bare-metal guest: loaded at 1 MiB, entered there, no irqchip */
	bool timing;	     /* print the phases and the exit counts on stderr */
	bool debug;	     /* report every unknown port and MMIO access */
};

/* Boots the guest and runs it until it powers off. *status is what shikumi-vmm should exit
 * with (the guest's reported status, or one of the VM_EXIT_ codes). Returns 0, or a negative
 * errno with a message when the VM could not be set up. */
int vm_run(const struct vm_config *cfg, int *status);

#endif
