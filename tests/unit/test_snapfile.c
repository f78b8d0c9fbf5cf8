/* Unit tests: the snapshot's state file (vmm/snapfile.c): its header, checksum, records, the
 * checks a restore makes of it, and the devices' state read back from it (bounds checked: the
 * file is input). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "../../common/err.h"
#include "../../vmm/cmos.h"
#include "../../vmm/i8042.h"
#include "../../vmm/marker.h"
#include "../../vmm/serial.h"
#include "../../vmm/snapfile.h"

#include <stdlib.h>
#include <string.h>

#define VERSION "1.2.3"

static uint8_t *make(size_t *len, struct snap_header *h)
{
	struct snap_buf b;
	assert_int_equal(snap_begin(&b), 0);
	uint8_t regs[144], lapic[1024];
	memset(regs, 0x11, sizeof(regs));
	memset(lapic, 0x22, sizeof(lapic));
	assert_int_equal(snap_put(&b, SNAP_VCPU(SNAP_REGS, 0), regs, sizeof(regs)), 0);
	assert_int_equal(snap_put(&b, SNAP_VCPU(SNAP_LAPIC, 1), lapic, sizeof(lapic)), 0);
	assert_int_equal(snap_put(&b, SNAP_VCPU(SNAP_MSRS, 0), "abc", 3), 0); /* padded */
	*h = (struct snap_header){
	    .kernel_id = 77, .memory = 128 << 20, .cpus = 2, .devices = SNAP_DEV_LEGACY};
	strcpy(h->vmm_version, VERSION);
	snap_finish(&b, h);
	*len = b.len;
	return b.data;
}

static void test_roundtrip(void **state)
{
	(void)state;
	size_t len;
	struct snap_header h, got;
	uint8_t *f = make(&len, &h);
	assert_int_equal(len % 8, 0);
	assert_int_equal(snap_parse(f, len, &got), 0);
	assert_memory_equal(got.magic, SNAP_MAGIC, 8);
	assert_int_equal(got.format, SNAP_FORMAT);
	assert_int_equal(got.cpus, 2);
	assert_int_equal(got.memory, 128 << 20);
	const void *p;
	uint32_t n;
	assert_int_equal(snap_get(f, len, SNAP_VCPU(SNAP_LAPIC, 1), 1024, &p, &n), 0);
	assert_int_equal(n, 1024);
	assert_int_equal(((const uint8_t *)p)[1023], 0x22);
	assert_int_equal(snap_get(f, len, SNAP_VCPU(SNAP_MSRS, 0), 0, &p, &n), 0);
	assert_int_equal(n, 3);
	assert_memory_equal(p, "abc", 3);
	/* vCPU 1's LAPIC is not vCPU 0's */
	assert_int_equal(snap_get(f, len, SNAP_VCPU(SNAP_LAPIC, 0), 1024, &p, &n), -EINVAL);
	assert_non_null(strstr(err_msg(), "has no record 0x6"));
	assert_int_equal(snap_get(f, len, SNAP_VCPU(SNAP_REGS, 0), 100, &p, &n), -EINVAL);
	assert_non_null(strstr(err_msg(), "is 144 bytes, expected 100"));
	assert_int_equal(snap_match(&got, VERSION, 77, 128 << 20, 2, SNAP_DEV_LEGACY), 0);
	assert_int_equal(snap_match(&got, VERSION, 0, 0, 0, SNAP_DEV_LEGACY), 0);
	free(f);
}

static void test_bad_header(void **state)
{
	(void)state;
	size_t len;
	struct snap_header h, got;
	uint8_t *f = make(&len, &h);
	f[0] = 'X';
	assert_int_equal(snap_parse(f, len, &got), -EINVAL);
	assert_non_null(strstr(err_msg(), "not a shikumi-vmm snapshot"));
	f[0] = 'S';
	assert_int_equal(snap_parse(f, 4, &got), -EINVAL); /* shorter than the magic */
	assert_int_equal(snap_parse(f, 20, &got), -EINVAL);
	assert_non_null(strstr(err_msg(), "truncated"));
	/* Another format version, the checksum made right again: refused for the version. */
	struct snap_header other = h;
	other.format = 2;
	other.checksum = 0;
	memcpy(f, &other, sizeof(other));
	assert_int_equal(snap_parse(f, len, &got), -EINVAL);
	assert_non_null(strstr(err_msg(), "snapshot format 2, this shikumi-vmm reads format 1"));
	free(f);
}

static void test_truncated_and_damaged(void **state)
{
	(void)state;
	size_t len;
	struct snap_header h, got;
	uint8_t *f = make(&len, &h);
	/* Every shorter length is refused, none reads past the end. */
	for (size_t cut = 8; cut < len; cut += 5)
		assert_int_equal(snap_parse(f, cut, &got), -EINVAL);
	assert_int_equal(snap_parse(f, len - 1, &got), -EINVAL);
	assert_non_null(strstr(err_msg(), "truncated"));
	/* Any flipped byte, in the header or the body, fails the checksum. */
	size_t at[] = {20, sizeof(struct snap_header) + 9, len - 1};
	for (size_t i = 0; i < sizeof(at) / sizeof(at[0]); i++) {
		f[at[i]] ^= 0x40;
		assert_int_equal(snap_parse(f, len, &got), -EINVAL);
		f[at[i]] ^= 0x40;
	}
	f[len - 1] ^= 1;
	assert_int_equal(snap_parse(f, len, &got), -EINVAL);
	assert_non_null(strstr(err_msg(), "checksum is wrong"));
	f[len - 1] ^= 1;
	assert_int_equal(snap_parse(f, len, &got), 0);
	/* A record whose length runs past the end, the checksum recomputed: still refused. */
	uint32_t big = 1u << 30;
	size_t last = len - 8 - 8; /* the "abc" record: header at len - 16 */
	memcpy(f + last + 4, &big, 4);
	struct snap_buf b = {.data = f, .len = len, .cap = len};
	struct snap_header again = h;
	snap_finish(&b, &again);
	assert_int_equal(snap_parse(f, len, &got), -EINVAL);
	assert_non_null(strstr(err_msg(), "ends inside a record"));
	/* A length near 2^32, whose padding would wrap a 32-bit sum to a small one: refused, and
	 * snap_get never hands out a record longer than the file. */
	for (uint32_t huge = 0xfffffff9u; huge != 0; huge++) {
		memcpy(f + last + 4, &huge, 4);
		again = h;
		snap_finish(&b, &again);
		assert_int_equal(snap_parse(f, len, &got), -EINVAL);
		const void *p = NULL;
		uint32_t plen = 0;
		int r = snap_get(f, len, SNAP_VCPU(SNAP_MSRS, 0), 0, &p, &plen);
		assert_true(r < 0 || (size_t)plen <= len - last - 8);
	}
	free(f);
}

static void test_match(void **state)
{
	(void)state;
	size_t len;
	struct snap_header h, got;
	uint8_t *f = make(&len, &h);
	assert_int_equal(snap_parse(f, len, &got), 0);
	assert_int_equal(snap_match(&got, "9.9.9", 77, 0, 0, SNAP_DEV_LEGACY), -EINVAL);
	assert_non_null(strstr(err_msg(), "written by shikumi-vmm 1.2.3, this is 9.9.9"));
	assert_int_equal(snap_match(&got, VERSION, 78, 0, 0, SNAP_DEV_LEGACY), -EINVAL);
	assert_non_null(strstr(err_msg(), "another kernel"));
	assert_int_equal(snap_match(&got, VERSION, 77, 256 << 20, 0, SNAP_DEV_LEGACY), -EINVAL);
	assert_non_null(strstr(err_msg(), "has 128 MiB of guest memory, not 256 MiB"));
	assert_int_equal(snap_match(&got, VERSION, 77, 0, 1, SNAP_DEV_LEGACY), -EINVAL);
	assert_non_null(strstr(err_msg(), "has 2 vCPUs, not 1"));
	assert_int_equal(snap_match(&got, VERSION, 77, 0, 0, SNAP_DEV_LEGACY | SNAP_DEV_BLK),
			 -EINVAL);
	assert_non_null(
	    strstr(err_msg(), "devices (legacy) are not this machine's (legacy, disk)"));
	free(f);
}

static void test_devices(void **state)
{
	(void)state;
	struct serial u;
	struct i8042 k;
	struct cmos c = {.index = 0x0b};
	struct marker m;
	serial_init(&u, NULL, NULL);
	i8042_init(&k);
	marker_init(&m);
	u.ier = 0x05;
	u.lcr = 0x03;
	serial_receive(&u, 'a');
	serial_receive(&u, 'b');
	(void)serial_in(&u, UART_RX); /* 'a' read: head 1, one byte left */
	i8042_out(&k, I8042_CMD_PORT, 0x20);
	struct snap_buf b;
	assert_int_equal(snap_begin(&b), 0);
	assert_int_equal(snap_put_devices(&b, &u, &k, &c, &m), 0);
	struct snap_header h = {.cpus = 1};
	strcpy(h.vmm_version, VERSION);
	snap_finish(&b, &h);
	struct serial u2;
	struct i8042 k2;
	struct cmos c2 = {0};
	struct marker m2;
	serial_init(&u2, NULL, NULL);
	i8042_init(&k2);
	marker_init(&m2);
	assert_int_equal(snap_get_devices(b.data, b.len, &u2, &k2, &c2, &m2), 0);
	assert_int_equal(u2.ier, 0x05);
	assert_int_equal(u2.lcr, 0x03);
	assert_int_equal(serial_in(&u2, UART_LSR) & UART_LSR_DR, UART_LSR_DR);
	assert_int_equal(serial_in(&u2, UART_RX), 'b');
	assert_int_equal(u2.rx_count, 0);
	assert_int_equal(k2.out_full, true);
	assert_int_equal(i8042_in(&k2, I8042_DATA_PORT), 0x45);
	assert_int_equal(c2.index, 0x0b);
	assert_int_equal(m2.status, -1);
	/* An attacker's state file: the UART's buffer index past its end. The file's checksum
	 * is right (anyone can compute it): the bounds check must refuse it. */
	const void *p;
	assert_int_equal(snap_get(b.data, b.len, SNAP_SERIAL, 0, &p, NULL), 0);
	size_t off = (size_t)((const uint8_t *)p - b.data);
	uint32_t head = 5000;
	memcpy(b.data + off + 16, &head, 4);
	snap_finish(&b, &h);
	serial_init(&u2, NULL, NULL);
	assert_int_equal(snap_get_devices(b.data, b.len, &u2, &k2, &c2, &m2), -EINVAL);
	assert_non_null(strstr(err_msg(), "UART state is out of range"));
	assert_int_equal(u2.rx_head, 0); /* nothing taken from it */
	head = 0;
	uint32_t count = SERIAL_RX_SIZE + 1;
	memcpy(b.data + off + 16, &head, 4);
	memcpy(b.data + off + 20, &count, 4);
	snap_finish(&b, &h);
	assert_int_equal(snap_get_devices(b.data, b.len, &u2, &k2, &c2, &m2), -EINVAL);
	free(b.data);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_roundtrip),
	    cmocka_unit_test(test_bad_header),
	    cmocka_unit_test(test_truncated_and_damaged),
	    cmocka_unit_test(test_match),
	    cmocka_unit_test(test_devices),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
