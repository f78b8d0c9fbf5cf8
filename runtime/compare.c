/* shikumi compare: start the same command many times as a container and as a VM, with
 * shikumi and with every peer installed, and show where each one's time and memory go.
 *
 *   1. validate everything (options, ROOTFS, the command in it, hyperfine, the output files);
 *   2. find the contenders: shikumi run, crun, runc, bwrap; with /dev/kvm shikumi vm and
 *      QEMU's microvm on the same kernel and initramfs;
 *   3. for each: a few probe runs of our own (does it work at all? its memory, via ptrace's
 *      exit stop and wait4; shikumi's --timing phases), then hyperfine times it;
 *   4. the table on stdout, and --svg / --json if asked.
 * Everything temporary lives in one folder (the OCI bundle, hyperfine's JSON), removed at the
 * end, on error and on Ctrl-C. */
#include "compare.h"
#include "rootfs.h"
#include "../common/err.h"
#include "../common/exe.h"
#include "../common/kvm.h"
#include "../common/fd.h"
#include "../vmm/cli.h"

#include <fcntl.h>
#include <ftw.h>
#include <json-c/json.h>
#include <limits.h>
#include <linux/magic.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/ptrace.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define PROBE_TIMEOUT_S 120
#define DEFAULT_PATH	"/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

struct compare_opts {
	int runs;
	const char *rootfs, *kernel, *initrd, *svg, *json, *only;
	char **argv; /* the command; NULL means /bin/true */
	int argc;
};

static volatile sig_atomic_t interrupted;

static void on_signal(int sig)
{
	interrupted = sig;
}

static void usage(FILE *f)
{
	fputs("Usage: shikumi compare [OPTIONS] [-- CMD [ARG...]]\n"
	      "\n"
	      "Starts CMD (default /bin/true) many times as a container and as a VM, with shikumi\n"
	      "and with the peers installed (crun, runc, bwrap; qemu-system-x86_64 -M microvm\n"
	      "when /dev/kvm exists), on the same busybox root and the same guest kernel, and\n"
	      "prints median, p90, min and max start-to-exit time (hyperfine), each one's peak\n"
	      "memory, and where shikumi's time goes (--timing).\n"
	      "\n"
	      "  --runs N         timed runs per contender (default 20)\n"
	      "  --only LIST      only these, comma-separated: run,crun,runc,bwrap,vm,restore,\n"
	      "                   qemu (restore: shikumi vm --from a snapshot of one boot)\n"
	      "  --rootfs DIR     the containers' root (default: rootfs beside shikumi)\n"
	      "  --kernel FILE    the guest kernel (default: guest/vmlinux-mini if built, else\n"
	      "                   guest/bzImage)\n"
	      "  --initrd FILE    the guest's initramfs (default: initramfs.cpio.gz)\n"
	      "  --svg FILE       draw the comparison as a bar chart\n"
	      "  --json FILE      write the numbers as JSON\n"
	      "\n"
	      "The defaults are in build/ beside shikumi in a checkout, in PREFIX/lib/shikumi\n"
	      "once installed (make install).\n"
	      "\n"
	      "Before each VM run, timed or not, 128 MiB are written and freed (dd), so that no\n"
	      "run pays for the memory the one before it left (under emulation that costs about\n"
	      "a second; on a real machine a few milliseconds, outside the timed run).\n"
	      "\n"
	      "Needs hyperfine (apt-get install hyperfine) and root, as shikumi run and crun do.\n"
	      "Without /dev/kvm only the containers are compared; tests/testhost/run gives any\n"
	      "machine KVM: tests/testhost/run --smp 1 -- build/shikumi compare\n",
	      f);
}

static int parse_int(const char *s, const char *what, int lo, int hi, int *out)
{
	char *end;
	errno = 0;
	long v = strtol(s, &end, 10);
	if (!*s || *end || errno || v < lo || v > hi)
		return err_set(0, "invalid %s '%s': expected a number from %d to %d", what, s, lo,
			       hi);
	*out = (int)v;
	return 0;
}

static int parse_opts(int argc, char **argv, struct compare_opts *o, bool *help)
{
	*o = (struct compare_opts){.runs = 20};
	*help = false;
	int i = 1;
	for (; i < argc && strcmp(argv[i], "--"); i++) {
		const char *a = argv[i];
		const char **dst = !strcmp(a, "--rootfs")   ? &o->rootfs
				   : !strcmp(a, "--kernel") ? &o->kernel
				   : !strcmp(a, "--initrd") ? &o->initrd
				   : !strcmp(a, "--svg")    ? &o->svg
				   : !strcmp(a, "--json")   ? &o->json
				   : !strcmp(a, "--only")   ? &o->only
							    : NULL;
		if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
			*help = true;
			return 0;
		} else if (!strcmp(a, "--runs")) {
			if (i + 1 == argc)
				return err_set(0, "--runs needs a number");
			if (parse_int(argv[++i], "--runs", 1, 10000, &o->runs) < 0)
				return -EINVAL;
		} else if (dst) {
			if (i + 1 == argc || !argv[i + 1][0])
				return err_set(0, "%s needs a value", a);
			*dst = argv[++i];
		} else {
			return err_set(
			    0, "unknown option '%s' for compare (see shikumi compare --help)", a);
		}
	}
	if (i + 1 < argc) {
		o->argv = argv + i + 1;
		o->argc = argc - i - 1;
	} else if (i < argc) {
		return err_set(0, "nothing after '--': give a command, or leave '--' out");
	}
	if (o->only) {
		static const char *known = ",run,crun,runc,bwrap,vm,restore,qemu,";
		char *copy = strdup(o->only), *save = NULL;
		for (char *w = strtok_r(copy, ",", &save); w; w = strtok_r(NULL, ",", &save)) {
			char key[32];
			snprintf(key, sizeof(key), ",%s,", w);
			if (!strstr(known, key)) {
				err_set(0,
					"--only: unknown contender '%s' (run, crun, runc, bwrap, "
					"vm, restore, qemu)",
					w);
				free(copy);
				return -EINVAL;
			}
		}
		free(copy);
	}
	return 0;
}

static bool wanted(const struct compare_opts *o, const char *key)
{
	if (!o->only)
		return true;
	char list[256], k[32];
	snprintf(list, sizeof(list), ",%s,", o->only);
	snprintf(k, sizeof(k), ",%s,", key);
	return strstr(list, k) != NULL;
}

/* The absolute path of PROGRAM in $PATH, or NULL. */
static const char *which(const char *program, char *buf, size_t n)
{
	const char *path = getenv("PATH");
	for (const char *p = path && *path ? path : DEFAULT_PATH; *p;) {
		size_t len = strcspn(p, ":");
		if ((size_t)snprintf(buf, n, "%.*s/%s", (int)len, p, program) < n &&
		    access(buf, X_OK) == 0)
			return buf;
		p += len + (p[len] == ':');
	}
	return NULL;
}

/* Appends WORD to a hyperfine command line as one shell word. */
static void word(char *cmd, size_t n, const char *w)
{
	size_t len = strlen(cmd);
	if (len && len < n)
		cmd[len++] = ' ';
	bool plain = *w && strspn(w, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
				     "0123456789/._-=:,+@%") == strlen(w);
	if (plain) {
		snprintf(cmd + len, n - len, "%s", w);
		return;
	}
	if (len < n)
		cmd[len++] = '\'';
	for (; *w && len + 5 < n; w++) {
		if (*w == '\'') {
			memcpy(cmd + len, "'\\''", 4);
			len += 4;
		} else {
			cmd[len++] = *w;
		}
	}
	snprintf(cmd + len, n - len, "'");
}

/* Splits a command line made by word() back into argv, for the probe runs. */
static int split(const char *cmd, char *buf, size_t n, char **argv, int max)
{
	int argc = 0;
	size_t o = 0;
	for (const char *p = cmd; *p;) {
		while (*p == ' ')
			p++;
		if (!*p)
			break;
		if (argc == max - 1 || o >= n)
			return err_set(E2BIG, "a command line too long to split");
		argv[argc++] = buf + o;
		while (*p && *p != ' ' && o + 1 < n) {
			if (*p == '\'') {
				for (p++; *p && *p != '\''; p++)
					buf[o++] = *p;
				p += *p == '\'';
			} else if (*p == '\\' && p[1]) {
				buf[o++] = p[1];
				p += 2;
			} else {
				buf[o++] = *p++;
			}
		}
		buf[o++] = '\0';
	}
	argv[argc] = NULL;
	return argc;
}

/* ---- the temporary folder and the peers' OCI bundle ---- */

static char tmpdir[1024];
static char oci_id[64];
static char oci_tool[2][PATH_MAX]; /* crun, runc: "" when not installed */
static bool oci_used[2];	   /* a container to delete -f at the end */

static int rm_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st, (void)flag, (void)ftw;
	return remove(path) < 0 ? -1 : 0;
}

static int run_quiet(char *const argv[], const char *dir)
{
	pid_t pid = fork();
	if (pid < 0)
		return err_set(errno, "fork");
	if (pid == 0) {
		int null = open("/dev/null", O_RDWR);
		dup2(null, 0), dup2(null, 1), dup2(null, 2);
		if (dir && chdir(dir) < 0)
			_exit(126);
		execv(argv[0], argv);
		_exit(127);
	}
	int st;
	while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
		;
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

static void cleanup(void)
{
	for (int i = 0; i < 2; i++)
		if (oci_used[i])
			run_quiet((char *[]){oci_tool[i], "delete", "-f", oci_id, NULL}, NULL);
	if (tmpdir[0])
		nftw(tmpdir, rm_entry, 8, FTW_DEPTH | FTW_PHYS);
	tmpdir[0] = '\0';
}

/* An OCI bundle for crun and runc: the tool's own default spec (`crun spec`), pointed at
 * ROOTFS, running the command without a terminal, with a cgroup namespace like shikumi's. */
static int make_bundle(const char *tool, const char *rootfs, char **cmd, int ncmd, char *bundle,
		       size_t n)
{
	snprintf(bundle, n, "%s/bundle-%s", tmpdir,
		 strrchr(tool, '/') ? strrchr(tool, '/') + 1 : tool);
	if (mkdir(bundle, 0700) < 0 && errno != EEXIST)
		return err_set(errno, "cannot make %s", bundle);
	char cfg[PATH_MAX + 16];
	snprintf(cfg, sizeof(cfg), "%s/config.json", bundle);
	unlink(cfg);
	if (run_quiet((char *[]){(char *)tool, "spec", NULL}, bundle) != 0)
		return err_set(0, "'%s spec' failed", tool);
	json_object *root = json_object_from_file(cfg), *o, *ns;
	if (!root)
		return err_set(0, "cannot read %s", cfg);
	int rc = -EINVAL;
	if (!json_object_object_get_ex(root, "root", &o)) {
		err_set(0, "%s: no \"root\"", cfg);
		goto out;
	}
	json_object_object_add(o, "path", json_object_new_string(rootfs));
	if (!json_object_object_get_ex(root, "process", &o)) {
		err_set(0, "%s: no \"process\"", cfg);
		goto out;
	}
	json_object_object_add(o, "terminal", json_object_new_boolean(0));
	json_object *args = json_object_new_array();
	for (int i = 0; i < ncmd; i++)
		json_object_array_add(args, json_object_new_string(cmd[i]));
	json_object_object_add(o, "args", args);
	if (json_object_object_get_ex(root, "linux", &o) &&
	    json_object_object_get_ex(o, "namespaces", &ns)) {
		bool have = false;
		for (size_t i = 0; i < json_object_array_length(ns); i++) {
			json_object *t;
			if (json_object_object_get_ex(json_object_array_get_idx(ns, i), "type",
						      &t) &&
			    !strcmp(json_object_get_string(t), "cgroup"))
				have = true;
		}
		if (!have) {
			json_object *c = json_object_new_object();
			json_object_object_add(c, "type", json_object_new_string("cgroup"));
			json_object_array_add(ns, c);
		}
	}
	if (json_object_to_file_ext(cfg, root, JSON_C_TO_STRING_PRETTY) < 0) {
		err_set(errno, "cannot write %s", cfg);
		goto out;
	}
	rc = 0;
out:
	json_object_put(root);
	return rc;
}

/* crun refuses a hybrid layout (cgroup v1 controllers with v2 at /sys/fs/cgroup/unified):
 * in a mount namespace of our own, the v2 mount goes, for every contender alike. */
static bool hybrid_cgroups(void)
{
	struct statfs a, b;
	return statfs("/sys/fs/cgroup", &a) == 0 && a.f_type != CGROUP2_SUPER_MAGIC &&
	       statfs("/sys/fs/cgroup/unified", &b) == 0 && b.f_type == CGROUP2_SUPER_MAGIC;
}

static int hide_unified(void)
{
	if (unshare(CLONE_NEWNS) < 0)
		return err_set(errno, "unshare(CLONE_NEWNS)");
	if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0 ||
	    umount2("/sys/fs/cgroup/unified", MNT_DETACH) < 0)
		return err_set(errno, "hiding /sys/fs/cgroup/unified");
	return 0;
}

/* ---- running things ---- */

static char *read_fd(int fd)
{
	struct stat st;
	if (fstat(fd, &st) < 0)
		return NULL;
	char *buf = calloc(1, (size_t)st.st_size + 1);
	if (buf && pread(fd, buf, (size_t)st.st_size, 0) < 0)
		buf[0] = '\0';
	return buf;
}

static long vm_hwm_kib(pid_t pid)
{
	char path[64], line[128];
	long kib = -1;
	snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
	FILE *f = fopen(path, "re");
	while (f && fgets(line, sizeof(line), f))
		if (sscanf(line, "VmHWM: %ld kB", &kib) == 1)
			break;
	if (f)
		fclose(f);
	return kib;
}

struct probe {
	int status;    /* exit status, 128+N for a signal, -1 timed out or interrupted */
	char *err;     /* its stderr */
	long rss_kib;  /* VmHWM of the process we started, read at its exit stop */
	long tree_kib; /* ru_maxrss from wait4: the largest process of the tree */
};

/* Runs argv once with stdin and stdout on /dev/null and stderr kept. With `trace`, under
 * ptrace, only so that it stops at its exit (PTRACE_O_TRACEEXIT) while its peak RSS can still
 * be read; each signal it receives then costs a round trip through us, so a run whose
 * --timing is read is not traced. */
static int probe_run(char *const argv[], int timeout_s, bool trace, struct probe *p)
{
	*p = (struct probe){.status = -1, .rss_kib = -1, .tree_kib = -1};
	autoclose int err = memfd_create("compare-stderr", MFD_CLOEXEC);
	int go[2];
	if (err < 0 || pipe2(go, O_CLOEXEC) < 0)
		return err_set(errno, "memfd/pipe");
	pid_t pid = fork();
	if (pid < 0) {
		int e = errno;
		close(go[0]), close(go[1]);
		return err_set(e, "fork");
	}
	if (pid == 0) {
		/* A process group of its own: on Ctrl-C we, not the terminal, stop it, politely
		 * first, so that a runtime can take its container down. */
		setpgid(0, 0);
		int null = open("/dev/null", O_RDWR);
		dup2(null, 0), dup2(null, 1), dup2(err, 2);
		close(go[1]);
		char c;
		if (read(go[0], &c, 1) < 0)
			_exit(125);
		execv(argv[0], argv);
		dprintf(2, "cannot run %s: %s\n", argv[0], strerror(errno));
		_exit(127);
	}
	setpgid(pid, pid); /* here too, so that it holds before any kill(-pid) */
	close(go[0]);
	bool traced = trace && ptrace(PTRACE_SEIZE, pid, 0, PTRACE_O_TRACEEXIT) == 0;
	close(go[1]);
	struct timespec t0, now;
	time_t stopping = 0; /* when SIGTERM gives way to SIGKILL */
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (;;) {
		int st;
		struct rusage ru;
		pid_t w = wait4(pid, &st, WNOHANG | __WALL, &ru);
		if (w == pid && WIFSTOPPED(st)) {
			int sig = WSTOPSIG(st), event = st >> 16;
			if (event == PTRACE_EVENT_EXIT)
				p->rss_kib = vm_hwm_kib(pid);
			ptrace(PTRACE_CONT, pid, 0, event ? 0 : sig);
			continue;
		}
		if (w == pid) {
			p->status = stopping	    ? -1
				    : WIFEXITED(st) ? WEXITSTATUS(st)
						    : 128 + WTERMSIG(st);
			p->tree_kib = ru.ru_maxrss;
			break;
		}
		clock_gettime(CLOCK_MONOTONIC, &now);
		if (!stopping && (interrupted || now.tv_sec - t0.tv_sec > timeout_s)) {
			kill(-pid, SIGTERM);
			stopping = now.tv_sec + 5;
		} else if (stopping && now.tv_sec > stopping) {
			kill(-pid, SIGKILL);
			if (traced)
				ptrace(PTRACE_DETACH, pid, 0, 0);
			while (waitpid(pid, &st, __WALL) < 0 && errno == EINTR)
				;
			p->status = -1;
			break;
		}
		nanosleep(&(struct timespec){.tv_nsec = traced ? 200000 : 2000000}, NULL);
	}
	p->err = read_fd(err);
	return 0;
}

/* The last line of a program's stderr that says something: why it failed. */
static void last_line(const char *text, char *out, size_t n)
{
	out[0] = '\0';
	for (const char *l = text; l && *l;) {
		size_t len = strcspn(l, "\n");
		const char *s = l;
		while (len && (*s == ' ' || *s == '\t' || *s == '\r'))
			s++, len--;
		while (len && (s[len - 1] == '\r' || s[len - 1] == ' '))
			len--;
		if (len && strncmp(s, "timing:", 7) && strncmp(s, "memory:", 7) &&
		    strncmp(s, "exits:", 6))
			snprintf(out, n, "%.*s", (int)len, s);
		l += strcspn(l, "\n");
		l += *l == '\n';
	}
}

/* Before each VM run: 128 MiB of anonymous memory written and freed. Under emulation (the
 * test host) the first write to the pages a guest has just run from costs about a second,
 * whoever makes it: without this, each VM run would pay for the one before it (README,
 * "Timing VMs under emulation"). For hyperfine, a command every machine has (dd's one
 * 128 MiB buffer, filled from /dev/zero); before the probes, the same done here. */
#define WASH_COMMAND "dd if=/dev/zero of=/dev/null bs=128M count=1 status=none" /* 128: MiB */

static void wash_memory(void)
{
	size_t n = (size_t)COMPARE_WASH_MIB << 20;
	void *p = mmap(NULL, n, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED)
		return;
	memset(p, 1, n);
	munmap(p, n);
}

/* Times one contender: hyperfine -N, its JSON read back (a VM's runs each washed first). */
static int time_with_hyperfine(const char *hyperfine, struct compare_result *r, int runs)
{
	char json[PATH_MAX], nruns[16], warm[16];
	snprintf(json, sizeof(json), "%s/hyperfine.json", tmpdir);
	unlink(json);
	snprintf(nruns, sizeof(nruns), "%d", runs);
	snprintf(warm, sizeof(warm), "%d", r->kind == COMPARE_VM ? 1 : 3);
	char *argv[16];
	int n = 0;
	argv[n++] = (char *)hyperfine;
	argv[n++] = "-N";
	argv[n++] = "--style";
	argv[n++] = "none";
	argv[n++] = "--warmup";
	argv[n++] = warm;
	argv[n++] = "--runs";
	argv[n++] = nruns;
	argv[n++] = "--export-json";
	argv[n++] = json;
	if (r->kind == COMPARE_VM) {
		argv[n++] = "--prepare";
		argv[n++] = WASH_COMMAND;
	}
	argv[n++] = "-n";
	argv[n++] = r->name;
	argv[n++] = r->command;
	argv[n] = NULL;
	struct probe p;
	if (probe_run(argv, 24 * 3600, false, &p) < 0)
		return -1;
	int rc = 0;
	if (p.status != 0) {
		char why[200];
		last_line(p.err, why, sizeof(why));
		snprintf(r->skipped, sizeof(r->skipped), "hyperfine: %s",
			 p.status < 0 ? "interrupted"
			 : why[0]     ? why
				      : "failed");
	} else {
		autoclose int fd = open(json, O_RDONLY | O_CLOEXEC);
		char *text = fd >= 0 ? read_fd(fd) : NULL;
		rc =
		    text ? compare_read_hyperfine(text, r) : err_set(errno, "cannot read %s", json);
		free(text);
	}
	free(p.err);
	return rc;
}

/* ---- the contenders ---- */

struct contender {
	const char *key;
	struct compare_result *r;
	bool shikumi; /* probe with --timing */
};

static void add_words(char *cmd, size_t n, char **words, int count)
{
	for (int i = 0; i < count; i++)
		word(cmd, n, words[i]);
}

static bool is_elf(const char *path)
{
	unsigned char m[4] = {0};
	autoclose int fd = open(path, O_RDONLY | O_CLOEXEC);
	return fd >= 0 && read(fd, m, 4) == 4 &&
	       !memcmp(m,
		       "\x7f"
		       "ELF",
		       4);
}

static struct compare_result *add(struct compare_report *rep, const char *name,
				  enum compare_kind kind)
{
	struct compare_result *r = &rep->r[rep->n++];
	*r = (struct compare_result){.kind = kind, .rss_kib = -1, .tree_rss_kib = -1};
	snprintf(r->name, sizeof(r->name), "%s", name);
	return r;
}

/* The progress line: rewritten in place at a terminal, one line per contender in a log. */
static void progress(bool done, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void progress(bool done, const char *fmt, ...)
{
	bool tty = isatty(STDERR_FILENO);
	if (!tty && !done)
		return;
	va_list ap;
	va_start(ap, fmt);
	fputs(tty ? "\r\033[K" : "", stderr);
	vfprintf(stderr, fmt, ap);
	fputs(done ? "\n" : "", stderr);
	fflush(stderr);
	va_end(ap);
}

/* Probes a contender (k runs; shikumi's with --timing), then times it. */
static int measure(const char *hyperfine, struct contender *c, int runs, int idx, int total)
{
	struct compare_result *r = c->r;
	progress(false, "compare: [%d/%d] %s: a first run, for memory and --timing", idx, total,
		 r->name);
	char buf[sizeof(r->command)], *argv[256];
	int argc = split(r->command, buf, sizeof(buf), argv, 255);
	if (argc < 0)
		return -1;
	if (c->shikumi && argc >= 2) {
		/* "shikumi run --timing ..." / "shikumi vm --timing ...": right after the verb. */
		memmove(argv + 3, argv + 2, (size_t)(argc - 1) * sizeof(*argv));
		argv[2] = "--timing";
	}
	/* Probe 0, traced, for memory; then shikumi's own, untraced, for --timing. */
	struct compare_samples s = {0};
	int probes = c->shikumi ? 1 + (runs < 3 ? runs : 3) : 1;
	for (int k = 0; k < probes && !interrupted; k++) {
		struct probe p;
		if (r->kind == COMPARE_VM)
			wash_memory();
		if (probe_run(argv, PROBE_TIMEOUT_S, k == 0, &p) < 0)
			return -1;
		if (p.status != 0) {
			char why[200];
			last_line(p.err, why, sizeof(why));
			if (p.status < 0)
				snprintf(r->skipped, sizeof(r->skipped), "%s",
					 interrupted ? "interrupted" : "did not end within 120 s");
			else
				snprintf(r->skipped, sizeof(r->skipped), "exit status %d%s%s",
					 p.status, why[0] ? ": " : "", why);
			free(p.err);
			if (c->shikumi && !interrupted) {
				progress(false, "%s", ""); /* at a terminal, clear the line */
				return err_set(0, "%s could not be timed: %s", r->name, r->skipped);
			}
			progress(true, "compare: [%d/%d] %s: not timed: %s", idx, total, r->name,
				 r->skipped);
			return 0;
		}
		if (p.rss_kib > r->rss_kib)
			r->rss_kib = p.rss_kib;
		if (p.tree_kib > r->tree_rss_kib)
			r->tree_rss_kib = p.tree_kib;
		if (c->shikumi && k > 0)
			compare_samples_add(&s, p.err);
		const char *mem = p.err ? strstr(p.err, "memory: ") : NULL;
		if (mem)
			snprintf(r->memory_note, sizeof(r->memory_note), "%.*s",
				 (int)strcspn(mem, "\r\n"), mem);
		free(p.err);
	}
	if (c->shikumi)
		compare_phases_median(&s, r);
	if (interrupted)
		return 0;
	progress(false, "compare: [%d/%d] %s: %d runs under hyperfine", idx, total, r->name, runs);
	if (time_with_hyperfine(hyperfine, r, runs) < 0)
		return -1;
	if (r->skipped[0] && c->shikumi && !interrupted) {
		progress(false, "%s", "");
		return err_set(0, "%s could not be timed: %s", r->name, r->skipped);
	}
	if (r->skipped[0])
		progress(true, "compare: [%d/%d] %s: not timed: %s", idx, total, r->name,
			 r->skipped);
	else
		progress(true, "compare: [%d/%d] %s: median %.2f ms", idx, total, r->name,
			 r->median_ms);
	return 0;
}

static FILE *open_output(const char *path)
{
	FILE *f = fopen(path, "we");
	if (!f)
		err_set(errno, "cannot write '%s'", path);
	return f;
}

static int compare_run(const struct compare_opts *o, struct compare_report *rep, FILE *svg,
		       FILE *json)
{
	static char self[PATH_MAX], rootfs[PATH_MAX], kernel[PATH_MAX], initrd[PATH_MAX];
	static char hyperfine[PATH_MAX], bwrap[PATH_MAX], qemu[PATH_MAX];
	char *default_cmd[] = {"/bin/true"};
	char **cmd = o->argv ? o->argv : default_cmd;
	int ncmd = o->argv ? o->argc : 1;

	if (readlink("/proc/self/exe", self, sizeof(self) - 1) < 0)
		return err_set(errno, "cannot find this program");
	if (o->rootfs)
		snprintf(rootfs, sizeof(rootfs), "%s", o->rootfs);
	else
		exe_file("rootfs", rootfs, sizeof(rootfs));
	struct stat st;
	if (stat(rootfs, &st) < 0)
		return err_set(errno, "ROOTFS '%s'", rootfs);
	if (!S_ISDIR(st.st_mode))
		return err_set(0, "ROOTFS '%s' is not a directory", rootfs);
	char *abs = realpath(rootfs, NULL);
	if (!abs)
		return err_set(errno, "ROOTFS '%s'", rootfs);
	snprintf(rootfs, sizeof(rootfs), "%s", abs);
	free(abs);
	{
		autoclose int rootfd = open(rootfs, O_PATH | O_DIRECTORY | O_CLOEXEC);
		if (rootfd < 0)
			return err_set(errno, "cannot open ROOTFS '%s'", rootfs);
		if (rootfs_find_command(rootfd, cmd[0], DEFAULT_PATH, NULL, 0) < 0)
			return -ENOENT;
	}
	if (!which("hyperfine", hyperfine, sizeof(hyperfine)))
		return err_set(0, "hyperfine is not installed: apt-get install hyperfine "
				  "(or make bench-deps)");
	snprintf(rep->command, sizeof(rep->command), "%s", "");
	add_words(rep->command, sizeof(rep->command), cmd, ncmd);
	rep->runs = o->runs;
	char kvm_why[200];
	rep->kvm = kvm_boots_linux(kvm_why, sizeof(kvm_why));

	struct contender c[COMPARE_MAX];
	int n = 0;
	const char *peer_oci[2] = {which("crun", oci_tool[0], sizeof(oci_tool[0])),
				   which("runc", oci_tool[1], sizeof(oci_tool[1]))};
	const char *tmp = getenv("TMPDIR");
	if ((size_t)snprintf(tmpdir, sizeof(tmpdir), "%s/shikumi-compare-XXXXXX",
			     tmp && *tmp ? tmp : "/tmp") >= sizeof(tmpdir) ||
	    !mkdtemp(tmpdir)) {
		int e = errno;
		snprintf(rootfs, sizeof(rootfs), "%s", tmpdir);
		tmpdir[0] = '\0';
		return err_set(e, "cannot make a temporary folder %s", rootfs);
	}
	snprintf(oci_id, sizeof(oci_id), "shikumi-compare-%d", (int)getpid());

	if (wanted(o, "run")) {
		struct compare_result *r = add(rep, "shikumi run", COMPARE_CONTAINER);
		word(r->command, sizeof(r->command), self);
		word(r->command, sizeof(r->command), "run");
		word(r->command, sizeof(r->command), "--no-tty");
		word(r->command, sizeof(r->command), rootfs);
		add_words(r->command, sizeof(r->command), cmd, ncmd);
		c[n++] = (struct contender){.key = "run", .r = r, .shikumi = true};
	}
	static const char *oci_names[2] = {"crun", "runc"};
	for (int t = 0; t < 2; t++) {
		if (!wanted(o, oci_names[t]))
			continue;
		struct compare_result *r = add(rep, oci_names[t], COMPARE_CONTAINER);
		char bundle[PATH_MAX];
		if (!peer_oci[t]) {
			snprintf(r->skipped, sizeof(r->skipped), "not installed");
			continue;
		}
		if (make_bundle(peer_oci[t], rootfs, cmd, ncmd, bundle, sizeof(bundle)) < 0) {
			snprintf(r->skipped, sizeof(r->skipped), "%s", err_msg());
			continue;
		}
		add_words(r->command, sizeof(r->command),
			  (char *[]){(char *)peer_oci[t], "run", "-b", bundle, oci_id}, 5);
		oci_used[t] = true;
		c[n++] = (struct contender){.key = oci_names[t], .r = r};
	}
	if (wanted(o, "bwrap")) {
		struct compare_result *r = add(rep, "bwrap", COMPARE_CONTAINER);
		if (!which("bwrap", bwrap, sizeof(bwrap))) {
			snprintf(r->skipped, sizeof(r->skipped), "not installed");
		} else {
			/* The namespaces shikumi makes, the same root, /proc and a small /dev. */
			add_words(r->command, sizeof(r->command),
				  (char *[]){bwrap, "--unshare-pid", "--unshare-net",
					     "--unshare-uts", "--unshare-ipc", "--unshare-cgroup",
					     "--bind", rootfs, "/", "--proc", "/proc", "--dev",
					     "/dev"},
				  13);
			add_words(r->command, sizeof(r->command), cmd, ncmd);
			c[n++] = (struct contender){.key = "bwrap", .r = r};
		}
	}
	/* The VM side: the same kernel file for both monitors. */
	if (o->kernel)
		snprintf(kernel, sizeof(kernel), "%s", o->kernel);
	else if (access(exe_file("guest/vmlinux-mini", kernel, sizeof(kernel)), R_OK) < 0)
		exe_file("guest/bzImage", kernel, sizeof(kernel));
	if (o->initrd)
		snprintf(initrd, sizeof(initrd), "%s", o->initrd);
	else
		exe_file("initramfs.cpio.gz", initrd, sizeof(initrd));
	bool vm_files = access(kernel, R_OK) == 0 && access(initrd, R_OK) == 0;
	char vm_why[256];
	snprintf(vm_why, sizeof(vm_why), "%s",
		 !rep->kvm   ? kvm_why
		 : !vm_files ? "no guest kernel or initramfs (make guest-kernel-mini initramfs)"
			     : "");
	if (wanted(o, "vm")) {
		struct compare_result *r = add(rep, "shikumi vm", COMPARE_VM);
		if (vm_why[0]) {
			snprintf(r->skipped, sizeof(r->skipped), "%s", vm_why);
		} else {
			/* --no-jail: the VMM is the process started (its memory is the row's
			 * runtime RSS), as QEMU's is; the jail's cost is make bench-jail's. */
			add_words(r->command, sizeof(r->command),
				  (char *[]){self, "vm", "--no-jail", "--kernel", kernel,
					     "--initrd", initrd, "--"},
				  8);
			add_words(r->command, sizeof(r->command), cmd, ncmd);
			c[n++] = (struct contender){.key = "vm", .r = r, .shikumi = true};
		}
	}
	if (wanted(o, "restore")) {
		/* The same machine, booted once and written down (shikumi vm --snapshot) in the
		 * compare's own folder; each run resumes it (--from) instead of booting. */
		struct compare_result *r = add(rep, "shikumi vm (restored)", COMPARE_VM);
		char snapdir[PATH_MAX];
		snprintf(snapdir, sizeof(snapdir), "%s/snapshots", tmpdir);
		if (vm_why[0]) {
			snprintf(r->skipped, sizeof(r->skipped), "%s", vm_why);
		} else {
			progress(true,
				 "compare: shikumi vm (restored): one boot, for the snapshot");
			struct probe p;
			char *argv[] = {self,
					"vm",
					"--kernel",
					kernel,
					"--initrd",
					initrd,
					"--snapshot-dir",
					snapdir,
					"--snapshot",
					"base",
					NULL};
			if (probe_run(argv, PROBE_TIMEOUT_S * 2, false, &p) < 0)
				return -1;
			if (p.status != 0) {
				char why[200];
				last_line(p.err, why, sizeof(why));
				snprintf(r->skipped, sizeof(r->skipped), "no snapshot: %s",
					 p.status < 0 ? "it did not end in time" : why);
			} else {
				add_words(r->command, sizeof(r->command),
					  (char *[]){self, "vm", "--kernel", kernel,
						     "--snapshot-dir", snapdir, "--from", "base",
						     "--"},
					  9);
				add_words(r->command, sizeof(r->command), cmd, ncmd);
				c[n++] =
				    (struct contender){.key = "restore", .r = r, .shikumi = true};
			}
			free(p.err);
		}
	}
	if (wanted(o, "qemu")) {
		struct compare_result *r = add(rep, "qemu microvm", COMPARE_VM);
		if (vm_why[0]) {
			snprintf(r->skipped, sizeof(r->skipped), "%s", vm_why);
		} else if (!which("qemu-system-x86_64", qemu, sizeof(qemu))) {
			snprintf(r->skipped, sizeof(r->skipped), "not installed");
		} else if (!is_elf(kernel)) {
			snprintf(r->skipped, sizeof(r->skipped),
				 "QEMU's microvm boots a vmlinux through its PVH note; %.120s is a "
				 "bzImage (make guest-kernel-mini)",
				 kernel);
		} else {
			/* Our command line, but a triple fault ends it: microvm has no i8042. */
			char append[4096];
			snprintf(append, sizeof(append), "%s", VM_DEFAULT_CMDLINE);
			char *k = strstr(append, "reboot=k");
			if (k)
				k[7] = 't';
			strncat(append, " --", sizeof(append) - strlen(append) - 1);
			for (int i = 0; i < ncmd; i++) {
				strncat(append, " ", sizeof(append) - strlen(append) - 1);
				strncat(append, cmd[i], sizeof(append) - strlen(append) - 1);
			}
			add_words(r->command, sizeof(r->command),
				  (char *[]){qemu,
					     "-M",
					     "microvm,x-option-roms=off,rtc=off,isa-serial=on",
					     "-enable-kvm",
					     "-cpu",
					     "host",
					     "-m",
					     "256M",
					     "-smp",
					     "1",
					     "-nodefaults",
					     "-no-user-config",
					     "-display",
					     "none",
					     "-no-reboot",
					     "-serial",
					     "stdio",
					     "-kernel",
					     kernel,
					     "-initrd",
					     initrd,
					     "-append",
					     append},
				  23);
			c[n++] = (struct contender){.key = "qemu", .r = r};
		}
	}
	if (!n)
		return err_set(0,
			       "nothing to compare: none of the contenders asked for can run here");

	if (!rep->kvm && (wanted(o, "vm") || wanted(o, "qemu")))
		snprintf(rep->note, sizeof(rep->note),
			 "%s, so only the containers were compared. For the VM side on any "
			 "machine, from the project's checkout: tests/testhost/run --smp 1 -- "
			 "build/shikumi compare",
			 kvm_why);
	if ((oci_used[0] || oci_used[1]) && hybrid_cgroups()) {
		if (hide_unified() < 0)
			return -1;
		size_t len = strlen(rep->note);
		snprintf(rep->note + len, sizeof(rep->note) - len,
			 "%shybrid cgroups here: crun and runc ran with v1 cgroups, shikumi with "
			 "none (it needs v2); the test host has pure v2.",
			 len ? "\n" : "");
	}
	for (int i = 0; i < n && !interrupted; i++)
		if (measure(hyperfine, &c[i], o->runs, i + 1, n) < 0)
			return -1;
	if (interrupted)
		return err_set(0, "interrupted: what was running is stopped and its files removed");
	compare_print_table(stdout, rep);
	if (svg && compare_write_svg(svg, rep) < 0)
		return -1;
	if (json && compare_write_json(json, rep) < 0)
		return -1;
	return 0;
}

int compare_main(int argc, char **argv)
{
	struct compare_opts o;
	bool help;
	if (parse_opts(argc, argv, &o, &help) < 0) {
		fprintf(stderr, "shikumi: %s\n", err_msg());
		return 125;
	}
	if (help) {
		usage(stdout);
		return 0;
	}
	FILE *svg = o.svg ? open_output(o.svg) : NULL;
	FILE *json = o.json ? open_output(o.json) : NULL;
	static struct compare_report rep;
	int rc = -1;
	if ((!o.svg || svg) && (!o.json || json)) {
		struct sigaction sa = {.sa_handler = on_signal};
		sigaction(SIGINT, &sa, NULL);
		sigaction(SIGTERM, &sa, NULL);
		sigaction(SIGHUP, &sa, NULL);
		rc = compare_run(&o, &rep, svg, json);
	}
	cleanup();
	bool out_ok = true;
	if (svg)
		out_ok &= fclose(svg) == 0;
	if (json)
		out_ok &= fclose(json) == 0;
	if (rc < 0 || !out_ok) {
		/* Nothing half-written is left behind. */
		if (svg)
			unlink(o.svg);
		if (json)
			unlink(o.json);
		fprintf(stderr, "shikumi: %s\n", rc < 0 ? err_msg() : "cannot finish the outputs");
		return interrupted ? 128 + interrupted : 125;
	}
	return 0;
}
