#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The events stream under load: VMs created and destroyed by several vmx
# processes at once still reach a listener in sequence order with no gap;
# a listener that falls behind is told it lost events and sees the gap.
set -u
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/ftm_lib.sh"

ftm_load || { tap_fail "load ftmigrate.ko"; tap_done; exit 1; }
tmp=$(mktemp -d)
host_add ev

# churn N TAG: create and destroy N VMs, one after the other.
churn() {
	ip netns exec ev "$VMHOLD" --churn "$1" "$2"
}

# Four concurrent churners, 25 VMs each: 200 events, fewer than the
# listener's socket buffer holds, so none may be lost.
ip netns exec ev $FTCTL -j monitor --count 200 --ready-file "$tmp/ready" > "$tmp/ev" 2> "$tmp/err" &
mon=$!
if wait_for_file "$tmp/ready"; then
	for t in a b c d; do churn 25 "$t" & done
	wait $(jobs -p | grep -v "^$mon\$") 2>/dev/null
	timeout 30 tail --pid=$mon -f /dev/null
	if python3 - "$tmp/ev" <<'PY'
import json, sys
ev = [json.loads(l) for l in open(sys.argv[1])]
assert len(ev) == 200, len(ev)
seqs = [e["seq"] for e in ev]
assert seqs == list(range(seqs[0], seqs[0] + 200)), seqs
alive = set()
for e in ev:
    n = e["vm"]["name"]
    if e["event"] == "vm-created":
        assert n not in alive, n
        alive.add(n)
    else:
        assert n in alive, n
        alive.remove(n)
assert not alive, alive
PY
	then
		tap_ok "200 events from 4 concurrent vmx churners: consecutive seq, each VM created then destroyed"
	else
		tap_fail "200 events from 4 concurrent vmx churners in order"; tap_diag "$(tail -3 "$tmp/ev") $(cat "$tmp/err")"
	fi
else
	tap_fail "monitor subscribes"
fi
kill $mon 2>/dev/null; wait $mon 2>/dev/null

# A stopped listener overruns its socket buffer: on resuming it reports the
# loss and the sequence gap, and keeps going.
ip netns exec ev $FTCTL -j monitor --ready-file "$tmp/ready2" > "$tmp/ev2" 2> "$tmp/err2" &
mon=$!
if wait_for_file "$tmp/ready2"; then
	kill -STOP $mon
	churn 1000 x
	kill -CONT $mon
	vm_hold after ev && vm_release "$HOLD_PID"
	# Wait for both of its events: created and destroyed.
	for _ in $(seq 100); do
		[ "$(grep -c '"name":"after"' "$tmp/ev2")" -ge 2 ] && break
		sleep 0.2
	done
	if grep -q "events lost: expected seq=" "$tmp/err2"; then
		tap_ok "an overrun listener is told it lost events, by the sequence gap"
	else
		tap_skip "an overrun listener is told it lost events" "the socket buffer held all $(wc -l < "$tmp/ev2") events"
	fi
	if grep -q '"name":"after"' "$tmp/ev2"; then
		tap_ok "the listener keeps receiving after the overrun"
	else
		tap_fail "the listener keeps receiving after the overrun"; tap_diag "$(cat "$tmp/err2")"
	fi
else
	tap_fail "monitor subscribes"
fi
kill $mon 2>/dev/null; wait $mon 2>/dev/null

hosts_cleanup
rm -rf "$tmp"
tap_check "module unloads" ftm_unload
tap_done
