#!/bin/bash
# Lesson 8 (chapter 10, virtualization): the VM runs its own kernel, the host sees it as one
# process, and it starts more slowly than a container: by how much, --timing says (shikumi
# compare, which does it many times against the peers, is not run in the test host, where
# full compare runs froze the nested machine).
. "$(dirname "$0")/lib.sh"
needs kvm

title "Lesson 8: a VM has its own kernel (chapter 10)"
say "A container is processes on the host's kernel. A VM is a whole machine emulated by a process (the VMM) with the CPU's help (KVM): it boots a kernel of its own."
show "uname -r; $S run $R uname -r; $S vm -- uname -r </dev/null 2>/dev/null | tr -d '\r' | tail -1"
host=$(sed -n 1p <<<"$OUT") ct=$(sed -n 2p <<<"$OUT") vm=$(sed -n 3p <<<"$OUT")
claim "the container reports the host's kernel ($ct)" test "$ct" = "$host"
claim "the VM reports its own ($vm)" test -n "$vm" -a "$vm" != "$host"

title "To the host, a VM is one process"
say "The guest's processes are the guest kernel's business. The host sees one shikumi-vmm process (with a thread per vCPU); a 'sleep' inside the guest is not a process on the host."
"$S" vm -- sleep 4 </dev/null >/dev/null 2>&1 &
vm=$!
for _ in $(seq 100); do pid=$(pgrep -f 'shikumi-vmm .*sleep 4' | head -1); [ -n "$pid" ] && break; sleep 0.1; done
sleep 1
show "ps -o pid,nlwp,rss,comm -p $pid; echo children: \$(pgrep -P $pid | wc -l)"
claim "the VMM is running (PID $pid)" grep -q 'shikumi-vmm' <<<"$OUT"
claim "it has no child processes: the guest's sleep is not a host process" grep -qx 'children: 0' <<<"$OUT"
wait $vm

title "Starting: a kernel boot against a clone()"
say "A container starts with a few system calls; a VM boots a kernel. Both report their start-up with --timing; shikumi compare (see the README) does the same many times, against crun, runc, bwrap and QEMU."
show "$S run --timing $R /bin/true 2>&1 | grep 'timing: total'; $S vm --timing -- /bin/true </dev/null 2>&1 | tr -d '\r' | grep 'timing: total'"
ct=$(sed -n '1s/.* \([0-9.]*\) ms$/\1/p' <<<"$OUT") vmt=$(sed -n '2s/.* \([0-9.]*\) ms$/\1/p' <<<"$OUT")
r=$(awk -v a="${vmt:-0}" -v b="${ct:-0}" 'BEGIN { if (b > 0) printf "%.0f", a / b; else print 0 }')
claim "the VM takes more than 5 times as long from start to exit (here ${r}x)" between "$r" 5 1000000
finish
