#!/bin/bash
# Benchmark (not a test): the OCI lifecycle as youki's benchmark times it, create + start +
# delete of /bin/true from one bundle, with shikumi, crun and runc, timed by hyperfine in one
# run, and the median ratios (issue 17's target: shikumi at most 0.5x crun).
# Usage: tests/bench/bench-oci.sh BUILD [RUNS]
set -eu
BUILD=$(cd "${1:-build}" && pwd)
RUNS=${2:-100}
S="$BUILD/shikumi"
R="$BUILD/rootfs"
out="$BUILD/bench"
mkdir -p "$out"
for tool in hyperfine crun runc jq; do
	command -v $tool >/dev/null || { echo "bench-oci: $tool is missing (make bench-deps)" >&2; exit 1; }
done
# One bundle for all three: shikumi's spec (its default namespaces), /bin/true, no terminal.
bundle="$out/oci-bundle"
rm -rf "$bundle"
mkdir -p "$bundle"
(cd "$bundle" && "$S" spec --rootfs "$R")
jq '.process.args = ["/bin/true"] | .process.terminal = false' "$bundle/config.json" >"$bundle/c" &&
	mv "$bundle/c" "$bundle/config.json"
# The state outside BUILD: the runtimes keep a FIFO there, which the test host's 9p share of
# the work tree cannot hold.
state=$(mktemp -d /run/shikumi-bench-oci.XXXXXX)
trap 'rm -rf "$state"' EXIT
life() { # RUNTIME: create, start, delete --force (the command may not have ended yet)
	echo "$1 --root $state/$2 create --bundle $bundle b >/dev/null 2>&1 && $1 --root $state/$2 start b && $1 --root $state/$2 delete --force b"
}
csv="$out/oci.csv"
# crun refuses a hybrid cgroup layout (v2 at /sys/fs/cgroup/unified beside v1): every
# contender runs in one private mount namespace where that mount is gone (then none of them
# makes a cgroup v2 group; in the test host, where v2 is the whole hierarchy, all of them do).
inner="
	if mountpoint -q /sys/fs/cgroup/unified; then umount /sys/fs/cgroup/unified; fi
	hyperfine --warmup 5 --runs $RUNS --export-csv '$csv' \
		-n shikumi '$(life "$S" shikumi)' \
		-n crun '$(life crun crun)' \
		-n runc '$(life runc runc)'
"
unshare -m --propagation private sh -c "$inner"
echo
echo "median create + start + delete of /bin/true ($RUNS runs each, one hyperfine run):"
awk -F, 'NR > 1 { med[$1] = $4; order[n++] = $1 }
	END {
		for (i = 0; i < n; i++) printf "  %-8s %7.2f ms\n", order[i], med[order[i]] * 1000
		printf "ratio shikumi/crun %.2f   (target <= 0.50)\n", med["shikumi"] / med["crun"]
		printf "ratio shikumi/runc %.2f\n", med["shikumi"] / med["runc"]
	}' "$csv"
