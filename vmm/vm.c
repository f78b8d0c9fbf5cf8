#include "vm.h"

#include "../common/err.h"
#include "../common/fd.h"
#include "../common/kvm.h"
#include "../common/timing.h"
#include "bus.h"
#include "bzimage.h"
#include "cmos.h"
#include "i8042.h"
#include "marker.h"
#include "mptable.h"
#include "serial.h"
#include "snapfile.h"
#include "snapshot.h"
#include "vcpu.h"
#include "virtio_blk.h"
#include "virtio_mmio.h"
#include "virtio_net.h"
#include "x86.h"

#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <linux/kvm.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/sysinfo.h>
#include <termios.h>
#include <unistd.h>

#define KVM_TSS_ADDR	  0xfffbd000
#define KVM_IDENTITY_ADDR 0xfffbc000
#define GUEST_MEM_MAX	  (3ULL << 30)	     /* below the 32-bit PCI hole: one flat RAM region */
#define HUGE_PAGE	  ((size_t)2 << 20)  /* a transparent huge page on x86-64 */
#define STATE_MAX	  ((size_t)16 << 20) /* a state file is tens of KiB per vCPU */
#define RUN_READY	  256		     /* run_loop: the guest is ready for a snapshot */

#ifndef SHIKUMI_VERSION
#define SHIKUMI_VERSION "0.0.0-dev"
#endif

struct vm {
	const struct vm_config *cfg;
	int kvm, fd;
	struct vcpus cpus; /* vCPU 0 runs on the thread of vm_run, the others on their own */
	uint8_t *mem;
	uint64_t mem_size;
	/* The address map: every port and MMIO exit goes through one of these. */
	struct bus pio, mmio;
	struct serial uart;
	struct cmos cmos;
	struct i8042 kbd; /* kbd.reset: the guest asked for a reset, the VM is over */
	struct marker marker;
	struct virtio_blk blk; /* with --disk: the image, behind blk_mmio */
	struct virtio_mmio blk_mmio;
	struct virtio_net net; /* with --net-fd: the tap, behind net_mmio */
	struct virtio_mmio net_mmio;
	char cmdline[GUEST_CMDLINE_MAX]; /* cfg->cmdline and the virtio devices */
	bool panicked;			 /* "Kernel panic" went by on the console */
	char line[160];			 /* the console line being written, to spot a panic */
	size_t line_len;
	uint64_t t_first_run, t_end;
	uint64_t kernel_id; /* snap_kernel_id of --kernel */
	char *typed;	    /* --restore: the command line to type on the console first */
	uint64_t t_open, t_kvm, t_map, t_state; /* --restore's phases, as setup_marks */
};

/* ---- the console: guest serial <-> this terminal ---- */

static struct termios saved_tio;
static bool tio_saved;

static void terminal_restore(void)
{
	if (tio_saved)
		tcsetattr(STDIN_FILENO, TCSANOW, &saved_tio);
	tio_saved = false;
}

static void terminal_raw(void)
{
	if (!isatty(STDIN_FILENO) || tcgetattr(STDIN_FILENO, &saved_tio) < 0)
		return;
	struct termios raw = saved_tio;
	cfmakeraw(&raw);
	raw.c_oflag |= OPOST | ONLCR; /* the guest sends \r\n itself; keep ours sane anyway */
	tio_saved = tcsetattr(STDIN_FILENO, TCSANOW, &raw) == 0;
	atexit(terminal_restore);
}

static void console_tx(void *ctx, uint8_t byte)
{
	struct vm *vm = ctx;
	/* Interactive: every byte as it comes (a prompt has no newline). Otherwise by line. */
	if (tio_saved) {
		ssize_t w = write(STDOUT_FILENO, &byte, 1);
		(void)w;
	}
	if (vm->line_len < sizeof(vm->line) - 1)
		vm->line[vm->line_len++] = (char)byte;
	if (byte == '\n' || vm->line_len == sizeof(vm->line) - 1) {
		vm->line[vm->line_len] = '\0';
		if (strstr(vm->line, "Kernel panic - not syncing"))
			vm->panicked = true;
		if (!tio_saved) {
			ssize_t w = write(STDOUT_FILENO, vm->line, vm->line_len);
			(void)w;
		}
		vm->line_len = 0;
	}
}

static void console_flush(struct vm *vm)
{
	if (!tio_saved && vm->line_len) {
		ssize_t w = write(STDOUT_FILENO, vm->line, vm->line_len);
		(void)w;
	}
	vm->line_len = 0;
}

/* The UART's interrupt line, to the in-kernel IOAPIC and PIC (the UART's lock is held). */
static void serial_set_irq(void *ctx, bool level)
{
	struct vm *vm = ctx;
	struct kvm_irq_level irq = {.irq = SERIAL_COM1_IRQ, .level = level};
	ioctl(vm->fd, KVM_IRQ_LINE, &irq);
}

/* Keystrokes to the guest's UART. Ctrl-A x ends the VM (as in QEMU). */
static void *input_thread(void *arg)
{
	struct vm *vm = arg;
	bool ctrl_a = false;
	uint8_t c;
	/* Typed-ahead input would be lost while the guest's kernel sets its port up: hold it
	 * until user space says it is there. */
	while (!__atomic_load_n(&vm->marker.t_marker, __ATOMIC_ACQUIRE))
		usleep(10000);
	/* A restored guest's /init reads its command line first (rootfs/guest-init). */
	for (const char *p = vm->typed; p && *p; p++)
		while (!serial_input(&vm->uart, (uint8_t)*p))
			usleep(1000);
	while (read(STDIN_FILENO, &c, 1) == 1) {
		if (ctrl_a && c == 'x') {
			terminal_restore();
			fprintf(stderr, "\r\nshikumi-vmm: Ctrl-A x: the VM is stopped\n");
			_exit(VM_EXIT_ERROR);
		}
		ctrl_a = c == 0x01 && !ctrl_a;
		if (ctrl_a)
			continue;
		while (!serial_input(&vm->uart, c)) /* full: let the guest catch up */
			usleep(1000);
	}
	/* Input ended (a pipe): a serial line has no end-of-file, so type the terminal's
	 * end-of-file character, as one would; the guest's shell then exits. */
	serial_input(&vm->uart, 0x04);
	return NULL;
}

/* ---- loading ---- */

/* The guest's files are opened and their headers checked before KVM is touched, so that bad
 * input is reported the same on a machine without /dev/kvm. What goes into the guest is then
 * read straight into guest memory (pread): the VMM never holds a copy of the kernel, which
 * keeps its own memory small and touches each page of the image once. */
struct guest_file {
	const char *what, *path; /* path: the name in messages (name[] once opened here) */
	int fd;
	uint64_t size;
	char name[PATH_MAX];
};

static int open_file(struct guest_file *f, const char *what, const char *path)
{
	*f = (struct guest_file){.what = what, .fd = -1};
	/* O_NONBLOCK: a FIFO is refused, not waited on. /dev/fd/N: the jail's (common/fd.h). */
	f->fd = open_arg(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC, f->name, sizeof(f->name));
	f->path = f->name;
	path = f->name;
	struct stat st;
	if (f->fd < 0)
		return err_set(errno, "%s '%s'", what, path);
	if (fstat(f->fd, &st) < 0 || !S_ISREG(st.st_mode))
		return err_set(0, "%s '%s' is not a regular file", what, path);
	if (st.st_size == 0)
		return err_set(0, "%s '%s' is empty", what, path);
	f->size = (uint64_t)st.st_size;
	return 0;
}

/* `len` bytes at `offset` of the file to `dst`; a file that shrank since it was checked is an
 * error, not a guest with a hole in its kernel. */
static int read_at(const struct guest_file *f, void *dst, uint64_t len, uint64_t offset)
{
	uint64_t got = 0;
	while (got < len) {
		ssize_t n = pread(f->fd, (uint8_t *)dst + got, len - got, (off_t)(offset + got));
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return err_set(n < 0 ? errno : 0, "cannot read %s '%s'%s", f->what, f->path,
				       n == 0 ? ": it is shorter than when it was opened" : "");
		got += (uint64_t)n;
	}
	return 0;
}

struct images {
	struct guest_file kernel, initrd; /* without an initrd: fd -1, size 0 (vm_run) */
	uint8_t head[KERNEL_HEAD_MAX];	  /* the kernel file's first bytes: its headers */
	size_t head_len;
	int is_elf; /* a vmlinux (ELF) rather than a bzImage */
	struct bzimage bz;
	struct vmlinux elf;
	struct boot_layout layout; /* where the kernel and initrd go, checked before KVM too */
};

static void images_close(struct images *im)
{
	if (im->kernel.fd >= 0)
		close(im->kernel.fd);
	if (im->initrd.fd >= 0)
		close(im->initrd.fd);
	im->kernel.fd = im->initrd.fd = -1;
}

static int read_images(const struct vm_config *cfg, const char *cmdline, struct images *im)
{
	int r = open_file(&im->kernel, cfg->tiny ? "the guest" : "the kernel", cfg->kernel);
	if (r < 0)
		return r;
	if (cfg->tiny)
		return GUEST_LOAD_ADDR + im->kernel.size > cfg->memory
			   ? err_set(0, "the guest (%llu bytes) does not fit in guest memory",
				     (unsigned long long)im->kernel.size)
			   : 0;
	im->head_len =
	    im->kernel.size < sizeof(im->head) ? (size_t)im->kernel.size : sizeof(im->head);
	if ((r = read_at(&im->kernel, im->head, im->head_len, 0)) < 0)
		return r;
	im->is_elf = vmlinux_is_elf(im->head, im->head_len);
	r = im->is_elf ? vmlinux_parse(im->head, im->head_len, im->kernel.size, &im->elf)
		       : bzimage_parse(im->head, im->head_len, im->kernel.size, &im->bz);
	if (r < 0)
		return err_wrap(r, "%s", cfg->kernel);
	uint32_t max = im->is_elf ? VMLINUX_CMDLINE_MAX : im->bz.cmdline_size;
	if (strlen(cmdline) >= GUEST_CMDLINE_MAX || (max && strlen(cmdline) > max))
		return err_set(0, "the command line is %zu bytes; this kernel takes at most %u",
			       strlen(cmdline), max);
	if (cfg->initrd && (r = open_file(&im->initrd, "the initrd", cfg->initrd)) < 0)
		return r;
	/* A vmlinux says nothing about initrd limits: the protocol's default since 2.03. Without
	 * an initrd, im->initrd.size stays 0. */
	r = im->is_elf
		? boot_place(im->elf.end, 0x7fffffff, cfg->memory, im->initrd.size, &im->layout)
		: bzimage_place(&im->bz, GUEST_LOAD_ADDR, cfg->memory, im->initrd.size,
				&im->layout);
	if (r < 0)
		return r;
	im->layout.cmdline_addr = GUEST_CMDLINE;
	return 0;
}

static int load_tiny(struct vm *vm, const struct images *im, struct kvm_regs *regs)
{
	regs->rip = GUEST_LOAD_ADDR;
	/* The command line where Linux would find it: the hostile guest reads its seed there. */
	strcpy((char *)vm->mem + GUEST_CMDLINE, vm->cmdline);
	return read_at(&im->kernel, vm->mem + GUEST_LOAD_ADDR, im->kernel.size, 0);
}

static int load_linux(struct vm *vm, const struct images *im, struct kvm_regs *regs)
{
	const struct boot_layout *layout = &im->layout;
	uint8_t *bp = vm->mem + GUEST_BOOT_PARAMS;
	int r = 0;
	if (im->is_elf) {
		/* Each segment at its physical address; the rest of memsz (bss) is already zero:
		 * guest memory is a fresh anonymous mapping. */
		for (int i = 0; i < im->elf.nseg && r == 0; i++)
			r = read_at(&im->kernel, vm->mem + im->elf.seg[i].paddr,
				    im->elf.seg[i].filesz, im->elf.seg[i].offset);
		if (r == 0)
			r = boot_params_synth(vm->cmdline, layout, bp);
		regs->rip = im->elf.entry;
	} else {
		r = read_at(&im->kernel, vm->mem + GUEST_LOAD_ADDR, im->bz.kernel_size,
			    im->bz.setup_size);
		if (r == 0)
			r = bzimage_boot_params(im->head, &im->bz, vm->cmdline, layout, bp);
		regs->rip = GUEST_LOAD_ADDR + BZ_ENTRY64_OFFSET;
	}
	if (r == 0 && layout->initrd_size)
		r = read_at(&im->initrd, vm->mem + layout->initrd_addr, layout->initrd_size, 0);
	if (r < 0)
		return r;
	strcpy((char *)vm->mem + GUEST_CMDLINE, vm->cmdline);
	regs->rsi = GUEST_BOOT_PARAMS; /* the 64-bit entry finds boot_params here */
	return 0;
}

/* ---- KVM ---- */

static int open_kvm(struct vm *vm)
{
	vm->kvm = open("/dev/kvm", O_RDWR | O_CLOEXEC);
	if (vm->kvm < 0) {
		if (errno == ENOENT)
			return err_set(0, "this machine offers no KVM (/dev/kvm is missing); "
					  "tests/testhost/run shows how to try it under emulation");
		return err_set(errno, "cannot open /dev/kvm");
	}
	/* The tiny guest runs under PVM as under hardware KVM; Linux does not (see kvm.h). */
	if (!vm->cfg->tiny && (vm->cfg->kvm_pvm || kvm_is_pvm()))
		return err_set(0, KVM_PVM_REASON "; --tiny runs here, and tests/testhost/run "
						 "boots Linux under emulation");
	int v = ioctl(vm->kvm, KVM_GET_API_VERSION, 0);
	if (v != KVM_API_VERSION)
		return err_set(0, "KVM API version %d, expected %d", v, KVM_API_VERSION);
	int r;
	if (vm->cfg->restore && (r = snapshot_check_caps(vm->kvm)) < 0)
		return err_wrap(r, "--restore: %s", vm->cfg->restore);
	vm->fd = ioctl(vm->kvm, KVM_CREATE_VM, 0);
	if (vm->fd < 0)
		return err_set(errno, "KVM_CREATE_VM failed");
	if (vm->cfg->tiny)
		return 0; /* no interrupt controller, no timer: HLT comes back to us */
	if (ioctl(vm->fd, KVM_SET_TSS_ADDR, KVM_TSS_ADDR) < 0)
		return err_set(errno, "KVM_SET_TSS_ADDR failed");
	uint64_t identity = KVM_IDENTITY_ADDR;
	if (ioctl(vm->fd, KVM_SET_IDENTITY_MAP_ADDR, &identity) < 0)
		return err_set(errno, "KVM_SET_IDENTITY_MAP_ADDR failed");
	if (ioctl(vm->fd, KVM_CREATE_IRQCHIP, 0) < 0)
		return err_set(errno, "KVM_CREATE_IRQCHIP failed");
	struct kvm_pit_config pit = {.flags = 0};
	if (ioctl(vm->fd, KVM_CREATE_PIT2, &pit) < 0)
		return err_set(errno, "KVM_CREATE_PIT2 failed");
	return 0;
}

static int check_memory(uint64_t size)
{
	struct sysinfo si;
	uint64_t host = sysinfo(&si) == 0 ? (uint64_t)si.totalram * si.mem_unit : 0;
	if (size > GUEST_MEM_MAX)
		return err_set(0, "--memory %llu MiB is more than this VMM supports (%llu MiB)",
			       (unsigned long long)(size >> 20),
			       (unsigned long long)(GUEST_MEM_MAX >> 20));
	if (host && size > host)
		return err_set(0, "--memory %llu MiB is more than this host has (%llu MiB)",
			       (unsigned long long)(size >> 20), (unsigned long long)(host >> 20));
	return 0;
}

/* vm->mem as the guest's RAM from physical address 0: one slot, for a boot and a restore. */
static int register_memory(struct vm *vm)
{
	struct kvm_userspace_memory_region region = {
	    .slot = 0,
	    .guest_phys_addr = 0,
	    .memory_size = vm->mem_size,
	    .userspace_addr = (uint64_t)(uintptr_t)vm->mem,
	};
	if (ioctl(vm->fd, KVM_SET_USER_MEMORY_REGION, &region) < 0)
		return err_set(errno, "KVM_SET_USER_MEMORY_REGION failed");
	return 0;
}

static int setup_memory(struct vm *vm)
{
	/* One anonymous mapping is the guest's RAM: pages are only real once touched. It starts
	 * on a 2 MiB boundary and asks for transparent huge pages, as QEMU's does: then the host
	 * backs the guest's memory 2 MiB at a time, and KVM can map it to the guest that way,
	 * with one fault where 512 would be needed (mmap alone aligns only to 4 KiB: map 2 MiB
	 * more and trim). Where THP is off, madvise fails and the pages are simply 4 KiB.
	 * Measured in the test host: a Linux guest reaches /init in about 0.65 s instead of 1 s.
	 * The tiny guest touches a few 4 KiB pages: a huge page would only be 2 MiB to zero
	 * (1 ms of its 5), so it asks for none, even where THP is on for every mapping. */
	size_t len = vm->mem_size + HUGE_PAGE;
	uint8_t *raw = mmap(NULL, len, PROT_READ | PROT_WRITE,
			    MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (raw == MAP_FAILED)
		return err_set(errno, "cannot map %llu MiB of guest memory",
			       (unsigned long long)(vm->mem_size >> 20));
	size_t head = (HUGE_PAGE - (uintptr_t)raw % HUGE_PAGE) % HUGE_PAGE;
	if (head)
		munmap(raw, head);
	munmap(raw + head + vm->mem_size, len - head - vm->mem_size);
	vm->mem = raw + head;
	madvise(vm->mem, vm->mem_size, vm->cfg->tiny ? MADV_NOHUGEPAGE : MADV_HUGEPAGE);
	return register_memory(vm);
}

/* The vCPUs, and for a Linux guest the MP table that tells it how many there are and where
 * its interrupts go (the I/O APIC): written even for one vCPU, so that the devices' interrupts
 * take the same path whatever --cpus says. The BIOS data area points at the table as a BIOS's
 * EBDA (segment at 0x40e, base memory in KiB at 0x413). */
static int setup_vcpus(struct vm *vm, const struct kvm_regs *regs)
{
	struct vcpus *c = &vm->cpus;
	c->kvm = vm->kvm;
	c->vm = vm->fd;
	c->pio = &vm->pio;
	c->mmio = &vm->mmio;
	c->reset = &vm->kbd.reset;
	c->tiny = vm->cfg->tiny;
	c->debug = vm->cfg->debug;
	int r = vcpus_create(c, vm->cfg->cpus, vm->mem, regs);
	if (r < 0 || vm->cfg->tiny)
		return r;
	r = mptable_build(vm->mem + MPTABLE_ADDR, MPTABLE_ROOM, MPTABLE_ADDR, c->n, c->signature,
			  c->features);
	if (r < 0)
		return r;
	uint16_t ebda = MPTABLE_ADDR >> 4, base_kib = MPTABLE_ADDR >> 10;
	memcpy(vm->mem + 0x40e, &ebda, sizeof(ebda));
	memcpy(vm->mem + 0x413, &base_kib, sizeof(base_kib));
	return 0;
}

/* ---- running ---- */

/* A virtio device's interrupt line, to the in-kernel IOAPIC and PIC. */
static void virtio_set_irq(void *ctx, uint32_t irq, bool level)
{
	struct vm *vm = ctx;
	struct kvm_irq_level line = {.irq = irq, .level = level};
	ioctl(vm->fd, KVM_IRQ_LINE, &line);
}

/* The disk and the tap, checked (the disk locked) before KVM is touched (bad input is reported
 * the same on a machine without KVM), and announced on the kernel command line. */
static int open_virtio(struct vm *vm)
{
	const struct vm_config *cfg = vm->cfg;
	vm->blk.fd = -1;
	if (snprintf(vm->cmdline, sizeof(vm->cmdline), "%s", cfg->cmdline) >=
	    (int)sizeof(vm->cmdline))
		return err_set(0, "the command line is longer than %u bytes", GUEST_CMDLINE_MAX);
	int r = 0;
	if (cfg->disk && (r = virtio_blk_open(&vm->blk, cfg->disk, cfg->disk_ro)) == 0)
		r = virtio_mmio_cmdline(VIRTIO_MMIO_BASE, VIRTIO_MMIO_IRQ, vm->cmdline,
					sizeof(vm->cmdline));
	if (r == 0 && cfg->net_fd >= 0 &&
	    (r = virtio_net_open(&vm->net, cfg->net_fd, cfg->net_mac)) == 0)
		r = virtio_mmio_cmdline(VIRTIO_NET_MMIO_BASE, VIRTIO_NET_MMIO_IRQ, vm->cmdline,
					sizeof(vm->cmdline));
	return r;
}

/* One virtio device on the bus: its transport, its interrupt line, its register page. */
static int add_virtio(struct vm *vm, struct virtio_mmio *t, const struct virtio_device_ops *ops,
		      void *dev, uint64_t features, uint64_t base, uint32_t irq)
{
	struct guest_mem mem = {vm->mem, vm->mem_size};
	virtio_mmio_init(t, ops, dev, features, mem, irq);
	if (!vm->cfg->tiny) /* no interrupt controller to raise a line on */
		t->set_irq = virtio_set_irq;
	t->irq_ctx = vm;
	return bus_register(&vm->mmio, ops->name, base, VIRTIO_MMIO_SIZE, virtio_mmio_io, t);
}

/* The virtio devices, once guest RAM (which their queues live in) is there. */
static int setup_virtio(struct vm *vm)
{
	int r = 0;
	if (vm->cfg->disk)
		r = add_virtio(vm, &vm->blk_mmio, &virtio_blk_ops, &vm->blk,
			       virtio_blk_features(&vm->blk), VIRTIO_MMIO_BASE, VIRTIO_MMIO_IRQ);
	if (r == 0 && vm->cfg->net_fd >= 0 &&
	    (r = add_virtio(vm, &vm->net_mmio, &virtio_net_ops, &vm->net,
			    virtio_net_features(&vm->net), VIRTIO_NET_MMIO_BASE,
			    VIRTIO_NET_MMIO_IRQ)) == 0)
		r = virtio_net_start(&vm->net, &vm->net_mmio);
	return r;
}

/* What the devices refused of the guest: what marked a device broken, always; with --timing or
 * --debug also what was dropped without breaking it, and the requests answered with an error. */
static void report_refusals(const struct vm *vm)
{
	bool details = vm->cfg->timing || vm->cfg->debug;
	if (vm->cfg->net_fd >= 0)
		virtio_mmio_report(&vm->net_mmio, stderr, details);
	if (!vm->cfg->disk)
		return;
	virtio_mmio_report(&vm->blk_mmio, stderr, details);
	const struct virtio_blk *b = &vm->blk;
	if (details && vm->blk_mmio.requests)
		fprintf(stderr,
			"shikumi-vmm: virtio-blk: %llu requests: %llu reads, %llu writes, %llu "
			"flushes, %llu answered with an error\n",
			(unsigned long long)vm->blk_mmio.requests, (unsigned long long)b->reads,
			(unsigned long long)b->writes, (unsigned long long)b->flushes,
			(unsigned long long)b->errors);
}

/* The devices on the bus, the UART first: it takes most exits (one per console byte). */
static int setup_devices(struct vm *vm)
{
	bus_init(&vm->pio, "port");
	bus_init(&vm->mmio, "MMIO");
	serial_init(&vm->uart, console_tx, vm);
	if (!vm->cfg->tiny) /* the tiny guest has no interrupt controller */
		vm->uart.set_irq = serial_set_irq;
	i8042_init(&vm->kbd);
	marker_init(&vm->marker);
	struct bus *p = &vm->pio;
	int r = bus_register(p, "serial", SERIAL_COM1_BASE, 8, serial_io, &vm->uart);
	if (r == 0)
		r = bus_register(p, "i8042", I8042_DATA_PORT, 1, i8042_data_io, &vm->kbd);
	if (r == 0)
		r = bus_register(p, "i8042", I8042_CMD_PORT, 1, i8042_cmd_io, &vm->kbd);
	if (r == 0)
		r = bus_register(p, "cmos", CMOS_INDEX_PORT, 2, cmos_io, &vm->cmos);
	if (r == 0)
		r = bus_register(p, "marker", MARKER_PORT, 2, marker_io, &vm->marker);
	return r;
}

/* The status of a guest that reset itself: what it reported, or a panic; a guest whose /init
 * announced itself (port 0x510) but never reported a status broke the protocol (its port
 * writes failed?), which must not read as success. */
static int reset_status(const struct vm *vm)
{
	if (vm->marker.status >= 0)
		return vm->marker.status;
	if (vm->panicked)
		return VM_EXIT_PANIC;
	if (vm->marker.t_marker) {
		fprintf(stderr, "shikumi-vmm: the guest reached user space but reported no exit "
				"status (port 0x511)\r\n");
		return VM_EXIT_ERROR;
	}
	return 0;
}

static void print_registers(const struct vcpus *c)
{
	if (!c->have_regs)
		return;
	const struct kvm_regs *r = &c->regs;
	const struct kvm_sregs *s = &c->sregs;
	fprintf(stderr,
		"shikumi-vmm: rip %016llx rsp %016llx rflags %08llx rax %016llx\n"
		"shikumi-vmm: cr0 %08llx cr3 %08llx cr4 %08llx efer %llx cs %04x\n",
		r->rip, r->rsp, r->rflags, r->rax, s->cr0, s->cr3, s->cr4, s->efer, s->cs.selector);
}

/* Runs the vCPUs until the guest ends. Returns the exit status, or -1 with a message. */
static int run_loop(struct vm *vm)
{
	struct vcpus *c = &vm->cpus;
	vm->t_first_run = timing_now();
	if (vcpus_run(c) < 0)
		return -1;
	switch (c->why) {
	case VCPU_END_RESET:
		return reset_status(vm);
	case VCPU_END_HLT:
		return vm->marker.status >= 0 ? vm->marker.status : 0;
	case VCPU_END_SHUTDOWN:
		/* A reset by triple fault after the guest reported is a reboot. */
		if (vm->marker.status >= 0)
			return vm->marker.status;
		if (vm->panicked)
			return VM_EXIT_PANIC;
		break;
	case VCPU_END_FAIL:
		break;
	case VCPU_END_ERROR:
	case VCPU_END_TIMEOUT:
		err_set(0, "%s", c->message);
		return -1;
	case VCPU_END_PAUSE:
		return RUN_READY;
	}
	console_flush(vm);
	fprintf(stderr, "shikumi-vmm: %s\n", c->message);
	print_registers(c);
	return VM_EXIT_TRIPLEFAULT;
}

/* For the VMM's own memory overhead, from /proc/self/smaps: the process's resident memory,
 * the part of it that is guest RAM (the Rss of the mapping at vm->mem), and how much of that
 * the host backs with 2 MiB pages (AnonHugePages). Rss counts only real pages: where the
 * guest merely read memory it never wrote, KVM maps the shared zero page, which it does not
 * count (mincore would, and could make "guest" larger than the whole process). */
struct memory_use {
	uint64_t total, guest, guest_huge;
};

static struct memory_use memory_use(const struct vm *vm)
{
	struct memory_use u = {0};
	FILE *f = fopen("/proc/self/smaps", "re");
	if (!f)
		return u;
	char line[256];
	bool in_guest = false;
	while (fgets(line, sizeof(line), f)) {
		unsigned long start, end;
		unsigned long long kb;
		if (sscanf(line, "%lx-%lx ", &start, &end) == 2) {
			in_guest = start == (uintptr_t)vm->mem;
		} else if (sscanf(line, "Rss: %llu kB", &kb) == 1) {
			u.total += kb * 1024;
			if (in_guest)
				u.guest = kb * 1024;
		} else if (in_guest && sscanf(line, "AnonHugePages: %llu kB", &kb) == 1) {
			u.guest_huge = kb * 1024;
		}
	}
	fclose(f);
	return u;
}

/* Adds one bus's devices to the exits line, a device with several ranges (the i8042) once. */
static void print_bus_exits(const struct bus *b)
{
	for (int i = 0; i < b->n; i++) {
		bool seen = false;
		uint64_t n = 0;
		for (int j = 0; j < b->n; j++) {
			if (strcmp(b->dev[j].name, b->dev[i].name))
				continue;
			seen |= j < i;
			n += b->dev[j].exits;
		}
		if (!seen)
			fprintf(stderr, "%s %llu, ", b->dev[i].name, (unsigned long long)n);
	}
}

/* "exits: serial N, ...": the devices in bus order (the UART first, which lessons and tests
 * read), then what no device claimed, then the exits that are no access at all. */
static void print_exits(const struct vm *vm)
{
	fputs("exits: ", stderr);
	print_bus_exits(&vm->pio);
	print_bus_exits(&vm->mmio);
	fprintf(stderr, "other ports %llu, other mmio %llu, hlt %llu, shutdown %llu",
		(unsigned long long)vm->pio.unknown, (unsigned long long)vm->mmio.unknown,
		(unsigned long long)vm->cpus.hlt_exits,
		(unsigned long long)vm->cpus.shutdown_exits);
	/* Several vCPUs: the counts are their sums; which one ended the VM, for the curious. */
	if (vm->cpus.n > 1)
		fprintf(stderr, "; %d vCPUs, the end came from vCPU %d", vm->cpus.n, vm->cpus.who);
	fputc('\n', stderr);
}

/* The VMM's set-up, mark by mark: each phase ends where the next begins. */
struct setup_marks {
	uint64_t start, read, kvm, memory, load, vcpu;
};

static void print_timing(const struct vm *vm, const struct setup_marks *m)
{
	timing_print(stderr, "read", m->start, m->read);
	timing_print(stderr, "kvm", m->read, m->kvm);
	timing_print(stderr, "memory", m->kvm, m->memory);
	timing_print(stderr, "load", m->memory, m->load);
	timing_print(stderr, "vcpu", m->load, m->vcpu);
	timing_print(stderr, "vmm-setup", m->start, vm->t_first_run);
	if (vm->marker.t_marker) {
		timing_print(stderr, "guest-boot", vm->t_first_run, vm->marker.t_marker);
		timing_print(stderr, "user-space", vm->marker.t_marker, vm->t_end);
	} else {
		timing_print(stderr, "guest-run", vm->t_first_run, vm->t_end);
	}
	timing_print(stderr, "total", m->start, vm->t_end);
	print_exits(vm);
	if (vm->cfg->net_fd >= 0)
		fprintf(stderr,
			"virtio-net: received %llu frames (%llu bytes), sent %llu (%llu bytes), "
			"%llu refused by the tap\n",
			(unsigned long long)vm->net.rx_frames, (unsigned long long)vm->net.rx_bytes,
			(unsigned long long)vm->net.tx_frames, (unsigned long long)vm->net.tx_bytes,
			(unsigned long long)vm->net.tx_dropped);
	struct memory_use u = memory_use(vm);
	fprintf(stderr,
		"memory: VMM RSS %.1f MiB, guest RAM resident %.1f MiB (%.0f MiB in huge pages), "
		"VMM's own %.1f MiB\n",
		u.total / 1048576.0, u.guest / 1048576.0, u.guest_huge / 1048576.0,
		(u.total > u.guest ? u.total - u.guest : 0) / 1048576.0);
}

static int run_images(struct vm *vm, struct images *im, struct setup_marks *m, int *status);
static int vm_restore(struct vm *vm, int *status);

/* Whether the last part of `path` is a snapshot still being written (DIR.tmp-PID-XXXXXX). */
static bool unfinished(const char *path)
{
	const char *base = strrchr(path, '/');
	return strstr(base ? base + 1 : path, ".tmp-") != NULL;
}

/* --snapshot DIR: DIR must not be there yet, its parent must (checked before booting); what
 * an earlier, killed --snapshot DIR left is removed. */
static int check_snapshot_dir(const char *dir)
{
	struct stat st;
	if (lstat(dir, &st) == 0)
		return err_set(0, "--snapshot: '%s' exists (a snapshot is never overwritten)", dir);
	char copy[PATH_MAX];
	snprintf(copy, sizeof(copy), "%s", dir);
	const char *parent = dirname(copy);
	if (stat(parent, &st) < 0 || !S_ISDIR(st.st_mode))
		return err_set(0, "--snapshot: no directory '%s' to write '%s' in", parent, dir);
	if (unfinished(dir))
		return err_set(0,
			       "--snapshot: '%s': a name with '.tmp-' is kept for unfinished "
			       "snapshots",
			       dir);
	snapshot_sweep(dir);
	return 0;
}

/* The guest's /init is told to wait for its command on the console (shikumi_snapshot=1, an
 * environment variable for it): before the " -- " that starts /init's arguments, if any. */
static int cmdline_snapshot(char *cmdline, size_t size)
{
	static const char word[] = " shikumi_snapshot=1";
	size_t len = strlen(cmdline);
	if (len + sizeof(word) > size)
		return err_set(0, "the command line is longer than %zu bytes", size);
	char *at = strstr(cmdline, " -- ");
	if (!at && len >= 3 && !strcmp(cmdline + len - 3, " --"))
		at = cmdline + len - 3;
	if (!at)
		at = cmdline + len;
	memmove(at + sizeof(word) - 1, at, strlen(at) + 1);
	memcpy(at, word, sizeof(word) - 1);
	return 0;
}

int vm_run(const struct vm_config *cfg, int *status)
{
	static struct vm vm; /* one per process; the input thread may outlive vm_run */
	vm = (struct vm){.cfg = cfg, .kvm = -1, .fd = -1, .mem_size = cfg->memory};
	*status = VM_EXIT_ERROR;
	if (cfg->restore)
		return vm_restore(&vm, status);
	struct setup_marks m = {.start = timing_now()};
	static struct images im; /* 64 KiB of headers: not on the stack */
	im = (struct images){.kernel.fd = -1, .initrd.fd = -1};
	int r = setup_devices(&vm);
	if (r == 0 && cfg->snapshot)
		r = check_snapshot_dir(cfg->snapshot);
	if (r == 0)
		r = check_memory(cfg->memory);
	if (r == 0)
		r = open_virtio(&vm);
	if (r == 0 && cfg->snapshot)
		r = cmdline_snapshot(vm.cmdline, sizeof(vm.cmdline));
	if (r == 0)
		r = read_images(cfg, vm.cmdline, &im);
	if (r == 0)
		vm.kernel_id = snap_kernel_id(im.head, im.head_len, im.kernel.size);
	m.read = timing_now();
	if (r == 0)
		r = run_images(&vm, &im, &m, status);
	images_close(&im);
	return r;
}

/* --snapshot: gives up on a guest that never says it is ready. */
static void *snapshot_timer(void *arg)
{
	struct vm *vm = arg;
	sleep((unsigned)vm->cfg->snapshot_timeout);
	char msg[160];
	snprintf(msg, sizeof(msg),
		 "--snapshot: the guest did not say it was ready within %d s (is its /init "
		 "shikumi's guest-init?); nothing was written",
		 vm->cfg->snapshot_timeout);
	vcpus_stop(&vm->cpus, VCPU_END_TIMEOUT, msg);
	return NULL;
}

static bool host_is_amd(void)
{
	unsigned int a = 0, b, c, d;
	__asm__("cpuid" : "+a"(a), "=b"(b), "=c"(c), "=d"(d));
	return b == 0x68747541 && d == 0x69746e65 && c == 0x444d4163; /* "AuthenticAMD" */
}

/* The machine the snapshot code sees. */
static struct snap_machine snap_machine(struct vm *vm)
{
	return (struct snap_machine){.kvm = vm->kvm,
				     .vm = vm->fd,
				     .cpus = &vm->cpus,
				     .uart = &vm->uart,
				     .kbd = &vm->kbd,
				     .cmos = &vm->cmos,
				     .marker = &vm->marker,
				     .mem = vm->mem,
				     .mem_size = vm->mem_size,
				     .amd = host_is_amd()};
}

/* Runs the set-up machine to its end (a boot or a restore): the console, the vCPUs, and with
 * --snapshot the snapshot. Returns the exit status, or -1 with a message. */
static int run_guest(struct vm *vm)
{
	const struct vm_config *cfg = vm->cfg;
	if (cfg->debug_forbidden) {
		/* A VMM the jail holds (shikumi vm) dies here of SIGSYS; one that got a socket
		 * is held by no seccomp filter. */
		int s = socket(AF_INET, SOCK_STREAM, 0);
		if (s >= 0)
			close(s);
		return err_set(0,
			       "--debug-forbidden-syscall: socket(2) %s: no seccomp filter holds "
			       "this VMM",
			       s >= 0 ? "succeeded" : "failed without killing the VMM");
	}
	terminal_raw();
	pthread_t thread;
	/* --snapshot: nothing typed may reach the guest (it would be in the snapshot). */
	if (!cfg->tiny && !cfg->snapshot && pthread_create(&thread, NULL, input_thread, vm) == 0)
		pthread_detach(thread);
	if (cfg->snapshot) {
		vm->cpus.pause = &vm->marker.ready;
		vm->cpus.cpu[0].thread = pthread_self(); /* the timer may kick it at once */
		if (pthread_create(&thread, NULL, snapshot_timer, vm) == 0)
			pthread_detach(thread);
	}
	int code = run_loop(vm);
	if (cfg->snapshot && code >= 0) {
		if (code != RUN_READY) {
			err_set(
			    0,
			    "--snapshot: the guest powered off (status %d) before it was ready for "
			    "a snapshot; nothing was written",
			    code);
			code = -1;
		} else {
			struct snap_machine sm = snap_machine(vm);
			struct snap_header h = {.kernel_id = vm->kernel_id,
						.memory = vm->mem_size,
						.cpus = (uint32_t)vm->cpus.n,
						.devices = SNAP_DEV_LEGACY};
			snprintf(h.vmm_version, sizeof(h.vmm_version), "%s", SHIKUMI_VERSION);
			code = snapshot_write(cfg->snapshot, &sm, &h) < 0 ? -1 : 0;
		}
	}
	vm->t_end = timing_now();
	vcpus_close(&vm->cpus);
	console_flush(vm);
	terminal_restore();
	return code;
}

static int run_images(struct vm *vm, struct images *im, struct setup_marks *m, int *status)
{
	const struct vm_config *cfg = vm->cfg;
	int r = open_kvm(vm);
	if (r < 0)
		return r;
	m->kvm = timing_now();
	if ((r = setup_memory(vm)) < 0 || (r = setup_virtio(vm)) < 0)
		return r;
	m->memory = timing_now();
	struct kvm_regs regs = {0};
	if ((r = cfg->tiny ? load_tiny(vm, im, &regs) : load_linux(vm, im, &regs)) < 0)
		return r;
	images_close(im); /* in the guest now */
	m->load = timing_now();
	if ((r = setup_vcpus(vm, &regs)) < 0)
		return r;
	m->vcpu = timing_now();
	int code = run_guest(vm);
	if (code < 0)
		return -EIO;
	if (code == VM_EXIT_PANIC)
		fprintf(stderr, "shikumi-vmm: the guest kernel panicked\n");
	report_refusals(vm);
	if (cfg->timing && !cfg->snapshot)
		print_timing(vm, m);
	*status = code;
	return 0;
}

/* ---- restoring a snapshot ---- */

/* The command for the restored guest's /init, one line of sh -c: each argument in single
 * quotes. The console's line discipline would act on control characters (a newline ends the
 * line, ^C, ^D, ^U...): refused, as is a line the tty would not take whole. */
static int command_line(struct vm *vm)
{
	const struct vm_config *cfg = vm->cfg;
	size_t cap = 2; /* the newline and the NUL */
	for (int i = 0; i < cfg->ncommand; i++)
		cap += strlen(cfg->command[i]) * 4 + 3;
	if (cap > 4000)
		return err_set(0, "--restore: the command is too long for the guest's console "
				  "(4000 bytes at most, quoted)");
	char *line = calloc(1, cap), *p = line;
	if (!line)
		return err_set(ENOMEM, "out of memory");
	for (int i = 0; i < cfg->ncommand; i++) {
		*p++ = i ? ' ' : '\'';
		if (i)
			*p++ = '\'';
		for (const char *a = cfg->command[i]; *a; a++) {
			if ((unsigned char)*a < 0x20 || *a == 0x7f) {
				free(line);
				return err_set(0,
					       "--restore: the command cannot hold control "
					       "characters (it is typed on the guest's console)");
			}
			if (*a == '\'') {
				memcpy(p, "'\\''", 4);
				p += 4;
			} else {
				*p++ = *a;
			}
		}
		*p++ = '\'';
	}
	*p++ = '\n';
	vm->typed = line;
	return 0;
}

/* A snapshot is the whole guest: it is read only if nobody but the caller (or root) could
 * have written it. `fd` is the directory or one of its files, `path` its name for messages;
 * its fstat is left in `st` (the files' sizes are checked from it). */
static int check_trusted(int fd, const char *path, bool dir, struct stat *st)
{
	if (fstat(fd, st) < 0)
		return err_set(errno, "--restore: cannot read '%s'", path);
	if (dir ? !S_ISDIR(st->st_mode) : !S_ISREG(st->st_mode))
		return err_set(0,
			       dir ? "--restore: '%s' is not a snapshot directory"
				   : "--restore: '%s' is not a regular file",
			       path);
	if (st->st_uid != geteuid() && st->st_uid != 0)
		return err_set(0,
			       "--restore: '%s' belongs to uid %u: a snapshot must be yours or "
			       "root's",
			       path, (unsigned)st->st_uid);
	if (st->st_mode & (S_IWGRP | S_IWOTH))
		return err_set(0, "--restore: '%s' can be written by others (mode %04o)", path,
			       (unsigned)(st->st_mode & 07777));
	return 0;
}

/* DIR/NAME, opened without following a symbolic link and without waiting on a FIFO. */
static int open_member(int dirfd, const char *dir, const char *name, char *path, size_t size,
		       int *fd, struct stat *st)
{
	snprintf(path, size, "%s/%s", dir, name);
	*fd = openat(dirfd, name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
	if (*fd < 0) {
		int e = errno;
		if (e == ELOOP)
			return err_set(0,
				       "--restore: '%s' is a symbolic link (a snapshot's files are "
				       "its own)",
				       path);
		return err_set(e, "--restore: cannot open '%s'", path);
	}
	return check_trusted(*fd, path, false, st);
}

/* Opens DIR, DIR/state and DIR/mem and checks all three; reads DIR/state whole and checks it.
 * All before KVM is touched: bad input is reported the same on a machine without it. */
static int open_snapshot(struct vm *vm, uint8_t **state, size_t *len, struct snap_header *h,
			 int *mem_fd)
{
	const struct vm_config *cfg = vm->cfg;
	char path[PATH_MAX], mem_path[PATH_MAX];
	if (unfinished(cfg->restore))
		return err_set(0,
			       "--restore: '%s' is an unfinished snapshot (its shikumi-vmm "
			       "--snapshot was stopped, or is still writing it)",
			       cfg->restore);
	int dirfd = open(cfg->restore, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dirfd < 0) {
		if (errno == ENOTDIR)
			return err_set(0, "--restore: '%s' is not a snapshot directory",
				       cfg->restore);
		return err_set(errno, "--restore: cannot open the snapshot '%s'", cfg->restore);
	}
	int fd = -1;
	/* The same for the directory opened (DIR/., a symbolic link to one): its real name. */
	char link[32], real[PATH_MAX];
	snprintf(link, sizeof(link), "/proc/self/fd/%d", dirfd);
	ssize_t n = readlink(link, real, sizeof(real) - 1);
	int r = n > 0 ? 0 : err_set(errno, "--restore: cannot tell where '%s' is", cfg->restore);
	if (r == 0 && (real[n] = '\0', unfinished(real)))
		r = err_set(0,
			    "--restore: '%s' is the unfinished snapshot '%s' (its shikumi-vmm "
			    "--snapshot was stopped, or is still writing it)",
			    cfg->restore, real);
	struct stat dir_st, st, mem_st; /* st: the state file's */
	if (r == 0)
		r = check_trusted(dirfd, cfg->restore, true, &dir_st);
	if (r == 0)
		r = open_member(dirfd, cfg->restore, "state", path, sizeof(path), &fd, &st);
	if (r == 0)
		r = open_member(dirfd, cfg->restore, "mem", mem_path, sizeof(mem_path), mem_fd,
				&mem_st);
	close(dirfd);
	if (r == 0 && (size_t)st.st_size > STATE_MAX)
		r = err_set(0, "--restore: '%s' is not a snapshot's state file", path);
	if (r < 0) {
		if (fd >= 0)
			close(fd);
		return r;
	}
	*len = (size_t)st.st_size;
	*state = malloc(*len ? *len : 1);
	struct guest_file f = {.what = "the snapshot's state", .path = path, .fd = fd};
	r = *state ? read_at(&f, *state, *len, 0) : err_set(ENOMEM, "out of memory");
	close(fd);
	if (r == 0 && (r = snap_parse(*state, *len, h)) < 0)
		r = err_wrap(r, "--restore: %s", cfg->restore);
	if (r < 0)
		return r;
	uint64_t kernel_id = 0;
	if (cfg->kernel) {
		static uint8_t head[KERNEL_HEAD_MAX];
		struct guest_file k;
		if ((r = open_file(&k, "the kernel", cfg->kernel)) == 0) {
			size_t hl = k.size < sizeof(head) ? (size_t)k.size : sizeof(head);
			if ((r = read_at(&k, head, hl, 0)) == 0)
				kernel_id = snap_kernel_id(head, hl, k.size);
		}
		if (k.fd >= 0)
			close(k.fd);
		if (r < 0)
			return r;
	}
	r = snap_match(h, SHIKUMI_VERSION, kernel_id, cfg->memory_set ? cfg->memory : 0,
		       cfg->cpus_set ? (uint32_t)cfg->cpus : 0, SNAP_DEV_LEGACY);
	if (r == 0 && (h->cpus < 1 || h->cpus > VM_CPUS_MAX || h->memory < (2 << 20) ||
		       h->memory > GUEST_MEM_MAX || h->memory % 4096))
		r = err_set(0, "the snapshot's machine (%u vCPUs, %llu bytes) is out of range",
			    h->cpus, (unsigned long long)h->memory);
	if (r < 0)
		return err_wrap(r, "--restore: %s", cfg->restore);
	if ((uint64_t)mem_st.st_size != h->memory)
		return err_set(0,
			       "--restore: '%s' is %lld bytes, the snapshot's memory is %llu "
			       "(truncated?)",
			       mem_path, (long long)mem_st.st_size, (unsigned long long)h->memory);
	return command_line(vm);
}

/* Guest RAM is the file, mapped private: pages come in from it when the guest first touches
 * them, and are copied when it first writes them; the file never changes, and any number of
 * restores share its clean pages through the page cache. */
static int map_snapshot(struct vm *vm, int mem_fd)
{
	vm->mem = mmap(NULL, vm->mem_size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_NORESERVE,
		       mem_fd, 0);
	if (vm->mem == MAP_FAILED) {
		vm->mem = NULL;
		return err_set(errno, "cannot map the snapshot's memory");
	}
	return register_memory(vm);
}

static void print_restore_timing(const struct vm *vm, uint64_t start)
{
	timing_print(stderr, "open", start, vm->t_open);
	timing_print(stderr, "kvm", vm->t_open, vm->t_kvm);
	timing_print(stderr, "map", vm->t_kvm, vm->t_map);
	timing_print(stderr, "state", vm->t_map, vm->t_state);
	timing_print(stderr, "vmm-setup", start, vm->t_first_run);
	uint64_t t_cmd = __atomic_load_n(&vm->marker.t_command, __ATOMIC_ACQUIRE);
	if (t_cmd) {
		timing_print(stderr, "resume-to-command", vm->t_first_run, t_cmd);
		timing_print(stderr, "command", t_cmd, vm->t_end);
	} else {
		timing_print(stderr, "guest-run", vm->t_first_run, vm->t_end);
	}
	timing_print(stderr, "total", start, vm->t_end);
	print_exits(vm);
	struct memory_use u = memory_use(vm);
	struct rusage ru;
	getrusage(RUSAGE_SELF, &ru);
	fprintf(stderr,
		"memory: VMM RSS %.1f MiB, guest RAM resident %.1f MiB (mapped from the snapshot, "
		"%ld page faults), VMM's own %.1f MiB\n",
		u.total / 1048576.0, u.guest / 1048576.0, ru.ru_minflt + ru.ru_majflt,
		(u.total > u.guest ? u.total - u.guest : 0) / 1048576.0);
}

static int vm_restore(struct vm *vm, int *status)
{
	uint64_t start = timing_now();
	static struct vm_config cfg; /* the snapshot's machine: its memory and vCPUs */
	cfg = *vm->cfg;
	vm->cfg = &cfg;
	autofree uint8_t *state = NULL;
	size_t len = 0;
	struct snap_header h;
	int mem_fd = -1;
	int r = setup_devices(vm);
	if (r == 0)
		r = open_snapshot(vm, &state, &len, &h, &mem_fd);
	if (r == 0) {
		cfg.memory = vm->mem_size = h.memory;
		cfg.cpus = (int)h.cpus;
		r = snap_get_devices(state, len, &vm->uart, &vm->kbd, &vm->cmos, &vm->marker);
	}
	vm->t_open = timing_now();
	if (r == 0 && (r = open_kvm(vm)) == 0) {
		vm->t_kvm = timing_now();
		r = map_snapshot(vm, mem_fd);
	}
	if (mem_fd >= 0)
		close(mem_fd);
	vm->t_map = timing_now();
	if (r == 0) {
		struct vcpus *c = &vm->cpus;
		c->kvm = vm->kvm;
		c->vm = vm->fd;
		c->pio = &vm->pio;
		c->mmio = &vm->mmio;
		c->reset = &vm->kbd.reset;
		c->debug = cfg.debug;
		r = vcpus_create(c, cfg.cpus, vm->mem, NULL);
	}
	if (r == 0) {
		struct snap_machine sm = snap_machine(vm);
		if ((r = snapshot_restore(&sm, state, len)) < 0)
			r = err_wrap(r, "--restore: %s", cfg.restore);
	}
	if (r < 0)
		return r;
	vm->t_state = timing_now();
	/* The guest is in user space, waiting for its command: type it at once. */
	__atomic_store_n(&vm->marker.t_marker, vm->t_state, __ATOMIC_RELEASE);
	int code = run_guest(vm);
	if (code < 0)
		return -EIO;
	if (code == VM_EXIT_PANIC)
		fprintf(stderr, "shikumi-vmm: the guest kernel panicked\n");
	if (cfg.timing)
		print_restore_timing(vm, start);
	*status = code;
	return 0;
}
