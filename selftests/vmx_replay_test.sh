#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The replay property FT rests on: a VM run fed the inputs recorded from
# another run produces the same outputs and ends with the same RAM, with no
# client, no clock and no entropy of its own.  And a log that does not fit
# the guest is caught as a divergence, not silently fed to it.
set -u
cd "$(dirname "$0")/.."
. selftests/lib.sh
. selftests/vmx_lib.sh
vmx_setup

T=$VMX_TMP

# hash_of OUTPUT: the ram-hash line a --print-hash run left.
hash_of() { sed -n 's/^ram-hash=//p' "$1"; }

# --- kvstore: NIC, disk, clock-free ------------------------------------------
PORT=$((20000 + RANDOM % 20000))
truncate -s 1M "$T/a.img"
cp "$T/a.img" "$T/b.img"
vmx_config "$T/a.cfg" kva kvstore.bin "" "disk=$T/a.img" "nic=udp:127.0.0.1:$PORT"
# The replay's NIC is configured (the VM has one) but nobody talks to it.
vmx_config "$T/b.cfg" kva kvstore.bin "" "disk=$T/b.img" "nic=udp:127.0.0.1:$((PORT + 1))"
sed -i "s|^serial = .*|serial = $T/kvb.serial|" "$T/b.cfg"

vmx_start "$T/a.out" --record "$T/kv.in" --output-log "$T/kva.outlog" --print-hash "$T/a.cfg"
apid=$VMX_PID
"$KVCLIENT" "127.0.0.1:$PORT" ping 60 >/dev/null &&
	"$KVCLIENT" "127.0.0.1:$PORT" put 10 r "$T/acked" >/dev/null &&
	"$KVCLIENT" "127.0.0.1:$PORT" get r-3 >/dev/null &&
	"$KVCLIENT" "127.0.0.1:$PORT" quit >/dev/null
if vmx_wait_exit "$apid" 30; then
	tap_ok "recorded kvstore run completes"
else
	tap_fail "recorded kvstore run completes (status $VMX_STATUS)"
	sed 's/^/#   /' "$T/a.out"
fi

"$VMX" --replay "$T/kv.in" --output-log "$T/kvb.outlog" --print-hash "$T/b.cfg" \
	>"$T/b.out" 2>&1
rc=$?
[ $rc = 0 ] && tap_ok "replayed kvstore run completes" ||
	{ tap_fail "replayed kvstore run completes (status $rc)"; sed 's/^/#   /' "$T/b.out"; }
ha=$(hash_of "$T/a.out") hb=$(hash_of "$T/b.out")
[ -n "$ha" ] && [ "$ha" = "$hb" ] && tap_ok "kvstore replay ends with the same RAM ($ha)" ||
	tap_fail "kvstore replay ends with the same RAM ($ha vs $hb)"
if cmp -s "$T/kva.outlog" "$T/kvb.outlog"; then
	tap_ok "kvstore replay produces the same outputs ($(stat -c %s "$T/kva.outlog") bytes of frames, disk writes, serial)"
else
	tap_fail "kvstore replay produces the same outputs"
	cmp "$T/kva.outlog" "$T/kvb.outlog" | sed 's/^/#   /'
fi
cmp -s "$T/a.img" "$T/b.img" && tap_ok "kvstore replay leaves the same disk" ||
	tap_fail "kvstore replay leaves the same disk"
cmp -s "$T/kva.serial" "$T/kvb.serial" && tap_ok "kvstore replay prints the same serial log" ||
	tap_fail "kvstore replay prints the same serial log"

# The same workload run live again does not end with the same RAM (the
# client's port, in the frames the guest kept, differs): the equality above
# is the replay's doing, not a guest that ignores its inputs.
truncate -s 1M "$T/c.img"
sed "s|^disk = .*|disk = $T/c.img|; s|^serial = .*|serial = $T/kvc.serial|" "$T/a.cfg" >"$T/live.cfg"
vmx_start "$T/c.out" --print-hash "$T/live.cfg"
cpid=$VMX_PID
"$KVCLIENT" "127.0.0.1:$PORT" ping 60 >/dev/null &&
	"$KVCLIENT" "127.0.0.1:$PORT" put 10 r "$T/acked" >/dev/null &&
	"$KVCLIENT" "127.0.0.1:$PORT" get r-3 >/dev/null &&
	"$KVCLIENT" "127.0.0.1:$PORT" quit >/dev/null
vmx_wait_exit "$cpid" 30
hc=$(hash_of "$T/c.out")
[ -n "$hc" ] && [ "$hc" != "$ha" ] && tap_ok "a second live run ends with different RAM ($hc)" ||
	tap_fail "a second live run ends with different RAM ($hc)"

# --- counter paced by the clock: every clock reading comes from the log ------
vmx_config "$T/c.cfg" cnt counter.bin "count=40 interval_us=3000"
"$VMX" --record "$T/c.in" --output-log "$T/ca.outlog" --print-hash "$T/c.cfg" >"$T/ca.out" 2>&1
mv "$T/cnt.serial" "$T/cnta.serial"
"$VMX" --replay "$T/c.in" --output-log "$T/cb.outlog" --print-hash "$T/c.cfg" >"$T/cb.out" 2>&1
ha=$(hash_of "$T/ca.out") hb=$(hash_of "$T/cb.out")
if [ -n "$ha" ] && [ "$ha" = "$hb" ] && cmp -s "$T/ca.outlog" "$T/cb.outlog" &&
	cmp -s "$T/cnta.serial" "$T/cnt.serial"; then
	tap_ok "clock-paced counter replays to the same outputs and RAM"
else
	tap_fail "clock-paced counter replays to the same outputs and RAM ($ha vs $hb)"
fi
# --- divergence ----------------------------------------------------------------
# The kvstore's inputs fed to the counter: its first input is a clock
# reading where the log has disk data.
out=$("$VMX" --replay "$T/kv.in" "$T/c.cfg" 2>&1)
rc=$?
if [ $rc = 1 ] && printf '%s' "$out" | grep -q "^vmx: replay diverged at input 0: guest wants kind 1"; then
	tap_ok "a log that does not fit the guest is a divergence"
else
	tap_fail "a log that does not fit the guest is a divergence (status $rc): $out"
fi
# A log cut short, at the record boundary nearest its middle (16-byte
# header, then records of a 24-byte head and LEN payload bytes): the replay
# runs out of inputs and goes live.
cut=$(python3 - "$T/c.in" <<'PY'
import struct, sys
data = open(sys.argv[1], "rb").read()
off = 16
while off + 24 <= len(data) and off < len(data) // 2:
    off += 24 + struct.unpack_from("<II", data, off)[1]
print(off)
PY
)
head -c "$cut" "$T/c.in" >"$T/c.half"
out=$("$VMX" --replay "$T/c.half" "$T/c.cfg" 2>&1)
rc=$?
if [ $rc = 0 ] && printf '%s' "$out" | grep -q "replay: .*going live"; then
	tap_ok "at the end of a log the replaying VM goes live"
else
	tap_fail "at the end of a log the replaying VM goes live (status $rc): $out"
fi

tap_done
