/* Unit tests: the OCI front end's state directory (runtime/state.c), against a temporary
 * root and real processes. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "../../common/err.h"
#include "../../runtime/state.h"

#include <json-c/json.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

static char root[64];

static int setup(void **state)
{
	(void)state;
	snprintf(root, sizeof(root), "/tmp/shikumi-state-test.XXXXXX");
	assert_non_null(mkdtemp(root));
	strcat(root, "/a/b"); /* made on the way, as /run/shikumi/containers is */
	return 0;
}

/* Every test removes its containers: the root's three levels must then be empty. */
static int teardown(void **state)
{
	(void)state;
	char path[64];
	strcpy(path, root);
	for (int i = 0; i < 3; i++) {
		if (rmdir(path) < 0)
			return -1;
		*strrchr(path, '/') = '\0';
	}
	return 0;
}

static void ids(void **state)
{
	(void)state;
	assert_int_equal(state_id_check("web-1_a+b.c"), 0);
	assert_int_equal(state_id_check(""), -EINVAL);
	assert_int_equal(state_id_check("."), -EINVAL);
	assert_int_equal(state_id_check(".."), -EINVAL);
	assert_int_equal(state_id_check("a/b"), -EINVAL);
	assert_int_equal(state_id_check("a b"), -EINVAL);
	char big[STATE_ID_MAX + 1];
	memset(big, 'a', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	assert_int_equal(state_id_check(big), -EINVAL);
}

static void write_read_lock_remove(void **state)
{
	(void)state;
	int fd = state_open(root, "c1", true);
	assert_true(fd >= 0);
	struct stat st;
	char path[128];
	snprintf(path, sizeof(path), "%s/c1", root);
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0700);
	assert_int_equal(state_open(root, "c1", true), -EEXIST);
	struct oci_state w = {.pid = getpid(), .started = true}, r;
	strcpy(w.id, "c1");
	strcpy(w.bundle, "/bundle");
	strcpy(w.cgroup, "/sys/fs/cgroup/shikumi/c1");
	strcpy(w.created, "2026-01-01T00:00:00Z");
	strcpy(w.annotations, "{\"k\": \"v\"}");
	w.pid_start = state_pid_start(getpid());
	assert_true(w.pid_start > 0);
	assert_int_equal(state_write(fd, &w), 0);
	assert_int_equal(state_read(fd, &r), 0);
	assert_memory_equal(&r, &w, sizeof(w));
	/* the lock is exclusive: another open description of the directory cannot take it */
	int other = open(path, O_RDONLY | O_DIRECTORY);
	assert_int_equal(flock(other, LOCK_EX | LOCK_NB), -1);
	assert_int_equal(errno, EWOULDBLOCK);
	close(other);
	char *text = state_render(&r);
	struct json_object *o = json_tokener_parse(text), *v;
	assert_non_null(o);
	assert_true(json_object_object_get_ex(o, "status", &v));
	assert_string_equal(json_object_get_string(v), "running");
	assert_true(json_object_object_get_ex(o, "pid", &v));
	assert_int_equal(json_object_get_int(v), getpid());
	assert_true(json_object_object_get_ex(o, "annotations", &v));
	assert_true(json_object_object_get_ex(v, "k", &v));
	assert_string_equal(json_object_get_string(v), "v");
	assert_true(json_object_object_get_ex(o, "ociVersion", &v));
	json_object_put(o);
	free(text);
	assert_int_equal(state_remove(root, "c1", fd), 0);
	close(fd);
	assert_int_equal(stat(path, &st), -1);
	assert_int_equal(state_open(root, "c1", false), -ENOENT);
	assert_non_null(strstr(err_msg(), "container 'c1' does not exist"));
}

/* created, running, stopped: from the process itself, and a reused pid is not the init */
static void status_follows_the_process(void **state)
{
	(void)state;
	pid_t pid = fork();
	if (pid == 0) {
		pause();
		_exit(0);
	}
	struct oci_state s = {.pid = 0};
	assert_string_equal(state_status(&s), "creating");
	s.pid = pid;
	s.pid_start = state_pid_start(pid);
	assert_string_equal(state_status(&s), "created");
	s.started = true;
	assert_string_equal(state_status(&s), "running");
	s.pid_start++; /* another process under the same pid */
	assert_string_equal(state_status(&s), "stopped");
	s.pid_start--;
	kill(pid, SIGKILL);
	/* a zombie has exited: stopped before it is reaped */
	for (int i = 0; i < 200 && !strcmp(state_status(&s), "running"); i++)
		usleep(10000);
	assert_string_equal(state_status(&s), "stopped");
	waitpid(pid, NULL, 0);
	assert_string_equal(state_status(&s), "stopped");
	char *text = state_render(&s);
	assert_non_null(strstr(text, "\"pid\": 0"));
	free(text);
}

static void damaged_state_is_an_error(void **state)
{
	(void)state;
	int fd = state_open(root, "bad", true);
	assert_true(fd >= 0);
	int f = openat(fd, "state.json", O_WRONLY | O_CREAT, 0600);
	assert_int_equal(write(f, "{\"id\": 1", 8), 8);
	close(f);
	struct oci_state s;
	assert_int_equal(state_read(fd, &s), -EINVAL);
	assert_string_equal(err_msg(), "the container's state file is damaged");
	assert_int_equal(state_remove(root, "bad", fd), 0);
	close(fd);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(ids),
	    cmocka_unit_test(write_read_lock_remove),
	    cmocka_unit_test(status_follows_the_process),
	    cmocka_unit_test(damaged_state_is_an_error),
	};
	return cmocka_run_group_tests_name("state", tests, setup, teardown);
}
