# Helpers for integration tests. Each check prints "ok - NAME" or "FAIL - NAME: why" and
# appends its result to $RESULTS, which tests/run-all.sh counts.
# BUILD (the build folder) and RESULTS default to build/ and nowhere, so that one test file
# can also be run by itself: bash tests/integration/test_run.sh
set -u
BUILD=${BUILD:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)/build}
RESULTS=${RESULTS:-/dev/null}
S="$BUILD/shikumi"
R="$BUILD/rootfs"

pass() { echo "ok - $1"; echo pass >>"$RESULTS"; }
fail() { echo "FAIL - $1: $2"; echo "fail $1" >>"$RESULTS"; }

# expect_eq NAME EXPECTED ACTUAL
expect_eq() {
	if [ "$2" = "$3" ]; then pass "$1"; else fail "$1" "expected '$2', got '$3'"; fi
}

# expect_match NAME REGEX ACTUAL
expect_match() {
	if printf '%s' "$3" | grep -qE -- "$2"; then pass "$1"; else fail "$1" "'$3' does not match /$2/"; fi
}

# expect_true NAME COMMAND...
expect_true() {
	local name=$1
	shift
	if "$@"; then pass "$name"; else fail "$name" "command failed: $*"; fi
}

# What a container or a VM may leave behind: mounts, processes, cgroups, veths and taps, address
# leases. Compared before and after.
leftovers() {
	{
		grep -c "" /proc/mounts
		# "shikumi run " with its space: not a compiler's "-o build/shikumi runtime/cli.c"
		pgrep -f "shikumi run " | grep -vx "$$" || true
		ls /sys/fs/cgroup/shikumi /sys/fs/cgroup/unified/shikumi 2>/dev/null | grep -E '^(run|oci)-' || true
		ls /sys/class/net | grep '^shk[v0-9]' || true
		ls /run/shikumi/net/*/ 2>/dev/null | grep '^[0-9]' || true
	} | tr '\n' ' '
}

# wait_for_process PATTERN: waits (up to 20 s) until a process whose command line matches
# PATTERN runs, rather than sleeping a guessed time that a loaded machine may overrun.
wait_for_process() {
	local i
	for ((i = 0; i < 400; i++)); do
		pgrep -f -- "$1" >/dev/null && return 0
		sleep 0.05
	done
	return 1
}

# listening PORT [FILE]: shell code for inside a container: "nc -l -p PORT" in the background
# (what it receives into FILE, default /dev/null), then a wait until the port is listening.
listening() {
	printf 'nc -l -p %d >%s & for i in $(seq 200); do grep -qsE ":%04X [0-9A-F]+:0000 0A" /proc/net/tcp /proc/net/tcp6 && break; sleep 0.05; done' \
		"$1" "${2:-/dev/null}" "$1"
}

# pid_of_command RUNTIME_PID: the command's PID on the host (the init's child), once it runs
# as someone other than root (after the user-namespace switch, where there is one).
pid_of_command() {
	local init cmd i
	for ((i = 0; i < 100; i++)); do
		init=$(pgrep -P "$1" | head -1)
		cmd=${init:+$(pgrep -P "$init" | head -1)}
		[ -n "$cmd" ] && [ "$(awk '/^Uid:/ {print $2}' "/proc/$cmd/status" 2>/dev/null)" != 0 ] &&
			echo "$cmd" && return
		sleep 0.05
	done
}

# run_cmocka BINARY [ENV=VALUE...]: runs a cmocka test program, prints its results and
# counts each test as a pass or a fail.
run_cmocka() {
	local bin=$1 out rc ok bad name failed i
	shift
	name=$(basename "$bin")
	out=$(env "$@" "$bin" 2>&1)
	rc=$?
	echo "$out" | grep -E '^\[ +(OK|FAILED|ERROR) +\]|LINE' | sed "s|^|$name: |"
	ok=$(echo "$out" | grep -cE '^\[ +OK +\]')
	bad=$(echo "$out" | grep -E '^\[  FAILED  \] [0-9]+ test' | grep -oE '[0-9]+' | awk '{s += $1} END {print s + 0}')
	for ((i = 0; i < ok; i++)); do echo pass >>"$RESULTS"; done
	# cmocka names a failed test twice (as it fails, and in its summary): once each here.
	failed=$(echo "$out" | sed -n 's/^\[  FAILED  \] \([^ ]*\)$/\1/p' | sort -u)
	for ((i = 0; i < bad; i++)); do
		echo "fail $name: $(echo "$failed" | sed -n "$((i + 1))p")" >>"$RESULTS"
	done
	if [ "$rc" != 0 ] && [ "$bad" = 0 ]; then
		echo "FAIL - $name crashed (exit $rc)"
		echo "$out" | tail -20
		echo "fail $name crashed" >>"$RESULTS"
	fi
}

# expect_failure NAME EXIT_CODE PROGRAM REGEX -- COMMAND...: COMMAND fails with EXIT_CODE and
# one line "PROGRAM: ...REGEX...", and leaves no residue (nothing in leftovers, ROOTFS as it was)
expect_failure() {
	local name=$1 code=$2 prog=$3 re=$4
	shift 5
	local before after out rc tree_before tree_after
	before=$(leftovers)
	tree_before=$(find "$R" | sort | md5sum)
	out=$("$@" 2>&1 </dev/null)
	rc=$?
	after=$(leftovers)
	tree_after=$(find "$R" | sort | md5sum)
	if [ "$rc" != "$code" ]; then
		fail "$name" "exit $rc, expected $code (output: $out)"
	elif [ "$(printf '%s\n' "$out" | wc -l)" != 1 ]; then
		fail "$name" "expected one line, got: $out"
	elif ! printf '%s' "$out" | grep -qE -- "^$prog: .*$re"; then
		fail "$name" "message '$out' does not match /$re/"
	elif [ "$before" != "$after" ]; then
		fail "$name" "left something behind (mounts/processes before: $before, after: $after)"
	elif [ "$tree_before" != "$tree_after" ]; then
		fail "$name" "changed ROOTFS"
	else
		pass "$name"
	fi
}

# expect_error NAME EXIT_CODE REGEX -- ARGS... : `shikumi ARGS` fails the same way
expect_error() {
	expect_failure "$1" "$2" shikumi "$3" -- "$S" "${@:5}"
}
