#!/bin/bash
# make install and make deb: the layout they give, and that what they install works from there
# and nowhere else: shikumi run on the installed rootfs, shikumi vm and shikumi-vmm --tiny finding
# the installed guest files, shikumi compare its rootfs, lesson 1 from the installed lessons; the
# man pages render without a warning and list exactly the options --help does; bash completes
# from the installed completion. Then the .deb is installed by dpkg into a fresh root (the host's
# root under an overlay, in a container of our own: dpkg checks its Depends against a real
# package database and writes only to the overlay), run there, and removed.
. "$(dirname "$0")/lib.sh"
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
T=$(mktemp -d /tmp/shikumi-install-XXXXXX)
trap 'rm -rf "$T"' EXIT
before=$(leftovers)

# ---- make install DESTDIR=… PREFIX=/usr/local
make -C "$ROOT" --no-print-directory install BUILD="$BUILD" DESTDIR="$T/dest" PREFIX=/usr/local >"$T/make.log" 2>&1
expect_eq "make install DESTDIR=… succeeds" 0 $?
I=$T/dest/usr/local
missing=""
for f in bin/shikumi bin/shikumi-vmm \
	lib/shikumi/guest/bzImage lib/shikumi/guest/bzImage-mini lib/shikumi/guest/vmlinux-mini \
	lib/shikumi/guest/tiny.bin lib/shikumi/initramfs.cpio.gz lib/shikumi/rootfs.ext4 \
	lib/shikumi/rootfs/bin/busybox lib/shikumi/examples/paging lib/shikumi/examples/shikumi-dynamic \
	lib/shikumi/examples/sysprobe lib/shikumi/examples/memhog \
	share/shikumi/examples/lib.sh share/shikumi/examples/run-all.sh \
	$(cd "$ROOT" && ls examples/[0-9]*.sh | sed 's|^|share/shikumi/|') \
	$(cd "$ROOT" && ls examples/po/*.po | sed -E 's|examples/po/(.*)\.po|share/locale/\1/LC_MESSAGES/shikumi-lessons.mo|') \
	share/man/man1/shikumi.1.gz share/man/man1/shikumi-vmm.1.gz \
	share/bash-completion/completions/shikumi share/bash-completion/completions/shikumi-vmm; do
	[ -e "$I/$f" ] || missing+=" $f"
done
expect_eq "make install puts the binaries in bin, guest kernels, initramfs, tiny guest and rootfs in lib/shikumi, lessons in share/shikumi, catalogs, man pages and completions in share" "" "$missing"
notexec=$(for f in "$I"/bin/* "$I"/lib/shikumi/examples/* "$I"/share/shikumi/examples/[0-9]*.sh; do [ -x "$f" ] || echo "$f"; done)
expect_eq "the programs and lessons are installed executable" "" "$notexec"
expect_eq "nothing of the build's own is installed (rootfs/.built, bin/guest)" "" \
	"$(ls -d "$I/lib/shikumi/rootfs/.built" "$I/bin/guest" 2>/dev/null)"
cmp -s "$BUILD/rootfs.ext4" "$I/lib/shikumi/rootfs.ext4"
expect_eq "the installed rootfs.ext4 is the built one" 0 $?

# ---- the installed programs find their files there (relative to bin/: DESTDIR needs no rebuild)
out=$("$I/bin/shikumi" run "$I/lib/shikumi/rootfs" sh -c 'echo installed-run; exit 3' 2>&1)
expect_eq "installed shikumi run on the installed rootfs: output and exit status" "installed-run 3" "$out $?"
# --no-jail: the plain exec, whose arguments name the files (jailed, the VMM gets them as fds;
# testhost_jail.sh tests that).
strace -f -s 400 -o "$T/vm.trace" -e trace=execve,openat "$I/bin/shikumi" vm --no-jail -- true </dev/null >/dev/null 2>&1
expect_match "installed shikumi vm runs the installed shikumi-vmm on the installed kernel and initramfs" \
	"execve\(\"$I/bin/shikumi-vmm\", \[[^]]*\"--kernel\", \"$I/lib/shikumi/guest/bzImage\", \"--initrd\", \"$I/lib/shikumi/initramfs.cpio.gz\"" \
	"$(grep execve "$T/vm.trace")"
expect_match "and shikumi-vmm opens both (before it looks at /dev/kvm)" \
	"openat\(AT_FDCWD, \"$I/lib/shikumi/guest/bzImage\", [A-Z_|]+\) = [0-9]+.*openat\(AT_FDCWD, \"$I/lib/shikumi/initramfs.cpio.gz\", [A-Z_|]+\) = [0-9]+" \
	"$(grep openat "$T/vm.trace" | tr '\n' ' ')"
strace -s 400 -o "$T/tiny.trace" -e trace=openat "$I/bin/shikumi-vmm" --tiny >/dev/null 2>&1
expect_match "installed shikumi-vmm --tiny opens the installed tiny.bin" \
	"openat\(AT_FDCWD, \"$I/lib/shikumi/guest/tiny.bin\", [A-Z_|]+\) = [0-9]+" "$(cat "$T/tiny.trace")"
strace -f -s 400 -o "$T/compare.trace" -e trace=access,faccessat,faccessat2 \
	"$I/bin/shikumi" compare --runs 2 --only run --json "$T/compare.json" >"$T/compare.out" 2>&1
expect_eq "installed shikumi compare times shikumi run on the installed rootfs by default" \
	"0 $I/lib/shikumi/rootfs" "$? $(jq -r '.contenders[0].command' "$T/compare.json" 2>/dev/null | awk '{print $4}')"
# Its VM side is skipped without KVM (testhost_install.sh boots the installed kernel), but it
# looks for its guest files all the same: the installed vmlinux-mini and initramfs, found.
expect_match "and looks for the installed vmlinux-mini and initramfs as its VM's default" \
	"\"$I/lib/shikumi/guest/vmlinux-mini\", R_OK\) = 0.*\"$I/lib/shikumi/initramfs.cpio.gz\", R_OK\) = 0" \
	"$(grep -E 'access' "$T/compare.trace" | tr '\n' ' ')"
"$T/dest/usr/local/bin/shikumi" vm --kernel "$T/none" -- true >/dev/null 2>"$T/vm.err"
expect_match "a kernel that is not there is still an error naming it" "$T/none" "$(cat "$T/vm.err")"

# ---- lesson 1 from the installed lessons (BUILD unset: the lessons find the installed layout)
out=$(env -u BUILD bash "$I/share/shikumi/examples/01-processes.sh" --fast 2>&1)
rc=$?
expect_match "installed lesson 1 runs and holds all its claims (status $rc)" "(^|$(printf '\n'))([0-9]+) of \2 claims held" "$out"
expect_match "and runs the installed shikumi on the installed rootfs" "\\$ $I/bin/shikumi run $I/lib/shikumi/rootfs " "$out"

# ---- man pages: no warning, and the options of --help, no more, no fewer
for page in shikumi shikumi-vmm; do
	warn=$(LC_ALL=C.UTF-8 MANWIDTH=80 man --warnings=w -l "$I/share/man/man1/$page.1.gz" 2>&1 >/dev/null)
	expect_eq "man -l $page.1 renders without a warning" "" "$warn"
done
# options TEXT: the long options it names, and the short ones an option table gives ("-e, --env").
options() { grep -oE -- '(^|[^-[:alnum:]])(--[a-z][-a-z]*|-[A-Za-z],)' | sed -E 's/^[^-]//; s/,$//' | sort -u; }
# section TITLE: one section of the rendered shikumi(1), up to the next heading.
MANWIDTH=100 man -l "$I/share/man/man1/shikumi.1.gz" 2>/dev/null | col -b >"$T/shikumi.txt"
section() { awk -v t="$1" '/^[A-Z]/ {on = ($0 == t); next} on' "$T/shikumi.txt"; }
for cmd in run vm compare spec rootfs-chown; do
	title=$(echo "SHIKUMI $cmd" | tr a-z A-Z)
	expect_eq "shikumi(1) section $title names the options of shikumi $cmd --help, no other" \
		"$("$I/bin/shikumi" $cmd --help | options | tr '\n' ' ')" "$(section "$title" | options | tr '\n' ' ')"
done
expect_eq "shikumi(1) names every option of shikumi --help (the runc command line's among them)" "" \
	"$(comm -23 <("$I/bin/shikumi" --help | options) <(options <"$T/shikumi.txt") | tr '\n' ' ')"
MANWIDTH=100 man -l "$I/share/man/man1/shikumi-vmm.1.gz" 2>/dev/null | col -b |
	awk '/^[A-Z]/ {on = ($0 == "OPTIONS" || $0 == "SYNOPSIS"); next} on' >"$T/vmm.txt"
expect_eq "shikumi-vmm(1) names the options of shikumi-vmm --help, no other" \
	"$("$I/bin/shikumi-vmm" --help | options | tr '\n' ' ')" "$(options <"$T/vmm.txt" | tr '\n' ' ')"

# ---- bash completion, from the installed file, asking the installed programs
complete_line() { # FILE FUNCTION WORDS...: what COMPREPLY holds for the last word
	PATH="$I/bin:$PATH" bash -c 'source "$1"; f=$2; shift 2; COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1)); $f; echo "${COMPREPLY[*]}"' _ "$@"
}
C=$I/share/bash-completion/completions
expect_eq "completion: shikumi r<TAB>" "rootfs-chown run" "$(complete_line "$C/shikumi" _shikumi shikumi r)"
expect_eq "completion: shikumi run --mem<TAB>" "--memory --memory-swap" "$(complete_line "$C/shikumi" _shikumi shikumi run --mem)"
expect_eq "completion: shikumi vm --ke<TAB>" "--kernel" "$(complete_line "$C/shikumi" _shikumi shikumi vm --ke)"
expect_eq "completion: shikumi-vmm --ti<TAB> (the shikumi-vmm file)" "--tiny --timing" "$(complete_line "$C/shikumi-vmm" _shikumi_vmm shikumi-vmm --ti)"
expect_eq "completion: after -- comes the command, left to the default" "" "$(complete_line "$C/shikumi" _shikumi shikumi vm -- sh --ver)"

# ---- make deb, and dpkg -i into a fresh root in a container of our own
make -C "$ROOT" --no-print-directory deb BUILD="$BUILD" DEB_COMPRESS=gzip >"$T/deb.log" 2>&1
expect_eq "make deb succeeds" 0 $?
deb=$(tail -1 "$T/deb.log")
expect_match "make deb names a .deb in the build folder" "^$BUILD/shikumi_[0-9][^_]*_amd64\.deb$" "$deb"
expect_eq "its control fields: Package, Architecture" "shikumi amd64" "$(dpkg-deb -f "$deb" Package Architecture | awk '{print $2}' | tr '\n' ' ' | sed 's/ $//')"
expect_match "its Version comes from git" "^0\.1\+git$(git -C "$ROOT" rev-list --count HEAD)\.g$(git -C "$ROOT" rev-parse --short HEAD)" "$(dpkg-deb -f "$deb" Version)"
expect_match "its Depends names the lessons' tools and the dynamic shikumi's libraries" \
	"gettext-base.*procps.*jq.*libc6 \(>= [0-9.]+\).*libseccomp2" "$(dpkg-deb -f "$deb" Depends)"
expect_eq "it holds what make install PREFIX=/usr does, file for file" \
	"$(cd "$T/dest" && find . ! -type d | sed 's|^\./usr/local/|./usr/|' | sort)" \
	"$(dpkg-deb -c "$deb" | awk '$1 !~ /^d/ {print $6}' | sort)"

mkdir -p "$T/root" "$T/ovl" "$T/pkg"
cp "$deb" "$T/pkg/shikumi.deb"
# What runs in that root: install, use, remove; one line per result.
cat >"$T/pkg/inside.sh" <<'INSIDE'
dpkg -s shikumi >/dev/null 2>&1 && echo "before=installed" || echo "before=absent"
dpkg -i /pkg/shikumi.deb >/tmp/dpkg.out 2>&1 || cat /tmp/dpkg.out
echo "status=$(dpkg-query -W -f='${Status}' shikumi)"
echo "run=$(shikumi run /usr/lib/shikumi/rootfs sh -c 'echo ok; exit 4' 2>/dev/null) $?"
/usr/share/shikumi/examples/01-processes.sh --fast --lang ja 2>/dev/null | grep -E '✘|確認'
strace -f -s 400 -o /tmp/vm.trace -e trace=execve shikumi vm --no-jail -- true </dev/null >/dev/null 2>&1
echo "vm=$(grep -c 'execve("/usr/bin/shikumi-vmm", .*"--kernel", "/usr/lib/shikumi/guest/bzImage"' /tmp/vm.trace)"
echo "man=$(man -w shikumi shikumi-vmm | tr '\n' ' ')"
dpkg -r shikumi >/dev/null 2>&1
echo "left=$(ls -d /usr/bin/shikumi* /usr/lib/shikumi /usr/share/shikumi 2>/dev/null)"
INSIDE
# The host's root under an overlay whose writes go to a tmpfs, in a mount namespace of its own
# (it goes when the test ends, however it ends), as the root of a container: shikumi is not
# installed there, dpkg checks the Depends against the host's real package database. The
# container writes to that overlay (--persist): the one the installed shikumi makes inside is
# then the second overlay in the stack, the most the kernel allows. --privileged: dpkg and the
# inner shikumi need root's capabilities and every system call.
unshare -m --propagation private bash -c '
	mount -t tmpfs shikumi-install "$1/ovl" && mkdir "$1/ovl/upper" "$1/ovl/work" &&
	mount -t overlay shikumi-install -o lowerdir=/,upperdir="$1/ovl/upper",workdir="$1/ovl/work" "$1/root" &&
	"$2" run --persist --privileged -T -v "$1/pkg:/pkg:ro" "$1/root" bash /pkg/inside.sh' \
	_ "$T" "$S" >"$T/root.out" 2>"$T/root.err"
out=$(cat "$T/root.out")
expect_eq "the fresh root has no shikumi before" "before=absent" "$(grep ^before= <<<"$out")"
expect_match "dpkg -i installs the .deb into a fresh root, its Depends met" "^status=install ok installed$" "$(grep ^status= <<<"$out")"
expect_eq "there, shikumi run on /usr/lib/shikumi/rootfs: output and exit status" "run=ok 4" "$(grep ^run= <<<"$out")"
expect_match "there, lesson 1 runs in Japanese from /usr/share/shikumi and holds all its claims" \
	"^確認([0-9]+)件のうち\1件が成り立ちました" "$(grep -E '✘|確認' <<<"$out" | tr '\n' ' ')"
expect_eq "there, shikumi vm runs shikumi-vmm on /usr/lib/shikumi/guest/bzImage" "vm=1" "$(grep ^vm= <<<"$out")"
expect_eq "there, man finds both pages" "man=/usr/share/man/man1/shikumi.1.gz /usr/share/man/man1/shikumi-vmm.1.gz " "$(grep ^man= <<<"$out")"
expect_eq "dpkg -r removes every file it installed" "left=" "$(grep ^left= <<<"$out")"
expect_eq "the host itself is untouched: no shikumi package, no /usr/lib/shikumi" "" \
	"$(dpkg -s shikumi 2>/dev/null | head -1; ls -d /usr/lib/shikumi 2>/dev/null)"
[ -z "$(grep -v 'running without a cgroup' "$T/root.err")" ] || cat "$T/root.err"
expect_eq "nothing left behind" "$before" "$(leftovers)"
