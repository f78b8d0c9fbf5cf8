#!/bin/bash
# Inside the test host (pure cgroup v2): real OCI clients drive shikumi. podman 4.3 through
# conmon (create, start, state, kill, delete, exec, pause, its exit status and output, -it
# through the console socket, podman's own seccomp profile), the container's
# limits from config.json in the group create made, and delete removing that group.
. "$(dirname "$0")/lib.sh"

rm -rf /tmp/rootfs && cp -a "$R" /tmp/rootfs && R=/tmp/rootfs
base=$(leftovers)
SH="$BUILD/shikumi"

# --- the lifecycle on its own: create's group holds the limits, delete removes it ---
B=$(mktemp -d /tmp/oci-bundle.XXXXXX)
(cd "$B" && "$SH" spec --rootfs "$R")
jq '.process.args = ["/bin/sh", "-c", "cat /sys/fs/cgroup/memory.max /sys/fs/cgroup/pids.max; sleep 30"]
	| .linux.resources = {"memory": {"limit": 67108864}, "pids": {"limit": 50}}' "$B/config.json" >"$B/c" && mv "$B/c" "$B/config.json"
SR=/tmp/oci-state
"$SH" --root "$SR" create --bundle "$B" --pid-file "$B/pid" lim >"$B/out" 2>&1 </dev/null
expect_eq "create in a pure cgroup v2 host" 0 $?
cg=$("$SH" --root "$SR" state lim >/dev/null && jq -r .cgroup "$SR/lim/state.json")
expect_eq "the init is in the group create made" "0::${cg#/sys/fs/cgroup}" "$(cat /proc/$(cat "$B/pid")/cgroup)"
expect_eq "the group holds config.json's limits" "67108864 50" "$(cat "$cg/memory.max" "$cg/pids.max" | tr '\n' ' ' | sed 's/ $//')"
"$SH" --root "$SR" start lim
for i in $(seq 100); do [ -s "$B/out" ] && grep -q 50 "$B/out" && break; sleep 0.1; done
expect_eq "inside, the container sees its own limits" "67108864 50" "$(tr '\n' ' ' <"$B/out" | sed 's/ $//')"
"$SH" --root "$SR" delete --force lim
expect_eq "delete --force removes the group and the state" "gone" "$([ -e "$cg" ] || [ -e "$SR/lim" ] && echo left || echo gone)"

# --- blockIO, hugepageLimits and unified: written into the group, unified last ---
# The command forks sleeps in a subshell until a fork fails (ash then ends that subshell), and
# counts the group's processes with builtins only (no fork left to spare).
jq '.process.args = ["/bin/sh", "-c", "(for i in 1 2 3 4 5 6 7 8; do sleep 5 & done) 2>/dev/null; n=0; while read p; do n=$((n+1)); done </sys/fs/cgroup/cgroup.procs; read e </sys/fs/cgroup/pids.events; echo started=$n $e"]
	| .linux.resources = {"pids": {"limit": 50}, "blockIO": {"weight": 500},
		"hugepageLimits": [{"pageSize": "2MB", "limit": 4194304}],
		"unified": {"pids.max": "6", "memory.high": "33554432"}}' "$B/config.json" >"$B/c" && mv "$B/c" "$B/config.json"
"$SH" --root "$SR" create --bundle "$B" --pid-file "$B/pid" res >"$B/out" 2>&1 </dev/null
expect_eq "create with blockIO, hugepageLimits and unified" "0|" "$?|$(cat "$B/out")"
cg=$(jq -r .cgroup "$SR/res/state.json")
expect_eq "unified's files are in the group, over resources.pids (unified comes last)" "6 33554432" "$(cat "$cg/pids.max" "$cg/memory.high" | tr '\n' ' ' | sed 's/ $//')"
expect_eq "hugepageLimits: hugetlb.2MB.max" "4194304" "$(cat "$cg/hugetlb.2MB.max")"
if [ -e "$cg/io.weight" ]; then
	expect_eq "blockIO.weight 500 is io.weight 4950 (10..1000 onto 1..10000)" "default 4950" "$(head -1 "$cg/io.weight")"
else
	fail "blockIO.weight" "the test host's kernel has no io.weight: $(ls "$cg" | grep '^io\.' | tr '\n' ' ')"
fi
"$SH" --root "$SR" start res
for i in $(seq 100); do grep -q started "$B/out" && break; sleep 0.1; done
expect_match "unified's pids.max 6 really holds: the subshell's fourth sleep failed (init, sh, three sleeps left)" "^started=5 max [1-9]" "$(grep started "$B/out")"
"$SH" --root "$SR" delete --force res
expect_eq "delete --force removes that group too" "gone" "$([ -e "$cg" ] && echo left || echo gone)"
jq '.linux.resources = {"unified": {"io.nonexistent": "1"}}' "$B/config.json" >"$B/c" && mv "$B/c" "$B/config.json"
out=$("$SH" --root "$SR" create --bundle "$B" bad 2>&1 </dev/null)
rc=$?
expect_match "a unified file the group lacks: create fails with one line naming it" "^[1-9][0-9]* 1 .*io.nonexistent" "$rc $(printf '%s\n' "$out" | wc -l) $out"
expect_eq "... and leaves no state" "" "$(ls "$SR" 2>/dev/null | grep -x bad)"

# --- podman, through conmon ---
if command -v podman >/dev/null; then
	P=(podman --runtime "$SH" --cgroup-manager cgroupfs --events-backend none)
	run_opts=(--rm --network none --ulimit host --rootfs "$R")
	out=$("${P[@]}" run "${run_opts[@]}" /bin/echo hi 2>&1)
	expect_eq "podman run --runtime shikumi echo hi" "0 hi" "$? $out"
	out=$("${P[@]}" run "${run_opts[@]}" /bin/sh -c 'exit 7' 2>&1)
	expect_eq "podman gets the command's exit status through conmon" "7" "$?"
	out=$("${P[@]}" run "${run_opts[@]}" /bin/sh -c 'hostname; cat /proc/self/status | grep NoNewPrivs' 2>&1)
	expect_match "podman's container has its hostname and no_new_privs" "NoNewPrivs:.1" "$out"
	out=$("${P[@]}" run "${run_opts[@]}" /bin/grep ^Seccomp: /proc/self/status 2>&1)
	expect_eq "podman's own seccomp profile (linux.seccomp) is read and is the container's filter" "Seccomp:	2" "$out"
	out=$("$BUILD/tests/ptydrive" -t 120 'expect:# ' 'send:tty; exit 3\r' -- "${P[@]}" run -it "${run_opts[@]}" /bin/sh 2>&1)
	rc=$?
	expect_eq "podman run -it: a terminal through conmon's console socket, the status back" "/dev/pts/0 3" \
		"$(printf '%s\n' "$out" | tr -d '\r' | grep -m1 '^/dev/pts/') $rc"
	# --tmpfs (podman adds rw,rprivate,nosuid,nodev,tmpcopyup) and --user: config.json's
	# tmpfs mounts and process.user
	out=$("${P[@]}" run --tmpfs /scratch:size=1m,mode=1770 "${run_opts[@]}" /bin/sh -c 'grep " /scratch " /proc/mounts | cut -d" " -f3,4' 2>&1)
	expect_match "podman run --tmpfs: a tmpfs with its size and mode, nosuid and nodev" '^tmpfs rw,nosuid,nodev,(.*,)?size=1024k,(.*,)?mode=1770' "$out"
	out=$("${P[@]}" run --user 1000:1000 "${run_opts[@]}" /bin/sh -c 'echo $(id -u) $(id -g); grep ^CapEff: /proc/self/status | tr -d "\t"' 2>&1)
	expect_eq "podman run --user 1000:1000: the command runs as that user, without capabilities" "1000 1000|CapEff:0000000000000000" "$(printf '%s\n' "$out" | tr '\n' '|' | sed 's/|$//')"
	out=$("${P[@]}" run --cgroup-conf memory.high=33554432 --cgroup-conf pids.max=40 "${run_opts[@]}" /bin/cat /sys/fs/cgroup/memory.high /sys/fs/cgroup/pids.max 2>&1)
	expect_eq "podman run --cgroup-conf: config.json's unified, in the container's group" "33554432|40" "$(printf '%s\n' "$out" | paste -sd'|')"
	# --device PATH:PATH:r: podman lists the node and an allow rule for reading only; shikumi's
	# device program (linux.resources.devices) must refuse an open for writing.
	out=$("${P[@]}" run --device /dev/loop-control:/dev/loop-control:r "${run_opts[@]}" /bin/sh -c '(exec 3</dev/loop-control) && echo r; (exec 3<>/dev/loop-control) 2>/dev/null && echo rw || echo no-rw' 2>&1)
	expect_eq "podman run --device ...:r: the device rules hold (read yes, write no)" "r|no-rw" "$(printf '%s\n' "$out" | paste -sd'|')"
	# --cap-add SYS_ADMIN: the container may mount, but not undo the mounts it was given (the
	# kernel's locked copy of the mount table: /proc/sys read-only, the cgroup view read-only).
	out=$("${P[@]}" run --cap-add SYS_ADMIN "${run_opts[@]}" /bin/sh -c 'umount /proc/sys 2>/dev/null && echo unmounted || echo locked; mount -o remount,rw /sys/fs/cgroup 2>/dev/null && echo rw || echo ro; mount -t tmpfs t /mnt && echo tmpfs' 2>&1)
	expect_eq "podman run --cap-add SYS_ADMIN: new mounts yes, the given ones cannot be undone" "locked|ro|tmpfs" "$(printf '%s\n' "$out" | paste -sd'|')"
	# detached: podman's conmon holds the container; podman stop kills through shikumi kill
	id=$("${P[@]}" run -d --network none --ulimit host --rootfs "$R" \
		/bin/sh -c 'trap "exit 0" TERM; while :; do sleep 0.1; done' 2>&1)
	# podman gives the runtime a --root of its choosing: find the container's state there
	sroot=$(dirname "$(find /run -maxdepth 4 -type d -name "$id" -path '*shikumi*' 2>/dev/null | head -1)")
	expect_eq "podman run -d: shikumi state says running" "running" "$("$SH" --root "$sroot" state "$id" 2>&1 | jq -r .status)"
	expect_eq "podman ps sees it running" "Up" "$("${P[@]}" ps --format '{{.Status}}' --filter id="$id" | cut -d' ' -f1)"
	out=$("${P[@]}" exec "$id" sh -c 'echo in-$(hostname); grep -E "^(NoNewPrivs|Seccomp):" /proc/self/status | tr -d "\t" | tr "\n" " "' 2>&1)
	expect_eq "podman exec: shikumi exec in the container, as confined as its command" \
		"in-$(echo "$id" | cut -c1-12) NoNewPrivs:1 Seccomp:2 " "$(printf '%s\n' "$out" | tr '\n' '|' | sed 's/|/ /; s/|$//')"
	"${P[@]}" exec "$id" sh -c 'exit 6' >/dev/null 2>&1
	expect_eq "podman exec's status is the process's" 6 $?
	"${P[@]}" pause "$id" >/dev/null 2>&1
	expect_eq "podman pause: shikumi pause freezes it" "paused" "$("$SH" --root "$sroot" state "$id" 2>&1 | jq -r .status)"
	"${P[@]}" unpause "$id" >/dev/null 2>&1
	expect_eq "podman unpause: running again" "running" "$("$SH" --root "$sroot" state "$id" 2>&1 | jq -r .status)"
	"${P[@]}" stop -t 5 "$id" >/dev/null 2>&1
	expect_eq "podman stop ends it with TERM (exit 0 from its trap)" "0" "$("${P[@]}" inspect --format '{{.State.ExitCode}}' "$id" 2>&1)"
	"${P[@]}" rm "$id" >/dev/null 2>&1
	expect_eq "no shikumi state is left by podman" "" "$(ls /run/shikumi/containers 2>/dev/null)"
	# A measurement, not a check: podman run's wall time with each runtime, after the runs
	# above warmed podman's storage up (times under emulation: compare, never absolute).
	for rt in "$SH" /usr/sbin/runc; do
		[ -x "$rt" ] || continue
		t0=$(date +%s%N)
		podman --runtime "$rt" --cgroup-manager cgroupfs --events-backend none run "${run_opts[@]}" /bin/true >/dev/null 2>&1
		t1=$(date +%s%N)
		echo "  (podman run /bin/true with $(basename "$rt"): $(((t1 - t0) / 1000000)) ms)"
	done
else
	fail "podman is installed" "apt-get install podman (make check installs it)"
fi
expect_eq "nothing left behind" "$base" "$(leftovers)"
