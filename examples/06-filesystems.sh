#!/bin/bash
# Lesson 6 (chapter 7, file systems): the mount namespace. A tmpfs mounted inside is invisible
# outside; the root is a copy-on-write overlay, so a file changed inside is copied up and the
# shared rootfs stays as it was; --read-only makes the root unwritable; /proc inside shows
# only the container.
. "$(dirname "$0")/lib.sh"

title 'Lesson 6: file systems and the mount namespace (chapter 7)'
say 'Every container gets its own copy of the mount table (a mount namespace). What it mounts exists only there. A default container may not mount at all (no CAP_SYS_ADMIN, and the seccomp filter refuses mount), so this one is given SYS_ADMIN to show the point.'
show "$S" run --cap-add SYS_ADMIN "$R" sh -c "'mount -t tmpfs lesson6 /mnt && echo secret >/mnt/file && grep lesson6 /proc/mounts && ls /mnt'"
claim 'inside, the tmpfs is mounted on /mnt and holds the file' grep -q '^lesson6 /mnt tmpfs' <<<"$OUT"
show "grep -c lesson6 /proc/mounts; ls $R/mnt/file"
claim 'outside, the host'\''s mount table has no such mount' grep -qx 0 <<<"$(head -1 <<<"$OUT")"
claim 'and the rootfs'\''s /mnt has no such file: it lived in the container'\''s tmpfs' test ! -e "$R/mnt/file"
say 'The tmpfs went away with the container'\''s mount namespace, with no umount needed.'

title 'Without SYS_ADMIN, mount is refused'
show "$S" run "$R" sh -c "'mount -t tmpfs x /mnt; echo status=\$?'"
claim 'a default container cannot mount' grep -q 'status=[1-9]' <<<"$OUT"

title 'Copy-on-write: the container writes to a layer of its own'
say 'The book'\''s chapter 7 names copy-on-write file systems. Every container'\''s root here is one: an overlay whose lower layer is the shared rootfs (read, never written) and whose upper layer is a tmpfs of the container'\''s own. Changing a file copies it up into the upper layer first; the next container, and the rootfs on disk, never see the change.'
before=$(md5sum <"$R/etc/hostname")
show "$S" run "$R" sh -c "'grep \" / \" /proc/mounts; echo changed-inside >/etc/hostname; cat /etc/hostname; touch /newfile && echo created'"
claim 'the root inside is an overlay' grep -q '^[^ ]* / overlay ' <<<"$OUT"
claim 'inside, the changed file reads back changed, and a new file appears' grep -q '^changed-inside$' <<<"$OUT"
show "cat $R/etc/hostname; ls $R/newfile"
claim 'on the host the rootfs'\''s file is untouched' test "$(md5sum <"$R/etc/hostname")" = "$before"
claim 'and the new file exists only in the container'\''s (now gone) upper layer' test ! -e "$R/newfile"
show "$S" run "$R" cat /etc/hostname
claim 'the next container sees the original file' grep -vq 'changed-inside' <<<"$OUT"
say 'With --persist the container writes the rootfs itself, on purpose (as a VM'\''s disk would keep its files); --timing shows the overlay'\''s cost on its own line.'

title '--read-only: the root file system cannot be written'
say 'The runtime can remount the container'\''s root read-only; the kernel then refuses every write with EROFS, whatever the permissions say.'
show "$S" run --read-only "$R" sh -c "'touch /newfile; echo status=\$?'"
claim 'touch fails with '\''Read-only file system'\''' grep -q 'Read-only file system' <<<"$OUT"
claim 'and nothing appeared in the rootfs' test ! -e "$R/newfile"
show "$S" run "$R" sh -c "'touch /tmp/ok && echo writable && rm /tmp/ok'"
claim 'without --read-only the same write works' grep -q '^writable$' <<<"$OUT"

title '/proc inside shows the container'\''s processes only'
say '/proc is a view of a PID namespace: mounted inside the container it lists the container'\''s processes, numbered from 1, not the host'\''s.'
hostn=$(ls /proc | grep -c '^[0-9]')
show "$S" run "$R" sh -c "'cd /proc && echo [0-9]*'"
claim 'the host has $hostn processes; /proc inside lists 2 (init and the shell)' grep -qx '1 2' <<<"$OUT"
finish
