/* Unit tests: the VMM's pure parts (vmm/bzimage.c, bus.c, serial.c, i8042.c, cmos.c, x86.c, cli.c).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "../../common/err.h"
#include "../../vmm/bzimage.h"
#include "../../vmm/cli.h"
#include "../../vmm/cmos.h"
#include "../../vmm/i8042.h"
#include "../../vmm/bus.h"
#include "../../vmm/virtio_blk.h"
#include "../../vmm/virtio_mmio.h"
#include "../../vmm/virtio_net.h"
#include "../../vmm/virtq.h"
#include "../../vmm/serial.h"
#include "../../vmm/x86.h"

#include <stdlib.h>
#include <arpa/inet.h>
#include <elf.h>
#include <fcntl.h>
#include <linux/if_tun.h>
#include <net/if.h>
#include <netpacket/packet.h>
#include <pthread.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <string.h>
#include <unistd.h>

#define IMG_SIZE (5 * 512 + 4096)
static uint8_t img[IMG_SIZE];

/* A minimal bzImage: 4 setup sectors, protocol 2.15, 64-bit entry, 4 KiB of "kernel". */
static void make_image(void)
{
	memset(img, 0, sizeof(img));
	img[BP_SETUP_SECTS] = 4;
	img[0x1f5] = 1; /* syssize: 256 paragraphs of 16 bytes */
	img[BP_BOOT_FLAG] = 0x55;
	img[BP_BOOT_FLAG + 1] = 0xaa;
	img[0x201] = 0x6a; /* header length past 0x202 */
	memcpy(img + BP_HEADER, "HdrS", 4);
	img[BP_VERSION] = 0x0f;
	img[BP_VERSION + 1] = 0x02;
	img[BP_LOADFLAGS] = LOADED_HIGH;
	img[BP_XLOADFLAGS] = XLF_KERNEL_64;
	img[BP_INITRD_ADDR_MAX] = 0xff;
	img[BP_INITRD_ADDR_MAX + 1] = 0xff;
	img[BP_INITRD_ADDR_MAX + 2] = 0xff;
	img[BP_INITRD_ADDR_MAX + 3] = 0x7f;
	img[BP_CMDLINE_SIZE] = 0xff;
	img[BP_INIT_SIZE + 2] = 0x10; /* 1 MiB */
	img[5 * 512] = 0xe9;	      /* first byte of the kernel */
}

static void bzimage_good(void **state)
{
	(void)state;
	make_image();
	struct bzimage bz;
	assert_int_equal(bzimage_parse(img, sizeof(img), sizeof(img), &bz), 0);
	assert_int_equal(bz.version, 0x020f);
	assert_int_equal(bz.setup_size, 5 * 512);
	assert_int_equal(bz.kernel_size, 4096);
	/* Only the head is needed: the kernel's bytes stay in the file. */
	assert_int_equal(bzimage_parse(img, 1024, sizeof(img), &bz), 0);
	assert_int_equal(bz.kernel_size, 4096);
	assert_int_equal(bz.initrd_addr_max, 0x7fffffff);
	assert_int_equal(bz.cmdline_size, 255);
	assert_int_equal(bz.init_size, 1 << 20);
	img[BP_SETUP_SECTS] = 0; /* 0 means 4 */
	assert_int_equal(bzimage_parse(img, sizeof(img), sizeof(img), &bz), 0);
	assert_int_equal(bz.setup_size, 5 * 512);
}

static void bzimage_bad(void **state)
{
	(void)state;
	struct bzimage bz;
	make_image();
	assert_int_equal(bzimage_parse(img, 100, 100, &bz), -EINVAL);
	assert_non_null(strstr(err_msg(), "too short"));
	img[BP_HEADER] = 'X';
	assert_int_equal(bzimage_parse(img, sizeof(img), sizeof(img), &bz), -EINVAL);
	assert_non_null(strstr(err_msg(), "no \"HdrS\""));
	make_image();
	img[BP_VERSION] = 0x0b; /* 2.11 */
	assert_int_equal(bzimage_parse(img, sizeof(img), sizeof(img), &bz), -EINVAL);
	assert_non_null(strstr(err_msg(), "2.11 is too old"));
	make_image();
	img[BP_XLOADFLAGS] = 0;
	assert_int_equal(bzimage_parse(img, sizeof(img), sizeof(img), &bz), -EINVAL);
	assert_non_null(strstr(err_msg(), "no 64-bit entry"));
	make_image();
	assert_int_equal(bzimage_parse(img, sizeof(img), sizeof(img) - 100, &bz), -EINVAL);
	assert_non_null(strstr(err_msg(), "truncated"));
	make_image();
	img[BP_SETUP_SECTS] = 200; /* setup longer than the file */
	assert_int_equal(bzimage_parse(img, sizeof(img), sizeof(img), &bz), -EINVAL);
	assert_non_null(strstr(err_msg(), "truncated"));
	make_image();
	img[0x201] = 0; /* found by the fuzzer: a header that ends at once */
	assert_int_equal(bzimage_parse(img, sizeof(img), sizeof(img), &bz), -EINVAL);
	assert_non_null(strstr(err_msg(), "header ends at 0x202"));
}

static void boot_params(void **state)
{
	(void)state;
	make_image();
	struct bzimage bz;
	assert_int_equal(bzimage_parse(img, sizeof(img), sizeof(img), &bz), 0);
	static uint8_t bp[BOOT_PARAMS_SIZE];
	struct boot_layout l = {.mem = 256 << 20,
				.cmdline_addr = 0x20000,
				.initrd_addr = 0x8000000,
				.initrd_size = 12345};
	assert_int_equal(bzimage_boot_params(img, &bz, "console=ttyS0", &l, bp), 0);
	assert_memory_equal(bp + BP_HEADER, "HdrS", 4);
	assert_int_equal(bp[BP_TYPE_OF_LOADER], 0xff);
	assert_true(bp[BP_LOADFLAGS] & CAN_USE_HEAP);
	uint32_t v;
	memcpy(&v, bp + BP_CMD_LINE_PTR, 4);
	assert_int_equal(v, 0x20000);
	memcpy(&v, bp + BP_RAMDISK_IMAGE, 4);
	assert_int_equal(v, 0x8000000);
	memcpy(&v, bp + BP_RAMDISK_SIZE, 4);
	assert_int_equal(v, 12345);
	assert_int_equal(bp[BP_E820_ENTRIES], 3);
	struct e820_entry e[3];
	memcpy(e, bp + BP_E820_TABLE, sizeof(e));
	assert_int_equal(e[0].addr, 0);
	assert_int_equal(e[0].type, E820_RAM);
	assert_int_equal(e[1].type, E820_RESERVED);
	assert_int_equal(e[2].addr, 0x100000);
	assert_int_equal(e[2].addr + e[2].size, 256 << 20);
	char longline[300];
	memset(longline, 'a', sizeof(longline) - 1);
	longline[sizeof(longline) - 1] = '\0';
	assert_int_equal(bzimage_boot_params(img, &bz, longline, &l, bp), -EINVAL);
	assert_non_null(strstr(err_msg(), "at most 255"));
}

static void initrd_place(void **state)
{
	(void)state;
	struct bzimage bz = {.initrd_addr_max = 0x7fffffff};
	uint64_t a = bzimage_initrd_addr(&bz, 256 << 20, 32 << 20, 1000000);
	assert_int_equal(a & 0xfff, 0);
	assert_true(a + 1000000 <= 256 << 20);
	assert_true(a >= 32 << 20);
	/* capped by initrd_addr_max, not by memory */
	bz.initrd_addr_max = (64 << 20) - 1;
	a = bzimage_initrd_addr(&bz, 256 << 20, 32 << 20, 4096);
	assert_int_equal(a, (64 << 20) - 4096);
	/* no room above the kernel */
	assert_int_equal(bzimage_initrd_addr(&bz, 256 << 20, 63 << 20, 2 << 20), 0);
	assert_int_equal(bzimage_initrd_addr(&bz, 16 << 20, 8 << 20, 32 << 20), 0);
	/* a kernel that allows 4 GiB in a 6 GiB guest: still below 4 GiB (32-bit field) */
	bz.initrd_addr_max = 0xffffffff;
	a = bzimage_initrd_addr(&bz, 6ULL << 30, 32 << 20, 4096);
	assert_int_equal(a, (4ULL << 30) - 4096);
	/* no limit in the header: the old protocols' 0x37ffffff */
	bz.initrd_addr_max = 0;
	assert_int_equal(bzimage_initrd_addr(&bz, 2ULL << 30, 32 << 20, 4096), 0x38000000 - 4096);
}

static void placement(void **state)
{
	(void)state;
	struct bzimage bz = {
	    .kernel_size = 5 << 20, .init_size = 20 << 20, .initrd_addr_max = 0x7fffffff};
	struct boot_layout l;
	assert_int_equal(bzimage_place(&bz, 1 << 20, 256 << 20, 3 << 20, &l), 0);
	assert_int_equal(l.kernel_end, 21 << 20); /* init_size, not the file's size */
	assert_true(l.initrd_addr >= l.kernel_end);
	assert_true(l.initrd_addr + l.initrd_size <= 256 << 20);
	assert_int_equal(l.initrd_size, 3 << 20);
	/* no initrd */
	assert_int_equal(bzimage_place(&bz, 1 << 20, 256 << 20, 0, &l), 0);
	assert_int_equal(l.initrd_addr, 0);
	/* the kernel itself does not fit */
	assert_int_equal(bzimage_place(&bz, 1 << 20, 16 << 20, 0, &l), -EINVAL);
	assert_non_null(strstr(err_msg(), "needs 22 MiB"));
	/* the initrd does not fit beside it */
	assert_int_equal(bzimage_place(&bz, 1 << 20, 32 << 20, 20 << 20, &l), -EINVAL);
	assert_non_null(strstr(err_msg(), "initrd (21 MiB) does not fit in 32 MiB"));
}

static void cpuid_guest(void **state)
{
	(void)state;
	struct kvm_cpuid_entry2 e[3] = {{.function = 0, .ecx = 0x444d4163},
					{.function = 1, .ecx = 0x00802001},
					{.function = 0x40000000, .eax = 0x40000001}};
	assert_int_equal(x86_cpuid_guest(e, 3, false), 1);
	assert_int_equal(e[1].ecx, 0x80802001); /* the hypervisor bit, the rest kept */
	assert_int_equal(e[0].ecx, 0x444d4163);
	assert_int_equal(e[2].eax, 0x40000001);
	/* with the in-kernel APIC's TSC-deadline timer: bit 24 as well, and only in leaf 1 */
	e[1].ecx = 0x00802001;
	assert_int_equal(x86_cpuid_guest(e, 3, true), 1);
	assert_int_equal(e[1].ecx, 0x81802001);
	assert_int_equal(e[0].ecx, 0x444d4163);
}

/* A minimal vmlinux: an ELF header, two program headers (text at 16 MiB, data+bss after). */
static uint8_t elf[8192];
static void make_elf(void)
{
	memset(elf, 0, sizeof(elf));
	Elf64_Ehdr eh = {.e_type = ET_EXEC,
			 .e_machine = EM_X86_64,
			 .e_version = EV_CURRENT,
			 .e_entry = 0x1000000,
			 .e_phoff = sizeof(Elf64_Ehdr),
			 .e_ehsize = sizeof(Elf64_Ehdr),
			 .e_phentsize = sizeof(Elf64_Phdr),
			 .e_phnum = 2};
	memcpy(eh.e_ident, ELFMAG, SELFMAG);
	eh.e_ident[EI_CLASS] = ELFCLASS64;
	eh.e_ident[EI_DATA] = ELFDATA2LSB;
	memcpy(elf, &eh, sizeof(eh));
	Elf64_Phdr ph[2] = {
	    {.p_type = PT_LOAD,
	     .p_offset = 4096,
	     .p_paddr = 0x1000000,
	     .p_filesz = 2048,
	     .p_memsz = 2048},
	    {.p_type = PT_LOAD,
	     .p_offset = 6144,
	     .p_paddr = 0x1200000,
	     .p_filesz = 2048,
	     .p_memsz = 0x100000},
	};
	memcpy(elf + sizeof(eh), ph, sizeof(ph));
	elf[4096] = 0x90;
}

static void vmlinux(void **state)
{
	(void)state;
	struct vmlinux v;
	make_elf();
	assert_true(vmlinux_is_elf(elf, sizeof(elf)));
	make_image();
	assert_false(vmlinux_is_elf(img, sizeof(img)));
	assert_int_equal(vmlinux_parse(elf, sizeof(elf), sizeof(elf), &v), 0);
	assert_int_equal(v.entry, 0x1000000);
	assert_int_equal(v.nseg, 2);
	assert_int_equal(v.end, 0x1300000); /* bss included */
	assert_int_equal(v.seg[0].offset, 4096);
	assert_int_equal(elf[v.seg[0].offset], 0x90);
	/* from its head alone (the program headers), knowing the file's size */
	assert_int_equal(vmlinux_parse(elf, 512, sizeof(elf), &v), 0);
	assert_int_equal(v.nseg, 2);
	/* a head that stops inside the program headers */
	assert_int_equal(vmlinux_parse(elf, 100, sizeof(elf), &v), -EINVAL);
	assert_non_null(strstr(err_msg(), "not in its first 100 bytes"));
	assert_int_equal(v.seg[1].filesz, 2048);
	/* cut inside the second segment */
	assert_int_equal(vmlinux_parse(elf, 7000, 7000, &v), -EINVAL);
	assert_non_null(strstr(err_msg(), "segment 1 lies outside the file"));
	/* the entry as a virtual address, as in an unlinked or relocated file */
	elf[24 + 7] = 0xff; /* e_entry's top byte */
	assert_int_equal(vmlinux_parse(elf, sizeof(elf), sizeof(elf), &v), -EINVAL);
	assert_non_null(strstr(err_msg(), "in no loaded segment"));
	make_elf();
	elf[EI_CLASS] = ELFCLASS32;
	assert_int_equal(vmlinux_parse(elf, sizeof(elf), sizeof(elf), &v), -EINVAL);
	assert_non_null(strstr(err_msg(), "not 64-bit x86"));
	make_elf();
	assert_int_equal(vmlinux_parse(elf, 100, 100, &v), -EINVAL);
	assert_non_null(strstr(err_msg(), "program headers lie outside"));

	/* its zero page is made up: the header fields a kernel checks, our layout */
	make_elf();
	assert_int_equal(vmlinux_parse(elf, sizeof(elf), sizeof(elf), &v), 0);
	struct boot_layout l;
	assert_int_equal(boot_place(v.end, 0x7fffffff, 64 << 20, 1 << 20, &l), 0);
	assert_true(l.initrd_addr >= v.end);
	l.cmdline_addr = 0x20000;
	static uint8_t bp[BOOT_PARAMS_SIZE];
	assert_int_equal(boot_params_synth("console=ttyS0", &l, bp), 0);
	assert_memory_equal(bp + BP_HEADER, "HdrS", 4);
	assert_int_equal(bp[BP_BOOT_FLAG] | bp[BP_BOOT_FLAG + 1] << 8, 0xaa55);
	assert_int_equal(bp[BP_TYPE_OF_LOADER], 0xff);
	assert_int_equal(bp[BP_E820_ENTRIES], 3);
	uint32_t ramdisk;
	memcpy(&ramdisk, bp + BP_RAMDISK_IMAGE, 4);
	assert_int_equal(ramdisk, l.initrd_addr);
}

static uint8_t sent[64];
static size_t n_sent;
static void capture(void *ctx, uint8_t b)
{
	(void)ctx;
	sent[n_sent++] = b;
}

static void uart(void **state)
{
	(void)state;
	struct serial s;
	n_sent = 0;
	serial_init(&s, capture, NULL);
	serial_out(&s, UART_RX, 'h');
	serial_out(&s, UART_RX, 'i');
	assert_int_equal(n_sent, 2);
	assert_memory_equal(sent, "hi", 2);
	assert_int_equal(serial_in(&s, UART_LSR), UART_LSR_THRE | UART_LSR_TEMT);
	assert_false(serial_irq(&s)); /* nothing enabled */
	/* THRI: enabling it with THR empty raises the line; reading IIR acknowledges */
	serial_out(&s, UART_IER, UART_IER_THRI);
	assert_true(serial_irq(&s));
	assert_int_equal(serial_in(&s, UART_IIR), UART_IIR_THRI);
	assert_false(serial_irq(&s));
	assert_int_equal(serial_in(&s, UART_IIR), UART_IIR_NONE);
	serial_out(&s, UART_RX, '!');
	assert_true(serial_irq(&s));
	/* received data: DR in LSR, RDI in IIR (before THRI), line up until read */
	serial_out(&s, UART_IER, UART_IER_RDI);
	assert_true(serial_receive(&s, 'x'));
	assert_true(serial_irq(&s));
	assert_int_equal(serial_in(&s, UART_LSR) & UART_LSR_DR, UART_LSR_DR);
	assert_int_equal(serial_in(&s, UART_IIR), UART_IIR_RDI);
	assert_int_equal(serial_in(&s, UART_RX), 'x');
	assert_false(serial_irq(&s));
	for (int i = 0; i < SERIAL_RX_SIZE; i++)
		assert_true(serial_receive(&s, 'y'));
	assert_false(serial_receive(&s, 'z')); /* full */
	/* FIFO bits once the FIFO is enabled (a 16550A to the Linux probe) */
	serial_out(&s, UART_IIR, 0x07);
	assert_int_equal(serial_in(&s, UART_IIR) & UART_IIR_FIFO, UART_IIR_FIFO);
	assert_int_equal(serial_in(&s, UART_LSR) & UART_LSR_DR, 0); /* cleared by FCR */
	/* divisor latch */
	serial_out(&s, UART_LCR, UART_LCR_DLAB | 3);
	serial_out(&s, UART_RX, 1);
	serial_out(&s, UART_IER, 0);
	assert_int_equal(serial_in(&s, UART_RX), 1);
	serial_out(&s, UART_LCR, 3);
	/* loopback: MCR 0x1a (loop, RTS, OUT2) reads back as CTS and DCD */
	serial_out(&s, UART_MCR, UART_MCR_LOOP | 0x0a);
	assert_int_equal(serial_in(&s, UART_MSR) & 0xf0, 0x90);
	size_t before = n_sent;
	serial_out(&s, UART_RX, 'L');
	assert_int_equal(n_sent, before); /* looped back, not sent */
	assert_int_equal(serial_in(&s, UART_RX), 'L');
	serial_out(&s, UART_SCR, 0x5a);
	assert_int_equal(serial_in(&s, UART_SCR), 0x5a);
}

static void legacy_devices(void **state)
{
	(void)state;
	struct cmos c = {0};
	time_t t = 1795419065;			    /* 2026-11-23 07:31:05 UTC */
	cmos_out(&c, CMOS_INDEX_PORT, 0x80 | 0x00); /* NMI bit ignored */
	assert_int_equal(cmos_in(&c, t), 0x05);
	cmos_out(&c, CMOS_INDEX_PORT, 0x04);
	assert_int_equal(cmos_in(&c, t), 0x07);
	cmos_out(&c, CMOS_INDEX_PORT, 0x09);
	assert_int_equal(cmos_in(&c, t), 0x26);
	cmos_out(&c, CMOS_INDEX_PORT, 0x0a);
	assert_int_equal(cmos_in(&c, t) & 0x80, 0); /* never "update in progress" */
	struct i8042 k;
	i8042_init(&k);
	assert_int_equal(i8042_in(&k, I8042_CMD_PORT), 0);
	i8042_out(&k, I8042_CMD_PORT, 0x20);
	assert_int_equal(i8042_in(&k, I8042_CMD_PORT) & 1, 1);
	assert_int_equal(i8042_in(&k, I8042_DATA_PORT), 0x45);
	i8042_out(&k, I8042_CMD_PORT, 0x60);
	i8042_out(&k, I8042_DATA_PORT, 0x47);
	i8042_out(&k, I8042_CMD_PORT, 0x20);
	assert_int_equal(i8042_in(&k, I8042_DATA_PORT), 0x47);
	i8042_out(&k, I8042_CMD_PORT, 0xaa);
	assert_int_equal(i8042_in(&k, I8042_DATA_PORT), 0x55);
	assert_false(k.reset);
	i8042_out(&k, I8042_CMD_PORT, I8042_RESET);
	assert_true(k.reset);
}

/* A device for the bus tests: records the last access it was handed. */
struct probe {
	uint64_t offset;
	uint32_t len;
	bool write;
	uint8_t byte;
	int calls;
	bool narrow; /* answers only the first byte of a read, as a byte-wide register does */
};

static void probe_io(void *opaque, uint64_t offset, uint8_t *data, uint32_t len, bool is_write)
{
	struct probe *p = opaque;
	p->offset = offset, p->len = len, p->write = is_write, p->calls++;
	if (is_write)
		p->byte = data[0];
	else
		memset(data, 0x5a, p->narrow ? 1 : len);
}

static void bus(void **state)
{
	(void)state;
	static struct bus b;
	struct probe a = {0}, c = {0};
	bus_init(&b, "port");
	assert_int_equal(bus_register(&b, "a", 0x3f8, 8, probe_io, &a), 0);
	assert_int_equal(bus_register(&b, "c", 0x60, 1, probe_io, &c), 0);
	assert_int_equal(bus_register(&b, "c", 0x64, 1, probe_io, &c), 0);
	/* Overlaps, at either end or inside, are refused, naming the owner. */
	assert_int_equal(bus_register(&b, "x", 0x3f0, 9, probe_io, NULL), -EEXIST);
	assert_non_null(strstr(err_msg(), "overlaps a's"));
	assert_int_equal(bus_register(&b, "x", 0x3ff, 1, probe_io, NULL), -EEXIST);
	assert_int_equal(bus_register(&b, "x", 0x3fa, 2, probe_io, NULL), -EEXIST);
	assert_int_equal(bus_register(&b, "x", 0x400, 0, probe_io, NULL), -EINVAL);
	assert_int_equal(bus_register(&b, "x", UINT64_MAX - 1, 4, probe_io, NULL), -EINVAL);
	assert_int_equal(bus_register(&b, "x", 0x3f0, 8, probe_io, NULL), 0); /* adjacent: fine */
	/* The device sees offsets from its base. */
	uint8_t d[8] = {0x41};
	assert_ptr_equal(bus_access(&b, 0x3fd, d, 1, true), &b.dev[0]);
	assert_int_equal(a.offset, 5);
	assert_true(a.write);
	assert_int_equal(a.byte, 0x41);
	assert_non_null(bus_access(&b, 0x64, d, 1, false));
	assert_int_equal(c.offset, 0);
	assert_int_equal(d[0], 0x5a);
	/* A wide read of a byte-wide register: the bytes it does not answer read all ones, not
	 * what the buffer held (the hostile guest's check). */
	a.narrow = true;
	memset(d, 0, sizeof(d));
	assert_non_null(bus_access(&b, 0x3fc, d, 4, false));
	assert_int_equal(d[0], 0x5a);
	assert_int_equal(d[1], 0xff);
	assert_int_equal(d[3], 0xff);
	assert_int_equal(d[4], 0);
	/* No device: reads give all ones, writes vanish, both are counted. */
	memset(d, 0, sizeof(d));
	assert_null(bus_access(&b, 0x61, d, 2, false));
	assert_int_equal(d[0], 0xff);
	assert_int_equal(d[1], 0xff);
	assert_int_equal(d[2], 0);
	assert_null(bus_access(&b, 0x80, d, 1, true));
	assert_int_equal(b.unknown, 2);
	/* An access that runs past a range's end belongs to nobody: the device never sees an
	 * offset beyond its length. */
	assert_null(bus_access(&b, 0x3fe, d, 4, false));
	assert_null(bus_find(&b, UINT64_MAX, 8));
	assert_int_equal(a.calls, 2);
	assert_int_equal(c.calls, 1);
	assert_int_equal(b.dev[0].exits, 2);
	assert_int_equal(b.dev[2].exits, 1);
	/* A full bus says so. */
	while (b.n < BUS_MAX_DEVICES)
		assert_int_equal(bus_register(&b, "f", 0x1000 + (uint64_t)b.n, 1, probe_io, NULL),
				 0);
	assert_int_equal(bus_register(&b, "g", 0x2000, 1, probe_io, NULL), -ENOSPC);
}

static void irq_capture(void *ctx, bool level)
{
	int *changes = ctx;
	*changes += level ? 1 : 100;
}

/* The UART on the bus: its interrupt line follows its state, and is only signalled when it
 * changes. */
static void uart_bus(void **state)
{
	(void)state;
	static struct serial s;
	int changes = 0;
	serial_init(&s, NULL, &changes);
	s.set_irq = irq_capture;
	uint8_t v = UART_IER_RDI;
	serial_io(&s, UART_IER, &v, 1, true);
	assert_int_equal(changes, 0);
	assert_true(serial_input(&s, 'k'));
	assert_int_equal(changes, 1); /* raised */
	assert_true(serial_input(&s, 'l'));
	assert_int_equal(changes, 1); /* still up: not signalled again */
	serial_io(&s, UART_RX, &v, 1, false);
	assert_int_equal(v, 'k');
	serial_io(&s, UART_RX, &v, 1, false);
	assert_int_equal(v, 'l');
	assert_int_equal(changes, 101); /* lowered once the buffer is empty */
}

/* A queue of 4 in 64 KiB of "guest RAM": descriptors at 0x1000, available ring at 0x2000, used
 * ring at 0x3000. */
static uint8_t ram[65536];
static const struct guest_mem gm = {ram, sizeof(ram)};

/* Descriptor i of the table at `table`, and an available entry of the ring at `avail`: the
 * first queue's are at 0x1000 and 0x2000 (put_desc, make_available). */
static void put_desc_at(uint64_t table, int i, uint64_t addr, uint32_t len, uint16_t flags,
			uint16_t next)
{
	uint8_t *d = ram + table + 16 * i;
	memcpy(d, &addr, 8);
	memcpy(d + 8, &len, 4);
	memcpy(d + 12, &flags, 2);
	memcpy(d + 14, &next, 2);
}

static void make_available_at(uint64_t avail, uint16_t idx, uint16_t slot, uint16_t head)
{
	memcpy(ram + avail + 4 + 2 * slot, &head, 2);
	__atomic_store_n((uint16_t *)(ram + avail + 2), idx, __ATOMIC_RELEASE);
}

static void put_desc(int i, uint64_t addr, uint32_t len, uint16_t flags, uint16_t next)
{
	put_desc_at(0x1000, i, addr, len, flags, next);
}

static void make_available(uint16_t idx, uint16_t slot, uint16_t head)
{
	make_available_at(0x2000, idx, slot, head);
}

static struct virtq fresh_queue(void)
{
	memset(ram, 0, sizeof(ram));
	return (struct virtq){
	    .size = 4, .desc = 0x1000, .avail = 0x2000, .used = 0x3000, .ready = true};
}

static void virtqueue(void **state)
{
	(void)state;
	static struct virtq_chain c;
	struct virtq q = fresh_queue();
	assert_int_equal(virtq_check(&q, &gm, 256), 0);
	assert_int_equal(virtq_pop(&q, &gm, &c), 0); /* nothing available yet */
	/* A request as virtio-blk sends one: header (read), data (write), status (write). */
	put_desc(2, 0x8000, 16, VIRTQ_DESC_F_NEXT, 0);
	put_desc(0, 0x9000, 512, VIRTQ_DESC_F_NEXT | VIRTQ_DESC_F_WRITE, 3);
	put_desc(3, 0xa000, 1, VIRTQ_DESC_F_WRITE, 0);
	make_available(1, 0, 2);
	assert_int_equal(virtq_pop(&q, &gm, &c), 1);
	assert_int_equal(c.head, 2);
	assert_int_equal(c.n, 3);
	assert_int_equal(c.n_read, 1);
	assert_int_equal(c.buf[1].addr, 0x9000);
	assert_int_equal(c.buf[1].len, 512);
	assert_true(c.buf[2].write);
	assert_int_equal(virtq_pop(&q, &gm, &c), 0);
	virtq_push(&q, &gm, c.head, 513);
	uint16_t used_idx;
	uint32_t used[2];
	memcpy(&used_idx, ram + 0x3002, 2);
	memcpy(used, ram + 0x3004, 8);
	assert_int_equal(used_idx, 1);
	assert_int_equal(used[0], 2);
	assert_int_equal(used[1], 513);
	/* The index wraps at 65536, as the spec's free-running counters do. */
	q = fresh_queue();
	q.last_avail = q.used_idx = 65535;
	put_desc(1, 0x8000, 16, 0, 0);
	make_available(0, 65535 % 4, 1);
	assert_int_equal(virtq_pop(&q, &gm, &c), 1);
	assert_int_equal(q.last_avail, 0);
}

/* Each lie a guest can tell is refused with an error, never followed. */
static void virtqueue_lies(void **state)
{
	(void)state;
	static struct virtq_chain c;
	struct virtq q = fresh_queue();
	/* Set-up: the size, the alignment, and each ring inside RAM. */
	q.size = 3;
	assert_int_equal(virtq_check(&q, &gm, 256), -EINVAL);
	q.size = 512;
	assert_int_equal(virtq_check(&q, &gm, 256), -EINVAL);
	q.size = 0;
	assert_int_equal(virtq_check(&q, &gm, 256), -EINVAL);
	q = fresh_queue();
	q.desc = 0x1008;
	assert_int_equal(virtq_check(&q, &gm, 256), -EINVAL);
	assert_non_null(strstr(err_msg(), "misaligned"));
	q = fresh_queue();
	q.used = sizeof(ram) - 16; /* starts inside, ends outside */
	assert_int_equal(virtq_check(&q, &gm, 256), -EFAULT);
	q = fresh_queue();
	q.avail = UINT64_MAX - 1; /* wraps */
	assert_int_equal(virtq_check(&q, &gm, 256), -EFAULT);
	/* An available index further ahead than the ring holds. */
	q = fresh_queue();
	put_desc(0, 0x8000, 16, 0, 0);
	make_available(5, 0, 0);
	assert_int_equal(virtq_pop(&q, &gm, &c), -EINVAL);
	assert_non_null(strstr(err_msg(), "past a ring of 4"));
	/* A head past the ring. */
	q = fresh_queue();
	make_available(1, 0, 4);
	assert_int_equal(virtq_pop(&q, &gm, &c), -EINVAL);
	/* A buffer outside RAM, one that wraps, one that runs off the end. */
	uint64_t bad[] = {sizeof(ram), UINT64_MAX - 4, sizeof(ram) - 8};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		q = fresh_queue();
		put_desc(0, bad[i], 16, 0, 0);
		make_available(1, 0, 0);
		assert_int_equal(virtq_pop(&q, &gm, &c), -EFAULT);
		assert_non_null(strstr(err_msg(), "outside guest RAM"));
	}
	/* A loop in a chain: 0 -> 1 -> 0. */
	q = fresh_queue();
	put_desc(0, 0x8000, 16, VIRTQ_DESC_F_NEXT, 1);
	put_desc(1, 0x8000, 16, VIRTQ_DESC_F_NEXT, 0);
	make_available(1, 0, 0);
	assert_int_equal(virtq_pop(&q, &gm, &c), -EINVAL);
	assert_non_null(strstr(err_msg(), "a loop"));
	/* A link past the ring. */
	q = fresh_queue();
	put_desc(0, 0x8000, 16, VIRTQ_DESC_F_NEXT, 9);
	make_available(1, 0, 0);
	assert_int_equal(virtq_pop(&q, &gm, &c), -EINVAL);
	/* Readable after writable, and indirect (never offered). */
	q = fresh_queue();
	put_desc(0, 0x8000, 16, VIRTQ_DESC_F_NEXT | VIRTQ_DESC_F_WRITE, 1);
	put_desc(1, 0x8000, 16, 0, 0);
	make_available(1, 0, 0);
	assert_int_equal(virtq_pop(&q, &gm, &c), -EINVAL);
	q = fresh_queue();
	put_desc(0, 0x8000, 16, VIRTQ_DESC_F_INDIRECT, 0);
	make_available(1, 0, 0);
	assert_int_equal(virtq_pop(&q, &gm, &c), -EINVAL);
	/* After a refusal the device's index has not moved: nothing was taken. */
	assert_int_equal(q.last_avail, 0);
}

static uint32_t reg(struct virtio_mmio *t, uint64_t off)
{
	uint32_t v;
	virtio_mmio_io(t, off, (uint8_t *)&v, 4, false);
	return v;
}

static void set_reg(struct virtio_mmio *t, uint64_t off, uint32_t v)
{
	virtio_mmio_io(t, off, (uint8_t *)&v, 4, true);
}

static void count_irq(void *ctx, uint32_t irq, bool level)
{
	int *edges = ctx;
	*edges += level && irq == 5;
}

/* A driver's set-up, as Linux's virtio_mmio does it: reset, features (VERSION_1), one queue of
 * 4 at the unit test's ring addresses, DRIVER_OK. */
/* ... with `queues` queues, queue i's rings at 0x1000, 0x2000, 0x3000 plus 0x3000 * i. */
static void driver_setup_queues(struct virtio_mmio *t, uint32_t queues)
{
	set_reg(t, VIRTIO_MMIO_STATUS, 0);
	set_reg(t, VIRTIO_MMIO_STATUS, VIRTIO_CONFIG_S_ACKNOWLEDGE | VIRTIO_CONFIG_S_DRIVER);
	set_reg(t, VIRTIO_MMIO_DRIVER_FEATURES_SEL, 1);
	set_reg(t, VIRTIO_MMIO_DRIVER_FEATURES, 1); /* bit 32: VERSION_1 */
	set_reg(t, VIRTIO_MMIO_STATUS, 0xb);
	for (uint32_t q = 0; q < queues; q++) {
		set_reg(t, VIRTIO_MMIO_QUEUE_SEL, q);
		set_reg(t, VIRTIO_MMIO_QUEUE_NUM, 4);
		set_reg(t, VIRTIO_MMIO_QUEUE_DESC_LOW, 0x1000 + 0x3000 * q);
		set_reg(t, VIRTIO_MMIO_QUEUE_AVAIL_LOW, 0x2000 + 0x3000 * q);
		set_reg(t, VIRTIO_MMIO_QUEUE_USED_LOW, 0x3000 + 0x3000 * q);
		set_reg(t, VIRTIO_MMIO_QUEUE_READY, 1);
	}
	set_reg(t, VIRTIO_MMIO_STATUS, 0xf);
}

static void driver_setup(struct virtio_mmio *t)
{
	driver_setup_queues(t, 1);
}

/* virtio-mmio with virtio-blk behind it, on a 64 KiB image in /tmp. */
static void virtio_disk(void **state)
{
	(void)state;
	static struct virtio_blk b;
	static struct virtio_mmio t;
	char path[] = "/tmp/shikumi-test-disk-XXXXXX";
	int fd = mkstemp(path);
	assert_true(fd >= 0);
	static uint8_t sector[512];
	memset(sector, 0x77, sizeof(sector));
	assert_int_equal(ftruncate(fd, 65536), 0);
	assert_int_equal(pwrite(fd, sector, 512, 1024), 512); /* sector 2 */
	assert_int_equal(virtio_blk_open(&b, path, false), 0);
	assert_int_equal(b.sectors, 128);
	memset(ram, 0, sizeof(ram));
	int edges = 0;
	virtio_mmio_init(&t, &virtio_blk_ops, &b, virtio_blk_features(&b), gm, 5);
	t.set_irq = count_irq;
	t.irq_ctx = &edges;
	assert_int_equal(reg(&t, VIRTIO_MMIO_MAGIC), 0x74726976);
	assert_int_equal(reg(&t, VIRTIO_MMIO_VERSION), 2);
	assert_int_equal(reg(&t, VIRTIO_MMIO_DEVICE_ID), 2);
	set_reg(&t, VIRTIO_MMIO_DEVICE_FEATURES_SEL, 1);
	assert_int_equal(reg(&t, VIRTIO_MMIO_DEVICE_FEATURES), 1);
	uint64_t cap = 0;
	virtio_mmio_io(&t, VIRTIO_MMIO_CONFIG, (uint8_t *)&cap, 8, false);
	assert_int_equal(cap, 128);
	/* A legacy driver (no VERSION_1) does not get FEATURES_OK. */
	set_reg(&t, VIRTIO_MMIO_STATUS, 3);
	set_reg(&t, VIRTIO_MMIO_STATUS, 0xb);
	assert_int_equal(reg(&t, VIRTIO_MMIO_STATUS) & VIRTIO_CONFIG_S_FEATURES_OK, 0);
	driver_setup(&t);
	assert_int_equal(reg(&t, VIRTIO_MMIO_STATUS), 0xf);
	assert_int_equal(reg(&t, VIRTIO_MMIO_QUEUE_READY), 1);
	/* Read sector 2: header, 512 bytes to fill, status. */
	uint32_t hdr[4] = {VIRTIO_BLK_T_IN, 0, 2, 0};
	memcpy(ram + 0x8000, hdr, 16);
	put_desc(0, 0x8000, 16, VIRTQ_DESC_F_NEXT, 1);
	put_desc(1, 0x9000, 512, VIRTQ_DESC_F_NEXT | VIRTQ_DESC_F_WRITE, 2);
	put_desc(2, 0xa000, 1, VIRTQ_DESC_F_WRITE, 0);
	ram[0xa000] = 0xee;
	make_available(1, 0, 0);
	set_reg(&t, VIRTIO_MMIO_QUEUE_NOTIFY, 0);
	assert_int_equal(ram[0xa000], VIRTIO_BLK_S_OK);
	assert_memory_equal(ram + 0x9000, sector, 512);
	assert_int_equal(edges, 1);
	assert_int_equal(reg(&t, VIRTIO_MMIO_INTERRUPT_STATUS), VIRTIO_MMIO_INT_VRING);
	set_reg(&t, VIRTIO_MMIO_INTERRUPT_ACK, VIRTIO_MMIO_INT_VRING);
	assert_int_equal(reg(&t, VIRTIO_MMIO_INTERRUPT_STATUS), 0);
	/* A read past the end of the disk: an I/O error, not a read beyond the file. */
	hdr[2] = 128;
	memcpy(ram + 0x8000, hdr, 16);
	make_available(2, 1, 0);
	set_reg(&t, VIRTIO_MMIO_QUEUE_NOTIFY, 0);
	assert_int_equal(ram[0xa000], VIRTIO_BLK_S_IOERR);
	/* get-id: the file's name. */
	hdr[0] = VIRTIO_BLK_T_GET_ID;
	memcpy(ram + 0x8000, hdr, 16);
	put_desc(1, 0x9000, 20, VIRTQ_DESC_F_NEXT | VIRTQ_DESC_F_WRITE, 2);
	make_available(3, 2, 0);
	set_reg(&t, VIRTIO_MMIO_QUEUE_NOTIFY, 0);
	assert_int_equal(ram[0xa000], VIRTIO_BLK_S_OK);
	assert_memory_equal(ram + 0x9000, "shikumi-test-disk-", 18);
	/* The guest lies (a descriptor outside RAM): the device needs a reset, says so with a
	 * configuration interrupt, and ignores further kicks. */
	put_desc(1, sizeof(ram) - 4, 512, VIRTQ_DESC_F_NEXT | VIRTQ_DESC_F_WRITE, 2);
	make_available(4, 3, 0);
	set_reg(&t, VIRTIO_MMIO_QUEUE_NOTIFY, 0);
	assert_true(reg(&t, VIRTIO_MMIO_STATUS) & VIRTIO_CONFIG_S_NEEDS_RESET);
	assert_true(reg(&t, VIRTIO_MMIO_INTERRUPT_STATUS) & VIRTIO_MMIO_INT_CONFIG);
	assert_int_equal(t.refused, 1);
	assert_non_null(strstr(t.why, "outside guest RAM"));
	/* Only a reset clears it; then the queue works again. */
	set_reg(&t, VIRTIO_MMIO_STATUS, 0xf | VIRTIO_CONFIG_S_NEEDS_RESET);
	assert_true(reg(&t, VIRTIO_MMIO_STATUS) & VIRTIO_CONFIG_S_NEEDS_RESET);
	driver_setup(&t);
	assert_int_equal(reg(&t, VIRTIO_MMIO_STATUS), 0xf);
	/* A queue placed outside RAM is refused when made ready. */
	set_reg(&t, VIRTIO_MMIO_STATUS, 0);
	set_reg(&t, VIRTIO_MMIO_QUEUE_NUM, 4);
	set_reg(&t, VIRTIO_MMIO_QUEUE_DESC_HIGH, 1);
	set_reg(&t, VIRTIO_MMIO_QUEUE_READY, 1);
	assert_int_equal(reg(&t, VIRTIO_MMIO_QUEUE_READY), 0);
	assert_true(reg(&t, VIRTIO_MMIO_STATUS) & VIRTIO_CONFIG_S_NEEDS_RESET);
	assert_int_equal(t.refused, 2);
	/* Writable twice: the lock. Read-only: writes fail with IOERR. */
	static struct virtio_blk b2;
	assert_int_equal(virtio_blk_open(&b2, path, false), -EBUSY);
	assert_non_null(strstr(err_msg(), "in use by another VM"));
	virtio_blk_close(&b2);
	virtio_blk_close(&b);
	assert_int_equal(virtio_blk_open(&b, path, true), 0);
	virtio_mmio_init(&t, &virtio_blk_ops, &b, virtio_blk_features(&b), gm, 5);
	driver_setup(&t);
	hdr[0] = VIRTIO_BLK_T_OUT;
	hdr[2] = 0;
	memcpy(ram + 0x8000, hdr, 16);
	put_desc(1, 0x9000, 512, VIRTQ_DESC_F_NEXT, 2);
	make_available(1, 0, 0);
	set_reg(&t, VIRTIO_MMIO_QUEUE_NOTIFY, 0);
	assert_int_equal(ram[0xa000], VIRTIO_BLK_S_IOERR);
	assert_int_equal(pread(fd, sector, 512, 0), 512);
	assert_int_equal(sector[0], 0); /* nothing written */
	virtio_blk_close(&b);
	/* Bad images. */
	assert_int_equal(ftruncate(fd, 1000), 0);
	assert_int_equal(virtio_blk_open(&b, path, true), -EINVAL);
	assert_non_null(strstr(err_msg(), "not a non-zero multiple of 512"));
	virtio_blk_close(&b);
	assert_int_equal(virtio_blk_open(&b, "/tmp", true), -EINVAL);
	assert_non_null(strstr(err_msg(), "is a directory"));
	virtio_blk_close(&b);
	close(fd);
	unlink(path);
	/* The device goes on the kernel's part of the command line, not /init's. */
	char cl[128] = "quiet -- sh -c x";
	assert_int_equal(virtio_mmio_cmdline(0xd0000000, 5, cl, sizeof(cl)), 0);
	assert_string_equal(cl, "quiet virtio_mmio.device=4K@0xd0000000:5 -- sh -c x");
	strcpy(cl, "quiet");
	assert_int_equal(virtio_mmio_cmdline(0xd0000000, 5, cl, sizeof(cl)), 0);
	assert_string_equal(cl, "quiet virtio_mmio.device=4K@0xd0000000:5");
	strcpy(cl, "-- true");
	assert_int_equal(virtio_mmio_cmdline(0xd0000000, 6, cl, sizeof(cl)), 0);
	assert_string_equal(cl, "virtio_mmio.device=4K@0xd0000000:6 -- true");
	char small[40] = "quiet";
	assert_int_equal(virtio_mmio_cmdline(0xd0000000, 5, small, sizeof(small)), -E2BIG);
}

static uint16_t used_idx_at(uint64_t used)
{
	return __atomic_load_n((uint16_t *)(ram + used + 2), __ATOMIC_ACQUIRE);
}

/* A tap of the test's own (root: /dev/net/tun), up, without IPv6 (which would send frames of
 * its own). Returns its fd; *ifindex for a packet socket on it. */
static int test_tap(const char *name, short flags, int *ifindex)
{
	int fd = open("/dev/net/tun", O_RDWR | O_CLOEXEC);
	assert_true(fd >= 0);
	struct ifreq ifr = {.ifr_flags = flags};
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", name);
	assert_int_equal(ioctl(fd, TUNSETIFF, &ifr), 0);
	char path[96];
	snprintf(path, sizeof(path), "/proc/sys/net/ipv6/conf/%s/disable_ipv6", name);
	int v6 = open(path, O_WRONLY);
	if (v6 >= 0) {
		assert_int_equal(write(v6, "1", 1), 1);
		close(v6);
	}
	int s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	assert_true(s >= 0);
	assert_int_equal(ioctl(s, SIOCGIFFLAGS, &ifr), 0);
	ifr.ifr_flags |= IFF_UP;
	assert_int_equal(ioctl(s, SIOCSIFFLAGS, &ifr), 0);
	close(s);
	*ifindex = (int)if_nametoindex(name);
	return fd;
}

/* virtio-net on a real tap: a frame the guest sends comes out of the tap without the virtio
 * header; a frame sent on the tap's link lands in the guest's receive buffer behind a header
 * that is ours (num_buffers 1); a guest that lies gets the device marked broken. */
static void virtio_network(void **state)
{
	(void)state;
	static struct virtio_net n;
	static struct virtio_mmio t;
	char name[IFNAMSIZ];
	snprintf(name, sizeof(name), "shkut%d", getpid() % 100000);
	int ifindex, tap = test_tap(name, IFF_TAP | IFF_NO_PI, &ifindex);
	const uint8_t mac[6] = {0x02, 0x73, 1, 2, 3, 4};
	assert_int_equal(virtio_net_open(&n, tap, mac), 0);
	assert_false(n.tap_vnet_hdr);
	memset(ram, 0, sizeof(ram));
	int edges = 0;
	virtio_mmio_init(&t, &virtio_net_ops, &n, virtio_net_features(&n), gm, 5);
	t.set_irq = count_irq;
	t.irq_ctx = &edges;
	assert_int_equal(reg(&t, VIRTIO_MMIO_DEVICE_ID), VIRTIO_ID_NET);
	assert_int_equal(reg(&t, VIRTIO_MMIO_DEVICE_FEATURES), 1 << VIRTIO_NET_F_MAC);
	uint8_t got_mac[6];
	virtio_mmio_io(&t, VIRTIO_MMIO_CONFIG, got_mac, 6, false);
	assert_memory_equal(got_mac, mac, 6);
	driver_setup_queues(&t, 2); /* receive at 0x1000.., transmit at 0x4000.. */
	assert_int_equal(virtio_net_start(&n, &t), 0);

	/* Transmit: header, then the frame in two pieces (a chain of three). */
	uint8_t frame[60] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x02,
			     0x73, 1,	 2,    3,    4,	   0x88, 0xb5};
	memcpy(frame + 14, "from the guest", 14);
	memset(ram + 0x8000, 0xaa, VIRTIO_NET_HDR_BYTES); /* a header the tap must not see */
	memcpy(ram + 0x8100, frame, 20);
	memcpy(ram + 0x8200, frame + 20, sizeof(frame) - 20);
	put_desc_at(0x4000, 0, 0x8000, VIRTIO_NET_HDR_BYTES, VIRTQ_DESC_F_NEXT, 1);
	put_desc_at(0x4000, 1, 0x8100, 20, VIRTQ_DESC_F_NEXT, 2);
	put_desc_at(0x4000, 2, 0x8200, sizeof(frame) - 20, 0, 0);
	make_available_at(0x5000, 1, 0, 0);
	/* What the tap receives, the host sees arriving on its link: a packet socket there. */
	int ps = socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC, htons(0x88b5));
	assert_true(ps >= 0);
	struct sockaddr_ll to = {.sll_family = AF_PACKET,
				 .sll_protocol = htons(0x88b5),
				 .sll_ifindex = ifindex,
				 .sll_halen = 6};
	assert_int_equal(bind(ps, (struct sockaddr *)&to, sizeof(to)), 0);
	set_reg(&t, VIRTIO_MMIO_QUEUE_NOTIFY, VIRTIO_NET_TXQ);
	assert_int_equal(used_idx_at(0x6000), 1);
	assert_int_equal(edges, 1);
	uint8_t out[2048];
	struct timeval tv = {.tv_sec = 2};
	setsockopt(ps, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	assert_int_equal(recv(ps, out, sizeof(out), 0), sizeof(frame));
	assert_memory_equal(out, frame, sizeof(frame));
	assert_int_equal(n.tx_frames, 1);

	/* Receive: four buffers of 2 KiB; a frame sent on the tap's link (a packet socket) fills
	 * one. The host may send frames of its own first: look for ours. */
	for (int i = 0; i < 4; i++) {
		put_desc(i, 0x9000 + 0x800 * i, 0x800, VIRTQ_DESC_F_WRITE, 0);
		make_available(i + 1, i, i);
	}
	set_reg(&t, VIRTIO_MMIO_QUEUE_NOTIFY, VIRTIO_NET_RXQ);
	uint8_t in[60] = {0x02, 0x73, 1, 2, 3, 4, 0x02, 0x99, 9, 9, 9, 9, 0x88, 0xb5};
	memcpy(in + 14, "from the host", 13);
	assert_int_equal(sendto(ps, in, sizeof(in), 0, (struct sockaddr *)&to, sizeof(to)),
			 sizeof(in));
	bool found = false;
	for (int wait = 0; wait < 200 && !found; wait++) {
		usleep(10000);
		pthread_mutex_lock(&t.lock);
		uint16_t used = used_idx_at(0x3000);
		for (int i = 0; i < used && i < 4; i++) {
			uint32_t id, len;
			memcpy(&id, ram + 0x3000 + 4 + 8 * i, 4);
			memcpy(&len, ram + 0x3000 + 8 + 8 * i, 4);
			const uint8_t *b = ram + 0x9000 + 0x800 * id;
			if (len == VIRTIO_NET_HDR_BYTES + sizeof(in) &&
			    !memcmp(b + VIRTIO_NET_HDR_BYTES, in, sizeof(in))) {
				const uint8_t hdr[VIRTIO_NET_HDR_BYTES] = {[10] = 1};
				assert_memory_equal(b, hdr, sizeof(hdr));
				found = true;
			}
		}
		pthread_mutex_unlock(&t.lock);
	}
	close(ps);
	assert_true(found);
	assert_true(n.rx_frames >= 1);

	/* A guest that lies: a frame to send in a device-writable buffer. The device needs a
	 * reset; nothing went to the tap. */
	put_desc_at(0x4000, 0, 0x8000, 64, VIRTQ_DESC_F_WRITE, 0);
	make_available_at(0x5000, 2, 1, 0);
	set_reg(&t, VIRTIO_MMIO_QUEUE_NOTIFY, VIRTIO_NET_TXQ);
	assert_true(reg(&t, VIRTIO_MMIO_STATUS) & VIRTIO_CONFIG_S_NEEDS_RESET);
	assert_non_null(strstr(t.why, "device-readable"));
	assert_int_equal(n.tx_frames, 1);
	set_reg(&t, VIRTIO_MMIO_STATUS, 0); /* the receive thread now leaves the queues alone */
	close(tap);

	/* Not a tap: a file, a tun. */
	static struct virtio_net bad;
	assert_int_equal(virtio_net_open(&bad, STDIN_FILENO, mac), -EINVAL);
	int tun = test_tap("shkut-tun", IFF_TUN | IFF_NO_PI, &ifindex);
	assert_int_equal(virtio_net_open(&bad, tun, mac), -EINVAL);
	assert_non_null(strstr(err_msg(), "is the tun device shkut-tun"));
	close(tun);
	int fd;
	uint8_t m[6];
	bool has;
	assert_int_equal(virtio_net_parse("7", &fd, m, &has), 0);
	assert_true(fd == 7 && !has);
	assert_int_equal(virtio_net_parse("3,mac=02:ab:cd:00:11:22", &fd, m, &has), 0);
	assert_true(fd == 3 && has && m[1] == 0xab && m[5] == 0x22);
	assert_int_equal(virtio_net_parse("3,mac=03:00:00:00:00:00", &fd, m, &has), -EINVAL);
	assert_int_equal(virtio_net_parse("3,mac=02:00:00:00:00", &fd, m, &has), -EINVAL);
	assert_int_equal(virtio_net_parse("3,mac=02:00:00:00:00:001", &fd, m, &has), -EINVAL);
	assert_int_equal(virtio_net_parse("-1", &fd, m, &has), -EINVAL);
	assert_int_equal(virtio_net_parse("", &fd, m, &has), -EINVAL);
}

static void long_mode(void **state)
{
	(void)state;
	assert_int_equal(x86_gdt_entry(0xa09b, 0, 0xfffff), 0x00af9b000000ffffULL);
	assert_int_equal(x86_gdt_entry(0xc093, 0, 0xfffff), 0x00cf93000000ffffULL);
	uint8_t *mem = calloc(1, 1 << 20);
	x86_build_tables(mem);
	uint64_t e;
	memcpy(&e, mem + GUEST_PML4, 8);
	assert_int_equal(e, GUEST_PDPT | 3);
	memcpy(&e, mem + GUEST_PDPT + 3 * 8, 8);
	assert_int_equal(e, (GUEST_PD + 3 * 0x1000) | 3);
	memcpy(&e, mem + GUEST_PD + 1 * 8, 8); /* the second 2 MiB page maps 2 MiB */
	assert_int_equal(e, (2 << 20) | 0x83);
	memcpy(&e, mem + GUEST_PD + 3 * 0x1000 + 511 * 8, 8); /* the last one, below 4 GiB */
	assert_int_equal(e, ((4ULL << 30) - (2 << 20)) | 0x83);
	memcpy(&e, mem + GUEST_GDT + GDT_CODE64, 8);
	assert_int_equal(e, 0x00af9b000000ffffULL);
	free(mem);
	struct kvm_sregs s = {0};
	x86_long_mode(&s);
	assert_int_equal(s.cs.selector, GDT_CODE64);
	assert_int_equal(s.cs.l, 1);
	assert_int_equal(s.ds.selector, GDT_DATA);
	assert_int_equal(s.cr3, GUEST_PML4);
	assert_true(s.cr0 & X86_CR0_PG);
	assert_true(s.cr0 & X86_CR0_PE);
	assert_true(s.cr4 & X86_CR4_PAE);
	assert_int_equal(s.efer & (X86_EFER_LME | X86_EFER_LMA), X86_EFER_LME | X86_EFER_LMA);
}

static char argbuf[16][128];
static char *args[17];
static int parse(struct vm_config *cfg, enum vm_action *act, const char *const *in)
{
	int n = 0;
	for (; in[n]; n++) {
		snprintf(argbuf[n], sizeof(argbuf[n]), "%s", in[n]);
		args[n] = argbuf[n];
	}
	args[n] = NULL;
	return vm_cli_parse(n, args, cfg, act);
}
#define PARSE(...) parse(&cfg, &act, (const char *const[]){"shikumi-vmm", __VA_ARGS__, NULL})

static void options(void **state)
{
	(void)state;
	struct vm_config cfg;
	enum vm_action act;
	assert_int_equal(PARSE("--kernel", "bz"), 0);
	assert_string_equal(cfg.kernel, "bz");
	assert_int_equal(cfg.memory, 256 << 20);
	assert_non_null(strstr(cfg.cmdline, "console=ttyS0"));
	assert_non_null(strstr(cfg.cmdline, "reboot=k"));
	assert_null(strstr(cfg.cmdline, "nomodules")); /* would reach /init as an argument */
	assert_int_equal(PARSE("--kernel", "bz", "--initrd", "i", "--cmdline", "x", "--memory",
			       "64M", "--timing", "--debug"),
			 0);
	assert_string_equal(cfg.initrd, "i");
	assert_string_equal(cfg.cmdline, "x");
	assert_int_equal(cfg.memory, 64 << 20);
	assert_true(cfg.timing && cfg.debug);
	assert_int_equal(PARSE("--tiny"), 0);
	assert_true(cfg.tiny);
	assert_int_equal(PARSE("--help"), 0);
	assert_int_equal(act, VM_HELP);
	assert_int_equal(PARSE("--memory", "1M", "--tiny"), -EINVAL);
	assert_int_equal(PARSE("--memory", "lots", "--tiny"), -EINVAL);
	assert_int_equal(PARSE("--memory", "8388608T", "--tiny"), -ERANGE);
	assert_non_null(strstr(err_msg(), "--memory: invalid size '8388608T'"));
	/* --cpus: 1 by default, 1 to 8, a plain number; not for the tiny guest. */
	assert_int_equal(PARSE("--kernel", "bz"), 0);
	assert_int_equal(cfg.cpus, 1);
	assert_int_equal(PARSE("--kernel", "bz", "--cpus", "4"), 0);
	assert_int_equal(cfg.cpus, 4);
	assert_int_equal(PARSE("--kernel", "bz", "--cpus", "8"), 0);
	assert_int_equal(cfg.cpus, 8);
	const char *bad[] = {"0", "9", "x", "", "2x", "-1", " 2", "+2", "99999999999999999999"};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_int_equal(PARSE("--kernel", "bz", "--cpus", bad[i]), -EINVAL);
		assert_non_null(strstr(err_msg(), "invalid --cpus"));
	}
	assert_int_equal(PARSE("--kernel", "bz", "--cpus"), -EINVAL);
	assert_non_null(strstr(err_msg(), "needs a value"));
	assert_int_equal(PARSE("--tiny", "--cpus", "2"), -EINVAL);
	assert_non_null(strstr(err_msg(), "not --tiny"));
	assert_int_equal(PARSE("--tiny", "--cpus", "1"), 0);
	assert_int_equal(PARSE("--initrd", "i"), -EINVAL);
	assert_non_null(strstr(err_msg(), "missing --kernel"));
	assert_int_equal(PARSE("--tiny", "--initrd", "i"), -EINVAL);
	assert_int_equal(PARSE("--frob"), -EINVAL);
	assert_int_equal(PARSE("--kernel"), -EINVAL);
	assert_int_equal(PARSE("--kernel", "bz", "extra"), -EINVAL);
	assert_int_equal(PARSE("--kernel", "bz", "--disk", "d.ext4"), 0);
	assert_string_equal(cfg.disk, "d.ext4");
	assert_false(cfg.disk_ro);
	assert_int_equal(PARSE("--kernel", "bz", "--disk", "/a,b/d.ext4,ro"), 0);
	assert_string_equal(cfg.disk, "/a,b/d.ext4");
	assert_true(cfg.disk_ro);
	assert_int_equal(PARSE("--kernel", "bz", "--disk", ",ro"), -EINVAL);
	/* The hostile guest's test gives a bare-metal guest a disk to attack. */
	assert_int_equal(PARSE("--tiny", "--disk", "d,ro"), 0);
	assert_true(cfg.tiny && cfg.disk_ro);
	assert_int_equal(PARSE("--kernel", "bz"), 0);
	assert_int_equal(cfg.net_fd, -1);
	assert_int_equal(PARSE("--kernel", "bz", "--net-fd", "3,mac=02:00:00:00:00:01"), 0);
	assert_int_equal(cfg.net_fd, 3);
	assert_int_equal(cfg.net_mac[5], 1);
	assert_int_equal(PARSE("--kernel", "bz", "--net-fd", "4"), 0);
	assert_int_equal(cfg.net_mac[0] & 3, 2); /* random: locally administered, unicast */
	assert_int_equal(PARSE("--kernel", "bz", "--net-fd", "tap0"), -EINVAL);
	assert_int_equal(PARSE("--tiny", "--net-fd", "3"), -EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(bzimage_good),   cmocka_unit_test(bzimage_bad),
	    cmocka_unit_test(boot_params),    cmocka_unit_test(initrd_place),
	    cmocka_unit_test(placement),      cmocka_unit_test(cpuid_guest),
	    cmocka_unit_test(vmlinux),	      cmocka_unit_test(uart),
	    cmocka_unit_test(legacy_devices), cmocka_unit_test(long_mode),
	    cmocka_unit_test(options),	      cmocka_unit_test(bus),
	    cmocka_unit_test(uart_bus),	      cmocka_unit_test(virtqueue),
	    cmocka_unit_test(virtqueue_lies), cmocka_unit_test(virtio_disk),
	    cmocka_unit_test(virtio_network),
	};
	return cmocka_run_group_tests_name("vmm", tests, NULL, NULL);
}
