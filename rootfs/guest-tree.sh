# Sourced by build-initramfs.sh and build-rootfs-image.sh: the guest's root as a directory,
# whatever it is packed into. stage_guest_tree ROOTFS OUTB DIR copies the busybox root file
# system the containers use into DIR, with rootfs/guest-init as /init and OUTB
# (vmm/guest/outb.c) as /sbin/outb, for /init to talk to the VMM, and the mount points the
# guest's /init needs.
stage_guest_tree() {
	local rootfs=$1 outb=$2 dir=$3 here
	here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
	cp -a "$rootfs/." "$dir/"
	rm -f "$dir/.built"
	mkdir -p "$dir/proc" "$dir/sys" "$dir/dev" "$dir/tmp" "$dir/run" "$dir/root"
	install -m 0755 "$here/guest-init" "$dir/init"
	install -m 0755 "$outb" "$dir/sbin/outb"
}
