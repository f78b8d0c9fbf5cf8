/* shikumi-vmm: boot a guest on KVM and connect its serial console to this terminal. */
#include "../common/err.h"
#include "../common/exe.h"
#include "../common/fd.h"
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
	/* Nothing of the caller's but stdio, the tap of --net-fd and the files given as
	 * /dev/fd/N (by shikumi's jail): a VMM that a guest subverts holds no host file it was
	 * not given (the runtime's child does the same, issue 16). */
	int keep[4] = {cfg.net_fd, cfg.kernel ? arg_fd(cfg.kernel) : -1,
		       cfg.initrd ? arg_fd(cfg.initrd) : -1, cfg.disk ? arg_fd(cfg.disk) : -1};
	unsigned from = 3;
	for (;;) {
		unsigned next = ~0U; /* the lowest fd kept at or above `from` */
		for (int k = 0; k < 4; k++)
			if (keep[k] >= (int)from && (unsigned)keep[k] < next)
				next = (unsigned)keep[k];
		if (next > from && close_range(from, next == ~0U ? ~0U : next - 1, 0) < 0) {
			fprintf(stderr,
				"shikumi-vmm: cannot close inherited file descriptors: %m\n");
			return VM_EXIT_ERROR;
		}
		if (next == ~0U)
			break;
		from = next + 1;
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
