/* The device nodes every container gets in its /dev: nothing that reaches real hardware. One
 * table for the mount table (mounts.c) and the config reader (an OCI linux.devices entry on
 * one of these paths must be the same node). */
#ifndef SHIKUMI_STD_DEVICES_H
#define SHIKUMI_STD_DEVICES_H

static const struct {
	const char *name;
	unsigned major, minor;
} std_devices[] = {
    {"null", 1, 3},   {"zero", 1, 5},	 {"full", 1, 7},
    {"random", 1, 8}, {"urandom", 1, 9}, {"tty", 5, 0},
};

#endif
