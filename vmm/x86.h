/* The x86 state a 64-bit guest starts in, built by the VMM instead of by firmware: a GDT with
 * flat 64-bit code and data segments, page tables that map the first 4 GiB onto themselves
 * (2 MiB pages), and the control registers that turn long mode on. Where each lives in guest
 * memory is fixed here. */
#ifndef SHIKUMI_VMM_X86_H
#define SHIKUMI_VMM_X86_H

#include <linux/kvm.h>
#include <stdbool.h>
#include <stdint.h>

/* Guest physical layout below 1 MiB (the kernel or tiny guest goes at 1 MiB). */
#define GUEST_GDT	  0x0500
#define GUEST_BOOT_PARAMS 0x7000
#define GUEST_STACK_TOP	  0x8ff0
#define GUEST_PML4	  0x9000
#define GUEST_PDPT	  0xa000
#define GUEST_PD	  0xb000 /* four pages: 0xb000-0xefff */
#define GUEST_CMDLINE	  0x20000
#define GUEST_CMDLINE_MAX 0x10000
#define GUEST_LOAD_ADDR	  0x100000

#define GDT_CODE64 0x10 /* the selectors the boot protocol names __BOOT_CS and __BOOT_DS */
#define GDT_DATA   0x18

#define X86_CR0_PE   0x1u
#define X86_CR0_ET   0x10u
#define X86_CR0_PG   0x80000000u
#define X86_CR4_PAE  0x20u
#define X86_EFER_LME 0x100u
#define X86_EFER_LMA 0x400u

/* Writes the GDT and the page tables into guest memory `mem` (at least 1 MiB). */
void x86_build_tables(uint8_t *mem);

/* Sets segments, GDT, CR0/CR3/CR4 and EFER for 64-bit mode with those tables. */
void x86_long_mode(struct kvm_sregs *sregs);

/* The raw 8-byte GDT descriptor for a flat segment with `flags` (access byte | flags << 8). */
uint64_t x86_gdt_entry(uint16_t flags, uint32_t base, uint32_t limit);

/* Adjusts what KVM_GET_SUPPORTED_CPUID offers into the CPU the guest sees (leaf 1, ECX):
 * - sets the "hypervisor present" bit (31), which KVM leaves clear. Without it Linux never
 *   reads KVM's leaves at 0x40000000: no kvm-clock, and it tries to time the TSC against the
 *   PIT ("Booting paravirtualized kernel on bare hardware");
 * - with `tsc_deadline` (KVM_CAP_TSC_DEADLINE_TIMER, and the in-kernel local APIC we create),
 *   sets the TSC-deadline timer bit (24), which KVM never reports because it depends on that
 *   irqchip (the KVM API's "known problems"). Without it Linux does not know the local APIC
 *   timer's rate and measures it against the PIT for HZ/10 ticks before devtmpfs is up:
 *   about 0.1 s of every boot, 0.23 s under emulation.
 * Returns how many entries changed. */
#define CPUID_HYPERVISOR   (1u << 31)
#define CPUID_TSC_DEADLINE (1u << 24)
int x86_cpuid_guest(struct kvm_cpuid_entry2 *entries, int n, bool tsc_deadline);

/* Makes the CPUID of vCPU `apic_id` (KVM gives vCPU i the local APIC id i) say who it is and
 * how many there are: one package of `cpus` cores, one thread each. Linux reads its APIC id
 * from leaf 1 EBX[31:24] and leaf 0xB's x2APIC id, and its topology from leaf 0xB (and 0x1F)
 * or, on AMD, from 0x80000008 and 0x8000001E; host values left there would make every vCPU
 * claim the same id or a topology of the host's, and Linux would refuse or misplace CPUs.
 *   leaf 1       EBX: APIC id, addressable ids per package; EDX bit 28 (HTT) with cpus > 1
 *   leaf 4       EAX[31:26]: cores per package - 1 (Intel's cache leaf)
 *   leaf 0xB     subleaf 0 the thread level (1 each), 1 the core level (cpus), 2 the end;
 *                added when KVM offered none but leaf 0 reaches 0xB (`max` entries fit)
 *   0x1F         the same as 0xB, where KVM offers it
 *   0x80000008   ECX: cores - 1, and the APIC id bits they take
 *   0x8000001E   extended APIC id, core id, one thread per core, node 0
 * Returns the new number of entries. */
int x86_cpuid_topology(struct kvm_cpuid_entry2 *entries, int n, int max, uint32_t apic_id,
		       int cpus);
#define CPUID_HTT (1u << 28)

#endif
