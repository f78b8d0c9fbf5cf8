#!/bin/bash
# Inside the test host: it really offers KVM and a pure cgroup v2 hierarchy with limits.
. "$(dirname "$0")/lib.sh"

out=$("$BUILD/tests/kvmcheck" 2>&1)
expect_match "/dev/kvm answers KVM_GET_API_VERSION = 12" '^api 12$' "$(echo "$out" | head -1)"
expect_match "a tiny KVM guest writes to its serial port" "out 0x3f8 'K'" "$out"
expect_match "the tiny KVM guest runs to HLT" '^hlt$' "$(echo "$out" | tail -1)"

ctrl=$(cat /sys/fs/cgroup/cgroup.controllers)
for c in cpu memory pids io cpuset; do
	expect_match "cgroup v2 offers the $c controller" "(^| )$c( |$)" "$ctrl"
done
expect_match "controllers are enabled for children" 'memory' "$(cat /sys/fs/cgroup/cgroup.subtree_control)"
expect_eq "cgroup2 is alone on /sys/fs/cgroup" "cgroup2fs" "$(stat -f -c %T /sys/fs/cgroup)"

cg=/sys/fs/cgroup/selftest-oom
mkdir "$cg"
echo 16M >"$cg/memory.max"
echo 0 >"$cg/memory.swap.max" 2>/dev/null
rc=$( (bash -c "echo \$\$ > $cg/cgroup.procs; exec $BUILD/tests/memhog 64" >/dev/null 2>&1); echo $?) 2>/dev/null
expect_eq "a 64 MiB hog under memory.max 16M is killed by SIGKILL" "137" "$rc"
expect_eq "memory.events counts one oom_kill" "oom_kill 1" "$(grep '^oom_kill ' "$cg/memory.events")"
rmdir "$cg"
mkdir "$cg"
echo 128M >"$cg/memory.max"
bash -c "echo \$\$ > $cg/cgroup.procs; exec $BUILD/tests/memhog 32" >/dev/null 2>&1
expect_eq "the same hog fits under 128M" "0" "$?"
rmdir "$cg"

expect_true "the host's userland is here (bash, the project's build)" test -x "$BUILD/shikumi"
expect_eq "the checkout is writable and shared" "ok" "$(echo ok >"$BUILD/testhost/write-probe" && cat "$BUILD/testhost/write-probe")"
rm -f "$BUILD/testhost/write-probe"
expect_match "loopback is up" 'UP' "$(ip link show lo)"
