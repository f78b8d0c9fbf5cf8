/* A split virtqueue (virtio 1.x, section 2.7), from the device's side.
 *
 * This is the first code in the VMM that follows addresses the guest wrote: the rings' places,
 * each descriptor's buffer, the chain's `next` links and the available index. The guest can
 * write anything there, at any time, so none of it is trusted:
 *   - the three rings must lie inside guest RAM, aligned as the spec says, for a queue size
 *     that is a power of two no larger than what the device offered;
 *   - the available index may run ahead of the device by at most the queue size;
 *   - every head and `next` must be below the queue size, and a chain may have at most
 *     queue-size descriptors (so a loop in the chain ends as an error, not a hang);
 *   - every buffer [addr, addr + len) must lie inside guest RAM, without wrapping;
 *   - device-writable buffers come after the readable ones (2.7.4.2), and indirect
 *     descriptors, which this device never offered (no VIRTIO_RING_F_INDIRECT_DESC), are
 *     refused.
 * Each descriptor is copied out of guest memory once and used from the copy, so that a guest
 * changing it behind the device's back cannot make a checked value unchecked.
 * A broken rule is reported as -EFAULT (address) or -EINVAL (anything else) with a message: the
 * transport then marks the device as needing a reset; the VMM itself carries on. */
#ifndef SHIKUMI_VMM_VIRTQ_H
#define SHIKUMI_VMM_VIRTQ_H

#include <stdbool.h>
#include <stdint.h>

#define VIRTQ_MAX_SIZE 256 /* the largest queue a device here offers (QueueNumMax) */

#define VIRTQ_DESC_F_NEXT     1
#define VIRTQ_DESC_F_WRITE    2
#define VIRTQ_DESC_F_INDIRECT 4

/* Guest RAM as the VMM maps it: guest physical address 0 is base[0]. */
struct guest_mem {
	uint8_t *base;
	uint64_t size;
};

/* Where [addr, addr + len) is in the VMM's memory, or NULL when any of it is outside RAM. */
void *guest_ptr(const struct guest_mem *m, uint64_t addr, uint64_t len);

struct virtq {
	uint16_t size;		    /* QueueNum, set by the driver */
	uint64_t desc, avail, used; /* guest physical addresses of the three rings */
	bool ready;		    /* QueueReady */
	uint16_t last_avail;	    /* the next available-ring entry to take */
	uint16_t used_idx;	    /* the device's copy of used->idx */
};

/* One buffer of a chain, checked: [addr, addr + len) lies in guest RAM. */
struct virtq_buf {
	uint64_t addr;
	uint32_t len;
	bool write; /* device-writable */
};

struct virtq_chain {
	uint16_t head; /* what goes back in the used ring */
	uint16_t n;    /* buffers in buf[] */
	uint16_t n_read;
	struct virtq_buf buf[VIRTQ_MAX_SIZE];
};

/* Checks a queue the driver has just made ready (its size and the rings' places) against
 * guest RAM and max_size. Returns 0, or -EINVAL/-EFAULT with a message. */
int virtq_check(const struct virtq *q, const struct guest_mem *m, uint16_t max_size);
/* Takes the next available chain into *c. Returns 1, 0 when the ring is empty, or -EINVAL/
 * -EFAULT with a message when the guest broke a rule. The queue must have passed virtq_check. */
int virtq_pop(struct virtq *q, const struct guest_mem *m, struct virtq_chain *c);
/* Returns a chain to the driver through the used ring: `len` bytes were written into its
 * device-writable buffers. */
void virtq_push(struct virtq *q, const struct guest_mem *m, uint16_t head, uint32_t len);

#endif
