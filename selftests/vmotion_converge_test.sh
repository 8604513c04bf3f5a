#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# VMotion of a guest that dirties memory (memtouch: a 4 MiB working set, at
# a few rates) under a 2 MB/s bandwidth cap and the default 300 ms downtime
# limit.  Each migration:
#
#  - completes, with the RAM hash at stun equal to the hash at resume (the
#    pages dirtied in the last pre-copy round arrive too), and the guest
#    running on the destination;
#  - converges: its last pre-copy round expects a downtime within the limit,
#    before the round limit forces the stun;
#  - throttles only when it needs to: a slow writer converges with the
#    throttle at 0, one near the link's speed may need it;
#  - a writer that goes flat out (every round dirties the whole working
#    set) makes the auto-converge throttle rise round after round in the
#    progress events.  Whether that is enough depends on the machine: on
#    Debian's kernel under TCG even 99% leaves the guest dirtying its
#    working set (most likely because leaving the guest at the end of a 1%
#    slice takes longer than the slice; not measured), so pre-copy stops at
#    its 30-round limit and the stun carries the rest; on the slower debug
#    kernel it converges after a few steps.  Either is a correct end: the
#    test asserts the throttle rose and one of the two, with the RAM
#    hashes equal;
#  - reports the measured downtime in its final event.
set -u
cd "$(dirname "$0")/.."
. selftests/lib.sh
. selftests/ftm_lib.sh
. selftests/vmx_lib.sh
. selftests/vmotion_lib.sh
vmotion_setup 7475 mt0 memtouch.bin "ws_start_kib=2048 ws_kib=4096 rate=0 passes=0" memory=8M

BW=2M
DOWNTIME=300

# converge RATE THROTTLE: no (it converges with the throttle at 0), any (it
# converges), ceiling (the throttle rises; it converges, or reaches 99%
# and the round limit ends pre-copy)
converge() {
	_rate=$1 _throttle=$2
	_verdict=converged
	[ "$_throttle" = ceiling ] && _verdict="throttled: converged, or stunned at the round limit"
	vmx_config "$T/base.cfg" mt$_rate memtouch.bin \
		"ws_start_kib=2048 ws_kib=4096 rate=$_rate passes=0" memory=8M
	VM_NAME=mt$_rate
	start_vm ha src$_rate
	_src=$VMX_PID
	vmx_wait_lines "$T/src$_rate.serial" 1 60 || tap_diag "memtouch rate=$_rate: no output"
	sleep 2
	start_incoming hb dst$_rate || tap_diag "no incoming VM on hb"
	_dst=$VMX_PID
	migrate ha hb --bandwidth $BW --downtime $DOWNTIME
	_rc=$?
	get_outcome
	_hs=$(sed -n 's/^ram-hash-at-stun=//p' "$T/src$_rate.out")
	_hr=$(sed -n 's/^ram-hash-at-resume=//p' "$T/dst$_rate.out")
	sleep 2
	[ $_rc = 0 ] && [ "$out" = completed ] && [ -n "$_hs" ] && [ "$_hs" = "$_hr" ] &&
		kill -0 $_dst 2>/dev/null &&
		tap_ok "rate $_rate: completed, RAM hashes equal, the guest runs on hb" ||
		{ tap_fail "rate $_rate: exit $_rc, $out $err, hashes $_hs / $_hr"; diag_run; }
	if _why=$(python3 - "$T/mig.json" $DOWNTIME "$_throttle" <<'PY'
import json, sys
r = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
limit, need = int(sys.argv[2]), sys.argv[3]
pre = [x["migration"] for x in r if x["event"] == "progress" and x["migration"]["state"] == "precopy"]
res = [x for x in r if x["event"] == "result"][-1]["migration"]
thr = [p["throttle"] for p in pre]
exp = [p["expected_downtime_ms"] for p in pre]
info = "%d rounds, expected downtime %s ms, throttle %s, measured downtime %s ms" % (
    len(pre), exp, thr, res.get("downtime_ms_measured"))
print(info)
ok = res.get("downtime_ms_measured", 0) > 0
ok = ok and all(a <= b for a, b in zip(thr, thr[1:]))
converged = bool(pre) and exp[-1] <= limit and len(pre) < 30
if need == "ceiling":
    # The throttle rose; it converged, or reached 99% and the round limit
    # forced the stun.
    ok = ok and bool(pre) and thr[-1] > 0 and (
        converged or (len(pre) == 30 and thr[-1] == 99))
else:
    ok = ok and converged
if need == "no":
    ok = ok and max(thr) == 0
sys.exit(0 if ok else 1)
PY
	); then
		tap_ok "rate $_rate: $_verdict ($_why)"
	else
		tap_fail "rate $_rate: $_verdict ($_why)"
	fi
	kill -KILL $_dst 2>/dev/null
	wait $_src $_dst 2>/dev/null
}

converge 40 no
converge 400 any
converge 0 ceiling
tap_done
