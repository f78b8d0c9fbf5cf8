/* The container's command is exec'd through this program, run from a sealed memfd
 * (runtime/trampoline_fd.c), never straight from the runtime: until its execve the command's
 * process is a fork of the runtime, and a command that is a script starting `#!/proc/self/exe`
 * would have the kernel run the host's shikumi binary inside the container, dumpable, as
 * container root: a process inside could then open it through /proc/PID/exe and chmod, chown
 * or setxattr the host's binary (runc CVE-2019-5736; found by the review of `exec`). From here,
 * /proc/self/exe is this copy, sealed against writes.
 *
 *   trampoline PATH ARGV0 ARGS...   execs PATH with argv ARGV0 ARGS... and the same environment
 *
 * Freestanding (no libc: it is a few hundred bytes, so the copy and the extra exec cost
 * microseconds), x86-64. On failure: one line on stderr, exit 127 (not found) or 126. */
#include <asm/unistd.h>
#include <linux/errno.h>

static long sys3(long n, long a, long b, long c)
{
	long r;
	__asm__ volatile("syscall"
			 : "=a"(r)
			 : "a"(n), "D"(a), "S"(b), "d"(c)
			 : "rcx", "r11", "memory");
	return r;
}

static void put(const char *s)
{
	long n = 0;
	while (s[n])
		n++;
	sys3(__NR_write, 2, (long)s, n);
}

__attribute__((noreturn, used)) void trampoline_main(long *sp)
{
	long argc = sp[0];
	char **argv = (char **)(sp + 1), **envp = argv + argc + 1;
	long r = -ENOENT;
	if (argc >= 2)
		r = sys3(__NR_execve, (long)argv[0], (long)(argv + 1), (long)envp);
	char num[24], *p = num + sizeof(num) - 1;
	*p = '\0';
	for (unsigned long e = (unsigned long)-r; p > num && (e || p == num + sizeof(num) - 1);
	     e /= 10)
		*--p = (char)('0' + e % 10);
	put("shikumi: cannot execute '");
	put(argc >= 1 ? argv[0] : "?");
	put("' in the container (errno ");
	put(p);
	put(")\n");
	sys3(__NR_exit_group, r == -ENOENT || r == -ENOTDIR ? 127 : 126, 0, 0);
	__builtin_unreachable();
}

__asm__(".globl _start\n"
	"_start:\n"
	"	mov %rsp, %rdi\n"
	"	and $-16, %rsp\n"
	"	call trampoline_main\n");
