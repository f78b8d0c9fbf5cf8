#!/bin/bash
# Inside the test host (a /dev/kvm that boots Linux): what make install lays out boots from
# there: shikumi-vmm --tiny its tiny.bin, shikumi vm the installed kernel and initramfs, and
# lesson 5 the installed shikumi-vmm. (test_install.sh checks the layout, the .deb, and all that
# needs no KVM, shikumi compare's default guest files among them, on the machine itself.)
# testhost: --smp 1
. "$(dirname "$0")/lib.sh"
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
T=$(mktemp -d /tmp/shikumi-install-XXXXXX)
trap 'rm -rf "$T"' EXIT
make -C "$ROOT" --no-print-directory install BUILD="$BUILD" DESTDIR="$T" PREFIX=/opt/shikumi >"$T/make.log" 2>&1
expect_eq "make install DESTDIR=… PREFIX=/opt/shikumi succeeds" 0 $?
I=$T/opt/shikumi

out=$(timeout -s KILL 60 "$I/bin/shikumi-vmm" --tiny 2>&1)
expect_eq "installed shikumi-vmm --tiny boots the installed tiny guest: status" 0 $?
expect_match "... which prints from its own code" 'Hello from the tiny guest' "$out"

out=$(timeout -s KILL 120 "$I/bin/shikumi" vm -- uname -r 2>&1 </dev/null)
expect_eq "installed shikumi vm -- uname -r boots: status 0" 0 $?
expect_match "... the installed guest kernel (Debian's cloud kernel, guest/bzImage)" 'cloud-amd64' "$(echo "$out" | tr -d '\r')"

out=$(env -u BUILD timeout -s KILL 120 bash "$I/share/shikumi/examples/05-devices.sh" --fast 2>&1)
rc=$?
expect_match "installed lesson 5 holds all its claims (status $rc)" "(^|$(printf '\n'))([0-9]+) of \2 claims held" "$out"
expect_match "... running the installed shikumi-vmm" "\\$ $I/bin/shikumi-vmm --tiny" "$out"
