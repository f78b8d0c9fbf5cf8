/* The two legacy PC devices a Linux guest insists on probing, kept just real enough that the
 * probe ends at once instead of timing out (each probe read is a VM exit):
 *  - the CMOS real-time clock (ports 0x70 index, 0x71 data): the host's time in BCD, never
 *    "update in progress" (the guest's clock starts right, and nothing polls);
 *  - the i8042 keyboard controller (0x60 data, 0x64 status/command): answers the commands
 *    the driver sends while it initialises, and its reset line (command 0xfe) is how a
 *    guest with reboot=k ends the VM. */
#ifndef SHIKUMI_VMM_LEGACY_H
#define SHIKUMI_VMM_LEGACY_H

#include <stdbool.h>
#include <stdint.h>
#include <time.h>

#define CMOS_INDEX_PORT 0x70
#define CMOS_DATA_PORT	0x71
#define I8042_DATA_PORT 0x60
#define I8042_CMD_PORT	0x64
#define I8042_RESET	0xfe

struct cmos {
	uint8_t index;
};

void cmos_out(struct cmos *c, uint16_t port, uint8_t value);
/* The register selected by the last index write, for the time `now` (UTC). */
uint8_t cmos_in(const struct cmos *c, time_t now);

struct i8042 {
	uint8_t ctr;	 /* the controller configuration byte */
	uint8_t out;	 /* the output buffer */
	bool out_full;	 /* a byte waits in it (status bit 0) */
	uint8_t pending; /* a command awaiting its data byte on port 0x60 */
	bool reset;	 /* the guest pulsed the reset line */
};

void i8042_init(struct i8042 *k);
void i8042_out(struct i8042 *k, uint16_t port, uint8_t value);
uint8_t i8042_in(struct i8042 *k, uint16_t port);

#endif
