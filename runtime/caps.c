#include "caps.h"

#include "../common/err.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <sys/capability.h>
#include <sys/prctl.h>

uint64_t caps_default(void)
{
	return CAP_BIT(CAP_CHOWN) | CAP_BIT(CAP_DAC_OVERRIDE) | CAP_BIT(CAP_FSETID) |
	       CAP_BIT(CAP_FOWNER) | CAP_BIT(CAP_MKNOD) | CAP_BIT(CAP_NET_RAW) |
	       CAP_BIT(CAP_SETGID) | CAP_BIT(CAP_SETUID) | CAP_BIT(CAP_SETFCAP) |
	       CAP_BIT(CAP_SETPCAP) | CAP_BIT(CAP_NET_BIND_SERVICE) | CAP_BIT(CAP_SYS_CHROOT) |
	       CAP_BIT(CAP_KILL) | CAP_BIT(CAP_AUDIT_WRITE);
}

static int last_cap(void)
{
	int last = (int)cap_max_bits() - 1;
	return last > 63 ? 63 : last;
}

uint64_t caps_all(void)
{
	int last = last_cap();
	return last >= 63 ? ~0ULL : (1ULL << (last + 1)) - 1;
}

int caps_parse(const char *name, int *cap)
{
	char lower[64];
	size_t i = 0;
	for (; name[i] && i < sizeof(lower) - 1; i++)
		lower[i] = (char)tolower((unsigned char)name[i]);
	lower[i] = '\0';
	if (!strcmp(lower, "all")) {
		*cap = -1;
		return 0;
	}
	char full[72];
	snprintf(full, sizeof(full), "%s%s", strncmp(lower, "cap_", 4) ? "cap_" : "", lower);
	cap_value_t v;
	if (cap_from_name(full, &v) == 0 && v <= last_cap()) {
		*cap = v;
		return 0;
	}
	char known[1200];
	caps_describe(caps_all(), known, sizeof(known));
	return err_set(0, "unknown capability '%s'; known: %s", name, known);
}

void caps_describe(uint64_t keep, char *buf, unsigned n)
{
	size_t len = 0;
	buf[0] = '\0';
	for (int c = 0; c <= last_cap() && len < n; c++) {
		if (!(keep & CAP_BIT(c)))
			continue;
		char *name = cap_to_name(c);
		const char *shown = name && !strncmp(name, "cap_", 4) ? name + 4 : name;
		len += (size_t)snprintf(buf + len, n - len, "%s%s", len ? ", " : "", shown);
		cap_free(name);
	}
}

int caps_raise_effective(void)
{
	cap_t caps = cap_get_proc();
	if (!caps)
		return err_set(errno, "cannot read the capabilities");
	for (int c = 0; c <= last_cap(); c++) {
		cap_value_t v = c;
		cap_flag_value_t on = CAP_CLEAR;
		cap_get_flag(caps, v, CAP_PERMITTED, &on);
		cap_set_flag(caps, CAP_EFFECTIVE, 1, &v, on);
	}
	int r = cap_set_proc(caps);
	int e = errno;
	cap_free(caps);
	return r < 0 ? err_set(e, "cannot raise the effective capabilities") : 0;
}

static int drop_bounding(uint64_t keep)
{
	for (int c = 0; c <= last_cap(); c++)
		if (!(keep & CAP_BIT(c)) && CAP_IS_SUPPORTED(c) && cap_drop_bound(c) < 0)
			return err_set(errno,
				       "cannot drop capability %d from the bounding set (shikumi "
				       "needs CAP_SETPCAP: is it outside a CapabilityBoundingSet?)",
				       c);
	return 0;
}

int caps_apply_sets(uint64_t bounding, uint64_t permitted, uint64_t effective, uint64_t inheritable,
		    uint64_t ambient)
{
	int r = drop_bounding(bounding);
	if (r < 0)
		return r;
	if (CAP_AMBIENT_SUPPORTED() && cap_reset_ambient() < 0)
		return err_set(errno, "cannot clear the ambient capabilities");
	cap_t caps = cap_init();
	if (!caps)
		return err_set(errno, "cap_init failed");
	for (int c = 0; c <= last_cap(); c++) {
		cap_value_t v = c;
		if (permitted & CAP_BIT(c))
			cap_set_flag(caps, CAP_PERMITTED, 1, &v, CAP_SET);
		if (effective & CAP_BIT(c))
			cap_set_flag(caps, CAP_EFFECTIVE, 1, &v, CAP_SET);
		if (inheritable & CAP_BIT(c))
			cap_set_flag(caps, CAP_INHERITABLE, 1, &v, CAP_SET);
	}
	r = cap_set_proc(caps);
	int e = errno;
	cap_free(caps);
	if (r < 0)
		return err_set(e, "cannot set the container's capabilities");
	for (int c = 0; c <= last_cap(); c++)
		if ((ambient & CAP_BIT(c)) && cap_set_ambient(c, CAP_SET) < 0)
			return err_set(errno, "cannot raise ambient capability %d", c);
	return 0;
}

int caps_apply(uint64_t keep)
{
	/* The bounding set first (caps_apply_sets): dropping from it needs CAP_SETPCAP, which we
	 * still hold, and it is what limits every later exec, whatever setuid or file
	 * capabilities say. The inheritable set stays empty: with file capabilities it would
	 * hand the kept set on through exec to programs that never had it (runc cleared it after
	 * CVE-2022-24769). */
	return caps_apply_sets(keep, keep, keep, 0, 0);
}
