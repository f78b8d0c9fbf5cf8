/* virtio-blk (virtio 1.x, section 5.2): a disk image file as the guest's /dev/vda. Requests
 * are read, write, flush and get-id; data moves with pread/pwrite straight between the file and
 * guest memory. A read-only disk (VIRTIO_BLK_F_RO) answers every write with
 * VIRTIO_BLK_S_IOERR, whatever the guest's driver believes.
 *
 * The image is checked, and locked, before KVM is touched: it must be a regular file whose size
 * is a multiple of 512 bytes, and no other VMM may have it open writable (flock: a writable
 * disk takes the lock exclusive, a read-only one shared), as two writers would corrupt the
 * file system on it. */
#ifndef SHIKUMI_VMM_VIRTIO_BLK_H
#define SHIKUMI_VMM_VIRTIO_BLK_H

#include "virtio_mmio.h"

#include <stdbool.h>
#include <stdint.h>

#define VIRTIO_ID_BLOCK 2

#define VIRTIO_BLK_F_SEG_MAX 2
#define VIRTIO_BLK_F_RO	     5
#define VIRTIO_BLK_F_FLUSH   9

#define VIRTIO_BLK_T_IN	    0
#define VIRTIO_BLK_T_OUT    1
#define VIRTIO_BLK_T_FLUSH  4
#define VIRTIO_BLK_T_GET_ID 8

#define VIRTIO_BLK_S_OK	    0
#define VIRTIO_BLK_S_IOERR  1
#define VIRTIO_BLK_S_UNSUPP 2

#define VIRTIO_BLK_QUEUE_MAX 128
#define VIRTIO_BLK_ID_BYTES  20

struct virtio_blk {
	int fd;
	bool ro;
	uint64_t sectors; /* the capacity, in 512-byte sectors */
	char id[VIRTIO_BLK_ID_BYTES + 1];
	uint64_t reads, writes, flushes, errors; /* for --timing */
	struct virtq_chain chain;		 /* the request being handled */
};

extern const struct virtio_device_ops virtio_blk_ops;

/* Opens, checks and locks the image at `path`. Returns 0, or a negative errno with a one-line
 * message naming the file. */
int virtio_blk_open(struct virtio_blk *b, const char *path, bool ro);
void virtio_blk_close(struct virtio_blk *b);
/* The device's features for virtio_mmio_init. */
uint64_t virtio_blk_features(const struct virtio_blk *b);

#endif
