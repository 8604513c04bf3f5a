#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# make bench: run every selftests/bench/*_bench.sh inside the test VM.  Each
# benchmark prints its measurements as ratios against a baseline measured in
# the same run; nothing here passes or fails on speed.  A benchmark fails
# only when it could not measure.
set -u
cd "$(dirname "$0")/../.."

failed=0
for b in selftests/bench/*_bench.sh; do
	echo "# ---- $b"
	"$b" || { echo "# $b could not measure (exit $?)"; failed=1; }
done
exit $failed
