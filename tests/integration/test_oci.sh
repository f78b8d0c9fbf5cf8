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
# --- process.user: another uid, its groups and capabilities; process.oomScoreAdj ---
cp "$B/config.json" "$B/root.json"
cfg '.process.user = {"uid": 1000, "gid": 1001, "additionalGids": [10, 20]} | .process.oomScoreAdj = 500
	| .process.capabilities = {"bounding": ["CAP_KILL", "CAP_NET_BIND_SERVICE", "CAP_CHOWN"], "permitted": ["CAP_NET_BIND_SERVICE", "CAP_CHOWN"],
		"effective": ["CAP_NET_BIND_SERVICE"], "inheritable": ["CAP_NET_BIND_SERVICE"], "ambient": ["CAP_NET_BIND_SERVICE"]}
	| .mounts = [.mounts[] | select(.destination != "/data")]
	| .process.args = ["/bin/sh", "-c", "id -u; id -g; id -G; grep -E \"^(Uid|Gid|Groups|CapInh|CapPrm|CapEff|CapBnd|CapAmb):\" /proc/self/status | tr -s \"\\t\" \" \"; cat /proc/self/oom_score_adj; touch /x 2>/dev/null || echo no-write"]'
got=$("$S" run --bundle "$B" </dev/null 2>&1 | tr '\n' ' ')
expect_eq "process.user: uid, gid and additionalGids; the config's five capability sets (ambient kept through exec); oomScoreAdj" \
	"1000 1001 1001 10 20 Uid: 1000 1000 1000 1000 Gid: 1001 1001 1001 1001 Groups: 10 20  CapInh: 0000000000000400 CapPrm: 0000000000000400 CapEff: 0000000000000400 CapBnd: 0000000000000421 CapAmb: 0000000000000400 500 no-write " "$got"
cfg '.process.capabilities = {"bounding": ["CAP_KILL"]} | .process.args = ["/bin/sleep", "100"]'
o() { "$S" --root "$B/state" "$@"; }
o create --bundle "$B" --pid-file "$B/pid" user1 </dev/null >/dev/null 2>&1 && o start user1
cmd=""
for i in $(seq 100); do [ -s "$B/pid" ] && cmd=$(tr -d ' ' <"/proc/$(cat "$B/pid")/task/$(cat "$B/pid")/children"); [ -n "$cmd" ] && break; sleep 0.05; done
expect_eq "create + start as uid 1000: the init and the command run as that user, without capabilities" \
	"running 1000 1000 0000000000000000 0000000000000000" \
	"$(o state user1 | jq -r .status) $(awk '/^Uid:/ {print $2}' "/proc/$(cat "$B/pid")/status") $(awk '/^Uid:/ {print $2} /^CapEff:/ {print $2} /^CapPrm:/ {print $2}' "/proc/$cmd/status" | tr '\n' ' ' | sed 's/ $//')"
expect_eq "exec into it comes in as the same user" "1000 1001" "$(o exec user1 sh -c 'echo $(id -u) $(id -g)')"
o delete --force user1
mv "$B/root.json" "$B/config.json"
# --- tmpfs mounts: size, mode and the flags; podman's --tmpfs ---
cfg '.mounts += [{"destination": "/scratch", "type": "tmpfs", "source": "tmpfs", "options": ["nosuid", "nodev", "noexec", "size=1m", "mode=1770"]},
		{"destination": "/var/ro", "type": "tmpfs", "source": "tmpfs", "options": ["ro", "mode=755"]}]
	| .process.args = ["/bin/sh", "-c", "grep \" /scratch \" /proc/mounts | cut -d\" \" -f1-4; stat -c %a /scratch; dd if=/dev/zero of=/scratch/f bs=64k count=32 2>/dev/null || echo full; rm /scratch/f; echo \"#!/bin/sh\" >/scratch/x; chmod +x /scratch/x; /scratch/x 2>/dev/null || echo noexec; touch /var/ro/f 2>/dev/null || echo ro"]'
expect_eq "a tmpfs mount with size=, mode= and nosuid, nodev, noexec; a read-only one" \
	"tmpfs /scratch tmpfs rw,nosuid,nodev,noexec,relatime,size=1024k,mode=1770 1770 full noexec ro" \
	"$("$S" run --bundle "$B" </dev/null 2>&1 | tr '\n' ' ' | sed 's/ $//')"
cfg '.mounts = [.mounts[] | select(.type != "tmpfs")]'
# --- bind is this mount alone, rbind the mounts below it too ---
mkdir -p "$B/sub/in" && mount -t tmpfs -o size=64k tmpfs "$B/sub/in" && echo below >"$B/sub/in/f"
cfg '.mounts += [{"destination": "/one", "type": "bind", "source": "sub", "options": ["bind", "ro"]},
		{"destination": "/all", "type": "bind", "source": "sub", "options": ["rbind", "ro"]}]
	| .process.args = ["/bin/sh", "-c", "cat /one/in/f 2>/dev/null || echo not-below; cat /all/in/f; touch /all/in/g 2>/dev/null || echo ro-below"]'
got=$("$S" run --bundle "$B" </dev/null 2>&1 | tr '\n' ' ')
umount "$B/sub/in"
expect_eq "a bind mount leaves the mounts below its source out, an rbind brings them (read-only too)" "not-below below ro-below " "$got"
cfg '.mounts = [.mounts[] | select(.destination != "/one" and .destination != "/all")]'
# --- linux.devices: the nodes the config lists, and only those, in the container's /dev ---
cfg '.linux.devices = [{"type": "c", "path": "/dev/mynull", "major": 1, "minor": 3, "fileMode": 422, "uid": 7, "gid": 8},
		{"type": "c", "path": "/dev/net/tun", "major": 10, "minor": 200}, {"type": "b", "path": "/dev/loop7", "major": 7, "minor": 7},
		{"type": "c", "path": "/dev/null", "major": 1, "minor": 3}]
	| .process.args = ["/bin/sh", "-c", "stat -c \"%F %t:%T %a %u %g\" /dev/mynull /dev/net/tun /dev/loop7; echo x >/dev/mynull && echo written; mknod /dev/sda b 8 0 2>/dev/null || echo no-sda"]'
expect_eq "linux.devices: char and block nodes with their mode and owner (a folder made for /dev/net), nothing else" \
	"character special file 1:3 646 7 8|character special file a:c8 666 0 0|block special file 7:7 666 0 0|written|no-sda" \
	"$("$S" run --bundle "$B" </dev/null 2>&1 | tr '\n' '|' | sed 's/|$//')"
cfg 'del(.linux.devices)'
cfg '.root.readonly = true | .process.args = ["/bin/sh", "-c", "touch /x 2>/dev/null && echo rw || echo ro"] | .mounts = [.mounts[] | select(.destination != "/data")]'
expect_eq "root.readonly makes the root read-only" "ro" "$("$S" run --bundle "$B" </dev/null)"
cfg '.root.readonly = false'

# --- linux.resources.devices: a cgroup v2 BPF program decides each open and mknod ---
# /dev/fuse as a linux.devices node (not one of shikumi's own, which are always allowed): the
# rules alone decide whether the container may open it for reading, for writing, or at all.
fuse='.linux.devices = [{"path": "/dev/fuse", "type": "c", "major": 10, "minor": 229}]
	| .process.args = ["/bin/sh", "-c", "(exec 3</dev/fuse) 2>/dev/null && echo r || echo no-r; (exec 3<>/dev/fuse) 2>/dev/null && echo rw || echo no-rw; echo x >/dev/null && head -c1 /dev/urandom >/dev/null && echo std"]'
devrun() { # JQ-FILTER: the rules; prints the three answers on one line
	cp "$B/config.json" "$B/good.json"
	cfg "$fuse | .linux.resources.devices = $1"
	"$S" run --bundle "$B" </dev/null 2>&1 | paste -sd' '
	mv "$B/good.json" "$B/config.json"
}
if [ -e /dev/fuse ]; then
	# No rules at all: runc's defaults, as runc applies them (found by review: before, no
	# program, and any linux.devices node opened).
	expect_eq "no device rules: only shikumi's own nodes open (runc's defaults)" "no-r no-rw std" "$(devrun null)"
	expect_eq "type a is every device, whatever numbers it names (a deny of a 1:1 denies c 10:229)" "no-r no-rw std" "$(devrun '[{"allow": true, "access": "rwm"}, {"allow": false, "type": "a", "major": 1, "minor": 1, "access": "rw"}]')"
	expect_eq "deny all: the node cannot be opened at all, shikumi's own nodes still can" "no-r no-rw std" "$(devrun '[{"allow": false, "access": "rwm"}]')"
	expect_eq "deny all, then allow c 10:229 r: reading only" "r no-rw std" "$(devrun '[{"allow": false, "access": "rwm"}, {"allow": true, "type": "c", "major": 10, "minor": 229, "access": "r"}]')"
	expect_eq "allow all, then deny c 10:* w (any minor): an open for writing is refused" "r no-rw std" "$(devrun '[{"allow": true, "access": "rwm"}, {"allow": false, "type": "c", "major": 10, "access": "w"}]')"
	expect_eq "an allow for block devices does not let a char device through" "no-r no-rw std" "$(devrun '[{"allow": false, "access": "rwm"}, {"allow": true, "type": "b", "major": 10, "minor": 229}]')"
	expect_eq "an empty list: only shikumi's own nodes" "no-r no-rw std" "$(devrun '[]')"
	# With CAP_SYS_ADMIN (no user namespace) root inside can mount a tmpfs that honours device
	# nodes and make one there (mknod of any node is allowed, as runc allows it): the program
	# still refuses to open it, with rules and without.
	admin='.process.capabilities |= with_entries(select(.key != "ambient" and .key != "inheritable") | .value += ["CAP_SYS_ADMIN", "CAP_MKNOD"])'
	for rules in '[{"allow": false, "access": "rwm"}]' null; do
		cp "$B/config.json" "$B/good.json"
		cfg "$fuse | $admin | .linux.resources.devices = $rules | .process.args = [\"/bin/sh\", \"-c\", \"mount -t tmpfs t /mnt && mknod /mnt/f c 10 229 && [ -c /mnt/f ] && echo made; (exec 3</mnt/f) 2>/dev/null && echo opened || echo refused\"]"
		expect_eq "rules $rules, CAP_SYS_ADMIN: a node made on a tmpfs of its own does not open" "made refused" "$("$S" run --bundle "$B" </dev/null 2>&1 | paste -sd' ')"
		mv "$B/good.json" "$B/config.json"
	done
	# A group of its own inside its group (cgroup2 mounted read-write, CAP_SYS_ADMIN): the
	# container's group still goes at the end, with its program (found by review: rmdir failed
	# with EBUSY, and the group stayed for good).
	before=$(leftovers)
	cp "$B/config.json" "$B/good.json"
	cfg "$admin | .process.args = [\"/bin/sh\", \"-c\", \"mount -t cgroup2 none /mnt && mkdir /mnt/sub /mnt/sub/deeper && echo \$\$ >/mnt/sub/deeper/cgroup.procs && echo moved\"]"
	out=$("$S" run --bundle "$B" </dev/null 2>&1)
	expect_eq "a container that made groups inside its own: moved, and nothing left" "moved|$before" "$out|$(leftovers)"
	mv "$B/good.json" "$B/config.json"
	# A node the rules let be read and written, but not made: the runtime still makes the
	# container's own node; and where it binds the host's (a user namespace, here one that maps
	# the host's uid 0), the bind is read-only: root inside cannot chown or chmod the host's node
	# (found by review: a read-write bind let it make the host's node 0666).
	fuse_st=$(stat -c '%u:%g %a' /dev/fuse)
	rw_fuse='[{"allow": false, "access": "rwm"}, {"allow": true, "type": "c", "major": 10, "minor": 229, "access": "rw"}]'
	for userns in '' '| del(.linux.sysctl) | del(.process.user.additionalGids) | .linux.namespaces += [{"type": "user"}] | .linux.uidMappings = [{"containerID": 0, "hostID": 0, "size": 1}] | .linux.gidMappings = [{"containerID": 0, "hostID": 0, "size": 1}]'; do
		cp "$B/config.json" "$B/good.json"
		cfg "$fuse | .linux.resources.devices = $rw_fuse $userns | .process.args = [\"/bin/sh\", \"-c\", \"chown 5:5 /dev/fuse; chmod 600 /dev/fuse; (exec 3<>/dev/fuse) && echo rw\"]"
		out=$("$S" run --bundle "$B" </dev/null 2>&1 | grep -x rw)
		expect_eq "a node allowed rw but not m${userns:+ (user namespace, host uid 0)}: it opens, the host's node is unchanged" "rw $fuse_st" "$out $(stat -c '%u:%g %a' /dev/fuse)"
		chown "${fuse_st% *}" /dev/fuse && chmod "${fuse_st#* }" /dev/fuse # should the check fail
		mv "$B/good.json" "$B/config.json"
	done
	cfg '.linux.resources = {} | del(.linux.devices)'
else
	fail "device rules" "this machine has no /dev/fuse to test them on"
fi

# --- maskedPaths and readonlyPaths: the config's, as well as shikumi's own (never instead) ---
V=$(mktemp -d -p "$B")
echo top-secret >"$V/secret"
echo visible >"$V/open"
cfg '.mounts += [{"destination": "/data", "type": "bind", "source": "'"$V"'", "options": ["rbind"]}]
	| .linux.maskedPaths = ["/etc/passwd", "/var", "/data/secret", "/no/such/path"]
	| .linux.readonlyPaths = ["/tmp", "/data"]
	| .process.args = ["/bin/sh", "-c", "wc -c </etc/passwd; ls -A /var | wc -l; touch /var/x 2>/dev/null || echo var-ro; cat /data/secret; cat /data/open; touch /tmp/x 2>/dev/null || echo tmp-ro; touch /data/x 2>/dev/null || echo data-ro; [ -c /proc/keys ] && echo keys-masked; grep -c \" /proc/sys proc ro,\" /proc/mounts; umount /etc/passwd 2>/dev/null || echo umount-refused; umount /data 2>/dev/null || echo umount-refused"]'
out=$("$S" run --bundle "$B" 2>&1 </dev/null)
expect_eq "maskedPaths: a file reads empty, a directory is empty and read-only, a volume's file is hidden (after the volume), a missing path is skipped" \
	"0|0|var-ro|visible" "$(echo "$out" | sed -n '1,4p' | paste -sd'|')"
expect_eq "readonlyPaths: a directory of the root and a volume are read-only" "tmp-ro|data-ro" "$(echo "$out" | sed -n '5,6p' | paste -sd'|')"
expect_eq "... and shikumi's own lists still hold (/proc/keys masked, /proc/sys read-only)" "keys-masked|1" "$(echo "$out" | sed -n '7,8p' | paste -sd'|')"
expect_eq "... and root inside cannot undo a mask or a read-only bind" "umount-refused|umount-refused" "$(echo "$out" | sed -n '9,10p' | paste -sd'|')"
expect_eq "... while the host's file is untouched and nothing was written to the volume" "top-secret|open secret" \
	"$(cat "$V/secret")|$(ls "$V" | paste -sd' ')"
cfg '.linux.maskedPaths = [] | .linux.readonlyPaths = [] | .process.args = ["/bin/sh", "-c", "[ -c /proc/keys ] && echo keys-masked; grep -c \" /proc/sys proc ro,\" /proc/mounts"]'
expect_eq "empty lists in the config do not unmask shikumi's own" "keys-masked|1" "$("$S" run --bundle "$B" </dev/null | paste -sd'|')"
cfg '.mounts = [.mounts[] | select(.destination != "/data")]'

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
refuse "ambient capabilities for root" '.process.capabilities.ambient = ["CAP_KILL"]' \
	'config.json: process.capabilities.ambient: must be empty for uid 0 (root gets its bounding set at exec: shikumi keeps one set)'
refuse "an ambient capability not in permitted and inheritable" '.process.user.uid = 1000
	| .process.capabilities = {"bounding": ["CAP_KILL"], "permitted": ["CAP_KILL"], "ambient": ["CAP_KILL"]}' \
	'config.json: process.capabilities.ambient: CAP_KILL is not in both permitted and inheritable'
refuse "a permitted capability outside the bounding set" '.process.user.uid = 1000
	| .process.capabilities = {"bounding": ["CAP_KILL"], "permitted": ["CAP_CHOWN"]}' \
	'config.json: process.capabilities.permitted: CAP_CHOWN is not in the bounding set'
refuse "an oomScoreAdj out of range" '.process.oomScoreAdj = 1001' 'config.json: process.oomScoreAdj: out of range (-1000 to 1000)'
refuse "an AppArmor profile" '.process.apparmorProfile = "docker-default"' \
	'config.json: process.apparmorProfile: AppArmor is not supported by shikumi'
refuse "an SELinux label" '.process.selinuxLabel = "system_u:system_r:container_t:s0"' \
	'config.json: process.selinuxLabel: SELinux is not supported by shikumi'
refuse "a time namespace" '.linux.namespaces += [{"type": "time"}]' \
	'config.json: linux.namespaces[6].type: the time namespace is not supported yet'
refuse "a seccomp profile with an unknown action" '.linux.seccomp = {"defaultAction": "SCMP_ACT_FOO"}' \
	"linux.seccomp: defaultAction: unknown action 'SCMP_ACT_FOO'"
refuse "an overlay mount" '.mounts += [{"destination": "/tmp", "type": "overlay", "source": "overlay"}]' \
	'config.json: mounts[7].type: '"'"'overlay'"'"' at /tmp is not supported (bind and tmpfs mounts only, and the standard /proc, /dev, /sys ones)'
refuse "a unified key that is the runtime's own (cgroup.procs)" '.linux.resources.unified = {"cgroup.procs": "1"}' \
	"config.json: linux.resources.unified.cgroup.procs: 'cgroup.procs' is not a file of a cgroup controller shikumi knows (cpu, memory, pids, io, cpuset, hugetlb, misc, rdma)"
refuse "a unified value of two lines" '.linux.resources.unified = {"pids.max": "5\n+cpu"}' \
	"config.json: linux.resources.unified.pids.max: the value for pids.max must be one line of printable characters, at most 127"
refuse "a huge page size that is not one" '.linux.resources.hugepageLimits = [{"pageSize": "huge", "limit": 1}]' \
	"config.json: linux.resources.hugepageLimits[0].pageSize: expected a page size such as 2MB or 1GB"
refuse "a device rule without allow" '.linux.resources.devices = [{"access": "rwm"}]' \
	'config.json: linux.resources.devices[0].allow: missing'
refuse "a device rule of an unknown type" '.linux.resources.devices = [{"allow": true, "type": "p"}]' \
	'config.json: linux.resources.devices[0].type: expected a, b or c'
refuse "a device rule with an unknown access" '.linux.resources.devices = [{"allow": true, "access": "rwx"}]' \
	'config.json: linux.resources.devices[0].access: expected letters of rwm'
refuse "a relative masked path" '.linux.maskedPaths += ["proc/kcore"]' \
	"config.json: linux.maskedPaths[11]: 'proc/kcore' must be an absolute path"
refuse "a read-only path with '..'" '.linux.readonlyPaths += ["/proc/../etc"]' \
	"config.json: linux.readonlyPaths[5]: '/proc/../etc' must not hold '.' or '..'"
refuse "masking the root" '.linux.maskedPaths = ["//"]' \
	"config.json: linux.maskedPaths[0]: '//' is the container's root itself (root.readonly makes it read-only)"
refuse "a masked path that is not a string" '.linux.maskedPaths = [7]' \
	'config.json: linux.maskedPaths[0]: expected a string'
refuse "65 read-only paths" '.linux.readonlyPaths = [range(65) | "/p\(.)"]' \
	'config.json: linux.readonlyPaths: too many (at most 64)'
refuse "a tmpfs on /proc/sys" '.mounts += [{"destination": "/proc/sys", "type": "tmpfs", "source": "tmpfs"}]' \
	"volume target '/proc/sys' is refused: /proc belongs to the container's own kernel file systems"
refuse "a tmpfs option shikumi does not know" '.mounts += [{"destination": "/t", "type": "tmpfs", "source": "tmpfs", "options": ["huge=always"]}]' \
	"config.json: mounts[7].options[0]: 'huge=always' is not a tmpfs option shikumi passes on (size=, mode=, nr_inodes=, uid=, gid=)"
refuse "a tmpfs size that is not a size" '.mounts += [{"destination": "/t", "type": "tmpfs", "source": "tmpfs", "options": ["size=1m,huge=always"]}]' \
	"config.json: mounts[7].options[0]: 'size=1m,huge=always': expected digits with an optional k, m, g or %"
refuse "a device node outside /dev" '.linux.devices = [{"type": "b", "path": "/tmp/sda", "major": 8, "minor": 0}]' \
	"config.json: linux.devices[0].path: must be a path under /dev (and not in /dev/pts, /dev/shm, /dev/mqueue)"
refuse "a device node of an unknown type" '.linux.devices = [{"type": "x", "path": "/dev/x", "major": 1, "minor": 3}]' \
	"config.json: linux.devices[0].type: expected c, b, u or p"
refuse "a device node over a standard one" '.linux.devices = [{"type": "b", "path": "/dev/null", "major": 8, "minor": 0}]' \
	"config.json: linux.devices[0].path: /dev/null is one of shikumi's standard nodes (c 1:3)"
refuse "a host-wide sysctl" '.linux.sysctl = {"kernel.panic": "1"}' \
	"config.json: linux.sysctl.kernel.panic: not a sysctl of the container's own namespaces"
refuse "hooks with run --bundle" '.hooks = {"prestart": [{"path": "/bin/true"}]}' \
	'config.json: hooks: run by create, start and delete only (shikumi run --bundle runs none)'
refuse "a hook with a relative path" '.hooks = {"poststop": [{"path": "true"}]}' \
	"config.json: hooks.poststop[0].path: must be an absolute path"
# jq writes only valid JSON: a truncated file is made by hand
head -c 40 "$B/config.json" >"$B/c.json" && cp "$B/config.json" "$B/good.json" && mv "$B/c.json" "$B/config.json"
out=$("$S" run --bundle "$B" 2>&1 </dev/null)
expect_eq "refused: a truncated config.json" "125 shikumi: config.json: not valid JSON: unexpected end of the text" "$? $out"
mv "$B/good.json" "$B/config.json"
out=$("$S" run --bundle "$B/nowhere" 2>&1 </dev/null)
expect_eq "refused: a bundle without config.json" "125 shikumi: cannot read $B/nowhere/config.json: No such file or directory" "$? $out"
mkdir -p "$B/fifo" && mkfifo "$B/fifo/config.json"
out=$(timeout 10 "$S" run --bundle "$B/fifo" 2>&1 </dev/null)
expect_eq "refused at once: a config.json that is a fifo" "125 shikumi: $B/fifo/config.json: not a regular file" "$? $out"
rm -rf "$B/fifo"
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
# --- linux.seccomp: the OCI profile format, as --seccomp=FILE reads it ---
cfg '.process.args = ["/bin/sh", "-c", "mkdir /tmp/x 2>/dev/null; echo mkdir=$?; grep ^Seccomp: /proc/self/status | tr -d \"\\t\""]
	| .linux.seccomp = {"defaultAction": "SCMP_ACT_ALLOW", "architectures": ["SCMP_ARCH_X86_64"],
		"syscalls": [{"names": ["mkdir", "mkdirat"], "action": "SCMP_ACT_ERRNO", "errnoRet": 13}]}'
expect_eq "linux.seccomp is the container's filter (mkdir refused with its errnoRet)" "mkdir=1 Seccomp:2" \
	"$("$S" run --bundle "$B" </dev/null 2>&1 | tr '\n' ' ' | sed 's/ $//')"
cfg 'del(.linux.seccomp)'

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
# exec may enter a created container: what comes in must not find an init less confined than
# itself (with CAP_SYS_PTRACE it could drive an unfiltered init into calls its filter refuses).
expect_eq "a created container's init waits with no_new_privs and a seccomp filter" "1 2" \
	"$(awk '/^NoNewPrivs:/ {n=$2} /^Seccomp:/ {s=$2} END {print n, s}' "/proc/$(cat "$B/pid")/status")"
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

# --- linux.namespaces[].path: a second container joins the first's network and uts ---
rm -f "$B/config.json" && (cd "$B" && "$S" spec)
cp "$B/config.json" "$B/spec.json"
cfg '.hostname = "first" | .process.args = ["/bin/sleep", "100"]'
o create --bundle "$B" --pid-file "$B/pid" ns1 </dev/null >/dev/null 2>&1 && o start ns1
p1=$(cat "$B/pid")
nsenter -t "$p1" -n ip link add joinA type veth peer name joinB &&
	nsenter -t "$p1" -n ip addr add 10.77.0.1/24 dev joinA
cp "$B/spec.json" "$B/config.json"
cfg 'del(.hostname) | .linux.namespaces = [.linux.namespaces[] | if .type == "network" then .path = "/proc/'"$p1"'/ns/net" elif .type == "uts" then .path = "/proc/'"$p1"'/ns/uts" else . end]
	| .process.args = ["/bin/sh", "-c", "hostname; readlink /proc/self/ns/net; readlink /proc/self/ns/uts; ls /sys/class/net | tr \"\\n\" \" \"; echo; grep -c 10.77.0.1 /proc/net/fib_trie; readlink /proc/self/ns/ipc"]'
got=$("$S" run --bundle "$B" </dev/null 2>&1)
expect_eq "a joined network and uts namespace: the first's hostname, namespaces, interfaces and address" \
	"first $(readlink /proc/$p1/ns/net) $(readlink /proc/$p1/ns/uts) joinA joinB lo  2 " \
	"$(printf '%s\n' "$got" | head -5 | tr '\n' ' ')"
expect_eq "... and an ipc namespace of its own still (not the first's)" "other" \
	"$([ "$(printf '%s\n' "$got" | sed -n 6p)" != "$(readlink /proc/$p1/ns/ipc)" ] && echo other)"
cp "$B/spec.json" "$B/config.json"
cfg '.linux.namespaces = [.linux.namespaces[] | if .type == "ipc" then .path = "/proc/'"$p1"'/ns/ipc" elif .type == "cgroup" then .path = "/proc/'"$p1"'/ns/cgroup" else . end]
	| .process.args = ["/bin/sh", "-c", "readlink /proc/self/ns/ipc; readlink /proc/self/ns/cgroup"]'
expect_eq "a joined ipc and cgroup namespace" "$(readlink /proc/$p1/ns/ipc) $(readlink /proc/$p1/ns/cgroup)" "$("$S" run --bundle "$B" </dev/null 2>&1 | tr '\n' ' ' | sed 's/ $//')"
# No cgroup namespace (ctr's default spec has none): /sys/fs/cgroup is the container's own
# group, bound read-only, as runc does: not the host's whole hierarchy, and no way to write it.
cp "$B/spec.json" "$B/config.json"
cfg '.linux.namespaces = [.linux.namespaces[] | select(.type != "cgroup")]
	| .process.args = ["/bin/sh", "-c", "cat /sys/fs/cgroup/cgroup.procs >/tmp/procs; sort -n /tmp/procs | tr \"\\n\" \" \"; mkdir /sys/fs/cgroup/x 2>&1 | grep -c Read-only; sed -n s/^0:://p /proc/self/cgroup"]'
got=$("$S" run --bundle "$B" </dev/null 2>&1 | tr '\n' ' ')
expect_match "no cgroup namespace: /sys/fs/cgroup is the container's own group (its processes only: init, sh, cat), read-only" \
	"^1 2 3 1 /shikumi/run-[0-9-]+ $" "$got"
# linux.cgroupsPath, as runc places it: "/..." below the cgroup root (containerd's
# /NAMESPACE/ID), else below the runtime's own group; missing parents are made, and removed
# with the group unless something else made them or lives there.
if [ -n "$cg2" ]; then
	cgp="shikumi-cgp-$$"
	self=$(sed -n 's/^0:://p' /proc/self/cgroup)
	cp "$B/spec.json" "$B/config.json"
	cfg '.linux.cgroupsPath = "/'"$cgp"'/ns/c1" | .linux.namespaces = [.linux.namespaces[] | select(.type != "cgroup")]
		| .process.args = ["/bin/sh", "-c", "sed -n s/^0:://p /proc/self/cgroup"]'
	expect_eq "linux.cgroupsPath /X/ns/c1: the container's group is there" "/$cgp/ns/c1" "$("$S" run --bundle "$B" </dev/null 2>&1)"
	expect_eq "... and at the end it is gone, with the parents it made" "gone" "$([ -e "$cg2/$cgp" ] && echo left || echo gone)"
	cfg '.linux.cgroupsPath = "'"$cgp"'/rel"'
	expect_eq "a relative linux.cgroupsPath is below the runtime's own group" "${self%/}/$cgp/rel" "$("$S" run --bundle "$B" </dev/null 2>&1)"
	mkdir -p "$cg2/$cgp/pod"
	cfg '.linux.cgroupsPath = "/'"$cgp"'/pod/c2" | .process.args = ["/bin/sleep", "100"]'
	o create --bundle "$B" cgp >/dev/null 2>&1 </dev/null
	cpid=$(o state cgp | jq -r .pid)
	expect_eq "create: init is in the cgroupsPath group, and state.json says so" "/$cgp/pod/c2 $cg2/$cgp/pod/c2" \
		"$(sed -n 's/^0:://p' "/proc/$cpid/cgroup") $(jq -r .cgroup "$SR/cgp/state.json")"
	mkdir "$cg2/$cgp/pod/busy"
	cfg '.linux.cgroupsPath = "/'"$cgp"'/pod/busy"'
	o create --bundle "$B" cgp2 >"$B/cgp2.out" 2>&1 </dev/null # a file: a created init would hold a pipe
	rc=$?
	out=$(cat "$B/cgp2.out")
	expect_eq "a cgroupsPath group that exists already is refused (one line, exit 1, no state)" \
		"1|1|shikumi: linux.cgroupsPath: the cgroup $cg2/$cgp/pod/busy exists already (another container's?)|" \
		"$rc|$(printf '%s\n' "$out" | wc -l)|$out|$(ls "$SR" | grep -x cgp2)"
	# Inside a running container's group: its processes would count against that one's
	# limits, and keep its group from going (found by review).
	cfg '.linux.cgroupsPath = "/'"$cgp"'/pod/c2/evil"'
	out=$("$S" run --bundle "$B" 2>&1 </dev/null)
	expect_eq "a cgroupsPath inside a running container's group is refused, nothing made" \
		"125|shikumi: linux.cgroupsPath: the cgroup $cg2/$cgp/pod/c2 holds a container's processes: a cgroupsPath may not nest in another container's group|gone" \
		"$?|$out|$([ -e "$cg2/$cgp/pod/c2/evil" ] && echo left || echo gone)"
	# ... also when that container moved all its processes, init too, into a group of its
	# own below (CAP_SYS_ADMIN, cgroup2 mounted read-write): its group is known by its mark
	# (found by the second review).
	cfg '.linux.cgroupsPath = "/'"$cgp"'/pa" | .process.capabilities |= with_entries(select(.key != "ambient" and .key != "inheritable") | .value += ["CAP_SYS_ADMIN"])
		| .process.args = ["/bin/sh", "-c", "mount -t cgroup2 c /mnt && mkdir /mnt/inner && echo 1 >/mnt/inner/cgroup.procs && echo $$ >/mnt/inner/cgroup.procs && exec sleep 100"]'
	o create --bundle "$B" cgpa >/dev/null 2>&1 </dev/null
	o start cgpa
	for _ in $(seq 100); do [ -n "$(cat "$cg2/$cgp/pa/cgroup.procs")" ] || break; sleep 0.1; done
	cfg '.linux.cgroupsPath = "/'"$cgp"'/pa/b" | .process.args = ["/bin/true"]'
	out=$("$S" run --bundle "$B" 2>&1 </dev/null)
	expect_eq "... or inside one whose processes all moved below it" \
		"125|empty|shikumi: linux.cgroupsPath: the cgroup $cg2/$cgp/pa holds a container's processes: a cgroupsPath may not nest in another container's group" \
		"$?|$([ -n "$(cat "$cg2/$cgp/pa/cgroup.procs")" ] && echo procs || echo empty)|$out"
	o delete --force cgpa
	# shikumi's own directory, where every later container's group would be made inside
	# this one's (found by the third review).
	cfg '.linux.cgroupsPath = "shikumi/x" | .process.args = ["/bin/true"]'
	out=$("$S" run --bundle "$B" 2>&1 </dev/null)
	expect_eq "a cgroupsPath through the runtime's own shikumi directory is refused" \
		"125|shikumi: linux.cgroupsPath: the cgroup $cg2${self%/}/shikumi is shikumi's own, where it makes its containers' groups: a cgroupsPath may not be it or go through it" "$?|$out"
	# Two creates at once, one at P and one at P/y: the second's check of P must not fall
	# between the first's mkdir of P and its mark (found by the third review).
	mkdir -p "$B/race"
	both=0
	for i in $(seq 15); do
		jq --arg r "$(cd "$B" && realpath "$(jq -r .root.path config.json)")" --arg p "/$cgp/race$i/x/y" \
			'.root.path = $r | .linux.cgroupsPath = $p | .process.args = ["/bin/sleep", "100"]' "$B/config.json" >"$B/race/config.json"
		cfg '.linux.cgroupsPath = "/'"$cgp"'/race'"$i"'/x" | .process.args = ["/bin/sleep", "100"]'
		o create --bundle "$B" rx$i >/dev/null 2>&1 </dev/null &
		o create --bundle "$B/race" ry$i >/dev/null 2>&1 </dev/null
		wait
		[ -e "$SR/rx$i" ] && [ -e "$SR/ry$i" ] && both=$((both + 1))
		o delete --force rx$i >/dev/null 2>&1
		o delete --force ry$i >/dev/null 2>&1
		rmdir "$cg2/$cgp/race$i/x/y" "$cg2/$cgp/race$i/x" "$cg2/$cgp/race$i" 2>/dev/null
	done
	expect_eq "two creates at once, at P and P/y: never both (15 tries)" "0" "$both"
	# A container whose group was removed (an interrupted delete) and made again at the same
	# path by another's create: deleting the first leaves the second's group alone (found by
	# the third review).
	cfg '.linux.cgroupsPath = "/'"$cgp"'/again" | .process.args = ["/bin/sleep", "100"]'
	o create --bundle "$B" cga1 >/dev/null 2>&1 </dev/null
	o kill cga1 KILL
	for _ in $(seq 100); do [ "$(o state cga1 | jq -r .status)" = stopped ] && break; sleep 0.05; done
	for _ in $(seq 100); do rmdir "$cg2/$cgp/again" 2>/dev/null && break; sleep 0.05; done
	o create --bundle "$B" cga2 >/dev/null 2>&1 </dev/null
	o delete cga1
	expect_eq "delete of a container whose group path was taken again: the new group and its init stay" \
		"created yes" "$(o state cga2 | jq -r .status) $([ -n "$(cat "$cg2/$cgp/again/cgroup.procs")" ] && echo yes)"
	o kill cga1 KILL 2>/dev/null
	o delete --force cga2
	expect_eq "... and delete --force of the second removes it" "gone" "$([ -e "$cg2/$cgp/again" ] && echo left || echo gone)"
	o delete --force cgp2 >/dev/null 2>&1
	o delete --force cgp
	expect_eq "delete --force removes the group, not the parent someone else made, nor another group" "gone kept kept" \
		"$([ -e "$cg2/$cgp/pod/c2" ] && echo left || echo gone) $([ -d "$cg2/$cgp/pod" ] && echo kept) $([ -d "$cg2/$cgp/pod/busy" ] && echo kept)"
	rmdir "$cg2/$cgp/pod/busy" "$cg2/$cgp/pod" "$cg2/$cgp"
	cfg '.linux.cgroupsPath = "/'"$cgp"'/a/b/c" | .process.args = ["/nonexistent"]'
	"$S" run --bundle "$B" </dev/null >/dev/null 2>&1
	expect_eq "a start that fails after making the group and its parents leaves none of them" "gone" \
		"$([ -e "$cg2/$cgp" ] && echo left || echo gone)"
	rmdir "$cg2/$cgp/a/b/c" "$cg2/$cgp/a/b" "$cg2/$cgp/a" "$cg2/$cgp" 2>/dev/null
	cp "$B/spec.json" "$B/config.json"
	refuse "a cgroupsPath with '..'" '.linux.cgroupsPath = "/a/../../b"' \
		"config.json: linux.cgroupsPath: '/a/../../b': each part between slashes must be a name of 1 to 255 bytes, not '.' or '..'"
	refuse "a cgroupsPath that is the root" '.linux.cgroupsPath = "/"' \
		"config.json: linux.cgroupsPath: '/' is the root of the hierarchy, not a group of its own"
	refuse "a systemd cgroupsPath" '.linux.cgroupsPath = "system.slice:shikumi:x"' \
		"config.json: linux.cgroupsPath: 'system.slice:shikumi:x' looks like a systemd cgroup (slice:prefix:name), and shikumi has no --systemd-cgroup: give a path"
fi
before=$(leftovers)
nsrefuse() { # NAME JQ-FILTER EXPECTED-LINE
	cp "$B/spec.json" "$B/config.json"
	cfg "$2"
	local out rc
	out=$(o create --bundle "$B" nsbad 2>&1 </dev/null)
	rc=$?
	expect_eq "refused: $1 (one line, exit 1, no state)" "1|1|shikumi: $3|" "$rc|$(printf '%s\n' "$out" | wc -l)|$out|$(ls "$SR" | grep -vx ns1)"
}
nsrefuse "a namespace path that is not a namespace file" \
	'.linux.namespaces = [.linux.namespaces[] | if .type == "network" then .path = "/etc/passwd" else . end]' \
	"network namespace path '/etc/passwd': not a namespace file"
nsrefuse "a namespace path of another type" \
	'.linux.namespaces = [.linux.namespaces[] | if .type == "network" then .path = "/proc/'"$p1"'/ns/uts" else . end]' \
	"network namespace path '/proc/$p1/ns/uts': a uts namespace, not a network one"
nsrefuse "a namespace path that does not exist" \
	'del(.hostname) | .linux.namespaces = [.linux.namespaces[] | if .type == "uts" then .path = "/no/such" else . end]' \
	"uts namespace path '/no/such': No such file or directory"
nsrefuse "a mount namespace to join (the root would not be the bundle's)" \
	'.linux.namespaces = [.linux.namespaces[] | if .type == "mount" then .path = "/proc/1/ns/mnt" else . end]' \
	"config.json: linux.namespaces[4].path: joining a mount namespace is refused: the container's root is the bundle's rootfs, in a mount namespace of its own"
nsrefuse "a pid namespace to join" \
	'.linux.namespaces = [.linux.namespaces[] | if .type == "pid" then .path = "/proc/'"$p1"'/ns/pid" else . end]' \
	"config.json: linux.namespaces[0].path: joining a pid namespace is not supported: shikumi's PID 1 is the container's own init"
nsrefuse "a namespace to join with a user namespace of the container's own" \
	'del(.hostname) | .linux.namespaces = [.linux.namespaces[] | if .type == "uts" then .path = "/proc/'"$p1"'/ns/uts" else . end] + [{"type": "user"}]
	| .linux.uidMappings = [{"containerID": 0, "hostID": 100000, "size": 65536}] | .linux.gidMappings = .linux.uidMappings' \
	"uts namespace path '/proc/$p1/ns/uts': joining a namespace needs the host's user namespace (the container's own user namespace would hold no privilege over it)"
expect_eq "namespace refusals leave nothing behind" "$before" "$(leftovers)"
o delete --force ns1
cp "$B/spec.json" "$B/config.json"

# --- hooks: run by the runtime, on the host, with the state on stdin ---
hook() { # KIND: a hook that keeps its stdin and its environment in $B/hooks/KIND, its fds in KIND.fd
	printf '{"path": "/bin/sh", "args": ["sh", "-c", "cat >%s/hooks/%s; echo \\"$HOOKVAR\\" >%s/hooks/%s.env; exec >%s/hooks/%s.fd; ls /proc/self/fd | tr \\"\\\\n\\" \\" \\""], "env": ["HOOKVAR=from-%s"]}' "$B" "$1" "$B" "$1" "$B" "$1" "$1"
}
rm -rf "$B/hooks" && mkdir -p "$B/hooks"
cp "$B/spec.json" "$B/config.json"
cfg ".process.args = [\"/bin/sleep\", \"100\"] | .hooks = {\"prestart\": [$(hook prestart)], \"createRuntime\": [$(hook createRuntime)],
	\"poststart\": [$(hook poststart)], \"poststop\": [$(hook poststop)]}"
hstate() { jq -r '[.id, .status, (.pid > 0), .bundle] | map(tostring) | join(" ")' "$B/hooks/$1" 2>&1; cat "$B/hooks/$1.env"; }
o create --bundle "$B" --pid-file "$B/pid" hk </dev/null >/dev/null 2>&1
expect_eq "create runs the prestart and createRuntime hooks with the state on stdin and their env" \
	"hk created true $B|from-prestart|hk created true $B|from-createRuntime|absent" \
	"$(hstate prestart | tr '\n' '|')$(hstate createRuntime | tr '\n' '|')$([ -e "$B/hooks/poststart" ] && echo present || echo absent)"
o start hk
expect_eq "a hook holds no fd of the runtime (its state directory's lock, the start fifo): ls sees its own 3 only" "0 1 2 3 |0 1 2 3 " \
	"$(cat "$B/hooks/prestart.fd")|$(cat "$B/hooks/createRuntime.fd")"
expect_eq "start runs the poststart hooks" "hk running true $B|from-poststart" "$(hstate poststart | tr '\n' '|' | sed 's/|$//')"
o delete --force hk
expect_eq "delete runs the poststop hooks (the state says stopped, no pid)" "hk stopped false $B|from-poststop" "$(hstate poststop | tr '\n' '|' | sed 's/|$//')"
before=$(leftovers)
cfg '.hooks = {"createRuntime": [{"path": "/bin/sh", "args": ["sh", "-c", "exit 3"]}]}'
out=$(o create --bundle "$B" hk2 2>&1 </dev/null)
expect_eq "a failing createRuntime hook fails the create: one line naming it, exit 1, nothing left" \
	"1|shikumi: hooks.createRuntime[0] (/bin/sh): exited with status 3||$before" "$?|$out|$(ls "$SR")|$(leftovers)"
cfg '.hooks = {"prestart": [{"path": "/bin/sleep", "args": ["sleep", "20"], "timeout": 1}]}'
t0=$(date +%s)
out=$(o create --bundle "$B" hk3 2>&1 </dev/null)
expect_eq "a prestart hook past its timeout is killed and fails the create" \
	"1|shikumi: hooks.prestart[0] (/bin/sleep): timed out after 1 s||yes" "$?|$out|$(ls "$SR")|$([ $(($(date +%s) - t0)) -lt 8 ] && echo yes)"
# A hook's own children go with it when it times out (the attacker's: they lived on as orphans).
cfg '.hooks = {"createRuntime": [{"path": "/bin/sh", "args": ["sh", "-c", "(sleep 7731 &); sleep 7732"], "timeout": 1}]}'
o create --bundle "$B" hk5 </dev/null >/dev/null 2>&1
sleep 0.2
expect_eq "a hook past its timeout is killed with every process it started" "" "$(pgrep -f 'sleep 773[12]')"
pkill -f 'sleep 773[12]'
cfg '.hooks = {"poststop": [{"path": "/bin/false"}]}'
o create --bundle "$B" hk4 </dev/null >/dev/null 2>&1
out=$(o delete --force hk4 2>&1)
expect_eq "a failing poststop hook is a warning: delete still removes everything" \
	"0|shikumi: warning: hooks.poststop[0] (/bin/false): exited with status 1|" "$?|$out|$(ls "$SR")"
# createContainer: in the container's namespaces, before pivot_root: the host's paths (the hook
# is the host's /bin/sh, its files go to the host's $B/hooks) and the container's root at the
# bundle's root.path, writable; startContainer: in the container itself, after start, before
# the command, with the command's identity, no_new_privs and filter.
cp "$B/spec.json" "$B/config.json"
rootp="$B/$(jq -r .root.path "$B/config.json")"
rm -f "$rootp/etc/cc-mark"
cfg '.process.args = ["/bin/sh", "-c", "cat /etc/cc-mark /tmp/sc.out; for n in uts mnt net; do readlink /proc/self/ns/$n; done | tr \"\\n\" \" \"; echo; readlink /proc/self/ns/pid"]
	| .hooks = {"createContainer": [{"path": "/bin/sh", "args": ["sh", "-c", "cat >'"$B"'/hooks/cc; for n in uts mnt net; do readlink /proc/self/ns/$n; done | tr \"\\n\" \" \" >'"$B"'/hooks/cc.ns; echo made-by-createContainer >'"$rootp"'/etc/cc-mark"]}],
		"startContainer": [{"path": "/bin/sh", "args": ["sh", "-c", "grep -c \"\\\"status\\\": \\\"created\\\"\" >/tmp/sc.out; grep -E \"^(NoNewPrivs|Seccomp):\" /proc/self/status | tr -d \"\\t\" >>/tmp/sc.out; readlink /proc/self/ns/pid >>/tmp/sc.out"]}]}'
o create --bundle "$B" cc >"$B/cc.out" 2>&1 </dev/null
ccpid=$(o state cc | jq -r .pid)
expect_eq "create runs the createContainer hook, the state on its stdin (creating, the init's pid)" "cc creating $ccpid" \
	"$(jq -r '[.id, .status, .pid] | map(tostring) | join(" ")' "$B/hooks/cc" 2>&1)"
o start cc
for _ in $(seq 100); do [ "$(o state cc | jq -r .status)" = stopped ] && break; sleep 0.1; done
expect_eq "the createContainer hook ran in the container's uts, mount and net namespaces" "$(cat "$B/hooks/cc.ns")" \
	"$(tail -2 "$B/cc.out" | head -1)"
expect_eq "... and wrote the container's root (not the bundle's: $rootp/etc/cc-mark absent on the host)" "made-by-createContainer absent" \
	"$(head -1 "$B/cc.out") $([ -e "$rootp/etc/cc-mark" ] && echo present || echo absent)"
expect_eq "startContainer ran inside, after start (state: created), with no_new_privs and the filter, in the command's pid namespace" \
	"1|NoNewPrivs:1|Seccomp:2|$(tail -1 "$B/cc.out")|" "$(sed -n 2,5p "$B/cc.out" | tr '\n' '|')"
o delete --force cc
cfg '.hooks = {"createContainer": [{"path": "/bin/sh", "args": ["sh", "-c", "exit 3"]}]}'
out=$(o create --bundle "$B" cc2 2>&1 </dev/null)
expect_eq "a failing createContainer hook fails the create: one line naming it, exit 1, nothing left" \
	"1|shikumi: container setup failed at 'create_container_hooks': hooks.createContainer[0] (/bin/sh): exited with status 3||$before" \
	"$?|$out|$(ls "$SR")|$(leftovers)"
cfg '.process.args = ["/bin/sh", "-c", "echo the command ran"] | .hooks = {"startContainer": [{"path": "/bin/sh", "args": ["sh", "-c", "exit 4"]}]}'
o create --bundle "$B" cc3 >"$B/cc3.out" 2>&1 </dev/null
o start cc3
for _ in $(seq 100); do [ "$(o state cc3 | jq -r .status)" = stopped ] && break; sleep 0.1; done
expect_eq "a failing startContainer hook stops the container before its command, saying so on its stderr" \
	"stopped|shikumi: container setup failed at 'start_container_hooks': hooks.startContainer[0] (/bin/sh): exited with status 4" \
	"$(o state cc3 | jq -r .status)|$(cat "$B/cc3.out")"
o delete --force cc3
expect_eq "hooks leave nothing behind" "$before" "$(leftovers)"
cp "$B/spec.json" "$B/config.json"

# --- exec, ps, pause, resume: a second process in a running container ---
rm -f "$B/config.json" && (cd "$B" && "$S" spec)
T="$BUILD/tests" cfg '.mounts += [{"destination": "/probe", "type": "bind", "source": $ENV.T, "options": ["rbind", "ro"]}]
	| .hostname = "execbox" | .process.env += ["FROM=config"]
	| .process.args = ["/bin/sh", "-c", "echo made-by-init >/tmp/mark; n=0; while :; do n=$((n+1)); echo $n >/tmp/count; sleep 0.05; done"]'
o create --bundle "$B" --pid-file "$B/pid" ex </dev/null >/dev/null 2>&1 && o start ex
init=$(cat "$B/pid")
for i in $(seq 100); do o exec ex test -s /tmp/count 2>/dev/null && break; sleep 0.05; done
cmdpid=$(cat "/proc/$init/task/$init/children" | tr -d ' ')
"$S" run "$R" true </dev/null
expect_eq "a shikumi run meanwhile (which removes groups of dead runtimes) leaves a created container's group" \
	"running yes" "$(o state ex | jq -r .status) $([ -d "$(jq -r .cgroup "$SR/ex/state.json")" ] && echo yes)"
st() { grep -E '^(CapEff|CapBnd|CapInh|CapAmb|NoNewPrivs|Seccomp):' "$1" | tr -d '\t' | tr '\n' ' '; }
got=$(o exec ex sh -c 'hostname; cat /tmp/mark; echo $FROM; echo pid=$$; grep -E "^(CapEff|CapBnd|CapInh|CapAmb|NoNewPrivs|Seccomp):" /proc/self/status | tr -d "\t" | tr "\n" " "' 2>&1)
expect_eq "exec: the container's hostname, files and env; a pid of its pid namespace" \
	"execbox made-by-init config" "$(printf '%s\n' "$got" | head -3 | tr '\n' ' ' | sed 's/ $//')"
expect_match "... its pid is small, in the container's numbering" '^pid=[0-9]{1,2}$' "$(printf '%s\n' "$got" | sed -n 4p)"
expect_eq "exec gets the command's capabilities, no_new_privs and seccomp" "$(st "/proc/$cmdpid/status")" \
	"$(printf '%s\n' "$got" | sed -n 5p)"
o exec --pid-file "$B/cgpid" ex sleep 0.5 &
for i in $(seq 50); do [ -s "$B/cgpid" ] && break; sleep 0.02; done
ecg=$(grep -qx "$(cat "$B/cgpid")" "$(jq -r .cgroup "$SR/ex/state.json")/cgroup.procs" && echo in)
wait
expect_eq "exec joins the container's cgroup" "in" "$ecg"
exec 9</
out=$(o exec ex sh -c 'ls /proc/self/fd/9 >/dev/null 2>&1 && echo host-fd-9; ls /proc/self/fd | tr "\n" " "' 2>&1)
exec 9<&-
expect_eq "exec: no fd of the caller crosses (fd 9 was the host's /)" "0 1 2 3 " "$out"
out=$(o exec ex sh -c 'ls /proc/self/fd/0/ | head -3' </ 2>&1)
expect_eq "exec < / is refused: the host's / would be inside as fd 0" \
	"1 shikumi: standard input is a directory: the container would reach the host's files through it" "$? $out"
# The caller's terminal must not be the process's controlling terminal: TIOCSTI on it would
# type commands into the host's shell, and /dev/tty would open it.
out=$(script -qec "$S --root $SR exec ex sh -c '(: </dev/tty) 2>/dev/null && echo tty-open || echo no-tty'" /dev/null </dev/null 2>&1 | tr -d '\r')
expect_eq "exec from a terminal, without -t: the caller's terminal is not the process's (no /dev/tty)" "no-tty" \
	"$(printf '%s\n' "$out" | grep -E '^(tty-open|no-tty)$')"
# A pid file in a folder the container can write: a symlink planted at a predictable
# temporary name must not redirect the write.
mkdir -p "$B/pf" && echo untouched >"$B/victim" && ln -sf "$B/victim" "$B/pf/pid.tmp"
o exec --pid-file "$B/pf/pid" ex true
expect_eq "exec --pid-file does not follow a symlink at PATH.tmp" "untouched yes" \
	"$(cat "$B/victim") $(grep -qE '^[0-9]+$' "$B/pf/pid" && echo yes)"
rm -rf "$B/pf" "$B/victim"
o exec ex sh -c 'exit 3'
expect_eq "exec's status is the process's" 3 $?
out=$(o exec ex /no/such 2>&1)
expect_eq "exec of a missing command: 127, one line" "127|1" "$?|$(printf '%s\n' "$out" | wc -l)"
expect_eq "exec -e and --cwd" "2 /tmp" "$(o exec -e FROM=2 --cwd /tmp ex sh -c 'echo $FROM $PWD')"
jq -n '{"args": ["/bin/sh", "-c", "echo $P $PWD"], "env": ["P=process-json", "PATH=/bin"], "cwd": "/etc"}' >"$B/process.json"
expect_eq "exec --process FILE" "process-json /etc" "$(o exec --process "$B/process.json" ex)"
jq -n '{"args": ["/bin/sh"], "cwd": "etc"}' >"$B/process.json"
out=$(o exec --process "$B/process.json" ex 2>&1)
expect_eq "a bad --process is one line naming its path" "1 shikumi: --process $B/process.json: config.json: process.cwd: must be an absolute path" "$? $out"
jq -n '{"args": ["/bin/true"], "cwd": "/", "capabilities": {"bounding": ["CAP_SYS_ADMIN"], "effective": ["CAP_SYS_ADMIN"], "permitted": ["CAP_SYS_ADMIN"]}}' >"$B/process.json"
out=$(o exec --process "$B/process.json" ex 2>&1)
expect_eq "--process cannot ask for more capabilities than the container's process has" \
	"1 shikumi: --process $B/process.json: process.capabilities: more than the container's process has (exec gives at most the container's capabilities)" "$? $out"
o exec ex sh -c 'sleep 2; :' "$(printf 'x\033]0;OWNED\007\r\nFAKE')" &
sleep 0.3
out=$(o ps ex)
expect_eq "ps shows control bytes of a container's command line as '?'" "1 " \
	"$(printf '%s\n' "$out" | grep -c 'OWNED?') $(printf '%s' "$out" | tr -d '\n' | tr -d '[:print:]')"
wait
o exec --detach --pid-file "$B/epid" ex sleep 30
epid=$(cat "$B/epid")
expect_eq "exec --detach returns at once; the pid file names the process, in the container" "sleep $(readlink /proc/$init/ns/pid)" \
	"$(cat /proc/$epid/comm) $(readlink /proc/$epid/ns/pid)"
expect_eq "ps lists the init, the command and the exec'd process" "true" \
	"$(o ps --format json ex | jq "index($init) != null and index($cmdpid) != null and index($epid) != null")"
expect_match "ps's table shows their command lines" "$epid +sleep 30" "$(o ps ex)"
# CVE-2019-5736: root inside waits for shikumi to come in through exec and grabs its binary
o exec ex sh -c 'printf "#!/proc/self/exe --version\n" >/tmp/evil; chmod +x /tmp/evil; (/probe/exegrab 3 >/tmp/grab 2>&1 &)'
sum=$(md5sum <"$S")
for i in $(seq 60); do o exec ex /tmp/evil >/dev/null 2>&1; done
for i in $(seq 100); do o exec ex grep -q '^caught [0-9]*, ' /tmp/grab 2>/dev/null && break; sleep 0.1; done
grab=$(o exec ex cat /tmp/grab)
expect_match "exec: root inside catches shikumi entering (the attack is real)" '^caught [1-9][0-9]*, written 0$' "$(printf '%s\n' "$grab" | grep '^caught [0-9]*,')"
# While shikumi comes in, root inside watches every new process's status: one seen still root
# or unfiltered could be ptraced (CAP_SYS_PTRACE, no user namespace) and made to run anything.
expect_eq "... and never sees an entering process with more capabilities or no seccomp filter" "unconfined 0" \
	"$(printf '%s\n' "$grab" | grep -E '^unconfined [0-9]+$')$(printf '%s\n' "$grab" | grep -m1 '^unconfined .*=' | sed 's/^/, first: /')"
expect_eq "... what it catches is a sealed copy, never the host's binary, and it cannot write it" "" \
	"$(printf '%s\n' "$grab" | grep -E '^(caught|write) ' | grep -vE '^caught /memfd:shikumi|^write /memfd:shikumi .*: EPERM$|^caught [0-9]+, ')"
expect_eq "... the host's shikumi binary is unchanged" "$sum" "$(md5sum <"$S")"
# ... and at the container's own first exec: a command that is such a script (in a volume)
mkdir -p "$B/att" && printf '#!/proc/self/exe --version\n' >"$B/att/evil" && chmod +x "$B/att/evil"
cp "$B/config.json" "$B/keep.json"
cfg '.mounts += [{"destination": "/att", "type": "bind", "source": "att", "options": ["rbind", "ro"]}] | .process.args = ["/att/evil"]'
o create --bundle "$B" evil >"$B/evil.out" 2>&1 </dev/null && o start evil
for i in $(seq 100); do [ "$(o state evil | jq -r .status)" = stopped ] && break; sleep 0.05; done
expect_eq "create+start: a #!/proc/self/exe command does not run the host's shikumi" "stopped no" \
	"$(o state evil | jq -r .status) $(grep -q '^shikumi [0-9a-f]' "$B/evil.out" && echo yes || echo no)"
o delete evil
mv "$B/keep.json" "$B/config.json"
# pause and resume: the group's freezer
o pause ex
c1=$(cat "/proc/$cmdpid/root/tmp/count"); sleep 0.3; c2=$(cat "/proc/$cmdpid/root/tmp/count")
expect_eq "pause: state paused, the command makes no progress" "paused $c1" "$(o state ex | jq -r .status) $c2"
out=$(o exec ex true 2>&1)
expect_eq "exec into a paused container is refused" "1 shikumi: container 'ex' is paused: exec needs a running container" "$? $out"
o resume ex
sleep 0.3
expect_eq "resume: running again, and counting" "running yes" "$(o state ex | jq -r .status) $([ "$(cat "/proc/$cmdpid/root/tmp/count")" -gt "$c2" ] && echo yes)"
out=$(o resume ex 2>&1)
expect_eq "resume of a running container is refused" "1 shikumi: container 'ex' is running: only a paused container can be resumed" "$? $out"
# a terminal: relayed to the caller's (ptydrive), or handed over a console socket (conmon's way)
out=$("$BUILD/tests/ptydrive" -t 10 'expect:# ' 'send:tty; exit 4\r' -- "$S" --root "$SR" exec -t ex /bin/sh 2>&1 | tr -d '\r')
expect_eq "exec -t: a pty of the container's devpts, the status back" "/dev/pts/0 4" "$(printf '%s\n' "$out" | grep -m1 '^/dev/pts/') $("$BUILD/tests/ptydrive" -t 10 'expect:# ' 'send:exit 4\r' -- "$S" --root "$SR" exec -t ex /bin/sh >/dev/null 2>&1; echo $?)"
out=$("$BUILD/tests/consock" "$B/c.sock" 10 'tty; echo via-socket\nexit\n' -- "$S" --root "$SR" exec -t --detach --console-socket "$B/c.sock" ex /bin/sh | tr -d '\r')
expect_match "exec -t --detach --console-socket: the terminal goes to the socket's holder" '^via-socket$' "$out"
o delete --force ex
expect_eq "delete --force ends the exec'd processes with the container" "gone" "$([ -e /proc/$epid ] && echo left || echo gone)"
out=$(o exec ex true 2>&1)
expect_eq "exec into a container that does not exist" "1 shikumi: container 'ex' does not exist" "$? $out"
# create with a terminal: conmon's console socket
cfg '.process.terminal = true | .process.args = ["/bin/sh"]'
( "$BUILD/tests/consock" "$B/t.sock" 10 'tty; exit 5\n' -- "$S" --root "$SR" create --bundle "$B" --console-socket "$B/t.sock" term >"$B/term.out" 2>&1; echo "consock=$?" >>"$B/term.out" ) &
for i in $(seq 100); do [ "$(o state term 2>/dev/null | jq -r .status)" = created ] && break; sleep 0.05; done
o start term
wait
expect_match "create --console-socket: the command's terminal reached the socket's holder" '^/dev/pts/0' "$(tr -d '\r' <"$B/term.out")"
o delete --force term 2>/dev/null
out=$(o create --bundle "$B" term2 2>&1 </dev/null)
expect_eq "process.terminal without --console-socket is one line, nothing created" "1 shikumi: config.json: process.terminal is true: the terminal needs --console-socket|" "$? $out|$(ls "$SR")"
cfg '.process.terminal = false | .process.args = ["/bin/true"]'
"$S" --root "$B/up/root" create --bundle "$B" mk </dev/null >/dev/null 2>&1
expect_eq "a state root made for create is 0700, the directories above it 0755 (a user namespace's container reaches leases under /run/shikumi)" \
	"755 700" "$(stat -c %a "$B/up") $(stat -c %a "$B/up/root")"
"$S" --root "$B/up/root" delete --force mk
expect_eq "features: runtime-spec features JSON" "1.1.0 7 true prestart,createRuntime,poststart,poststop,createContainer,startContainer false" "$(o features | jq -r '[.ociVersionMax, (.linux.namespaces | length), .linux.seccomp.enabled, (.hooks | join(",")), (.mountOptions | index("suid") != null)] | map(tostring) | join(" ")')"
expect_eq "nothing left behind after the state tests" "$base" "$(leftovers)"
