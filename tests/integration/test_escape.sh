#!/bin/bash
# The escape battery: things root could do, attempted from inside a default container (each
# must fail) and, where that is the point, from a --privileged one (it must succeed).
# Prints a table: attempt, expected, result.
. "$(dirname "$0")/lib.sh"
H="$BUILD/tests"
rows=()

# attempt NAME OPTIONS... -- COMMAND: run in the container; "ok" when it exits 0.
run_in() {
	"$S" run -v "$H:/t:ro" "$@" >/dev/null 2>&1
}

# battery NAME PRIVILEGED_EXPECT COMMAND [HOST_COMMAND]: refused by default; under
# --privileged "succeeded", "-" (not checked), or "host": whatever real root gets from
# HOST_COMMAND on this machine (a kernel without modules or kexec refuses even root).
battery() {
	local name=$1 priv=$2 cmd=$3 got
	if [ "$priv" = host ]; then
		if bash -c "$4" >/dev/null 2>&1; then priv=succeeded; else priv=refused; fi
	fi
	if run_in "$R" sh -c "$cmd"; then got=succeeded; else got=refused; fi
	rows+=("$(printf '%-58s %-10s %s' "$name" refused "$got")")
	expect_eq "default container: $name is refused" refused "$got"
	if [ "$priv" != - ]; then
		if run_in --privileged "$R" sh -c "$cmd"; then got=succeeded; else got=refused; fi
		rows+=("$(printf '%-58s %-10s %s' "  ... under --privileged" "$priv" "$got")")
		expect_eq "--privileged: $name $priv" "$priv" "$got"
	fi
}

# row NAME EXPECTED GOT: one line of the printed table, and a check.
row() {
	rows+=("$(printf '%-58s %-10s %s' "$1" "$2" "$3")")
	expect_eq "$1" "$2" "$3"
}
# attempt COMMAND...: "succeeded" when COMMAND exits 0, else "refused".
attempt() { if "$@" >/dev/null 2>&1; then echo succeeded; else echo refused; fi; }

# --- containment: what root inside tried against the first version (issue 16) ---
# 1. A file descriptor the caller holds (here: the host's /) must not cross into the container.
row "use an fd inherited from the caller (the host's /)" refused \
	"$(attempt bash -c 'exec 9</; "$0" run "$1" sh -c "ls /proc/self/fd/9/ | grep -q ."' "$S" "$R")"
row "only stdio is open when the command starts" "0 1 2" \
	"$(bash -c 'exec 9</ 8>/dev/null; "$0" run "$1" sh -c "ls /proc/self/fd" </dev/null' "$S" "$R" 2>/dev/null |
		grep -vx 3 | tr '\n' ' ' | sed 's/ $//')"
# runc CVE-2019-5736 at the first exec: a command that is a script starting #!/proc/self/exe
# would run, in the container, the binary its process came from; since the runtime forks the
# command, that was the host's shikumi, and root inside could chmod it setuid (found by the
# review of exec). The command goes through a sealed trampoline instead.
A=$(mktemp -d /tmp/shikumi-cve.XXXXXX)
printf '#!/proc/self/exe --version\n' >"$A/evil" && chmod +x "$A/evil"
row "run the host's shikumi as the command (#!/proc/self/exe)" refused \
	"$(out=$("$S" run -v "$A:/att:ro" "$R" /att/evil </dev/null 2>&1); [ $? = 127 ] && ! printf '%s' "$out" | grep -q '^shikumi [0-9a-f]' && echo refused || echo "succeeded: $out")"
rm -rf "$A"
# 2. PID 1 (the runtime's init) holds nothing from outside and gives nothing away.
row "follow PID 1's fds (/proc/1/fd/N)" refused \
	"$(attempt run_in "$R" sh -c 'for f in /proc/1/fd/*; do readlink "$f" && exit 0; done; exit 1')"
row "climb from PID 1's fds to the host's cgroup root" refused \
	"$(attempt run_in "$R" sh -c 'for f in /proc/1/fd/*; do cd -P "$f/../.." 2>/dev/null && [ -e cgroup.procs ] && exit 0; done; exit 1')"
row "open /proc/1/mem read-write" refused "$(attempt run_in "$R" sh -c 'exec 3<>/proc/1/mem')"
row "open /proc/1/exe (the host's shikumi binary)" refused "$(attempt run_in "$R" sh -c 'head -c 4 /proc/1/exe | grep -q ELF')"
# With CAP_SYS_PTRACE and no user namespace, /proc/1/exe of even a non-dumpable init opens:
# a fork of the host's shikumi would let root inside chmod it setuid for whoever runs it next
# (found by the second review). Such a container runs from the sealed copy.
mode=$(stat -c %a "$S")
row "--cap-add SYS_PTRACE: chmod the host's shikumi through /proc/1/exe" "$mode unchanged" \
	"$("$S" run --cap-add SYS_PTRACE "$R" sh -c 'chmod 6777 /proc/1/exe' >/dev/null 2>&1; stat -c %a "$S") $([ "$(stat -c %a "$S")" = "$mode" ] && echo unchanged || echo CHANGED)"
chmod "$mode" "$S"
row "--cap-add SYS_PTRACE: /proc/1/exe is the sealed copy" "/memfd:shikumi (deleted)" \
	"$("$S" run --cap-add SYS_PTRACE "$R" readlink /proc/1/exe 2>&1)"
row "--cap-add SYS_PTRACE: the caller's environment is not in /proc/1/environ" "hidden" \
	"$(SHIKUMI_TEST_SECRET=hunter2 "$S" run --cap-add SYS_PTRACE "$R" sh -c 'grep -q hunter2 /proc/1/environ && echo leaked || echo hidden' 2>&1)"
# CAP_SYS_ADMIN added (issue 17, review L1): the runtime's mounts were made inside the
# container's own mount namespace, so nothing locked them; root inside unmounted the masks and
# the read-only /proc/sys, and, in a user namespace mapping the host's uid 0, wrote
# kernel.core_pattern. The kernel now locks them (a copy of the mount namespace owned by another
# user namespace), and a user namespace that maps the host's uid 0 is refused with SYS_ADMIN:
# a fresh cgroup hierarchy would still give it the host root's file permissions (second review).
expect_error "a user namespace mapping the host's uid 0, with SYS_ADMIN" 125 \
	"maps the host's uid 0 and CAP_SYS_ADMIN is kept" -- run --uidmap 0:0:1 --gidmap 0:0:1 --cap-add SYS_ADMIN "$R" true
# admin_row EXPECTED NAME ARGS...: shikumi run --userns=private --cap-add SYS_ADMIN ARGS.
admin_row() {
	local want=$1 name=$2
	shift 2
	row "--userns=private + SYS_ADMIN: $name" "$want" \
		"$(attempt run_in --userns=private --cap-add SYS_ADMIN "$@")"
}
admin_row refused "unmount the mask on /proc/timer_list, read it" \
	"$R" sh -c 'umount /proc/timer_list && grep -q . /proc/timer_list'
admin_row refused "unmount the mask on /proc/keys" "$R" umount /proc/keys
admin_row refused "unmount the mask on /sys/firmware" "$R" umount -l /sys/firmware
admin_row refused "remount /proc/sys read-write" "$R" mount -o remount,rw /proc/sys
admin_row refused "a fresh /proc without the masks" "$R" mount -t proc proc /mnt
admin_row refused "bind /proc elsewhere without its masks" "$R" mount --bind /proc /mnt
admin_row refused "remount / rw under --read-only" --read-only "$R" sh -c 'mount -o remount,rw / && touch /x'
admin_row refused "remount /dev rw" "$R" mount -o remount,rw /dev
admin_row succeeded "new mounts of its own still work (a tmpfs)" "$R" mount -t tmpfs t /mnt
# Without a user namespace, CAP_SYS_ADMIN is the host's root (a new mount namespace of its own
# takes a fresh /proc; cgroup v1's release_agent): as with docker, given away on purpose. The
# runtime's own mounts still hold. The write puts back the value read: a failure changes nothing.
core=$(cat /proc/sys/kernel/core_pattern)
row "SYS_ADMIN, no user namespace: unmount /proc/sys, write kernel.core_pattern" refused \
	"$(attempt run_in --cap-add SYS_ADMIN "$R" sh -c 'p=$(cat /proc/sys/kernel/core_pattern); umount /proc/sys; printf "%s\n" "$p" >/proc/sys/kernel/core_pattern')"
row "... and kernel.core_pattern is the host's still" "$core" "$(cat /proc/sys/kernel/core_pattern)"
# A file mask is a bind of the container's /dev/null: read-only, or a chmod through the mask
# changes /dev/null under the read-only /dev (found by review: non-root users then could not
# write to /dev/null).
row "chmod and chown /dev/null through the masks on /proc/timer_list and /proc/keys" "666 0" \
	"$("$S" run "$R" sh -c 'chmod 000 /proc/timer_list; chown 1000 /proc/keys; stat -c "%a %u" /dev/null' 2>/dev/null)"
# With cgroup2 mounted read-write (SYS_ADMIN), groups inside its own: at most 32 deep, and all
# removed with the container, so that none stays to slow every later start (found by review).
before=$(leftovers)
row "SYS_ADMIN: nest groups inside its own as deep as it can; all go at the end" "depth=32|$before" \
	"$("$S" run --cap-add SYS_ADMIN "$R" sh -c 'mount -t cgroup2 none /mnt && cd /mnt && [ "$(cat cgroup.max.depth)" = 32 ] || { echo no bound; exit; }; n=0; while mkdir d 2>/dev/null; do cd d; n=$((n+1)); done; echo depth=$n' 2>&1)|$(leftovers)"
# ... and past a cgroup.max.depth it raised (it is the host's root): a chain 2000 deep still all
# goes, in one walk (each removal walked down again from the top: 24 s here, and a chain 6000
# deep took minutes and slowed every later start; found by the third review).
before=$(leftovers)
row "SYS_ADMIN: a chain of groups 2000 deep past a raised cgroup.max.depth goes at the end, in under 5 s (it took 24)" "2000|fast|$before" \
	"$("$S" run --timing --cap-add SYS_ADMIN "$R" sh -c 'mount -t cgroup2 none /mnt && cd /mnt && echo max >cgroup.max.depth && n=0; while [ $n -lt 2000 ] && mkdir d; do cd d; n=$((n+1)); done; echo $n' 2>&1 |
		awk '/^[0-9]+$/ { n = $1 } /^timing: teardown/ { t = $3 } END { printf "%s|%s", n, (t != "" && t < 5000 ? "fast" : "slow: " t " ms") }')|$(leftovers)"
row "PID 1 has no_new_privs" 1 "$("$S" run "$R" awk '/^NoNewPrivs/ {print $2}' /proc/1/status 2>/dev/null)"
row "PID 1 runs under a seccomp filter" 2 "$("$S" run "$R" awk '/^Seccomp:/ {print $2}' /proc/1/status 2>/dev/null)"
row "PID 1 has the command's capabilities" "00000000a80425fb" "$("$S" run "$R" awk '/^CapEff/ {print $2}' /proc/1/status 2>/dev/null)"
row "PID 1's inheritable set is empty" "0000000000000000" "$("$S" run "$R" awk '/^CapInh/ {print $2}' /proc/1/status 2>/dev/null)"
row "the command's inheritable set is empty" "0000000000000000" "$("$S" run "$R" awk '/^CapInh/ {print $2}' /proc/self/status 2>/dev/null)"
# 3. Setup fails closed. An over-mounted /proc file (as inside a Docker or Kubernetes pod)
# must neither stop the container nor let it run on the host's root.
got=$(unshare -m --propagation private sh -c 'mount --bind /dev/null /proc/timer_list &&
	"$0" run --userns=private "$1" sh -c "[ -e /work ] || [ -e /usr/lib ] && echo host-root; echo ran; wc -c </proc/timer_list"' "$S" "$R" 2>&1 | tr '\n' ' ')
row "--userns=private under an over-mounted /proc/timer_list" "ran 0 " "$got"
# A runtime without CAP_SETPCAP (a systemd unit's CapabilityBoundingSet) cannot drop the
# bounding set: the start must fail, naming the step, or run with at most the default set.
out=$(setpriv --bounding-set -setpcap -- "$S" run "$R" awk '/^CapEff/ {print $2}' /proc/self/status 2>&1)
case "$out" in
*"failed at 'capabilities'"*) got=no ;;
[0-9a-f]*) [ $((0x$out & ~0xa80425fb)) = 0 ] && got=no || got="yes: $out" ;;
*) got="unclear: $out" ;;
esac
row "more than the default set without CAP_SETPCAP in the bounding set" no "$got"
# 4. Read-only, nodev and nosuid hold for every submount of a volume.
row "write the host's /proc/sys through -v /:/host:ro" refused \
	"$(attempt run_in -v /:/host:ro "$R" sh -c 'v=$(cat /host/proc/sys/kernel/printk_ratelimit) && echo $v > /host/proc/sys/kernel/printk_ratelimit')"
row "create a file in the host's /dev through -v /:/host:ro" refused \
	"$(attempt run_in -v /:/host:ro "$R" sh -c 'touch /host/dev/shikumi-escape')"
rm -f /dev/shikumi-escape
row "open a host device through a :ro volume's submount" refused \
	"$(attempt run_in -v /:/host:ro "$R" sh -c 'head -c 1 /host/dev/zero | wc -c | grep -qx 1')"
row "write a host tmpfs through -v /:/host:ro" refused \
	"$(attempt run_in -v /:/host:ro "$R" sh -c 'touch /host/run/shikumi-escape')"
rm -f /run/shikumi-escape
for target in /proc /proc/sys /sys/kernel /dev /dev/shm; do
	row "a volume on $target is refused" refused "$(attempt run_in -v /tmp:$target "$R" true)"
done
# 5. The shared ROOTFS is never written unless asked.
got=$("$S" run "$R" sh -c 'cp /bin/busybox /shikumi-suid && chmod 4755 /shikumi-suid && echo made')
row "leave a setuid-root file in ROOTFS" "made, gone" "$got, $([ -e "$R/shikumi-suid" ] && echo present || echo gone)"
rm -f "$R/shikumi-suid"
"$S" run --userns=private "$R" sh -c 'touch /shikumi-mark' >/dev/null 2>&1
row "--userns=private: leave a file in ROOTFS" gone "$([ -e "$R/shikumi-mark" ] && echo present || echo gone)"
rm -f "$R/shikumi-mark"
"$S" run --read-only -v /tmp:/shikumi-vol "$R" true >/dev/null 2>&1
row "a volume's mount point stays out of ROOTFS" gone "$([ -e "$R/shikumi-vol" ] && echo present || echo gone)"
rmdir "$R/shikumi-vol" 2>/dev/null
"$S" run -v /no/such:/shikumi-vol2 "$R" true >/dev/null 2>&1
row "a failed start leaves no mount point in ROOTFS" gone "$([ -e "$R/shikumi-vol2" ] && echo present || echo gone)"
# 7. A volume target that is a symlink in ROOTFS resolves inside the root, never on the host.
own=$(mktemp -d)
cp -a "$R" "$own/root"
ln -s /etc "$own/root/shikumi-link"
src=$(mktemp -d)
"$S" run -v "$src:/shikumi-link/shikumi-escape" "$own/root" true >/dev/null 2>&1
row "a volume through a symlink in ROOTFS lands on the host" no "$([ -e /etc/shikumi-escape ] && echo yes || echo no)"
rmdir /etc/shikumi-escape 2>/dev/null
rm -rf "$own" "$src"
# What an independent attacker found in the rebuilt start (see the issue's note).
# An image whose /dev is an absolute symlink: the runtime, as host root, must not create or
# chmod anything outside the root while it populates /dev.
atk=$(mktemp -d)
cp -a "$R" "$atk/root"
rm -rf "$atk/root/dev"
mkdir -p "$atk/root/sub" "$atk/root$atk/root/lower/sub"
echo s >"$atk/victim"
chmod 600 "$atk/victim"
ln -s "$atk/victim" "$atk/root/sub/shm"
ln -s "$atk/root/lower/sub" "$atk/root/dev"
"$S" run "$atk/root" true >/dev/null 2>&1
row "an image's /dev symlink makes the runtime chmod a host file" 600 "$(stat -c %a "$atk/victim")"
row "... or create directories outside the container's layer" "" "$(ls "$atk/root/sub" | grep -v '^shm$' | tr '\n' ' ')"
rm -rf "$atk"
# The caller's stdio: a directory there would be the host's file tree inside.
row "reach the host's / through stdin" refused \
	"$(attempt bash -c '"$0" run "$1" sh -c "ls /proc/self/fd/0/ | grep -q ." </' "$S" "$R")"
# The runtime's argv (host paths, whatever was typed) is not PID 1's command line inside.
row "read ROOTFS's host path from /proc/1/cmdline" no \
	"$("$S" run "$R" cat /proc/1/cmdline | tr '\0' ' ' | grep -qF "$R" && echo yes || echo no)"
row "a volume on /./proc is refused" refused "$(attempt run_in -v /tmp:/./proc "$R" true)"
battery "modify the local descriptor table (modify_ldt)" - '/t/sysprobe modify_ldt'
# IPv6 router advertisements from a container must not reach the host's routes: no IPv6 on
# the bridge, its ports, or eth0.
"$S" run --net bridge "$R" true >/dev/null 2>&1
row "the bridge takes IPv6 (router advertisements) from containers" no \
	"$([ "$(cat /proc/sys/net/ipv6/conf/shikumi0/disable_ipv6 2>/dev/null)" = 1 ] && echo no || echo yes)"
row "eth0 inside takes IPv6" no \
	"$([ "$("$S" run --net bridge "$R" cat /proc/sys/net/ipv6/conf/eth0/disable_ipv6 2>/dev/null)" = 1 ] && echo no || echo yes)"

# 8. Smaller holes.
row "see /sys/devices/virtual/powercap (a power side channel)" refused \
	"$(attempt run_in "$R" sh -c 'ls /sys/devices/virtual/powercap | grep -q .')"
row "read /proc/asound" refused "$(attempt run_in "$R" sh -c 'ls /proc/asound | grep -q .')"
expect_error "ROOTFS / (the host's own root)" 125 "ROOTFS '/' is the host's own root" -- run / true
expect_error "a volume on /proc" 125 "volume target '/proc'.*refused" -- run -v /proc:/proc "$R" true

battery "mount a file system" succeeded 'mount -t tmpfs t /mnt'
battery "load a kernel module (init_module)" host '/t/sysprobe module' "$H/sysprobe module"
battery "reboot (reboot)" succeeded '/t/sysprobe reboot'
battery "kexec (kexec_load)" host '/t/sysprobe kexec' "$H/sysprobe kexec"
battery "call keyctl" succeeded '/t/sysprobe keyctl'
battery "call keyctl through the i386 ABI (int 0x80)" host '/t/sysprobe keyctl32' "$H/sysprobe keyctl32"
battery "use bpf" succeeded '/t/sysprobe bpf'
battery "perf_event_open" succeeded '/t/sysprobe perf'
battery "ptrace PID 1" succeeded '/t/sysprobe ptrace'
battery "create a user namespace" succeeded '/t/sysprobe userns'
battery "set the host's clock (settimeofday)" succeeded '/t/sysprobe settime'
# --- seccomp: the allow-list ---
# The default filter allows what programs need and nothing else: the calls that reach past the
# container fail with EPERM, each named; whatever the filter does not know (a number never
# allocated, a call newer than the list) fails with ENOSYS, on the x86-64, i386 and x32 entries.
battery "io_uring_setup (a second way into the kernel)" succeeded '/t/sysprobe iouring'
battery "io_uring_setup through the i386 ABI" host '/t/sysprobe iouring32' "$H/sysprobe iouring32"
battery "steal PID 1's fd (pidfd_getfd)" succeeded '/t/sysprobe pidfd_getfd'
battery "compare kernel objects (kcmp)" succeeded '/t/sysprobe kcmp'
battery "personality(READ_IMPLIES_EXEC|ADDR_NO_RANDOMIZE)" succeeded '/t/sysprobe personality'
battery "move_pages" succeeded '/t/sysprobe move_pages'
battery "mbind" succeeded '/t/sysprobe mbind'
battery "open a vsock (socket(AF_VSOCK))" succeeded '/t/sysprobe vsock'
battery "name_to_handle_at" succeeded '/t/sysprobe name_to_handle'
battery "keyctl through the x32 ABI" host '/t/sysprobe keyctlx32' "$H/sysprobe keyctlx32"
battery "a system call newer than the filter (mseal)" host '/t/sysprobe newcall' "$H/sysprobe newcall"
battery "an unallocated system call number" host '/t/sysprobe nosys' "$H/sysprobe nosys"
# errno_is CALL ERRNO [OPTIONS...]: the probe, in a container, is refused with ERRNO.
errno_is() {
	local call=$1 e=$2
	shift 2
	expect_match "seccomp: $call fails with $e ${*:+($*)}" "^denied: .*\\($e\\)\$" \
		"$("$S" run -v "$H:/t:ro" "$@" "$R" /t/sysprobe "$call" 2>&1)"
}
for call in iouring pidfd_getfd kcmp move_pages mbind vsock name_to_handle keyctlx32 keyctl; do
	errno_is "$call" EPERM
done
# personality's other values are outside the allow-list's argument filter: the default answers
# (libseccomp cannot write "none of these values" as one EPERM rule).
for call in nosys newcall personality; do errno_is "$call" ENOSYS; done
errno_is nosys ENOSYS --cap-add SYS_ADMIN --cap-add SYS_PTRACE --cap-add SYS_NICE
# The i386 entry exists only where the kernel has IA32 emulation (testhost_seccomp.sh checks it).
if "$H/sysprobe" nosys32 | grep -q ENOSYS; then errno_is nosys32 ENOSYS; fi
expect_match "seccomp: a harmless personality (query) is allowed" '^[0-9]' \
	"$("$S" run "$R" sh -c 'cat /proc/self/personality')"
expect_eq "seccomp: socket(AF_INET) is allowed" "0" \
	"$(run_in "$R" sh -c 'nc -l -p 7 & p=$!; sleep 0.1; kill $p'; echo $?)"
expect_eq "--cap-add SYS_PTRACE lets pidfd_getfd through seccomp" "0" \
	"$(run_in --cap-add SYS_PTRACE "$R" /t/sysprobe pidfd_getfd; echo $?)"
expect_eq "--cap-add SYS_NICE lets mbind through seccomp" "0" \
	"$(run_in --cap-add SYS_NICE "$R" /t/sysprobe mbind; echo $?)"
expect_eq "--cap-add SYS_ADMIN lets a user namespace through seccomp" "0" \
	"$(run_in --cap-add SYS_ADMIN "$R" /t/sysprobe userns; echo $?)"
# --- end of seccomp: the allow-list ---
battery "read /proc/kcore" - 'test -s /proc/kcore || [ "$(head -c1 /proc/kcore | wc -c)" != 0 ]'
battery "read /proc/keys" - '[ "$(cat /proc/keys | wc -c)" != 0 ]'
battery "write /proc/sysrq-trigger" - 'echo h > /proc/sysrq-trigger'
battery "write /proc/sys" succeeded 'echo shikumi-x > /proc/sys/kernel/domainname'
battery "write /sys" - 'echo 1 > /sys/kernel/mm/ksm/run'
battery "make a device node in /dev" succeeded 'mknod /dev/x c 1 3'
disk=$(stat -c '%t %T' "$(df --output=source / | tail -1)" 2>/dev/null | while read -r a b; do echo "$((0x$a)) $((0x$b))"; done)
[ -n "$disk" ] || disk="254 0"
read_disk="mknod /tmp/shikumi-disk b $disk; head -c 512 /tmp/shikumi-disk >/dev/null; r=\$?; rm -f /tmp/shikumi-disk; exit \$r"
battery "read the host disk via mknod ($disk)" host "$read_disk" "$read_disk"
battery "open a raw block device in /dev" - 'ls /dev | grep -qE "^(sd|vd|nvme|xvd)"'
battery "see the host's processes (this test's bash)" - 'cat /proc/[0-9]*/comm | grep -qx bash'
battery "remount / rw under --read-only" - 'exit 1' # placeholder row replaced below
unset 'rows[-1]'
if "$S" run --read-only "$R" sh -c 'mount -o remount,rw / && touch /x' >/dev/null 2>&1; then got=succeeded; else got=refused; fi
rows+=("$(printf '%-58s %-10s %s' "remount / rw under --read-only" refused "$got")")
expect_eq "default container: remount / rw under --read-only is refused" refused "$got"
# setuid: no_new_privs is set, so an exec can never gain privileges
got=$("$S" run "$R" sh -c 'grep NoNewPrivs /proc/self/status' | awk '{print $2}')
rows+=("$(printf '%-58s %-10s %s' "gain privileges through setuid (NoNewPrivs)" 1 "$got")")
expect_eq "no_new_privs is set (setuid cannot raise privileges)" 1 "$got"
host_name=$(hostname)
"$S" run "$R" hostname escaped >/dev/null 2>&1
got=$([ "$(hostname)" = "$host_name" ] && echo unchanged || echo changed)
rows+=("$(printf '%-58s %-10s %s' "change the host's hostname" unchanged "$got")")
expect_eq "the host's hostname stays unchanged" unchanged "$got"
# --- with --userns=private: root inside is an unprivileged uid outside ---
"$S" run --userns=private "$R" sleep 20 &
p=$!
cmd=$(pid_of_command $p)
got=$(awk '/^Uid:/ {print $2}' "/proc/$cmd/status" 2>/dev/null)
kill $p
wait $p
rows+=("$(printf '%-58s %-10s %s' "--userns=private: root inside, on the host" 100000 "$got")")
expect_eq "--userns=private: root inside is uid 100000 on the host" 100000 "$got"
vol=$(mktemp -d)
chmod 777 "$vol"
"$S" run --userns=private -v "$vol:/mnt" "$R" touch /mnt/f >/dev/null 2>&1
got=$(stat -c %u "$vol/f" 2>/dev/null)
rm -rf "$vol"
rows+=("$(printf '%-58s %-10s %s' "--userns=private: owner of a file made inside" 100000 "$got")")
expect_eq "--userns=private: a file made inside belongs to 100000 on the host" 100000 "$got"
userns_battery() { # NAME COMMAND: refused in a user namespace, even with every capability
	local got
	if run_in --userns=private --privileged "$R" sh -c "$2"; then got=succeeded; else got=refused; fi
	rows+=("$(printf '%-58s %-10s %s' "--userns=private --privileged: $1" refused "$got")")
	expect_eq "--userns=private --privileged: $1 is refused" refused "$got"
}
userns_battery "read the host disk" "$read_disk"
userns_battery "load a kernel module" '/t/sysprobe module'
userns_battery "kexec" '/t/sysprobe kexec'
userns_battery "set the host's clock" '/t/sysprobe settime'
expect_eq "capabilities are the default set" "00000000a80425fb" \
	"$("$S" run "$R" sh -c 'grep CapEff /proc/self/status' | awk '{print $2}')"
expect_eq "the bounding set is the default set too" "00000000a80425fb" \
	"$("$S" run "$R" sh -c 'grep CapBnd /proc/self/status' | awk '{print $2}')"
expect_eq "the ambient set is empty" "0000000000000000" \
	"$("$S" run "$R" sh -c 'grep CapAmb /proc/self/status' | awk '{print $2}')"
expect_eq "--cap-add SYS_ADMIN adds it (bit 21)" "00000000a82425fb" \
	"$("$S" run --cap-add SYS_ADMIN "$R" sh -c 'grep CapEff /proc/self/status' | awk '{print $2}')"
expect_eq "--cap-drop ALL keeps none" "0000000000000000" \
	"$("$S" run --cap-drop ALL "$R" sh -c 'grep CapEff /proc/self/status' | awk '{print $2}')"
expect_eq "--cap-add SYS_ADMIN also lets mount through seccomp" "0" \
	"$(run_in --cap-add SYS_ADMIN "$R" mount -t tmpfs t /mnt; echo $?)"
expect_eq "--cap-add SYS_PTRACE lets ptrace through seccomp" "0" \
	"$(run_in --cap-add SYS_PTRACE "$R" /t/sysprobe ptrace; echo $?)"
expect_eq "--seccomp=off: keyctl is let through" "0" "$(run_in --seccomp=off "$R" /t/sysprobe keyctl; echo $?)"
# --seccomp=FILE: an OCI/Docker JSON profile, the same file podman and docker take.
profile=$(mktemp --suffix=.json)
cat >"$profile" <<'JSON'
{"defaultAction": "SCMP_ACT_ALLOW",
 "architectures": ["SCMP_ARCH_X86_64", "SCMP_ARCH_X86", "SCMP_ARCH_X32"],
 "syscalls": [{"names": ["mkdir", "mkdirat"], "action": "SCMP_ACT_ERRNO", "errnoRet": 28}]}
JSON
expect_match "--seccomp=FILE applies a JSON profile" 'No space left' "$("$S" run --seccomp="$profile" "$R" mkdir /tmp/shikumi-p 2>&1)"
expect_eq "--seccomp=FILE: what the profile does not name is allowed" "0" \
	"$(run_in --seccomp="$profile" "$R" /t/sysprobe kcmp; echo $?)"
cat >"$profile" <<'JSON'
{"defaultAction": "SCMP_ACT_ERRNO",
 "syscalls": [{"names": ["read"], "action": "SCMP_ACT_ALLOW"},
              {"names": ["write"], "action": "SCMP_ACT_FOO"}]}
JSON
# (expect_error also checks: one line, nothing left behind, ROOTFS untouched)
expect_error "a profile with an unknown action names its JSON path" 125 \
	"seccomp profile '$profile': syscalls\\[1\\]\\.action: unknown action 'SCMP_ACT_FOO'" -- run --seccomp="$profile" "$R" true
cat >"$profile" <<'JSON'
{"defaultAction": "SCMP_ACT_ALLOW",
 "syscalls": [{"names": ["nosuchcall", "mkdir", "mkdirat"], "action": "SCMP_ACT_ERRNO", "errnoRet": 28}]}
JSON
out=$("$S" run --seccomp="$profile" "$R" sh -c 'mkdir /tmp/x 2>&1; echo rc=$?' 2>&1)
expect_match "a profile naming an unknown system call: one warning naming it" "warning: .*nosuchcall" "$out"
expect_match "... and the rest of the profile applies" 'No space left' "$out"
expect_eq "... in one line of warning" "1" "$(printf '%s\n' "$out" | grep -c warning)"
rm -f "$profile"
expect_eq "--device gives a host device that works" "16" \
	"$("$S" run --device /dev/urandom "$R" sh -c 'head -c 16 /dev/urandom | wc -c')"
# The host's node is bound, so it shares the host's inode: the bind is read-only, and root
# inside (CAP_CHOWN, CAP_FOWNER) cannot change the host's node (found by review: a read-write
# bind let it). Put back should the check fail.
fuse_st=$(stat -c '%u:%g %a' /dev/fuse)
row "--device /dev/fuse: chown and chmod the host's node" "$fuse_st" \
	"$("$S" run --device /dev/fuse "$R" sh -c 'chown 5:5 /dev/fuse; chmod 600 /dev/fuse' >/dev/null 2>&1; stat -c '%u:%g %a' /dev/fuse)"
chown "${fuse_st% *}" /dev/fuse && chmod "${fuse_st#* }" /dev/fuse
expect_error "--device of a missing node" 125 "--device '/dev/nonexistent'" -- run --device /dev/nonexistent "$R" true
expect_error "--device of a file that is no device" 125 "is not a device node" -- run --device /dev/stdin "$R" true
expect_error "an unknown capability, with the known list" 125 "unknown capability 'FLY'; known: chown, " -- run --cap-add FLY "$R" true

echo
printf '%-58s %-10s %s\n' attempt expected result
printf '%s\n' "${rows[@]}"
