#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Module load/unload, the init unwind of the type registry, and the ioctl ABI.
set -u
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/ftm_lib.sh"

ftm_unload

# 50 load/unload cycles, with the device node appearing and going each time.
bad=
for i in $(seq 50); do
	if ! insmod "$FTM_KO"; then bad="insmod failed at cycle $i"; break; fi
	mode=$(stat -c %A /dev/ftmigrate 2>/dev/null)
	if [ "$mode" != "crw-------" ]; then bad="cycle $i: /dev/ftmigrate is '$mode'"; break; fi
	if ! rmmod ftmigrate; then bad="rmmod failed at cycle $i"; break; fi
	if [ -e /dev/ftmigrate ]; then bad="cycle $i: /dev/ftmigrate left behind"; break; fi
done
if [ -z "$bad" ]; then tap_ok "50 load/unload cycles"; else tap_fail "50 load/unload cycles"; tap_diag "$bad"; fi

# Make the Nth type registration fail: the load fails, every earlier
# registration is undone, and nothing of the module stays behind.
for n in 1 2 3; do
	mark=$(klog_mark)
	if insmod "$FTM_KO" fail_type_register=$n 2>/dev/null; then
		tap_fail "load fails when registration $n fails"
		ftm_unload
		continue
	fi
	tap_ok "load fails when registration $n fails"
	log=$(klog_since "$mark")
	# The last such line is the load's own: a kernel with KUnit runs the
	# module's registry suites, which print theirs, before its init.
	if grep "unwinding [0-9]* registration(s)" <<< "$log" | tail -n 1 |
	   grep -q "unwinding $((n - 1)) registration(s)" &&
	   [ ! -e /sys/module/ftmigrate ] && [ ! -e /dev/ftmigrate ]; then
		tap_ok "failed registration $n unwinds the $((n - 1)) before it"
	else
		tap_fail "failed registration $n unwinds the $((n - 1)) before it"
		printf '%s\n' "$log" | sed 's/^/#   /'
	fi
done
tap_check "module loads cleanly after the failed loads" insmod "$FTM_KO"

tap_check "module unloads" rmmod ftmigrate
tap_done
