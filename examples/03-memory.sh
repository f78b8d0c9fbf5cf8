#!/bin/bash
# Lesson 3 (chapter 4, memory): demand paging (mapping memory costs nothing until it is
# touched), a memory limit that OOM-kills a hog, a VM's RAM as one mapping in the VMM, and
# ten VMs restored from one snapshot sharing its pages (copy-on-write, for whole machines).
. "$(dirname "$0")/lib.sh"
needs cgroup
needs kvm
T=$(mktemp -d)
VMS=""
trap 'kill $VMS 2>/dev/null; wait; rm -rf "$T"' EXIT

title 'Lesson 3: memory is given on demand (chapter 4)'
say 'mmap() of 256 MiB only reserves addresses. The kernel gives a page of real memory the first time it is touched (a page fault). The helper maps 256 MiB, then writes to 16 MiB of it, and prints the container'\''s memory.current (what its cgroup is charged; --memory turns the memory controller on for it) and its own RSS after each step.'
show "$S" run --memory 1G -v "$X:/x:ro" "$R" /x/paging demand 256 16
kib() { sed -n "s/^$1 .*memory.current=\([0-9]*\).*/\1/p" <<<"$OUT"; }
rss() { sed -n "s/^$1 .*rss=\([0-9]*\).*/\1/p" <<<"$OUT"; }
start=$(kib start) mapped=$(kib mapped) touched=$(kib touched)
mapped_mib=$(((mapped - start) / 1024)) touched_mib=$(((touched - mapped) / 1024))
claim 'mapping 256 MiB added almost nothing ($mapped_mib MiB)' test "$start" -gt 0 -a $((mapped - start)) -lt 2048
claim 'touching 16 MiB added about 16 MiB ($touched_mib MiB)' between $((touched - mapped)) $((15 * 1024)) $((20 * 1024))
claim 'the process'\''s RSS tells the same story' between $(($(rss touched) - $(rss mapped))) $((15 * 1024)) $((18 * 1024))

title 'A limit, and the OOM killer'
say '--memory 32M sets memory.max. When the group needs more and nothing can be reclaimed, the kernel kills a process in the group, not on the host.'
show "$S run --memory 32M --memory-swap 0 -v $PROBES:/t:ro $R /t/memhog 64; echo status=\$?"
claim 'the hog got no further than 32 MiB' bash -c '! grep -qE "^(40|48|56|64) MiB" <<<"$1"' _ "$OUT"
claim 'and was killed: status 137' grep -qx 'status=137' <<<"$OUT"

title 'A VM'\''s memory: one mapping in one process'
say 'shikumi-vmm gives the guest its RAM as a single anonymous mapping of --memory bytes. On the host that is one line in /proc/PID/smaps of the VMM, and its RSS grows only with the pages the guest has touched, by the same demand paging. The VMM asks for transparent huge pages there (madvise MADV_HUGEPAGE), so where the host allows them the guest'\''s memory arrives 2 MiB at a time (AnonHugePages).'
"$S" vm --memory 256M -- sleep 5 </dev/null >/dev/null 2>&1 &
vm=$!
for _ in $(seq 100); do
	pid=$(pgrep -f "shikumi-vmm .*--memory 256M" | head -1)
	[ -n "$pid" ] && grep -q '^Size: *262144 kB' "/proc/$pid/smaps" 2>/dev/null && break
	sleep 0.1
done
sleep 2
show "awk '/^[0-9a-f]+-/ {m = \$0} /^Size: *262144 kB/ {p = 1; print m} p && /^(Size|Rss|AnonHugePages):/ {print} /^AnonHugePages:/ {p = 0}' /proc/$pid/smaps"
guest_rss=$(awk '/^Rss:/ {print $2}' <<<"$OUT")
claim 'the guest'\''s 256 MiB is one mapping of the VMM' test "$(grep -c '^Size:' <<<"$OUT")" = 1
rss_kib=${guest_rss:-?}
claim 'of which only the touched part is resident ($rss_kib KiB)' test "${guest_rss:-262144}" -lt 200000 -a "${guest_rss:-0}" -gt 1024
wait $vm

title 'Ten VMs from one snapshot: copy-on-write for whole machines'
say 'After fork() parent and child share every page until one of them writes it (copy-on-write). A VM restored from a snapshot gets the same: shikumi-vmm --restore maps the snapshot'\''s memory file MAP_PRIVATE, so the pages it only reads are the page cache'\''s, shared by every VM restored from that file, and only a page it writes becomes its own. PSS (proportional set size) charges each shared page to its sharers in equal parts, so it adds up honestly. First one VM booted the usual way, then ten restored at once from a snapshot taken once; each runs sleep and reports when it is up.'
K="$BUILD/guest/bzImage-mini"
[ -f "$K" ] || K="$BUILD/guest/bzImage"
"$S" vm --kernel "$K" --memory 128M --snapshot-dir "$T/snaps" --snapshot booted </dev/null >"$T/snap.log" 2>&1
# vm_up FILE...: waits (two minutes at most) until each console log has the line "42-up" (the
# guest's echo; the kernel's own log, which shows its command line, has no line starting so).
vm_up() {
	for _ in $(seq 600); do
		local f all=1
		for f in "$@"; do grep -q '^42-up' "$f" 2>/dev/null || all=0; done
		[ "$all" = 1 ] && return 0
		sleep 0.2
	done
	return 1
}
# pss PID...: their summed PSS in KiB (/proc/PID/smaps_rollup).
pss() { for p in "$@"; do awk '/^Pss:/ {print $2}' "/proc/$p/smaps_rollup"; done | awk '{s += $1} END {print s + 0}'; }
# A boot's VMM is jailed, a child of shikumi vm ($!); a restore (--from) execs shikumi-vmm:
# there $! is the VMM itself.
"$S" vm --kernel "$K" --memory 128M -- sh -c 'echo $((6*7))-up; sleep 120' </dev/null >"$T/boot.log" 2>&1 &
VMS="$!"
vm_up "$T/boot.log"
boot=$(pgrep -P "$VMS" -x shikumi-vmm)
restored=""
for n in 0 1 2 3 4 5 6 7 8 9; do
	"$S" vm --kernel "$K" --snapshot-dir "$T/snaps" --from booted -- sh -c 'echo $((6*7))-up; sleep 120' </dev/null >"$T/r$n.log" 2>&1 &
	restored="$restored $!"
done
VMS="$VMS$restored"
vm_up "$T"/r[0-9].log
up=$(grep -l '^42-up' "$T"/r[0-9].log | wc -l)
show "grep -H '^Pss:' /proc/$boot/smaps_rollup; for p in$restored; do grep -H '^Pss:' /proc/\$p/smaps_rollup; done"
boot_pss=$(pss $boot) ten=$(pss $restored)
boot_mib=$((boot_pss / 1024)) ten_mib=$((ten / 1024)) ten_boots_mib=$((boot_pss * 10 / 1024))
claim 'ten VMs are restored and running ($up of 10 said they are up)' test "$up" = 10
claim 'one booted VM: $boot_mib MiB of PSS, so ten boots would be some $ten_boots_mib MiB' test "${boot_pss:-0}" -gt 1024
claim 'the ten restored ones together: $ten_mib MiB, at most 3 times one boot (they share the snapshot'\''s pages)' \
	test "${ten:-0}" -gt 0 -a "${ten:-0}" -le $((3 * ${boot_pss:-0}))
kill $VMS 2>/dev/null
wait 2>/dev/null
VMS=""
finish
