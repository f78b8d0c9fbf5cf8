#!/bin/bash
# Inside the test host: shikumi vm --cpus N boots the minimal kernel (SMP, MP table) on N
# vCPUs, one thread each: the guest brings up every one from the MP table (no ACPI), each sees
# its own APIC id in a topology of N cores, the devices' interrupts arrive through the I/O
# APIC, the disk still works, a guest that keeps every CPU busy still prints and ends, a
# reboot from another vCPU than the first ends the VM with the command's status. (Bad counts:
# test_vmm.sh, on any machine.)
# Two CPUs in the test host, so that two guest vCPUs really run at once (four then share them).
# testhost: --smp 2
. "$(dirname "$0")/lib.sh"
V="$BUILD/shikumi-vmm"
K="$BUILD/guest/bzImage-mini" # SMP and X86_MPPARSE built in (the cloud kernel has no MPPARSE)
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
# vm ARGS...: boots (three minutes at most: a hung guest must not hang the test host), the
# console in $T/out without carriage returns, the status in $rc.
vm() {
	timeout -s KILL 180 "$S" vm --kernel "$K" "$@" </dev/null >"$T/raw" 2>&1
	rc=$?
	tr -d '\r' <"$T/raw" >"$T/out"
	out=$(cat "$T/out")
}

# What the guest says of its CPUs (no '"' in it: it travels on the kernel command line).
facts="echo nproc=\$(nproc); echo cpuinfo=\$(grep -c ^processor /proc/cpuinfo);"
facts+=" echo apicids=\$(sed -n 's/^apicid.*: //p' /proc/cpuinfo | tr '\\n' ,);"
facts+=" echo cores=\$(sed -n 's/^cpu cores.*: //p' /proc/cpuinfo | sort -u | tr '\\n' ,);"
facts+=" echo online=\$(cat /sys/devices/system/cpu/online); grep -E 'ttyS0|virtio' /proc/interrupts"
for n in 2 4; do
	vm --cpus "$n" -- sh -c "$facts; exit 3"
	expect_eq "--cpus $n: the command's status comes back" 3 "$rc"
	expect_match "--cpus $n: nproc in the guest is $n" "^nproc=$n$" "$out"
	expect_match "--cpus $n: /proc/cpuinfo lists $n processors" "^cpuinfo=$n$" "$out"
	expect_match "--cpus $n: all online" "^online=0-$((n - 1))$" "$out"
	ids=$(seq -s, 0 $((n - 1)))
	expect_match "--cpus $n: each vCPU has its own APIC id ($ids)" "^apicids=$ids,$" "$out"
	expect_match "--cpus $n: the topology is one package of $n cores" "^cores=$n,$" "$out"
	expect_match "--cpus $n: the UART's interrupt comes through the I/O APIC" 'IO-APIC.*ttyS0' "$out"
done

vm -- sh -c "$facts; exit 0"
expect_eq "one vCPU (the default): status 0" 0 "$rc"
expect_match "one vCPU: nproc is 1" '^nproc=1$' "$out"
expect_match "one vCPU: the UART's interrupt comes through the I/O APIC too (the MP table is there)" 'IO-APIC.*ttyS0' "$out"

# The disk on two vCPUs: the virtio-mmio interrupt through the I/O APIC, written and read back.
D="$T/disk.ext4"
cp "$BUILD/rootfs.ext4" "$D"
vm --cpus 2 --disk "$D" -- sh -c "$facts; dd if=/dev/urandom of=/root/blob bs=64k count=32 2>/dev/null; md5sum /root/blob; exit 4"
expect_eq "--cpus 2 --disk: the command's status comes back" 4 "$rc"
expect_match "--cpus 2 --disk: nproc is 2" '^nproc=2$' "$out"
expect_match "--cpus 2 --disk: virtio-blk's interrupt comes through the I/O APIC" 'IO-APIC.*virtio' "$out"
sum=$(sed -n 's,  /root/blob$,,p' "$T/out")
vm --cpus 2 --disk "$D" -- md5sum /root/blob
expect_eq "--cpus 2 --disk: what one boot wrote, the next reads back" "$sum  /root/blob" "$(grep '/root/blob$' "$T/out")"

# Every CPU busy at once, and two writers on the console at once: each line arrives whole,
# none lost, and the VM still ends with the command's status.
busy='for i in 1 2; do (while :; do :; done) & done;'
busy+=' (for i in $(seq 20); do echo a-$i-aaaaaaaa; done) & a=$!;'
busy+=' (for i in $(seq 20); do echo b-$i-bbbbbbbb; done) & b=$!;'
busy+=' wait $a $b; exit 6'
vm --cpus 2 --timing -- sh -c "$busy"
expect_eq "--cpus 2, both CPUs spinning: the VM ends with the command's status" 6 "$rc"
expect_eq "... 20 whole lines from the first writer" 20 "$(grep -cxE 'a-[0-9]+-a{8}' "$T/out")"
expect_eq "... and 20 from the second, at the same time" 20 "$(grep -cxE 'b-[0-9]+-b{8}' "$T/out")"
expect_match "... --timing sums the exits over the two vCPUs" '^exits: serial [1-9][0-9]+, .*; 2 vCPUs, the end came from vCPU [01]$' "$out"
expect_eq "... and no VMM is left" "" "$(pgrep -x shikumi-vmm)"

# The reboot from the second vCPU: the kernel restarts on the CPU reboot= names (s1), PID 1
# runs there too (taskset), so the status write and the reset come from vCPU 1's thread, which
# must stop vCPU 0's and end the VM as vCPU 0 would.
cmdline="console=ttyS0 quiet reboot=k,s1 panic=-1 pci=off acpi=off tsc=reliable no_timer_check lpj=1000000"
timeout -s KILL 180 "$V" --kernel "$K" --initrd "$BUILD/initramfs.cpio.gz" --cpus 2 --timing \
	--cmdline "$cmdline -- sh -c \"taskset -p 2 1 >/dev/null; exit 9\"" </dev/null >"$T/raw" 2>&1
expect_eq "a reboot from vCPU 1: the command's status comes back" 9 "$?"
expect_match "... the end came from vCPU 1" '; 2 vCPUs, the end came from vCPU 1.?$' "$(cat "$T/raw")"

# A kernel that panics on two vCPUs: the panic is seen and the VM ends (status 120).
timeout -s KILL 180 "$V" --kernel "$K" --cpus 2 --cmdline "console=ttyS0 quiet reboot=k panic=-1 acpi=off pci=off rdinit=/nonexistent" </dev/null >"$T/out" 2>&1
expect_eq "--cpus 2: a guest kernel panic is status 120" 120 "$?"
