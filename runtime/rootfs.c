#include "rootfs.h"

#include "../common/err.h"
#include "../common/fd.h"

#include <fcntl.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <linux/openat2.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

int rootfs_open(int rootfd, const char *path, int flags)
{
	struct open_how how = {
	    .flags = (unsigned long long)(flags | O_CLOEXEC),
	    .resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS,
	};
	while (*path == '/')
		path++;
	if (!*path)
		path = ".";
	int fd = (int)syscall(SYS_openat2, rootfd, path, &how, sizeof(how));
	return fd < 0 ? -errno : fd;
}

static int check_executable(int rootfd, const char *path)
{
	autoclose int fd = rootfs_open(rootfd, path, O_PATH);
	if (fd < 0)
		return fd;
	struct stat st;
	if (fstat(fd, &st) < 0)
		return -errno;
	if (!S_ISREG(st.st_mode) || !(st.st_mode & 0111))
		return -EACCES;
	return 0;
}

int rootfs_find_command(int rootfd, const char *command, const char *path_list, char *found,
			size_t n_found)
{
	int r = -ENOENT;
	if (strchr(command, '/')) {
		r = check_executable(rootfd, command);
		if (r == 0 && found)
			snprintf(found, n_found, "%s", command);
	} else {
		/* Like execvp: the first executable match wins; a non-executable one is
		 * remembered so that the error says "not executable" rather than "missing". */
		for (const char *p = path_list ? path_list : ""; *p && r != 0;) {
			size_t n = strcspn(p, ":");
			char path[PATH_MAX];
			if (n > 0 && (size_t)snprintf(path, sizeof(path), "%.*s/%s", (int)n, p,
						      command) < sizeof(path)) {
				int one = check_executable(rootfd, path);
				if (one == 0 || one == -EACCES)
					r = one;
				if (one == 0 && found)
					snprintf(found, n_found, "%s", path);
			}
			p += n + (p[n] == ':');
		}
	}
	if (r == -EACCES)
		err_set(0, "'%s' in ROOTFS is not an executable file", command);
	else if (r < 0)
		err_set(0, "ROOTFS lacks the command '%s'", command);
	return r < 0 && r != -EACCES ? -ENOENT : r;
}

int rootfs_make_mountpoint(int rootfd, const char *path, int as_file)
{
	char buf[PATH_MAX];
	if (strlen(path) >= sizeof(buf))
		return err_set(ENAMETOOLONG, "cannot create mount point %s", path);
	strcpy(buf, path);
	/* Walk the components: open each one in the root, create it when it is missing. */
	for (char *slash = buf; slash;) {
		slash = strchr(slash + 1, '/');
		if (slash)
			*slash = '\0';
		bool last = !slash;
		autoclose int fd = rootfs_open(rootfd, buf, O_PATH);
		if (fd == -ENOENT) {
			char *name = strrchr(buf, '/');
			*name = '\0';
			autoclose int dir = rootfs_open(rootfd, buf, O_PATH | O_DIRECTORY);
			*name = '/';
			if (dir < 0)
				return err_set(-dir, "cannot create mount point %s", path);
			int r = last && as_file ? mknodat(dir, name + 1, S_IFREG | 0644, 0)
						: mkdirat(dir, name + 1, 0755);
			if (r < 0 && errno != EEXIST)
				return err_set(errno, "cannot create mount point %s", path);
			fd = rootfs_open(rootfd, buf, O_PATH);
		}
		if (fd < 0)
			return err_set(-fd, "cannot create mount point %s", path);
		if (last)
			return fd_steal(&fd);
		*slash = '/';
	}
	return err_set(EINVAL, "cannot create mount point %s", path);
}
