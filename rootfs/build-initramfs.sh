#!/bin/bash
# Packs the guest's initramfs: the busybox root file system the containers use, with
# rootfs/guest-init as its /init, as a gzip'd newc cpio archive (what the kernel unpacks into
# its first tmpfs), and OUTB (vmm/guest/outb.c) as /sbin/outb, for /init to talk to the VMM.
# Usage: build-initramfs.sh ROOTFS OUTB OUT
set -euo pipefail
usage="usage: build-initramfs.sh ROOTFS OUTB OUT"
rootfs=${1:?$usage}
outb=${2:?$usage}
out=${3:?$usage}
. "$(dirname "$0")/guest-tree.sh"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
stage_guest_tree "$rootfs" "$outb" "$tmp"
(cd "$tmp" && find . -print0 | cpio --null -o -H newc --owner 0:0 --quiet) | gzip -9 >"$out.tmp"
mv "$out.tmp" "$out"
