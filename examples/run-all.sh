#!/bin/bash
# Runs every lesson this machine can show, one after the other, then prints a table: the
# lesson, its chapter of the book, how many of its claims held, and, for each lesson this
# machine cannot show (no cgroup v2 controllers, no KVM: it exits 2), the command that runs it
# in the test host. The options (--lang, --step, --fast) are passed to every lesson.
# Status 0 when every lesson that ran held all its claims, 1 otherwise.
. "$(dirname "$0")/lib.sh"
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
rows=()
bad=0
for lesson in "$EXAMPLES"/[0-9]*.sh; do
	name=$(basename "$lesson")
	# The chapter, from the lesson's first comment: "# Lesson 6 (chapter 7, file systems)".
	ch=$(sed -n 's/^# Lesson [0-9]* (chapters\{0,1\} \([0-9-]*\).*/\1/p' "$lesson" | head -1)
	# stdout to the presenter as it comes; both kept to count the claims and read a skip's advice.
	bash "$lesson" "$@" 2>"$T/err" | tee "$T/out"
	rc=${PIPESTATUS[0]}
	cat "$T/err" >&2
	held=$(grep -c '^  [^ ]*✔' "$T/out") all=$(grep -cE '^  [^ ]*(✔|✘)' "$T/out")
	if [ "$rc" = 2 ]; then
		where=$(sed -n 's/^  \(tests\/testhost\/run .*\)/\1/p' "$T/err" | head -1)
		rows+=("$name|$(tx 'chapter $ch')|-|$(tx 'test host'): $where")
	else
		rows+=("$name|$(tx 'chapter $ch')|$held/$all|$(tx 'here')")
		[ "$rc" = 0 ] || bad=$((bad + 1))
	fi
done
title 'Every lesson'
{
	echo "$(tx 'lesson')|$(tx 'chapter')|$(tx 'claims held')|$(tx 'where')"
	printf '%s\n' "${rows[@]}"
} | LC_ALL=C.UTF-8 column -t -s '|' # counts a Japanese character as two columns
[ "$bad" = 0 ]
