/* libFuzzer target for the kernel loaders (vmm/bzimage.c: bzImage and vmlinux): everything
 * shikumi-vmm does with a kernel file before it touches KVM. The input is a guest memory size (2
 * bytes, in MiB), an initrd size (4 bytes), a command-line length (2 bytes), then the image. Beyond
 * "no crash, no out-of-bounds access" (ASan/UBSan), it checks what the loader promises: whatever it
 * accepts lies inside the file and inside guest memory.
 *
 *   make fuzz [FUZZ_SECONDS=600]     a longer run than the one make check does */
#include "vmm/bzimage.h"

#include "fuzz.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* One input: a kernel file of `image_size` bytes whose first `head_len` bytes are `head`. */
static int check(uint64_t mem, uint64_t initrd_size, size_t cmdline_len, const uint8_t *head,
		 size_t head_len, size_t image_size)
{
	if (vmlinux_is_elf(head, head_len)) {
		struct vmlinux v;
		if (vmlinux_parse(head, head_len, image_size, &v) < 0)
			return 0;
		CHECK(v.nseg > 0 && v.nseg <= VMLINUX_MAX_SEGMENTS);
		for (int i = 0; i < v.nseg; i++) {
			CHECK(v.seg[i].offset <= image_size && v.seg[i].filesz <= v.seg[i].memsz);
			CHECK(v.seg[i].filesz <= image_size - v.seg[i].offset);
			CHECK(v.seg[i].paddr >= 0x100000 &&
			      v.seg[i].paddr + v.seg[i].memsz <= v.end);
		}
		struct boot_layout vl;
		if (boot_place(v.end, 0x7fffffff, mem, initrd_size, &vl) == 0)
			CHECK(vl.kernel_end <= mem && vl.initrd_addr + vl.initrd_size <= mem);
		return 0;
	}
	struct bzimage bz;
	if (bzimage_parse(head, head_len, image_size, &bz) < 0)
		return 0;
	CHECK(bz.version >= BZ_MIN_VERSION);
	CHECK(bz.setup_size >= 512 && bz.setup_size < image_size);
	CHECK(bz.setup_size + bz.kernel_size == image_size);

	struct boot_layout l;
	if (bzimage_place(&bz, 0x100000, mem, initrd_size, &l) < 0)
		return 0;
	CHECK(l.mem == mem && l.kernel_end <= mem && l.kernel_end >= 0x100000 + bz.kernel_size);
	if (initrd_size) {
		CHECK(l.initrd_size == initrd_size && l.initrd_addr % 4096 == 0);
		CHECK(l.initrd_addr >= l.kernel_end && l.initrd_addr + initrd_size <= mem);
		CHECK(l.initrd_addr + initrd_size <= 1ULL << 32);
	} else {
		CHECK(l.initrd_addr == 0 && l.initrd_size == 0);
	}
	l.cmdline_addr = 0x20000;

	char *cmdline = malloc(cmdline_len + 1);
	uint8_t *bp = malloc(BOOT_PARAMS_SIZE);
	if (!cmdline || !bp)
		abort();
	memset(cmdline, 'x', cmdline_len);
	cmdline[cmdline_len] = '\0';
	if (bzimage_boot_params(head, &bz, cmdline, &l, bp) == 0) {
		CHECK(!bz.cmdline_size || cmdline_len <= bz.cmdline_size);
		CHECK(le(bp + BP_CMD_LINE_PTR, 4) == l.cmdline_addr);
		CHECK(le(bp + BP_RAMDISK_IMAGE, 4) == l.initrd_addr);
		CHECK(le(bp + BP_RAMDISK_SIZE, 4) == l.initrd_size);
		CHECK(le(bp + BP_HEADER, 4) == BZ_HDR_MAGIC);
		CHECK(bp[BP_E820_ENTRIES] == 3);
		uint64_t ram = 0;
		for (int i = 0; i < 3; i++) {
			const uint8_t *e = bp + BP_E820_TABLE + i * 20;
			if (le(e + 16, 4) == E820_RAM)
				ram += (uint64_t)le(e + 8, 4) | (uint64_t)le(e + 12, 4) << 32;
		}
		CHECK(ram <= mem);
	}
	free(cmdline);
	free(bp);
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 8)
		return 0;
	uint64_t mem = (uint64_t)le(data, 2) << 20;
	uint64_t initrd_size = le(data + 2, 4);
	size_t cmdline_len = le(data + 6, 2) % 4096;
	const uint8_t *image = data + 8;
	size_t image_size = size - 8;
	/* The VMM parses the file's first KERNEL_HEAD_MAX bytes, knowing its whole size. Here the
	 * head is also cut shorter (the top bits of the command-line length say by how much),
	 * and copied to a buffer of its own size, so that ASan sees a read past it. */
	size_t head_len = image_size < KERNEL_HEAD_MAX ? image_size : KERNEL_HEAD_MAX;
	head_len >>= le(data + 6, 2) >> 14;
	uint8_t *head = malloc(head_len ? head_len : 1);
	if (!head)
		abort();
	memcpy(head, image, head_len);
	int r = check(mem, initrd_size, cmdline_len, head, head_len, image_size);
	free(head);
	return r;
}
