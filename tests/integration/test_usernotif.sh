#!/bin/bash
# --syscalls=user (issue 20): uname and five /proc files answered by the supervisor through
# seccomp user notification, and a container that tries to crash, stall or fool it.
# The free/nproc checks against --memory/--cpuset need cgroup v2 controllers: testhost_cgroup.sh.
. "$(dirname "$0")/lib.sh"
H="$BUILD/tests" # static helpers, mounted at /t
U=(-T -v "$H:/t:ro")
base=$(leftovers)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# --- who answers uname ---
expect_eq "without --syscalls the kernel answers uname" "$(uname -r)" "$("$S" run -T "$R" uname -r)"
expect_eq "--syscalls=kernel is the same" "$(uname -r)" "$("$S" run -T --syscalls=kernel "$R" uname -r)"
expect_eq "--syscalls=user: shikumi answers it" "$(uname -r)-shikumi-user" \
	"$("$S" run -T --syscalls=user "$R" uname -r)"
expect_eq "... with the container's hostname, as it is now" "shk-a shk-b" \
	"$("$S" run -T --syscalls=user --cap-add SYS_ADMIN --hostname shk-a "$R" sh -c 'uname -n; hostname shk-b; uname -n' | tr '\n' ' ' | sed 's/ $//')"
for o in --privileged --seccomp=off --userns=private; do # no_new_privs or not, filter or not
	expect_eq "--syscalls=user with $o" "$(uname -r)-shikumi-user" "$("$S" run -T "$o" --syscalls=user "$R" uname -r 2>&1)"
done
expect_eq "the rest of uname -a is the kernel's" "$(uname -s -m)" "$("$S" run -T --syscalls=user "$R" uname -s -m)"

# --- the /proc files: ours, in a sealed read-only memfd, or the real one said once ---
link() { "$S" run -T "$@" "$R" sh -c 'exec 3</proc/uptime; readlink /proc/self/fd/3' 2>/dev/null; }
expect_eq "without it /proc/uptime is the kernel's" "/proc/uptime" "$(link)"
expect_match "with it, a memfd of shikumi's" '^/memfd:shikumi-uptime' "$(link --syscalls=user)"
for f in cpuinfo stat loadavg; do
	out=$("$S" run -T --syscalls=user "$R" sh -c "exec 3</proc/$f; readlink /proc/self/fd/3" 2>&1)
	expect_match "/proc/$f is answered too (or the real one, said: $out)" \
		"^/memfd:shikumi-$f|^shikumi: --syscalls=user: cannot read the container's cgroup for /proc/$f" "$out"
done
expect_match "uptime(1) (sysinfo) counts from the container's start too" 'up 0 min' \
	"$("$S" run -T --syscalls=user "$R" uptime)"
up=$("$S" run -T --syscalls=user "$R" cut -d. -f1 /proc/uptime)
expect_true "/proc/uptime counts from the container's start ($up s), not the host's" test "$up" -lt 5
expect_eq "the served file cannot be written, even by root inside" refused \
	"$("$S" run -T --syscalls=user "$R" sh -c 'exec 3</proc/uptime; echo x >/proc/self/fd/3' 2>/dev/null && echo written || echo refused)"
out=$("$S" run -T --syscalls=user "$R" sh -c 'exec 3</proc/meminfo; readlink /proc/self/fd/3; cat /proc/meminfo /proc/meminfo >/dev/null; grep -c MemTotal /proc/meminfo' 2>&1)
said=$(echo "$out" | grep -c "cannot read the container's cgroup for /proc/meminfo")
if [ "$said" = 0 ]; then
	expect_match "/proc/meminfo is answered from the cgroup" '^/memfd:shikumi-meminfo' "$out"
else
	expect_eq "a cgroup without memory files: the real /proc/meminfo, said once ($out)" \
		"1 /proc/meminfo" "$said $(echo "$out" | grep '^/')"
fi
expect_match "other opens reach the kernel" '^root:' "$("$S" run -T --syscalls=user "$R" head -1 /etc/passwd)"
expect_eq "a write open of /proc/meminfo gets the kernel's refusal" refused \
	"$("$S" run -T --syscalls=user "$R" sh -c 'echo x >/proc/meminfo' 2>/dev/null && echo written || echo refused)"

# --- the attacker's arguments: the kernel's answers, and the supervisor lives on ---
out=$("$S" run "${U[@]}" --syscalls=user "$R" /t/unotif hostile 2>&1)
expect_eq "bad pointers get what the kernel gives" "$("$S" run "${U[@]}" "$R" /t/unotif hostile | grep -v '^uname after')" \
	"$(echo "$out" | grep -v '^uname after')"
expect_match "... and shikumi still answers after them" "^uname after: .*-shikumi-user$" "$(echo "$out" | tail -1)"
echo SECRET-of-the-host >"$tmp/secret"
out=$("$S" run "${U[@]}" --syscalls=user "$R" /t/unotif race "$tmp/secret" 20000 2>&1)
expect_match "a thread rewriting the path while it is answered never gets the host's file" 'leaked=0 ' "$out"
expect_match "... while both paths were seen (served and refused): $out" 'served=[1-9][0-9]* .* enoent=[1-9]' "$out"
expect_match "without --syscalls=user nothing is served (the check can tell): " 'served=0 ' \
	"$("$S" run "${U[@]}" "$R" /t/unotif race "$tmp/secret" 2000 2>&1)"

# --- a flood: no fd, no memory kept for it ---
v="$tmp/v"
mkdir "$v"
"$S" run "${U[@]}" -v "$v:/v" --syscalls=user "$R" sh -c \
	'/t/unotif flood 2000 >/dev/null && touch /v/warm && while [ ! -e /v/go ]; do sleep 0.05; done && /t/unotif flood 100000 >/v/out && touch /v/done && while [ ! -e /v/end ]; do sleep 0.05; done' &
sup=$!
for ((i = 0; i < 400; i++)); do [ -e "$v/warm" ] && break; sleep 0.05; done
fds1=$(ls "/proc/$sup/fd" | wc -l)
rss1=$(awk '/^VmRSS/ {print $2}' "/proc/$sup/status")
t0=$(date +%s)
touch "$v/go"
for ((i = 0; i < 6000; i++)); do [ -e "$v/done" ] && break; sleep 0.05; done
fds2=$(ls "/proc/$sup/fd" | wc -l)
rss2=$(awk '/^VmRSS/ {print $2}' "/proc/$sup/status")
touch "$v/end"
wait "$sup"
expect_eq "100000 uname + 200000 opens, every one answered ($(($(date +%s) - t0)) s)" "flood: 100000 ok" "$(cat "$v/out" 2>/dev/null)"
expect_eq "... the supervisor holds no more fds than before" "$fds1" "$fds2"
expect_true "... nor more memory (VmRSS ${rss1} kB -> ${rss2} kB)" test "$((rss2 - rss1))" -lt 1024

# --- the supervisor gone: intercepted calls fail, they do not hang ---
F="$BUILD/tests/shikumi-faults"
expect_eq "a closed listener (the fault build's listener_lost): uname fails with ENOSYS" ENOSYS \
	"$(SHIKUMI_FAULT=listener_lost timeout 20 "$F" run "${U[@]}" --syscalls=user "$R" /t/unotif errno 2>&1)"
"$S" run "${U[@]}" --syscalls=user "$R" /t/unotif flood 100000000 >/dev/null 2>&1 &
sup=$!
wait_for_process "unotif flood 100000000"
kill -9 "$sup"
gone=hung
for ((i = 0; i < 100; i++)); do
	pgrep -f "unotif flood 100000000" >/dev/null || { gone=gone; break; }
	sleep 0.05
done
expect_eq "the supervisor killed mid-flood: the container ends, nothing waits on it" gone "$gone"
wait "$sup" 2>/dev/null
"$S" run -T "$R" true # reclaims what the killed runtime left (its cgroup)

# --- rootless: a supervisor without privileges answers the same ---
if command -v setpriv >/dev/null; then
	cp -a "$R" "$tmp/rootfs" && chown -R nobody:nogroup "$tmp/rootfs"
	cp "$S" "$tmp/shikumi" && chmod 755 "$tmp" "$tmp/shikumi"
	expect_eq "rootless (as nobody): uname and /proc/uptime are answered too" \
		"shk $(uname -r)-shikumi-user /memfd:shikumi-uptime (deleted)" \
		"$(cd / && setpriv --reuid=nobody --regid=nogroup --clear-groups "$tmp/shikumi" run -T --syscalls=user --hostname shk "$tmp/rootfs" sh -c 'uname -nr; exec 3</proc/uptime; readlink /proc/self/fd/3' 2>&1 | tr '\n' ' ' | sed 's/ $//')"
fi

# --- --trace=summary: every call counted by the supervisor, as strace -c ---
out=$("$S" run "${U[@]}" --trace=summary "$R" /t/unotif bench 1000 2>&1 >/dev/null)
expect_match "--trace=summary counts the command's 1000 uname calls" '^ +1000 uname$' "$out"
expect_match "... its 1000 opens (at least: the exec's own come on top)" '^ +10[0-9][0-9] openat$' "$out"
total=$(echo "$out" | awk '$2 == "total" {print $1}')
expect_eq "... and a total that is the sum of the lines" "$total" \
	"$(echo "$out" | awk '$1 ~ /^[0-9]+$/ && $2 != "total" {s += $1} END {print s}')"
expect_eq "without it, no summary" "" "$("$S" run "${U[@]}" "$R" /t/unotif bench 10 2>&1 >/dev/null)"
out=$("$S" run "${U[@]}" --trace=summary --syscalls=user "$R" uname -r 2>&1)
expect_match "with --syscalls=user too: answered and counted" "^$(uname -r)-shikumi-user$" "$(echo "$out" | head -1)"
expect_match "... uname in the counts" '^ +1 uname$' "$out"

# --- bad input ---
expect_failure "--syscalls=bogus is refused" 125 shikumi "invalid --syscalls 'bogus': use kernel or user" -- \
	"$S" run --syscalls=bogus "$R" true
expect_failure "--syscalls= (empty) is refused" 125 shikumi "invalid --syscalls ''" -- \
	"$S" run --syscalls= "$R" true
expect_failure "--trace=bogus is refused" 125 shikumi "invalid --trace 'bogus': only --trace=summary is supported" -- \
	"$S" run --trace=bogus "$R" true
expect_failure "a kernel without user notification (the fault build pretends): one line, 125" 125 shikumi \
	"--syscalls=user: this kernel cannot hand system calls to user space" -- \
	env SHIKUMI_FAULT=usernotif_kernel "$F" run --syscalls=user "$R" true

expect_eq "nothing left behind" "$base" "$(leftovers)"
