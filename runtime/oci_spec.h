/* `shikumi spec`: a bundle's config.json that says what `shikumi run` does by default, as
 * `runc spec` writes runc's. oci_config_parse reads it back to the same container_config. */
#ifndef SHIKUMI_OCI_SPEC_H
#define SHIKUMI_OCI_SPEC_H

#include "config.h"

#include <stdbool.h>
#include <sys/types.h>

/* The config.json text for cfg (its argv, env, cwd, hostname, namespaces, capabilities,
 * read_only, limits) with root.path = rootfs. rootless adds a user namespace that maps uid
 * and gid 0 to uid and gid (as `runc spec --rootless`). Returns a malloc'd string, or NULL
 * with a message. */
char *oci_spec_render(const struct container_config *cfg, const char *rootfs, bool rootless,
		      uid_t uid, gid_t gid);

#endif
