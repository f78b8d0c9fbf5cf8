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
	| .mounts += [{"destination": "/data", "type": "bind", "source": "vol", "options": ["rbind", "ro", "noexec"]}]
	| .process.args = ["/bin/sh", "-c", "hostname; pwd; echo $A; umask; id -G; ulimit -n; ulimit -Hn; grep CapEff /proc/self/status | tr -s \"\\t\" \" \"; cat /data/f; touch /data/g 2>/dev/null || echo ro; grep \" /data \" /proc/mounts | grep -o noexec"]'
got=$("$S" run --bundle "$B" </dev/null 2>&1 | tr '\n' ' ')
expect_eq "hostname, cwd, env, umask, groups, rlimits, capabilities and a ro,noexec bind mount from the bundle" \
	"ocibox /tmp 1 0022 0 10 20 321 654 CapEff: 0000000000000020 from-host ro noexec " "$got"
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
