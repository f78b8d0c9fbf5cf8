#include "cli.h"

#include "../common/err.h"
#include "../common/parse.h"
#include "caps.h"
#include "net.h"
#include "userns.h"

#include <getopt.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>

const char *const cli_default_env[] = {
    "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
    "HOME=/root",
    NULL,
};

void cli_print_run_help(FILE *f)
{
	fputs(
	    "Usage: shikumi run [OPTIONS] ROOTFS [COMMAND [ARG...]]\n"
	    "\n"
	    "Runs COMMAND (default /bin/sh) in a container: new pid, mount, uts, ipc, net and\n"
	    "cgroup namespaces, with ROOTFS as its root after pivot_root.\n"
	    "\n"
	    "Options:\n"
	    "      --hostname NAME     hostname inside (default: shikumi)\n"
	    "  -e, --env K=V         set an environment variable; -e K copies K from here\n"
	    "  -w, --cwd DIR         working directory inside (default: /)\n"
	    "  -v, --volume HOST:CONTAINER[:ro]\n"
	    "                        bind-mount HOST at CONTAINER, read-only with :ro\n"
	    "      --read-only         mount the root file system read-only\n"
	    "      --persist           write to ROOTFS itself; by default the container writes to\n"
	    "                        an overlay of its own (tmpfs) that goes when it exits\n"
	    "  -t, --tty             give the command a terminal (default: when stdin is one)\n"
	    "  -T, --no-tty          never give the command a terminal\n"
	    "      --timing            print each start-up phase and its duration on stderr\n"
	    "      --syscalls=MODE     kernel (default): the kernel answers every system call;\n"
	    "                        user: shikumi answers uname and /proc/meminfo, cpuinfo,\n"
	    "                        stat, uptime and loadavg from the container's limits\n"
	    "      --trace=summary     count the command's system calls (its supervisor sees\n"
	    "                        each one), printed on stderr at its exit like strace -c\n"
	    "\n"
	    "Network:\n"
	    "      --net MODE          loopback (default: lo only), none (not even lo),\n"
	    "                        bridge (eth0 on a host bridge), host (the host's network)\n"
	    "      --bridge NAME       the bridge for --net bridge (default shikumi0)\n"
	    "      --subnet CIDR       its subnet (default 10.89.0.0/24; the bridge is .1)\n"
	    "      --ip ADDR           a fixed address in the subnet (default: the next free)\n"
	    "\n"
	    "User namespace (root inside is not root outside):\n"
	    "      --userns=private    map the container's ids to host ids 100000-165535\n"
	    "      --userns=host       root inside is the host's root (default when run as root)\n"
	    "      --uidmap IN:OUT:N   map ids IN..IN+N-1 inside to OUT..OUT+N-1 outside\n"
	    "      --gidmap IN:OUT:N   the same for groups (default: as --uidmap); both repeat\n"
	    "                        and imply --userns=private. Run as a non-root user, shikumi\n"
	    "                        is rootless: your uid is root inside (plus the range\n"
	    "                        /etc/subuid grants you, through newuidmap).\n"
	    "\n"
	    "Limits (cgroup v2; sizes take K, M, G):\n"
	    "      --memory SIZE       memory.max: beyond it the kernel reclaims, then OOM-kills\n"
	    "      --memory-swap SIZE  memory.swap.max: swap the container may use (0: none)\n"
	    "      --cpus N            cpu.max: N CPUs' worth of time, fractions allowed (0.5)\n"
	    "      --cpu-weight W      cpu.weight, 1-10000 (default 100): share under contention\n"
	    "      --pids N            pids.max: at most N processes and threads\n"
	    "      --io-max 'MAJ:MIN rbps=1M wbps=1M riops=N wiops=N'   io.max of one device\n"
	    "      --cpuset LIST       cpuset.cpus: the CPUs it may run on (0 or 0-2,4)\n"
	    "      --stats[=json]      print memory, cpu, pids and OOM statistics on exit\n"
	    "  -h, --help            show this help\n"
	    "  -V, --version         show the version\n"
	    "\n"
	    "Exit status: the command's, or 128+N when it died of signal N; 126 when the\n"
	    "command cannot be executed, 127 when it is not found, 125 when shikumi itself\n"
	    "failed (the message says why).\n",
	    f);
}

static bool hostname_valid(const char *s)
{
	size_t n = strlen(s);
	if (n == 0 || n > 64 || s[0] == '-' || s[0] == '.')
		return false;
	for (size_t i = 0; i < n; i++) {
		char c = s[i];
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		      c == '-' || c == '.'))
			return false;
	}
	return true;
}

/* The index of the "K=..." entry of env (NULL-terminated) whose K is key[0..klen), or -1. */
static int env_index(const char *const *env, const char *key, size_t klen)
{
	for (int i = 0; env && env[i]; i++)
		if (!strncmp(env[i], key, klen) && env[i][klen] == '=')
			return i;
	return -1;
}

const char *cli_env_get(const struct container_config *cfg, const char *name)
{
	size_t n = strlen(name);
	int i = env_index(cfg->env, name, n);
	return i < 0 ? NULL : cfg->env[i] + n + 1;
}

/* Sets "K=V" in cfg->env, replacing an earlier value of K. */
static int env_put(struct container_config *cfg, const char *kv)
{
	int i = env_index(cfg->env, kv, strcspn(kv, "="));
	if (i >= 0) {
		cfg->env[i] = kv;
		return 0;
	}
	if (cfg->n_env >= CONFIG_MAX_ENV)
		return err_set(0, "too many environment variables (at most %d)", CONFIG_MAX_ENV);
	cfg->env[cfg->n_env++] = kv;
	cfg->env[cfg->n_env] = NULL;
	return 0;
}

int cli_env_default(struct container_config *cfg, const char *kv)
{
	return env_index(cfg->env, kv, strcspn(kv, "=")) >= 0 ? 0 : env_put(cfg, kv);
}

static int env_option(struct container_config *cfg, const char *arg, char **host_env)
{
	size_t klen = strcspn(arg, "=");
	if (klen == 0)
		return err_set(0, "invalid --env '%s': expected NAME=VALUE or NAME", arg);
	if (arg[klen] == '=')
		return env_put(cfg, arg);
	int i = env_index((const char *const *)host_env, arg, klen);
	/* "-e NAME" with NAME unset here: nothing to copy, as docker does */
	return i < 0 ? 0 : env_put(cfg, host_env[i]);
}

static int volume_option(struct container_config *cfg, char *arg)
{
	if (cfg->n_volumes >= CONFIG_MAX_VOLUMES)
		return err_set(0, "too many volumes (at most %d)", CONFIG_MAX_VOLUMES);
	struct volume *v = &cfg->volumes[cfg->n_volumes];
	char *colon = strchr(arg, ':');
	if (!colon || colon == arg)
		return err_set(0, "invalid --volume '%s': expected HOST:CONTAINER[:ro]", arg);
	char *mode = strchr(colon + 1, ':');
	if (mode) {
		if (!strcmp(mode + 1, "ro"))
			v->read_only = true;
		else if (strcmp(mode + 1, "rw"))
			return err_set(0, "invalid --volume '%s': the mode must be ro or rw", arg);
		*mode = '\0';
	}
	*colon = '\0';
	v->source = arg;
	v->target = colon + 1;
	if (v->target[0] != '/')
		return err_set(0, "invalid --volume: the container path '%s' must be absolute",
			       v->target);
	if (!strcmp(v->target, "/"))
		return err_set(0, "invalid --volume: cannot mount over the container's /");
	cfg->n_volumes++;
	return 0;
}

/* Long options without a short letter. */
enum {
	OPT_HOSTNAME = 256,
	OPT_READ_ONLY,
	OPT_PERSIST,
	OPT_TIMING,
	OPT_MEMORY,
	OPT_MEMORY_SWAP,
	OPT_CPUS,
	OPT_CPU_WEIGHT,
	OPT_PIDS,
	OPT_IO_MAX,
	OPT_CPUSET,
	OPT_STATS,
	OPT_CAP_ADD,
	OPT_CAP_DROP,
	OPT_PRIVILEGED,
	OPT_SECCOMP,
	OPT_SYSCALLS,
	OPT_TRACE,
	OPT_DEVICE,
	OPT_USERNS,
	OPT_UIDMAP,
	OPT_GIDMAP,
	OPT_NET,
	OPT_BRIDGE,
	OPT_SUBNET,
	OPT_IP,
};

static int map_option(struct container_config *cfg, int opt, const char *arg)
{
	bool uid = opt == OPT_UIDMAP;
	size_t *n = uid ? &cfg->n_uidmap : &cfg->n_gidmap;
	if (*n >= CONFIG_MAX_IDMAPS)
		return err_set(0, "too many %s (at most %d)", uid ? "--uidmap" : "--gidmap",
			       CONFIG_MAX_IDMAPS);
	int r = userns_parse_map(uid ? "--uidmap" : "--gidmap", arg,
				 uid ? &cfg->uidmap[*n] : &cfg->gidmap[*n]);
	if (r < 0)
		return r;
	(*n)++;
	cfg->userns = USERNS_PRIVATE;
	return 0;
}

/* The network options as given, checked together once all are read. */
struct net_args {
	const char *mode, *bridge, *subnet, *ip;
};

static int net_option(struct net_args *n, int opt, const char *arg)
{
	if (opt == OPT_NET) {
		static const char *const modes[] = {"loopback", "none", "bridge", "host"};
		for (size_t i = 0; i < sizeof(modes) / sizeof(*modes); i++)
			if (!strcmp(arg, modes[i]))
				n->mode = modes[i];
		if (!n->mode)
			return err_set(0, "invalid --net '%s': use loopback, none, bridge or host",
				       arg);
	} else if (opt == OPT_BRIDGE) {
		n->bridge = arg;
	} else {
		*(opt == OPT_SUBNET ? &n->subnet : &n->ip) = arg;
	}
	return 0;
}

static int finish_net(struct container_config *cfg, const struct net_args *n)
{
	bool bridge_opts = n->bridge || n->subnet || n->ip;
	const char *mode = n->mode ? n->mode : bridge_opts ? "bridge" : "loopback";
	cfg->net = !strcmp(mode, "none")     ? NET_NONE
		   : !strcmp(mode, "bridge") ? NET_BRIDGE
		   : !strcmp(mode, "host")   ? NET_HOST
					     : NET_LOOPBACK;
	if (cfg->net == NET_HOST)
		cfg->namespaces &= ~(unsigned)CLONE_NEWNET;
	if (cfg->net != NET_BRIDGE) {
		if (bridge_opts)
			return err_set(0, "--%s is for --net bridge, not --net %s",
				       n->ip	   ? "ip"
				       : n->subnet ? "subnet"
						   : "bridge",
				       mode);
		return 0;
	}
	return cli_net_bridge(n->bridge, n->subnet, n->ip, &cfg->bridge, &cfg->subnet, &cfg->ip);
}

int cli_net_bridge(const char *bridge, const char *subnet, const char *ip, const char **bridge_out,
		   struct subnet *sn, uint32_t *ip_out)
{
	if (bridge && !net_name_valid(bridge))
		return err_set(0,
			       "invalid --bridge '%s': an interface name is 1-15 characters, "
			       "without '/', ':' or spaces",
			       bridge);
	*bridge_out = bridge ? bridge : NET_DEFAULT_BRIDGE;
	*ip_out = 0;
	int r = ipam_parse_subnet(subnet ? subnet : NET_DEFAULT_SUBNET, sn);
	if (r < 0 || !ip)
		return r;
	return ipam_parse_ip(ip, sn, ip_out);
}

/* Checks that a given map maps the container's root; gids follow uids unless given. The
 * defaults (100000:65536, or the caller's own id when rootless) are the runtime's choice. */
static int finish_maps(struct container_config *cfg)
{
	if (cfg->n_uidmap && !cfg->n_gidmap) {
		memcpy(cfg->gidmap, cfg->uidmap, sizeof(cfg->gidmap));
		cfg->n_gidmap = cfg->n_uidmap;
	}
	if ((cfg->n_uidmap && userns_host_id(cfg->uidmap, cfg->n_uidmap, 0) == UINT32_MAX) ||
	    (cfg->n_gidmap && userns_host_id(cfg->gidmap, cfg->n_gidmap, 0) == UINT32_MAX))
		return err_set(0, "invalid --uidmap/--gidmap: nothing maps the container's root "
				  "(inside id 0)");
	return 0;
}

/* A whole number in [min, max] for option `name`. */
static int parse_count(const char *name, const char *s, long long min, long long max,
		       long long *out)
{
	char *end;
	errno = 0;
	long long v = strtoll(s, &end, 10);
	if (!*s || *end || errno || v < min || v > max)
		return err_set(0, "invalid %s '%s': expected a whole number from %lld to %lld",
			       name, s, min, max);
	*out = v;
	return 0;
}

static int limit_option(struct container_config *cfg, int opt, const char *arg)
{
	struct cgroup_limits *l = &cfg->limits;
	uint64_t size;
	long long n;
	unsigned major, minor;
	int r = 0;
	switch (opt) {
	case OPT_MEMORY:
		if ((r = parse_size(arg, &size)) < 0)
			return err_wrap(r, "--memory");
		if (size < 1 << 20)
			return err_set(0, "invalid --memory '%s': at least 1M, or nothing can run",
				       arg);
		l->memory_max = (int64_t)size;
		break;
	case OPT_MEMORY_SWAP:
		if ((r = parse_size(arg, &size)) < 0)
			return err_wrap(r, "--memory-swap");
		l->memory_swap_max = (int64_t)size;
		break;
	case OPT_CPUS:
		return cgroup_parse_cpus(arg, &l->cpu_quota_us);
	case OPT_CPU_WEIGHT:
		if ((r = parse_count("--cpu-weight", arg, 1, 10000, &n)) < 0)
			return r;
		l->cpu_weight = (int)n;
		break;
	case OPT_PIDS:
		if ((r = parse_count("--pids", arg, 1, 4194304, &n)) < 0)
			return r;
		l->pids_max = n;
		break;
	case OPT_IO_MAX:
		return cgroup_parse_io_max(arg, l->io_max, sizeof(l->io_max), &major, &minor);
	case OPT_CPUSET:
		if (strlen(arg) >= sizeof(l->cpuset_cpus))
			return err_set(0, "invalid --cpuset: too long");
		if ((r = cgroup_parse_cpuset(arg, 1 << 16)) < 0)
			return r;
		strcpy(l->cpuset_cpus, arg);
		break;
	case OPT_STATS:
		if (!arg || !strcmp(arg, "table"))
			cfg->stats = STATS_TABLE;
		else if (!strcmp(arg, "json"))
			cfg->stats = STATS_JSON;
		else
			return err_set(0, "invalid --stats '%s': use --stats or --stats=json", arg);
		break;
	}
	return 0;
}

int cli_parse_run(int argc, char **argv, char **host_env, struct container_config *cfg,
		  enum cli_action *action)
{
	static const struct option opts[] = {
	    {"hostname", required_argument, NULL, OPT_HOSTNAME},
	    {"env", required_argument, NULL, 'e'},
	    {"cwd", required_argument, NULL, 'w'},
	    {"volume", required_argument, NULL, 'v'},
	    {"read-only", no_argument, NULL, OPT_READ_ONLY},
	    {"persist", no_argument, NULL, OPT_PERSIST},
	    {"tty", no_argument, NULL, 't'},
	    {"no-tty", no_argument, NULL, 'T'},
	    {"timing", no_argument, NULL, OPT_TIMING},
	    {"memory", required_argument, NULL, OPT_MEMORY},
	    {"memory-swap", required_argument, NULL, OPT_MEMORY_SWAP},
	    {"cpus", required_argument, NULL, OPT_CPUS},
	    {"cpu-weight", required_argument, NULL, OPT_CPU_WEIGHT},
	    {"pids", required_argument, NULL, OPT_PIDS},
	    {"io-max", required_argument, NULL, OPT_IO_MAX},
	    {"cpuset", required_argument, NULL, OPT_CPUSET},
	    {"stats", optional_argument, NULL, OPT_STATS},
	    {"cap-add", required_argument, NULL, OPT_CAP_ADD},
	    {"cap-drop", required_argument, NULL, OPT_CAP_DROP},
	    {"privileged", no_argument, NULL, OPT_PRIVILEGED},
	    {"seccomp", required_argument, NULL, OPT_SECCOMP},
	    {"syscalls", required_argument, NULL, OPT_SYSCALLS},
	    {"trace", required_argument, NULL, OPT_TRACE},
	    {"device", required_argument, NULL, OPT_DEVICE},
	    {"userns", required_argument, NULL, OPT_USERNS},
	    {"uidmap", required_argument, NULL, OPT_UIDMAP},
	    {"gidmap", required_argument, NULL, OPT_GIDMAP},
	    {"net", required_argument, NULL, OPT_NET},
	    {"bridge", required_argument, NULL, OPT_BRIDGE},
	    {"subnet", required_argument, NULL, OPT_SUBNET},
	    {"ip", required_argument, NULL, OPT_IP},
	    {"help", no_argument, NULL, 'h'},
	    {"version", no_argument, NULL, 'V'},
	    {0},
	};
	static char *const default_cmd[] = {"/bin/sh", NULL};

	*cfg = (struct container_config){
	    .cwd = "/",
	    .hostname = "shikumi",
	    .tty = TTY_AUTO,
	    .umask = -1,
	    .namespaces = CLONE_NEWPID | CLONE_NEWNS | CLONE_NEWUTS | CLONE_NEWIPC | CLONE_NEWNET |
			  CLONE_NEWCGROUP,
	};
	cgroup_limits_init(&cfg->limits);
	cfg->caps = caps_default();
	cfg->seccomp = "default";
	*action = CLI_RUN;
	for (const char *const *e = cli_default_env; *e; e++)
		env_put(cfg, *e);

	optind = 0; /* GNU getopt: start afresh, so the parser can be called more than once */
	opterr = 0;
	struct net_args net = {0};
	int c, r;
	/* '+': stop at ROOTFS, so that the command's own options stay the command's. */
	while ((c = getopt_long(argc, argv, "+e:w:v:tThV", opts, NULL)) != -1) {
		switch (c) {
		case OPT_HOSTNAME:
			if (!hostname_valid(optarg))
				return err_set(0,
					       "invalid --hostname '%s': use 1-64 letters, digits, "
					       "'-' or '.'",
					       optarg);
			cfg->hostname = optarg;
			break;
		case 'e':
			if ((r = env_option(cfg, optarg, host_env)) < 0)
				return r;
			break;
		case 'w':
			if (optarg[0] != '/')
				return err_set(0, "invalid --cwd '%s': the path must be absolute",
					       optarg);
			cfg->cwd = optarg;
			break;
		case 'v':
			if ((r = volume_option(cfg, optarg)) < 0)
				return r;
			break;
		case OPT_PERSIST:
			cfg->persist = true;
			break;
		case OPT_READ_ONLY:
			cfg->read_only = true;
			break;
		case 't':
			cfg->tty = TTY_ON;
			break;
		case 'T':
			cfg->tty = TTY_OFF;
			break;
		case OPT_TIMING:
			cfg->timing = true;
			break;
		case OPT_CAP_ADD:
		case OPT_CAP_DROP: {
			int cap;
			if ((r = caps_parse(optarg, &cap)) < 0)
				return r;
			uint64_t bits = cap < 0 ? caps_all() : CAP_BIT(cap);
			cfg->caps = c == OPT_CAP_ADD ? cfg->caps | bits : cfg->caps & ~bits;
			break;
		}
		case OPT_DEVICE:
			if (strncmp(optarg, "/dev/", 5) || !optarg[5] || strchr(optarg + 5, '/'))
				return err_set(0, "invalid --device '%s': expected /dev/NAME",
					       optarg);
			if (cfg->n_devices >= CONFIG_MAX_DEVICES)
				return err_set(0, "too many devices (at most %d)",
					       CONFIG_MAX_DEVICES);
			cfg->devices[cfg->n_devices++] = optarg;
			break;
		case OPT_PRIVILEGED:
			cfg->privileged = true;
			break;
		case OPT_SECCOMP:
			if (!*optarg)
				return err_set(0,
					       "invalid --seccomp '': use default, off or a file");
			cfg->seccomp = optarg;
			break;
		case OPT_SYSCALLS:
			if (strcmp(optarg, "user") && strcmp(optarg, "kernel"))
				return err_set(0, "invalid --syscalls '%s': use kernel or user",
					       optarg);
			cfg->syscalls_user = !strcmp(optarg, "user");
			break;
		case OPT_TRACE:
			if (strcmp(optarg, "summary"))
				return err_set(0,
					       "invalid --trace '%s': only --trace=summary is "
					       "supported",
					       optarg);
			cfg->trace_summary = true;
			break;
		case OPT_USERNS:
			if (!strcmp(optarg, "private"))
				cfg->userns = USERNS_PRIVATE;
			else if (!strcmp(optarg, "host"))
				cfg->userns = USERNS_HOST;
			else
				return err_set(0, "invalid --userns '%s': use private or host",
					       optarg);
			break;
		case OPT_NET:
		case OPT_BRIDGE:
		case OPT_SUBNET:
		case OPT_IP:
			if ((r = net_option(&net, c, optarg)) < 0)
				return r;
			break;
		case OPT_UIDMAP:
		case OPT_GIDMAP:
			if ((r = map_option(cfg, c, optarg)) < 0)
				return r;
			break;
		case OPT_MEMORY:
		case OPT_MEMORY_SWAP:
		case OPT_CPU_WEIGHT:
		case OPT_PIDS:
		case OPT_CPUS:
		case OPT_IO_MAX:
		case OPT_CPUSET:
		case OPT_STATS:
			if ((r = limit_option(cfg, c, optarg)) < 0)
				return r;
			break;
		case 'h':
			*action = CLI_HELP;
			return 0;
		case 'V':
			*action = CLI_VERSION;
			return 0;
		case ':':
			return err_set(0, "option '%s' needs a value", argv[optind - 1]);
		default:
			if (optopt >= 256 || (optopt && strchr("ewv", optopt)))
				return err_set(0, "option '%s' needs a value", argv[optind - 1]);
			if (optopt)
				return err_set(0, "unknown option '-%c' (see shikumi run --help)",
					       optopt);
			return err_set(0, "unknown option '%s' (see shikumi run --help)",
				       argv[optind - 1]);
		}
	}
	if ((r = finish_net(cfg, &net)) < 0)
		return r;
	if (cfg->privileged) {
		cfg->caps = caps_all();
		cfg->seccomp = "off";
	}
	if (cfg->userns == USERNS_HOST && (cfg->n_uidmap || cfg->n_gidmap))
		return err_set(0, "--uidmap and --gidmap need a user namespace, not --userns=host");
	if ((r = finish_maps(cfg)) < 0)
		return r;
	if (optind >= argc)
		return err_set(0, "missing ROOTFS (see shikumi run --help)");
	cfg->rootfs = argv[optind++];
	cfg->argv = optind < argc ? &argv[optind] : default_cmd;
	if (!cfg->argv[0][0])
		return err_set(0, "the command is an empty string");
	return 0;
}
