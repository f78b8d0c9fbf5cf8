#!/bin/bash
# Inside the test host (pure cgroup v2): containerd 1.6 drives shikumi as its runc, through its
# own runc shim (containerd-shim-runc-v2, which calls the runtime as runc's command line:
# create with its pid file and log, start, state, kill, exec, delete). The image is an OCI image
# layout this file builds from build/rootfs (one layer, its config, manifest and index) and
# imports with `ctr image import`; containerd itself runs with its state under this /tmp.
# testhost: --smp 1
# testhost-parallel: 2 (minutes; one vCPU, nothing written outside its own /tmp: runs beside another file)
. "$(dirname "$0")/lib.sh"

command -v ctr >/dev/null && command -v containerd >/dev/null ||
	{ fail "containerd is installed (make deps installs it)" "no ctr or containerd"; exit 0; }
SH="$BUILD/shikumi"
base=$(leftovers)
T=$(mktemp -d /tmp/containerd.XXXXXX)

# mkimage ROOTFS OUT.tar NAME: an OCI image layout of ROOTFS, as a tar archive.
mkimage() {
	local d="$T/layout" h
	mkdir -p "$d/blobs/sha256"
	# blob FILE: moves FILE into the layout under its digest; prints "DIGEST SIZE".
	blob() {
		h=$(sha256sum "$1" | cut -d' ' -f1)
		echo "sha256:$h $(stat -c %s "$1")"
		mv "$1" "$d/blobs/sha256/$h"
	}
	tar --numeric-owner --sort=name -C "$1" -cf "$T/layer.tar" . || return
	read -r layer lsize <<<"$(blob "$T/layer.tar")"
	jq -n --arg l "$layer" '{architecture: "amd64", os: "linux",
		config: {Cmd: ["/bin/sh"], Env: ["PATH=/usr/sbin:/usr/bin:/sbin:/bin"]},
		rootfs: {type: "layers", diff_ids: [$l]}}' >"$T/config.json"
	read -r config csize <<<"$(blob "$T/config.json")"
	jq -n --arg c "$config" --argjson cs "$csize" --arg l "$layer" --argjson ls "$lsize" \
		'{schemaVersion: 2, mediaType: "application/vnd.oci.image.manifest.v1+json",
		config: {mediaType: "application/vnd.oci.image.config.v1+json", digest: $c, size: $cs},
		layers: [{mediaType: "application/vnd.oci.image.layer.v1.tar", digest: $l, size: $ls}]}' \
		>"$T/manifest.json"
	read -r manifest msize <<<"$(blob "$T/manifest.json")"
	jq -n --arg m "$manifest" --argjson ms "$msize" --arg n "$3" \
		'{schemaVersion: 2, manifests: [{mediaType: "application/vnd.oci.image.manifest.v1+json",
		digest: $m, size: $ms, platform: {architecture: "amd64", os: "linux"},
		annotations: {"io.containerd.image.name": $n}}]}' >"$d/index.json"
	echo '{"imageLayoutVersion": "1.0.0"}' >"$d/oci-layout"
	tar -C "$d" -cf "$2" oci-layout index.json blobs
}

cat >"$T/config.toml" <<EOF
version = 2
root = "$T/root"
state = "$T/state"
[grpc]
  address = "$T/sock"
EOF
containerd --config "$T/config.toml" >"$T/containerd.log" 2>&1 &
ctd=$!
C=(ctr --address "$T/sock")
for i in $(seq 100); do "${C[@]}" version >/dev/null 2>&1 && break; sleep 0.1; done
expect_true "containerd answers on its socket" "${C[@]}" version
IMG=docker.io/library/shikumi-test:latest
mkimage "$R" "$T/image.tar" "$IMG"
expect_match "ctr image import takes the OCI image made from build/rootfs" "^$IMG$" \
	"$("${C[@]}" image import "$T/image.tar" >/dev/null 2>&1; "${C[@]}" image ls -q 2>&1)"

# Every container below runs through the runc shim with shikumi as its runc. The shim gives
# shikumi a --root of its own (SR: /run/containerd/runc/NAMESPACE) and a JSON log, as it does runc.
RUN=("${C[@]}" run --runc-binary "$SH")
SR=/run/containerd/runc/default
out=$("${RUN[@]}" --rm "$IMG" c1 sh -c 'echo hello; ls /; exit 3' 2>&1)
rc=$?
expect_eq "ctr run: the command's output and exit status 3 come back" "hello|3" "$(echo "$out" | head -1)|$rc"
expect_match "ctr run: its root is the image's (containerd's snapshot of it)" "bin.*etc.*proc" "$(echo "$out" | tr '\n' ' ')"
out=$("${RUN[@]}" --rm --seccomp "$IMG" c2 sh -c 'echo $$; grep -E "^(NoNewPrivs|Seccomp|CapEff):" /proc/self/status' 2>&1)
expect_eq "ctr run --seccomp: PID 2 under shikumi's init, ctr's capabilities and seccomp profile" \
	"2|CapEff:	00000000a80425fb|NoNewPrivs:	1|Seccomp:	2|" "$(echo "$out" | tr '\n' '|')"
# ctr's spec has no cgroup namespace: shikumi binds the container's own group on /sys/fs/cgroup.
out=$("${RUN[@]}" --rm --memory-limit 33554432 "$IMG" c3 cat /sys/fs/cgroup/memory.max 2>&1)
expect_eq "ctr run --memory-limit: /sys/fs/cgroup inside is the container's group, with that memory.max" "33554432" "$out"
"${RUN[@]}" --rm --memory-limit 33554432 "$IMG" c3b sh -c 'x=$(head -c 67108864 /dev/zero | tr "\\0" x); echo survived' >"$T/hog" 2>&1
rc=$?
expect_eq "... and a 64 MiB hog in it is killed (137), never reaching its echo" "137 0" "$rc $(grep -c survived "$T/hog")"

# A detached task: ctr task ls, exec, kill, delete.
"${RUN[@]}" -d "$IMG" c4 sh -c 'trap "echo got TERM; exit 0" TERM; while :; do sleep 0.1; done' >/dev/null 2>&1
expect_eq "ctr run -d: ctr task ls says RUNNING" "RUNNING" "$("${C[@]}" task ls 2>&1 | awk '$1 == "c4" { print $3 }')"
expect_eq "shikumi state (in the shim's --root) says running" "running" \
	"$("$SH" --root "$SR" state c4 2>&1 | jq -r .status 2>&1)"
# ctr's cgroupsPath is /NAMESPACE/ID: the group is there, as runc puts it.
expect_eq "the task's group is ctr's cgroupsPath, /default/c4" "0::/default/c4 /sys/fs/cgroup/default/c4" \
	"$(cat "/proc/$("$SH" --root "$SR" state c4 | jq -r .pid)/cgroup") $(jq -r .cgroup "$SR/c4/state.json")"
out=$("${C[@]}" task exec --exec-id e1 c4 sh -c 'ps -o pid,comm; grep ^NoNewPrivs: /proc/self/status; exit 6' 2>&1)
rc=$?
expect_eq "ctr task exec: runs inside the container, as confined, its status back" "2 sh|NoNewPrivs:	1|6" \
	"$(echo "$out" | awk '$1 == 2 { print $1, $2 }')|$(echo "$out" | grep ^NoNewPrivs)|$rc"
"${C[@]}" task kill -s TERM c4 >/dev/null 2>&1
for i in $(seq 100); do [ "$("${C[@]}" task ls 2>&1 | awk '$1 == "c4" { print $3 }')" = STOPPED ] && break; sleep 0.1; done
expect_eq "ctr task kill -s TERM: the task stops" "STOPPED" "$("${C[@]}" task ls 2>&1 | awk '$1 == "c4" { print $3 }')"
"${C[@]}" task delete c4 >/dev/null 2>&1
"${C[@]}" container rm c4 >/dev/null 2>&1
expect_eq "ctr task delete + container rm: no task, no container, no shikumi state" "||" \
	"$("${C[@]}" task ls -q)|$("${C[@]}" container ls -q)|$(ls -A "$SR" 2>&1)"

# An error from shikumi reaches ctr's user through the shim's JSON log.
out=$("${RUN[@]}" --rm "$IMG" c5 /no/such/command 2>&1)
expect_match "ctr run of a missing command fails, naming it" "/no/such/command" "$out"
"${C[@]}" container rm c5 >/dev/null 2>&1

kill "$ctd"
wait "$ctd" 2>/dev/null
umount -R "$T/root" 2>/dev/null
expect_eq "nothing left behind (containers, groups, mounts)" "$base" "$(leftovers)"
expect_eq "... no group of any container under /sys/fs/cgroup/default (its parent stays, as with runc)" "" \
	"$(ls /sys/fs/cgroup/default 2>/dev/null | grep '^c[0-9]')"
rm -rf "$T"
