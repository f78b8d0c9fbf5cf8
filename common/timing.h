/* Start-up phase timing on the monotonic clock, shared by the runtime and the VMM so that
 * `--timing` reads the same everywhere and `shikumi compare` can parse it. */
#ifndef SHIKUMI_TIMING_H
#define SHIKUMI_TIMING_H

#include <stdint.h>
#include <stdio.h>

/* Nanoseconds on CLOCK_MONOTONIC (one clock for every process on the machine, in every pid
 * namespace, so a child's timestamps can be compared with its parent's). */
uint64_t timing_now(void);

/* Prints "timing: PHASE  12.345 ms" to f: the one format every --timing output uses. */
void timing_print(FILE *f, const char *phase, uint64_t start_ns, uint64_t end_ns);

#endif
