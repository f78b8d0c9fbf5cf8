#include "confine.h"

#include "../common/err.h"
#include "caps.h"
#include "seccomp_load.h"

#include <grp.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>

int confine_identity(const struct container_config *cfg)
{
	if (cfg->n_groups) {
		gid_t g[CONFIG_MAX_GROUPS];
		for (size_t i = 0; i < cfg->n_groups; i++)
			g[i] = cfg->groups[i];
		if (setgroups(cfg->n_groups, g) < 0)
			return err_set(errno, "cannot set the supplementary groups");
	}
	if (cfg->umask >= 0)
		umask((mode_t)cfg->umask);
	return 0;
}

int confine_rlimits(const struct container_config *cfg)
{
	for (size_t i = 0; i < cfg->n_rlimits; i++) {
		const struct rlimit_set *l = &cfg->rlimits[i];
		struct rlimit rl = {.rlim_cur = l->soft, .rlim_max = l->hard};
		if (setrlimit(l->resource, &rl) < 0)
			return err_set(errno, "cannot set resource limit %d to %llu/%llu",
				       l->resource, (unsigned long long)l->soft,
				       (unsigned long long)l->hard);
	}
	return 0;
}

int confine_capabilities(const struct container_config *cfg)
{
	return cfg->privileged ? 0 : caps_apply(cfg->caps);
}

int confine_no_new_privs(const struct container_config *cfg)
{
	if (!cfg->privileged && prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
		return err_set(errno, "cannot set no_new_privs");
	return 0;
}

int confine_seccomp(const struct container_config *cfg, const struct container_host *host)
{
	if (cfg->privileged)
		return 0;
	if (!strcmp(cfg->seccomp, "default")) {
		const struct seccomp_prebuilt *p =
		    &seccomp_prebuilt[seccomp_variant_for(cfg->caps)];
		return seccomp_load_bpf(p->bpf, p->len);
	}
	if (host->seccomp_bpf)
		return seccomp_load_bpf(host->seccomp_bpf, host->seccomp_len);
	return 0;
}
