#include "proc.h"

#include "err.h"
#include "fd.h"

#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

int proc_start_time(pid_t pid, unsigned long long *out)
{
	char path[64], buf[1024];
	snprintf(path, sizeof(path), "/proc/%d/stat", pid);
	autoclose int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return err_set(errno == ENOENT ? ESRCH : errno, "cannot read %s", path);
	ssize_t n = read(fd, buf, sizeof(buf) - 1);
	if (n <= 0)
		return err_set(n < 0 ? errno : ESRCH, "cannot read %s", path);
	buf[n] = '\0';
	/* The command name may hold spaces and parentheses: count from the last ')'. */
	char *p = strrchr(buf, ')');
	unsigned long long start = 0;
	/* after ") ": state is field 3, starttime field 22 */
	if (!p || sscanf(p + 2,
			 "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %*u %*u %*d %*d %*d %*d "
			 "%*d %*d %llu",
			 &start) != 1)
		return err_set(EIO, "cannot parse %s", path);
	*out = start;
	return 0;
}

bool proc_alive(pid_t pid, unsigned long long start_time)
{
	unsigned long long t;
	return pid > 0 && proc_start_time(pid, &t) == 0 && t == start_time;
}

int read_text_file(const char *path, char *buf, size_t n)
{
	autoclose int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return err_set(errno, "cannot read %s", path);
	size_t len = 0;
	ssize_t r;
	while (len < n - 1 && (r = read(fd, buf + len, n - 1 - len)) > 0)
		len += (size_t)r;
	buf[len] = '\0';
	return 0;
}
