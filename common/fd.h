/* Cleanup helpers: a variable declared with one of these is released when it goes out of
 * scope, so every early return is clean. */
#ifndef SHIKUMI_FD_H
#define SHIKUMI_FD_H

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

#endif
