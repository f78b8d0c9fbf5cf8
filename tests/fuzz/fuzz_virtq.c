/* libFuzzer target for the virtqueue (vmm/virtq.c), the code that follows guest-written
 * addresses. The input is a queue set-up (16 bytes: queue size, the three rings' addresses, the
 * device's last available index, all little-endian) and then the whole of guest RAM, whose
 * bytes are the rings and descriptors: the fuzzer writes them as a hostile guest would.
 * Guest RAM is a heap block of exactly that size, so ASan sees any access past its end. Beyond
 * "no crash, no out-of-bounds access", it checks what the queue promises: every chain it hands
 * out has its buffers inside RAM, readable ones first, at most queue-size of them, and it always
 * ends (a loop is an error, not a hang: -timeout catches a hang).
 *
 *   make fuzz [FUZZ_SECONDS=600]     a longer run than the one make check does */
#include "vmm/virtq.h"

#include <errno.h>
#include "fuzz.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static volatile uint8_t sink; /* reads of the readable buffers, kept */

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 17)
		return 0;
	struct virtq q = {
	    .size = (uint16_t)le(data, 2),
	    .desc = le(data + 2, 4),
	    .avail = le(data + 6, 4),
	    .used = le(data + 10, 4),
	    .last_avail = (uint16_t)le(data + 14, 2),
	    .ready = true,
	};
	q.used_idx = q.last_avail;
	struct guest_mem m = {.size = size - 16};
	m.base = malloc(m.size);
	if (!m.base)
		return 0;
	memcpy(m.base, data + 16, m.size);
	static struct virtq_chain c;
	if (virtq_check(&q, &m, VIRTQ_MAX_SIZE) == 0) {
		/* More rounds than the ring holds: the index check must stop a runaway guest. */
		for (int round = 0; round < 2 * VIRTQ_MAX_SIZE + 2; round++) {
			int r = virtq_pop(&q, &m, &c);
			CHECK(r == 1 || r == 0 || r == -EINVAL || r == -EFAULT);
			if (r <= 0)
				break;
			CHECK(c.head < q.size && c.n >= 1 && c.n <= q.size && c.n_read <= c.n);
			uint32_t written = 0;
			for (int i = 0; i < c.n; i++) {
				const struct virtq_buf *b = &c.buf[i];
				CHECK(b->write == (i >= c.n_read));
				CHECK(b->addr <= m.size && b->len <= m.size - b->addr);
				uint8_t *p = guest_ptr(&m, b->addr, b->len);
				CHECK(p);
				if (b->write) { /* as a device would: ASan checks every byte */
					memset(p, 0xa5, b->len);
					written += b->len;
				} else {
					for (uint32_t k = 0; k < b->len; k++)
						sink += p[k];
				}
			}
			virtq_push(&q, &m, c.head, written);
		}
	}
	free(m.base);
	return 0;
}
