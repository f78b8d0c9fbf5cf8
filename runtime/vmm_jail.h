#ifndef SHIKUMI_VMM_JAIL_H
#define SHIKUMI_VMM_JAIL_H

#include "../cgroup/cgroup.h"
#include "vm_net.h"

#include <stdbool.h>
#include <sys/types.h>

/* The uid and gid a jailed shikumi-vmm runs as: this base plus the pid of the `shikumi vm`
 * that started it, one of its own for each running VM, which owns no file and which no other
 * process has (with one shared uid, any process of it, another VM's too, could ptrace the
 * VMM and read the guest's memory: found by review). */
#define VMM_JAIL_ID_BASE 1610612736u /* 0x60000000: far above login uids and subuid ranges */
/* Its cgroup (where cgroup v2 has the memory and pids controllers): memory.max the guest's
 * RAM plus this, for the VMM's own memory and KVM's; pids.max, its threads. */
#define VMM_JAIL_MEMORY_OVERHEAD (64ull << 20)
#define VMM_JAIL_PIDS		 64
#define VMM_JAIL_DEFAULT_MEMORY	 (256ull << 20) /* shikumi-vmm's --memory default */
#define VMM_JAIL_FILES		 4 /* its filter, the kernel, the initramfs or disk: handed over as fds */

struct vmm_jail {
	bool on;
	int exe_fd;		       /* shikumi-vmm itself, exec'd from its fd after pivot_root */
	int fds[VMM_JAIL_FILES];       /* open files that cross the exec */
	char args[VMM_JAIL_FILES][24]; /* their "/dev/fd/N", in place of the paths */
	int nfds;
	bool pvm;	      /* /dev/kvm is PVM's: the VMM is told (--kvm-pvm) */
	char seccomp_arg[16]; /* --seccomp-fd's: the VMM's own filter, which allows no exec */
	struct cgroup cg;     /* its group; fd -1: none (no cgroup v2 controllers here) */
	unsigned id;	      /* its uid and gid */
};

/* Opens shikumi-vmm at `vmm` for the jail, and makes its cgroup for a guest of `memory`
 * (shikumi-vmm's --memory; NULL: its default). On failure nothing is left. */
int vmm_jail_init(struct vmm_jail *j, const char *vmm, const char *memory);
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
