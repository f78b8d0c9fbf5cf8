/* The container's side of --syscalls=user (tests/integration/test_usernotif.sh): static, run
 * from a volume.
 *   unotif bench N        N uname calls and N opens of / (let through): ns per call of each
 *   unotif flood N        N uname, N opens of /proc/uptime read and closed, N of /etc/passwd
 *   unotif race PATH N    a thread rewrites the path between /proc/uptime and PATH (a host file
 *                         the container cannot see) while N opens of it are answered; prints
 *                         what each open gave: served (our memfd), real (the kernel's
 *                         /proc/uptime), enoent, leaked (PATH's content: never)
 *   unotif hostile        pointers the kernel would refuse: each answer must be the kernel's
 *   unotif errno          one uname: its errno's name, or "ok" */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

static long sys_uname(void *p)
{
	return syscall(SYS_uname, p);
}

static long sys_open(const char *p, int flags)
{
	return syscall(SYS_openat, AT_FDCWD, p, flags);
}

static double now(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec * 1e9 + (double)t.tv_nsec;
}

static int bench(long n)
{
	struct utsname u;
	double t0 = now();
	for (long i = 0; i < n; i++)
		if (sys_uname(&u) < 0)
			return perror("uname"), 1;
	double t1 = now();
	for (long i = 0; i < n; i++) {
		long fd = sys_open("/", O_RDONLY | O_DIRECTORY);
		if (fd < 0)
			return perror("open /"), 1;
		close((int)fd);
	}
	double t2 = now();
	printf("uname: %.0f ns/call\nopen-close /: %.0f ns/call\n", (t1 - t0) / (double)n,
	       (t2 - t1) / (double)n);
	return 0;
}

static int flood(long n)
{
	struct utsname u;
	char buf[256];
	for (long i = 0; i < n; i++) {
		if (sys_uname(&u) < 0)
			return perror("uname"), 1;
		long fd = sys_open("/proc/uptime", O_RDONLY | O_CLOEXEC);
		if (fd < 0 || read((int)fd, buf, sizeof(buf)) <= 0)
			return perror("/proc/uptime"), 1;
		close((int)fd);
		fd = sys_open("/etc/passwd", O_RDONLY);
		if (fd < 0)
			return perror("/etc/passwd"), 1;
		close((int)fd);
	}
	printf("flood: %ld ok\n", n);
	return 0;
}

static char race_path[64];
static char race_other[64];
static atomic_int race_stop;

static void *flipper(void *arg)
{
	(void)arg;
	/* Each path held for a while (a few microseconds), so that both are seen often, and
	 * changes land while the supervisor is looking. */
	for (unsigned long i = 0; !atomic_load(&race_stop); i++) {
		memcpy(race_path, (i & 1) ? race_other : "/proc/uptime",
		       (i & 1) ? sizeof(race_other) : sizeof("/proc/uptime"));
		for (volatile int spin = 0; spin < 2000; spin++)
			;
	}
	return NULL;
}

static int race(const char *secret, long n)
{
	snprintf(race_other, sizeof(race_other), "%s", secret);
	memcpy(race_path, "/proc/uptime", sizeof("/proc/uptime"));
	pthread_t t;
	if (pthread_create(&t, NULL, flipper, NULL))
		return perror("pthread_create"), 1;
	long served = 0, real = 0, enoent = 0, leaked = 0, other = 0;
	for (long i = 0; i < n; i++) {
		long fd = sys_open((const char *)race_path, O_RDONLY);
		if (fd < 0) {
			errno == ENOENT ? enoent++ : other++;
			continue;
		}
		char buf[256] = "", link[64] = "", self[48];
		ssize_t len = read((int)fd, buf, sizeof(buf) - 1);
		snprintf(self, sizeof(self), "/proc/self/fd/%ld", fd);
		if (readlink(self, link, sizeof(link) - 1) < 0)
			link[0] = '\0';
		close((int)fd);
		if (len > 0 && strstr(buf, "SECRET"))
			leaked++;
		else if (!strncmp(link, "/memfd:", 7))
			served++;
		else if (!strcmp(link, "/proc/uptime"))
			real++;
		else
			other++;
	}
	atomic_store(&race_stop, 1);
	pthread_join(t, NULL);
	printf("served=%ld real=%ld enoent=%ld leaked=%ld other=%ld\n", served, real, enoent,
	       leaked, other);
	return leaked ? 1 : 0;
}

static const char *name(long r)
{
	return r >= 0		       ? "ok"
	       : errno == EFAULT       ? "EFAULT"
	       : errno == ENOSYS       ? "ENOSYS"
	       : errno == ENOENT       ? "ENOENT"
	       : errno == ENAMETOOLONG ? "ENAMETOOLONG"
				       : strerror(errno);
}

static int hostile(void)
{
	long page = sysconf(_SC_PAGESIZE);
	char *ro = mmap(NULL, (size_t)page, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	char *two = mmap(NULL, 2 * (size_t)page, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (ro == MAP_FAILED || two == MAP_FAILED)
		return perror("mmap"), 1;
	munmap(two + page, (size_t)page); /* the page after `two` is not mapped */
	printf("uname(NULL): %s\n", name(sys_uname(NULL)));
	printf("uname(read-only page): %s\n", name(sys_uname(ro)));
	/* The last bytes of a mapping, with the rest of the struct beyond it. */
	printf("uname(end of mapping): %s\n", name(sys_uname(two + page - 8)));
	printf("open((char *)1): %s\n", name(sys_open((const char *)1, O_RDONLY)));
	/* "/proc/uptime" cut by the end of the mapping: no NUL before the hole. */
	memcpy(two + page - 12, "/proc/uptime", 12);
	printf("open(unterminated at end of mapping): %s\n",
	       name(sys_open(two + page - 12, O_RDONLY)));
	/* A path as long as the kernel allows, then one longer. */
	memset(two, 'a', (size_t)page - 1);
	two[0] = '/';
	two[page - 1] = '\0';
	printf("open(4095-byte path): %s\n", name(sys_open(two, O_RDONLY)));
	struct utsname u;
	printf("uname after: %s\n", sys_uname(&u) == 0 ? u.release : name(-1));
	return 0;
}

int main(int argc, char **argv)
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc == 3 && !strcmp(argv[1], "bench"))
		return bench(atol(argv[2]));
	if (argc == 3 && !strcmp(argv[1], "flood"))
		return flood(atol(argv[2]));
	if (argc == 4 && !strcmp(argv[1], "race"))
		return race(argv[2], atol(argv[3]));
	if (argc == 2 && !strcmp(argv[1], "hostile"))
		return hostile();
	if (argc == 2 && !strcmp(argv[1], "errno")) {
		struct utsname u;
		puts(name(sys_uname(&u)));
		return 0;
	}
	fprintf(stderr, "usage: unotif bench N | flood N | race PATH N | hostile | errno\n");
	return 2;
}
