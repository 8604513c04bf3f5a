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
#   linux-source-6.12     the kernel's YNL CLI and genetlink schemas, which
#                         the selftests drive the netlink family with
#                         (scripts/ynl-tools.sh unpacks them)
#   linux-source-6.1 bc bison flex libelf-dev xz-utils   the debug kernel of
#                         `make check-debug` (scripts/debug-kernel.sh)
#   iperf3                `make bench`: the plain TCP transfer that VMotion's
#                         throughput is compared with (vmotion_bench.sh)
PACKAGES="linux-image-amd64 linux-headers-amd64 qemu-system-x86 busybox-static
sparse libmnl-dev iproute2 iputils-ping kmod cpio python3-yaml python3-jsonschema
build-essential pkg-config
linux-source-6.1 bc bison flex libelf-dev xz-utils linux-source-6.12
iperf3"

# One dpkg-query for all: a package it does not know is simply not listed.
# shellcheck disable=SC2086 # one argument per package
installed=$(dpkg-query -W -f='${Package} ${db:Status-Status}\n' $PACKAGES 2>/dev/null |
	awk '$2 == "installed" { print $1 }' || true)
missing=
for p in $PACKAGES; do
	echo "$installed" | grep -qx "$p" || missing="$missing $p"
done
[ -z "$missing" ] && exit 0

if [ "$(id -u)" != 0 ]; then
	echo "install-deps.sh: missing packages:$missing; run as root (or: sudo apt-get install$missing)" >&2
	exit 1
fi

echo "install-deps.sh: installing$missing"
export DEBIAN_FRONTEND=noninteractive
# The tests boot the kernel image with an initramfs of their own; skip the
# minutes Debian's kernel hook spends generating one nobody uses.
export INITRD=No
# Another apt or dpkg may be running (unattended upgrades, a provisioning
# step): wait for its lock rather than failing.
apt_get() {
	apt-get -o DPkg::Lock::Timeout=1200 -q "$@"
}

# `apt-get update` takes the lists lock, which older apt does not wait for;
# retry for a while instead.
tries=0
until apt_get update; do
	tries=$((tries + 1))
	if [ "$tries" -ge 60 ]; then
		echo "install-deps.sh: apt-get update kept failing" >&2
		exit 1
	fi
	echo "install-deps.sh: apt-get update failed (lock held?), retrying in 10 s" >&2
	sleep 10
done

# shellcheck disable=SC2086 # one argument per package
apt_get -y --no-install-recommends install $missing
