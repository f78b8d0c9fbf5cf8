#include "timing.h"

#include <time.h>

uint64_t timing_now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

void timing_print(FILE *f, const char *phase, uint64_t start_ns, uint64_t end_ns)
{
	double ms = end_ns >= start_ns ? (double)(end_ns - start_ns) / 1e6 : 0.0;
	fprintf(f, "timing: %-14s %9.3f ms\n", phase, ms);
}
