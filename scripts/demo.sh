#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# make demo: the main job, end to end, inside the test VM.
#
# Two hosts (network namespaces joined by veth) each listen for migrations;
# a real KVM guest (the counter) runs on h1 under the reference vmx,
# registered with the module; an orchestrator's event stream shows what
# happens on each host; `ftctl migrate` moves the running guest live to h2
# (its progress bar on the console); the counter carries on on h2 with no
# gap, and h1's vmx exits "migrated".  Then `ftctl ft enable` clones the
# guest back to h1 as its FT secondary (h2 runs on; h1's copy waits
# stopped), h2's vmx is killed, and `ftctl ft failover` makes h1's copy win
# the fence and go live from its clone point.  The demo fails if any of that
# does not happen.
set -eu
cd "$(dirname "$0")/.."
. selftests/lib.sh

FTCTL=userspace/ftctl/ftctl
VMX=userspace/vmx/vmx
RANDFILL=selftests/bench/randfill
T=$(mktemp -d)
step() { printf '\n=== %s\n' "$*"; }
fail() {
	echo "demo FAILED: $*" >&2
	exit 1
}

step "load ftmigrate"
insmod ./ftmigrate.ko
$FTCTL version
$FTCTL types

step "two hosts, h1 and h2, each a network namespace, each listening for migrations"
host_add h1
host_add h2
hosts_link h1 h2 10.0.0.1 10.0.0.2
trap 'kill $(jobs -p) 2>/dev/null; hosts_cleanup; rmmod ftmigrate 2>/dev/null; rm -rf "$T"' EXIT
mkdir "$T/fences"	# storage both hosts see, for FT's fence
ip netns exec h1 $FTCTL listen 10.0.0.1:7470 --fence-dir "$T/fences"
ip netns exec h2 $FTCTL listen 10.0.0.2:7470 --fence-dir "$T/fences"

step "an orchestrator listens to h1's and h2's events"
ip netns exec h1 $FTCTL monitor --ready-file "$T/r1" | sed -u 's/^/[h1 events] /' &
ip netns exec h2 $FTCTL monitor --ready-file "$T/r2" | sed -u 's/^/[h2 events] /' &
while [ ! -e "$T/r1" ] || [ ! -e "$T/r2" ]; do sleep 0.1; done

[ -c /dev/kvm ] || fail "no /dev/kvm in this VM: the guest needs nested KVM"

# The counter's RAM is filled with random data (the vmx's --fill-ram), so
# that the migration has some 128 MiB to carry and its progress shows.
step "h1 runs a counter guest (128 MiB of RAM) under the vmx, registered with the module"
$RANDFILL $((126 << 20)) 7 >"$T/ram.fill"
cfg() { # HOST: the same VM; only its serial log differs per host
	cat <<CFG
name = counter
uuid = 0f7e1d2c-3b4a-4596-8877-665544332211
memory = 128M
image = $PWD/userspace/guests/counter.bin
args = "count=0 interval_us=20000"
serial = $T/$1.serial
CFG
}
cfg h1 >"$T/h1.cfg"
cfg h2 >"$T/h2.cfg"
ip netns exec h1 $VMX --ftmigrate=on --fill-ram "$T/ram.fill" "$T/h1.cfg" 2>"$T/h1.err" &
src=$!
i=0
while [ "$(cat "$T/h1.serial" 2>/dev/null | wc -l)" -lt 20 ]; do
	sleep 0.2
	i=$((i + 1))
	[ $i -lt 300 ] || fail "the counter does not run on h1: $(tail -2 "$T/h1.err")"
done
echo "h1:"; ip netns exec h1 $FTCTL vm list
echo "h2:"; ip netns exec h2 $FTCTL vm list
echo "guest output on h1 so far: $(head -3 "$T/h1.serial" | paste -sd' ') ... $(tail -1 "$T/h1.serial")"

step "h2 gets an empty incoming VM for migration 42, with the migration's secret"
head -c 32 /dev/urandom >"$T/secret"
ip netns exec h2 $VMX --incoming=42 --secret-file="$T/secret" "$T/h2.cfg" 2>"$T/h2.err" &
dst=$!
i=0
until grep -q "waiting for incoming migration" "$T/h2.err" 2>/dev/null; do
	sleep 0.1
	i=$((i + 1))
	[ $i -lt 200 ] || fail "no incoming VM on h2: $(tail -2 "$T/h2.err")"
done
echo "h2:"; ip netns exec h2 $FTCTL vm list

# ftctl draws its bar when its standard error is a terminal: here the VM's
# serial console, which run.sh gives the demo as its controlling terminal.
step "h1: ftctl migrate counter --to 10.0.0.2:7470 (live: the guest runs meanwhile)"
rc=0
ip netns exec h1 $FTCTL migrate counter --to 10.0.0.2:7470 --id 42 \
	--secret-file "$T/secret" --bandwidth 32M || rc=$?
[ $rc = 0 ] || fail "ftctl migrate exited $rc"

step "h2 runs the guest; h1's vmx has exited"
i=0
while kill -0 "$src" 2>/dev/null; do
	sleep 0.1
	i=$((i + 1))
	[ $i -lt 300 ] || fail "h1's vmx is still running"
done
src_rc=0
wait "$src" || src_rc=$?
echo "h1's vmx: exit status $src_rc, \"$(tail -1 "$T/h1.err")\""
[ $src_rc = 0 ] && grep -q "migrated to another host" "$T/h1.err" ||
	fail "h1's vmx did not exit \"migrated\""
last=$(tail -1 "$T/h1.serial")
i=0
while [ "$(cat "$T/h2.serial" 2>/dev/null | wc -l)" -lt 20 ]; do
	sleep 0.2
	i=$((i + 1))
	[ $i -lt 300 ] || fail "the counter does not carry on on h2: $(tail -2 "$T/h2.err")"
done
echo "h1:"; ip netns exec h1 $FTCTL vm list
echo "h2:"; ip netns exec h2 $FTCTL vm list
echo "last lines printed on h1:  $(tail -3 "$T/h1.serial" | paste -sd' ')"
echo "first lines printed on h2: $(head -3 "$T/h2.serial" | paste -sd' ')"
if cat "$T/h1.serial" "$T/h2.serial" |
	awk '/^[0-9]+$/ { if ($1 != n) { print "line " NR ": " $1 ", expected " n; exit 1 } n++ }'; then
	echo "guest output 0..$last on h1, then $((last + 1))..$(tail -1 "$T/h2.serial") on h2: no gap, no duplicate"
else
	fail "the guest's output has a gap or a duplicate"
fi

step "h1 gets an incoming VM again, to be the FT secondary of the guest on h2"
cfg h1 | sed "s|h1.serial|h1-secondary.serial|" >"$T/h1s.cfg"
ip netns exec h1 $VMX --incoming=43 --secret-file="$T/secret" "$T/h1s.cfg" 2>"$T/h1s.err" &
sec=$!
i=0
until grep -q "waiting for incoming migration" "$T/h1s.err" 2>/dev/null; do
	sleep 0.1
	i=$((i + 1))
	[ $i -lt 200 ] || fail "no incoming VM on h1: $(tail -2 "$T/h1s.err")"
done

step "h2: ftctl ft enable counter --type ft --secondary 10.0.0.1:7470 (a clone: h2 runs on)"
rc=0
ip netns exec h2 $FTCTL ft enable counter --type ft --secondary 10.0.0.1:7470 --id 43 \
	--fence "$T/fences/counter" --secret-file "$T/secret" --bandwidth 32M || rc=$?
[ $rc = 0 ] || fail "ftctl ft enable exited $rc"
echo "h2:"; ip netns exec h2 $FTCTL ft status
echo "h1:"; ip netns exec h1 $FTCTL ft status
n=$(wc -l <"$T/h2.serial")
sleep 1
echo "h2's guest printed $(($(wc -l <"$T/h2.serial") - n)) lines in a second; the secondary on h1 printed $(wc -l <"$T/h1-secondary.serial" 2>/dev/null || echo 0)"

step "h2's vmx is killed; h1's secondary wins the fence and goes live from its clone point"
kill -KILL "$dst"
wait "$dst" 2>/dev/null || true
ip netns exec h1 $FTCTL ft failover 43 || fail "failover refused"
i=0
while [ "$(cat "$T/h1-secondary.serial" 2>/dev/null | wc -l)" -lt 20 ]; do
	sleep 0.2
	i=$((i + 1))
	[ $i -lt 300 ] || fail "the secondary does not run: $(tail -2 "$T/h1s.err")"
done
echo "h1:"; ip netns exec h1 $FTCTL ft status
echo "first lines printed by the new primary on h1: $(head -3 "$T/h1-secondary.serial" | paste -sd' ')"
echo "a second failover: $(ip netns exec h1 $FTCTL ft failover 43 2>&1)"
kill -KILL "$sec"
wait "$sec" 2>/dev/null || true
sleep 0.5
echo
echo "demo done"
