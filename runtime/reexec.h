/* runc CVE-2019-5736: a process of the runtime that enters a running container must not let
 * the container reach the runtime's binary on the host. */
#ifndef SHIKUMI_REEXEC_H
#define SHIKUMI_REEXEC_H

#include <stdbool.h>

/* Unless it already is, re-executes the running program (with argv) from a memfd copy of
 * itself, sealed against writes, growth and shrinking: /proc/self/exe is then that copy, so
 * a container that opens it (a command that is a script starting `#!/proc/self/exe`, or an
 * O_PATH open of /proc/PID/exe reopened for writing) reaches nothing of the host. Returns 0
 * when running from such a copy; otherwise does not return, or a negative errno. */
int reexec_sealed(char **argv);

struct container_config;
/* Whether a container's init, a fork of shikumi, could reach the host's binary: it can when
 * the container keeps CAP_SYS_PTRACE (or is --privileged) without a user namespace of its own,
 * since that capability opens /proc/1/exe of even a non-dumpable process, and fchmod or
 * fsetxattr on it change the host's shikumi for whoever runs it next. Such a start runs from
 * the sealed copy too (reexec_sealed); false once it does, and for every other container
 * (their init's /proc/1/exe stays closed to them: no re-execution, no cost). */
bool reexec_wanted(const struct container_config *cfg);

/* The memfd such a copy lives in (close-on-exec, executable, sealable), and its seals against
 * writes, growth and shrinking; runtime/trampoline_fd.c holds its trampoline the same way.
 * They return the fd or 0, or a negative errno with a message. */
int sealed_memfd_create(const char *name);
int sealed_memfd_seal(int fd);

#endif
