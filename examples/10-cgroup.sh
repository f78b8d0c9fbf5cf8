#!/bin/bash
# Lesson 10 (chapter 12, cgroup): memory, cpu and pids limits, and the statistics the kernel
# keeps for each group.
. "$(dirname "$0")/lib.sh"
needs cgroup

title 'Lesson 10: cgroups, limits and their accounts (chapter 12)'
say 'Every shikumi container lives in its own cgroup, /sys/fs/cgroup/shikumi/run-PID-START on the host (the runtime'\''s PID and start time). Limits are files written there before the container starts; the kernel keeps its accounts in files beside them. Inside, the container'\''s cgroup namespace shows the same group as /sys/fs/cgroup.'

title 'memory.max'
show "$S" run --memory 64M "$R" cat /sys/fs/cgroup/memory.max
claim '--memory 64M is memory.max = 67108864 bytes' grep -qx 67108864 <<<"$OUT"
say 'A process that wants more than the limit is killed by the kernel'\''s OOM killer, inside the group only. The hog below touches 128 MiB under a 64 MiB limit (no swap).'
show "$S run --memory 64M --memory-swap 0 --stats -v $PROBES:/t:ro $R /t/memhog 128; echo status=\$?"
claim 'the hog is killed: status 137 (128 + SIGKILL)' grep -qx 'status=137' <<<"$OUT"
claim 'the statistics count one OOM kill' grep -qE 'oom kills +1 *$' <<<"$OUT"
claim 'its memory peak stayed at the limit (64 MiB at most)' between "$(awk '/memory peak/ {print $3}' <<<"$OUT")" 1 64.01

title 'cpu.max'
say '--cpus 0.5 writes cpu.max = '\''50000 100000'\'': 50 ms of CPU in every 100 ms period. A container that spins for 2 seconds uses its 50 ms early in each period and is held back (throttled) for the rest: cpu.stat counts both, so it ran about as long as it was held back.'
show "$S" run --cpus 0.5 --stats "$R" sh -c "'cat /sys/fs/cgroup/cpu.max; timeout 2 sh -c \"while :; do :; done\"'"
claim 'cpu.max is '\''50000 100000'\''' grep -qx '50000 100000' <<<"$OUT"
used=$(awk '/cpu user/ {u = $3} /cpu system/ {s = $3} END {printf "%d", (u + s) * 1000}' <<<"$OUT")
held=$(awk '/cpu throttled/ {printf "%d", $3 * 1000}' <<<"$OUT")
# Both come from the group's own cpu.stat, so a loaded machine (a slower start) does not skew them.
held_ms=${held:-?}
claim 'it got about half of its time: $used ms of CPU, $held_ms ms held back' between "$(awk -v u="$used" -v h="${held:-0}" 'BEGIN { print (u + h) ? u / (u + h) : 0 }')" 0.35 0.7
claim 'and was throttled in many periods' grep -qE 'throttled periods +[1-9][0-9]' <<<"$OUT"

title 'pids.max'
say '--pids 5 caps the number of processes (and threads) in the group, init included: fork fails beyond it, and pids.events counts each refusal. A fork bomb stops there (busybox'\''s sh gives up at the first refusal, so the loop runs in a shell of its own).'
show "$S" run --pids 5 "$R" sh -c "'cat /sys/fs/cgroup/pids.max; sh -c \"for i in 1 2 3 4 5 6 7 8; do sleep 1 & done; wait\"; cat /sys/fs/cgroup/pids.events'"
claim 'pids.max inside is 5' grep -qx 5 <<<"$OUT"
claim 'fork is refused once there are 5' grep -qE "can't fork|Resource temporarily unavailable" <<<"$OUT"
claim 'and pids.events counts the refusals' grep -qE '^max [1-9]' <<<"$OUT"
finish
