#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The netlink family through ftctl: version and types, VM dumps per host
# (network namespace), permissions, and the events stream in order.
set -u
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/ftm_lib.sh"

tmp=$(mktemp -d)
NOBODY="setpriv --reuid=65534 --regid=65534 --clear-groups --inh-caps=-all --bounding-set=-all"

# json_check EXPR DESC JSON: ok if the Python expression EXPR holds over
# the parsed JSON, bound to `j`.
json_check() {
	_expr=$1 _desc=$2 _json=$3
	if python3 -c "import json,sys; j=json.loads(sys.argv[1]); sys.exit(0 if ($_expr) else 1)" "$_json" 2>/dev/null; then
		tap_ok "$_desc"
	else
		tap_fail "$_desc"
		tap_diag "$_json"
	fi
}

# The module missing: one clear line, non-zero exit.
ftm_unload
out=$($FTCTL version 2>&1); rc=$?
if [ $rc -ne 0 ] && grep -q "module is not loaded" <<< "$out" && [ "$(wc -l <<< "$out")" -eq 1 ]; then
	tap_ok "ftctl without the module: one clear line, exit $rc"
else
	tap_fail "ftctl without the module: one clear line"; tap_diag "$out"
fi

ftm_load || { tap_fail "load ftmigrate.ko"; tap_done; exit 1; }

json_check 'j["api_version"] == 1 and j["module_version"] and "vm-objects" in j["features"]' \
	"ftctl -j version" "$($FTCTL -j version 2>&1)"
json_check '[t["name"] for t in j] == ["VMotion", "FT", "FTCpt"] and len({t["ops"] for t in j}) == 1' \
	"ftctl -j types: exactly three types, one ops table" "$($FTCTL -j types 2>&1)"
json_check 'j[1]["flags"] == ["shared-storage", "source-resumes", "dest-waits-failover"] and j[2]["flags"] == ["disk-copy", "source-resumes", "dest-waits-failover"]' \
	"ftctl -j types: per-type behaviour flags" "$($FTCTL -j types 2>&1)"
tap_check "ftctl types (text)" sh -c "$FTCTL types | grep -q FTCpt"

# Two hosts: each sees its own VMs only; ids are per host.
host_add h1
host_add h2
vm_hold alpha h1; alpha=$HOLD_PID
vm_hold beta h2; beta=$HOLD_PID
vm_hold gamma h2; gamma=$HOLD_PID
json_check '[v["name"] for v in j] == ["alpha"]' "host h1 lists only its VM" \
	"$(ip netns exec h1 $FTCTL -j vm list 2>&1)"
json_check '[v["name"] for v in j] == ["beta", "gamma"] and [v["id"] for v in j] == [1, 2]' \
	"host h2 lists only its VMs, numbered from 1" "$(ip netns exec h2 $FTCTL -j vm list 2>&1)"
json_check 'j == []' "the initial netns sees none of them" "$($FTCTL -j vm list 2>&1)"
json_check 'j["name"] == "beta" and j["state"] == "created" and j["owner_pid"] > 0 and len(j["config_sha256"]) == 64' \
	"ftctl vm show 1 on h2" "$(ip netns exec h2 $FTCTL -j vm show 1 2>&1)"
out=$(ip netns exec h1 $FTCTL vm show 2 2>&1); rc=$?
if [ $rc -ne 0 ] && grep -q "no VM 2" <<< "$out"; then
	tap_ok "ftctl vm show of an unknown VM: clear error"
else
	tap_fail "ftctl vm show of an unknown VM: clear error"; tap_diag "$out"
fi
vm_release "$beta"
json_check '[v["name"] for v in j] == ["gamma"]' "a SIGKILLed vmx's VM leaves the dump" \
	"$(ip netns exec h2 $FTCTL -j vm list 2>&1)"

# Unprivileged: reading types is fine, VMs and events are admin only.
tap_check "unprivileged ftctl types works" $NOBODY $FTCTL types
for cmd in "vm list" "vm show 1" "monitor --count 1"; do
	out=$(ip netns exec h2 $NOBODY timeout 10 $FTCTL $cmd 2>&1); rc=$?
	if [ $rc -eq 1 ] && grep -q "permission denied" <<< "$out"; then
		tap_ok "unprivileged ftctl $cmd refused"
	else
		tap_fail "unprivileged ftctl $cmd refused (exit $rc)"; tap_diag "$out"
	fi
done

# Events: created/destroyed in order, consecutive sequence numbers, and
# nothing from another host.
ip netns exec h1 $FTCTL -j monitor --count 4 --ready-file "$tmp/ready1" > "$tmp/ev1" 2> "$tmp/err1" &
mon1=$!
ip netns exec h2 $FTCTL -j monitor --count 1 --ready-file "$tmp/ready2" > "$tmp/ev2" 2> "$tmp/err2" &
mon2=$!
if wait_for_file "$tmp/ready1" && wait_for_file "$tmp/ready2"; then
	vm_hold ev-one h1; p1=$HOLD_PID
	vm_hold ev-two h1; p2=$HOLD_PID
	vm_release "$p1"
	vm_release "$p2"
	vm_hold probe h2; p3=$HOLD_PID
	timeout 20 tail --pid=$mon1 -f /dev/null
	timeout 20 tail --pid=$mon2 -f /dev/null
	vm_release "$p3"
	json_check '[(e["event"], e["vm"]["name"]) for e in j] == [("vm-created", "ev-one"), ("vm-created", "ev-two"), ("vm-destroyed", "ev-one"), ("vm-destroyed", "ev-two")]' \
		"ftctl monitor: create and destroy events in order" "[$(paste -sd, "$tmp/ev1")]"
	json_check 'all(b["seq"] == a["seq"] + 1 and b["timestamp_ns"] >= a["timestamp_ns"] for a, b in zip(j, j[1:]))' \
		"events carry consecutive sequence numbers and ordered timestamps" "[$(paste -sd, "$tmp/ev1")]"
	json_check '[(e["event"], e["vm"]["name"]) for e in j] == [("vm-created", "probe")]' \
		"another host's monitor sees only its own events" "[$(paste -sd, "$tmp/ev2")]"
else
	tap_fail "ftctl monitor subscribes"; tap_diag "$(cat "$tmp/err1" "$tmp/err2")"
fi
kill "$mon1" "$mon2" 2>/dev/null
wait "$mon1" "$mon2" 2>/dev/null

# Tracepoints for the VM lifecycle.
T=/sys/kernel/tracing
if [ -d $T/events/ftmigrate ]; then
	echo > $T/trace
	echo 1 > $T/events/ftmigrate/enable
	vm_hold traced; vm_release "$HOLD_PID"
	echo 0 > $T/events/ftmigrate/enable
	if grep -q "ftm_vm_create:.*name=traced" $T/trace && grep -q "ftm_vm_destroy:.*name=traced" $T/trace; then
		tap_ok "tracepoints ftm_vm_create and ftm_vm_destroy fire"
	else
		tap_fail "tracepoints ftm_vm_create and ftm_vm_destroy fire"; tap_diag "$(tail -5 $T/trace)"
	fi
else
	tap_fail "tracepoints registered under events/ftmigrate"
fi

vm_release "$alpha"
vm_release "$gamma"
hosts_cleanup
tap_check "module unloads" ftm_unload
rm -rf "$tmp"
tap_done
