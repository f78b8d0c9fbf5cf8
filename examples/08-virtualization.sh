#!/bin/bash
# Lesson 8 (chapter 10, virtualization): the VM runs its own kernel, the host sees it as one
# process, and it starts more slowly than a container: by how much, shikumi compare says, and
# how near a restored snapshot comes (issue 18: container start, VM boot, VM restore).
# Nested virtualization (the test host is a VM that runs VMs) and paravirtualization
# (kvm-clock, virtio-blk): the VM exits each saves, counted by shikumi-vmm --timing.
. "$(dirname "$0")/lib.sh"
needs kvm
needs hyperfine
if [ ! -f "$BUILD/rootfs.ext4" ] || [ ! -f "$BUILD/guest/bzImage-mini" ]; then
	echo "lesson: $(tx 'this one also boots the minimal kernel from a disk image: make guest-kernel-mini rootfs-image')" >&2
	exit 2
fi
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT

title 'Lesson 8: a VM has its own kernel (chapter 10)'
say 'A container is processes on the host'\''s kernel. A VM is a whole machine emulated by a process (the VMM) with the CPU'\''s help (KVM): it boots a kernel of its own.'
# Not the kernel's own lines: "[ 5.6] PCI: ..." from the cloud kernel, "reboot: Restarting system".
show "uname -r; $S run $R uname -r; $S vm -- uname -r 2>/dev/null | tr -d '\r' | grep -vE '^\[|^reboot: '"
host=$(sed -n 1p <<<"$OUT") ct=$(sed -n 2p <<<"$OUT") vm=$(sed -n 3p <<<"$OUT")
claim 'the container reports the host'\''s kernel ($ct)' test "$ct" = "$host"
claim 'the VM reports its own ($vm)' bash -c '[[ $1 =~ ^[0-9]+\.[0-9]+ && $1 != "$2" ]]' _ "$vm" "$host"

title 'Nested virtualization: a VM inside a VM'
say 'VMs can nest: where the CPU'\''s virtualization extension (AMD-V: svm, VT-x: vmx) is offered to a guest as well, that guest can run VMs of its own. Here, the host'\''s CPU, kernel and /dev/kvm:'
show "uname -r; grep -cw hypervisor /proc/cpuinfo; grep -ow -m1 -e svm -e vmx /proc/cpuinfo; ls -l /dev/kvm; cat /sys/module/kvm_*/parameters/nested"
hostk=$(sed -n 1p <<<"$OUT") ext=$(sed -n 3p <<<"$OUT") nested=$(tail -1 <<<"$OUT")
claim 'its CPU has the virtualization extension ($ext), and its kernel offers KVM: /dev/kvm' \
	bash -c '[[ $1 == svm || $1 == vmx ]] && grep -q "^c.* /dev/kvm$" <<<"$2"' _ "$ext" "$OUT"
if [ "$(sed -n 2p <<<"$OUT")" -ge 1 ]; then
	say 'Its CPU has the hypervisor flag: this host (kernel $hostk) is itself a VM. Where the lessons run on a machine without hardware KVM, it is the test host, whose CPU QEMU emulates, AMD-V included; its KVM runs shikumi'\''s VMs, so they are VMs inside a VM.'
else
	say 'Its CPU has no hypervisor flag: this host (kernel $hostk) is a real machine, and its VMs are the first level.'
fi
say 'One level further down, the guest of shikumi vm: the same questions, asked inside it.'
show "$S vm -- sh -c 'uname -r; grep -cw hypervisor /proc/cpuinfo; grep -ow -m1 -e svm -e vmx /proc/cpuinfo; ls -l /dev/kvm; ls /lib/modules' | tr -d '\r' | grep -vE '^\[|^reboot: '"
guestk=$(sed -n 1p <<<"$OUT") gext=$(sed -n 3p <<<"$OUT")
nokvm=$(grep -c -e '/dev/kvm: No such file' -e '/lib/modules: No such file' <<<"$OUT")
claim 'the guest runs a kernel of its own ($guestk) and knows it is a VM' test -n "$guestk" -a "$guestk" != "$hostk" -a "$(sed -n 2p <<<"$OUT")" -ge 1
if [ "$nested" = 1 ] || [ "$nested" = Y ]; then
	claim 'its CPU has the extension too ($gext): this host'\''s KVM passes it on (nested=$nested)' grep -qxE 'svm|vmx' <<<"$gext"
else
	claim 'its CPU has no extension: this host'\''s KVM does not pass it on (nested=$nested)' test -z "$gext"
fi
claim 'but it has no /dev/kvm: no KVM is loaded in its kernel (its initramfs has no modules at all)' test "$nokvm" = 2

title 'Paravirtualization: a guest that knows it is one'
say 'An unmodified guest talks to emulated hardware, and every access to a device register is a VM exit: the CPU leaves the guest for the VMM and comes back. A paravirtualized guest knows it runs on a hypervisor and uses interfaces made for it instead. The kernel shikumi'\''s guests run has two: kvm-clock for time and virtio for devices. shikumi-vmm --timing counts the exits that reach the VMM, by device. boot PARAMS CMD boots the minimal kernel with the disk image as / (virtio-blk) and shikumi vm'\''s kernel command line, plus PARAMS, and runs CMD.'
# shikumi vm's kernel command line (vmm/cli.h), with the disk as / as cmd_vm gives it: shikumi vm
# has no option for kernel parameters, so the lesson calls shikumi-vmm itself. The image is a copy:
# the guest writes to it, and another VMM may hold the original.
BOOT="console=ttyS0 quiet reboot=k panic=-1 i8042.noaux i8042.nomux i8042.nopnp i8042.dumbkbd pci=off acpi=off tsc=reliable no_timer_check lpj=1000000 root=/dev/vda rootfstype=ext4 init=/init rw"
cp "$BUILD/rootfs.ext4" "$T/disk.ext4"
# boot PARAMS CMD: the guest's output, the exits line, and how many of the unclaimed port
# accesses --debug reported were to port 0x61. $VMM: where lib.sh names the VMM (installed,
# it is not beside the kernel and the image).
boot() {
	"${VMM:-$BUILD/shikumi-vmm}" --kernel "$BUILD/guest/bzImage-mini" --disk "$T/disk.ext4" --timing --debug \
		--cmdline "$BOOT $1 -- $2" </dev/null >"$T/out" 2>&1
	tr -d '\r' <"$T/out" | grep -vE '^(\[|shikumi-vmm: |timing: |memory: |reboot: )'
	echo "port 0x61: $(grep -c 'unknown port 0x61' "$T/out")"
}
exits() { sed -n "/^exits:/{s/.* $1 \([0-9]*\),.*/\1/p}" <<<"$2"; }
CS=/sys/devices/system/clocksource/clocksource0/current_clocksource
say 'kvm-clock: the hypervisor keeps the time, and the TSC'\''s rate, in a page of memory it shares with the guest. Without it (no-kvmclock), Linux reads the time of day from the emulated CMOS clock and must time the TSC itself, against the old PIT timer, whose gate is port 0x61. One boot each way; the second also shows what the guest'\''s kernel said about its TSC:'
show "boot '' 'cat $CS'; boot no-kvmclock 'sh -c \"cat $CS; dmesg | grep ^tsc:\"'"
pv=$(sed -n '1,/^port 0x61/p' <<<"$OUT") bare=$(sed -n '/^port 0x61/,$p' <<<"$OUT" | sed 1d)
bare_cs=$(sed -n 1p <<<"$bare")
claim 'with kvm-clock the guest'\''s clock is kvm-clock' grep -qx kvm-clock <<<"$pv"
claim 'with no-kvmclock it is another one ($bare_cs)' test -n "$bare_cs" -a "$bare_cs" != kvm-clock
cmos_pv=$(exits cmos "$pv") cmos_bare=$(exits cmos "$bare")
claim 'with kvm-clock the guest never touched the CMOS clock ($cmos_pv exits)' test "${cmos_pv:-1}" = 0
claim 'without it, it read the time from there: $cmos_bare exits' test "${cmos_bare:-0}" -gt 0
pit_pv=$(sed -n 's/^port 0x61: //p' <<<"$pv") pit_bare=$(sed -n 's/^port 0x61: //p' <<<"$bare")
claim 'and it timed the TSC through port 0x61 ($pit_bare exits; with kvm-clock $pit_pv)' test "${pit_bare:-0}" -gt "${pit_pv:-0}"
case $bare_cs in
*jiffies)
	say 'Here that timing fails: no device of this VMM answers port 0x61 (it reads as all ones), so the guest cannot tell its TSC'\''s rate and falls back to $bare_cs, a clock that moves only once per timer tick. In this VMM, kvm-clock is what makes the TSC usable at all.'
	claim 'the guest'\''s kernel says so: it could not calibrate the TSC against the PIT' grep -q '^tsc: Unable to calibrate against PIT' <<<"$bare"
	;;
*) say 'Without kvm-clock the guest reads the TSC directly, once it has timed it.' ;;
esac
say 'Once booted, reading kvm-clock costs no exit: the TSC and the shared page are read inside the guest.'
say 'virtio: the disk is no emulated controller whose registers move 2 bytes per access (an IDE disk'\''s data port; even when KVM gathers a rep insw, one exit moves a page, 4 KiB, at most). The guest puts requests in a ring in its own memory and kicks the device once for many; the VMM copies the data straight into guest memory. The first boot above read from the disk only to boot; this one also reads 16 MiB from it (O_DIRECT: past the page cache):'
show "boot '' 'dd if=/dev/vda of=/dev/null bs=1M count=16 iflag=direct'"
blk0=$(exits virtio-blk "$pv") blk1=$(exits virtio-blk "$OUT")
read_exits=$((${blk1:-0} - ${blk0:-0}))
per_exit=$((read_exits > 0 ? 16384 / read_exits : 0))
claim 'the 16 MiB read cost $read_exits virtio-blk exits, $per_exit KiB each' test "$read_exits" -gt 0
claim 'that is far fewer than the 4096 a page per exit would need' test "$read_exits" -gt 0 -a "$read_exits" -lt 1024

title 'To the host, a VM is one process'
say 'The guest'\''s processes are the guest kernel'\''s business. The host sees one shikumi-vmm process (with a thread per vCPU); a '\''sleep'\'' inside the guest is not a process on the host.'
"$S" vm -- sleep 4 </dev/null >/dev/null 2>&1 &
vm=$!
for _ in $(seq 100); do pid=$(pgrep -f 'shikumi-vmm .*sleep 4' | head -1); [ -n "$pid" ] && break; sleep 0.1; done
sleep 1
show "ps -o pid,nlwp,rss,comm -p $pid; echo children: \$(pgrep -P $pid | wc -l)"
claim 'the VMM is running (PID $pid)' grep -q 'shikumi-vmm' <<<"$OUT"
claim 'it has no child processes: the guest'\''s sleep is not a host process' grep -qx 'children: 0' <<<"$OUT"
wait $vm

title 'Starting: a kernel boot, a restore, and a clone()'
say 'A container starts with a few system calls; a VM boots a kernel. Or it does not boot at all: it resumes a snapshot of a VM that had booted already (shikumi-vmm --snapshot, --restore), as serverless platforms do. shikumi compare takes that snapshot once, then starts /bin/true all three ways three times (timed by hyperfine) and divides the medians. Without --only it also times crun, runc, bwrap and QEMU.'
show "$S compare --runs 3 --only run,vm,restore --kernel $BUILD/guest/bzImage-mini 2>/dev/null"
r=$(sed -n 's|^ *shikumi vm */ shikumi run *\([0-9.]*\)x\{0,1\} .*|\1|p' <<<"$OUT")
times=${r:-?}
rb=$(sed -n 's|^ *shikumi vm (restored) */ shikumi vm  *\([0-9.]*\)x\{0,1\} .*|\1|p' <<<"$OUT")
rc=$(sed -n 's|^ *shikumi vm (restored) */ shikumi run *\([0-9.]*\)x\{0,1\} .*|\1|p' <<<"$OUT")
of_boot=${rb:-?} of_run=${rc:-?}
claim 'the VM takes more than 3 times as long from start to exit (here ${times}x)' between "${r:-0}" 3 1000000
claim 'compare shows where the VM'\''s time goes: its kernel'\''s boot' grep -qE '^ +guest-boot +[0-9.]+ ms' <<<"$OUT"
restored=$(sed -n '/^shikumi vm (restored), where the time goes/,/^$/p' <<<"$OUT")
claim 'a restored VM boots no kernel: its time has no guest-boot, it resumes where the snapshot stopped (here ${of_boot} of a boot)' awk '/^ +guest-boot /{b=1} /^ +resume-to-command /{r=1} END{exit !(r && !b)}' <<<"$restored"
claim 'so it comes nearer a container'\''s start than a boot does: ${of_run}x against ${times}x' awk -v a="${rc:-0}" -v b="${r:-0}" 'BEGIN { exit !(a > 0 && a < b) }'
finish
