#include "ipam.h"

#include "../common/proc.h"

#include "../common/err.h"
#include "../common/fd.h"

#include <arpa/inet.h>
#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

static uint32_t host_mask(int prefix)
{
	return prefix >= 32 ? 0 : 0xffffffffu >> prefix;
}

int ipam_parse_subnet(const char *s, struct subnet *out)
{
	char addr[32];
	const char *slash = strchr(s, '/');
	struct in_addr in;
	char *end;
	if (!slash || (size_t)(slash - s) >= sizeof(addr))
		return err_set(0, "invalid --subnet '%s': expected CIDR such as 10.89.0.0/24", s);
	memcpy(addr, s, (size_t)(slash - s));
	addr[slash - s] = '\0';
	errno = 0;
	long prefix = strtol(slash + 1, &end, 10);
	if (inet_pton(AF_INET, addr, &in) != 1 || !slash[1] || *end || errno || prefix < 0 ||
	    prefix > 32)
		return err_set(0, "invalid --subnet '%s': expected CIDR such as 10.89.0.0/24", s);
	if (prefix > 30)
		return err_set(0,
			       "invalid --subnet '%s': too small, a bridge and one container need "
			       "a /30 at least",
			       s);
	if (prefix < 8)
		return err_set(0, "invalid --subnet '%s': too large, use /8 to /30", s);
	uint32_t a = ntohl(in.s_addr);
	if (a & host_mask((int)prefix)) {
		char net[16];
		return err_set(
		    0, "invalid --subnet '%s': not a network address (did you mean %s/%ld?)", s,
		    ipam_format(a & ~host_mask((int)prefix), net), prefix);
	}
	out->network = a;
	out->prefix = (int)prefix;
	return 0;
}

uint32_t ipam_gateway(const struct subnet *sn)
{
	return sn->network + 1;
}

uint32_t ipam_broadcast(const struct subnet *sn)
{
	return sn->network | host_mask(sn->prefix);
}

char *ipam_format(uint32_t addr, char *buf)
{
	struct in_addr in = {.s_addr = htonl(addr)};
	inet_ntop(AF_INET, &in, buf, 16);
	return buf;
}

int ipam_parse_ip(const char *s, const struct subnet *sn, uint32_t *out)
{
	struct in_addr in;
	char net[16];
	if (inet_pton(AF_INET, s, &in) != 1)
		return err_set(0, "invalid --ip '%s': expected an IPv4 address such as 10.89.0.5",
			       s);
	uint32_t a = ntohl(in.s_addr);
	if ((a & ~host_mask(sn->prefix)) != sn->network)
		return err_set(0, "invalid --ip '%s': outside the subnet %s/%d", s,
			       ipam_format(sn->network, net), sn->prefix);
	if (a == sn->network || a == ipam_broadcast(sn))
		return err_set(0, "invalid --ip '%s': the %s address of %s/%d", s,
			       a == sn->network ? "network" : "broadcast",
			       ipam_format(sn->network, net), sn->prefix);
	if (a == ipam_gateway(sn))
		return err_set(0, "invalid --ip '%s': the bridge's own address", s);
	*out = a;
	return 0;
}

unsigned long long ipam_start_time(pid_t pid)
{
	unsigned long long t;
	return proc_start_time(pid, &t) < 0 ? 0 : t;
}

bool ipam_owner_alive(pid_t pid, unsigned long long start)
{
	return proc_alive(pid, start);
}

int ipam_lock(const char *bridge)
{
	char dir[PATH_MAX];
	if (mkdir("/run/shikumi", 0755) < 0 && errno != EEXIST)
		return err_set(errno, "cannot create /run/shikumi");
	if (mkdir(IPAM_STATE_DIR, 0755) < 0 && errno != EEXIST)
		return err_set(errno, "cannot create %s", IPAM_STATE_DIR);
	snprintf(dir, sizeof(dir), "%s/%s", IPAM_STATE_DIR, bridge);
	if (mkdir(dir, 0755) < 0 && errno != EEXIST)
		return err_set(errno, "cannot create %s", dir);
	autoclose int dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd < 0)
		return err_set(errno, "cannot open %s", dir);
	/* The lock file is never deleted: a lock on a file someone unlinked protects nothing. */
	int fd = openat(dfd, "lock", O_RDWR | O_CREAT | O_CLOEXEC, 0644);
	if (fd < 0)
		return err_set(errno, "cannot open %s/lock", dir);
	while (flock(fd, LOCK_EX) < 0) {
		if (errno != EINTR) {
			int e = errno;
			close(fd);
			return err_set(e, "cannot lock %s/lock", dir);
		}
	}
	return fd;
}

/* The directory the lock belongs to, from the lock fd. */
static int lock_dir(int lockfd, char *dir, size_t n)
{
	char link[FD_PATH_MAX];
	ssize_t len = readlink(fd_path(lockfd, link), dir, n - 1);
	if (len < 0)
		return -errno;
	dir[len] = '\0';
	char *slash = strrchr(dir, '/');
	if (slash)
		*slash = '\0';
	return 0;
}

int ipam_read_lease(const char *path, struct lease *out)
{
	FILE *f = fopen(path, "re");
	if (!f)
		return -errno;
	char line[256], addr[16];
	int r = -EINVAL;
	memset(out, 0, sizeof(*out));
	if (fgets(line, sizeof(line), f) &&
	    sscanf(line, "# shikumi lease: %15s pid %d start %llu veth %15s", addr, &out->owner,
		   &out->start, out->veth) == 4) {
		struct in_addr in;
		if (inet_pton(AF_INET, addr, &in) == 1) {
			out->addr = ntohl(in.s_addr);
			snprintf(out->path, sizeof(out->path), "%s", path);
			r = 0;
		}
	}
	fclose(f);
	return r;
}

int ipam_reclaim(int lockfd, void (*on_stale)(const struct lease *))
{
	char dir[PATH_MAX / 2], path[PATH_MAX];
	int r = lock_dir(lockfd, dir, sizeof(dir));
	if (r < 0)
		return err_set(-r, "cannot find the network state directory");
	DIR *d = opendir(dir);
	if (!d)
		return err_set(errno, "cannot read %s", dir);
	struct dirent *e;
	while ((e = readdir(d))) {
		if (e->d_name[0] < '0' || e->d_name[0] > '9')
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
		struct lease l;
		if (ipam_read_lease(path, &l) == 0 && ipam_owner_alive(l.owner, l.start))
			continue;
		if (on_stale && l.veth[0])
			on_stale(&l);
		unlink(path);
	}
	closedir(d);
	return 0;
}

int ipam_take(int lockfd, const struct subnet *sn, uint32_t want, const char *hostname, pid_t owner,
	      const char *veth, struct lease *out)
{
	char dir[PATH_MAX / 2], text[16], gw[16];
	int r = lock_dir(lockfd, dir, sizeof(dir));
	if (r < 0)
		return err_set(-r, "cannot find the network state directory");
	uint32_t first = want ? want : ipam_gateway(sn) + 1;
	uint32_t last = want ? want : ipam_broadcast(sn) - 1;
	for (uint32_t a = first; a <= last; a++) {
		snprintf(out->path, sizeof(out->path), "%s/%s", dir, ipam_format(a, text));
		/* O_EXCL: the file's existence is the claim, checked and made in one call. */
		autoclose int fd = open(out->path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
		if (fd < 0 && errno == EEXIST)
			continue;
		if (fd < 0)
			return err_set(errno, "cannot write the lease %s", out->path);
		out->addr = a;
		out->owner = owner;
		out->start = ipam_start_time(owner);
		snprintf(out->veth, sizeof(out->veth), "%s", veth);
		dprintf(fd,
			"# shikumi lease: %s pid %d start %llu veth %s\n"
			"127.0.0.1\tlocalhost\n"
			"::1\tlocalhost ip6-localhost ip6-loopback\n"
			"%s\t%s\n"
			"%s\tgateway\n",
			text, owner, out->start, veth, text, hostname,
			ipam_format(ipam_gateway(sn), gw));
		return 0;
	}
	out->path[0] = '\0';
	if (want)
		return err_set(EADDRINUSE, "--ip %s is taken by another container or VM",
			       ipam_format(want, text));
	return err_set(EADDRNOTAVAIL, "no free address left in %s/%d",
		       ipam_format(sn->network, text), sn->prefix);
}

void ipam_release(const char *bridge, struct lease *l)
{
	if (!l->path[0])
		return;
	autoclose int lock = ipam_lock(bridge);
	unlink(l->path);
	l->path[0] = '\0';
}
