#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The reference vmx registers its VM with ftmigrate: the host it runs on
# (and only that host) lists it with its config file's hash, and the VM
# object goes away with the vmx, even when the vmx is SIGKILLed.
set -u
cd "$(dirname "$0")/.."
. selftests/lib.sh
. selftests/ftm_lib.sh
. selftests/vmx_lib.sh
vmx_setup

T=$VMX_TMP
vmx_config "$T/reg.cfg" regvm counter.bin "count=0 interval_us=20000"

# Without the module: "auto" runs unregistered, "on" refuses clearly.
ftm_unload
out=$("$VMX" --ftmigrate=on "$T/reg.cfg" 2>&1); rc=$?
if [ $rc -eq 1 ] && grep -q "ftmigrate module loaded" <<< "$out"; then
	tap_ok "--ftmigrate=on without the module: clear error"
else
	tap_fail "--ftmigrate=on without the module: clear error (exit $rc)"; tap_diag "$out"
fi
vmx_config "$T/short.cfg" shortvm counter.bin "count=3 interval_us=0"
tap_check "--ftmigrate=auto without the module runs the VM" "$VMX" "$T/short.cfg"

ftm_load || { tap_fail "load ftmigrate.ko"; tap_done; exit 1; }
host_add h1
host_add h2
ip netns exec h1 "$VMX" --ftmigrate=on "$T/reg.cfg" > "$T/reg.out" 2>&1 &
vmx=$!
VMX_PIDS="$VMX_PIDS $vmx"
if vmx_wait_lines "$T/regvm.serial" 3; then
	tap_ok "registered vmx runs its guest"
else
	tap_fail "registered vmx runs its guest"; tap_diag "$(cat "$T/reg.out")"
fi

list=$(ip netns exec h1 $FTCTL -j vm list 2>&1)
want_sha=$(sha256sum < "$T/reg.cfg" | cut -d' ' -f1)
want_uuid=$(sed -n 's/^uuid = //p' "$T/reg.cfg")
if python3 -c '
import json, sys
v = json.loads(sys.argv[1])
assert len(v) == 1, v
v = v[0]
assert v["name"] == "regvm" and v["uuid"] == sys.argv[2], v
assert v["config_sha256"] == sys.argv[3] and v["owner_pid"] == int(sys.argv[4]), v
' "$list" "$want_uuid" "$want_sha" "$vmx" 2>/dev/null; then
	tap_ok "its host lists the VM: name, UUID, owner, config hash"
else
	tap_fail "its host lists the VM: name, UUID, owner, config hash"; tap_diag "$list"
fi
list=$(ip netns exec h2 $FTCTL -j vm list 2>&1)
if [ "$list" = "[]" ]; then tap_ok "another host does not see it"; else tap_fail "another host does not see it"; tap_diag "$list"; fi

kill -KILL "$vmx"
wait "$vmx" 2>/dev/null
list=$(ip netns exec h1 $FTCTL -j vm list 2>&1)
if [ "$list" = "[]" ]; then tap_ok "SIGKILL of the vmx releases its VM"; else tap_fail "SIGKILL of the vmx releases its VM"; tap_diag "$list"; fi

hosts_cleanup
tap_check "module unloads" ftm_unload
tap_done
