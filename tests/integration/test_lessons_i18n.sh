#!/bin/bash
# The lessons in Japanese (GNU gettext, examples/po/) and the presenter's mode (--step,
# --fast, NO_COLOR), on this machine. The lessons that need the test host run in Japanese in
# testhost_examples*.sh.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lessons.sh"
ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
E="$ROOT/examples"
PO="$E/po"
T=$(mktemp -d)
# The runs of step.sh below that go to their end leave its background sleep: ours, by PID.
trap 'kill "$(cat "$T/job" 2>/dev/null)" 2>/dev/null; rm -rf "$T"' EXIT

# --- the catalogs: complete, and made from the scripts as they are now ---
# The same xgettext command as the Makefile's lessons-pot, so the comparison is exact.
xg=$(make -s -C "$ROOT" --no-print-directory -f Makefile -f - print-xgettext <<<'print-xgettext: ; @echo $(LESSON_XGETTEXT) $(LESSON_SOURCES)')
(cd "$ROOT" && $xg -o "$T/fresh.pot")
msgids() { msgcat --no-wrap --sort-output "$1" | sed -n 's/^msgid //p'; }
diff <(msgids "$PO/shikumi-lessons.pot") <(msgids "$T/fresh.pot") >"$T/potdiff"
expect_eq "examples/po/shikumi-lessons.pot has every message the lessons print, and no other (make lessons-pot)" "" "$(cat "$T/potdiff")"
total=$(msgids "$T/fresh.pot" | grep -vcx '""')
for po in "$PO"/*.po; do
	lang=$(basename "$po" .po)
	stats=$(msgfmt --check --statistics -o /dev/null "$po" 2>&1)
	expect_eq "$lang.po compiles with msgfmt --check" 0 $?
	expect_eq "$lang.po: every message translated, none fuzzy ($stats)" "$total translated messages." "$stats"
	# A .po built for an older .pot can be complete and still miss a new message: compare msgids.
	expect_eq "$lang.po holds exactly the .pot's messages" "" "$(diff <(msgids "$po") <(msgids "$T/fresh.pot"))"
	expect_true "build/locale has $lang's catalog, compiled from the current $lang.po" \
		test "$BUILD/locale/$lang/LC_MESSAGES/shikumi-lessons.mo" -nt "$po"
done
# A message written in double quotes with a $name in it is expanded by the shell before
# gettext sees it: no catalog entry would ever match it, and the lesson would stay English.
dq=$(grep -nE '^\s*(title|say|claim|tx) "[^"]*\$[A-Za-z_{]|\$\(tx "[^"]*\$[A-Za-z_{]' "$E"/*.sh)
expect_eq "no message is double-quoted with a \$name in it (it would never be translated)" "" "$dq"

# --- choosing the language ---
cat >"$T/lesson.sh" <<EOT
. "$E/lib.sh"
title 'Lesson 1: processes in a container (chapter 2)'
say 'A zombie: a child its parent never waited for'
show 'echo "LANGUAGE=\${LANGUAGE:-unset} LC_ALL=\${LC_ALL:-unset}"'
claim 'the command is PID 2, and its parent is PID 1' true
finish
EOT
lesson() { env -u LANGUAGE -u LC_ALL -u LC_MESSAGES -u LANG "$@" bash "$T/lesson.sh" --fast </dev/null 2>&1; }
expect_match "English by default" "^== Lesson 1: processes in a container" "$(lesson)"
expect_match "LANG=ja_JP.UTF-8 (a locale this machine need not have) narrates in Japanese" \
	"^== レッスン1：コンテナの中のプロセス（第2章） ==" "$(lesson LANG=ja_JP.UTF-8)"
expect_match "LANGUAGE=ja does too" "ゾンビプロセス" "$(lesson LANG=C.UTF-8 LANGUAGE=ja)"
out=$(env -u LANGUAGE LANG=C bash "$T/lesson.sh" --fast --lang ja </dev/null 2>&1)
expect_match "--lang ja does, whatever LANG says" "確認1件のうち1件が成り立ちました。" "$out"
expect_match "the commands a Japanese lesson runs keep the caller's locale (their output is what claims read)" \
	"LANGUAGE=unset LC_ALL=unset" "$out"
expect_match "LANG=fr_FR.UTF-8 (no catalog) stays English" "^1 of 1 claims held\." "$(lesson LANG=fr_FR.UTF-8)"
expect_match "an unknown option is refused with a usage line" "usage: .* \[--lang LL\] \[--step\|--fast\]" \
	"$(bash "$T/lesson.sh" --bogus </dev/null 2>&1)"

# --- the lessons that run here, in Japanese: claims hold, narration translated ---
wide=""
for lesson in "$E"/[0-9]*.sh; do
	grep -qE '^needs (kvm|cgroup)' "$lesson" && continue # those run in the test host
	run_lesson "$lesson" ja
	# Narration lines (not commands, their indented output, or claims) fit 88 columns.
	w=$(grep -vE '^(\$|    |  [✔✘])' <<<"$LESSON_OUT" | LC_ALL=C.UTF-8 wc -L)
	[ "$w" -le 88 ] || wide+="$(basename "$lesson"): $w columns; "
done
expect_eq "Japanese narration is wrapped at 88 columns, counted as a terminal shows them" "" "$wide"

# --- the presenter's mode ---
P="$BUILD/tests/ptydrive"
PROMPT='Enter: run it, q: end the lesson'
# --step on a real lesson: Enter twice (two commands run), then q at the third. Lesson 4 has
# made a shared memory segment and a message queue on the host by then, which its EXIT trap
# removes: q must end it through that trap, with no container, mount or IPC object left.
before=$(leftovers)
ipc_before=$(ipcs -m -q | grep -c '^0x')
out=$("$P" -t 120 "expect:$PROMPT" 'send:\r' "expect:$PROMPT" 'send:\r' "expect:$PROMPT" send:q -- \
	bash "$E/04-ipc-and-fork.sh" --step --lang en)
rc=$?
expect_eq "--step, Enter, Enter, q: the lesson ends with status 0" 0 "$rc"
expect_match "... saying it ends as asked" "The lesson ends here, as asked" "$out"
expect_match "... after running the first two commands and checking their claims" \
	"✔.*the host has the segment.*✔.*inside a container, neither is there" "$(tr -d '\r\n' <<<"$out")"
expect_true "... and not the third (the two containers)" bash -c '! grep -qE "^ +first: [0-9]" <<<"$1"' _ "$out"
expect_eq "... leaving no container, mount or cgroup behind" "$before" "$(leftovers)"
expect_eq "... nor the segment and queue it had made on the host" "$ipc_before" "$(ipcs -m -q | grep -c '^0x')"

# q stops what the lesson started in the background (lessons 3 and 8 start a VM so), and the
# lesson's EXIT trap still runs.
cat >"$T/step.sh" <<EOT
. "$E/lib.sh"
trap 'echo cleaned >"$T/cleaned"' EXIT
sleep 37.5 >/dev/null 2>&1 </dev/null & # off the pty, which ptydrive reads until every holder is gone
echo \$! >"$T/job"
show 'echo first-output'
show 'echo second-output'
finish
EOT
out=$("$P" -t 30 "expect:$PROMPT" send:q -- bash "$T/step.sh" --lang en)
rc=$?
expect_eq "at a terminal, waiting is the default; q ends with status 0" 0 "$rc"
expect_true "... before the command ran" bash -c '! grep -q "^ *first-output" <<<"$1"' _ "$out"
expect_true "... its background job is stopped" test ! -e "/proc/$(cat "$T/job")"
expect_eq "... and its EXIT trap ran" cleaned "$(cat "$T/cleaned" 2>/dev/null)"
out=$("$P" -t 30 "expect:$PROMPT" 'send:\r' "expect:$PROMPT" 'send:\r' -- bash "$T/step.sh" --lang en)
expect_match "Enter runs each command in turn, to the end" "second-output" "$out"
kill "$(cat "$T/job")" 2>/dev/null
out=$("$P" -t 30 sleep:0 -- bash "$T/step.sh" --fast --lang en)
expect_true "--fast never waits, even at a terminal" bash -c '! grep -q "$2" <<<"$1" && grep -q "second-output" <<<"$1"' _ "$out" "$PROMPT"
expect_match "... and is coloured there" $'\e\\[' "$out"
kill "$(cat "$T/job")" 2>/dev/null
out=$(bash "$T/step.sh" --lang en </dev/null 2>&1)
expect_true "without a terminal on stdin it never waits" bash -c '! grep -q "$2" <<<"$1" && grep -q "second-output" <<<"$1"' _ "$out" "$PROMPT"
kill "$(cat "$T/job")" 2>/dev/null
out=$("$P" -t 30 sleep:0 -- env NO_COLOR=1 bash "$T/step.sh" --fast --lang en)
expect_true "NO_COLOR: no colour at a terminal either" bash -c '! grep -q $'"'"'\e'"'"' <<<"$1" && grep -q "second-output" <<<"$1"' _ "$out"
