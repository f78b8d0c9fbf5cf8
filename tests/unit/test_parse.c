/* Unit tests: size, signal and exit-status parsing (common/parse.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "../../common/err.h"
#include "../../common/parse.h"

#include <signal.h>
#include <string.h>

static void size_plain_and_suffixes(void **state)
{
	(void)state;
	uint64_t v;
	assert_int_equal(parse_size("4096", &v), 0);
	assert_int_equal(v, 4096);
	assert_int_equal(parse_size("512k", &v), 0);
	assert_int_equal(v, 512 * 1024);
	assert_int_equal(parse_size("64M", &v), 0);
	assert_int_equal(v, 64ull << 20);
	assert_int_equal(parse_size("1G", &v), 0);
	assert_int_equal(v, 1ull << 30);
	assert_int_equal(parse_size("2GiB", &v), 0);
	assert_int_equal(v, 2ull << 30);
	assert_int_equal(parse_size("3MB", &v), 0);
	assert_int_equal(v, 3ull << 20);
	assert_int_equal(parse_size("1T", &v), 0);
	assert_int_equal(v, 1ull << 40);
	assert_int_equal(parse_size("0", &v), 0);
	assert_int_equal(v, 0);
}

static void size_rejects_garbage(void **state)
{
	(void)state;
	uint64_t v = 77;
	assert_int_equal(parse_size("abc", &v), -EINVAL);
	assert_non_null(strstr(err_msg(), "'abc'"));
	assert_int_equal(parse_size("", &v), -EINVAL);
	assert_int_equal(parse_size("-1M", &v), -EINVAL);
	assert_int_equal(parse_size("12X", &v), -EINVAL);
	assert_int_equal(parse_size("1.5G", &v), -EINVAL);
	assert_int_equal(parse_size("64MM", &v), -EINVAL);
	assert_int_equal(parse_size(NULL, &v), -EINVAL);
	assert_int_equal(parse_size("99999999999999999999", &v), -ERANGE);
	assert_int_equal(parse_size("17000000000000T", &v), -ERANGE);
	/* 2^63 bytes fits a uint64_t but wraps the signed fields every caller stores it in. */
	assert_int_equal(parse_size("8388608T", &v), -ERANGE);
	assert_non_null(strstr(err_msg(), "'8388608T'"));
	assert_int_equal(parse_size("9223372036854775808", &v), -ERANGE);
	assert_int_equal(v, 77); /* untouched on failure */
	assert_int_equal(parse_size("8388607T", &v), 0);
	assert_true(v == 8388607ULL << 40);
	assert_int_equal(parse_size("9223372036854775807", &v), 0);
	assert_true(v == (uint64_t)INT64_MAX);
}

static void signal_names_and_numbers(void **state)
{
	(void)state;
	int s;
	assert_int_equal(parse_signal("SIGTERM", &s), 0);
	assert_int_equal(s, SIGTERM);
	assert_int_equal(parse_signal("term", &s), 0);
	assert_int_equal(s, SIGTERM);
	assert_int_equal(parse_signal("KILL", &s), 0);
	assert_int_equal(s, SIGKILL);
	assert_int_equal(parse_signal("sigwinch", &s), 0);
	assert_int_equal(s, SIGWINCH);
	assert_int_equal(parse_signal("9", &s), 0);
	assert_int_equal(s, 9);
	assert_int_equal(parse_signal("NOPE", &s), -EINVAL);
	assert_int_equal(parse_signal("0", &s), -EINVAL);
	assert_int_equal(parse_signal("999", &s), -EINVAL);
	assert_int_equal(parse_signal("9x", &s), -EINVAL);
	assert_int_equal(parse_signal("", &s), -EINVAL);
	assert_string_equal(signal_name(SIGINT), "INT");
	assert_null(signal_name(0));
}

static void wait_status_to_exit_code(void **state)
{
	(void)state;
	/* The encodings of wait(2): exit code in bits 8-15, signal in bits 0-6. */
	assert_int_equal(exit_code_from_wait_status(0), 0);
	assert_int_equal(exit_code_from_wait_status(42 << 8), 42);
	assert_int_equal(exit_code_from_wait_status(SIGKILL), 137);
	assert_int_equal(exit_code_from_wait_status(SIGTERM | 0x80 /* core */), 143);
}

static void err_set_formats_and_returns(void **state)
{
	(void)state;
	assert_int_equal(err_set(ENOENT, "cannot open %s", "/x"), -ENOENT);
	assert_string_equal(err_msg(), "cannot open /x: No such file or directory");
	assert_int_equal(err_set(0, "plain"), -EINVAL);
	assert_string_equal(err_msg(), "plain");
	assert_int_equal(err_wrap(-5, "outer"), -5);
	assert_string_equal(err_msg(), "outer: plain");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(size_plain_and_suffixes),
	    cmocka_unit_test(size_rejects_garbage),
	    cmocka_unit_test(signal_names_and_numbers),
	    cmocka_unit_test(wait_status_to_exit_code),
	    cmocka_unit_test(err_set_formats_and_returns),
	};
	return cmocka_run_group_tests_name("parse", tests, NULL, NULL);
}
