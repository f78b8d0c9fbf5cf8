#include "oci_spec.h"

#include "../common/err.h"
#include "caps.h"
#include "mounts.h"

#include <ctype.h>
#include <json-c/json.h>
#include <sched.h>
#include <string.h>
#include <sys/capability.h>

static struct json_object *strings(const char *const *list)
{
	struct json_object *a = json_object_new_array();
	for (size_t i = 0; list && list[i]; i++)
		json_object_array_add(a, json_object_new_string(list[i]));
	return a;
}

static struct json_object *cap_list(uint64_t caps)
{
	struct json_object *a = json_object_new_array();
	for (int c = 0; c < 64; c++) {
		if (!(caps & CAP_BIT(c)))
			continue;
		char *name = cap_to_name((cap_value_t)c);
		if (!name)
			continue;
		char up[64];
		size_t i = 0;
		for (; name[i] && i < sizeof(up) - 1; i++)
			up[i] = (char)toupper((unsigned char)name[i]);
		up[i] = '\0';
		cap_free(name);
		json_object_array_add(a, json_object_new_string(up));
	}
	return a;
}

static struct json_object *mount_entry(const char *dest, const char *type, const char *source,
				       const char *const *options)
{
	struct json_object *m = json_object_new_object();
	json_object_object_add(m, "destination", json_object_new_string(dest));
	json_object_object_add(m, "type", json_object_new_string(type));
	json_object_object_add(m, "source", json_object_new_string(source));
	json_object_object_add(m, "options", strings(options));
	return m;
}

/* The kernel's file systems as runc's spec lists them; shikumi mounts its own there (mounts.c)
 * with the same or stricter options. */
static struct json_object *standard_mounts(void)
{
	struct json_object *a = json_object_new_array();
	json_object_array_add(a, mount_entry("/proc", "proc", "proc", NULL));
	json_object_array_add(a, mount_entry("/dev", "tmpfs", "tmpfs",
					     (const char *[]){"nosuid", "strictatime", "mode=755",
							      "size=65536k", NULL}));
	json_object_array_add(a, mount_entry("/dev/pts", "devpts", "devpts",
					     (const char *[]){"nosuid", "noexec", "newinstance",
							      "ptmxmode=0666", "mode=0620", NULL}));
	json_object_array_add(a, mount_entry("/dev/shm", "tmpfs", "shm",
					     (const char *[]){"nosuid", "noexec", "nodev",
							      "mode=1777", "size=65536k", NULL}));
	json_object_array_add(a, mount_entry("/dev/mqueue", "mqueue", "mqueue",
					     (const char *[]){"nosuid", "noexec", "nodev", NULL}));
	json_object_array_add(
	    a, mount_entry("/sys", "sysfs", "sysfs",
			   (const char *[]){"nosuid", "noexec", "nodev", "ro", NULL}));
	json_object_array_add(
	    a, mount_entry("/sys/fs/cgroup", "cgroup", "cgroup",
			   (const char *[]){"nosuid", "noexec", "nodev", "relatime", "ro", NULL}));
	return a;
}

static struct json_object *id_mapping(uint32_t id)
{
	struct json_object *a = json_object_new_array(), *m = json_object_new_object();
	json_object_object_add(m, "containerID", json_object_new_int64(0));
	json_object_object_add(m, "hostID", json_object_new_int64(id));
	json_object_object_add(m, "size", json_object_new_int64(1));
	json_object_array_add(a, m);
	return a;
}

static struct json_object *namespaces(unsigned flags, bool user)
{
	static const struct {
		unsigned flag;
		const char *type;
	} kinds[] = {
	    {CLONE_NEWPID, "pid"}, {CLONE_NEWNET, "network"}, {CLONE_NEWIPC, "ipc"},
	    {CLONE_NEWUTS, "uts"}, {CLONE_NEWNS, "mount"},    {CLONE_NEWCGROUP, "cgroup"},
	};
	struct json_object *a = json_object_new_array();
	for (size_t i = 0; i < sizeof(kinds) / sizeof(*kinds); i++) {
		if (!(flags & kinds[i].flag))
			continue;
		struct json_object *ns = json_object_new_object();
		json_object_object_add(ns, "type", json_object_new_string(kinds[i].type));
		json_object_array_add(a, ns);
	}
	if (user) {
		struct json_object *ns = json_object_new_object();
		json_object_object_add(ns, "type", json_object_new_string("user"));
		json_object_array_add(a, ns);
	}
	return a;
}

static struct json_object *resources(const struct cgroup_limits *l)
{
	struct json_object *res = json_object_new_object();
	if (l->memory_max >= 0) {
		struct json_object *m = json_object_new_object();
		json_object_object_add(m, "limit", json_object_new_int64(l->memory_max));
		json_object_object_add(res, "memory", m);
	}
	if (l->cpu_quota_us >= 0) {
		struct json_object *c = json_object_new_object();
		json_object_object_add(c, "quota", json_object_new_int64(l->cpu_quota_us));
		json_object_object_add(c, "period", json_object_new_int64(CGROUP_CPU_PERIOD_US));
		json_object_object_add(res, "cpu", c);
	}
	if (l->pids_max >= 0) {
		struct json_object *p = json_object_new_object();
		json_object_object_add(p, "limit", json_object_new_int64(l->pids_max));
		json_object_object_add(res, "pids", p);
	}
	return res;
}

char *oci_spec_render(const struct container_config *cfg, const char *rootfs, bool rootless,
		      uid_t uid, gid_t gid)
{
	struct json_object *doc = json_object_new_object(), *proc = json_object_new_object(),
			   *user = json_object_new_object(), *caps = json_object_new_object(),
			   *root = json_object_new_object(), *linux_ = json_object_new_object();
	json_object_object_add(doc, "ociVersion", json_object_new_string("1.0.2"));

	/* terminal false: `create` then needs no --console-socket, and a pipe or a file
	 * receives the output (shikumi run's -t gives a pty when wanted). */
	json_object_object_add(proc, "terminal", json_object_new_boolean(false));
	json_object_object_add(user, "uid", json_object_new_int64(0));
	json_object_object_add(user, "gid", json_object_new_int64(0));
	json_object_object_add(proc, "user", user);
	json_object_object_add(proc, "args", strings((const char *const *)cfg->argv));
	json_object_object_add(proc, "env", strings(cfg->env));
	json_object_object_add(proc, "cwd", json_object_new_string(cfg->cwd));
	static const char *const sets[] = {"bounding", "effective", "permitted"};
	for (size_t i = 0; i < 3; i++)
		json_object_object_add(caps, sets[i], cap_list(cfg->caps));
	json_object_object_add(proc, "capabilities", caps);
	json_object_object_add(proc, "noNewPrivileges", json_object_new_boolean(true));
	json_object_object_add(doc, "process", proc);

	json_object_object_add(root, "path", json_object_new_string(rootfs));
	json_object_object_add(root, "readonly", json_object_new_boolean(cfg->read_only));
	json_object_object_add(doc, "root", root);
	json_object_object_add(doc, "hostname", json_object_new_string(cfg->hostname));
	json_object_object_add(doc, "mounts", standard_mounts());

	json_object_object_add(linux_, "namespaces", namespaces(cfg->namespaces, rootless));
	if (rootless) {
		json_object_object_add(linux_, "uidMappings", id_mapping(uid));
		json_object_object_add(linux_, "gidMappings", id_mapping(gid));
	}
	json_object_object_add(linux_, "resources", resources(&cfg->limits));
	json_object_object_add(linux_, "maskedPaths", strings(mounts_masked_paths));
	json_object_object_add(linux_, "readonlyPaths", strings(mounts_readonly_paths));
	json_object_object_add(doc, "linux", linux_);

	const char *text =
	    json_object_to_json_string_ext(doc, JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_SPACED |
						    JSON_C_TO_STRING_NOSLASHESCAPE);
	char *out = text ? strdup(text) : NULL;
	json_object_put(doc);
	if (!out)
		err_set(ENOMEM, "cannot render config.json");
	return out;
}
