#include "mptable.h"

#include "../common/err.h"

#include <string.h>

/* The layouts of MP specification 1.4, chapter 4. */
struct mp_floating {
	char signature[4]; /* "_MP_" */
	uint32_t physptr;  /* the configuration table */
	uint8_t length;	   /* in 16-byte units: 1 */
	uint8_t spec;	   /* 4: version 1.4 */
	uint8_t checksum;  /* the 16 bytes sum to 0 */
	uint8_t feature1;  /* 0: a configuration table follows (no default configuration) */
	uint8_t feature2;  /* bit 7 clear: virtual wire mode, no IMCR to switch */
	uint8_t feature3[3];
} __attribute__((packed));

struct mp_header {
	char signature[4]; /* "PCMP" */
	uint16_t length;   /* the base table: this header and every entry */
	uint8_t spec;
	uint8_t checksum; /* the base table sums to 0 */
	char oem[8];
	char product[12];
	uint32_t oem_table;
	uint16_t oem_size;
	uint16_t count; /* entries */
	uint32_t lapic; /* where each CPU finds its local APIC */
	uint16_t ext_length;
	uint8_t ext_checksum;
	uint8_t reserved;
} __attribute__((packed));

struct mp_processor {
	uint8_t type, apic_id, apic_version, flags;
	uint32_t signature, features;
	uint32_t reserved[2];
} __attribute__((packed));

struct mp_bus {
	uint8_t type, id;
	char name[6]; /* "ISA   " */
} __attribute__((packed));

struct mp_ioapic {
	uint8_t type, id, version, flags;
	uint32_t addr;
} __attribute__((packed));

struct mp_irq {
	uint8_t type, kind;
	uint16_t flags; /* 0: the bus's own polarity and trigger mode */
	uint8_t src_bus, src_irq, dst_apic, dst_pin;
} __attribute__((packed));

_Static_assert(sizeof(struct mp_floating) == MP_FLOATING_SIZE, "MP floating pointer");
_Static_assert(sizeof(struct mp_header) == MP_HEADER_SIZE, "MP configuration header");
_Static_assert(sizeof(struct mp_processor) == MP_PROCESSOR_SIZE, "MP processor entry");
_Static_assert(sizeof(struct mp_bus) == MP_ENTRY_SIZE &&
		   sizeof(struct mp_ioapic) == MP_ENTRY_SIZE &&
		   sizeof(struct mp_irq) == MP_ENTRY_SIZE,
	       "MP 8-byte entries");

#define CPU_ENABLED	 1
#define CPU_BSP		 2
#define LAPIC_VERSION	 0x14 /* an integrated local APIC, as KVM's reports */
#define IOAPIC_VERSION	 0x11 /* KVM's I/O APIC */
#define IRQ_INT		 0    /* a vectored interrupt through the I/O APIC */
#define IRQ_NMI		 1
#define IRQ_EXTINT	 3 /* the 8259's, passed through */
#define ALL_LAPICS	 0xff
#define ISA_BUS		 0
#define LINTSRC_ENTRIES	 2
#define FIXED_ENTRIES(n) ((n) + 2 + MPTABLE_IOAPIC_PINS + LINTSRC_ENTRIES)

size_t mptable_size(int cpus)
{
	return MP_FLOATING_SIZE + MP_HEADER_SIZE + (size_t)cpus * MP_PROCESSOR_SIZE +
	       (size_t)(2 + MPTABLE_IOAPIC_PINS + LINTSRC_ENTRIES) * MP_ENTRY_SIZE;
}

static uint8_t checksum(const uint8_t *p, size_t len)
{
	uint8_t sum = 0;
	for (size_t i = 0; i < len; i++)
		sum += p[i];
	return (uint8_t)-sum;
}

int mptable_build(uint8_t *buf, size_t room, uint32_t addr, int cpus, uint32_t signature,
		  uint32_t features)
{
	if (cpus < 1 || cpus > MPTABLE_MAX_CPUS)
		return err_set(0, "an MP table for %d CPUs: 1 to %d", cpus, MPTABLE_MAX_CPUS),
		       -EINVAL;
	size_t size = mptable_size(cpus);
	if (room < size)
		return err_set(0, "the MP table needs %zu bytes, not %zu", size, room), -EINVAL;
	memset(buf, 0, size);
	/* The floating pointer first (the part Linux scans for, on a 16-byte boundary), the
	 * configuration table right after it. */
	struct mp_floating mpf = {
	    .signature = "_MP_", .physptr = addr + MP_FLOATING_SIZE, .length = 1, .spec = 4};
	mpf.checksum = checksum((const uint8_t *)&mpf, sizeof(mpf));
	memcpy(buf, &mpf, sizeof(mpf));
	uint8_t *table = buf + MP_FLOATING_SIZE, *p = table + MP_HEADER_SIZE;
	for (int i = 0; i < cpus; i++) {
		struct mp_processor cpu = {.type = MP_PROCESSOR,
					   .apic_id = (uint8_t)i,
					   .apic_version = LAPIC_VERSION,
					   .flags = CPU_ENABLED | (i == 0 ? CPU_BSP : 0),
					   .signature = signature,
					   .features = features};
		memcpy(p, &cpu, sizeof(cpu));
		p += sizeof(cpu);
	}
	struct mp_bus bus = {.type = MP_BUS, .id = ISA_BUS, .name = "ISA   "};
	memcpy(p, &bus, sizeof(bus));
	p += sizeof(bus);
	uint8_t ioapic_id = (uint8_t)cpus; /* unique among the APIC ids */
	struct mp_ioapic io = {.type = MP_IOAPIC,
			       .id = ioapic_id,
			       .version = IOAPIC_VERSION,
			       .flags = 1, /* usable */
			       .addr = MPTABLE_IOAPIC_ADDR};
	memcpy(p, &io, sizeof(io));
	p += sizeof(io);
	for (int pin = 0; pin < MPTABLE_IOAPIC_PINS; pin++) {
		struct mp_irq irq = {.type = MP_INTSRC,
				     .kind = IRQ_INT,
				     .src_bus = ISA_BUS,
				     .src_irq = (uint8_t)pin,
				     .dst_apic = ioapic_id,
				     .dst_pin = (uint8_t)pin};
		memcpy(p, &irq, sizeof(irq));
		p += sizeof(irq);
	}
	struct mp_irq lint[LINTSRC_ENTRIES] = {
	    {.type = MP_LINTSRC, .kind = IRQ_EXTINT, .dst_apic = ALL_LAPICS, .dst_pin = 0},
	    {.type = MP_LINTSRC, .kind = IRQ_NMI, .dst_apic = ALL_LAPICS, .dst_pin = 1},
	};
	memcpy(p, lint, sizeof(lint));
	p += sizeof(lint);
	struct mp_header h = {.signature = "PCMP",
			      .length = (uint16_t)(p - table),
			      .spec = 4,
			      .oem = "SHIKUMI ",
			      .product = "shikumi-vmm ",
			      .count = (uint16_t)FIXED_ENTRIES(cpus),
			      .lapic = MPTABLE_LAPIC_ADDR};
	memcpy(table, &h, sizeof(h));
	table[offsetof(struct mp_header, checksum)] = checksum(table, h.length);
	return (int)(p - buf);
}
