# What every lesson shares: where shikumi is, how to narrate, show a command and check a
# claim. A lesson ends with `finish`: status 0 when every claim held, 1 when one did not.
#
#   say TEXT...        narration, wrapped for a terminal
#   show CMD...        prints "$ CMD", runs it, prints its output, keeps it in $OUT
#   claim TEXT TEST... checks TEST (a command); prints "  ✔ TEXT" or "  ✘ TEXT"
#   needs kvm|cgroup|hyperfine   stops the lesson (status 2) where the machine cannot show it
set -u
EXAMPLES=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
BUILD=${BUILD:-$EXAMPLES/../build}
BUILD=$(cd "$BUILD" 2>/dev/null && pwd || echo "$BUILD")
S="$BUILD/shikumi"
R="$BUILD/rootfs"
X="$BUILD/examples" # the lessons' helper programs, mounted at /x inside containers
OUT=""
FAILED=0
CLAIMS=0

if [ ! -x "$S" ] || [ ! -d "$R" ] || [ ! -x "$X/paging" ] || [ ! -x "$BUILD/tests/sysprobe" ]; then
	echo "lesson: build first: make all rootfs examples (from $(dirname "$EXAMPLES"))" >&2
	exit 2
fi
if [ "$(id -u)" != 0 ]; then
	echo "lesson: run me as root (the lessons make containers with limits)" >&2
	exit 2
fi

if [ -t 1 ]; then
	B=$'\e[1m' G=$'\e[32m' RD=$'\e[31m' D=$'\e[2m' N=$'\e[0m'
else
	B="" G="" RD="" D="" N=""
fi

title() { printf '\n%s== %s ==%s\n' "$B" "$*" "$N"; }
say() { printf '%s\n' "$*" | fold -s -w 88; }
show() {
	printf '%s$ %s%s\n' "$D" "$*" "$N"
	OUT=$(eval "$*" 2>&1)
	printf '%s\n' "$OUT" | sed 's/^/    /'
}
claim() {
	local text=$1
	shift
	CLAIMS=$((CLAIMS + 1))
	if "$@" >/dev/null 2>&1; then
		printf '  %s✔%s %s\n' "$G" "$N" "$text"
	else
		printf '  %s✘ %s%s\n' "$RD" "$text" "$N"
		FAILED=$((FAILED + 1))
	fi
}
needs() {
	case $1 in
	kvm)
		# PVM's /dev/kvm (kvm_pvm, KVM without VT-x/AMD-V) boots no stock kernel.
		[ -w /dev/kvm ] && { [ ! -e /sys/module/kvm_pvm ] || [ -e /sys/module/kvm_amd ] ||
			[ -e /sys/module/kvm_intel ]; } && return
		echo "lesson: this one boots a VM and needs hardware KVM (/dev/kvm, not PVM's); on any machine, from the checkout:" >&2
		echo "  tests/testhost/run --smp 1 -- $0" >&2
		exit 2
		;;
	hyperfine)
		command -v hyperfine >/dev/null && return
		echo "lesson: this one times start-ups with shikumi compare, which needs hyperfine:" >&2
		echo "  apt-get install hyperfine" >&2
		exit 2
		;;
	cgroup)
		if ! grep -qw memory /sys/fs/cgroup/cgroup.controllers 2>/dev/null ||
			! grep -qw cpu /sys/fs/cgroup/cgroup.controllers 2>/dev/null; then
			echo "lesson: this one needs cgroup v2 with its controllers (this machine has hybrid or" >&2
			echo "no cgroup v2); on any machine, from the checkout: tests/testhost/run -- $0" >&2
			exit 2
		fi
		;;
	esac
}
finish() {
	echo
	if [ "$FAILED" = 0 ]; then
		printf '%s%d of %d claims held.%s\n' "$B" "$CLAIMS" "$CLAIMS" "$N"
		exit 0
	fi
	printf '%s%d of %d claims did not hold.%s\n' "$RD" "$FAILED" "$CLAIMS" "$N"
	exit 1
}
# Numbers for claims: is A between LO and HI (decimals allowed)?
between() { awk -v a="$1" -v lo="$2" -v hi="$3" 'BEGIN { exit !(a >= lo && a <= hi) }'; }
