/* Unit tests: what several vCPUs need without KVM: the MP table (vmm/mptable.c), each vCPU's
 * CPUID topology (vmm/x86.c) and the bus's per-device locks (vmm/bus.c). --cpus: test_vmm.c.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "../../common/err.h"
#include "../../vmm/bus.h"
#include "../../vmm/mptable.h"
#include "../../vmm/x86.h"

#include <string.h>

static uint8_t sum(const uint8_t *p, size_t n)
{
	uint8_t s = 0;
	while (n--)
		s += *p++;
	return s;
}

static uint32_t le32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static uint16_t le16(const uint8_t *p)
{
	return (uint16_t)(p[0] | p[1] << 8);
}

/* Walks the table as Linux's mpparse does and checks every field it reads. */
static void check_table(const uint8_t *buf, int size, uint32_t addr, int cpus)
{
	/* The floating pointer: "_MP_", 16 bytes that sum to 0, version 1.4, a table follows. */
	assert_memory_equal(buf, "_MP_", 4);
	assert_int_equal(buf[8], 1);
	assert_int_equal(buf[9], 4);
	assert_int_equal(sum(buf, 16), 0);
	assert_int_equal(buf[11], 0); /* feature 1: no default configuration */
	uint32_t physptr = le32(buf + 4);
	assert_int_equal(physptr, addr + 16);
	const uint8_t *t = buf + (physptr - addr);
	assert_memory_equal(t, "PCMP", 4);
	uint16_t len = le16(t + 4), count = le16(t + 34);
	assert_int_equal(t[6], 4);
	assert_int_equal(sum(t, len), 0);
	assert_int_equal(le32(t + 36), MPTABLE_LAPIC_ADDR);
	assert_int_equal(16 + len, size);
	int n[5] = {0}, bsp = 0, pins = 0;
	const uint8_t *e = t + 44, *end = t + len;
	for (int i = 0; i < count; i++) {
		assert_true(e < end);
		assert_in_range(e[0], MP_PROCESSOR, MP_LINTSRC);
		n[e[0]]++;
		switch (e[0]) {
		case MP_PROCESSOR:
			assert_int_equal(e[1],
					 n[0] - 1); /* APIC ids 0, 1, ... as KVM numbers them */
			assert_true(e[3] & 1);	    /* enabled */
			bsp += (e[3] & 2) != 0;
			assert_int_equal(le32(e + 4), 0x806f0);
			e += 20;
			continue;
		case MP_BUS:
			assert_memory_equal(e + 2, "ISA   ", 6);
			break;
		case MP_IOAPIC:
			assert_int_equal(e[1], cpus); /* an id no CPU has */
			assert_true(e[3] & 1);
			assert_int_equal(le32(e + 4), MPTABLE_IOAPIC_ADDR);
			break;
		case MP_INTSRC:
			assert_int_equal(e[5], e[7]); /* ISA IRQ i on pin i, as KVM routes GSI i */
			assert_int_equal(e[6], cpus);
			assert_int_equal(le16(e + 2), 0); /* ISA's edge, active high */
			pins++;
			break;
		}
		e += 8;
	}
	assert_ptr_equal(e, end);
	assert_int_equal(n[MP_PROCESSOR], cpus);
	assert_int_equal(bsp, 1);
	assert_int_equal(n[MP_BUS], 1);
	assert_int_equal(n[MP_IOAPIC], 1);
	assert_int_equal(pins, MPTABLE_IOAPIC_PINS);
	assert_int_equal(n[MP_LINTSRC], 2);
}

static void mptable(void **state)
{
	(void)state;
	static uint8_t buf[MPTABLE_ROOM];
	for (int cpus = 1; cpus <= MPTABLE_MAX_CPUS; cpus++) {
		memset(buf, 0xaa, sizeof(buf));
		int size = mptable_build(buf, sizeof(buf), MPTABLE_ADDR, cpus, 0x806f0, 0x178bfbff);
		assert_int_equal(size, (int)mptable_size(cpus));
		check_table(buf, size, MPTABLE_ADDR, cpus);
		assert_int_equal(buf[size], 0xaa); /* nothing written past it */
	}
	/* The largest fits in the KiB Linux scans. */
	assert_true(mptable_size(MPTABLE_MAX_CPUS) <= MPTABLE_ROOM);
	assert_int_equal(mptable_build(buf, sizeof(buf), MPTABLE_ADDR, 0, 0, 0), -EINVAL);
	assert_non_null(strstr(err_msg(), "1 to 8"));
	assert_int_equal(mptable_build(buf, sizeof(buf), MPTABLE_ADDR, 9, 0, 0), -EINVAL);
	assert_int_equal(mptable_build(buf, 100, MPTABLE_ADDR, 2, 0, 0), -EINVAL);
	assert_non_null(strstr(err_msg(), "needs"));
}

static struct kvm_cpuid_entry2 *find(struct kvm_cpuid_entry2 *e, int n, uint32_t fn, uint32_t i)
{
	for (int k = 0; k < n; k++)
		if (e[k].function == fn && e[k].index == i)
			return &e[k];
	return NULL;
}

static void topology(void **state)
{
	(void)state;
	/* What a host might hand over: its own APIC id and 16 logical CPUs in leaf 1, a host leaf
	 * 0xB with its x2APIC id, 64 cores in 0x80000008. */
	struct kvm_cpuid_entry2 e[12] = {
	    {.function = 0, .eax = 0xd},
	    {.function = 1, .eax = 0x806f0, .ebx = 0x0b100800, .edx = 0x078bfbff},
	    {.function = 4, .index = 0, .eax = 0xfc004121},
	    {.function = 4, .index = 1, .eax = 0},
	    {.function = 0xb, .index = 0, .ebx = 2, .ecx = 0x100, .edx = 11},
	    {.function = 0x80000008, .ecx = 0x703f},
	    {.function = 0x8000001e, .eax = 11, .ebx = 0x105},
	};
	int n = x86_cpuid_topology(e, 7, 12, 3, 4);
	assert_int_equal(n, 9); /* host's 0xB level replaced by three */
	struct kvm_cpuid_entry2 *l1 = find(e, n, 1, 0);
	assert_int_equal(l1->ebx >> 24, 3);	     /* its own APIC id */
	assert_int_equal((l1->ebx >> 16) & 0xff, 4); /* four ids in the package */
	assert_int_equal(l1->ebx & 0xffff, 0x0800);  /* the rest kept */
	assert_true(l1->edx & CPUID_HTT);
	assert_int_equal(l1->eax, 0x806f0);
	assert_int_equal(find(e, n, 4, 0)->eax >> 26, 3); /* four cores */
	assert_int_equal(find(e, n, 4, 0)->eax & 0x3fff, 0x0121);
	assert_int_equal(find(e, n, 4, 1)->eax, 0); /* no cache there: left alone */
	struct kvm_cpuid_entry2 *smt = find(e, n, 0xb, 0), *core = find(e, n, 0xb, 1),
				*last = find(e, n, 0xb, 2);
	assert_non_null(smt);
	assert_non_null(core);
	assert_non_null(last);
	assert_int_equal(smt->ebx, 1);
	assert_int_equal(smt->ecx, 0x100);
	assert_int_equal(smt->edx, 3);
	assert_int_equal(core->eax, 2); /* two bits of core id */
	assert_int_equal(core->ebx, 4);
	assert_int_equal(core->ecx, 0x201);
	assert_int_equal(core->edx, 3);
	assert_int_equal(last->ecx & 0xff00, 0);
	assert_true(smt->flags & KVM_CPUID_FLAG_SIGNIFCANT_INDEX);
	assert_int_equal(find(e, n, 0x80000008, 0)->ecx, 0x2003);
	assert_int_equal(find(e, n, 0x8000001e, 0)->eax, 3);
	assert_int_equal(find(e, n, 0x8000001e, 0)->ebx, 3);

	/* One vCPU: no HTT, one id; leaf 0xB added where KVM gave none and leaf 0 reaches it. */
	struct kvm_cpuid_entry2 f[5] = {{.function = 0, .eax = 0xb},
					{.function = 1, .ebx = 0x00100800, .edx = CPUID_HTT}};
	n = x86_cpuid_topology(f, 2, 5, 0, 1);
	assert_int_equal(n, 5);
	assert_int_equal(f[1].ebx, 0x00010800);
	assert_false(f[1].edx & CPUID_HTT);
	assert_int_equal(find(f, n, 0xb, 1)->ebx, 1);
	assert_int_equal(find(f, n, 0xb, 1)->eax, 0);
	/* No room for them: left as it was, nothing dropped. */
	struct kvm_cpuid_entry2 g[3] = {{.function = 0, .eax = 0xb},
					{.function = 0xb, .index = 0, .edx = 9}};
	assert_int_equal(x86_cpuid_topology(g, 2, 3, 1, 2), 2);
	assert_int_equal(g[1].edx, 9);
	/* Leaf 0 below 0xB: none added. */
	struct kvm_cpuid_entry2 h[5] = {{.function = 0, .eax = 0x7}};
	assert_int_equal(x86_cpuid_topology(h, 1, 5, 1, 2), 1);
}

static void noop_io(void *opaque, uint64_t offset, uint8_t *data, uint32_t len, bool is_write)
{
	(void)opaque, (void)offset, (void)data, (void)len, (void)is_write;
}

/* Two ranges of one device share its lock (the i8042's ports touch one state); two devices
 * never do. */
static void bus_locks(void **state)
{
	(void)state;
	static struct bus b;
	int a, c;
	bus_init(&b, "port");
	assert_int_equal(bus_register(&b, "one", 0x60, 1, noop_io, &a), 0);
	assert_int_equal(bus_register(&b, "two", 0x70, 2, noop_io, &c), 0);
	assert_int_equal(bus_register(&b, "one", 0x64, 1, noop_io, &a), 0);
	assert_ptr_equal(b.dev[0].lock, b.dev[2].lock);
	assert_ptr_not_equal(b.dev[0].lock, b.dev[1].lock);
	assert_int_equal(b.nlocks, 2);
	uint8_t v = 0;
	assert_non_null(bus_access(&b, 0x64, &v, 1, true));
	assert_int_equal(pthread_mutex_trylock(b.dev[2].lock), 0); /* released after the call */
	pthread_mutex_unlock(b.dev[2].lock);
	assert_null(bus_access(&b, 0x80, &v, 1, false));
	assert_int_equal(b.unknown, 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(mptable),
	    cmocka_unit_test(topology),
	    cmocka_unit_test(bus_locks),
	};
	return cmocka_run_group_tests_name("smp", tests, NULL, NULL);
}
