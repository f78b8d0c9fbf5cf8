#include "confine.h"

#include "../common/err.h"
#include "caps.h"
#include "seccomp_load.h"

#include "../common/fd.h"

#include <fcntl.h>
#include <grp.h>
#include <stdio.h>
#include <unistd.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>

int confine_oom_score(const struct container_config *cfg)
{
	if (!cfg->set_oom_score_adj)
		return 0;
	char text[16];
	int n = snprintf(text, sizeof(text), "%d", cfg->oom_score_adj);
	autoclose int fd = open("/proc/self/oom_score_adj", O_WRONLY | O_CLOEXEC);
	if (fd < 0 || write(fd, text, (size_t)n) != n)
		return err_set(errno, "cannot set oom_score_adj to %d", cfg->oom_score_adj);
	return 0;
}

int confine_identity(const struct container_config *cfg)
{
	bool other = cfg->uid != 0 || cfg->gid != 0;
	/* Another user never keeps the runtime's supplementary groups (root's, on the host):
	 * the config's list, or none. */
	if (cfg->n_groups || other) {
		gid_t g[CONFIG_MAX_GROUPS];
		for (size_t i = 0; i < cfg->n_groups; i++)
			g[i] = cfg->groups[i];
		if (setgroups(cfg->n_groups, g) < 0)
			return err_set(errno, "cannot set the supplementary groups");
	}
	if (cfg->umask >= 0)
		umask((mode_t)cfg->umask);
	if (cfg->gid != 0 && setresgid(cfg->gid, cfg->gid, cfg->gid) < 0)
		return err_set(errno, "cannot change to gid %u", (unsigned)cfg->gid);
	if (cfg->uid == 0)
		return 0;
	/* The permitted set survives the switch away from uid 0 only with keep-caps; the
	 * effective set is emptied by it and raised again, so that the resource limits and the
	 * capability drop that follow still can (confine_capabilities then sets what the
	 * config says). */
	if (prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0) < 0)
		return err_set(errno, "PR_SET_KEEPCAPS");
	if (setresuid(cfg->uid, cfg->uid, cfg->uid) < 0)
		return err_set(errno, "cannot change to uid %u", (unsigned)cfg->uid);
	if (prctl(PR_SET_KEEPCAPS, 0, 0, 0, 0) < 0)
		return err_set(errno, "PR_SET_KEEPCAPS");
	return caps_raise_effective();
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
	if (cfg->privileged)
		return 0;
	if (cfg->uid != 0)
		return caps_apply_sets(cfg->caps, cfg->caps_permitted, cfg->caps_effective,
				       cfg->caps_inheritable, cfg->caps_ambient);
	return caps_apply(cfg->caps);
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
