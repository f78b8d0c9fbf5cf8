#!/bin/bash
# Integration tests of `shikumi run`: real containers, as root, on the bare machine.
. "$(dirname "$0")/lib.sh"

if [ "$(id -u)" != 0 ]; then
	fail "run as root" "the integration tests create namespaces and mounts: run make check as root"
	exit 0
fi
base=$(leftovers)

# --- pid namespace ---
out=$("$S" run "$R" sh -c 'echo $$ $PPID; ls /proc | grep -c "^[0-9]"')
expect_eq "the command is PID 1's child" "2 1" "$(echo "$out" | head -1)"
expect_match "only the container's processes in /proc" '^[1-4]$' "$(echo "$out" | tail -1)"
host_pid=$$
expect_eq "a host PID is invisible inside" "absent" \
	"$("$S" run "$R" sh -c "[ -e /proc/$host_pid ] && echo present || echo absent")"
expect_match "PID 1 is the runtime's init" 'shikumi' "$("$S" run "$R" cat /proc/1/cmdline | tr '\0' ' ')"

# --- uts ---
host_name=$(hostname)
expect_eq "hostname defaults to shikumi" "shikumi" "$("$S" run "$R" hostname)"
expect_eq "--hostname sets it" "box1" "$("$S" run --hostname box1 "$R" hostname)"
"$S" run "$R" hostname changed-inside
expect_eq "the host's hostname is unchanged" "$host_name" "$(hostname)"

# --- net ---
expect_eq "only lo in the net namespace" "lo" "$("$S" run "$R" ls /sys/class/net)"
expect_match "lo is up" 'UP' "$("$S" run "$R" ip link show lo)"
# The client reads "hi" from a file, not a pipe: busybox nc exits as soon as the peer's side
# ends, and the listener (its stdin /dev/null) ends its sending side at once, so a client whose
# pipe was still empty then left without sending anything (CI's failure of 2026-12-03); a file
# is always readable, and nc reads its input before the socket.
expect_true "a TCP connection over lo inside works" \
	"$S" run "$R" sh -c "$(listening 7777 /tmp/got)"'; echo hi >/tmp/in; nc -w1 127.0.0.1 7777 </tmp/in; wait; grep -q hi /tmp/got; r=$?; rm -f /tmp/got /tmp/in; exit $r'

# --- mount namespace and root ---
expect_eq "/ is the rootfs" "$(ls "$R" | sort | tr '\n' ' ')" "$("$S" run "$R" ls / | sort | tr '\n' ' ')"
expect_eq "host files are unreachable" "absent" \
	"$("$S" run "$R" sh -c "[ -e '$PWD/Makefile' ] || [ -e /work ] && echo present || echo absent")"
expect_eq "the old root is not in the mount table" "0" \
	"$("$S" run "$R" sh -c 'grep -c " /\.\?old\| /host" /proc/self/mountinfo')"
expect_eq "/dev holds only the safe devices" \
	"fd full mqueue null ptmx pts random shm stderr stdin stdout tty urandom zero" \
	"$("$S" run "$R" ls /dev | tr '\n' ' ' | sed 's/ $//')"
expect_eq "device numbers are the real ones" "1,3 1,5 1,7 1,8 1,9 5,0" \
	"$("$S" run "$R" sh -c 'for d in null zero full random urandom tty; do stat -c "%t,%T" /dev/$d; done' | while read -r x; do printf '%d,%d ' 0x${x%,*} 0x${x#*,}; done | sed 's/ $//')"
expect_eq "/dev/null works" "0" "$("$S" run "$R" sh -c 'echo x >/dev/null; wc -c </dev/null')"
expect_match "/sys is read-only" 'Read-only' "$("$S" run "$R" sh -c 'mkdir /sys/x' 2>&1)"
expect_match "/proc/sys is read-only" 'Read-only' \
	"$("$S" run "$R" sh -c 'echo h > /proc/sys/kernel/hostname' 2>&1)"
masked=$("$S" run "$R" sh -c 'for f in /proc/kcore /proc/keys /proc/timer_list /proc/sched_debug; do [ -e $f ] && printf "%s=%s " $f $(cat $f | wc -c); done; printf "fw=%s" $(ls -A /sys/firmware | wc -l)')
expect_match "masked paths are empty" '^(/proc/[a-z_]+=0 )*fw=0$' "$masked"
expect_match "at least one masked /proc file exists on this kernel" '/proc/' "$masked"
expect_eq "/proc/sysrq-trigger is read-only or absent" "ok" \
	"$("$S" run "$R" sh -c '[ ! -e /proc/sysrq-trigger ] || ! echo h 2>/dev/null >/proc/sysrq-trigger && echo ok')"
tmpdir=$(mktemp -d)
echo from-host >"$tmpdir/file"
expect_eq "a volume shows host files" "from-host" "$("$S" run -v "$tmpdir:/mnt" "$R" cat /mnt/file)"
"$S" run -v "$tmpdir:/mnt" "$R" sh -c 'echo from-container > /mnt/new'
expect_eq "a volume is writable" "from-container" "$(cat "$tmpdir/new" 2>/dev/null)"
expect_match "a :ro volume is read-only" 'Read-only' \
	"$("$S" run -v "$tmpdir:/mnt:ro" "$R" sh -c 'echo x > /mnt/new2' 2>&1)"
expect_eq "a file volume" "from-host" "$("$S" run -v "$tmpdir/file:/etc/motd:ro" "$R" cat /etc/motd)"
rm -rf "$tmpdir"
"$S" run "$R" sh -c 'echo inside >/etc/shikumi-cow'
expect_eq "by default a write inside stays in the container's overlay" absent "$([ -e "$R/etc/shikumi-cow" ] && echo present || echo absent)"
"$S" run --persist "$R" sh -c 'echo inside >/etc/shikumi-cow'
expect_eq "--persist writes ROOTFS itself" inside "$(cat "$R/etc/shikumi-cow" 2>&1)"
"$S" run --persist "$R" rm /etc/shikumi-cow
expect_match "--timing shows the overlay's cost" '^timing: overlay +[0-9.]+ ms' "$("$S" run --timing "$R" true 2>&1)"
expect_match "--read-only makes / read-only" 'Read-only' "$("$S" run --read-only "$R" touch /x 2>&1)"
expect_true "--read-only keeps /dev/shm writable" "$S" run --read-only "$R" touch /dev/shm/x
expect_eq "a tmpfs mounted inside stays inside" "0" \
	"$("$S" run "$R" mount -t tmpfs t /mnt; grep -c "^t $R/mnt" /proc/mounts)"

# --- environment, cwd ---
expect_eq "-e sets a variable" "v1" "$("$S" run -e K=v1 "$R" sh -c 'echo $K')"
expect_eq "default PATH and HOME" "/root" "$("$S" run "$R" sh -c 'echo $HOME')"
expect_eq "-w sets the working directory" "/etc" "$("$S" run -w /etc "$R" pwd)"
expect_eq "stdin passes through without a tty" "piped" "$(echo piped | "$S" run "$R" cat)"
expect_eq "no tty unless asked" "not a tty" "$("$S" run "$R" tty </dev/null)"

# --- exit status ---
for code in 0 1 42; do
	"$S" run "$R" sh -c "exit $code"
	expect_eq "exit status $code propagates" "$code" "$?"
done
"$S" run "$R" sh -c 'kill -9 $$'
expect_eq "death by signal 9 is 137" "137" "$?"
"$S" run "$R" /bin/nosuch 2>/dev/null
expect_eq "a missing command exits 127" "127" "$?"
"$S" run "$R" /etc/passwd 2>/dev/null
expect_eq "a non-executable command exits 126" "126" "$?"

# --- init ---
zombies=$("$S" run "$R" sh -c '(sleep 0.2 &); sleep 0.8; ps -o stat,comm | grep -c "^Z"')
expect_eq "an orphaned grandchild is reaped (no zombie)" "0" "$zombies"
expect_eq "orphans were adopted by PID 1" "1" \
	"$("$S" run "$R" sh -c '(sleep 1 &); sleep 0.2; for p in /proc/[0-9]*; do [ "$(cat $p/comm)" = sleep ] && awk "{print \$4}" $p/stat; done')"

# --- signals ---
"$S" run "$R" sh -c 'trap "exit 3" TERM; while :; do sleep 0.05; done' &
p=$!
wait_for_process '^sleep 0.05$' # the trap is set once its loop runs
kill -TERM "$p"
wait "$p"
expect_eq "SIGTERM to shikumi reaches the command" "3" "$?"
"$S" run "$R" sh -c 'trap "exit 4" USR1; while :; do sleep 0.05; done' &
p=$!
wait_for_process '^sleep 0.05$'
kill -USR1 "$p"
wait "$p"
expect_eq "SIGUSR1 reaches the command" "4" "$?"
"$S" run "$R" sleep 30 &
p=$!
wait_for_process '^sleep 30$'
kill -INT "$p"
wait "$p"
expect_eq "SIGINT kills an untrapping command: 130" "130" "$?"
"$S" run "$R" sleep 4243 &
p=$!
wait_for_process '^sleep 4243$'
kill -KILL "$p"
wait "$p" 2>/dev/null
sleep 0.3
expect_eq "SIGKILL of the runtime kills the container" "" "$(pgrep -f 'sleep 4243')"

# --- terminal ---
PTY="$BUILD/tests/ptydrive"
out=$("$PTY" -t 20 -w 33x101 'expect:# ' 'send:echo hel""lo; stty size; tty\n' 'expect:hello' 'send:exit\n' -- "$S" run "$R")
rc=$?
expect_eq "interactive shell exits cleanly" "0" "$rc"
expect_match "interactive shell runs echo hello" 'hello' "$out"
expect_match "the window size reaches the pty" '33 101' "$out"
expect_match "the command's terminal is its own pty" '/dev/pts/0' "$out"
out=$("$PTY" -t 20 'expect:# ' 'send:ls -l /dev/console; exit 5\n' -- "$S" run "$R")
expect_eq "exit status through a pty" "5" "$?"
expect_match "/dev/console is the pty" 'c.* 136, +0 .*console' "$out"
out=$("$PTY" -t 20 'expect:# ' 'send:echo sta""rted; sleep 30\n' 'expect:started' 'sleep:0.5' 'send:\x03' 'expect:# ' 'send:echo after-ctrl-c; exit\n' -- "$S" run "$R")
expect_match "Ctrl-C interrupts the command, not the container" 'after-ctrl-c' "$out"
out=$(echo 'echo piped-tty' | "$S" run -t "$R" 2>&1)
expect_match "-t with piped input" 'piped-tty' "$out"

# --- timing and help ---
out=$("$S" run --timing "$R" true 2>&1 >/dev/null)
for phase in validate cgroup clone namespaces mounts pivot_root fork seccomp start-total run teardown total; do
	expect_match "--timing reports $phase" "^timing: $phase +[0-9]+\.[0-9]{3} ms" "$(echo "$out" | grep "timing: $phase ")"
done
expect_match "--help describes run" 'Usage: shikumi run' "$("$S" run --help)"
expect_match "--version" '^shikumi ' "$("$S" --version)"

# --- bad input: one line, non-zero, nothing left behind ---
expect_error "missing ROOTFS" 125 "ROOTFS '/nonexistent'.*No such file" -- run /nonexistent
expect_error "ROOTFS not a directory" 125 "not a directory" -- run /etc/passwd
expect_error "ROOTFS lacks the command" 127 "lacks the command 'nosuch'" -- run "$R" nosuch
expect_error "command not executable" 126 "not an executable" -- run "$R" /etc/passwd
expect_error "--memory that overflows" 125 "--memory: invalid size '8388608T'" -- run --memory 8388608T "$R" true
expect_error "--memory-swap that overflows" 125 "--memory-swap: invalid size '99999999999999999999'" -- run --memory-swap 99999999999999999999 "$R" true
expect_error "--pids that overflows" 125 "invalid --pids '18446744073709551617'" -- run --pids 18446744073709551617 "$R" true
expect_error "--io-max with a size that overflows" 125 "io-max" -- run --io-max "8:0 rbps=8388608T" "$R" true
expect_failure "vm --memory that overflows" 125 shikumi-vmm "--memory: invalid size '8388608T'" -- "$S" vm --memory 8388608T
expect_error "unknown option" 125 "unknown option '--frobnicate'" -- run --frobnicate "$R"
expect_error "unknown command" 125 "unknown command 'walk'" -- walk
expect_error "volume source missing" 125 "volume source '/no/such/dir'" -- run -v /no/such/dir:/mnt "$R" true
expect_error "bad volume syntax" 125 "HOST:CONTAINER" -- run -v /tmp "$R" true
expect_error "missing working directory" 125 "working directory '/nowhere'" -- run -w /nowhere "$R" true
expect_error "bad hostname" 125 "invalid --hostname" -- run --hostname 'a b' "$R" true
before=$(leftovers)
out=$(setpriv --reuid=65534 --regid=65534 --clear-groups "$S" run "$R" true 2>&1)
rc=$?
expect_eq "without privileges, on root's rootfs: exit 125" "125" "$rc"
expect_match "without privileges: rootless needs a rootfs of one's own" 'belongs to uid 0, not to uid 65534' "$out"
expect_eq "without privileges: nothing left" "$before" "$(leftovers)"
# Root without CAP_SYS_ADMIN is not rootless: it is told what is missing.
out=$(setpriv --inh-caps=-all --bounding-set=-sys_admin "$S" run "$R" true 2>&1)
expect_match "root without CAP_SYS_ADMIN: says which" 'needs root \(CAP_SYS_ADMIN\)' "$out"

expect_eq "nothing left behind after all tests" "$base" "$(leftovers)"
