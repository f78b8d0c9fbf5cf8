#include "legacy.h"

static uint8_t bcd(int v)
{
	return (uint8_t)(((v / 10) << 4) | (v % 10));
}

void cmos_out(struct cmos *c, uint16_t port, uint8_t value)
{
	if (port == CMOS_INDEX_PORT)
		c->index = value & 0x7f; /* bit 7 is the NMI mask */
}

uint8_t cmos_in(const struct cmos *c, time_t now)
{
	struct tm tm;
	gmtime_r(&now, &tm);
	switch (c->index) {
	case 0x00:
		return bcd(tm.tm_sec);
	case 0x02:
		return bcd(tm.tm_min);
	case 0x04:
		return bcd(tm.tm_hour);
	case 0x06:
		return bcd(tm.tm_wday + 1);
	case 0x07:
		return bcd(tm.tm_mday);
	case 0x08:
		return bcd(tm.tm_mon + 1);
	case 0x09:
		return bcd(tm.tm_year % 100);
	case 0x32:
		return bcd((1900 + tm.tm_year) / 100); /* the century */
	case 0x0a:
		return 0x26; /* status A: no update in progress, the usual divider */
	case 0x0b:
		return 0x02; /* status B: BCD, 24-hour */
	case 0x0d:
		return 0x80; /* status D: the battery is fine */
	}
	return 0;
}

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
		k->reset = true;
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
