#!/bin/sh
# Builds the busybox root file system every container (and, packed, every VM) starts from:
# Debian's static busybox, a link for each applet, and the few files in /etc a shell expects.
# Usage: rootfs/build-rootfs.sh OUTDIR
set -eu
out=${1:?usage: build-rootfs.sh OUTDIR}
busybox=/bin/busybox
if ! [ -x "$busybox" ]; then
	echo "build-rootfs: $busybox is missing: install Debian's busybox-static (make deps)" >&2
	exit 1
fi
case "$(dpkg-query -W -f='${Status}' busybox-static 2>/dev/null)" in
*installed*) ;;
*) echo "build-rootfs: the package busybox-static is not installed (make deps)" >&2; exit 1 ;;
esac

tmp="$out.tmp.$$"
trap 'rm -rf "$tmp"' EXIT
rm -rf "$tmp"
mkdir -p "$tmp"
cd "$tmp"
mkdir -p bin sbin usr/bin usr/sbin etc proc dev sys tmp root run mnt var/tmp
chmod 1777 tmp var/tmp
chmod 0700 root
cp "$busybox" bin/busybox
# One link per applet, where busybox says it belongs (bin/ls, usr/bin/env, ...).
for applet in $(bin/busybox --list-full); do
	[ -e "$applet" ] || ln -s /bin/busybox "$applet"
done
cat > etc/passwd <<'PASSWD'
root:x:0:0:root:/root:/bin/sh
nobody:x:65534:65534:nobody:/nonexistent:/bin/false
PASSWD
cat > etc/group <<'GROUP'
root:x:0:
tty:x:5:
nogroup:x:65534:
GROUP
echo shikumi > etc/hostname
cat > etc/hosts <<'HOSTS'
127.0.0.1	localhost shikumi
::1	localhost ip6-localhost ip6-loopback
HOSTS
echo 'PS1="[shikumi \w]# "' > etc/profile
touch .built
cd - >/dev/null
rm -rf "$out"
mv "$tmp" "$out"
trap - EXIT
echo "build-rootfs: $out ($(ls "$out/bin" | wc -l) entries in /bin)"
