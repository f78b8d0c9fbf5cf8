/* killafter: starts a command and sends it a signal a random time after its start, for the soak.
 *
 *   killafter SIGNAL MAX_MICROSECONDS WAIT_SECONDS -- COMMAND [ARG...]
 *
 * The delay is drawn uniformly from 0..MAX_MICROSECONDS and counted from just before fork, with
 * an absolute CLOCK_MONOTONIC deadline, so that the fork's own cost is inside the window (a
 * shell's `cmd & sleep 0.002; kill` cannot aim at a few milliseconds: starting sleep alone
 * takes about one). Then it waits up to WAIT_SECONDS for the command to end; one still running
 * is SIGKILLed and reported as hung. Prints one line, "DELAY_US PID exit N", "DELAY_US PID signal
 * N" or "DELAY_US PID hung" (PID: the command's), and exits 0; 2 on bad usage. SIGNAL is a number.
 * The seed comes from KILLAFTER_SEED when set (to replay a run), else from the clock and the PID.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static void timespec_add_us(struct timespec *t, long us)
{
	t->tv_sec += us / 1000000;
	t->tv_nsec += (us % 1000000) * 1000;
	if (t->tv_nsec >= 1000000000) {
		t->tv_sec++;
		t->tv_nsec -= 1000000000;
	}
}

static int timespec_before(const struct timespec *a, const struct timespec *b)
{
	return a->tv_sec < b->tv_sec || (a->tv_sec == b->tv_sec && a->tv_nsec < b->tv_nsec);
}

int main(int argc, char **argv)
{
	if (argc < 6 || strcmp(argv[4], "--") != 0) {
		fprintf(stderr,
			"usage: killafter SIGNAL MAX_US WAIT_SECONDS -- COMMAND [ARG...]\n");
		return 2;
	}
	int sig = atoi(argv[1]);
	long max_us = atol(argv[2]);
	long wait_s = atol(argv[3]);
	const char *seed = getenv("KILLAFTER_SEED");
	struct timespec now;
	clock_gettime(CLOCK_MONOTONIC, &now);
	srandom(seed ? (unsigned)strtoul(seed, NULL, 10)
		     : (unsigned)(now.tv_nsec ^ (getpid() << 16)));
	long delay = max_us > 0 ? random() % (max_us + 1) : 0;

	struct timespec deadline;
	clock_gettime(CLOCK_MONOTONIC, &deadline);
	timespec_add_us(&deadline, delay);
	pid_t pid = fork();
	if (pid < 0) {
		perror("killafter: fork");
		return 2;
	}
	if (pid == 0) {
		execvp(argv[5], argv + 5);
		perror("killafter: exec");
		_exit(127);
	}
	while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &deadline, NULL) == EINTR)
		;
	kill(pid, sig);

	/* Poll rather than alarm(): the command's status must be read by waitpid either way. */
	struct timespec limit;
	clock_gettime(CLOCK_MONOTONIC, &limit);
	timespec_add_us(&limit, wait_s * 1000000);
	int status;
	for (;;) {
		pid_t r = waitpid(pid, &status, WNOHANG);
		if (r == pid)
			break;
		clock_gettime(CLOCK_MONOTONIC, &now);
		if (r < 0 || !timespec_before(&now, &limit)) {
			kill(pid, SIGKILL);
			waitpid(pid, &status, 0);
			printf("%ld %d hung\n", delay, (int)pid);
			return 0;
		}
		struct timespec tick = {0, 2000000};
		nanosleep(&tick, NULL);
	}
	if (WIFSIGNALED(status))
		printf("%ld %d signal %d\n", delay, (int)pid, WTERMSIG(status));
	else
		printf("%ld %d exit %d\n", delay, (int)pid, WEXITSTATUS(status));
	return 0;
}
