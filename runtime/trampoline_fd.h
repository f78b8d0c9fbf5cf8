/* The sealed copy of runtime/trampoline.c that the container's command is exec'd through. */
#ifndef SHIKUMI_TRAMPOLINE_FD_H
#define SHIKUMI_TRAMPOLINE_FD_H

/* A memfd holding the trampoline (built into shikumi), sealed against writes, growth and
 * shrinking, close-on-exec. Returns the fd or a negative errno with a message. */
int trampoline_open(void);

/* Execs path (already resolved inside the container) with argv and envp through the
 * trampoline fd. Returns only on failure, a negative errno with a message. */
int trampoline_exec(int fd, const char *path, char *const *argv, char *const *envp);

#endif
