#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Print the kernel version the test VM boots: the newest installed kernel that
# has both an image to boot (/boot/vmlinuz-V) and a build directory to build
# the module against (/lib/modules/V/build).  The VM then loads that kernel's
# own modules from /lib/modules/V, so all three must belong together.
set -eu

best=
for image in /boot/vmlinuz-*; do
	[ -e "$image" ] || continue
	v=${image#/boot/vmlinuz-}
	[ -d "/lib/modules/$v/build" ] || continue
	best="$best$v
"
done

best=$(printf '%s' "$best" | sort -V | tail -n 1)
if [ -z "$best" ]; then
	echo "vm-kernel.sh: no kernel has both /boot/vmlinuz-V and /lib/modules/V/build;" \
	     "run scripts/install-deps.sh (linux-image-amd64, linux-headers-amd64)" >&2
	exit 1
fi
echo "$best"
