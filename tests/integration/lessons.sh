# run_lesson FILE: runs one lesson; it passes when it exits 0 with every claim held.
run_lesson() {
	local out rc name
	name=$(basename "$1")
	out=$(timeout -s KILL 300 bash "$1" 2>&1)
	rc=$?
	if [ "$rc" = 0 ] && grep -qE '^[0-9]+ of [0-9]+ claims held\.' <<<"$out"; then
		pass "lesson $name: $(grep -oE '[0-9]+ of [0-9]+ claims held' <<<"$out")"
	else
		fail "lesson $name" "status $rc; $(grep -E '✘|claims did not|lesson:' <<<"$out" | tr '\n' ' ')"
		printf '%s\n' "$out" | sed 's/^/    /' | tail -40
	fi
}
