# SPDX-License-Identifier: GPL-2.0
#
# ftmigrate helpers for shell selftests, on top of lib.sh:
#
#	. "$(dirname "$0")/lib.sh"
#	. "$(dirname "$0")/ftm_lib.sh"
#
# Tests run from the repository root inside the test VM.

FTM_KO=./ftmigrate.ko
FTCTL=userspace/ftctl/ftctl
VMHOLD=selftests/vmhold

# ftm_load [PARAM=VALUE...]: load the module unless it is loaded.
ftm_load() {
	[ -d /sys/module/ftmigrate ] || insmod "$FTM_KO" "$@"
}

# ftm_unload: unload the module if it is loaded.
ftm_unload() {
	[ ! -d /sys/module/ftmigrate ] || rmmod ftmigrate
}

# klog_mark: print a fresh marker and write it to the kernel log; pass it
# to klog_since to read what the kernel said after it.
klog_mark() {
	_m="ftm-selftest-mark-$$-$(date +%s%N)"
	echo "$_m" > /dev/kmsg
	echo "$_m"
}

# klog_since MARK: the kernel log after MARK.
klog_since() {
	dmesg | sed -n "/$1/,\$p" | tail -n +2
}

# wait_for_file PATH [SECONDS]: wait until PATH exists (default 10 s).
wait_for_file() {
	_i=0
	while [ ! -e "$1" ]; do
		_i=$((_i + 1))
		[ "$_i" -le $((${2:-10} * 10)) ] || return 1
		sleep 0.1
	done
}

# vm_hold NAME [NETNS]: start a stand-in vmx holding VM NAME, in NETNS if
# given; sets HOLD_PID and HOLD_ID.
vm_hold() {
	_out=$(mktemp)
	if [ -n "${2:-}" ]; then
		ip netns exec "$2" "$VMHOLD" "$1" > "$_out" &
	else
		"$VMHOLD" "$1" > "$_out" &
	fi
	HOLD_PID=$!
	_i=0
	while [ ! -s "$_out" ] && kill -0 "$HOLD_PID" 2>/dev/null && [ $_i -lt 100 ]; do
		sleep 0.1
		_i=$((_i + 1))
	done
	HOLD_ID=$(cat "$_out")
	rm -f "$_out"
	[ -n "$HOLD_ID" ]
}

# vm_release PID: SIGKILL a stand-in vmx and reap it.
vm_release() {
	kill -KILL "$1" 2>/dev/null || true
	wait "$1" 2>/dev/null || true
}
