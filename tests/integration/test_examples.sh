#!/bin/bash
# The classroom lessons (examples/) that need neither KVM nor cgroup controllers, on this
# machine; the others run in the test host (testhost_examples.sh, testhost_examples_vm.sh).
# A lesson whose claim no longer holds exits non-zero, and fails here.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lessons.sh"
E="$(cd "$(dirname "$0")/../../examples" && pwd)"

# The lessons' own machinery: a claim that does not hold makes the lesson fail.
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
cat >"$T/selftest.sh" <<EOT
. "$E/lib.sh"
claim "true holds" true
claim "false does not" false
finish
EOT
out=$(bash "$T/selftest.sh" 2>&1)
rc=$?
expect_eq "a lesson with a claim that does not hold exits 1" 1 "$rc"
expect_match "... and says which" "✘ false does not" "$out"
expect_match "... and how many" "1 of 2 claims did not hold" "$out"

for lesson in "$E"/[0-9]*.sh; do
	grep -q '^needs ' "$lesson" && continue
	run_lesson "$lesson"
done
