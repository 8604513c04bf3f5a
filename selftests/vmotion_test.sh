#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# VMotion end to end: a counter guest under the reference vmx moves from
# host ha to host hb (network namespaces joined by veth) while it runs.
#
#  - the counter's output, source then destination, has no gap and no
#    duplicate, and the RAM hash at stun on the source equals the hash at
#    resume on the destination;
#  - ftctl migrate reports progress rounds and a completed outcome with a
#    measured downtime; the source vmx exits "migrated";
#  - the VM goes back and forth between ha and hb, FTM_VMOTION_HOPS hops in
#    a row (default 20), over one, two and three TCP data streams in turn;
#  - a wrong secret and a missing destination end with the outcome they
#    should and the VM running on the source, and only there.
#
# Cancels, killed processes and cut links are vmotion_fail*_test.sh;
# convergence under a bandwidth cap is vmotion_converge_test.sh.
# ftm-test-timeout: 600
set -u
cd "$(dirname "$0")/.."
. selftests/lib.sh
. selftests/ftm_lib.sh
. selftests/vmx_lib.sh
. selftests/vmotion_lib.sh

HOPS=${FTM_VMOTION_HOPS:-20}
vmotion_setup 7470

# --- the first hop, looked at closely ----------------------------------------
start_vm ha hop0
src=$VMX_PID
vmx_wait_lines "$T/hop0.serial" 20 60 && tap_ok "counter runs on ha" ||
	tap_fail "counter runs on ha"
start_vm hb hop1 --incoming=$((ID + 1)) --secret-file="$T/secret"
dst=$VMX_PID
incoming_ready hb "$T/hop1.out" && tap_ok "incoming vmx registered on hb" ||
	tap_fail "incoming vmx registered on hb"

if migrate ha hb; then
	tap_ok "ftctl migrate ha -> hb exits 0"
else
	tap_fail "ftctl migrate ha -> hb exits 0 (status $?)"
	sed 's/^/#   /' "$T/mig.err" "$T/mig.json" | tail -20
fi
get_outcome
[ "$out" = completed ] && tap_ok "outcome completed" || tap_fail "outcome $out ($err)"
python3 - "$T/mig.json" <<'EOF' && tap_ok "progress rounds and a measured downtime" || tap_fail "progress rounds and a measured downtime"
import json, sys
r = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
prog = [x for x in r if x["event"] == "progress"]
res = [x for x in r if x["event"] == "result"][-1]["migration"]
assert prog and prog[0]["migration"]["round"] == 1, prog[:1]
assert res["pages_sent"] >= 1024 and res["zero_pages"] > 0, res
assert "downtime_ms_measured" in res and res["total_ms"] >= res["downtime_ms_measured"], res
EOF
vmx_wait_exit "$src" 20 && grep -q "migrated to another host" "$T/hop0.out" &&
	tap_ok "the source vmx exits 0: migrated" ||
	tap_fail "the source vmx exits 0: migrated (status $VMX_STATUS)"
n=$(wc -l <"$T/hop1.serial" 2>/dev/null || echo 0)
vmx_wait_lines "$T/hop1.serial" $((n + 20)) 60 && tap_ok "the counter carries on on hb" ||
	tap_fail "the counter carries on on hb"
h_stun=$(sed -n 's/^ram-hash-at-stun=//p' "$T/hop0.out")
h_resume=$(sed -n 's/^ram-hash-at-resume=//p' "$T/hop1.out")
[ -n "$h_stun" ] && [ "$h_stun" = "$h_resume" ] &&
	tap_ok "RAM hash at stun equals RAM hash at resume ($h_stun)" ||
	tap_fail "RAM hash at stun ($h_stun) equals RAM hash at resume ($h_resume)"
[ -z "$(ip netns exec ha "$FTCTL" vm list | grep counter)" ] &&
	tap_ok "ha no longer has the VM" || tap_fail "ha no longer has the VM"

# --- back and forth -----------------------------------------------------------
cur=hb prev=ha tag=1 ok=1
for i in $(seq 2 "$HOPS"); do
	start_vm $prev hop$i --incoming=$((ID + 1)) --secret-file="$T/secret"
	new=$VMX_PID
	incoming_ready $prev "$T/hop$i.out" || { ok=0; tap_diag "hop $i: no incoming VM"; break; }
	# One, two and three data streams in turn.
	if ! migrate $cur $prev --streams $((i % 3 + 1)) ||
	   [ "$(outcome)" != "completed none" ]; then
		ok=0
		tap_diag "hop $i ($cur -> $prev): $(outcome)"
		sed 's/^/#   /' "$T/mig.err" | tail -5
		break
	fi
	# The destination counts the streams that joined and ended.
	got=$(ip netns exec $prev "$FTCTL" -j migration show $ID |
		python3 -c 'import json, sys; print(json.load(sys.stdin)["streams"])')
	[ "$got" = $((i % 3 + 1)) ] ||
		{ ok=0; tap_diag "hop $i: received on $got streams, not $((i % 3 + 1))"; break; }
	h_stun=$(sed -n 's/^ram-hash-at-stun=//p' "$T/hop$tag.out")
	h_resume=$(sed -n 's/^ram-hash-at-resume=//p' "$T/hop$i.out")
	[ -n "$h_stun" ] && [ "$h_stun" = "$h_resume" ] ||
		{ ok=0; tap_diag "hop $i: hash $h_stun then $h_resume"; break; }
	vmx_wait_lines "$T/hop$i.serial" 5 60 || { ok=0; tap_diag "hop $i: no output"; break; }
	tag=$i
	tmp=$cur cur=$prev prev=$tmp
done
[ $ok = 1 ] && tap_ok "$((HOPS - 1)) more hops between ha and hb, on 1 to 3 streams" ||
	tap_fail "$((HOPS - 1)) more hops between ha and hb, on 1 to 3 streams"
src=$new
n=$(wc -l <"$T/hop$tag.serial")
vmx_wait_lines "$T/hop$tag.serial" $((n + 10)) 60
files=""
for i in $(seq 0 "$tag"); do files="$files $T/hop$i.serial"; done
# shellcheck disable=SC2086 # the list of files
if err=$(vmx_sequence_ok $files); then
	tap_ok "the counter's output over all hops has no gap and no duplicate"
else
	tap_fail "the counter's output over all hops: $err"
fi
# From here on the VM runs on $cur as hop$tag.
live=$T/hop$tag.serial

# still_runs: the VM on $cur produces output.
still_runs() {
	_n=$(wc -l <"$live")
	vmx_wait_lines "$live" $((_n + 10)) 30
}

# --- failures: the VM keeps running on the source ----------------------------
# A destination that does not exist.
migrate $cur $prev --timeout 20
get_outcome
[ "$out" = failed ] && [ "$err" = dest-refused ] && still_runs &&
	tap_ok "no incoming VM: failed, dest-refused; the source runs" ||
	tap_fail "no incoming VM: $out $err"

# A wrong secret on the source's side.
start_vm $prev bad --incoming=$((ID + 1)) --secret-file="$T/wrong"
bad=$VMX_PID
incoming_ready $prev "$T/bad.out"
migrate $cur $prev
get_outcome
[ "$out" = failed ] && [ "$err" = auth-failed ] && still_runs &&
	tap_ok "wrong secret: failed, auth-failed; the source runs" ||
	tap_fail "wrong secret: $out $err"
kill -KILL $bad 2>/dev/null
wait $bad 2>/dev/null

kill -KILL $src 2>/dev/null
wait $src 2>/dev/null
tap_done
