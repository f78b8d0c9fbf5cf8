#include "cgroup.h"

#include "../common/proc.h"

#include "../common/err.h"
#include "../common/fd.h"
#include "../common/parse.h"

#include <ctype.h>
#include <dirent.h>
#include <fcntl.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/xattr.h>
#include <time.h>
#include <unistd.h>

static const char *const controller_names[] = {"cpu",	 "memory",  "pids", "io",
					       "cpuset", "hugetlb", "misc", "rdma"};
#define N_CONTROLLERS 8

/* The controller bit of a file name's prefix ("hugetlb" of "hugetlb.2MB.max"), or 0. */
static unsigned file_controller(const char *file)
{
	size_t n = strcspn(file, ".");
	for (unsigned i = 0; i < N_CONTROLLERS; i++)
		if (strlen(controller_names[i]) == n && !strncmp(file, controller_names[i], n))
			return 1u << i;
	return 0;
}

int cgroup_limits_add(struct cgroup_limits *l, const char *file, const char *value)
{
	size_t n = strlen(file);
	bool name_ok = n > 0 && n < sizeof(l->files[0].file) && !strstr(file, "..") &&
		       file[n - 1] != '.' && strchr(file, '.');
	for (const char *p = file; *p && name_ok; p++)
		name_ok = islower((unsigned char)*p) || isdigit((unsigned char)*p) || *p == '_' ||
			  *p == '.' || (*p >= 'A' && *p <= 'Z' && p > file + strcspn(file, "."));
	if (!name_ok || !file_controller(file))
		return err_set(0,
			       "'%s' is not a file of a cgroup controller shikumi knows (cpu, "
			       "memory, pids, io, cpuset, hugetlb, misc, rdma)",
			       file);
	size_t m = strlen(value);
	bool value_ok = m > 0 && m < sizeof(l->files[0].value);
	for (const char *p = value; *p && value_ok; p++)
		value_ok = isprint((unsigned char)*p);
	if (!value_ok)
		return err_set(0,
			       "the value for %s must be one line of printable characters, "
			       "at most %zu",
			       file, sizeof(l->files[0].value) - 1);
	if (l->n_files >= CGROUP_MAX_FILES)
		return err_set(0, "too many cgroup files (at most %d)", CGROUP_MAX_FILES);
	struct cgroup_file_write *w = &l->files[l->n_files++];
	memcpy(w->file, file, n + 1);
	memcpy(w->value, value, m + 1);
	return 0;
}

const char *cgroup_controller_name(unsigned bit)
{
	for (unsigned i = 0; i < N_CONTROLLERS; i++)
		if (bit == 1u << i)
			return controller_names[i];
	return "?";
}

void cgroup_limits_init(struct cgroup_limits *l)
{
	*l = (struct cgroup_limits){
	    .memory_max = -1, .memory_swap_max = -1, .cpu_quota_us = -1, .pids_max = -1};
}

unsigned cgroup_limits_controllers(const struct cgroup_limits *l)
{
	unsigned c = 0;
	if (l->memory_max >= 0 || l->memory_swap_max >= 0)
		c |= CG_MEMORY;
	if (l->cpu_quota_us >= 0 || l->cpu_weight > 0)
		c |= CG_CPU;
	if (l->pids_max >= 0)
		c |= CG_PIDS;
	if (l->io_max[0])
		c |= CG_IO;
	if (l->cpuset_cpus[0])
		c |= CG_CPUSET;
	for (size_t i = 0; i < l->n_files; i++)
		c |= file_controller(l->files[i].file);
	return c;
}

int cgroup_parse_cpus(const char *s, int64_t *quota_us)
{
	char *end;
	errno = 0;
	double v = strtod(s, &end);
	if (!*s || *end || errno || !isfinite(v) || !isdigit((unsigned char)*s))
		return err_set(0, "invalid --cpus '%s': expected a number of CPUs such as 0.5 or 2",
			       s);
	if (v < 0.01 || v > 1024)
		return err_set(0, "invalid --cpus '%s': must be between 0.01 and 1024", s);
	*quota_us = llround(v * CGROUP_CPU_PERIOD_US);
	return 0;
}

int cgroup_parse_io_max(const char *s, char *out, size_t n, unsigned *major, unsigned *minor)
{
	int used = 0;
	if (sscanf(s, "%u:%u%n", major, minor, &used) != 2 || (s[used] != ' ' && s[used]))
		return err_set(0, "invalid --io-max '%s': expected 'MAJ:MIN rbps=N wbps=N ...'", s);
	size_t len = (size_t)snprintf(out, n, "%u:%u", *major, *minor);
	char buf[160];
	snprintf(buf, sizeof(buf), "%s", s + used);
	int keys = 0;
	for (char *save, *tok = strtok_r(buf, " ", &save); tok; tok = strtok_r(NULL, " ", &save)) {
		char *eq = strchr(tok, '=');
		if (!eq)
			return err_set(0, "invalid --io-max '%s': '%s' is not KEY=VALUE", s, tok);
		*eq = '\0';
		bool bytes = !strcmp(tok, "rbps") || !strcmp(tok, "wbps");
		if (!bytes && strcmp(tok, "riops") && strcmp(tok, "wiops"))
			return err_set(0,
				       "invalid --io-max '%s': unknown key '%s' (rbps, wbps, "
				       "riops, wiops)",
				       s, tok);
		uint64_t v;
		if (!strcmp(eq + 1, "max"))
			len += (size_t)snprintf(out + len, n - len, " %s=max", tok);
		else if (parse_size(eq + 1, &v) < 0 || v == 0 ||
			 (!bytes && strpbrk(eq + 1, "kKmMgGtT")))
			return err_set(0, "invalid --io-max '%s': bad value for %s", s, tok);
		else
			len += (size_t)snprintf(out + len, n - len, " %s=%llu", tok,
						(unsigned long long)v);
		if (len >= n)
			return err_set(0, "invalid --io-max '%s': too long", s);
		keys++;
	}
	if (!keys)
		return err_set(
		    0, "invalid --io-max '%s': give at least one of rbps, wbps, riops, wiops", s);
	return 0;
}

int cgroup_parse_cpuset(const char *s, int ncpus)
{
	const char *p = s;
	if (!*p)
		return err_set(0, "invalid --cpuset '': expected a CPU list such as 0 or 0-2,4");
	while (*p) {
		char *end;
		if (!isdigit((unsigned char)*p))
			goto bad;
		long a = strtol(p, &end, 10), b = a;
		if (*end == '-') {
			if (!isdigit((unsigned char)end[1]))
				goto bad;
			b = strtol(end + 1, &end, 10);
		}
		if (b < a)
			goto bad;
		if (b >= ncpus)
			return err_set(
			    0,
			    "invalid --cpuset '%s': CPU %ld does not exist (this machine "
			    "has CPUs 0-%d)",
			    s, b, ncpus - 1);
		if (*end == ',' && end[1])
			end++;
		else if (*end)
			goto bad;
		p = end;
	}
	return 0;
bad:
	return err_set(0, "invalid --cpuset '%s': expected a CPU list such as 0 or 0-2,4", s);
}

int cgroup_find_mount(const char *mountinfo, char *out, size_t n)
{
	/* "36 25 0:30 / /sys/fs/cgroup rw,nosuid - cgroup2 cgroup2 rw": the mount point is the
	 * fifth field, the file system type follows the " - " separator. */
	for (const char *line = mountinfo; line && *line;) {
		const char *eol = strchrnul(line, '\n');
		char buf[1024];
		snprintf(buf, sizeof(buf), "%.*s", (int)(eol - line), line);
		char *sep = strstr(buf, " - ");
		char mnt[512];
		if (sep && !strncmp(sep + 3, "cgroup2 ", 8) &&
		    sscanf(buf, "%*s %*s %*s %*s %511s", mnt) == 1) {
			if (strlen(mnt) >= n)
				return err_set(ENAMETOOLONG, "cgroup2 mount point");
			strcpy(out, mnt);
			return 0;
		}
		line = *eol ? eol + 1 : NULL;
	}
	return -ENOENT;
}

int cgroup_parse_self(const char *proc_cgroup, char *out, size_t n)
{
	for (const char *line = proc_cgroup; line && *line;) {
		const char *eol = strchrnul(line, '\n');
		if (!strncmp(line, "0::", 3)) {
			int len = (int)(eol - line - 3);
			if ((size_t)len >= n)
				return err_set(ENAMETOOLONG, "own cgroup path");
			snprintf(out, n, "%.*s", len, line + 3);
			return 0;
		}
		line = *eol ? eol + 1 : NULL;
	}
	return err_set(ENOENT, "this process is in no cgroup v2 group");
}

/* ---- small file helpers ---- */

static int read_at(int dirfd, const char *name, char *buf, size_t n)
{
	autoclose int fd = openat(dirfd, name, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	ssize_t r = read(fd, buf, n - 1);
	if (r < 0)
		return -errno;
	buf[r] = '\0';
	return (int)r;
}

static int write_at(int dirfd, const char *name, const char *value)
{
	autoclose int fd = openat(dirfd, name, O_WRONLY | O_TRUNC | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	size_t len = strlen(value);
	return write(fd, value, len) == (ssize_t)len ? 0 : -errno;
}

static int read_path(const char *path, char *buf, size_t n)
{
	return read_at(AT_FDCWD, path, buf, n);
}

/* "key value" lines (cpu.stat, memory.events): the value of key, or -1. */
static int64_t kv_get(const char *text, const char *key)
{
	size_t k = strlen(key);
	for (const char *p = text; p && *p;) {
		if (!strncmp(p, key, k) && p[k] == ' ')
			return strtoll(p + k + 1, NULL, 10);
		p = strchr(p, '\n');
		p = p ? p + 1 : NULL;
	}
	return -1;
}

static bool word_in(const char *list, const char *word)
{
	size_t n = strlen(word);
	for (const char *p = list; (p = strstr(p, word)); p += n)
		if ((p == list || isspace((unsigned char)p[-1])) &&
		    (!p[n] || isspace((unsigned char)p[n])))
			return true;
	return false;
}

int cgroup_missing_controllers(const char *root, const char *rel, unsigned want, unsigned *missing)
{
	char path[PATH_MAX], buf[512];
	snprintf(path, sizeof(path), "%s%s/cgroup.controllers", root, rel);
	int r = read_path(path, buf, sizeof(buf));
	if (r < 0)
		return err_set(-r, "cannot read %s", path);
	*missing = 0;
	for (unsigned i = 0; i < N_CONTROLLERS; i++)
		if ((want & (1u << i)) && !word_in(buf, controller_names[i]))
			*missing |= 1u << i;
	return 0;
}

/* Enables each wanted controller in dir's cgroup.subtree_control that is not already on. */
static int enable_controllers(const char *dir, unsigned want)
{
	autoclose int fd = open(dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return err_set(errno, "cannot open %s", dir);
	char on[512];
	int r = read_at(fd, "cgroup.subtree_control", on, sizeof(on));
	if (r < 0)
		return err_set(-r, "cannot read %s/cgroup.subtree_control", dir);
	for (unsigned i = 0; i < N_CONTROLLERS; i++) {
		if (!(want & (1u << i)) || word_in(on, controller_names[i]))
			continue;
		char plus[16];
		snprintf(plus, sizeof(plus), "+%s", controller_names[i]);
		r = write_at(fd, "cgroup.subtree_control", plus);
		if (r == -EBUSY)
			return err_set(
			    0,
			    "cannot enable the %s controller in %s: that group holds "
			    "processes, and cgroup v2 gives controllers only to groups "
			    "without (the 'no internal processes' rule); run shikumi from "
			    "a delegated group, e.g. systemd-run --scope -p Delegate=yes",
			    controller_names[i], dir);
		if (r < 0)
			return err_set(-r, "cannot enable the %s controller in %s",
				       controller_names[i], dir);
	}
	return 0;
}

/* Every container's group carries this extended attribute, so that check_parent knows one
 * whatever its name and wherever its processes are; trusted.* needs CAP_SYS_ADMIN in the
 * host's user namespace to set or remove, which a container does not have (rootless, there is
 * none: the mark is left out) unless its config gives it CAP_SYS_ADMIN without a user
 * namespace: that container is the host's root (README), and can remove its mark, raise its
 * own limits through a cgroup2 mount of its own, or leave its group (third review). */
#define CONTAINER_XATTR "trusted.shikumi"

static void mark_container(int fd)
{
	(void)fsetxattr(fd, CONTAINER_XATTR, "container", 9, 0);
}

/* Groups are made and marked under this lock (root's; a rootless runtime, which sets no
 * mark, takes none): otherwise a cgroupsPath's check of a parent could fall between another
 * start's mkdir of that parent and its mark, and nest one container in the other (found by
 * the third review: 40 of 150 tries). -1 when there is no lock to take. */
static int lock_groups(void)
{
	if (geteuid() != 0)
		return -1;
	(void)mkdir(CGROUP_LOCK_DIR, 0700);
	int fd =
	    open(CGROUP_LOCK_DIR "/cgroup.lock", O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd >= 0 && flock(fd, LOCK_EX) < 0) {
		close(fd);
		fd = -1;
	}
	return fd;
}

/* Its own directory, ROOT/BASE/shikumi, whose groups are containers': no cgroupsPath may be
 * it or pass through it, and one that a config made a container's group (marked, or holding
 * processes) is not used (found by the third review: a config with cgroupsPath /shikumi,
 * started before any other container, had every later one made inside its group). */
static void own_dir(const char *root, const char *base, char *dir, size_t size)
{
	snprintf(dir, size, "%s%s/shikumi", root, strcmp(base, "/") ? base : "");
}

static int check_parent(const char *dir);

int cgroup_create(const char *root, const char *base, const char *name, unsigned controllers,
		  struct cgroup *cg)
{
	autoclose int lock = lock_groups();
	(void)lock; /* held until the return */
	char dir[PATH_MAX];
	cg->fd = -1;
	cg->top[0] = '\0';
	snprintf(dir, sizeof(dir), "%s%s", root, strcmp(base, "/") ? base : "");
	int r;
	if (controllers && (r = enable_controllers(dir, controllers)) < 0)
		return r;
	own_dir(root, base, dir, sizeof(dir));
	if (mkdir(dir, 0755) < 0) {
		if (errno != EEXIST)
			return err_set(errno, "cannot create %s", dir);
		if ((r = check_parent(dir)) < 0)
			return r;
	}
	if (controllers && (r = enable_controllers(dir, controllers)) < 0)
		return r;
	if ((size_t)snprintf(cg->path, sizeof(cg->path), "%s/%s", dir, name) >= sizeof(cg->path))
		return err_set(ENAMETOOLONG, "cgroup path");
	if (mkdir(cg->path, 0755) < 0)
		return err_set(errno, "cannot create the cgroup %s", cg->path);
	cg->fd = open(cg->path, O_RDONLY | O_DIRECTORY | O_CLOEXEC); /* clone3 refuses O_PATH */
	if (cg->fd < 0) {
		r = err_set(errno, "cannot open the cgroup %s", cg->path);
		rmdir(cg->path);
		return r;
	}
	mark_container(cg->fd);
	return 0;
}

int cgroup_check_path(const char *rel)
{
	if (strchr(rel, ':'))
		return err_set(0,
			       "'%s' looks like a systemd cgroup (slice:prefix:name), and "
			       "shikumi has no --systemd-cgroup: give a path",
			       rel);
	if (strchr(rel, '\n'))
		return err_set(0, "a cgroup path holds no newline");
	if (strlen(rel) >= 1024)
		return err_set(0, "longer than 1023 bytes");
	const char *p = rel[0] == '/' ? rel + 1 : rel;
	if (!*p)
		return err_set(0, "'%s' is the root of the hierarchy, not a group of its own", rel);
	for (;;) {
		size_t n = strcspn(p, "/");
		if (n == 0 || n > 255 || (n == 1 && p[0] == '.') ||
		    (n == 2 && p[0] == '.' && p[1] == '.'))
			return err_set(0,
				       "'%s': each part between slashes must be a name of 1 to 255 "
				       "bytes, not '.' or '..'",
				       rel);
		if (!p[n])
			return 0;
		p += n + 1;
	}
}

/* The parents cgroup_create_path made, from the group's own up to cg->top, while empty. */
static void remove_made_parents(struct cgroup *cg)
{
	if (!cg->top[0])
		return;
	char dir[PATH_MAX];
	snprintf(dir, sizeof(dir), "%s", cg->path);
	for (char *slash; (slash = strrchr(dir, '/')) && slash > dir;) {
		*slash = '\0';
		bool last = !strcmp(dir, cg->top);
		if (rmdir(dir) < 0 || last)
			break;
	}
	cg->top[0] = '\0';
}

/* An existing group on the way to a cgroupsPath must not be a running container's: nested in
 * it, the new container's processes would count against that one's limits (a config with no
 * limits of its own fills another's pids.max) and keep its group from being removed (found by
 * review). So a parent that holds processes of its own, or that is a shikumi container's group
 * (by its name or its mark: its processes may sit in groups they made below it, found by the
 * second review), is refused. */
static int check_parent(const char *dir)
{
	char procs[PATH_MAX + 16], buf[16];
	snprintf(procs, sizeof(procs), "%s/cgroup.procs", dir);
	const char *name = strrchr(dir, '/');
	bool container = (name && name - dir >= 8 && !strncmp(name - 8, "/shikumi", 8) &&
			  (!strncmp(name + 1, "oci-", 4) || !strncmp(name + 1, "run-", 4))) ||
			 getxattr(dir, CONTAINER_XATTR, buf, sizeof(buf)) >= 0;
	if (container || read_path(procs, buf, sizeof(buf)) > 0)
		return err_set(0,
			       "the cgroup %s holds a container's processes: a cgroupsPath may not "
			       "nest in another container's group",
			       dir);
	return 0;
}

int cgroup_create_path(const char *root, const char *base, const char *rel, unsigned controllers,
		       struct cgroup *cg)
{
	cg->fd = -1;
	cg->top[0] = '\0';
	int r = cgroup_check_path(rel);
	if (r < 0)
		return r;
	autoclose int lock = lock_groups();
	(void)lock; /* held until the return */
	char dir[PATH_MAX], own[PATH_MAX];
	own_dir(root, base, own, sizeof(own));
	size_t len = (size_t)snprintf(dir, sizeof(dir), "%s%s", root,
				      rel[0] == '/' || !strcmp(base, "/") ? "" : base);
	if (len + 1 + strlen(rel) >= sizeof(dir))
		return err_set(ENAMETOOLONG, "cgroup path");
	const char *p = rel[0] == '/' ? rel + 1 : rel;
	for (;;) {
		size_t n = strcspn(p, "/");
		if (controllers && (r = enable_controllers(dir, controllers)) < 0) {
			/* dir may be one made here: the clean-up starts at it */
			if (snprintf(cg->path, sizeof(cg->path), "%s/-", dir) >=
			    (int)sizeof(cg->path))
				cg->top[0] = '\0'; /* cannot happen: dir is shorter */
			break;
		}
		len += (size_t)snprintf(dir + len, sizeof(dir) - len, "/%.*s", (int)n, p);
		snprintf(cg->path, sizeof(cg->path), "%s", dir); /* the clean-up starts above */
		bool leaf = !p[n];
		if (!strcmp(dir, own)) {
			r = err_set(
			    0,
			    "the cgroup %s is shikumi's own, where it makes its containers' "
			    "groups: a cgroupsPath may not be it or go through it",
			    dir);
			break;
		}
		if (mkdir(dir, 0755) == 0) {
			if (leaf)
				break;
			if (!cg->top[0])
				snprintf(cg->top, sizeof(cg->top), "%s", dir);
		} else if (leaf && errno == EEXIST) {
			r = err_set(0, "the cgroup %s exists already (another container's?)", dir);
			break;
		} else if (errno != EEXIST) {
			r = err_set(errno, "cannot create %s", dir);
			break;
		} else if ((r = check_parent(dir)) < 0)
			break;
		p += n + 1;
	}
	if (r == 0) {
		cg->fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC); /* clone3 refuses O_PATH */
		if (cg->fd < 0) {
			r = err_set(errno, "cannot open the cgroup %s", dir);
			rmdir(dir);
		} else
			mark_container(cg->fd);
	}
	if (r < 0)
		remove_made_parents(cg);
	return r;
}

static int write_limit(const struct cgroup *cg, const char *file, const char *value)
{
	int r = write_at(cg->fd, file, value);
	if (r == -ENOENT && !strcmp(file, "memory.swap.max"))
		return err_set(0, "this kernel has no swap accounting (memory.swap.max): drop "
				  "--memory-swap");
	return r < 0 ? err_set(-r, "cannot write '%s' to %s/%s", value, cg->path, file) : 0;
}

int cgroup_set_limits(const struct cgroup *cg, const struct cgroup_limits *l)
{
	char v[64];
	int r = 0;
	/* Not limits the config asks for: bounds for the clean-up (remove_children), which a
	 * container that may mount cgroup2 could otherwise defeat with a tree deeper than it walks
	 * (found by review: every later start then spent 200 ms on the group it could not remove)
	 * or wider than its budget. Where the files cannot be written (rootless, old kernels)
	 * there is no bound; a container given CAP_SYS_ADMIN without a user namespace can raise
	 * them (it is the host's root), and remove_deep bounds its own time. */
	snprintf(v, sizeof(v), "%d", CGROUP_MAX_DEPTH);
	(void)write_at(cg->fd, "cgroup.max.depth", v);
	snprintf(v, sizeof(v), "%d", CGROUP_MAX_DESCENDANTS);
	(void)write_at(cg->fd, "cgroup.max.descendants", v);
	if (l->memory_max >= 0 && !r) {
		snprintf(v, sizeof(v), "%lld", (long long)l->memory_max);
		r = write_limit(cg, "memory.max", v);
	}
	if (l->memory_swap_max >= 0 && !r) {
		snprintf(v, sizeof(v), "%lld", (long long)l->memory_swap_max);
		r = write_limit(cg, "memory.swap.max", v);
	}
	if (l->cpu_quota_us >= 0 && !r) {
		snprintf(v, sizeof(v), "%lld %d", (long long)l->cpu_quota_us, CGROUP_CPU_PERIOD_US);
		r = write_limit(cg, "cpu.max", v);
	}
	if (l->cpu_weight > 0 && !r) {
		snprintf(v, sizeof(v), "%d", l->cpu_weight);
		r = write_limit(cg, "cpu.weight", v);
	}
	if (l->pids_max >= 0 && !r) {
		snprintf(v, sizeof(v), "%lld", (long long)l->pids_max);
		r = write_limit(cg, "pids.max", v);
	}
	if (l->io_max[0] && !r)
		r = write_limit(cg, "io.max", l->io_max);
	if (l->cpuset_cpus[0] && !r)
		r = write_limit(cg, "cpuset.cpus", l->cpuset_cpus);
	for (size_t i = 0; i < l->n_files && !r; i++)
		r = write_limit(cg, l->files[i].file, l->files[i].value);
	return r;
}

int cgroup_attach(const struct cgroup *cg, pid_t pid)
{
	char v[24];
	snprintf(v, sizeof(v), "%d", pid);
	int r = write_at(cg->fd, "cgroup.procs", v);
	return r < 0 ? err_set(-r, "cannot move process %d into %s", pid, cg->path) : 0;
}

int64_t cgroup_read_value(const struct cgroup *cg, const char *file)
{
	char buf[64];
	return read_at(cg->fd, file, buf, sizeof(buf)) > 0 ? strtoll(buf, NULL, 10) : -1;
}

int cgroup_read_stats(const struct cgroup *cg, struct cgroup_stats *st)
{
	char buf[4096];
	*st = (struct cgroup_stats){-1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1};
	st->memory_peak = cgroup_read_value(cg, "memory.peak");
	st->memory_current = cgroup_read_value(cg, "memory.current");
	st->pids_peak = cgroup_read_value(cg, "pids.peak");
	st->pids_current = cgroup_read_value(cg, "pids.current");
	if (read_at(cg->fd, "cpu.stat", buf, sizeof(buf)) > 0) {
		st->cpu_usage_us = kv_get(buf, "usage_usec");
		st->cpu_user_us = kv_get(buf, "user_usec");
		st->cpu_system_us = kv_get(buf, "system_usec");
		st->cpu_throttled_us = kv_get(buf, "throttled_usec");
		st->cpu_nr_throttled = kv_get(buf, "nr_throttled");
	}
	if (read_at(cg->fd, "memory.events", buf, sizeof(buf)) > 0) {
		st->oom = kv_get(buf, "oom");
		st->oom_kill = kv_get(buf, "oom_kill");
	}
	return 0;
}

int cgroup_freeze(const struct cgroup *cg, bool frozen)
{
	int r = write_at(cg->fd, "cgroup.freeze", frozen ? "1" : "0");
	return r < 0 ? err_set(-r, "cannot %s %s", frozen ? "freeze" : "thaw", cg->path) : 0;
}

static bool populated_at(int fd)
{
	char buf[256];
	if (read_at(fd, "cgroup.events", buf, sizeof(buf)) <= 0)
		return false;
	return kv_get(buf, "populated") == 1;
}

static bool populated(const struct cgroup *cg)
{
	return populated_at(cg->fd);
}

static void sleep_ms(long ms)
{
	struct timespec ts = {.tv_sec = ms / 1000, .tv_nsec = (ms % 1000) * 1000000};
	nanosleep(&ts, NULL);
}

int cgroup_kill(const struct cgroup *cg)
{
	int r = write_at(cg->fd, "cgroup.kill", "1");
	if (r != -ENOENT)
		return r < 0 ? err_set(-r, "cannot kill the processes of %s", cg->path) : 0;
	/* Before Linux 5.14: freeze, so nothing forks while we read the list; kill each. */
	bool frozen = cgroup_freeze(cg, true) == 0;
	for (int round = 0; round < 100; round++) {
		char buf[8192];
		if (read_at(cg->fd, "cgroup.procs", buf, sizeof(buf)) <= 0 || !buf[0])
			break;
		for (char *p = buf; *p;) {
			kill((pid_t)strtol(p, &p, 10), SIGKILL);
			while (*p == '\n')
				p++;
		}
		if (frozen)
			cgroup_freeze(cg, false); /* SIGKILL is delivered to frozen tasks on thaw */
		sleep_ms(1);
	}
	return 0;
}

/* A directory stream of its own for the directory at fd (which stays open), or NULL. */
static DIR *dir_at(int fd)
{
	int own = openat(fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	DIR *d = own < 0 ? NULL : fdopendir(own);
	if (!d && own >= 0)
		close(own);
	return d;
}

/* Removes the groups below group (an fd), deepest first. A container that may mount cgroup2 (one
 * given CAP_SYS_ADMIN) can make groups of its own inside its group, and rmdir of a group that has
 * children fails (EBUSY): before, such a group, its device program with it, stayed forever and
 * `delete` failed on it each time (found by review). Their processes are gone already
 * (cgroup.kill ends the whole subtree). depth bounds the recursion, well beyond the
 * cgroup.max.depth a container's group gets: a deeper tree is left, and the rmdir of its top
 * says so. */
static void remove_children(int group, int depth)
{
	DIR *d = depth <= 4 * CGROUP_MAX_DEPTH ? dir_at(group) : NULL;
	if (!d)
		return;
	struct dirent *e;
	while ((e = readdir(d))) {
		if (e->d_type != DT_DIR || !strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
			continue;
		int sub =
		    openat(dirfd(d), e->d_name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (sub >= 0) {
			remove_children(sub, depth + 1);
			close(sub);
		}
		unlinkat(dirfd(d), e->d_name, AT_REMOVEDIR);
	}
	closedir(d);
}

/* The first group below dir's fd, its name into name: an fd, or -1 when there is none. */
static int first_child(int dir, char *name, size_t n)
{
	int sub = -1;
	DIR *d = dir_at(dir);
	if (!d)
		return -1;
	for (struct dirent *e; sub < 0 && (e = readdir(d));)
		if (e->d_type == DT_DIR && strcmp(e->d_name, ".") && strcmp(e->d_name, "..")) {
			snprintf(name, n, "%s", e->d_name);
			sub = openat(dirfd(d), e->d_name,
				     O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		}
	closedir(d);
	return sub;
}

/* What remove_children left, a tree deeper than it walks (a container that raised its
 * cgroup.max.depth): one depth-first walk with two fds at most, down by the first child, up by
 * "..", each leaf removed from its parent as it is found, so each group costs a few steps
 * (before, every removal walked down again from the top: a chain 6000 deep took minutes, found
 * by the third review). At most `budget` groups, so that no tree holds the runtime for long.
 * ".." stays inside the tree: cgroup2 renames only within a parent, and depth stops the walk
 * at `group`. */
static void remove_deep(int group, int budget)
{
	int cur = openat(group, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	int depth = 0;
	char name[256], below[256];
	for (int steps = 0; cur >= 0 && budget > 0 && steps < 4 * budget; steps++) {
		int sub = first_child(cur, name, sizeof(name));
		if (sub < 0) { /* cur is empty now: back up to its parent, which removes it */
			if (depth == 0)
				break;
			int up = openat(cur, "..", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
			close(cur);
			cur = up;
			depth--;
			continue;
		}
		int grand = first_child(sub, below, sizeof(below));
		if (grand >= 0) { /* down */
			close(grand);
			close(cur);
			cur = sub;
			depth++;
			continue;
		}
		close(sub);
		if (unlinkat(cur, name, AT_REMOVEDIR) < 0)
			break;
		budget--;
	}
	if (cur >= 0)
		close(cur);
}

int cgroup_destroy(struct cgroup *cg)
{
	if (cg->fd < 0)
		return 0;
	int r = 0;
	if (populated(cg))
		r = cgroup_kill(cg);
	/* Emptying takes as long as the last process takes to exit: wait up to 5 s. */
	for (int i = 0; i < 5000 && populated(cg); i++)
		sleep_ms(1);
	remove_children(cg->fd, 0);
	remove_deep(cg->fd, 4096);
	close(cg->fd);
	cg->fd = -1;
	for (int i = 0; i < 1000; i++) {
		if (rmdir(cg->path) == 0 || errno == ENOENT) {
			remove_made_parents(cg);
			return r;
		}
		if (errno != EBUSY)
			break;
		sleep_ms(1);
	}
	return err_set(errno, "cannot remove the cgroup %s", cg->path);
}

int cgroup_run_name(char *buf, size_t n)
{
	unsigned long long start;
	int r = proc_start_time(getpid(), &start);
	if (r < 0)
		return r;
	if ((size_t)snprintf(buf, n, "run-%d-%llu", (int)getpid(), start) >= n)
		return err_set(ENOSPC, "the cgroup name does not fit");
	return 0;
}

/* Whether the runtime that named a group `name` (after "run-") is alive. "PID-START" is
 * judged by PID and start time, so a reused PID does not keep a dead group. A bare "PID"
 * (groups made before the start time was in the name) can only be judged by its command
 * name, as before. */
static bool group_owner_alive(const char *name, bool *ours)
{
	char *end;
	errno = 0;
	long pid = strtol(name, &end, 10);
	*ours = !errno && pid > 0 && pid <= INT32_MAX && end != name;
	if (!*ours)
		return true;
	if (*end == '-') {
		const char *t = end + 1;
		unsigned long long start = strtoull(t, &end, 10);
		*ours = !errno && *t >= '0' && *t <= '9' && !*end;
		return !*ours || proc_alive((pid_t)pid, start);
	}
	if (*end) {
		*ours = false;
		return true;
	}
	char path[64], comm[32] = "";
	snprintf(path, sizeof(path), "/proc/%ld/comm", pid);
	return read_path(path, comm, sizeof(comm)) > 0 && !strncmp(comm, "shikumi", 7);
}

int cgroup_remove_stale(const char *root, const char *base)
{
	char dir[PATH_MAX];
	snprintf(dir, sizeof(dir), "%s%s/shikumi", root, strcmp(base, "/") ? base : "");
	DIR *d = opendir(dir);
	if (!d)
		return errno == ENOENT ? 0 : err_set(errno, "cannot read %s", dir);
	int removed = 0;
	struct dirent *e;
	while ((e = readdir(d))) {
		bool ours;
		if (strncmp(e->d_name, "run-", 4) || group_owner_alive(e->d_name + 4, &ours) ||
		    !ours)
			continue;
		if (unlinkat(dirfd(d), e->d_name, AT_REMOVEDIR) == 0) {
			removed++;
			continue;
		}
		/* Processes a dead runtime left: kill them (where cgroup.kill exists, 5.14+),
		 * then wait a little for the group to empty; never long, since this runs on the
		 * way to starting a container. What still will not go is tried next start. */
		autoclose int g = openat(dirfd(d), e->d_name, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (g < 0)
			continue;
		/* Only a group with processes is worth waiting for: one that will not go for
		 * another reason (groups below it too deep to remove) costs one try a start. */
		bool busy = populated_at(g);
		if (busy) /* no cgroup.kill before 5.14: tried again next start */
			(void)write_at(g, "cgroup.kill", "1");
		for (int i = 0; i < (busy ? 200 : 1); i++) {
			remove_children(g, 0);
			remove_deep(g, 4096);
			if (unlinkat(dirfd(d), e->d_name, AT_REMOVEDIR) == 0) {
				removed++;
				break;
			}
			sleep_ms(1);
		}
	}
	closedir(d);
	return removed;
}
