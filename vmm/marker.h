/* The two ports of shikumi's own guest protocol (rootfs/guest-init writes them):
 *   0x510  boot marker: any write means "user space reached" (timed by --timing, and the
 *          moment the input thread starts passing keystrokes on); the value 2 (MARKER_READY)
 *          says more: the guest (booted for --snapshot) now waits for its command line on
 *          the console, the moment shikumi-vmm --snapshot takes the snapshot; 3
 *          (MARKER_COMMAND): a restored guest has read its command and starts it
 *   0x511  exit status: the byte written is the status shikumi-vmm exits with once the guest
 *          powers off
 * Reads give 0xff, as from no device. */
#ifndef SHIKUMI_VMM_MARKER_H
#define SHIKUMI_VMM_MARKER_H

#include <stdbool.h>
#include <stdint.h>

#define MARKER_PORT	   0x510
#define MARKER_PORT_STATUS 0x511
#define MARKER_READY	   2 /* written to 0x510: ready for a snapshot, reading the console */
#define MARKER_COMMAND	   3 /* written to 0x510: a restored guest starts its command */

struct marker {
	uint64_t t_marker;  /* timing_now() at the first marker write, 0 before; atomic */
	int status;	    /* from the status port, -1 until the guest reports one */
	bool ready;	    /* MARKER_READY was written: the guest waits for a command (atomic) */
	uint64_t t_command; /* timing_now() when MARKER_COMMAND was written, 0 before; atomic */
};

void marker_init(struct marker *m);
/* The bus handler for ports 0x510-0x511 (opaque: the struct marker). */
void marker_io(void *opaque, uint64_t offset, uint8_t *data, uint32_t len, bool is_write);

#endif
