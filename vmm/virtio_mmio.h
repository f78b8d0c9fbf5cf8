/* The virtio-mmio transport (virtio 1.x, section 4.2, "version 2" register layout): one page of
 * registers on the MMIO bus through which the guest's driver finds a device, agrees on
 * features, places its virtqueues and kicks them; and an interrupt line, pulsed through the
 * in-kernel interrupt controllers (KVM_IRQ_LINE) when the device has used buffers. The device
 * behind it (virtio_blk.c) only handles its queues and its config space.
 *
 * There is no bus to discover it on (no PCI, no ACPI): the kernel learns of it from its command
 * line, `virtio_mmio.device=4K@0xd0000000:5` (virtio_mmio_cmdline).
 *
 * Only VIRTIO_F_VERSION_1 is offered by the transport (no legacy interface, no indirect
 * descriptors, no event index). A guest that breaks the rules (virtq.h) gets the device marked
 * DEVICE_NEEDS_RESET and a configuration-change interrupt; the device then ignores its queues
 * until the driver resets it, and the VMM carries on. */
#ifndef SHIKUMI_VMM_VIRTIO_MMIO_H
#define SHIKUMI_VMM_VIRTIO_MMIO_H

#include "virtq.h"

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define VIRTIO_MMIO_BASE  0xd0000000ULL /* above guest RAM (at most 3 GiB), below 4 GiB */
#define VIRTIO_MMIO_SIZE  0x1000
#define VIRTIO_MMIO_IRQ	  5 /* the first device's; the next take 6, 7, ... */
#define VIRTIO_MAX_QUEUES 2

#define VIRTIO_F_VERSION_1 32

/* Device status bits (2.1). */
#define VIRTIO_CONFIG_S_ACKNOWLEDGE 1
#define VIRTIO_CONFIG_S_DRIVER	    2
#define VIRTIO_CONFIG_S_DRIVER_OK   4
#define VIRTIO_CONFIG_S_FEATURES_OK 8
#define VIRTIO_CONFIG_S_NEEDS_RESET 0x40
#define VIRTIO_CONFIG_S_FAILED	    0x80

/* Register offsets (4.2.2). */
enum {
	VIRTIO_MMIO_MAGIC = 0x000, /* "virt" */
	VIRTIO_MMIO_VERSION = 0x004,
	VIRTIO_MMIO_DEVICE_ID = 0x008,
	VIRTIO_MMIO_VENDOR_ID = 0x00c,
	VIRTIO_MMIO_DEVICE_FEATURES = 0x010,
	VIRTIO_MMIO_DEVICE_FEATURES_SEL = 0x014,
	VIRTIO_MMIO_DRIVER_FEATURES = 0x020,
	VIRTIO_MMIO_DRIVER_FEATURES_SEL = 0x024,
	VIRTIO_MMIO_QUEUE_SEL = 0x030,
	VIRTIO_MMIO_QUEUE_NUM_MAX = 0x034,
	VIRTIO_MMIO_QUEUE_NUM = 0x038,
	VIRTIO_MMIO_QUEUE_READY = 0x044,
	VIRTIO_MMIO_QUEUE_NOTIFY = 0x050,
	VIRTIO_MMIO_INTERRUPT_STATUS = 0x060,
	VIRTIO_MMIO_INTERRUPT_ACK = 0x064,
	VIRTIO_MMIO_STATUS = 0x070,
	VIRTIO_MMIO_QUEUE_DESC_LOW = 0x080,
	VIRTIO_MMIO_QUEUE_DESC_HIGH = 0x084,
	VIRTIO_MMIO_QUEUE_AVAIL_LOW = 0x090,
	VIRTIO_MMIO_QUEUE_AVAIL_HIGH = 0x094,
	VIRTIO_MMIO_QUEUE_USED_LOW = 0x0a0,
	VIRTIO_MMIO_QUEUE_USED_HIGH = 0x0a4,
	VIRTIO_MMIO_CONFIG_GENERATION = 0x0fc,
	VIRTIO_MMIO_CONFIG = 0x100,
};

#define VIRTIO_MMIO_INT_VRING  1 /* InterruptStatus: used buffers */
#define VIRTIO_MMIO_INT_CONFIG 2 /* ... the configuration (or the status) changed */

struct virtio_mmio;

/* What a device type supplies. */
struct virtio_device_ops {
	const char *name; /* "virtio-blk" */
	uint32_t device_id;
	uint16_t num_queues, queue_max;
	/* Config space reads: `len` bytes at `offset`; beyond the device's config, zeros. */
	void (*config_read)(void *dev, uint64_t offset, uint8_t *data, uint32_t len);
	/* The driver kicked `queue`: take its chains, virtio_mmio_used() each. Returns 0, or a
	 * negative errno with a message when the guest broke a rule (the device is then broken). */
	int (*notify)(void *dev, struct virtio_mmio *t, struct virtq *q);
};

struct virtio_mmio {
	const struct virtio_device_ops *ops;
	void *dev;
	uint64_t device_features; /* the device's own, VERSION_1 added by virtio_mmio_init */
	struct guest_mem mem;
	uint32_t irq;
	void (*set_irq)(void *ctx, uint32_t irq, bool level); /* NULL: none */
	void *irq_ctx;
	pthread_mutex_t lock; /* the vCPU threads (and any device thread) */
	uint32_t status, device_features_sel, driver_features_sel, queue_sel;
	uint64_t driver_features;
	uint32_t interrupt_status, config_generation;
	struct virtq vq[VIRTIO_MAX_QUEUES];
	uint64_t refused; /* rule-breaking events: each marked the device broken */
	char why[200];	  /* the first one's message, for the VMM to report */
	/* Accesses the transport dropped without breaking the device, by kind (the
	 * VIRTIO_MMIO_IGN_ names), for virtio_mmio_report. */
	uint64_t ignored[5];
	uint64_t requests; /* chains handled, for --timing */
	bool used_pending; /* a chain was used since the last kick began */
};

/* What virtio_mmio_report counts in `ignored`. */
enum {
	VIRTIO_MMIO_IGN_WIDTH,	  /* not a 32-bit aligned access to a register */
	VIRTIO_MMIO_IGN_READONLY, /* a write to a read-only or reserved register, or config */
	VIRTIO_MMIO_IGN_QUEUE,	  /* a queue's set-up while it was ready, or a queue not there */
	VIRTIO_MMIO_IGN_KICK,	  /* a kick of no ready queue, before DRIVER_OK, or while broken */
	VIRTIO_MMIO_IGN_FEATURES, /* features not offered (or no VERSION_1) at FEATURES_OK, or
				     written after it */
};

void virtio_mmio_init(struct virtio_mmio *t, const struct virtio_device_ops *ops, void *dev,
		      uint64_t features, struct guest_mem mem, uint32_t irq);
/* The bus handler for the register page (opaque: the struct virtio_mmio). */
void virtio_mmio_io(void *opaque, uint64_t offset, uint8_t *data, uint32_t len, bool is_write);
/* For the device: `head` was handled, `written` bytes went into its writable buffers. */
void virtio_mmio_used(struct virtio_mmio *t, struct virtq *q, uint16_t head, uint32_t written);
/* What the device refused of the guest, on `f`: the rule-breaking events that marked it broken
 * (always, when there were any), and with `details` the accesses it dropped, by kind. */
void virtio_mmio_report(const struct virtio_mmio *t, FILE *f, bool details);
/* Whether the device may use queue q now: the queue is ready, the driver is done setting up
 * (DRIVER_OK) and the device is not broken. Call with t->lock held. */
bool virtio_mmio_live(const struct virtio_mmio *t, const struct virtq *q);
/* Ends a round of work on queue `queue` (a kick, or a device's own thread: virtio-net's
 * receive side): r < 0 (with a message) marks the device broken; if chains were used, one
 * interrupt for them all. Call with t->lock held. */
void virtio_mmio_complete(struct virtio_mmio *t, uint32_t queue, int r);
/* Adds " virtio_mmio.device=4K@0x...:IRQ" to the command line in buf (of size n), before any
 * "--" (the arguments for /init). Returns 0, or -E2BIG with a message. */
int virtio_mmio_cmdline(uint64_t base, uint32_t irq, char *buf, size_t n);

#endif
