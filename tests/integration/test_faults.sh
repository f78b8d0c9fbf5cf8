#!/bin/bash
# Setup fails closed (DESIGN.md, invariant 3): every step of a container's start is made to
# fail in turn, in the fault-injection build (build/tests/shikumi-faults, runtime/fault.h),
# and each time the command must not have run, shikumi must exit 125 with one line naming
# the step, and nothing may be left behind (expect_failure checks mounts, processes, cgroups,
# veths, leases and ROOTFS).
. "$(dirname "$0")/lib.sh"
F="$BUILD/tests/shikumi-faults"
vol=$(mktemp -d)
chmod 777 "$vol" # root inside is uid 100000 outside
trap 'rm -rf "$vol"' EXIT
# Every option that adds a step: a user namespace, a bridge, a pty, a volume.
opts=(--userns=private --net bridge -t -v "$vol:/mnt")
cmd=(sh -c 'touch /mnt/ran; echo ran')
points=$(SHIKUMI_FAULT=list "$F" run "${opts[@]}" "$R" true 2>&1 </dev/null |
	tr -d '\r' | sed -n 's/^shikumi: fault point //p')
# (the command's own points print through its pty: hence the \r)
n=$(echo "$points" | grep -c .)
expect_true "the fault build names at least 20 setup steps (got $n)" test "$n" -ge 20
expect_true "without a fault the same start runs the command" \
	bash -c '"$0" run "$@" >/dev/null 2>&1 </dev/null && [ -e "'"$vol"'/ran" ]' "$F" "${opts[@]}" "$R" "${cmd[@]}"
rm -f "$vol/ran"
for p in $points; do
	expect_failure "a failing '$p' ends the start" 125 shikumi "fault injected" -- \
		env SHIKUMI_FAULT="$p" "$F" run "${opts[@]}" "$R" "${cmd[@]}"
	expect_eq "... and the command did not run ($p)" absent "$([ -e "$vol/ran" ] && echo present || echo absent)"
	rm -f "$vol/ran"
done
# The release binary has no fault points at all.
expect_eq "shikumi itself ignores SHIKUMI_FAULT" "ran" \
	"$(SHIKUMI_FAULT=root_layer "$S" run "$R" echo ran 2>&1)"
