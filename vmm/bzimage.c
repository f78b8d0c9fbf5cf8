#include "bzimage.h"

#include "../common/err.h"

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

int bzimage_parse(const uint8_t *image, size_t size, struct bzimage *out)
{
	if (size < BP_INIT_SIZE + 4)
		return err_set(0, "not a bzImage: %zu bytes is too short for the setup header",
			       size);
	if (get32(image, BP_HEADER) != BZ_HDR_MAGIC || get16(image, BP_BOOT_FLAG) != 0xaa55)
		return err_set(0, "not a bzImage: no \"HdrS\" boot header at offset 0x202");
	out->version = get16(image, BP_VERSION);
	if (out->version < BZ_MIN_VERSION)
		return err_set(0,
			       "boot protocol %u.%02u is too old: a 64-bit entry needs 2.12 "
			       "(Linux 3.8 or later)",
			       out->version >> 8, out->version & 0xff);
	if (!(image[BP_XLOADFLAGS] & XLF_KERNEL_64))
		return err_set(0, "this bzImage has no 64-bit entry point (a 32-bit kernel?)");
	if (!(image[BP_LOADFLAGS] & LOADED_HIGH))
		return err_set(0, "this bzImage wants to be loaded low (a zImage?)");
	unsigned sects = image[BP_SETUP_SECTS] ? image[BP_SETUP_SECTS] : 4;
	out->setup_size = (size_t)(sects + 1) * 512;
	if (out->setup_size >= size)
		return err_set(0,
			       "truncated bzImage: the setup code alone needs %zu bytes, the "
			       "file has %zu",
			       out->setup_size, size);
	out->kernel = image + out->setup_size;
	out->kernel_size = size - out->setup_size;
	/* The header says how long the payload is, in 16-byte paragraphs: a shorter file was
	 * cut off. */
	uint64_t syssize = (uint64_t)get32(image, 0x1f4) * 16;
	if (syssize > out->kernel_size)
		return err_set(0, "truncated bzImage: the kernel is %llu bytes, the file holds %zu",
			       (unsigned long long)syssize, out->kernel_size);
	out->initrd_addr_max = get32(image, BP_INITRD_ADDR_MAX);
	out->cmdline_size = get32(image, BP_CMDLINE_SIZE);
	out->init_size = get32(image, BP_INIT_SIZE);
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
	uint64_t top = mem;
	if (bz->initrd_addr_max && (uint64_t)bz->initrd_addr_max + 1 < top)
		top = (uint64_t)bz->initrd_addr_max + 1;
	if (size > top)
		return 0;
	uint64_t addr = (top - size) & ~0xfffULL;
	return addr >= low ? addr : 0;
}

int bzimage_boot_params(const uint8_t *image, const struct bzimage *bz, const char *cmdline,
			const struct boot_layout *layout, uint8_t *bp)
{
	size_t len = strlen(cmdline);
	if (bz->cmdline_size && len > bz->cmdline_size)
		return err_set(0, "the command line is %zu bytes; this kernel takes at most %u",
			       len, bz->cmdline_size);
	memset(bp, 0, BOOT_PARAMS_SIZE);
	/* The setup header, as the image has it: from 0x1f1 to the end of what its version
	 * defines (the byte at 0x201 says how far past 0x202 it goes). */
	size_t hdr_end = 0x202 + image[0x201];
	if (hdr_end > BOOT_PARAMS_SIZE)
		hdr_end = BOOT_PARAMS_SIZE;
	memcpy(bp + BP_SETUP_SECTS, image + BP_SETUP_SECTS, hdr_end - BP_SETUP_SECTS);
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
