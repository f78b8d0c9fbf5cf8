# What every lesson shares: where shikumi is, how to narrate, show a command and check a
# claim, in the reader's language. A lesson ends with `finish`: status 0 when every claim
# held, 1 when one did not, 2 when this machine cannot show it (see `needs`).
#
#   title TEXT         a heading
#   say TEXT           narration, wrapped for a terminal
#   show CMD...        prints "$ CMD", runs it, prints its output, keeps it in $OUT
#   claim TEXT TEST... checks TEST (a command); prints "  ✔ TEXT" or "  ✘ TEXT"
#   needs kvm|cgroup|hyperfine|strace   stops the lesson (status 2) where the machine cannot show it
#
# TEXT is a message for GNU gettext: write it in single quotes, with any value in it as a plain
# $name (set before the call), so that xgettext finds it in the script as it is and
# eval_gettext puts the value in after translating. examples/po/ holds the catalogs.
#
# Every lesson takes these options:
#   --lang LL   narrate in language LL (ja); by default the one LANGUAGE, LC_ALL, LC_MESSAGES
#               or LANG names, English when there is no catalog for it
#   --step      presenter's mode: before each command, print it and wait for Enter; q ends
#               the lesson there (status 0, after its clean-up): the default at a terminal
#   --fast      never wait: the default when stdin is not a terminal
# NO_COLOR (any value) turns the colours off, as no-color.org asks.
set -u
EXAMPLES=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# Where shikumi and the lessons' files are: build/ beside examples/ in a checkout (or $BUILD);
# installed (make install), the lessons are PREFIX/share/shikumi/examples, the programs in
# PREFIX/bin and the rest in PREFIX/lib/shikumi, under the names build/ gives them.
if [ -z "${BUILD:-}" ] && [ ! -d "$EXAMPLES/../build" ] && [ -d "$EXAMPLES/../../../lib/shikumi" ]; then
	_prefix=$(cd "$EXAMPLES/../../.." && pwd)
	BUILD="$_prefix/lib/shikumi"
	S="$_prefix/bin/shikumi"
	VMM="$_prefix/bin/shikumi-vmm"
	X="$BUILD/examples"
	PROBES="$X"
	LOCALEDIR="$_prefix/share/locale"
	unset _prefix
else
	BUILD=${BUILD:-$EXAMPLES/../build}
	BUILD=$(cd "$BUILD" 2>/dev/null && pwd || echo "$BUILD")
	S="$BUILD/shikumi"
	VMM="$BUILD/shikumi-vmm"
	X="$BUILD/examples" # the lessons' helper programs, mounted at /x inside containers
	PROBES="$BUILD/tests" # the tests' sysprobe and memhog, which the lessons borrow
	LOCALEDIR="$BUILD/locale"
fi
R="$BUILD/rootfs"
OUT=""
FAILED=0
CLAIMS=0

# The language. gettext picks a catalog from LANGUAGE only when the locale is not C, and a
# fresh Debian 12 has no ja_JP.UTF-8 locale generated (LANG=ja_JP.UTF-8 then falls back to C).
# So the lessons choose the language themselves and call gettext with LANGUAGE=LL and
# LC_ALL=C.UTF-8, a UTF-8 locale every glibc system has: no locale to generate as root, and
# the commands the lessons run keep the locale they were given (their output is what the
# claims read).
LESSON_LANG=""
PACE=""
_args=("$@")
for ((_i = 0; _i < ${#_args[@]}; _i++)); do
	case ${_args[_i]} in
	--lang) LESSON_LANG=${_args[_i + 1]:-}; _i=$((_i + 1)) ;;
	--lang=*) LESSON_LANG=${_args[_i]#--lang=} ;;
	--step) PACE=step ;;
	--fast) PACE=fast ;;
	*)
		echo "usage: $0 [--lang LL] [--step|--fast]" >&2
		exit 2
		;;
	esac
done
unset _args _i
if [ -z "$LESSON_LANG" ]; then
	LESSON_LANG=${LANGUAGE:-${LC_ALL:-${LC_MESSAGES:-${LANG:-}}}}
	LESSON_LANG=${LESSON_LANG%%:*}
fi
LESSON_LANG=${LESSON_LANG%%[_.@]*} # ja_JP.UTF-8 -> ja
case $LESSON_LANG in "" | C | POSIX) LESSON_LANG=en ;; esac
export TEXTDOMAIN=shikumi-lessons
export TEXTDOMAINDIR="$LOCALEDIR"
# tx MSGID: the message in the lesson's language, its $names filled in. This is gettext.sh's
# eval_gettext with a "--" before the message: eval_gettext hands the message to gettext and
# envsubst as their first argument, so one that begins with "--" (--memory 32M sets ..., --read-only:
# ...) is taken for an option and lost. Not `t`: lesson 7 has a `t` of its own (a timer).
tx() {
	LANGUAGE=$LESSON_LANG LC_ALL=C.UTF-8 gettext -- "$1" |
		(export PATH $(envsubst --variables -- "$1"); envsubst -- "$1")
}
if [ "$LESSON_LANG" != en ] && [ ! -e "$TEXTDOMAINDIR/$LESSON_LANG/LC_MESSAGES/$TEXTDOMAIN.mo" ]; then
	echo "lesson: no catalog for '$LESSON_LANG' in $TEXTDOMAINDIR (make examples builds it); in English" >&2
	LESSON_LANG=en
fi

if [ ! -x "$S" ] || [ ! -d "$R" ] || [ ! -x "$X/paging" ] || [ ! -x "$PROBES/sysprobe" ]; then
	dir=$(dirname "$EXAMPLES")
	echo "lesson: $(tx 'build first: make all rootfs examples (from $dir)')" >&2
	exit 2
fi
if [ "$(id -u)" != 0 ]; then
	echo "lesson: $(tx 'run me as root (the lessons make containers with limits)')" >&2
	exit 2
fi

if [ -z "$PACE" ]; then
	if [ -t 0 ]; then PACE=step; else PACE=fast; fi
fi
if [ -t 1 ] && [ -z "${NO_COLOR:-}" ]; then
	B=$'\e[1m' G=$'\e[32m' RD=$'\e[31m' D=$'\e[2m' N=$'\e[0m'
else
	B="" G="" RD="" D="" N=""
fi

title() { printf '\n%s== %s ==%s\n' "$B" "$(tx "$1")" "$N"; }
say() { wrap "$(tx "$1")"; }
# wrap TEXT: lines of at most 88 columns, broken at a space or, in Japanese, between two
# characters, but never before 、。）」 nor after （「 (the rules of 禁則処理, in short).
# Not fold: it counts bytes and would cut a UTF-8 character (3 bytes, 2 columns wide) in two.
wrap() {
	local LC_ALL=C.UTF-8 text=$1 line="" prev=" " cols=0 brk=-1 i c w
	for ((i = 0; i < ${#text}; i++)); do
		c=${text:i:1}
		if [[ $c == [[:ascii:]] ]]; then w=1; else w=2; fi
		if [ "$c" = " " ]; then
			brk=${#line}
		elif [[ $prev != " " && ($prev != [[:ascii:]] || $c != [[:ascii:]]) &&
			$c != [、。，．）」』：] && $prev != [（「『] ]]; then
			brk=${#line}
		fi
		line+=$c
		prev=$c
		cols=$((cols + w))
		if [ "$cols" -gt 88 ] && [ "$brk" -gt 0 ]; then
			printf '%s\n' "${line:0:brk}"
			line=${line:brk}
			line=${line# }
			brk=-1
			cols=$(wcols "$line")
		fi
	done
	printf '%s\n' "$line"
}
wcols() {
	local LC_ALL=C.UTF-8 s=$1 n=0 i
	for ((i = 0; i < ${#s}; i++)); do
		if [[ ${s:i:1} == [[:ascii:]] ]]; then n=$((n + 1)); else n=$((n + 2)); fi
	done
	echo $n
}
# pause: the presenter's moment before a command. Enter runs it, q ends the lesson: the
# background jobs it started (a VM, a container) are stopped and waited for, then `exit` runs
# the lesson's own EXIT trap, so nothing is left behind.
pause() {
	local key=""
	printf '%s  [%s]%s ' "$D" "$(tx 'Enter: run it, q: end the lesson')" "$N"
	IFS= read -r -s -n 1 key || key=q
	echo
	if [ "$key" = q ] || [ "$key" = Q ]; then
		local jobs
		jobs=$(jobs -p)
		[ -n "$jobs" ] && kill $jobs 2>/dev/null
		wait
		tx 'The lesson ends here, as asked.'
		echo
		exit 0
	fi
}
show() {
	printf '%s$ %s%s\n' "$D" "$*" "$N"
	[ "$PACE" = step ] && pause
	# stdin from /dev/null: the presenter's keys are for pause, not for the command.
	OUT=$(eval "$*" 2>&1 </dev/null)
	printf '%s\n' "$OUT" | sed 's/^/    /'
}
claim() {
	local text
	text=$(tx "$1")
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
	local me=$0
	case $1 in
	kvm)
		# PVM's /dev/kvm (kvm_pvm, KVM without VT-x/AMD-V) boots no stock kernel.
		[ -w /dev/kvm ] && { [ ! -e /sys/module/kvm_pvm ] || [ -e /sys/module/kvm_amd ] ||
			[ -e /sys/module/kvm_intel ]; } && return
		echo "lesson: $(tx 'this one boots a VM and needs hardware KVM (/dev/kvm, not PVM'\''s); on any machine, from the checkout:')" >&2
		echo "  tests/testhost/run --smp 1 -- $me" >&2
		exit 2
		;;
	strace)
		command -v strace >/dev/null && return
		echo "lesson: $(tx 'this one counts system calls with strace:')" >&2
		echo "  apt-get install strace" >&2
		exit 2
		;;
	hyperfine)
		command -v hyperfine >/dev/null && return
		echo "lesson: $(tx 'this one times start-ups with shikumi compare, which needs hyperfine:')" >&2
		echo "  apt-get install hyperfine" >&2
		exit 2
		;;
	cgroup)
		if ! grep -qw memory /sys/fs/cgroup/cgroup.controllers 2>/dev/null ||
			! grep -qw cpu /sys/fs/cgroup/cgroup.controllers 2>/dev/null; then
			echo "lesson: $(tx 'this one needs cgroup v2 with its controllers (this machine has hybrid or no cgroup v2); on any machine, from the checkout:')" >&2
			# A lesson that boots VMs as well asks for the one vCPU nested VMs need (see kvm).
			if grep -q '^needs kvm' "$me" 2>/dev/null; then
				echo "  tests/testhost/run --smp 1 -- $me" >&2
			else
				echo "  tests/testhost/run -- $me" >&2
			fi
			exit 2
		fi
		;;
	esac
}
finish() {
	echo
	if [ "$FAILED" = 0 ]; then
		printf '%s%s%s\n' "$B" "$(tx '$CLAIMS of $CLAIMS claims held.')" "$N"
		exit 0
	fi
	printf '%s%s%s\n' "$RD" "$(tx '$FAILED of $CLAIMS claims did not hold.')" "$N"
	exit 1
}
# Numbers for claims: is A between LO and HI (decimals allowed)?
between() { awk -v a="$1" -v lo="$2" -v hi="$3" 'BEGIN { exit !(a >= lo && a <= hi) }'; }
