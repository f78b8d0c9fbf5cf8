#!/bin/bash
# Inside the test host (pure cgroup v2, an older kernel: Debian 12's 6.1): user namespaces
# with cgroup limits, and a rootfs on a file system that may not take an idmapped mount.
. "$(dirname "$0")/lib.sh"

rm -rf /tmp/rootfs-userns && cp -a "$R" /tmp/rootfs-userns && R=/tmp/rootfs-userns
H="$BUILD/tests"
base=$(leftovers)

# tmpfs takes idmapped mounts only from Linux 6.3: either it works, or the message says
# what to do instead, and doing that works.
out=$("$S" run --userns=private "$R" stat -c %u /bin/busybox 2>&1)
rc=$?
if [ "$rc" = 0 ]; then
	expect_eq "--userns=private on tmpfs: an idmapped ROOTFS shows root's files as root's" "0" "$out"
else
	expect_match "--userns=private on tmpfs ($(uname -r)): the error says to use rootfs-chown" \
		'^shikumi: cannot make an idmapped mount of ROOTFS .* shikumi rootfs-chown' "$out"
	expect_eq "... in one line, status 125" "1 125" "$(printf '%s\n' "$out" | wc -l) $rc"
	expect_eq "... leaving nothing behind" "$base" "$(leftovers)"
fi
expect_true "rootfs-chown gives the tmpfs rootfs to 100000" "$S" rootfs-chown "$R"
expect_eq "then --userns=private runs on it, files owned by root inside" "0 0" \
	"$("$S" run --userns=private "$R" sh -c 'echo $(id -u) $(stat -c %u /bin/busybox)' 2>&1)"

# The group is made by root outside; the limit holds on what root inside does.
cp "$H/memhog" "$R/memhog"
chown 100000:100000 "$R/memhog"
out=$("$S" run --userns=private --memory 32M --memory-swap 0 "$R" /memhog 64 2>&1)
expect_eq "--userns=private --memory 32M: a 64M hog is OOM-killed" "137" "$?"
expect_match "... and the runtime says so" 'the memory limit .* killed' "$out"
expect_eq "--userns=private: the container reads its own memory.max" "33554432" \
	"$("$S" run --userns=private --memory 32M "$R" cat /sys/fs/cgroup/memory.max)"
expect_eq "nothing left behind in the test host" "$base" "$(leftovers)"
rm -rf "$R"
