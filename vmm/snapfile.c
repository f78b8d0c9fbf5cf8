#include "snapfile.h"

#include "../common/err.h"
#include "cmos.h"
#include "i8042.h"
#include "marker.h"
#include "serial.h"

#include <stdlib.h>
#include <string.h>

uint64_t snap_fnv(uint64_t h, const void *data, size_t len)
{
	const uint8_t *p = data;
	for (size_t i = 0; i < len; i++) {
		h ^= p[i];
		h *= 0x100000001b3ULL;
	}
	return h;
}

uint64_t snap_kernel_id(const void *head, size_t head_len, uint64_t file_size)
{
	return snap_fnv(snap_fnv(SNAP_FNV_INIT, &file_size, sizeof(file_size)), head, head_len);
}

static int reserve(struct snap_buf *b, size_t more)
{
	if (b->len + more <= b->cap)
		return 0;
	size_t cap = b->cap ? b->cap : 16384;
	while (cap < b->len + more)
		cap *= 2;
	uint8_t *p = realloc(b->data, cap);
	if (!p)
		return err_set(ENOMEM, "out of memory for the snapshot's state");
	b->data = p;
	b->cap = cap;
	return 0;
}

int snap_begin(struct snap_buf *b)
{
	*b = (struct snap_buf){0};
	int r = reserve(b, sizeof(struct snap_header));
	if (r == 0) {
		memset(b->data, 0, sizeof(struct snap_header));
		b->len = sizeof(struct snap_header);
	}
	return r;
}

int snap_put(struct snap_buf *b, uint32_t tag, const void *data, uint32_t len)
{
	size_t padded = ((size_t)len + 7) & ~(size_t)7;
	int r = reserve(b, 8 + padded);
	if (r < 0)
		return r;
	memcpy(b->data + b->len, &tag, 4);
	memcpy(b->data + b->len + 4, &len, 4);
	memcpy(b->data + b->len + 8, data, len);
	memset(b->data + b->len + 8 + len, 0, padded - len);
	b->len += 8 + padded;
	return 0;
}

static uint64_t checksum(const uint8_t *data, size_t len)
{
	struct snap_header h;
	memcpy(&h, data, sizeof(h));
	h.checksum = 0;
	uint64_t c = snap_fnv(SNAP_FNV_INIT, &h, sizeof(h));
	return snap_fnv(c, data + sizeof(h), len - sizeof(h));
}

void snap_finish(struct snap_buf *b, struct snap_header *h)
{
	memcpy(h->magic, SNAP_MAGIC, sizeof(h->magic));
	h->format = SNAP_FORMAT;
	h->header_size = sizeof(*h);
	h->body_size = b->len - sizeof(*h);
	h->checksum = 0;
	memcpy(b->data, h, sizeof(*h));
	h->checksum = checksum(b->data, b->len);
	memcpy(b->data, h, sizeof(*h));
}

int snap_parse(const uint8_t *data, size_t len, struct snap_header *h)
{
	if (len < sizeof(h->magic) || memcmp(data, SNAP_MAGIC, sizeof(h->magic)))
		return err_set(0, "not a shikumi-vmm snapshot (no SHKSNAP magic)");
	if (len < sizeof(*h))
		return err_set(0,
			       "the state file is truncated (%zu bytes, its header alone is %zu)",
			       len, sizeof(*h));
	memcpy(h, data, sizeof(*h));
	if (h->format != SNAP_FORMAT)
		return err_set(0, "snapshot format %u, this shikumi-vmm reads format %u", h->format,
			       SNAP_FORMAT);
	if (h->header_size != sizeof(*h))
		return err_set(0, "the snapshot's header is %u bytes, expected %zu", h->header_size,
			       sizeof(*h));
	if (h->body_size != len - sizeof(*h))
		return err_set(0, "the state file is %s (%zu bytes of state, its header says %llu)",
			       h->body_size > len - sizeof(*h) ? "truncated"
							       : "longer than written",
			       len - sizeof(*h), (unsigned long long)h->body_size);
	if (checksum(data, len) != h->checksum)
		return err_set(0, "the state file's checksum is wrong: it was changed or damaged");
	/* Every record within the body, so that snap_get can walk them without checks. */
	size_t off = sizeof(*h);
	while (off < len) {
		uint32_t rlen;
		if (len - off < 8)
			return err_set(0, "the state file ends inside a record");
		memcpy(&rlen, data + off + 4, 4);
		size_t padded = ((size_t)rlen + 7) & ~(size_t)7; /* in 64 bits: no wrap */
		if (padded > len - off - 8)
			return err_set(0, "the state file ends inside a record");
		off += 8 + padded;
	}
	return 0;
}

int snap_match(const struct snap_header *h, const char *version, uint64_t kernel_id,
	       uint64_t memory, uint32_t cpus, uint32_t devices)
{
	char v[SNAP_VERSION_LEN + 1];
	memcpy(v, h->vmm_version, SNAP_VERSION_LEN);
	v[SNAP_VERSION_LEN] = '\0';
	if (strcmp(v, version))
		return err_set(0, "the snapshot was written by shikumi-vmm %s, this is %s", v,
			       version);
	if (kernel_id && h->kernel_id != kernel_id)
		return err_set(0, "the snapshot was taken of another kernel");
	if (memory && h->memory != memory)
		return err_set(0, "the snapshot has %llu MiB of guest memory, not %llu MiB",
			       (unsigned long long)(h->memory >> 20),
			       (unsigned long long)(memory >> 20));
	if (cpus && h->cpus != cpus)
		return err_set(0, "the snapshot has %u vCPUs, not %u", h->cpus, cpus);
	if (h->devices != devices)
		return err_set(0, "the snapshot's devices (%s%s%s) are not this machine's (%s%s%s)",
			       "legacy", h->devices & SNAP_DEV_BLK ? ", disk" : "",
			       h->devices & SNAP_DEV_NET ? ", network" : "", "legacy",
			       devices & SNAP_DEV_BLK ? ", disk" : "",
			       devices & SNAP_DEV_NET ? ", network" : "");
	return 0;
}

int snap_get(const uint8_t *data, size_t len, uint32_t tag, uint32_t want, const void **out,
	     uint32_t *out_len)
{
	size_t off = sizeof(struct snap_header);
	while (off + 8 <= len) {
		uint32_t t, rlen;
		memcpy(&t, data + off, 4);
		memcpy(&rlen, data + off + 4, 4);
		size_t padded = ((size_t)rlen + 7) & ~(size_t)7;
		if (padded > len - off - 8) /* snap_parse refuses such a file: never past its end */
			break;
		if (t == tag) {
			if (want && rlen != want)
				return err_set(
				    0, "the snapshot's record 0x%x is %u bytes, expected %u", tag,
				    rlen, want);
			*out = data + off + 8;
			if (out_len)
				*out_len = rlen;
			return 0;
		}
		off += 8 + padded;
	}
	return err_set(0, "the snapshot has no record 0x%x", tag);
}

/* ---- the devices ---- */

struct snap_serial {
	uint8_t ier, lcr, mcr, scr, fcr, dll, dlm, thr_pending, irq_level, pad[7];
	uint32_t rx_head, rx_count;
	uint8_t rx[SERIAL_RX_SIZE];
};

struct snap_i8042 {
	uint8_t ctr, out, out_full, pending, pad[4];
};

struct snap_marker {
	int32_t status;
	uint32_t reached; /* user space was reached (the time itself means nothing later) */
};

int snap_put_devices(struct snap_buf *b, const struct serial *uart, const struct i8042 *kbd,
		     const struct cmos *cmos, const struct marker *marker)
{
	struct snap_serial s = {
	    .ier = uart->ier,
	    .lcr = uart->lcr,
	    .mcr = uart->mcr,
	    .scr = uart->scr,
	    .fcr = uart->fcr,
	    .dll = uart->dll,
	    .dlm = uart->dlm,
	    .thr_pending = uart->thr_pending,
	    .irq_level = uart->irq_level,
	    .rx_head = (uint32_t)uart->rx_head,
	    .rx_count = (uint32_t)uart->rx_count,
	};
	memcpy(s.rx, uart->rx, sizeof(s.rx));
	struct snap_i8042 k = {
	    .ctr = kbd->ctr, .out = kbd->out, .out_full = kbd->out_full, .pending = kbd->pending};
	uint8_t index[8] = {cmos->index};
	struct snap_marker m = {.status = marker->status, .reached = marker->t_marker != 0};
	int r = snap_put(b, SNAP_SERIAL, &s, sizeof(s));
	if (r == 0)
		r = snap_put(b, SNAP_I8042, &k, sizeof(k));
	if (r == 0)
		r = snap_put(b, SNAP_CMOS, index, sizeof(index));
	if (r == 0)
		r = snap_put(b, SNAP_MARKER, &m, sizeof(m));
	return r;
}

int snap_get_devices(const uint8_t *data, size_t len, struct serial *uart, struct i8042 *kbd,
		     struct cmos *cmos, struct marker *marker)
{
	const struct snap_serial *s;
	const struct snap_i8042 *k;
	const struct snap_marker *m;
	const uint8_t *index;
	int r = snap_get(data, len, SNAP_SERIAL, sizeof(*s), (const void **)&s, NULL);
	if (r == 0)
		r = snap_get(data, len, SNAP_I8042, sizeof(*k), (const void **)&k, NULL);
	if (r == 0)
		r = snap_get(data, len, SNAP_CMOS, 8, (const void **)&index, NULL);
	if (r == 0)
		r = snap_get(data, len, SNAP_MARKER, sizeof(*m), (const void **)&m, NULL);
	if (r < 0)
		return r;
	if (s->rx_head >= SERIAL_RX_SIZE || s->rx_count > SERIAL_RX_SIZE)
		return err_set(0,
			       "the snapshot's UART state is out of range (receive buffer at "
			       "%u, %u bytes)",
			       s->rx_head, s->rx_count);
	if (m->status < -1 || m->status > 255)
		return err_set(0, "the snapshot's exit status %d is out of range", m->status);
	uart->ier = s->ier & 0x0f;
	uart->lcr = s->lcr;
	uart->mcr = s->mcr & 0x1f;
	uart->scr = s->scr;
	uart->fcr = s->fcr;
	uart->dll = s->dll;
	uart->dlm = s->dlm;
	uart->thr_pending = s->thr_pending != 0;
	uart->irq_level = s->irq_level != 0;
	uart->rx_head = s->rx_head;
	uart->rx_count = s->rx_count;
	memcpy(uart->rx, s->rx, sizeof(uart->rx));
	kbd->ctr = k->ctr;
	kbd->out = k->out;
	kbd->out_full = k->out_full != 0;
	kbd->pending = k->pending;
	kbd->reset = false;
	cmos->index = index[0] & 0x7f;
	marker->status = m->status;
	return 0;
}
