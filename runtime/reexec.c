#include "reexec.h"

#include "../common/err.h"
#include "../common/fd.h"
#include "caps.h"
#include "config.h"

#include <fcntl.h>
#include <linux/capability.h>
#include <sys/mman.h>
#include <sys/sendfile.h>
#include <sys/stat.h>
#include <unistd.h>

#ifndef MFD_EXEC
#define MFD_EXEC 0x0010U /* Linux 6.3: executable, even under vm.memfd_noexec=1 */
#endif

extern char **environ;

static const int SEALS = F_SEAL_SEAL | F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE;

int sealed_memfd_create(const char *name)
{
	int fd = memfd_create(name, MFD_CLOEXEC | MFD_ALLOW_SEALING | MFD_EXEC);
	if (fd < 0 && errno == EINVAL) /* a kernel before 6.3 */
		fd = memfd_create(name, MFD_CLOEXEC | MFD_ALLOW_SEALING);
	return fd < 0 ? err_set(errno, "cannot create the memfd %s", name) : fd;
}

int sealed_memfd_seal(int fd)
{
	return fcntl(fd, F_ADD_SEALS, SEALS) < 0 ? err_set(errno, "cannot seal a memfd") : 0;
}

static bool running_sealed(int self)
{
	int seals = fcntl(self, F_GET_SEALS);
	return seals >= 0 && (seals & SEALS) == SEALS;
}

bool reexec_wanted(const struct container_config *cfg)
{
	bool ptrace = cfg->privileged || (cfg->caps & CAP_BIT(CAP_SYS_PTRACE));
	bool own_userns =
	    cfg->userns == USERNS_PRIVATE || (cfg->userns == USERNS_AUTO && geteuid());
	if (!ptrace || own_userns)
		return false;
	autoclose int self = open("/proc/self/exe", O_RDONLY | O_CLOEXEC);
	return self < 0 || !running_sealed(self);
}

int reexec_sealed(char **argv)
{
	autoclose int self = open("/proc/self/exe", O_RDONLY | O_CLOEXEC);
	if (self < 0)
		return err_set(errno, "cannot open /proc/self/exe");
	if (running_sealed(self))
		return 0;
	struct stat st;
	if (fstat(self, &st) < 0)
		return err_set(errno, "cannot stat /proc/self/exe");
	autoclose int copy = sealed_memfd_create("shikumi");
	if (copy < 0)
		return copy;
	for (off_t done = 0; done < st.st_size;) {
		ssize_t n = sendfile(copy, self, NULL, (size_t)(st.st_size - done));
		if (n <= 0)
			return err_set(n < 0 ? errno : EIO, "cannot copy shikumi into a memfd");
		done += n;
	}
	int r = sealed_memfd_seal(copy);
	if (r < 0)
		return r;
	fexecve(copy, argv, environ);
	return err_set(errno, "cannot run the sealed copy of shikumi");
}
