#!/bin/bash
# Lesson 1 (chapter 2, processes): in a container the command is the child of PID 1; an
# orphan is adopted and reaped by that PID 1; exit statuses come back as $?; a zombie is a
# child its parent never waited for.
. "$(dirname "$0")/lib.sh"

title 'Lesson 1: processes in a container (chapter 2)'
say 'A container starts with a new PID namespace: the first process in it is PID 1, and it sees only the processes made after it. shikumi'\''s PID 1 is a tiny init (runtime/init.c) that starts your command as its child.'
show "$S" run "$R" sh -c "'echo \"my PID: \$\$, my parent: \$PPID\"; ps -o pid,ppid,comm'"
claim 'the command is PID 2, and its parent is PID 1' grep -q 'my PID: 2, my parent: 1' <<<"$OUT"
claim 'only the container'\''s own processes are listed (init, sh, ps)' test "$(grep -cE '^ +[0-9]+ ' <<<"$OUT")" -le 3

title 'An orphan is adopted by PID 1, which reaps it'
say 'When a parent exits before its child, the kernel gives the child to the namespace'\''s PID 1. Here a shell starts '\''sleep 1'\'' in the background and exits at once; a moment later the sleep'\''s parent is 1. When the sleep ends, init waits for it, so no zombie stays.'
show "$S" run "$R" sh -c "'sh -c \"sleep 1 & echo orphan=\\\$!\"; sleep 0.3; ps -o pid,ppid,stat,comm; sleep 1.2; echo after:; ps -o pid,ppid,stat,comm'"
orphan=$(sed -n 's/^orphan=//p' <<<"$OUT")
claim 'the orphaned sleep (PID $orphan) now has parent 1' grep -qE "^ +$orphan +1 .*sleep" <<<"$OUT"
claim 'after it ends, no zombie (state Z) is left' bash -c '! sed -n "/^after:/,\$p" <<<"$1" | grep -q " Z "' _ "$OUT"

title 'Exit status: the command'\''s, as $?'
say 'A process ends with a number from 0 to 255. The runtime passes the command'\''s status on, so the shell outside sees it as $?; a command killed by signal N gives 128+N.'
show "$S" run "$R" sh -c "'exit 7'" "; echo \"\\\$? = \$?\""
claim 'exit 7 inside is $? = 7 outside' grep -q '^\$? = 7$' <<<"$OUT"
show "$S" run "$R" sh -c "'kill -TERM \$\$'" "; echo \"\\\$? = \$?\""
claim 'killed by SIGTERM (15) is 128+15 = 143' grep -q '^\$? = 143$' <<<"$OUT"

title 'A zombie: a child its parent never waited for'
say 'A process that has ended keeps its entry (state Z, '\''zombie'\'') until its parent collects its status with wait(). Here the parent starts a short sleep, then replaces itself (exec) with a long sleep that never calls wait(): the short sleep ends and stays a zombie. After the wait, a short pause gives PID 1 its turn to run.'
show "$S" run "$R" sh -c "'sh -c \"sleep 0.1 & exec sleep 1.5\" & sleep 0.8; ps -o pid,ppid,stat,comm; wait; sleep 0.3; echo after:; ps -o pid,ppid,stat,comm'"
claim 'the forgotten child is a zombie (state Z)' grep -qE '^ +[0-9]+ +[0-9]+ +Z' <<<"$OUT"
claim 'once its parent has ended too, init has reaped it' bash -c '! sed -n "/^after:/,\$p" <<<"$1" | grep -qE "^ +[0-9]+ +[0-9]+ +Z"' _ "$OUT"
say 'When the parent itself ended, PID 1 adopted the zombie and reaped it: nothing is left. In a container whose PID 1 never calls wait(), adopted zombies would pile up for as long as it lives.'
finish
