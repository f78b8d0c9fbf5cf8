/* OCI hooks (config.json's hooks): programs the runtime runs at points of the lifecycle, on
 * the host, as the runtime's own user (root), in the runtime's namespaces, with the state JSON
 * on stdin. By design a hook is as powerful as whoever wrote config.json: writing a config
 * with hooks is being root on the host. */
#ifndef SHIKUMI_HOOKS_H
#define SHIKUMI_HOOKS_H

#include "oci_config.h"

#include <stdbool.h>

/* Runs oc's hooks of kind in their order, each with state_json on stdin, each waited for
 * (killed past its timeout). The first that fails ends the run with a negative errno and one
 * line naming it ("hooks.createRuntime[0] (/bin/x): exited with status 3"); with warn_only
 * (poststart, poststop, as the spec asks) each failure is printed as a warning on stderr
 * instead, and the rest still run. */
int hooks_run(const struct oci_config *oc, enum oci_hook_kind kind, const char *state_json,
	      bool warn_only);

#endif
