#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Install the Debian packages that building ftmigrate and running its tests in
# a QEMU VM need.  Idempotent: when everything is present it only asks dpkg and
# returns at once, so `make check` can call it every time.
set -eu

# What each package is for:
#   linux-image/-headers  the kernel the VM boots and the module builds against
#   qemu-system-x86       the VM (TCG where the machine has no /dev/kvm)
#   busybox-static        the VM's initramfs
#   kmod cpio             resolving module dependencies, packing the initramfs
#   iproute2 iputils-ping network-namespace hosts in the tests
#   sparse                `make sparse`
#   libmnl-dev pkg-config build-essential   userspace build
#   python3-yaml python3-jsonschema         netlink spec checks
PACKAGES="linux-image-amd64 linux-headers-amd64 qemu-system-x86 busybox-static
sparse libmnl-dev iproute2 iputils-ping kmod cpio python3-yaml python3-jsonschema
build-essential pkg-config"

missing=
for p in $PACKAGES; do
	status=$(dpkg-query -W -f='${db:Status-Status}' "$p" 2>/dev/null || true)
	[ "$status" = installed ] || missing="$missing $p"
done
[ -z "$missing" ] && exit 0

if [ "$(id -u)" != 0 ]; then
	echo "install-deps.sh: missing packages:$missing; run as root (or: sudo apt-get install$missing)" >&2
	exit 1
fi

echo "install-deps.sh: installing$missing"
export DEBIAN_FRONTEND=noninteractive
# Another apt or dpkg may be running (unattended upgrades, a provisioning
# step): wait for its lock rather than failing.
LOCK_WAIT="-o DPkg::Lock::Timeout=1200"

# `apt-get update` takes the lists lock, which older apt does not wait for;
# retry for a while instead.
tries=0
until apt-get $LOCK_WAIT -q update; do
	tries=$((tries + 1))
	if [ "$tries" -ge 60 ]; then
		echo "install-deps.sh: apt-get update kept failing" >&2
		exit 1
	fi
	echo "install-deps.sh: apt-get update failed (lock held?), retrying in 10 s" >&2
	sleep 10
done

# shellcheck disable=SC2086 # word splitting of the package list is intended
apt-get $LOCK_WAIT -q -y --no-install-recommends install $missing
