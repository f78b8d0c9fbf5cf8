/* shikumi-vmm: boot a guest on KVM and connect its serial console to this terminal. */
#include "../common/err.h"
#include "../common/exe.h"
#include "cli.h"
#include "vm.h"

#include <limits.h>
#include <stdio.h>
#include <unistd.h>

#ifndef SHIKUMI_VERSION
#define SHIKUMI_VERSION "0.0.0-dev"
#endif

int main(int argc, char **argv)
{
	struct vm_config cfg;
	enum vm_action action;
	if (vm_cli_parse(argc, argv, &cfg, &action) < 0) {
		fprintf(stderr, "shikumi-vmm: %s\n", err_msg());
		return VM_EXIT_ERROR;
	}
	/* Nothing of the caller's but stdio and the tap of --net-fd: a VMM that a guest subverts
	 * holds no host file it was not given (the runtime's child does the same, issue 16). */
	int keep = cfg.net_fd > 2 ? cfg.net_fd : 2;
	if ((keep > 3 && close_range(3, (unsigned)keep - 1, 0) < 0) ||
	    close_range((unsigned)keep + 1, ~0U, 0) < 0) {
		fprintf(stderr, "shikumi-vmm: cannot close inherited file descriptors: %m\n");
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
	/* --tiny without --kernel: guest/tiny.bin beside this program (or in PREFIX/lib/shikumi).
	 */
	static char tiny[PATH_MAX];
	if (cfg.tiny && !cfg.kernel)
		cfg.kernel = exe_file("guest/tiny.bin", tiny, sizeof(tiny));
	int status;
	if (vm_run(&cfg, &status) < 0) {
		fprintf(stderr, "shikumi-vmm: %s\n", err_msg());
		return VM_EXIT_ERROR;
	}
	return status;
}
