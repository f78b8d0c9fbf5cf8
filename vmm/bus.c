#include "bus.h"

#include "../common/err.h"

#include <string.h>

void bus_init(struct bus *b, const char *space)
{
	memset(b, 0, sizeof(*b));
	b->space = space;
}

int bus_register(struct bus *b, const char *name, uint64_t base, uint64_t len, bus_io_fn io,
		 void *opaque)
{
	if (len == 0 || base + len < base || !io)
		return err_set(0, "%s: an empty or wrapping %s range at 0x%llx", name, b->space,
			       (unsigned long long)base);
	for (int i = 0; i < b->n; i++) {
		const struct bus_device *d = &b->dev[i];
		if (base < d->base + d->len && d->base < base + len)
			return err_set(0, "%s: %s range 0x%llx+0x%llx overlaps %s's", name,
				       b->space, (unsigned long long)base, (unsigned long long)len,
				       d->name),
			       -EEXIST;
	}
	if (b->n == BUS_MAX_DEVICES)
		return err_set(0, "%s: the %s bus is full", name, b->space), -ENOSPC;
	pthread_mutex_t *lock = NULL;
	for (int i = 0; i < b->n && !lock; i++)
		if (b->dev[i].opaque == opaque)
			lock = b->dev[i].lock;
	if (!lock) {
		lock = &b->locks[b->nlocks++];
		pthread_mutex_init(lock, NULL);
	}
	b->dev[b->n++] = (struct bus_device){
	    .name = name, .base = base, .len = len, .io = io, .opaque = opaque, .lock = lock};
	return 0;
}

/* A linear search: a handful of devices, the busiest (the UART) registered first. It beats a
 * tree until there are dozens, and every exit already costs microseconds in KVM. */
struct bus_device *bus_find(struct bus *b, uint64_t addr, uint32_t len)
{
	for (int i = 0; i < b->n; i++) {
		struct bus_device *d = &b->dev[i];
		/* Written so that nothing overflows: addr - base is only taken once addr >= base.
		 */
		if (addr >= d->base && addr - d->base < d->len && len <= d->len - (addr - d->base))
			return d;
	}
	return NULL;
}

struct bus_device *bus_access(struct bus *b, uint64_t addr, uint8_t *data, uint32_t len,
			      bool is_write)
{
	struct bus_device *d = bus_find(b, addr, len);
	if (!d) {
		__atomic_fetch_add(&b->unknown, 1, __ATOMIC_RELAXED);
		if (!is_write)
			memset(data, 0xff, len);
		return NULL;
	}
	pthread_mutex_lock(d->lock);
	d->exits++;
	/* A device with byte-wide registers answers one byte of a wider read: the others read
	 * as the floating bus too, not as what the exit's buffer held. */
	if (!is_write)
		memset(data, 0xff, len);
	d->io(d->opaque, addr - d->base, data, len, is_write);
	pthread_mutex_unlock(d->lock);
	return d;
}
