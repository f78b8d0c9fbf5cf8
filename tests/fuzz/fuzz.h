/* What the libFuzzer targets share: a check that stops the run at a broken promise (a
 * crash libFuzzer reports, with the input), and little-endian reads of the fuzzer's bytes. */
#ifndef SHIKUMI_FUZZ_H
#define SHIKUMI_FUZZ_H

#include <stdint.h>

#define CHECK(c)                                                                                   \
	do {                                                                                       \
		if (!(c))                                                                          \
			__builtin_trap();                                                          \
	} while (0)

static inline uint32_t le(const uint8_t *p, int n)
{
	uint32_t v = 0;
	for (int i = n - 1; i >= 0; i--)
		v = v << 8 | p[i];
	return v;
}

#endif
