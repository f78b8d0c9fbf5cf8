# run_lesson FILE [LL]: runs one lesson (in language LL, English by default), never waiting
# for a presenter (--fast); it passes when it exits 0 with every claim held. In a language
# other than English it must also say so in that language: the summary line is the
# catalog's, and every claim and title holds Japanese text (an untranslated one fails).
# The lesson's output is left in LESSON_OUT.
run_lesson() {
	local out rc name held lang=${2:-en} stray=""
	name=$(basename "$1")
	# 600 s: lesson 8 boots several VMs under emulation (about 4 min on a loaded machine)
	out=$(timeout -s KILL 600 bash "$1" --fast --lang "$lang" 2>&1 </dev/null)
	rc=$?
	LESSON_OUT=$out # for the caller's own checks
	case $lang in
	ja)
		held=$(grep -oE '^確認[0-9]+件のうち[0-9]+件が成り立ちました。' <<<"$out")
		# A claim line whose text has no kana or kanji was printed in English.
		stray=$(grep -E '^  (✔|✘)' <<<"$out" | LC_ALL=C.UTF-8 grep -vP '[\p{Han}\p{Hiragana}\p{Katakana}]')
		;;
	*) held=$(grep -oE '^[0-9]+ of [0-9]+ claims held' <<<"$out") ;;
	esac
	# In any language: a message gettext or envsubst could not take (once, one that began
	# with "--"), printed as an empty title or claim.
	stray+=$(grep -E '^(gettext|envsubst): |^== +==$|^  (✔|✘) *$' <<<"$out")
	# A title with no kana or kanji, unless it is only a file's name (memory.max): in English.
	[ "$lang" = ja ] && stray+=$(grep -E '^== .* ==$' <<<"$out" | grep -vE '^== [a-z.]+ ==$' |
		LC_ALL=C.UTF-8 grep -vP '[\p{Han}\p{Hiragana}\p{Katakana}]')
	if [ "$rc" = 0 ] && [ -n "$held" ] && [ -z "$stray" ]; then
		pass "lesson $name${2:+ ($lang)}: $held"
	else
		fail "lesson $name${2:+ ($lang)}" "status $rc; $(grep -E '✘|claims did not|成り立ちませんでした|lesson:' <<<"$out" | tr '\n' ' ')${stray:+ untranslated or lost: $stray}"
		printf '%s\n' "$out" | sed 's/^/    /' | tail -40
	fi
}
