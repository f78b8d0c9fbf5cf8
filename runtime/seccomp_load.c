#include "seccomp_load.h"

#include "../common/err.h"
#include "seccomp_profile.h"

#include <limits.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

int seccomp_load_bpf(const unsigned char *bpf, size_t len)
{
	struct sock_fprog prog = {
	    .len = (unsigned short)(len / sizeof(struct sock_filter)),
	    .filter = (struct sock_filter *)bpf,
	};
	if (syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &prog) < 0)
		return err_set(errno, "cannot load the seccomp filter");
	return 0;
}

int seccomp_export_ctx(scmp_filter_ctx ctx, const char *what, unsigned char **bpf, size_t *len)
{
	int r, fd = memfd_create("seccomp", MFD_CLOEXEC);
	if (fd < 0 || (r = seccomp_export_bpf(ctx, fd)) < 0) {
		r = err_set(fd < 0 ? errno : -r, "cannot compile the seccomp profile %s", what);
		goto out;
	}
	off_t size = lseek(fd, 0, SEEK_END);
	*bpf = malloc((size_t)size);
	if (!*bpf || pread(fd, *bpf, (size_t)size, 0) != size) {
		r = err_set(ENOMEM, "cannot read the compiled seccomp profile");
		goto out;
	}
	*len = (size_t)size;
	r = 0;
out:
	if (fd >= 0)
		close(fd);
	seccomp_release(ctx);
	return r;
}

int seccomp_compile_file(const char *path, uint64_t caps, unsigned char **bpf, size_t *len)
{
	scmp_filter_ctx ctx;
	int r = seccomp_profile_from_file(path, caps, &ctx);
	if (r < 0)
		return r;
	char what[PATH_MAX + 2];
	snprintf(what, sizeof(what), "'%s'", path);
	return seccomp_export_ctx(ctx, what, bpf, len);
}

int seccomp_compile_json(struct json_object *profile, uint64_t caps, const char *where,
			 unsigned char **bpf, size_t *len)
{
	scmp_filter_ctx ctx;
	int r = seccomp_policy_from_json(profile, caps, where, &ctx);
	if (r < 0)
		return r;
	return seccomp_export_ctx(ctx, where, bpf, len);
}
