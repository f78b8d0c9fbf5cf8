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
expect_error "--device of a missing node" 125 "--device '/dev/nonexistent'" -- run --device /dev/nonexistent "$R" true
expect_error "--device of a file that is no device" 125 "is not a device node" -- run --device /dev/stdin "$R" true
expect_error "an unknown capability, with the known list" 125 "unknown capability 'FLY'; known: chown, " -- run --cap-add FLY "$R" true

echo
printf '%-58s %-10s %s\n' attempt expected result
printf '%s\n' "${rows[@]}"
