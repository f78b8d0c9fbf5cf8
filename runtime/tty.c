#include "tty.h"

#include "../common/err.h"
#include "sync.h"

#include <fcntl.h>
#include <stdlib.h>
#include <sys/ioctl.h>
#include <termios.h>
#include <unistd.h>

static struct termios saved;
static int saved_fd = -1;

void tty_restore(void)
{
	if (saved_fd >= 0) {
		tcsetattr(saved_fd, TCSADRAIN, &saved);
		saved_fd = -1;
	}
}

int tty_make_raw(int fd)
{
	if (tcgetattr(fd, &saved) < 0)
		return err_set(errno, "cannot read the terminal's settings");
	struct termios raw = saved;
	cfmakeraw(&raw);
	if (tcsetattr(fd, TCSADRAIN, &raw) < 0)
		return err_set(errno, "cannot put the terminal in raw mode");
	saved_fd = fd;
	static bool registered;
	if (!registered)
		atexit(tty_restore);
	registered = true;
	return 0;
}

void tty_copy_winsize(int fd_from, int fd_to)
{
	struct winsize ws;
	if (ioctl(fd_from, TIOCGWINSZ, &ws) == 0)
		ioctl(fd_to, TIOCSWINSZ, &ws);
}

int tty_attach_slave(int fd)
{
	if (ioctl(fd, TIOCSCTTY, 0) < 0)
		return err_set(errno, "cannot make the pty the controlling terminal");
	for (int i = 0; i < 3; i++)
		if (dup2(fd, i) < 0)
			return err_set(errno, "cannot attach the terminal");
	if (fd > 2)
		close(fd);
	return 0;
}

int tty_send_console(int sock, int master)
{
	if (sock < 0 || master < 0)
		return err_set(EINVAL, "no console socket to pass the terminal to");
	static const char name[] = "/dev/console"; /* what the fd is, for a reader that logs it */
	int r = sync_send_bytes(sock, name, sizeof(name) - 1, master);
	return r < 0 ? err_set(-r, "cannot send the terminal to the console socket") : 0;
}
