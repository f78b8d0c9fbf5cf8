#!/bin/bash
# Runs, inside the test host, every test that needs KVM or cgroup v2 controllers: one boot
# for all of them. Results go to $RESULTS, which lives in the shared checkout.
cd "$(dirname "$0")/.."
for t in tests/integration/testhost_*.sh; do
	echo "== $t (in the test host)"
	bash "$t"
done
