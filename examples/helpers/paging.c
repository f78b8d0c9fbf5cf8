/* paging: the memory lessons' helper (static, so a busybox container can run it).
 *
 *   paging demand MAP TOUCH   maps MAP MiB, then writes to the first TOUCH MiB of it, and
 *                             prints after each step its cgroup's memory.current and its
 *                             own VmRSS, in KiB: "STEP memory.current=N rss=N"
 *   paging cow MIB            fills MIB MiB, forks; the child prints how much of it is shared
 *                             with the parent (Shared_Dirty in smaps_rollup) before and after
 *                             it writes every page: "STEP shared=N private=N"
 *   paging shm SECONDS        makes a System V shared memory segment, prints its id, keeps
 *                             it for SECONDS, removes it
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/shm.h>
#include <sys/wait.h>
#include <unistd.h>

static long field(const char *path, const char *key)
{
	FILE *f = fopen(path, "r");
	char line[256];
	long v = -1;
	size_t n = strlen(key);
	while (f && fgets(line, sizeof(line), f))
		if (!strncmp(line, key, n) && line[n] == ':') {
			v = atol(line + n + 1);
			break;
		}
	if (f)
		fclose(f);
	return v;
}

static long cgroup_current_kib(void)
{
	FILE *f = fopen("/sys/fs/cgroup/memory.current", "r");
	long long v = -1024;
	if (f) {
		if (fscanf(f, "%lld", &v) != 1)
			v = -1024;
		fclose(f);
	}
	return (long)(v / 1024);
}

static void report(const char *step)
{
	printf("%-10s memory.current=%ld rss=%ld\n", step, cgroup_current_kib(),
	       field("/proc/self/status", "VmRSS"));
	fflush(stdout);
}

static void touch(char *p, size_t bytes)
{
	for (size_t off = 0; off < bytes; off += 4096)
		p[off] = 1;
}

int main(int argc, char **argv)
{
	if (argc == 4 && !strcmp(argv[1], "demand")) {
		size_t map = (size_t)atol(argv[2]) << 20, use = (size_t)atol(argv[3]) << 20;
		if (!map || use > map) {
			fprintf(stderr, "paging: TOUCH must be at most MAP, both in MiB\n");
			return 2;
		}
		report("start");
		char *p =
		    mmap(NULL, map, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (p == MAP_FAILED) {
			perror("paging: mmap");
			return 1;
		}
		report("mapped");
		touch(p, use);
		report("touched");
		return 0;
	}
	if (argc == 3 && !strcmp(argv[1], "cow")) {
		size_t bytes = (size_t)atol(argv[2]) << 20;
		char *p =
		    mmap(NULL, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (!bytes || p == MAP_FAILED) {
			fprintf(stderr, "paging: cow MIB: a size in MiB\n");
			return 2;
		}
		touch(p, bytes);
		pid_t pid = fork();
		if (pid == 0) {
			printf("forked     shared=%ld private=%ld\n",
			       field("/proc/self/smaps_rollup", "Shared_Dirty"),
			       field("/proc/self/smaps_rollup", "Private_Dirty"));
			touch(p,
			      bytes); /* each write: a page fault, a copy, one page less shared */
			printf("written    shared=%ld private=%ld\n",
			       field("/proc/self/smaps_rollup", "Shared_Dirty"),
			       field("/proc/self/smaps_rollup", "Private_Dirty"));
			return 0;
		}
		int st;
		waitpid(pid, &st, 0);
		return WIFEXITED(st) ? WEXITSTATUS(st) : 1;
	}
	if (argc == 3 && !strcmp(argv[1], "shm")) {
		int id = shmget(IPC_PRIVATE, 65536, IPC_CREAT | 0600);
		if (id < 0) {
			perror("paging: shmget");
			return 1;
		}
		printf("shmid=%d\n", id);
		fflush(stdout);
		sleep((unsigned)atoi(argv[2]));
		shmctl(id, IPC_RMID, NULL);
		return 0;
	}
	fprintf(stderr,
		"usage: paging demand MAP_MIB TOUCH_MIB | paging cow MIB | paging shm SECONDS\n");
	return 2;
}
