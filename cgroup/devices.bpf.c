/* The device cgroup program (BPF_PROG_TYPE_CGROUP_DEVICE), built with clang -target bpf and
 * loaded by cgroup/devices.c, which fills `rules` in before the load. The kernel calls it for
 * each open (read, write) and mknod of a device node by a process of the group; 1 lets it
 * through, 0 makes it fail with EPERM. */
#include <linux/bpf.h>

#include <bpf/bpf_helpers.h>

#include "devices_rule.h"

const volatile struct devices_rules rules;

SEC("cgroup/dev")
int shikumi_devices(struct bpf_cgroup_dev_ctx *ctx)
{
	unsigned int type = ctx->access_type & 0xffff, access = ctx->access_type >> 16;
	int allow = 0;
	for (unsigned int i = 0; i < DEVICES_MAX_RULES; i++) {
		if (i >= rules.n)
			break;
		const volatile struct devices_rule *r = &rules.rule[i];
		if (r->type != DEVICES_ANY_TYPE && r->type != type)
			continue;
		if ((r->major >= 0 && (unsigned int)r->major != ctx->major) ||
		    (r->minor >= 0 && (unsigned int)r->minor != ctx->minor))
			continue;
		if (r->allow ? (access & ~r->access) != 0 : (access & r->access) == 0)
			continue;
		allow = r->allow;
	}
	return allow;
}

char LICENSE[] SEC("license") = "GPL";
