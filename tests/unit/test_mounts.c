/* Unit tests: the container's mount table (runtime/mounts.c, mounts_build). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "../../common/err.h"
#include "../../runtime/mounts.h"

#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>

static const struct mount_entry *find(const struct mount_entry *t, int n, enum mount_kind k,
				      const char *target)
{
	for (int i = 0; i < n; i++)
		if (t[i].kind == k && !strcmp(t[i].target, target))
			return &t[i];
	return NULL;
}

static int index_of(const struct mount_entry *t, int n, const char *target)
{
	for (int i = 0; i < n; i++)
		if (!strcmp(t[i].target, target))
			return i;
	return -1;
}

static void filesystems_and_flags(void **state)
{
	(void)state;
	struct container_config cfg = {0};
	struct mount_entry t[MOUNTS_MAX];
	int n = mounts_build(&cfg, false, NULL, NULL, NULL, t, MOUNTS_MAX);
	assert_true(n > 0);
	const struct mount_entry *proc = find(t, n, MK_MOUNT, "/proc");
	assert_non_null(proc);
	assert_string_equal(proc->fstype, "proc");
	assert_true(proc->flags & MS_NOSUID && proc->flags & MS_NODEV && proc->flags & MS_NOEXEC);
	const struct mount_entry *sys = find(t, n, MK_MOUNT, "/sys");
	assert_non_null(sys);
	assert_true(sys->flags & MS_RDONLY); /* the container may look, not configure */
	const struct mount_entry *pts = find(t, n, MK_MOUNT, "/dev/pts");
	assert_non_null(pts);
	assert_non_null(strstr(pts->data, "newinstance")); /* never the host's ptys */
	assert_non_null(find(t, n, MK_MOUNT, "/dev/shm"));
	assert_non_null(find(t, n, MK_SYMLINK, "/dev/ptmx"));
	assert_null(find(t, n, MK_DEVICE, "/dev/console")); /* only with a terminal */
}

static void only_safe_devices(void **state)
{
	(void)state;
	struct container_config cfg = {0};
	struct mount_entry t[MOUNTS_MAX];
	int n = mounts_build(&cfg, true, NULL, NULL, NULL, t, MOUNTS_MAX);
	const char *want[] = {"/dev/null",    "/dev/zero", "/dev/full",	  "/dev/random",
			      "/dev/urandom", "/dev/tty",  "/dev/console"};
	int devices = 0;
	for (int i = 0; i < n; i++)
		devices += t[i].kind == MK_DEVICE;
	assert_int_equal(devices, 7);
	for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++)
		assert_non_null(find(t, n, MK_DEVICE, want[i]));
	const struct mount_entry *null = find(t, n, MK_DEVICE, "/dev/null");
	assert_int_equal(null->major, 1);
	assert_int_equal(null->minor, 3);
	assert_int_equal(null->mode, 0666);
}

static void masks_and_readonly_after_their_filesystems(void **state)
{
	(void)state;
	struct container_config cfg = {0};
	struct mount_entry t[MOUNTS_MAX];
	int n = mounts_build(&cfg, false, NULL, NULL, NULL, t, MOUNTS_MAX);
	const char *masked[] = {"/proc/kcore",
				"/proc/keys",
				"/proc/timer_list",
				"/proc/sched_debug",
				"/sys/firmware",
				"/proc/asound",
				"/sys/devices/virtual/powercap"};
	const char *ro[] = {"/proc/sys", "/proc/sysrq-trigger", "/proc/irq", "/proc/bus"};
	int proc = index_of(t, n, "/proc"), sys = index_of(t, n, "/sys"),
	    null = index_of(t, n, "/dev/null");
	for (size_t i = 0; i < sizeof(masked) / sizeof(masked[0]); i++) {
		assert_non_null(find(t, n, MK_MASK, masked[i]));
		int at = index_of(t, n, masked[i]);
		assert_true(at > proc && at > sys && at > null); /* masks need /dev/null */
	}
	for (size_t i = 0; i < sizeof(ro) / sizeof(ro[0]); i++) {
		assert_non_null(find(t, n, MK_READONLY, ro[i]));
		assert_true(index_of(t, n, ro[i]) > proc);
	}
}

static void volumes_in_order_with_mode(void **state)
{
	(void)state;
	struct container_config cfg = {
	    .n_volumes = 3,
	    .volumes = {{.source = "/a", .target = "/mnt/a"},
			{.source = "/b", .target = "/mnt/b", .read_only = true},
			{.source = "/c", .target = "/mnt/c", .single = true}},
	};
	struct mount_entry t[MOUNTS_MAX];
	int n = mounts_build(&cfg, false, NULL, NULL, NULL, t, MOUNTS_MAX);
	const struct mount_entry *a = find(t, n, MK_BIND, "/mnt/a");
	const struct mount_entry *b = find(t, n, MK_BIND, "/mnt/b");
	assert_non_null(a);
	assert_non_null(b);
	assert_string_equal(a->source, "/a");
	assert_false(a->flags & MS_RDONLY);
	assert_true(b->flags & MS_RDONLY);
	/* recursive (the mounts below the source come along) unless an OCI "bind" says not */
	assert_true(a->flags & MS_REC);
	assert_false(find(t, n, MK_BIND, "/mnt/c")->flags & MS_REC);
	assert_true(index_of(t, n, "/mnt/a") < index_of(t, n, "/mnt/b"));
	/* Host paths before the kernel's file systems: a volume that a symlink sent under /proc
	 * ends up hidden beneath it. */
	assert_true(index_of(t, n, "/mnt/b") < index_of(t, n, "/proc"));
	assert_true(index_of(t, n, "/mnt/b") < index_of(t, n, "/dev"));
}

static void privileged_masks_nothing(void **state)
{
	(void)state;
	struct container_config cfg = {.privileged = true};
	struct mount_entry t[MOUNTS_MAX];
	int n = mounts_build(&cfg, false, NULL, NULL, NULL, t, MOUNTS_MAX);
	for (int i = 0; i < n; i++)
		assert_true(t[i].kind != MK_MASK && t[i].kind != MK_READONLY);
}

/* The config's maskedPaths and readonlyPaths come after shikumi's own lists (and after the
 * volumes: a volume's file can be masked), one of shikumi's is not repeated, and a full table of
 * both (CONFIG_MAX_PATHS each) with every volume and node still fits. */
static void config_paths_besides_the_defaults(void **state)
{
	(void)state;
	struct container_config cfg = {
	    .masked_paths = {"/etc/secret", "/proc/kcore", "/data/key"},
	    .n_masked_paths = 3,
	    .readonly_paths = {"/data", "/proc/sys"},
	    .n_readonly_paths = 2,
	    .volumes = {{.source = "/srv", .target = "/data"}},
	    .n_volumes = 1,
	};
	struct mount_entry t[MOUNTS_MAX];
	int n = mounts_build(&cfg, false, NULL, NULL, NULL, t, MOUNTS_MAX);
	assert_true(n > 0);
	int masks = 0, ro = 0, kcore = 0, sys = 0;
	for (int i = 0; i < n; i++) {
		masks += t[i].kind == MK_MASK;
		ro += t[i].kind == MK_READONLY;
		kcore += !strcmp(t[i].target, "/proc/kcore");
		sys += t[i].kind == MK_READONLY && !strcmp(t[i].target, "/proc/sys");
	}
	size_t want_masks = 0, want_ro = 0;
	while (mounts_masked_paths[want_masks])
		want_masks++;
	while (mounts_readonly_paths[want_ro])
		want_ro++;
	assert_int_equal(masks, want_masks + 2); /* /proc/kcore is shikumi's already */
	assert_int_equal(ro, want_ro + 1);
	assert_int_equal(kcore, 1);
	assert_int_equal(sys, 1);
	assert_non_null(find(t, n, MK_MASK, "/etc/secret"));
	assert_true(index_of(t, n, "/data/key") > index_of(t, n, "/data"));
	assert_true(index_of(t, n, "/etc/secret") > index_of(t, n, "/proc/kcore"));
	assert_non_null(find(t, n, MK_READONLY, "/data"));

	/* Privileged: shikumi's lists are off, the config's hold, /proc/kcore included. */
	cfg.privileged = true;
	n = mounts_build(&cfg, false, NULL, NULL, NULL, t, MOUNTS_MAX);
	assert_non_null(find(t, n, MK_MASK, "/proc/kcore"));
	assert_non_null(find(t, n, MK_READONLY, "/proc/sys"));

	static char names[2][CONFIG_MAX_PATHS][16];
	struct container_config full = {.n_masked_paths = CONFIG_MAX_PATHS,
					.n_readonly_paths = CONFIG_MAX_PATHS,
					.n_volumes = CONFIG_MAX_VOLUMES,
					.n_nodes = CONFIG_MAX_NODES,
					.n_devices = CONFIG_MAX_DEVICES};
	for (int l = 0; l < 2; l++)
		for (int i = 0; i < CONFIG_MAX_PATHS; i++) {
			snprintf(names[l][i], sizeof(names[l][i]), "/%c%d", l ? 'r' : 'm', i);
			(l ? full.readonly_paths : full.masked_paths)[i] = names[l][i];
		}
	for (int i = 0; i < CONFIG_MAX_VOLUMES; i++)
		full.volumes[i] = (struct volume){.source = "/srv", .target = "/v"};
	for (int i = 0; i < CONFIG_MAX_DEVICES; i++)
		full.devices[i] = "/dev/fuse";
	for (int i = 0; i < CONFIG_MAX_NODES; i++)
		full.nodes[i] = (struct device_node){.path = "/dev/n", .type = 'c'};
	static struct stat st[CONFIG_MAX_VOLUMES];
	assert_true(mounts_build(&full, true, "/etc/hosts", "/sys/fs/cgroup/x", st, t, MOUNTS_MAX) >
		    0);
}

static void path_problems(void **state)
{
	(void)state;
	assert_null(mounts_path_problem("/proc/kcore"));
	assert_null(mounts_path_problem("//etc//passwd/"));
	assert_null(mounts_path_problem("/a/.hidden/..x"));
	assert_string_equal(mounts_path_problem("proc/kcore"), "must be an absolute path");
	assert_string_equal(mounts_path_problem(""), "must be an absolute path");
	assert_non_null(strstr(mounts_path_problem("/"), "root"));
	assert_non_null(strstr(mounts_path_problem("///"), "root"));
	assert_string_equal(mounts_path_problem("/proc/../etc"), "must not hold '.' or '..'");
	assert_string_equal(mounts_path_problem("/./proc"), "must not hold '.' or '..'");
	assert_string_equal(mounts_path_problem("/etc/.."), "must not hold '.' or '..'");
	static char longer[PATH_MAX + 2];
	memset(longer, 'a', sizeof(longer) - 1);
	longer[0] = '/';
	assert_string_equal(mounts_path_problem(longer), "too long");
}

static void table_too_small_is_an_error(void **state)
{
	(void)state;
	struct container_config cfg = {0};
	struct mount_entry t[4];
	assert_int_equal(mounts_build(&cfg, false, NULL, NULL, NULL, t, 4), -ENOSPC);
	assert_non_null(strstr(err_msg(), "mount table"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(filesystems_and_flags),
	    cmocka_unit_test(only_safe_devices),
	    cmocka_unit_test(masks_and_readonly_after_their_filesystems),
	    cmocka_unit_test(volumes_in_order_with_mode),
	    cmocka_unit_test(privileged_masks_nothing),
	    cmocka_unit_test(config_paths_besides_the_defaults),
	    cmocka_unit_test(path_problems),
	    cmocka_unit_test(table_too_small_is_an_error),
	};
	return cmocka_run_group_tests_name("mounts", tests, NULL, NULL);
}
