# SPDX-License-Identifier: GPL-2.0
#
# Helpers for the reference vmx's selftests (selftests/vmx_*_test.sh).
# Source after lib.sh:
#
#	. "$(dirname "$0")/lib.sh"
#	. "$(dirname "$0")/vmx_lib.sh"
#	vmx_setup		# skips the whole test without /dev/kvm
#
# vmx_setup makes a scratch directory $VMX_TMP, removed at exit together with
# every vmx started through vmx_start.

VMX=userspace/vmx/vmx
VMX_CTL=userspace/vmx/vmx-ctl
KVCLIENT=userspace/guests/kvclient
GUESTS=$PWD/userspace/guests
VMX_PIDS=

vmx_cleanup() {
	for _p in $VMX_PIDS; do
		kill -KILL "$_p" 2>/dev/null || true
	done
	[ -z "${VMX_TMP:-}" ] || rm -rf "$VMX_TMP"
}

# vmx_have_kvm: is /dev/kvm usable?  Loads kvm_amd or kvm_intel if needed.
vmx_have_kvm() {
	if [ ! -e /dev/kvm ]; then
		modprobe kvm_amd 2>/dev/null || modprobe kvm_intel 2>/dev/null || true
	fi
	[ -c /dev/kvm ] && [ -r /dev/kvm ] && [ -w /dev/kvm ]
}

# vmx_setup [nokvm]: scratch directory, cleanup, and (unless "nokvm") a
# whole-test SKIP when there is no KVM.
vmx_setup() {
	if [ ! -x "$VMX" ] || [ ! -x "$VMX_CTL" ] || [ ! -f "$GUESTS/counter.bin" ]; then
		echo "1..0 # SKIP vmx not built (make -C userspace)"
		exit 0
	fi
	if [ "${1:-}" != nokvm ] && ! vmx_have_kvm; then
		echo "1..0 # SKIP no /dev/kvm (needs KVM, nested inside the test VM)"
		exit 0
	fi
	VMX_TMP=$(mktemp -d)
	trap vmx_cleanup EXIT
}

# vmx_config FILE NAME IMAGE ARGS [KEY=VALUE...]: write a VM config with a
# 4M RAM default, a UUID derived from NAME and serial to $VMX_TMP/NAME.serial.
vmx_config() {
	_f=$1 _name=$2 _image=$3 _args=$4
	shift 4
	_uuid=$(printf '%s' "$_name" | sha256sum |
		sed -E 's/^(.{8})(.{4})(.{4})(.{4})(.{12}).*/\1-\2-\3-\4-\5/')
	{
		echo "name = $_name"
		echo "uuid = $_uuid"
		echo "image = $GUESTS/$_image"
		echo "args = \"$_args\""
		echo "serial = $VMX_TMP/$_name.serial"
		_mem=4M
		for _kv in "$@"; do
			case $_kv in
			memory=*) _mem=${_kv#memory=} ;;
			*) echo "${_kv%%=*} = ${_kv#*=}" ;;
			esac
		done
		echo "memory = $_mem"
	} >"$_f"
}

# vmx_start LOG ARGS...: start a vmx in the background; its pid in VMX_PID.
vmx_start() {
	_log=$1
	shift
	"$VMX" "$@" >"$_log" 2>&1 &
	VMX_PID=$!
	VMX_PIDS="$VMX_PIDS $VMX_PID"
}

# vmx_wait_socket SOCKET [SECONDS]: wait until a vmx's control socket answers.
vmx_wait_socket() {
	_i=0
	while [ "$_i" -lt "$((${2:-20} * 10))" ]; do
		"$VMX_CTL" "$1" status >/dev/null 2>&1 && return 0
		sleep 0.1
		_i=$((_i + 1))
	done
	return 1
}

# vmx_wait_lines FILE N [SECONDS]: wait until FILE has at least N lines.
vmx_wait_lines() {
	_i=0
	while [ "$_i" -lt "$((${3:-30} * 10))" ]; do
		[ "$(wc -l 2>/dev/null <"$1" || echo 0)" -ge "$2" ] && return 0
		sleep 0.1
		_i=$((_i + 1))
	done
	return 1
}

# vmx_wait_exit PID [SECONDS]: wait for a background vmx; its status in
# VMX_STATUS (255 if it had to be killed).
vmx_wait_exit() {
	_i=0
	while kill -0 "$1" 2>/dev/null && [ "$_i" -lt "$((${2:-30} * 10))" ]; do
		sleep 0.1
		_i=$((_i + 1))
	done
	if kill -0 "$1" 2>/dev/null; then
		kill -KILL "$1" 2>/dev/null
		wait "$1" 2>/dev/null
		VMX_STATUS=255
		return 1
	fi
	VMX_STATUS=0
	wait "$1" || VMX_STATUS=$?
	[ "$VMX_STATUS" = 0 ]
}

# vmx_sequence_ok FILE...: the numeric lines of FILEs, concatenated, are
# 0, 1, 2, ... with no gap and no duplicate.  Prints what is wrong.  A last
# line without its newline (the VM stopped while printing it) is left out.
vmx_sequence_ok() {
	_seq=$VMX_TMP/.sequence
	cat "$@" >"$_seq"
	if [ -s "$_seq" ] && [ -n "$(tail -c 1 "$_seq")" ]; then
		sed -i '$d' "$_seq"
	fi
	awk '
		/^[0-9]+$/ { if ($1 != n) { printf "line %d: %s, expected %d\n", NR, $1, n; bad = 1; exit 1 } n++ }
		END { if (!bad && n == 0) { print "no numbers"; exit 1 } }' "$_seq"
}
