#!/bin/bash
# Lesson 5 (chapter 6, devices): /dev inside holds only the safe devices; a node for the
# host's disk can be made but not opened; a VM's serial port is a device the VMM emulates,
# one exit to the VMM per byte written.
. "$(dirname "$0")/lib.sh"
needs kvm

title 'Lesson 5: devices (chapter 6)'
say 'A device is a file whose type and numbers (major:minor) name a driver in the kernel. Whoever can open /dev/sda can read the whole disk, so a container gets its own small /dev.'
show "$S" run "$R" ls /dev
claim '/dev inside has null, zero, random and urandom' test "$(grep -cxE 'null|zero|random|urandom' <<<"$OUT")" = 4
claim 'and no disk, no memory device, no kernel message device' bash -c '! grep -qE "^(sd|vd|nvme|mem$|kmsg$|port$)" <<<"$1"' _ "$OUT"

title 'mknod: a node can be made, the disk cannot be opened'
say 'Root in the container keeps CAP_MKNOD (as docker'\''s containers do), so it can make a node 8:0, the first SCSI disk, in the container'\''s own tmpfs /dev/shm. But every file system it can write is mounted nodev: the kernel refuses to open device nodes there.'
show "$S" run "$R" sh -c "'mknod /dev/shm/disk b 8 0 && ls -l /dev/shm/disk && head -c 512 /dev/shm/disk | wc -c'"
claim 'the node is made' grep -qE '^b.* 8, +0 .*/dev/shm/disk' <<<"$OUT"
claim 'opening it is refused (Permission denied: nodev)' grep -q 'Permission denied' <<<"$OUT"

title 'A VM'\''s serial port is the VMM'\''s code'
say 'In a VM, the guest'\''s '\''devices'\'' are the VMM'\''s code. The tiny guest prints its greeting by writing each byte to I/O port 0x3f8, the 8250 UART. Every OUT instruction stops the vCPU and returns to shikumi-vmm (a VM exit), which writes the byte to your terminal.'
show "$VMM" --tiny --timing
printed=$(grep -v -E '^(timing|exits|memory):' <<<"$OUT" | tr -d '\r' | wc -c)
exits=$(sed -n 's/^exits: serial \([0-9]*\),.*/\1/p' <<<"$OUT")
claim 'the guest printed $printed bytes; the VMM counted $exits serial port exits' test "${exits:-0}" -ge $((printed - 2))
claim 'one exit per byte, not one per line' test "${exits:-0}" -gt $(($(grep -vc -E '^(timing|exits|memory):' <<<"$OUT") * 4))
finish
