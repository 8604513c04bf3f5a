#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# VMotion with a process killed (SIGKILL) half-way: a counter guest moves
# from host ha to host hb.
#
#  - the destination vmx killed during pre-copy, and while its state loads
#    (it is SIGSTOPped first, so that the load waits for it): the migration
#    fails, the VM runs on the source and only there;
#  - the orchestrator (the `ftctl migrate` process) killed during pre-copy:
#    the migration is the kernel's, it carries on and completes, and
#    `ftctl migration show` reads its outcome afterwards;
#  - the source vmx killed during pre-copy: failed, vm-lost, and the
#    destination powers its incoming copy off.  Nothing runs afterwards, and
#    that is right only because the VM's own process is gone: there is no
#    copy left that could run without losing what the guest did since the
#    last page was sent.
set -u
cd "$(dirname "$0")/.."
. selftests/lib.sh
. selftests/ftm_lib.sh
. selftests/vmx_lib.sh
. selftests/vmotion_lib.sh
vmotion_setup 7473

start_vm ha src
src=$VMX_PID
live=$T/src.serial
vmx_wait_lines "$live" 20 60 && tap_ok "counter runs on ha" || tap_fail "counter runs on ha"

# --- the destination vmx killed in pre-copy ------------------------------------
start_incoming hb killed || tap_diag "no incoming VM on hb"
dst=$VMX_PID
migrate_bg ha hb --bandwidth 20K
wait_state "$T/mig.json" precopy || tap_diag "no precopy state seen"
kill -KILL $dst
t0=$(date +%s%N)
wait $MIG_PID
rc=$?
t1=$(date +%s%N)
wait $dst 2>/dev/null
get_outcome
[ $rc = 1 ] && [ "$out" = failed ] && runs_on "$live" && [ ! -s "$T/killed.serial" ] &&
	tap_ok "destination vmx killed in pre-copy: failed ($err) in $(((t1 - t0) / 1000000)) ms; the source runs" ||
	{ tap_fail "destination vmx killed in pre-copy: exit $rc, $out $err"; diag_run; }
st=$(show_state hb $ID)
[ "$st" = "failed vm-lost" ] && tap_ok "hb: failed, vm-lost" || tap_fail "hb: $st"

# --- the destination vmx killed while its state loads ---------------------------
start_incoming hb load || tap_diag "no incoming VM on hb"
dst=$VMX_PID
# Pages go straight into its memory: the vmx is needed only from the load on.
kill -STOP $dst
migrate_bg ha hb
wait_state "$T/mig.json" stunned 30 || tap_diag "no stunned state seen"
sleep 2
kill -KILL $dst
wait $MIG_PID
rc=$?
wait $dst 2>/dev/null
get_outcome
[ $rc = 1 ] && [ "$out" = failed ] && runs_on "$live" && [ ! -s "$T/load.serial" ] &&
	tap_ok "destination vmx killed at state load: failed ($err); the source runs again" ||
	{ tap_fail "destination vmx killed at state load: exit $rc, $out $err"; diag_run; }
st=$(show_state hb $ID)
[ "$st" = "failed vm-lost" ] && tap_ok "hb: failed, vm-lost" || tap_fail "hb: $st"

# --- the orchestrator killed in pre-copy -----------------------------------------
start_incoming hb orphan || tap_diag "no incoming VM on hb"
dst=$VMX_PID
migrate_bg ha hb --bandwidth 8K
wait_state "$T/mig.json" precopy || tap_diag "no precopy state seen"
kill -KILL $MIG_PID
wait $MIG_PID 2>/dev/null
sleep 1
st=$(show_state ha $ID)
case $st in precopy*) tap_ok "ftctl migrate killed: the migration goes on ($st)" ;;
*) tap_fail "ftctl migrate killed: the migration goes on ($st)" ;; esac
# Still the orchestrator's to steer: lift the cap so that it converges.
ip netns exec ha "$FTCTL" migration set $ID --bandwidth 0 >/dev/null ||
	tap_diag "migration set failed"
for _ in $(seq 600); do
	case $(show_state ha $ID) in completed* | failed* | cancelled*) break ;; esac
	sleep 0.1
done
st="$(show_state ha $ID) / $(show_state hb $ID)"
n=$(wc -l <"$T/orphan.serial" 2>/dev/null || echo 0)
[ "$st" = "completed none / completed none" ] && vmx_wait_exit $src 20 &&
	vmx_wait_lines "$T/orphan.serial" $((n + 10)) 30 &&
	tap_ok "without its orchestrator the migration completes; migration show says so" ||
	tap_fail "without its orchestrator: $st (source vmx status $VMX_STATUS)"
if err=$(vmx_sequence_ok "$T/src.serial" "$T/orphan.serial"); then
	tap_ok "the counter's output, ha then hb, has no gap and no duplicate"
else
	tap_fail "the counter's output, ha then hb: $err"
fi

# --- the source vmx killed in pre-copy (the VM is on hb now) -----------------------
src=$dst
start_incoming ha back || tap_diag "no incoming VM on ha"
dst=$VMX_PID
migrate_bg hb ha --bandwidth 20K
wait_state "$T/mig.json" precopy || tap_diag "no precopy state seen"
kill -KILL $src
t0=$(date +%s%N)
wait $MIG_PID
rc=$?
t1=$(date +%s%N)
wait $src 2>/dev/null
get_outcome
[ $rc = 1 ] && [ "$out $err" = "failed vm-lost" ] &&
	tap_ok "source vmx killed in pre-copy: failed, vm-lost, in $(((t1 - t0) / 1000000)) ms" ||
	{ tap_fail "source vmx killed in pre-copy: exit $rc, $out $err"; diag_run; }
powered_off $dst back && [ ! -s "$T/back.serial" ] &&
	tap_ok "the destination powers its incoming copy off: nothing runs (the VM's process is gone)" ||
	tap_fail "the destination powers its incoming copy off (status $VMX_STATUS)"
st=$(show_state ha $ID)
case $st in failed*) tap_ok "ha: $st" ;; *) tap_fail "ha: $st" ;; esac
tap_done
