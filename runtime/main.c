/* shikumi: launch an isolated shell, as a container or (later) as a micro-VM, and compare. */
#include "../common/err.h"
#include "../common/timing.h"
#include "cli.h"
#include "container.h"

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
