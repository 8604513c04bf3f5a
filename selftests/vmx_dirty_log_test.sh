#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Dirty tracking: with memtouch writing a known working set, "give me and
# reset the dirty bitmap" reports those pages and no others, nothing while
# the VM is paused, and pages again once it runs.
set -u
cd "$(dirname "$0")/.."
. selftests/lib.sh
. selftests/vmx_lib.sh
vmx_setup

T=$VMX_TMP
S=$T/mt.sock
# 64 pages from 2 MiB (pages 512..575), 2000 pages a second, forever.
vmx_config "$T/mt.cfg" mt memtouch.bin "ws_start_kib=2048 ws_kib=256 rate=2000 passes=0"
vmx_start "$T/mt.out" --control "$S" "$T/mt.cfg"
ctl() { "$VMX_CTL" "$S" "$@"; }
field() { printf '%s\n' "$1" | sed -n "s/.* $2=\([0-9]*\).*/\1/p"; }

if ! vmx_wait_socket "$S" || ! vmx_wait_lines "$T/mt.serial" 2 30; then
	tap_fail "memtouch runs"
	sed 's/^/#   /' "$T/mt.out"
	tap_done
	exit
fi
tap_ok "memtouch runs"

out=$(ctl dirty-fetch)
[ "$out" = "error: dirty logging is off" ] && tap_ok "fetch without logging is refused" ||
	tap_fail "fetch without logging is refused: $out"
out=$(ctl dirty-start)
[ "$out" = "ok dirty logging" ] && tap_ok "dirty logging starts" || tap_fail "dirty logging starts: $out"

sleep 1
out=$(ctl dirty-fetch)
n=$(field "$out" dirty) first=$(field "$out" first) last=$(field "$out" last)
# The working set, plus the guest's stack just below 1 MiB.
if [ "${n:-0}" -ge 8 ] && [ "$n" -le 72 ] && [ "$first" -ge 128 ] && [ "$last" -le 575 ]; then
	tap_ok "dirty pages are the working set ($out)"
else
	tap_fail "dirty pages are the working set ($out)"
fi

ctl pause >/dev/null
ctl dirty-fetch >/dev/null	# what was dirtied before the pause took effect
sleep 0.5
out=$(ctl dirty-fetch)
[ "$out" = "ok dirty=0" ] && tap_ok "a fetch resets the bitmap; a paused VM dirties nothing" ||
	tap_fail "a fetch resets the bitmap; a paused VM dirties nothing: $out"

ctl resume >/dev/null
sleep 0.5
out=$(ctl dirty-fetch)
n=$(field "$out" dirty)
[ "${n:-0}" -gt 0 ] && tap_ok "a running VM dirties pages again ($out)" ||
	tap_fail "a running VM dirties pages again: $out"

out=$(ctl dirty-stop)
[ "$out" = "ok dirty logging stopped" ] && [ "$(ctl dirty-fetch)" = "error: dirty logging is off" ] &&
	tap_ok "dirty logging stops" || tap_fail "dirty logging stops: $out"

# Logging on and off did not disturb the guest: it still verifies its pages.
ctl shutdown >/dev/null
if grep -q "holds" "$T/mt.serial"; then
	tap_fail "memtouch saw no bad page"
else
	tap_ok "memtouch saw no bad page ($(grep -c pass "$T/mt.serial") passes)"
fi

tap_done
