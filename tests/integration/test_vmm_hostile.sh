#!/bin/bash
# A hostile guest against shikumi-vmm (issue 21, "Bad input and hostile guests"): the bare-metal
# guest vmm/guest/hostile.c writes random values to every virtio-mmio register, builds lying
# virtqueues (descriptors outside RAM, huge lengths, loops, indices past the ring) and kicks
# them, and hits the UART, i8042, CMOS, marker and unknown ports and unmapped MMIO, for
# HOSTILE_SECONDS (default 10) of the guest's CMOS clock. The VMM, built with ASan and UBSan,
# must neither crash nor hang, must not grow or (read-only) change the disk, must report what
# it refused, and the device must work again once the guest resets it.
# The tiny guest needs no more than a CPU, so this runs on this machine's PVM /dev/kvm as under
# hardware KVM; where there is no /dev/kvm at all, the file runs itself in the test host.
# A failure names its seed: HOSTILE_SEED=N repeats the same accesses (with the guest's
# "rounds" from the log: the clock decides how many rounds fit in the time).
. "$(dirname "$0")/lib.sh"
if [ ! -e /dev/kvm ] && [ -z "${HOSTILE_IN_TESTHOST:-}" ]; then
	tests=$(cd "$(dirname "$0")/../.." && pwd)/tests
	"$tests/testhost/run" --timeout 600 --smp 1 -- env HOSTILE_IN_TESTHOST=1 BUILD="$BUILD" \
		RESULTS="$RESULTS" bash "$tests/integration/$(basename "$0")"
	expect_eq "the hostile guest's tests ran in the test host (no /dev/kvm here)" 0 "$?"
	exit 0
fi
V="$BUILD/shikumi-vmm"
A="$BUILD/tests/shikumi-vmm-asan"
G="$BUILD/guest/hostile.bin"
SEED=${HOSTILE_SEED:-$((RANDOM * 32768 + RANDOM))}
SECONDS_RUN=${HOSTILE_SECONDS:-10}
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
# ASan's leak check is off: the VMM's allocations live as long as the process, by design.
export ASAN_OPTIONS=detect_leaks=0 UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1
head -c 2M /dev/urandom >"$T/disk.img"
cp "$T/disk.img" "$T/disk.orig"
# hostile VMM GUEST-ARGS VMM-ARGS...: the guest's console (stdout) and the VMM's report
# (stderr) in $T/out and $T/err, the status in $rc, the wall time in $took (seconds).
hostile() {
	local vmm=$1 args=$2
	shift 2
	local t0=$SECONDS
	timeout -s KILL $((SECONDS_RUN + 60)) "$vmm" --tiny --kernel "$G" --memory 32M \
		--cmdline "seed=$SEED $args" "$@" >"$T/out" 2>"$T/err"
	rc=$?
	took=$((SECONDS - t0))
	tr -d '\r' <"$T/out" | grep -a '^hostile:' >"$T/guest"
}

# 1. The sanitizer build, a writable disk, the whole time.
hostile "$A" "seconds=$SECONDS_RUN" --disk "$T/disk.img" --timing
guest=$(cat "$T/guest")
err=$(cat "$T/err")
expect_eq "seed $SEED: the ASan/UBSan VMM survives ${SECONDS_RUN} s of a hostile guest: status 0" 0 "$rc"
expect_true "seed $SEED: ... and does not hang (${took} s for ${SECONDS_RUN} s of guest time)" \
	test "$took" -le $((SECONDS_RUN + 30))
expect_true "seed $SEED: ... no sanitizer report" \
	bash -c "! grep -qE 'AddressSanitizer|runtime error|LeakSanitizer' '$T/err'"
expect_match "seed $SEED: the guest kicked lying rings" 'done: [0-9]+ rounds, .* [1-9][0-9]* kicks of [1-9][0-9]* random descriptors' "$guest"
expect_match "seed $SEED: the device works again after a reset" 'every device came back after a reset' "$guest"
expect_match "seed $SEED: the VMM reports the rules broken (NEEDS_RESET)" \
	'virtio-blk: refused [1-9][0-9]* time\(s\) .* needing a reset; the first: virtio-blk queue' "$err"
expect_match "seed $SEED: ... the register accesses it ignored" \
	'virtio-blk: ignored [0-9]+ register accesses .*, [1-9][0-9]* writes to read-only' "$err"
expect_match "seed $SEED: ... the requests it served and refused" \
	'virtio-blk: [1-9][0-9]* requests: [0-9]+ reads, [0-9]+ writes, [0-9]+ flushes, [1-9][0-9]* answered with an error' "$err"
expect_match "seed $SEED: ... and the accesses no device claimed" \
	'exits: .*other ports [1-9][0-9]*, other mmio [1-9][0-9]*, hlt 1, shutdown 0' "$err"
expect_eq "seed $SEED: the disk image kept its size (nothing written past its end)" \
	"$(stat -c %s "$T/disk.orig")" "$(stat -c %s "$T/disk.img")"

# 2. The VMM as shipped, the disk read-only: not one byte of it changes, and sector 0 reads
# the same before and after (the guest compares; here against the file).
cp "$T/disk.orig" "$T/disk.img"
hostile "$V" "seconds=$((SECONDS_RUN / 5))" --disk "$T/disk.img,ro" --timing
guest=$(cat "$T/guest")
expect_eq "seed $SEED: the static VMM, a read-only disk: status 0" 0 "$rc"
expect_true "seed $SEED: ... the disk image is unchanged" cmp -s "$T/disk.orig" "$T/disk.img"
first=$(od -An -tx8 -N8 "$T/disk.orig" | tr -d ' ')
expect_match "seed $SEED: ... sector 0 as the file has it, after the attack too" \
	"after, virtio-blk at 0x0*d0000000 read sector 0: status 0, first bytes 0x$first" "$guest"
expect_match "seed $SEED: ... and no write done (each answered with an error status)" \
	'virtio-blk: [1-9][0-9]* requests: [0-9]+ reads, 0 writes,' "$(cat "$T/err")"

# 3. A run repeats from its seed: the same rounds make the same accesses and meet the same
# refusals.
hostile "$V" "rounds=10" --disk "$T/disk.orig,ro"
one=$(grep 'done:' "$T/guest")
hostile "$V" "rounds=10" --disk "$T/disk.orig,ro"
expect_match "seed $SEED: 10 rounds: status 0" '^0$' "$rc"
expect_eq "seed $SEED: ... the same seed and rounds make the same run" "$one" "$(grep 'done:' "$T/guest")"

# 4. Without a disk the guest attacks empty MMIO pages and the ports: nothing to refuse but
# the accesses no device claimed.
hostile "$V" "rounds=10" --timing
expect_eq "seed $SEED: no devices at all: status 0" 0 "$rc"
expect_match "seed $SEED: ... every access to an empty page counted" \
	'other mmio [1-9][0-9]*' "$(cat "$T/err")"
