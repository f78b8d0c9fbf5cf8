#include "virtio_mmio.h"

#include "../common/err.h"

#include <stdio.h>
#include <string.h>

#define MAGIC  0x74726976 /* "virt" */
#define VENDOR 0x4b494853 /* "SHIK" */

void virtio_mmio_init(struct virtio_mmio *t, const struct virtio_device_ops *ops, void *dev,
		      uint64_t features, struct guest_mem mem, uint32_t irq)
{
	memset(t, 0, sizeof(*t));
	t->ops = ops;
	t->dev = dev;
	t->device_features = features | 1ULL << VIRTIO_F_VERSION_1;
	t->mem = mem;
	t->irq = irq;
	pthread_mutex_init(&t->lock, NULL);
}

/* The line is pulsed, as an edge: the MP table (mptable.c) gives the guest's I/O APIC pin ISA's
 * trigger mode, edge (and the PIC, where a kernel ignores the table, is edge-triggered too). The
 * driver's handler reads InterruptStatus and then looks at every used ring, so one edge for several
 * used buffers loses nothing. */
static void interrupt(struct virtio_mmio *t, uint32_t why)
{
	t->interrupt_status |= why;
	if (t->set_irq) {
		t->set_irq(t->irq_ctx, t->irq, true);
		t->set_irq(t->irq_ctx, t->irq, false);
	}
}

/* The guest broke a rule: the message is kept (the first one), the device stops using its
 * queues, and the driver is told it needs a reset. */
static void broken(struct virtio_mmio *t)
{
	if (!t->refused++)
		snprintf(t->why, sizeof(t->why), "%s", err_msg());
	if (t->status & VIRTIO_CONFIG_S_NEEDS_RESET)
		return;
	t->status |= VIRTIO_CONFIG_S_NEEDS_RESET;
	t->config_generation++;
	interrupt(t, VIRTIO_MMIO_INT_CONFIG);
}

static void reset(struct virtio_mmio *t)
{
	t->status = 0;
	t->device_features_sel = t->driver_features_sel = t->queue_sel = 0;
	t->driver_features = 0;
	t->interrupt_status = 0;
	memset(t->vq, 0, sizeof(t->vq));
}

static struct virtq *selected(struct virtio_mmio *t)
{
	return t->queue_sel < t->ops->num_queues ? &t->vq[t->queue_sel] : NULL;
}

void virtio_mmio_used(struct virtio_mmio *t, struct virtq *q, uint16_t head, uint32_t written)
{
	virtq_push(q, &t->mem, head, written);
	t->requests++;
	t->used_pending = true;
}

bool virtio_mmio_live(const struct virtio_mmio *t, const struct virtq *q)
{
	return q->ready && (t->status & VIRTIO_CONFIG_S_DRIVER_OK) &&
	       !(t->status & VIRTIO_CONFIG_S_NEEDS_RESET);
}

void virtio_mmio_complete(struct virtio_mmio *t, uint32_t queue, int r)
{
	if (r < 0) {
		err_wrap(r, "%s queue %u", t->ops->name, queue);
		broken(t);
	}
	if (!t->used_pending)
		return;
	t->used_pending = false; /* one interrupt for all the chains of this round */
	interrupt(t, VIRTIO_MMIO_INT_VRING);
}

static uint32_t reg_read(struct virtio_mmio *t, uint64_t off)
{
	struct virtq *q = selected(t);
	switch (off) {
	case VIRTIO_MMIO_MAGIC:
		return MAGIC;
	case VIRTIO_MMIO_VERSION:
		return 2;
	case VIRTIO_MMIO_DEVICE_ID:
		return t->ops->device_id;
	case VIRTIO_MMIO_VENDOR_ID:
		return VENDOR;
	case VIRTIO_MMIO_DEVICE_FEATURES:
		return t->device_features_sel < 2
			   ? (uint32_t)(t->device_features >> (32 * t->device_features_sel))
			   : 0;
	case VIRTIO_MMIO_QUEUE_NUM_MAX:
		return q ? t->ops->queue_max : 0;
	case VIRTIO_MMIO_QUEUE_READY:
		return q && q->ready;
	case VIRTIO_MMIO_INTERRUPT_STATUS:
		return t->interrupt_status;
	case VIRTIO_MMIO_STATUS:
		return t->status;
	case VIRTIO_MMIO_CONFIG_GENERATION:
		return t->config_generation;
	}
	return 0; /* write-only or reserved */
}

/* The driver's features must be ones offered, VERSION_1 among them (no legacy driver). */
static void set_status(struct virtio_mmio *t, uint32_t v)
{
	if (v == 0) {
		reset(t);
		return;
	}
	if ((v & VIRTIO_CONFIG_S_FEATURES_OK) && !(t->status & VIRTIO_CONFIG_S_FEATURES_OK) &&
	    ((t->driver_features & ~t->device_features) ||
	     !(t->driver_features & 1ULL << VIRTIO_F_VERSION_1))) {
		v &= ~(uint32_t)VIRTIO_CONFIG_S_FEATURES_OK; /* the driver reads it back: refused */
		t->ignored[VIRTIO_MMIO_IGN_FEATURES]++;
	}
	/* NEEDS_RESET is the device's to set and only a reset clears it. */
	t->status = (v & ~(uint32_t)VIRTIO_CONFIG_S_NEEDS_RESET) |
		    (t->status & VIRTIO_CONFIG_S_NEEDS_RESET);
}

static void set_addr(uint64_t *a, bool high, uint32_t v)
{
	*a = high ? (*a & 0xffffffffULL) | (uint64_t)v << 32 : (*a & ~0xffffffffULL) | v;
}

static void reg_write(struct virtio_mmio *t, uint64_t off, uint32_t v)
{
	struct virtq *q = selected(t);
	/* A queue's set-up is frozen while it is ready (4.2.2.1 asks drivers not to touch it). */
	struct virtq *setup = q && !q->ready ? q : NULL;
	uint64_t *ignored = t->ignored;
	switch (off) {
	case VIRTIO_MMIO_DEVICE_FEATURES_SEL:
		t->device_features_sel = v;
		break;
	case VIRTIO_MMIO_DRIVER_FEATURES:
		if (t->driver_features_sel < 2 && !(t->status & VIRTIO_CONFIG_S_FEATURES_OK))
			set_addr(&t->driver_features, t->driver_features_sel == 1, v);
		else
			ignored[VIRTIO_MMIO_IGN_FEATURES]++;
		break;
	case VIRTIO_MMIO_DRIVER_FEATURES_SEL:
		t->driver_features_sel = v;
		break;
	case VIRTIO_MMIO_QUEUE_SEL:
		t->queue_sel = v;
		break;
	case VIRTIO_MMIO_QUEUE_NUM:
		if (setup)
			setup->size = (uint16_t)(v > 0xffff ? 0 : v);
		else
			ignored[VIRTIO_MMIO_IGN_QUEUE]++;
		break;
	case VIRTIO_MMIO_QUEUE_READY:
		if (!q) {
			ignored[VIRTIO_MMIO_IGN_QUEUE]++;
			break;
		}
		if (!v) {
			q->ready = false;
			break;
		}
		if (q->ready)
			break;
		/* From here on the device follows these addresses: check them once, now. */
		if (virtq_check(q, &t->mem, t->ops->queue_max) < 0) {
			err_wrap(-EINVAL, "%s queue %u", t->ops->name, t->queue_sel);
			broken(t);
			break;
		}
		q->ready = true;
		q->last_avail = q->used_idx = 0;
		break;
	case VIRTIO_MMIO_QUEUE_NOTIFY:
		if (v >= t->ops->num_queues || !virtio_mmio_live(t, &t->vq[v])) {
			ignored[VIRTIO_MMIO_IGN_KICK]++;
			break;
		}
		t->used_pending = false;
		virtio_mmio_complete(t, v, t->ops->notify(t->dev, t, &t->vq[v]));
		break;
	case VIRTIO_MMIO_INTERRUPT_ACK:
		t->interrupt_status &= ~v;
		break;
	case VIRTIO_MMIO_STATUS:
		set_status(t, v);
		break;
	case VIRTIO_MMIO_QUEUE_DESC_LOW:
	case VIRTIO_MMIO_QUEUE_DESC_HIGH:
		if (setup)
			set_addr(&setup->desc, off == VIRTIO_MMIO_QUEUE_DESC_HIGH, v);
		else
			ignored[VIRTIO_MMIO_IGN_QUEUE]++;
		break;
	case VIRTIO_MMIO_QUEUE_AVAIL_LOW:
	case VIRTIO_MMIO_QUEUE_AVAIL_HIGH:
		if (setup)
			set_addr(&setup->avail, off == VIRTIO_MMIO_QUEUE_AVAIL_HIGH, v);
		else
			ignored[VIRTIO_MMIO_IGN_QUEUE]++;
		break;
	case VIRTIO_MMIO_QUEUE_USED_LOW:
	case VIRTIO_MMIO_QUEUE_USED_HIGH:
		if (setup)
			set_addr(&setup->used, off == VIRTIO_MMIO_QUEUE_USED_HIGH, v);
		else
			ignored[VIRTIO_MMIO_IGN_QUEUE]++;
		break;
	default: /* read-only or reserved */
		ignored[VIRTIO_MMIO_IGN_READONLY]++;
	}
}

void virtio_mmio_io(void *opaque, uint64_t offset, uint8_t *data, uint32_t len, bool is_write)
{
	struct virtio_mmio *t = opaque;
	pthread_mutex_lock(&t->lock);
	if (offset >= VIRTIO_MMIO_CONFIG) {
		/* The config space, at any width; the guest cannot write it (no writable fields).
		 */
		if (!is_write)
			t->ops->config_read(t->dev, offset - VIRTIO_MMIO_CONFIG, data, len);
		else
			t->ignored[VIRTIO_MMIO_IGN_READONLY]++;
	} else if (len != 4 || offset % 4) {
		/* The registers are 32-bit, aligned (4.2.2.2): anything else reads 0, writes
		 * nothing. */
		if (!is_write)
			memset(data, 0, len);
		t->ignored[VIRTIO_MMIO_IGN_WIDTH]++;
	} else if (is_write) {
		uint32_t v;
		memcpy(&v, data, 4);
		reg_write(t, offset, v);
	} else {
		uint32_t v = reg_read(t, offset);
		memcpy(data, &v, 4);
	}
	pthread_mutex_unlock(&t->lock);
}

void virtio_mmio_report(const struct virtio_mmio *t, FILE *f, bool details)
{
	if (t->refused)
		fprintf(f,
			"shikumi-vmm: %s: refused %llu time(s) what the guest wrote, and marked "
			"the device as needing a reset; the first: %s\n",
			t->ops->name, (unsigned long long)t->refused, t->why);
	const uint64_t *n = t->ignored;
	if (details && (n[0] || n[1] || n[2] || n[3] || n[4]))
		fprintf(f,
			"shikumi-vmm: %s: ignored %llu register accesses of the wrong width or "
			"misaligned, %llu writes to read-only registers or config, %llu to a "
			"queue's set-up while it was ready or to no queue, %llu kicks of no ready "
			"queue, before DRIVER_OK or while broken, %llu feature writes refused\n",
			t->ops->name, (unsigned long long)n[VIRTIO_MMIO_IGN_WIDTH],
			(unsigned long long)n[VIRTIO_MMIO_IGN_READONLY],
			(unsigned long long)n[VIRTIO_MMIO_IGN_QUEUE],
			(unsigned long long)n[VIRTIO_MMIO_IGN_KICK],
			(unsigned long long)n[VIRTIO_MMIO_IGN_FEATURES]);
}

int virtio_mmio_cmdline(uint64_t base, uint32_t irq, char *buf, size_t n)
{
	/* Before "--": what follows it is /init's arguments, which the kernel does not read. */
	size_t len = strlen(buf);
	char *at =
	    strncmp(buf, "--", 2) == 0 && (buf[2] == ' ' || !buf[2]) ? buf : strstr(buf, " -- ");
	if (!at && len >= 3 && strcmp(buf + len - 3, " --") == 0)
		at = buf + len - 3;
	if (!at)
		at = buf + len;
	char dev[64];
	/* At the start, "DEV " before the "--"; elsewhere " DEV" before the space or the end. */
	int w = snprintf(dev, sizeof(dev),
			 at == buf && len ? "virtio_mmio.device=%uK@0x%llx:%u "
					  : " virtio_mmio.device=%uK@0x%llx:%u",
			 VIRTIO_MMIO_SIZE / 1024, (unsigned long long)base, irq);
	size_t add = (size_t)w;
	if (len + add >= n)
		return err_set(0, "the kernel command line has no room for the virtio devices"),
		       -E2BIG;
	memmove(at + add, at, strlen(at) + 1);
	memcpy(at, dev, add);
	return 0;
}
