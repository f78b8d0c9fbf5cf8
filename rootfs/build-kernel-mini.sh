#!/bin/bash
# Builds the minimal guest kernel (`make guest-kernel-mini`): Debian's linux-source tarball,
# unpacked under WORK, configured from nothing (allnoconfig) plus rootfs/kernel-mini.config,
# checked (every option the fragment asks for must have survived Kconfig's dependency rules),
# built, and its bzImage copied to OUT, its vmlinux (the uncompressed ELF kernel, stripped)
# beside it as vmlinux-mini. Prints the build time.
# Usage: build-kernel-mini.sh WORK OUT
set -euo pipefail
usage="usage: build-kernel-mini.sh WORK OUT"
work=${1:?$usage}
out=${2:?$usage}
here=$(cd "$(dirname "$0")" && pwd)
fragment="$here/kernel-mini.config"
tarball=$(ls /usr/src/linux-source-*.tar.xz 2>/dev/null | sort -V | tail -1) || true
if [ -z "$tarball" ]; then
	echo "build-kernel-mini: no /usr/src/linux-source-*.tar.xz (apt-get install linux-source)" >&2
	exit 1
fi
mkdir -p "$work"
work=$(cd "$work" && pwd) # the kernel's make runs in the source tree: O= must be absolute
name=$(basename "$tarball" .tar.xz)
src="$work/$name"
start=$(date +%s)
if [ ! -f "$src/Makefile" ]; then
	rm -rf "$work"
	mkdir -p "$work"
	tar -xJf "$tarball" -C "$work"
fi
obj="$work/obj"
mkdir -p "$obj"
make -s -C "$src" O="$obj" KCONFIG_ALLCONFIG="$fragment" allnoconfig >/dev/null
# Kconfig drops, silently, an option whose dependencies are not met: say which.
missing=$(grep -E '^CONFIG_[A-Z0-9_]+=' "$fragment" | while IFS= read -r line; do
	grep -qxF "$line" "$obj/.config" || echo "${line%%=*}"
done)
if [ -n "$missing" ]; then
	echo "build-kernel-mini: Kconfig did not keep" $missing "(their dependencies are off)" >&2
	exit 1
fi
make -s -C "$src" O="$obj" -j"$(nproc)" bzImage
mkdir -p "$(dirname "$out")"
cp "$obj/arch/x86/boot/bzImage" "$out"
strip -o "$(dirname "$out")/vmlinux-mini" "$obj/vmlinux"
echo "build-kernel-mini: $(make -s -C "$src" O="$obj" kernelrelease) built in $(($(date +%s) - start)) s on $(nproc) CPUs, $(($(stat -c %s "$out") / 1024)) KiB"
