/* libFuzzer target for the OCI config.json reader (runtime/oci_config.c): any bytes as the
 * document. Beyond "no crash, no out-of-bounds access, no leak" (ASan/UBSan), it checks what
 * the reader promises: an error is one line that starts with "config.json: ", and an accepted
 * config has a command, an absolute working directory and counts within their arrays. The
 * seeds are `shikumi spec`'s output (tests/integration/test_fuzz.sh). */
#include "common/err.h"
#include "runtime/oci_config.h"

#include <stdint.h>
#include <string.h>

#define CHECK(c)                                                                                   \
	do {                                                                                       \
		if (!(c))                                                                          \
			__builtin_trap();                                                          \
	} while (0)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct oci_config oc;
	int r = oci_config_parse((const char *)data, size, "/bundle", &oc);
	if (r < 0) {
		const char *m = err_msg();
		CHECK(!strncmp(m, "config.json: ", 13));
		CHECK(!strchr(m, '\n'));
	} else {
		const struct container_config *c = &oc.cfg;
		CHECK(r == 0);
		CHECK(c->rootfs && c->rootfs[0]);
		CHECK(c->argv && c->argv[0] && c->argv[0][0]);
		CHECK(c->cwd && c->cwd[0] == '/');
		CHECK(c->n_env <= CONFIG_MAX_ENV && !c->env[c->n_env]);
		CHECK(c->n_volumes <= CONFIG_MAX_VOLUMES && c->n_rlimits <= CONFIG_MAX_RLIMITS);
		CHECK(c->n_uidmap <= CONFIG_MAX_IDMAPS && c->n_gidmap <= CONFIG_MAX_IDMAPS);
		/* A volume is a host path, or a tmpfs with no source at all. */
		for (size_t i = 0; i < c->n_volumes; i++)
			CHECK(c->volumes[i].target[0] == '/' &&
			      (c->volumes[i].tmpfs
				   ? !c->volumes[i].source
				   : c->volumes[i].source && c->volumes[i].source[0]));
		for (size_t i = 0; i < c->n_rlimits; i++)
			CHECK(c->rlimits[i].soft <= c->rlimits[i].hard);
	}
	oci_config_free(&oc);
	return 0;
}
