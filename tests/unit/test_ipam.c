/* Unit tests: subnets, addresses and leases (runtime/ipam.c). The lease tests use a state
 * directory of their own under /run/shikumi/net and skip themselves without root. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "../../common/err.h"
#include "../../runtime/ipam.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

static void subnets(void **state)
{
	(void)state;
	struct subnet sn;
	char buf[16];
	assert_int_equal(ipam_parse_subnet("10.89.0.0/24", &sn), 0);
	assert_string_equal(ipam_format(sn.network, buf), "10.89.0.0");
	assert_int_equal(sn.prefix, 24);
	assert_string_equal(ipam_format(ipam_gateway(&sn), buf), "10.89.0.1");
	assert_string_equal(ipam_format(ipam_broadcast(&sn), buf), "10.89.0.255");
	assert_int_equal(ipam_parse_subnet("172.16.0.0/12", &sn), 0);
	assert_string_equal(ipam_format(ipam_broadcast(&sn), buf), "172.31.255.255");
	assert_int_equal(ipam_parse_subnet("10.0.0.4/30", &sn), 0);
	const char *bad[] = {"",
			     "10.89.0.0",
			     "10.89.0.0/",
			     "10.89.0.0/24x",
			     "10.89.0/24",
			     "10.89.0.0/33",
			     "10.89.0.0/-1",
			     "a.b.c.d/24",
			     "10.89.0.0/31",
			     "10.89.0.0/32",
			     "10.0.0.0/7",
			     "10.89.0.1/24"};
	for (size_t i = 0; i < sizeof(bad) / sizeof(*bad); i++)
		assert_int_equal(ipam_parse_subnet(bad[i], &sn), -EINVAL);
	assert_int_equal(ipam_parse_subnet("10.89.0.1/24", &sn), -EINVAL);
	assert_non_null(strstr(err_msg(), "did you mean 10.89.0.0/24?"));
}

static void addresses(void **state)
{
	(void)state;
	struct subnet sn;
	uint32_t a;
	char buf[16];
	assert_int_equal(ipam_parse_subnet("10.89.0.0/24", &sn), 0);
	assert_int_equal(ipam_parse_ip("10.89.0.5", &sn, &a), 0);
	assert_string_equal(ipam_format(a, buf), "10.89.0.5");
	assert_int_equal(ipam_parse_ip("10.89.0.254", &sn, &a), 0);
	assert_int_equal(ipam_parse_ip("10.89.0.0", &sn, &a), -EINVAL);
	assert_non_null(strstr(err_msg(), "network address"));
	assert_int_equal(ipam_parse_ip("10.89.0.255", &sn, &a), -EINVAL);
	assert_non_null(strstr(err_msg(), "broadcast"));
	assert_int_equal(ipam_parse_ip("10.89.0.1", &sn, &a), -EINVAL);
	assert_non_null(strstr(err_msg(), "bridge's own"));
	assert_int_equal(ipam_parse_ip("10.89.1.5", &sn, &a), -EINVAL);
	assert_non_null(strstr(err_msg(), "outside the subnet 10.89.0.0/24"));
	assert_int_equal(ipam_parse_ip("10.89.0.300", &sn, &a), -EINVAL);
	assert_int_equal(ipam_parse_ip("", &sn, &a), -EINVAL);
}

static void start_times(void **state)
{
	(void)state;
	unsigned long long me = ipam_start_time(getpid());
	assert_true(me > 0);
	assert_true(ipam_owner_alive(getpid(), me));
	assert_false(ipam_owner_alive(getpid(), me + 1)); /* a reused PID */
	pid_t child = fork();
	if (child == 0)
		_exit(0);
	waitpid(child, NULL, 0);
	assert_int_equal(ipam_start_time(child), 0);
	assert_false(ipam_owner_alive(child, 1));
}

static char bridge[32];
static int reclaimed;
static void count_stale(const struct lease *l)
{
	(void)l;
	reclaimed++;
}

static void leases(void **state)
{
	(void)state;
	if (geteuid() != 0)
		skip();
	snprintf(bridge, sizeof(bridge), "unit-%d", getpid());
	struct subnet sn;
	assert_int_equal(ipam_parse_subnet("10.99.0.0/29", &sn), 0); /* .2 to .6 */
	int lock = ipam_lock(bridge);
	assert_true(lock >= 0);
	struct lease a, b, c;
	char buf[16];
	assert_int_equal(ipam_take(lock, &sn, 0, "box", getpid(), "shk1", &a), 0);
	assert_string_equal(ipam_format(a.addr, buf), "10.99.0.2");
	assert_int_equal(ipam_take(lock, &sn, 0, "box", getpid(), "shk1", &b), 0);
	assert_string_equal(ipam_format(b.addr, buf), "10.99.0.3");
	/* the file is the container's /etc/hosts, led by the lease line */
	struct lease read;
	assert_int_equal(ipam_read_lease(a.path, &read), 0);
	assert_int_equal(read.addr, a.addr);
	assert_int_equal(read.owner, getpid());
	assert_string_equal(read.veth, "shk1");
	FILE *f = fopen(a.path, "r");
	char text[512] = "";
	size_t n = fread(text, 1, sizeof(text) - 1, f);
	fclose(f);
	text[n] = '\0';
	assert_non_null(strstr(text, "\n10.99.0.2\tbox\n"));
	assert_non_null(strstr(text, "\n10.99.0.1\tgateway\n"));
	/* a fixed address: free, then taken */
	uint32_t want;
	assert_int_equal(ipam_parse_ip("10.99.0.6", &sn, &want), 0);
	assert_int_equal(ipam_take(lock, &sn, want, "box", getpid(), "shk1", &c), 0);
	assert_int_equal(ipam_take(lock, &sn, want, "box", getpid(), "shk1", &read), -EADDRINUSE);
	assert_non_null(strstr(err_msg(), "taken by another container"));
	/* a lease of a dead process is taken back; live ones stay */
	pid_t child = fork();
	if (child == 0)
		_exit(0);
	struct lease dead;
	assert_int_equal(ipam_take(lock, &sn, 0, "box", child, "shk2", &dead), 0);
	waitpid(child, NULL, 0);
	reclaimed = 0;
	assert_int_equal(ipam_reclaim(lock, count_stale), 0);
	assert_int_equal(reclaimed, 1);
	assert_int_equal(access(dead.path, F_OK), -1);
	assert_int_equal(access(a.path, F_OK), 0);
	/* full: .2 .3 .4 .5 .6 */
	struct lease d, e, full;
	assert_int_equal(ipam_take(lock, &sn, 0, "box", getpid(), "shk1", &d), 0);
	assert_int_equal(ipam_take(lock, &sn, 0, "box", getpid(), "shk1", &e), 0);
	assert_int_equal(ipam_take(lock, &sn, 0, "box", getpid(), "shk1", &full), -EADDRNOTAVAIL);
	assert_non_null(strstr(err_msg(), "no free address left in 10.99.0.0/29"));
	close(lock);
	struct lease *all[] = {&a, &b, &c, &d, &e};
	for (size_t i = 0; i < 5; i++) {
		ipam_release(bridge, all[i]);
		assert_string_equal(all[i]->path, "");
	}
	char cmd[128];
	snprintf(cmd, sizeof(cmd), "rm -r %s/%s", IPAM_STATE_DIR, bridge);
	assert_int_equal(system(cmd), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(subnets),
	    cmocka_unit_test(addresses),
	    cmocka_unit_test(start_times),
	    cmocka_unit_test(leases),
	};
	return cmocka_run_group_tests_name("ipam", tests, NULL, NULL);
}
