#!/bin/bash
# Inside the test host: every VMM that `shikumi vm` starts is jailed (runtime/vmm_jail.c). Seen
# from the host, the running VMM is PID 1 of its own pid namespace, in its own mount and net
# namespaces, a uid of its own with no capabilities, no_new_privs and a seccomp filter, its root an
# empty tmpfs (its /dev/kvm, its /proc); the guest still boots and its status comes back; a
# VMM that makes a system call outside its allow-list is killed and shikumi says so; --no-jail
# runs it as before; a signal to shikumi ends the VMM; nothing is left.
# testhost: --smp 1
# testhost-parallel: 2 (minutes; one vCPU, nothing written outside its own /tmp: runs beside another file)
. "$(dirname "$0")/lib.sh"
K="$BUILD/guest/bzImage-mini"
vm() { timeout -s KILL 120 "$S" vm --kernel "$K" "$@" </dev/null 2>&1 | tr -d '\r'; }
field() { awk -v f="$1:" '$1 == f { print $2 }' "/proc/$2/status"; }

# The VMM of a guest that sleeps, looked at from the host.
wait_vmm() {
	local pid=""
	for _ in $(seq 300); do
		pid=$(pgrep -x shikumi-vmm | head -1)
		[ -n "$pid" ] && [ -e "/proc/$pid/root/dev/kvm" ] && break
		sleep 0.1
	done
	echo "$pid"
}
timeout -s KILL 120 "$S" vm --kernel "$K" -- sleep 6 </dev/null >/dev/null 2>&1 &
bg=$!
pid=$(wait_vmm)
expect_true "a jailed VMM is running" test -n "$pid"
own=$((1610612736 + $(field PPid "$pid"))) # 0x60000000 + its shikumi's pid
expect_eq "... as a uid of its own (0x60000000 + shikumi's pid)" "$own $own $own $own" "$(awk '$1 == "Uid:" { print $2, $3, $4, $5 }' "/proc/$pid/status")"
expect_eq "... and gid" "$own" "$(field Gid "$pid")"
expect_eq "... no supplementary groups" "" "$(field Groups "$pid")"
expect_eq "... no core dumps (they would hold the guest's memory)" "0 0" "$(awk '/^Max core file size/ { print $5, $6 }' "/proc/$pid/limits")"
expect_eq "... no capabilities in effect" "0000000000000000" "$(field CapEff "$pid")"
expect_eq "... none permitted" "0000000000000000" "$(field CapPrm "$pid")"
expect_eq "... an empty bounding set" "0000000000000000" "$(field CapBnd "$pid")"
expect_eq "... no_new_privs" "1" "$(field NoNewPrivs "$pid")"
expect_eq "... under a seccomp filter" "2" "$(field Seccomp "$pid")"
expect_eq "... two of them: the jail's, and its own (no exec), loaded first thing" "2" "$(field Seccomp_filters "$pid")"
expect_eq "... PID 1 of its own pid namespace" "1" "$(awk '$1 == "NSpid:" { print $NF }' "/proc/$pid/status")"
for ns in pid mnt net ipc uts; do
	expect_true "... its own $ns namespace" test "$(readlink "/proc/$pid/ns/$ns")" != "$(readlink "/proc/self/ns/$ns")"
done
expect_eq "... its root holds only dev and proc" "dev proc" "$(ls -A "/proc/$pid/root" | tr '\n' ' ' | sed 's/ $//')"
expect_eq "... and dev only kvm" "kvm" "$(ls -A "/proc/$pid/root/dev")"
expect_eq "... its /proc shows its pid namespace alone" "1" "$(ls "/proc/$pid/root/proc" | grep -cE '^[0-9]+$')"
expect_eq "... and nothing of the host's (subset=pid: no meminfo, no sys)" "" "$(ls "/proc/$pid/root/proc" | grep -xE 'meminfo|sys|kallsyms')"
expect_match "... its root is read-only" '^ro,' "$(awk '$5 == "/" { print $6 }' "/proc/$pid/mountinfo")"
expect_eq "... no interface but lo in its network namespace" "lo" "$(awk -F: 'NR > 2 { gsub(/ /, "", $1); print $1 }' "/proc/$pid/net/dev")"
dirs=$(for f in /proc/"$pid"/fd/*; do [ -d "$f" ] && readlink "$f"; done)
expect_eq "... and no directory of the host open" "" "$dirs"
cg=$(sed -n 's/^0:://p' "/proc/$pid/cgroup")
expect_match "... in a cgroup of its own, named as a container's" "/shikumi/run-$(field PPid "$pid")-[0-9]+$" "$cg"
expect_eq "... memory.max the guest's 256 MiB plus 64, pids.max 64" "$(((256 + 64) << 20)) 64" \
	"$(cat "/sys/fs/cgroup$cg/memory.max" 2>&1) $(cat "/sys/fs/cgroup$cg/pids.max" 2>&1)"
wait "$bg"
expect_eq "the jailed guest's sleep ends with status 0" "0" "$?"
expect_eq "... and the VMM's group is gone with it" "gone" "$([ -e "/sys/fs/cgroup$cg" ] && echo left || echo gone)"

out=$(vm -- sh -c 'echo from-the-guest; uname -r; exit 7')
expect_match "a jailed VMM boots the guest: its output" '^from-the-guest$' "$out"
expect_match "... its own kernel" 'shikumi-mini' "$out"
timeout -s KILL 120 "$S" vm --kernel "$K" -- sh -c 'exit 7' </dev/null >/dev/null 2>&1
expect_eq "... and its status (7) comes back" "7" "$?"

out=$(timeout -s KILL 120 "$S" vm --kernel "$K" --debug-forbidden-syscall -- true </dev/null 2>&1)
rc=$?
expect_eq "a VMM that calls socket(2) in its jail: killed by SIGSYS (159)" "159" "$rc"
expect_match "... and shikumi says why" "killed by its jail's seccomp filter \(SIGSYS\)" "$out"
out=$(vm --no-jail --debug-forbidden-syscall -- true)
expect_match "--no-jail: nothing stops the same call" "socket\(2\) succeeded: no seccomp filter" "$out"

timeout -s KILL 120 "$S" vm --kernel "$K" --no-jail -- sleep 6 </dev/null >/dev/null 2>&1 &
bg=$!
pid=$(for _ in $(seq 300); do p=$(pgrep -x shikumi-vmm | head -1); [ -n "$p" ] && echo "$p" && break; sleep 0.1; done)
expect_eq "--no-jail: the VMM runs as root, unfiltered" "0 0" "$(field Uid "$pid") $(field Seccomp "$pid")"
wait "$bg"

"$S" vm --kernel "$K" -- sleep 60 </dev/null >/dev/null 2>&1 &
bg=$!
pid=$(wait_vmm)
kill -TERM "$bg"
wait "$bg"
expect_eq "SIGTERM to shikumi vm: the jailed VMM ends, status 143" "143" "$?"
sleep 0.5
expect_eq "... and no VMM is left" "" "$(pgrep -x shikumi-vmm)"

"$S" vm --kernel "$K" -- sleep 60 </dev/null >/dev/null 2>&1 &
bg=$!
pid=$(wait_vmm)
cg=$(sed -n 's/^0:://p' "/proc/$pid/cgroup")
{
	kill -KILL "$bg"
	wait "$bg"
} 2>/dev/null
for _ in $(seq 100); do pgrep -x shikumi-vmm >/dev/null || break; sleep 0.1; done
expect_eq "SIGKILL of shikumi vm: the jailed VMM goes too (its parent-death signal)" "" "$(pgrep -x shikumi-vmm)"
"$S" run "$R" true
expect_eq "... and the next start sweeps its group away (its owner is gone)" "gone" "$(if [ -z "$cg" ]; then echo "no group seen"; elif [ -e "/sys/fs/cgroup$cg" ]; then echo left; else echo gone; fi)"

expect_failure "a kernel that does not exist: one line, before any jail" 125 shikumi "the kernel '/nonexistent': No such file" -- "$S" vm --kernel /nonexistent -- true
expect_failure "an initrd that is a device node is not opened (as root it could have effects)" 125 shikumi "the initrd '/dev/null' is not a regular file" -- "$S" vm --kernel "$K" --initrd /dev/null -- true
expect_failure "a disk that is a directory" 125 shikumi "the disk '/tmp' is a directory, not an image file" -- "$S" vm --kernel "$K" --disk /tmp -- true
expect_failure "the jail needs root" 125 shikumi "needs root: run as root, or give --no-jail" -- setpriv --reuid 65534 --regid 65534 --clear-groups "$S" vm --kernel "$K" -- true
expect_eq "nothing left: no VMM" "" "$(pgrep -x shikumi-vmm)"
