#!/bin/bash
# Inside the test host: the lessons that boot VMs (KVM nested in the emulation). One vCPU, as
# for testhost_vmm.sh: with two, nested VM boots have soft-locked the test host.
# testhost: --smp 1
# testhost-parallel: 9 (minutes; one vCPU, nothing written outside its own /tmp: runs beside another file)
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lessons.sh"
E="$(cd "$(dirname "$0")/../../examples" && pwd)"
for lesson in "$E"/[0-9]*.sh; do
	if grep -q '^needs kvm' "$lesson"; then
		run_lesson "$lesson"
		run_lesson "$lesson" ja # and once in Japanese: its claims hold, its narration is translated
	fi
done
