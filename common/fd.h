/* Cleanup helpers: a variable declared with one of these is released when it goes out of
 * scope, so every early return is clean. */
#ifndef SHIKUMI_FD_H
#define SHIKUMI_FD_H

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

static inline void fd_closep(int *fd)
{
	if (*fd >= 0)
		close(*fd);
}

static inline void mem_freep(void *p)
{
	free(*(void **)p);
}

#define autoclose __attribute__((cleanup(fd_closep)))
#define autofree  __attribute__((cleanup(mem_freep)))

/* Hands ownership of an fd to the caller: the autoclose variable no longer closes it. */
static inline int fd_steal(int *fd)
{
	int r = *fd;
	*fd = -1;
	return r;
}

/* "/proc/self/fd/N": a path that names exactly what fd refers to, for calls (mount) that
 * take paths, not fds. */
#define FD_PATH_MAX 32
static inline char *fd_path(int fd, char buf[FD_PATH_MAX])
{
	snprintf(buf, FD_PATH_MAX, "/proc/self/fd/%d", fd);
	return buf;
}

/* open(2) of a command-line file, except that "/dev/fd/N" is fd N itself (a copy, close-on-exec),
 * not a reopening through /proc: shikumi's VMM jail (runtime/vmm_jail.c) opens the kernel,
 * initramfs and disk as root and hands them over as fds, to a VMM whose uid could not open
 * them and whose root holds none of them. `name` gets what to call the file in messages: the
 * path the fd was opened as (its /proc/self/fd link), or `path` itself. */
/* N of "/dev/fd/N", or -1 (another path). */
static inline int arg_fd(const char *path)
{
	int n = -1, used = 0;
	if (sscanf(path, "/dev/fd/%d%n", &n, &used) != 1 || path[used] || n < 0)
		return -1;
	return n;
}

static inline int open_arg(const char *path, int flags, char *name, size_t size)
{
	int n = arg_fd(path);
	snprintf(name, size, "%s", path);
	if (n < 0)
		return open(path, flags);
	int fl = fcntl(n, F_GETFL);
	if (fl < 0)
		return -1;
	if ((flags & O_ACCMODE) != O_RDONLY && (fl & O_ACCMODE) == O_RDONLY) {
		errno = EBADF; /* writing asked of an fd opened read-only */
		return -1;
	}
	char link[FD_PATH_MAX], real[4096];
	ssize_t len = readlink(fd_path(n, link), real, sizeof(real) - 1);
	if (len > 0) {
		real[len] = '\0';
		snprintf(name, size, "%s", real);
	}
	return fcntl(n, F_DUPFD_CLOEXEC, 3); /* never over stdio, were one of them closed */
}

#endif
