#!/bin/bash
# Inside the test host (/dev/kvm under emulation): shikumi compare's VM side. shikumi vm and
# QEMU's microvm boot the same kernel and initramfs, next to shikumi run; the table, the JSON
# and the SVG show both kinds. KVM is nested in QEMU's emulation here, so only outcomes are
# tested, and the one ordering no emulation can undo: booting a kernel takes longer than
# starting a process in namespaces.
# One vCPU, as for testhost_vmm.sh: with two, compare's runs soft-locked the test host.
# testhost: --smp 1
# testhost-parallel: 4 (minutes; one vCPU, nothing written outside its own /tmp: runs beside another file)
. "$(dirname "$0")/lib.sh"
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
export TMPDIR="$T/tmp"
mkdir -p "$TMPDIR"

out=$(timeout -s KILL 400 "$S" compare --runs 3 --only run,vm,qemu --json "$T/c.json" --svg "$T/c.svg" 2>"$T/err")
rc=$?
expect_eq "shikumi compare --only run,vm,qemu with KVM: status 0" 0 "$rc"
[ "$rc" = 0 ] || sed 's/^/    /' "$T/err"
expect_eq "the JSON says kvm: true" true "$(jq .kvm "$T/c.json")"
for name in "shikumi vm" "qemu microvm"; do
	expect_match "the table has a row for $name" "^  $name +[0-9.]+ ms +[0-9.]+ ms +[0-9.]+ ms +[0-9.]+ ms +[0-9.]+ MiB +[0-9.]+ MiB$" "$out"
	expect_eq "... and the JSON says $name ran 3 times, as a VM" "3 vm" "$(jq -r ".contenders[] | select(.name == \"$name\") | \"\(.runs) \(.kind)\"" "$T/c.json")"
	# The guest's RAM is inside the monitor's process: its peak RSS holds what the guest touched.
	expect_eq "... with a peak RSS above 16 MiB (the guest RAM it touched is in it)" true \
		"$(jq -r ".contenders[] | select(.name == \"$name\") | .runtime_rss_kib > 16384" "$T/c.json")"
done
expect_eq "both monitors boot the same kernel file, vmlinux-mini" 2 \
	"$(jq '[.contenders[] | select(.kind == "vm") | select(.command | test("/guest/vmlinux-mini "))] | length' "$T/c.json")"
for phase in vmm-setup guest-boot user-space; do
	expect_match "shikumi vm's own phase $phase is shown" "^  $phase +[0-9.]+ ms" "$out"
done
expect_match "... and the VMM's memory split" "memory: VMM RSS [0-9.]+ MiB, guest RAM resident [0-9.]+ MiB \([0-9]+ MiB in huge pages\), VMM's own [0-9.]+ MiB" "$out"
expect_match "the report says each VM run came after 128 MiB written and freed" "Each VM run came after 128 MiB were written and freed" "$out"
expect_match "the ratio against QEMU, with the target" "shikumi vm +/ qemu microvm +[0-9.]+ +\(target <= 0.50\)" "$out"
expect_match "the ratio of VM to container" "shikumi vm +/ shikumi run +[0-9.]+x? +\\(a VM boots a kernel" "$out"
expect_true "booting a kernel takes longer than starting a container" \
	test "$(jq '[.contenders[] | select(.name == "shikumi vm" or .name == "shikumi run") | .median_ms] | .[1] > .[0]' "$T/c.json")" = true
expect_true "the SVG is well-formed XML" xmllint --noout "$T/c.svg"
# The container's bar is drawn twice: beside the VMs, and again on a scale of its own.
expect_eq "... with a bar for each VM, and the container's twice" "2 2" \
	"$(grep -c 'class="vm"' "$T/c.svg") $(grep -c 'class="ct"' "$T/c.svg")"
expect_eq "no monitor is left running" "" "$(pgrep -x shikumi-vmm; pgrep -x qemu-system-x86)"
expect_eq "... and compare's temporary folder is gone" "" "$(ls "$TMPDIR")"

# With KVM, a guest kernel that is not a vmlinux: QEMU's microvm is left out, saying why.
out=$(timeout -s KILL 300 "$S" compare --runs 2 --only vm,qemu --kernel "$BUILD/guest/bzImage-mini" 2>&1)
expect_eq "--kernel bzImage-mini: status 0 (shikumi vm still timed)" 0 "$?"
expect_match "... shikumi vm boots the bzImage" "^  shikumi vm +[0-9.]+ ms" "$out"
expect_match "... QEMU's microvm is not timed, and why" "qemu microvm +not timed: QEMU's microvm boots a vmlinux" "$out"
