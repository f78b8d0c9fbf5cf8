#include "virtq.h"

#include "../common/err.h"

#include <string.h>

/* The ring layouts (virtio 1.x, 2.7): all little-endian, as is x86. */
struct desc {
	uint64_t addr;
	uint32_t len;
	uint16_t flags, next;
};
#define AVAIL_RING(q, i) ((q)->avail + 4 + 2 * (uint64_t)(i))
#define USED_RING(q, i)	 ((q)->used + 4 + 8 * (uint64_t)(i))

void *guest_ptr(const struct guest_mem *m, uint64_t addr, uint64_t len)
{
	/* Written so that nothing wraps: len is compared first, then the room left after addr. */
	if (len > m->size || addr > m->size - len)
		return NULL;
	return m->base + addr;
}

int virtq_check(const struct virtq *q, const struct guest_mem *m, uint16_t max_size)
{
	if (q->size == 0 || q->size > max_size || (q->size & (q->size - 1)))
		return err_set(0, "queue size %u is not a power of two up to %u", q->size,
			       max_size);
	if (q->desc % 16 || q->avail % 2 || q->used % 4)
		return err_set(0,
			       "a ring is misaligned (descriptors 0x%llx, available 0x%llx, "
			       "used 0x%llx)",
			       (unsigned long long)q->desc, (unsigned long long)q->avail,
			       (unsigned long long)q->used);
	/* Each ring's whole extent, with the event-index words the layout reserves. */
	if (!guest_ptr(m, q->desc, 16ULL * q->size) ||
	    !guest_ptr(m, q->avail, 6 + 2ULL * q->size) ||
	    !guest_ptr(m, q->used, 6 + 8ULL * q->size))
		return err_set(0, "a ring lies outside guest RAM"), -EFAULT;
	return 0;
}

static uint16_t load16(const struct guest_mem *m, uint64_t addr)
{
	uint16_t v;
	/* A copy (never a pointer kept): the guest may rewrite the ring at any time. */
	memcpy(&v, guest_ptr(m, addr, 2), 2);
	return v;
}

int virtq_pop(struct virtq *q, const struct guest_mem *m, struct virtq_chain *c)
{
	uint16_t avail_idx =
	    __atomic_load_n((uint16_t *)guest_ptr(m, q->avail + 2, 2), __ATOMIC_ACQUIRE);
	uint16_t pending = (uint16_t)(avail_idx - q->last_avail);
	if (pending == 0)
		return 0;
	if (pending > q->size)
		return err_set(0,
			       "the available index %u is %u entries ahead of the device's %u, "
			       "past a ring of %u",
			       avail_idx, pending, q->last_avail, q->size);
	uint16_t head = load16(m, AVAIL_RING(q, q->last_avail % q->size));
	if (head >= q->size)
		return err_set(0, "available entry %u names descriptor %u of %u",
			       q->last_avail % q->size, head, q->size);
	*c = (struct virtq_chain){.head = head};
	uint16_t i = head;
	for (;;) {
		/* At most size descriptors: one more means a descriptor came back, a loop. */
		if (c->n == q->size)
			return err_set(0,
				       "the chain from descriptor %u is longer than the queue "
				       "(a loop)",
				       head);
		struct desc d;
		memcpy(&d, guest_ptr(m, q->desc + 16ULL * i, sizeof(d)), sizeof(d));
		if (d.flags & VIRTQ_DESC_F_INDIRECT)
			return err_set(0, "descriptor %u is indirect, which was never offered", i);
		if (!guest_ptr(m, d.addr, d.len))
			return err_set(0, "descriptor %u: buffer 0x%llx+%u lies outside guest RAM",
				       i, (unsigned long long)d.addr, d.len),
			       -EFAULT;
		bool write = d.flags & VIRTQ_DESC_F_WRITE;
		if (!write && c->n > c->n_read)
			return err_set(0, "descriptor %u is readable after a writable one", i);
		c->buf[c->n++] = (struct virtq_buf){.addr = d.addr, .len = d.len, .write = write};
		c->n_read += !write;
		if (!(d.flags & VIRTQ_DESC_F_NEXT))
			break;
		if (d.next >= q->size)
			return err_set(0, "descriptor %u links to %u, past a ring of %u", i, d.next,
				       q->size);
		i = d.next;
	}
	q->last_avail++;
	return 1;
}

void virtq_push(struct virtq *q, const struct guest_mem *m, uint16_t head, uint32_t len)
{
	struct {
		uint32_t id, len;
	} e = {head, len};
	memcpy(guest_ptr(m, USED_RING(q, q->used_idx % q->size), sizeof(e)), &e, sizeof(e));
	q->used_idx++;
	/* The entry before the index: the driver reads them in that order. */
	__atomic_store_n((uint16_t *)guest_ptr(m, q->used + 2, 2), q->used_idx, __ATOMIC_RELEASE);
}
