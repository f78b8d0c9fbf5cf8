/* Unit tests: the seccomp filters (runtime/seccomp_policy.c, built at build time) and the
 * OCI/Docker JSON profile reader (runtime/seccomp_profile.c). A filter is tried for real:
 * in a forked child that loads it, makes the call and reports what the kernel answered. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "../../common/err.h"
#include "../../runtime/caps.h"
#include "../../runtime/init.h"
#include "../../runtime/seccomp_load.h"
#include "../../runtime/seccomp_profile.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/filter.h>
#include <linux/net.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/capability.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#ifndef AF_VSOCK
#define AF_VSOCK 40
#endif

/* What one call answers under a filter. */
enum call {
	CALL_GETPPID,
	CALL_UNALLOCATED, /* 390: never allocated on x86-64 */
	CALL_KEYCTL,
	CALL_SOCKET_INET,
	CALL_SOCKET_VSOCK,
	CALL_UNSHARE_USER,
	CALL_UNSHARE_FILES, /* not a namespace: allowed */
	CALL_MBIND,
	CALL_DUP_1000,
	CALL_DUP_1001,
	CALL_DUP_0301,
	CALL_DUP_0401,
};

static long make(enum call c)
{
	switch (c) {
	case CALL_GETPPID:
		return syscall(SYS_getppid);
	case CALL_UNALLOCATED:
		return syscall(390);
	case CALL_KEYCTL:
		return syscall(SYS_keyctl, 0 /* KEYCTL_GET_KEYRING_ID */, -3, 0);
	case CALL_SOCKET_INET:
		return socket(AF_INET, SOCK_DGRAM, 0);
	case CALL_SOCKET_VSOCK:
		return socket(AF_VSOCK, SOCK_STREAM, 0);
	case CALL_UNSHARE_USER:
		return unshare(CLONE_NEWUSER);
	case CALL_UNSHARE_FILES:
		return unshare(CLONE_FILES);
	case CALL_MBIND:
		return syscall(SYS_mbind, NULL, 0, 0, NULL, 0, 0);
	case CALL_DUP_1000:
		return syscall(SYS_dup, 1000);
	case CALL_DUP_1001:
		return syscall(SYS_dup, 1001);
	case CALL_DUP_0301:
		return syscall(SYS_dup, 0x301);
	case CALL_DUP_0401:
		return syscall(SYS_dup, 0x401);
	}
	return -1;
}

/* Loads the BPF program (or ctx, when bpf is NULL) in a child, makes the call, and returns
 * 0 when it succeeded, else its errno. */
static int errno_under(const unsigned char *bpf, size_t len, scmp_filter_ctx ctx, enum call c)
{
	pid_t pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
			_exit(254);
		if (bpf ? seccomp_load_bpf(bpf, len) < 0 : seccomp_load(ctx) < 0)
			_exit(255);
		long r = make(c);
		/* exit_group itself: AddressSanitizer's _exit makes calls of its own first,
		 * which a profile may refuse */
		syscall(SYS_exit_group, r < 0 ? errno : 0);
	}
	int status;
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	assert_int_not_equal(WEXITSTATUS(status), 255);
	return WEXITSTATUS(status);
}

static int default_errno(unsigned variant, enum call c)
{
	const struct seccomp_prebuilt *p = &seccomp_prebuilt[variant];
	return errno_under(p->bpf, p->len, NULL, c);
}

static void default_is_an_allow_list(void **state)
{
	(void)state;
	unsigned v = seccomp_variant_for(caps_default());
	assert_int_equal(v, 0);
	assert_int_equal(default_errno(v, CALL_GETPPID), 0);
	/* what the filter does not know is ENOSYS, what it refuses EPERM */
	assert_int_equal(default_errno(v, CALL_UNALLOCATED), ENOSYS);
	assert_int_equal(default_errno(v, CALL_KEYCTL), EPERM);
	assert_int_equal(default_errno(v, CALL_SOCKET_VSOCK), EPERM);
	assert_int_equal(default_errno(v, CALL_SOCKET_INET), 0);
	assert_int_equal(default_errno(v, CALL_UNSHARE_USER), EPERM);
	assert_int_equal(default_errno(v, CALL_UNSHARE_FILES), 0);
	assert_int_equal(default_errno(v, CALL_MBIND), EPERM);
	/* dup's arguments are not filtered: the kernel's EBADF */
	assert_int_equal(default_errno(v, CALL_DUP_1000), EBADF);
}

static void variants_follow_capabilities(void **state)
{
	(void)state;
	assert_int_equal(seccomp_variant_for(caps_default() | CAP_BIT(CAP_SYS_NICE)),
			 SECCOMP_KEEPS_NICE);
	assert_int_equal(seccomp_variant_for(caps_all()), SECCOMP_VARIANTS - 1);
	/* mbind with CAP_SYS_NICE kept: past the filter (0, or the kernel's own answer) */
	assert_int_not_equal(default_errno(SECCOMP_KEEPS_NICE, CALL_MBIND), EPERM);
	assert_int_equal(default_errno(SECCOMP_KEEPS_NICE, CALL_KEYCTL), EPERM);
	/* with CAP_SYS_ADMIN a new namespace is the kernel's decision, not the filter's */
	assert_int_equal(default_errno(SECCOMP_KEEPS_ADMIN, CALL_UNALLOCATED), ENOSYS);
	/* every program fits the kernel's limit with room to spare */
	for (unsigned v = 0; v < SECCOMP_VARIANTS; v++) {
		assert_true(seccomp_prebuilt[v].len / sizeof(struct sock_filter) < 2048);
		assert_int_equal(seccomp_prebuilt[v].len % sizeof(struct sock_filter), 0);
	}
	assert_true(seccomp_prebuilt_init.len / sizeof(struct sock_filter) < 64);
}

/* ---- PID 1's filter ---- */

/* Forks an init as shikumi's child does, with PID 1's filter loaded: cmd is its child,
 * running what(); the init's own exit status (or signal) is returned as a wait status. */
static int init_under_filter(void (*what)(void), int sig_to_init, void (*init_extra)(void))
{
	pid_t init = fork();
	assert_true(init >= 0);
	if (init == 0) {
		sigset_t forward, all;
		init_forwarded_signals(&forward);
		all = forward;
		sigaddset(&all, SIGCHLD);
		sigprocmask(SIG_BLOCK, &all, NULL);
		pid_t cmd = fork();
		if (cmd == 0) {
			sigprocmask(SIG_UNBLOCK, &all, NULL);
			what();
			_exit(0);
		}
		if (cmd < 0 || prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0 ||
		    seccomp_load_bpf(seccomp_prebuilt_init.bpf, seccomp_prebuilt_init.len) < 0)
			_exit(250);
		if (init_extra)
			init_extra();
		/* exit_group itself, as glibc's _exit makes it: AddressSanitizer's _exit
		 * first calls sigaltstack, which PID 1's filter rightly does not allow. */
		syscall(SYS_exit_group, init_wait(cmd, &forward));
	}
	if (sig_to_init) {
		usleep(100 * 1000); /* let it reach sigwaitinfo; a signal sooner is queued anyway */
		kill(init, sig_to_init);
	}
	int status;
	assert_int_equal(waitpid(init, &status, 0), init);
	return status;
}

static void exit_3(void)
{
	_exit(3);
}

static void wait_for_sigterm(void)
{
	pause(); /* SIGTERM's default action ends it */
}

static void init_reaps_and_returns_the_status(void **state)
{
	(void)state;
	int status = init_under_filter(exit_3, 0, NULL);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 3);
}

static void init_forwards_signals(void **state)
{
	(void)state;
	int status = init_under_filter(wait_for_sigterm, SIGTERM, NULL);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 128 + SIGTERM);
}

static void init_getpid(void)
{
	syscall(SYS_getpid);
}

static void init_socket(void)
{
	socket(AF_INET, SOCK_DGRAM, 0);
}

static void a_forbidden_call_kills_init(void **state)
{
	(void)state;
	int status = init_under_filter(exit_3, 0, init_getpid);
	assert_true(WIFSIGNALED(status));
	assert_int_equal(WTERMSIG(status), SIGSYS);
	status = init_under_filter(exit_3, 0, init_socket);
	assert_true(WIFSIGNALED(status));
	assert_int_equal(WTERMSIG(status), SIGSYS);
}

/* PID 1 points its stdio at /dev/null before its filter is loaded: opening a file after
 * is one call too many. */
static void init_opens_a_file(void)
{
	openat(AT_FDCWD, "/dev/null", O_RDWR | O_CLOEXEC);
}

/* The byte that releases the command (a write on a pipe; EBADF here) is let through. */
static void init_writes_the_release_byte(void)
{
	if (write(-1, "", 1) != -1 || errno != EBADF)
		_exit(251);
}

static void init_may_release_but_not_open(void **state)
{
	(void)state;
	int status = init_under_filter(exit_3, 0, init_writes_the_release_byte);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 3);
	status = init_under_filter(exit_3, 0, init_opens_a_file);
	assert_true(WIFSIGNALED(status));
	assert_int_equal(WTERMSIG(status), SIGSYS);
}

/* ---- the JSON profile reader ---- */

static scmp_filter_ctx ctx;

static int from_json(const char *text, uint64_t caps)
{
	struct json_object *o = json_tokener_parse(text);
	assert_non_null(o);
	int r = seccomp_policy_from_json(o, caps, "p", &ctx);
	json_object_put(o);
	return r;
}

/* The profile is refused, with exactly this message. */
static void refused(const char *text, const char *message)
{
	assert_int_equal(from_json(text, caps_default()), -EINVAL);
	assert_string_equal(err_msg(), message);
}

static void errors_name_the_json_path(void **state)
{
	(void)state;
	refused("[]", "p: expected a JSON object");
	refused("{}", "p: defaultAction: missing");
	refused("{\"defaultAction\": 1}", "p: defaultAction: expected string");
	refused("{\"defaultAction\": \"SCMP_ACT_ERRNO\", \"defaultErrnoRet\": 5000}",
		"p: defaultErrnoRet: 5000 is not an errno (0-4095)");
	refused("{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"architectures\": [\"SCMP_ARCH_X86\", "
		"\"SCMP_ARCH_FOO\"]}",
		"p: architectures[1]: unknown architecture 'SCMP_ARCH_FOO'");
	refused("{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"archMap\": [{}]}",
		"p: archMap[0].architecture: missing");
	refused("{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"archMap\": [{\"architecture\": "
		"\"SCMP_ARCH_X86_64\", \"subArchitectures\": [\"SCMP_ARCH_BAR\"]}]}",
		"p: archMap[0].subArchitectures[0]: unknown architecture 'SCMP_ARCH_BAR'");
	refused("{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"syscalls\": {}}",
		"p: syscalls: expected array");
	refused("{\"defaultAction\": \"SCMP_ACT_ERRNO\", \"syscalls\": [{\"names\": [\"read\"], "
		"\"action\": \"SCMP_ACT_ALLOW\"}, {\"names\": [\"write\"], \"action\": "
		"\"SCMP_ACT_FOO\"}]}",
		"p: syscalls[1].action: unknown action 'SCMP_ACT_FOO'");
	refused("{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"syscalls\": [{\"names\": [\"read\"]}]}",
		"p: syscalls[0].action: missing");
	refused("{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"syscalls\": [7]}",
		"p: syscalls[0]: expected an object");
	refused("{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"syscalls\": [{\"action\": "
		"\"SCMP_ACT_KILL\"}]}",
		"p: syscalls[0]: no \"names\"");
	refused("{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"syscalls\": [{\"names\": [\"read\", 3], "
		"\"action\": \"SCMP_ACT_KILL\"}]}",
		"p: syscalls[0].names[1]: expected a string");
	refused("{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"syscalls\": [{\"names\": [\"read\"], "
		"\"action\": \"SCMP_ACT_ERRNO\", \"errnoRet\": -1}]}",
		"p: syscalls[0].errnoRet: -1 is not an errno (0-4095)");
	refused("{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"syscalls\": [{\"names\": [\"read\"], "
		"\"action\": \"SCMP_ACT_NOTIFY\"}]}",
		"p: syscalls[0].action: 'SCMP_ACT_NOTIFY' needs a seccomp agent, which shikumi "
		"does not have");
	refused("{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"syscalls\": [{\"names\": [\"dup\"], "
		"\"action\": \"SCMP_ACT_KILL\", \"args\": [{\"index\": 0, \"value\": 1, \"op\": "
		"\"SCMP_CMP_FOO\"}]}]}",
		"p: syscalls[0].args[0].op: unknown operator 'SCMP_CMP_FOO'");
	refused("{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"syscalls\": [{\"names\": [\"dup\"], "
		"\"action\": \"SCMP_ACT_KILL\", \"args\": [{\"index\": 6, \"value\": 1, \"op\": "
		"\"SCMP_CMP_EQ\"}]}]}",
		"p: syscalls[0].args[0].index: a system call has arguments 0 to 5");
	refused("{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"syscalls\": [{\"names\": [\"dup\"], "
		"\"action\": \"SCMP_ACT_KILL\", \"args\": [{\"index\": 0, \"value\": 1}]}]}",
		"p: syscalls[0].args[0].op: missing");
	refused("{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"syscalls\": [{\"names\": [\"dup\"], "
		"\"action\": \"SCMP_ACT_KILL\", \"args\": [{\"index\": 0, \"value\": -2, \"op\": "
		"\"SCMP_CMP_EQ\"}]}]}",
		"p: syscalls[0].args[0].value: '-2' is negative");
	refused("{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"syscalls\": [{\"names\": [\"dup\"], "
		"\"action\": \"SCMP_ACT_KILL\", \"includes\": {\"caps\": [\"CAP_FLY\"]}}]}",
		"p: syscalls[0].includes.caps[0]: unknown capability 'CAP_FLY'");
	refused("{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"syscalls\": [{\"names\": [\"dup\"], "
		"\"action\": \"SCMP_ACT_KILL\", \"excludes\": {\"minKernel\": \"new\"}}]}",
		"p: syscalls[0].excludes.minKernel: 'new' is not a kernel version (MAJOR.MINOR)");
}

/* getppid fails with 77 when the rule applies. */
#define GETPPID_77(cond)                                                                           \
	"{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"syscalls\": [{\"names\": [\"getppid\"], "       \
	"\"action\": \"SCMP_ACT_ERRNO\", \"errnoRet\": 77, " cond "}]}"

static int getppid_errno(const char *profile, uint64_t caps)
{
	assert_int_equal(from_json(profile, caps), 0);
	int e = errno_under(NULL, 0, ctx, CALL_GETPPID);
	seccomp_release(ctx);
	return e;
}

static void includes_and_excludes_are_honoured(void **state)
{
	(void)state;
	uint64_t nice = caps_default() | CAP_BIT(CAP_SYS_NICE);
	const char *inc = GETPPID_77("\"includes\": {\"caps\": [\"CAP_SYS_NICE\", \"CAP_KILL\"]}");
	assert_int_equal(getppid_errno(inc, nice), 77);
	assert_int_equal(getppid_errno(inc, caps_default()), 0); /* one cap missing */
	const char *exc = GETPPID_77("\"excludes\": {\"caps\": [\"CAP_SYS_NICE\"]}");
	assert_int_equal(getppid_errno(exc, nice), 0);
	assert_int_equal(getppid_errno(exc, caps_default()), 77);
	assert_int_equal(
	    getppid_errno(GETPPID_77("\"includes\": {\"arches\": [\"arm64\"]}"), caps_default()),
	    0);
	assert_int_equal(getppid_errno(GETPPID_77("\"includes\": {\"arches\": [\"s390\", "
						  "\"amd64\"]}"),
				       caps_default()),
			 77);
	assert_int_equal(
	    getppid_errno(GETPPID_77("\"excludes\": {\"arches\": [\"amd64\"]}"), caps_default()),
	    0);
	assert_int_equal(
	    getppid_errno(GETPPID_77("\"includes\": {\"minKernel\": \"2.6\"}"), caps_default()),
	    77);
	assert_int_equal(
	    getppid_errno(GETPPID_77("\"includes\": {\"minKernel\": \"99.0\"}"), caps_default()),
	    0);
	/* the old single "name" */
	assert_int_equal(getppid_errno("{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"syscalls\": "
				       "[{\"name\": \"getppid\", \"action\": \"SCMP_ACT_ERRNO\", "
				       "\"errnoRet\": 77}]}",
				       caps_default()),
			 77);
	/* the default's errno, and a rule that only repeats the default (libseccomp would
	 * refuse it: it is dropped) */
	assert_int_equal(getppid_errno("{\"defaultAction\": \"SCMP_ACT_ERRNO\", "
				       "\"defaultErrnoRet\": 78, \"syscalls\": [{\"names\": "
				       "[\"getppid\"], \"action\": \"SCMP_ACT_ERRNO\", "
				       "\"errnoRet\": 78}, {\"names\": [\"exit_group\"], "
				       "\"action\": \"SCMP_ACT_ALLOW\"}]}",
				       caps_default()),
			 78);
}

static void args_are_compiled(void **state)
{
	(void)state;
	assert_int_equal(
	    from_json("{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"syscalls\": ["
		      "{\"names\": [\"dup\"], \"action\": \"SCMP_ACT_ERRNO\", \"errnoRet\": 77,"
		      " \"args\": [{\"index\": 0, \"value\": 1000, \"op\": \"SCMP_CMP_EQ\"}]},"
		      "{\"names\": [\"dup\"], \"action\": \"SCMP_ACT_ERRNO\", \"errnoRet\": 78,"
		      " \"args\": [{\"index\": 0, \"value\": 65280, \"valueTwo\": 768,"
		      " \"op\": \"SCMP_CMP_MASKED_EQ\"}]}]}",
		      caps_default()),
	    0);
	assert_int_equal(errno_under(NULL, 0, ctx, CALL_DUP_1000), 77);
	/* 1001 is 0x3e9 and 0x301 is 0x301: both 0x300 under the mask 0xff00 */
	assert_int_equal(errno_under(NULL, 0, ctx, CALL_DUP_1001), 78);
	assert_int_equal(errno_under(NULL, 0, ctx, CALL_DUP_0301), 78);
	assert_int_equal(errno_under(NULL, 0, ctx, CALL_DUP_0401), EBADF);
	seccomp_release(ctx);
	/* two comparisons of one argument: each its own rule (either matches), as runc */
	assert_int_equal(
	    from_json("{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"syscalls\": ["
		      "{\"names\": [\"dup\"], \"action\": \"SCMP_ACT_ERRNO\", \"errnoRet\": 77,"
		      " \"args\": [{\"index\": 0, \"value\": 1000, \"op\": \"SCMP_CMP_EQ\"},"
		      " {\"index\": 0, \"value\": 1001, \"op\": \"SCMP_CMP_EQ\"}]}]}",
		      caps_default()),
	    0);
	assert_int_equal(errno_under(NULL, 0, ctx, CALL_DUP_1000), 77);
	assert_int_equal(errno_under(NULL, 0, ctx, CALL_DUP_1001), 77);
	assert_int_equal(errno_under(NULL, 0, ctx, CALL_DUP_0301), EBADF);
	seccomp_release(ctx);
}

static void unknown_names_are_skipped_and_listed(void **state)
{
	(void)state;
	assert_int_equal(getppid_errno("{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"syscalls\": "
				       "[{\"names\": [\"nosuchcall\", \"getppid\", \"nosuchcall\", "
				       "\"later_call\"], \"action\": \"SCMP_ACT_ERRNO\", "
				       "\"errnoRet\": 77}]}",
				       caps_default()),
			 77);
	assert_string_equal(seccomp_profile_skipped(), "nosuchcall, later_call");
	assert_int_equal(getppid_errno(GETPPID_77("\"comment\": \"x\""), caps_default()), 77);
	assert_string_equal(seccomp_profile_skipped(), "");
}

static void architectures_and_arch_map(void **state)
{
	(void)state;
	assert_int_equal(
	    from_json("{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"archMap\": ["
		      "{\"architecture\": \"SCMP_ARCH_AARCH64\", "
		      "\"subArchitectures\": [\"SCMP_ARCH_ARM\"]},"
		      "{\"architecture\": \"SCMP_ARCH_X86_64\", "
		      "\"subArchitectures\": [\"SCMP_ARCH_X86\", \"SCMP_ARCH_X32\"]}]}",
		      caps_default()),
	    0);
	assert_int_equal(seccomp_arch_exist(ctx, SCMP_ARCH_X86), 0);
	assert_int_equal(seccomp_arch_exist(ctx, SCMP_ARCH_X32), 0);
	assert_int_equal(seccomp_arch_exist(ctx, SCMP_ARCH_ARM), -EEXIST); /* another host's */
	seccomp_release(ctx);
	assert_int_equal(from_json("{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"architectures\": "
				   "[\"SCMP_ARCH_X86_64\", \"SCMP_ARCH_X86\"]}",
				   caps_default()),
			 0);
	assert_int_equal(seccomp_arch_exist(ctx, SCMP_ARCH_X86), 0);
	assert_int_equal(seccomp_arch_exist(ctx, SCMP_ARCH_X32), -EEXIST);
	seccomp_release(ctx);
}

static void files_and_their_errors(void **state)
{
	(void)state;
	char path[] = "/tmp/shikumi-seccomp-XXXXXX";
	int fd = mkstemp(path);
	assert_true(fd >= 0);
	const char good[] = "{\"defaultAction\": \"SCMP_ACT_ALLOW\", \"syscalls\": [{\"names\": "
			    "[\"getppid\"], \"action\": \"SCMP_ACT_ERRNO\", \"errnoRet\": 77}]}\n";
	assert_int_equal(write(fd, good, sizeof(good) - 1), (ssize_t)sizeof(good) - 1);
	unsigned char *bpf = NULL;
	size_t len = 0;
	assert_int_equal(seccomp_compile_file(path, caps_default(), &bpf, &len), 0);
	assert_int_equal(errno_under(bpf, len, NULL, CALL_GETPPID), 77);
	free(bpf);
	char msg[256];
	assert_int_equal(ftruncate(fd, 0), 0);
	assert_int_equal(pwrite(fd, "{\"defaultAction\": ", 18, 0), 18);
	assert_int_equal(seccomp_compile_file(path, caps_default(), &bpf, &len), -EINVAL);
	snprintf(msg, sizeof(msg),
		 "seccomp profile '%s': not valid JSON at byte 18: unexpected end "
		 "of file",
		 path);
	assert_string_equal(err_msg(), msg);
	assert_int_equal(pwrite(fd, "{\"defaultAction\": ]", 19, 0), 19);
	assert_int_equal(seccomp_compile_file(path, caps_default(), &bpf, &len), -EINVAL);
	assert_non_null(strstr(err_msg(), "not valid JSON at byte 18"));
	close(fd);
	unlink(path);
	assert_int_equal(seccomp_compile_file(path, caps_default(), &bpf, &len), -ENOENT);
	snprintf(msg, sizeof(msg), "seccomp profile '%s': No such file or directory", path);
	assert_string_equal(err_msg(), msg);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(default_is_an_allow_list),
	    cmocka_unit_test(variants_follow_capabilities),
	    cmocka_unit_test(init_reaps_and_returns_the_status),
	    cmocka_unit_test(init_forwards_signals),
	    cmocka_unit_test(a_forbidden_call_kills_init),
	    cmocka_unit_test(init_may_release_but_not_open),
	    cmocka_unit_test(errors_name_the_json_path),
	    cmocka_unit_test(includes_and_excludes_are_honoured),
	    cmocka_unit_test(args_are_compiled),
	    cmocka_unit_test(unknown_names_are_skipped_and_listed),
	    cmocka_unit_test(architectures_and_arch_map),
	    cmocka_unit_test(files_and_their_errors),
	};
	return cmocka_run_group_tests_name("seccomp", tests, NULL, NULL);
}
