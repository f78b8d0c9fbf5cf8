/* The CMOS real-time clock (ports 0x70 index, 0x71 data), one of the legacy PC devices a Linux
 * guest insists on probing, kept just real enough that the probe ends at once (each probe read
 * is a VM exit): the host's time in BCD, never "update in progress" (the guest's clock starts
 * right, and nothing polls). */
#ifndef SHIKUMI_VMM_CMOS_H
#define SHIKUMI_VMM_CMOS_H

#include <stdbool.h>
#include <stdint.h>
#include <time.h>

#define CMOS_INDEX_PORT 0x70
#define CMOS_DATA_PORT	0x71

struct cmos {
	uint8_t index;
};

void cmos_out(struct cmos *c, uint16_t port, uint8_t value);
/* The register selected by the last index write, for the time `now` (UTC). */
uint8_t cmos_in(const struct cmos *c, time_t now);
/* The bus handler for ports 0x70-0x71 (opaque: the struct cmos). */
void cmos_io(void *opaque, uint64_t offset, uint8_t *data, uint32_t len, bool is_write);

#endif
