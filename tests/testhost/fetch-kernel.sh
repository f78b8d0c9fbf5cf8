#!/bin/bash
# Fetches a Debian kernel: the package linux-image-FLAVOUR (default amd64, the test host's;
# cloud-amd64 for the VMM's guest) depends on, downloaded and unpacked (never installed) into
# OUT, once. Prints nothing on success but the version.
# Usage: fetch-kernel.sh OUT [FLAVOUR]
set -euo pipefail
out=${1:?usage: fetch-kernel.sh OUT [FLAVOUR]}
flavour=${2:-amd64}
mkdir -p "$out"
if [ -f "$out/version" ] && [ -f "$out/root/boot/vmlinuz-$(cat "$out/version")" ]; then
	cat "$out/version"
	exit 0
fi
find_version() {
	apt-cache depends "linux-image-$flavour" 2>/dev/null | sed -n "s/.*Depends: linux-image-\\(.*-$flavour\\)\$/\\1/p" | head -1
}
ver=$(find_version)
if [ -z "$ver" ]; then
	apt-get update -qq >&2 || true
	ver=$(find_version)
fi
if [ -z "$ver" ]; then
	echo "testhost: cannot find Debian's package linux-image-$flavour in apt's lists (apt-get update?)" >&2
	exit 1
fi
pkg="linux-image-$ver"
rm -rf "$out/dl" "$out/root"
mkdir -p "$out/dl"
if ! (cd "$out/dl" && apt-get download "$pkg" >/dev/null 2>&1); then
	apt-get update -qq >&2 || true
	ver=$(find_version)
	pkg="linux-image-$ver"
	if ! (cd "$out/dl" && apt-get download "$pkg" >/dev/null 2>&1); then
		echo "testhost: cannot download the kernel package $pkg (apt-get download $pkg)" >&2
		exit 1
	fi
fi
dpkg -x "$out"/dl/*.deb "$out/root"
rm -rf "$out/dl"
# The package has no modules.dep (depmod runs at install time): make it here.
depmod -b "$out/root" "$ver"
echo "$ver" >"$out/version"
echo "$ver"
