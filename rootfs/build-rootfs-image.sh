#!/bin/bash
# Builds the guest's disk (`make rootfs-image`): the busybox root file system the containers
# use, with rootfs/guest-init as /init and OUTB as /sbin/outb (as in the initramfs), as an ext4
# image that `shikumi vm --disk` boots as /. mke2fs -d fills the file system from a directory,
# so neither root nor a loop device is needed; the files are owned by root inside whoever
# builds it. The image has room to spare (64 MiB beyond its files) for what the guest writes.
# Usage: build-rootfs-image.sh ROOTFS OUTB OUT
set -euo pipefail
usage="usage: build-rootfs-image.sh ROOTFS OUTB OUT"
rootfs=${1:?$usage}
outb=${2:?$usage}
out=${3:?$usage}
. "$(dirname "$0")/guest-tree.sh"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp" "$out.tmp"' EXIT
stage_guest_tree "$rootfs" "$outb" "$tmp"
mib=$(($(du -sm "$tmp" | cut -f1) + 64))
mke2fs -q -F -t ext4 -L shikumi-root -E root_owner=0:0 -d "$tmp" "$out.tmp" "${mib}M" >/dev/null
mv "$out.tmp" "$out"
echo "build-rootfs-image: $out, ${mib} MiB"
