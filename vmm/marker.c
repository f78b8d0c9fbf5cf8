#include "marker.h"

#include "../common/timing.h"

#include <string.h>

void marker_init(struct marker *m)
{
	*m = (struct marker){.status = -1};
}

void marker_io(void *opaque, uint64_t offset, uint8_t *data, uint32_t len, bool is_write)
{
	struct marker *m = opaque;
	if (!is_write) {
		memset(data, 0xff, len);
		return;
	}
	if (offset == 0) {
		/* Released for the input thread, which waits for it on another CPU. */
		if (!__atomic_load_n(&m->t_marker, __ATOMIC_ACQUIRE))
			__atomic_store_n(&m->t_marker, timing_now(), __ATOMIC_RELEASE);
		if (data[0] == MARKER_COMMAND && !__atomic_load_n(&m->t_command, __ATOMIC_ACQUIRE))
			__atomic_store_n(&m->t_command, timing_now(), __ATOMIC_RELEASE);
		if (data[0] == MARKER_READY)
			__atomic_store_n(&m->ready, true, __ATOMIC_RELEASE);
	} else {
		m->status = data[0];
	}
}
