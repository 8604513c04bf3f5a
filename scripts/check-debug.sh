#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# scripts/check-debug.sh [PATTERN]: the body of `make check-debug`.
#
# Builds ftmigrate.ko against the cached debug kernel (scripts/debug-kernel.sh
# builds it first if needed) in build/debug-module/, so that the module built
# for Debian's kernel in the work tree is left alone, then boots that kernel
# with panic_on_warn and runs the selftests as `make check` does
# (scripts/check-debug-vm.sh inside the VM puts the debug build in place).
# Userspace and the selftest programs must be built already.
#
# Environment: FTM_TEST_TIMEOUT (per test program, default 1200 s here: KASAN
# under TCG is slow), FTM_VM_TIMEOUT (whole VM, default 4500 s), and what
# scripts/debug-kernel.sh and selftests/qemu/run.sh take.
set -euo pipefail

REPO=$(cd "$(dirname "$0")/.." && pwd)
cd "$REPO"

dir=$(scripts/debug-kernel.sh | tail -n 1)
krel=$(cat "$dir/kernelrelease")

# The module sources, copied so that the build's objects stay out of the
# work tree's own.
mod=$REPO/build/debug-module
mkdir -p "$mod/kernel" "$mod/uapi/linux"
rm -f "$mod"/kernel/*.[ch] "$mod"/uapi/linux/*.h
cp Kbuild "$mod/"
cp kernel/*.[ch] "$mod/kernel/"
cp uapi/linux/*.h "$mod/uapi/linux/"
make -C "$dir/build" M="$mod" W=1 modules
grep -qa ftmigrate_registry "$mod/ftmigrate.ko" ||
	{ echo "check-debug.sh: the debug ftmigrate.ko has no KUnit suites" >&2; exit 1; }

export FTM_TEST_TIMEOUT=${FTM_TEST_TIMEOUT:-1200}
export FTM_VM_TIMEOUT=${FTM_VM_TIMEOUT:-4500}
export FTM_VM_KERNEL=$dir/bzImage
export FTM_VM_MODROOT=$dir/root
# pci=noacpi: the PCI interrupt routes come from the BIOS table, not from
# the ACPI _PRT method, whose AML loop times out on this kernel under TCG
# (the VM then waits forever for its virtio-9p root).
export FTM_VM_APPEND="panic_on_warn=1 pci=noacpi ${FTM_VM_APPEND:-}"
# The debug run looks for KASAN, lockdep and leak reports, which six hops
# find as well as twenty at a third of the time under KASAN.
export FTM_VMOTION_HOPS=${FTM_VMOTION_HOPS:-6}
# Convergence is policy measured in time, which KASAN distorts; the paths it
# takes (rounds, throttle requests) run in the other VMotion tests too.
export FTM_TEST_SKIP=${FTM_TEST_SKIP-vmotion_converge}
exec selftests/qemu/run.sh "$krel" scripts/check-debug-vm.sh "$@"
