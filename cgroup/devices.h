/* The device cgroup of cgroup v2: an OCI config's linux.resources.devices rules as a BPF
 * program (cgroup/devices.bpf.c) attached to the container's group, which the kernel runs at
 * every open and mknod of a device node by a process in it. The rules go into the program's
 * read-only data before it is loaded; it holds no map the container could reach. */
#ifndef SHIKUMI_CGROUP_DEVICES_H
#define SHIKUMI_CGROUP_DEVICES_H

#include "devices_rule.h"

/* Loads the program with these rules and attaches it to the group (BPF_F_ALLOW_MULTI: a
 * program of a parent group still runs, and must allow too). Needs CAP_SYS_ADMIN (or CAP_BPF
 * and CAP_NET_ADMIN). Returns 0, or a negative errno with a message. */
int cgroup_devices_attach(int cgroup_fd, const struct devices_rules *rules);

#endif
