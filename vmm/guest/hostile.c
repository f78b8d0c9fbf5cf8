/* The hostile guest: a bare-metal program that does to the VMM what a malicious kernel could.
 * shikumi-vmm --tiny --kernel hostile.bin [--disk FILE] runs it like the tiny guest (at 1 MiB,
 * in 64-bit mode, no interrupt controller). For `seconds` seconds of the CMOS clock (or
 * `rounds` rounds), it writes pseudo-random values to every register of every virtio-mmio
 * device it finds at 0xd0000000 (a page each, up to 8 pages, the empty ones hit too), builds
 * virtqueues in its own memory with lying descriptors (addresses outside RAM, huge lengths,
 * chains that loop, indices past the ring, available indices that jump) and kicks them, and
 * hits the UART, the i8042, the CMOS, the marker ports, random ports and unmapped MMIO.
 *
 * Before and after, it reads sector 0 of each virtio-blk device through a well-formed request
 * after a reset: the device must answer the same way once the driver resets it, whatever was
 * done to it in between. It exits (port 0x511) with 0 when both reads worked and agreed
 * (on a read-only disk; a writable one it may have written), 1 otherwise.
 *
 * Its parameters come from the VMM's command line, which shikumi-vmm leaves at 0x20000 for a
 * tiny guest too: "seed=N" (default: from the TSC; printed either way, so that a run can be
 * repeated with "seed=N rounds=R"), "seconds=N" (default 10), "rounds=N" (default: no limit).
 *
 * It never lets the VMM write where its own code, data and stack are (below 4 MiB): every
 * address it hands a device is at or above SCRATCH_LO, or outside RAM (the VMM needs at least
 * 16 MiB and at most 1 GiB of guest RAM for that to hold). A write that came anywhere else
 * would be the VMM's fault and would crash this guest, which the test would see. */
#include <stdbool.h>
#include <stdint.h>

#define CMDLINE	     ((const char *)0x20000)
#define MMIO_BASE    0xd0000000ULL
#define MMIO_PAGES   8
#define SCRATCH_LO   (4ULL << 20)  /* what the devices may write: [4 MiB, 16 MiB) and up */
#define SCRATCH_HI   (16ULL << 20) /* where this guest builds its rings */
#define CHECK_AREA   0x300000ULL   /* the well-formed request's ring and buffers */
#define OUTSIDE_LO   (1ULL << 30)  /* from here to 4 GiB: no RAM, MMIO exits */
#define VIRTIO_MAGIC 0x74726976

enum {
	R_MAGIC = 0x000,
	R_DEVICE_ID = 0x008,
	R_DEVICE_FEATURES = 0x010,
	R_DEVICE_FEATURES_SEL = 0x014,
	R_DRIVER_FEATURES = 0x020,
	R_DRIVER_FEATURES_SEL = 0x024,
	R_QUEUE_SEL = 0x030,
	R_QUEUE_NUM_MAX = 0x034,
	R_QUEUE_NUM = 0x038,
	R_QUEUE_READY = 0x044,
	R_QUEUE_NOTIFY = 0x050,
	R_INTERRUPT_STATUS = 0x060,
	R_INTERRUPT_ACK = 0x064,
	R_STATUS = 0x070,
	R_QUEUE_DESC_LOW = 0x080,
	R_QUEUE_DESC_HIGH = 0x084,
	R_QUEUE_AVAIL_LOW = 0x090,
	R_QUEUE_AVAIL_HIGH = 0x094,
	R_QUEUE_USED_LOW = 0x0a0,
	R_QUEUE_USED_HIGH = 0x0a4,
	R_CONFIG_GENERATION = 0x0fc,
	R_CONFIG = 0x100,
};
static const uint16_t regs[] = {
    0x000, 0x004, 0x008, 0x00c, 0x010, 0x014, 0x020, 0x024, 0x030, 0x034, 0x038, 0x044,
    0x050, 0x060, 0x064, 0x070, 0x080, 0x084, 0x090, 0x094, 0x0a0, 0x0a4, 0x0fc, 0x100,
    0x104, 0x108, 0x10c, 0x110, 0x114, 0x118, 0x11c, 0x120, 0x03c, 0x040, 0x048, 0xffc,
};
#define S_ACK	      1
#define S_DRIVER      2
#define S_DRIVER_OK   4
#define S_FEATURES_OK 8
#define S_NEEDS_RESET 0x40

#define D_NEXT	   1
#define D_WRITE	   2
#define D_INDIRECT 4

struct desc {
	uint64_t addr;
	uint32_t len;
	uint16_t flags, next;
};

/* ---- the machine ---- */

static inline void outb(uint16_t port, uint8_t v)
{
	__asm__ volatile("outb %0, %1" : : "a"(v), "Nd"(port));
}
static inline void outw(uint16_t port, uint16_t v)
{
	__asm__ volatile("outw %0, %1" : : "a"(v), "Nd"(port));
}
static inline void outl(uint16_t port, uint32_t v)
{
	__asm__ volatile("outl %0, %1" : : "a"(v), "Nd"(port));
}
static inline uint8_t inb(uint16_t port)
{
	uint8_t v;
	__asm__ volatile("inb %1, %0" : "=a"(v) : "Nd"(port));
	return v;
}
static inline uint16_t inw(uint16_t port)
{
	uint16_t v;
	__asm__ volatile("inw %1, %0" : "=a"(v) : "Nd"(port));
	return v;
}
static inline uint32_t inl(uint16_t port)
{
	uint32_t v;
	__asm__ volatile("inl %1, %0" : "=a"(v) : "Nd"(port));
	return v;
}
static inline uint64_t rdtsc(void)
{
	uint32_t lo, hi;
	__asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
	return (uint64_t)hi << 32 | lo;
}

static void mmio_write(uint64_t addr, int width, uint64_t v)
{
	volatile void *p = (volatile void *)(uintptr_t)addr;
	switch (width) {
	case 1:
		*(volatile uint8_t *)p = (uint8_t)v;
		break;
	case 2:
		*(volatile uint16_t *)p = (uint16_t)v;
		break;
	case 4:
		*(volatile uint32_t *)p = (uint32_t)v;
		break;
	default:
		*(volatile uint64_t *)p = v;
	}
}

static uint64_t mmio_read(uint64_t addr, int width)
{
	volatile void *p = (volatile void *)(uintptr_t)addr;
	switch (width) {
	case 1:
		return *(volatile uint8_t *)p;
	case 2:
		return *(volatile uint16_t *)p;
	case 4:
		return *(volatile uint32_t *)p;
	default:
		return *(volatile uint64_t *)p;
	}
}

static void reg_w(uint64_t base, uint32_t off, uint32_t v)
{
	mmio_write(base + off, 4, v);
}
static uint32_t reg_r(uint64_t base, uint32_t off)
{
	return (uint32_t)mmio_read(base + off, 4);
}

/* The compiler may call these for struct copies and loops, even freestanding. */
void *memset(void *d, int c, unsigned long n)
{
	volatile uint8_t *p = d;
	while (n--)
		*p++ = (uint8_t)c;
	return d;
}
void *memcpy(void *d, const void *s, unsigned long n)
{
	volatile uint8_t *p = d;
	const uint8_t *q = s;
	while (n--)
		*p++ = *q++;
	return d;
}

/* ---- the console ---- */

/* The attack may have left the UART in loopback, or with the divisor latch selected: put it
 * back before every message, or the message goes nowhere. */
static void console_sane(void)
{
	outb(0x3fb, 0x03); /* LCR: 8N1, DLAB off */
	outb(0x3fc, 0x00); /* MCR: no loopback */
	outb(0x3f9, 0x00); /* IER */
}
static void puts(const char *s)
{
	while (*s)
		outb(0x3f8, (uint8_t)*s++);
}
static void putdec(uint64_t v)
{
	char buf[21];
	int i = 20;
	buf[i] = 0;
	do
		buf[--i] = (char)('0' + v % 10);
	while (v /= 10);
	puts(buf + i);
}
static void puthex(uint64_t v)
{
	puts("0x");
	for (int i = 60; i >= 0; i -= 4)
		outb(0x3f8, (uint8_t) "0123456789abcdef"[(v >> i) & 0xf]);
}

/* ---- randomness: xorshift64*, reproducible from the seed ---- */

static uint64_t rng;
static uint64_t rnd(void)
{
	rng ^= rng >> 12;
	rng ^= rng << 25;
	rng ^= rng >> 27;
	return rng * 0x2545f4914f6cdd1dULL;
}
static uint32_t below(uint32_t n)
{
	return (uint32_t)((rnd() >> 32) % n);
}
static bool chance(uint32_t percent)
{
	return below(100) < percent;
}

/* A value the way a hostile driver would pick one: often an edge. */
static uint32_t rnd_value(void)
{
	switch (below(8)) {
	case 0:
		return 0;
	case 1:
		return 0xffffffffu;
	case 2:
		return 1u << below(32);
	case 3:
		return below(16);
	case 4:
		return 0x80000000u | below(16);
	default:
		return (uint32_t)rnd();
	}
}

/* An address for a device to follow: in this guest's scratch memory, above it (RAM up to the
 * end, then none), outside RAM below 4 GiB, or anywhere in 64 bits (wrapping). Never where
 * this guest's own code is. */
static uint64_t rnd_addr(void)
{
	switch (below(10)) {
	case 0:
	case 1:
	case 2:
	case 3:
		return SCRATCH_LO + below((uint32_t)(SCRATCH_HI - SCRATCH_LO));
	case 4:
	case 5:
		return SCRATCH_HI + below(48u << 20); /* across the end of RAM */
	case 6:
	case 7:
		return OUTSIDE_LO + (rnd() % ((4ULL << 30) - OUTSIDE_LO));
	case 8:
		return ~0ULL - below(1u << 16); /* wraps with any length */
	default:
		return rnd() | 1ULL << 63;
	}
}

static uint32_t rnd_len(void)
{
	switch (below(8)) {
	case 0:
		return 0;
	case 1:
		return 1;
	case 2:
		return 16;
	case 3:
		return 512 * (1 + below(8));
	case 4:
		return 0xffffffffu;
	case 5:
		return 0x80000000u + below(4096);
	default:
		return below(1u << (1 + below(24)));
	}
}

/* ---- the well-formed request: a reset, a proper set-up, a read of sector 0 ---- */

static int negotiate(uint64_t base)
{
	reg_w(base, R_STATUS, 0);
	reg_w(base, R_STATUS, S_ACK);
	reg_w(base, R_STATUS, S_ACK | S_DRIVER);
	reg_w(base, R_DRIVER_FEATURES_SEL, 1);
	reg_w(base, R_DRIVER_FEATURES, 1); /* VIRTIO_F_VERSION_1 */
	reg_w(base, R_DRIVER_FEATURES_SEL, 0);
	reg_w(base, R_DRIVER_FEATURES, 0);
	reg_w(base, R_STATUS, S_ACK | S_DRIVER | S_FEATURES_OK);
	return reg_r(base, R_STATUS) & S_FEATURES_OK ? 0 : -1;
}

static void queue_place(uint64_t base, uint32_t sel, uint32_t num, uint64_t desc, uint64_t avail,
			uint64_t used)
{
	reg_w(base, R_QUEUE_SEL, sel);
	reg_w(base, R_QUEUE_NUM, num);
	reg_w(base, R_QUEUE_DESC_LOW, (uint32_t)desc);
	reg_w(base, R_QUEUE_DESC_HIGH, (uint32_t)(desc >> 32));
	reg_w(base, R_QUEUE_AVAIL_LOW, (uint32_t)avail);
	reg_w(base, R_QUEUE_AVAIL_HIGH, (uint32_t)(avail >> 32));
	reg_w(base, R_QUEUE_USED_LOW, (uint32_t)used);
	reg_w(base, R_QUEUE_USED_HIGH, (uint32_t)(used >> 32));
}

/* Reads sector 0 of the virtio-blk device at `base`; its first 8 bytes in *first. Returns the
 * request's status byte, or 0x100 + a step number where the device did not behave. */
static uint32_t read_sector0(uint64_t base, uint64_t *first)
{
	uint64_t desc = CHECK_AREA, avail = desc + 0x1000, used = desc + 0x2000;
	volatile uint8_t *hdr = (uint8_t *)(uintptr_t)(desc + 0x3000);
	volatile uint8_t *data = (uint8_t *)(uintptr_t)(desc + 0x4000);
	volatile uint8_t *status = (uint8_t *)(uintptr_t)(desc + 0x5000);
	if (reg_r(base, R_MAGIC) != VIRTIO_MAGIC || reg_r(base, R_DEVICE_ID) != 2)
		return 0x101;
	if (negotiate(base) < 0)
		return 0x102;
	memset((void *)(uintptr_t)desc, 0, 0x6000);
	queue_place(base, 0, 8, desc, avail, used);
	reg_w(base, R_QUEUE_READY, 1);
	if (reg_r(base, R_QUEUE_READY) != 1)
		return 0x103;
	reg_w(base, R_STATUS, S_ACK | S_DRIVER | S_FEATURES_OK | S_DRIVER_OK);
	struct desc *d = (struct desc *)(uintptr_t)desc;
	d[0] = (struct desc){desc + 0x3000, 16, D_NEXT, 1};
	d[1] = (struct desc){desc + 0x4000, 512, D_NEXT | D_WRITE, 2};
	d[2] = (struct desc){desc + 0x5000, 1, D_WRITE, 0};
	memset((void *)hdr, 0, 16); /* VIRTIO_BLK_T_IN, sector 0 */
	*status = 0xee;
	volatile uint16_t *a = (uint16_t *)(uintptr_t)avail;
	a[2] = 0;
	__asm__ volatile("" ::: "memory");
	a[1] = 1;
	reg_w(base, R_QUEUE_NOTIFY, 0);
	/* No interrupts here: the VMM handled the kick before the write returned. */
	volatile uint16_t *u = (uint16_t *)(uintptr_t)used;
	volatile uint32_t *ue = (uint32_t *)(uintptr_t)(used + 4);
	if (u[1] != 1 || ue[0] != 0 || ue[1] != 513)
		return 0x104;
	uint64_t v = 0;
	for (int i = 7; i >= 0; i--)
		v = v << 8 | data[i];
	*first = v;
	reg_w(base, R_STATUS, 0);
	return *status;
}

/* ---- the attack ---- */

struct dev {
	uint64_t base;
	bool present; /* "virt" read back from its page */
	uint32_t id;
	uint64_t capacity; /* virtio-blk: sectors */
	bool ro;	   /* ... VIRTIO_BLK_F_RO: sector 0 must read the same after the attack */
};
static struct dev devs[MMIO_PAGES];
static struct {
	uint64_t rounds, reg_writes, reg_reads, kicks, descs, ports, mmio, needs_reset, used;
} n;

/* A register write at any offset of the page and any width, often a real register. */
static void poke_register(const struct dev *d)
{
	uint32_t off = chance(80) ? regs[below(sizeof(regs) / sizeof(regs[0]))] : below(0x1000);
	if (chance(10))
		off += 1 + below(3); /* misaligned */
	int width = chance(75) ? 4 : 1 << below(4);
	if (off + width > 0x1000)
		off = 0x1000 - width;
	if (chance(70)) {
		mmio_write(d->base + off, width, rnd_value() | (uint64_t)rnd_value() << 32);
		n.reg_writes++;
	} else {
		(void)mmio_read(d->base + off, width);
		n.reg_reads++;
	}
}

static uint32_t rnd_queue_size(void)
{
	switch (below(6)) {
	case 0:
		return rnd_value();
	case 1:
		return 3 + below(200);
	default:
		return 1u << below(9); /* 1..256: the device offers 128 */
	}
}

/* A ring address: mostly aligned, in scratch memory (where this guest then writes the ring),
 * sometimes misaligned or anywhere. */
static uint64_t rnd_ring(void)
{
	uint64_t a = chance(80) ? SCRATCH_LO + below((uint32_t)(SCRATCH_HI - SCRATCH_LO) - 0x10000)
				: rnd_addr();
	return chance(90) ? a & ~0xfULL : a;
}

static bool in_scratch(uint64_t a, uint64_t len)
{
	return a >= SCRATCH_LO && a < SCRATCH_HI && len <= SCRATCH_HI - a;
}

/* A request header where a descriptor points: a type (read, write, flush, get-id, other) and
 * a sector (inside the disk, at its end, or far past it: sector * 512 wraps). */
static uint32_t write_header(const struct dev *d, uint64_t addr)
{
	if (!in_scratch(addr, 16))
		return 0;
	static const uint32_t types[] = {0, 1, 4, 8, 2, 11, 0xffffffffu};
	volatile uint32_t *h = (uint32_t *)(uintptr_t)addr;
	h[0] = types[below(sizeof(types) / sizeof(types[0]))];
	h[1] = (uint32_t)rnd();
	uint64_t cap = d->capacity ? d->capacity : 1;
	uint64_t sector;
	switch (below(4)) {
	case 0:
		sector = cap - below(4);
		break;
	case 1:
		sector = rnd() | 1ULL << 63;
		break;
	default:
		sector = rnd() % cap;
	}
	*(volatile uint64_t *)(h + 2) = sector;
	return h[0];
}

/* Builds a ring in scratch memory and kicks it: the queue set up right or wrong, the
 * descriptors lying, the available index jumping. */
static void attack_ring(struct dev *d)
{
	uint64_t b = d->base;
	/* A broken device ignores its queues until reset: mostly reset it, to get further. */
	if (chance(reg_r(b, R_STATUS) & S_NEEDS_RESET ? 80 : 20)) {
		if (negotiate(b) < 0 && chance(50))
			reg_w(b, R_STATUS, rnd_value());
	}
	uint32_t sel = chance(85) ? 0 : rnd_value();
	if (chance(60))
		reg_w(b, R_QUEUE_READY, 0); /* to place it again */
	uint32_t size = rnd_queue_size();
	uint64_t desc = rnd_ring(), avail = rnd_ring(), used = rnd_ring();
	if (chance(10))
		avail = desc + 8 * below(64); /* rings that overlap */
	if (chance(10))
		used = avail + 2 * below(64);
	queue_place(b, sel, size, desc, avail, used);
	reg_w(b, R_QUEUE_READY, chance(90) ? 1 : rnd_value());
	if (chance(80))
		reg_w(b, R_STATUS, reg_r(b, R_STATUS) | S_DRIVER_OK);
	/* The descriptors: a table of up to 256 (more than the queue size, sometimes). */
	uint32_t ndesc = size && size <= 256 ? size : 1 + below(256);
	uint32_t valid = 0; /* well-formed chains at the table's start */
	if (in_scratch(desc, 16ULL * ndesc)) {
		volatile struct desc *t = (struct desc *)(uintptr_t)desc;
		/* Often well-formed requests first (header, data, status: three descriptors
		 * each), so that the device really reads and writes the disk, into and out of
		 * guest memory, before it meets the lies further on. */
		uint32_t i = 0;
		if (chance(75))
			valid = 1 + below(ndesc / 3 < 8 ? ndesc / 3 + 1 : 8);
		if (valid > ndesc / 3)
			valid = ndesc / 3;
		for (; i < 3 * valid; i += 3) {
			uint64_t h = SCRATCH_LO + below(0x80000) * 16ULL;
			/* The data's direction mostly the one the type wants. */
			bool in = write_header(d, h) == 0;
			uint16_t dir = chance(80) ? (in ? D_WRITE : 0) : (chance(50) ? D_WRITE : 0);
			uint32_t sectors = below(17);
			t[i] = (struct desc){h, 16, D_NEXT, (uint16_t)(i + 1)};
			t[i + 1] = (struct desc){h + 0x100, sectors * 512, (uint16_t)(D_NEXT | dir),
						 (uint16_t)(i + 2)};
			t[i + 2] = (struct desc){h + 0x100 + sectors * 512, 1, D_WRITE, 0};
			/* A read whose data lands on the rings the device is walking (the
			 * descriptors still to come, the available heads and index), or a status
			 * byte written over the available index: the device must not trust what
			 * it read before its own write. */
			if (chance(15))
				t[i + 1].addr = chance(50) ? desc : avail;
			if (chance(5))
				t[i + 2].addr = avail + 2;
		}
		for (; i < ndesc; i++) {
			uint16_t flags =
			    (uint16_t)((chance(60) ? D_NEXT : 0) | (chance(40) ? D_WRITE : 0) |
				       (chance(5) ? D_INDIRECT : 0));
			uint16_t next;
			switch (below(6)) {
			case 0:
				next = (uint16_t)i; /* a loop of one */
				break;
			case 1:
				next = (uint16_t)rnd(); /* past the ring, mostly */
				break;
			case 2:
				next = 0; /* back to the start: a loop */
				break;
			default:
				next = (uint16_t)(i + 1 < ndesc ? i + 1 : below(ndesc));
			}
			uint64_t addr = rnd_addr();
			if (chance(30))
				write_header(d, addr);
			t[i] = (struct desc){addr, rnd_len(), flags, next};
			n.descs++;
		}
	}
	/* The available ring: heads (some past the ring) and an index that jumps. */
	uint32_t ring = size && size <= 256 ? size : 1 + below(256);
	if (in_scratch(avail, 6 + 2ULL * ring)) {
		volatile uint16_t *a = (uint16_t *)(uintptr_t)avail;
		for (uint32_t i = 0; i < ring; i++)
			a[2 + i] = (uint16_t)(valid && chance(90) ? 3 * below(valid)
					      : chance(90)	  ? below(ring)
								  : rnd());
		uint16_t idx = a[1];
		switch (valid ? below(8) : below(5)) {
		case 0:
			idx = (uint16_t)rnd();
			break;
		case 1:
			idx = (uint16_t)(idx + ring + 1 + below(1000));
			break;
		default:
			idx = (uint16_t)(idx + 1 + below(ring));
		}
		__asm__ volatile("" ::: "memory");
		a[1] = idx;
	}
	reg_w(b, R_QUEUE_NOTIFY, chance(90) ? sel : rnd_value());
	n.kicks++;
	if (reg_r(b, R_STATUS) & S_NEEDS_RESET)
		n.needs_reset++;
	if (in_scratch(used, 4))
		n.used += *(volatile uint16_t *)(uintptr_t)(used + 2);
	if (chance(50))
		reg_w(b, R_INTERRUPT_ACK, reg_r(b, R_INTERRUPT_STATUS));
}

/* Ports: the devices' own first (never the i8042's reset command, which would end the VM),
 * then anything in the 64 K; every width, both ways, string I/O too. */
static void attack_ports(void)
{
	static const uint16_t known[] = {0x3f8, 0x3f9, 0x3fa, 0x3fb, 0x3fc, 0x3fd, 0x3fe, 0x3ff,
					 0x60,	0x64,  0x70,  0x71,  0x510, 0x511, 0x512, 0x3f7,
					 0x80,	0x40,  0x43,  0x20,  0x21,  0xcf8, 0xcfc, 0x2f8};
	uint16_t port =
	    chance(70) ? known[below(sizeof(known) / sizeof(known[0]))] : (uint16_t)rnd();
	uint32_t v = rnd_value();
	n.ports++;
	switch (below(8)) {
	case 0:
		outw(port, (uint16_t)v);
		break;
	case 1:
		outl(port, v);
		break;
	case 2:
		(void)inb(port);
		break;
	case 3:
		(void)inw(port);
		break;
	case 4:
		(void)inl(port);
		break;
	case 5: {
		/* String I/O: one exit, many accesses (never to 0x64: the bytes are random). */
		if (port == 0x64)
			port = 0x60;
		uint64_t buf = SCRATCH_LO + below(0x100000);
		uint64_t count = 1 + below(chance(10) ? 4096 : 64);
		if (chance(50))
			__asm__ volatile("rep outsb"
					 : "+S"(buf), "+c"(count)
					 : "d"(port)
					 : "memory");
		else
			__asm__ volatile("rep insb"
					 : "+D"(buf), "+c"(count)
					 : "d"(port)
					 : "memory");
		break;
	}
	default:
		if (port == 0x64 && (uint8_t)v == 0xfe)
			v = 0xff; /* the reset pulse ends the VM: everything else goes */
		outb(port, (uint8_t)v);
	}
}

/* MMIO where nothing is: above RAM, below 4 GiB (the page tables map no more). */
static void attack_mmio(void)
{
	uint64_t a = OUTSIDE_LO + (rnd() % ((4ULL << 30) - OUTSIDE_LO - 8));
	int width = 1 << below(4);
	if (chance(50))
		mmio_write(a, width, rnd());
	else
		(void)mmio_read(a, width);
	n.mmio++;
}

/* ---- the command line ---- */

static bool param(const char *name, uint64_t *v)
{
	for (const char *p = CMDLINE; *p; p++) {
		if (p != CMDLINE && p[-1] != ' ')
			continue;
		const char *q = name, *s = p;
		while (*q && *s == *q)
			q++, s++;
		if (*q || *s != '=')
			continue;
		*v = 0;
		for (s++; *s >= '0' && *s <= '9'; s++)
			*v = *v * 10 + (uint64_t)(*s - '0');
		return true;
	}
	return false;
}

static uint8_t cmos_seconds(void)
{
	outb(0x70, 0);
	return inb(0x71);
}

/* A wide read of byte-wide registers (the UART's, the CMOS's): the bytes no register answers
 * must not be whatever an earlier access left in the exit's buffer (or whatever KVM put
 * there). They must read as the
 * floating bus (all ones), as an unknown port's do; true (and the value in *v) when not. */
static bool stale_read(uint32_t *v)
{
	(void)inl(0x3f0);    /* no device: the VMM answers 0xffffffff into the exit's buffer */
	outw(0x3f0, 0x5a5a); /* ... and this leaves 0x5a5a in its first half */
	*v = inl(0x3fc);     /* MCR, LSR, MSR, SCR: one register answers */
	if ((*v & 0xffffff00u) != 0xffffff00u)
		return true;
	outl(0x3f0, 0x5a5a5a5a);
	*v = inw(0x70); /* the CMOS: index and data */
	return (*v & 0xff00u) != 0xff00u;
}

/* ---- main ---- */

static int check_disks(const char *when, uint64_t *first)
{
	int bad = 0;
	for (int i = 0; i < MMIO_PAGES; i++) {
		if (!devs[i].present || devs[i].id != 2)
			continue;
		uint32_t st = read_sector0(devs[i].base, &first[i]);
		console_sane();
		puts("\r\nhostile: ");
		puts(when);
		puts(", virtio-blk at ");
		puthex(devs[i].base);
		puts(" read sector 0: status ");
		putdec(st);
		puts(", first bytes ");
		puthex(first[i]);
		puts("\r\n");
		bad |= st != 0;
	}
	return bad;
}

int hostile_main(void)
{
	uint64_t seed, seconds = 10, rounds = 0;
	if (!param("seed", &seed))
		seed = rdtsc() % 1000000000;
	param("seconds", &seconds);
	param("rounds", &rounds);
	rng = seed * 0x9e3779b97f4a7c15ULL + 1;
	puts("\r\nhostile: seed ");
	putdec(seed);
	puts(rounds ? ", rounds " : ", seconds ");
	putdec(rounds ? rounds : seconds);
	puts("\r\n");
	for (int i = 0; i < MMIO_PAGES; i++) {
		struct dev *d = &devs[i];
		d->base = MMIO_BASE + 0x1000ULL * i;
		d->present = reg_r(d->base, R_MAGIC) == VIRTIO_MAGIC;
		if (!d->present)
			continue;
		d->id = reg_r(d->base, R_DEVICE_ID);
		d->capacity = mmio_read(d->base + R_CONFIG, 8);
		reg_w(d->base, R_DEVICE_FEATURES_SEL, 0);
		d->ro = reg_r(d->base, R_DEVICE_FEATURES) & 1u << 5;
		puts("hostile: virtio device ");
		putdec(d->id);
		puts(" at ");
		puthex(d->base);
		puts("\r\n");
	}
	uint64_t before[MMIO_PAGES] = {0}, after[MMIO_PAGES] = {0};
	int bad = check_disks("before", before);
	uint32_t stale;
	if (stale_read(&stale)) {
		puts("hostile: FAILED: a wide read of byte registers: the bytes no register "
		     "answers read ");
		puthex(stale);
		puts("\r\n");
		bad = 1;
	}

	uint8_t last = cmos_seconds();
	uint64_t elapsed = 0;
	while (rounds ? n.rounds < rounds : elapsed < seconds) {
		for (int i = 0; i < MMIO_PAGES; i++) {
			struct dev *d = &devs[i];
			for (int k = 0; k < 2; k++)
				poke_register(d);
			if (d->present && chance(70))
				attack_ring(d);
		}
		for (int k = 0; k < 4; k++)
			attack_ports();
		attack_mmio();
		n.rounds++;
		uint8_t now = cmos_seconds();
		elapsed += now != last;
		last = now;
	}

	console_sane();
	puts("\r\nhostile: done: ");
	putdec(n.rounds);
	puts(" rounds, ");
	putdec(n.reg_writes);
	puts(" register writes, ");
	putdec(n.reg_reads);
	puts(" register reads, ");
	putdec(n.kicks);
	puts(" kicks of ");
	putdec(n.descs);
	puts(" random descriptors, ");
	putdec(n.ports);
	puts(" port accesses, ");
	putdec(n.mmio);
	puts(" unmapped MMIO accesses; NEEDS_RESET seen ");
	putdec(n.needs_reset);
	puts(" times\r\n");
	bad |= check_disks("after", after);
	for (int i = 0; i < MMIO_PAGES; i++)
		bad |= devs[i].ro && before[i] != after[i];
	puts(bad ? "hostile: FAILED: a device did not come back after a reset\r\n"
		 : "hostile: every device came back after a reset\r\n");
	outb(0x511, bad ? 1 : 0);
	outb(0x510, 0);
	return bad;
}

/* The entry: a stack of its own (the VMM's at 0x8ff0 is small), then main, then HLT, which
 * ends a VM without an interrupt controller. */
static uint8_t stack[64 << 10] __attribute__((aligned(16), used));
__asm__(".section .text.start, \"ax\"\n"
	".globl _start\n"
	"_start:\n"
	"	lea stack + 65536(%rip), %rsp\n"
	"	call hostile_main\n"
	"1:	hlt\n"
	"	jmp 1b\n"
	".previous\n");
