#!/bin/bash
# User namespaces: --userns=private (root inside is uid 100000 outside), --uidmap/--gidmap,
# idmapped ROOTFS or `shikumi rootfs-chown`, and rootless runs by an unprivileged user.
. "$(dirname "$0")/lib.sh"

if [ "$(id -u)" != 0 ]; then
	fail "run as root" "these tests switch to an unprivileged user themselves: run make check as root"
	exit 0
fi
base=$(leftovers)
T=$(mktemp -d)
chmod 755 "$T"
trap 'rm -rf "$T"' EXIT

# --- --userns=private, ROOTFS owned by the host's root: an idmapped mount ---
out=$("$S" run --userns=private "$R" sh -c 'id -u; id -g; cat /proc/self/uid_map /proc/self/gid_map; stat -c "%u:%g" /bin/busybox; grep -E "^[0-9]+ [0-9]+ [0-9:]+ [^ ]+ / " /proc/self/mountinfo')
expect_eq "root inside: uid 0" "0" "$(echo "$out" | sed -n 1p)"
expect_eq "root inside: gid 0" "0" "$(echo "$out" | sed -n 2p)"
expect_eq "the uid map is 0 -> 100000, 65536 ids" "0 100000 65536" "$(echo "$out" | sed -n 3p | tr -s ' ' | sed 's/^ //')"
expect_eq "the gid map follows" "0 100000 65536" "$(echo "$out" | sed -n 4p | tr -s ' ' | sed 's/^ //')"
expect_eq "ROOTFS files still appear owned by root inside" "0:0" "$(echo "$out" | sed -n 5p)"
expect_match "the root is the container's overlay (over the idmapped ROOTFS)" ' / rw,[^ ]* - overlay ' "$(echo "$out" | sed -n 6p)"
expect_eq "ROOTFS on the host keeps its owner" "0:0" "$(stat -c %u:%g "$R/bin/busybox")"

"$S" run --userns=private "$R" sleep 20 &
runtime=$!
cmd=$(pid_of_command $runtime)
expect_eq "seen from the host, the container's root is uid 100000" "100000 100000 100000 100000" \
	"$(awk '/^Uid:/ {print $2, $3, $4, $5}' "/proc/$cmd/status" 2>/dev/null)"
expect_eq "... and gid 100000" "100000" "$(awk '/^Gid:/ {print $2}' "/proc/$cmd/status" 2>/dev/null)"
kill $runtime
wait $runtime

mkdir -m 777 "$T/vol"
"$S" run --userns=private -v "$T/vol:/mnt" "$R" touch /mnt/made-inside
expect_eq "a file made inside belongs to 100000 on the host" "100000:100000" \
	"$(stat -c %u:%g "$T/vol/made-inside" 2>&1)"
echo secret >"$T/secret"
chmod 600 "$T/secret"
expect_match "root inside cannot read a host root's 0600 file" 'Permission denied' \
	"$("$S" run --userns=private -v "$T/secret:/mnt/secret" "$R" cat /mnt/secret 2>&1)"
expect_eq "... which host root can (the volume is the same file)" "secret" \
	"$("$S" run -v "$T/secret:/mnt/secret" "$R" cat /mnt/secret 2>&1)"
expect_match "mknod in a user namespace is refused, even with --privileged" 'not permitted' \
	"$("$S" run --userns=private --privileged "$R" mknod /tmp/null c 1 3 2>&1)"
expect_eq "--uidmap chooses the range" "0 200000 1000" \
	"$("$S" run --uidmap 0:200000:1000 "$R" cat /proc/self/uid_map | tr -s ' ' | sed 's/^ //')"
expect_eq "--gidmap follows --uidmap unless given" "0 200000 1000" \
	"$("$S" run --uidmap 0:200000:1000 "$R" cat /proc/self/gid_map | tr -s ' ' | sed 's/^ //')"
expect_eq "several --uidmap lines" "0 200000 1|1 300000 10" \
	"$("$S" run --uidmap 0:200000:1 --uidmap 1:300000:10 "$R" cat /proc/self/uid_map | tr -s ' ' | sed 's/^ //' | paste -sd'|')"
expect_match "an interactive shell works in a user namespace" 'uid=0\(root\).*tty-ok' \
	"$("$BUILD/tests/ptydrive" -t 20 'expect:# ' 'send:id; tty >/dev/null && echo tty-""ok; exit\n' -- "$S" run --userns=private "$R" | tr -d '\r' | tr '\n' ' ')"

# --- bad input: one line, status 125, nothing left ---
expect_error "--userns with an unknown mode" 125 "invalid --userns 'both': use private or host" -- run --userns=both "$R" true
expect_error "--uidmap that is not a map" 125 "invalid --uidmap '0:100000': expected INSIDE:OUTSIDE:COUNT" -- run --uidmap 0:100000 "$R" true
expect_error "--uidmap with count 0" 125 "the count must be at least 1" -- run --uidmap 0:100000:0 "$R" true
expect_error "--uidmap past the last id" 125 "goes past" -- run --uidmap 0:4294967000:65536 "$R" true
expect_error "--uidmap that leaves root unmapped" 125 "nothing maps the container's root" -- run --uidmap 1:100000:10 "$R" true
expect_error "--uidmap with --userns=host" 125 "need a user namespace" -- run --uidmap 0:100000:10 --userns=host "$R" true
expect_error "overlapping --uidmap lines" 125 "the kernel refused the uid map" -- run --uidmap 0:100000:10 --uidmap 5:200000:10 "$R" true
expect_error "too many --uidmap lines" 125 "too many --uidmap" -- run --uidmap 0:1:1 --uidmap 1:2:1 --uidmap 2:3:1 --uidmap 3:4:1 --uidmap 4:5:1 --uidmap 5:6:1 "$R" true

# --- shikumi rootfs-chown: a rootfs given to the range needs no idmapped mount ---
cp -a "$R" "$T/shifted"
chmod u+s "$T/shifted/bin/busybox"
expect_true "rootfs-chown gives a rootfs to 100000" "$S" rootfs-chown "$T/shifted"
expect_eq "... every file moves" "100000:100000" "$(stat -c %u:%g "$T/shifted/bin/busybox")"
expect_eq "... no file is left to root" "" "$(find "$T/shifted" -uid 0 | head -3)"
expect_eq "... the setuid bit survives the chown" "4755" "$(stat -c %a "$T/shifted/bin/busybox")"
out=$("$S" run --userns=private "$T/shifted" sh -c 'stat -c %u /bin/busybox; grep -E "^[0-9]+ [0-9]+ [0-9:]+ [^ ]+ / " /proc/self/mountinfo')
expect_eq "files of the shifted rootfs appear owned by root inside" "0" "$(echo "$out" | sed -n 1p)"
expect_true "... through no idmapped mount" bash -c "! echo '$out' | sed -n 2p | grep -q idmapped"
expect_error "a rootfs given to another range" 125 "belongs to uid 100000, but the container's root is uid 200000 on the host: shikumi rootfs-chown" -- run --uidmap 0:200000:65536 "$T/shifted" true
expect_true "rootfs-chown ROOTFS 0 gives it back to root" "$S" rootfs-chown "$T/shifted" 0
expect_eq "... every file back" "0:0" "$(stat -c %u:%g "$T/shifted/bin/busybox")"
chown 70000 "$T/shifted/etc/passwd"
out=$("$S" rootfs-chown "$T/shifted" 2>&1)
rc=$?
expect_eq "rootfs-chown refuses a tree with a stray owner" "1" "$rc"
expect_match "... naming the file, and changes nothing" "etc/passwd' is owned by an id outside the range 0-65535.*nothing was changed" "$out"
expect_eq "... really nothing" "0" "$(stat -c %u "$T/shifted/bin/busybox")"
# --- rootfs-chown on a tree an attacker prepared: nothing outside the tree changes ---
mkdir -p "$T/host/dir" "$T/evil/sub"
echo secret >"$T/host/file"
chmod 640 "$T/host/file"
echo inner >"$T/host/dir/inner"
chmod 4755 "$T/host/dir/inner"
ln -s "$T/host/file" "$T/evil/to-file"
ln -s "$T/host/dir" "$T/evil/to-dir"
cp /bin/true "$T/evil/sub/suid"
chmod 6755 "$T/evil/sub/suid"
echo one >"$T/evil/sub/linked"
ln "$T/evil/sub/linked" "$T/evil/linked-too"
expect_true "rootfs-chown on a tree with symlinks out and a hard link" "$S" rootfs-chown "$T/evil"
expect_eq "... a hard-linked file is moved once, into the range" "100000:100000" "$(stat -c %u:%g "$T/evil/linked-too")"
expect_eq "... the symlinks themselves move" "100000:100000 100000:100000" "$(stat -c %u:%g "$T/evil/to-file" "$T/evil/to-dir" | paste -sd' ')"
expect_eq "... a host file a symlink points to keeps its owner and mode" "0:0 640" "$(stat -c '%u:%g %a' "$T/host/file")"
expect_eq "... a host directory a symlink points to keeps its contents' owner and mode" "0:0 4755" "$(stat -c '%u:%g %a' "$T/host/dir/inner")"
expect_eq "... setuid and setgid bits survive" "6755 100000:100000" "$(stat -c '%a %u:%g' "$T/evil/sub/suid")"
# A directory swapped for a symlink to a host directory while the walk runs (RENAME_EXCHANGE in
# a loop): a walk by path would chown and chmod the host's files through it.
# Each try is a fresh tree, so that a host file moved once stays moved.
for i in $(seq 1 400); do : >"$T/host/dir/f$i"; done
chmod 4755 "$T/host/dir"/f*
for try in 1 2 3 4 5 6; do
	mkdir -p "$T/race$try/big"
	(cd "$T/race$try/big" && touch $(seq -f 'f%g' 1 400) && chmod 4755 f*)
	ln -s "$T/host/dir" "$T/race$try/swap"
	perl -e 'require "syscall.ph"; my $end = time + 2;
		while (time < $end) { syscall(316, -100, $ARGV[0], -100, $ARGV[1], 2) }' "$T/race$try/big" "$T/race$try/swap" &
	swapper=$!
	sleep 0.3 # perl's start-up, so that the swaps run before the walk does
	"$S" rootfs-chown "$T/race$try" >/dev/null 2>&1
	kill $swapper 2>/dev/null
	wait $swapper 2>/dev/null
done
expect_eq "a directory swapped for a symlink mid-walk: the host directory's files keep owner and mode" "0:0 4755" \
	"$(stat -c '%u:%g %a' "$T/host/dir"/* | sort -u | paste -sd' ')"
expect_match "rootfs-chown of a symlink ROOTFS is refused" "ROOTFS '$T/evil/to-dir' is a symlink" "$("$S" rootfs-chown "$T/evil/to-dir" 2>&1)"
expect_eq "... in one line" "1" "$("$S" rootfs-chown "$T/none" 2>&1 | wc -l)"
expect_match "rootfs-chown with a bad base" "invalid BASE 'lots'" "$("$S" rootfs-chown "$T/shifted" lots 2>&1)"
expect_match "rootfs-chown of a missing rootfs" "ROOTFS '$T/none': No such file" "$("$S" rootfs-chown "$T/none" 2>&1)"

# --- rootless: an unprivileged user runs a container on a rootfs it owns ---
nobody() { setpriv --reuid 65534 --regid 65534 --clear-groups "$@"; }
cp -a "$R" "$T/mine"
chown -R 65534:65534 "$T/mine"
out=$(nobody "$S" run "$T/mine" sh -c 'id -u; cat /proc/self/uid_map; stat -c %u /bin/busybox; echo x >/etc/made && echo written; ls /proc | grep -c "^[0-9]"; hostname')
expect_eq "rootless: the user is root inside" "0" "$(echo "$out" | sed -n 1p)"
expect_eq "rootless: one mapping, the user's own uid" "0 65534 1" "$(echo "$out" | sed -n 2p | tr -s ' ' | sed 's/^ //')"
expect_eq "rootless: the user's files are root's inside" "0" "$(echo "$out" | sed -n 3p)"
expect_eq "rootless: root inside can write its rootfs" "written" "$(echo "$out" | sed -n 4p)"
expect_eq "rootless: ... in its overlay, not in ROOTFS" "absent" "$([ -e "$T/mine/etc/made" ] && echo present || echo absent)"
nobody "$S" run --persist "$T/mine" sh -c 'echo x >/etc/made'
expect_eq "rootless --persist: the file is in ROOTFS, the user's on the host" "65534" "$(stat -c %u "$T/mine/etc/made" 2>&1)"
expect_match "rootless: its own pid namespace" '^[1-4]$' "$(echo "$out" | sed -n 5p)"
expect_eq "rootless: its own hostname" "shikumi" "$(echo "$out" | sed -n 6p)"
expect_eq "rootless: the net namespace holds only lo" "lo" "$(nobody "$S" run "$T/mine" ls /sys/class/net)"
expect_eq "rootless: exit status passes through" "42" "$(nobody "$S" run "$T/mine" sh -c 'exit 42'; echo $?)"
setpriv --reuid 65534 --regid 65534 --clear-groups "$S" run "$T/mine" sleep 20 &
runtime=$!
cmd=$(pid_of_command $runtime)
expect_eq "rootless: seen from the host, root inside is the user" "65534" \
	"$(awk '/^Uid:/ {print $2}' "/proc/$cmd/status" 2>/dev/null)"
kill $runtime
wait $runtime
# The range /etc/subuid grants, written by newuidmap: a private /etc/subuid for this test only.
echo "nobody:200000:65536" >"$T/subuid"
echo "nobody:300000:65536" >"$T/subgid"
with_subids() {
	unshare -m sh -c 'mount --bind "$1" /etc/subuid && mount --bind "$2" /etc/subgid && shift 2 && exec setpriv --reuid 65534 --regid 65534 --clear-groups "$@"' - "$T/subuid" "$T/subgid" "$@"
}
expect_eq "rootless with /etc/subuid: the user is root, the range follows (newuidmap)" "0 65534 1|1 200000 65535" \
	"$(with_subids "$S" run "$T/mine" cat /proc/self/uid_map | tr -s ' ' | sed 's/^ //' | paste -sd'|')"
expect_eq "... and the gid range (newgidmap)" "0 65534 1|1 300000 65535" \
	"$(with_subids "$S" run "$T/mine" cat /proc/self/gid_map | tr -s ' ' | sed 's/^ //' | paste -sd'|')"
expect_eq "rootless --uidmap inside the granted range" "0 65534 1|1 250000 10" \
	"$(with_subids "$S" run --uidmap 0:65534:1 --uidmap 1:250000:10 --gidmap 0:65534:1 "$T/mine" cat /proc/self/uid_map | tr -s ' ' | sed 's/^ //' | paste -sd'|')"
nobody_error() { # NAME CODE REGEX COMMAND...: as expect_error, as the unprivileged user
	expect_failure "$1" "$2" shikumi "$3" -- "${@:4}"
}
nobody_error "rootless: a rootfs the user does not own" 125 "belongs to uid 0, not to uid 65534, who is root in a rootless container" nobody "$S" run "$R" true
nobody_error "rootless: cgroup limits without delegation" 125 "limits need a cgroup you may write to" nobody "$S" run --memory 32M "$T/mine" true
nobody_error "rootless: --userns=host" 125 "--userns=host needs root" nobody "$S" run --userns=host "$T/mine" true
nobody_error "rootless: a range /etc/subuid does not grant" 125 "newuidmap refused the map '0 65534 1 1 270000 65536'" with_subids "$S" run --uidmap 0:65534:1 --uidmap 1:270000:65536 "$T/mine" true
nobody_error "rootless: rootfs-chown needs root" 1 "needs root" nobody "$S" rootfs-chown "$T/mine"

expect_eq "nothing left behind by the user-namespace tests" "$base" "$(leftovers)"
