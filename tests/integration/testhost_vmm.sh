#!/bin/bash
# Inside the test host (/dev/kvm under emulation): shikumi-vmm boots the tiny guest and a
# Linux guest, statuses come back, typed input reaches the guest's shell, a panic is seen.
# Absolute times here mean nothing (KVM nested in QEMU's emulation): only outcomes are tested.
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
for phase in vmm-setup guest-boot user-space total; do
	expect_match "shikumi vm --timing reports $phase" "timing: $phase +[0-9.]+ ms" "$out"
done
out=$(timeout -s KILL 120 "$V" --kernel "$BUILD/guest/bzImage" --cmdline "console=ttyS0 quiet reboot=k panic=-1 acpi=off pci=off rdinit=/nonexistent" 2>&1 </dev/null)
rc=$?
expect_eq "a guest kernel panic: status 120" "120" "$rc"
expect_match "... reported as a panic" 'shikumi-vmm: the guest kernel panicked' "$out"
