/* The OCI front end's record of each container, one directory per container under the
 * state root (`--root DIR`, default /run/shikumi/containers): state.json, written whole to a
 * temporary file and renamed over the old one, so that a reader (or a runtime killed halfway)
 * sees the old state or the new one, never half of either. Every command that reads and then
 * changes a container holds flock on its directory. */
#ifndef SHIKUMI_STATE_H
#define SHIKUMI_STATE_H

#include <limits.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#define STATE_DEFAULT_ROOT "/run/shikumi/containers"
#define STATE_ID_MAX	   256
/* The bundle's config.json as create read it, kept for `exec` (which must give a new process
 * what the container's got, whatever the bundle holds by then). */
#define STATE_CONFIG "config.json"

struct oci_state {
	char id[STATE_ID_MAX];
	char bundle[PATH_MAX];	/* absolute */
	pid_t pid;		/* the container's init on the host; 0 before the clone */
	uint64_t pid_start;	/* its start time (/proc/PID/stat), so a reused pid is not it */
	char cgroup[PATH_MAX];	/* the container's group, removed at delete; "" when none */
	uint64_t cgroup_ino;	/* its inode (on cgroup2, its id): a group made again at that
				 * path is not it; 0 in a state from before it was kept */
	bool started;		/* `start` released the command */
	char created[40];	/* when create began, RFC 3339 UTC */
	char annotations[8192]; /* config.json's annotations as JSON text, "" for none */
};

/* Container ids as runc takes them: 1 to STATE_ID_MAX-1 of letters, digits, '_', '+', '-',
 * '.', and never "." or "..", so that an id is always one directory name under the root. */
int state_id_check(const char *id);

/* Opens (create: makes, failing with -EEXIST when it exists) ROOT/ID, making ROOT (0700) when
 * needed, and locks it (flock, exclusive). Returns the directory's fd or a negative errno. */
int state_open(const char *root, const char *id, bool create);

int state_write(int dirfd, const struct oci_state *st);
int state_read(int dirfd, struct oci_state *st);

/* The start time of pid (field 22 of /proc/PID/stat), or 0 when it does not exist. */
uint64_t state_pid_start(pid_t pid);

/* "creating" (no init yet), "created", "running", "paused" (its group frozen) or "stopped": whether
 * the init recorded is still the same live process, and whether it was started. */
const char *state_status(const struct oci_state *st);

/* The runtime-spec state JSON (ociVersion, id, status, pid, bundle, annotations); malloc'd. */
char *state_render(const struct oci_state *st);

/* The same with `status` as given (the createContainer and startContainer hooks' state, made
 * inside the container where the init's host pid cannot be checked). */
char *state_render_as(const struct oci_state *st, const char *status);

/* Removes ROOT/ID and what is in it (the caller holds its lock). */
int state_remove(const char *root, const char *id, int dirfd);

#endif
