/* `shikumi run --stats`: what the container's cgroup counted, printed when it exits. */
#ifndef SHIKUMI_STATS_H
#define SHIKUMI_STATS_H

#include "../cgroup/cgroup.h"
#include "config.h"

#include <stdio.h>

/* Prints st as a table or as one JSON object (json-c). Values of -1 print as "n/a" / null:
 * this kernel or hierarchy does not count them. */
void stats_print(FILE *f, enum stats_format format, const struct cgroup_stats *st);

#endif
