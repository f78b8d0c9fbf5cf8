/* The snapshot's state file (DIR/state beside DIR/mem, the guest's RAM): a versioned header
 * and a body of tagged records, checked as a whole by a checksum. No KVM here: unit-tested.
 *
 *   header   magic "SHKSNAP\n", format version, the shikumi-vmm version that wrote it, the
 *            kernel's identity (snap_kernel_id), guest memory size, vCPU count, device set,
 *            body size, and an FNV-1a 64 checksum of header (checksum field zeroed) and body
 *   body     records: tag (u32), length (u32), that many bytes; padded to 8 bytes
 *
 * A vCPU's records carry its index in the tag (SNAP_VCPU(kind, i)); the machine's and the
 * devices' are tags of their own. Everything is little-endian, as the x86 host that reads
 * it (a snapshot is only for the same host kind anyway). */
#ifndef SHIKUMI_VMM_SNAPFILE_H
#define SHIKUMI_VMM_SNAPFILE_H

#include <stddef.h>
#include <stdint.h>

#define SNAP_MAGIC	 "SHKSNAP\n"
#define SNAP_FORMAT	 1
#define SNAP_VERSION_LEN 32

/* The device set, a bit each. */
#define SNAP_DEV_LEGACY 0x1u /* UART, i8042, CMOS, boot marker: always there */
#define SNAP_DEV_BLK	0x2u /* virtio-blk (not snapshotted yet) */
#define SNAP_DEV_NET	0x4u /* virtio-net (not snapshotted yet) */

struct snap_header {
	char magic[8];
	uint32_t format;
	uint32_t header_size;
	char vmm_version[SNAP_VERSION_LEN];
	uint64_t kernel_id;
	uint64_t memory;
	uint32_t cpus;
	uint32_t devices;
	uint64_t body_size;
	uint64_t checksum;
};

enum snap_tag {
	/* per vCPU: SNAP_VCPU(kind, index) */
	SNAP_REGS = 1,
	SNAP_SREGS,
	SNAP_XSAVE,
	SNAP_XCRS,
	SNAP_DEBUGREGS,
	SNAP_LAPIC,
	SNAP_MSRS,
	SNAP_EVENTS,
	SNAP_MPSTATE,
	/* the machine */
	SNAP_PIC_MASTER = 0x100,
	SNAP_PIC_SLAVE,
	SNAP_IOAPIC,
	SNAP_PIT,
	SNAP_CLOCK,
	/* the devices */
	SNAP_SERIAL = 0x200,
	SNAP_I8042,
	SNAP_CMOS,
	SNAP_MARKER,
};
#define SNAP_VCPU(kind, i) ((uint32_t)(kind) | (uint32_t)(i) << 16)

/* A growing buffer the writer puts records into (after room for the header). */
struct snap_buf {
	uint8_t *data;
	size_t len, cap;
};

/* FNV-1a 64 of `len` bytes, continuing from `h` (start with SNAP_FNV_INIT). */
#define SNAP_FNV_INIT 0xcbf29ce484222325ULL
uint64_t snap_fnv(uint64_t h, const void *data, size_t len);

/* The kernel's identity: its size and the FNV of its first bytes (its headers and the start
 * of its code: what a rebuilt kernel changes), not a hash of the whole file, which would cost
 * a restore a read of megabytes. */
uint64_t snap_kernel_id(const void *head, size_t head_len, uint64_t file_size);

/* Starts a buffer; adds a record; ends it: the header filled in (h's fields other than
 * magic, format, header_size, body_size and checksum come from the caller). Each returns 0
 * or -ENOMEM with a message. After snap_finish, buf->data holds the whole file. */
int snap_begin(struct snap_buf *b);
int snap_put(struct snap_buf *b, uint32_t tag, const void *data, uint32_t len);
void snap_finish(struct snap_buf *b, struct snap_header *h);

/* Checks a whole state file read into memory: magic, format version, header size, that it
 * is all there (not truncated) and its checksum. Fills *h. Returns 0, or -EINVAL with a
 * message naming the problem. */
int snap_parse(const uint8_t *data, size_t len, struct snap_header *h);

/* Checks that a snapshot fits the machine about to run it: this shikumi-vmm's version, the
 * kernel (0: not checked), memory and vCPUs (0: not checked), the device set. Returns 0 or
 * -EINVAL with a message. */
int snap_match(const struct snap_header *h, const char *version, uint64_t kernel_id,
	       uint64_t memory, uint32_t cpus, uint32_t devices);

/* The record `tag` of a parsed file: its bytes and length. Returns 0, or -EINVAL with a message
 * when there is none or `want` is not 0 and the length differs. */
int snap_get(const uint8_t *data, size_t len, uint32_t tag, uint32_t want, const void **out,
	     uint32_t *out_len);

#endif

/* ---- the devices' state, as records (pure: unit-tested) ---- */

struct serial;
struct i8042;
struct cmos;
struct marker;

/* Each device's record into `b`: 0 or -ENOMEM. */
int snap_put_devices(struct snap_buf *b, const struct serial *uart, const struct i8042 *kbd,
		     const struct cmos *cmos, const struct marker *marker);
/* Each device's state from a parsed file, checked (a UART buffer index out of range, a bad
 * status, is refused: the file is input, the VMM indexes arrays with it). The devices must
 * have been initialised (their callbacks stay). Returns 0 or -EINVAL with a message. */
int snap_get_devices(const uint8_t *data, size_t len, struct serial *uart, struct i8042 *kbd,
		     struct cmos *cmos, struct marker *marker);
