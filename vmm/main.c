/* shikumi-vmm: boot a guest on KVM and connect its serial console to this terminal. */
#include "../common/err.h"
#include "cli.h"
#include "vm.h"

#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#ifndef SHIKUMI_VERSION
#define SHIKUMI_VERSION "0.0.0-dev"
#endif

/* --tiny without --kernel: guest/tiny.bin beside this program (build/ in a checkout). */
static const char *default_tiny(void)
{
	static char path[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", path, sizeof(path) - 32);
	if (n <= 0)
		return "build/guest/tiny.bin";
	path[n] = '\0';
	char *slash = strrchr(path, '/');
	strcpy(slash ? slash + 1 : path, "guest/tiny.bin");
	return path;
}

int main(int argc, char **argv)
{
	struct vm_config cfg;
	enum vm_action action;
	if (vm_cli_parse(argc, argv, &cfg, &action) < 0) {
		fprintf(stderr, "shikumi-vmm: %s\n", err_msg());
		return VM_EXIT_ERROR;
	}
	if (action == VM_HELP) {
		vm_cli_help(stdout);
		return 0;
	}
	if (action == VM_VERSION) {
		printf("shikumi-vmm %s\n", SHIKUMI_VERSION);
		return 0;
	}
	if (cfg.tiny && !cfg.kernel)
		cfg.kernel = default_tiny();
	int status;
	if (vm_run(&cfg, &status) < 0) {
		fprintf(stderr, "shikumi-vmm: %s\n", err_msg());
		return VM_EXIT_ERROR;
	}
	return status;
}
