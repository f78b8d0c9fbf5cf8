#!/bin/bash
# Networking: --net loopback|none|host|bridge, veth pairs on a bridge, addresses under a lock.
# Traffic only between namespaces this test makes, on a bridge of its own (removed at the end).
. "$(dirname "$0")/lib.sh"

if [ "$(id -u)" != 0 ]; then
	fail "run as root" "bridges and veth pairs need root: run make check as root"
	exit 0
fi
BR=shk-test0
NET=10.201.0
B=(--bridge $BR --subnet $NET.0/24)
T=
cleanup() {
	busybox ip link del $BR 2>/dev/null
	rm -rf ${T:+"$T"} /run/shikumi/net/$BR
}
cleanup
T=$(mktemp -d)
trap cleanup EXIT
base=$(leftovers)

# --- loopback, none, host ---
expect_match "--net loopback (the default): lo is up" 'lo: <LOOPBACK,UP' "$("$S" run "$R" ip link)"
out=$("$S" run --net none "$R" ip link)
expect_match "--net none: only lo, and it is down" '^1: lo: <LOOPBACK> ' "$out"
expect_eq "--net none: one interface" "1" "$(echo "$out" | grep -c '^[0-9]')"
expect_eq "--net none: no connection even to 127.0.0.1" "refused" \
	"$("$S" run --net none "$R" sh -c "$(listening 7000)"'; echo x | nc -w1 127.0.0.1 7000 && echo connected || echo refused' 2>/dev/null | tail -1)"
expect_eq "--net host: the host's interfaces" "$(ls /sys/class/net | sort | tr '\n' ' ')" \
	"$("$S" run --net host "$R" ls /sys/class/net | sort | tr '\n' ' ')"

# --- bridge: one container ---
out=$("$S" run --net bridge "${B[@]}" --hostname box1 "$R" sh -c 'ip -4 addr show eth0; ip route; cat /etc/hosts; ls /sys/class/net')
expect_match "--net bridge: eth0 has the first free address" "inet $NET.2/24" "$out"
expect_match "--net bridge: the default route goes via the bridge" "default via $NET.1 dev eth0" "$out"
expect_match "--net bridge: /etc/hosts names the container" "$NET.2[[:space:]]+box1" "$out"
expect_eq "--net bridge: lo and eth0 inside" "eth0 lo" "$(echo "$out" | tail -2 | sort | tr '\n' ' ' | sed 's/ $//')"
expect_eq "the bridge was made on first use" "1" "$(cat /sys/class/net/$BR/bridge/bridge_id >/dev/null 2>&1 && echo 1)"
expect_match "the bridge holds the subnet's first address" "inet $NET.1/24" "$(busybox ip -4 addr show $BR)"
expect_eq "the rootfs's own /etc/hosts is untouched" "$(cat "$R/etc/hosts")" "$(cat "$R/etc/hosts")"

# --- bridge: containers reach each other and the host ---
"$S" run --net bridge "${B[@]}" --ip $NET.10 "$R" sh -c 'nc -l -p 7000 -e cat & sleep 4' >/dev/null 2>&1 &
server=$!
for i in $(seq 50); do [ -e /run/shikumi/net/$BR/$NET.10 ] && break; sleep 0.05; done
sleep 0.3
out=$("$S" run --net bridge "${B[@]}" "$R" sh -c "ping -c1 -W2 $NET.10 >/dev/null && echo peer-ok; ping -c1 -W2 $NET.1 >/dev/null && echo bridge-ok; echo round-trip | nc -w2 $NET.10 7000")
expect_match "a container pings another" 'peer-ok' "$out"
expect_match "a container pings the bridge (the host)" 'bridge-ok' "$out"
expect_match "a TCP echo from one container to another round-trips" 'round-trip' "$out"
expect_true "the host pings a container" bash -c "busybox ping -c1 -W2 $NET.10 >/dev/null"
expect_match "the container's veth is a port of the bridge" '^shk[0-9]+$' "$(ls /sys/class/net/$BR/brif)"
expect_error "--ip of an address in use is refused" 125 "--ip $NET.10 is taken by another container" -- run --net bridge "${B[@]}" --ip $NET.10 "$R" true
wait $server

# --- 20 at once: distinct addresses ---
for i in $(seq 20); do
	"$S" run --net bridge "${B[@]}" "$R" sh -c 'ip -4 addr show eth0 | grep -o "inet [0-9.]*"; sleep 1' >"$T/par.$i" 2>&1 &
done
wait
expect_eq "20 containers started together: 20 addresses" "20" "$(cat "$T"/par.* | grep -c inet)"
expect_eq "... all distinct" "20" "$(cat "$T"/par.* | grep inet | sort -u | wc -l)"
expect_eq "after they exit: no veth, no lease, no bridge port" "$base" "$(leftovers)"
expect_eq "... the bridge has no port left" "" "$(ls /sys/class/net/$BR/brif)"

# --- a runtime killed with SIGKILL: its lease is taken back by the next one ---
"$S" run --net bridge "${B[@]}" --ip $NET.20 "$R" sleep 30 >/dev/null 2>&1 &
victim=$!
for i in $(seq 50); do [ -e /run/shikumi/net/$BR/$NET.20 ] && break; sleep 0.05; done
sleep 0.2
kill -KILL $victim
wait $victim 2>/dev/null
expect_true "SIGKILL leaves the lease behind" test -e /run/shikumi/net/$BR/$NET.20
expect_match "the next container gets the address back" "inet $NET.20/" \
	"$("$S" run --net bridge "${B[@]}" --ip $NET.20 "$R" ip -4 addr show eth0 2>&1)"
sleep 0.5 # the killed container's namespace, and with it its veth, goes asynchronously
expect_eq "nothing of the killed runtime is left" "$base" "$(leftovers)"

# --- bad input: one line, status 125, nothing left ---
expect_error "--net with an unknown mode" 125 "invalid --net 'wifi': use loopback, none, bridge or host" -- run --net wifi "$R" true
expect_error "--subnet that is not CIDR" 125 "invalid --subnet '10.201.0.0': expected CIDR" -- run --subnet 10.201.0.0 "$R" true
expect_error "--subnet too small" 125 "too small, a bridge and one container need a /30" -- run --subnet 10.201.0.0/31 "$R" true
expect_error "--subnet with host bits" 125 "not a network address \\(did you mean 10.201.0.0/24\\?\\)" -- run --subnet 10.201.0.7/24 "$R" true
expect_error "--ip outside the subnet" 125 "invalid --ip '10.9.9.9': outside the subnet 10.201.0.0/24" -- run "${B[@]}" --ip 10.9.9.9 "$R" true
expect_error "--ip of the bridge itself" 125 "the bridge's own address" -- run "${B[@]}" --ip $NET.1 "$R" true
expect_error "--ip with --net none" 125 "--ip is for --net bridge, not --net none" -- run --net none --ip $NET.5 "$R" true
expect_error "--bridge naming a link that is no bridge" 125 "'lo' exists and is not a bridge" -- run --bridge lo "$R" true
expect_error "--bridge with a bad name" 125 "invalid --bridge 'a/b'" -- run --bridge a/b "$R" true
expect_error "a bridge that serves another subnet" 125 "the bridge '$BR' has the address $NET.1/24, not 10.202.0.1/24" -- run --bridge $BR --subnet 10.202.0.0/24 "$R" true
mkdir -p "$T/own"
cp -a "$R" "$T/own/r"
chown -R 65534:65534 "$T/own/r"
chmod 755 "$T" "$T/own"
out=$(setpriv --reuid 65534 --regid 65534 --clear-groups "$S" run --net bridge "$T/own/r" true 2>&1)
expect_eq "rootless --net bridge: status 125" "125" "$?"
expect_match "... says it needs root" '^shikumi: --net bridge needs root' "$out"
expect_match "rootless --net none works" '^1: lo: <LOOPBACK> ' \
	"$(setpriv --reuid 65534 --regid 65534 --clear-groups "$S" run --net none "$T/own/r" ip link 2>&1)"
expect_eq "nothing left behind by the network tests" "$base" "$(leftovers)"
