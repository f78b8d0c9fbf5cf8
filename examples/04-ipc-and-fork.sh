#!/bin/bash
# Lesson 4 (chapter 5, process management): the IPC namespace hides another container's (and
# the host's) shared memory and message queues; after fork, memory is shared until written
# (copy-on-write); exclusive control with a lock file: twenty processes, then twenty
# containers, race for one address.
. "$(dirname "$0")/lib.sh"

title 'Lesson 4: shared memory, message queues and fork (chapter 5)'
say 'Processes can share memory (System V shm) and pass messages (message queues) through objects the kernel names by number. Which objects a process can see depends on its IPC namespace; each container has its own.'
shm=$(ipcmk -M 65536 | grep -o '[0-9]*$')
msq=$(ipcmk -Q | grep -o '[0-9]*$')
# The race at the end: a bridge and a lease directory of the lesson's own, removed with the rest.
BR=shk-lesson4 NET=10.204.0 A=10.204.0.5
T=$(mktemp -d)
cleanup() {
	ipcrm -m "$shm" -q "$msq" 2>/dev/null
	ip link del "$BR" 2>/dev/null
	rm -rf "$T" "/run/shikumi/net/$BR"
}
trap cleanup EXIT
show "ipcs -m -q | grep -E '^0x' "
claim 'the host has the segment ($shm) and the queue ($msq) just made' test "$(grep -cE "^0x[0-9a-f]+ +($shm|$msq) " <<<"$OUT")" = 2
show "$S" run "$R" sh -c "'cat /proc/sysvipc/shm /proc/sysvipc/msg'"
claim 'inside a container, neither is there: only the two header lines' test "$(grep -c . <<<"$OUT")" = 2
say 'Two containers cannot meet through System V IPC either. One container makes a segment and keeps it for two seconds; meanwhile another looks.'
show "$S run -v $X:/x:ro $R sh -c '/x/paging shm 2 & sleep 0.5; echo first: \$(grep -c . /proc/sysvipc/shm) lines; wait' & sleep 1; echo second: \$($S run $R grep -c . /proc/sysvipc/shm) lines; wait"
claim 'the first container sees its own segment (header + 1 line)' grep -qx 'first: 2 lines' <<<"$OUT"
claim 'the second, at the same moment, sees only the header' grep -qx 'second: 1 lines' <<<"$OUT"
say '(Containers that should share, like a Kubernetes pod'\''s, are put in one IPC namespace on purpose.)'

title 'fork: copy-on-write'
say 'fork() does not copy the parent'\''s memory. Parent and child share every page, read-only, until one of them writes: then the kernel copies that one page (a page fault, then a copy). The helper fills 64 MiB, forks, and the child reports how much of it is still shared, before and after it writes every page.'
show "$S" run -v "$X:/x:ro" "$R" /x/paging cow 64
before=$(sed -n 's/^forked .*shared=\([0-9]*\).*/\1/p' <<<"$OUT")
after=$(sed -n 's/^written .*private=\([0-9]*\).*/\1/p' <<<"$OUT")
after_shared=$(sed -n 's/^written .*shared=\([0-9]*\).*/\1/p' <<<"$OUT")
shared_kib=${before:-?} private_kib=${after:-?} left_kib=${after_shared:-?}
claim 'right after fork, the child shares the 64 MiB ($shared_kib KiB shared)' test "${before:-0}" -ge $((60 * 1024))
claim 'after writing, it has its own copy ($private_kib KiB private)' test "${after:-0}" -ge $((60 * 1024))
claim 'and shares almost nothing any more ($left_kib KiB)' test "${after_shared:-99999}" -lt $((4 * 1024))

title 'Exclusive control: a lock file done right'
say 'Twenty processes want one IP address ($A), and whoever takes it writes a file of that name. The naive way is "test, then create": if the file is not there, make it. Between the test and the create another process can make the same test; the sleep of half a second here only widens that window so that it shows every time.'
mkdir -p "$T/naive" "$T/excl" "$T/gate"
show "for i in \$(seq 20); do ( [ -e $T/naive/$A ] || { sleep 0.5; echo \$i >$T/naive/$A; echo \$i; } ) & done | sort -n | xargs"
naive=$(wc -w <<<"$OUT")
claim 'more than one process took the address ($naive of 20)' test "$naive" -gt 1
owner=$(cat "$T/naive/$A")
claim 'yet the file names only one of them ($owner): the others use an address nobody knows they hold' test "$(wc -l <"$T/naive/$A")" = 1
say 'The fix is to test and create in one system call: open(O_CREAT | O_EXCL) creates the file or fails if it exists, atomically (in the shell, set -C does it). Same window, same sleep:'
show "for i in \$(seq 20); do ( [ -e $T/excl/$A ] || { sleep 0.5; set -C; { echo \$i >$T/excl/$A; } 2>/dev/null && echo \$i; } ) & done | xargs"
excl=$(wc -w <<<"$OUT")
claim 'exactly one process took it ($excl)' test "$excl" = 1
say 'shikumi'\''s address manager (runtime/ipam.c) does the same for --net bridge: every address taken is a lease file made with O_EXCL, and the whole choice (clear the leases of containers that died, find a free address, take it) runs under flock() on a lock file that is never deleted. Now twenty containers ask for $A at once. want N starts one; if it gets in, it leaves a mark in /gate and keeps the address until the lesson opens the gate, so all twenty attempts overlap.'
want() {
	"$S" run --net bridge --bridge "$BR" --subnet "$NET.0/24" --ip "$A" -v "$T/gate:/gate" "$R" \
		sh -c "touch /gate/in-$1; until [ -e /gate/open ]; do sleep 0.1; done" 2>"$T/err-$1"
	echo $? >"$T/rc-$1"
}
# settle: until each of the twenty has given up (rc-N) or got in (gate/in-N), at most a minute.
settle() {
	local i
	for ((i = 0; i < 600; i++)); do
		[ $(($(ls "$T" | grep -c '^rc-') + $(ls "$T/gate" | grep -c '^in-'))) -ge 20 ] && return
		sleep 0.1
	done
}
show "for i in \$(seq 20); do want \$i & done; settle; head -1 /run/shikumi/net/$BR/$A; touch $T/gate/open; wait; cat $T/err-* | sort | uniq -c"
got=$(ls "$T/gate" | grep -c '^in-')
ok=$(cat "$T"/rc-* | grep -cx 0)
refused=$(grep -l "ip $A is taken by another container" "$T"/err-* | wc -l)
claim 'exactly one container got the address ($got)' test "$got" = 1 -a "$ok" = 1
claim 'the other 19 were refused: it is taken ($refused)' test "$refused" = 19
claim 'while it ran, the lease file named its owner'\''s PID' grep -qE "^ *# shikumi lease: $A pid [0-9]+ " <<<"$OUT"
claim 'when it ended, the lease went with it' test ! -e "/run/shikumi/net/$BR/$A"
finish
