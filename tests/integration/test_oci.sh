#!/bin/bash
# Integration tests of the OCI front end on this machine: `shikumi spec` writes a bundle's
# config.json, `shikumi run --bundle` runs it (real containers, as root), and every config
# that shikumi cannot honour is refused with one line naming the JSON path, exit 125, nothing
# created. runc reads the same spec as a reference where it is installed.
. "$(dirname "$0")/lib.sh"

if [ "$(id -u)" != 0 ]; then
	fail "run as root" "the integration tests create namespaces and mounts: run make check as root"
	exit 0
fi
base=$(leftovers)
B=$(mktemp -d /tmp/shikumi-oci.XXXXXX)
trap 'rm -rf "$B"' EXIT
ln -s "$R" "$B/rootfs" # a symlinked root, as bundles often have

# --- shikumi spec ---
(cd "$B" && "$S" spec)
expect_eq "spec writes a config.json that jq reads" "1.0.2 rootfs /bin/sh" \
	"$(jq -r '[.ociVersion, .root.path, .process.args[0]] | join(" ")' "$B/config.json")"
out=$(cd "$B" && "$S" spec 2>&1)
expect_eq "spec refuses to overwrite (exit 1, one line)" "1 shikumi: config.json exists: remove it first" \
	"$? $out"
d=$(mktemp -d -p "$B")
(cd "$d" && "$S" spec --rootless --rootfs /r)
expect_eq "spec --rootless maps root to the caller, --rootfs sets root.path" "user 0 $(id -u) 1 /r" \
	"$(jq -r '[(.linux.namespaces[] | select(.type == "user") | .type), .linux.uidMappings[0].containerID, .linux.uidMappings[0].hostID, .linux.uidMappings[0].size, .root.path] | map(tostring) | join(" ")' "$d/config.json")"

# --- the default config runs as shikumi run does ---
cfg() { jq "$1" "$B/config.json" >"$B/c.json" && mv "$B/c.json" "$B/config.json"; }
cfg '.process.args = ["/bin/sh", "-c", "hostname; echo $HOME; cat /proc/self/status | grep -E \"^(CapEff|NoNewPrivs)\" | tr -s \"\\t\" \" \"; ls /sys/class/net"]'
want=$("$S" run "$R" sh -c 'hostname; echo $HOME; cat /proc/self/status | grep -E "^(CapEff|NoNewPrivs)" | tr -s "\t" " "; ls /sys/class/net' </dev/null)
got=$("$S" run --bundle "$B" c1 </dev/null)
expect_eq "a spec'd bundle runs as shikumi run's defaults (hostname, env, caps, no_new_privs, lo)" "$want" "$got"
cfg '.process.args = ["/bin/sh", "-c", "exit 7"]'
"$S" run --bundle "$B" </dev/null
expect_eq "the exit status is the command's" 7 $?
cfg '.process.args = ["/bin/sh", "-c", "kill -TERM $$"]'
"$S" run --bundle "$B" </dev/null
expect_eq "a signal death is 128+N" 143 $?
cfg '.process.args = ["/no/such"]'
out=$("$S" run --bundle "$B" 2>&1 </dev/null)
expect_eq "a missing command is 127" "127" "$?"

# --- what the config sets reaches the container ---
mkdir -p "$B/vol" && echo from-host >"$B/vol/f"
cfg '.hostname = "ocibox" | .process.cwd = "/tmp" | .process.env = ["A=1", "PATH=/bin:/usr/bin"]
	| .process.user.umask = 18 | .process.user.additionalGids = [10, 20]
	| .process.rlimits = [{"type": "RLIMIT_NOFILE", "soft": 321, "hard": 654}]
	| .process.capabilities = {"bounding": ["CAP_KILL"], "effective": ["CAP_KILL"], "permitted": ["CAP_KILL"]}
	| .linux.sysctl = {"net.ipv4.ping_group_range": "7 7"}
	| .mounts += [{"destination": "/data", "type": "bind", "source": "vol", "options": ["rbind", "ro", "noexec"]}]
	| .process.args = ["/bin/sh", "-c", "hostname; pwd; echo $A; umask; id -G; ulimit -n; ulimit -Hn; grep CapEff /proc/self/status | tr -s \"\\t\" \" \"; cat /data/f; touch /data/g 2>/dev/null || echo ro; grep \" /data \" /proc/mounts | grep -o noexec; cat /proc/sys/net/ipv4/ping_group_range | tr -s \"\\t\" \" \""]'
host_range=$(cat /proc/sys/net/ipv4/ping_group_range)
got=$("$S" run --bundle "$B" </dev/null 2>&1 | tr '\n' ' ')
expect_eq "hostname, cwd, env, umask, groups, rlimits, capabilities and a ro,noexec bind mount from the bundle" \
	"ocibox /tmp 1 0022 0 10 20 321 654 CapEff: 0000000000000020 from-host ro noexec 7 7 " "$got"
expect_eq "the container's sysctl left the host's alone" "$host_range" "$(cat /proc/sys/net/ipv4/ping_group_range)"
cfg '.root.readonly = true | .process.args = ["/bin/sh", "-c", "touch /x 2>/dev/null && echo rw || echo ro"] | .mounts = [.mounts[] | select(.destination != "/data")]'
expect_eq "root.readonly makes the root read-only" "ro" "$("$S" run --bundle "$B" </dev/null)"
cfg '.root.readonly = false'

# --- refusals: one line naming the JSON path, exit 125, nothing created ---
(cd "$B" && rm config.json && "$S" spec)
before=$(leftovers)
refuse() { # NAME JQ-FILTER EXPECTED-LINE
	cp "$B/config.json" "$B/good.json"
	cfg "$2"
	local out rc
	out=$("$S" run --bundle "$B" 2>&1 </dev/null)
	rc=$?
	mv "$B/good.json" "$B/config.json"
	expect_eq "refused: $1" "125|1|shikumi: $3" "$rc|$(printf '%s\n' "$out" | wc -l)|$out"
}
refuse "empty args" '.process.args = []' 'config.json: process.args: must not be empty'
refuse "a memory limit as a string" '.linux.resources.memory.limit = "64M"' \
	'config.json: linux.resources.memory.limit: expected an integer'
refuse "a relative cwd" '.process.cwd = "tmp"' 'config.json: process.cwd: must be an absolute path'
refuse "a uid other than 0" '.process.user.uid = 1000' 'config.json: process.user.uid: only 0 is supported yet (got 1000)'
refuse "ambient capabilities" '.process.capabilities.ambient = ["CAP_KILL"]' \
	'config.json: process.capabilities.ambient: must be empty (shikumi keeps no inheritable or ambient capabilities)'
refuse "an AppArmor profile" '.process.apparmorProfile = "docker-default"' \
	'config.json: process.apparmorProfile: AppArmor is not supported by shikumi'
refuse "an SELinux label" '.process.selinuxLabel = "system_u:system_r:container_t:s0"' \
	'config.json: process.selinuxLabel: SELinux is not supported by shikumi'
refuse "a namespace path to join" '.linux.namespaces[1].path = "/proc/1/ns/net"' \
	'config.json: linux.namespaces[1].path: joining an existing namespace is not supported yet'
refuse "a seccomp profile (not read yet)" '.linux.seccomp = {"defaultAction": "SCMP_ACT_ALLOW"}' \
	"config.json: linux.seccomp: a seccomp profile is not read yet (without one, shikumi's default allow-list applies)"
refuse "a tmpfs mount" '.mounts += [{"destination": "/tmp", "type": "tmpfs", "source": "tmpfs"}]' \
	'config.json: mounts[7].type: '"'"'tmpfs'"'"' at /tmp is not supported yet (bind mounts only, and the standard /proc, /dev, /sys ones)'
refuse "a host-wide sysctl" '.linux.sysctl = {"kernel.panic": "1"}' \
	"config.json: linux.sysctl.kernel.panic: not a sysctl of the container's own namespaces"
refuse "a hook" '.hooks = {"prestart": [{"path": "/bin/true"}]}' 'config.json: hooks.prestart: hooks are not supported yet'
# jq writes only valid JSON: a truncated file is made by hand
head -c 40 "$B/config.json" >"$B/c.json" && cp "$B/config.json" "$B/good.json" && mv "$B/c.json" "$B/config.json"
out=$("$S" run --bundle "$B" 2>&1 </dev/null)
expect_eq "refused: a truncated config.json" "125 shikumi: config.json: not valid JSON: unexpected end of the text" "$? $out"
mv "$B/good.json" "$B/config.json"
out=$("$S" run --bundle "$B/nowhere" 2>&1 </dev/null)
expect_eq "refused: a bundle without config.json" "125 shikumi: cannot read $B/nowhere/config.json: No such file or directory" "$? $out"
refuse "a bind source that does not exist" '.mounts += [{"destination": "/data", "type": "bind", "source": "/no/such", "options": ["bind"]}]' \
	"volume source '/no/such': No such file or directory"
expect_eq "refusals leave nothing behind" "$before" "$(leftovers)"

# --- runc reads shikumi's spec as its own (a reference, where runc is installed) ---
if command -v runc >/dev/null; then
	# runc takes no symlink as the root: the real path
	cfg '.process.args = ["/bin/sh", "-c", "hostname; echo $HOME; id -u"] | .root.path = "'"$R"'"'
	want=$("$S" run --bundle "$B" </dev/null)
	got=$(cd "$B" && runc --root "$B/runc-state" run shikumi-oci-ref </dev/null 2>&1)
	expect_eq "runc runs shikumi's spec'd bundle to the same output" "$want" "$got"
	runc --root "$B/runc-state" delete -f shikumi-oci-ref >/dev/null 2>&1
fi

expect_eq "nothing left behind after all tests" "$base" "$(leftovers)"

# --- state, list, kill, delete over what a runtime left (create is not written yet: the
# states are written here as a create killed at each moment would have left them) ---
SR="$B/state"
put_state() { # ID PID PIDSTART STARTED CGROUP
	mkdir -p "$SR/$1"
	jq -cn --arg id "$1" --arg b "$B" --argjson pid "$2" --argjson ps "$3" --argjson st "$4" --arg cg "$5" \
		'{id: $id, bundle: $b, pid: $pid, pidStart: $ps, cgroup: $cg, started: $st, created: "2026-01-01T00:00:00Z", annotations: "{\"a\": \"b\"}"}' \
		>"$SR/$1/state.json"
}
pid_start() { sed 's/.*) //' "/proc/$1/stat" | cut -d' ' -f20; }
o() { "$S" --root "$SR" "$@"; }
cg2=$(awk '$3 == "cgroup2" {print $2; exit}' /proc/mounts)
cgdir=""
[ -n "$cg2" ] && cgdir="$cg2/shikumi-oci-test-$$" && mkdir -p "$cgdir"
put_state c-creating 0 0 false "$cgdir"
expect_eq "a create killed before the clone: state says creating" "creating 0 $B b" \
	"$(o state c-creating | jq -r '[.status, .pid, .bundle, .annotations.a] | map(tostring) | join(" ")')"
out=$(o kill c-creating 2>&1)
expect_eq "kill refuses a container that is not running (exit 1, one line)" "1 shikumi: container 'c-creating' is creating, not running" "$? $out"
o delete c-creating
expect_eq "delete removes its state and its cgroup" "0 gone" "$? $([ -e "$SR/c-creating" ] || [ -n "$cgdir" -a -e "$cgdir" ] && echo left || echo gone)"

sleep 100 &
sp=$!
put_state c-live "$sp" "$(pid_start $sp)" false ""
expect_eq "a live init not yet started: created, with its pid" "created $sp" "$(o state c-live | jq -r '"\(.status) \(.pid)"')"
put_state c-live "$sp" "$(pid_start $sp)" true ""
expect_eq "once started: running" "running" "$(o state c-live | jq -r .status)"
expect_eq "list --format json shows it" "c-live running" "$(o list --format json | jq -r '.[] | "\(.id) \(.status)"')"
expect_match "list shows a table" "^c-live +$sp +running " "$(o list | tail -1)"
out=$(o delete c-live 2>&1)
expect_eq "delete refuses a running container without --force" "1 shikumi: container 'c-live' is running: stop it first, or delete --force" "$? $out"
o kill c-live USR1 2>&1
krc=$?
wait $sp 2>/dev/null
expect_eq "kill ID SIGNAL by name reaches the init" "0 138" "$krc $?"
expect_eq "then the state says stopped, pid 0" "stopped 0" "$(o state c-live | jq -r '"\(.status) \(.pid)"')"
out=$(o kill c-live 9 2>&1)
expect_eq "kill refuses a stopped container" "1 shikumi: container 'c-live' is stopped, not running" "$? $out"
o delete c-live
expect_eq "delete of a stopped container removes its state" "0 absent" "$? $([ -e "$SR/c-live" ] && echo present || echo absent)"

sleep 100 &
sp=$!
put_state c-reused "$sp" "$(($(pid_start $sp) + 1))" true ""
expect_eq "another process under the recorded pid is not the init: stopped" "stopped" "$(o state c-reused | jq -r .status)"
o kill c-reused KILL 2>/dev/null
expect_eq "... and kill leaves that process alone" "alive" "$(kill -0 $sp 2>/dev/null && echo alive || echo dead)"
o delete c-reused
put_state c-force "$sp" "$(pid_start $sp)" true ""
o delete --force c-force
wait $sp 2>/dev/null
expect_eq "delete --force kills the init and removes the state" "137 absent" \
	"$? $([ -e "$SR/c-force" ] && echo present || echo absent)"
out=$(o state nope 2>&1)
expect_eq "state of an unknown container: one line, exit 1" "1 shikumi: container 'nope' does not exist" "$? $out"
out=$(o state ../etc 2>&1)
expect_match "an id that is not one directory name is refused" "^shikumi: invalid container id '../etc'" "$out"
out=$("$S" --root "$SR" --log "$B/log.json" --log-format json kill nope 2>/dev/null)
expect_eq "--log-format json logs the error as podman reads it" "error container 'nope' does not exist" \
	"$(jq -r '"\(.level) \(.msg)"' "$B/log.json")"
out=$("$S" --systemd-cgroup list 2>&1)
expect_eq "--systemd-cgroup is refused with one line" "1 1" "$? $(printf '%s\n' "$out" | wc -l)"
# --- the lifecycle: create, start, kill, delete ---
rm -f "$B/config.json" && (cd "$B" && "$S" spec)
mkdir -p "$B/mark"
cfg '.mounts += [{"destination": "/mark", "type": "bind", "source": "mark", "options": ["rbind"]}]
	| .process.args = ["/bin/sh", "-c", "echo ran >/mark/ran; trap \"echo term >/mark/term; exit 3\" TERM; while :; do sleep 0.1; done"]
	| .annotations = {"org.example": "yes"}'
alive() { grep -qsE '^State:[[:space:]]+[^ZX]' "/proc/$1/status"; } # a zombie has exited
o create --bundle "$B" --pid-file "$B/pid" life </dev/null >/dev/null 2>&1
expect_eq "create exits 0 once the container waits" 0 $?
expect_eq "state: created, the pid-file's pid, the bundle, the annotations" "created $(cat "$B/pid") $B yes" \
	"$(o state life | jq -r '[.status, .pid, .bundle, .annotations."org.example"] | map(tostring) | join(" ")')"
expect_eq "the init lives on after create returned" "alive" "$(alive "$(cat "$B/pid")" && echo alive)"
expect_eq "the command has not run before start" "absent" "$([ -e "$B/mark/ran" ] && echo present || echo absent)"
out=$(o create --bundle "$B" life 2>&1 </dev/null)
expect_eq "a second create of the same id is refused" "1 shikumi: container 'life' exists already: File exists" "$? $out"
o start life
expect_eq "start exits 0" 0 $?
for i in $(seq 100); do [ -e "$B/mark/ran" ] && break; sleep 0.05; done
expect_eq "after start the command runs, and the state says running" "ran running" "$(cat "$B/mark/ran" 2>/dev/null) $(o state life | jq -r .status)"
out=$(o start life 2>&1)
expect_eq "a second start is refused" "1 shikumi: container 'life' is running: only a created container starts" "$? $out"
o kill life TERM
for i in $(seq 100); do [ "$(o state life | jq -r .status)" = stopped ] && break; sleep 0.05; done
expect_eq "kill TERM reaches the command through PID 1; then stopped" "term stopped" "$(cat "$B/mark/term" 2>/dev/null) $(o state life | jq -r .status)"
o delete life
expect_eq "delete leaves no state" "0 " "$? $(ls "$SR")"
# a created container, deleted by force, never runs its command
rm -f "$B/mark/ran"
o create --bundle "$B" --pid-file "$B/pid" never </dev/null >/dev/null 2>&1
o delete --force never
expect_eq "delete --force of a created container: the init is gone, the command never ran" "dead absent" \
	"$(alive "$(cat "$B/pid")" && echo alive || echo dead) $([ -e "$B/mark/ran" ] && echo present || echo absent)"
out=$(cd "$B" && jq '.process.args = []' config.json >bad.json && mkdir -p bad && mv bad.json bad/config.json && "$S" --root "$SR" create --bundle bad x 2>&1)
expect_eq "a create refused by config.json leaves no state" "1 shikumi: config.json: process.args: must not be empty|" "$? $out|$(ls "$SR")"
expect_eq "the state root holds nothing more" "" "$(ls "$SR")"
expect_eq "nothing left behind after the state tests" "$base" "$(leftovers)"
