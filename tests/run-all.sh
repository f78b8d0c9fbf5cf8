#!/bin/bash
# Runs every test: the cmocka unit tests, each tests/integration/test_*.sh on this machine,
# then every tests/integration/testhost_*.sh in a test host of its own. Each file's header
# shows the minutes and seconds since the start. Ends by naming every check that failed, then
# one line "N passed, N failed", and exits non-zero when anything failed.
# Usage: tests/run-all.sh BUILD
set -u
BUILD=$(cd "${1:-build}" && pwd)
export BUILD
cd "$(dirname "$0")/.."
# In the build folder, so that tests running inside the test host can add to it.
RESULTS="$BUILD/test-results.txt"
: >"$RESULTS"
export RESULTS

. tests/integration/lib.sh
since() { printf '%d:%02d' $((SECONDS / 60)) $((SECONDS % 60)); }
echo "== unit tests"
for t in "$BUILD"/tests/test_*; do
	[ -x "$t" ] && run_cmocka "$t"
done

# The tests that need neither KVM nor cgroup v2 controllers, on this machine.
for t in tests/integration/test_*.sh; do
	echo "== $t [$(since)]"
	timeout -s KILL 900 bash "$t" || { [ $? = 137 ] && echo "FAIL - $t timed out" && echo "fail $t timed out" >>"$RESULTS"; }
done

# Every test that needs /dev/kvm or cgroup v2 controllers, in the test host: a fresh boot
# for each file (about 7 s each). One boot for all of them soft-locked the test host's
# kernel after many nested VM boots (KVM nested in QEMU's emulation); fresh boots keep each
# file's load, and a lock-up's damage, to itself. A file may choose its test host's options
# with a line "# testhost: OPTIONS" (the files that boot VMs ask for one vCPU). A test host whose
# kernel locks up or that freezes (status 119, see tests/testhost/run) is a fault of the emulation, not of
# the file's tests: that run's results are dropped, said so, and the file runs once more.
#
# Each file writes its results and its log to files of its own (build/testhost-results/),
# shown when it ends, so that files can run side by side. A file with a line
# "# testhost-parallel: MINUTES" (how long it takes) may: its test host has one vCPU, it
# measures nothing against the machine's own CPUs, and it writes nothing outside its test
# host's /tmp. Those run TESTHOST_LANES at a time (default 2, 1 on a one-CPU machine),
# longest first, after the others have run one by one.
lanes=${TESTHOST_LANES:-$(($(nproc) < 2 ? 1 : 2))}
outdir="$BUILD/testhost-results"
rm -rf "$outdir"
mkdir -p "$outdir"

# testhost_file FILE: runs it (twice on a lock-up) with its results in $outdir/NAME.results.
testhost_file() {
	local t=$1 name try rc opts
	name=$(basename "$t" .sh)
	export RESULTS="$outdir/$name.results"
	read -ra opts <<<"$(sed -n 's/^# testhost: //p' "$t" | head -1)"
	for try in 1 2; do
		echo "== $t (in the test host${opts[*]:+ ${opts[*]}}) [$(since)]"
		: >"$RESULTS"
		tests/testhost/run --timeout 900 "${opts[@]}" -- bash "$t"
		rc=$?
		[ "$rc" = 119 ] && [ "$try" = 1 ] || break
		echo "== the test host locked up or froze: its results for $t are dropped; once more in a fresh one"
	done
	if [ "$rc" != 0 ]; then
		echo "FAIL - the test host run of $t ended with status $rc"
		echo "fail the test host run of $t ended with status $rc" >>"$RESULTS"
	fi
	echo "== $t ended [$(since)]"
}
# Shows a finished file's log and counts its results.
testhost_done() {
	cat "$outdir/$1.log"
	cat "$outdir/$1.results" >>"$RESULTS" 2>/dev/null
}
alone=() side=()
for t in tests/integration/testhost_*.sh; do
	minutes=$(sed -n 's/^# testhost-parallel: \([0-9]\+\).*/\1/p' "$t" | head -1)
	if [ -n "$minutes" ]; then side+=("$minutes $t"); else alone+=("$t"); fi
done
for t in "${alone[@]}"; do
	name=$(basename "$t" .sh)
	(testhost_file "$t") >"$outdir/$name.log" 2>&1
	testhost_done "$name"
done
declare -A job_name=()
while read -r _ t; do
	[ -n "$t" ] || continue
	if [ "${#job_name[@]}" -ge "$lanes" ]; then
		wait -n -p ended "${!job_name[@]}"
		testhost_done "${job_name[$ended]}"
		unset "job_name[$ended]"
	fi
	name=$(basename "$t" .sh)
	(testhost_file "$t") >"$outdir/$name.log" 2>&1 &
	job_name[$!]=$name
done < <(printf '%s\n' "${side[@]}" | sort -k1,1nr -k2,2)
while [ "${#job_name[@]}" -gt 0 ]; do
	wait -n -p ended "${!job_name[@]}"
	testhost_done "${job_name[$ended]}"
	unset "job_name[$ended]"
done

passed=$(grep -c '^pass$' "$RESULTS")
failed=$(grep -c '^fail' "$RESULTS")
echo
echo "== done [$(since)]"
# The failures again, together, so that the end of a long log tells what went wrong.
grep '^fail' "$RESULTS" | sed 's/^fail /FAILED: /'
echo "$passed passed, $failed failed"
[ "$failed" = 0 ] && [ "$passed" -gt 0 ]
