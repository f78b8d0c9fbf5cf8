/* The Intel MultiProcessor table (MP specification 1.4), which tells a guest without ACPI how
 * many CPUs it has and where its interrupts arrive: the VMM writes it where a BIOS would, in
 * the last KiB of base memory (639 KiB, inside the range the e820 map reserves), and the BIOS
 * data area points at it as the EBDA. Linux scans that KiB for the floating pointer "_MP_"
 * (CONFIG_X86_MPPARSE), follows it to the configuration table "PCMP", and brings up one CPU
 * per processor entry through INIT and SIPI from its local APIC.
 *
 * What the table says:
 *   processors  local APIC ids 0 .. N-1 (KVM gives vCPU i the APIC id i), vCPU 0 the BSP
 *   bus 0       ISA, where the legacy devices and the virtio-mmio devices sit
 *   I/O APIC    id N, at 0xfec00000 (KVM's in-kernel one, 24 pins)
 *   interrupts  ISA IRQ i on I/O APIC pin i for i < 24, as KVM's default routing wires a
 *               KVM_IRQ_LINE of GSI i (no override of IRQ 0 to pin 2: KVM's PIT raises GSI
 *               0, which reaches pin 0); ISA's own polarity and trigger (active high, edge);
 *               the 8259's ExtINT on every local APIC's LINT0, NMI on LINT1
 */
#ifndef SHIKUMI_VMM_MPTABLE_H
#define SHIKUMI_VMM_MPTABLE_H

#include <stddef.h>
#include <stdint.h>

#define MPTABLE_ADDR	    0x9fc00 /* 639 KiB: the top KiB of base memory, one place Linux scans */
#define MPTABLE_ROOM	    0x400
#define MPTABLE_MAX_CPUS    8
#define MPTABLE_IOAPIC_PINS 24
#define MPTABLE_IOAPIC_ADDR 0xfec00000u
#define MPTABLE_LAPIC_ADDR  0xfee00000u

/* The entry types of the configuration table, and their sizes. */
enum {
	MP_PROCESSOR = 0, /* 20 bytes */
	MP_BUS = 1,	  /* 8 bytes, as are the rest */
	MP_IOAPIC = 2,
	MP_INTSRC = 3,
	MP_LINTSRC = 4,
};
#define MP_FLOATING_SIZE  16
#define MP_HEADER_SIZE	  44
#define MP_PROCESSOR_SIZE 20
#define MP_ENTRY_SIZE	  8

/* The table's size for `cpus` CPUs: the floating pointer, the header and every entry. */
size_t mptable_size(int cpus);

/* Writes the floating pointer and the configuration table for `cpus` CPUs (1 ..
 * MPTABLE_MAX_CPUS) into `buf` (mptable_size(cpus) bytes at least), which the guest sees at
 * physical address `addr`. `signature` and `features` go into each processor entry (CPUID
 * leaf 1 EAX and EDX, as a BIOS copies them). Returns the size written, or -EINVAL with a
 * message for a count out of range or a buffer too small. */
int mptable_build(uint8_t *buf, size_t room, uint32_t addr, int cpus, uint32_t signature,
		  uint32_t features);

#endif
