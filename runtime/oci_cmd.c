/* The runc command line: the global options, create, start, state, list, kill and delete over
 * the state directory (exec, ps, pause and resume are not written yet). Each
 * command locks the container's directory for as long as it reads and changes it, and each
 * works from whatever a runtime killed at any moment left: a state "creating" (no init yet),
 * an init that is gone, a cgroup that is empty or not. */
#include "oci_cmd.h"

#include "../cgroup/cgroup.h"
#include "../common/err.h"
#include "../common/fd.h"
#include "container.h"
#include "oci_config.h"
#include "state.h"

#include <dirent.h>
#include <fcntl.h>
#include <json-c/json.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

struct globals {
	const char *root;
	const char *log;
	bool log_json;
	bool debug;
};

static const char *const commands[] = {"state", "list", "kill",	 "delete", "create", "start",
				       "exec",	"ps",	"pause", "resume", NULL};

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

/* --all: every process of the container's group (a forked daemon outlives its init). */
static int signal_all(const struct oci_state *st, int sig)
{
	char path[PATH_MAX + 16];
	snprintf(path, sizeof(path), "%s/cgroup.procs", st->cgroup);
	FILE *f = st->cgroup[0] ? fopen(path, "re") : NULL;
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

static int cmd_list(const struct globals *g, int argc, char **argv)
{
	bool json = false, quiet = false;
	for (int i = 1; i < argc; i++) {
		if ((!strcmp(argv[i], "--format") || !strcmp(argv[i], "-f")) && i + 1 < argc) {
			const char *f = argv[++i];
			if (strcmp(f, "json") && strcmp(f, "table"))
				return err_set(0, "invalid --format '%s': use table or json", f);
			json = !strcmp(f, "json");
		} else if (!strcmp(argv[i], "--format=json")) {
			json = true;
		} else if (!strcmp(argv[i], "-q") || !strcmp(argv[i], "--quiet")) {
			quiet = true;
		} else {
			return err_set(0, "unknown option '%s' for list", argv[i]);
		}
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
		struct cgroup cg = {.fd = open(st.cgroup, O_RDONLY | O_DIRECTORY | O_CLOEXEC)};
		snprintf(cg.path, sizeof(cg.path), "%s", st.cgroup);
		if (cg.fd < 0 && errno != ENOENT)
			return err_set(errno, "cannot open the cgroup %s", st.cgroup);
		int r = cgroup_destroy(&cg);
		if (r < 0)
			return r;
	}
	return state_remove(g->root, st.id, fd);
}

/* Writes text to path whole or not at all (a temporary file renamed over it), as conmon and
 * podman read the pid file while it is written. */
static int write_file(const char *path, const char *text)
{
	char tmp[PATH_MAX];
	if ((size_t)snprintf(tmp, sizeof(tmp), "%s.tmp", path) >= sizeof(tmp))
		return err_set(ENAMETOOLONG, "%s", path);
	autoclose int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	size_t n = strlen(text);
	if (fd < 0 || write(fd, text, n) != (ssize_t)n || rename(tmp, path) < 0) {
		int e = errno;
		unlink(tmp);
		return err_set(e, "cannot write %s", path);
	}
	return 0;
}

struct record_arg {
	int dirfd;
	struct oci_state *st;
};

/* The init is ready: its pid, start time and group go on disk before it may wait. */
static int record_init(pid_t pid, const char *cgroup, void *arg)
{
	struct record_arg *a = arg;
	a->st->pid = pid;
	a->st->pid_start = state_pid_start(pid);
	snprintf(a->st->cgroup, sizeof(a->st->cgroup), "%s", cgroup);
	return state_write(a->dirfd, a->st);
}

static int create_in(const struct globals *g, const char *bundle, const char *pid_file,
		     const char *id, int dirfd)
{
	static struct oci_config oc;
	static struct container_host host;
	static char rootfs[PATH_MAX];
	struct oci_state st = {0};
	autoclose int fifo = -1;
	int r, code;
	if (!realpath(bundle, st.bundle))
		return err_set(errno, "bundle '%s'", bundle);
	snprintf(st.id, sizeof(st.id), "%s", id);
	time_t now = time(NULL);
	strftime(st.created, sizeof(st.created), "%Y-%m-%dT%H:%M:%SZ", gmtime(&now));
	if ((r = oci_config_load(st.bundle, &oc)) < 0)
		goto out;
	if (oc.terminal) {
		r = err_set(0, "config.json: process.terminal: a terminal (--console-socket) is "
			       "not supported yet");
		goto out;
	}
	if (!realpath(oc.cfg.rootfs, rootfs)) {
		r = err_set(errno, "config.json: root.path: '%s'", oc.cfg.rootfs);
		goto out;
	}
	oc.cfg.rootfs = rootfs;
	if (oc.annotations)
		snprintf(st.annotations, sizeof(st.annotations), "%s",
			 json_object_to_json_string_ext(oc.annotations, JSON_C_TO_STRING_PLAIN));
	if ((r = container_validate(&oc.cfg, &host, &code)) < 0)
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
	struct record_arg ra = {dirfd, &st};
	if ((r = container_create(&oc.cfg, &host, fifo, record_init, &ra)) < 0)
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
	const char *bundle = ".", *pid_file = NULL;
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
			i++; /* used only with process.terminal, refused for now */
		else if (strcmp(a, "--no-pivot") && strcmp(a, "--no-new-keyring"))
			return err_set(0, "unknown option '%s' for create", a);
	}
	if (argc - i != 1)
		return err_set(0, "usage: shikumi create [--bundle DIR] [--pid-file FILE] ID");
	const char *id = argv[i];
	int dirfd = state_open(g->root, id, true);
	if (dirfd < 0)
		return dirfd;
	int r = create_in(g, bundle, pid_file, id, dirfd);
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
	return state_write(fd, &st);
}

int oci_cmd_main(int argc, char **argv)
{
	struct globals g = {.root = STATE_DEFAULT_ROOT};
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
		err_set(0, "missing command (create, start, state, list, kill, delete)");
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
	else
		r = err_set(0, "'%s' is not implemented yet", cmd);
	return r < 0 ? report(&g) : 0;
}
