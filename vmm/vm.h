/* A KVM virtual machine with one or more vCPUs (vcpu.c, one thread each): the whole monitor,
 * from /dev/kvm to the guest's exit.
 *
 * vm.c creates the machine and runs the loop; every port and MMIO exit goes to the device bus
 * (bus.c), where each device has claimed its range (everything else is counted and ignored:
 * reads give 0xff):
 *   0x3f8-0x3ff  the 8250 UART (serial.c), IRQ 4: the guest's console
 *   0x60, 0x64   the i8042 (i8042.c): command 0xfe on 0x64 pulses the reset line, which
 *                ends the VM (how Linux reboots with reboot=k; `reboot -f` in the guest)
 *   0x70, 0x71   the CMOS clock (cmos.c): the host's time
 *   0x510-0x511  the boot marker and exit status ports (marker.c): the guest's /init writes
 *                "user space reached" and its command's status there
 * and on the MMIO bus, a page per virtio-mmio device (virtio_mmio.c), each announced on the
 * kernel command line:
 *   0xd0000000   virtio-blk (virtio_blk.c), IRQ 5, with --disk
 *   0xd0001000   virtio-net (virtio_net.c), IRQ 6, with --net-fd
 */
#ifndef SHIKUMI_VMM_VM_H
#define SHIKUMI_VMM_VM_H

#include <stdbool.h>
#include <stdint.h>

/* Exit statuses of shikumi-vmm besides the guest's own. */
#define VM_EXIT_PANIC	    120 /* the guest kernel panicked */
#define VM_EXIT_TRIPLEFAULT 121 /* the vCPU failed: triple fault, or KVM could not run it */
#define VM_EXIT_ERROR	    125 /* the VMM itself failed (the message says why) */

#define VM_CPUS_MAX 8 /* the MP table's and the minimal kernel's (CONFIG_NR_CPUS) limit */

struct vm_config {
	const char *kernel;   /* a bzImage, or with `tiny` a flat binary */
	const char *initrd;   /* NULL for none */
	const char *cmdline;  /* the kernel command line */
	const char *disk;     /* a disk image for virtio-blk, NULL for none */
	bool disk_ro;	      /* ... refused every write */
	int net_fd;	      /* an open tap for virtio-net, -1 for none */
	uint8_t net_mac[6];   /* the guest's MAC address */
	uint64_t memory;      /* guest RAM, bytes */
	int cpus;	      /* vCPUs, 1 .. VM_CPUS_MAX */
	bool tiny;	      /* a bare-metal guest: loaded at 1 MiB, entered there, no irqchip */
	bool timing;	      /* print the phases and the exit counts on stderr */
	bool debug;	      /* report every unknown port and MMIO access */
	bool debug_forbidden; /* call socket(2) once set up (the jail's seccomp test) */
	bool kvm_pvm;	      /* --kvm-pvm: /dev/kvm is PVM's (said by a jail without /sys) */
	int seccomp_fd;	      /* --seccomp-fd: a filter to load before anything else, or -1 */
	const char *snapshot; /* --snapshot DIR: boot, and write DIR once the guest is ready */
	int snapshot_timeout; /* ... seconds to wait for that */
	const char *restore;  /* --restore DIR: resume that snapshot instead of booting */
	char **command;	      /* ... and type this command on its console (NULL: none) */
	int ncommand;
	bool memory_set, cpus_set; /* given on the command line (a restore checks them) */
};

/* Boots the guest (or with cfg->restore resumes a snapshot, snapshot.h) and runs it until it
 * powers off (or with cfg->snapshot until it is ready, and writes the snapshot). *status is
 * what shikumi-vmm should exit with (the guest's reported status, or one of the VM_EXIT_
 * codes). Returns 0, or a negative errno with a message when the VM could not be set up. */
int vm_run(const struct vm_config *cfg, int *status);

#endif
