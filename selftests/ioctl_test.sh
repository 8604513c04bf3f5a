#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The /dev/ftmigrate ioctl ABI: selftests/ioctl_abi prints the TAP cases.
set -u
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/ftm_lib.sh"

ftm_load || { echo "not ok 1 - load ftmigrate.ko"; exit 1; }
selftests/ioctl_abi
rc=$?
ftm_unload || rc=1
exit $rc
