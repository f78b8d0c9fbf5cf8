#!/bin/bash
# Inside the test host, whose Debian kernel has IA32 emulation: the default seccomp filter
# also covers system calls made through the i386 entry (int 0x80) by a 64-bit process.
. "$(dirname "$0")/lib.sh"
rm -rf /tmp/rootfs-sc && cp -a "$R" /tmp/rootfs-sc && R=/tmp/rootfs-sc
H="$BUILD/tests"
expect_match "the i386 ABI works on this kernel (keyctl32 from the host)" '^allowed' "$("$H/sysprobe" keyctl32)"
expect_match "a default container: i386 keyctl is refused by seccomp" 'denied: Operation not permitted' \
	"$("$S" run -v "$H:/t:ro" "$R" /t/sysprobe keyctl32)"
expect_match "with --seccomp=off the same call goes through" '^allowed' \
	"$("$S" run --seccomp=off -v "$H:/t:ro" "$R" /t/sysprobe keyctl32)"
expect_match "a default container: x86-64 keyctl is refused too" 'denied: Operation not permitted' \
	"$("$S" run -v "$H:/t:ro" "$R" /t/sysprobe keyctl)"
# The allow-list on the i386 entry: what it does not know is ENOSYS, what it refuses EPERM.
expect_match "a default container: an unallocated i386 number fails with ENOSYS" 'denied: .*\(ENOSYS\)$' \
	"$("$S" run -v "$H:/t:ro" "$R" /t/sysprobe nosys32)"
expect_match "the i386 io_uring_setup works on this kernel (from the host)" '^allowed' "$("$H/sysprobe" iouring32)"
expect_match "a default container: i386 io_uring_setup is refused with EPERM" 'denied: .*\(EPERM\)$' \
	"$("$S" run -v "$H:/t:ro" "$R" /t/sysprobe iouring32)"
expect_match "a default container: x32 keyctl is refused with EPERM" 'denied: .*\(EPERM\)$' \
	"$("$S" run -v "$H:/t:ro" "$R" /t/sysprobe keyctlx32)"
