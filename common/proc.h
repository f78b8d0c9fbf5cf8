/* Is the process that made something (a lease, a cgroup) still the one alive under its PID? */
#ifndef SHIKUMI_PROC_H
#define SHIKUMI_PROC_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

/* The file at path (a /proc or /sys one), at most n-1 bytes of it, into buf, NUL-ended.
 * Returns 0, or a negative errno with a message. */
int read_text_file(const char *path, char *buf, size_t n);

/* The start time of `pid` (field 22 of /proc/PID/stat, in clock ticks since boot): with the
 * PID it names one process, since a PID is reused but never with the same start time.
 * Returns 0, or a negative errno (-ESRCH when there is no such process) with a message. */
int proc_start_time(pid_t pid, unsigned long long *out);

/* Whether `pid` is alive and is the process that started at `start_time`. */
bool proc_alive(pid_t pid, unsigned long long start_time);

#endif
