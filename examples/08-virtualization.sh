#!/bin/bash
# Lesson 8 (chapter 10, virtualization): the VM runs its own kernel, the host sees it as one
# process, and it starts more slowly than a container: by how much, shikumi compare says.
. "$(dirname "$0")/lib.sh"
needs kvm
needs hyperfine

title 'Lesson 8: a VM has its own kernel (chapter 10)'
say 'A container is processes on the host'\''s kernel. A VM is a whole machine emulated by a process (the VMM) with the CPU'\''s help (KVM): it boots a kernel of its own.'
show "uname -r; $S run $R uname -r; $S vm -- uname -r </dev/null 2>/dev/null | tr -d '\r' | tail -1"
host=$(sed -n 1p <<<"$OUT") ct=$(sed -n 2p <<<"$OUT") vm=$(sed -n 3p <<<"$OUT")
claim 'the container reports the host'\''s kernel ($ct)' test "$ct" = "$host"
claim 'the VM reports its own ($vm)' test -n "$vm" -a "$vm" != "$host"

title 'To the host, a VM is one process'
say 'The guest'\''s processes are the guest kernel'\''s business. The host sees one shikumi-vmm process (with a thread per vCPU); a '\''sleep'\'' inside the guest is not a process on the host.'
"$S" vm -- sleep 4 </dev/null >/dev/null 2>&1 &
vm=$!
for _ in $(seq 100); do pid=$(pgrep -f 'shikumi-vmm .*sleep 4' | head -1); [ -n "$pid" ] && break; sleep 0.1; done
sleep 1
show "ps -o pid,nlwp,rss,comm -p $pid; echo children: \$(pgrep -P $pid | wc -l)"
claim 'the VMM is running (PID $pid)' grep -q 'shikumi-vmm' <<<"$OUT"
claim 'it has no child processes: the guest'\''s sleep is not a host process' grep -qx 'children: 0' <<<"$OUT"
wait $vm

title 'Starting: a kernel boot against a clone()'
say 'A container starts with a few system calls; a VM boots a kernel. shikumi compare starts /bin/true both ways three times (timed by hyperfine) and divides the medians. Without --only it also times crun, runc, bwrap and QEMU.'
show "$S compare --runs 3 --only run,vm 2>/dev/null"
r=$(sed -n 's|^ *shikumi vm */ shikumi run *\([0-9.]*\)x\{0,1\} .*|\1|p' <<<"$OUT")
times=${r:-?}
claim 'the VM takes more than 3 times as long from start to exit (here ${times}x)' between "${r:-0}" 3 1000000
claim 'compare shows where the VM'\''s time goes: its kernel'\''s boot' grep -qE '^ +guest-boot +[0-9.]+ ms' <<<"$OUT"
finish
