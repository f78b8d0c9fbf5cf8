/* Addresses for containers on a bridge: which subnet, which address is free, who holds one.
 *
 * The state lives in files under a directory per bridge (/run/shikumi/net/BRIDGE/): one
 * lease file per address in use, named by the address, and a lock file. Whoever allocates
 * takes flock(2) on the lock first, so two `shikumi run` started at the same instant see each
 * other's leases: the check and the claim are one step for everyone else (chapter 5 of the
 * book: exclusive control). A lease whose owner process is gone is stale and is taken back.
 * A lease file is also the container's /etc/hosts, so its first line is a comment. */
#ifndef SHIKUMI_IPAM_H
#define SHIKUMI_IPAM_H

#include <limits.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#define IPAM_STATE_DIR "/run/shikumi/net"

/* An IPv4 subnet, in host byte order: network address and prefix length. */
struct subnet {
	uint32_t network;
	int prefix;
};

/* Parses "A.B.C.D/N" (N from 8 to 30; the host bits must be zero). */
int ipam_parse_subnet(const char *s, struct subnet *out);

/* Parses an address for a container on `sn`: inside it, neither the network, the bridge's
 * own address (the first) nor the broadcast address. */
int ipam_parse_ip(const char *s, const struct subnet *sn, uint32_t *out);

uint32_t ipam_gateway(const struct subnet *sn);
uint32_t ipam_broadcast(const struct subnet *sn);
/* Dotted quad of a host-order address; buf holds at least 16 bytes. */
char *ipam_format(uint32_t addr, char *buf);

struct lease {
	uint32_t addr;
	pid_t owner;
	unsigned long long start; /* the owner's start time (/proc/PID/stat), against PID reuse */
	char veth[16];		  /* the host end of its veth pair */
	char path[PATH_MAX];	  /* the lease file; "" when none is held */
};

/* Opens (creating) the state directory of `bridge` and takes its lock. Returns the lock fd:
 * closing it releases the lock. */
int ipam_lock(const char *bridge);

/* Every lease in the directory whose owner is gone: calls on_stale(lease) (to remove its
 * veth), then deletes it. Call with the lock held. */
int ipam_reclaim(int lockfd, void (*on_stale)(const struct lease *));

/* Takes address `want` (0: the lowest free one) for process `owner`, writing the lease file
 * with the /etc/hosts lines for `hostname`. Call with the lock held. */
int ipam_take(int lockfd, const struct subnet *sn, uint32_t want, const char *hostname, pid_t owner,
	      const char *veth, struct lease *out);

/* Deletes the lease file (taking the lock itself). */
void ipam_release(const char *bridge, struct lease *l);

/* Reads a lease file's first line. */
int ipam_read_lease(const char *path, struct lease *out);

/* Whether process pid still exists and started at `start`. */
bool ipam_owner_alive(pid_t pid, unsigned long long start);

/* The start time of process pid (field 22 of /proc/PID/stat), 0 when it is gone. */
unsigned long long ipam_start_time(pid_t pid);

#endif
