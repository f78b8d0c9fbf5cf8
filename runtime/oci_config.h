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

#define OCI_MAX_ARGS 256

struct json_object;

struct oci_config {
	struct container_config cfg;
	struct json_object *doc; /* the parsed document: cfg's strings point into it */
	char rootfs[PATH_MAX];	 /* root.path, made relative to the bundle's directory */
	char *argv[OCI_MAX_ARGS + 1];
	char sources[CONFIG_MAX_VOLUMES][PATH_MAX]; /* bind sources relative to the bundle */
	bool terminal;				    /* process.terminal */
	struct json_object *annotations;	    /* in doc, or NULL */
};

/* Parses text (len bytes, not NUL-terminated) as bundle's config.json into oc. Returns 0, or
 * a negative errno with one line naming the JSON path; oci_config_free must be called either
 * way. */
int oci_config_parse(const char *text, size_t len, const char *bundle, struct oci_config *oc);

/* Reads BUNDLE/config.json and parses it. */
int oci_config_load(const char *bundle, struct oci_config *oc);

void oci_config_free(struct oci_config *oc);

#endif
