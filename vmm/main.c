/* shikumi-vmm: boot a guest on KVM and connect its serial console to this terminal. */
#include "../common/err.h"
#include "../common/exe.h"
#include "../common/fd.h"
#include "cli.h"
#include "vm.h"

#include <errno.h>
#include <limits.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#ifndef SHIKUMI_VERSION
#define SHIKUMI_VERSION "0.0.0-dev"
#endif

/* --seccomp-fd: the filter shikumi's jail made for this VMM (BPF that libseccomp exported),
 * stacked on the jail's own, which had to allow the one exec of this program: from here on no
 * exec and no further filter (found by review: the jail's execveat rule checks an fd number,
 * which a subverted VMM could fill with a file of its choosing). */
static int load_filter(int fd)
{
	struct stat st;
	if (fstat(fd, &st) < 0)
		return err_set(errno, "--seccomp-fd %d", fd);
	size_t len = (size_t)st.st_size;
	if (!S_ISREG(st.st_mode) || !len || len % sizeof(struct sock_filter) || len > 1 << 20)
		return err_set(0, "--seccomp-fd %d holds no BPF program", fd);
	struct sock_filter *code = malloc(len);
	if (!code)
		return err_set(ENOMEM, "out of memory");
	ssize_t got = pread(fd, code, len, 0);
	struct sock_fprog prog = {.len = (unsigned short)(len / sizeof(*code)), .filter = code};
	int r = got == (ssize_t)len
		    ? 0
		    : err_set(got < 0 ? errno : 0, "--seccomp-fd %d: short read", fd);
	if (r == 0 && syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &prog) < 0)
		r = err_set(errno, "--seccomp-fd %d: cannot load the filter", fd);
	free(code);
	close(fd);
	return r;
}

int main(int argc, char **argv)
{
	struct vm_config cfg;
	enum vm_action action;
	if (vm_cli_parse(argc, argv, &cfg, &action) < 0 ||
	    (cfg.seccomp_fd >= 0 && load_filter(cfg.seccomp_fd) < 0)) {
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
