#!/bin/bash
# shikumi compare on this machine (no /dev/kvm): the containers, timed by hyperfine; the table,
# the JSON and the SVG say the same; bad input and Ctrl-C leave nothing behind. The VM side
# runs in the test host (testhost_compare.sh).
. "$(dirname "$0")/lib.sh"
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
export TMPDIR="$T/tmp" # compare's own temporary folder goes here, so a leftover shows
mkdir -p "$TMPDIR"

# Nothing compare makes may outlive it: its folder, an OCI container, a cgroup, a mount.
compare_leftovers() {
	echo "$(leftovers) tmp:$(ls "$TMPDIR" | tr '\n' ' ') crun:$(crun list -q 2>/dev/null | grep shikumi-compare) runc:$(runc list -q 2>/dev/null | grep shikumi-compare)"
}
compare_error() { # NAME REGEX ARGS...
	local before after
	before=$(compare_leftovers)
	expect_error "$1" 125 "$2" -- compare "${@:3}"
	after=$(compare_leftovers)
	[ "$before" = "$after" ] || fail "$1: nothing left behind" "before: $before, after: $after"
}

compare_error "--runs 0" "invalid --runs '0': expected a number from 1 to" --runs 0
compare_error "--runs abc" "invalid --runs 'abc'" --runs abc
compare_error "--runs without a value" "--runs needs a number" --runs
compare_error "an unknown option" "unknown option '--bogus' for compare" --bogus
compare_error "--only with an unknown contender" "--only: unknown contender 'docker'" --only run,docker
compare_error "a ROOTFS that is missing" "ROOTFS '$T/none': No such file" --rootfs "$T/none"
compare_error "a command the ROOTFS lacks" "ROOTFS lacks the command '/no/such'" -- /no/such
compare_error "'--' and nothing after it" "nothing after '--'" --
compare_error "--svg into a folder that does not exist" "cannot write '$T/none/c.svg'" --svg "$T/none/c.svg"
compare_error "a command that fails: shikumi run is not timed" \
	"shikumi run could not be timed: exit status 3" --runs 2 --only run --json "$T/fail.json" -- /bin/sh -c 'exit 3'
expect_true "... and the JSON asked for is not left half-written" test ! -e "$T/fail.json"
compare_error "--only the VM, where no KVM boots Linux" "nothing to compare" --only vm

# The real thing: every container contender, 5 runs each.
out=$("$S" compare --runs 5 --json "$T/c.json" --svg "$T/c.svg" 2>"$T/err")
rc=$?
expect_eq "shikumi compare --runs 5: status" 0 "$rc"
for name in "shikumi run" crun runc bwrap; do
	expect_match "the table has a row for $name" "^  $name +[0-9.]+ ms +[0-9.]+ ms +[0-9.]+ ms +[0-9.]+ ms +[0-9.]+ MiB +[0-9.]+ MiB$" "$out"
	expect_eq "... and the JSON says $name ran 5 times" 5 "$(jq -r ".contenders[] | select(.name == \"$name\") | .runs" "$T/c.json")"
	expect_eq "... with min <= median <= p90 <= max" true "$(jq -r ".contenders[] | select(.name == \"$name\") | .min_ms <= .median_ms and .median_ms <= .p90_ms and .p90_ms <= .max_ms and .min_ms > 0" "$T/c.json")"
	expect_eq "... and a peak RSS" true "$(jq -r ".contenders[] | select(.name == \"$name\") | .runtime_rss_kib > 100 and .largest_process_rss_kib > 100" "$T/c.json")"
done
# The table rounds the median to 2, 1 or 0 decimals; the JSON keeps it to the microsecond
# (rounded once more, so a value on a rounding edge may print either way): equal within that.
table_median=$(sed -n 's/^  shikumi run \+\([0-9.]\+\) ms.*/\1/p' <<<"$out")
json_median=$(jq -r '.contenders[0].median_ms' "$T/c.json")
expect_true "the table's median is the JSON's (${table_median:-none} ms, ${json_median} ms)" \
	awk -v t="${table_median:-x}" -v j="$json_median" 'BEGIN { u = j < 10 ? 0.005 : j < 100 ? 0.05 : 0.5
		d = t - j; exit !(t ~ /^[0-9.]+$/ && d <= u + 0.001 && -d <= u + 0.001) }'
expect_match "shikumi's own phases (--timing) are shown" "^  clone +[0-9.]+ ms" "$out"
expect_eq "... and in the JSON" true "$(jq '.contenders[0].phases_ms | has("clone") and has("pivot_root") and has("total")' "$T/c.json")"
expect_match "ratios against the peers" "shikumi run +/ crun +[0-9.]+" "$out"
# No /dev/kvm (most development machines), or PVM's (some cloud machines), which boots no
# stock kernel: either way the VM side is left out.
expect_match "without a KVM that boots Linux the VM side is left out, and said so" \
	"shikumi vm +not timed: (no /dev/kvm here|this machine's /dev/kvm is PVM)" "$out"
expect_match "... with how to run it in the test host" "tests/testhost/run --smp 1 -- build/shikumi compare" "$out"
expect_eq "... and the JSON says kvm: false" false "$(jq .kvm "$T/c.json")"
expect_match "a progress line per contender" "compare: \[4/4\] bwrap: median [0-9.]+ ms" "$(cat "$T/err")"
expect_true "the SVG is well-formed XML" xmllint --noout "$T/c.svg"
expect_eq "... with one bar per container timed" 4 "$(grep -o 'class="ct"' "$T/c.svg" | wc -l)"
expect_eq "nothing is left behind" "tmp: crun: runc:" "$(compare_leftovers | sed 's/.* tmp:/tmp:/')"

# A command of the user's, on the peers that take one.
out=$("$S" compare --runs 2 --only run,bwrap -- /bin/sh -c 'echo hi; exit 0' 2>&1)
expect_match "a command of one's own: shikumi compare -- /bin/sh -c ..." "^  bwrap +[0-9.]+ ms" "$out"
expect_match "... named in the title" "shikumi compare: \`/bin/sh -c 'echo hi; exit 0'\`" "$out"

# Ctrl-C: what is running is stopped, the folder and the containers go.
before=$(compare_leftovers)
"$S" compare --runs 10000 --only crun,run >"$T/int.out" 2>&1 &
pid=$!
sleep 2
kill -INT $pid
wait $pid
expect_eq "Ctrl-C stops compare: status 130" 130 "$?"
expect_match "... saying so" "shikumi: interrupted" "$(cat "$T/int.out")"
sleep 0.5
expect_eq "... and leaves nothing behind" "$before" "$(compare_leftovers)"
