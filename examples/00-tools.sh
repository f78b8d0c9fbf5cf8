#!/bin/bash
# Lesson 0 (chapter 1, the Linux overview): what one container start asks of the kernel,
# counted with strace and grouped by what the calls do; shikumi is linked statically, and a
# dynamic build of the same source shows what that saves at every start (ldd, strace, hyperfine).
. "$(dirname "$0")/lib.sh"
needs strace
needs hyperfine
DYN="$X/shikumi-dynamic" # the same source as shikumi, linked against the shared libraries
if [ ! -x "$DYN" ]; then
	dir=$(dirname "$EXAMPLES")
	echo "lesson: $(tx 'build first: make all rootfs examples (from $dir)')" >&2
	exit 2
fi
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT

title 'Lesson 0: a container start, system call by system call (chapter 1)'
say 'A program asks the kernel for everything it cannot do alone (make a process, open a file, mount a file system) with system calls. strace shows each one. Here it counts the calls one container start makes, with -f to follow the processes shikumi creates: the runtime, the container'\''s PID 1 and the command.'
show "strace -f -c -S calls -o $T/count $S run $R /bin/true; head -12 $T/count; tail -1 $T/count"
# The calls column of strace -c's "total" line (an errors column follows it when a call failed).
calls() { awk '$NF == "total" {print (NF == 5 ? $(NF - 1) : $(NF - 2))}' "$1"; }
total=$(calls "$T/count")
claim 'one container start makes $total system calls' test "${total:-0}" -gt 100
say 'The same start traced call by call, each call put in a group by what it does: the namespaces (clone3 with CLONE_NEW* flags, unshare, sethostname), the mounts that build the container'\''s root, the cgroup (its directory and files under /sys/fs/cgroup), the seccomp filters, and the capabilities dropped.'
strace -f -o "$T/trace" "$S" run "$R" /bin/true
# One group per call, first match wins: a clone3 into a cgroup is a namespace call.
awk '
	/^[0-9]+ +(clone3?\(.*CLONE_NEW|unshare\(|setns\(|sethostname\()/ { g = "namespaces" }
	!g && /^[0-9]+ +(mount|umount2|pivot_root|mount_setattr|move_mount|open_tree|fsopen|fsconfig|fsmount|fspick)\(/ { g = "mounts" }
	!g && /^[0-9]+ +(seccomp\(|prctl\(PR_SET_NO_NEW_PRIVS|prctl\(PR_SET_SECCOMP)/ { g = "seccomp" }
	!g && /^[0-9]+ +(capget|capset)\(|^[0-9]+ +prctl\(PR_CAP/ { g = "capabilities" }
	!g && /^[0-9]+ +[a-z0-9_]+\(.*"[^"]*cgroup/ { g = "cgroup" }
	!g && /^[0-9]+ +[a-z0-9_]+\(/ { g = "other" }
	g { n[g]++; g = "" }
	END { for (k in n) printf "%-13s %d\n", k, n[k] }' "$T/trace" | sort -k2 -rn >"$T/groups"
show "cat $T/groups; grep -E 'clone3|seccomp\\(' $T/trace | cut -c1-110"
group() { awk -v g="$1" '$1 == g {print $2}' "$T/groups"; }
ns=$(group namespaces) mounts=$(group mounts) cg=$(group cgroup) sc=$(group seccomp)
claim 'namespaces: one clone3 makes the new pid, mount, uts, ipc and net namespaces at once ($ns calls in this group)' \
	grep -qE 'clone3\(\{flags=[^}]*CLONE_NEWNS[^}]*CLONE_NEWPID' "$T/trace"
claim 'mounts: $mounts calls build the root (overlay, /proc, /dev, /sys, pivot_root)' test "${mounts:-0}" -ge 5
claim 'cgroup: $cg calls make, fill and remove the container'\''s cgroup' test "${cg:-0}" -ge 2
claim 'seccomp: two filters are loaded, PID 1'\''s own and the command'\''s ($sc calls in this group)' \
	test "$(grep -c 'seccomp(SECCOMP_SET_MODE_FILTER' "$T/trace")" -ge 2

title 'Static and dynamic linking'
say 'shikumi is linked statically: libseccomp, libcap, libnl and the C library are copied into the file. A dynamically linked program names shared libraries instead, and the dynamic loader (ld-linux) finds, opens and maps each one before main() runs. ldd lists them; here for shikumi and for a build of the same source linked dynamically.'
show "ldd $S; ldd $DYN"
claim 'shikumi needs no shared library ('\''not a dynamic executable'\'')' grep -q 'not a dynamic executable' <<<"$OUT"
nlibs=$(grep -c '=> /' <<<"$OUT")
claim 'the dynamic build needs $nlibs, the C library among them' grep -qE 'libc\.so\.6 => /' <<<"$OUT"
say 'That work is system calls too, at every start. Both print their version and exit:'
show "strace -f -c -o $T/s $S --version; strace -f -c -o $T/d $DYN --version; tail -1 $T/s; tail -1 $T/d"
s_calls=$(calls "$T/s") d_calls=$(calls "$T/d")
claim 'the static start makes $s_calls system calls, the dynamic one $d_calls' test "${s_calls:-999}" -lt "${d_calls:-0}"

title 'Does static linking start faster?'
say 'The book says so. hyperfine runs each 100 times (after 5 warm-up runs, with no shell in between: -N) and reports the times; the fastest run of each is the cost of starting with the least noise from the rest of the machine.'
show "hyperfine -N --warmup 5 --runs 100 --export-json $T/h.json '$S --version' '$DYN --version' 2>&1 | grep -E 'Time|Range|faster'"
ms() { jq -r ".results[$1].$2 * 1000 | . * 1000 | round / 1000" "$T/h.json"; }
s_min=$(ms 0 min) d_min=$(ms 1 min) s_med=$(ms 0 median) d_med=$(ms 1 median)
saved=$(awk -v s="$s_min" -v d="$d_min" 'BEGIN { printf "%.3f", d - s }')
say 'Fastest run: static $s_min ms, dynamic $d_min ms; medians $s_med ms and $d_med ms.'
claim 'static linking starts faster: $saved ms less in the fastest run' between "$saved" 0.000001 1000
say 'A program pays this at every start: once for a container start, a thousand times for a shell script that runs a small program a thousand times.'
finish
