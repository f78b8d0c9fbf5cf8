/* The `shikumi run` command line, turned into a struct container_config. Pure: no system
 * state is read or changed, so every rule here is unit-tested. */
#ifndef SHIKUMI_CLI_H
#define SHIKUMI_CLI_H

#include "config.h"

#include <stdio.h>

enum cli_action {
	CLI_RUN,
	CLI_HELP,
	CLI_VERSION,
};

/* Fills cfg from "run"'s arguments (argv[0] is "run"). host_env supplies the value of
 * "-e NAME" (no '='), as docker does; it may be NULL. Returns 0 or a negative errno with a
 * message naming the bad argument. The strings in cfg point into argv or host_env. */
int cli_parse_run(int argc, char **argv, char **host_env, struct container_config *cfg,
		  enum cli_action *action);

/* The --bridge, --subnet and --ip of `--net bridge` (each NULL when not given), checked and
 * with their defaults (shikumi0, 10.89.0.0/24, *ip_out 0 for "the next free address"); for a
 * container and for `shikumi vm` alike. */
int cli_net_bridge(const char *bridge, const char *subnet, const char *ip, const char **bridge_out,
		   struct subnet *sn, uint32_t *ip_out);

/* The default environment every container starts with, before -e. */
extern const char *const cli_default_env[];

void cli_print_run_help(FILE *f);

/* The value of NAME in cfg's environment, or NULL. */
const char *cli_env_get(const struct container_config *cfg, const char *name);

/* Adds "K=V" to cfg's environment unless K is set already (by default or by -e). */
int cli_env_default(struct container_config *cfg, const char *kv);

#endif
