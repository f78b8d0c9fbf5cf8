/* ptydrive: runs a command on a new pty, the way a person at a terminal would, for the tests.
 *
 *   ptydrive [-t SECONDS] [-w ROWSxCOLS] STEP... -- COMMAND [ARG...]
 *
 * STEP is "expect:TEXT" (wait until TEXT appears in the output), "send:TEXT" (type TEXT;
 * \n, \r, \t, \xHH and \\ are understood) or "sleep:SECONDS" (let the command get there). After the
 * last step it reads until the command ends, prints everything the command wrote to stdout, and
 * exits with the command's status. A step not met in time exits 124 after printing what was seen.
 */
#include <errno.h>
#include <poll.h>
#include <stdbool.h>
#include <pty.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static char out[1 << 20];
static size_t out_len, seen_upto;

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Reads what is available within `wait` seconds; returns false at end of output. */
static bool pump(int master, double wait)
{
	struct pollfd p = {.fd = master, .events = POLLIN};
	int r = poll(&p, 1, (int)(wait * 1000));
	if (r <= 0)
		return true;
	char buf[4096];
	ssize_t n = read(master, buf, sizeof(buf));
	if (n <= 0)
		return false;
	if (out_len + (size_t)n < sizeof(out) - 1) {
		memcpy(out + out_len, buf, (size_t)n);
		out_len += (size_t)n;
		out[out_len] = '\0';
	}
	return true;
}

static size_t unescape(const char *s, char *d)
{
	size_t n = 0;
	for (; *s; s++) {
		if (*s != '\\' || !s[1]) {
			d[n++] = *s;
			continue;
		}
		s++;
		switch (*s) {
		case 'n':
			d[n++] = '\n';
			break;
		case 'r':
			d[n++] = '\r';
			break;
		case 't':
			d[n++] = '\t';
			break;
		case 'x': {
			char hex[3] = {s[1], s[1] ? s[2] : 0, 0};
			d[n++] = (char)strtol(hex, NULL, 16);
			s += 2;
			break;
		}
		default:
			d[n++] = *s;
		}
	}
	return n;
}

static void dump_and_exit(int code, const char *why)
{
	fwrite(out, 1, out_len, stdout);
	if (why)
		fprintf(stderr, "\nptydrive: %s\n", why);
	exit(code);
}

int main(int argc, char **argv)
{
	double timeout = 10;
	struct winsize ws = {.ws_row = 24, .ws_col = 80};
	int i = 1;
	for (; i < argc && strcmp(argv[i], "--"); i++) {
		if (!strcmp(argv[i], "-t") && i + 1 < argc)
			timeout = atof(argv[++i]);
		else if (!strcmp(argv[i], "-w") && i + 1 < argc)
			sscanf(argv[++i], "%hux%hu", &ws.ws_row, &ws.ws_col);
		else
			continue;
	}
	if (i >= argc - 1) {
		fprintf(stderr, "usage: ptydrive [-t S] [-w RxC] STEP... -- COMMAND [ARG...]\n");
		return 2;
	}
	int master;
	pid_t pid = forkpty(&master, NULL, NULL, &ws);
	if (pid < 0) {
		perror("ptydrive: forkpty");
		return 2;
	}
	if (pid == 0) {
		execvp(argv[i + 1], &argv[i + 1]);
		perror("ptydrive: exec");
		_exit(127);
	}
	double deadline = now() + timeout;
	for (int s = 1; s < i; s++) {
		if (!strcmp(argv[s], "-t") || !strcmp(argv[s], "-w")) {
			s++;
			continue;
		}
		char text[4096];
		if (!strncmp(argv[s], "expect:", 7)) {
			size_t n = unescape(argv[s] + 7, text);
			text[n] = '\0';
			char *hit;
			while (!(hit = strstr(out + seen_upto, text))) {
				if (now() > deadline) {
					kill(pid, SIGKILL);
					snprintf(text, sizeof(text), "timed out waiting for '%s'",
						 argv[s] + 7);
					dump_and_exit(124, text);
				}
				if (!pump(master, 0.05)) {
					snprintf(text, sizeof(text), "output ended before '%s'",
						 argv[s] + 7);
					dump_and_exit(124, text);
				}
			}
			seen_upto = (size_t)(hit - out) + n;
		} else if (!strncmp(argv[s], "sleep:", 6)) {
			double until = now() + atof(argv[s] + 6);
			while (now() < until)
				pump(master, 0.02);
		} else if (!strncmp(argv[s], "send:", 5)) {
			size_t n = unescape(argv[s] + 5, text);
			if (write(master, text, n) != (ssize_t)n)
				dump_and_exit(2, "write to the pty failed");
		}
	}
	/* Read until the output ends (every holder of the pty is gone), then wait for the
	 * command itself, within the same deadline. */
	while (now() < deadline && pump(master, 0.05))
		;
	while (now() < deadline) {
		int st;
		if (waitpid(pid, &st, WNOHANG) == pid) {
			fwrite(out, 1, out_len, stdout);
			return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
		}
		pump(master, 0.02);
	}
	kill(pid, SIGKILL);
	dump_and_exit(124, "timed out waiting for the command to end");
}
