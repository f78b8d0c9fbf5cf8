#!/bin/bash
# Benchmark (not a test): what the VMM's jail costs a boot (issue 19's target: at most 5%).
# `shikumi vm -- true` jailed and with --no-jail, the same minimal kernel and initramfs, timed
# by hyperfine in one run; prints the medians and their ratio.
# Without hardware KVM here it runs itself inside the test host (KVM nested in QEMU's
# emulation: only the ratio means something there, not the absolute times).
# Usage: tests/bench/bench-jail.sh BUILD [RUNS]
set -eu
BUILD=$(cd "${1:-build}" && pwd)
RUNS=${2:-10}
here=$(cd "$(dirname "$0")" && pwd)
if [ ! -e /dev/kvm ] || { [ -e /sys/module/kvm_pvm ] && [ ! -e /sys/module/kvm_amd ] && [ ! -e /sys/module/kvm_intel ]; }; then
	echo "bench-jail: no hardware KVM here; running inside the test host (tests/testhost/run)" >&2
	exec "$here/../testhost/run" --smp 1 --timeout 1500 -- bash "$here/bench-jail.sh" "$BUILD" "$RUNS"
fi
command -v hyperfine >/dev/null || { echo "bench-jail: hyperfine is missing (make bench-deps)" >&2; exit 1; }
S="$BUILD/shikumi"
K="$BUILD/guest/bzImage-mini"
jailed="$S vm --kernel $K -- true"
plain="$S vm --no-jail --kernel $K -- true"
for cmd in "$jailed" "$plain"; do
	$cmd </dev/null >/dev/null 2>&1 || { echo "bench-jail: did not boot and exit 0: $cmd" >&2; exit 1; }
done
mkdir -p "$BUILD/bench"
csv="$BUILD/bench/jail.csv"
# As bench-vm.sh: the pages the previous guest ran from are written once before each run.
wash="dd if=/dev/zero of=/dev/null bs=128M count=1 status=none"
hyperfine -N --warmup 1 --runs "$RUNS" --export-csv "$csv" --prepare "$wash" \
	-n jailed "$jailed" -n no-jail "$plain"
echo
echo "median boot to exit ($RUNS runs each, one hyperfine run, $(uname -r)):"
awk -F, 'NR > 1 { med[$1] = $4 }
	END {
		printf "  jailed    %9.1f ms\n  no-jail   %9.1f ms\n", med["jailed"] * 1000, med["no-jail"] * 1000
		printf "  jailed / no-jail  %.3f   (target <= 1.05)\n", med["jailed"] / med["no-jail"]
	}' "$csv"
