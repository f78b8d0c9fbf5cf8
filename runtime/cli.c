#include "cli.h"

#include "../common/err.h"

#include <getopt.h>
#include <sched.h>
#include <string.h>

const char *const cli_default_env[] = {
    "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
    "HOME=/root",
    NULL,
};

void cli_print_run_help(FILE *f)
{
	fputs("Usage: shikumi run [OPTIONS] ROOTFS [COMMAND [ARG...]]\n"
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
	      "  -t, --tty             give the command a terminal (default: when stdin is one)\n"
	      "  -T, --no-tty          never give the command a terminal\n"
	      "      --timing            print each start-up phase and its duration on stderr\n"
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

/* Sets "K=V" in cfg->env, replacing an earlier value of K. */
static int env_put(struct container_config *cfg, const char *kv)
{
	size_t klen = strcspn(kv, "=");
	for (size_t i = 0; i < cfg->n_env; i++) {
		if (!strncmp(cfg->env[i], kv, klen) && cfg->env[i][klen] == '=') {
			cfg->env[i] = kv;
			return 0;
		}
	}
	if (cfg->n_env >= CONFIG_MAX_ENV)
		return err_set(0, "too many environment variables (at most %d)", CONFIG_MAX_ENV);
	cfg->env[cfg->n_env++] = kv;
	cfg->env[cfg->n_env] = NULL;
	return 0;
}

int cli_env_default(struct container_config *cfg, const char *kv)
{
	size_t klen = strcspn(kv, "=");
	for (size_t i = 0; i < cfg->n_env; i++)
		if (!strncmp(cfg->env[i], kv, klen) && cfg->env[i][klen] == '=')
			return 0;
	return env_put(cfg, kv);
}

static int env_option(struct container_config *cfg, const char *arg, char **host_env)
{
	size_t klen = strcspn(arg, "=");
	if (klen == 0)
		return err_set(0, "invalid --env '%s': expected NAME=VALUE or NAME", arg);
	if (arg[klen] == '=')
		return env_put(cfg, arg);
	for (char **e = host_env; e && *e; e++)
		if (!strncmp(*e, arg, klen) && (*e)[klen] == '=')
			return env_put(cfg, *e);
	return 0; /* "-e NAME" with NAME unset here: nothing to copy, as docker does */
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

int cli_parse_run(int argc, char **argv, char **host_env, struct container_config *cfg,
		  enum cli_action *action)
{
	enum { OPT_HOSTNAME = 256, OPT_READ_ONLY, OPT_TIMING };
	static const struct option opts[] = {
	    {"hostname", required_argument, NULL, OPT_HOSTNAME},
	    {"env", required_argument, NULL, 'e'},
	    {"cwd", required_argument, NULL, 'w'},
	    {"volume", required_argument, NULL, 'v'},
	    {"read-only", no_argument, NULL, OPT_READ_ONLY},
	    {"tty", no_argument, NULL, 't'},
	    {"no-tty", no_argument, NULL, 'T'},
	    {"timing", no_argument, NULL, OPT_TIMING},
	    {"help", no_argument, NULL, 'h'},
	    {"version", no_argument, NULL, 'V'},
	    {0},
	};
	static char *const default_cmd[] = {"/bin/sh", NULL};

	*cfg = (struct container_config){
	    .cwd = "/",
	    .hostname = "shikumi",
	    .tty = TTY_AUTO,
	    .namespaces = CLONE_NEWPID | CLONE_NEWNS | CLONE_NEWUTS | CLONE_NEWIPC | CLONE_NEWNET |
			  CLONE_NEWCGROUP,
	};
	*action = CLI_RUN;
	for (const char *const *e = cli_default_env; *e; e++)
		env_put(cfg, *e);

	optind = 0; /* GNU getopt: start afresh, so the parser can be called more than once */
	opterr = 0;
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
	if (optind >= argc)
		return err_set(0, "missing ROOTFS (see shikumi run --help)");
	cfg->rootfs = argv[optind++];
	cfg->argv = optind < argc ? &argv[optind] : default_cmd;
	if (!cfg->argv[0][0])
		return err_set(0, "the command is an empty string");
	return 0;
}
