#!/bin/bash
# Lesson 7 (chapters 8-9, storage): the page cache a container fills is charged to its own
# cgroup (memory.stat: file, not anon); --io-max throttles its writes to a disk.
. "$(dirname "$0")/lib.sh"
needs cgroup
T=$(mktemp -d)
loop=""
cleanup() { [ -n "$loop" ] && losetup -d "$loop"; rm -rf "$T"; }
trap cleanup EXIT

title 'Lesson 7: the page cache and disk I/O (chapters 8-9)'
say 'Writing a file does not wait for the disk: the data goes to the page cache (memory) first. In cgroup v2 those pages are charged to the group that wrote them, and memory.stat tells them apart: '\''file'\'' for the page cache, '\''anon'\'' for process memory. (The --memory limit, far above what is written here, is there because shikumi turns on only the controllers its limits need: without one, the group may have no memory.stat.)'
show "$S run --memory 256M -v $T:/data $R sh -c 'grep -E \"^(anon|file) \" /sys/fs/cgroup/memory.stat; dd if=/dev/zero of=/data/f bs=1M count=32 2>/dev/null; echo after:; grep -E \"^(anon|file) \" /sys/fs/cgroup/memory.stat'"
stat() { sed -n "$1"'{/^'"$2"' /s/^[a-z]* //p}' <<<"$OUT"; }
file0=$(stat '1,/after:/' file) file1=$(stat '/after:/,$' file)
anon0=$(stat '1,/after:/' anon) anon1=$(stat '/after:/,$' anon)
file_mib=$(((file1 - file0) >> 20)) anon_mib=$(((anon1 - anon0) >> 20))
claim 'writing 32 MiB grew the container'\''s '\''file'\'' by about 32 MiB ($file_mib MiB)' between $file_mib 28 40
claim 'and not its '\''anon'\'' ($anon_mib MiB)' test $anon_mib -lt 4

title '--io-max: a write throttled'
say 'The io controller limits a group'\''s bandwidth to one device, named by major:minor. Here the device is a loop device over a file; the container writes 4 MiB straight to it (O_DIRECT, so the page cache does not absorb it), first freely, then under wbps=1M.'
truncate -s 64M "$T/disk"
loop=$(losetup -f --show "$T/disk")
mm=$(lsblk -dno MAJ:MIN "$loop" | tr -d ' ')
write="dd if=/dev/zero of=$loop bs=64k count=64 oflag=direct"
# Each container times its own dd (busybox time: "real 0m 4.02s"), so that the start-up of
# the container, larger on a loaded machine, is in neither number. The first write to the
# sparse file behind the loop device allocates its blocks: done here, before either is timed.
$write >/dev/null 2>&1
show "$S run --device $loop $R time $write; $S run --device $loop --io-max '$mm wbps=1M' $R time $write"
secs() { sed -n 's/^real[[:space:]]*\([0-9]*\)m \([0-9.]*\)s$/\1 \2/p' <<<"$OUT" | sed -n "$1p" |
	awk '{ printf "%d", ($1 * 60 + $2) * 1000 }'; }
free=$(secs 1) slow=$(secs 2)
claim 'unthrottled it is at least twice as fast ($free ms against $slow ms)' test $((${free:-0} * 2)) -lt "${slow:-0}"
claim 'at 1 MiB/s the 4 MiB take about 4 seconds ($slow ms)' between "${slow:-0}" 3000 7000
finish
