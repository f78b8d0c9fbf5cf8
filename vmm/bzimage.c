#include "bzimage.h"

#include "../common/err.h"

#include <elf.h>
#include <string.h>

static uint16_t get16(const uint8_t *p, size_t off)
{
	return (uint16_t)(p[off] | p[off + 1] << 8);
}

static uint32_t get32(const uint8_t *p, size_t off)
{
	return (uint32_t)p[off] | (uint32_t)p[off + 1] << 8 | (uint32_t)p[off + 2] << 16 |
	       (uint32_t)p[off + 3] << 24;
}

static void put32(uint8_t *p, size_t off, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		p[off + i] = (uint8_t)(v >> (8 * i));
}

int bzimage_parse(const uint8_t *head, size_t len, uint64_t size, struct bzimage *out)
{
	if (len > size)
		len = (size_t)size;
	if (len < BP_INIT_SIZE + 4)
		return err_set(0, "not a bzImage: %zu bytes is too short for the setup header",
			       len);
	if (get32(head, BP_HEADER) != BZ_HDR_MAGIC || get16(head, BP_BOOT_FLAG) != 0xaa55)
		return err_set(0, "not a bzImage: no \"HdrS\" boot header at offset 0x202");
	out->version = get16(head, BP_VERSION);
	if (out->version < BZ_MIN_VERSION)
		return err_set(0,
			       "boot protocol %u.%02u is too old: a 64-bit entry needs 2.12 "
			       "(Linux 3.8 or later)",
			       out->version >> 8, out->version & 0xff);
	/* The jump at 0x200 lands at the end of the header: 0x202 + its offset. A header that
	 * ends before init_size (0x260, in every 2.12 header) is not one we can trust. */
	size_t hdr_end = 0x202 + head[0x201];
	if (hdr_end < BP_INIT_SIZE + 4)
		return err_set(0,
			       "not a bzImage: its setup header ends at 0x%zx, before the fields "
			       "of protocol 2.12",
			       hdr_end);
	if (!(head[BP_XLOADFLAGS] & XLF_KERNEL_64))
		return err_set(0, "this bzImage has no 64-bit entry point (a 32-bit kernel?)");
	if (!(head[BP_LOADFLAGS] & LOADED_HIGH))
		return err_set(0, "this bzImage wants to be loaded low (a zImage?)");
	unsigned sects = head[BP_SETUP_SECTS] ? head[BP_SETUP_SECTS] : 4;
	out->setup_size = (size_t)(sects + 1) * 512;
	if (out->setup_size >= size)
		return err_set(0,
			       "truncated bzImage: the setup code alone needs %zu bytes, the "
			       "file has %llu",
			       out->setup_size, (unsigned long long)size);
	/* bzimage_boot_params copies the header from the head: all of it must be there. */
	if (hdr_end > len)
		return err_set(0, "bzImage: its setup header ends beyond the %zu bytes read", len);
	out->kernel_size = (size_t)(size - out->setup_size);
	/* The header says how long the payload is, in 16-byte paragraphs: a shorter file was
	 * cut off. */
	uint64_t syssize = (uint64_t)get32(head, 0x1f4) * 16;
	if (syssize > out->kernel_size)
		return err_set(0, "truncated bzImage: the kernel is %llu bytes, the file holds %zu",
			       (unsigned long long)syssize, out->kernel_size);
	out->initrd_addr_max = get32(head, BP_INITRD_ADDR_MAX);
	out->cmdline_size = get32(head, BP_CMDLINE_SIZE);
	out->init_size = get32(head, BP_INIT_SIZE);
	return 0;
}

int bzimage_e820(uint64_t mem, struct e820_entry *out, int max)
{
	if (max < 3 || mem <= 0x100000)
		return -EINVAL;
	out[0] = (struct e820_entry){0, 0x9fc00, E820_RAM};
	out[1] = (struct e820_entry){0x9fc00, 0x100000 - 0x9fc00, E820_RESERVED};
	out[2] = (struct e820_entry){0x100000, mem - 0x100000, E820_RAM};
	return 3;
}

uint64_t bzimage_initrd_addr(const struct bzimage *bz, uint64_t mem, uint64_t low, uint64_t size)
{
	/* ramdisk_image is 32 bits; protocols before 2.03 (never ours) left the limit at 0 and
	 * meant 0x37ffffff. */
	uint64_t top = bz->initrd_addr_max ? (uint64_t)bz->initrd_addr_max + 1 : 0x38000000;
	if (top > 1ULL << 32)
		top = 1ULL << 32;
	if (mem < top)
		top = mem;
	if (size == 0 || size > top)
		return 0;
	uint64_t addr = (top - size) & ~0xfffULL;
	return addr >= low && addr ? addr : 0;
}

int boot_place(uint64_t kernel_end, uint32_t initrd_addr_max, uint64_t mem, uint64_t initrd_size,
	       struct boot_layout *out)
{
	*out = (struct boot_layout){.mem = mem, .kernel_end = kernel_end};
	if (kernel_end > mem)
		return err_set(0, "the kernel needs %llu MiB to boot; give --memory more",
			       (unsigned long long)(kernel_end >> 20) + 1);
	if (!initrd_size)
		return 0;
	struct bzimage limits = {.initrd_addr_max = initrd_addr_max};
	out->initrd_addr = bzimage_initrd_addr(&limits, mem, kernel_end, initrd_size);
	if (!out->initrd_addr || initrd_size > UINT32_MAX)
		return err_set(0,
			       "the initrd (%llu MiB) does not fit in %llu MiB of guest memory "
			       "beside the kernel; give --memory more",
			       (unsigned long long)(initrd_size >> 20) + 1,
			       (unsigned long long)(mem >> 20));
	out->initrd_size = (uint32_t)initrd_size;
	return 0;
}

int bzimage_place(const struct bzimage *bz, uint64_t load, uint64_t mem, uint64_t initrd_size,
		  struct boot_layout *out)
{
	uint64_t need = bz->init_size > bz->kernel_size ? bz->init_size : bz->kernel_size;
	return boot_place(load + need, bz->initrd_addr_max, mem, initrd_size, out);
}

/* What every zero page gets from the loader: who loaded it, the command line, the initrd and
 * the memory map. */
static int boot_params_common(const struct boot_layout *layout, uint8_t *bp)
{
	bp[BP_TYPE_OF_LOADER] = 0xff; /* a loader with no assigned id */
	bp[BP_LOADFLAGS] |= CAN_USE_HEAP;
	bp[BP_HEAP_END_PTR] = 0x00;
	bp[BP_HEAP_END_PTR + 1] = 0xfe; /* 0xfe00: the usual end of the real-mode heap */
	put32(bp, BP_CMD_LINE_PTR, layout->cmdline_addr);
	put32(bp, BP_RAMDISK_IMAGE, (uint32_t)layout->initrd_addr);
	put32(bp, BP_RAMDISK_SIZE, layout->initrd_addr ? layout->initrd_size : 0);
	struct e820_entry map[E820_MAX_ENTRIES];
	int n = bzimage_e820(layout->mem, map, E820_MAX_ENTRIES);
	if (n < 0)
		return err_set(0, "guest memory too small for a Linux guest");
	bp[BP_E820_ENTRIES] = (uint8_t)n;
	memcpy(bp + BP_E820_TABLE, map, (size_t)n * sizeof(map[0]));
	return 0;
}

int boot_params_synth(const char *cmdline, const struct boot_layout *layout, uint8_t *bp)
{
	if (strlen(cmdline) > VMLINUX_CMDLINE_MAX)
		return err_set(0, "the command line is %zu bytes; this kernel takes at most %u",
			       strlen(cmdline), VMLINUX_CMDLINE_MAX);
	memset(bp, 0, BOOT_PARAMS_SIZE);
	bp[BP_BOOT_FLAG] = 0x55;
	bp[BP_BOOT_FLAG + 1] = 0xaa;
	put32(bp, BP_HEADER, BZ_HDR_MAGIC);
	bp[BP_VERSION] = BZ_MIN_VERSION & 0xff;
	bp[BP_VERSION + 1] = BZ_MIN_VERSION >> 8;
	bp[BP_LOADFLAGS] = LOADED_HIGH;
	put32(bp, BP_KERNEL_ALIGNMENT, 0x1000000);
	put32(bp, BP_CMDLINE_SIZE, VMLINUX_CMDLINE_MAX);
	return boot_params_common(layout, bp);
}

int vmlinux_is_elf(const uint8_t *head, size_t len)
{
	return len >= SELFMAG && memcmp(head, ELFMAG, SELFMAG) == 0;
}

int vmlinux_parse(const uint8_t *head, size_t len, uint64_t size, struct vmlinux *out)
{
	Elf64_Ehdr eh;
	if (len > size)
		len = (size_t)size;
	if (len < sizeof(eh))
		return err_set(0, "not a vmlinux: %zu bytes is too short for an ELF header", len);
	memcpy(&eh, head, sizeof(eh));
	if (!vmlinux_is_elf(head, len) || eh.e_ident[EI_CLASS] != ELFCLASS64 ||
	    eh.e_ident[EI_DATA] != ELFDATA2LSB || eh.e_machine != EM_X86_64)
		return err_set(0, "not a vmlinux: an ELF file, but not 64-bit x86");
	if (eh.e_type != ET_EXEC)
		return err_set(0, "not a vmlinux: an ELF file, but not an executable (a module?)");
	if (eh.e_phentsize != sizeof(Elf64_Phdr) || eh.e_phnum == 0 || eh.e_phoff >= size ||
	    (size - eh.e_phoff) / sizeof(Elf64_Phdr) < eh.e_phnum)
		return err_set(0, "truncated vmlinux: its program headers lie outside the file");
	if (eh.e_phoff >= len || (len - eh.e_phoff) / sizeof(Elf64_Phdr) < eh.e_phnum)
		return err_set(0, "this vmlinux's program headers are not in its first %zu bytes",
			       len);
	*out = (struct vmlinux){.entry = eh.e_entry};
	int has_entry = 0;
	for (int i = 0; i < eh.e_phnum; i++) {
		Elf64_Phdr ph;
		memcpy(&ph, head + eh.e_phoff + (size_t)i * sizeof(ph), sizeof(ph));
		if (ph.p_type != PT_LOAD || ph.p_memsz == 0)
			continue;
		if (out->nseg == VMLINUX_MAX_SEGMENTS)
			return err_set(0, "this vmlinux has more than %d loadable segments",
				       VMLINUX_MAX_SEGMENTS);
		if (ph.p_filesz > ph.p_memsz || ph.p_offset > size ||
		    ph.p_filesz > size - ph.p_offset)
			return err_set(0, "truncated vmlinux: segment %d lies outside the file", i);
		if (ph.p_paddr < 0x100000 || ph.p_paddr > UINT64_MAX - ph.p_memsz)
			return err_set(0,
				       "this vmlinux loads segment %d at 0x%llx, below 1 MiB or "
				       "beyond the address space",
				       i, (unsigned long long)ph.p_paddr);
		out->seg[out->nseg].paddr = ph.p_paddr;
		out->seg[out->nseg].filesz = ph.p_filesz;
		out->seg[out->nseg].memsz = ph.p_memsz;
		out->seg[out->nseg].offset = ph.p_offset;
		out->nseg++;
		if (ph.p_paddr + ph.p_memsz > out->end)
			out->end = ph.p_paddr + ph.p_memsz;
		if (eh.e_entry >= ph.p_paddr && eh.e_entry - ph.p_paddr < ph.p_filesz)
			has_entry = 1;
	}
	if (!out->nseg)
		return err_set(0, "not a vmlinux: no loadable segment");
	if (!has_entry)
		return err_set(0,
			       "not a vmlinux: its entry 0x%llx is in no loaded segment (a "
			       "virtual address?)",
			       (unsigned long long)eh.e_entry);
	return 0;
}

int bzimage_boot_params(const uint8_t *head, const struct bzimage *bz, const char *cmdline,
			const struct boot_layout *layout, uint8_t *bp)
{
	size_t len = strlen(cmdline);
	if (bz->cmdline_size && len > bz->cmdline_size)
		return err_set(0, "the command line is %zu bytes; this kernel takes at most %u",
			       len, bz->cmdline_size);
	memset(bp, 0, BOOT_PARAMS_SIZE);
	/* The setup header, as the image has it: from 0x1f1 to the end of what its version
	 * defines (the byte at 0x201 says how far past 0x202 it goes). */
	size_t hdr_end = 0x202 + head[0x201];
	if (hdr_end > BOOT_PARAMS_SIZE)
		hdr_end = BOOT_PARAMS_SIZE;
	memcpy(bp + BP_SETUP_SECTS, head + BP_SETUP_SECTS, hdr_end - BP_SETUP_SECTS);
	return boot_params_common(layout, bp);
}
