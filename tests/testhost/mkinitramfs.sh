#!/bin/bash
# Packs the test host's initramfs: static busybox, the init, and the modules the init loads
# (with their dependencies, in order). Once per build, not once per test.
# Usage: mkinitramfs.sh KERNEL_DIR OUT.cpio.gz
set -euo pipefail
kdir=${1:?usage: mkinitramfs.sh KERNEL_DIR OUT}
out=${2:?usage: mkinitramfs.sh KERNEL_DIR OUT}
here=$(cd "$(dirname "$0")" && pwd)
ver=$(cat "$kdir/version")
mods="$kdir/root/lib/modules/$ver"
# virtio and 9p to reach the host's files, overlay to write on them, kvm-amd for /dev/kvm,
# veth, bridge and tun for the network tests, null_blk and loop for the io tests.
wanted="virtio_pci 9pnet_virtio 9p overlay kvm_amd veth bridge tun null_blk loop"

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$tmp"/{bin,dev,proc,sys,modules}
cp /bin/busybox "$tmp/bin/busybox"
cp "$here/init" "$tmp/init"

declare -A seen
order=()
# Depth-first over modules.dep: a module's dependencies load before it.
add() {
	local rel
	rel=$(grep -E "(^|/)$1\.ko:" "$mods/modules.dep" | head -1 | cut -d: -f1) || true
	if [ -z "$rel" ]; then
		# Built into this kernel, or spelled with '-' in its file name.
		local alt=${1//_/-}
		[ "$alt" != "$1" ] && rel=$(grep -E "(^|/)$alt\.ko:" "$mods/modules.dep" | head -1 | cut -d: -f1) || true
	fi
	[ -n "$rel" ] || return 0
	[ -n "${seen[$rel]:-}" ] && return 0
	seen[$rel]=1
	local dep
	for dep in $(grep -E "^$rel:" "$mods/modules.dep" | cut -d: -f2); do
		add "$(basename "$dep" .ko)"
	done
	cp "$mods/$rel" "$tmp/modules/"
	order+=("$(basename "$rel")")
}
for m in $wanted; do add "$m"; done
printf '%s\n' "${order[@]}" >"$tmp/modules/order"
(cd "$tmp" && find . | cpio -o -H newc --quiet | gzip -1) >"$out.tmp"
mv "$out.tmp" "$out"
