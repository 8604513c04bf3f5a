#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The netlink family as a spec: the generated uapi enums and kernel policies
# match Documentation/netlink/specs/ftmigrate.yaml, and the kernel's own
# generic YNL CLI, knowing nothing but that spec, validates it against the
# genetlink schema and speaks to the module through it.
set -u
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/ftm_lib.sh"

SPEC=Documentation/netlink/specs/ftmigrate.yaml
YNL=build/ynl/tools/net/ynl/cli.py
SCHEMA=build/ynl/Documentation/netlink/genetlink.yaml

tap_check "generated uapi enums and kernel policies match the spec" scripts/ynl-gen.py --check

if [ ! -f "$YNL" ]; then
	tap_skip "YNL CLI speaks the family" "the kernel's YNL tools are not unpacked (scripts/ynl-tools.sh needs linux-source-6.12)"
	tap_done
	exit
fi
ynl() { python3 "$YNL" --spec "$SPEC" --schema "$SCHEMA" --output-json "$@"; }

ftm_load || { tap_fail "load ftmigrate.ko"; tap_done; exit 1; }

tap_check "spec validates against the genetlink schema" ynl --list-ops

out=$(ynl --do version-get 2>&1)
if python3 -c 'import json,sys; v=json.loads(sys.argv[1]); assert v["api-version"] == 1 and v["module-version"]' "$out" 2>/dev/null; then
	tap_ok "YNL CLI: version-get"
else
	tap_fail "YNL CLI: version-get"; tap_diag "$out"
fi

out=$(ynl --dump type-get 2>&1)
if python3 -c '
import json, sys
t = json.loads(sys.argv[1])
assert [x["name"] for x in t] == ["VMotion", "FT", "FTCpt"], t
assert {x["ops"] for x in t} == {"vmotion"}, t
' "$out" 2>/dev/null; then
	tap_ok "YNL CLI: type-get dump lists three types on one ops table"
else
	tap_fail "YNL CLI: type-get dump lists three types on one ops table"; tap_diag "$out"
fi

vm_hold ynl-vm || tap_fail "start a VM holder"
out=$(ynl --dump vm-get 2>&1)
if python3 -c '
import json, sys
v = json.loads(sys.argv[1])
assert [x["name"] for x in v] == ["ynl-vm"], v
assert v[0]["id"] == int(sys.argv[2]), v
assert v[0]["config-sha256"].replace(" ", "") == sys.argv[3], v
' "$out" "$HOLD_ID" "$(printf 'name = "ynl-vm"\n' | sha256sum | cut -d' ' -f1)" 2>/dev/null; then
	tap_ok "YNL CLI: vm-get dump shows the VM"
else
	tap_fail "YNL CLI: vm-get dump shows the VM"; tap_diag "$out"
fi
out=$(ynl --do vm-get --json "{\"id\": $HOLD_ID}" 2>&1)
if python3 -c 'import json,sys; v=json.loads(sys.argv[1]); assert v["name"] == "ynl-vm"' "$out" 2>/dev/null; then
	tap_ok "YNL CLI: vm-get do by id"
else
	tap_fail "YNL CLI: vm-get do by id"; tap_diag "$out"
fi
out=$(ynl --do vm-get --json '{"id": 0}' 2>&1)
rc=$?
tap_diag "vm-get id 0: $(tail -n 1 <<< "$out")"
if [ $rc -ne 0 ] && grep -q "Numerical result out of range" <<< "$out"; then
	tap_ok "YNL CLI: vm-get with id 0 is refused by the policy"
else
	tap_fail "YNL CLI: vm-get with id 0 is refused by the policy"; tap_diag "$out"
fi
vm_release "$HOLD_PID"
out=$(ynl --dump vm-get 2>&1)
if [ "$out" = "[]" ]; then
	tap_ok "YNL CLI: the VM is gone after its holder is killed"
else
	tap_fail "YNL CLI: the VM is gone after its holder is killed"; tap_diag "$out"
fi
tap_check "module unloads" ftm_unload
tap_done
