/* shikumi: launch an isolated shell, as a container or (later) as a micro-VM, and compare. */
#include "../common/err.h"
#include "../common/timing.h"
#include "cli.h"
#include "container.h"
#include "userns.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#ifndef SHIKUMI_VERSION
#define SHIKUMI_VERSION "0.0.0-dev"
#endif

extern char **environ;

static void usage(FILE *f)
{
	fputs("Usage: shikumi COMMAND [OPTIONS] ...\n"
	      "\n"
	      "Commands:\n"
	      "  run ROOTFS [CMD...]   run CMD (default /bin/sh) in a container on ROOTFS\n"
	      "  rootfs-chown ROOTFS [BASE]\n"
	      "                        give ROOTFS to the id range from BASE (default 100000),\n"
	      "                        as --userns=private needs where idmapped mounts are not\n"
	      "                        supported; BASE 0 gives it back to root\n"
	      "\n"
	      "shikumi COMMAND --help shows the options of COMMAND.\n",
	      f);
}

static int fail(int code)
{
	fprintf(stderr, "shikumi: %s\n", err_msg());
	return code;
}

static int cmd_run(int argc, char **argv, uint64_t t_start)
{
	struct container_config cfg;
	enum cli_action action;
	if (cli_parse_run(argc, argv, environ, &cfg, &action) < 0)
		return fail(125);
	if (action == CLI_HELP) {
		cli_print_run_help(stdout);
		return 0;
	}
	if (action == CLI_VERSION) {
		printf("shikumi %s\n", SHIKUMI_VERSION);
		return 0;
	}
	if (cfg.tty == TTY_AUTO)
		cfg.tty = isatty(STDIN_FILENO) ? TTY_ON : TTY_OFF;
	if (cfg.tty == TTY_ON) {
		const char *term = getenv("TERM");
		static char term_env[128];
		snprintf(term_env, sizeof(term_env), "TERM=%s", term && *term ? term : "xterm");
		if (cli_env_default(&cfg, term_env) < 0)
			return fail(125);
	}
	int code;
	static struct container_host host;
	if (container_validate(&cfg, &host, &code) < 0)
		return fail(code);
	if (container_run(&cfg, &host, t_start, &code) < 0)
		return fail(code);
	return code;
}

static int cmd_rootfs_chown(int argc, char **argv)
{
	if (argc >= 2 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))) {
		puts(
		    "Usage: shikumi rootfs-chown ROOTFS [BASE]\n"
		    "\n"
		    "Moves the owners of every file in ROOTFS into the 65536 ids from BASE\n"
		    "(default 100000): a file of uid N (counted from ROOTFS's own owner) goes to\n"
		    "BASE+N, the same for groups. A container with --userns=private whose root is\n"
		    "BASE then sees its files owned by root, without an idmapped mount.\n"
		    "BASE 0 gives the tree back to the host's root.");
		return 0;
	}
	if (argc < 2 || argc > 3) {
		err_set(0, "usage: shikumi rootfs-chown ROOTFS [BASE]");
		return fail(2);
	}
	uint32_t base = USERNS_DEFAULT_BASE;
	if (argc == 3) {
		char *end;
		errno = 0;
		unsigned long long v = strtoull(argv[2], &end, 10);
		if (!argv[2][0] || *end || errno || argv[2][0] == '-' || v > UINT32_MAX) {
			err_set(0, "invalid BASE '%s': expected a uid such as 100000", argv[2]);
			return fail(2);
		}
		base = (uint32_t)v;
	}
	if (geteuid() != 0) {
		err_set(0, "rootfs-chown changes file owners, which needs root");
		return fail(1);
	}
	return userns_shift_tree(argv[1], base) < 0 ? fail(1) : 0;
}

int main(int argc, char **argv)
{
	uint64_t t_start = timing_now();
	if (argc < 2) {
		usage(stderr);
		return 125;
	}
	const char *cmd = argv[1];
	if (!strcmp(cmd, "run"))
		return cmd_run(argc - 1, argv + 1, t_start);
	if (!strcmp(cmd, "rootfs-chown"))
		return cmd_rootfs_chown(argc - 1, argv + 1);
	if (!strcmp(cmd, "--help") || !strcmp(cmd, "-h") || !strcmp(cmd, "help")) {
		usage(stdout);
		return 0;
	}
	if (!strcmp(cmd, "--version") || !strcmp(cmd, "-V")) {
		printf("shikumi %s\n", SHIKUMI_VERSION);
		return 0;
	}
	err_set(0, "unknown command '%s' (see shikumi --help)", cmd);
	return fail(125);
}
