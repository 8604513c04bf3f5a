#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Self-test of the test harness: the VM environment the other tests rely on,
# netns hosts, and lib.sh's TAP counting (which must notice failures).
set -eu
. "$(dirname "$0")/lib.sh"

# The VM set-up (selftests/qemu/run.sh).
tap_check "runs inside the test VM" test "${FTM_VM:-}" = 1
tap_check "cwd is the repository root" test -f selftests/lib.sh -a -f Makefile
tap_check "root filesystem is writable (overlay)" touch selftests/.harness_probe
rm -f selftests/.harness_probe
tap_check "debugfs mounted" mountpoint -q /sys/kernel/debug
tap_check "tracefs mounted" mountpoint -q /sys/kernel/tracing
tap_check "/dev/kmsg writable" sh -c 'echo "harness_test: kmsg probe" >/dev/kmsg'
if [ -c /dev/kvm ]; then
	tap_check "/dev/kvm opens" sh -c ': </dev/kvm'
else
	tap_skip "/dev/kvm opens" "no /dev/kvm in this VM (kvm_amd/kvm_intel did not load)"
fi

# Two hosts joined by a veth pair reach each other.
host_add ftmh_a
host_add ftmh_b
hosts_link ftmh_a ftmh_b 10.99.0.1 10.99.0.2
tap_check "netns a pings b" ip netns exec ftmh_a ping -c 1 -W 5 10.99.0.2
tap_check "netns b pings a" ip netns exec ftmh_b ping -c 1 -W 5 10.99.0.1
tap_check "interface names to-B/to-A" ip -n ftmh_a link show to-ftmh_b
hosts_cleanup
tap_check "hosts_cleanup removes the hosts" sh -c '! ip netns list | grep -q ftmh_'

# lib.sh counts, and fails when a case failed.  A sub-shell runs a known
# sequence; its output and status must be exactly this.
expected='ok 1 - a
not ok 2 - b
ok 3 - c # SKIP why
ok 4 - d
not ok 5 - e
#   boom
1..5
status 1'
got=$(sh -c '. selftests/lib.sh
	tap_ok a; tap_fail b; tap_skip c why
	tap_check d true; tap_check e sh -c "echo boom; false"
	tap_done; echo "status $?"')
if [ "$got" = "$expected" ]; then
	tap_ok "lib.sh counts ok/not ok/skip and tap_done fails"
else
	tap_fail "lib.sh counts ok/not ok/skip and tap_done fails"
	printf '%s\n' "$got" | sed 's/^/#   got: /'
fi
got=$(sh -c '. selftests/lib.sh; tap_ok a; tap_skip b why; tap_done; echo "status $?"')
if [ "$got" = "$(printf 'ok 1 - a\nok 2 - b # SKIP why\n1..2\nstatus 0')" ]; then
	tap_ok "tap_done passes when nothing failed"
else
	tap_fail "tap_done passes when nothing failed"
fi

tap_done
