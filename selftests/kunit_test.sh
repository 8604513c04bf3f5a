#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The KUnit suites built into ftmigrate.ko for a kernel with CONFIG_KUNIT
# (kernel/kunit_*.c): they run when the module loads; every case is reported
# here as one TAP case, from debugfs (or the kernel log without it).
set -u
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/ftm_lib.sh"

SUITES="ftmigrate_registry ftmigrate_ioctl ftmigrate_vm ftmigrate_frame ftmigrate_auth ftmigrate_memory ftmigrate_fence"
KD=/sys/kernel/debug/kunit

if [ ! -d /sys/module/kunit ] && [ ! -d "$KD" ]; then
	echo "1..0 # SKIP kernel without CONFIG_KUNIT (the suites are built only for one that has it)"
	exit 0
fi
if ! grep -qa ftmigrate_registry "$FTM_KO"; then
	echo "1..0 # SKIP $FTM_KO was built without the KUnit suites (against a kernel without CONFIG_KUNIT)"
	exit 0
fi

ftm_unload
mark=$(klog_mark)
if ! ftm_load; then
	tap_fail "load ftmigrate.ko (runs the suites)"
	tap_done
	exit 1
fi

# results KUNIT_SUITE: the suite's KTAP, from debugfs or the kernel log.
results() {
	if [ -r "$KD/$1/results" ]; then
		cat "$KD/$1/results"
	else
		klog_since "$mark" | sed 's/^\[[ 0-9.]*\] //' |
			sed -n "/# Subtest: $1\$/,/^ *\(not \)\?ok [0-9]* $1\$/p"
	fi
}

total=0
for s in $SUITES; do
	out=$(results "$s")
	if [ -z "$out" ]; then
		tap_fail "$s: suite ran"
		continue
	fi
	# Cases are the lines indented once ("    ok 1 test_name"); the
	# suite's own verdict is the unindented one.
	n=0
	while IFS= read -r line; do
		case $line in
		"    ok "* | "    not ok "*) ;;
		*) continue ;;
		esac
		line=${line#    }
		name=$(sed -E 's/^(not )?ok [0-9]+ (- )?//; s/ *#.*//' <<<"$line")
		n=$((n + 1))
		case $line in
		"not ok"*) tap_fail "$s.$name" ;;
		*"# SKIP"*) tap_skip "$s.$name" "${line#*# SKIP}" ;;
		*) tap_ok "$s.$name" ;;
		esac
	done <<<"$out"
	total=$((total + n))
	if [ "$n" = 0 ]; then
		tap_fail "$s: no test case results"
		printf '%s\n' "$out" | sed 's/^/#   /'
	elif grep -q "^not ok [0-9]* $s" <<<"$out"; then
		printf '%s\n' "$out" | grep -A3 -E "FAILED|not ok" | sed 's/^/#   /' | head -60
	fi
done
tap_diag "$total KUnit case(s) in $(wc -w <<<"$SUITES") suite(s)"

tap_check "module unloads" ftm_unload
tap_done
