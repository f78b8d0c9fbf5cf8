/* One in-memory description of a container. The command line fills it today; an OCI
 * config.json will fill the same struct later. The core never parses anything itself. */
#ifndef SHIKUMI_CONFIG_H
#define SHIKUMI_CONFIG_H

#include "../cgroup/cgroup.h"

#include <stdbool.h>
#include <stddef.h>

#define CONFIG_MAX_ENV	   256
#define CONFIG_MAX_VOLUMES 64
#define CONFIG_MAX_DEVICES 16

struct volume {
	const char *source; /* host path, must exist */
	const char *target; /* absolute path inside the container */
	bool read_only;
};

enum stats_format {
	STATS_NONE,
	STATS_TABLE,
	STATS_JSON,
};

enum tty_mode {
	TTY_AUTO, /* a pty when stdin is a terminal */
	TTY_ON,
	TTY_OFF,
};

struct container_config {
	const char *rootfs;
	char *const *argv; /* NULL-terminated; never empty after cli_parse */
	const char *env[CONFIG_MAX_ENV + 1];
	size_t n_env;
	const char *cwd;
	const char *hostname;
	struct volume volumes[CONFIG_MAX_VOLUMES];
	size_t n_volumes;
	const char *devices[CONFIG_MAX_DEVICES]; /* host device nodes given to the container */
	size_t n_devices;
	bool read_only;
	enum tty_mode tty;
	bool timing;
	unsigned namespaces; /* CLONE_NEW* flags */
	uint64_t caps;	     /* capabilities kept (CAP_BIT); the default set unless changed */
	bool privileged;     /* every capability, no seccomp, nothing masked: for demonstrations */
	const char *seccomp; /* "default", "off", or a profile file */
	struct cgroup_limits limits;
	enum stats_format stats; /* printed on stderr when the container exits */
};

#endif
