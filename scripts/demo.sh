#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# make demo: what ftmigrate does today, end to end, inside the test VM.
#
# Two hosts (network namespaces) run the module's per-host view; a real KVM
# guest runs under the reference vmx, registered with the module; an
# orchestrator's event stream shows VMs come and go; the vmx's save/restore
# moves the guest's state to the other host (the cold path that VMotion will
# make live), and the counter continues without a gap.
set -eu
cd "$(dirname "$0")/.."
. selftests/lib.sh

FTCTL=userspace/ftctl/ftctl
VMX=userspace/vmx/vmx
VMX_CTL=userspace/vmx/vmx-ctl
T=$(mktemp -d)
step() { printf '\n=== %s\n' "$*"; }

step "load ftmigrate"
insmod ./ftmigrate.ko
$FTCTL version
$FTCTL types

step "two hosts, h1 and h2, each a network namespace"
host_add h1
host_add h2
hosts_link h1 h2 10.0.0.1 10.0.0.2
trap 'kill $(jobs -p) 2>/dev/null; hosts_cleanup; rmmod ftmigrate 2>/dev/null; rm -rf "$T"' EXIT

step "an orchestrator listens to h1's and h2's events"
ip netns exec h1 $FTCTL monitor --ready-file "$T/r1" | sed 's/^/[h1 events] /' &
ip netns exec h2 $FTCTL monitor --ready-file "$T/r2" | sed 's/^/[h2 events] /' &
while [ ! -e "$T/r1" ] || [ ! -e "$T/r2" ]; do sleep 0.1; done

if [ ! -c /dev/kvm ]; then
	echo "no /dev/kvm in this VM: the guest part of the demo needs nested KVM" >&2
	exit 1
fi

step "h1 runs a counter guest under the vmx, registered with the module"
cat > "$T/counter.cfg" <<CFG
name = counter
uuid = 0f7e1d2c-3b4a-4596-8877-665544332211
memory = 4M
image = $PWD/userspace/guests/counter.bin
args = "count=0 interval_us=20000"
serial = $T/counter.serial
control = $T/h1.sock
CFG
ip netns exec h1 $VMX --ftmigrate=on "$T/counter.cfg" 2> "$T/h1.err" &
src=$!
while [ "$(cat "$T/counter.serial" 2>/dev/null | wc -l)" -lt 20 ]; do sleep 0.2; done
echo "h1:"; ip netns exec h1 $FTCTL vm list
echo "h2:"; ip netns exec h2 $FTCTL vm list
echo "guest output so far: $(head -3 "$T/counter.serial" | paste -sd' ') ... $(tail -1 "$T/counter.serial")"

step "stop it at a clean point on h1, save its state, and power it off"
$VMX_CTL "$T/h1.sock" pause
$VMX_CTL "$T/h1.sock" save "$T/counter.state"
kill "$src"; wait "$src" 2>/dev/null || true
last=$(tail -1 "$T/counter.serial")
echo "last value printed on h1: $last"

step "h2 restores it from the same config (same hash); the counter continues"
ip netns exec h2 $VMX --ftmigrate=on --control "$T/h2.sock" --restore "$T/counter.state" "$T/counter.cfg" 2> "$T/h2.err" &
dst=$!
want=$((last + 20))
while [ "$(tail -1 "$T/counter.serial")" -lt "$want" ] 2>/dev/null; do sleep 0.2; done
echo "h2:"; ip netns exec h2 $FTCTL vm list
if awk '/^[0-9]+$/ { if ($1 != n) exit 1; n++ }' "$T/counter.serial"; then
	echo "guest output 0..$(tail -1 "$T/counter.serial"): no gap, no duplicate"
else
	echo "guest output has a gap or a duplicate" >&2
	exit 1
fi

step "h2's vmx is killed; the module releases the VM"
kill -KILL "$dst"; wait "$dst" 2>/dev/null || true
sleep 0.5
echo "h2:"; ip netns exec h2 $FTCTL vm list
echo
echo "demo done"
