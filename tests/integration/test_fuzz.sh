#!/bin/bash
# Short libFuzzer runs over the kernel loaders (bzImage and vmlinux) (tests/fuzz/fuzz_bzimage.c), seeded with the
# head of the real guest kernel: no crash, no sanitizer report, no broken promise of the
# loader for FUZZ_SECONDS (default 15); then over the virtqueue (tests/fuzz/fuzz_virtq.c) and
# the OCI config.json reader (tests/fuzz/fuzz_oci_config.c, seeded with `shikumi spec`'s
# output), 30 s each as their issues ask (or FUZZ_SECONDS when given). `make fuzz
# FUZZ_SECONDS=600` runs all three longer.
. "$(dirname "$0")/lib.sh"

# fuzz WHAT BINARY CORPUS SECONDS LOG [OPTION...]: one libFuzzer run, its findings shown,
# and two checks: it ended without a finding, and it really ran.
fuzz() {
	local what=$1 bin=$2 dir=$3 secs=$4 log=$5 rc runs
	shift 5
	"$bin" -artifact_prefix="$BUILD/fuzz/" -max_total_time="$secs" -timeout=5 -print_final_stats=1 \
		"$@" "$dir" >"$log" 2>&1
	rc=$?
	grep -E '^(SUMMARY|==[0-9]+==|artifact_prefix|.*Test unit written)' "$log" | sed 's/^/  /'
	expect_eq "the $what fuzzer ran ${secs}s without a crash or a broken promise" 0 "$rc"
	runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")
	expect_true "the $what fuzzer really ran (${runs:-0} inputs)" test "${runs:-0}" -gt 1000
}
F="$BUILD/fuzz/fuzz_bzimage"
seconds=${FUZZ_SECONDS:-15}
oci_seconds=${FUZZ_SECONDS:-30}
vq_seconds=${FUZZ_SECONDS:-30}
corpus="$BUILD/fuzz/corpus"
mkdir -p "$corpus"
# A seed: 256 MiB, a 1 MiB initrd, a 64-byte command line, then the real kernel's setup code
# and 4 KiB of its payload, with the header's payload size (0x1f4, in 16-byte units) cut to
# match, so that the seed passes every check and the fuzzer starts from the deep paths.
K="$BUILD/guest/bzImage"
if [ -f "$K" ]; then
	sects=$(od -An -tu1 -j $((0x1f1)) -N1 "$K" | tr -d ' ')
	setup=$(((${sects:-4} + 1) * 512))
	seed="$corpus/seed-guest-kernel"
	{
		printf '\x00\x01\x00\x00\x10\x00\x40\x00'
		head -c $((setup + 4096)) "$K"
	} >"$seed"
	printf '\x00\x01\x00\x00' | dd of="$seed" bs=1 seek=$((8 + 0x1f4)) conv=notrunc 2>/dev/null
fi
# And the head of the minimal kernel's vmlinux (ELF header and program headers), for the
# vmlinux loader.
if [ -f "$BUILD/guest/vmlinux-mini" ]; then
	{
		printf '\x00\x01\x00\x00\x10\x00\x40\x00'
		head -c 4096 "$BUILD/guest/vmlinux-mini"
	} >"$corpus/seed-vmlinux"
fi
fuzz kernel-loader "$F" "$corpus" "$seconds" "$BUILD/fuzz/last-run.log" -max_len=16384
# The virtqueue fuzzer (tests/fuzz/fuzz_virtq.c), seeded with a well-formed queue: 4 entries,
# descriptors at 0, the available ring at 0x40, the used ring at 0x80, and one chain (a
# 16-byte readable buffer, then a 64-byte writable one) made available, so that the fuzzer
# starts from a chain the device takes.
VQ="$BUILD/fuzz/fuzz_virtq"
vq_corpus="$BUILD/fuzz/corpus-virtq"
mkdir -p "$vq_corpus"
seed="$vq_corpus/seed-one-chain"
{
	printf '\x04\x00\x00\x00\x00\x00\x40\x00\x00\x00\x80\x00\x00\x00\x00\x00'
	printf '\x00\x02\x00\x00\x00\x00\x00\x00\x10\x00\x00\x00\x01\x00\x01\x00'
	printf '\x00\x04\x00\x00\x00\x00\x00\x00\x40\x00\x00\x00\x02\x00\x00\x00'
	head -c $((0x40 - 32)) /dev/zero
	printf '\x00\x00\x01\x00\x00\x00'
	head -c $((2048 - 0x46)) /dev/zero
} >"$seed"
# In the background, beside the config.json fuzzer below: one core each (make check's time).
fuzz virtqueue "$VQ" "$vq_corpus" "$vq_seconds" "$BUILD/fuzz/last-run-virtq.log" -max_len=16384 &
vq_job=$!
# The seed must reach the deep paths: shikumi-vmm accepts the same bytes as a kernel (on a
# machine without KVM it then stops at /dev/kvm, after every check of the image).
if [ -f "$K" ] && [ ! -e /dev/kvm ]; then
	tail -c +9 "$corpus/seed-guest-kernel" >"$BUILD/fuzz/seed.bzImage"
	expect_match "the seed passes every check of the loader" "offers no KVM" \
		"$("$BUILD/shikumi-vmm" --kernel "$BUILD/fuzz/seed.bzImage" 2>&1)"
fi

# The config.json reader: seeds are shikumi spec's two configs and a fuller one.
O="$BUILD/fuzz/fuzz_oci_config"
ocorpus="$BUILD/fuzz/corpus-oci"
mkdir -p "$ocorpus"
seeddir=$(mktemp -d)
(cd "$seeddir" && "$BUILD/shikumi" spec && mv config.json "$ocorpus/seed-spec.json" &&
	"$BUILD/shikumi" spec --rootless && mv config.json "$ocorpus/seed-spec-rootless.json")
rmdir "$seeddir"
jq '.process.rlimits=[{"type":"RLIMIT_NOFILE","soft":10,"hard":20}] | .process.user.additionalGids=[1,2]
	| .mounts+=[{"destination":"/data","type":"bind","source":"d","options":["rbind","ro"]}]
	| .linux.resources={"memory":{"limit":67108864},"cpu":{"quota":5000,"period":10000,"shares":512},"pids":{"limit":9}}' \
	"$ocorpus/seed-spec.json" >"$ocorpus/seed-full.json"
fuzz config.json "$O" "$ocorpus" "$oci_seconds" "$BUILD/fuzz/last-run-oci.log" -max_len=8192 \
	-dict=tests/fuzz/oci_config.dict
wait "$vq_job"
