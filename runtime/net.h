/* Container networking, through libnl-route (rtnetlink): the host's bridge, a veth pair per
 * container, and the container's side of it (lo, eth0, its address and default route).
 *
 *   host:      shikumi0 (bridge, 10.89.0.1/24) ── shkPID (veth, a port of the bridge)
 *                                                    │
 *   container:                                     eth0 (10.89.0.N/24, default via .1)
 */
#ifndef SHIKUMI_NET_H
#define SHIKUMI_NET_H

#include "ipam.h"

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#define NET_DEFAULT_BRIDGE "shikumi0"
#define NET_DEFAULT_SUBNET "10.89.0.0/24"

/* Whether `name` can name a network interface (1-15 characters, no '/', ':' or space). */
bool net_name_valid(const char *name);

/* Checks that `bridge` is a bridge serving `sn`, or does not exist yet (it will be made).
 * Nothing is created. */
int net_check_bridge(const char *bridge, const struct subnet *sn);

/* With the lease lock held: creates the bridge with the subnet's first address and brings it
 * up, unless it is there already. */
int net_ensure_bridge(const char *bridge, const struct subnet *sn);

/* Creates the veth pair `host_name` <-> eth0, with eth0 in the network namespace of process
 * pid and the host end a port of `bridge`, up. */
int net_create_veth(const char *bridge, const char *host_name, pid_t pid);

/* Creates the tap device `name` (IFF_TAP, IFF_NO_PI), a port of `bridge`, up, for a VM.
 * Returns the tap's file descriptor (close-on-exec; the tap goes when the last one closes),
 * or a negative errno with a message. */
int net_create_tap(const char *bridge, const char *name);

/* Deletes a link by name; one that is already gone is no error. */
void net_delete_link(const char *name);

/* Inside the container's network namespace: lo up (unless `lo_down`), and when addr is not 0
 * eth0 with addr/prefix, up, and a default route via gateway. */
int net_configure_inside(bool lo_down, uint32_t addr, int prefix, uint32_t gateway);

#endif
