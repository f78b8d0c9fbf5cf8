/* Small parsers shared by the runtime, the cgroup library and the VMM. Pure functions. */
#ifndef SHIKUMI_PARSE_H
#define SHIKUMI_PARSE_H

#include <stdint.h>

/* "64M", "1G", "4096", "512k" -> bytes (K, M, G, T are powers of 1024; an optional trailing
 * "B" or "iB" is accepted). Returns 0, or -EINVAL/-ERANGE with a message: a size above
 * INT64_MAX bytes is -ERANGE, so that no caller can wrap it to a negative. */
int parse_size(const char *s, uint64_t *out);

/* "SIGTERM", "TERM", "term" or "15" -> 15. Returns 0 or -EINVAL with a message. */
int parse_signal(const char *s, int *out);

/* The name of a signal without "SIG" ("TERM"), or NULL when unknown. */
const char *signal_name(int sig);

/* A wait(2) status turned into a shell's $?: the exit code, or 128+N for signal N. */
int exit_code_from_wait_status(int status);

#endif
