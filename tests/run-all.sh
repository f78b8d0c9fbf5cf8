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
# kernel locks up (status 119, see tests/testhost/run) is a fault of the emulation, not of
# the file's tests: that run's results are dropped, said so, and the file runs once more.
for t in tests/integration/testhost_*.sh; do
	read -ra opts <<<"$(sed -n 's/^# testhost: //p' "$t" | head -1)"
	for try in 1 2; do
		echo "== $t (in the test host${opts[*]:+ ${opts[*]}}) [$(since)]"
		mark=$(wc -l <"$RESULTS")
		tests/testhost/run --timeout 900 "${opts[@]}" -- bash "$t"
		rc=$?
		[ "$rc" = 119 ] && [ "$try" = 1 ] || break
		echo "== the test host's kernel locked up: its results for $t are dropped; once more in a fresh one"
		head -n "$mark" "$RESULTS" >"$RESULTS.keep" && mv "$RESULTS.keep" "$RESULTS"
	done
	if [ "$rc" != 0 ]; then
		echo "FAIL - the test host run of $t ended with status $rc"
		echo "fail the test host run of $t ended with status $rc" >>"$RESULTS"
	fi
done

passed=$(grep -c '^pass$' "$RESULTS")
failed=$(grep -c '^fail' "$RESULTS")
echo
echo "== done [$(since)]"
# The failures again, together, so that the end of a long log tells what went wrong.
grep '^fail' "$RESULTS" | sed 's/^fail /FAILED: /'
echo "$passed passed, $failed failed"
[ "$failed" = 0 ] && [ "$passed" -gt 0 ]
