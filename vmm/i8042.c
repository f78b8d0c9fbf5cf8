#include "i8042.h"

void i8042_init(struct i8042 *k)
{
	*k = (struct i8042){.ctr = 0x45}; /* keyboard interrupt on, translation on */
}

static void reply(struct i8042 *k, uint8_t v)
{
	k->out = v;
	k->out_full = true;
}

void i8042_out(struct i8042 *k, uint16_t port, uint8_t value)
{
	if (port == I8042_DATA_PORT) {
		if (k->pending == 0x60)
			k->ctr = value;
		k->pending = 0;
		return;
	}
	switch (value) {
	case 0x20: /* read the configuration byte */
		reply(k, k->ctr);
		break;
	case 0x60: /* write it: the byte follows on the data port */
		k->pending = value;
		break;
	case 0xaa: /* controller self-test: passed */
		reply(k, 0x55);
		break;
	case 0xab: /* keyboard interface test: no error */
		reply(k, 0x00);
		break;
	case I8042_RESET:
		/* Read by the vCPU thread that made this write, and by no other. */
		__atomic_store_n(&k->reset, true, __ATOMIC_RELEASE);
		break;
	}
}

uint8_t i8042_in(struct i8042 *k, uint16_t port)
{
	if (port == I8042_DATA_PORT) {
		k->out_full = false;
		return k->out;
	}
	return k->out_full ? 0x01 : 0x00; /* status: output buffer full, nothing else */
}

void i8042_data_io(void *opaque, uint64_t offset, uint8_t *data, uint32_t len, bool is_write)
{
	(void)offset, (void)len;
	if (is_write)
		i8042_out(opaque, I8042_DATA_PORT, data[0]);
	else
		data[0] = i8042_in(opaque, I8042_DATA_PORT);
}

void i8042_cmd_io(void *opaque, uint64_t offset, uint8_t *data, uint32_t len, bool is_write)
{
	(void)offset, (void)len;
	if (is_write)
		i8042_out(opaque, I8042_CMD_PORT, data[0]);
	else
		data[0] = i8042_in(opaque, I8042_CMD_PORT);
}
