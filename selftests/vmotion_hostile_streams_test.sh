#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# A hostile source against a destination: the streams part (see
# vmotion_hostile_lib.sh for what each part covers).  Each case starts a
# Python peer, a few seconds apiece under TCG.
# ftm-test-timeout: 600
PART=streams
. "$(dirname "$0")/vmotion_hostile_lib.sh"
