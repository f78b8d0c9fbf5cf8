#include "exe.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

char *exe_sibling(const char *name, char *buf, size_t n)
{
	ssize_t len = readlink("/proc/self/exe", buf, n - 1);
	buf[len > 0 ? len : 0] = '\0';
	char *slash = strrchr(buf, '/');
	size_t at = slash ? (size_t)(slash - buf) + 1 : 0;
	snprintf(buf + at, n - at, "%s", name);
	return buf;
}

/* Relative to the program's own path, not a PREFIX compiled in: the same binaries then work
 * from DESTDIR (a package being built), from a root that dpkg unpacked elsewhere, and from
 * any PREFIX, without a rebuild. /proc/self/exe has its symlinks resolved already. */
char *exe_file(const char *name, char *buf, size_t n)
{
	if (access(exe_sibling(name, buf, n), F_OK) == 0)
		return buf;
	char installed[PATH_MAX], libdir[PATH_MAX];
	struct stat st;
	exe_sibling(EXE_LIBDIR, libdir, sizeof(libdir));
	if (stat(libdir, &st) < 0 || !S_ISDIR(st.st_mode))
		return buf;
	/* PREFIX/lib/shikumi/NAME rather than PREFIX/bin/../lib/shikumi/NAME, in messages too. */
	char *real = realpath(libdir, NULL);
	if ((size_t)snprintf(installed, sizeof(installed), "%s/%s", real ? real : libdir, name) < n)
		snprintf(buf, n, "%s", installed);
	free(real);
	return buf;
}
