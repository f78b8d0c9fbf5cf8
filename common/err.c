#include "err.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

/* One per thread: the VMM's vCPU threads can fail (a virtqueue a guest lied about) at the same
 * time, and each reads back only its own message. */
static __thread char err_buf[512];

int err_set(int errnum, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(err_buf, sizeof(err_buf), fmt, ap);
	va_end(ap);
	if (errnum > 0 && n >= 0 && (size_t)n < sizeof(err_buf))
		snprintf(err_buf + n, sizeof(err_buf) - (size_t)n, ": %s", strerror(errnum));
	return errnum > 0 ? -errnum : -EINVAL;
}

int err_wrap(int ret, const char *fmt, ...)
{
	char old[sizeof(err_buf)], prefix[sizeof(err_buf)];
	memcpy(old, err_buf, sizeof(old));
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(prefix, sizeof(prefix), fmt, ap);
	va_end(ap);
	snprintf(err_buf, sizeof(err_buf), "%.200s: %.300s", prefix, old);
	return ret;
}

const char *err_msg(void)
{
	return err_buf;
}
