#include "trampoline_fd.h"

#include "../common/err.h"
#include "../common/fd.h"

#include <fcntl.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

#ifndef MFD_EXEC
#define MFD_EXEC 0x0010U
#endif

/* build/gen/trampoline.S: the linked trampoline, by .incbin */
extern const unsigned char trampoline_elf[], trampoline_elf_end[];

int trampoline_open(void)
{
	int fd = memfd_create("shikumi-exec", MFD_CLOEXEC | MFD_ALLOW_SEALING | MFD_EXEC);
	if (fd < 0 && errno == EINVAL) /* before Linux 6.3 */
		fd = memfd_create("shikumi-exec", MFD_CLOEXEC | MFD_ALLOW_SEALING);
	if (fd < 0)
		return err_set(errno, "cannot create the command's exec trampoline");
	size_t n = (size_t)(trampoline_elf_end - trampoline_elf);
	if (write(fd, trampoline_elf, n) != (ssize_t)n ||
	    fcntl(fd, F_ADD_SEALS, F_SEAL_SEAL | F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE) < 0) {
		int e = errno;
		close(fd);
		return err_set(e, "cannot seal the command's exec trampoline");
	}
	return fd;
}

int trampoline_exec(int fd, const char *path, char *const *argv, char *const *envp)
{
	size_t n = 0;
	while (argv[n])
		n++;
	autofree char **args = calloc(n + 2, sizeof(*args));
	if (!args)
		return err_set(ENOMEM, "the command's arguments");
	args[0] = (char *)path;
	for (size_t i = 0; i <= n; i++)
		args[i + 1] = argv[i];
	execveat(fd, "", args, envp, AT_EMPTY_PATH);
	return err_set(errno, "cannot execute '%s' through the exec trampoline", path);
}
