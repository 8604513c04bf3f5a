#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# ftm-test-timeout: 900
#
# FT secondaries made by cloning (type ft, FT VMotion): a counter guest on
# host ha, with a disk on storage every host sees (a tmpfs mounted for the
# test), is cloned to hb with `ftctl ft enable`.
#
#  - the primary's output goes on with no gap and no duplicate across the
#    clone; the secondary stays stopped and emits nothing; its RAM hash at
#    the clone point equals the primary's at stun; `ftctl ft status` shows
#    the pair on both hosts with their roles and states;
#  - a partition, the primary acting first: the primary takes the fence and
#    stays live; the secondary's failover is refused by the fence and it is
#    powered off: one copy runs;
#  - the primary dies: the secondary's failover wins the fence and the
#    guest goes on from the clone point (the RAM hash at go-live is the one
#    at the clone, and the count carries on from a value the primary
#    printed); a second failover is refused;
#  - FTCheck refusals with their typed reasons: a disk that is a copy on
#    other storage (the destination vmx in a mount namespace of its own),
#    a config that describes another VM, a host without a fence directory,
#    and a fence that is taken already;
#  - cancel and SIGKILL of either vmx during the memory copy: the primary
#    runs on untouched and unpaired, the half-made secondary is gone.
set -u
cd "$(dirname "$0")/.."
. selftests/lib.sh
. selftests/ftm_lib.sh
. selftests/vmx_lib.sh
. selftests/vmotion_lib.sh
vmotion_setup 7476

SHARED=$T/shared
mkdir -p "$SHARED"
mount -t tmpfs -o size=16m ftm-shared "$SHARED" || {
	tap_fail "mount a tmpfs as the shared storage"
	tap_done
	exit 1
}
trap 'hosts_cleanup; umount -l "$SHARED" 2>/dev/null; vmx_cleanup' EXIT
mkdir "$SHARED/fences"
for _h in ha hb; do
	ip netns exec $_h "$FTCTL" listen --fence-dir "$SHARED/fences" ||
		tap_fail "fence directory on $_h"
done
dd if=/dev/urandom of="$SHARED/c1.img" bs=64k count=4 status=none
echo "disk = $SHARED/c1.img" >>"$T/base.cfg"

# ft_status HOST: "role state pair" of the host's VM in a pair, or "none".
ft_status() {
	ip netns exec "$1" "$FTCTL" ft status --json 2>/dev/null | python3 -c '
import json, sys
try:
    v = json.load(sys.stdin)
except ValueError:
    v = []
print(" ".join(str(v[0][k]) for k in ("role", "state", "pair")) if v else "none")'
}

# enable FROM TO FENCE [ARGS...]: ftctl ft enable of the VM with the next id.
enable() {
	ID=$((ID + 1))
	_from=$1 _to=$2 _fence=$3
	shift 3
	ip netns exec "$_from" "$FTCTL" ft enable "$VM_NAME" --type ft \
		--secondary "${ADDR[$_to]}:$PORT" --fence "$_fence" --id $ID \
		--secret-file "$T/secret" --json "$@" >"$T/mig.json" 2>"$T/mig.err"
}

# enable_bg: the same in the background, the ftctl pid in MIG_PID.
enable_bg() {
	enable "$@" &
	MIG_PID=$!
	ID=$((ID + 1))
}

# failover HOST PAIR: ftctl ft failover; its output in fo.txt, its status.
failover() {
	ip netns exec "$1" "$FTCTL" ft failover "$2" >"$T/fo.txt" 2>&1
}

# sequence_from FIRST FILE: the numeric lines of FILE are FIRST, FIRST+1, ...
# (a last line without its newline left out).  Prints what is wrong.
sequence_from() {
	_sf=$VMX_TMP/.from
	cat "$2" >"$_sf"
	if [ -s "$_sf" ] && [ -n "$(tail -c 1 "$_sf")" ]; then
		sed -i '$d' "$_sf"
	fi
	awk -v f="$1" '
		/^[0-9]+$/ { if ($1 != f + n) { printf "line %d: %s, expected %d\n", NR, $1, f + n; exit 1 } n++ }
		END { if (!n) { print "no numbers"; exit 1 } }' "$_sf"
}

# unpaired_source TAG: the VM runs on ha, unpaired, and the copy TAG never ran.
unpaired_source() {
	runs_on "$live" && [ ! -s "$T/$1.serial" ] && [ "$(ft_status ha)" = none ]
}

start_vm ha src
src=$VMX_PID
live=$T/src.serial
vmx_wait_lines "$live" 20 60 && tap_ok "counter with a shared disk runs on ha" ||
	tap_fail "counter runs on ha"

# --- FTCheck refusals ---------------------------------------------------------
# refused TAG PID ERROR DESC: the incoming vmx PID (output TAG) registers on
# hb; ft enable fails with ERROR, the primary runs unpaired, TAG powers off.
refused() {
	incoming_ready hb "$T/$1.out" || tap_diag "no incoming VM on hb"
	enable ha hb "$SHARED/fences/p$((ID + 1))"
	_rc=$?
	get_outcome
	[ $_rc = 1 ] && [ "$out $err" = "failed $3" ] && unpaired_source "$1" &&
		powered_off "$2" "$1" &&
		tap_ok "FTCheck: $4 is refused: $3" ||
		{ tap_fail "FTCheck, $4: exit $_rc, $out $err"; diag_run; }
}

# A copy of the disk on other storage at the same path.
sed "s|^serial = .*|serial = $T/copy.serial|" "$T/base.cfg" >"$T/copy.cfg"
ip netns exec hb unshare -m sh -c '
	cp "$1/c1.img" "$3/c1.copy" && mount -t tmpfs ftm-other "$1" && mkdir "$1/fences" &&
	cp "$3/c1.copy" "$1/c1.img" && exec "$2" --print-hash --ftmigrate=on \
	--incoming=$4 --secret-file="$3/secret" "$3/copy.cfg"' sh \
	"$SHARED" "$VMX" "$T" $((ID + 1)) >"$T/copy.out" 2>&1 &
copy=$!
refused copy $copy storage-not-shared "a copy of the disk on other storage"

# A destination config that describes another VM.
sed -e "s|^serial = .*|serial = $T/other.serial|" \
	-e 's|^args = .*|args = "count=1000 interval_us=3000"|' "$T/base.cfg" >"$T/other.cfg"
ip netns exec hb "$VMX" --print-hash --ftmigrate=on --incoming=$((ID + 1)) \
	--secret-file="$T/secret" "$T/other.cfg" >"$T/other.out" 2>&1 &
other=$!
refused other $other config-mismatch "a config that describes another VM"

# A host without a fence directory takes no secondaries.
ip netns exec hb "$FTCTL" listen --fence-dir "" || tap_fail "clear hb's fence directory"
start_incoming hb nofence || tap_diag "no incoming VM on hb"
refused nofence $VMX_PID dest-refused "a fence outside a host without a fence directory"
ip netns exec hb "$FTCTL" listen --fence-dir "$SHARED/fences" || tap_fail "fence dir on hb"

# A fence that is taken already.
touch "$SHARED/fences/taken"
ip netns exec ha "$FTCTL" ft enable "$VM_NAME" --type ft --secondary "${ADDR[hb]}:$PORT" \
	--fence "$SHARED/fences/taken" --id 999 --secret-file "$T/secret" >"$T/taken.txt" 2>&1
rc=$?
[ $rc != 0 ] && grep -q "taken" "$T/taken.txt" && unpaired_source none &&
	tap_ok "Begin refuses a fence that is taken already" ||
	tap_fail "Begin with a taken fence: exit $rc: $(head -c 300 "$T/taken.txt")"

# --- cancel and SIGKILL during the memory copy --------------------------------
# abort_test TAG WHAT ACTION EXPECT: a clone cut during its capped pre-copy.
abort_test() {
	_tag=$1 _what=$2 _action=$3 _expect=$4
	start_incoming hb "$_tag" || tap_diag "no incoming VM on hb"
	_dst=$VMX_PID
	enable_bg ha hb "$SHARED/fences/p$((ID + 1))" --bandwidth 8K
	wait_state "$T/mig.json" precopy || tap_diag "no precopy state seen"
	sleep 0.5
	eval "$_action"
	wait $MIG_PID
	get_outcome
	vmx_wait_exit $_dst 30
	[ "$out $err" = "$_expect" ] && unpaired_source "$_tag" && ! kill -0 $_dst 2>/dev/null &&
		[ "$(ft_status hb)" = none ] &&
		tap_ok "$_what during the memory copy: $_expect; the primary runs unpaired" ||
		{ tap_fail "$_what during the memory copy: $out $err"; diag_run; }
}
abort_test cancel "cancel" 'ip netns exec ha "$FTCTL" migrate cancel $ID >/dev/null' \
	"cancelled none"
abort_test kill "SIGKILL of the secondary's vmx" 'kill -KILL $_dst' "failed vm-lost"

# --- the clone ------------------------------------------------------------------
start_incoming hb sec || tap_diag "no incoming VM on hb"
sec=$VMX_PID
enable ha hb "$SHARED/fences/p$((ID + 1))"
rc=$?
pair=$ID
get_outcome
hs=$(sed -n 's/^ram-hash-at-stun=//p' "$T/src.out" | tail -1)
hc=$(sed -n 's/^ram-hash-at-clone=//p' "$T/sec.out")
[ $rc = 0 ] && [ "$out" = completed ] && [ -n "$hs" ] && [ "$hs" = "$hc" ] &&
	tap_ok "ft enable: completed, the clone's RAM hash is the primary's at stun" ||
	{ tap_fail "ft enable: exit $rc, $out $err, hashes $hs / $hc"; diag_run; }
runs_on "$live" && stopped "$T/sec.serial" && [ ! -s "$T/sec.serial" ] && kill -0 $sec &&
	tap_ok "the primary runs on; the secondary is powered on, stopped, silent" ||
	tap_fail "primary running / secondary stopped"
st="$(ft_status ha) / $(ft_status hb)"
[ "$st" = "primary protected $pair / secondary waiting $pair" ] &&
	tap_ok "ft status: $st" || tap_fail "ft status: $st"
if e=$(vmx_sequence_ok "$live"); then
	tap_ok "the primary's output has no gap and no duplicate across the clone"
else
	tap_fail "the primary's output: $e"
fi
if ip netns exec ha "$FTCTL" migrate "$VM_NAME" --to "${ADDR[hb]}:$PORT" --id 998 \
	--secret-file "$T/secret" >"$T/busy.txt" 2>&1; then
	tap_fail "a protected primary migrated"
else
	tap_ok "a protected primary is not migrated ($(head -c 80 "$T/busy.txt"))"
fi

# --- a partition, the primary first --------------------------------------------
failover ha $pair && st=$(ft_status ha) && [ "$st" = "primary live $pair" ] &&
	tap_ok "the primary takes the fence and stays live" ||
	tap_fail "primary failover: $(cat "$T/fo.txt"), $(ft_status ha)"
failover hb $pair && rc=0 || rc=$?
vmx_wait_exit $sec 30
[ $rc != 0 ] && grep -q "fence is taken" "$T/fo.txt" && [ "$VMX_STATUS" = 1 ] &&
	runs_on "$live" && [ ! -s "$T/sec.serial" ] &&
	tap_ok "the secondary's failover is refused by the fence; it is powered off" ||
	tap_fail "secondary after the primary's claim: exit $rc, $(cat "$T/fo.txt"), vmx $VMX_STATUS"

# --- the primary dies: the secondary goes live from its clone point ------------
start_incoming hb sec2 || tap_diag "no incoming VM on hb"
sec2=$VMX_PID
enable ha hb "$SHARED/fences/p$((ID + 1))"
rc=$?
pair=$ID
get_outcome
[ $rc = 0 ] && [ "$out" = completed ] || { tap_fail "second ft enable: $out $err"; diag_run; }
hs=$(sed -n 's/^ram-hash-at-stun=//p' "$T/src.out" | tail -1)
kill -KILL $src
wait $src 2>/dev/null
failover hb $pair && rc=0 || rc=$?
hr=$(sed -n 's/^ram-hash-at-resume=//p' "$T/sec2.out")
[ $rc = 0 ] && [ "$(ft_status hb)" = "primary live $pair" ] && runs_on "$T/sec2.serial" &&
	[ -n "$hs" ] && [ "$hs" = "$hr" ] &&
	tap_ok "the primary dies: the secondary wins the fence and goes live, RAM hash of the clone point" ||
	tap_fail "failover: exit $rc, $(cat "$T/fo.txt"), $(ft_status hb), hashes $hs / $hr"
# The clone point may fall inside a line: the secondary's first line ends
# the line the primary was printing; its second is the first whole one.
part=$(sed -n 1p "$T/sec2.serial" 2>/dev/null)
first=$(sed -n 2p "$T/sec2.serial" 2>/dev/null)
sed 1d "$T/sec2.serial" >"$T/sec2.whole"
e=
if [ -n "$first" ] && [ -z "${first//[0-9]/}" ] && grep -qx "$first" "$live" &&
	case $((first - 1)) in *"$part") true ;; *) false ;; esac &&
	e=$(sequence_from "$first" "$T/sec2.whole"); then
	tap_ok "the count goes on from the clone point (\"$part\" ends $((first - 1)), then $first, as the primary printed)"
else
	tap_fail "the secondary's output from the clone point: \"$part\", then $first: $e"
fi
if failover hb $pair; then
	tap_fail "a second failover went through"
else
	tap_ok "a second failover is refused ($(head -c 60 "$T/fo.txt"))"
fi

# --- SIGKILL of the primary's vmx during the memory copy -----------------------
VM_NAME=$(sed -n 's/^name = //p' "$T/base.cfg")
start_vm ha src3
src=$VMX_PID
live=$T/src3.serial
vmx_wait_lines "$live" 20 60 || tap_diag "no counter on ha"
start_incoming hb half || tap_diag "no incoming VM on hb"
half=$VMX_PID
enable_bg ha hb "$SHARED/fences/p$((ID + 1))" --bandwidth 8K
wait_state "$T/mig.json" precopy || tap_diag "no precopy state seen"
sleep 0.5
kill -KILL $src
wait $MIG_PID
get_outcome
powered_off $half half && [ "$out $err" = "failed vm-lost" ] && [ ! -s "$T/half.serial" ] &&
	tap_ok "SIGKILL of the primary's vmx during the copy: failed vm-lost, the half-made secondary is destroyed" ||
	{ tap_fail "SIGKILL of the primary during the copy: $out $err, vmx $VMX_STATUS"; diag_run; }
tap_done
