#!/bin/bash
# Benchmark (not a test): container start-to-exit of /bin/true with shikumi, crun, runc and bwrap
# on the same rootfs, beside the kernel's floor for the same namespaces (unshare + chroot: no
# runtime at all), timed by hyperfine in one run, and the median ratios.
# Usage: tests/bench/bench-run.sh BUILD [RUNS]
set -eu
BUILD=$(cd "${1:-build}" && pwd)
RUNS=${2:-200}
S="$BUILD/shikumi"
R="$BUILD/rootfs"
out="$BUILD/bench"
mkdir -p "$out"
for tool in hyperfine crun runc bwrap unshare; do
	command -v $tool >/dev/null || { echo "bench-run: $tool is missing (make bench-deps)" >&2; exit 1; }
done

# crun needs an OCI bundle: its own default spec, pointed at our rootfs, running /bin/true
# without a terminal, with the same namespaces as shikumi (crun's default lacks cgroup).
bundle="$out/crun-bundle"
rm -rf "$bundle"
mkdir -p "$bundle"
(cd "$bundle" && crun spec)
sed -i -e 's/"terminal": true/"terminal": false/' -e 's|"sh"$|"/bin/true"|' \
	-e "s|\"path\": \"rootfs\"|\"path\": \"$R\"|" \
	-e 's|"type": "mount"|"type": "mount"\n\t\t\t},\n\t\t\t{\n\t\t\t\t"type": "cgroup"|' \
	"$bundle/config.json"

# The floor: the same namespaces made by unshare(1), chroot instead of pivot_root, no cgroup,
# no mounts, no confinement. runc takes the crun bundle as it is.
floor_cmd="unshare --pid --mount --uts --ipc --net --cgroup --fork chroot $R /bin/true"
bwrap_cmd="bwrap --unshare-pid --unshare-net --unshare-uts --unshare-ipc --unshare-cgroup --bind $R / --proc /proc --dev /dev /bin/true"
csv="$out/run.csv"
# crun refuses a hybrid cgroup layout (v2 at /sys/fs/cgroup/unified beside v1): every
# contender runs in one private mount namespace where that mount is gone.
inner="
	if mountpoint -q /sys/fs/cgroup/unified; then umount /sys/fs/cgroup/unified; fi
	hyperfine -N --warmup 10 --runs $RUNS --export-csv '$csv' \
		-n shikumi '$S run $R /bin/true' \
		-n crun 'crun run -b $bundle shikumi-bench' \
		-n crun-nocgroup 'crun --cgroup-manager=disabled run -b $bundle shikumi-bench' \
		-n runc 'runc run -b $bundle shikumi-bench-runc' \
		-n bwrap '$bwrap_cmd' \
		-n floor '$floor_cmd'
"
unshare -m --propagation private sh -c "$inner"

echo
echo "median start-to-exit of /bin/true ($RUNS runs each, one hyperfine run):"
awk -F, 'NR > 1 { med[$1] = $4; order[n++] = $1 }
	END {
		for (i = 0; i < n; i++) printf "  %-14s %7.2f ms\n", order[i], med[order[i]] * 1000
		s = med["shikumi"]
		printf "ratio shikumi/crun          %.2f   (target <= 0.60)\n", s / med["crun"]
		printf "ratio shikumi/crun-nocgroup %.2f   (crun without creating cgroups)\n", s / med["crun-nocgroup"]
		printf "ratio shikumi/floor         %.2f   (target <= 1.20, unshare+chroot, same namespaces)\n", s / med["floor"]
		printf "ratio shikumi/bwrap         %.2f   (target <= 1.00, same namespaces)\n", s / med["bwrap"]
		printf "ratio shikumi/runc          %.2f\n", s / med["runc"]
	}' "$csv"
