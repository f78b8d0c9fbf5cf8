#!/bin/bash
# The test host harness itself, from outside: statuses, failures, bad input.
. "$(dirname "$0")/lib.sh"
T=tests/testhost/run

out=$($T --bogus -- true 2>&1)
expect_eq "unknown option: exit 2" "2" "$?"
expect_match "unknown option is named" "unknown option '--bogus'" "$out"
out=$($T 2>&1)
expect_match "no COMMAND is refused" 'no COMMAND' "$out"
out=$(PATH=/nonexistent /bin/bash $T -- true 2>&1)
expect_eq "no QEMU: exit 122" "122" "$?"
expect_match "no QEMU: names the package" 'apt-get install qemu-system-x86' "$out"
out=$($T --timeout 120 --smp 1 -- sh -c 'echo inside-$(uname -r); echo cpus=$(nproc) lockup-panic=$(cat /proc/sys/kernel/softlockup_panic) thresh=$(cat /proc/sys/kernel/watchdog_thresh); exit 42' 2>&1)
expect_eq "the command's status comes back" "42" "$?"
expect_match "its output is streamed" '^inside-.*-amd64$' "$out"
expect_match "--smp 1: one CPU inside" 'cpus=1 ' "$out"
expect_match "a soft lock-up would panic it, after 60 s stuck (watchdog_thresh 30)" 'lockup-panic=1 thresh=30$' "$out"
expect_match "and nothing of the firmware's" '^inside-' "$(echo "$out" | head -1)"
out=$($T --timeout 120 -- no-such-command-xyz 2>&1)
expect_eq "a command not found inside: 127" "127" "$?"
expect_match "a command not found inside: named" 'no-such-command-xyz' "$out"
out=$($T --timeout 2 -- true 2>&1)
expect_eq "past the timeout: 124" "124" "$?"
expect_match "past the timeout: said" 'timed out after 2s' "$out"
out=$($T --timeout 120 --append rdinit=/nonexistent -- true 2>&1)
expect_eq "a kernel panic: 120" "120" "$?"
expect_match "a kernel panic: said" 'panicked' "$out"
expect_eq "no run folders left behind" "" "$(ls "$BUILD/testhost/runs" 2>/dev/null)"

# A soft lock-up (seen once in CI, under KVM nested in the emulation): a stand-in for QEMU
# prints what the test host's kernel then prints, and the harness must call it a lock-up.
fake=$(mktemp -d)
printf '#!/bin/sh\necho "[ 61.1] watchdog: BUG: soft lockup - CPU#0 stuck for 61s! [kthreadd:2]"\necho "[ 61.2] Kernel panic - not syncing: softlockup: hung tasks"\n' >"$fake/qemu-system-x86_64"
chmod +x "$fake/qemu-system-x86_64"
out=$(PATH="$fake:$PATH" $T --timeout 60 -- true 2>&1)
expect_eq "a soft lock-up: 119, not a plain panic" "119" "$?"
expect_match "a soft lock-up: said" 'locked up' "$out"
# A frozen test host (seen in a rehearsal: no lock-up report, nothing ran any more): a stand-in
# for QEMU that writes its pid file and then does nothing; no heartbeat comes, so the harness
# stops it long before the timeout and calls it a lock-up, which run-all.sh runs again.
printf '#!/bin/bash\nwhile [ $# -gt 0 ]; do [ "$1" = -pidfile ] && echo $$ >"$2"; shift; done\nwhile :; do sleep 1; done\n' >"$fake/qemu-system-x86_64"
start=$SECONDS
out=$(TESTHOST_STALL=10 PATH="$fake:$PATH" $T --timeout 200 -- true 2>&1)
expect_eq "a frozen test host: 119" "119" "$?"
expect_match "a frozen test host: said" 'stopped making progress \(no heartbeat for over 10 s\)' "$out"
expect_match "a frozen test host: stopped within a minute, not at its timeout" '^[0-5]?[0-9]$' "$((SECONDS - start))"
expect_eq "a frozen test host: its QEMU is gone" "" "$(pgrep -f "$fake/qemu-system" || true)"
out=$(TESTHOST_STALL=x $T -- true 2>&1)
expect_eq "a TESTHOST_STALL that is not a number: exit 2" "2" "$?"
rm -rf "$fake"
# A live test host keeps its heartbeat: a command that runs three times the stall limit ends well.
out=$(TESTHOST_STALL=20 $T --timeout 200 --smp 1 -- sh -c 'sleep 60; echo slept' 2>&1)
expect_eq "a live test host is not taken for a frozen one (60 s, stall limit 20 s)" "0" "$?"
expect_match "... and its command ran to its end" '^slept$' "$out"
