#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# VMotion when the network goes away mid-copy: a counter guest moves from
# host ha to host hb under a tight bandwidth cap (8 KB/s, so that pre-copy lasts), and
# the link between them is cut:
#
#  - the veth taken down;
#  - 100% loss (netem) on the source's side.
#
# Each ends failed, peer-lost, within the peer-silence time (10 s, plus a
# frame of pacing and some slack), with the VM running on the source and
# only there, and the destination's incoming vmx powered off; then the link
# comes back and the next migration works.
set -u
cd "$(dirname "$0")/.."
. selftests/lib.sh
. selftests/ftm_lib.sh
. selftests/vmx_lib.sh
. selftests/vmotion_lib.sh
vmotion_setup 7474

SILENCE_MAX_MS=${FTM_PEER_SILENCE_MAX_MS:-20000}

start_vm ha src
src=$VMX_PID
live=$T/src.serial
vmx_wait_lines "$live" 20 60 && tap_ok "counter runs on ha" || tap_fail "counter runs on ha"

# cut TAG WHAT CUT-COMMAND... / HEAL-COMMAND...: a migration cut mid-copy.
cut_test() {
	_tag=$1 _what=$2 _cut=$3 _heal=$4
	start_incoming hb "$_tag" || tap_diag "no incoming VM on hb"
	_dst=$VMX_PID
	migrate_bg ha hb --bandwidth 8K
	wait_state "$T/mig.json" precopy || tap_diag "no precopy state seen"
	sleep 0.5
	eval "$_cut"
	_t0=$(date +%s%N)
	wait $MIG_PID
	_rc=$?
	_t1=$(date +%s%N)
	_ms=$(((_t1 - _t0) / 1000000))
	get_outcome
	[ $_rc = 1 ] && [ "$out $err" = "failed peer-lost" ] && [ $_ms -le $SILENCE_MAX_MS ] &&
		runs_on "$live" && [ ! -s "$T/$_tag.serial" ] &&
		tap_ok "$_what mid-copy: failed, peer-lost, after $_ms ms; the source runs" ||
		{ tap_fail "$_what mid-copy: exit $_rc, $out $err after $_ms ms"; diag_run; }
	powered_off $_dst "$_tag" &&
		tap_ok "$_what: the destination powers off ($(show_state hb $ID))" ||
		tap_fail "$_what: the destination powers off (status $VMX_STATUS, $(show_state hb $ID))"
	eval "$_heal"
}

cut_test down "link down" \
	"ip -n ha link set to-hb down" \
	"ip -n ha link set to-hb up"
cut_test loss "100% loss" \
	"ip netns exec ha tc qdisc add dev to-hb root netem loss 100%" \
	"ip netns exec ha tc qdisc del dev to-hb root"

# The link is back: the VM moves.
start_incoming hb after || tap_diag "no incoming VM on hb"
dst=$VMX_PID
migrate ha hb
rc=$?
get_outcome
n=$(wc -l <"$T/after.serial" 2>/dev/null || echo 0)
[ $rc = 0 ] && [ "$out" = completed ] && vmx_wait_lines "$T/after.serial" $((n + 10)) 30 &&
	tap_ok "with the link back, the VM moves to hb" ||
	{ tap_fail "with the link back: exit $rc, $out $err"; diag_run; }
if err=$(vmx_sequence_ok "$T/src.serial" "$T/after.serial"); then
	tap_ok "the counter's output, ha then hb, has no gap and no duplicate"
else
	tap_fail "the counter's output, ha then hb: $err"
fi
tap_done
