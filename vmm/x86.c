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

/* The bits of an APIC id that number the cores of a package: enough for `cpus`. */
static uint32_t core_bits(int cpus)
{
	uint32_t bits = 0;
	while ((1 << bits) < cpus)
		bits++;
	return bits;
}

static struct kvm_cpuid_entry2 *leaf(struct kvm_cpuid_entry2 *entries, int n, uint32_t fn,
				     uint32_t index)
{
	for (int i = 0; i < n; i++)
		if (entries[i].function == fn && entries[i].index == index)
			return &entries[i];
	return NULL;
}

/* Leaf 0xB or 0x1F, subleaf `level`: 0 the threads of a core, 1 the cores of the package. */
static void topology_level(struct kvm_cpuid_entry2 *e, uint32_t fn, uint32_t level,
			   uint32_t apic_id, int cpus)
{
	*e = (struct kvm_cpuid_entry2){.function = fn,
				       .index = level,
				       .flags = KVM_CPUID_FLAG_SIGNIFCANT_INDEX,
				       .ecx = level,
				       .edx = apic_id};
	if (level == 0) {
		e->ebx = 1;	   /* one thread per core */
		e->ecx |= 1u << 8; /* level type: SMT */
	} else if (level == 1) {
		e->eax = core_bits(cpus); /* shift to the package id */
		e->ebx = (uint32_t)cpus;
		e->ecx |= 2u << 8; /* level type: core */
	}			   /* level 2: type 0, the end of the list */
}

/* Rewrites (or, with `add`, creates) subleaves 0-2 of leaf `fn`: whatever subleaves KVM gave
 * (the host's levels) go, ours take their place. Returns the entry count. */
static int topology_leaf(struct kvm_cpuid_entry2 *entries, int n, int max, uint32_t fn, bool add,
			 uint32_t apic_id, int cpus)
{
	int had = 0;
	for (int i = 0; i < n; i++)
		had += entries[i].function == fn;
	if ((!had && !add) || n - had + 3 > max)
		return n;
	int kept = 0;
	for (int i = 0; i < n; i++)
		if (entries[i].function != fn)
			entries[kept++] = entries[i];
	for (uint32_t level = 0; level < 3; level++)
		topology_level(&entries[kept++], fn, level, apic_id, cpus);
	return kept;
}

int x86_cpuid_topology(struct kvm_cpuid_entry2 *entries, int n, int max, uint32_t apic_id, int cpus)
{
	uint32_t bits = core_bits(cpus);
	for (int i = 0; i < n; i++) {
		struct kvm_cpuid_entry2 *e = &entries[i];
		if (e->function == 1) {
			e->ebx = (e->ebx & 0xffff) | apic_id << 24 | (1u << bits) << 16;
			e->edx = cpus > 1 ? e->edx | CPUID_HTT : e->edx & ~CPUID_HTT;
		} else if (e->function == 4 && (e->eax & 0x1f)) {
			/* Cores per package; each cache belongs to one core (one thread). */
			e->eax = (e->eax & 0x3fff) | ((1u << bits) - 1) << 26;
		} else if (e->function == 0x80000008) {
			e->ecx = (e->ecx & ~0xf0ffu) | bits << 12 | (uint32_t)(cpus - 1);
		} else if (e->function == 0x8000001e) {
			e->eax = apic_id;
			e->ebx = apic_id & 0xff; /* core id; bits 15:8, threads per core - 1: 0 */
			e->ecx = 0;		 /* node 0, one node per package */
		}
	}
	const struct kvm_cpuid_entry2 *basic = leaf(entries, n, 0, 0);
	uint32_t max_basic = basic ? basic->eax : 0;
	if (max_basic >= 0xb)
		n = topology_leaf(entries, n, max, 0xb, true, apic_id, cpus);
	if (max_basic >= 0x1f)
		n = topology_leaf(entries, n, max, 0x1f, false, apic_id, cpus);
	return n;
}
