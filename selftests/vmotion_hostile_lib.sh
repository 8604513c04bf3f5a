#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# A hostile source against a destination's listener, in two parts that
# run as two test programs (the cases take minutes under TCG):
#   PART=frames   vmotion_hostile_frames_test.sh: authentication, PREPARE
#                 and malformed frames;
#   PART=streams  vmotion_hostile_streams_test.sh: the page, state and
#                 data-stream rules, orchestrated Prepare, a hijacking
#                 second source and unprivileged users.
# Both run the control case and the checks at the end.
#
# Two hosts (network
# namespaces) joined by veth: host hb has the listener and, for each case,
# a fresh incoming VM (selftests/vmincoming); host ha runs
# selftests/ftm_peer.py, which speaks the wire format and then misbehaves in
# one way per case.  For every case:
#
#  - the peer sees the reaction the destination must have (an ERROR frame
#    with the right code, or the connection closed; never READY);
#  - a case that got past PREPARE created a migration: the incoming VM is
#    told to power off (vmincoming exits 3) and migration-get shows the
#    migration failed with the right error;
#  - a case refused before (authentication, garbage, a bad cookie, a bad
#    frame before PREPARE) leaves the VM registered and untouched and
#    creates no migration.
#
# A well-behaved run of the same peer (case "good", over one TCP stream and
# over two) is the control: it must complete and the destination's memory
# must hash to what the peer sent.
# Also: listener-set and migration-get are refused to an unprivileged user,
# and host ha sees none of hb's migrations.
set -u
case ${PART:-} in
frames|streams) ;;
*) echo "vmotion_hostile_lib.sh: PART must be frames or streams" >&2; exit 2 ;;
esac
# part PART: is this the part that runs the cases that follow?
part() { [ "$PART" = "$1" ]; }
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/ftm_lib.sh"

SPEC=Documentation/netlink/specs/ftmigrate.yaml
YNL=build/ynl/tools/net/ynl/cli.py
SCHEMA=build/ynl/Documentation/netlink/genetlink.yaml
PEER=selftests/ftm_peer.py
VMINCOMING=selftests/vmincoming
NOBODY="setpriv --reuid=65534 --regid=65534 --clear-groups --inh-caps=-all --bounding-set=-all"

if [ ! -f "$YNL" ]; then
	echo "1..0 # SKIP the kernel's YNL tools are not unpacked (scripts/ynl-tools.sh)"
	exit 0
fi
if [ ! -x "$VMINCOMING" ]; then
	echo "1..0 # SKIP $VMINCOMING is not built (make selftests)"
	exit 0
fi

tmp=$(mktemp -d)

# ynl_in HOST ARGS...: the YNL CLI in host HOST.
ynl_in() {
	_h=$1
	shift
	ip netns exec "$_h" python3 "$YNL" --spec "$SPEC" --schema "$SCHEMA" --output-json "$@"
}

ftm_load || { tap_fail "load ftmigrate.ko"; tap_done; exit 1; }
mark=$(klog_mark)

host_add ha
host_add hb
hosts_link ha hb 10.77.0.1 10.77.0.2
# After host_add, which installs hosts_cleanup as the EXIT trap.
trap 'hosts_cleanup; rm -rf "$tmp"' EXIT
ADDR=10.77.0.2
PORT=7470
addr_be=$(( (10 << 24) | (77 << 16) | 2 ))

out=$(ynl_in hb --do listener-set --json "{\"addr\": $addr_be, \"port\": $PORT}" 2>&1)
rc=$?
got=$(ynl_in hb --do listener-get 2>&1)
if [ $rc -eq 0 ] && python3 -c '
import json, sys
j = json.loads(sys.argv[1])
assert j["port"] == int(sys.argv[2]) and str(j["addr"]) == sys.argv[3], j
' "$got" "$PORT" "$ADDR" 2>/dev/null; then
	tap_ok "listener on hb at $ADDR:$PORT (YNL listener-set, big-endian address and port)"
else
	tap_fail "listener on hb at $ADDR:$PORT"; tap_diag "$out"; tap_diag "$got"
	tap_done; exit 1
fi

head -c 32 /dev/urandom > "$tmp/secret"
printf 'name = "hostile"\nmemory = 64K\n' > "$tmp/config"
MEM=65536
UUID=6f1c2a9e4b7d4e21a0c35d8e9f102b47

# One line per case for the migration-get check at the end:
#   ID|STATE|ERROR|MESSAGE SUBSTRING|DESCRIPTION
# STATE "absent" means no migration may exist for ID.
: > "$tmp/expect"
# The VMs that must still be registered at the end, by name.
kept_vms=
kept_pids=

# vm_start ID: an incoming VM for migration ID on hb; sets VM_PID.
vm_start() {
	ip netns exec hb "$VMINCOMING" --name "hostile-$1" --uuid "$UUID" --mem "$MEM" \
		--incoming "$1" --secret-file "$tmp/secret" --config "$tmp/config" \
		--ready-file "$tmp/ready.$1" > "$tmp/vm.$1" 2>&1 &
	VM_PID=$!
	wait_for_file "$tmp/ready.$1"
}

# peer DESC ID EXPECT PEER_ARGS...: run the peer from ha against migration
# ID and report whether the destination reacted as EXPECT says.
peer() {
	_pdesc=$1 _pid=$2 _pexp=$3
	shift 3
	_t0=$(date +%s)
	ip netns exec ha timeout 90 python3 "$PEER" --addr "$ADDR" --port "$PORT" \
		--id "$_pid" --secret-file "$tmp/secret" --uuid "$UUID" --mem "$MEM" \
		--config "$tmp/config" --expect "$_pexp" "$@" > "$tmp/peer.$_pid" 2>&1
	_rc=$?
	_secs=$(($(date +%s) - _t0))
	if [ $_rc -eq 0 ]; then
		tap_ok "$_pdesc: peer sees $_pexp ($(sed -n 's/^reaction: //p' "$tmp/peer.$_pid"), ${_secs}s)"
	else
		tap_fail "$_pdesc: peer sees $_pexp"
		sed 's/^/  peer: /' "$tmp/peer.$_pid" | while read -r l; do tap_diag "$l"; done
	fi
}

# vm_untouched DESC ID PID: the VM is alive and was asked nothing.
vm_untouched() {
	if kill -0 "$3" 2>/dev/null && [ "$(wc -l < "$tmp/vm.$2")" -eq 1 ] &&
	   grep -q '^vm-id [0-9]*$' "$tmp/vm.$2"; then
		tap_ok "$1: incoming VM untouched (no request)"
	else
		tap_fail "$1: incoming VM untouched (no request)"
		tap_diag "vmincoming: $(tr '\n' ' ' < "$tmp/vm.$2")"
	fi
}

# vm_powered_off DESC ID PID: the VM was told to power off (exit 3).
vm_powered_off() {
	_i=0
	while kill -0 "$3" 2>/dev/null && [ $_i -lt 100 ]; do
		sleep 0.1; _i=$((_i + 1))
	done
	if kill -0 "$3" 2>/dev/null; then
		tap_fail "$1: incoming VM told to power off"
		tap_diag "vmincoming: $(tr '\n' ' ' < "$tmp/vm.$2")"
		vm_release "$3"
		return
	fi
	wait "$3"; _vrc=$?
	if [ $_vrc -eq 3 ] && grep -qx powered-off "$tmp/vm.$2"; then
		tap_ok "$1: incoming VM told to power off"
	else
		tap_fail "$1: incoming VM told to power off (exit $_vrc)"
		tap_diag "vmincoming: $(tr '\n' ' ' < "$tmp/vm.$2")"
	fi
}

# run_case DESC ID OUTCOME PEER_EXPECT MIG_ERROR MSG -- PEER_ARGS...
#
# OUTCOME: "off" (past PREPARE: the VM must be powered off, the migration
# failed with MIG_ERROR), "kept" (refused before: VM untouched, no
# migration), "resumed" (the control case).
run_case() {
	_desc=$1 _id=$2 _outcome=$3 _pexp=$4 _merr=$5 _msg=$6
	shift 7
	_name=hostile-$_id
	if ! vm_start "$_id"; then
		tap_fail "$_desc: incoming VM registers"
		tap_diag "$(cat "$tmp/vm.$_id")"
		vm_release "$VM_PID"
		return
	fi
	_vm=$VM_PID
	peer "$_desc" "$_id" "$_pexp" "$@"

	case $_outcome in
	off)
		# The destination queued POWER_OFF before closing.
		vm_powered_off "$_desc" "$_id" "$_vm"
		echo "$_id|failed|$_merr|$_msg|$_desc" >> "$tmp/expect"
		;;
	kept)
		vm_untouched "$_desc" "$_id" "$_vm"
		kept_vms="$kept_vms $_name"
		kept_pids="$kept_pids $_vm"
		echo "$_id|absent|||$_desc" >> "$tmp/expect"
		;;
	resumed)
		_sent=$(sed -n 's/^sent memory-fnv1a //p' "$tmp/peer.$_id")
		if grep -q "^state 3072 bytes$" "$tmp/vm.$_id" &&
		   [ -n "$_sent" ] && grep -qx "resumed memory-fnv1a $_sent" "$tmp/vm.$_id"; then
			tap_ok "$_desc: VM loaded the state and resumed with the memory sent"
		else
			tap_fail "$_desc: VM loaded the state and resumed with the memory sent"
			tap_diag "peer sent memory-fnv1a $_sent"
			tap_diag "vmincoming: $(tr '\n' ' ' < "$tmp/vm.$_id")"
		fi
		kept_vms="$kept_vms $_name"
		kept_pids="$kept_pids $_vm"
		echo "$_id|completed|none||$_desc" >> "$tmp/expect"
		;;
	esac
}

#        description                        id  outcome peer expects      migration error  message    -- peer arguments
run_case "good (control)"                   101 resumed resumed           none  ""                  -- --case good

# Refused before any migration exists.
part frames && run_case "wrong secret"                     102 kept error:auth-failed    -  "" -- --case wrong-secret
part frames && run_case "garbage after connect"            103 kept closed               -  "" -- --case garbage
part frames && run_case "silent peer dropped"              104 kept closed               -  "" -- --case silent
part frames && run_case "HELLO for an unknown migration"   105 kept error:dest-refused   -  "" -- --case unknown-id
part frames && run_case "PREPARE: cookie of another VM"    106 kept error:dest-refused   -  "" -- --case prepare-bad-cookie
part frames && run_case "PREPARE: another memory layout"   107 kept error:dest-refused   -  "" -- --case prepare-bad-layout
# The cookie's config SHA-256 is not compared: a destination's config names
# its own host-local paths (serial, disk, control socket).  VMotion checks
# identity and memory layout; FTCheck (FT secondaries) syncs the file.
part frames && run_case "bad magic before PREPARE"         108 kept closed               -  "" -- --case bad-magic --phase auth
part frames && run_case "bad crc before PREPARE"           109 kept closed               -  "" -- --case bad-crc --phase auth
part frames && run_case "truncated frame before PREPARE"   110 kept closed               -  "" -- --case truncated --phase auth

# Past PREPARE: the migration fails, the incoming VM powers off.
part frames && run_case "bad magic"                        121 off error:protocol protocol "" -- --case bad-magic
part frames && run_case "bad version"                      122 off error:protocol protocol "" -- --case bad-version
part frames && run_case "bad flags"                        123 off error:protocol protocol "" -- --case bad-flags
part frames && run_case "bad crc"                          124 off error:protocol protocol "" -- --case bad-crc
part frames && run_case "bad sequence number"              125 off error:protocol protocol "" -- --case bad-seq
part frames && run_case "oversized length"                 126 off error:protocol protocol "" -- --case oversized
part frames && run_case "truncated frame, then FIN"        127 off closed         peer-lost "" -- --case truncated
part frames && run_case "unknown frame type"               128 off error:protocol protocol "" -- --case unknown-type
part frames && run_case "frame type out of place"          129 off error:protocol protocol "unexpected frame type" -- --case unexpected-type
part streams && run_case "PAGES: address out of range"      130 off error:protocol protocol "outside the registered memory" -- --case pages-out-of-range
part streams && run_case "PAGES: misaligned address"        131 off error:protocol protocol "" -- --case pages-misaligned-gpa
part streams && run_case "PAGES: count 0"                   132 off error:protocol protocol "" -- --case pages-bad-count --count 0
part streams && run_case "PAGES: count 33"                  133 off error:protocol protocol "" -- --case pages-bad-count --count 33
part streams && run_case "PAGES: data short"                134 off error:protocol protocol "" -- --case pages-short
part streams && run_case "STATE: chunk out of order"        135 off error:protocol protocol "out of order or range" -- --case state-out-of-order
part streams && run_case "STATE: more than 16 MiB"          136 off error:protocol protocol "out of order or range" -- --case state-too-big
part streams && run_case "COMPLETE before all pages"        137 off error:protocol protocol "incomplete" -- --case complete-early
part streams && run_case "silent after PREPARED"            138 off closed         peer-lost "" -- --case silent-after-prepare

# Data streams.  Page p travels on stream (p / 512) % N: 1040 pages give
# both streams pages to carry (mostly zero pages, which Python sends and
# hashes quickly).
part streams && run_case "JOIN with no migration running"   139 kept error:dest-refused   -  "" -- --case join-first
part streams && MEM=$((1040 * 4096))
part streams && run_case "good over 2 streams (control)"    140 resumed resumed           none  ""               -- --case good --streams 2 --sparse
part streams && run_case "JOIN: stream 2 of 2"              141 off error:protocol protocol "JOIN of stream 2 of 2" -- --case join-bad-index
part streams && run_case "END: one page short"              142 off error:protocol protocol "END says"  -- --case end-short --streams 2 --sparse
part streams && MEM=65536

# Type FT: FTCheck comes right after PREPARED, and the destination checks
# it before any page: its framing, the config against the cookie's hash,
# and a fence that may only name a file in hb's fence directory (a peer must
# not make a failover create /etc/nologin).
part frames && ip netns exec hb "$FTCTL" listen --fence-dir "$tmp" >/dev/null
FT="--type ft --fence $tmp/fence"
part frames && run_case "FT: PAGES instead of FTCHECK"       181 off error:protocol protocol "" -- --case ftcheck-missing $FT
part frames && run_case "FT: FTCHECK, config length wrong"   182 off error:protocol protocol "" -- --case ftcheck-bad-len $FT
part frames && run_case "FT: FTCHECK, config not the cookie's" 183 off error:protocol protocol "cookie's hash" -- --case ftcheck-bad-hash $FT
part frames && run_case "FT: FTCHECK, fence outside the fence directory" 184 off error:dest-refused dest-refused "fence directory" -- --case ftcheck-fence-outside $FT
part frames && run_case "FT: FTCHECK, fence not terminated"  185 off error:protocol protocol "" -- --case ftcheck-fence-unterminated $FT

# An orchestrator ran Prepare (migration-prepare with Begin's cookie): the
# migration waits as "prepared".  Someone without the secret, or with
# another cookie, must not take it nor end it; a source that breaks the
# format after PREPARED does end it.
mig_state() {
	ynl_in hb --do migration-get --json "{\"id\": $1}" 2>&1 |
		python3 -c 'import json,sys; m=json.load(sys.stdin); print(m["state"], m["error"])' 2>&1
}
ID=161
if part streams && vm_start $ID; then
	vm=$VM_PID
	ck=$(python3 "$PEER" --print-cookie --addr "$ADDR" --port "$PORT" --id $ID \
		--secret-file "$tmp/secret" --uuid "$UUID" --mem "$MEM" --config "$tmp/config")
	out=$(ynl_in hb --do migration-prepare --json "{\"id\": $ID, \"cookie\": \"$ck\"}" 2>&1)
	if [ "$(mig_state $ID)" = "prepared none" ]; then
		tap_ok "orchestrated: migration-prepare with the peer's cookie: prepared"
	else
		tap_fail "orchestrated: migration-prepare with the peer's cookie: prepared"
		tap_diag "$out"; tap_diag "$(mig_state $ID)"
	fi
	peer "orchestrated: wrong secret" $ID error:auth-failed --case wrong-secret
	st=$(mig_state $ID)
	if [ "$st" = "prepared none" ]; then
		tap_ok "orchestrated: wrong secret: the migration is still prepared"
	else
		tap_fail "orchestrated: wrong secret: the migration is still prepared ($st)"
	fi
	peer "orchestrated: another cookie" $ID error:dest-refused --case prepare-bad-cookie
	st=$(mig_state $ID)
	if [ "$st" = "prepared none" ]; then
		tap_ok "orchestrated: another cookie: the migration is still prepared"
	else
		tap_fail "orchestrated: another cookie: the migration is still prepared ($st)"
	fi
	vm_untouched "orchestrated: refused peers" $ID "$vm"
	peer "orchestrated: bad crc after PREPARED" $ID error:protocol --case bad-crc
	vm_powered_off "orchestrated: bad crc after PREPARED" $ID "$vm"
	echo "$ID|failed|protocol||orchestrated: bad crc after PREPARED" >> "$tmp/expect"
elif part streams; then
	tap_fail "orchestrated: incoming VM registers"; vm_release "$VM_PID"
fi

# A second source, even one knowing the secret, cannot join a migration
# that is under way: the first one completes.
ID=171
if part streams && vm_start $ID; then
	vm=$VM_PID
	ip netns exec ha timeout 90 python3 "$PEER" --addr "$ADDR" --port "$PORT" \
		--id $ID --secret-file "$tmp/secret" --uuid "$UUID" --mem "$MEM" \
		--config "$tmp/config" --case good --pause 4 > "$tmp/peer.$ID.first" 2>&1 &
	first=$!
	_i=0
	while ! grep -q '^pausing' "$tmp/peer.$ID.first" && [ $_i -lt 100 ]; do
		sleep 0.1; _i=$((_i + 1))
	done
	peer "hijack: a second source during the migration" $ID error:dest-refused --case good
	if wait $first && grep -qx "reaction: resumed" "$tmp/peer.$ID.first"; then
		tap_ok "hijack: the first source still completes"
	else
		tap_fail "hijack: the first source still completes"
		sed 's/^/  first peer: /' "$tmp/peer.$ID.first" | while read -r l; do tap_diag "$l"; done
	fi
	kept_vms="$kept_vms hostile-$ID"
	kept_pids="$kept_pids $vm"
	echo "$ID|completed|none||hijack: the first source" >> "$tmp/expect"
elif part streams; then
	tap_fail "hijack: incoming VM registers"; vm_release "$VM_PID"
fi

# migration-get on hb: every migration as expected, none for refused cases.
dump=$(ynl_in hb --dump migration-get 2>&1)
python3 - "$dump" "$tmp/expect" > "$tmp/migcheck" 2>&1 <<'EOF'
import json, sys
try:
    migs = {m["id"]: m for m in json.loads(sys.argv[1])}
except Exception as e:
    print(f"FAIL migration-get dump on hb: {e}: {sys.argv[1][:300]}")
    sys.exit()
for line in open(sys.argv[2]):
    mid, state, error, msg, desc = line.rstrip("\n").split("|", 4)
    m = migs.get(int(mid))
    if state == "absent":
        ok = m is None
        what = f"{desc}: no migration {mid} on hb"
    else:
        ok = (m is not None and m.get("role") == "destination" and
              m.get("state") == state and m.get("error") == error and
              msg in m.get("error-msg", ""))
        what = f"{desc}: migration-get shows {state}" + (f", error {error}" if error != "none" else "")
    detail = "" if m is None else f' [state {m.get("state")}, error {m.get("error")}, "{m.get("error-msg", "")}"]'
    print(("PASS " if ok else "FAIL ") + what + detail)
EOF
while read -r verdict line; do
	if [ "$verdict" = PASS ]; then tap_ok "$line"; else tap_fail "$line"; fi
done < "$tmp/migcheck"

# The refused cases' VMs (and the control's) are all still registered.
vms=$(ynl_in hb --dump vm-get 2>&1)
if python3 -c '
import json, sys
names = sorted(v["name"] for v in json.loads(sys.argv[1]))
assert names == sorted(sys.argv[2].split()), names
' "$vms" "$kept_vms" 2>/dev/null; then
	tap_ok "vm-get on hb: exactly the VMs of refused cases and the control are registered"
else
	tap_fail "vm-get on hb: exactly the VMs of refused cases and the control are registered"
	tap_diag "want:$kept_vms"; tap_diag "$vms"
fi

# Host ha sees nothing of hb's migrations or VMs.
out=$(ynl_in ha --dump migration-get 2>&1)
if [ "$out" = "[]" ]; then
	tap_ok "host ha's migration-get does not see hb's migrations"
else
	tap_fail "host ha's migration-get does not see hb's migrations"; tap_diag "$out"
fi
out=$(ynl_in ha --dump vm-get 2>&1)
if [ "$out" = "[]" ]; then
	tap_ok "host ha's vm-get does not see hb's VMs"
else
	tap_fail "host ha's vm-get does not see hb's VMs"; tap_diag "$out"
fi

# Unprivileged: listener-set and migration-get are refused.
if part streams; then
# shellcheck disable=SC2086 # NOBODY is a command with arguments
out=$(ip netns exec hb $NOBODY python3 "$YNL" --spec "$SPEC" --schema "$SCHEMA" --output-json \
	--do listener-set --json "{\"addr\": 0, \"port\": 7471}" 2>&1)
rc=$?
if [ $rc -ne 0 ] && grep -q "Operation not permitted" <<< "$out"; then
	tap_ok "unprivileged listener-set refused (EPERM)"
else
	tap_fail "unprivileged listener-set refused (EPERM)"; tap_diag "$out"
fi
# shellcheck disable=SC2086
out=$(ip netns exec hb $NOBODY python3 "$YNL" --spec "$SPEC" --schema "$SCHEMA" --output-json \
	--dump migration-get 2>&1)
rc=$?
if [ $rc -ne 0 ] && grep -q "Operation not permitted" <<< "$out"; then
	tap_ok "unprivileged migration-get refused (EPERM)"
else
	tap_fail "unprivileged migration-get refused (EPERM)"; tap_diag "$out"
fi
got=$(ynl_in hb --do listener-get 2>&1)
if python3 -c 'import json,sys; assert json.loads(sys.argv[1])["port"] == int(sys.argv[2])' "$got" "$PORT" 2>/dev/null; then
	tap_ok "the listener is unchanged after the refused listener-set"
else
	tap_fail "the listener is unchanged after the refused listener-set"; tap_diag "$got"
fi
fi

# The listener still serves after all that abuse: the control once more.
run_case "good after the abuse"             151 resumed resumed           none  ""                  -- --case good
dump=$(ynl_in hb --do migration-get --json '{"id": 151}' 2>&1)
if python3 -c 'import json,sys; m=json.loads(sys.argv[1]); assert m["state"] == "completed", m' "$dump" 2>/dev/null; then
	tap_ok "good after the abuse: migration-get shows completed"
else
	tap_fail "good after the abuse: migration-get shows completed"; tap_diag "$dump"
fi

# shellcheck disable=SC2086 # one argument per pid
for p in $kept_pids; do vm_release "$p"; done
tap_check "listener closed (port 0)" ynl_in hb --do listener-set --json '{"addr": 0, "port": 0}'

klog=$(klog_since "$mark")
grep 'ftmigrate' <<< "$klog" | head -n 40 | while read -r l; do tap_diag "dmesg: $l"; done
if grep -qE 'WARNING:|BUG:|Oops|Call Trace|KASAN|UBSAN|refcount_t:' <<< "$klog"; then
	tap_fail "kernel log clean (no WARNING/BUG)"
	grep -E 'WARNING:|BUG:|Oops|Call Trace|KASAN|UBSAN|refcount_t:' <<< "$klog" | head -n 20 |
		while read -r l; do tap_diag "$l"; done
else
	tap_ok "kernel log clean (no WARNING/BUG)"
fi

hosts_cleanup
tap_check "module unloads" ftm_unload
tap_done
