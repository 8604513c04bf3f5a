#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The kvstore guest serves a client over the virtual NIC, acknowledges
# writes only once they are on the virtual disk, and finds them there again
# after the VM is restarted.
set -u
cd "$(dirname "$0")/.."
. selftests/lib.sh
. selftests/vmx_lib.sh
vmx_setup

T=$VMX_TMP
PORT=$((20000 + RANDOM % 20000))
ADDR=127.0.0.1:$PORT
truncate -s 1M "$T/disk.img"
vmx_config "$T/kv.cfg" kv kvstore.bin "" "disk=$T/disk.img" "nic=udp:$ADDR"

kv() { "$KVCLIENT" "$ADDR" "$@"; }

vmx_start "$T/kv.out" "$T/kv.cfg"
kvpid=$VMX_PID
if out=$(kv ping 60); then
	tap_ok "kvstore answers PING"
else
	tap_fail "kvstore answers PING: $out"
	sed 's/^/#   /' "$T/kv.out" "$T/kv.serial"
fi
grep -qx "kvstore: formatted" "$T/kv.serial" && tap_ok "kvstore formats a new disk" ||
	tap_fail "kvstore formats a new disk"

out=$(kv put 20 alpha "$T/acked" 2>&1)
[ "$out" = "acked 20" ] && [ "$(wc -l <"$T/acked")" = 20 ] &&
	tap_ok "20 writes acknowledged" || tap_fail "20 writes acknowledged: $out"
out=$(kv check "$T/acked" 2>&1)
[ "$out" = "checked 20 lost 0 wrong 0" ] && tap_ok "every acknowledged write reads back" ||
	tap_fail "every acknowledged write reads back: $out"
out=$(kv get nosuchkey 2>&1)
[ "$out" = "NONE" ] && tap_ok "an unknown key reads as NONE" || tap_fail "unknown key: $out"

# Overwrite five keys with new values: the check follows the newest.
out=$(kv put 5 alpha "$T/acked2" 2>&1)
[ "$out" = "acked 5" ] && out=$(kv get alpha-3 2>&1)
[ "$out" = "VAL value-of-alpha-3" ] && tap_ok "an overwritten key reads its new value" ||
	tap_fail "an overwritten key: $out"

# The check itself can fail: a key that was never written is reported lost.
echo "never-written value-x" >"$T/bogus"
if out=$(kv check "$T/bogus" 2>/dev/null); then
	tap_fail "the client reports a lost write: $out"
else
	[ "$out" = "checked 1 lost 1 wrong 0" ] && tap_ok "the client reports a lost write" ||
		tap_fail "the client reports a lost write: $out"
fi

out=$(kv quit 2>&1)
if [ "$out" = "BYE" ] && vmx_wait_exit "$kvpid" 20 && grep -qx "kvstore: bye" "$T/kv.serial"; then
	tap_ok "QUIT powers the guest off cleanly"
else
	tap_fail "QUIT powers the guest off cleanly: $out (status ${VMX_STATUS:-})"
fi

# The disk holds the data: a new VM on the same disk serves it.
: >"$T/kv.serial"
vmx_start "$T/kv2.out" "$T/kv.cfg"
kvpid=$VMX_PID
kv ping 60 >/dev/null
grep -qx "kvstore: 20 keys in 256 slots" "$T/kv.serial" && tap_ok "a restarted kvstore loads 20 keys" ||
	tap_fail "a restarted kvstore loads 20 keys: $(head -n 2 "$T/kv.serial")"
out=$(kv check "$T/acked" 2>&1)
[ "$out" = "checked 20 lost 0 wrong 0" ] && tap_ok "acknowledged writes survive a restart" ||
	tap_fail "acknowledged writes survive a restart: $out"
kv quit >/dev/null
vmx_wait_exit "$kvpid" 20 || tap_diag "second kvstore exit status $VMX_STATUS"

tap_done
