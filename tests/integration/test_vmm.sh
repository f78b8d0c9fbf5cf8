#!/bin/bash
# shikumi-vmm on this machine: bad input is refused before KVM is touched, and a machine
# without /dev/kvm, or with PVM's, is told so. Booting guests happens in the test host (testhost_vmm.sh).
. "$(dirname "$0")/lib.sh"
V="$BUILD/shikumi-vmm"
K="$BUILD/guest/bzImage"
I="$BUILD/initramfs.cpio.gz"
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT

# vmm_error NAME REGEX ARGS...: status 125, one line naming the problem, nothing left
vmm_error() {
	expect_failure "$1" 125 shikumi-vmm "$2" -- "$V" "${@:3}"
}
vmm_error "a kernel file that is missing" "the kernel '$T/none': No such file" --kernel "$T/none"
printf 'not a kernel at all' >"$T/text"
vmm_error "a kernel file that is not a bzImage (too short)" "not a bzImage: 19 bytes is too short" --kernel "$T/text"
head -c 8192 /dev/zero >"$T/zeros"
vmm_error "a kernel file without the boot header" 'no "HdrS" boot header' --kernel "$T/zeros"
head -c 200000 "$K" >"$T/cut"
vmm_error "a truncated bzImage" "truncated bzImage: the kernel is [0-9]+ bytes, the file holds" --kernel "$T/cut"
cp "$K" "$T/old"
printf '\x0b\x02' | dd of="$T/old" bs=1 seek=$((0x206)) conv=notrunc 2>/dev/null
vmm_error "a boot protocol too old for a 64-bit entry" "boot protocol 2.11 is too old" --kernel "$T/old"
vmm_error "--memory 0" "invalid --memory '0': at least 2M" --kernel "$K" --memory 0
vmm_error "--memory beyond what the VMM supports" "more than this VMM supports" --kernel "$K" --memory 64G
vmm_error "an initrd that is missing" "the initrd '$T/none'" --kernel "$K" --initrd "$T/none"
: >"$T/empty"
vmm_error "an empty initrd" "the initrd '$T/empty' is empty" --kernel "$K" --initrd "$T/empty"
head -c 300M /dev/zero >"$T/big" 2>/dev/null || truncate -s 300M "$T/big"
vmm_error "an initrd larger than guest memory" "the initrd \(301 MiB\) does not fit in 256 MiB" --kernel "$K" --initrd "$T/big"
vmm_error "a kernel that needs more memory than given" "the kernel needs [0-9]+ MiB to boot; give --memory more" --kernel "$K" --memory 4M
vmm_error "an unknown option" "unknown option '--frob'" --frob
for bad in 0 9 x; do
	vmm_error "--cpus $bad" "invalid --cpus '$bad': a whole number from 1 to 8" --kernel "$K" --cpus "$bad"
	expect_failure "shikumi vm --cpus $bad" 125 shikumi-vmm "invalid --cpus '$bad'" -- "$S" vm --cpus "$bad" -- true
done
vmm_error "--cpus 2 with the tiny guest (no local APIC to start the second)" "--cpus is for a Linux kernel, not --tiny" --tiny --cpus 2
vmm_error "no kernel" "missing --kernel BZIMAGE" --memory 64M
expect_match "--help describes the VMM" 'Usage: shikumi-vmm --kernel BZIMAGE' "$("$V" --help)"
expect_match "make guest-kernel gave a bzImage" 'Linux kernel x86 boot executable bzImage|HdrS' \
	"$(file "$K" 2>/dev/null || head -c 1024 "$K" | tail -c +515 | head -c 4)"
expect_true "make initramfs gave an archive with the guest's /init" \
	bash -c "zcat '$I' | cpio -t --quiet 2>/dev/null | grep -qx init"
if [ ! -e /dev/kvm ]; then
	vmm_error "no /dev/kvm: says so, and where to try" "this machine offers no KVM .*tests/testhost/run" --tiny
	out=$("$S" vm -- true 2>&1)
	expect_eq "shikumi vm without KVM: status 125" "125" "$?"
	expect_match "shikumi vm without KVM: says so" 'offers no KVM' "$out"
elif [ -e /sys/module/kvm_pvm ] && [ ! -e /sys/module/kvm_amd ] && [ ! -e /sys/module/kvm_intel ]; then
	# PVM (KVM without VT-x/AMD-V, on some cloud machines): a stock Linux kernel stops there
	# with a KVM internal error after seconds, so the VMM refuses at once; our own tiny guest,
	# which needs no more than a CPU, runs.
	vmm_error "PVM: a Linux guest is refused, and why" "this machine's /dev/kvm is PVM .*--tiny runs here" --kernel "$K" --initrd "$I"
	out=$(timeout -s KILL 60 "$V" --tiny --timing 2>&1)
	expect_eq "PVM: the tiny guest boots here: status 0" "0" "$?"
	expect_match "PVM: ... prints from its own code" 'Hello from the tiny guest' "$out"
	expect_match "PVM: ... and reads its CPU mode: long mode" '64-bit long mode' "$out"
	expect_match "PVM: ... and halts (one hlt exit)" 'exits: serial [1-9][0-9]+,.* hlt 1' "$out"
fi
expect_match "shikumi vm --help" 'Usage: shikumi vm' "$("$S" vm --help)"
expect_match "shikumi vm refuses a quote in the command" "cannot hold" "$("$S" vm -- echo '"' 2>&1)"

# Snapshots (booted and restored in the test host: testhost_snapshot.sh): what is refused
# before KVM is touched, leaving nothing behind.
vmm_error "--restore of a directory that is missing" "cannot open the snapshot '$T/nosnap': No such file" --restore "$T/nosnap"
vmm_error "--restore of a file, not a directory" "'$T/text' is not a snapshot directory" --restore "$T/text"
mkdir "$T/snap"
vmm_error "--restore of a directory without a state file" "cannot open '$T/snap/state'" --restore "$T/snap"
printf 'SHKSNAP\n' >"$T/snap/state"
vmm_error "--restore of a directory without a memory file" "cannot open '$T/snap/mem'" --restore "$T/snap"
head -c 4096 /dev/urandom >"$T/snap/mem"
vmm_error "--restore of a truncated state file" "the state file is truncated" --restore "$T/snap"
head -c 4096 /dev/urandom >"$T/snap/state"
vmm_error "--restore of a file that is no snapshot" "not a shikumi-vmm snapshot" --restore "$T/snap"
# A snapshot is trusted input only if nobody else could have written it: the directory and
# its files must be the caller's (or root's), not writable by group or others, the files
# regular and not symbolic links (read without following them, and without hanging on a FIFO).
chown nobody "$T/snap"
vmm_error "--restore of a directory owned by another user" "'$T/snap' belongs to uid [0-9]+: a snapshot must be yours or root's" --restore "$T/snap"
chown root "$T/snap"
chmod 0777 "$T/snap"
vmm_error "--restore of a directory others can write" "'$T/snap' can be written by others \(mode 0777\)" --restore "$T/snap"
chmod 0700 "$T/snap"
chown nobody "$T/snap/state"
vmm_error "--restore of a state file owned by another user" "'$T/snap/state' belongs to uid [0-9]+" --restore "$T/snap"
chown root "$T/snap/state"
chmod 0666 "$T/snap/mem"
vmm_error "--restore of a memory file others can write" "'$T/snap/mem' can be written by others" --restore "$T/snap"
chmod 0600 "$T/snap/mem"
mv "$T/snap/mem" "$T/mem.real"
ln -s /etc/shadow "$T/snap/mem"
vmm_error "--restore of a memory file that is a symbolic link" "'$T/snap/mem' is a symbolic link" --restore "$T/snap"
rm "$T/snap/mem"
mkfifo "$T/snap/mem"
expect_failure "--restore of a FIFO as the memory file (no hang)" 125 shikumi-vmm "'$T/snap/mem' is not a regular file" -- timeout -s KILL 20 "$V" --restore "$T/snap"
rm "$T/snap/mem"
mv "$T/mem.real" "$T/snap/mem"
mv "$T/snap/state" "$T/state.real"
mkfifo "$T/snap/state"
expect_failure "--restore of a FIFO as the state file (no hang)" 125 shikumi-vmm "'$T/snap/state' is not a regular file" -- timeout -s KILL 20 "$V" --restore "$T/snap"
rm "$T/snap/state"
mv "$T/state.real" "$T/snap/state"
mkfifo "$T/fifo"
expect_failure "a FIFO as the kernel (no hang)" 125 shikumi-vmm "the kernel '$T/fifo' is not a regular file" -- timeout -s KILL 20 "$V" --kernel "$T/fifo"
cp -a "$T/snap" "$T/half.tmp-1-AbC123"
vmm_error "--restore of a snapshot still being written (NAME.tmp-...)" "'$T/half.tmp-1-AbC123' is an unfinished snapshot" --restore "$T/half.tmp-1-AbC123"
vmm_error "... nor as DIR/." "is the unfinished snapshot '$T/half.tmp-1-AbC123'" --restore "$T/half.tmp-1-AbC123/."
ln -s "$T/half.tmp-1-AbC123" "$T/alias"
vmm_error "... nor through a symbolic link to it" "'$T/alias' is the unfinished snapshot '$T/half.tmp-1-AbC123'" --restore "$T/alias"
rm "$T/alias"
expect_failure "shikumi vm --from an unfinished snapshot's name" 125 shikumi "invalid snapshot name 'x.tmp-1-AbC123'" -- "$S" vm --snapshot-dir "$T" --from x.tmp-1-AbC123 -- true
rm -rf "$T/half.tmp-1-AbC123"
# One left by a shikumi-vmm killed while writing (its process gone, SIGKILL has no clean-up)
# is removed by the next --snapshot of that name; one whose writer lives is left alone.
sleep 0 & dead=$!
wait
sleep 60 & alive=$!
mkdir "$T/s3.tmp-$dead-XyZ789" "$T/s3.tmp-$alive-XyZ789" "$T/s3.tmp- $dead-XyZ789" "$T/s3.tmp-$dead-XyZ"
head -c 4096 /dev/zero >"$T/s3.tmp-$dead-XyZ789/mem"
"$V" --kernel "$T/text" --snapshot "$T/s3" </dev/null >/dev/null 2>&1 # fails after the sweep
expect_eq "--snapshot NAME removes a NAME.tmp-PID-XXXXXX of a writer that is gone, not of one alive, nor a name of another shape" \
	"$(printf '%s\n' "$T/s3.tmp- $dead-XyZ789" "$T/s3.tmp-$alive-XyZ789" "$T/s3.tmp-$dead-XyZ" | sort | tr '\n' '|')" \
	"$(ls -d "$T"/s3* 2>/dev/null | sort | tr '\n' '|')"
rm -rf "$T"/s3*
# Where others may rename things (writable by them, not sticky), a directory of this user's
# with such a name may be one they renamed (another snapshot): none is removed there.
mkdir -m 0777 "$T/pub"
mkdir "$T/pub/s3.tmp-$dead-XyZ789"
"$V" --kernel "$T/text" --snapshot "$T/pub/s3" </dev/null >/dev/null 2>&1
expect_eq "... and in a directory others can write (not sticky) it removes none" "$T/pub/s3.tmp-$dead-XyZ789" "$(ls -d "$T"/pub/s3* 2>/dev/null)"
rm -rf "$T/pub"
kill "$alive"
rm -rf "$T"/s3*
vmm_error "--restore with --disk" "--restore takes no --tiny, --initrd, --cmdline, --disk" --restore "$T/snap" --disk "$T/zeros"
vmm_error "--restore and --snapshot at once" "one at a time" --restore "$T/snap" --snapshot "$T/s2"
vmm_error "--snapshot with --disk" "--snapshot takes no --tiny, --disk or --net-fd" --kernel "$K" --initrd "$I" --disk "$T/zeros" --snapshot "$T/s2"
vmm_error "--snapshot into a directory that exists" "--snapshot: '$T/snap' exists" --kernel "$K" --initrd "$I" --snapshot "$T/snap"
vmm_error "--snapshot where there is no directory for it" "no directory '$T/none' to write" --kernel "$K" --initrd "$I" --snapshot "$T/none/s"
vmm_error "--snapshot-timeout 0" "invalid --snapshot-timeout '0'" --kernel "$K" --snapshot-timeout 0
expect_eq "... and no snapshot directory was made" "" "$(ls -d "$T"/s2* "$T"/none* 2>/dev/null)"
expect_failure "shikumi vm --from a name with a slash" 125 shikumi "invalid snapshot name '../x'" -- "$S" vm --snapshot-dir "$T/sd" --from ../x -- true
expect_failure "shikumi vm --snapshot with a command" 125 shikumi "give the command to --from" -- "$S" vm --snapshot-dir "$T/sd" --snapshot x -- true
expect_failure "shikumi vm --from with --disk" 125 shikumi "take no --disk or --net" -- "$S" vm --snapshot-dir "$T/sd" --from x --disk "$T/zeros" -- true
expect_failure "shikumi vm --from a snapshot that is not there" 125 shikumi-vmm "cannot open the snapshot '$T/sd/nothere'" -- "$S" vm --snapshot-dir "$T/sd" --from nothere -- true
expect_eq "... and no snapshot directory was made" "" "$(ls -d "$T"/sd 2>/dev/null)"
