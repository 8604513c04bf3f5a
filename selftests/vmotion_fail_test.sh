#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# VMotion cancelled in every state: a counter guest on host ha, the
# destination on hb.  Before the point of no return a cancel ends the
# migration "cancelled" (never "failed"), on both hosts, with the VM running
# on the source and only there, and the destination's incoming vmx powered
# off; a second cancel is accepted and changes nothing.  After it, a cancel
# answers EALREADY and the migration completes.
#
#  - after Begin only, and with the destination Prepared (the steps one by
#    one, as an orchestrator drives them);
#  - while connecting (100% loss holds the SYNs back);
#  - during a bandwidth-capped pre-copy;
#  - stunned, waiting for a stalled destination (its vmx SIGSTOPped, so
#    that its state load waits);
#  - in handover: COMMIT sent, the destination waiting for its Finish.
set -u
cd "$(dirname "$0")/.."
. selftests/lib.sh
. selftests/ftm_lib.sh
. selftests/vmx_lib.sh
. selftests/vmotion_lib.sh
vmotion_setup 7472

start_vm ha src
src=$VMX_PID
live=$T/src.serial
vmx_wait_lines "$live" 20 60 && tap_ok "counter runs on ha" || tap_fail "counter runs on ha"

# only_source [TAG]: the VM runs on ha, and the incoming copy TAG on hb
# never ran (its serial log, appended to from the first instruction on,
# stays empty).
only_source() {
	runs_on "$live" && [ ! -s "$T/${1:-none}.serial" ]
}

# --- after Begin only ---------------------------------------------------------
ID=$((ID + 1))
begin ha $ID || tap_fail "begin"
cancel ha $ID && c1=ok || c1=$?
cancel ha $ID && c2=ok || c2=$?
st=$(show_state ha $ID)
[ $c1 = ok ] && [ $c2 = ok ] && [ "$st" = "cancelled none" ] && only_source &&
	tap_ok "cancel after Begin: cancelled, twice; the source runs" ||
	tap_fail "cancel after Begin: cancel $c1 then $c2, $st"

# --- Prepared on the destination ----------------------------------------------
start_incoming hb prep || tap_diag "no incoming VM on hb"
dst=$VMX_PID
ID=$((ID + 1))
begin ha $ID || tap_fail "begin"
ip netns exec hb "$FTCTL" migration prepare --id $ID --cookie "$COOKIE" >/dev/null ||
	tap_fail "prepare"
st=$(show_state hb $ID)
[ "$st" = "prepared none" ] || tap_diag "hb: $st"
cancel hb $ID && cancel hb $ID && cancel ha $ID && c1=ok || c1=$?
st="$(show_state ha $ID) / $(show_state hb $ID)"
[ $c1 = ok ] && [ "$st" = "cancelled none / cancelled none" ] &&
	tap_ok "cancel when Prepared: cancelled on both hosts" ||
	tap_fail "cancel when Prepared: cancel $c1, $st"
powered_off $dst prep && only_source prep &&
	tap_ok "the Prepared incoming vmx powers off; the source runs" ||
	tap_fail "the Prepared incoming vmx powers off (status $VMX_STATUS); the source runs"

# --- connecting -----------------------------------------------------------------
start_incoming hb conn || tap_diag "no incoming VM on hb"
dst=$VMX_PID
# A permanent neighbour entry, so that the lost ARP requests do not end the
# connect first (EHOSTUNREACH): the SYNs are lost until the connect timeout.
mac=$(ip -n hb -br link show to-ha | awk '{ print $3 }')
ip -n ha neigh replace "${ADDR[hb]}" lladdr "$mac" dev to-hb nud permanent
ip netns exec ha tc qdisc add dev to-hb root netem loss 100%
migrate_bg ha hb
wait_state "$T/mig.json" connecting || tap_diag "no connecting state seen"
t0=$(date +%s%N)
cancel ha $ID && cancel ha $ID && c1=ok || c1=$?
wait $MIG_PID
rc=$?
t1=$(date +%s%N)
ip netns exec ha tc qdisc del dev to-hb root
ip -n ha neigh del "${ADDR[hb]}" dev to-hb
get_outcome
[ $c1 = ok ] && [ $rc = 3 ] && [ "$out $err" = "cancelled none" ] && only_source conn &&
	tap_ok "cancel while connecting: cancelled (exit 3) in $(((t1 - t0) / 1000000)) ms; the source runs" ||
	{ tap_fail "cancel while connecting: cancel $c1, exit $rc, $out $err"; diag_run; }
# The destination never heard of it: its vmx still waits, and nothing ran.
st=$(show_state hb $ID)
kill -0 $dst 2>/dev/null && [ ! -s "$T/conn.serial" ] && [ "$st" = "none none" ] &&
	tap_ok "the destination never saw the migration; its vmx waits, unstarted" ||
	tap_fail "the destination never saw the migration ($st)"
kill -KILL $dst 2>/dev/null
wait $dst 2>/dev/null

# --- pre-copy, bandwidth-capped -------------------------------------------------
start_incoming hb cancel || tap_diag "no incoming VM on hb"
dst=$VMX_PID
migrate_bg ha hb --bandwidth 20K
wait_state "$T/mig.json" precopy || tap_diag "no precopy state seen"
cancel ha $ID && c1=ok || c1=$?
cancel ha $ID && c2=ok || c2=$?
[ $c1 = ok ] && [ $c2 = ok ] && tap_ok "cancel is idempotent" ||
	tap_fail "cancel is idempotent (exit $c1, then $c2)"
wait $MIG_PID
rc=$?
get_outcome
[ $rc = 3 ] && [ "$out $err" = "cancelled none" ] && only_source cancel &&
	tap_ok "cancel in pre-copy: cancelled (exit 3); the source runs" ||
	{ tap_fail "cancel in pre-copy: exit $rc, $out $err"; diag_run; }
powered_off $dst cancel && st=$(show_state hb $ID) && [ "$st" = "cancelled none" ] &&
	tap_ok "the destination vmx powers off after the cancel; hb says cancelled" ||
	tap_fail "the destination vmx powers off after the cancel (status $VMX_STATUS, hb: $(show_state hb $ID))"

# --- stunned, the destination stalled --------------------------------------------
start_incoming hb stun || tap_diag "no incoming VM on hb"
dst=$VMX_PID
# Pages go straight into its memory: the vmx is needed only from the load on.
kill -STOP $dst
migrate_bg ha hb
wait_state "$T/mig.json" stunned 30 || tap_diag "no stunned state seen"
sleep 1
cancel ha $ID && c1=ok || c1=$?
cancel ha $ID && c2=ok || c2=$?
wait $MIG_PID
rc=$?
get_outcome
kill -CONT $dst
[ $c1 = ok ] && [ $c2 = ok ] && [ $rc = 3 ] && [ "$out $err" = "cancelled none" ] &&
	only_source stun &&
	tap_ok "cancel while stunned: cancelled (exit 3); the source runs again" ||
	{ tap_fail "cancel while stunned: cancel $c1 $c2, exit $rc, $out $err"; diag_run; }
powered_off $dst stun && st=$(show_state hb $ID) && [ "$st" = "cancelled none" ] &&
	tap_ok "the stalled destination powers off once it goes on; hb says cancelled" ||
	tap_fail "the stalled destination powers off (status $VMX_STATUS, hb: $(show_state hb $ID))"

# --- past the point of no return ---------------------------------------------------
# Prepared by the orchestrator, the destination waits for Finish after COMMIT:
# the source sits in handover meanwhile.
start_incoming hb commit || tap_diag "no incoming VM on hb"
dst=$VMX_PID
ID=$((ID + 1))
begin ha $ID || tap_fail "begin"
ip netns exec hb "$FTCTL" migration prepare --id $ID --cookie "$COOKIE" >/dev/null ||
	tap_fail "prepare"
ip netns exec ha "$FTCTL" migration perform --id $ID --to "${ADDR[hb]}:$PORT" >/dev/null ||
	tap_fail "perform"
for _ in $(seq 300); do
	[ "$(show_state ha $ID)" = "handover none" ] && break
	sleep 0.1
done
cancel ha $ID && c1=ok || c1=$?
grep -q "point of no return" "$T/cancel.txt" || c1="$c1 ($(cat "$T/cancel.txt"))"
cancel hb $ID && c2=ok || c2=$?
ip netns exec hb "$FTCTL" migration finish $ID >/dev/null || tap_diag "finish failed"
for _ in $(seq 300); do
	case $(show_state ha $ID) in handover*) sleep 0.1 ;; *) break ;; esac
done
st="$(show_state ha $ID) / $(show_state hb $ID)"
[ "$c1" = 1 ] && [ "$c2" = 1 ] && [ "$st" = "completed none / completed none" ] &&
	tap_ok "cancel in handover: EALREADY on both hosts; the migration completes" ||
	tap_fail "cancel in handover: exit $c1 and $c2, $st"
n=$(wc -l <"$T/commit.serial" 2>/dev/null || echo 0)
vmx_wait_exit $src 20 && grep -q "migrated to another host" "$T/src.out" &&
	vmx_wait_lines "$T/commit.serial" $((n + 10)) 30 &&
	tap_ok "the VM runs on hb only; the source vmx exited: migrated" ||
	tap_fail "the VM runs on hb only (source vmx status $VMX_STATUS)"
if err=$(vmx_sequence_ok "$T/src.serial" "$T/commit.serial"); then
	tap_ok "the counter's output, ha then hb, has no gap and no duplicate"
else
	tap_fail "the counter's output, ha then hb: $err"
fi
kill -KILL $dst 2>/dev/null
wait $dst 2>/dev/null
tap_done
