#include "state.h"

#include "../common/err.h"
#include "../common/fd.h"

#include <dirent.h>
#include <fcntl.h>
#include <json-c/json.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>

#define STATE_FILE "state.json"

int state_id_check(const char *id)
{
	size_t n = strlen(id);
	if (n == 0 || n >= STATE_ID_MAX)
		return err_set(0, "invalid container id '%.40s': 1 to %d characters", id,
			       STATE_ID_MAX - 1);
	if (!strcmp(id, ".") || !strcmp(id, ".."))
		return err_set(0, "invalid container id '%s'", id);
	for (size_t i = 0; i < n; i++) {
		char c = id[i];
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		      c == '_' || c == '+' || c == '-' || c == '.'))
			return err_set(0,
				       "invalid container id '%.40s': use letters, digits, '_', "
				       "'+', '-' and '.'",
				       id);
	}
	return 0;
}

/* mkdir -p for the root, 0700: the state names host pids and paths, for root's eyes. The
 * directories above it are made 0755, as anyone else would make them: /run/shikumi also holds
 * the network leases, which a container in a user namespace reaches (its /etc/hosts). */
static int make_root(const char *root)
{
	char path[PATH_MAX];
	if ((size_t)snprintf(path, sizeof(path), "%s", root) >= sizeof(path))
		return err_set(ENAMETOOLONG, "state root '%s'", root);
	for (char *p = path + 1;; p++) {
		if (*p != '/' && *p)
			continue;
		char c = *p;
		*p = '\0';
		if (mkdir(path, c ? 0755 : 0700) < 0 && errno != EEXIST)
			return err_set(errno, "cannot create the state root %s", path);
		if (!(*p = c))
			return 0;
	}
}

int state_open(const char *root, const char *id, bool create)
{
	int r = state_id_check(id);
	if (r < 0 || (create && (r = make_root(root)) < 0))
		return r;
	autoclose int rootfd = open(root, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (rootfd < 0 && errno == ENOENT && !create) {
		err_set(0, "container '%s' does not exist", id);
		return -ENOENT;
	}
	if (rootfd < 0)
		return err_set(errno, "state root %s", root);
	if (create && mkdirat(rootfd, id, 0700) < 0)
		return err_set(errno,
			       errno == EEXIST ? "container '%s' exists already"
					       : "cannot create the state of '%s'",
			       id);
	int fd = openat(rootfd, id, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0 && errno == ENOENT) {
		err_set(0, "container '%s' does not exist", id);
		return -ENOENT;
	}
	if (fd < 0)
		return err_set(errno, "cannot open the state of '%s'", id);
	if (flock(fd, LOCK_EX) < 0) {
		r = err_set(errno, "cannot lock the state of '%s'", id);
		close(fd);
		return r;
	}
	return fd;
}

int state_write(int dirfd, const struct oci_state *st)
{
	struct json_object *o = json_object_new_object();
	json_object_object_add(o, "id", json_object_new_string(st->id));
	json_object_object_add(o, "bundle", json_object_new_string(st->bundle));
	json_object_object_add(o, "pid", json_object_new_int64(st->pid));
	json_object_object_add(o, "pidStart", json_object_new_uint64(st->pid_start));
	json_object_object_add(o, "cgroup", json_object_new_string(st->cgroup));
	json_object_object_add(o, "cgroupIno", json_object_new_uint64(st->cgroup_ino));
	json_object_object_add(o, "started", json_object_new_boolean(st->started));
	json_object_object_add(o, "created", json_object_new_string(st->created));
	json_object_object_add(o, "annotations", json_object_new_string(st->annotations));
	const char *text = json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN);
	size_t n = strlen(text);
	int r = 0;
	/* Written whole, then renamed over the old one: a runtime killed at any moment leaves the
	 * old state or the new, never half of one. No fsync: the state describes processes, which
	 * a power loss ends too (and /run is a tmpfs on most hosts); on a disk it cost 1 ms of each
	 * create, start and delete. */
	autoclose int fd =
	    openat(dirfd, STATE_FILE ".tmp", O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0 || write(fd, text, n) != (ssize_t)n ||
	    renameat(dirfd, STATE_FILE ".tmp", dirfd, STATE_FILE) < 0)
		r = err_set(errno ? errno : EIO, "cannot write the state of '%s'", st->id);
	json_object_put(o);
	return r;
}

static int copy_string(struct json_object *o, const char *key, char *out, size_t n)
{
	struct json_object *v;
	if (!json_object_object_get_ex(o, key, &v) || !json_object_is_type(v, json_type_string) ||
	    (size_t)snprintf(out, n, "%s", json_object_get_string(v)) >= n)
		return -EINVAL;
	return 0;
}

int state_read(int dirfd, struct oci_state *st)
{
	memset(st, 0, sizeof(*st));
	char text[16384];
	autoclose int fd = openat(dirfd, STATE_FILE, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return err_set(errno, "cannot read the container's state");
	ssize_t n = read(fd, text, sizeof(text) - 1);
	if (n < 0)
		return err_set(errno, "cannot read the container's state");
	text[n] = '\0';
	struct json_object *o = json_tokener_parse(text), *v;
	int r = o ? 0 : -EINVAL;
	if (!r)
		r = copy_string(o, "id", st->id, sizeof(st->id)) ||
			    copy_string(o, "bundle", st->bundle, sizeof(st->bundle)) ||
			    copy_string(o, "cgroup", st->cgroup, sizeof(st->cgroup)) ||
			    copy_string(o, "created", st->created, sizeof(st->created)) ||
			    copy_string(o, "annotations", st->annotations, sizeof(st->annotations))
			? -EINVAL
			: 0;
	if (!r && json_object_object_get_ex(o, "pid", &v))
		st->pid = (pid_t)json_object_get_int64(v);
	if (!r && json_object_object_get_ex(o, "pidStart", &v))
		st->pid_start = json_object_get_uint64(v);
	if (!r && json_object_object_get_ex(o, "cgroupIno", &v))
		st->cgroup_ino = json_object_get_uint64(v);
	if (!r && json_object_object_get_ex(o, "started", &v))
		st->started = json_object_get_boolean(v);
	if (o)
		json_object_put(o);
	return r < 0 ? err_set(0, "the container's state file is damaged") : 0;
}

uint64_t state_pid_start(pid_t pid)
{
	char path[64], buf[1024];
	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	autoclose int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t n = fd < 0 ? -1 : read(fd, buf, sizeof(buf) - 1);
	if (n <= 0)
		return 0;
	buf[n] = '\0';
	/* the command name may hold spaces and ')': fields count from the last ')' */
	char *p = strrchr(buf, ')');
	unsigned long long start = 0;
	char state = 0;
	if (!p || sscanf(p + 1,
			 " %c %*s %*s %*s %*s %*s %*s %*s %*s %*s %*s %*s %*s %*s %*s %*s "
			 "%*s %*s %*s %llu",
			 &state, &start) != 2)
		return 0;
	return state == 'Z' || state == 'X' ? 0 : start; /* a zombie has exited */
}

const char *state_status(const struct oci_state *st)
{
	if (st->pid <= 0)
		return "creating";
	if (!st->pid_start || state_pid_start(st->pid) != st->pid_start)
		return "stopped";
	if (st->cgroup[0]) {
		/* `pause` froze the group (cgroup v2's freezer) */
		char path[PATH_MAX + 16], c = 0;
		snprintf(path, sizeof(path), "%s/cgroup.freeze", st->cgroup);
		autoclose int fd = open(path, O_RDONLY | O_CLOEXEC);
		if (fd >= 0 && read(fd, &c, 1) == 1 && c == '1')
			return "paused";
	}
	return st->started ? "running" : "created";
}

char *state_render(const struct oci_state *st)
{
	return state_render_as(st, state_status(st));
}

char *state_render_as(const struct oci_state *st, const char *status)
{
	struct json_object *o = json_object_new_object();
	json_object_object_add(o, "ociVersion", json_object_new_string("1.0.2"));
	json_object_object_add(o, "id", json_object_new_string(st->id));
	json_object_object_add(o, "status", json_object_new_string(status));
	/* the pid only while it names the container's init (the spec asks it then) */
	bool live = strcmp(status, "stopped") && st->pid > 0;
	json_object_object_add(o, "pid", json_object_new_int64(live ? st->pid : 0));
	json_object_object_add(o, "bundle", json_object_new_string(st->bundle));
	struct json_object *ann = st->annotations[0] ? json_tokener_parse(st->annotations) : NULL;
	if (ann)
		json_object_object_add(o, "annotations", ann);
	json_object_object_add(o, "created", json_object_new_string(st->created));
	char *out = strdup(json_object_to_json_string_ext(
	    o, JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_SPACED | JSON_C_TO_STRING_NOSLASHESCAPE));
	json_object_put(o);
	if (!out)
		err_set(ENOMEM, "cannot render the state");
	return out;
}

int state_remove(const char *root, const char *id, int dirfd)
{
	if ((unlinkat(dirfd, STATE_FILE, 0) < 0 && errno != ENOENT) ||
	    (unlinkat(dirfd, STATE_FILE ".tmp", 0) < 0 && errno != ENOENT) ||
	    (unlinkat(dirfd, "exec.fifo", 0) < 0 && errno != ENOENT) ||
	    (unlinkat(dirfd, STATE_CONFIG, 0) < 0 && errno != ENOENT))
		return err_set(errno, "cannot remove the state of '%s'", id);
	autoclose int rootfd = open(root, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (rootfd < 0 || unlinkat(rootfd, id, AT_REMOVEDIR) < 0)
		return err_set(errno, "cannot remove the state of '%s'", id);
	return 0;
}
