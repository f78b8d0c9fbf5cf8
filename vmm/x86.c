#include "x86.h"

#include <string.h>

uint64_t x86_gdt_entry(uint16_t flags, uint32_t base, uint32_t limit)
{
	return ((uint64_t)(base & 0xff000000u) << 32) | ((uint64_t)(flags & 0xf0ff) << 40) |
	       ((uint64_t)(limit & 0x000f0000u) << 32) | ((uint64_t)(base & 0x00ffffffu) << 16) |
	       (uint64_t)(limit & 0x0000ffffu);
}

static void put64(uint8_t *mem, uint64_t addr, uint64_t v)
{
	memcpy(mem + addr, &v, sizeof(v));
}

void x86_build_tables(uint8_t *mem)
{
	/* 0: null, 1: unused, 2: code (64-bit, L=1), 3: data. */
	put64(mem, GUEST_GDT, 0);
	put64(mem, GUEST_GDT + 8, 0);
	put64(mem, GUEST_GDT + GDT_CODE64, x86_gdt_entry(0xa09b, 0, 0xfffff));
	put64(mem, GUEST_GDT + GDT_DATA, x86_gdt_entry(0xc093, 0, 0xfffff));
	memset(mem + GUEST_PML4, 0, 0x1000 * 6);
	put64(mem, GUEST_PML4, GUEST_PDPT | 0x3); /* present, writable */
	for (uint64_t i = 0; i < 4; i++) {
		put64(mem, GUEST_PDPT + i * 8, (GUEST_PD + i * 0x1000) | 0x3);
		for (uint64_t j = 0; j < 512; j++) /* 2 MiB pages: present, writable, PS */
			put64(mem, GUEST_PD + i * 0x1000 + j * 8, ((i * 512 + j) << 21) | 0x83);
	}
}

static void segment(struct kvm_segment *s, uint16_t selector, uint8_t type, int l, int db)
{
	*s = (struct kvm_segment){.base = 0,
				  .limit = 0xffffffff,
				  .selector = selector,
				  .type = type,
				  .present = 1,
				  .dpl = 0,
				  .db = (uint8_t)db,
				  .s = 1,
				  .l = (uint8_t)l,
				  .g = 1};
}

void x86_long_mode(struct kvm_sregs *sregs)
{
	segment(&sregs->cs, GDT_CODE64, 0xb, 1, 0); /* execute/read, accessed */
	segment(&sregs->ds, GDT_DATA, 0x3, 0, 1);   /* read/write, accessed */
	sregs->es = sregs->fs = sregs->gs = sregs->ss = sregs->ds;
	sregs->gdt.base = GUEST_GDT;
	sregs->gdt.limit = 4 * 8 - 1;
	sregs->cr3 = GUEST_PML4;
	sregs->cr4 |= X86_CR4_PAE;
	sregs->cr0 |= X86_CR0_PE | X86_CR0_ET | X86_CR0_PG;
	sregs->efer |= X86_EFER_LME | X86_EFER_LMA;
}

int x86_cpuid_guest(struct kvm_cpuid_entry2 *entries, int n, bool tsc_deadline)
{
	int changed = 0;
	for (int i = 0; i < n; i++)
		if (entries[i].function == 1) {
			entries[i].ecx |= CPUID_HYPERVISOR;
			if (tsc_deadline)
				entries[i].ecx |= CPUID_TSC_DEADLINE;
			changed++;
		}
	return changed;
}
