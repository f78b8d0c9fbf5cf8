/* Unit tests: the OCI config.json reader (runtime/oci_config.c) and `shikumi spec`'s writer
 * (runtime/oci_spec.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "../../common/err.h"
#include "../../runtime/caps.h"
#include "../../runtime/cli.h"
#include "../../runtime/oci_config.h"
#include "../../runtime/oci_spec.h"

#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/capability.h>
#include <sys/resource.h>

static struct oci_config oc;

/* A minimal valid config with `extra` spliced into the top-level object, `proc` into
 * process and `lin` into linux (each "" or ", \"key\": value..."). */
static int parse3(const char *extra, const char *proc, const char *lin)
{
	static char text[8192];
	snprintf(text, sizeof(text),
		 "{\"ociVersion\": \"1.0.2\", \"root\": {\"path\": \"rootfs\"},"
		 " \"process\": {\"args\": [\"/bin/true\"], \"cwd\": \"/\"%s},"
		 " \"linux\": {\"namespaces\": [{\"type\": \"pid\"}, {\"type\": \"mount\"}]%s}%s}",
		 proc, lin, extra);
	oci_config_free(&oc);
	return oci_config_parse(text, strlen(text), "/b", &oc);
}

/* The error of a config that must be refused: the whole message, one line. */
static const char *refused(const char *extra, const char *proc, const char *lin)
{
	assert_int_equal(parse3(extra, proc, lin), -EINVAL);
	assert_null(strchr(err_msg(), '\n'));
	return err_msg();
}

static void minimal(void **state)
{
	(void)state;
	assert_int_equal(parse3("", "", ""), 0);
	assert_string_equal(oc.cfg.rootfs, "/b/rootfs");
	assert_string_equal(oc.cfg.argv[0], "/bin/true");
	assert_null(oc.cfg.argv[1]);
	assert_int_equal(oc.cfg.namespaces, CLONE_NEWPID | CLONE_NEWNS);
	assert_int_equal(oc.cfg.net, NET_HOST); /* no network namespace: the host's */
	assert_int_equal(oc.cfg.userns, USERNS_HOST);
	assert_int_equal(oc.cfg.caps, 0); /* no capabilities object: none, as runc */
	assert_int_equal(oc.cfg.n_env, 0);
	assert_int_equal(oc.cfg.tty, TTY_OFF);
	assert_string_equal(oc.cfg.seccomp, "default");
	assert_int_equal(oc.cfg.umask, -1);
	assert_int_equal(oc.cfg.limits.memory_max, -1);
}

static void everything_read(void **state)
{
	(void)state;
	assert_int_equal(
	    parse3(
		", \"hostname\": \"box\", \"annotations\": {\"a\": \"b\"},"
		" \"mounts\": [{\"destination\": \"/proc\", \"type\": \"proc\", \"source\": "
		"\"proc\"},"
		" {\"destination\": \"/data\", \"type\": \"bind\", \"source\": \"d\","
		" \"options\": [\"rbind\", \"ro\", \"noexec\", \"nosuid\"]},"
		" {\"destination\": \"/etc/hosts\", \"source\": \"/h\", \"options\": [\"bind\"]}]",
		", \"terminal\": true, \"env\": [\"A=1\", \"B=\"],"
		" \"user\": {\"uid\": 0, \"gid\": 0, \"umask\": 18, \"additionalGids\": [5, 6]},"
		" \"capabilities\": {\"bounding\": [\"CAP_KILL\", \"CAP_CHOWN\"],"
		" \"permitted\": [\"CAP_CHOWN\", \"CAP_KILL\"], \"inheritable\": []},"
		" \"rlimits\": [{\"type\": \"RLIMIT_NOFILE\", \"soft\": 100, \"hard\": 200}],"
		" \"noNewPrivileges\": false",
		", \"namespaces\": [{\"type\": \"pid\"}, {\"type\": \"mount\"}, {\"type\": "
		"\"uts\"},"
		" {\"type\": \"network\"}, {\"type\": \"user\"}],"
		" \"uidMappings\": [{\"containerID\": 0, \"hostID\": 100000, \"size\": 65536}],"
		" \"gidMappings\": [{\"containerID\": 0, \"hostID\": 200000, \"size\": 10}],"
		" \"resources\": {\"memory\": {\"limit\": 67108864, \"swap\": 100663296},"
		" \"cpu\": {\"quota\": 25000, \"period\": 50000, \"shares\": 1024},"
		" \"pids\": {\"limit\": 64}, \"devices\": [{\"allow\": false, \"access\": "
		"\"rwm\"}],"
		" \"blockIO\": {\"weight\": 500, \"throttleReadBpsDevice\": [{\"major\": 8, "
		"\"minor\": 0, \"rate\": 1048576}], \"weightDevice\": [{\"major\": 8, \"minor\": "
		"16, \"weight\": 1000}]},"
		" \"hugepageLimits\": [{\"pageSize\": \"1GB\", \"limit\": 0}],"
		" \"unified\": {\"memory.high\": \"1M\", \"pids.max\": \"max\"}},"
		" \"maskedPaths\": [\"/proc/kcore\", \"/etc/secret\"], \"readonlyPaths\": "
		"[\"/usr\"],"
		" \"sysctl\": {\"net.ipv4.ping_group_range\": \"0 0\"}"),
	    0);
	struct container_config *c = &oc.cfg;
	assert_string_equal(c->hostname, "box");
	assert_int_equal(c->tty, TTY_ON);
	assert_int_equal(c->n_env, 2);
	assert_string_equal(c->env[1], "B=");
	assert_null(c->env[2]);
	assert_int_equal(c->umask, 18);
	assert_int_equal(c->n_groups, 2);
	assert_int_equal(c->groups[1], 6);
	assert_int_equal(c->caps, CAP_BIT(CAP_KILL) | CAP_BIT(CAP_CHOWN));
	assert_int_equal(c->n_rlimits, 1);
	assert_int_equal(c->rlimits[0].resource, RLIMIT_NOFILE);
	assert_int_equal(c->rlimits[0].soft, 100);
	assert_int_equal(c->rlimits[0].hard, 200);
	assert_int_equal(c->namespaces, CLONE_NEWPID | CLONE_NEWNS | CLONE_NEWUTS | CLONE_NEWNET);
	assert_int_equal(c->net, NET_LOOPBACK);
	assert_int_equal(c->userns, USERNS_PRIVATE);
	assert_int_equal(c->n_uidmap, 1);
	assert_int_equal(c->uidmap[0].outside, 100000);
	assert_int_equal(c->gidmap[0].count, 10);
	assert_int_equal(c->limits.memory_max, 64 << 20);
	assert_int_equal(c->limits.memory_swap_max, 32 << 20); /* swap counts memory too */
	assert_int_equal(c->limits.cpu_quota_us, 50000);       /* half a CPU per 100 ms */
	assert_int_equal(c->limits.cpu_weight, 39);	       /* 1024 shares */
	assert_int_equal(c->limits.pids_max, 64);
	/* the device rules as given, then mknod of any char and block node (as runc), shikumi's
	 * own nodes, /dev/ptmx and /dev/pts allowed */
	assert_true(c->limits.devices_set);
	assert_int_equal(c->limits.devices.n, 1 + 2 + 6 + 2);
	const struct devices_rule *d = c->limits.devices.rule;
	assert_int_equal(d[0].type, DEVICES_ANY_TYPE);
	assert_int_equal(d[0].major, -1);
	assert_int_equal(d[0].minor, -1);
	assert_int_equal(d[0].access, DEVICES_MKNOD | DEVICES_READ | DEVICES_WRITE);
	assert_int_equal(d[0].allow, 0);
	for (int i = 1; i <= 2; i++) {
		assert_int_equal(d[i].type, i == 1 ? DEVICES_CHAR : DEVICES_BLOCK);
		assert_int_equal(d[i].major, -1);
		assert_int_equal(d[i].minor, -1);
		assert_int_equal(d[i].access, DEVICES_MKNOD);
		assert_int_equal(d[i].allow, 1);
	}
	assert_int_equal(d[3].type, DEVICES_CHAR);
	assert_int_equal(d[3].major * 1000 + d[3].minor, 1003); /* /dev/null */
	assert_int_equal(d[3].allow, 1);
	assert_int_equal(d[10].major, 136);
	assert_int_equal(d[10].minor, -1);
	/* blockIO, hugepageLimits, then unified (over the rest), each as the file it writes */
	const char *files[][2] = {{"io.weight", "default 4950"},  {"io.weight", "8:16 10000"},
				  {"io.max", "8:0 rbps=1048576"}, {"hugetlb.1GB.max", "0"},
				  {"memory.high", "1M"},	  {"pids.max", "max"}};
	assert_int_equal(c->limits.n_files, 6);
	for (size_t i = 0; i < 6; i++) {
		assert_string_equal(c->limits.files[i].file, files[i][0]);
		assert_string_equal(c->limits.files[i].value, files[i][1]);
	}
	assert_int_equal(c->n_volumes, 2); /* /proc is shikumi's own */
	assert_string_equal(c->volumes[0].source, "/b/d");
	assert_string_equal(c->volumes[0].target, "/data");
	assert_true(c->volumes[0].read_only);
	assert_true(c->volumes[0].no_exec);
	assert_string_equal(c->volumes[1].source, "/h");
	assert_false(c->volumes[1].read_only);
	assert_non_null(oc.annotations);
	assert_int_equal(c->n_masked_paths, 2);
	assert_string_equal(c->masked_paths[1], "/etc/secret");
	assert_int_equal(c->n_readonly_paths, 1);
	assert_string_equal(c->readonly_paths[0], "/usr");
	assert_int_equal(c->n_sysctls, 1);
	assert_string_equal(c->sysctls[0].key, "net.ipv4.ping_group_range");
	assert_string_equal(c->sysctls[0].value, "0 0");
}

#define EXPECT_REFUSED(want, extra, proc, lin) assert_string_equal(refused(extra, proc, lin), want)

static void device_rules(void **state)
{
	(void)state;
	assert_int_equal(
	    parse3("", "",
		   ", \"resources\": {\"devices\": [{\"allow\": true, \"type\": \"b\", "
		   "\"major\": 8, \"access\": \"r\"}, {\"allow\": false, \"type\": "
		   "\"c\", \"major\": 10, \"minor\": 229, \"access\": \"mw\"}]}"),
	    0);
	const struct devices_rule *d = oc.cfg.limits.devices.rule;
	assert_int_equal(oc.cfg.limits.devices.n, 2 + 10);
	assert_int_equal(d[0].type, DEVICES_BLOCK);
	assert_int_equal(d[0].major, 8);
	assert_int_equal(d[0].minor, -1);
	assert_int_equal(d[0].access, DEVICES_READ);
	assert_int_equal(d[0].allow, 1);
	assert_int_equal(d[1].type, DEVICES_CHAR);
	assert_int_equal(d[1].minor, 229);
	assert_int_equal(d[1].access, DEVICES_MKNOD | DEVICES_WRITE);
	assert_int_equal(d[1].allow, 0);
	/* no rules at all: the defaults alone, where a program can be; an empty list: the same,
	 * and a host where none can be is refused */
	assert_int_equal(parse3("", "", ""), 0);
	assert_false(oc.cfg.limits.devices_set);
	assert_true(oc.cfg.limits.devices_default);
	assert_int_equal(oc.cfg.limits.devices.n, 10);
	assert_int_equal(parse3("", "", ", \"resources\": {\"devices\": []}"), 0);
	assert_true(oc.cfg.limits.devices_set);
	assert_false(oc.cfg.limits.devices_default);
	assert_int_equal(oc.cfg.limits.devices.n, 10);
	/* "a" is every device, whatever numbers it names */
	assert_int_equal(parse3("", "",
				", \"resources\": {\"devices\": [{\"allow\": false, \"type\": "
				"\"a\", \"major\": 10, \"minor\": 229}]}"),
			 0);
	assert_int_equal(oc.cfg.limits.devices.rule[0].major, -1);
	assert_int_equal(oc.cfg.limits.devices.rule[0].minor, -1);
	assert_string_equal(
	    refused("", "",
		    ", \"resources\": {\"devices\": [{\"allow\": true, "
		    "\"major\": 4096}]}"),
	    "config.json: linux.resources.devices[0].major: out of range (-1 to 4095)");
}

static void errors_name_the_path(void **state)
{
	(void)state;
	EXPECT_REFUSED("config.json: process.args: must not be empty", "", ", \"args\": []", "");
	/* a NUL would cut the key (or value) short: refused wherever it is; an escaped backslash
	 * before u0000 is no NUL */
	EXPECT_REFUSED("config.json: a string holds a NUL character (\\u0000), which no path, "
		       "name or value may",
		       "", "", ", \"resources\": {\"unified\": {\"pids.max\\u0000/../x\": \"5\"}}");
	assert_int_equal(parse3("", "", ", \"maskedPaths\": [\"/a\\\\u0000\"]"), 0);
	assert_string_equal(oc.cfg.masked_paths[0], "/a\\u0000");
	EXPECT_REFUSED("config.json: linux.maskedPaths[1]: 'tmp' must be an absolute path", "", "",
		       ", \"maskedPaths\": [\"/a\", \"tmp\"]");
	EXPECT_REFUSED("config.json: linux.readonlyPaths[0]: '/a/../b' must not hold '.' or '..'",
		       "", "", ", \"readonlyPaths\": [\"/a/../b\"]");
	EXPECT_REFUSED("config.json: linux.resources.unified.cgroup.procs: 'cgroup.procs' is not a "
		       "file of a cgroup controller shikumi knows (cpu, memory, pids, io, cpuset, "
		       "hugetlb, misc, rdma)",
		       "", "", ", \"resources\": {\"unified\": {\"cgroup.procs\": \"1\"}}");
	EXPECT_REFUSED("config.json: linux.resources.hugepageLimits[0].pageSize: expected a page "
		       "size such as 2MB or 1GB",
		       "", "", ", \"resources\": {\"hugepageLimits\": [{\"pageSize\": \"2MiB\"}]}");
	EXPECT_REFUSED(
	    "config.json: linux.resources.blockIO.throttleWriteIOPSDevice[0]: needs a rate", "", "",
	    ", \"resources\": {\"blockIO\": {\"throttleWriteIOPSDevice\": [{\"major\": 8, "
	    "\"minor\": 0}]}}");
	EXPECT_REFUSED(
	    "config.json: linux.resources.blockIO.leafWeight: cgroup v2 has no leaf weights", "",
	    "", ", \"resources\": {\"blockIO\": {\"leafWeight\": 10}}");
	EXPECT_REFUSED("config.json: linux.readonlyPaths: expected an array", "", "",
		       ", \"readonlyPaths\": \"/usr\"");
	EXPECT_REFUSED("config.json: process.args[0]: must not be empty", "", ", \"args\": [\"\"]",
		       "");
	EXPECT_REFUSED("config.json: process.args[1]: expected a string", "",
		       ", \"args\": [\"a\", 7]", "");
	EXPECT_REFUSED("config.json: linux.resources.memory.limit: expected an integer", "", "",
		       ", \"resources\": {\"memory\": {\"limit\": \"64M\"}}");
	EXPECT_REFUSED("config.json: linux.resources.memory.limit: expected an integer", "", "",
		       ", \"resources\": {\"memory\": {\"limit\": 1.5}}");
	EXPECT_REFUSED("config.json: linux.resources.pids.limit: out of range (at most "
		       "9223372036854775807)",
		       "", "", ", \"resources\": {\"pids\": {\"limit\": 18446744073709551615}}");
	EXPECT_REFUSED("config.json: process.cwd: must be an absolute path", "",
		       ", \"cwd\": \"tmp\"", "");
	EXPECT_REFUSED("config.json: process.env[0]: expected NAME=VALUE", "",
		       ", \"env\": [\"JUSTNAME\"]", "");
	EXPECT_REFUSED("config.json: process.user.uid: out of range (0 to 4294967294)", "",
		       ", \"user\": {\"uid\": 4294967295, \"gid\": 0}", "");
	EXPECT_REFUSED("config.json: process.capabilities.ambient: must be empty for uid 0 (root "
		       "gets its bounding set at exec: shikumi keeps one set)",
		       "", ", \"capabilities\": {\"ambient\": [\"CAP_KILL\"]}", "");
	EXPECT_REFUSED("config.json: process.capabilities.effective: CAP_KILL is not in the "
		       "permitted set",
		       "",
		       ", \"user\": {\"uid\": 5}, \"capabilities\": {\"bounding\": "
		       "[\"CAP_KILL\"], \"effective\": [\"CAP_KILL\"]}",
		       "");
	EXPECT_REFUSED("config.json: process.oomScoreAdj: out of range (-1000 to 1000)", "",
		       ", \"oomScoreAdj\": -1001", "");
	/* another uid: its ids and its five sets as given */
	assert_int_equal(parse3("",
				", \"oomScoreAdj\": -5, \"user\": {\"uid\": 1000, \"gid\": 7}, "
				"\"capabilities\": {\"bounding\": [\"CAP_KILL\", \"CAP_CHOWN\"], "
				"\"permitted\": [\"CAP_KILL\"], \"inheritable\": [\"CAP_KILL\"], "
				"\"ambient\": [\"CAP_KILL\"]}",
				""),
			 0);
	assert_int_equal(oc.cfg.uid, 1000);
	assert_int_equal(oc.cfg.gid, 7);
	assert_true(oc.cfg.set_oom_score_adj);
	assert_int_equal(oc.cfg.oom_score_adj, -5);
	assert_int_equal(oc.cfg.caps, CAP_BIT(CAP_KILL) | CAP_BIT(CAP_CHOWN));
	assert_int_equal(oc.cfg.caps_permitted, CAP_BIT(CAP_KILL));
	assert_int_equal(oc.cfg.caps_effective, 0);
	assert_int_equal(oc.cfg.caps_ambient, CAP_BIT(CAP_KILL));
	EXPECT_REFUSED("config.json: process.capabilities.effective: must be the same set as "
		       "process.capabilities.bounding (shikumi keeps one set)",
		       "", ", \"capabilities\": {\"bounding\": [\"CAP_KILL\"], \"effective\": []}",
		       "");
	EXPECT_REFUSED("config.json: process.capabilities.bounding[0]: unknown capability "
		       "'CAP_FLY'",
		       "", ", \"capabilities\": {\"bounding\": [\"CAP_FLY\"]}", "");
	EXPECT_REFUSED("config.json: process.apparmorProfile: AppArmor is not supported by shikumi",
		       "", ", \"apparmorProfile\": \"docker-default\"", "");
	EXPECT_REFUSED("config.json: process.selinuxLabel: SELinux is not supported by shikumi", "",
		       ", \"selinuxLabel\": \"system_u:system_r:container_t:s0\"", "");
	EXPECT_REFUSED("config.json: process.rlimits[0].type: unknown resource 'RLIMIT_FUN'", "",
		       ", \"rlimits\": [{\"type\": \"RLIMIT_FUN\", \"soft\": 1, \"hard\": 1}]", "");
	EXPECT_REFUSED("config.json: process.rlimits[0]: soft is above hard", "",
		       ", \"rlimits\": [{\"type\": \"RLIMIT_NOFILE\", \"soft\": 2, \"hard\": 1}]",
		       "");
	EXPECT_REFUSED("config.json: linux.namespaces[1].path: joining a mount namespace is "
		       "refused: the container's root is the bundle's rootfs, in a mount "
		       "namespace of its own",
		       "", "",
		       ", \"namespaces\": [{\"type\": \"pid\"}, {\"type\": \"mount\", "
		       "\"path\": \"/proc/1/ns/mnt\"}]");
	EXPECT_REFUSED("config.json: linux.namespaces[2].path: joining a user namespace is not "
		       "supported",
		       "", "",
		       ", \"namespaces\": [{\"type\": \"pid\"}, {\"type\": \"mount\"},"
		       " {\"type\": \"user\", \"path\": \"/proc/1/ns/user\"}]");
	EXPECT_REFUSED("config.json: linux.namespaces[2].path: must be an absolute path", "", "",
		       ", \"namespaces\": [{\"type\": \"pid\"}, {\"type\": \"mount\"},"
		       " {\"type\": \"network\", \"path\": \"ns/net\"}]");
	EXPECT_REFUSED("config.json: linux.sysctl.net.ipv4.ip_forward: needs a network namespace "
		       "of its own",
		       "", "",
		       ", \"namespaces\": [{\"type\": \"pid\"}, {\"type\": \"mount\"},"
		       " {\"type\": \"network\", \"path\": \"/proc/1/ns/net\"}],"
		       " \"sysctl\": {\"net.ipv4.ip_forward\": \"1\"}");
	/* a path joins: the namespace is not made, and the join is what the child gets */
	assert_int_equal(parse3("", "",
				", \"namespaces\": [{\"type\": \"pid\"}, {\"type\": "
				"\"mount\"}, {\"type\": \"network\", \"path\": "
				"\"/run/netns/a\"}, {\"type\": \"uts\", \"path\": "
				"\"/proc/2/ns/uts\"}]"),
			 0);
	assert_int_equal(oc.cfg.namespaces, CLONE_NEWPID | CLONE_NEWNS);
	assert_int_equal(oc.cfg.n_joins, 2);
	assert_int_equal(oc.cfg.joins[0].type, CLONE_NEWNET);
	assert_string_equal(oc.cfg.joins[0].path, "/run/netns/a");
	assert_int_equal(oc.cfg.joins[1].type, CLONE_NEWUTS);
	assert_int_equal(oc.cfg.net, NET_HOST);
	EXPECT_REFUSED("config.json: linux.namespaces[1].type: 'pid' is given twice", "", "",
		       ", \"namespaces\": [{\"type\": \"pid\"}, {\"type\": \"pid\"}]");
	EXPECT_REFUSED("config.json: linux.namespaces[0].type: unknown namespace type 'bogus'", "",
		       "", ", \"namespaces\": [{\"type\": \"bogus\"}]");
	EXPECT_REFUSED("config.json: linux.namespaces: must hold a mount namespace", "", "",
		       ", \"namespaces\": [{\"type\": \"pid\"}]");
	EXPECT_REFUSED("config.json: linux.uidMappings: needs a user namespace in "
		       "linux.namespaces",
		       "", "",
		       ", \"uidMappings\": [{\"containerID\": 0, \"hostID\": 1, \"size\": 1}]");
	EXPECT_REFUSED(
	    "config.json: linux.uidMappings[0].size: out of range (1 to 4294967295)", "", "",
	    ", \"namespaces\": [{\"type\": \"pid\"}, {\"type\": \"mount\"}, {\"type\": "
	    "\"user\"}], \"uidMappings\": [{\"containerID\": 0, \"hostID\": 1, \"size\": "
	    "0}]");
	EXPECT_REFUSED("config.json: linux.seccomp: expected an object", "", "",
		       ", \"seccomp\": [\"SCMP_ACT_ALLOW\"]");
	EXPECT_REFUSED("config.json: linux.resources.memory.limit: at least 1048576 (1M), or "
		       "nothing can run",
		       "", "", ", \"resources\": {\"memory\": {\"limit\": 4096}}");
	EXPECT_REFUSED("config.json: linux.mountLabel: SELinux is not supported by shikumi", "", "",
		       ", \"mountLabel\": \"x\"");
	EXPECT_REFUSED("config.json: mounts[0].type: 'overlay' at /tmp is not supported (bind and "
		       "tmpfs mounts only, and the standard /proc, /dev, /sys ones)",
		       ", \"mounts\": [{\"destination\": \"/tmp\", \"type\": \"overlay\"}]", "",
		       "");
	EXPECT_REFUSED("config.json: mounts[0].options[0]: 'mode=0800': expected an octal mode",
		       ", \"mounts\": [{\"destination\": \"/t\", \"type\": \"tmpfs\", "
		       "\"options\": [\"mode=0800\"]}]",
		       "", "");
	EXPECT_REFUSED("config.json: linux.devices[0].path: must be a path under /dev (and not in "
		       "/dev/pts, /dev/shm, /dev/mqueue)",
		       "", "",
		       ", \"devices\": [{\"type\": \"c\", \"path\": \"/dev/../etc/x\", "
		       "\"major\": 1, \"minor\": 3}]");
	EXPECT_REFUSED("config.json: linux.devices[0].path: must be a path under /dev (and not in "
		       "/dev/pts, /dev/shm, /dev/mqueue)",
		       "", "",
		       ", \"devices\": [{\"type\": \"c\", \"path\": \"/dev/pts/9\", "
		       "\"major\": 136, \"minor\": 9}]");
	EXPECT_REFUSED("config.json: linux.devices[0].major: missing", "", "",
		       ", \"devices\": [{\"type\": \"b\", \"path\": \"/dev/sda\"}]");
	EXPECT_REFUSED("config.json: linux.devices[1].path: /dev/sda is given twice", "", "",
		       ", \"devices\": [{\"type\": \"b\", \"path\": \"/dev/sda\", \"major\": 8, "
		       "\"minor\": 0}, {\"type\": \"b\", \"path\": \"/dev/sda\", \"major\": 8, "
		       "\"minor\": 0}]");
	assert_int_equal(parse3("", "",
				", \"devices\": [{\"type\": \"u\", \"path\": \"/dev/net/tun\", "
				"\"major\": 10, \"minor\": 200, \"fileMode\": 384, \"gid\": 5}, "
				"{\"type\": \"c\", \"path\": \"/dev/zero\", \"major\": 1, "
				"\"minor\": 5}]"),
			 0);
	assert_int_equal(oc.cfg.n_nodes, 2);
	assert_int_equal(oc.cfg.nodes[0].type, 'c');
	assert_int_equal(oc.cfg.nodes[0].mode, 0600);
	assert_int_equal(oc.cfg.nodes[0].gid, 5);
	assert_false(oc.cfg.nodes[0].standard);
	assert_true(oc.cfg.nodes[1].standard);
	/* podman's fileMode: the whole st_mode (S_IFCHR | 0620 = 8592); type bits must match */
	assert_int_equal(parse3("", "",
				", \"devices\": [{\"type\": \"c\", \"path\": \"/dev/fuse\", "
				"\"major\": 10, \"minor\": 229, \"fileMode\": 8592}]"),
			 0);
	assert_int_equal(oc.cfg.nodes[0].mode, 0620);
	EXPECT_REFUSED(
	    "config.json: linux.devices[0].fileMode: its file type bits (060000) are not "
	    "those of type c",
	    "", "",
	    ", \"devices\": [{\"type\": \"c\", \"path\": \"/dev/fuse\", \"major\": 10, "
	    "\"minor\": 229, \"fileMode\": 25008}]");
	/* a tmpfs: its data holds the checked options only, in their order */
	assert_int_equal(parse3(", \"mounts\": [{\"destination\": \"/t\", \"type\": \"tmpfs\", "
				"\"options\": [\"nosuid\", \"size=64k\", \"ro\", \"mode=1777\", "
				"\"tmpcopyup\"]}]",
				"", ""),
			 0);
	assert_int_equal(oc.cfg.n_volumes, 1);
	assert_string_equal(oc.cfg.volumes[0].tmpfs, "size=64k,mode=1777");
	assert_string_equal(oc.cfg.volumes[0].target, "/t");
	assert_true(oc.cfg.volumes[0].read_only);
	assert_null(oc.cfg.volumes[0].source);
	EXPECT_REFUSED("config.json: mounts[0].options[1]: 'suid' is refused: shikumi's mounts are "
		       "nosuid, nodev and private",
		       ", \"mounts\": [{\"destination\": \"/x\", \"source\": \"/y\", \"options\": "
		       "[\"bind\", \"suid\"]}]",
		       "", "");
	EXPECT_REFUSED("config.json: mounts[0].destination: must be an absolute path",
		       ", \"mounts\": [{\"destination\": \"x\"}]", "", "");
	assert_int_equal(parse3(", \"hooks\": {\"startContainer\": [{\"path\": \"/bin/true\"}], "
				"\"createContainer\": [{\"path\": \"/bin/a\"}]}",
				"", ""),
			 0);
	assert_int_equal(oc.n_hooks[HOOK_START_CONTAINER], 1);
	assert_string_equal(oc.hooks[HOOK_CREATE_CONTAINER][0].path, "/bin/a");
	EXPECT_REFUSED("config.json: linux.cgroupsPath: '/a/../b': each part between slashes must "
		       "be a name of 1 to 255 bytes, not '.' or '..'",
		       "", "", ", \"cgroupsPath\": \"/a/../b\"");
	EXPECT_REFUSED("config.json: hooks.prestart[0].timeout: out of range (1 to 3600)",
		       ", \"hooks\": {\"prestart\": [{\"path\": \"/bin/true\", \"timeout\": 0}]}",
		       "", "");
	assert_int_equal(parse3(", \"hooks\": {\"poststop\": [{\"path\": \"/bin/a\"}, {\"path\": "
				"\"/bin/b\", \"args\": [\"b\", \"-x\"], \"env\": [\"A=1\"], "
				"\"timeout\": 5}]}",
				"", ""),
			 0);
	assert_int_equal(oc.n_hooks[HOOK_POSTSTOP], 2);
	assert_string_equal(oc.hooks[HOOK_POSTSTOP][0].args[0], "/bin/a");
	assert_null(oc.hooks[HOOK_POSTSTOP][0].env[0]);
	assert_string_equal(oc.hooks[HOOK_POSTSTOP][1].args[1], "-x");
	assert_string_equal(oc.hooks[HOOK_POSTSTOP][1].env[0], "A=1");
	assert_int_equal(oc.hooks[HOOK_POSTSTOP][1].timeout, 5);
	EXPECT_REFUSED("config.json: hostname: needs a uts namespace in linux.namespaces",
		       ", \"hostname\": \"h\"", "", "");
	EXPECT_REFUSED("config.json: process: expected an object", ", \"process\": 1", "", "");
	EXPECT_REFUSED("config.json: linux.sysctl.kernel.panic: not a sysctl of the container's "
		       "own namespaces",
		       "", "", ", \"sysctl\": {\"kernel.panic\": \"1\"}");
	EXPECT_REFUSED("config.json: linux.sysctl.net.ipv4.ip_forward: needs a network namespace "
		       "of its own",
		       "", "", ", \"sysctl\": {\"net.ipv4.ip_forward\": \"1\"}");
	EXPECT_REFUSED("config.json: linux.sysctl.net..x: not a sysctl name", "", "",
		       ", \"sysctl\": {\"net..x\": \"1\"}");
	EXPECT_REFUSED("config.json: linux.sysctl.net/../../x: not a sysctl name", "", "",
		       ", \"sysctl\": {\"net/../../x\": \"1\"}");
	/* a newline inside a value stays out of the one-line message (found by the fuzzer) */
	EXPECT_REFUSED("config.json: process.capabilities.bounding[0]: unknown capability "
		       "'CAP_?KILL'",
		       "", ", \"capabilities\": {\"bounding\": [\"CAP_\\nKILL\"]}", "");
}

static void whole_document_errors(void **state)
{
	(void)state;
	const char *bad[][2] = {
	    {"", "config.json: not valid JSON: unexpected end of the text"},
	    {"{\"ociVersion\": ", "config.json: not valid JSON: unexpected end of the text"},
	    {"{} {}", "config.json: not valid JSON: text after the end"},
	    {"[]", "config.json: expected an object at the top level"},
	    {"{}", "config.json: ociVersion: missing"},
	    {"{\"ociVersion\": \"0.9\"}",
	     "config.json: ociVersion: '0.9' is not a 1.x runtime-spec version"},
	    {"{\"ociVersion\": \"1.1.0\"}",
	     "config.json: root: missing (the bundle's root file system)"},
	    {"{\"ociVersion\": \"1.1.0\", \"root\": {\"path\": \"\"}}",
	     "config.json: root.path: must not be empty"},
	    {"{\"ociVersion\": \"1.1.0\", \"root\": {\"path\": \"/r\", \"readonly\": 1}}",
	     "config.json: root.readonly: expected a boolean"},
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(*bad); i++) {
		oci_config_free(&oc);
		assert_int_equal(oci_config_parse(bad[i][0], strlen(bad[i][0]), "/b", &oc),
				 -EINVAL);
		assert_string_equal(err_msg(), bad[i][1]);
	}
}

/* `shikumi spec`'s config.json, read back, is what `shikumi run ROOTFS` does by default. */
static void spec_round_trip(void **state)
{
	(void)state;
	struct container_config run;
	enum cli_action act;
	char *args[] = {"run", "/bundle/rootfs", NULL};
	assert_int_equal(cli_parse_run(2, args, NULL, &run, &act), 0);
	char *text = oci_spec_render(&run, "rootfs", false, 0, 0);
	assert_non_null(text);
	oci_config_free(&oc);
	assert_int_equal(oci_config_parse(text, strlen(text), "/bundle", &oc), 0);
	const struct container_config *c = &oc.cfg;
	assert_string_equal(c->rootfs, run.rootfs);
	assert_string_equal(c->argv[0], run.argv[0]);
	assert_null(c->argv[1]);
	assert_int_equal(c->n_env, run.n_env);
	for (size_t i = 0; i < run.n_env; i++)
		assert_string_equal(c->env[i], run.env[i]);
	assert_string_equal(c->cwd, run.cwd);
	assert_string_equal(c->hostname, run.hostname);
	assert_int_equal(c->namespaces, run.namespaces);
	assert_int_equal(c->caps, run.caps);
	assert_int_equal(c->net, run.net);
	assert_int_equal(c->read_only, run.read_only);
	assert_string_equal(c->seccomp, run.seccomp);
	assert_int_equal(c->n_volumes, 0);
	assert_int_equal(c->n_rlimits, 0);
	assert_int_equal(c->n_groups, 0);
	/* The same limits, but for runc's default device rules, which the OCI front end adds
	 * where it can (`shikumi run` relies on nodev mounts and a read-only /dev alone). */
	struct cgroup_limits want = run.limits;
	assert_false(want.devices_default);
	assert_true(c->limits.devices_default);
	want.devices_default = true;
	want.devices = c->limits.devices;
	assert_memory_equal(&c->limits, &want, sizeof(want));
	/* Explicit where the CLI decides at start: root run as root is the host's root, and
	 * the terminal is off (the CLI's default is "when stdin is one"). */
	assert_int_equal(c->userns, USERNS_HOST);
	assert_int_equal(c->tty, TTY_OFF);
	free(text);

	text = oci_spec_render(&run, "rootfs", true, 1000, 1001);
	oci_config_free(&oc);
	assert_int_equal(oci_config_parse(text, strlen(text), "/bundle", &oc), 0);
	assert_int_equal(oc.cfg.userns, USERNS_PRIVATE);
	assert_int_equal(oc.cfg.n_uidmap, 1);
	assert_int_equal(oc.cfg.uidmap[0].inside, 0);
	assert_int_equal(oc.cfg.uidmap[0].outside, 1000);
	assert_int_equal(oc.cfg.gidmap[0].outside, 1001);
	assert_int_equal(oc.cfg.uidmap[0].count, 1);
	free(text);
	oci_config_free(&oc);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(minimal),
	    cmocka_unit_test(everything_read),
	    cmocka_unit_test(device_rules),
	    cmocka_unit_test(errors_name_the_path),
	    cmocka_unit_test(whole_document_errors),
	    cmocka_unit_test(spec_round_trip),
	};
	return cmocka_run_group_tests_name("oci_config", tests, NULL, NULL);
}
