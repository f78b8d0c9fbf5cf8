/* Unit tests: looking at a root file system from outside (runtime/rootfs.c), on a small tree
 * built in a temporary directory. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "../../common/err.h"
#include "../../runtime/rootfs.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static char dir[64];
static int rootfd = -1;

static void put(const char *rel, mode_t mode)
{
	char p[256];
	snprintf(p, sizeof(p), "%s/%s", dir, rel);
	int fd = open(p, O_CREAT | O_WRONLY, mode);
	assert_true(fd >= 0);
	close(fd);
	chmod(p, mode);
}

static int setup(void **state)
{
	(void)state;
	snprintf(dir, sizeof(dir), "/tmp/shikumi-unit-XXXXXX");
	if (!mkdtemp(dir))
		return -1;
	char p[256];
	const char *dirs[] = {"bin", "usr", "usr/bin", "etc", "tmp"};
	for (size_t i = 0; i < 5; i++) {
		snprintf(p, sizeof(p), "%s/%s", dir, dirs[i]);
		mkdir(p, 0755);
	}
	put("bin/busybox", 0755);
	put("usr/bin/tool", 0755);
	put("etc/passwd", 0644);
	put("usr/bin/notexec", 0644);
	/* Absolute links, as busybox's applets are: they must resolve inside the tree. */
	snprintf(p, sizeof(p), "%s/bin/sh", dir);
	symlink("/bin/busybox", p);
	snprintf(p, sizeof(p), "%s/bin/escape", dir);
	symlink("/etc/passwd", p); /* inside: the tree's passwd, not executable */
	snprintf(p, sizeof(p), "%s/bin/dotdot", dir);
	symlink("../../../../../../bin/busybox", p); /* cannot climb out of the root */
	snprintf(p, sizeof(p), "%s/evil", dir);
	symlink("/tmp", p); /* a mount point through it must stay inside */
	rootfd = open(dir, O_PATH | O_DIRECTORY);
	return rootfd < 0 ? -1 : 0;
}

static int teardown(void **state)
{
	(void)state;
	char cmd[128];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	close(rootfd);
	return system(cmd) == 0 ? 0 : -1;
}

static void finds_by_path_and_by_search(void **state)
{
	(void)state;
	const char *path = "/usr/bin:/bin";
	assert_int_equal(rootfs_find_command(rootfd, "/bin/sh", path, NULL, 0), 0);
	assert_int_equal(rootfs_find_command(rootfd, "sh", path, NULL, 0), 0);
	assert_int_equal(rootfs_find_command(rootfd, "tool", path, NULL, 0), 0);
	assert_int_equal(rootfs_find_command(rootfd, "/bin/dotdot", path, NULL, 0), 0);
	assert_int_equal(rootfs_find_command(rootfd, "tool", "/bin", NULL, 0), -ENOENT);
	/* the path found, for the command's exec (child.c) */
	char found[64];
	assert_int_equal(rootfs_find_command(rootfd, "sh", path, found, sizeof(found)), 0);
	assert_string_equal(found, "/bin/sh"); /* /usr/bin has none: the next directory */
	assert_int_equal(rootfs_find_command(rootfd, "tool", path, found, sizeof(found)), 0);
	assert_string_equal(found, "/usr/bin/tool");
	assert_int_equal(rootfs_find_command(rootfd, "/bin/sh", path, found, sizeof(found)), 0);
	assert_string_equal(found, "/bin/sh");
}

static void missing_and_not_executable(void **state)
{
	(void)state;
	assert_int_equal(rootfs_find_command(rootfd, "nosuch", "/bin:/usr/bin", NULL, 0), -ENOENT);
	assert_non_null(strstr(err_msg(), "lacks the command 'nosuch'"));
	assert_int_equal(rootfs_find_command(rootfd, "/etc/passwd", "/bin", NULL, 0), -EACCES);
	assert_non_null(strstr(err_msg(), "not an executable"));
	assert_int_equal(rootfs_find_command(rootfd, "/bin/escape", "/bin", NULL, 0), -EACCES);
	assert_int_equal(rootfs_find_command(rootfd, "notexec", "/usr/bin", NULL, 0), -EACCES);
	assert_int_equal(rootfs_find_command(rootfd, "/etc", "/bin", NULL, 0), -EACCES); /* a dir */
	assert_int_equal(rootfs_find_command(rootfd, "sh", "", NULL, 0), -ENOENT);
}

static void mountpoints_created_inside(void **state)
{
	(void)state;
	int fd = rootfs_make_mountpoint(rootfd, "/mnt/a/b", 0);
	assert_true(fd >= 0);
	close(fd);
	struct stat st;
	char p[256];
	snprintf(p, sizeof(p), "%s/mnt/a/b", dir);
	assert_int_equal(stat(p, &st), 0);
	assert_true(S_ISDIR(st.st_mode));
	fd = rootfs_make_mountpoint(rootfd, "/mnt/file", 1);
	assert_true(fd >= 0);
	close(fd);
	snprintf(p, sizeof(p), "%s/mnt/file", dir);
	assert_int_equal(stat(p, &st), 0);
	assert_true(S_ISREG(st.st_mode));
	/* Through the link /evil -> /tmp: created in the tree's /tmp, not the host's. */
	fd = rootfs_make_mountpoint(rootfd, "/evil/shikumi-unit-escape", 0);
	assert_true(fd >= 0);
	close(fd);
	assert_int_equal(stat("/tmp/shikumi-unit-escape", &st), -1);
	snprintf(p, sizeof(p), "%s/tmp/shikumi-unit-escape", dir);
	assert_int_equal(stat(p, &st), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(finds_by_path_and_by_search),
	    cmocka_unit_test(missing_and_not_executable),
	    cmocka_unit_test(mountpoints_created_inside),
	};
	return cmocka_run_group_tests_name("rootfs", tests, setup, teardown);
}
