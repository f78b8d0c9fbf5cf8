#include "parse.h"

#include "err.h"

#include <ctype.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/wait.h>

int parse_size(const char *s, uint64_t *out)
{
	if (!s || !isdigit((unsigned char)*s))
		return err_set(0,
			       "invalid size '%s': expected a number with an optional K, M, G or T",
			       s ? s : "");
	char *end;
	errno = 0;
	unsigned long long v = strtoull(s, &end, 10);
	if (errno == ERANGE)
		return err_set(ERANGE, "invalid size '%s': more than 2^63-1 bytes", s);
	unsigned shift = 0;
	switch (toupper((unsigned char)*end)) {
	case 'K':
		shift = 10;
		break;
	case 'M':
		shift = 20;
		break;
	case 'G':
		shift = 30;
		break;
	case 'T':
		shift = 40;
		break;
	}
	if (shift)
		end++;
	if (shift && (!strcasecmp(end, "iB") || !strcasecmp(end, "B")))
		end += strlen(end);
	else if (!shift && !strcasecmp(end, "B"))
		end++;
	if (*end)
		return err_set(
		    0, "invalid size '%s': expected a number with an optional K, M, G or T", s);
	/* Every size ends in a signed 64-bit field (cgroup files, the VM's RAM): one past
	 * INT64_MAX would wrap to a negative, which the cgroup code reads as "no limit". */
	if (v > (uint64_t)INT64_MAX >> shift)
		return err_set(ERANGE, "invalid size '%s': more than 2^63-1 bytes", s);
	*out = (uint64_t)v << shift;
	return 0;
}

static const struct {
	int sig;
	const char *name;
} signals[] = {
    {SIGHUP, "HUP"},   {SIGINT, "INT"},	      {SIGQUIT, "QUIT"}, {SIGILL, "ILL"},
    {SIGTRAP, "TRAP"}, {SIGABRT, "ABRT"},     {SIGBUS, "BUS"},	 {SIGFPE, "FPE"},
    {SIGKILL, "KILL"}, {SIGUSR1, "USR1"},     {SIGSEGV, "SEGV"}, {SIGUSR2, "USR2"},
    {SIGPIPE, "PIPE"}, {SIGALRM, "ALRM"},     {SIGTERM, "TERM"}, {SIGSTKFLT, "STKFLT"},
    {SIGCHLD, "CHLD"}, {SIGCONT, "CONT"},     {SIGSTOP, "STOP"}, {SIGTSTP, "TSTP"},
    {SIGTTIN, "TTIN"}, {SIGTTOU, "TTOU"},     {SIGURG, "URG"},	 {SIGXCPU, "XCPU"},
    {SIGXFSZ, "XFSZ"}, {SIGVTALRM, "VTALRM"}, {SIGPROF, "PROF"}, {SIGWINCH, "WINCH"},
    {SIGIO, "IO"},     {SIGPWR, "PWR"},	      {SIGSYS, "SYS"},
};

const char *signal_name(int sig)
{
	for (size_t i = 0; i < sizeof(signals) / sizeof(signals[0]); i++)
		if (signals[i].sig == sig)
			return signals[i].name;
	return NULL;
}

int parse_signal(const char *s, int *out)
{
	if (!s || !*s)
		return err_set(0, "invalid signal ''");
	if (isdigit((unsigned char)*s)) {
		char *end;
		long v = strtol(s, &end, 10);
		if (*end || v < 1 || v > SIGRTMAX)
			return err_set(0, "invalid signal '%s'", s);
		*out = (int)v;
		return 0;
	}
	const char *name = strncasecmp(s, "SIG", 3) ? s : s + 3;
	for (size_t i = 0; i < sizeof(signals) / sizeof(signals[0]); i++) {
		if (!strcasecmp(name, signals[i].name)) {
			*out = signals[i].sig;
			return 0;
		}
	}
	return err_set(0, "invalid signal '%s'", s);
}

int exit_code_from_wait_status(int status)
{
	if (WIFEXITED(status))
		return WEXITSTATUS(status);
	if (WIFSIGNALED(status))
		return 128 + WTERMSIG(status);
	return 255;
}
