#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Inside the debug-kernel VM (see scripts/check-debug.sh): put the module
# built for this kernel where the selftests load it from, and run them.  The
# VM's root is a throwaway overlay, so the work tree's own ftmigrate.ko is
# untouched.
set -eu
cd "$(dirname "$0")/.."

if [ "${FTM_VM:-}" != 1 ]; then
	echo "check-debug-vm.sh: runs only inside the test VM; use 'make check-debug'" >&2
	exit 2
fi
ko=build/debug-module/ftmigrate.ko
if ! modinfo -F vermagic "$ko" | grep -q "^$(uname -r) "; then
	echo "check-debug-vm.sh: $ko is not built for $(uname -r)" >&2
	exit 1
fi
cp "$ko" ./ftmigrate.ko
echo "# debug kernel $(uname -r): $(cat /proc/cmdline)"
exec selftests/run_all.sh "$@"
