/* The OCI front end's reader: a bundle's config.json (runtime-spec 1.0.2 / 1.1) turned into
 * the same struct container_config that `shikumi run`'s flags fill. Pure: it reads the text
 * it is given and nothing of the system, so every rule is unit-tested and fuzzed. What
 * shikumi cannot do is refused, never silently dropped: each error is one line that names the
 * JSON path ("config.json: process.args: must not be empty"). */
#ifndef SHIKUMI_OCI_CONFIG_H
#define SHIKUMI_OCI_CONFIG_H

#include "config.h"

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>

#define OCI_MAX_ARGS	  256
#define OCI_MAX_HOOKS	  8  /* of each kind */
#define OCI_HOOK_MAX_ARGS 64 /* and as many env entries */

struct json_object;

/* An OCI hook: a program the runtime runs on the host, as its own root, in its own
 * namespaces, with the container's state JSON on stdin (hooks.c). */
struct oci_hook {
	const char *path;			 /* absolute, on the host */
	const char *args[OCI_HOOK_MAX_ARGS + 1]; /* argv, args[0] included; {path} when none */
	const char *env[OCI_HOOK_MAX_ARGS + 1];	 /* the whole environment (empty when none) */
	int timeout;				 /* seconds, 0 for none */
};

/* The kinds shikumi runs, in the spec's order; createContainer and startContainer (run inside
 * the container's namespaces) are refused. */
enum oci_hook_kind {
	HOOK_PRESTART,
	HOOK_CREATE_RUNTIME,
	HOOK_POSTSTART,
	HOOK_POSTSTOP,
	HOOK_CREATE_CONTAINER, /* in the container's namespaces, before pivot_root (child.c) */
	HOOK_START_CONTAINER,  /* in the container, after `start`, before the command */
	HOOK_KINDS,
};

extern const char *const oci_hook_names[HOOK_KINDS];

struct oci_config {
	struct container_config cfg;
	struct json_object *doc; /* the parsed document: cfg's strings point into it */
	char rootfs[PATH_MAX];	 /* root.path, made relative to the bundle's directory */
	char *argv[OCI_MAX_ARGS + 1];
	char sources[CONFIG_MAX_VOLUMES][PATH_MAX]; /* bind sources relative to the bundle */
	bool terminal;				    /* process.terminal */
	struct json_object *annotations;	    /* in doc, or NULL */
	struct oci_hook hooks[HOOK_KINDS][OCI_MAX_HOOKS];
	size_t n_hooks[HOOK_KINDS];
};

/* Parses text (len bytes, not NUL-terminated) as bundle's config.json into oc. Returns 0, or
 * a negative errno with one line naming the JSON path; oci_config_free must be called either
 * way. */
int oci_config_parse(const char *text, size_t len, const char *bundle, struct oci_config *oc);

/* Reads BUNDLE/config.json and parses it. */
int oci_config_load(const char *bundle, struct oci_config *oc);

void oci_config_free(struct oci_config *oc);

#endif
