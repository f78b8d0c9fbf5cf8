#!/bin/bash
# Lesson 9 (chapter 11, containers): each namespace shown by what it hides, then what root
# inside still cannot do: the seccomp filter and the dropped capabilities; last, a second
# process entering a running container (shikumi exec) with the same confinement.
. "$(dirname "$0")/lib.sh"
P="$PROBES/sysprobe" # makes one system call and says whether the kernel allowed it
T=$(mktemp -d)
# The exec part's container, if it is still there, and its bundle and state.
trap '"$S" --root "$T/state" delete --force l9 >/dev/null 2>&1; rm -rf "$T"' EXIT

title 'Lesson 9: a container is namespaces, plus less power (chapter 11)'
say 'A container is not a thing the kernel knows. It is an ordinary process started in new namespaces (each hides one kind of thing), with fewer capabilities and a system-call filter. Take them one at a time.'

title 'pid: other processes'
show "ls -d /proc/[0-9]* | wc -l; $S run $R ps -o pid,comm"
claim 'the host has many processes, the container sees two' test "$(grep -cE '^ +[0-9]+ ' <<<"$OUT")" = 2

title 'mount: the host'\''s files'
show "$S" run "$R" ls "$EXAMPLES" "; echo status=\$?"
claim 'this lesson'\''s own folder does not exist inside' grep -q 'No such file' <<<"$OUT"

title 'uts: the host'\''s name'
show "hostname; $S run --hostname lesson9 $R hostname"
host=$(hostname)
claim 'inside it is called lesson9, outside still $host' test "$(tail -1 <<<"$OUT")" = lesson9 -a "$(hostname)" != lesson9

title 'ipc: the host'\''s shared memory'
say 'System V shared memory and message queues live in an IPC namespace: a segment made on the host is not there inside.'
id=$(ipcmk -M 4096 | grep -o '[0-9]*$')
show "grep -c . /proc/sysvipc/shm; $S run $R grep -c . /proc/sysvipc/shm"
ipcrm -m "$id"
claim 'the host lists its segment (header + at least one line), the container only the header' test "$(tail -1 <<<"$OUT")" = 1 -a "$(head -1 <<<"$OUT")" -ge 2

title 'net: the host'\''s network'
show "ls /sys/class/net | tr '\n' ' '; echo; $S run $R ls /sys/class/net"
claim 'inside there is only lo' test "$(tail -1 <<<"$OUT")" = lo

title 'user: root inside is not root outside'
say 'With --userns=private the container'\''s uid 0 is uid 100000 on the host: the kernel checks what that uid may do outside the namespace.'
show "$S run --userns=private $R sh -c 'id -u; sleep 3' & for i in \$(seq 50); do ps -o uid= -C sleep | grep -qw 100000 && break; sleep 0.1; done; ps -o uid=,comm= -C sleep | sort -u; wait"
claim 'inside, id -u says 0' grep -qx 0 <<<"$(head -1 <<<"$OUT")"
claim 'outside, the same sleep belongs to uid 100000' grep -qE '^100000 +sleep' <<<"$OUT"

title 'seccomp: system calls refused before the kernel looks at them'
say 'Some system calls act on things no namespace covers: the kernel'\''s keyring, loading code into the kernel, rebooting. The filter shikumi loads makes them fail with EPERM, even for root.'
show "$P keyctl; $S run -v $PROBES:/t:ro $R /t/sysprobe keyctl"
claim 'the host'\''s root may call keyctl' grep -q '^allowed' <<<"$(head -1 <<<"$OUT")"
claim 'root in the container may not' grep -q 'denied: Operation not permitted' <<<"$(tail -1 <<<"$OUT")"

title 'capabilities: root'\''s powers, most of them dropped'
say 'Root'\''s power is split into capabilities. The container keeps 14 of them; setting the clock (CAP_SYS_TIME) is not one of them.'
show "grep CapEff /proc/self/status; $S run $R grep CapEff /proc/self/status"
bits() { local x=$((16#$1)) n=0; while [ $x -gt 0 ]; do n=$((n + (x & 1))); x=$((x >> 1)); done; echo $n; }
inside=$(bits "$(awk '{print $2}' <<<"$(tail -1 <<<"$OUT")")")
outside=$(bits "$(awk '{print $2}' <<<"$(head -1 <<<"$OUT")")")
claim 'root inside has $inside capabilities, root outside $outside' test "$inside" -lt "$outside" -a "$inside" -le 14
show "$S" run -v "$PROBES:/t:ro" "$R" /t/sysprobe settime
claim 'setting the clock is refused' grep -q '^denied' <<<"$OUT"
show "$S" run --privileged -v "$PROBES:/t:ro" "$R" /t/sysprobe keyctl
claim 'with --privileged (no filter, every capability) keyctl works again' grep -q '^allowed' <<<"$OUT"

title 'exec: a second process enters a running container'
say 'docker exec, podman exec and nsenter start a new process inside a container that is running already. shikumi exec does it the way they do: it joins the namespaces of the container'\''s PID 1 with setns(2) and its cgroup, and gives the new process the same capabilities and system-call filter as the container'\''s command, so that exec is no way around them.'
mkdir -p "$T/b"
(cd "$T/b" && "$S" spec --rootfs "$R" >/dev/null)
jq '.process.args = ["sleep", "300"] | .process.terminal = false | .hostname = "lesson9"' "$T/b/config.json" >"$T/b/c" && mv "$T/b/c" "$T/b/config.json"
"$S" --root "$T/state" create --bundle "$T/b" l9 >/dev/null 2>&1 </dev/null && "$S" --root "$T/state" start l9
show "$S --root $T/state exec l9 sh -c 'hostname; ps -o pid,comm'"
claim 'the new process sees the container'\''s hostname and its processes: PID 1, the sleep, itself' test "$(head -1 <<<"$OUT")" = lesson9 -a "$(grep -cE '^ +[0-9]+ ' <<<"$OUT")" = 3
show "$S --root $T/state ps l9"
claim 'from the host, shikumi ps lists the container'\''s processes by their host pids' grep -q 'sleep 300' <<<"$OUT"
cmd=$(awk '/sleep 300/ { print $1 }' <<<"$OUT")
show "grep CapEff /proc/$cmd/status; $S --root $T/state exec l9 grep CapEff /proc/self/status"
claim 'the exec'\''d process has exactly the capabilities of the container'\''s command' test "$(head -1 <<<"$OUT" | awk '{print $2}')" = "$(tail -1 <<<"$OUT" | awk '{print $2}')"
"$S" --root "$T/state" delete --force l9
finish
