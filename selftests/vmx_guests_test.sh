#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Each guest of the reference vmx runs under it and produces its expected
# output: counter its sequence, memtouch a verified working set, pioloop the
# exits it was asked for.
set -u
cd "$(dirname "$0")/.."
. selftests/lib.sh
. selftests/vmx_lib.sh
vmx_setup

# counter: exactly 0..49, then a clean power-off.
vmx_config "$VMX_TMP/counter.cfg" counter counter.bin "count=50 interval_us=200"
if "$VMX" "$VMX_TMP/counter.cfg" >"$VMX_TMP/counter.out" 2>&1; then
	tap_ok "counter powers off with status 0"
else
	tap_fail "counter powers off with status 0"
	sed 's/^/#   /' "$VMX_TMP/counter.out"
fi
if [ "$(seq 0 49)" = "$(cat "$VMX_TMP/counter.serial")" ]; then
	tap_ok "counter prints 0..49 on serial"
else
	tap_fail "counter prints 0..49 on serial"
	head -c 300 "$VMX_TMP/counter.serial" | sed 's/^/#   /'
fi

# memtouch: two passes over 128 pages, then its own check of every page.
vmx_config "$VMX_TMP/memtouch.cfg" memtouch memtouch.bin \
	"ws_start_kib=2048 ws_kib=512 passes=2" memory=4M
"$VMX" "$VMX_TMP/memtouch.cfg" >"$VMX_TMP/memtouch.out" 2>&1
rc=$?
if [ $rc = 0 ] && grep -qx "memtouch: pass 2" "$VMX_TMP/memtouch.serial" &&
	grep -qx "memtouch: verified" "$VMX_TMP/memtouch.serial"; then
	tap_ok "memtouch dirties and verifies its working set"
else
	tap_fail "memtouch dirties and verifies its working set (status $rc)"
	cat "$VMX_TMP/memtouch.out" "$VMX_TMP/memtouch.serial" | sed 's/^/#   /'
fi

# memtouch refuses a working set outside RAM, with its own exit code.
vmx_config "$VMX_TMP/memtouch2.cfg" memtouch2 memtouch.bin "ws_start_kib=2048 ws_kib=4096"
"$VMX" "$VMX_TMP/memtouch2.cfg" >"$VMX_TMP/memtouch2.out" 2>&1
rc=$?
if [ $rc = 2 ] && grep -q "working set outside RAM" "$VMX_TMP/memtouch2.serial"; then
	tap_ok "a guest's exit code becomes the vmx's status"
else
	tap_fail "a guest's exit code becomes the vmx's status (status $rc)"
fi

# pioloop: 5000 writes to the null port are 5000 exits (plus the halt).
vmx_config "$VMX_TMP/pio.cfg" pio pioloop.bin "n=5000"
out=$("$VMX" --stats "$VMX_TMP/pio.cfg" 2>&1)
io=$(printf '%s\n' "$out" | sed -n 's/.*io-exits=\([0-9]*\).*/\1/p')
if [ "${io:-0}" -ge 5001 ] && [ "${io:-0}" -le 5010 ]; then
	tap_ok "pioloop makes one port exit per write ($io)"
else
	tap_fail "pioloop makes one port exit per write ($out)"
fi

# 8 GiB of guest RAM (two regions, above and below the 4G hole) boots too:
# memory is only touched where the guest writes.
vmx_config "$VMX_TMP/big.cfg" big counter.bin "count=3 interval_us=0" memory=8G
if "$VMX" "$VMX_TMP/big.cfg" >"$VMX_TMP/big.out" 2>&1 &&
	[ "$(seq 0 2)" = "$(cat "$VMX_TMP/big.serial")" ]; then
	tap_ok "a VM with 8G of RAM boots and runs"
else
	tap_fail "a VM with 8G of RAM boots and runs"
	sed 's/^/#   /' "$VMX_TMP/big.out"
fi

tap_done
