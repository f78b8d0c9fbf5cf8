#include "userns.h"

#include "../common/err.h"
#include "../common/fd.h"

#include <fcntl.h>
#include <ftw.h>
#include <grp.h>
#include <inttypes.h>
#include <limits.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

static bool parse_u32(const char *s, char **end, uint32_t *out)
{
	if (*s < '0' || *s > '9')
		return false;
	errno = 0;
	unsigned long long v = strtoull(s, end, 10);
	if (errno || v > UINT32_MAX)
		return false;
	*out = (uint32_t)v;
	return true;
}

int userns_parse_map(const char *name, const char *spec, struct id_map *out)
{
	char *p;
	if (!parse_u32(spec, &p, &out->inside) || *p != ':' ||
	    !parse_u32(p + 1, &p, &out->outside) || *p != ':' ||
	    !parse_u32(p + 1, &p, &out->count) || *p)
		return err_set(0, "invalid %s '%s': expected INSIDE:OUTSIDE:COUNT", name, spec);
	if (out->count == 0)
		return err_set(0, "invalid %s '%s': the count must be at least 1", name, spec);
	if ((uint64_t)out->inside + out->count > UINT32_MAX ||
	    (uint64_t)out->outside + out->count > UINT32_MAX)
		return err_set(0, "invalid %s '%s': the range goes past 4294967294", name, spec);
	return 0;
}

uint32_t userns_host_id(const struct id_map *maps, size_t n, uint32_t inside)
{
	for (size_t i = 0; i < n; i++)
		if (inside >= maps[i].inside && inside - maps[i].inside < maps[i].count)
			return maps[i].outside + (inside - maps[i].inside);
	return UINT32_MAX;
}

int userns_subid_range(const char *file, const char *name, uint32_t id, uint32_t *start,
		       uint32_t *count)
{
	FILE *f = fopen(file, "re");
	if (!f)
		return -ENOENT;
	char line[256], idtext[16];
	snprintf(idtext, sizeof(idtext), "%" PRIu32, id);
	int r = -ENOENT;
	while (r < 0 && fgets(line, sizeof(line), f)) {
		char *colon = strchr(line, ':'), *p;
		if (!colon)
			continue;
		*colon = '\0';
		if (strcmp(line, idtext) && (!name || strcmp(line, name)))
			continue;
		if (parse_u32(colon + 1, &p, start) && *p == ':' && parse_u32(p + 1, &p, count) &&
		    *count > 0)
			r = 0;
	}
	fclose(f);
	return r;
}

static int format_map(const struct id_map *m, size_t n, const char *sep, char *buf, size_t len)
{
	size_t used = 0;
	buf[0] = '\0';
	for (size_t i = 0; i < n; i++) {
		int w = snprintf(buf + used, len - used, "%s%" PRIu32 " %" PRIu32 " %" PRIu32,
				 i ? sep : "", m[i].inside, m[i].outside, m[i].count);
		if (w < 0 || (size_t)w >= len - used)
			return -ENOSPC;
		used += (size_t)w;
	}
	return 0;
}

static int write_proc(pid_t pid, const char *file, const char *text)
{
	char path[64];
	snprintf(path, sizeof(path), "/proc/%d/%s", pid, file);
	autoclose int fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	/* One write: the kernel takes a map whole or not at all. */
	ssize_t w = write(fd, text, strlen(text));
	return w < 0 ? -errno : w == (ssize_t)strlen(text) ? 0 : -EIO;
}

/* Runs `tool PID INSIDE OUTSIDE COUNT...`; on failure the message is the tool's own. */
static int run_helper(const char *tool, pid_t pid, const char *map)
{
	char cmd[1024], out[512] = "";
	snprintf(cmd, sizeof(cmd), "%d %s", pid, map);
	char *argv[3 * CONFIG_MAX_IDMAPS + 3] = {(char *)tool};
	int argc = 1;
	for (char *tok = strtok(cmd, " "); tok && argc < (int)(sizeof(argv) / sizeof(*argv)) - 1;
	     tok = strtok(NULL, " "))
		argv[argc++] = tok;
	int pipefd[2];
	if (pipe2(pipefd, O_CLOEXEC) < 0)
		return err_set(errno, "cannot run %s", tool);
	pid_t child = fork();
	if (child == 0) {
		dup2(pipefd[1], STDERR_FILENO);
		dup2(pipefd[1], STDOUT_FILENO);
		execvp(tool, argv);
		dprintf(STDERR_FILENO, "%s", strerror(errno));
		_exit(127);
	}
	close(pipefd[1]);
	ssize_t n = child < 0 ? -1 : read(pipefd[0], out, sizeof(out) - 1);
	close(pipefd[0]);
	if (child < 0)
		return err_set(errno, "cannot run %s", tool);
	int status;
	while (waitpid(child, &status, 0) < 0 && errno == EINTR)
		;
	if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
		return 0;
	out[n > 0 ? n : 0] = '\0';
	out[strcspn(out, "\n")] = '\0';
	if (WIFEXITED(status) && WEXITSTATUS(status) == 127)
		return err_set(0, "cannot run %s (apt-get install uidmap): %s", tool, out);
	return err_set(0, "%s refused the map '%s': %s", tool, map, out);
}

int userns_write_maps(pid_t pid, const struct id_map *uids, size_t n_uids,
		      const struct id_map *gids, size_t n_gids, bool helpers, bool deny_setgroups)
{
	char uid_text[512], gid_text[512];
	int r;
	if (format_map(uids, n_uids, helpers ? " " : "\n", uid_text, sizeof(uid_text)) < 0 ||
	    format_map(gids, n_gids, helpers ? " " : "\n", gid_text, sizeof(gid_text)) < 0)
		return err_set(ENOSPC, "the id maps are too long");
	if (helpers) {
		if ((r = run_helper("newuidmap", pid, uid_text)) < 0)
			return r;
		return run_helper("newgidmap", pid, gid_text);
	}
	if ((r = write_proc(pid, "uid_map", uid_text)) < 0) {
		format_map(uids, n_uids, ", ", uid_text, sizeof(uid_text));
		return err_set(-r, "the kernel refused the uid map '%s'", uid_text);
	}
	/* Without this an unprivileged caller may not write a gid map: a process could
	 * otherwise drop a group it was denied access by. */
	if (deny_setgroups && (r = write_proc(pid, "setgroups", "deny")) < 0)
		return err_set(-r, "cannot deny setgroups in the new user namespace");
	if ((r = write_proc(pid, "gid_map", gid_text)) < 0) {
		format_map(gids, n_gids, ", ", gid_text, sizeof(gid_text));
		return err_set(-r, "the kernel refused the gid map '%s'", gid_text);
	}
	return 0;
}

int userns_idmapped_tree(pid_t pid, const char *path)
{
	char ns_path[64];
	snprintf(ns_path, sizeof(ns_path), "/proc/%d/ns/user", pid);
	autoclose int userns = open(ns_path, O_RDONLY | O_CLOEXEC);
	if (userns < 0)
		return err_set(errno, "cannot open the container's user namespace");
	/* A detached copy of the bind mount: idmapping it changes nothing the host sees. */
	autoclose int tree =
	    (int)syscall(SYS_open_tree, AT_FDCWD, path, OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC);
	if (tree < 0)
		return err_set(errno, "cannot clone a mount of ROOTFS '%s'", path);
	struct mount_attr attr = {.attr_set = MOUNT_ATTR_IDMAP, .userns_fd = (uint64_t)userns};
	if (syscall(SYS_mount_setattr, tree, "", AT_EMPTY_PATH, &attr, sizeof(attr)) < 0) {
		return err_set(errno,
			       "cannot make an idmapped mount of ROOTFS '%s' (its file system or "
			       "this kernel does not support it); give the rootfs to the range "
			       "instead: shikumi rootfs-chown %s %u",
			       path, path, USERNS_DEFAULT_BASE);
	}
	return fd_steal(&tree);
}

int userns_become_root(void)
{
	if (setresgid(0, 0, 0) < 0)
		return err_set(errno, "cannot become gid 0 in the user namespace");
	/* Drop the host's supplementary groups; refused (and harmless) where setgroups was
	 * denied, since then the kernel forbids adding any either. */
	if (setgroups(0, NULL) < 0 && errno != EPERM)
		return err_set(errno, "cannot clear the supplementary groups");
	if (setresuid(0, 0, 0) < 0)
		return err_set(errno, "cannot become uid 0 in the user namespace");
	return 0;
}

/* nftw takes no context pointer: the shift in progress. */
static struct {
	uint32_t uid_from, gid_from, base;
	bool check_only; /* the first pass: is every id in the range? */
	char bad[PATH_MAX];
} shift;

static int shift_one(const char *path, const struct stat *st, int type, struct FTW *ftw)
{
	(void)type;
	(void)ftw;
	uint32_t u = (uint32_t)st->st_uid - shift.uid_from,
		 g = (uint32_t)st->st_gid - shift.gid_from;
	if (st->st_uid < shift.uid_from || st->st_gid < shift.gid_from ||
	    u >= USERNS_DEFAULT_COUNT || g >= USERNS_DEFAULT_COUNT) {
		snprintf(shift.bad, sizeof(shift.bad), "%s", path);
		return -EDOM;
	}
	if (shift.check_only)
		return 0;
	if (lchown(path, shift.base + u, shift.base + g) < 0)
		return -errno;
	/* chown clears setuid and setgid bits: put them back. */
	if (!S_ISLNK(st->st_mode) && (st->st_mode & (S_ISUID | S_ISGID)) &&
	    chmod(path, st->st_mode & 07777) < 0)
		return -errno;
	return 0;
}

int userns_shift_tree(const char *root, uint32_t base)
{
	struct stat st;
	if (lstat(root, &st) < 0)
		return err_set(errno, "ROOTFS '%s'", root);
	if (!S_ISDIR(st.st_mode))
		return err_set(0, "ROOTFS '%s' is not a directory", root);
	if ((uint64_t)base + USERNS_DEFAULT_COUNT > UINT32_MAX)
		return err_set(0, "invalid base %" PRIu32 ": the range goes past 4294967294", base);
	shift.uid_from = st.st_uid;
	shift.gid_from = st.st_gid;
	shift.base = base;
	/* Two passes, so that a tree with a stray owner is refused before anything changes. */
	shift.check_only = true;
	int r = nftw(root, shift_one, 64, FTW_PHYS | FTW_MOUNT);
	if (r == -EDOM)
		return err_set(0,
			       "'%s' is owned by an id outside the range %" PRIu32 "-%" PRIu32
			       " that ROOTFS belongs to; nothing was changed",
			       shift.bad, shift.uid_from,
			       shift.uid_from + USERNS_DEFAULT_COUNT - 1);
	shift.check_only = false;
	if (r == 0)
		r = nftw(root, shift_one, 64, FTW_PHYS | FTW_MOUNT);
	if (r < 0)
		return err_set(r == -1 ? errno : -r, "cannot change the owner of files in '%s'",
			       root);
	return 0;
}
