#!/bin/bash
# Inside the test host: the lessons that need /dev/kvm or cgroup v2 controllers.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lessons.sh"
E="$(cd "$(dirname "$0")/../../examples" && pwd)"
for lesson in "$E"/[0-9]*.sh; do
	grep -q '^needs ' "$lesson" && run_lesson "$lesson"
done
