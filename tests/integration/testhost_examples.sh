#!/bin/bash
# Inside the test host: the lessons that need cgroup v2 controllers but no VM (two vCPUs, so
# that --cpuset has a CPU to leave out). Those that boot VMs: testhost_examples_vm.sh.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lessons.sh"
E="$(cd "$(dirname "$0")/../../examples" && pwd)"
for lesson in "$E"/[0-9]*.sh; do
	if grep -q '^needs cgroup' "$lesson" && ! grep -q '^needs kvm' "$lesson"; then
		run_lesson "$lesson"
		run_lesson "$lesson" ja # and once in Japanese: its claims hold, its narration is translated
	fi
done
