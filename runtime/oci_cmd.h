/* The runc command line (what podman's conmon and containerd's shim call): global options,
 * then one of the lifecycle commands over the state directory (runtime/state.c). */
#ifndef SHIKUMI_OCI_CMD_H
#define SHIKUMI_OCI_CMD_H

#include <stdbool.h>

/* Whether argv[1] starts a runc-style command line (a global option or a lifecycle command
 * other than shikumi's own `run`). */
bool oci_cmd_wanted(int argc, char **argv);

/* Runs it; returns the exit status (0, or 1 with the error printed, and logged with --log). */
int oci_cmd_main(int argc, char **argv);

/* "TERM", "SIGTERM" or "15" -> 15; a negative errno with a message otherwise. */
int oci_parse_signal(const char *s);

#endif
