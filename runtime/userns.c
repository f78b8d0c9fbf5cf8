#include "userns.h"

#include "../common/err.h"
#include "../common/fd.h"

#include <fcntl.h>
#include <dirent.h>
#include <search.h>
#include <sys/sysmacros.h>
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

/* The shift in progress. The tree may have been prepared by an untrusted user who can
 * still change it while root walks it, so the walk is by fd: each directory is opened
 * O_NOFOLLOW from its parent's fd and every entry O_NOFOLLOW from its directory's fd, and
 * nothing is ever resolved by a path. A symlink planted in the tree, or a directory swapped
 * for one in the middle of the walk, therefore names only itself: it cannot redirect a
 * chown or a chmod to /etc/shadow or into a host directory. */
struct shift {
	uint32_t uid_from, gid_from, base;
	dev_t dev;	 /* where statx has no mount id (before Linux 5.8) */
	uint64_t mnt_id; /* the walk stays on ROOTFS's mount, as chown -R on one file system */
	bool check_only; /* the first pass: is every id in the range? */
	void *seen;	 /* tsearch tree of (dev, ino) already moved: a hard link is moved once */
	char path[PATH_MAX]; /* for messages only, never opened */
};

/* Deep enough for any real root file system; bounds the fds held open at once. */
#define SHIFT_MAX_DEPTH 256

struct inode_key {
	dev_t dev;
	ino_t ino;
};

static int inode_cmp(const void *a, const void *b)
{
	const struct inode_key *x = a, *y = b;
	if (x->dev != y->dev)
		return x->dev < y->dev ? -1 : 1;
	return x->ino < y->ino ? -1 : x->ino > y->ino ? 1 : 0;
}

/* Moves the owner of the file open as `fd` (O_PATH or not), after checking its ids. */
static int shift_fd(struct shift *sh, int fd, const struct statx *stx)
{
	/* Before the range check: a link to a file moved already has its new owner. */
	if (!sh->check_only && stx->stx_nlink > 1 && !S_ISDIR(stx->stx_mode)) {
		struct inode_key *k = malloc(sizeof(*k));
		if (!k)
			return err_set(ENOMEM, "cannot change the owner of '%s'", sh->path);
		*k = (struct inode_key){makedev(stx->stx_dev_major, stx->stx_dev_minor),
					stx->stx_ino};
		struct inode_key **found = tsearch(k, &sh->seen, inode_cmp);
		if (!found)
			return free(k),
			       err_set(ENOMEM, "cannot change the owner of '%s'", sh->path);
		if (*found != k) {
			free(k);
			return 0; /* another link to it was moved already */
		}
	}
	uint32_t u = stx->stx_uid - sh->uid_from, g = stx->stx_gid - sh->gid_from;
	if (stx->stx_uid < sh->uid_from || stx->stx_gid < sh->gid_from ||
	    u >= USERNS_DEFAULT_COUNT || g >= USERNS_DEFAULT_COUNT)
		return err_set(0,
			       "'%s' is owned by an id outside the range %" PRIu32 "-%" PRIu32
			       " that ROOTFS belongs to%s",
			       sh->path, sh->uid_from, sh->uid_from + USERNS_DEFAULT_COUNT - 1,
			       sh->check_only ? "; nothing was changed" : "");
	if (sh->check_only)
		return 0;
	/* AT_EMPTY_PATH: the file behind the fd itself; for a symlink opened O_PATH|O_NOFOLLOW
	 * that is the link, never its target. */
	if (fchownat(fd, "", sh->base + u, sh->base + g, AT_EMPTY_PATH) < 0)
		return err_set(errno, "cannot change the owner of '%s'", sh->path);
	/* chown clears the setuid and setgid bits of a non-directory: put them back, through
	 * the same fd (a regular file, opened for reading, so fchmod works on it). */
	if (S_ISREG(stx->stx_mode) && (stx->stx_mode & (S_ISUID | S_ISGID)) &&
	    fchmod(fd, stx->stx_mode & 07777) < 0)
		return err_set(errno, "cannot restore the mode of '%s'", sh->path);
	return 0;
}

static int shift_dir(struct shift *sh, int dirfd, int depth);

/* One entry of the directory open as `dirfd`. */
static int shift_entry(struct shift *sh, int dirfd, const char *name, unsigned char d_type,
		       int depth)
{
	size_t len = strlen(sh->path);
	if (snprintf(sh->path + len, sizeof(sh->path) - len, "/%s", name) >=
	    (int)(sizeof(sh->path) - len))
		return err_set(ENAMETOOLONG, "a path under ROOTFS is too long: '%s'", sh->path);
	/* A regular file is opened for reading (fchmod needs a real fd; O_NONBLOCK so that a
	 * FIFO swapped in cannot block), anything else as O_PATH, which opens no device.
	 * O_NOFOLLOW either way: a symlink is opened as itself, or refused. */
	int flags = O_NOFOLLOW | O_CLOEXEC;
	if (d_type == DT_DIR)
		flags |= O_RDONLY | O_DIRECTORY;
	else if (d_type == DT_REG)
		flags |= O_RDONLY | O_NONBLOCK | O_NOCTTY;
	else
		flags |= O_PATH;
	autoclose int fd = openat(dirfd, name, flags);
	if (fd < 0 && (errno == ELOOP || errno == ENOTDIR || errno == ENXIO))
		return err_set(errno, "'%s' changed while rootfs-chown walked it; run it again",
			       sh->path);
	if (fd < 0)
		return err_set(errno, "cannot open '%s'", sh->path);
	struct statx stx;
	if (statx(fd, "", AT_EMPTY_PATH, STATX_BASIC_STATS | STATX_MNT_ID, &stx) < 0)
		return err_set(errno, "cannot stat '%s'", sh->path);
	int r = 0;
	bool same_mount = (stx.stx_mask & STATX_MNT_ID)
			      ? stx.stx_mnt_id == sh->mnt_id
			      : makedev(stx.stx_dev_major, stx.stx_dev_minor) == sh->dev;
	if (!same_mount)
		; /* another mount: left as it is, as chown -R on one file system */
	else if ((S_ISDIR(stx.stx_mode) != (d_type == DT_DIR)) ||
		 (S_ISREG(stx.stx_mode) != (d_type == DT_REG)))
		r = err_set(0, "'%s' changed while rootfs-chown walked it; run it again", sh->path);
	else if ((r = shift_fd(sh, fd, &stx)) == 0 && S_ISDIR(stx.stx_mode))
		r = shift_dir(sh, fd, depth + 1);
	sh->path[len] = '\0';
	return r;
}

static int shift_dir(struct shift *sh, int dirfd, int depth)
{
	if (depth > SHIFT_MAX_DEPTH)
		return err_set(ELOOP, "'%s' is nested more than %d directories deep", sh->path,
			       SHIFT_MAX_DEPTH);
	/* fdopendir takes the fd it is given: a duplicate, so the caller's stays its own. */
	int dup = fcntl(dirfd, F_DUPFD_CLOEXEC, 0);
	if (dup < 0)
		return err_set(errno, "cannot read the directory '%s'", sh->path);
	DIR *d = fdopendir(dup);
	if (!d) {
		close(dup);
		return err_set(errno, "cannot read the directory '%s'", sh->path);
	}
	rewinddir(d);
	int r = 0;
	struct dirent *e;
	errno = 0;
	while (r == 0 && (e = readdir(d))) {
		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
			continue;
		unsigned char type = e->d_type;
		if (type == DT_UNKNOWN) {
			struct stat st;
			if (fstatat(dirfd, e->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0)
				r = err_set(errno, "cannot stat '%s/%s'", sh->path, e->d_name);
			type = S_ISDIR(st.st_mode) ? DT_DIR : S_ISREG(st.st_mode) ? DT_REG : DT_LNK;
		}
		if (r == 0)
			r = shift_entry(sh, dirfd, e->d_name, type, depth);
		errno = 0;
	}
	if (r == 0 && errno)
		r = err_set(errno, "cannot read the directory '%s'", sh->path);
	closedir(d);
	return r;
}

int userns_shift_tree(const char *root, uint32_t base)
{
	if ((uint64_t)base + USERNS_DEFAULT_COUNT > UINT32_MAX)
		return err_set(0, "invalid base %" PRIu32 ": the range goes past 4294967294", base);
	/* ROOTFS itself is the one path resolved, once; a final symlink is refused. */
	autoclose int fd = open(root, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	struct stat lst;
	if (fd < 0 && (errno == ENOTDIR || errno == ELOOP) && lstat(root, &lst) == 0 &&
	    S_ISLNK(lst.st_mode))
		return err_set(0, "ROOTFS '%s' is a symlink: give the directory it points to",
			       root);
	if (fd < 0 && errno == ENOTDIR)
		return err_set(0, "ROOTFS '%s' is not a directory", root);
	if (fd < 0)
		return err_set(errno, "ROOTFS '%s'", root);
	struct statx stx;
	if (statx(fd, "", AT_EMPTY_PATH, STATX_BASIC_STATS | STATX_MNT_ID, &stx) < 0)
		return err_set(errno, "ROOTFS '%s'", root);
	static struct shift sh;
	sh = (struct shift){.uid_from = stx.stx_uid,
			    .gid_from = stx.stx_gid,
			    .base = base,
			    .mnt_id = stx.stx_mnt_id,
			    .dev = makedev(stx.stx_dev_major, stx.stx_dev_minor)};
	snprintf(sh.path, sizeof(sh.path), "%s", root);
	size_t len = strlen(sh.path);
	while (len > 1 && sh.path[len - 1] == '/')
		sh.path[--len] = '\0';
	/* Two passes, so that a tree with a stray owner is refused before anything changes. */
	sh.check_only = true;
	int r = shift_dir(&sh, fd, 0);
	if (r < 0)
		return r;
	sh.check_only = false;
	r = shift_dir(&sh, fd, 0);
	/* ROOTFS itself last: its owner is what tells the range the tree comes from. */
	if (r == 0)
		r = shift_fd(&sh, fd, &stx);
	tdestroy(sh.seen, free);
	sh.seen = NULL;
	if (r < 0)
		return err_wrap(r, "rootfs-chown stopped part way: some files of '%s' were moved",
				root);
	return r;
}
