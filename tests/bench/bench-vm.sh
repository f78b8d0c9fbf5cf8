#!/bin/bash
# Benchmark (not a test): boot the same kernel and initramfs to /init and power off with
# shikumi-vmm and with QEMU's microvm machine, timed by hyperfine in one run, and print the
# median ratio (target: shikumi-vmm at most 0.5x QEMU) and the VMM's own memory overhead; and
# the same boot on two vCPUs (--cpus 2) against one (target: at most 1.3x).
# The test host has one CPU, as before (with two it soft-locked in this benchmark once, in the
# first row); BENCH_VM_SMP=2 gives it two, so that the --cpus 2 row's vCPUs run side by side.
# Without /dev/kvm here it runs itself inside the test host (KVM nested in QEMU's emulation:
# there only the ratio means something, not the absolute times).
# Usage: tests/bench/bench-vm.sh BUILD [RUNS]
set -eu
BUILD=$(cd "${1:-build}" && pwd)
RUNS=${2:-10}
here=$(cd "$(dirname "$0")" && pwd)
# PVM's /dev/kvm (kvm_pvm, KVM without VT-x/AMD-V) boots no stock kernel: the test host too.
if [ ! -e /dev/kvm ] || { [ -e /sys/module/kvm_pvm ] && [ ! -e /sys/module/kvm_amd ] && [ ! -e /sys/module/kvm_intel ]; }; then
	echo "bench-vm: no hardware KVM here; running inside the test host (tests/testhost/run)" >&2
	exec "$here/../testhost/run" --smp "${BENCH_VM_SMP:-1}" --timeout 1500 -- bash "$here/bench-vm.sh" "$BUILD" "$RUNS"
fi
for tool in hyperfine qemu-system-x86_64; do
	command -v $tool >/dev/null || { echo "bench-vm: $tool is missing (make bench-deps)" >&2; exit 1; }
done
V="$BUILD/shikumi-vmm"
I="$BUILD/initramfs.cpio.gz"
# Both monitors get the same file: the minimal kernel's vmlinux (QEMU enters it through its
# PVH note, shikumi-vmm at its ELF entry), so neither runs a decompressor.
K="$BUILD/guest/vmlinux-mini"
for f in "$V" "$I" "$K"; do
	[ -f "$f" ] || { echo "bench-vm: $f is missing (make bench-vm builds them)" >&2; exit 1; }
done
# One command line for both. reboot=t: QEMU's microvm has no i8042 to pulse, a triple fault
# resets either machine (-no-reboot makes QEMU exit on it).
cmdline="console=ttyS0 quiet reboot=t panic=-1 pci=off acpi=off tsc=reliable no_timer_check lpj=1000000 -- true"
qemu="qemu-system-x86_64 -M microvm,x-option-roms=off,rtc=off,isa-serial=on -enable-kvm -cpu host"
qemu="$qemu -m 256M -smp 1 -nodefaults -no-user-config -display none -no-reboot -serial stdio"
vmm_cmd="timeout 120 $V --kernel $K --initrd $I --memory 256M --cmdline '$cmdline'"
qemu_cmd="timeout 120 $qemu -kernel $K -initrd $I -append '$cmdline'"
smp_cmd="$vmm_cmd --cpus 2"

# Each must really boot to /init and come back with status 0 before it is timed.
for name in shikumi-vmm qemu-microvm shikumi-vmm-cpus2; do
	cmd=$vmm_cmd
	[ $name = qemu-microvm ] && cmd=$qemu_cmd
	[ $name = shikumi-vmm-cpus2 ] && cmd=$smp_cmd
	if ! eval "$cmd" </dev/null >/dev/null 2>&1; then
		echo "bench-vm: $name did not boot the guest and power off cleanly: $cmd" >&2
		exit 1
	fi
done

out="$BUILD/bench"
mkdir -p "$out"
csv="$out/vm.csv"
# Before each run, 128 MiB written and freed (dd's one buffer; shikumi compare does the same):
# under emulation, the first write to the pages the previous guest ran from is slow (measured
# in the test host: 15 MB copied in 65 ms, or in about 1 s right after a VM ended, whoever
# writes). Without it each run pays about a second for the run before it, which says nothing
# about either monitor; on a real machine it costs a few milliseconds, outside the timed run.
wash="dd if=/dev/zero of=/dev/null bs=128M count=1 status=none"
hyperfine -N --warmup 1 --runs "$RUNS" --export-csv "$csv" --prepare "$wash" \
	-n shikumi-vmm "$vmm_cmd" -n qemu-microvm "$qemu_cmd" -n shikumi-vmm-cpus2 "$smp_cmd"
echo
echo "shikumi-vmm's own account of one boot (--timing):"
$wash >/dev/null
eval "$vmm_cmd --timing" </dev/null 2>&1 >/dev/null | tr -d '\r' | grep -E '^(timing|exits|memory):' | sed 's/^/  /'
echo
echo "median boot-to-power-off ($RUNS runs each, one hyperfine run, $(uname -r)):"
awk -F, 'NR > 1 { med[$1] = $4; order[n++] = $1 }
	END {
		for (i = 0; i < n; i++) printf "  %-17s %9.1f ms\n", order[i], med[order[i]] * 1000
		printf "ratio shikumi-vmm/qemu-microvm %.2f   (target <= 0.50)\n", med["shikumi-vmm"] / med["qemu-microvm"]
		printf "ratio --cpus 2/--cpus 1        %.2f   (target <= 1.30)\n", med["shikumi-vmm-cpus2"] / med["shikumi-vmm"]
	}' "$csv"
