/* shikumi: launch an isolated shell, as a container or as a micro-VM, and compare the two. */
#include "../common/err.h"
#include "../common/exe.h"
#include "../common/timing.h"
#include "cli.h"
#include "compare.h"
#include "container.h"
#include "oci_cmd.h"
#include "oci_config.h"
#include "oci_spec.h"
#include "reexec.h"
#include "seccomp_profile.h"
#include "userns.h"
#include "vm_net.h"
#include "vmm_jail.h"
#include "../vmm/cli.h"

#include <fcntl.h>
#include <limits.h>
#include <stdbool.h>
#include <sys/stat.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#ifndef SHIKUMI_VERSION
#define SHIKUMI_VERSION "0.0.0-dev"
#endif

extern char **environ;

static void usage(FILE *f)
{
	fputs("Usage: shikumi COMMAND [OPTIONS] ...\n"
	      "\n"
	      "Commands:\n"
	      "  run ROOTFS [CMD...]   run CMD (default /bin/sh) in a container on ROOTFS\n"
	      "  vm [OPTIONS] [-- CMD...]\n"
	      "                        run CMD (default: a shell) in a KVM micro-VM booted from\n"
	      "                        the same busybox root, on its own kernel (shikumi-vmm)\n"
	      "  compare [OPTIONS] [-- CMD...]\n"
	      "                        start CMD (default /bin/true) many times as a container\n"
	      "                        and as a VM, with shikumi and the peers installed (crun,\n"
	      "                        runc, bwrap, QEMU), and show the times and memory\n"
	      "  run --bundle DIR [ID] run the OCI bundle DIR (its config.json) in the foreground\n"
	      "  spec [--rootless] [--rootfs DIR]\n"
	      "                        write a config.json here with shikumi run's defaults\n"
	      "  rootfs-chown ROOTFS [BASE]\n"
	      "                        give ROOTFS to the id range from BASE (default 100000),\n"
	      "                        as --userns=private needs where idmapped mounts are not\n"
	      "                        supported; BASE 0 gives it back to root\n"
	      "\n"
	      "The runc command line (as podman and containerd call it; see README.md):\n"
	      "  [--root DIR] [--log FILE] [--log-format text|json] COMMAND, COMMAND one of\n"
	      "  create [--bundle DIR] [--pid-file F] [--console-socket SOCK] ID, start ID,\n"
	      "  state ID, list [--format json], ps [--format json] ID, kill [--all] ID [SIG],\n"
	      "  pause ID, resume ID, delete [--force] ID, features, and\n"
	      "  exec [--process FILE | -e K=V --cwd DIR -t] [--detach] [--pid-file F]\n"
	      "       [--console-socket SOCK] ID [CMD...]\n"
	      "\n"
	      "shikumi COMMAND --help shows the options of COMMAND.\n",
	      f);
}

static int fail(int code)
{
	fprintf(stderr, "shikumi: %s\n", err_msg());
	return code;
}

static int finish_tty(struct container_config *cfg);

/* The whole command line, for a start that re-executes from the sealed copy (reexec.h). */
static char **program_argv;

/* `shikumi run --bundle DIR [ID]`: the bundle's config.json instead of flags, then the same
 * validation and start as `shikumi run`, supervised in the foreground (runc run without
 * --detach). ID only names the container for now: no state is kept. */
static int cmd_run_bundle(int argc, char **argv, uint64_t t_start)
{
	if (argc < 3 || argc > 4 || argv[2][0] == '-') {
		err_set(0, "usage: shikumi run --bundle DIR [ID]");
		return fail(125);
	}
	static struct oci_config oc;
	int r = oci_config_load(argv[2], &oc), code;
	if (r < 0) {
		oci_config_free(&oc);
		return fail(125);
	}
	/* The overlay takes ROOTFS by path and does not follow a symlink there: resolve it
	 * here, once, as validation then resolves and records it. */
	static char rootfs[PATH_MAX];
	if (!realpath(oc.cfg.rootfs, rootfs)) {
		err_set(errno, "config.json: root.path: '%s'", oc.cfg.rootfs);
		oci_config_free(&oc);
		return fail(125);
	}
	oc.cfg.rootfs = rootfs;
	for (int k = 0; k < HOOK_KINDS; k++)
		if (oc.n_hooks[k]) {
			err_set(0, "config.json: hooks: run by create, start and delete only "
				   "(shikumi run --bundle runs none)");
			oci_config_free(&oc);
			return fail(125);
		}
	static struct container_host host;
	if ((reexec_wanted(&oc.cfg) && reexec_sealed(program_argv) < 0) ||
	    finish_tty(&oc.cfg) < 0 || container_validate(&oc.cfg, &host, &code) < 0 ||
	    container_run(&oc.cfg, &host, t_start, &code) < 0) {
		oci_config_free(&oc);
		return fail(code);
	}
	oci_config_free(&oc);
	return code;
}

/* `shikumi spec`: refuses to overwrite, as runc spec does. */
static int cmd_spec(int argc, char **argv)
{
	bool rootless = false;
	const char *rootfs = "rootfs";
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--rootless")) {
			rootless = true;
		} else if (!strcmp(argv[i], "--rootfs") && i + 1 < argc) {
			rootfs = argv[++i];
		} else if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) {
			puts("Usage: shikumi spec [--rootless] [--rootfs DIR]\n"
			     "\n"
			     "Writes ./config.json, an OCI runtime-spec configuration that says "
			     "what\n"
			     "`shikumi run DIR` does by default (root.path DIR, default rootfs,\n"
			     "relative to the bundle). --rootless adds a user namespace that maps\n"
			     "root inside to your uid and gid.");
			return 0;
		} else {
			err_set(0, "unknown option '%s' for spec (see shikumi spec --help)",
				argv[i]);
			return fail(1);
		}
	}
	struct container_config cfg;
	enum cli_action action;
	char *args[] = {"run", (char *)rootfs, NULL};
	if (cli_parse_run(2, args, NULL, &cfg, &action) < 0)
		return fail(1);
	char *text = oci_spec_render(&cfg, rootfs, rootless, getuid(), getgid());
	if (!text)
		return fail(1);
	int fd = open("config.json", O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
	if (fd < 0) {
		free(text);
		if (errno == EEXIST)
			err_set(0, "config.json exists: remove it first");
		else
			err_set(errno, "cannot create config.json");
		return fail(1);
	}
	size_t n = strlen(text);
	bool ok = write(fd, text, n) == (ssize_t)n && write(fd, "\n", 1) == 1;
	free(text);
	if (close(fd) < 0 || !ok) {
		err_set(errno, "cannot write config.json");
		unlink("config.json");
		return fail(1);
	}
	return 0;
}

static int finish_tty(struct container_config *cfg)
{
	if (cfg->tty == TTY_AUTO)
		cfg->tty = isatty(STDIN_FILENO) ? TTY_ON : TTY_OFF;
	if (cfg->tty == TTY_ON) {
		const char *term = getenv("TERM");
		static char term_env[128];
		snprintf(term_env, sizeof(term_env), "TERM=%s", term && *term ? term : "xterm");
		return cli_env_default(cfg, term_env);
	}
	return 0;
}

static int cmd_run(int argc, char **argv, uint64_t t_start)
{
	if (argc >= 2 && (!strcmp(argv[1], "--bundle") || !strcmp(argv[1], "-b")))
		return cmd_run_bundle(argc, argv, t_start);
	struct container_config cfg;
	enum cli_action action;
	if (cli_parse_run(argc, argv, environ, &cfg, &action) < 0)
		return fail(125);
	if (action == CLI_HELP) {
		cli_print_run_help(stdout);
		return 0;
	}
	if (action == CLI_VERSION) {
		printf("shikumi %s\n", SHIKUMI_VERSION);
		return 0;
	}
	if ((reexec_wanted(&cfg) && reexec_sealed(program_argv) < 0) || finish_tty(&cfg) < 0)
		return fail(125);
	int code;
	static struct container_host host;
	if (container_validate(&cfg, &host, &code) < 0)
		return fail(code);
	/* A warning, not an error: runc skips such names too, so that Docker's own profile
	 * (which names calls of newer kernels and other architectures) loads. */
	if (host.seccomp_bpf && *seccomp_profile_skipped())
		fprintf(stderr,
			"shikumi: warning: seccomp profile '%s': skipping system calls libseccomp "
			"does not know: %s\n",
			cfg.seccomp, seccomp_profile_skipped());
	if (container_run(&cfg, &host, t_start, &code) < 0)
		return fail(code);
	return code;
}

static int cmd_rootfs_chown(int argc, char **argv)
{
	if (argc >= 2 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))) {
		puts(
		    "Usage: shikumi rootfs-chown ROOTFS [BASE]\n"
		    "\n"
		    "Moves the owners of every file in ROOTFS into the 65536 ids from BASE\n"
		    "(default 100000): a file of uid N (counted from ROOTFS's own owner) goes to\n"
		    "BASE+N, the same for groups. A container with --userns=private whose root is\n"
		    "BASE then sees its files owned by root, without an idmapped mount.\n"
		    "BASE 0 gives the tree back to the host's root.\n"
		    "\n"
		    "The walk stays on ROOTFS's own mount, as `chown -R` on one file system:\n"
		    "a file system mounted inside ROOTFS is left as it is. A symlink is never\n"
		    "followed: the link itself is moved, and what it points to is not touched,\n"
		    "even if it is swapped in while the walk runs.");
		return 0;
	}
	if (argc < 2 || argc > 3) {
		err_set(0, "usage: shikumi rootfs-chown ROOTFS [BASE]");
		return fail(2);
	}
	uint32_t base = USERNS_DEFAULT_BASE;
	if (argc == 3) {
		char *end;
		errno = 0;
		unsigned long long v = strtoull(argv[2], &end, 10);
		if (!argv[2][0] || *end || errno || argv[2][0] == '-' || v > UINT32_MAX) {
			err_set(0, "invalid BASE '%s': expected a uid such as 100000", argv[2]);
			return fail(2);
		}
		base = (uint32_t)v;
	}
	if (geteuid() != 0) {
		err_set(0, "rootfs-chown changes file owners, which needs root");
		return fail(1);
	}
	return userns_shift_tree(argv[1], base) < 0 ? fail(1) : 0;
}

/* Which of the network flags `arg` is, or -1. */
static int net_flag(const char *const flags[4], const char *arg)
{
	for (int k = 0; k < 4; k++)
		if (!strcmp(arg, flags[k]))
			return k;
	return -1;
}

/* shikumi vm --snapshot NAME / --from NAME: NAME's directory under the snapshot directory
 * (made 0700 with its parents when a snapshot is taken). */
#define VM_SNAPSHOT_DIR "/var/lib/shikumi/snapshots"

static int snapshot_path(const char *dir, const char *name, bool create, char *out, size_t size)
{
	size_t n = strlen(name);
	if (!n || n > 64 || name[0] == '.' || strstr(name, ".tmp-") ||
	    strspn(name, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-") != n)
		return err_set(
		    0,
		    "invalid snapshot name '%s': 1 to 64 letters, digits, '.', '_' or '-', "
		    "not starting with '.' nor holding '.tmp-' (unfinished snapshots' names)",
		    name);
	if (snprintf(out, size, "%s/%s", dir, name) >= (int)size)
		return err_set(0, "--snapshot-dir: the path is too long");
	if (!create)
		return 0;
	char path[PATH_MAX];
	snprintf(path, sizeof(path), "%s", dir);
	for (char *p = path + 1;; p++) {
		bool end = *p == '\0';
		if (*p == '/' || end) {
			*p = '\0';
			if (mkdir(path, 0700) < 0 && errno != EEXIST)
				return err_set(errno, "cannot create the snapshot directory '%s'",
					       path);
			if (end)
				break;
			*p = '/';
		}
	}
	return 0;
}

/* shikumi-vmm's --memory, --cpus and --timing, for a boot and a restore alike: the new count. */
static int vm_sizing_args(char **args, int n, const char *memory, const char *cpus, bool timing)
{
	if (memory) {
		args[n++] = "--memory";
		args[n++] = (char *)memory;
	}
	if (cpus) {
		args[n++] = "--cpus";
		args[n++] = (char *)cpus;
	}
	if (timing)
		args[n++] = "--timing";
	return n;
}

static int cmd_vm(int argc, char **argv)
{
	static char vmm[PATH_MAX], kernel[PATH_MAX], initrd[PATH_MAX], cmdline[4096];
	const char *memory = NULL, *disk = NULL, *cpus = NULL;
	const char *snapshot = NULL, *from = NULL, *snapshot_dir = VM_SNAPSHOT_DIR;
	static char snap[PATH_MAX];
	const char *net_opt[4] = {NULL}; /* --net --bridge ... */
	static const char *const net_flags[] = {"--net", "--bridge", "--subnet", "--ip"};
	bool timing = false, jail = true, forbidden = false;
	int i = 1;
	exe_file("guest/bzImage", kernel, sizeof(kernel));
	exe_file("initramfs.cpio.gz", initrd, sizeof(initrd));
	for (; i < argc && strcmp(argv[i], "--"); i++) {
		if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) {
			puts(
			    "Usage: shikumi vm [--memory SIZE] [--cpus N] [--timing] [--kernel "
			    "BZIMAGE]\n"
			    "                  [--initrd FILE] [--disk FILE[,ro]]\n"
			    "                  [--net bridge [--bridge NAME] [--subnet CIDR] [--ip "
			    "ADDR]] [-- CMD [ARG...]]\n"
			    "                  [--no-jail] [--debug-forbidden-syscall]\n"
			    "       shikumi vm [--snapshot NAME] [--from NAME] [--snapshot-dir "
			    "DIR]\n"
			    "                  [--memory SIZE] [--cpus N] [--timing] [--kernel "
			    "BZIMAGE] [-- CMD [ARG...]]\n"
			    "\n"
			    "Boots the guest kernel (make guest-kernel) with the busybox root as "
			    "its\n"
			    "initramfs (make initramfs) in shikumi-vmm, and runs CMD there, or a\n"
			    "shell. The exit status is CMD's, reported by the guest's /init "
			    "through\n"
			    "port 0x511. Arguments reach the guest on the kernel command line: no\n"
			    "quotes inside them. Ctrl-A x stops the VM.\n"
			    "\n"
			    "With --disk (make rootfs-image gives build/rootfs.ext4) the guest's / "
			    "is\n"
			    "that image, /dev/vda over virtio-blk, instead of the initramfs: what "
			    "the\n"
			    "guest writes there is kept for the next boot.\n"
			    "\n"
			    "With --net bridge (root) the VM joins the containers' bridge "
			    "(default\n"
			    "shikumi0, 10.89.0.0/24, as `shikumi run --net bridge`): a tap on the "
			    "bridge\n"
			    "backs its eth0 (virtio-net), its address is leased from the same pool "
			    "as\n"
			    "the containers' (--ip picks one), and both go when the VM ends. The "
			    "kernel\n"
			    "needs virtio-net built in (build/guest/bzImage-mini has it).\n"
			    "The kernel and initramfs are found in build/ beside shikumi in a "
			    "checkout,\n"
			    "in PREFIX/lib/shikumi once installed (make install), with "
			    "rootfs.ext4.\n"
			    "\n"
			    "--cpus N (1 to 8) gives the guest N vCPUs, announced in an MP table: "
			    "a\n"
			    "kernel without CONFIG_X86_MPPARSE (Debian's cloud kernel) sees one; "
			    "the\n"
			    "minimal one (--kernel build/guest/bzImage-mini) sees them all.\n"
			    "\n"
			    "--snapshot NAME boots the guest, and once its /init waits for a "
			    "command,\n"
			    "writes it down as NAME under --snapshot-dir DIR (default\n"
			    "/var/lib/shikumi/snapshots) and exits; --from NAME -- CMD resumes "
			    "it\n"
			    "instead of booting (shikumi-vmm --restore) and runs CMD, typed on "
			    "its\n"
			    "console (any characters but control ones). Neither takes --disk or "
			    "--net.\n"
			    "\n"
			    "The VMM runs jailed (root only): PID 1 of its own pid namespace, with "
			    "its own\n"
			    "mount, ipc, uts and net namespaces, in an empty read-only root (its "
			    "own "
			    "/dev/kvm\n"
			    "and /proc; the kernel, initramfs and disk are handed over as open "
			    "files), as\n"
			    "a uid of its own with no capabilities and no_new_privs, under a "
			    "seccomp "
			    "allow-list of\n"
			    "the system calls and ioctls it makes: any other kills it. --no-jail "
			    "runs it as\n"
			    "a plain child, as shikumi-vmm run by hand; --debug-forbidden-syscall "
			    "makes it\n"
			    "call socket(2) once set up, to see the filter kill it. Where cgroup "
			    "v2 has the\n"
			    "memory and pids controllers, the VMM has a group of its own: "
			    "memory.max the\n"
			    "guest's RAM plus 64 MiB, pids.max 64. --snapshot and --from do not "
			    "jail the\n"
			    "VMM yet.");
			return 0;
		} else if (!strcmp(argv[i], "--timing")) {
			timing = true;
		} else if (!strcmp(argv[i], "--no-jail")) {
			jail = false;
		} else if (!strcmp(argv[i], "--debug-forbidden-syscall")) {
			forbidden = true;
		} else if (i + 1 < argc && !strcmp(argv[i], "--snapshot")) {
			snapshot = argv[++i];
		} else if (i + 1 < argc && !strcmp(argv[i], "--from")) {
			from = argv[++i];
		} else if (i + 1 < argc && !strcmp(argv[i], "--snapshot-dir")) {
			snapshot_dir = argv[++i];
		} else if (i + 1 < argc && net_flag(net_flags, argv[i]) >= 0) {
			net_opt[net_flag(net_flags, argv[i])] = argv[i + 1];
			i++;
		} else if (i + 1 < argc &&
			   (!strcmp(argv[i], "--memory") || !strcmp(argv[i], "--kernel") ||
			    !strcmp(argv[i], "--initrd") || !strcmp(argv[i], "--disk") ||
			    !strcmp(argv[i], "--cpus"))) {
			char *dst = !strcmp(argv[i], "--kernel")   ? kernel
				    : !strcmp(argv[i], "--initrd") ? initrd
								   : NULL;
			if (dst)
				snprintf(dst, PATH_MAX, "%s", argv[i + 1]);
			else if (!strcmp(argv[i], "--disk"))
				disk = argv[i + 1];
			else if (!strcmp(argv[i], "--cpus"))
				cpus = argv[i + 1]; /* checked by shikumi-vmm */
			else
				memory = argv[i + 1];
			i++;
		} else {
			err_set(0, "unknown option '%s' for vm (see shikumi vm --help)", argv[i]);
			return fail(125);
		}
	}
	if ((snapshot || from) && (disk || net_opt[0] || net_opt[1] || net_opt[2] || net_opt[3])) {
		err_set(0,
			"--snapshot and --from take no --disk or --net: the virtio devices' state "
			"is not in snapshots yet");
		return fail(125);
	}
	if (snapshot && from) {
		err_set(0, "--snapshot and --from: one at a time");
		return fail(125);
	}
	if ((snapshot || from) && forbidden) {
		err_set(0, "--debug-forbidden-syscall tests the jail, which --snapshot and --from "
			   "do not have yet");
		return fail(125);
	}
	if ((snapshot || from) && !jail) {
		err_set(0, "--no-jail: --snapshot and --from run the VMM unjailed anyway");
		return fail(125);
	}
	if (snapshot)
		jail = false; /* not yet: the snapshot is written by path (vmm_jail.c) */
	/* (--net bridge says itself that it needs root.) */
	bool net_asked = net_opt[0] || net_opt[1] || net_opt[2] || net_opt[3];
	if (jail && !from && !net_asked && geteuid() != 0) {
		err_set(0, "the VMM's jail (namespaces, pivot_root, a change of uid) needs root: "
			   "run as root, or give --no-jail");
		return fail(125);
	}
	if (snapshot && i < argc) {
		err_set(0, "--snapshot boots to a guest waiting for its command: give the command "
			   "to --from");
		return fail(125);
	}
	if (from) {
		/* The command travels on the console, not the kernel command line: as given. */
		if (snapshot_path(snapshot_dir, from, false, snap, sizeof(snap)) < 0)
			return fail(125);
		char *args[16 + 2];
		int n = 0;
		args[n++] = exe_sibling("shikumi-vmm", vmm, sizeof(vmm));
		args[n++] = "--restore";
		args[n++] = snap;
		args[n++] = "--kernel";
		args[n++] = kernel;
		n = vm_sizing_args(args, n, memory, cpus, timing);
		args[n++] = "--";
		args[n] = NULL;
		int extra = i < argc ? argc - i - 1 : 0;
		char **all = calloc((size_t)(n + extra + 1), sizeof(*all));
		if (!all) {
			err_set(ENOMEM, "out of memory");
			return fail(125);
		}
		memcpy(all, args, (size_t)n * sizeof(*all));
		for (int j = 0; j < extra; j++)
			all[n + j] = argv[i + 1 + j];
		execv(vmm, all);
		err_set(errno, "cannot run %s", vmm);
		return fail(125);
	}
	if (snapshot && snapshot_path(snapshot_dir, snapshot, true, snap, sizeof(snap)) < 0)
		return fail(125);
	static struct vm_net net;
	if (vm_net_parse(&net, net_opt[0], net_opt[1], net_opt[2], net_opt[3]) < 0)
		return fail(125);
	size_t len = (size_t)snprintf(cmdline, sizeof(cmdline), "%s", VM_DEFAULT_CMDLINE);
	/* The disk as /: no initramfs (the kernel would run its /init and never mount the disk),
	 * the image's own /init (rootfs/guest-init, as in the initramfs). A disk that is not found
	 * panics the kernel (status 120) rather than waiting for one (no rootwait). */
	if (disk) {
		size_t dl = strlen(disk);
		bool ro = dl > 3 && !strcmp(disk + dl - 3, ",ro");
		len += (size_t)snprintf(cmdline + len, sizeof(cmdline) - len,
					" root=/dev/vda rootfstype=ext4 init=/init %s",
					ro ? "ro" : "rw");
	}
	/* The guest's command, after "--", is put last, once the network's address is known;
	 * it is checked here, before anything is created. */
	static char command[4096];
	size_t clen = 0;
	if (i < argc && i + 1 < argc) {
		clen += (size_t)snprintf(command, sizeof(command), " --");
		for (int j = i + 1; j < argc && clen < sizeof(command); j++) {
			if (strchr(argv[j], '"')) {
				err_set(0,
					"a command for the VM cannot hold '\"' (it travels on the "
					"kernel command line)");
				return fail(125);
			}
			const char *q = strpbrk(argv[j], " \t") ? "\"" : "";
			clen += (size_t)snprintf(command + clen, sizeof(command) - clen, " %s%s%s",
						 q, argv[j], q);
		}
	}
	/* Room kept for the network's two words (at most 55 bytes). */
	if (len + clen + (net.on ? 64 : 0) >= sizeof(cmdline)) {
		err_set(0, "the command for the VM is too long");
		return fail(125);
	}
	/* The jail's files, opened here (as root) before anything else is made. */
	static struct vmm_jail j = {.exe_fd = -1, .cg.fd = -1};
	char *kernel_arg = kernel, *initrd_arg = initrd, *disk_arg = (char *)disk;
	static char disk_path[PATH_MAX], disk_fd_arg[32];
	exe_sibling("shikumi-vmm", vmm, sizeof(vmm));
	if (jail) {
		bool ro = false;
		if (disk) {
			size_t dl = strlen(disk);
			ro = dl > 3 && !strcmp(disk + dl - 3, ",ro");
			snprintf(disk_path, sizeof(disk_path), "%.*s", (int)(ro ? dl - 3 : dl),
				 disk);
			disk_arg = disk_path;
		}
		if (vmm_jail_init(&j, vmm, memory) < 0 ||
		    vmm_jail_file(&j, "the kernel", &kernel_arg, false) < 0 ||
		    (disk && vmm_jail_file(&j, "the disk", &disk_arg, !ro) < 0) ||
		    (!disk && vmm_jail_file(&j, "the initrd", &initrd_arg, false) < 0)) {
			vmm_jail_close(&j);
			return fail(125);
		}
		if (disk) {
			snprintf(disk_fd_arg, sizeof(disk_fd_arg), "%s%s", disk_arg,
				 ro ? ",ro" : "");
			disk_arg = disk_fd_arg;
		}
	}
	if (vm_net_setup(&net) < 0) {
		vmm_jail_close(&j);
		return fail(125);
	}
	vm_net_cmdline(&net, cmdline, sizeof(cmdline));
	strcat(cmdline, command);
	char *args[24];
	int n = 0;
	args[n++] = vmm;
	args[n++] = "--kernel";
	args[n++] = kernel_arg;
	if (disk) {
		args[n++] = "--disk";
		args[n++] = disk_arg;
	} else {
		args[n++] = "--initrd";
		args[n++] = initrd_arg;
	}
	if (forbidden)
		args[n++] = "--debug-forbidden-syscall";
	if (jail && j.pvm)
		args[n++] = "--kvm-pvm";
	if (jail) {
		args[n++] = "--seccomp-fd";
		args[n++] = j.seccomp_arg;
	}
	args[n++] = "--cmdline";
	args[n++] = cmdline;
	n = vm_sizing_args(args, n, memory, cpus, timing);
	if (snapshot) {
		args[n++] = "--snapshot";
		args[n++] = snap;
	}
	static char net_fd[64];
	if (net.on) {
		vm_net_fd_arg(&net, net_fd, sizeof(net_fd));
		args[n++] = "--net-fd";
		args[n++] = net_fd;
	}
	args[n] = NULL;
	if (jail || net.on) {
		int status = vmm_launch(args, &net, &j, timing);
		return status < 0 ? fail(125) : status;
	}
	execv(vmm, args);
	err_set(errno, "cannot run %s", vmm);
	return fail(125);
}

int main(int argc, char **argv)
{
	uint64_t t_start = timing_now();
	/* A copy: parsing the options writes into them (a volume's "SRC:DST" is cut at ':'). */
	program_argv = calloc((size_t)argc + 1, sizeof(char *));
	for (int i = 0; program_argv && i < argc; i++)
		if (!(program_argv[i] = strdup(argv[i]))) {
			fprintf(stderr, "shikumi: out of memory\n");
			return 125;
		}
	if (!program_argv) {
		fprintf(stderr, "shikumi: out of memory\n");
		return 125;
	}
	if (argc < 2) {
		usage(stderr);
		return 125;
	}
	const char *cmd = argv[1];
	if (oci_cmd_wanted(argc, argv))
		return oci_cmd_main(argc, argv);
	if (!strcmp(cmd, "run"))
		return cmd_run(argc - 1, argv + 1, t_start);
	if (!strcmp(cmd, "vm"))
		return cmd_vm(argc - 1, argv + 1);
	if (!strcmp(cmd, "compare"))
		return compare_main(argc - 1, argv + 1);
	if (!strcmp(cmd, "spec"))
		return cmd_spec(argc - 1, argv + 1);
	if (!strcmp(cmd, "rootfs-chown"))
		return cmd_rootfs_chown(argc - 1, argv + 1);
	if (!strcmp(cmd, "--help") || !strcmp(cmd, "-h") || !strcmp(cmd, "help")) {
		usage(stdout);
		return 0;
	}
	if (!strcmp(cmd, "--version") || !strcmp(cmd, "-V")) {
		printf("shikumi %s\n", SHIKUMI_VERSION);
		return 0;
	}
	err_set(0, "unknown command '%s' (see shikumi --help)", cmd);
	return fail(125);
}
