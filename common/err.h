/* Error reporting: every fallible function returns a negative errno value and leaves a
 * one-line message behind; only main() decides to print it and exit. */
#ifndef SHIKUMI_ERR_H
#define SHIKUMI_ERR_H

#include <errno.h>

/* Records "MESSAGE: strerror(errnum)" (or just MESSAGE when errnum is 0) and returns -errnum
 * (or -EINVAL when errnum is 0), so that a failure is reported and returned in one expression:
 *     return err_set(errno, "cannot open %s", path); */
int err_set(int errnum, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* The last message recorded, "" when none. */
const char *err_msg(void);

/* Replaces the message with "PREFIX: <old message>", keeping the error code. */
int err_wrap(int ret, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#endif
