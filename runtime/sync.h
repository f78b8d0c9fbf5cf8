/* The socket between the runtime (outside) and the container's init (inside). SOCK_SEQPACKET,
 * so each message arrives whole; close-on-exec, so it closes by itself when the command is
 * exec'd, and a dead peer reads as end-of-file. */
#ifndef SHIKUMI_SYNC_H
#define SHIKUMI_SYNC_H

#include <stddef.h>
#include <stdint.h>

enum sync_type {
	SYNC_GO = 1, /* runtime -> init: the outside is ready (maps, network), go on */
	SYNC_ERROR,  /* init -> runtime: setup failed, text says why; code is the exit status */
	SYNC_PTY,    /* init -> runtime: the pty master, passed as SCM_RIGHTS */
	SYNC_TIMING, /* init -> runtime: the timestamps of the phases inside */
	SYNC_READY,  /* init -> runtime (`create`): set up, waiting for `start` */
	SYNC_NOTIFY, /* command -> runtime (--syscalls=user): the seccomp listener, SCM_RIGHTS */
};

enum sync_phase {
	PHASE_CHILD_START,
	PHASE_NAMESPACES,
	PHASE_OVERLAY, /* the root layer is made */
	PHASE_MOUNTS,
	PHASE_PIVOT_ROOT,
	PHASE_FORKED,  /* the command's process exists */
	PHASE_SECCOMP, /* privileges dropped, filter loaded */
	PHASE_EXEC,
	PHASE_COUNT,
};

struct sync_msg {
	uint32_t type;
	int32_t code;
	uint64_t t[PHASE_COUNT];
	uint32_t net_addr, net_gateway; /* SYNC_GO with --net bridge: eth0's address (host order) */
	int32_t net_prefix;
	int32_t pid; /* SYNC_GO: the init's pid on the host (for the hooks' state) */
	char text[400];
};

/* Sends msg, with fd attached when fd >= 0. Returns 0 or a negative errno. */
int sync_send(int sock, const struct sync_msg *msg, int fd);

/* The same for any len bytes at buf (a console socket's peer reads no sync_msg). */
int sync_send_bytes(int sock, const void *buf, size_t len, int fd);

/* Receives one message; *fd gets an attached fd or -1. Returns 1 for a message, 0 when the
 * peer is gone, or a negative errno. */
int sync_recv(int sock, struct sync_msg *msg, int *fd);

#endif
