/* The runc command line: the global options, create, start, state, list, kill and delete over
 * the state directory, exec, ps, pause, resume and features. Each
 * command locks the container's directory for as long as it reads and changes it, and each
 * works from whatever a runtime killed at any moment left: a state "creating" (no init yet),
 * an init that is gone, a cgroup that is empty or not. */
#include "oci_cmd.h"

#include "../cgroup/cgroup.h"
#include "../common/err.h"
#include "../common/fd.h"
#include "container.h"
#include "hooks.h"
#include "reexec.h"
#include "seccomp_load.h"
#include "oci_config.h"
#include "state.h"

#include <ctype.h>
#include <dirent.h>
#include <sys/capability.h>
#include <fcntl.h>
#include <json-c/json.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

struct globals {
	const char *root;
	const char *log;
	bool log_json;
	bool debug;
	char **argv0; /* the whole command line, for exec's re-execution */
};

static const char *const commands[] = {"state", "list", "kill",	 "delete", "create",   "start",
				       "exec",	"ps",	"pause", "resume", "features", NULL};

bool oci_cmd_wanted(int argc, char **argv)
{
	if (argc < 2)
		return false;
	const char *a = argv[1];
	if (!strncmp(a, "--root", 6) || !strncmp(a, "--log", 5) || !strcmp(a, "--debug") ||
	    !strcmp(a, "--systemd-cgroup"))
		return true;
	for (size_t i = 0; commands[i]; i++)
		if (!strcmp(a, commands[i]))
			return true;
	return false;
}

int oci_parse_signal(const char *s)
{
	char *end;
	long n = strtol(s, &end, 10);
	if (*s && !*end)
		return n > 0 && n < NSIG ? (int)n : err_set(0, "invalid signal number '%s'", s);
	const char *name = strncasecmp(s, "SIG", 3) ? s : s + 3;
	for (int sig = 1; sig < NSIG; sig++) {
		const char *abbrev = sigabbrev_np(sig);
		if (abbrev && !strcasecmp(name, abbrev))
			return sig;
	}
	return err_set(0, "unknown signal '%s'", s);
}

/* An error: on stderr as text, and in the log (podman reads the last error of a JSON log and
 * shows it as the runtime's). */
static int report(const struct globals *g)
{
	fprintf(stderr, "shikumi: %s\n", err_msg());
	if (!g->log)
		return 1;
	FILE *f = fopen(g->log, "ae");
	if (!f)
		return 1;
	char when[40];
	time_t now = time(NULL);
	strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ", gmtime(&now));
	if (g->log_json) {
		struct json_object *o = json_object_new_object();
		json_object_object_add(o, "level", json_object_new_string("error"));
		json_object_object_add(o, "msg", json_object_new_string(err_msg()));
		json_object_object_add(o, "time", json_object_new_string(when));
		fprintf(f, "%s\n",
			json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN |
							      JSON_C_TO_STRING_NOSLASHESCAPE));
		json_object_put(o);
	} else {
		fprintf(f, "time=\"%s\" level=error msg=\"%s\"\n", when, err_msg());
	}
	fclose(f);
	return 1;
}

/* A pidfd for the recorded init, only while it is that process (its start time): a signal
 * then cannot reach a process that reused the pid. */
static int open_init(const struct oci_state *st)
{
	if (st->pid <= 0)
		return -ESRCH;
	int fd = (int)syscall(SYS_pidfd_open, st->pid, 0);
	if (fd < 0)
		return -errno;
	if (state_pid_start(st->pid) != st->pid_start) {
		close(fd);
		return -ESRCH;
	}
	return fd;
}

static int signal_init(const struct oci_state *st, int sig)
{
	autoclose int fd = open_init(st);
	if (fd < 0)
		return fd;
	return syscall(SYS_pidfd_send_signal, fd, sig, NULL, 0) < 0 ? -errno : 0;
}

/* The container's group, opened, if it is still the one create made (its inode, the cgroup's
 * id, as recorded then): a group that was removed and made again at that path, by another
 * container, is not this one's to kill, freeze, list or remove (found by the third review:
 * `delete X` after X's group had been made again by W's create removed W's). -1 with errno
 * ENOENT when it is gone or another. */
static int open_group(const struct oci_state *st)
{
	errno = ENOENT;
	if (!st->cgroup[0])
		return -1;
	int fd = open(st->cgroup, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	struct stat s;
	if (fd >= 0 && st->cgroup_ino && (fstat(fd, &s) < 0 || s.st_ino != st->cgroup_ino)) {
		close(fd);
		errno = ENOENT;
		return -1;
	}
	return fd;
}

/* The group's cgroup.procs, to read, or NULL. */
static FILE *open_procs(const struct oci_state *st)
{
	autoclose int dir = open_group(st);
	int fd = dir < 0 ? -1 : openat(dir, "cgroup.procs", O_RDONLY | O_CLOEXEC);
	FILE *f = fd < 0 ? NULL : fdopen(fd, "r");
	if (!f && fd >= 0)
		close(fd);
	return f;
}

/* --all: every process of the container's group (a forked daemon outlives its init). */
static int signal_all(const struct oci_state *st, int sig)
{
	FILE *f = open_procs(st);
	if (!f)
		return signal_init(st, sig);
	int pid, r = 0;
	while (fscanf(f, "%d", &pid) == 1)
		if (kill(pid, sig) < 0 && errno != ESRCH)
			r = -errno;
	fclose(f);
	return r;
}

static int load(const struct globals *g, const char *id, struct oci_state *st)
{
	int fd = state_open(g->root, id, false);
	if (fd < 0)
		return fd;
	int r = state_read(fd, st);
	if (r < 0) {
		close(fd);
		return err_wrap(r, "container '%s'", id);
	}
	return fd;
}

static int cmd_state(const struct globals *g, int argc, char **argv)
{
	if (argc != 2)
		return err_set(0, "usage: shikumi state ID");
	struct oci_state st;
	autoclose int fd = load(g, argv[1], &st);
	if (fd < 0)
		return fd;
	char *text = state_render(&st);
	if (!text)
		return -ENOMEM;
	puts(text);
	free(text);
	return 0;
}

/* list's and ps's `--format table|json` (or -f, or --format=json) at argv[*i]: 1 when it was
 * one (*i at its value), 0 when argv[*i] is another option, or a negative errno. */
static int format_option(int argc, char **argv, int *i, bool *json)
{
	const char *a = argv[*i];
	if (!strcmp(a, "--format=json")) {
		*json = true;
		return 1;
	}
	if ((strcmp(a, "--format") && strcmp(a, "-f")) || *i + 1 >= argc)
		return 0;
	const char *f = argv[++*i];
	if (strcmp(f, "json") && strcmp(f, "table"))
		return err_set(0, "invalid --format '%s': use table or json", f);
	*json = !strcmp(f, "json");
	return 1;
}

static int cmd_list(const struct globals *g, int argc, char **argv)
{
	bool json = false, quiet = false;
	for (int i = 1; i < argc; i++) {
		int r = format_option(argc, argv, &i, &json);
		if (r < 0)
			return r;
		if (r == 0 && (!strcmp(argv[i], "-q") || !strcmp(argv[i], "--quiet")))
			quiet = true;
		else if (r == 0)
			return err_set(0, "unknown option '%s' for list", argv[i]);
	}
	struct json_object *all = json_object_new_array();
	DIR *d = opendir(g->root);
	for (struct dirent *e; d && (e = readdir(d));) {
		if (e->d_name[0] == '.' || state_id_check(e->d_name) < 0)
			continue;
		struct oci_state st;
		int fd = load(g, e->d_name, &st);
		if (fd < 0)
			continue; /* removed meanwhile, or damaged: state ID says which */
		close(fd);
		char *text = state_render(&st);
		struct json_object *o = text ? json_tokener_parse(text) : NULL;
		free(text);
		if (o)
			json_object_array_add(all, o);
	}
	if (d)
		closedir(d);
	if (json) {
		puts(json_object_to_json_string_ext(all, JSON_C_TO_STRING_PLAIN |
							     JSON_C_TO_STRING_NOSLASHESCAPE));
	} else {
		if (!quiet)
			printf("%-20s %-8s %-10s %-40s %s\n", "ID", "PID", "STATUS", "BUNDLE",
			       "CREATED");
		for (size_t i = 0; i < json_object_array_length(all); i++) {
			struct json_object *o = json_object_array_get_idx(all, i), *v;
#define FIELD(k) (json_object_object_get_ex(o, k, &v) ? json_object_get_string(v) : "")
			if (quiet) {
				printf("%s\n", FIELD("id"));
				continue;
			}
			printf("%-20s ", FIELD("id"));
			printf("%-8s ", FIELD("pid"));
			printf("%-10s ", FIELD("status"));
			printf("%-40s ", FIELD("bundle"));
			printf("%s\n", FIELD("created"));
#undef FIELD
		}
	}
	json_object_put(all);
	return 0;
}

static int cmd_kill(const struct globals *g, int argc, char **argv)
{
	bool all = false;
	int i = 1;
	for (; i < argc && argv[i][0] == '-' && argv[i][1]; i++) {
		if (!strcmp(argv[i], "--all") || !strcmp(argv[i], "-a"))
			all = true;
		else
			return err_set(0, "unknown option '%s' for kill", argv[i]);
	}
	if (argc - i < 1 || argc - i > 2)
		return err_set(0, "usage: shikumi kill [--all] ID [SIGNAL]");
	int sig = argc - i == 2 ? oci_parse_signal(argv[i + 1]) : SIGTERM;
	if (sig < 0)
		return sig;
	struct oci_state st;
	autoclose int fd = load(g, argv[i], &st);
	if (fd < 0)
		return fd;
	const char *status = state_status(&st);
	if (!strcmp(status, "stopped") || !strcmp(status, "creating"))
		return err_set(0, "container '%s' is %s, not running", st.id, status);
	int r = all ? signal_all(&st, sig) : signal_init(&st, sig);
	if (r == -ESRCH)
		return err_set(0, "container '%s' is stopped, not running", st.id);
	return r < 0 ? err_set(-r, "cannot signal container '%s'", st.id) : 0;
}

/* Waits (up to 5 s) for the init to go: delete must not remove the group under it. */
static void wait_gone(const struct oci_state *st)
{
	autoclose int fd = open_init(st);
	if (fd >= 0) {
		struct pollfd p = {.fd = fd, .events = POLLIN};
		poll(&p, 1, 5000);
	}
}

static char *read_text(int dirfd, const char *path, size_t *len);

static void free_config(struct oci_config *oc)
{
	if (oc)
		oci_config_free(oc);
	free(oc);
}

/* Whether the config lists hooks of this kind at all: the JSON alone, which is cheap, where a
 * whole parse fills a config of some 300 KiB (a millisecond of page faults in the test host,
 * on every start and delete). */
static bool lists_hooks(const char *text, enum oci_hook_kind kind)
{
	struct json_object *doc = json_tokener_parse(text), *hooks;
	bool yes = doc && json_object_object_get_ex(doc, "hooks", &hooks) &&
		   json_object_object_get_ex(hooks, oci_hook_names[kind], NULL);
	json_object_put(doc);
	return yes;
}

/* The config create kept, for its hooks of this kind, or NULL: none listed, a state from a
 * create killed before it saved one, or a config damaged since, runs no hooks. */
static struct oci_config *saved_config(int dirfd, const struct oci_state *st,
				       enum oci_hook_kind kind)
{
	size_t len;
	autofree char *text = read_text(dirfd, STATE_CONFIG, &len);
	struct oci_config *oc = text && lists_hooks(text, kind) ? calloc(1, sizeof(*oc)) : NULL;
	if (oc && oci_config_parse(text, len, st->bundle, oc) < 0) {
		free_config(oc);
		oc = NULL;
	}
	return oc;
}

/* poststart and poststop: a failure is a warning, as the spec asks; frees oc. */
static void run_warn_hooks(struct oci_config *oc, const struct oci_state *st,
			   enum oci_hook_kind kind)
{
	autofree char *json = oc && oc->n_hooks[kind] ? state_render(st) : NULL;
	if (json)
		hooks_run(oc, kind, json, true);
	free_config(oc);
}

static int cmd_delete(const struct globals *g, int argc, char **argv)
{
	bool force = false;
	int i = 1;
	for (; i < argc && argv[i][0] == '-'; i++) {
		if (!strcmp(argv[i], "--force") || !strcmp(argv[i], "-f"))
			force = true;
		else
			return err_set(0, "unknown option '%s' for delete", argv[i]);
	}
	if (argc - i != 1)
		return err_set(0, "usage: shikumi delete [--force] ID");
	struct oci_state st;
	autoclose int fd = load(g, argv[i], &st);
	if (fd < 0)
		return fd;
	const char *status = state_status(&st);
	bool live = !strcmp(status, "created") || !strcmp(status, "running");
	if (live && !force)
		return err_set(0, "container '%s' is %s: stop it first, or delete --force", st.id,
			       status);
	if (live) {
		signal_all(&st, SIGKILL);
		wait_gone(&st);
	}
	/* The group, then the record: a delete killed in between leaves a state whose group
	 * is gone, which the next delete takes as done. */
	if (st.cgroup[0]) {
		struct cgroup cg = {.fd = open_group(&st)};
		snprintf(cg.path, sizeof(cg.path), "%s", st.cgroup);
		if (cg.fd < 0 && errno != ENOENT)
			return err_set(errno, "cannot open the cgroup %s", st.cgroup);
		int r = cgroup_destroy(&cg);
		if (r < 0)
			return r;
	}
	struct oci_config *oc = saved_config(fd, &st, HOOK_POSTSTOP);
	int r = state_remove(g->root, st.id, fd);
	if (r < 0) {
		free_config(oc);
		return r;
	}
	/* After the container is gone, before delete returns (runtime-spec, poststop). */
	run_warn_hooks(oc, &st, HOOK_POSTSTOP);
	return 0;
}

/* Writes text to path whole or not at all (a temporary file renamed over it), as conmon and
 * podman read the pid file while it is written. The temporary file has a name of its own,
 * made with O_EXCL: a pid file in a folder the container can write (a volume) could
 * otherwise be a symlink planted at a predictable PATH.tmp, and the write would land on
 * whatever it points to. rename replaces a symlink at PATH itself, never follows it. */
static int write_file(const char *path, const char *text)
{
	char tmp[PATH_MAX];
	if ((size_t)snprintf(tmp, sizeof(tmp), "%s.XXXXXX", path) >= sizeof(tmp))
		return err_set(ENAMETOOLONG, "%s", path);
	autoclose int fd = mkostemp(tmp, O_CLOEXEC);
	if (fd < 0)
		return err_set(errno, "cannot write %s", path);
	size_t n = strlen(text);
	if (fchmod(fd, 0644) < 0 || write(fd, text, n) != (ssize_t)n || rename(tmp, path) < 0) {
		int e = errno;
		unlink(tmp);
		return err_set(e, "cannot write %s", path);
	}
	return 0;
}

/* The config as create read it, for exec (state.h's STATE_CONFIG). */
static int save_config(int dirfd, const struct oci_config *oc)
{
	const char *text = json_object_to_json_string_ext(oc->doc, JSON_C_TO_STRING_PLAIN);
	autoclose int fd =
	    openat(dirfd, STATE_CONFIG, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	size_t n = strlen(text);
	if (fd < 0 || write(fd, text, n) != (ssize_t)n)
		return err_set(errno, "cannot keep the config in the state directory");
	return 0;
}

struct record_arg {
	int dirfd;
	struct oci_state *st;
	const struct oci_config *oc;
};

/* The init is ready: its pid, start time and group go on disk before it may wait. Then the
 * prestart and createRuntime hooks, on the host, with the container's namespaces made: one
 * that fails fails the create, and the container goes as any failed start (the caller
 * removes the state). */
static int record_init(pid_t pid, const char *cgroup, void *arg)
{
	struct record_arg *a = arg;
	a->st->pid = pid;
	a->st->pid_start = state_pid_start(pid);
	snprintf(a->st->cgroup, sizeof(a->st->cgroup), "%s", cgroup);
	struct stat s;
	a->st->cgroup_ino = cgroup[0] && stat(cgroup, &s) == 0 ? (uint64_t)s.st_ino : 0;
	int r = state_write(a->dirfd, a->st);
	if (r < 0 || (!a->oc->n_hooks[HOOK_PRESTART] && !a->oc->n_hooks[HOOK_CREATE_RUNTIME]))
		return r;
	autofree char *json = state_render(a->st);
	if (!json)
		return err_set(ENOMEM, "the state for the hooks");
	if ((r = hooks_run(a->oc, HOOK_PRESTART, json, false)) < 0)
		return r;
	return hooks_run(a->oc, HOOK_CREATE_RUNTIME, json, false);
}

/* createContainer and startContainer, called inside the container (child.c), in its copy of
 * this process's memory: the state is rendered there, with the init's pid on the host. */
static int child_hooks(enum child_point point, int host_pid, void *arg)
{
	struct record_arg *a = arg;
	enum oci_hook_kind kind =
	    point == CHILD_CREATED ? HOOK_CREATE_CONTAINER : HOOK_START_CONTAINER;
	if (!a->oc->n_hooks[kind])
		return 0;
	a->st->pid = host_pid;
	autofree char *json =
	    state_render_as(a->st, point == CHILD_CREATED ? "creating" : "created");
	if (!json)
		return err_set(ENOMEM, "the state for the hooks");
	return hooks_run(a->oc, kind, json, false);
}

/* --console-socket: conmon's or the shim's AF_UNIX socket, connected; a path longer than
 * sun_path is reached through its directory's fd. */
static int connect_console(const char *path)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	autoclose int dir = -1;
	if (strlen(path) >= sizeof(sa.sun_path)) {
		char parent[PATH_MAX];
		snprintf(parent, sizeof(parent), "%s", path);
		char *slash = strrchr(parent, '/');
		if (!slash || strlen(slash) + 32 >= sizeof(sa.sun_path))
			return err_set(ENAMETOOLONG, "--console-socket '%s'", path);
		*slash = '\0';
		if ((dir = open(*parent ? parent : "/", O_PATH | O_DIRECTORY | O_CLOEXEC)) < 0)
			return err_set(errno, "--console-socket '%s'", path);
		snprintf(sa.sun_path, sizeof(sa.sun_path), "/proc/self/fd/%d/%s", dir, slash + 1);
	} else {
		snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", path);
	}
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0 || connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		int e = errno;
		if (fd >= 0)
			close(fd);
		return err_set(e, "cannot connect to --console-socket '%s'", path);
	}
	return fd;
}

static int create_in(const struct globals *g, const char *bundle, const char *pid_file,
		     const char *console, const char *id, int dirfd)
{
	static struct oci_config oc;
	static struct container_host host;
	static char rootfs[PATH_MAX];
	struct oci_state st = {0};
	autoclose int fifo = -1, console_fd = -1;
	int r, code;
	if (!realpath(bundle, st.bundle))
		return err_set(errno, "bundle '%s'", bundle);
	snprintf(st.id, sizeof(st.id), "%s", id);
	time_t now = time(NULL);
	strftime(st.created, sizeof(st.created), "%Y-%m-%dT%H:%M:%SZ", gmtime(&now));
	if ((r = oci_config_load(st.bundle, &oc)) < 0)
		goto out;
	if (reexec_wanted(&oc.cfg)) {
		/* From the start again, in the sealed copy: nothing of this try may stay. */
		oci_config_free(&oc);
		if ((r = state_remove(g->root, id, dirfd)) == 0)
			r = reexec_sealed(g->argv0);
		return r;
	}
	if (oc.terminal != (console != NULL)) {
		r = err_set(0, oc.terminal ? "config.json: process.terminal is true: the terminal "
					     "needs --console-socket"
					   : "--console-socket is given but config.json's "
					     "process.terminal is false");
		goto out;
	}
	if (console && (r = console_fd = connect_console(console)) < 0)
		goto out;
	if (!realpath(oc.cfg.rootfs, rootfs)) {
		r = err_set(errno, "config.json: root.path: '%s'", oc.cfg.rootfs);
		goto out;
	}
	oc.cfg.rootfs = rootfs;
	if (oc.annotations)
		snprintf(st.annotations, sizeof(st.annotations), "%s",
			 json_object_to_json_string_ext(oc.annotations, JSON_C_TO_STRING_PLAIN));
	if ((r = container_validate(&oc.cfg, &host, &code)) < 0 ||
	    (r = save_config(dirfd, &oc)) < 0)
		goto out;
	/* "creating" is on disk before anything else is made: a create killed from here on
	 * leaves a state that delete clears. */
	if ((r = state_write(dirfd, &st)) < 0)
		goto out;
	if (mkfifoat(dirfd, "exec.fifo", 0600) < 0 || fchmodat(dirfd, "exec.fifo", 0622, 0) < 0) {
		r = err_set(errno, "cannot create the start fifo");
		goto out;
	}
	if ((fifo = openat(dirfd, "exec.fifo", O_PATH | O_CLOEXEC)) < 0) {
		r = err_set(errno, "cannot open the start fifo");
		goto out;
	}
	struct record_arg ra = {dirfd, &st, &oc};
	if ((r = container_create(
		 &oc.cfg, &host, st.id, fifo, console_fd, record_init,
		 oc.n_hooks[HOOK_CREATE_CONTAINER] || oc.n_hooks[HOOK_START_CONTAINER] ? child_hooks
										       : NULL,
		 &ra)) < 0)
		goto out;
	if (pid_file) {
		char text[32];
		snprintf(text, sizeof(text), "%d", (int)st.pid);
		r = write_file(pid_file, text);
	}
out:
	oci_config_free(&oc);
	(void)g;
	return r;
}

static int cmd_create(const struct globals *g, int argc, char **argv)
{
	const char *bundle = ".", *pid_file = NULL, *console = NULL;
	int i = 1;
	for (; i < argc && argv[i][0] == '-'; i++) {
		const char *a = argv[i];
		bool takes = !strcmp(a, "--bundle") || !strcmp(a, "-b") ||
			     !strcmp(a, "--pid-file") || !strcmp(a, "--console-socket");
		if (takes && i + 1 >= argc)
			return err_set(0, "option '%s' needs a value", a);
		if (!strcmp(a, "--bundle") || !strcmp(a, "-b"))
			bundle = argv[++i];
		else if (!strcmp(a, "--pid-file"))
			pid_file = argv[++i];
		else if (!strcmp(a, "--console-socket"))
			console = argv[++i];
		else if (strcmp(a, "--no-pivot") && strcmp(a, "--no-new-keyring"))
			return err_set(0, "unknown option '%s' for create", a);
	}
	if (argc - i != 1)
		return err_set(0, "usage: shikumi create [--bundle DIR] [--pid-file FILE] "
				  "[--console-socket SOCK] ID");
	const char *id = argv[i];
	int dirfd = state_open(g->root, id, true);
	if (dirfd < 0)
		return dirfd;
	int r = create_in(g, bundle, pid_file, console, id, dirfd);
	if (r < 0) {
		/* nothing stays of a failed create: its record goes too */
		char msg[512];
		snprintf(msg, sizeof(msg), "%s", err_msg());
		state_remove(g->root, id, dirfd);
		err_set(0, "%s", msg);
	}
	close(dirfd);
	return r;
}

static int cmd_start(const struct globals *g, int argc, char **argv)
{
	if (argc != 2)
		return err_set(0, "usage: shikumi start ID");
	struct oci_state st;
	autoclose int fd = load(g, argv[1], &st);
	if (fd < 0)
		return fd;
	const char *status = state_status(&st);
	if (strcmp(status, "created"))
		return err_set(0, "container '%s' is %s: only a created container starts", st.id,
			       status);
	/* The init is blocked opening the fifo for writing: this open lets it go on. */
	autoclose int fifo = openat(fd, "exec.fifo", O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	if (fifo < 0)
		return err_set(errno, "cannot open the start fifo of '%s'", st.id);
	struct pollfd p = {.fd = fifo, .events = POLLIN};
	char c;
	if (poll(&p, 1, 10000) != 1 || read(fifo, &c, 1) != 1)
		return err_set(0, "container '%s' did not take the start", st.id);
	st.started = true;
	unlinkat(fd, "exec.fifo", 0);
	int r = state_write(fd, &st);
	/* After the command is started, before start returns (runtime-spec, poststart). */
	if (r == 0)
		run_warn_hooks(saved_config(fd, &st, HOOK_POSTSTART), &st, HOOK_POSTSTART);
	return r;
}

/* Reads a whole small file (a config or a process.json) into a malloc'd, NUL-terminated
 * buffer. */
static char *read_text(int dirfd, const char *path, size_t *len)
{
	autoclose int fd = openat(dirfd, path, O_RDONLY | O_CLOEXEC);
	struct stat st;
	if (fd < 0 || fstat(fd, &st) < 0) {
		err_set(errno, "cannot read %s", path);
		return NULL;
	}
	if (!S_ISREG(st.st_mode) || st.st_size > 16 << 20) {
		err_set(0, "%s: not a regular file of at most 16 MiB", path);
		return NULL;
	}
	char *text = malloc((size_t)st.st_size + 1);
	ssize_t n = text ? read(fd, text, (size_t)st.st_size) : -1;
	if (n != st.st_size) {
		free(text);
		err_set(n < 0 ? errno : EIO, "cannot read %s", path);
		return NULL;
	}
	text[n] = '\0';
	*len = (size_t)n;
	return text;
}

/* exec's config: the container's own, with --process FILE's process in place of its
 * process, so that the new process is read (and checked) as the container's was. */
static int exec_config(int dirfd, const char *bundle, const char *process_file,
		       struct oci_config *oc)
{
	size_t len;
	autofree char *text = read_text(dirfd, STATE_CONFIG, &len);
	if (!text)
		return err_wrap(-EIO, "the container's config (was it created by this shikumi?)");
	if (!process_file)
		return oci_config_parse(text, len, bundle, oc);
	autofree char *ptext = read_text(AT_FDCWD, process_file, &len);
	if (!ptext)
		return -EIO;
	struct json_object *proc = json_tokener_parse(ptext);
	if (!proc || json_object_get_type(proc) != json_type_object) {
		json_object_put(proc);
		return err_set(0, "--process %s: not a JSON object", process_file);
	}
	struct json_object *doc = json_tokener_parse(text);
	if (!doc || json_object_get_type(doc) != json_type_object) {
		json_object_put(doc);
		json_object_put(proc);
		return err_set(0, "the container's config is damaged");
	}
	/* What the container's own process may do bounds what --process may ask for. */
	struct oci_config *own = calloc(1, sizeof(*own));
	int r = own ? oci_config_parse(text, strlen(text), bundle, own) : -ENOMEM;
	uint64_t allowed = own ? own->cfg.caps : 0;
	if (own)
		oci_config_free(own);
	free(own);
	if (r < 0) {
		json_object_put(doc);
		json_object_put(proc);
		return err_wrap(r, "the container's config");
	}
	json_object_object_add(doc, "process", proc);
	const char *merged = json_object_to_json_string_ext(doc, JSON_C_TO_STRING_PLAIN);
	r = oci_config_parse(merged, strlen(merged), bundle, oc);
	json_object_put(doc);
	if (r < 0)
		return err_wrap(r, "--process %s", process_file);
	if (oc->cfg.caps & ~allowed)
		return err_set(0,
			       "--process %s: process.capabilities: more than the container's "
			       "process has (exec gives at most the container's capabilities)",
			       process_file);
	return 0;
}

/* -e K=V: the variable replaces the config's K, or joins the list. */
static int exec_setenv(struct container_config *cfg, const char *kv)
{
	const char *eq = strchr(kv, '=');
	if (!eq || eq == kv)
		return err_set(0, "invalid --env '%s': use K=V", kv);
	size_t klen = (size_t)(eq - kv) + 1;
	for (size_t i = 0; i < cfg->n_env; i++)
		if (!strncmp(cfg->env[i], kv, klen)) {
			cfg->env[i] = kv;
			return 0;
		}
	if (cfg->n_env >= CONFIG_MAX_ENV)
		return err_set(E2BIG, "too many environment variables");
	cfg->env[cfg->n_env++] = kv;
	cfg->env[cfg->n_env] = NULL;
	return 0;
}

struct pid_file_arg {
	const char *path;
};

static int record_exec(pid_t pid, void *arg)
{
	const char *path = arg;
	char text[32];
	snprintf(text, sizeof(text), "%d", (int)pid);
	return write_file(path, text);
}

static const char exec_usage[] =
    "usage: shikumi exec [--process FILE | -e K=V... --cwd DIR -t] [--detach] "
    "[--pid-file FILE] [--console-socket SOCK] ID [COMMAND [ARG...]]";

static int cmd_exec(const struct globals *g, int argc, char **argv)
{
	const char *process_file = NULL, *pid_file = NULL, *console = NULL, *cwd = NULL;
	const char *env[CONFIG_MAX_ENV];
	size_t n_env = 0;
	bool tty = false, detach = false;
	autoclose int console_fd = -1;
	int i = 1;
	for (; i < argc && argv[i][0] == '-'; i++) {
		const char *a = argv[i];
		bool takes = !strcmp(a, "--process") || !strcmp(a, "-p") ||
			     !strcmp(a, "--pid-file") || !strcmp(a, "--console-socket") ||
			     !strcmp(a, "--cwd") || !strcmp(a, "-e") || !strcmp(a, "--env") ||
			     !strcmp(a, "--preserve-fds") || !strcmp(a, "--user") ||
			     !strcmp(a, "-u") || !strcmp(a, "--process-label") ||
			     !strcmp(a, "--apparmor") || !strcmp(a, "--cap") || !strcmp(a, "-c");
		if (takes && i + 1 >= argc)
			return err_set(0, "option '%s' needs a value", a);
		if (!strcmp(a, "--process") || !strcmp(a, "-p"))
			process_file = argv[++i];
		else if (!strcmp(a, "--pid-file"))
			pid_file = argv[++i];
		else if (!strcmp(a, "--console-socket"))
			console = argv[++i];
		else if (!strcmp(a, "--cwd"))
			cwd = argv[++i];
		else if (!strcmp(a, "-e") || !strcmp(a, "--env")) {
			if (n_env >= CONFIG_MAX_ENV)
				return err_set(E2BIG, "too many --env");
			env[n_env++] = argv[++i];
		} else if (!strcmp(a, "-t") || !strcmp(a, "--tty"))
			tty = true;
		else if (!strcmp(a, "-d") || !strcmp(a, "--detach"))
			detach = true;
		else if (!strcmp(a, "--preserve-fds")) {
			if (strcmp(argv[++i], "0"))
				return err_set(0, "--preserve-fds: passing file descriptors into a "
						  "container is not supported (only 0)");
		} else if (takes) {
			/* a different identity, label or capability set than the container's: exec
			 * gives exactly what the container's process has */
			return err_set(0,
				       "option '%s' is not supported: an exec'd process gets the "
				       "container's user and capabilities",
				       a);
		} else if (strcmp(a, "--no-new-privs"))
			return err_set(0, "unknown option '%s' for exec", a);
	}
	if (i >= argc || (!process_file && argc - i < 2) || (process_file && argc - i != 1))
		return err_set(0, "%s", exec_usage);
	if (process_file && (n_env || cwd || tty))
		return err_set(0, "exec: --process FILE gives the process; -e, --cwd and -t go "
				  "with a COMMAND instead");
	/* Before anything is looked at: from here on this process is a sealed copy. */
	int r = reexec_sealed(g->argv0);
	if (r < 0)
		return r;
	static struct oci_config oc;
	static struct container_host host;
	struct oci_state st;
	{
		autoclose int fd = load(g, argv[i], &st);
		if (fd < 0)
			return fd;
		const char *status = state_status(&st);
		if (strcmp(status, "running") && strcmp(status, "created"))
			return err_set(0, "container '%s' is %s: exec needs a running container",
				       st.id, status);
		/* the lock goes with fd: exec may run for hours, kill and delete must not wait */
		if ((r = exec_config(fd, st.bundle, process_file, &oc)) < 0)
			goto out;
	}
	struct container_config *cfg = &oc.cfg;
	if (!process_file) {
		cfg->argv = argv + i + 1;
		cfg->tty = tty ? TTY_ON : TTY_OFF;
		if (cwd)
			cfg->cwd = cwd;
		for (size_t k = 0; k < n_env; k++)
			if ((r = exec_setenv(cfg, env[k])) < 0)
				goto out;
	}
	if (cfg->tty == TTY_ON && detach && !console) {
		r = err_set(0, "exec: a terminal with --detach needs --console-socket");
		goto out;
	}
	if (console && cfg->tty != TTY_ON) {
		r = err_set(0, "exec: --console-socket is given but the process has no terminal");
		goto out;
	}
	if (cfg->seccomp_profile &&
	    (r = seccomp_compile_json(cfg->seccomp_profile, cfg->caps, "linux.seccomp",
				      &host.seccomp_bpf, &host.seccomp_len)) < 0)
		goto out;
	if (console && (r = console_fd = connect_console(console)) < 0)
		goto out;
	const struct exec_target t = {st.pid, st.pid_start, st.cgroup};
	const struct exec_opts o = {detach, console_fd, pid_file ? record_exec : NULL,
				    (void *)pid_file};
	int code;
	r = container_exec(cfg, &host, &t, &o, &code);
	if (r == 0 && !detach) {
		oci_config_free(&oc);
		exit(code); /* the process's status is exec's, as with runc */
	}
	if (r < 0 && code != 125) {
		fprintf(stderr, "shikumi: %s\n", err_msg());
		oci_config_free(&oc);
		exit(code);
	}
out:
	oci_config_free(&oc);
	return r;
}

static int cmd_ps(const struct globals *g, int argc, char **argv)
{
	bool json = false;
	int i = 1;
	for (; i < argc && argv[i][0] == '-'; i++) {
		int r = format_option(argc, argv, &i, &json);
		if (r < 0)
			return r;
		if (!r)
			return err_set(0, "unknown option '%s' for ps", argv[i]);
	}
	if (argc - i != 1)
		return err_set(0, "usage: shikumi ps [--format table|json] ID");
	struct oci_state st;
	autoclose int fd = load(g, argv[i], &st);
	if (fd < 0)
		return fd;
	if (!strcmp(state_status(&st), "stopped"))
		return err_set(0, "container '%s' is stopped", st.id);
	FILE *f = open_procs(&st);
	struct json_object *pids = json_object_new_array();
	int pid;
	if (f) {
		while (fscanf(f, "%d", &pid) == 1)
			json_object_array_add(pids, json_object_new_int(pid));
		fclose(f);
	} else {
		json_object_array_add(pids, json_object_new_int(st.pid));
	}
	if (json) {
		puts(json_object_to_json_string_ext(pids, JSON_C_TO_STRING_PLAIN));
	} else {
		printf("%-8s %s\n", "PID", "CMD");
		for (size_t k = 0; k < json_object_array_length(pids); k++) {
			pid = json_object_get_int(json_object_array_get_idx(pids, k));
			char cmd[256] = "", p[64];
			snprintf(p, sizeof(p), "/proc/%d/cmdline", pid);
			autoclose int c = open(p, O_RDONLY | O_CLOEXEC);
			ssize_t n = c < 0 ? 0 : read(c, cmd, sizeof(cmd) - 1);
			/* A container names its own processes: control bytes are shown as '?',
			 * so that none can drive the terminal `ps` prints on. */
			for (ssize_t j = 0; j < n; j++)
				if (!cmd[j])
					cmd[j] = ' ';
				else if ((unsigned char)cmd[j] < 0x20 || cmd[j] == 0x7f)
					cmd[j] = '?';
			while (n > 0 && (!cmd[n - 1] || cmd[n - 1] == ' '))
				n--; /* a title written over argv (shikumi-init) leaves padding */
			cmd[n > 0 ? n : 0] = '\0';
			printf("%-8d %s\n", pid, cmd);
		}
	}
	json_object_put(pids);
	return 0;
}

/* pause/resume: cgroup v2's freezer (cgroup.freeze), waited on until cgroup.events says
 * the whole group is (or no longer is) frozen. */
static int freeze(const struct globals *g, int argc, char **argv, bool frozen)
{
	const char *cmd = frozen ? "pause" : "resume";
	if (argc != 2)
		return err_set(0, "usage: shikumi %s ID", cmd);
	struct oci_state st;
	autoclose int fd = load(g, argv[1], &st);
	if (fd < 0)
		return fd;
	const char *status = state_status(&st);
	if (strcmp(status, frozen ? "running" : "paused") &&
	    !(frozen && !strcmp(status, "created")))
		return err_set(0, "container '%s' is %s: only a %s container can be %s", st.id,
			       status, frozen ? "running" : "paused",
			       frozen ? "paused" : "resumed");
	if (!st.cgroup[0])
		return err_set(0, "container '%s' has no cgroup to freeze", st.id);
	struct cgroup cg = {.fd = open_group(&st)};
	if (cg.fd < 0)
		return err_set(errno, "cannot open the cgroup %s", st.cgroup);
	snprintf(cg.path, sizeof(cg.path), "%s", st.cgroup);
	autoclose int cgfd = cg.fd;
	int r = cgroup_freeze(&cg, frozen);
	if (r < 0)
		return r;
	for (int tries = 0; tries < 500; tries++) {
		char events[256] = "";
		autoclose int ev = openat(cg.fd, "cgroup.events", O_RDONLY | O_CLOEXEC);
		ssize_t n = ev < 0 ? -1 : read(ev, events, sizeof(events) - 1);
		events[n > 0 ? n : 0] = '\0';
		if (strstr(events, frozen ? "frozen 1" : "frozen 0"))
			return 0;
		usleep(10000);
	}
	return err_set(ETIMEDOUT, "'%s' did not %s within 5 s", st.id, frozen ? "freeze" : "thaw");
}

/* runtime-spec features.md: what this runtime implements, for a client to check. */
static int cmd_features(void)
{
	struct json_object *o = json_object_new_object(), *linux_ = json_object_new_object();
	json_object_object_add(o, "ociVersionMin", json_object_new_string("1.0.0"));
	json_object_object_add(o, "ociVersionMax", json_object_new_string("1.1.0"));
	struct json_object *hooks = json_object_new_array();
	for (int k = 0; k < HOOK_KINDS; k++)
		json_object_array_add(hooks, json_object_new_string(oci_hook_names[k]));
	json_object_object_add(o, "hooks", hooks);
	static const char *const mount_options[] = {
	    "ro",   "rro",   "rw",	"nosuid",   "nodev", "noexec", "rnoexec", "exec",
	    "bind", "rbind", "private", "rprivate", "slave", "rslave", NULL};
	struct json_object *opts = json_object_new_array();
	for (size_t k = 0; mount_options[k]; k++)
		json_object_array_add(opts, json_object_new_string(mount_options[k]));
	json_object_object_add(o, "mountOptions", opts);
	static const char *const namespaces[] = {"cgroup", "ipc",  "mount", "network",
						 "pid",	   "user", "uts",   NULL};
	struct json_object *ns = json_object_new_array();
	for (size_t k = 0; namespaces[k]; k++)
		json_object_array_add(ns, json_object_new_string(namespaces[k]));
	json_object_object_add(linux_, "namespaces", ns);
	struct json_object *caps = json_object_new_array();
	for (int c = 0; c <= CAP_LAST_CAP; c++) {
		char *name = cap_to_name(c), upper[64];
		size_t k = 0;
		for (; name && name[k] && k < sizeof(upper) - 1; k++)
			upper[k] = (char)toupper((unsigned char)name[k]);
		upper[k] = '\0';
		if (name && strncmp(upper, "CAP_", 4) == 0)
			json_object_array_add(caps, json_object_new_string(upper));
		cap_free(name);
	}
	json_object_object_add(linux_, "capabilities", caps);
	struct json_object *cg = json_object_new_object();
	json_object_object_add(cg, "v1", json_object_new_boolean(false));
	json_object_object_add(cg, "v2", json_object_new_boolean(true));
	json_object_object_add(cg, "systemd", json_object_new_boolean(false));
	json_object_object_add(cg, "systemdUser", json_object_new_boolean(false));
	json_object_object_add(linux_, "cgroup", cg);
	struct json_object *sc = json_object_new_object();
	json_object_object_add(sc, "enabled", json_object_new_boolean(true));
	static const char *const actions[] = {
	    "SCMP_ACT_ALLOW",	     "SCMP_ACT_ERRNO",	     "SCMP_ACT_KILL",
	    "SCMP_ACT_KILL_PROCESS", "SCMP_ACT_KILL_THREAD", "SCMP_ACT_TRAP",
	    "SCMP_ACT_TRACE",	     "SCMP_ACT_LOG",	     NULL};
	static const char *const ops[] = {"SCMP_CMP_NE",	"SCMP_CMP_LT", "SCMP_CMP_LE",
					  "SCMP_CMP_EQ",	"SCMP_CMP_GE", "SCMP_CMP_GT",
					  "SCMP_CMP_MASKED_EQ", NULL};
	static const char *const archs[] = {"SCMP_ARCH_X86_64", "SCMP_ARCH_X86", "SCMP_ARCH_X32",
					    NULL};
	const char *const *lists[] = {actions, ops, archs};
	const char *keys[] = {"actions", "operators", "archs"};
	for (size_t l = 0; l < 3; l++) {
		struct json_object *a = json_object_new_array();
		for (size_t k = 0; lists[l][k]; k++)
			json_object_array_add(a, json_object_new_string(lists[l][k]));
		json_object_object_add(sc, keys[l], a);
	}
	json_object_object_add(linux_, "seccomp", sc);
	struct json_object *off = json_object_new_object();
	json_object_object_add(off, "enabled", json_object_new_boolean(false));
	json_object_object_add(linux_, "apparmor", off);
	off = json_object_new_object();
	json_object_object_add(off, "enabled", json_object_new_boolean(false));
	json_object_object_add(linux_, "selinux", off);
	json_object_object_add(o, "linux", linux_);
	puts(json_object_to_json_string_ext(o, JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_SPACED |
						   JSON_C_TO_STRING_NOSLASHESCAPE));
	json_object_put(o);
	return 0;
}

int oci_cmd_main(int argc, char **argv)
{
	struct globals g = {.root = STATE_DEFAULT_ROOT, .argv0 = argv};
	int i = 1;
	for (; i < argc && argv[i][0] == '-'; i++) {
		const char *a = argv[i], *eq = strchr(a, '=');
		char key[32];
		size_t klen = eq ? (size_t)(eq - a) : strlen(a);
		snprintf(key, sizeof(key), "%.*s", (int)klen, a);
		const char *val = eq ? eq + 1 : i + 1 < argc ? argv[i + 1] : NULL;
		if (!strcmp(key, "--root") || !strcmp(key, "--log") ||
		    !strcmp(key, "--log-format")) {
			if (!val) {
				err_set(0, "option '%s' needs a value", key);
				return report(&g);
			}
			if (!eq)
				i++;
			if (!strcmp(key, "--root")) {
				g.root = val;
			} else if (!strcmp(key, "--log")) {
				g.log = val;
			} else if (!strcmp(val, "json") || !strcmp(val, "text")) {
				g.log_json = !strcmp(val, "json");
			} else {
				err_set(0, "invalid --log-format '%s': use text or json", val);
				return report(&g);
			}
		} else if (!strcmp(a, "--debug")) {
			g.debug = true;
		} else if (!strcmp(a, "--systemd-cgroup")) {
			err_set(0, "--systemd-cgroup is not supported: shikumi manages its cgroups "
				   "itself (use podman's --cgroup-manager cgroupfs)");
			return report(&g);
		} else {
			err_set(0, "unknown global option '%s'", a);
			return report(&g);
		}
	}
	if (i >= argc) {
		err_set(0, "missing command (create, start, state, list, ps, exec, kill, pause, "
			   "resume, delete, features)");
		return report(&g);
	}
	const char *cmd = argv[i];
	int r;
	if (!strcmp(cmd, "state"))
		r = cmd_state(&g, argc - i, argv + i);
	else if (!strcmp(cmd, "list"))
		r = cmd_list(&g, argc - i, argv + i);
	else if (!strcmp(cmd, "kill"))
		r = cmd_kill(&g, argc - i, argv + i);
	else if (!strcmp(cmd, "delete"))
		r = cmd_delete(&g, argc - i, argv + i);
	else if (!strcmp(cmd, "create"))
		r = cmd_create(&g, argc - i, argv + i);
	else if (!strcmp(cmd, "start"))
		r = cmd_start(&g, argc - i, argv + i);
	else if (!strcmp(cmd, "exec"))
		r = cmd_exec(&g, argc - i, argv + i);
	else if (!strcmp(cmd, "ps"))
		r = cmd_ps(&g, argc - i, argv + i);
	else if (!strcmp(cmd, "pause") || !strcmp(cmd, "resume"))
		r = freeze(&g, argc - i, argv + i, !strcmp(cmd, "pause"));
	else if (!strcmp(cmd, "features"))
		r = argc - i == 1 ? cmd_features() : err_set(0, "usage: shikumi features");
	else
		r = err_set(0, "'%s' is not implemented yet", cmd);
	return r < 0 ? report(&g) : 0;
}
