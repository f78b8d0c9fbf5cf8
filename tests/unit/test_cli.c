/* Unit tests: `shikumi run` option parsing (runtime/cli.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "../../common/err.h"
#include "../../runtime/caps.h"
#include "../../runtime/cli.h"

#include <sys/capability.h>

#include <sched.h>
#include <string.h>

/* Parses a space-free argument list given as a NULL-terminated array (copied, since the
 * parser writes into volume arguments). */
static char argbuf[32][128];
static char *args[33];

static int parse(struct container_config *cfg, enum cli_action *act, char **host_env,
		 const char *const *in)
{
	int n = 0;
	for (; in[n]; n++) {
		snprintf(argbuf[n], sizeof(argbuf[n]), "%s", in[n]);
		args[n] = argbuf[n];
	}
	args[n] = NULL;
	return cli_parse_run(n, args, host_env, cfg, act);
}

#define PARSE(...) parse(&cfg, &act, NULL, (const char *const[]){"run", __VA_ARGS__, NULL})

static void defaults(void **state)
{
	(void)state;
	struct container_config cfg;
	enum cli_action act;
	assert_int_equal(PARSE("/rootfs"), 0);
	assert_int_equal(act, CLI_RUN);
	assert_string_equal(cfg.rootfs, "/rootfs");
	assert_string_equal(cfg.argv[0], "/bin/sh");
	assert_null(cfg.argv[1]);
	assert_string_equal(cfg.cwd, "/");
	assert_string_equal(cfg.hostname, "shikumi");
	assert_int_equal(cfg.tty, TTY_AUTO);
	assert_false(cfg.read_only);
	assert_false(cfg.timing);
	assert_int_equal(cfg.namespaces, CLONE_NEWPID | CLONE_NEWNS | CLONE_NEWUTS | CLONE_NEWIPC |
					     CLONE_NEWNET | CLONE_NEWCGROUP);
	assert_non_null(cli_env_get(&cfg, "PATH"));
	assert_string_equal(cli_env_get(&cfg, "HOME"), "/root");
	assert_null(cfg.env[cfg.n_env]);
}

static void command_options_stay_the_commands(void **state)
{
	(void)state;
	struct container_config cfg;
	enum cli_action act;
	assert_int_equal(PARSE("--hostname", "box", "-t", "/r", "ls", "-l", "--timing"), 0);
	assert_string_equal(cfg.hostname, "box");
	assert_int_equal(cfg.tty, TTY_ON);
	assert_false(cfg.timing); /* it came after ROOTFS: an argument of ls */
	assert_string_equal(cfg.argv[0], "ls");
	assert_string_equal(cfg.argv[1], "-l");
	assert_string_equal(cfg.argv[2], "--timing");
	assert_null(cfg.argv[3]);
}

static void all_options(void **state)
{
	(void)state;
	struct container_config cfg;
	enum cli_action act;
	assert_int_equal(PARSE("-e", "A=1", "--env", "B=two=2", "-w", "/tmp", "--read-only",
			       "--timing", "-T", "-v", "/h:/c", "--volume", "/src:/dst:ro", "/r"),
			 0);
	assert_string_equal(cli_env_get(&cfg, "A"), "1");
	assert_string_equal(cli_env_get(&cfg, "B"), "two=2");
	assert_string_equal(cfg.cwd, "/tmp");
	assert_true(cfg.read_only);
	assert_true(cfg.timing);
	assert_int_equal(cfg.tty, TTY_OFF);
	assert_int_equal(cfg.n_volumes, 2);
	assert_string_equal(cfg.volumes[0].source, "/h");
	assert_string_equal(cfg.volumes[0].target, "/c");
	assert_false(cfg.volumes[0].read_only);
	assert_string_equal(cfg.volumes[1].source, "/src");
	assert_string_equal(cfg.volumes[1].target, "/dst");
	assert_true(cfg.volumes[1].read_only);
}

static void env_override_and_copy(void **state)
{
	(void)state;
	struct container_config cfg;
	enum cli_action act;
	char *host_env[] = {"FROMHOST=yes", "PATH=/host/bin", NULL};
	assert_int_equal(parse(&cfg, &act, host_env,
			       (const char *const[]){"run", "-e", "PATH=/x", "-e", "FROMHOST", "-e",
						     "UNSET", "-e", "PATH=/y", "/r", NULL}),
			 0);
	assert_string_equal(cli_env_get(&cfg, "PATH"), "/y"); /* the last one wins, no duplicate */
	assert_string_equal(cli_env_get(&cfg, "FROMHOST"), "yes");
	assert_null(cli_env_get(&cfg, "UNSET"));
	size_t paths = 0;
	for (size_t i = 0; i < cfg.n_env; i++)
		paths += !strncmp(cfg.env[i], "PATH=", 5);
	assert_int_equal(paths, 1);
	assert_int_equal(cli_env_default(&cfg, "PATH=/z"), 0);
	assert_string_equal(cli_env_get(&cfg, "PATH"), "/y"); /* a default never overrides */
	assert_int_equal(cli_env_default(&cfg, "TERM=xterm"), 0);
	assert_string_equal(cli_env_get(&cfg, "TERM"), "xterm");
}

static void help_and_version(void **state)
{
	(void)state;
	struct container_config cfg;
	enum cli_action act;
	assert_int_equal(PARSE("--help"), 0);
	assert_int_equal(act, CLI_HELP);
	assert_int_equal(PARSE("-V"), 0);
	assert_int_equal(act, CLI_VERSION);
}

static void expect_error(const char *const *in, const char *needle)
{
	struct container_config cfg;
	enum cli_action act;
	assert_int_equal(parse(&cfg, &act, NULL, in), -EINVAL);
	if (!strstr(err_msg(), needle))
		fail_msg("error '%s' does not mention '%s'", err_msg(), needle);
}

static void bad_input_named(void **state)
{
	(void)state;
	expect_error((const char *const[]){"run", NULL}, "missing ROOTFS");
	expect_error((const char *const[]){"run", "--bogus", "/r", NULL}, "'--bogus'");
	expect_error((const char *const[]){"run", "-x", "/r", NULL}, "'-x'");
	expect_error((const char *const[]){"run", "/r", "", NULL}, "empty");
	expect_error((const char *const[]){"run", "--hostname", NULL}, "needs a value");
	expect_error((const char *const[]){"run", "-e", NULL}, "needs a value");
	expect_error((const char *const[]){"run", "--hostname", "bad name", "/r", NULL},
		     "invalid --hostname");
	expect_error((const char *const[]){"run", "--hostname", "-lead", "/r", NULL},
		     "invalid --hostname");
	expect_error(
	    (const char *const[]){
		"run", "--hostname",
		"a234567890123456789012345678901234567890123456789012345678901234x", "/r", NULL},
	    "invalid --hostname");
	expect_error((const char *const[]){"run", "-e", "=v", "/r", NULL}, "invalid --env");
	expect_error((const char *const[]){"run", "-w", "rel", "/r", NULL}, "must be absolute");
	expect_error((const char *const[]){"run", "-v", "/a", "/r", NULL}, "HOST:CONTAINER");
	expect_error((const char *const[]){"run", "-v", ":/a", "/r", NULL}, "HOST:CONTAINER");
	expect_error((const char *const[]){"run", "-v", "/a:rel", "/r", NULL}, "must be absolute");
	expect_error((const char *const[]){"run", "-v", "/a:/b:rx", "/r", NULL}, "ro or rw");
	expect_error((const char *const[]){"run", "-v", "/a:/", "/r", NULL}, "container's /");
}

static void capabilities_and_seccomp(void **state)
{
	(void)state;
	struct container_config cfg;
	enum cli_action act;
	assert_int_equal(PARSE("/r"), 0);
	assert_int_equal(cfg.caps, caps_default());
	assert_false(cfg.caps & CAP_BIT(CAP_SYS_ADMIN));
	assert_true(cfg.caps & CAP_BIT(CAP_CHOWN));
	assert_string_equal(cfg.seccomp, "default");
	assert_int_equal(PARSE("--cap-add", "sys_admin", "--cap-drop", "CAP_CHOWN", "/r"), 0);
	assert_true(cfg.caps & CAP_BIT(CAP_SYS_ADMIN));
	assert_false(cfg.caps & CAP_BIT(CAP_CHOWN));
	assert_int_equal(PARSE("--cap-drop", "ALL", "--cap-add", "NET_RAW", "/r"), 0);
	assert_int_equal(cfg.caps, CAP_BIT(CAP_NET_RAW));
	assert_int_equal(PARSE("--privileged", "/r"), 0);
	assert_int_equal(cfg.caps, caps_all());
	assert_string_equal(cfg.seccomp, "off");
	assert_int_equal(PARSE("--seccomp=/p.txt", "/r"), 0);
	assert_string_equal(cfg.seccomp, "/p.txt");
	assert_int_equal(PARSE("--cap-add", "FLY", "/r"), -EINVAL);
	assert_non_null(strstr(err_msg(), "unknown capability 'FLY'; known: chown, dac_override"));
}

static void limit_options(void **state)
{
	(void)state;
	struct container_config cfg;
	enum cli_action act;
	assert_int_equal(PARSE("--memory", "64M", "--memory-swap", "0", "--cpus", "0.5",
			       "--cpu-weight", "50", "--pids", "32", "--cpuset", "0-1",
			       "--stats=json", "/r"),
			 0);
	assert_int_equal(cfg.limits.memory_max, 64 << 20);
	assert_int_equal(cfg.limits.memory_swap_max, 0);
	assert_int_equal(cfg.limits.cpu_quota_us, 50000);
	assert_int_equal(cfg.limits.cpu_weight, 50);
	assert_int_equal(cfg.limits.pids_max, 32);
	assert_string_equal(cfg.limits.cpuset_cpus, "0-1");
	assert_int_equal(cfg.stats, STATS_JSON);
	assert_int_equal(PARSE("--memory", "abc", "/r"), -EINVAL);
	assert_int_equal(PARSE("--memory", "100K", "/r"), -EINVAL);
	/* 2^63 bytes: once stored as int64_t it was negative, which meant "no limit". */
	assert_int_equal(PARSE("--memory", "8388608T", "/r"), -ERANGE);
	assert_non_null(strstr(err_msg(), "--memory: invalid size '8388608T'"));
	assert_int_equal(PARSE("--memory-swap", "9223372036854775808", "/r"), -ERANGE);
	assert_non_null(strstr(err_msg(), "--memory-swap"));
	assert_int_equal(PARSE("--pids", "99999999999999999999", "/r"), -EINVAL);
	assert_non_null(strstr(err_msg(), "--pids '99999999999999999999'"));
	assert_int_equal(PARSE("--cpus", "1e400", "/r"), -EINVAL);
	assert_int_equal(PARSE("--pids", "0", "/r"), -EINVAL);
	assert_int_equal(PARSE("--cpu-weight", "10001", "/r"), -EINVAL);
	assert_int_equal(PARSE("--stats=xml", "/r"), -EINVAL);
}

static void userns_options(void **state)
{
	(void)state;
	struct container_config cfg;
	enum cli_action act;
	assert_int_equal(PARSE("/r"), 0);
	assert_int_equal(cfg.userns, USERNS_AUTO);
	assert_int_equal(cfg.n_uidmap, 0);
	assert_int_equal(PARSE("--userns=private", "/r"), 0);
	assert_int_equal(cfg.userns, USERNS_PRIVATE);
	assert_int_equal(cfg.n_uidmap, 0); /* the runtime picks the default range */
	assert_int_equal(PARSE("--uidmap", "0:200000:1", "--uidmap", "1:300000:10", "/r"), 0);
	assert_int_equal(cfg.userns, USERNS_PRIVATE);
	assert_int_equal(cfg.n_uidmap, 2);
	assert_int_equal(cfg.uidmap[1].inside, 1);
	assert_int_equal(cfg.uidmap[1].outside, 300000);
	assert_int_equal(cfg.uidmap[1].count, 10);
	assert_int_equal(cfg.n_gidmap, 2); /* gids follow uids */
	assert_int_equal(cfg.gidmap[0].outside, 200000);
	assert_int_equal(PARSE("--uidmap", "0:200000:1", "--gidmap", "0:400000:5", "/r"), 0);
	assert_int_equal(cfg.n_gidmap, 1);
	assert_int_equal(cfg.gidmap[0].outside, 400000);
	assert_int_equal(PARSE("--userns=both", "/r"), -EINVAL);
	assert_non_null(strstr(err_msg(), "use private or host"));
	assert_int_equal(PARSE("--uidmap", "0:1", "/r"), -EINVAL);
	assert_int_equal(PARSE("--uidmap", "0:1:0", "/r"), -EINVAL);
	assert_int_equal(PARSE("--uidmap", "-1:1:1", "/r"), -EINVAL);
	assert_int_equal(PARSE("--uidmap", "0:1:1x", "/r"), -EINVAL);
	assert_int_equal(PARSE("--uidmap", "0:4294967295:1", "/r"), -EINVAL);
	assert_int_equal(PARSE("--uidmap", "1:100000:5", "/r"), -EINVAL);
	assert_non_null(strstr(err_msg(), "container's root"));
	assert_int_equal(PARSE("--gidmap", "1:100000:5", "/r"), -EINVAL);
	assert_int_equal(PARSE("--uidmap", "0:100000:5", "--userns=host", "/r"), -EINVAL);
}

static void net_options(void **state)
{
	(void)state;
	struct container_config cfg;
	enum cli_action act;
	assert_int_equal(PARSE("/r"), 0);
	assert_int_equal(cfg.net, NET_LOOPBACK);
	assert_true(cfg.namespaces & CLONE_NEWNET);
	assert_int_equal(PARSE("--net", "host", "/r"), 0);
	assert_int_equal(cfg.net, NET_HOST);
	assert_false(cfg.namespaces & CLONE_NEWNET);
	assert_int_equal(PARSE("--net", "none", "/r"), 0);
	assert_int_equal(cfg.net, NET_NONE);
	assert_int_equal(PARSE("--net", "bridge", "/r"), 0);
	assert_int_equal(cfg.net, NET_BRIDGE);
	assert_string_equal(cfg.bridge, "shikumi0");
	assert_int_equal(cfg.subnet.prefix, 24);
	assert_int_equal(cfg.ip, 0);
	/* --ip, --bridge and --subnet mean --net bridge */
	assert_int_equal(
	    PARSE("--bridge", "br7", "--subnet", "10.7.0.0/16", "--ip", "10.7.3.4", "/r"), 0);
	assert_int_equal(cfg.net, NET_BRIDGE);
	assert_string_equal(cfg.bridge, "br7");
	assert_int_equal(cfg.subnet.network, 0x0a070000);
	assert_int_equal(cfg.ip, 0x0a070304);
	assert_int_equal(PARSE("--net", "wifi", "/r"), -EINVAL);
	assert_int_equal(PARSE("--net", "none", "--ip", "10.89.0.3", "/r"), -EINVAL);
	assert_non_null(strstr(err_msg(), "--ip is for --net bridge, not --net none"));
	assert_int_equal(PARSE("--bridge", "this-name-is-too-long", "/r"), -EINVAL);
	assert_int_equal(PARSE("--bridge", "a b", "/r"), -EINVAL);
	assert_int_equal(PARSE("--subnet", "10.0.0.0/31", "/r"), -EINVAL);
	assert_int_equal(PARSE("--ip", "10.90.0.3", "/r"), -EINVAL); /* not in 10.89.0.0/24 */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(defaults),
	    cmocka_unit_test(command_options_stay_the_commands),
	    cmocka_unit_test(all_options),
	    cmocka_unit_test(env_override_and_copy),
	    cmocka_unit_test(help_and_version),
	    cmocka_unit_test(bad_input_named),
	    cmocka_unit_test(capabilities_and_seccomp),
	    cmocka_unit_test(limit_options),
	    cmocka_unit_test(userns_options),
	    cmocka_unit_test(net_options),
	};
	return cmocka_run_group_tests_name("cli", tests, NULL, NULL);
}
