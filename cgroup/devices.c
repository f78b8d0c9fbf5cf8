#include "devices.h"

#include "../common/err.h"

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

/* The program's ELF object, built by the Makefile and linked in (build/gen/devices_bpf.S). */
extern const unsigned char devices_bpf_elf[], devices_bpf_elf_end[];

/* libbpf's own messages: its last warning becomes part of ours, nothing goes to stderr. */
static char libbpf_last[256];
static int libbpf_print(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	if (level != LIBBPF_DEBUG) {
		vsnprintf(libbpf_last, sizeof(libbpf_last), fmt, ap);
		libbpf_last[strcspn(libbpf_last, "\n")] = '\0';
	}
	return 0;
}

int cgroup_devices_attach(int cgroup_fd, const struct devices_rules *rules)
{
	if (rules->n > DEVICES_MAX_RULES)
		return err_set(0, "too many device rules (at most %d)", DEVICES_MAX_RULES);
	libbpf_set_print(libbpf_print);
	libbpf_last[0] = '\0';
	LIBBPF_OPTS(bpf_object_open_opts, opts, .object_name = "shikumi_devices");
	struct bpf_object *obj = bpf_object__open_mem(
	    devices_bpf_elf, (size_t)(devices_bpf_elf_end - devices_bpf_elf), &opts);
	if (!obj)
		return err_set(errno, "cannot open the device cgroup program");
	int r = 0;
	struct bpf_map *data = bpf_object__find_map_by_name(obj, ".rodata");
	struct bpf_program *prog = bpf_object__find_program_by_name(obj, "shikumi_devices");
	size_t size = 0;
	if (!data || !prog || !bpf_map__initial_value(data, &size) || size != sizeof(*rules))
		r = err_set(0,
			    "the device cgroup program is not the one this shikumi was built with");
	else if ((r = bpf_map__set_initial_value(data, rules, sizeof(*rules))) < 0)
		r = err_set(-r, "cannot set the device rules");
	else if ((r = bpf_object__load(obj)) < 0)
		r = err_set(-r, "cannot load the device cgroup program%s%s",
			    libbpf_last[0] ? " (" : "", libbpf_last[0] ? libbpf_last : "");
	else if (bpf_prog_attach(bpf_program__fd(prog), cgroup_fd, BPF_CGROUP_DEVICE,
				 BPF_F_ALLOW_MULTI) < 0)
		r = err_set(errno, "cannot attach the device cgroup program");
	/* Attached, the group holds the program: the object's fds can go. */
	bpf_object__close(obj);
	return r;
}
