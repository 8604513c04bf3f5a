# SPDX-License-Identifier: GPL-2.0
#
# Helpers for the VMotion selftests (selftests/vmotion*_test.sh): two hosts
# ha and hb (network namespaces joined by veth), a listener on each, and a
# counter guest that moves between them.  Source after lib.sh, ftm_lib.sh
# and vmx_lib.sh, then call vmotion_setup:
#
#	. selftests/lib.sh
#	. selftests/ftm_lib.sh
#	. selftests/vmx_lib.sh
#	. selftests/vmotion_lib.sh
#	vmotion_setup 7470	# port; skips or fails the whole test if need be
#
# After it: T (scratch directory), ADDR[ha|hb], PORT, ID (the last migration
# id used; migrate takes the next one), $T/secret and $T/base.cfg (a counter
# printing every 3 ms).

# vmotion_setup PORT [GUEST IMAGE ARGS [KEY=VALUE...]]: the module, the two
# hosts, their listeners and the base VM config (a counter by default).
vmotion_setup() {
	vmx_setup
	T=$VMX_TMP
	PORT=$1
	shift
	ID=${ID:-100}
	ftm_load || { tap_fail "load ftmigrate.ko"; tap_done; exit 1; }
	host_add ha
	host_add hb
	hosts_link ha hb 10.77.1.1 10.77.1.2
	trap 'hosts_cleanup; vmx_cleanup' EXIT
	declare -gA ADDR=([ha]=10.77.1.1 [hb]=10.77.1.2)
	head -c 32 /dev/urandom >"$T/secret"
	head -c 32 /dev/urandom >"$T/wrong"
	for _h in ha hb; do
		tap_check "listener on $_h" ip netns exec $_h "$FTCTL" listen "${ADDR[$_h]}:$PORT"
	done
	if [ $# -gt 0 ]; then
		vmx_config "$T/base.cfg" "$@"
	else
		vmx_config "$T/base.cfg" counter counter.bin "count=0 interval_us=3000"
	fi
	VM_NAME=$(sed -n 's/^name = //p' "$T/base.cfg")
}

# start_vm HOST TAG [VMX ARGS...]: a vmx in HOST whose serial goes to
# TAG.serial and whose output to TAG.out; its pid in VMX_PID.
start_vm() {
	_h=$1 _tag=$2
	shift 2
	sed "s|^serial = .*|serial = $T/$_tag.serial|" "$T/base.cfg" >"$T/$_tag.cfg"
	ip netns exec "$_h" "$VMX" --print-hash --ftmigrate=on "$@" "$T/$_tag.cfg" \
		>"$T/$_tag.out" 2>&1 &
	VMX_PID=$!
	VMX_PIDS="$VMX_PIDS $VMX_PID"
}

# start_incoming HOST TAG [VMX ARGS...]: a destination vmx waiting for the
# next migration id, registered on HOST before this returns.
start_incoming() {
	_ih=$1
	start_vm "$@" --incoming=$((ID + 1)) --secret-file="$T/secret"
	incoming_ready "$_ih" "$T/$2.out"
}

# incoming_ready HOST OUT: the vmx whose output is OUT has registered its VM
# on HOST as the destination of a migration.  A VM is listed as soon as it
# is created, before its memory and its FTM_IOC_INCOMING: only the vmx's
# own line says it is ready for Prepare.
incoming_ready() {
	_i=0
	while [ $_i -lt 300 ]; do
		grep -q "^vmx: waiting for incoming migration" "$2" 2>/dev/null &&
			ip netns exec "$1" "$FTCTL" vm list 2>/dev/null | grep -q "$VM_NAME" &&
			return 0
		sleep 0.1
		_i=$((_i + 1))
	done
	return 1
}

# migrate FROM TO [ARGS...]: ftctl migrate of the VM with the next id, JSON
# lines in mig.json, errors in mig.err; its exit status.
migrate() {
	ID=$((ID + 1))
	migrate_id $ID "$@"
}

# migrate_bg FROM TO [ARGS...]: the same in the background, the ftctl
# process's pid in MIG_PID (the id is taken here, not in a subshell).
migrate_bg() {
	ID=$((ID + 1))
	_from=$1 _to=$2
	shift 2
	rm -f "$T/mig.json"
	ip netns exec "$_from" "$FTCTL" migrate "$VM_NAME" --to "${ADDR[$_to]}:$PORT" \
		--id $ID --secret-file "$T/secret" --json "$@" >"$T/mig.json" 2>"$T/mig.err" &
	MIG_PID=$!
}

# migrate_id ID FROM TO [ARGS...]
migrate_id() {
	_mid=$1 _from=$2 _to=$3
	shift 3
	ip netns exec "$_from" "$FTCTL" migrate "$VM_NAME" --to "${ADDR[$_to]}:$PORT" \
		--id $_mid --secret-file "$T/secret" --json "$@" >"$T/mig.json" 2>"$T/mig.err"
}

# outcome [FILE]: the last result line of mig.json, as "outcome error".
outcome() {
	python3 -c '
import json, sys
r = []
for l in open(sys.argv[1]):
    try:
        r.append(json.loads(l))
    except ValueError:
        pass
res = [x for x in r if x.get("event") == "result"]
m = res[-1]["migration"] if res else {}
print(res[-1]["outcome"] if res else "none", m.get("error", "none"))' "${1:-$T/mig.json}"
}

# get_outcome: set out and err from mig.json (no /dev/fd in the test VM).
get_outcome() {
	_oe=$(outcome "$@")
	out=${_oe% *} err=${_oe#* }
}

# wait_state FILE STATE [SECONDS]: mig.json (or FILE) shows STATE.
wait_state() {
	_i=0
	while [ $_i -lt $((${3:-10} * 10)) ]; do
		grep -q "\"state\": *\"$2\"" "$1" 2>/dev/null && return 0
		sleep 0.1
		_i=$((_i + 1))
	done
	return 1
}

# show_state HOST ID: "state error" of migration ID on HOST (ftctl migration show).
show_state() {
	ip netns exec "$1" "$FTCTL" --json migration show "$2" 2>/dev/null | python3 -c '
import json, sys
try:
    m = json.load(sys.stdin)
except ValueError:
    print("none none")
    sys.exit(0)
print(m.get("state", "none"), m.get("error", "none"))'
}

# runs_on FILE [SECONDS]: the VM whose serial is FILE prints 10 more lines.
runs_on() {
	_n=$(wc -l 2>/dev/null <"$1" || echo 0)
	vmx_wait_lines "$1" $((_n + 10)) "${2:-30}"
}

# stopped FILE: the serial FILE does not grow for a second.
stopped() {
	_n=$(wc -l 2>/dev/null <"$1" || echo 0)
	sleep 1
	[ "$(wc -l 2>/dev/null <"$1" || echo 0)" = "$_n" ]
}

# cancel HOST ID: ftctl migrate cancel; its exit status.
cancel() {
	ip netns exec "$1" "$FTCTL" migrate cancel "$2" >"$T/cancel.txt" 2>&1
}

# powered_off PID TAG: the incoming vmx PID (output TAG.out) exits 1,
# "incoming migration failed", within 30 s.
powered_off() {
	vmx_wait_exit "$1" 30
	[ "$VMX_STATUS" = 1 ] && grep -q "incoming migration failed" "$T/$2.out"
}

# begin HOST ID: ftctl migration begin of the VM; the cookie in COOKIE.
begin() {
	COOKIE=$(ip netns exec "$1" "$FTCTL" migration begin "$VM_NAME" --id "$2" \
		--secret-file "$T/secret" | sed -n 's/^cookie: //p')
	[ -n "$COOKIE" ]
}

# diag_run: the migration's last lines and the kernel's, as TAP comments.
diag_run() {
	tail -3 "$T/mig.json" 2>/dev/null | cut -c1-400 | sed 's/^/#   mig: /'
	sed 's/^/#   mig: /' "$T/mig.err" 2>/dev/null
	dmesg | grep 'ftmigrate: migration' | tail -4 | sed 's/^/#   kernel: /'
}
