/* The Linux x86 boot protocol (Documentation/arch/x86/boot.rst), the part a 64-bit loader
 * needs: read the setup header of a bzImage, then fill the "zero page" (struct boot_params)
 * the kernel reads at its 64-bit entry: command line, initrd, and the e820 memory map.
 *
 * A bzImage is: boot sector + setup code (setup_sects * 512 bytes after the first 512), then
 * the protected-mode kernel, which goes to guest address 1 MiB; its 64-bit entry point is 0x200
 * bytes into it. */
#ifndef SHIKUMI_VMM_BZIMAGE_H
#define SHIKUMI_VMM_BZIMAGE_H

#include <stddef.h>
#include <stdint.h>

#define BOOT_PARAMS_SIZE    4096
#define BZ_HDR_MAGIC	    0x53726448u /* "HdrS" */
#define BZ_MIN_VERSION	    0x020c	/* 2.12: xloadflags says whether the 64-bit entry exists */
#define BZ_ENTRY64_OFFSET   0x200
#define VMLINUX_CMDLINE_MAX 2047 /* x86's COMMAND_LINE_SIZE, less the NUL */

/* Offsets of the setup header fields in the boot sector / boot_params. */
enum {
	BP_E820_ENTRIES = 0x1e8,
	BP_SETUP_SECTS = 0x1f1,
	BP_BOOT_FLAG = 0x1fe,
	BP_HEADER = 0x202,
	BP_VERSION = 0x206,
	BP_TYPE_OF_LOADER = 0x210,
	BP_LOADFLAGS = 0x211,
	BP_RAMDISK_IMAGE = 0x218,
	BP_RAMDISK_SIZE = 0x21c,
	BP_HEAP_END_PTR = 0x224,
	BP_CMD_LINE_PTR = 0x228,
	BP_KERNEL_ALIGNMENT = 0x230,
	BP_INITRD_ADDR_MAX = 0x22c,
	BP_XLOADFLAGS = 0x236,
	BP_CMDLINE_SIZE = 0x238,
	BP_INIT_SIZE = 0x260,
	BP_E820_TABLE = 0x2d0,
};

#define LOADED_HIGH	 0x01 /* loadflags: protected-mode code at 1 MiB */
#define CAN_USE_HEAP	 0x80
#define XLF_KERNEL_64	 0x01 /* xloadflags: has the 64-bit entry at +0x200 */
#define E820_RAM	 1
#define E820_RESERVED	 2
#define E820_MAX_ENTRIES 128

struct bzimage {
	uint16_t version;
	size_t setup_size;  /* bytes before the protected-mode kernel (boot sector included): */
	size_t kernel_size; /* the kernel starts at this offset in the file and runs to its end */
	uint32_t initrd_addr_max; /* highest address the initrd may end at */
	uint32_t cmdline_size;	  /* longest command line, without its NUL */
	uint32_t init_size;	  /* memory the kernel needs from its load address to run */
};

/* The loaders parse a kernel from its head: the first bytes of the file, which hold every
 * header they read (a bzImage's setup header, a vmlinux's ELF and program headers), and the
 * size of the whole file. The VMM then reads the parts that go to the guest straight into
 * guest memory, without holding the file. */
#define KERNEL_HEAD_MAX 65536

/* Checks and reads a bzImage from its head (`len` bytes) and its size. Errors name what is
 * wrong: too short, no "HdrS", a protocol older than 2.12, no 64-bit entry, truncated. */
int bzimage_parse(const uint8_t *head, size_t len, uint64_t file_size, struct bzimage *out);

struct e820_entry {
	uint64_t addr, size;
	uint32_t type;
} __attribute__((packed));

/* The memory map of a guest with `mem` bytes of RAM from address 0: RAM below the EBDA/ROM
 * hole (640 KiB), the hole reserved, RAM from 1 MiB to the end. Returns the entry count. */
int bzimage_e820(uint64_t mem, struct e820_entry *out, int max);

struct boot_layout {
	uint64_t mem;	       /* guest RAM size */
	uint64_t kernel_end;   /* end of the memory the kernel needs from its load address */
	uint32_t cmdline_addr; /* where the command line goes */
	uint64_t initrd_addr;  /* 0 when there is none */
	uint32_t initrd_size;
};

/* Places a parsed kernel, loaded at `load`, and an initrd of `initrd_size` bytes (0: none)
 * in a guest of `mem` bytes: fills out->mem, kernel_end, initrd_addr and initrd_size (the
 * caller sets cmdline_addr). Errors say how much memory is missing. Everything placed lies
 * inside guest memory and, for the initrd, below 4 GiB (the header's address is 32 bits). */
int bzimage_place(const struct bzimage *bz, uint64_t load, uint64_t mem, uint64_t initrd_size,
		  struct boot_layout *out);

/* The same for any kernel that ends at `kernel_end` and takes an initrd up to
 * `initrd_addr_max` (the vmlinux loader's case). */
int boot_place(uint64_t kernel_end, uint32_t initrd_addr_max, uint64_t mem, uint64_t initrd_size,
	       struct boot_layout *out);

/* A zero page for a kernel without a setup header of its own (a vmlinux entered at
 * startup_64): the header fields the kernel reads, made up as the protocol defines them. */
int boot_params_synth(const char *cmdline, const struct boot_layout *layout, uint8_t *bp);

/* Fills zero page `bp` (BOOT_PARAMS_SIZE bytes) from the image's own header (copied from
 * the boot sector in `head`, as the protocol asks) and the layout. Fails when the command line
 * is too long for this kernel. */
int bzimage_boot_params(const uint8_t *head, const struct bzimage *bz, const char *cmdline,
			const struct boot_layout *layout, uint8_t *bp);

/* Where an initrd of `size` bytes goes: page-aligned, as high as the kernel allows (below
 * 4 GiB) and guest memory holds, at or above `low` (the end of the kernel's own memory). 0
 * when it does not fit. */
uint64_t bzimage_initrd_addr(const struct bzimage *bz, uint64_t mem, uint64_t low, uint64_t size);

/* ---- vmlinux: the uncompressed ELF kernel, loaded segment by segment ----
 * No decompressor runs: the VMM reads each PT_LOAD segment to its physical address and
 * enters startup_64 (the ELF entry) in long mode, as the 64-bit boot protocol allows. */
#define VMLINUX_MAX_SEGMENTS 8

struct vmlinux {
	uint64_t entry; /* physical address of startup_64 */
	uint64_t end;	/* end of the highest segment in memory (bss included) */
	int nseg;
	struct {
		uint64_t paddr, filesz, memsz;
		uint64_t offset; /* where its filesz bytes are in the file */
	} seg[VMLINUX_MAX_SEGMENTS];
};

/* Does the file start like an ELF file? (Then it is read as a vmlinux.) */
int vmlinux_is_elf(const uint8_t *head, size_t len);

/* Checks and reads an x86-64 ELF executable from its head (`len` bytes, which must hold the
 * program headers) and its size: every loadable segment inside the file, inside the 64-bit
 * address space and above 1 MiB, the entry inside one of them. */
int vmlinux_parse(const uint8_t *head, size_t len, uint64_t file_size, struct vmlinux *out);

#endif
