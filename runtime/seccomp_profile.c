#include "seccomp_profile.h"

#include "../common/err.h"
#include "../common/fd.h"
#include "caps.h"
#include "seccomp_policy.h"

#include <ctype.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <sys/utsname.h>

/* The profile being read: what every rule is checked against, and where messages go. */
struct reader {
	const char *where;
	uint64_t caps;
	uint32_t default_action;
	char path[128]; /* the JSON path of the value at hand: "syscalls[3].args[0]" */
};

static char skipped[1024];

const char *seccomp_profile_skipped(void)
{
	return skipped;
}

/* "what" went wrong at the reader's current path, or at path.key when key is given. */
static int bad(const struct reader *rd, const char *key, const char *fmt, const char *arg)
{
	char msg[256];
	snprintf(msg, sizeof(msg), fmt, arg);
	return err_set(0, "%s: %s%s%s: %s", rd->where, rd->path, *rd->path && key ? "." : "",
		       key ? key : "", msg);
}

/* Looks key up in obj, which must be of type t when present. Returns 1 when found. */
static int member(const struct reader *rd, struct json_object *obj, const char *key,
		  enum json_type t, struct json_object **out)
{
	if (!json_object_object_get_ex(obj, key, out) ||
	    json_object_is_type(*out, json_type_null)) {
		*out = NULL; /* absent and null are the same: not given */
		return 0;
	}
	if (!json_object_is_type(*out, t))
		return bad(rd, key, "expected %s", json_type_to_name(t));
	return 1;
}

/* Descends: rd->path gets ".key" or "[i]" appended; the returned length restores it. */
static size_t enter(struct reader *rd, const char *key, int index)
{
	size_t len = strlen(rd->path);
	if (index < 0)
		snprintf(rd->path + len, sizeof(rd->path) - len, "%s%s", len ? "." : "", key);
	else
		snprintf(rd->path + len, sizeof(rd->path) - len, "%s%s[%d]", len && key ? "." : "",
			 key ? key : "", index);
	return len;
}

/* An array of strings, each checked: every element must be a string. */
static int string_at(const struct reader *rd, struct json_object *arr, const char *key, size_t i,
		     const char **out)
{
	struct json_object *e = json_object_array_get_idx(arr, i);
	if (!json_object_is_type(e, json_type_string)) {
		char k[64];
		snprintf(k, sizeof(k), "%s[%zu]", key, i);
		return bad(rd, k, "expected a string%s", "");
	}
	*out = json_object_get_string(e);
	return 0;
}

static const struct {
	const char *name;
	uint32_t action; /* for ERRNO and TRACE: the action, errnoRet to be or'ed in */
	bool takes_errno;
} actions[] = {
    {"SCMP_ACT_ALLOW", SCMP_ACT_ALLOW, false},
    {"SCMP_ACT_ERRNO", SCMP_ACT_ERRNO(0), true},
    {"SCMP_ACT_KILL", SCMP_ACT_KILL_THREAD, false},
    {"SCMP_ACT_KILL_THREAD", SCMP_ACT_KILL_THREAD, false},
    {"SCMP_ACT_KILL_PROCESS", SCMP_ACT_KILL_PROCESS, false},
    {"SCMP_ACT_TRAP", SCMP_ACT_TRAP, false},
    {"SCMP_ACT_LOG", SCMP_ACT_LOG, false},
    {"SCMP_ACT_TRACE", SCMP_ACT_TRACE(0), true},
};

/* obj[key] (an action name) with obj[errno_key] (its errno, EPERM when absent, as runc). */
static int parse_action(const struct reader *rd, struct json_object *obj, const char *key,
			const char *errno_key, uint32_t *out)
{
	struct json_object *a, *e;
	int r = member(rd, obj, key, json_type_string, &a);
	if (r <= 0)
		return r < 0 ? r : bad(rd, key, "missing%s", "");
	const char *name = json_object_get_string(a);
	for (size_t i = 0; i < sizeof(actions) / sizeof(actions[0]); i++) {
		if (strcmp(name, actions[i].name))
			continue;
		int64_t errnum = EPERM;
		if ((r = member(rd, obj, errno_key, json_type_int, &e)) < 0)
			return r;
		if (r) {
			errnum = json_object_get_int64(e);
			char v[32];
			snprintf(v, sizeof(v), "%lld", (long long)errnum);
			if (errnum < 0 || errnum > 4095)
				return bad(rd, errno_key, "%s is not an errno (0-4095)", v);
		}
		*out = actions[i].action | (actions[i].takes_errno ? (uint32_t)errnum : 0);
		return 0;
	}
	if (!strcmp(name, "SCMP_ACT_NOTIFY"))
		return bad(rd, key, "'%s' needs a seccomp agent, which shikumi does not have",
			   name);
	return bad(rd, key, "unknown action '%s'", name);
}

/* "SCMP_ARCH_X86_64" -> libseccomp's token for x86_64. */
static int parse_arch(const struct reader *rd, const char *key, const char *name, uint32_t *out)
{
	char lower[32];
	const char *n = strncmp(name, "SCMP_ARCH_", 10) ? name : name + 10;
	size_t i = 0;
	for (; n[i] && i < sizeof(lower) - 1; i++)
		lower[i] = (char)tolower((unsigned char)n[i]);
	lower[i] = '\0';
	*out = seccomp_arch_resolve_name(lower);
	return *out ? 0 : bad(rd, key, "unknown architecture '%s'", name);
}

static int add_arch(const struct reader *rd, scmp_filter_ctx ctx, const char *key, const char *name)
{
	uint32_t arch;
	int r = parse_arch(rd, key, name, &arch);
	if (r == 0 && (r = seccomp_arch_add(ctx, arch)) < 0 && r != -EEXIST)
		return err_set(-r, "%s: %s%s%s: cannot add architecture '%s'", rd->where, rd->path,
			       *rd->path ? "." : "", key, name);
	return r == -EEXIST ? 0 : r;
}

/* "architectures", and the native entry of moby's "archMap". */
static int read_arches(struct reader *rd, struct json_object *profile, scmp_filter_ctx ctx)
{
	struct json_object *list, *map;
	int r = member(rd, profile, "architectures", json_type_array, &list);
	for (size_t i = 0; r > 0 && i < json_object_array_length(list); i++) {
		const char *name;
		char key[48];
		snprintf(key, sizeof(key), "architectures[%zu]", i);
		if ((r = string_at(rd, list, "architectures", i, &name)) < 0 ||
		    (r = add_arch(rd, ctx, key, name)) < 0)
			return r;
		r = 1;
	}
	if (r < 0 || (r = member(rd, profile, "archMap", json_type_array, &map)) <= 0)
		return r;
	for (size_t i = 0; i < json_object_array_length(map); i++) {
		size_t back = enter(rd, "archMap", (int)i);
		struct json_object *e = json_object_array_get_idx(map, i), *a, *subs;
		uint32_t arch;
		if (!json_object_is_type(e, json_type_object))
			return bad(rd, NULL, "expected an object%s", "");
		if ((r = member(rd, e, "architecture", json_type_string, &a)) <= 0)
			return r < 0 ? r : bad(rd, "architecture", "missing%s", "");
		if ((r = parse_arch(rd, "architecture", json_object_get_string(a), &arch)) < 0)
			return r;
		/* Only the entry for this machine counts: the others are for other hosts. */
		if (arch == seccomp_arch_native()) {
			if ((r = member(rd, e, "subArchitectures", json_type_array, &subs)) < 0)
				return r;
			for (size_t j = 0; r > 0 && j < json_object_array_length(subs); j++) {
				const char *name;
				char key[48];
				snprintf(key, sizeof(key), "subArchitectures[%zu]", j);
				if ((r = string_at(rd, subs, "subArchitectures", j, &name)) < 0 ||
				    (r = add_arch(rd, ctx, key, name)) < 0)
					return r;
				r = 1;
			}
		}
		rd->path[back] = '\0';
	}
	return 0;
}

/* "4.8" against the running kernel: 1 when it is at least that. */
static int kernel_at_least(const struct reader *rd, const char *key, const char *version)
{
	unsigned want_major, want_minor, major = 0, minor = 0;
	char extra;
	if (sscanf(version, "%u.%u%c", &want_major, &want_minor, &extra) != 2)
		return bad(rd, key, "'%s' is not a kernel version (MAJOR.MINOR)", version);
	struct utsname u;
	if (uname(&u) == 0)
		sscanf(u.release, "%u.%u", &major, &minor);
	return major > want_major || (major == want_major && minor >= want_minor);
}

/* includes (want = true) or excludes: 1 when the condition selects this machine. */
static int condition(struct reader *rd, struct json_object *call, const char *key, bool want,
		     int *applies)
{
	struct json_object *c, *v;
	int r = member(rd, call, key, json_type_object, &c);
	if (r <= 0)
		return r;
	size_t back = enter(rd, key, -1);
	bool all_caps = true, any_cap = false;
	if ((r = member(rd, c, "caps", json_type_array, &v)) < 0)
		return r;
	for (size_t i = 0; r > 0 && i < json_object_array_length(v); i++) {
		const char *name;
		int cap;
		if ((r = string_at(rd, v, "caps", i, &name)) < 0)
			return r;
		if (caps_parse(name, &cap) < 0 || cap < 0) {
			char k[32];
			snprintf(k, sizeof(k), "caps[%zu]", i);
			return bad(rd, k, "unknown capability '%s'", name);
		}
		bool kept = rd->caps & CAP_BIT(cap);
		all_caps &= kept;
		any_cap |= kept;
		r = 1;
	}
	bool has_caps = r > 0 && json_object_array_length(v) > 0;
	bool arch_listed = false, has_arches = false;
	if ((r = member(rd, c, "arches", json_type_array, &v)) < 0)
		return r;
	for (size_t i = 0; r > 0 && i < json_object_array_length(v); i++) {
		const char *name;
		if ((r = string_at(rd, v, "arches", i, &name)) < 0)
			return r;
		/* Go's names, as moby writes them; "x86_64" too, as a person might. */
		arch_listed |= !strcmp(name, "amd64") || !strcmp(name, "x86_64");
		has_arches = true;
		r = 1;
	}
	int new_enough = -1; /* no minKernel */
	if ((r = member(rd, c, "minKernel", json_type_string, &v)) < 0 ||
	    (r && (new_enough = kernel_at_least(rd, "minKernel", json_object_get_string(v))) < 0))
		return r < 0 ? r : new_enough;
	rd->path[back] = '\0';
	if (want) /* every condition given must hold */
		*applies &=
		    (!has_caps || all_caps) && (!has_arches || arch_listed) && new_enough != 0;
	else /* any condition given that holds excludes the rule */
		*applies &=
		    !((has_caps && any_cap) || (has_arches && arch_listed) || new_enough == 1);
	return 0;
}

static const struct {
	const char *name;
	enum scmp_compare op;
} ops[] = {
    {"SCMP_CMP_NE", SCMP_CMP_NE},
    {"SCMP_CMP_LT", SCMP_CMP_LT},
    {"SCMP_CMP_LE", SCMP_CMP_LE},
    {"SCMP_CMP_EQ", SCMP_CMP_EQ},
    {"SCMP_CMP_GE", SCMP_CMP_GE},
    {"SCMP_CMP_GT", SCMP_CMP_GT},
    {"SCMP_CMP_MASKED_EQ", SCMP_CMP_MASKED_EQ},
};

static int read_u64(struct reader *rd, struct json_object *o, const char *key, bool required,
		    uint64_t *out)
{
	struct json_object *v;
	int r = member(rd, o, key, json_type_int, &v);
	if (r <= 0)
		return r < 0 ? r : required ? bad(rd, key, "missing%s", "") : (*out = 0, 0);
	/* json-c keeps integers up to 2^64-1; a negative one is a mistake, not a mask. */
	if (json_object_get_int64(v) < 0 && json_object_get_uint64(v) == 0)
		return bad(rd, key, "'%s' is negative", json_object_get_string(v));
	*out = json_object_get_uint64(v);
	return 0;
}

/* args[]: the comparisons, in libseccomp's form. */
static int read_args(struct reader *rd, struct json_object *call, struct scmp_arg_cmp *cmp,
		     unsigned *n)
{
	struct json_object *args;
	int r = member(rd, call, "args", json_type_array, &args);
	*n = 0;
	if (r <= 0)
		return r;
	if (json_object_array_length(args) > 6)
		return bad(rd, "args", "more than 6 comparisons%s", "");
	for (size_t i = 0; i < json_object_array_length(args); i++) {
		size_t back = enter(rd, "args", (int)i);
		struct json_object *a = json_object_array_get_idx(args, i), *op;
		uint64_t index, value, two;
		if (!json_object_is_type(a, json_type_object))
			return bad(rd, NULL, "expected an object%s", "");
		if ((r = read_u64(rd, a, "index", true, &index)) < 0 ||
		    (r = read_u64(rd, a, "value", false, &value)) < 0 ||
		    (r = read_u64(rd, a, "valueTwo", false, &two)) < 0)
			return r;
		if (index > 5)
			return bad(rd, "index", "a system call has arguments 0 to 5%s", "");
		if ((r = member(rd, a, "op", json_type_string, &op)) <= 0)
			return r < 0 ? r : bad(rd, "op", "missing%s", "");
		size_t k = 0;
		while (k < sizeof(ops) / sizeof(ops[0]) &&
		       strcmp(ops[k].name, json_object_get_string(op)))
			k++;
		if (k == sizeof(ops) / sizeof(ops[0]))
			return bad(rd, "op", "unknown operator '%s'", json_object_get_string(op));
		/* MASKED_EQ: value is the mask, valueTwo what the masked argument must be. */
		cmp[(*n)++] = (struct scmp_arg_cmp){
		    .arg = (unsigned)index, .op = ops[k].op, .datum_a = value, .datum_b = two};
		rd->path[back] = '\0';
	}
	return 0;
}

static void skip_name(const char *name)
{
	size_t len = strlen(skipped);
	/* Each name once: a profile may name the same unknown call in several rules. */
	for (const char *p = skipped; (p = strstr(p, name)); p += strlen(name))
		if ((p == skipped || (p - skipped >= 2 && p[-2] == ',')) &&
		    (p[strlen(name)] == ',' || !p[strlen(name)]))
			return;
	snprintf(skipped + len, sizeof(skipped) - len, "%s%s", len ? ", " : "", name);
}

static int read_call(struct reader *rd, scmp_filter_ctx ctx, struct json_object *call)
{
	if (!json_object_is_type(call, json_type_object))
		return bad(rd, NULL, "expected an object%s", "");
	struct json_object *names = NULL, *one = NULL;
	int r, applies = 1;
	uint32_t action;
	struct scmp_arg_cmp cmp[6];
	unsigned n;
	if ((r = member(rd, call, "names", json_type_array, &names)) < 0 ||
	    (!r && (r = member(rd, call, "name", json_type_string, &one)) < 0))
		return r;
	if (!r)
		return bad(rd, NULL, "no \"names\"%s", "");
	if ((r = parse_action(rd, call, "action", "errnoRet", &action)) < 0 ||
	    (r = read_args(rd, call, cmp, &n)) < 0 ||
	    (r = condition(rd, call, "includes", true, &applies)) < 0 ||
	    (r = condition(rd, call, "excludes", false, &applies)) < 0)
		return r;
	/* libseccomp refuses a rule that does what the default does; it changes nothing. */
	if (!applies || action == rd->default_action)
		return 0;
	/* libseccomp ANDs the comparisons of one rule but refuses two on the same argument:
	 * then each comparison is a rule of its own (an OR), as runc does. */
	bool same_arg = false;
	for (unsigned i = 0; i < n; i++)
		for (unsigned j = i + 1; j < n; j++)
			same_arg |= cmp[i].arg == cmp[j].arg;
	size_t count = names ? json_object_array_length(names) : 1;
	for (size_t i = 0; i < count; i++) {
		const char *name = names ? NULL : json_object_get_string(one);
		if (names && (r = string_at(rd, names, "names", i, &name)) < 0)
			return r;
		int nr = seccomp_syscall_resolve_name(name);
		if (nr == __NR_SCMP_ERROR) {
			skip_name(name);
			continue;
		}
		for (unsigned k = 0; r == 0 && k < (same_arg ? n : 1); k++)
			r = seccomp_policy_rule(ctx, action, nr, same_arg ? 1 : n,
						same_arg ? &cmp[k] : cmp);
		if (r < 0)
			return err_wrap(r, "%s: %s (%s)", rd->where, rd->path, name);
	}
	return 0;
}

int seccomp_policy_from_json(struct json_object *profile, uint64_t caps, const char *where,
			     scmp_filter_ctx *out)
{
	struct reader rd = {.where = where, .caps = caps};
	skipped[0] = '\0';
	if (!json_object_is_type(profile, json_type_object))
		return err_set(0, "%s: expected a JSON object", where);
	int r = parse_action(&rd, profile, "defaultAction", "defaultErrnoRet", &rd.default_action);
	if (r < 0)
		return r;
	scmp_filter_ctx ctx = seccomp_init(rd.default_action);
	if (!ctx)
		return err_set(ENOMEM, "%s: seccomp_init failed", where);
	struct json_object *calls;
	if ((r = seccomp_policy_optimise(ctx)) < 0 || (r = read_arches(&rd, profile, ctx)) < 0 ||
	    (r = member(&rd, profile, "syscalls", json_type_array, &calls)) < 0)
		goto fail;
	for (size_t i = 0; r > 0 && i < json_object_array_length(calls); i++) {
		size_t back = enter(&rd, "syscalls", (int)i);
		if ((r = read_call(&rd, ctx, json_object_array_get_idx(calls, i))) < 0)
			goto fail;
		rd.path[back] = '\0';
		r = 1;
	}
	*out = ctx;
	return 0;
fail:
	seccomp_release(ctx);
	return r;
}

int seccomp_profile_from_file(const char *path, uint64_t caps, scmp_filter_ctx *out)
{
	char where[PATH_MAX + 32];
	snprintf(where, sizeof(where), "seccomp profile '%s'", path);
	autoclose int fd = open(path, O_RDONLY | O_CLOEXEC);
	struct stat st;
	if (fd < 0 || fstat(fd, &st) < 0)
		return err_set(errno, "%s", where);
	if (!S_ISREG(st.st_mode) || st.st_size > (16 << 20))
		return err_set(0, "%s: not a regular file of at most 16 MiB", where);
	autofree char *text = malloc((size_t)st.st_size + 1);
	if (!text)
		return err_set(ENOMEM, "%s", where);
	ssize_t got = read(fd, text, (size_t)st.st_size);
	if (got < 0)
		return err_set(errno, "%s", where);
	struct json_tokener *tok = json_tokener_new();
	if (!tok)
		return err_set(ENOMEM, "%s", where);
	struct json_object *profile = json_tokener_parse_ex(tok, text, (int)got);
	enum json_tokener_error e = json_tokener_get_error(tok);
	size_t at = json_tokener_get_parse_end(tok);
	json_tokener_free(tok);
	while (at < (size_t)got && isspace((unsigned char)text[at]))
		at++;
	if (!profile || e != json_tokener_success || at != (size_t)got) {
		json_object_put(profile);
		/* Past the end of the text without a complete value: the file stops early. */
		return err_set(0, "%s: not valid JSON at byte %zu: %s", where, at,
			       e == json_tokener_success    ? "text after the profile"
			       : e == json_tokener_continue ? "unexpected end of file"
							    : json_tokener_error_desc(e));
	}
	int r = seccomp_policy_from_json(profile, caps, where, out);
	json_object_put(profile);
	return r;
}
