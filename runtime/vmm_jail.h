#ifndef SHIKUMI_VMM_JAIL_H
#define SHIKUMI_VMM_JAIL_H

#include "vm_net.h"

#include <stdbool.h>
#include <sys/types.h>

/* The uid and gid a jailed shikumi-vmm runs as: "nobody", which owns no file. */
#define VMM_JAIL_UID   65534
#define VMM_JAIL_GID   65534
#define VMM_JAIL_FILES 4 /* the kernel, the initramfs, the disk: handed over as fds */

struct vmm_jail {
	bool on;
	int exe_fd;		       /* shikumi-vmm itself, exec'd from its fd after pivot_root */
	int fds[VMM_JAIL_FILES];       /* open files that cross the exec */
	char args[VMM_JAIL_FILES][24]; /* their "/dev/fd/N", in place of the paths */
	int nfds;
};

/* Opens shikumi-vmm at `vmm` for the jail. On failure nothing is left. */
int vmm_jail_init(struct vmm_jail *j, const char *vmm);
/* Opens the file *path (what: "the kernel", "the disk"...) as this process may, read-only or
 * `writable`, and points *path at "/dev/fd/N" for the VMM, whose jail can open neither. */
int vmm_jail_file(struct vmm_jail *j, const char *what, char **path, bool writable);
void vmm_jail_close(struct vmm_jail *j);

/* Runs shikumi-vmm (args; args[0] its path) as a child, jailed when j->on, holding the tap
 * when net->on; waits for it with SIGINT, SIGTERM, SIGHUP and SIGQUIT passed on, then
 * releases the network. Returns its exit status (128+N for signal N), or -1 with a message
 * when it could not be started (the network released, the files closed). */
int vmm_launch(char **args, struct vm_net *net, struct vmm_jail *j, bool timing);

#endif
