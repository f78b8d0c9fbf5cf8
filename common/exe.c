#include "exe.h"

#include <stdio.h>
#include <string.h>
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
