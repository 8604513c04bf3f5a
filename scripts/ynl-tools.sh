#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Unpack the kernel's generic netlink tooling (the YNL CLI and the spec
# schemas) from Debian's linux-source-6.12 into build/ynl, so the selftests
# can check that the ftmigrate family works with tools that know only its
# YAML spec.  A no-op when already unpacked; without the package it says so
# and the tests that need it skip.
set -eu

cd "$(dirname "$0")/.."
tarball=/usr/src/linux-source-6.12.tar.xz
dest=build/ynl

if [ -f "$dest/tools/net/ynl/cli.py" ]; then
	exit 0
fi
if [ ! -f "$tarball" ]; then
	echo "ynl-tools: $tarball not found (apt-get install linux-source-6.12); YNL tests will skip" >&2
	exit 0
fi
rm -rf "$dest.tmp"
mkdir -p "$dest.tmp"
tar -C "$dest.tmp" --strip-components=1 -xJf "$tarball" --wildcards \
	'linux-source-6.12/tools/net/ynl/*' \
	'linux-source-6.12/Documentation/netlink/*.yaml'
rm -rf "$dest"
mv "$dest.tmp" "$dest"
