#!/bin/bash
# Inside the test host (/dev/kvm under emulation): shikumi-vmm boots the tiny guest and a
# Linux guest, statuses come back, typed input reaches the guest's shell, a panic is seen.
# Absolute times here mean nothing (KVM nested in QEMU's emulation): only outcomes are tested.
# One vCPU: the VMM runs one, and with two the test host once soft-locked in CI (both vCPUs
# stuck in its kernel, as if an interrupt between them was lost under the emulation).
# testhost: --smp 1
# testhost-parallel: 2 (minutes; one vCPU, nothing written outside its own /tmp: runs beside another file)
. "$(dirname "$0")/lib.sh"
V="$BUILD/shikumi-vmm"
# A guest that hangs must not hang the test host: every boot gets two minutes at most.
vm() { timeout -s KILL 120 "$S" vm "$@"; }

out=$(timeout -s KILL 60 "$V" --tiny --timing 2>&1)
rc=$?
expect_eq "the tiny guest halts: status 0" "0" "$rc"
expect_match "the tiny guest prints from its own code" 'Hello from the tiny guest' "$out"
expect_match "it reads its own CPU mode: long mode" 'CR0 = 0x[0-9a-f]{16}, EFER = 0x0*5[0-9a-f]{2}$' "$(echo "$out" | tr -d '\r')"
expect_match "... and says so" '64-bit long mode' "$out"
expect_match "--timing counts its port writes (one exit each)" 'exits: serial [1-9][0-9]+,.*hlt 1' "$out"
expect_match "--timing reports the VMM's own memory" 'memory: VMM RSS' "$out"

out=$(vm -- uname -r 2>&1 </dev/null)
rc=$?
expect_eq "shikumi vm -- uname -r: status 0" "0" "$rc"
guest=$(echo "$out" | tr -d '\r' | grep -E '^[0-9]+\.[0-9]+' | tail -1)
expect_match "the guest runs its own kernel (cloud)" 'cloud-amd64$' "$guest"
expect_true "... not the kernel containers share ($(uname -r))" test "$guest" != "$(uname -r)"
for st in 3 42; do
	vm -- sh -c "exit $st" >/dev/null 2>&1 </dev/null
	expect_eq "the guest command's status $st comes back" "$st" "$?"
done
out=$(printf 'echo typed-$((6 * 7))\nexit 7\n' | vm 2>&1)
rc=$?
expect_match "typed input reaches the guest's shell over the serial port" 'typed-42' "$(echo "$out" | tr -d '\r')"
expect_eq "... and its exit status comes back" "7" "$rc"
out=$(vm --timing -- true 2>&1 </dev/null)
for phase in read kvm memory load vmm-setup guest-boot user-space total; do
	expect_match "shikumi vm --timing reports $phase" "timing: $phase +[0-9.]+ ms" "$out"
done
out=$(timeout -s KILL 120 "$V" --kernel "$BUILD/guest/bzImage" --cmdline "console=ttyS0 quiet reboot=k panic=-1 acpi=off pci=off rdinit=/nonexistent" 2>&1 </dev/null)
rc=$?
expect_eq "a guest kernel panic: status 120" "120" "$rc"
expect_match "... reported as a panic" 'shikumi-vmm: the guest kernel panicked' "$out"

# At a terminal, as a person would use it: the guest's shell echoes what is typed (the
# keystrokes went over the emulated UART and back), its status comes back, and the
# terminal is left as it was (raw mode undone).
PTY="$BUILD/tests/ptydrive"
out=$("$PTY" -t 120 'expect:exit to power off' 'sleep:1' 'send:echo pty-$((6 * 7))\r' \
	'expect:pty-42' 'expect:# ' 'send:exit 5\r' -- sh -c "'$S' vm; echo vm-status=\$?; stty -a" 2>&1 | tr -d '\r')
expect_match "at a terminal: typed characters are echoed by the guest's shell" 'echo pty-\$\(\(6 \* 7\)\)' "$out"
expect_match "... the guest answers" '^pty-42$' "$out"
expect_match "... exit 5 in the guest is the status" 'vm-status=5' "$out"
expect_match "... and the terminal is back in cooked mode" '[^-]icanon.*[^-]echo |[^-]echo .*[^-]icanon' "$(echo "$out" | tr '\n' ' ')"
out=$("$PTY" -t 120 'expect:exit to power off' 'sleep:1' 'send:\x01x' \
	-- sh -c "'$S' vm; echo vm-status=\$?; stty -a" 2>&1 | tr -d '\r')
expect_match "Ctrl-A x stops the VM" 'Ctrl-A x: the VM is stopped' "$out"
expect_match "... with status 125" 'vm-status=125' "$out"
expect_match "... and restores the terminal" '[^-]icanon' "$out"
expect_eq "... and leaves no VMM behind" "" "$(pgrep -x shikumi-vmm)"

# The minimal kernel (make guest-kernel-mini), as a bzImage and as the uncompressed vmlinux
# the VMM loads segment by segment: both boot the same busybox root.
for k in bzImage-mini vmlinux-mini; do
	out=$(vm --kernel "$BUILD/guest/$k" --timing -- sh -c 'uname -r; dmesg | grep -o Switched.to.clocksource.kvm-clock; grep -o -m1 tsc_deadline_timer /proc/cpuinfo; exit 3' 2>&1 </dev/null)
	rc=$?
	expect_eq "$k: the guest command's status 3 comes back" "3" "$rc"
	expect_match "$k: the guest runs the minimal kernel" '-shikumi-mini' "$out"
	expect_match "$k: /init reached user space (the boot marker)" 'timing: guest-boot +[0-9.]+ ms' "$out"
	expect_match "$k: the guest found KVM and uses kvm-clock (the hypervisor CPUID bit)" 'Switched to clocksource kvm-clock' "$out"
	expect_match "$k: the guest's local APIC timer runs off the TSC deadline (the CPUID bit; no calibration against the PIT)" 'tsc_deadline_timer' "$out"
	expect_match "$k: the VMM's own memory stays under 5 MiB" "VMM's own [0-4]\\.[0-9] MiB" "$out"
	if ! grep -q '\[never\]' /sys/kernel/mm/transparent_hugepage/enabled 2>/dev/null; then
		expect_match "$k: the guest's RAM is in 2 MiB pages (transparent huge pages)" '\([1-9][0-9]* MiB in huge pages\)' "$out"
	fi
done
