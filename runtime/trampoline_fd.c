#include "trampoline_fd.h"

#include "../common/err.h"
#include "../common/fd.h"
#include "reexec.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <unistd.h>

/* build/gen/trampoline.S: the linked trampoline, by .incbin */
extern const unsigned char trampoline_elf[], trampoline_elf_end[];

int trampoline_open(void)
{
	int fd = sealed_memfd_create("shikumi-exec");
	if (fd < 0)
		return fd;
	size_t n = (size_t)(trampoline_elf_end - trampoline_elf);
	int r = write(fd, trampoline_elf, n) == (ssize_t)n
		    ? sealed_memfd_seal(fd)
		    : err_set(errno, "cannot write the command's exec trampoline");
	if (r < 0) {
		close(fd);
		return r;
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
