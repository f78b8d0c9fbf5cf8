/* Unit tests: id maps and /etc/subuid (runtime/userns.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "../../common/err.h"
#include "../../runtime/userns.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static void parse_map(void **state)
{
	(void)state;
	struct id_map m;
	assert_int_equal(userns_parse_map("--uidmap", "0:100000:65536", &m), 0);
	assert_int_equal(m.inside, 0);
	assert_int_equal(m.outside, 100000);
	assert_int_equal(m.count, 65536);
	assert_int_equal(userns_parse_map("--uidmap", "4294967294:0:1", &m), 0);
	const char *bad[] = {
	    "",	       "0",	"0:1",	  "0:1:",   ":1:1",	      "a:1:1",
	    "0:1:1:1", "0:1:0", "0 :1:1", "+0:1:1", "0:4294967295:1", "4294967296:0:1"};
	for (size_t i = 0; i < sizeof(bad) / sizeof(*bad); i++) {
		assert_int_equal(userns_parse_map("--gidmap", bad[i], &m), -EINVAL);
		assert_non_null(strstr(err_msg(), "--gidmap"));
	}
}

static void host_id(void **state)
{
	(void)state;
	const struct id_map maps[] = {{0, 1000, 1}, {1, 200000, 65535}};
	assert_int_equal(userns_host_id(maps, 2, 0), 1000);
	assert_int_equal(userns_host_id(maps, 2, 1), 200000);
	assert_int_equal(userns_host_id(maps, 2, 65535), 265534);
	assert_int_equal(userns_host_id(maps, 2, 65536), UINT32_MAX);
	assert_int_equal(userns_host_id(maps, 0, 0), UINT32_MAX);
}

static void subid_file(void **state)
{
	(void)state;
	char path[] = "/tmp/shikumi-subuid-XXXXXX";
	int fd = mkstemp(path);
	assert_true(fd >= 0);
	dprintf(fd, "# comment\nalice:100000:65536\nbroken\n1001:300000:1000\nbob:x:1\n"
		    "carol:400000:0\n");
	close(fd);
	uint32_t start = 0, count = 0;
	assert_int_equal(userns_subid_range(path, "alice", 1000, &start, &count), 0);
	assert_int_equal(start, 100000);
	assert_int_equal(count, 65536);
	/* by number when the file names the uid, not the user */
	assert_int_equal(userns_subid_range(path, "dave", 1001, &start, &count), 0);
	assert_int_equal(start, 300000);
	assert_int_equal(userns_subid_range(path, NULL, 1001, &start, &count), 0);
	assert_int_equal(userns_subid_range(path, "bob", 1002, &start, &count), -ENOENT);
	assert_int_equal(userns_subid_range(path, "carol", 1003, &start, &count), -ENOENT);
	assert_int_equal(userns_subid_range(path, "erin", 1004, &start, &count), -ENOENT);
	unlink(path);
	assert_int_equal(userns_subid_range(path, "alice", 1000, &start, &count), -ENOENT);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(parse_map),
	    cmocka_unit_test(host_id),
	    cmocka_unit_test(subid_file),
	};
	return cmocka_run_group_tests_name("userns", tests, NULL, NULL);
}
