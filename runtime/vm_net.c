#include "vm_net.h"

#include "../common/err.h"
#include "../common/fd.h"
#include "../common/timing.h"
#include "cli.h"
#include "net.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

int vm_net_parse(struct vm_net *n, const char *mode, const char *bridge, const char *subnet,
		 const char *ip)
{
	*n = (struct vm_net){.tap_fd = -1, .lease.path = ""};
	bool bridge_opts = bridge || subnet || ip;
	if (mode && strcmp(mode, "bridge") && strcmp(mode, "none"))
		return err_set(0, "invalid --net '%s': a VM takes bridge or none", mode);
	if (mode && !strcmp(mode, "none")) {
		if (bridge_opts)
			return err_set(0, "--%s is for --net bridge, not --net none",
				       ip	? "ip"
				       : subnet ? "subnet"
						: "bridge");
		return 0;
	}
	if (!mode && !bridge_opts)
		return 0;
	n->on = true;
	return cli_net_bridge(bridge, subnet, ip, &n->bridge, &n->subnet, &n->ip);
}

static void delete_stale_link(const struct lease *l)
{
	net_delete_link(l->veth);
}

int vm_net_setup(struct vm_net *n)
{
	if (!n->on)
		return 0;
	uint64_t t0 = timing_now();
	if (geteuid() != 0)
		return err_set(0, "--net bridge needs root: making a tap and attaching it to a "
				  "bridge takes CAP_NET_ADMIN on the host");
	int r = net_check_bridge(n->bridge, &n->subnet);
	if (r < 0)
		return r;
	snprintf(n->tap, sizeof(n->tap), "shkv%d", getpid());
	{
		/* Under the lock, as for a container: the bridge, stale leases (a killed
		 * runtime's or VM's) taken back, then this VM's address. */
		autoclose int lock = ipam_lock(n->bridge);
		if (lock < 0)
			return lock;
		if ((r = net_ensure_bridge(n->bridge, &n->subnet)) == 0 &&
		    (r = ipam_reclaim(lock, delete_stale_link)) == 0)
			r = ipam_take(lock, &n->subnet, n->ip, "shikumi-vm", getpid(), n->tap,
				      &n->lease);
		if (r < 0)
			return r;
	}
	/* The tap after the lock is let go (ipam_release takes it again): the lease is ours
	 * while this process lives, so nobody takes it back in between. */
	n->tap_fd = net_create_tap(n->bridge, n->tap);
	if (n->tap_fd < 0) {
		r = n->tap_fd;
		char msg[512];
		snprintf(msg, sizeof(msg), "%s", err_msg());
		ipam_release(n->bridge, &n->lease);
		return err_set(0, "%s", msg), r;
	}
	n->t_setup = timing_now() - t0;
	return 0;
}

int vm_net_cmdline(const struct vm_net *n, char *buf, size_t size)
{
	if (!n->on)
		return 0;
	char ip[16], gw[16];
	size_t len = strlen(buf);
	int w = snprintf(buf + len, size - len, " shikumi_ip=%s/%d shikumi_gw=%s",
			 ipam_format(n->lease.addr, ip), n->subnet.prefix,
			 ipam_format(ipam_gateway(&n->subnet), gw));
	if (w < 0 || (size_t)w >= size - len)
		return err_set(0, "the command for the VM is too long"), -E2BIG;
	return 0;
}

void vm_net_fd_arg(const struct vm_net *n, char *buf, size_t size)
{
	/* Locally administered (02), then "sk", then the address: one MAC per lease, the same
	 * one whenever the VM gets that address again (the host's neighbour tables agree). */
	uint32_t a = n->lease.addr;
	snprintf(buf, size, "%d,mac=02:73:%02x:%02x:%02x:%02x", n->tap_fd, a >> 24 & 0xff,
		 a >> 16 & 0xff, a >> 8 & 0xff, a & 0xff);
}

void vm_net_teardown(struct vm_net *n)
{
	if (!n->on)
		return;
	uint64_t t0 = timing_now();
	if (n->tap_fd >= 0)
		close(n->tap_fd);
	n->tap_fd = -1;
	/* Gone already with the VMM's file (a non-persistent tap): this only covers a VMM that
	 * left a child holding it, which ours never has. */
	net_delete_link(n->tap);
	ipam_release(n->bridge, &n->lease);
	n->t_teardown = timing_now() - t0;
}

void vm_net_print_timing(const struct vm_net *n)
{
	timing_print(stderr, "vm-net-setup", 0, n->t_setup);
	timing_print(stderr, "vm-net-teardown", 0, n->t_teardown);
}
