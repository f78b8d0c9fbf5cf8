/* Fault points for the fail-closed test (tests/integration/test_faults.sh): in the build made
 * with -DSHIKUMI_FAULTS (build/tests/shikumi-faults, never the installed shikumi),
 * SHIKUMI_FAULT=NAME makes the step NAME fail with EIO, and SHIKUMI_FAULT=list names each
 * point on stderr as it is reached. In every other build a fault point is nothing. */
#ifndef SHIKUMI_FAULT_H
#define SHIKUMI_FAULT_H

#ifdef SHIKUMI_FAULTS
#include "../common/err.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static inline int fault_point(const char *name)
{
	const char *want = getenv("SHIKUMI_FAULT");
	if (want && !strcmp(want, "list"))
		dprintf(STDERR_FILENO, "shikumi: fault point %s\n", name);
	return want && !strcmp(want, name) ? err_set(EIO, "fault injected") : 0;
}
#else
static inline int fault_point(const char *name)
{
	(void)name;
	return 0;
}
#endif

#endif
