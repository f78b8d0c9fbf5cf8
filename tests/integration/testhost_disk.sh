#!/bin/bash
# Inside the test host: shikumi vm --disk boots with the ext4 image (make rootfs-image) as /
# over virtio-blk (virtio-mmio), what one boot writes is there in the next, a read-only disk
# refuses writes even from a guest that clears its own read-only flag, and a disk the VMM
# cannot use is one line and status 125, leaving nothing behind.
# testhost: --smp 1
# testhost-parallel: 1 (minutes; one vCPU, nothing written outside its own /tmp: runs beside another file)
. "$(dirname "$0")/lib.sh"
V="$BUILD/shikumi-vmm"
K="$BUILD/guest/bzImage-mini" # the minimal kernel: virtio-mmio, virtio-blk and ext4 built in
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
vm() { timeout -s KILL 120 "$S" vm --kernel "$K" "$@" </dev/null 2>&1 | tr -d '\r'; }
D="$T/disk.ext4"
cp "$BUILD/rootfs.ext4" "$D"

out=$(vm --disk "$D" --timing -- sh -c 'grep ^/dev/root /proc/mounts; cat /sys/block/vda/serial; echo; echo kept-$((6 * 7)) >/root/note; exit 4')

expect_match "--disk: / is the disk, ext4, read-write" '^/dev/root / ext4 rw' "$out"
expect_match "--disk: virtio-blk's get-id gives the image's name" '^disk\.ext4$' "$out"
expect_match "--disk: --timing counts the virtio-blk exits" 'exits: serial [0-9]+, .*virtio-blk [1-9][0-9]*, ' "$out"
out=$(vm --disk "$D" -- sh -c 'cat /root/note; exit 0')
expect_match "a file written in one boot is there in the next" '^kept-42$' "$out"
timeout -s KILL 120 "$S" vm --kernel "$K" --disk "$D" -- sh -c 'exit 4' </dev/null >/dev/null 2>&1
expect_eq "--disk: the guest command's status comes back" 4 "$?"

sum=$(md5sum <"$D")
out=$(vm --disk "$D,ro" -- sh -c 'grep ^/dev/root /proc/mounts; echo x >/root/ro 2>/dev/null; echo fs-write=$?; blockdev --setrw /dev/vda; dd if=/dev/zero of=/dev/vda bs=4096 count=1 oflag=direct 2>/dev/null; echo dev-write=$?; cat /root/note')
expect_match "a read-only disk: / is mounted read-only" '^/dev/root / ext4 ro' "$out"
expect_match "... a file write is refused" '^fs-write=[1-9]' "$out"
expect_match "... a guest that clears the read-only flag still gets an I/O error from the device" '^dev-write=[1-9]' "$out"
expect_match "... and reads work" '^kept-42$' "$out"
expect_eq "... and the image is unchanged" "$sum" "$(md5sum <"$D")"

# Bad disks: one line, status 125, no VMM left, the image untouched.
vmm_error() {
	expect_failure "$1" 125 shikumi-vmm "$2" -- "$V" --kernel "$K" --disk "${@:3}"
	expect_eq "... and no VMM is left" "" "$(pgrep -x shikumi-vmm)"
}
vmm_error "a disk that does not exist" "the disk '$T/none': No such file" "$T/none"
mkdir "$T/dir"
vmm_error "a disk that is a directory" "the disk '$T/dir'.*directory" "$T/dir"
vmm_error "a read-only disk that is a directory" "the disk '$T/dir' is a directory" "$T/dir,ro"
head -c 1000 /dev/zero >"$T/odd"
vmm_error "a disk that is not a multiple of 512 bytes" "is 1000 bytes, not a non-zero multiple of 512" "$T/odd"
# The same image twice: the second VMM is refused while the first runs.
timeout -s KILL 120 "$V" --kernel "$K" --disk "$D" --cmdline "console=ttyS0 quiet reboot=k panic=-1 pci=off acpi=off root=/dev/vda init=/init rw -- sleep 30" </dev/null >/dev/null 2>&1 &
first=$!
wait_for_process "shikumi-vmm --kernel $K --disk $D"
sleep 1
out=$("$V" --kernel "$K" --disk "$D" 2>&1 </dev/null)
rc=$?
expect_eq "a disk opened writable twice: status 125" 125 "$rc"
expect_match "... one line: in use by another VM" "^shikumi-vmm: the disk '$D' is in use by another VM" "$out"
out=$("$V" --kernel "$K" --disk "$D,ro" 2>&1 </dev/null)
expect_match "... read-only as well, while it is open writable" "in use by another VM" "$out"
{
	pkill -KILL -P "$first" # the VMM, timeout's child: it would run on, seen by later tests
	kill -9 "$first"
	wait "$first"
} 2>/dev/null # bash's "Killed" notice included

# The initramfs boot is the default still.
out=$(vm -- sh -c 'ls /dev/vda 2>&1')
expect_match "without --disk: no virtio disk in the guest" 'No such file' "$out"
