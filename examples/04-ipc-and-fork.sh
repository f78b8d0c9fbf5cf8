#!/bin/bash
# Lesson 4 (chapter 5, process management): the IPC namespace hides another container's (and
# the host's) shared memory and message queues; after fork, memory is shared until written
# (copy-on-write).
. "$(dirname "$0")/lib.sh"

title 'Lesson 4: shared memory, message queues and fork (chapter 5)'
say 'Processes can share memory (System V shm) and pass messages (message queues) through objects the kernel names by number. Which objects a process can see depends on its IPC namespace; each container has its own.'
shm=$(ipcmk -M 65536 | grep -o '[0-9]*$')
msq=$(ipcmk -Q | grep -o '[0-9]*$')
trap 'ipcrm -m "$shm" -q "$msq" 2>/dev/null' EXIT
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
finish
