/* The i8042 keyboard controller (0x60 data, 0x64 status/command), the other legacy PC device a
 * Linux guest probes: it answers the commands the driver sends while it initialises, and its
 * reset line (command 0xfe) is how a guest with reboot=k ends the VM. */
#ifndef SHIKUMI_VMM_I8042_H
#define SHIKUMI_VMM_I8042_H

#include <stdbool.h>
#include <stdint.h>

#define I8042_DATA_PORT 0x60
#define I8042_CMD_PORT	0x64
#define I8042_RESET	0xfe

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
/* The bus handlers for port 0x60 and port 0x64, two ranges of one byte (opaque: the struct
 * i8042): the ports between are not the controller's (0x61 is the PC speaker and PIT gate 2,
 * which KVM's in-kernel PIT answers). */
void i8042_data_io(void *opaque, uint64_t offset, uint8_t *data, uint32_t len, bool is_write);
void i8042_cmd_io(void *opaque, uint64_t offset, uint8_t *data, uint32_t len, bool is_write);

#endif
