/* The terminal side of `shikumi run -t`: the caller's terminal in raw mode, so that every key
 * (Ctrl-C included) reaches the container's pty as a byte, and restored on every way out. */
#ifndef SHIKUMI_TTY_H
#define SHIKUMI_TTY_H

#include <stdbool.h>

/* Puts fd (a terminal) in raw mode, remembering its settings for tty_restore(). */
int tty_make_raw(int fd);

/* Puts back the settings tty_make_raw() changed; harmless when it changed none. */
void tty_restore(void);

/* Copies fd_from's window size to fd_to (the pty master). */
void tty_copy_winsize(int fd_from, int fd_to);

/* Inside: makes the pty slave fd the calling process's controlling terminal and its stdin,
 * stdout and stderr. The caller must have called setsid(). */
int tty_attach_slave(int fd);

/* runc's --console-socket: sends the pty master over the connected AF_UNIX socket sock as
 * SCM_RIGHTS (conmon and containerd's shim take the container's terminal this way). */
int tty_send_console(int sock, int master);

#endif
