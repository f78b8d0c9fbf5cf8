/* consock SOCKET SECONDS INPUT -- COMMAND [ARG...]: the console socket's other end, as conmon
 * holds it. Listens on SOCKET, runs COMMAND (`shikumi create --console-socket SOCKET ...`),
 * takes the pty master it sends (SCM_RIGHTS), then types INPUT (\n understood) into the
 * terminal and prints everything the container's terminal says until it closes or SECONDS
 * pass. Exits with COMMAND's status when that fails, 124 when no terminal came, else 0. */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static int receive_fd(int conn)
{
	char name[256];
	struct iovec iov = {.iov_base = name, .iov_len = sizeof(name)};
	union {
		struct cmsghdr h;
		char buf[CMSG_SPACE(sizeof(int))];
	} ctl;
	struct msghdr msg = {.msg_iov = &iov,
			     .msg_iovlen = 1,
			     .msg_control = ctl.buf,
			     .msg_controllen = sizeof(ctl)};
	if (recvmsg(conn, &msg, 0) < 0)
		return -1;
	struct cmsghdr *c = CMSG_FIRSTHDR(&msg);
	if (!c || c->cmsg_type != SCM_RIGHTS)
		return -1;
	int fd;
	memcpy(&fd, CMSG_DATA(c), sizeof(fd));
	return fd;
}

int main(int argc, char **argv)
{
	if (argc < 6 || strcmp(argv[4], "--")) {
		fprintf(stderr, "usage: consock SOCKET SECONDS INPUT -- COMMAND [ARG...]\n");
		return 2;
	}
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", argv[1]);
	int s = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	unlink(argv[1]);
	if (s < 0 || bind(s, (struct sockaddr *)&sa, sizeof(sa)) < 0 || listen(s, 1) < 0) {
		perror("consock: listen");
		return 2;
	}
	pid_t pid = fork();
	if (pid == 0) {
		execvp(argv[5], argv + 5);
		_exit(127);
	}
	int seconds = atoi(argv[2]);
	struct pollfd p = {.fd = s, .events = POLLIN};
	int master = -1;
	if (poll(&p, 1, seconds * 1000) == 1) {
		int conn = accept(s, NULL, NULL);
		master = conn < 0 ? -1 : receive_fd(conn);
		if (conn >= 0)
			close(conn);
	}
	int status;
	waitpid(pid, &status, 0);
	unlink(argv[1]);
	if (!WIFEXITED(status) || WEXITSTATUS(status))
		return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
	if (master < 0)
		return 124;
	for (const char *in = argv[3]; *in; in++) {
		char c = *in;
		if (c == '\\' && in[1] == 'n')
			c = '\n', in++;
		if (write(master, &c, 1) != 1)
			break;
	}
	time_t end = time(NULL) + seconds;
	char buf[4096];
	while (time(NULL) < end) {
		p = (struct pollfd){.fd = master, .events = POLLIN};
		if (poll(&p, 1, 1000) <= 0)
			continue;
		ssize_t n = read(master, buf, sizeof(buf));
		if (n <= 0)
			break; /* EIO: the last holder of the terminal is gone */
		fwrite(buf, 1, (size_t)n, stdout);
	}
	return 0;
}
