#include "cli.h"

#include "../common/err.h"
#include "../common/parse.h"

#include "virtio_net.h"

#include <errno.h>
#include <limits.h>
#include <getopt.h>
#include <stdlib.h>
#include <sys/random.h>
#include <string.h>

void vm_cli_help(FILE *f)
{
	fputs("Usage: shikumi-vmm --kernel BZIMAGE [--initrd FILE] [--cmdline STR] [OPTIONS]\n"
	      "       shikumi-vmm --tiny [--kernel tiny.bin|hostile.bin] [--disk FILE]\n"
	      "       shikumi-vmm --kernel BZIMAGE --initrd FILE --snapshot DIR [OPTIONS]\n"
	      "       shikumi-vmm --restore DIR [--kernel BZIMAGE] [OPTIONS] [-- CMD [ARG...]]\n"
	      "\n"
	      "A minimal virtual machine monitor on KVM: one thread per vCPU, the in-kernel\n"
	      "interrupt controllers and timer, an 8250 UART at 0x3f8 (IRQ 4) on this terminal.\n"
	      "\n"
	      "      --kernel FILE     a Linux bzImage (64-bit boot protocol 2.12+)\n"
	      "      --initrd FILE     an initramfs for it\n"
	      "      --cmdline STR     the kernel command line (default: console=ttyS0 quiet\n"
	      "                        reboot=k panic=-1 and options that skip slow probing)\n"
	      "      --memory SIZE     guest RAM (default 256M; K, M, G)\n"
	      "      --cpus N          vCPUs, 1 to 8 (default 1), announced to the guest in an\n"
	      "                        MP table (the kernel needs CONFIG_X86_MPPARSE and SMP)\n"
	      "      --disk FILE[,ro]  a disk image (a multiple of 512 bytes) as virtio-blk\n"
	      "                        over MMIO, /dev/vda in the guest; ,ro refuses writes\n"
	      "      --net-fd FD[,mac=XX:XX:XX:XX:XX:XX]\n"
	      "                        an open tap device (IFF_TAP|IFF_NO_PI, IFF_VNET_HDR\n"
	      "                        optional) as virtio-net over MMIO, eth0 in the guest;\n"
	      "                        the MAC is random (locally administered) unless given\n"
	      "      --tiny            boot the bare-metal guest build/guest/tiny.bin (or\n"
	      "                        --kernel): no interrupt controller, ends at its HLT;\n"
	      "                        --disk at 0xd0000000, --cmdline at 0x20000 for it\n"
	      "      --timing          print set-up, guest boot and user-space time, VM exits\n"
	      "                        by reason and memory use, on stderr\n"
	      "      --debug           report every access to an unknown port or MMIO address\n"
	      "      --debug-forbidden-syscall\n"
	      "                        once set up, call socket(2), which no VMM needs: a jailed\n"
	      "                        VMM (shikumi vm) is killed by its seccomp filter for it\n"
	      "      --kvm-pvm         take /dev/kvm as PVM's, as if /sys/module said so (shikumi\n"
	      "                        vm tells a jailed VMM, which has no /sys)\n"
	      "      --seccomp-fd FD   first of all, load the seccomp filter in FD (a BPF\n"
	      "                        program, as libseccomp exports one) and close FD\n"
	      "      --snapshot DIR    boot the guest (its /init in snapshot mode), and once it\n"
	      "                        is ready for a command, write DIR (guest memory as\n"
	      "                        DIR/mem, the vCPUs' and devices' state as DIR/state) and\n"
	      "                        exit 0; DIR must not exist; no --disk, --net-fd, --tiny\n"
	      "      --snapshot-timeout SECONDS\n"
	      "                        how long --snapshot waits for the guest (default 180)\n"
	      "      --restore DIR     resume the snapshot DIR instead of booting (its memory\n"
	      "                        mapped copy-on-write, nothing read up front), type\n"
	      "                        CMD on its console (quoted for sh -c), and exit with\n"
	      "                        its status; --kernel, --memory and --cpus, if given,\n"
	      "                        must be the snapshot's\n"
	      "  -h, --help / -V, --version\n"
	      "\n"
	      "Ctrl-A x stops the VM. Exit status: what the guest wrote to port 0x511 before\n"
	      "it rebooted (0 when it wrote nothing), 120 when the guest kernel panicked, 121\n"
	      "when a vCPU failed (triple fault), 125 when the VMM itself failed.\n",
	      f);
}

enum {
	OPT_KERNEL = 256,
	OPT_INITRD,
	OPT_CMDLINE,
	OPT_MEMORY,
	OPT_CPUS,
	OPT_DISK,
	OPT_NET_FD,
	OPT_TINY,
	OPT_TIMING,
	OPT_DEBUG,
	OPT_DEBUG_FORBIDDEN,
	OPT_KVM_PVM,
	OPT_SECCOMP_FD,
	OPT_SNAPSHOT,
	OPT_SNAPSHOT_TIMEOUT,
	OPT_RESTORE,
};

/* A decimal number from lo to hi, digits only (no sign, no space). */
static bool whole_number(const char *s, long lo, long hi, int *out)
{
	char *end;
	errno = 0;
	long n = strtol(s, &end, 10);
	if (errno || s[0] < '0' || s[0] > '9' || *end || n < lo || n > hi)
		return false;
	*out = (int)n;
	return true;
}

/* "DIR/" is DIR: the snapshot is written beside it, as DIR.tmp-..., and renamed to it. */
static char *trim_slashes(char *path)
{
	size_t n = strlen(path);
	while (n > 1 && path[n - 1] == '/')
		path[--n] = '\0';
	return path;
}

int vm_cli_parse(int argc, char **argv, struct vm_config *cfg, enum vm_action *action)
{
	static const struct option opts[] = {
	    {"kernel", required_argument, NULL, OPT_KERNEL},
	    {"initrd", required_argument, NULL, OPT_INITRD},
	    {"cmdline", required_argument, NULL, OPT_CMDLINE},
	    {"memory", required_argument, NULL, OPT_MEMORY},
	    {"cpus", required_argument, NULL, OPT_CPUS},
	    {"disk", required_argument, NULL, OPT_DISK},
	    {"net-fd", required_argument, NULL, OPT_NET_FD},
	    {"tiny", no_argument, NULL, OPT_TINY},
	    {"timing", no_argument, NULL, OPT_TIMING},
	    {"debug", no_argument, NULL, OPT_DEBUG},
	    {"debug-forbidden-syscall", no_argument, NULL, OPT_DEBUG_FORBIDDEN},
	    {"kvm-pvm", no_argument, NULL, OPT_KVM_PVM},
	    {"seccomp-fd", required_argument, NULL, OPT_SECCOMP_FD},
	    {"snapshot", required_argument, NULL, OPT_SNAPSHOT},
	    {"snapshot-timeout", required_argument, NULL, OPT_SNAPSHOT_TIMEOUT},
	    {"restore", required_argument, NULL, OPT_RESTORE},
	    {"help", no_argument, NULL, 'h'},
	    {"version", no_argument, NULL, 'V'},
	    {0},
	};
	*cfg = (struct vm_config){.cmdline = VM_DEFAULT_CMDLINE,
				  .memory = VM_DEFAULT_MEMORY,
				  .net_fd = -1,
				  .seccomp_fd = -1,
				  .cpus = 1,
				  .snapshot_timeout = 180};
	bool cmdline_set = false;
	*action = VM_RUN;
	optind = 0;
	opterr = 0;
	int c, r;
	uint64_t size;
	while ((c = getopt_long(argc, argv, "hV", opts, NULL)) != -1) {
		switch (c) {
		case OPT_KERNEL:
			cfg->kernel = optarg;
			break;
		case OPT_INITRD:
			cfg->initrd = optarg;
			break;
		case OPT_CMDLINE:
			cfg->cmdline = optarg;
			cmdline_set = true;
			break;
		case OPT_MEMORY:
			if ((r = parse_size(optarg, &size)) < 0)
				return err_wrap(r, "--memory");
			if (size < (2 << 20))
				return err_set(0, "invalid --memory '%s': at least 2M", optarg);
			cfg->memory = size & ~0xfffULL;
			cfg->memory_set = true;
			break;
		case OPT_CPUS: {
			int n;
			if (!whole_number(optarg, 1, VM_CPUS_MAX, &n))
				return err_set(0,
					       "invalid --cpus '%s': a whole number from 1 to %d",
					       optarg, VM_CPUS_MAX);
			cfg->cpus = n;
			cfg->cpus_set = true;
			break;
		}
		case OPT_DISK: {
			static char disk[4096]; /* the path without ",ro" */
			size_t len = strlen(optarg);
			if (len >= sizeof(disk))
				return err_set(0, "--disk: the path is too long");
			memcpy(disk, optarg, len + 1);
			cfg->disk_ro = len >= 3 && !strcmp(disk + len - 3, ",ro");
			if (cfg->disk_ro)
				disk[len - 3] = '\0';
			if (!disk[0])
				return err_set(0, "--disk needs a file");
			cfg->disk = disk;
			break;
		}
		case OPT_NET_FD: {
			bool has_mac;
			if ((r = virtio_net_parse(optarg, &cfg->net_fd, cfg->net_mac, &has_mac)) <
			    0)
				return r;
			if (has_mac)
				break;
			/* Random: locally administered (bit 1 set), unicast (bit 0 clear). */
			if (getrandom(cfg->net_mac, 6, 0) != 6)
				return err_set(errno, "cannot pick a random MAC address");
			cfg->net_mac[0] = (uint8_t)((cfg->net_mac[0] & 0xfc) | 2);
			break;
		}
		case OPT_TINY:
			cfg->tiny = true;
			break;
		case OPT_TIMING:
			cfg->timing = true;
			break;
		case OPT_DEBUG:
			cfg->debug = true;
			break;
		case OPT_DEBUG_FORBIDDEN:
			cfg->debug_forbidden = true;
			break;
		case OPT_KVM_PVM:
			cfg->kvm_pvm = true;
			break;
		case OPT_SECCOMP_FD: {
			int n;
			if (!whole_number(optarg, 3, INT_MAX, &n))
				return err_set(0, "invalid --seccomp-fd '%s': an open fd from 3 up",
					       optarg);
			cfg->seccomp_fd = n;
			break;
		}
		case OPT_SNAPSHOT:
			if (!optarg[0])
				return err_set(0, "--snapshot needs a directory");
			cfg->snapshot = trim_slashes(optarg);
			break;
		case OPT_SNAPSHOT_TIMEOUT: {
			char *end;
			errno = 0;
			long n = strtol(optarg, &end, 10);
			if (errno || optarg[0] < '0' || optarg[0] > '9' || *end || n < 1 ||
			    n > 3600)
				return err_set(
				    0,
				    "invalid --snapshot-timeout '%s': whole seconds, 1 to "
				    "3600",
				    optarg);
			cfg->snapshot_timeout = (int)n;
			break;
		}
		case OPT_RESTORE:
			if (!optarg[0])
				return err_set(0, "--restore needs a directory");
			cfg->restore = trim_slashes(optarg);
			break;
		case 'h':
			*action = VM_HELP;
			return 0;
		case 'V':
			*action = VM_VERSION;
			return 0;
		default:
			if (optopt >= OPT_KERNEL && optopt <= OPT_RESTORE)
				return err_set(0, "option '%s' needs a value", argv[optind - 1]);
			return err_set(0, "unknown option '%s' (see shikumi-vmm --help)",
				       argv[optind - 1]);
		}
	}
	if (cfg->restore) {
		if (cfg->snapshot)
			return err_set(0, "--restore and --snapshot: one at a time");
		if (cfg->tiny || cfg->initrd || cmdline_set || cfg->disk || cfg->net_fd >= 0)
			return err_set(0,
				       "--restore takes no --tiny, --initrd, --cmdline, --disk or "
				       "--net-fd: the snapshot is the whole machine (and has no "
				       "virtio devices)");
		cfg->command = argv + optind;
		cfg->ncommand = argc - optind;
		return 0;
	}
	if (optind < argc)
		return err_set(0, "unexpected argument '%s' (see shikumi-vmm --help)",
			       argv[optind]);
	if (cfg->snapshot && (cfg->tiny || cfg->disk || cfg->net_fd >= 0))
		return err_set(0, "--snapshot takes no --tiny, --disk or --net-fd: the virtio "
				  "devices' state is not in snapshots yet");
	if (!cfg->kernel && !cfg->tiny)
		return err_set(0, "missing --kernel BZIMAGE (or --tiny)");
	if (cfg->tiny && cfg->initrd)
		return err_set(0, "--initrd is for a Linux kernel, not --tiny");
	if (cfg->tiny && cfg->net_fd >= 0)
		return err_set(0, "--net-fd is for a Linux kernel, not --tiny");
	if (cfg->tiny && cfg->cpus > 1)
		return err_set(0, "--cpus is for a Linux kernel, not --tiny (it has no local APIC "
				  "to start the others with)");
	return 0;
}
