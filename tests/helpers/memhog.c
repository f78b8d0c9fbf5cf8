/* memhog MiB: allocates MiB mebibytes and writes to every page, so each one is really
 * backed by memory (demand paging gives none until touched). Prints how far it got, every
 * 8 MiB; exits 0 when all are touched. */
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	if (argc != 2 || atol(argv[1]) <= 0) {
		fprintf(stderr, "usage: memhog MiB\n");
		return 2;
	}
	size_t mib = (size_t)atol(argv[1]);
	char *p = mmap(NULL, mib << 20, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED) {
		perror("memhog: mmap");
		return 1;
	}
	long page = sysconf(_SC_PAGESIZE);
	for (size_t i = 0; i < mib; i++) {
		for (size_t off = 0; off < (1u << 20); off += (size_t)page)
			p[(i << 20) + off] = 1;
		if ((i + 1) % 8 == 0) {
			printf("memhog: %zu MiB touched\n", i + 1);
			fflush(stdout);
		}
	}
	printf("memhog: all %zu MiB touched\n", mib);
	return 0;
}
