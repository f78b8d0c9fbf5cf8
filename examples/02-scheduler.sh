#!/bin/bash
# Lesson 2 (chapter 3, the scheduler): two busy containers on one CPU with cpu weights 100
# and 300 get about 1:3 of it; --cpuset pins a container to CPUs, as taskset pins a process.
. "$(dirname "$0")/lib.sh"
needs cgroup
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT

title 'Lesson 2: sharing a CPU (chapter 3)'
say 'When more processes want a CPU than there are CPUs, the scheduler shares it out. With cgroup v2, each container'\''s group has a weight (cpu.weight, default 100): busy groups on the same CPU get time in proportion to their weights.'
say 'Two containers, both pinned to CPU 0, each spin for 4 seconds: one with weight 100, one with weight 300. --stats=json reports the CPU time each really got.'
busy='timeout 4 sh -c "while :; do :; done"'
t0=$(date +%s%N)
show "$S run --cpuset 0 --cpu-weight 100 --stats=json $R sh -c '$busy' 2>$T/a & $S run --cpuset 0 --cpu-weight 300 --stats=json $R sh -c '$busy' 2>$T/b; wait; tail -1 $T/a; tail -1 $T/b"
wall=$((($(date +%s%N) - t0) / 1000000))
cpu() { jq '.cpu_user_usec + .cpu_system_usec' "$1"; }
a=$(cpu "$T/a") b=$(cpu "$T/b")
ratio=$(awk -v a="$a" -v b="$b" 'BEGIN { printf "%.2f", b / a }')
a_ms=$((a / 1000)) b_ms=$((b / 1000)) both_ms=$(((a + b) / 1000))
say 'Weight 100 got $a_ms ms of CPU, weight 300 got $b_ms ms: a ratio of $ratio.'
claim 'the CPU was shared about 1:3 (ratio $ratio, between 2 and 4.5)' between "$ratio" 2 4.5
# Measured against the time both runs took, start-up included (longer on a loaded machine).
claim 'together they used at most one CPU'\''s time, not two ($both_ms ms of CPU in $wall ms)' between "$both_ms" $((wall / 2)) $((wall * 11 / 10))

title '--cpuset pins, as taskset does'
say 'The cpuset controller limits which CPUs a group may run on. taskset does the same for one process (sched_setaffinity); the kernel shows the result in Cpus_allowed_list.'
show "taskset -c 0 grep Cpus_allowed_list /proc/self/status; $S run --cpuset 0 $R grep Cpus_allowed_list /proc/self/status; $S run $R grep Cpus_allowed_list /proc/self/status"
claim 'taskset -c 0 and --cpuset 0 give the same answer: CPU 0' test "$(sed -n 1p <<<"$OUT" | awk '{print $2}')" = 0 -a "$(sed -n 2p <<<"$OUT" | awk '{print $2}')" = 0
ncpu=$(nproc)
claim 'without --cpuset the container may use every CPU ($ncpu)' test "$(sed -n 3p <<<"$OUT" | awk '{print $2}')" = "$(grep Cpus_allowed_list /proc/self/status | awk '{print $2}')"
finish
