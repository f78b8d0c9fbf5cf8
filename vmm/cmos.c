#include "cmos.h"

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

void cmos_io(void *opaque, uint64_t offset, uint8_t *data, uint32_t len, bool is_write)
{
	(void)len;
	struct cmos *c = opaque;
	if (is_write)
		cmos_out(c, (uint16_t)(CMOS_INDEX_PORT + offset), data[0]);
	else /* either port reads the selected register, as before the bus */
		data[0] = cmos_in(c, time(NULL));
}
