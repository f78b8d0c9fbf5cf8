#!/bin/bash
# Inside the test host: `shikumi vm --net bridge` puts the VM on the containers' bridge (a tap
# the front end makes, virtio-net in the VMM, eth0 configured by the guest's /init). A container
# and the VM ping each other and hold a TCP round trip both ways; two VMs and two containers
# hold four distinct leases from the one pool; nothing (tap, lease, VMM) is left after a normal
# exit, nor after SIGKILL of `shikumi vm` once the next start has run; bad input is one line,
# status 125, nothing left.
# testhost: --smp 1
# testhost-parallel: 2 (minutes; one vCPU, nothing written outside its own /tmp: runs beside another file)
. "$(dirname "$0")/lib.sh"
K="$BUILD/guest/bzImage-mini" # virtio-mmio and virtio-net built in
BR=shk-vmnet0
NET=10.203.0
B=(--bridge $BR --subnet $NET.0/24)
T=$(mktemp -d)
cleanup() {
	kill -KILL $(jobs -p) 2>/dev/null
	wait 2>/dev/null
	busybox ip link del $BR 2>/dev/null
	rm -rf "$T" /run/shikumi/net/$BR
}
trap cleanup EXIT
base=$(leftovers)
# vm_bg FILE ARGS...: a VM in the background, its console into FILE (straight: through a pipe
# the lines would wait in a buffer until the VM ends). Each boot gets three minutes at most: a
# guest that hangs must not hang the test host.
vm_bg() {
	local f=$1
	shift
	timeout -s KILL 180 "$S" vm --kernel "$K" --net bridge "${B[@]}" "$@" </dev/null >"$f" 2>&1 &
}
console() { tr -d '\r' <"$1"; }
# wait_for FILE REGEX: up to 180 s until FILE has a line matching REGEX (a VM under emulation
# takes tens of seconds to boot).
wait_for() {
	local i
	for ((i = 0; i < 1800; i++)); do
		grep -qE -- "$2" "$1" 2>/dev/null && return 0
		sleep 0.1
	done
	return 1
}

# --- a container and a VM: ping and TCP both ways ---
"$S" run --net bridge "${B[@]}" --ip $NET.10 "$R" sh -c 'nc -l -p 7000 -e cat & sleep 900' >/dev/null 2>&1 &
ct1=$!
wait_for_process "shikumi run --net bridge ${B[*]} --ip $NET.10"
vm_bg "$T/vm1" --ip $NET.20 --timing -- sh -c "ip -4 addr show eth0; ping -c1 -W10 $NET.10 >/dev/null && echo vm-pings-container; echo vm-to-container | nc -w10 $NET.10 7000; timeout 100 nc -l -p 7001 -e cat & sleep 1; echo vm-ready; wait; echo vm-done"
vm1=$!
if ! wait_for "$T/vm1" '^vm-ready'; then
	fail "the VM comes up on the bridge" "$(console "$T/vm1")"
fi
expect_match "the VM's eth0 has the address asked for" "inet $NET.20/24" "$(console "$T/vm1")"
expect_match "the VM pings a container" '^vm-pings-container' "$(console "$T/vm1")"
expect_match "a TCP echo from the VM to a container round-trips" '^vm-to-container' "$(console "$T/vm1")"
expect_match "the VM's tap is a port of the bridge, beside the container's veth" "shk[0-9]+ shkv[0-9]+" "$(ls /sys/class/net/$BR/brif | sort | tr '\n' ' ')"

# Meanwhile a second VM and a second container, each leased the next free address.
vm_bg "$T/vm2" -- sh -c "ip -4 addr show eth0; timeout 100 nc -l -p 7002 & sleep 1; echo vm2-ready; wait; echo vm2-done"
vm2=$!
wait_for "$T/vm2" '^vm2-ready' || fail "a second VM comes up" "$(console "$T/vm2")"
vm2_ip=$(grep -oE "inet $NET\.[0-9]+" "$T/vm2" | cut -d' ' -f2)
# The container waits 3 s before it talks to the VMs (each ends once reached): the four leases
# are counted meanwhile.
out=$("$S" run --net bridge "${B[@]}" "$R" sh -c "sleep 3; ping -c1 -W10 $NET.20 >/dev/null && echo container-pings-vm; echo container-to-vm | nc -w10 $NET.20 7001; sleep 1; echo bye | nc -w10 $vm2_ip 7002; sleep 5" 2>&1 &
	sleep 0.5
	for i in $(seq 300); do [ "$(ls /run/shikumi/net/$BR | grep -c '^[0-9]')" = 4 ] && break; sleep 0.1; done
	ls /run/shikumi/net/$BR | grep '^[0-9]' | sort | tr '\n' ' ' >"$T/leases"
	wait)
expect_match "a container pings the VM" '^container-pings-vm' "$out"
expect_match "a TCP echo from a container to the VM round-trips" '^container-to-vm' "$out"
leases=$(cat "$T/leases")
expect_eq "two VMs and two containers on one bridge: four leases" 4 "$(echo $leases | wc -w)"
expect_match "... the second VM's eth0 has its own lease" "(^| )$vm2_ip( |$)" "$leases"
expect_eq "... all four distinct, the fixed ones among them" 4 "$(echo $leases $NET.10 $NET.20 $vm2_ip | tr ' ' '\n' | sort -u | wc -l)"
wait $vm1 $vm2
expect_match "the second VM is reached too (its listener ended)" '^vm2-done' "$(console "$T/vm2")"
expect_match "the VM's listener ended after the container's connection" '^vm-done' "$(console "$T/vm1")"
expect_match "--timing: the front end's network set-up and teardown" 'timing: vm-net-teardown' "$(console "$T/vm1")"
expect_match "--timing counts the virtio-net exits" 'exits: serial [0-9]+, .*virtio-net [1-9][0-9]*, ' "$(console "$T/vm1")"
expect_match "... and the frames both ways" 'virtio-net: received [1-9][0-9]* frames .*sent [1-9][0-9]* ' "$(console "$T/vm1")"
kill -TERM $ct1 2>/dev/null
wait $ct1 2>/dev/null
for i in $(seq 50); do [ "$(leftovers)" = "$base" ] && break; sleep 0.1; done
expect_eq "after they exit: no tap, no veth, no lease" "$base" "$(leftovers)"
expect_eq "... no VMM" "" "$(pgrep -x shikumi-vmm)"

# --- SIGKILL of shikumi vm: the VMM dies with it, the tap with the VMM; the next start takes
# the lease back ---
"$S" vm --kernel "$K" --net bridge "${B[@]}" --ip $NET.30 -- sleep 100 </dev/null >/dev/null 2>&1 &
victim=$!
for i in $(seq 200); do ls /sys/class/net | grep -q '^shkv' && [ -e /run/shikumi/net/$BR/$NET.30 ] && break; sleep 0.1; done
wait_for_process "shikumi-vmm --kernel .* --net-fd" # jailed: its kernel is an fd, /dev/fd/N
{
	kill -KILL $victim
	wait $victim
} 2>/dev/null # bash's "Killed" notice included
for i in $(seq 100); do pgrep -x shikumi-vmm >/dev/null || break; sleep 0.1; done
expect_eq "SIGKILL of shikumi vm: the VMM goes too" "" "$(pgrep -x shikumi-vmm)"
for i in $(seq 50); do ls /sys/class/net | grep -q '^shkv' || break; sleep 0.1; done
expect_eq "... and its tap" "" "$(ls /sys/class/net | grep '^shkv')"
expect_true "... its lease is left, its owner gone" test -e /run/shikumi/net/$BR/$NET.30
expect_match "the next start gets the address back" "inet $NET.30/" \
	"$("$S" run --net bridge "${B[@]}" --ip $NET.30 "$R" ip -4 addr show eth0 2>&1)"
for i in $(seq 50); do [ "$(leftovers)" = "$base" ] && break; sleep 0.1; done
expect_eq "nothing of the killed VM is left" "$base" "$(leftovers)"

# --- bad input: one line, status 125, nothing left ---
vm_error() {
	expect_error "$1" 125 "$2" -- vm --kernel "$K" "${@:3}" -- true
	expect_eq "... and no VMM is left" "" "$(pgrep -x shikumi-vmm)"
}
vm_error "--net with an unknown mode" "invalid --net 'wifi': a VM takes bridge or none" --net wifi
vm_error "--bridge with a name too long" "invalid --bridge 'shk-much-too-long0'" --net bridge --bridge shk-much-too-long0
vm_error "--ip outside the subnet" "invalid --ip '10.9.9.9': outside the subnet $NET.0/24" --net bridge "${B[@]}" --ip 10.9.9.9
vm_error "--ip with --net none" "--ip is for --net bridge, not --net none" --net none --ip $NET.5
"$S" run --net bridge "${B[@]}" --ip $NET.40 "$R" sleep 30 >/dev/null 2>&1 &
holder=$!
for i in $(seq 100); do [ -e /run/shikumi/net/$BR/$NET.40 ] && break; sleep 0.05; done
expect_failure "--ip leased already (by a container)" 125 shikumi "--ip $NET.40 is taken by another container or VM" -- "$S" vm --kernel "$K" --net bridge "${B[@]}" --ip $NET.40 -- true
expect_eq "... no tap made" "" "$(ls /sys/class/net | grep '^shkv')"
kill -TERM $holder
wait $holder 2>/dev/null
out=$(setpriv --reuid 65534 --regid 65534 --clear-groups "$S" vm --kernel "$K" --net bridge "${B[@]}" -- true 2>&1)
expect_eq "rootless --net bridge: status 125" 125 "$?"
expect_match "... says it needs root" '^shikumi: --net bridge needs root' "$out"
for i in $(seq 50); do [ "$(leftovers)" = "$base" ] && break; sleep 0.1; done
expect_eq "nothing left behind by the VM network tests" "$base" "$(leftovers)"
