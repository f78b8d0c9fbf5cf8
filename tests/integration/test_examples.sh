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
out=$(bash "$T/selftest.sh" --lang en 2>&1 </dev/null)
rc=$?
expect_eq "a lesson with a claim that does not hold exits 1" 1 "$rc"
expect_match "... and says which" "✘ false does not" "$out"
expect_match "... and how many" "1 of 2 claims did not hold" "$out"

for lesson in "$E"/[0-9]*.sh; do
	grep -qE '^needs (kvm|cgroup)' "$lesson" && continue # those run in the test host
	run_lesson "$lesson"
done

# examples/run-all.sh: every lesson this machine can show, then a table with one row each.
out=$(timeout -s KILL 600 bash "$E/run-all.sh" --fast --lang en </dev/null 2>/dev/null)
rc=$?
expect_eq "run-all.sh: every lesson it ran held its claims (status 0)" 0 "$rc"
table=$(sed -n '/^== Every lesson ==/,$p' <<<"$out")
expect_match "... and it ends with the table's header" "^lesson +chapter +claims held +where" "$(sed -n 2p <<<"$table")"
for lesson in "$E"/[0-9]*.sh; do
	name=$(basename "$lesson")
	ch=$(sed -n 's/^# Lesson [0-9]* (chapters\{0,1\} \([0-9-]*\).*/\1/p' "$lesson")
	row=$(grep "^$name " <<<"$table")
	if grep -qE '^needs (kvm|cgroup)' "$lesson"; then
		expect_match "... $name: skipped, with the command that runs it in the test host" \
			"^$name +chapter $ch +- +test host: tests/testhost/run .*-- .*examples/$name\$" "$row"
	else
		# N/N, N the claims the lesson makes when it runs by itself (test above, same machine).
		n=$(grep -cE '^claim ' "$lesson")
		expect_match "... $name: chapter $ch, all $n claims held, here" "^$name +chapter $ch +$n/$n +here\$" "$row"
	fi
done
