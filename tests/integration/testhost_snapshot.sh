#!/bin/bash
# Inside the test host (/dev/kvm under emulation): shikumi-vmm --snapshot boots a guest once
# and writes it down when its /init is ready; --restore resumes it, as often as asked and
# several at once, each running its own command with its own status, its clock the host's;
# every bad snapshot is refused in one line, leaving nothing. Then container start, VM boot
# and VM restore, timed (a benchmark: only the orderings are asserted; KVM nested in QEMU's
# emulation makes absolute times mean little).
# testhost: --smp 1
# testhost-parallel: 5 (minutes; one vCPU, nothing written outside its own /tmp: runs beside another file)
. "$(dirname "$0")/lib.sh"
V="$BUILD/shikumi-vmm"
K="$BUILD/guest/bzImage-mini" # the minimal kernel: a boot takes half the cloud one's here
I="$BUILD/initramfs.cpio.gz"
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
# restore DIR ARGS...: (two minutes at most) the console without carriage returns in $out,
# the status in $rc.
restore() {
	timeout -s KILL 120 "$V" --restore "$@" </dev/null >"$T/raw" 2>&1
	rc=$?
	out=$(tr -d '\r' <"$T/raw")
}

out=$(timeout -s KILL 240 "$V" --kernel "$K" --initrd "$I" --memory 128M --snapshot "$T/snap" </dev/null 2>&1)
rc=$?
expect_eq "--snapshot: status 0 once the guest is ready" 0 "$rc"
[ "$rc" = 0 ] || printf '%s\n' "$out" | tail -5 | sed 's/^/    /'
expect_eq "... DIR holds the memory and the state" "mem state" "$(ls "$T/snap" | tr '\n' ' ' | sed 's/ $//')"
expect_eq "... the memory file is the guest's RAM, 128 MiB" 134217728 "$(stat -c %s "$T/snap/mem")"
expect_true "... sparse: the pages never written are holes" test "$(du -k "$T/snap/mem" | cut -f1)" -lt 131072
expect_eq "... the state file starts with its magic" "SHKSNAP" "$(head -c 7 "$T/snap/state")"
expect_eq "... and no temporary directory is left beside it" "snap" "$(ls "$T")"
sum_before=$(md5sum <"$T/snap/mem")

for st in 0 3 42; do
	restore "$T/snap" -- sh -c "echo restored-\$((6 * 7))-$st; exit $st"
	expect_eq "--restore -- sh -c '... exit $st': status $st" "$st" "$rc"
	expect_match "... the command's output comes back" "^restored-42-$st$" "$out"
done
restore "$T/snap" -- echo 'it'"'"'s  quoted' '$HOME' '*'
expect_match "arguments reach the guest as given (quotes, spaces, \$, *)" "^it's  quoted \\\$HOME \\*$" "$out"

# Two at once from one snapshot: each with its own memory (copy-on-write), the file unchanged.
for n in 1 2; do
	timeout -s KILL 180 "$V" --restore "$T/snap" -- sh -c "echo mine-$n >/tmp/x; sleep 1; cat /tmp/x; exit 1$n" \
		</dev/null >"$T/par$n" 2>&1 &
	pids[n]=$!
done
for n in 1 2; do
	wait "${pids[n]}"
	expect_eq "two restores at once: the ${n}th's status" "1$n" "$?"
	expect_match "... and its own output (its own copy of the guest's memory)" "^mine-$n$" "$(tr -d '\r' <"$T/par$n")"
done
expect_eq "the restores left the snapshot's memory file as it was" "$sum_before" "$(md5sum <"$T/snap/mem")"

# The clock: the snapshot is seconds old now; the restored guest's clock is the host's. The
# guest reads it between the host's time before the restore began and the host's time when
# its console line arrives (each line is stamped as it comes: the guest's reboot after it
# takes seconds here). A loaded test host can take seconds to carry the line: the check is
# that bracket, a second either side, not "within a second of the arrival".
sleep 3
start=$(date +%s)
timeout -s KILL 120 "${VMM_CLOCK:-$V}" --restore "$T/snap" -- date +%s </dev/null 2>/dev/null |
	while IFS= read -r line; do echo "$(date +%s) ${line%$'\r'}"; done >"$T/clock"
line=$(grep -E ' [0-9]{10}$' "$T/clock" | tail -1)
host=${line% *} guest=${line#* }
expect_true "the restored guest's clock is the host's ($guest, read between the host's $start and $host)" \
	test -n "$guest" -a $((start - guest)) -le 1 -a $((guest - host)) -le 1

restore "$T/snap" --timing -- true
for phase in open kvm map state vmm-setup resume-to-command command total; do
	expect_match "--restore --timing reports $phase" "timing: $phase +[0-9.]+ ms" "$out"
done
expect_match "... guest RAM is mapped from the snapshot, a part of it resident" "guest RAM resident [0-9.]+ MiB \(mapped from the snapshot" "$out"

# ---- bad snapshots: one line, status 125, nothing changed
# bad NAME REGEX DIR ARGS...
bad() {
	local name=$1 re=$2
	shift 2
	expect_failure "$name" 125 shikumi-vmm "$re" -- timeout -s KILL 120 "$V" --restore "$@" -- true
}
# resum DIR: the state file's checksum made right again (FNV-1a 64 of the header with the
# checksum field, at byte 80, zeroed, and the body), as anyone could.
resum() {
	local h=$((0xcbf29ce484222325)) i=0 b
	for b in $(od -An -v -tu1 "$1/state"); do
		[ $i -ge 80 ] && [ $i -lt 88 ] && b=0
		h=$(((h ^ b) * 0x100000001b3))
		i=$((i + 1))
	done
	for i in 0 1 2 3 4 5 6 7; do printf "\\x$(printf %02x $(((h >> (8 * i)) & 255)))"; done |
		dd of="$1/state" bs=1 seek=80 conv=notrunc 2>/dev/null
}
copy() { rm -rf "$T/$1" && cp -a --sparse=always "$T/snap" "$T/$1"; }
copy c && resum "$T/c"
restore "$T/c" -- sh -c 'exit 5'
expect_eq "(the test's own checksum is the VMM's: a re-summed copy restores)" 5 "$rc"
bad "a snapshot directory that is missing" "cannot open the snapshot '$T/none'" "$T/none"
copy c && truncate -s -100 "$T/c/state"
bad "a truncated state file" "the state file is truncated" "$T/c"
copy c && truncate -s 64M "$T/c/mem"
bad "a truncated memory file" "is 67108864 bytes, the snapshot's memory is 134217728 \(truncated\?\)" "$T/c"
copy c && printf '\x01' | dd of="$T/c/state" bs=1 seek=2000 conv=notrunc 2>/dev/null
bad "a state file with a byte changed: the checksum" "checksum is wrong" "$T/c"
copy c && printf '9.9.9-other\0' | dd of="$T/c/state" bs=1 seek=16 conv=notrunc 2>/dev/null && resum "$T/c"
bad "a snapshot from another shikumi-vmm version" "written by shikumi-vmm 9.9.9-other, this is " "$T/c"
copy c && printf '\x07' | dd of="$T/c/state" bs=1 seek=8 conv=notrunc 2>/dev/null && resum "$T/c"
bad "a snapshot of another format version" "snapshot format 7, this shikumi-vmm reads format 1" "$T/c"
copy c && printf 'SHKSNAX' | dd of="$T/c/state" bs=1 conv=notrunc 2>/dev/null
bad "a state file without the magic" "not a shikumi-vmm snapshot" "$T/c"
copy c && printf '\x03' | dd of="$T/c/state" bs=1 seek=68 conv=notrunc 2>/dev/null && resum "$T/c"
bad "a snapshot of another device set (a disk)" "devices \(legacy, disk\) are not this machine's \(legacy\)" "$T/c"
cp "$K" "$T/other-kernel"
printf '\x90' | dd of="$T/other-kernel" bs=1 seek=40000 conv=notrunc 2>/dev/null
bad "a snapshot of another kernel" "taken of another kernel" "$T/snap" --kernel "$T/other-kernel"
bad "another --memory" "has 128 MiB of guest memory, not 256 MiB" "$T/snap" --memory 256M
bad "another --cpus" "has 1 vCPUs, not 2" "$T/snap" --cpus 2
# A host whose KVM lacks a capability the restore needs: no honest way to take one away from
# the test host's KVM, so the VMM's test knob makes its check take KVM_CAP_XCRS as missing.
export SHIKUMI_VMM_TEST_NO_CAP=KVM_CAP_XCRS
bad "a host whose KVM lacks a capability the restore needs (KVM_CAP_XCRS)" \
	"--restore: $T/snap: this host's KVM lacks KVM_CAP_XCRS, which restoring the vCPUs' XCRs needs" "$T/snap"
unset SHIKUMI_VMM_TEST_NO_CAP
restore "$T/snap" --kernel "$K" --memory 128M --cpus 1 -- sh -c 'exit 6'
expect_eq "... the snapshot's own kernel, memory and vCPUs restore (status 6)" 6 "$rc"
expect_eq "the bad snapshots left the good one as it was" "$sum_before" "$(md5sum <"$T/snap/mem")"

# A guest that never says it is ready (its /init a shell waiting on the console): a timeout.
# (Its console, on stdout, is not the VMM's one line.)
expect_failure "--snapshot of a guest that never becomes ready: a timeout" 125 shikumi-vmm \
	"the guest did not say it was ready within 5 s .*nothing was written" -- sh -c 'exec "$0" "$@" >/dev/null' timeout -s KILL 200 "$V" \
	--kernel "$K" --initrd "$I" --memory 128M --snapshot "$T/never" --snapshot-timeout 5 \
	--cmdline "console=ttyS0 quiet reboot=k panic=-1 pci=off acpi=off rdinit=/bin/sh"
expect_eq "... and leaves no directory" "" "$(ls -d "$T"/never* 2>/dev/null)"
expect_eq "no shikumi-vmm is left running" "" "$(pgrep -x shikumi-vmm)"

# The VMM keeps none of its caller's files: a directory open as fd 9 (the runc CVE-2024-21626
# class) is not among the running VMM's fds.
(exec 9</ && exec timeout -s KILL 120 "$V" --restore "$T/snap" -- sh -c 'sleep 4; exit 4' </dev/null >"$T/raw9" 2>&1) &
bg=$!
fds=""
for _ in $(seq 100); do
	vmm=$(pgrep -x -n shikumi-vmm)
	fds=$([ -n "$vmm" ] && ls -l "/proc/$vmm/fd" 2>/dev/null)
	printf '%s' "$fds" | grep -q kvm-vm && break
	sleep 0.2
done
expect_match "a restore's VMM runs (its fds hold a KVM VM)" "kvm-vm" "$fds"
expect_true "... and holds no fd of its caller's (fd 9, the host's /, is not among them)" \
	bash -c "! printf '%s' \"\$1\" | grep -qE ' -> /\$'" _ "$fds"
wait "$bg"
expect_eq "... its command's status" 4 "$?"

# Two vCPUs: both stopped for the snapshot (the one that did not write "ready" is kicked out
# of KVM_RUN and its state completed the same way), both running after a restore.
timeout -s KILL 240 "$V" --kernel "$K" --initrd "$I" --memory 128M --cpus 2 --snapshot "$T/smp/" </dev/null >"$T/raw" 2>&1
expect_eq "--snapshot DIR/ (a trailing slash) with --cpus 2: status 0" 0 "$?"
restore "$T/smp" -- sh -c 'echo "cpus=$(nproc) online=$(cat /sys/devices/system/cpu/online)"; exit 9'
expect_eq "... its restore: status 9" 9 "$rc"
expect_match "... both vCPUs run in the restored guest" "^cpus=2 online=0-1$" "$out"

# shikumi vm's side: snapshots by name under --snapshot-dir.
timeout -s KILL 240 "$S" vm --kernel "$K" --memory 128M --snapshot-dir "$T/sd" --snapshot booted </dev/null >"$T/raw" 2>&1
rc=$?
expect_eq "shikumi vm --snapshot NAME: status 0" 0 "$rc"
[ "$rc" = 0 ] || tail -3 "$T/raw" | sed 's/^/    /'
expect_true "... the snapshot is NAME under --snapshot-dir, made 0700" \
	test -f "$T/sd/booted/state" -a "$(stat -c %a "$T/sd")" = 700
timeout -s KILL 120 "$S" vm --kernel "$K" --snapshot-dir "$T/sd" --from booted -- sh -c 'echo "from-$((6 * 7))"; exit 7' </dev/null >"$T/raw" 2>&1
rc=$?
expect_eq "shikumi vm --from NAME -- CMD: CMD's status" 7 "$rc"
expect_match "... and its output (a '\"' in it: typed on the console, not the kernel command line)" "^from-42$" "$(tr -d '\r' <"$T/raw")"

# shikumi compare's row for it: one boot for the snapshot, in compare's own folder, then
# restores timed as the other rows are.
out=$(TMPDIR="$T" timeout -s KILL 400 "$S" compare --runs 1 --only restore --kernel "$K" --json "$T/c.json" 2>"$T/err")
rc=$?
expect_eq "shikumi compare --only restore: status 0" 0 "$rc"
[ "$rc" = 0 ] || tail -3 "$T/err" | sed 's/^/    /'
expect_match "... a row for shikumi vm (restored)" "^  shikumi vm \(restored\) +[0-9.]+ ms" "$out"
expect_match "... with its restore phases" "^  resume-to-command +[0-9.]+ ms" "$out"
expect_eq "... the JSON says it ran once, as a VM" "1 vm" "$(jq -r '.contenders[] | select(.name == "shikumi vm (restored)") | "\(.runs) \(.kind)"' "$T/c.json")"
expect_eq "... and its folder (the snapshot in it) is gone" "" "$(ls -d "$T"/shikumi-compare-* 2>/dev/null)"

# ---- the benchmark: container start, VM cold boot, VM restore, each /bin/true
boot_cmdline="console=ttyS0 quiet reboot=k panic=-1 i8042.noaux i8042.nomux i8042.nopnp i8042.dumbkbd pci=off acpi=off tsc=reliable no_timer_check lpj=1000000 -- /bin/true"
if command -v hyperfine >/dev/null; then
	hyperfine -N --warmup 0 --runs 3 --export-json "$T/bench.json" \
		-n container "$S run $R /bin/true" \
		-n vm-boot "$V --kernel $K --initrd $I --memory 128M --cmdline '$boot_cmdline'" \
		-n vm-restore "$V --restore $T/snap -- /bin/true" >"$T/bench.txt" 2>&1 </dev/null
	sed 's/^/    /' "$T/bench.txt"
	mean() { jq -r ".results[] | select(.command == \"$1\") | .mean * 1000 | floor" "$T/bench.json"; }
	c=$(mean container) b=$(mean vm-boot) r=$(mean vm-restore)
else
	ms() {
		local t0 t1
		t0=$(date +%s%N)
		for _ in 1 2 3 4 5; do "$@" >/dev/null 2>&1 </dev/null; done
		t1=$(date +%s%N)
		echo $(((t1 - t0) / 5000000))
	}
	c=$(ms "$S" run "$R" /bin/true)
	b=$(ms "$V" --kernel "$K" --initrd "$I" --memory 128M --cmdline "$boot_cmdline")
	r=$(ms "$V" --restore "$T/snap" -- /bin/true)
fi
echo "    bench: container $c ms, VM cold boot $b ms, VM restore $r ms;" \
	"restore/boot $(awk "BEGIN {printf \"%.2f\", $r / $b}"), restore/container $(awk "BEGIN {printf \"%.2f\", $r / $c}")"
expect_true "a restore to /bin/true's exit takes less than half a cold boot ($r ms vs $b ms)" test $((r * 2)) -lt "$b"
