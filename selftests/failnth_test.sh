#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Allocation-failure sweep (selftests/failnth.c): every ioctl and netlink
# command with its 1st, 2nd, ... allocation failing must end in a clean
# error or success with consistent state.  Needs a kernel with fault
# injection (CONFIG_FAULT_INJECTION, FAILSLAB, FAIL_PAGE_ALLOC and their
# debugfs); leaks are caught by run_all.sh's kmemleak scan.
set -u
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/ftm_lib.sh"

DBG=/sys/kernel/debug
if [ ! -e /proc/self/fail-nth ]; then
	echo "1..0 # SKIP kernel without CONFIG_FAULT_INJECTION (no /proc/self/fail-nth)"
	exit 0
fi
if [ ! -d $DBG/failslab ] || [ ! -d $DBG/fail_page_alloc ]; then
	echo "1..0 # SKIP kernel without FAILSLAB and FAIL_PAGE_ALLOC in debugfs"
	exit 0
fi

# fail-nth overrides probability, interval and times, but not these
# per-capability filters: let sleeping (GFP_KERNEL) and highmem allocations
# of any order fail, quietly (an injected failure is not a report).
saved=$(mktemp)
knob() { # FILE VALUE: set, remembering the old value
	echo "$1 $(cat "$1")" >>"$saved"
	echo "$2" >"$1"
}
restore() {
	while read -r f v; do echo "$v" >"$f"; done <"$saved"
	rm -f "$saved"
	hosts_cleanup
}
trap restore EXIT
knob $DBG/failslab/ignore-gfp-wait N
knob $DBG/failslab/verbose 0
knob $DBG/fail_page_alloc/ignore-gfp-wait N
knob $DBG/fail_page_alloc/ignore-gfp-highmem N
knob $DBG/fail_page_alloc/min-order 0
knob $DBG/fail_page_alloc/verbose 0

ftm_load || { echo "not ok 1 - load ftmigrate.ko"; exit 1; }
host_add fnth
echo "<6>ftmigrate-failnth: begin" >/dev/kmsg
ip netns exec fnth selftests/failnth
rc=$?
echo "<6>ftmigrate-failnth: end" >/dev/kmsg
hosts_cleanup
ftm_unload || rc=1
exit $rc
