#include "vm_net.h"

#include "../common/err.h"
#include "../common/fd.h"
#include "../common/timing.h"
#include "cli.h"
#include "net.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
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

static volatile sig_atomic_t vmm_pid;

static void forward(int sig)
{
	if (vmm_pid > 0)
		kill(vmm_pid, sig);
}

static void teardown(struct vm_net *n)
{
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

int vm_net_run(struct vm_net *n, char **args, bool timing)
{
	static const int sigs[] = {SIGINT, SIGTERM, SIGHUP, SIGQUIT};
	sigset_t block, old;
	sigemptyset(&block);
	for (size_t i = 0; i < sizeof(sigs) / sizeof(*sigs); i++)
		sigaddset(&block, sigs[i]);
	/* Blocked across the fork: the child execs with them pending and default, the parent
	 * forwards them once it knows the child's pid. */
	sigprocmask(SIG_BLOCK, &block, &old);
	pid_t parent = getpid();
	pid_t pid = fork();
	if (pid < 0) {
		err_set(errno, "cannot fork to run %s", args[0]);
		sigprocmask(SIG_SETMASK, &old, NULL);
		teardown(n);
		return 125;
	}
	if (pid == 0) {
		/* The VMM dies with its parent, and the tap with the VMM: a `shikumi vm` killed
		 * with SIGKILL leaves only a lease whose owner is gone, which the next start
		 * takes back. */
		if (prctl(PR_SET_PDEATHSIG, SIGKILL) < 0 || getppid() != parent)
			_exit(125);
		if (fcntl(n->tap_fd, F_SETFD, 0) < 0) /* the one fd that crosses the exec */
			_exit(125);
		sigprocmask(SIG_SETMASK, &old, NULL);
		execv(args[0], args);
		fprintf(stderr, "shikumi: cannot run %s: %s\n", args[0], strerror(errno));
		_exit(125);
	}
	vmm_pid = pid;
	close(n->tap_fd); /* the VMM's alone now: its exit removes the tap */
	n->tap_fd = -1;
	struct sigaction sa = {.sa_handler = forward};
	sigemptyset(&sa.sa_mask);
	for (size_t i = 0; i < sizeof(sigs) / sizeof(*sigs); i++)
		sigaction(sigs[i], &sa, NULL);
	sigprocmask(SIG_SETMASK, &old, NULL);
	int status = 0;
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	vmm_pid = 0;
	teardown(n);
	if (timing) {
		timing_print(stderr, "vm-net-setup", 0, n->t_setup);
		timing_print(stderr, "vm-net-teardown", 0, n->t_teardown);
	}
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}
