/* `shikumi vm --net bridge`: the VM on the containers' bridge.
 *
 *   host:   shikumi0 (bridge, 10.89.0.1/24) ─┬─ shkPID  (veth) ── a container's eth0
 *                                             └─ shkvPID (tap)  ── the VM's eth0 (virtio-net)
 *
 * The front end (this process, root) does what takes privilege: it leases the address from
 * the same IPAM as the containers (ipam.c, so the two never collide), makes the tap (net.c)
 * a port of the bridge, and hands shikumi-vmm the tap's file descriptor (--net-fd), as
 * Firecracker is handed a tap. The guest's /init (rootfs/guest-init) configures eth0 from
 * shikumi_ip= and shikumi_gw= on the kernel command line: the kernel passes a NAME=VALUE it
 * does not know to /init as an environment variable.
 *
 * Teardown: the tap is not persistent, so it goes when shikumi-vmm, its last holder, exits,
 * whatever ends it. This process stays as shikumi-vmm's parent (vmm_launch, vmm_jail.c) to
 * release the lease then. If it is killed, the VMM gets
 * SIGKILL too (PR_SET_PDEATHSIG): the tap goes with it, and the lease, whose owner is now
 * gone, is taken back by the next `shikumi run`/`shikumi vm --net bridge` on that bridge, as a
 * killed container's is. */
#ifndef SHIKUMI_VM_NET_H
#define SHIKUMI_VM_NET_H

#include "ipam.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct vm_net {
	bool on; /* --net bridge */
	const char *bridge;
	struct subnet subnet;
	uint32_t ip; /* asked for; 0: the next free */
	int tap_fd;
	char tap[16];
	struct lease lease;
	uint64_t t_setup, t_teardown; /* for --timing */
};

/* Checks --net MODE (bridge or none; NULL: bridge when any of the others is given, else
 * none), --bridge, --subnet and --ip, each NULL when absent. Nothing is created. */
int vm_net_parse(struct vm_net *n, const char *mode, const char *bridge, const char *subnet,
		 const char *ip);
/* Checks what needs the host (root, the bridge's subnet), then leases an address and makes
 * the tap. On failure nothing is left. */
int vm_net_setup(struct vm_net *n);
/* Appends " shikumi_ip=ADDR/PREFIX shikumi_gw=GATEWAY" for the guest's /init. */
int vm_net_cmdline(const struct vm_net *n, char *buf, size_t size);
/* The --net-fd argument for shikumi-vmm: "FD,mac=..." (the MAC made from the address). */
void vm_net_fd_arg(const struct vm_net *n, char *buf, size_t size);
/* Once the VMM has exited: the tap (if still there) and the lease go. Nothing without --net. */
void vm_net_teardown(struct vm_net *n);
/* --timing's vm-net-setup and vm-net-teardown lines. */
void vm_net_print_timing(const struct vm_net *n);

#endif
