/* Whether this machine's KVM can boot a Linux guest; see kvm.h. */
#include "kvm.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

int kvm_is_pvm(void)
{
	return access("/sys/module/kvm_pvm", F_OK) == 0 &&
	       access("/sys/module/kvm_intel", F_OK) < 0 && access("/sys/module/kvm_amd", F_OK) < 0;
}

int kvm_boots_linux(char *why, size_t n)
{
	int fd = open("/dev/kvm", O_RDWR | O_CLOEXEC);
	if (fd < 0) {
		snprintf(why, n, errno == ENOENT ? "no /dev/kvm here" : "cannot open /dev/kvm: %s",
			 strerror(errno));
		return 0;
	}
	close(fd);
	if (kvm_is_pvm()) {
		snprintf(why, n, "%s", KVM_PVM_REASON);
		return 0;
	}
	why[0] = '\0';
	return 1;
}
