/* config.json -> struct container_config. The runtime-spec asks a runtime to ignore
 * properties it does not know, but a property it knows and cannot honour (a seccomp profile,
 * an AppArmor label, a namespace to join) is refused with its JSON path: a container that
 * silently runs with less confinement than its config asked for is the one outcome that is
 * never acceptable. Where shikumi is stricter than asked (nosuid/nodev on every volume,
 * no_new_privs always), the config is accepted. */
#include "oci_config.h"

#include "../cgroup/cgroup.h"
#include "../common/err.h"
#include "../common/fd.h"
#include "caps.h"
#include "mounts.h"
#include "std_devices.h"

#include <json-c/json.h>

#include <ctype.h>
#include <fcntl.h>
#include <stdarg.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/capability.h>
#include <sys/stat.h>

#define P_MAX 128 /* a JSON path such as "linux.uidMappings[4].containerID" */

#define BAD(path, ...) oci_bad(path, __VA_ARGS__)

/* The error line: "config.json: PATH: WHAT". Values and keys from the document are quoted in
 * it, and a control character among them (a newline inside a JSON string) becomes '?', so
 * that the message stays the one line a log or a terminal shows (found by the fuzzer). */
static int __attribute__((format(printf, 2, 3))) oci_bad(const char *path, const char *fmt, ...)
{
	char msg[256], line[512];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (snprintf(line, sizeof(line), "config.json: %s: %s", path, msg) >= (int)sizeof(line))
		line[sizeof(line) - 1] = '\0';
	for (char *p = line; *p; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			*p = '?';
	return err_set(0, "%s", line);
}

/* ---- typed access: each getter names the path when the type is wrong ---- */

static const char *type_name(json_type t)
{
	switch (t) {
	case json_type_string:
		return "a string";
	case json_type_int:
		return "an integer";
	case json_type_boolean:
		return "a boolean";
	case json_type_array:
		return "an array";
	case json_type_object:
		return "an object";
	default:
		return "a value";
	}
}

/* The member `key` of obj, or NULL when it is absent (a JSON null counts as absent). */
static struct json_object *member(struct json_object *obj, const char *key)
{
	struct json_object *v = NULL;
	return obj && json_object_object_get_ex(obj, key, &v) ? v : NULL;
}

static int expect(struct json_object *v, const char *path, json_type t)
{
	if (json_object_get_type(v) != t)
		return BAD(path, "expected %s", type_name(t));
	return 0;
}

/* A path too long for P_MAX is cut: it only names where an error is. */
static void join(char *out, const char *parent, const char *key)
{
	if (snprintf(out, P_MAX, "%s%s%s", parent, *parent ? "." : "", key) >= P_MAX)
		out[P_MAX - 1] = '\0';
}

static void index_path(char *out, const char *parent, size_t i)
{
	if (snprintf(out, P_MAX, "%s[%zu]", parent, i) >= P_MAX)
		out[P_MAX - 1] = '\0';
}

/* obj.key as type t: 0 and *out (NULL when absent), or an error naming the path. */
static int get(struct json_object *obj, const char *parent, const char *key, json_type t,
	       struct json_object **out)
{
	char path[P_MAX];
	join(path, parent, key);
	*out = member(obj, key);
	int r = *out ? expect(*out, path, t) : 0;
	if (r < 0)
		*out = NULL; /* a caller that looks before it checks r sees nothing of the wrong
				type */
	return r;
}

static int get_string(struct json_object *obj, const char *parent, const char *key,
		      const char **out)
{
	struct json_object *v;
	int r = get(obj, parent, key, json_type_string, &v);
	*out = v ? json_object_get_string(v) : NULL;
	return r;
}

static int get_bool(struct json_object *obj, const char *parent, const char *key, bool *out)
{
	struct json_object *v;
	int r = get(obj, parent, key, json_type_boolean, &v);
	if (v)
		*out = json_object_get_boolean(v);
	return r;
}

/* An integer in [min, max]; json-c keeps integers beyond INT64_MAX as uint64. */
static int int_in(struct json_object *v, const char *path, int64_t min, int64_t max, int64_t *out)
{
	int r = expect(v, path, json_type_int);
	if (r < 0)
		return r;
	int64_t n = json_object_get_int64(v);
	if (n == INT64_MAX && json_object_get_uint64(v) > (uint64_t)INT64_MAX)
		return BAD(path, "out of range (at most %lld)", (long long)max);
	if (n < min || n > max)
		return BAD(path, "out of range (%lld to %lld)", (long long)min, (long long)max);
	*out = n;
	return 0;
}

static int get_int(struct json_object *obj, const char *parent, const char *key, int64_t min,
		   int64_t max, bool *present, int64_t *out)
{
	char path[P_MAX];
	join(path, parent, key);
	struct json_object *v = member(obj, key);
	*present = v != NULL;
	return v ? int_in(v, path, min, max, out) : 0;
}

/* A property shikumi knows and does not implement: refused when it asks for anything. */
static int refuse_if_set(struct json_object *obj, const char *parent, const char *key,
			 const char *why)
{
	char path[P_MAX];
	join(path, parent, key);
	struct json_object *v = member(obj, key);
	if (!v)
		return 0;
	json_type t = json_object_get_type(v);
	if ((t == json_type_string && !*json_object_get_string(v)) ||
	    (t == json_type_array && json_object_array_length(v) == 0) ||
	    (t == json_type_object && json_object_object_length(v) == 0))
		return 0;
	return BAD(path, "%s", why);
}

/* ---- the sections ---- */

static int read_root(struct json_object *doc, const char *bundle, struct oci_config *oc)
{
	struct json_object *root;
	const char *path;
	int r;
	if ((r = get(doc, "", "root", json_type_object, &root)) < 0)
		return r;
	if (!root)
		return BAD("root", "missing (the bundle's root file system)");
	if ((r = get_string(root, "root", "path", &path)) < 0 ||
	    (r = get_bool(root, "root", "readonly", &oc->cfg.read_only)) < 0)
		return r;
	if (!path || !*path)
		return BAD("root.path", "must not be empty");
	int n = path[0] == '/' ? snprintf(oc->rootfs, sizeof(oc->rootfs), "%s", path)
			       : snprintf(oc->rootfs, sizeof(oc->rootfs), "%s/%s", bundle, path);
	if ((size_t)n >= sizeof(oc->rootfs))
		return BAD("root.path", "too long");
	oc->cfg.rootfs = oc->rootfs;
	return 0;
}

/* parent.key as an array of at most max strings, into out[] (NULL-terminated), *n of them;
 * what names the elements in the "too many" message. */
static int get_strings(struct json_object *obj, const char *parent, const char *key,
		       const char *what, size_t max, const char **out, size_t *n)
{
	struct json_object *array;
	char name[P_MAX];
	join(name, parent, key);
	int r = get(obj, parent, key, json_type_array, &array);
	if (r < 0)
		return r;
	*n = array ? json_object_array_length(array) : 0;
	if (*n > max)
		return BAD(name, "too many%s (at most %zu)", what, max);
	for (size_t i = 0; i < *n; i++) {
		char path[P_MAX];
		index_path(path, name, i);
		struct json_object *e = json_object_array_get_idx(array, i);
		if ((r = expect(e, path, json_type_string)) < 0)
			return r;
		out[i] = json_object_get_string(e);
	}
	out[*n] = NULL;
	return 0;
}

static int read_args(struct json_object *proc, struct oci_config *oc)
{
	size_t n;
	int r = get_strings(proc, "process", "args", "", OCI_MAX_ARGS, (const char **)oc->argv, &n);
	if (r < 0)
		return r;
	if (n == 0)
		return BAD("process.args", "must not be empty");
	if (!oc->argv[0][0])
		return BAD("process.args[0]", "must not be empty");
	oc->cfg.argv = oc->argv;
	return 0;
}

/* The environment is the config's alone, as runc has it: no defaults are added. */
static int read_env(struct json_object *proc, struct container_config *cfg)
{
	int r = get_strings(proc, "process", "env", " variables", CONFIG_MAX_ENV, cfg->env,
			    &cfg->n_env);
	if (r < 0)
		return r;
	for (size_t i = 0; i < cfg->n_env; i++) {
		const char *kv = cfg->env[i];
		if (kv[0] == '=' || !strchr(kv, '=')) {
			char path[P_MAX];
			index_path(path, "process.env", i);
			return BAD(path, "expected NAME=VALUE");
		}
	}
	return 0;
}

static int read_user(struct json_object *proc, struct container_config *cfg)
{
	struct json_object *user, *gids;
	bool have;
	int64_t v;
	int r = get(proc, "process", "user", json_type_object, &user);
	if (r < 0 || !user)
		return r;
	/* The ids inside the container's user namespace, if it has one (confine.c switches to
	 * them after the mounts, keeping the capabilities the config gives). (uid_t)-1 would
	 * mean "unchanged" to setresuid: refused. */
	const char *ids[] = {"uid", "gid"};
	for (int i = 0; i < 2; i++) {
		if ((r = get_int(user, "process.user", ids[i], 0, UINT32_MAX - 1, &have, &v)) < 0)
			return r;
		if (have)
			*(i ? &cfg->gid : &cfg->uid) = (uint32_t)v;
	}
	if ((r = get_int(user, "process.user", "umask", 0, 0777, &have, &v)) < 0)
		return r;
	if (have)
		cfg->umask = (int)v;
	if ((r = refuse_if_set(user, "process.user", "username", "is for Windows containers")) < 0)
		return r;
	if ((r = get(user, "process.user", "additionalGids", json_type_array, &gids)) < 0 || !gids)
		return r;
	size_t n = json_object_array_length(gids);
	if (n > CONFIG_MAX_GROUPS)
		return BAD("process.user.additionalGids", "too many (at most %d)",
			   CONFIG_MAX_GROUPS);
	for (size_t i = 0; i < n; i++) {
		char path[P_MAX];
		index_path(path, "process.user.additionalGids", i);
		if ((r = int_in(json_object_array_get_idx(gids, i), path, 0, UINT32_MAX, &v)) < 0)
			return r;
		cfg->groups[i] = (uint32_t)v;
	}
	cfg->n_groups = n;
	return 0;
}

static int cap_set(struct json_object *caps, const char *key, bool *present, uint64_t *set)
{
	char parent[P_MAX], path[P_MAX];
	join(parent, "process.capabilities", key);
	struct json_object *list;
	int r = get(caps, "process.capabilities", key, json_type_array, &list);
	*present = list != NULL;
	*set = 0;
	for (size_t i = 0; r == 0 && list && i < json_object_array_length(list); i++) {
		index_path(path, parent, i);
		struct json_object *c = json_object_array_get_idx(list, i);
		int cap;
		if ((r = expect(c, path, json_type_string)) < 0)
			return r;
		const char *name = json_object_get_string(c);
		if ((r = caps_parse(name, &cap)) < 0 || cap < 0)
			return BAD(path, "unknown capability '%s'", name);
		*set |= CAP_BIT(cap);
	}
	return r;
}

/* The first capability of set (a non-empty one), as its name. */
static const char *first_cap(uint64_t set, char *buf, size_t n)
{
	int c = __builtin_ctzll(set);
	char *name = cap_to_name(c);
	snprintf(buf, n, "%s", name ? name : "?");
	cap_free(name);
	for (char *p = buf; *p; p++)
		*p = (char)toupper((unsigned char)*p);
	return buf;
}

/* A uid other than 0 keeps only what its permitted and ambient sets say through exec (no
 * file capabilities here): the five sets are the config's, under the kernel's own rules,
 * checked here so that each breach is one line rather than a failing capset inside. */
static int read_user_caps(struct json_object *caps, struct container_config *cfg)
{
	static const char *const sets[] = {"bounding", "effective", "permitted", "inheritable",
					   "ambient"};
	uint64_t v[5];
	char path[P_MAX], name[64];
	for (size_t i = 0; i < 5; i++) {
		bool present;
		int r = cap_set(caps, sets[i], &present, &v[i]);
		if (r < 0)
			return r;
	}
	static const struct {
		int set, within;
		const char *what;
	} rules[] = {
	    {2, 0, "is not in the bounding set"},
	    {1, 2, "is not in the permitted set"},
	    {3, 0, "is not in the bounding set"},
	};
	for (size_t i = 0; i < sizeof(rules) / sizeof(*rules); i++) {
		uint64_t extra = v[rules[i].set] & ~v[rules[i].within];
		join(path, "process.capabilities", sets[rules[i].set]);
		if (extra)
			return BAD(path, "%s %s", first_cap(extra, name, sizeof(name)),
				   rules[i].what);
	}
	uint64_t extra = v[4] & ~(v[2] & v[3]);
	if (extra)
		return BAD("process.capabilities.ambient",
			   "%s is not in both permitted and "
			   "inheritable",
			   first_cap(extra, name, sizeof(name)));
	cfg->caps = v[0];
	cfg->caps_effective = v[1];
	cfg->caps_permitted = v[2];
	cfg->caps_inheritable = v[3];
	cfg->caps_ambient = v[4];
	return 0;
}

/* For root, shikumi keeps one set: bounding, permitted and effective are the same
 * (caps_apply), and the inheritable and ambient sets stay empty, so that an exec'd file
 * cannot gain more; at exec root gets its bounding set whatever the others say. */
static int read_caps(struct json_object *proc, struct container_config *cfg)
{
	struct json_object *caps;
	int r = get(proc, "process", "capabilities", json_type_object, &caps);
	cfg->caps = 0; /* no capabilities object: none, as runc */
	if (r < 0 || !caps)
		return r;
	if (cfg->uid != 0)
		return read_user_caps(caps, cfg);
	static const char *const sets[] = {"bounding", "effective", "permitted", "inheritable",
					   "ambient"};
	bool have_first = false;
	const char *first = NULL;
	for (size_t i = 0; i < sizeof(sets) / sizeof(*sets); i++) {
		char path[P_MAX];
		join(path, "process.capabilities", sets[i]);
		bool present;
		uint64_t set;
		if ((r = cap_set(caps, sets[i], &present, &set)) < 0)
			return r;
		if (i >= 3) {
			if (set)
				return BAD(path,
					   "must be empty for uid 0 (root gets its bounding set at "
					   "exec: shikumi keeps one set)");
			continue;
		}
		if (!present)
			continue;
		if (!have_first) {
			have_first = true;
			first = sets[i];
			cfg->caps = set;
		} else if (set != cfg->caps) {
			return BAD(path,
				   "must be the same set as process.capabilities.%s "
				   "(shikumi keeps one set)",
				   first);
		}
	}
	return 0;
}

static const struct {
	const char *name;
	int resource;
} rlimit_names[] = {
    {"RLIMIT_AS", RLIMIT_AS},
    {"RLIMIT_CORE", RLIMIT_CORE},
    {"RLIMIT_CPU", RLIMIT_CPU},
    {"RLIMIT_DATA", RLIMIT_DATA},
    {"RLIMIT_FSIZE", RLIMIT_FSIZE},
    {"RLIMIT_LOCKS", RLIMIT_LOCKS},
    {"RLIMIT_MEMLOCK", RLIMIT_MEMLOCK},
    {"RLIMIT_MSGQUEUE", RLIMIT_MSGQUEUE},
    {"RLIMIT_NICE", RLIMIT_NICE},
    {"RLIMIT_NOFILE", RLIMIT_NOFILE},
    {"RLIMIT_NPROC", RLIMIT_NPROC},
    {"RLIMIT_RSS", RLIMIT_RSS},
    {"RLIMIT_RTPRIO", RLIMIT_RTPRIO},
    {"RLIMIT_RTTIME", RLIMIT_RTTIME},
    {"RLIMIT_SIGPENDING", RLIMIT_SIGPENDING},
    {"RLIMIT_STACK", RLIMIT_STACK},
};

static int uint_in(struct json_object *v, const char *path, uint64_t *out)
{
	int r = expect(v, path, json_type_int);
	if (r < 0)
		return r;
	if (json_object_get_int64(v) < 0)
		return BAD(path, "must not be negative");
	*out = json_object_get_uint64(v);
	return 0;
}

static int read_rlimits(struct json_object *proc, struct container_config *cfg)
{
	struct json_object *list;
	int r = get(proc, "process", "rlimits", json_type_array, &list);
	if (r < 0 || !list)
		return r;
	size_t n = json_object_array_length(list);
	if (n > CONFIG_MAX_RLIMITS)
		return BAD("process.rlimits", "too many (at most %d)", CONFIG_MAX_RLIMITS);
	for (size_t i = 0; i < n; i++) {
		char base[P_MAX], path[P_MAX];
		index_path(base, "process.rlimits", i);
		struct json_object *e = json_object_array_get_idx(list, i), *soft, *hard;
		const char *type;
		if ((r = expect(e, base, json_type_object)) < 0 ||
		    (r = get_string(e, base, "type", &type)) < 0)
			return r;
		struct rlimit_set *l = &cfg->rlimits[i];
		l->resource = -1;
		for (size_t k = 0; type && k < sizeof(rlimit_names) / sizeof(*rlimit_names); k++)
			if (!strcmp(type, rlimit_names[k].name))
				l->resource = rlimit_names[k].resource;
		join(path, base, "type");
		if (l->resource < 0)
			return BAD(path, type ? "unknown resource '%s'" : "missing%s",
				   type ? type : "");
		for (size_t k = 0; k < i; k++)
			if (cfg->rlimits[k].resource == l->resource)
				return BAD(path, "%s is given twice", type);
		soft = member(e, "soft");
		hard = member(e, "hard");
		join(path, base, soft ? "hard" : "soft");
		if (!soft || !hard)
			return BAD(path, "missing");
		join(path, base, "soft");
		if ((r = uint_in(soft, path, &l->soft)) < 0)
			return r;
		join(path, base, "hard");
		if ((r = uint_in(hard, path, &l->hard)) < 0)
			return r;
		if (l->soft > l->hard)
			return BAD(base, "soft is above hard");
	}
	cfg->n_rlimits = n;
	return 0;
}

static int read_process(struct json_object *doc, struct oci_config *oc)
{
	struct container_config *cfg = &oc->cfg;
	struct json_object *proc;
	const char *cwd;
	bool nnp = true;
	int r;
	if ((r = get(doc, "", "process", json_type_object, &proc)) < 0)
		return r;
	/* A config without process is valid for `create` in the spec (hooks only); shikumi
	 * always runs a command. */
	if (!proc)
		return BAD("process", "missing (shikumi needs a command to run)");
	if ((r = read_args(proc, oc)) < 0 || (r = read_env(proc, cfg)) < 0 ||
	    (r = get_string(proc, "process", "cwd", &cwd)) < 0 ||
	    (r = get_bool(proc, "process", "terminal", &oc->terminal)) < 0 ||
	    (r = get_bool(proc, "process", "noNewPrivileges", &nnp)) < 0 ||
	    (r = read_user(proc, cfg)) < 0 || (r = read_caps(proc, cfg)) < 0 ||
	    (r = read_rlimits(proc, cfg)) < 0)
		return r;
	if (!cwd)
		return BAD("process.cwd", "missing");
	if (cwd[0] != '/')
		return BAD("process.cwd", "must be an absolute path");
	cfg->cwd = cwd;
	/* noNewPrivileges false is accepted: shikumi sets no_new_privs on every container
	 * (child.c), which is stricter than asked. */
	(void)nnp;
	cfg->tty = oc->terminal ? TTY_ON : TTY_OFF;
	if ((r = refuse_if_set(proc, "process", "apparmorProfile",
			       "AppArmor is not supported by shikumi")) < 0 ||
	    (r = refuse_if_set(proc, "process", "selinuxLabel",
			       "SELinux is not supported by shikumi")) < 0 ||
	    (r = refuse_if_set(proc, "process", "ioPriority", "not supported yet")) < 0 ||
	    (r = refuse_if_set(proc, "process", "scheduler", "not supported yet")) < 0 ||
	    (r = refuse_if_set(proc, "process", "execCPUAffinity", "not supported yet")) < 0)
		return r;
	bool have;
	int64_t oom;
	if ((r = get_int(proc, "process", "oomScoreAdj", -1000, 1000, &have, &oom)) < 0)
		return r;
	cfg->set_oom_score_adj = have;
	cfg->oom_score_adj = (int)oom;
	return 0;
}

static int read_namespaces(struct json_object *linux_, struct container_config *cfg)
{
	static const struct {
		const char *type;
		unsigned flag;
	} kinds[] = {
	    {"pid", CLONE_NEWPID},	 {"network", CLONE_NEWNET},
	    {"mount", CLONE_NEWNS},	 {"ipc", CLONE_NEWIPC},
	    {"uts", CLONE_NEWUTS},	 {"user", CLONE_NEWUSER},
	    {"cgroup", CLONE_NEWCGROUP}, {"time", 0},
	};
	struct json_object *list;
	int r = get(linux_, "linux", "namespaces", json_type_array, &list);
	if (r < 0)
		return r;
	unsigned flags = 0, joined = 0;
	bool user = false;
	cfg->n_joins = 0;
	for (size_t i = 0; list && i < json_object_array_length(list); i++) {
		char base[P_MAX], path[P_MAX];
		index_path(base, "linux.namespaces", i);
		struct json_object *ns = json_object_array_get_idx(list, i);
		const char *type, *nspath;
		if ((r = expect(ns, base, json_type_object)) < 0 ||
		    (r = get_string(ns, base, "type", &type)) < 0 ||
		    (r = get_string(ns, base, "path", &nspath)) < 0)
			return r;
		join(path, base, "type");
		if (!type)
			return BAD(path, "missing");
		size_t k = 0;
		while (k < sizeof(kinds) / sizeof(*kinds) && strcmp(type, kinds[k].type))
			k++;
		if (k == sizeof(kinds) / sizeof(*kinds))
			return BAD(path, "unknown namespace type '%s'", type);
		if (!kinds[k].flag)
			return BAD(path, "the time namespace is not supported yet");
		if (((flags | joined) & kinds[k].flag) || (kinds[k].flag == CLONE_NEWUSER && user))
			return BAD(path, "'%s' is given twice", type);
		join(path, base, "path");
		if (nspath && *nspath) {
			/* A mount namespace joined would be one whose root is not the bundle's
			 * rootfs (the host's, or another container's with its volumes): the
			 * file-system view is what the container is. */
			if (kinds[k].flag == CLONE_NEWNS)
				return BAD(path, "joining a mount namespace is refused: the "
						 "container's root is the bundle's rootfs, in a "
						 "mount namespace of its own");
			if (kinds[k].flag == CLONE_NEWPID)
				return BAD(path, "joining a pid namespace is not supported: "
						 "shikumi's PID 1 is the container's own init");
			if (kinds[k].flag == CLONE_NEWUSER)
				return BAD(path, "joining a user namespace is not supported");
			if (nspath[0] != '/')
				return BAD(path, "must be an absolute path");
			cfg->joins[cfg->n_joins++] =
			    (struct ns_join){.type = kinds[k].flag, .path = nspath};
			joined |= kinds[k].flag;
			continue;
		}
		if (kinds[k].flag == CLONE_NEWUSER)
			user = true; /* the runtime makes it (userns.c), not a clone flag here */
		else
			flags |= kinds[k].flag;
	}
	/* The file-system view and PID 1's init are shikumi's design, not options. */
	if (!(flags & CLONE_NEWNS))
		return BAD("linux.namespaces", "must hold a mount namespace");
	if (!(flags & CLONE_NEWPID))
		return BAD("linux.namespaces",
			   "must hold a pid namespace (shikumi's PID 1 is its own init)");
	cfg->namespaces = flags;
	/* a joined network namespace is configured by whoever made it: NET_HOST, "not ours" */
	cfg->net = (flags & CLONE_NEWNET) ? NET_LOOPBACK : NET_HOST;
	cfg->userns = user ? USERNS_PRIVATE : USERNS_HOST;
	return 0;
}

static int read_maps(struct json_object *linux_, const char *key, struct id_map *maps,
		     size_t *n_maps)
{
	char parent[P_MAX];
	join(parent, "linux", key);
	struct json_object *list;
	int r = get(linux_, "linux", key, json_type_array, &list);
	if (r < 0 || !list)
		return r;
	size_t n = json_object_array_length(list);
	if (n > CONFIG_MAX_IDMAPS)
		return BAD(parent, "too many lines (at most %d)", CONFIG_MAX_IDMAPS);
	static const char *const fields[] = {"containerID", "hostID", "size"};
	for (size_t i = 0; i < n; i++) {
		char base[P_MAX];
		index_path(base, parent, i);
		struct json_object *m = json_object_array_get_idx(list, i);
		if ((r = expect(m, base, json_type_object)) < 0)
			return r;
		int64_t v[3];
		for (int f = 0; f < 3; f++) {
			char path[P_MAX];
			bool have;
			join(path, base, fields[f]);
			if ((r = get_int(m, base, fields[f], f == 2, UINT32_MAX, &have, &v[f])) < 0)
				return r;
			if (!have)
				return BAD(path, "missing");
		}
		if (v[0] + v[2] - 1 > UINT32_MAX || v[1] + v[2] - 1 > UINT32_MAX)
			return BAD(base, "the range goes past 4294967295");
		maps[i] = (struct id_map){(uint32_t)v[0], (uint32_t)v[1], (uint32_t)v[2]};
	}
	*n_maps = n;
	return 0;
}

/* The kernel's file systems: shikumi mounts its own, strict ones there (mounts.c: proc, a
 * minimal /dev, devpts, shm, mqueue, a read-only sysfs and cgroup2), so the config's entry
 * is accepted and shikumi's is what the container gets. */
static bool standard_mount(const char *dest)
{
	static const char *const std[] = {"/proc",	 "/dev", "/dev/pts",	  "/dev/shm",
					  "/dev/mqueue", "/sys", "/sys/fs/cgroup"};
	for (size_t i = 0; i < sizeof(std) / sizeof(*std); i++)
		if (!strcmp(dest, std[i]))
			return true;
	return false;
}

#define TMPFS_DATA_MAX 256

/* A tmpfs option with a value: only the ones below reach the kernel, each checked to be a
 * plain number (no comma to smuggle another option in), appended to data. */
static int tmpfs_option(const char *s, const char *path, char *data)
{
	static const struct {
		const char *key, *suffixes;
		int base;
	} known[] = {
	    {"size=", "kKmMgG%", 10}, {"nr_inodes=", "kKmMgG%", 10},
	    {"mode=", "", 8},	      {"uid=", "", 10},
	    {"gid=", "", 10},
	};
	for (size_t i = 0; i < sizeof(known) / sizeof(*known); i++) {
		size_t n = strlen(known[i].key);
		if (strncmp(s, known[i].key, n))
			continue;
		const char *v = s + n, *p = v;
		while (*p >= '0' && *p <= (known[i].base == 8 ? '7' : '9'))
			p++;
		if (p > v && *p && strchr(known[i].suffixes, *p) && *known[i].suffixes)
			p++;
		if (p == v || *p || p - v > 20)
			return BAD(path, "'%s': expected %s", s,
				   known[i].base == 8	? "an octal mode"
				   : *known[i].suffixes ? "digits with an optional k, m, g or %"
							: "a number");
		size_t len = strlen(data);
		if (len + strlen(s) + 2 > TMPFS_DATA_MAX)
			return BAD(path, "too many tmpfs options");
		snprintf(data + len, TMPFS_DATA_MAX - len, "%s%s", len ? "," : "", s);
		return 0;
	}
	return BAD(path,
		   "'%s' is not a tmpfs option shikumi passes on (size=, mode=, nr_inodes=, "
		   "uid=, gid=)",
		   s);
}

static int read_mount(struct json_object *m, const char *base, const char *bundle,
		      struct oci_config *oc)
{
	char path[P_MAX];
	const char *dest, *type, *source;
	struct json_object *opts;
	int r;
	if ((r = expect(m, base, json_type_object)) < 0 ||
	    (r = get_string(m, base, "destination", &dest)) < 0 ||
	    (r = get_string(m, base, "type", &type)) < 0 ||
	    (r = get_string(m, base, "source", &source)) < 0 ||
	    (r = get(m, base, "options", json_type_array, &opts)) < 0)
		return r;
	join(path, base, "destination");
	if (!dest)
		return BAD(path, "missing");
	if (dest[0] != '/')
		return BAD(path, "must be an absolute path");
	bool bind = type && !strcmp(type, "bind"), ro = false, noexec = false, rbind = false;
	bool tmpfs = type && !strcmp(type, "tmpfs") && !standard_mount(dest);
	char data[TMPFS_DATA_MAX] = "";
	size_t n_opts = opts ? json_object_array_length(opts) : 0;
	for (size_t i = 0; i < n_opts; i++) {
		char opath[P_MAX], op[P_MAX];
		join(op, base, "options");
		index_path(opath, op, i);
		struct json_object *o = json_object_array_get_idx(opts, i);
		if ((r = expect(o, opath, json_type_string)) < 0)
			return r;
		const char *s = json_object_get_string(o);
		if (!strcmp(s, "bind") || !strcmp(s, "rbind"))
			bind = true, rbind |= s[0] == 'r';
		else if (!strcmp(s, "ro") || !strcmp(s, "rro"))
			ro = true;
		else if (!strcmp(s, "noexec") || !strcmp(s, "rnoexec"))
			noexec = true;
		else if (tmpfs && strchr(s, '=') && (r = tmpfs_option(s, opath, data)) < 0)
			return r;
		else if (!strcmp(s, "suid") || !strcmp(s, "dev") || !strcmp(s, "shared") ||
			 !strcmp(s, "rshared"))
			/* every volume is nosuid, nodev and private (mounts.c) */
			return BAD(opath,
				   "'%s' is refused: shikumi's mounts are nosuid, nodev "
				   "and private",
				   s);
	}
	if (standard_mount(dest))
		return 0;
	join(path, base, "type");
	if (!bind && !tmpfs)
		return BAD(path,
			   "'%s' at %s is not supported (bind and tmpfs mounts only, and the "
			   "standard /proc, /dev, /sys ones)",
			   type ? type : "(none)", dest);
	struct container_config *cfg = &oc->cfg;
	if (cfg->n_volumes >= CONFIG_MAX_VOLUMES)
		return BAD("mounts", "too many bind and tmpfs mounts (at most %d)",
			   CONFIG_MAX_VOLUMES);
	if (tmpfs) {
		/* the data goes where a bind's source would: one buffer per volume */
		char *d = oc->sources[cfg->n_volumes];
		snprintf(d, PATH_MAX, "%s", data);
		cfg->volumes[cfg->n_volumes++] =
		    (struct volume){.tmpfs = d, .target = dest, .read_only = ro, .no_exec = noexec};
		return 0;
	}
	join(path, base, "source");
	if (!source || !*source)
		return BAD(path, "missing");
	/* "relative to the bundle", as the spec says of bind sources */
	char *src = oc->sources[cfg->n_volumes];
	int n = source[0] == '/' ? snprintf(src, PATH_MAX, "%s", source)
				 : snprintf(src, PATH_MAX, "%s/%s", bundle, source);
	if (n >= PATH_MAX)
		return BAD(path, "too long");
	cfg->volumes[cfg->n_volumes++] = (struct volume){
	    .source = src, .target = dest, .read_only = ro, .no_exec = noexec, .single = !rbind};
	return 0;
}

static int read_mounts(struct json_object *doc, const char *bundle, struct oci_config *oc)
{
	struct json_object *list;
	int r = get(doc, "", "mounts", json_type_array, &list);
	for (size_t i = 0; r == 0 && list && i < json_object_array_length(list); i++) {
		char base[P_MAX];
		index_path(base, "mounts", i);
		r = read_mount(json_object_array_get_idx(list, i), base, bundle, oc);
	}
	return r;
}

/* cpu.shares (2..262144, 1024 by default) onto cpu.weight (1..10000, 100), as crun and the
 * kernel's cgroup v1 compatibility do. */
static int shares_to_weight(int64_t shares)
{
	return (int)(1 + ((shares - 2) * 9999) / 262142);
}

/* One more file for the group (cgroup_limits_add), its refusal naming the JSON path. */
static int add_file(struct cgroup_limits *l, const char *path, const char *file, const char *value)
{
	if (cgroup_limits_add(l, file, value) == 0)
		return 0;
	char why[512];
	snprintf(why, sizeof(why), "%s", err_msg());
	return BAD(path, "%s", why);
}

/* blockIO onto the io controller, as runc and crun map it: weight (10..1000) onto io.weight
 * (1..10000), each device's throttle onto its io.max keys. cgroup v2 has no leaf weights. */
static int read_block_io(struct json_object *blk, struct cgroup_limits *l)
{
	const char *B = "linux.resources.blockIO";
	char path[P_MAX], line[128];
	int64_t v;
	bool have;
	int r;
	if ((r = get_int(blk, B, "weight", 10, 1000, &have, &v)) < 0)
		return r;
	join(path, B, "weight");
	if (have) {
		snprintf(line, sizeof(line), "default %lld",
			 (long long)(1 + (v - 10) * 9999 / 990));
		if ((r = add_file(l, path, "io.weight", line)) < 0)
			return r;
	}
	if ((r = refuse_if_set(blk, B, "leafWeight", "cgroup v2 has no leaf weights")) < 0)
		return r;
	static const struct {
		const char *key, *file, *field;
	} lists[] = {
	    {"weightDevice", "io.weight", NULL},
	    {"throttleReadBpsDevice", "io.max", "rbps"},
	    {"throttleWriteBpsDevice", "io.max", "wbps"},
	    {"throttleReadIOPSDevice", "io.max", "riops"},
	    {"throttleWriteIOPSDevice", "io.max", "wiops"},
	};
	for (size_t k = 0; k < sizeof(lists) / sizeof(*lists); k++) {
		struct json_object *arr;
		if ((r = get(blk, B, lists[k].key, json_type_array, &arr)) < 0)
			return r;
		char parent[P_MAX];
		join(parent, B, lists[k].key);
		for (size_t i = 0; arr && i < json_object_array_length(arr); i++) {
			struct json_object *d = json_object_array_get_idx(arr, i);
			int64_t major, minor, amount;
			index_path(path, parent, i);
			if ((r = expect(d, path, json_type_object)) < 0 ||
			    (r = get_int(d, path, "major", 0, 4095, &have, &major)) < 0)
				return r;
			if (have && (r = get_int(d, path, "minor", 0, 1048575, &have, &minor)) < 0)
				return r;
			if (!have)
				return BAD(path, "needs major and minor");
			const char *what = lists[k].field ? "rate" : "weight";
			if ((r = get_int(d, path, what, lists[k].field ? 1 : 10,
					 lists[k].field ? INT64_MAX : 1000, &have, &amount)) < 0)
				return r;
			if (!have && lists[k].field)
				return BAD(path, "needs a rate");
			if (!lists[k].field &&
			    (r = refuse_if_set(d, path, "leafWeight",
					       "cgroup v2 has no leaf weights")) < 0)
				return r;
			if (!have)
				continue;
			if (lists[k].field)
				snprintf(line, sizeof(line), "%lld:%lld %s=%lld", (long long)major,
					 (long long)minor, lists[k].field, (long long)amount);
			else
				snprintf(line, sizeof(line), "%lld:%lld %lld", (long long)major,
					 (long long)minor,
					 (long long)(1 + (amount - 10) * 9999 / 990));
			if ((r = add_file(l, path, lists[k].file, line)) < 0)
				return r;
		}
	}
	return 0;
}

/* hugepageLimits: [{"pageSize": "2MB", "limit": N}] onto hugetlb.2MB.max. */
static int read_hugepages(struct json_object *arr, struct cgroup_limits *l)
{
	const char *H = "linux.resources.hugepageLimits";
	for (size_t i = 0; i < json_object_array_length(arr); i++) {
		char path[P_MAX], file[64], limit[32];
		struct json_object *h = json_object_array_get_idx(arr, i);
		const char *size;
		int64_t v;
		bool have;
		int r;
		index_path(path, H, i);
		if ((r = expect(h, path, json_type_object)) < 0 ||
		    (r = get_string(h, path, "pageSize", &size)) < 0 ||
		    (r = get_int(h, path, "limit", 0, INT64_MAX, &have, &v)) < 0)
			return r;
		size_t digits = size ? strspn(size, "0123456789") : 0;
		if (!size || !digits || digits > 6 || !strchr("KMG", size[digits]) ||
		    !size[digits] || strcmp(size + digits + 1, "B")) {
			char p[P_MAX];
			join(p, path, "pageSize");
			return BAD(p, "expected a page size such as 2MB or 1GB");
		}
		if (!have) {
			char p[P_MAX];
			join(p, path, "limit");
			return BAD(p, "missing");
		}
		snprintf(file, sizeof(file), "hugetlb.%s.max", size);
		snprintf(limit, sizeof(limit), "%lld", (long long)v);
		if ((r = add_file(l, path, file, limit)) < 0)
			return r;
	}
	return 0;
}

/* unified: cgroup v2 files and their values, written last (over what the fields above set),
 * as runc does; each must be a controller's file (cgroup_limits_add). */
static int read_unified(struct json_object *map, struct cgroup_limits *l)
{
	json_object_object_foreach(map, key, val)
	{
		char path[P_MAX];
		int r;
		join(path, "linux.resources.unified", key);
		if ((r = expect(val, path, json_type_string)) < 0 ||
		    (r = add_file(l, path, key, json_object_get_string(val))) < 0)
			return r;
	}
	return 0;
}

/* What complete_device_rules appends: mknod of any char and block node, shikumi's own nodes,
 * /dev/ptmx and the ptys. */
#define DEFAULT_DEVICE_RULES (4 + sizeof(std_devices) / sizeof(*std_devices))

/* linux.resources.devices: the device cgroup's rules, in order (the last that matches
 * decides, none: denied), for the BPF program that cgroup/devices.c attaches. shikumi's own
 * nodes are allowed after them (complete_device_rules), as runc appends its defaults; unlike
 * runc, a node of linux.devices is not: the rules decide what may open it (podman, containerd
 * and Kubernetes add an allow rule of their own for each). */
static int read_device_rules(struct json_object *res, struct cgroup_limits *l)
{
	struct json_object *list;
	int r = get(res, "linux.resources", "devices", json_type_array, &list);
	if (r < 0 || !list)
		return r;
	size_t n = json_object_array_length(list);
	size_t room = DEVICES_MAX_RULES - DEFAULT_DEVICE_RULES;
	if (n > room)
		return BAD("linux.resources.devices", "too many (at most %zu)", room);
	l->devices_set = true;
	for (size_t i = 0; i < n; i++) {
		char base[P_MAX], path[P_MAX];
		index_path(base, "linux.resources.devices", i);
		struct json_object *e = json_object_array_get_idx(list, i);
		struct devices_rule *d = &l->devices.rule[l->devices.n];
		const char *type = NULL, *access = NULL;
		bool allow = false, have_allow = false;
		int64_t major = -1, minor = -1;
		bool have;
		if ((r = expect(e, base, json_type_object)) < 0)
			return r;
		have_allow = member(e, "allow") != NULL;
		if ((r = get_bool(e, base, "allow", &allow)) < 0 ||
		    (r = get_string(e, base, "type", &type)) < 0 ||
		    (r = get_string(e, base, "access", &access)) < 0 ||
		    (r = get_int(e, base, "major", -1, 0xfff, &have, &major)) < 0 ||
		    (r = get_int(e, base, "minor", -1, 0xfffff, &have, &minor)) < 0)
			return r;
		join(path, base, "allow");
		if (!have_allow)
			return BAD(path, "missing");
		join(path, base, "type");
		if (type && (strlen(type) != 1 || !strchr("abc", type[0])))
			return BAD(path, "expected a, b or c");
		unsigned bits = access ? 0 : DEVICES_MKNOD | DEVICES_READ | DEVICES_WRITE;
		for (const char *c = access; c && *c; c++) {
			const char *kinds = "mrw";
			const char *k = strchr(kinds, *c);
			if (!k) {
				join(path, base, "access");
				return BAD(path, "expected letters of rwm");
			}
			bits |= 1u << (k - kinds);
		}
		/* "a" is every device, whatever numbers come with it (as runc and the kernel's
		 * cgroup v1 read it): a deny of "a 10:229" must not narrow to one node. */
		bool any = !type || type[0] == 'a';
		if (any)
			major = minor = -1;
		*d = (struct devices_rule){
		    .type = any		     ? DEVICES_ANY_TYPE
			    : type[0] == 'b' ? DEVICES_BLOCK
					     : DEVICES_CHAR,
		    .major = (int)major,
		    .minor = (int)minor,
		    .access = bits,
		    .allow = allow,
		};
		if (bits)
			l->devices.n++;
	}
	return 0;
}

/* After the config's rules, as runc appends its defaults: mknod of any node (useless on mounts
 * that are all nodev, and what lets the runtime make a linux.devices node the rules allow only to
 * be read or written, rather than bind the host's), then shikumi's own nodes, /dev/ptmx and the
 * ptys. A config without rules gets these alone, as with runc: its linux.devices nodes exist but
 * do not open. */
static void complete_device_rules(struct container_config *cfg)
{
	struct devices_rules *d = &cfg->limits.devices;
	cfg->limits.devices_default = !cfg->limits.devices_set;
	const unsigned all = DEVICES_MKNOD | DEVICES_READ | DEVICES_WRITE;
	d->rule[d->n++] = (struct devices_rule){DEVICES_CHAR, -1, -1, DEVICES_MKNOD, 1};
	d->rule[d->n++] = (struct devices_rule){DEVICES_BLOCK, -1, -1, DEVICES_MKNOD, 1};
	for (size_t i = 0; i < sizeof(std_devices) / sizeof(*std_devices); i++)
		d->rule[d->n++] = (struct devices_rule){DEVICES_CHAR, (int)std_devices[i].major,
							(int)std_devices[i].minor, all, 1};
	d->rule[d->n++] = (struct devices_rule){DEVICES_CHAR, 5, 2, all, 1};	/* /dev/ptmx */
	d->rule[d->n++] = (struct devices_rule){DEVICES_CHAR, 136, -1, all, 1}; /* /dev/pts/N */
}

static int read_resources(struct json_object *linux_, struct cgroup_limits *l)
{
	struct json_object *res, *mem, *cpu, *pids;
	int64_t v;
	bool have;
	int r;
	if ((r = get(linux_, "linux", "resources", json_type_object, &res)) < 0 || !res)
		return r;
	if ((r = get(res, "linux.resources", "memory", json_type_object, &mem)) < 0 ||
	    (r = get(res, "linux.resources", "cpu", json_type_object, &cpu)) < 0 ||
	    (r = get(res, "linux.resources", "pids", json_type_object, &pids)) < 0)
		return r;
	if (mem) {
		/* -1 is "unlimited" in the spec */
		if ((r = get_int(mem, "linux.resources.memory", "limit", -1, INT64_MAX, &have,
				 &v)) < 0)
			return r;
		if (have && v >= 0 && v < 1 << 20)
			return BAD("linux.resources.memory.limit",
				   "at least 1048576 (1M), or nothing can run");
		if (have && v > 0)
			l->memory_max = v;
		/* swap is memory plus swap in the spec, memory.swap.max is swap alone */
		if ((r = get_int(mem, "linux.resources.memory", "swap", -1, INT64_MAX, &have, &v)) <
		    0)
			return r;
		if (have && v >= 0) {
			if (l->memory_max < 0 || v < l->memory_max)
				return BAD("linux.resources.memory.swap",
					   "must be at least linux.resources.memory.limit "
					   "(it counts memory plus swap)");
			l->memory_swap_max = v - l->memory_max;
		}
		static const char *const unsupported[] = {"reservation", "kernel", "kernelTCP",
							  "swappiness"};
		for (size_t i = 0; i < sizeof(unsupported) / sizeof(*unsupported); i++) {
			char path[P_MAX];
			join(path, "linux.resources.memory", unsupported[i]);
			if (member(mem, unsupported[i]))
				return BAD(path, "not supported yet");
		}
	}
	if (cpu) {
		int64_t quota = -1, period = CGROUP_CPU_PERIOD_US;
		if ((r = get_int(cpu, "linux.resources.cpu", "quota", -1, INT64_MAX, &have,
				 &quota)) < 0 ||
		    (r = get_int(cpu, "linux.resources.cpu", "period", 1000, 1000000, &have,
				 &period)) < 0)
			return r;
		if (quota > 0) {
			/* cpu.max is written per CGROUP_CPU_PERIOD_US: keep the ratio */
			int64_t q = quota * CGROUP_CPU_PERIOD_US / period;
			if (q < 1000)
				return BAD("linux.resources.cpu.quota",
					   "below 1%% of a CPU (quota/period)");
			l->cpu_quota_us = q;
		}
		if ((r = get_int(cpu, "linux.resources.cpu", "shares", 2, 262144, &have, &v)) < 0)
			return r;
		if (have)
			l->cpu_weight = shares_to_weight(v);
		const char *cpus;
		if ((r = get_string(cpu, "linux.resources.cpu", "cpus", &cpus)) < 0)
			return r;
		if (cpus && *cpus) {
			if (strlen(cpus) >= sizeof(l->cpuset_cpus) ||
			    cgroup_parse_cpuset(cpus, 1 << 16) < 0)
				return BAD("linux.resources.cpu.cpus", "expected a CPU list such "
								       "as 0-2,4");
			strcpy(l->cpuset_cpus, cpus);
		}
		static const char *const unsupported[] = {"mems", "realtimeRuntime",
							  "realtimePeriod", "idle"};
		for (size_t i = 0; i < sizeof(unsupported) / sizeof(*unsupported); i++)
			if ((r = refuse_if_set(cpu, "linux.resources.cpu", unsupported[i],
					       "not supported yet")) < 0)
				return r;
	}
	if (pids) {
		if ((r = get_int(pids, "linux.resources.pids", "limit", INT64_MIN, INT64_MAX, &have,
				 &v)) < 0)
			return r;
		if (have && v > 0) /* 0 or below: unlimited */
			l->pids_max = v;
	}
	struct json_object *blk, *huge, *unified;
	if ((r = read_device_rules(res, l)) < 0 ||
	    (r = get(res, "linux.resources", "blockIO", json_type_object, &blk)) < 0 ||
	    (blk && (r = read_block_io(blk, l)) < 0) ||
	    (r = get(res, "linux.resources", "hugepageLimits", json_type_array, &huge)) < 0 ||
	    (huge && (r = read_hugepages(huge, l)) < 0) ||
	    (r = get(res, "linux.resources", "unified", json_type_object, &unified)) < 0 ||
	    (unified && (r = read_unified(unified, l)) < 0))
		return r;
	static const char *const unsupported[] = {"network", "rdma"};
	for (size_t i = 0; i < sizeof(unsupported) / sizeof(*unsupported); i++)
		if ((r = refuse_if_set(res, "linux.resources", unsupported[i],
				       "not supported yet")) < 0)
			return r;
	return 0;
}

/* maskedPaths and readonlyPaths: the paths are masked, or made read-only, as well as
 * shikumi's own lists (mounts.c), which a config cannot shorten: a podman that sends none still
 * gets them. */
static int read_path_list(struct json_object *linux_, const char *key, const char **out, size_t *n)
{
	char parent[P_MAX], path[P_MAX];
	join(parent, "linux", key);
	struct json_object *list;
	int r = get(linux_, "linux", key, json_type_array, &list);
	size_t len = r == 0 && list ? json_object_array_length(list) : 0;
	if (len > CONFIG_MAX_PATHS)
		return BAD(parent, "too many (at most %d)", CONFIG_MAX_PATHS);
	for (size_t i = 0; r == 0 && i < len; i++) {
		index_path(path, parent, i);
		struct json_object *s = json_object_array_get_idx(list, i);
		if ((r = expect(s, path, json_type_string)) < 0)
			break;
		const char *why = mounts_path_problem(json_object_get_string(s));
		if (why)
			return BAD(path, "'%s' %s", json_object_get_string(s), why);
		out[(*n)++] = json_object_get_string(s);
	}
	return r;
}

/* Only what belongs to the container's own namespaces, runc's list: another sysctl would
 * change the whole host. The key's characters keep it one path under /proc/sys. */
static int read_sysctl(struct json_object *linux_, struct container_config *cfg)
{
	struct json_object *map;
	int r = get(linux_, "linux", "sysctl", json_type_object, &map);
	if (r < 0 || !map)
		return r;
	static const char *const ipc[] = {"kernel.msgmax", "kernel.msgmnb",	    "kernel.msgmni",
					  "kernel.sem",	   "kernel.shmall",	    "kernel.shmmax",
					  "kernel.shmmni", "kernel.shm_rmid_forced"};
	json_object_object_foreach(map, key, val)
	{
		char path[P_MAX];
		join(path, "linux.sysctl", key);
		if ((r = expect(val, path, json_type_string)) < 0)
			return r;
		if (cfg->n_sysctls >= CONFIG_MAX_SYSCTLS)
			return BAD("linux.sysctl", "too many (at most %d)", CONFIG_MAX_SYSCTLS);
		bool ok_chars = key[0] && key[0] != '.';
		for (const char *p = key; *p && ok_chars; p++)
			ok_chars = (*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') ||
				   *p == '_' || *p == '-' || (*p == '.' && p[1] && p[1] != '.');
		if (!ok_chars)
			return BAD(path, "not a sysctl name");
		bool own = false;
		unsigned need = 0;
		for (size_t i = 0; i < sizeof(ipc) / sizeof(*ipc); i++)
			if (!strcmp(key, ipc[i]))
				own = true, need = CLONE_NEWIPC;
		if (!strncmp(key, "fs.mqueue.", 10))
			own = true, need = CLONE_NEWIPC;
		if (!strncmp(key, "net.", 4))
			own = true, need = CLONE_NEWNET;
		if (!strcmp(key, "kernel.hostname") || !strcmp(key, "kernel.domainname"))
			own = true, need = CLONE_NEWUTS;
		if (!own)
			return BAD(path, "not a sysctl of the container's own namespaces");
		if (!(cfg->namespaces & need))
			return BAD(path, "needs a%s namespace of its own",
				   need == CLONE_NEWNET	  ? " network"
				   : need == CLONE_NEWIPC ? "n ipc"
							  : " uts");
		cfg->sysctls[cfg->n_sysctls++] =
		    (struct sysctl_set){.key = key, .value = json_object_get_string(val)};
	}
	return 0;
}

/* A linux.devices path: /dev/NAME or /dev/DIR/NAME, plain names, outside the file systems that
 * shikumi mounts in /dev (a node there would be hidden, or land in the container's writable
 * shm). Short enough for the mount table's fixed buffers. */
static bool device_path_ok(const char *p)
{
	if (strncmp(p, "/dev/", 5) || strlen(p) >= 64)
		return false;
	static const char *const mounted[] = {"pts", "shm", "mqueue"};
	int parts = 0;
	for (const char *s = p + 5; *s;) {
		size_t n = strcspn(s, "/");
		if (n == 0 || (n == 1 && s[0] == '.') || (n == 2 && s[0] == '.' && s[1] == '.'))
			return false;
		for (size_t i = 0; parts == 0 && i < sizeof(mounted) / sizeof(*mounted); i++)
			if (n == strlen(mounted[i]) && !strncmp(s, mounted[i], n))
				return false;
		parts++;
		s += n;
		if (*s == '/' && !*++s)
			return false;
	}
	return parts >= 1 && parts <= 2;
}

static int read_devices(struct json_object *linux_, struct container_config *cfg)
{
	struct json_object *list;
	int r = get(linux_, "linux", "devices", json_type_array, &list);
	if (r < 0 || !list)
		return r;
	size_t n = json_object_array_length(list);
	if (n > CONFIG_MAX_NODES)
		return BAD("linux.devices", "too many (at most %d)", CONFIG_MAX_NODES);
	for (size_t i = 0; i < n; i++) {
		char base[P_MAX], path[P_MAX];
		index_path(base, "linux.devices", i);
		struct json_object *e = json_object_array_get_idx(list, i);
		const char *type, *p;
		if ((r = expect(e, base, json_type_object)) < 0 ||
		    (r = get_string(e, base, "type", &type)) < 0 ||
		    (r = get_string(e, base, "path", &p)) < 0)
			return r;
		struct device_node *d = &cfg->nodes[i];
		*d = (struct device_node){.mode = 0666};
		join(path, base, "type");
		if (!type || strlen(type) != 1 || !strchr("cbup", type[0]))
			return BAD(path, "expected c, b, u or p");
		d->type = type[0] == 'u' ? 'c' : type[0];
		join(path, base, "path");
		if (!p)
			return BAD(path, "missing");
		if (!device_path_ok(p))
			return BAD(path,
				   "must be a path under /dev (and not in /dev/pts, /dev/shm, "
				   "/dev/mqueue)");
		d->path = p;
		for (size_t k = 0; k < i; k++)
			if (!strcmp(cfg->nodes[k].path, p))
				return BAD(path, "%s is given twice", p);
		static const char *const nums[] = {"major", "minor", "fileMode", "uid", "gid"};
		for (int f = 0; f < 5; f++) {
			bool have;
			int64_t v;
			/* fileMode: podman sends the node's whole st_mode (S_IFCHR | 0620), runc
			 * takes it: the type bits, when there, must be the node's own. */
			int64_t max = f == 2 ? S_IFMT | 07777 : f < 2 ? 0xfffff : UINT32_MAX - 1;
			if ((r = get_int(e, base, nums[f], 0, max, &have, &v)) < 0)
				return r;
			join(path, base, nums[f]);
			if (f == 2 && have && (v & S_IFMT)) {
				mode_t want = d->type == 'b'   ? S_IFBLK
					      : d->type == 'p' ? S_IFIFO
							       : S_IFCHR;
				if ((v & S_IFMT) != want)
					return BAD(path,
						   "its file type bits (0%llo) are not those of "
						   "type %c",
						   (unsigned long long)(v & S_IFMT), d->type);
				v &= 07777;
			}
			if (!have && f < 2 && d->type != 'p')
				return BAD(path, "missing");
			uint32_t *out[] = {&d->major, &d->minor, &d->mode, &d->uid, &d->gid};
			if (have)
				*out[f] = (uint32_t)v;
		}
		for (size_t k = 0; k < sizeof(std_devices) / sizeof(*std_devices); k++) {
			if (strcmp(p + 5, std_devices[k].name))
				continue;
			join(path, base, "path");
			if (d->type != 'c' || d->major != std_devices[k].major ||
			    d->minor != std_devices[k].minor)
				return BAD(path, "%s is one of shikumi's standard nodes (c %u:%u)",
					   p, std_devices[k].major, std_devices[k].minor);
			d->standard = true;
		}
	}
	cfg->n_nodes = n;
	return 0;
}

static int read_linux(struct json_object *doc, struct container_config *cfg)
{
	struct json_object *linux_;
	int r;
	if ((r = get(doc, "", "linux", json_type_object, &linux_)) < 0)
		return r;
	if (!linux_)
		return BAD("linux", "missing (shikumi makes Linux containers)");
	if ((r = read_namespaces(linux_, cfg)) < 0 ||
	    (r = read_maps(linux_, "uidMappings", cfg->uidmap, &cfg->n_uidmap)) < 0 ||
	    (r = read_maps(linux_, "gidMappings", cfg->gidmap, &cfg->n_gidmap)) < 0 ||
	    (r = read_resources(linux_, &cfg->limits)) < 0 || (r = read_sysctl(linux_, cfg)) < 0 ||
	    (r = read_devices(linux_, cfg)) < 0 || (complete_device_rules(cfg), 0) ||
	    (r = read_path_list(linux_, "maskedPaths", cfg->masked_paths, &cfg->n_masked_paths)) <
		0 ||
	    (r = read_path_list(linux_, "readonlyPaths", cfg->readonly_paths,
				&cfg->n_readonly_paths)) < 0)
		return r;
	if ((cfg->n_uidmap || cfg->n_gidmap) && cfg->userns != USERNS_PRIVATE)
		return BAD(cfg->n_uidmap ? "linux.uidMappings" : "linux.gidMappings",
			   "needs a user namespace in linux.namespaces");
	if (cfg->n_uidmap != 0 && cfg->n_gidmap == 0)
		return BAD("linux.gidMappings", "missing (linux.uidMappings is given)");
	if ((r = get_string(linux_, "linux", "cgroupsPath", &cfg->cgroups_path)) < 0)
		return r;
	if (cfg->cgroups_path && !*cfg->cgroups_path)
		cfg->cgroups_path = NULL; /* runc's default place */
	if (cfg->cgroups_path && cgroup_check_path(cfg->cgroups_path) < 0) {
		char why[512];
		snprintf(why, sizeof(why), "%s", err_msg());
		return BAD("linux.cgroupsPath", "%s", why);
	}
	const char *prop;
	if ((r = get_string(linux_, "linux", "rootfsPropagation", &prop)) < 0)
		return r;
	if (prop && (!strcmp(prop, "shared") || !strcmp(prop, "rshared")))
		return BAD("linux.rootfsPropagation",
			   "'%s' is refused: the container's mounts "
			   "are private",
			   prop);
	/* linux.seccomp is the same profile format as --seccomp=FILE (seccomp_profile.h), built
	 * for the capabilities process.capabilities keeps: validation compiles it. Without one,
	 * shikumi's default allow-list applies, as runc applies none. */
	if ((r = get(linux_, "linux", "seccomp", json_type_object, &cfg->seccomp_profile)) < 0)
		return r;
	if (cfg->seccomp_profile)
		cfg->seccomp = "linux.seccomp";
	static const struct {
		const char *key, *why;
	} refused[] = {
	    {"mountLabel", "SELinux is not supported by shikumi"},
	    {"intelRdt", "not supported"},
	    {"personality", "not supported yet"},
	    {"timeOffsets", "the time namespace is not supported yet"},
	};
	for (size_t i = 0; i < sizeof(refused) / sizeof(*refused); i++)
		if ((r = refuse_if_set(linux_, "linux", refused[i].key, refused[i].why)) < 0)
			return r;
	return 0;
}

const char *const oci_hook_names[HOOK_KINDS] = {"prestart", "createRuntime",   "poststart",
						"poststop", "createContainer", "startContainer"};

static int read_hook(struct json_object *h, const char *base, struct oci_hook *hook)
{
	char path[P_MAX];
	const char *exe;
	size_t n;
	bool have;
	int64_t timeout = 0;
	int r;
	if ((r = expect(h, base, json_type_object)) < 0 ||
	    (r = get_string(h, base, "path", &exe)) < 0)
		return r;
	join(path, base, "path");
	if (!exe)
		return BAD(path, "missing");
	if (exe[0] != '/')
		return BAD(path, "must be an absolute path");
	hook->path = exe;
	if ((r = get_strings(h, base, "args", "", OCI_HOOK_MAX_ARGS, hook->args, &n)) < 0)
		return r;
	if (n == 0) {
		hook->args[0] = exe;
		hook->args[1] = NULL;
	}
	if ((r = get_strings(h, base, "env", "", OCI_HOOK_MAX_ARGS, hook->env, &n)) < 0 ||
	    (r = get_int(h, base, "timeout", 1, 3600, &have, &timeout)) < 0)
		return r;
	hook->timeout = (int)timeout;
	return 0;
}

static int read_hooks(struct json_object *doc, struct oci_config *oc)
{
	struct json_object *hooks;
	int r = get(doc, "", "hooks", json_type_object, &hooks);
	if (r < 0 || !hooks)
		return r;
	json_object_object_foreach(hooks, key, val)
	{
		char path[P_MAX];
		join(path, "hooks", key);
		if ((r = expect(val, path, json_type_array)) < 0)
			return r;
		size_t n = json_object_array_length(val);
		if (n == 0)
			continue;
		int kind = 0;
		while (kind < HOOK_KINDS && strcmp(key, oci_hook_names[kind]))
			kind++;
		if (kind == HOOK_KINDS)
			continue; /* a kind the spec may add later: ignored, as unknown properties
				   */
		if (n > OCI_MAX_HOOKS)
			return BAD(path, "too many (at most %d)", OCI_MAX_HOOKS);
		for (size_t i = 0; i < n; i++) {
			char base[P_MAX];
			index_path(base, path, i);
			if ((r = read_hook(json_object_array_get_idx(val, i), base,
					   &oc->hooks[kind][i])) < 0)
				return r;
		}
		oc->n_hooks[kind] = n;
	}
	return 0;
}

static int read_doc(struct json_object *doc, const char *bundle, struct oci_config *oc)
{
	struct container_config *cfg = &oc->cfg;
	const char *version, *hostname;
	int r;
	if (json_object_get_type(doc) != json_type_object)
		return err_set(0, "config.json: expected an object at the top level");
	if ((r = get_string(doc, "", "ociVersion", &version)) < 0)
		return r;
	if (!version)
		return BAD("ociVersion", "missing");
	if (strncmp(version, "1.", 2))
		return BAD("ociVersion", "'%s' is not a 1.x runtime-spec version", version);
	if ((r = read_root(doc, bundle, oc)) < 0 || (r = read_process(doc, oc)) < 0 ||
	    (r = read_linux(doc, cfg)) < 0 || (r = read_mounts(doc, bundle, oc)) < 0 ||
	    (r = read_hooks(doc, oc)) < 0 || (r = get_string(doc, "", "hostname", &hostname)) < 0 ||
	    (r = get(doc, "", "annotations", json_type_object, &oc->annotations)) < 0)
		return r;
	if (hostname && *hostname) {
		if (!(cfg->namespaces & CLONE_NEWUTS))
			return BAD("hostname", "needs a uts namespace in linux.namespaces");
		if (strlen(hostname) > 64)
			return BAD("hostname", "longer than 64 characters");
		cfg->hostname = hostname;
	}
	if (oc->annotations) {
		json_object_object_foreach(oc->annotations, key, val)
		{
			char path[P_MAX];
			join(path, "annotations", key);
			if ((r = expect(val, path, json_type_string)) < 0)
				return r;
		}
	}
	return refuse_if_set(doc, "", "domainname", "not supported yet");
}

/* Whether the JSON text escapes a NUL character (\u0000, not a literal backslash before u0000):
 * every string the runtime uses is cut there, so "pids.max\u0000/../x" would be read as
 * "pids.max". Harmless (the cut string is both checked and used) but never meant: refused. */
static bool escapes_nul(const char *text, size_t len)
{
	for (size_t i = 0; i + 6 <= len; i++) {
		if (text[i] != '\\')
			continue;
		if (!strncmp(text + i + 1, "u0000", 5))
			return true;
		i++; /* the escaped character: a backslash escaped, then "u0000", is no NUL */
	}
	return false;
}

int oci_config_parse(const char *text, size_t len, const char *bundle, struct oci_config *oc)
{
	memset(oc, 0, sizeof(*oc));
	struct container_config *cfg = &oc->cfg;
	cfg->hostname = "shikumi";
	cfg->umask = -1;
	cfg->seccomp = "default";
	cgroup_limits_init(&cfg->limits);
	if (len > INT32_MAX)
		return err_set(0, "config.json: too large");
	struct json_tokener *tok = json_tokener_new();
	if (!tok)
		return err_set(ENOMEM, "config.json");
	oc->doc = json_tokener_parse_ex(tok, text, (int)len);
	enum json_tokener_error e = json_tokener_get_error(tok);
	size_t used = json_tokener_get_parse_end(tok);
	json_tokener_free(tok);
	if (!oc->doc || e != json_tokener_success)
		return err_set(0, "config.json: not valid JSON: %s",
			       e == json_tokener_success || e == json_tokener_continue
				   ? "unexpected end of the text"
				   : json_tokener_error_desc(e));
	for (; used < len; used++)
		if (!strchr(" \t\r\n", text[used]))
			return err_set(0, "config.json: not valid JSON: text after the end");
	if (escapes_nul(text, len))
		return err_set(0, "config.json: a string holds a NUL character (\\u0000), which no "
				  "path, name or value may");
	return read_doc(oc->doc, bundle, oc);
}

int oci_config_load(const char *bundle, struct oci_config *oc)
{
	memset(oc, 0, sizeof(*oc));
	char path[PATH_MAX];
	if ((size_t)snprintf(path, sizeof(path), "%s/config.json", bundle) >= sizeof(path))
		return err_set(ENAMETOOLONG, "bundle '%s'", bundle);
	/* O_NONBLOCK: a fifo there would otherwise hold create until someone writes it. */
	autoclose int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
	struct stat st;
	if (fd < 0 || fstat(fd, &st) < 0)
		return err_set(errno, "cannot read %s", path);
	if (!S_ISREG(st.st_mode))
		return err_set(0, "%s: not a regular file", path);
	if (st.st_size > 16 << 20)
		return err_set(EFBIG, "%s", path);
	autofree char *text = malloc((size_t)st.st_size + 1);
	if (!text)
		return err_set(ENOMEM, "%s", path);
	size_t got = 0;
	while (got < (size_t)st.st_size) {
		ssize_t n = read(fd, text + got, (size_t)st.st_size - got);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return err_set(n < 0 ? errno : EIO, "cannot read %s", path);
		got += (size_t)n;
	}
	return oci_config_parse(text, got, bundle, oc);
}

void oci_config_free(struct oci_config *oc)
{
	if (oc->doc)
		json_object_put(oc->doc);
	oc->doc = NULL;
}
