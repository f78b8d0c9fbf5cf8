#!/bin/bash
# Runs every test: the cmocka unit tests, each tests/integration/test_*.sh on this machine,
# then every tests/integration/testhost_*.sh in one boot of the test host. Ends with one line "N passed, N failed" and exits non-zero when anything failed.
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
echo "== unit tests"
for t in "$BUILD"/tests/test_*; do
	[ -x "$t" ] && run_cmocka "$t"
done

# The tests that need neither KVM nor cgroup v2 controllers, on this machine.
for t in tests/integration/test_*.sh; do
	echo "== $t"
	timeout -s KILL 900 bash "$t" || { [ $? = 137 ] && echo "FAIL - $t timed out" && echo fail >>"$RESULTS"; }
done

# Every test that needs /dev/kvm or cgroup v2 controllers, in one boot of the test host.
if ls tests/integration/testhost_*.sh >/dev/null 2>&1; then
	echo "== booting the test host"
	tests/testhost/run --timeout 1500 -- tests/run-inside.sh
	rc=$?
	if [ "$rc" != 0 ]; then
		echo "FAIL - the test host run ended with status $rc"
		echo fail >>"$RESULTS"
	fi
fi

passed=$(grep -c '^pass$' "$RESULTS")
failed=$(grep -c '^fail$' "$RESULTS")
echo
echo "$passed passed, $failed failed"
[ "$failed" = 0 ] && [ "$passed" -gt 0 ]
