# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=sh
#
# Helpers for ftmigrate's shell selftests.  Source it from a test:
#
#	. "$(dirname "$0")/lib.sh"
#
# TAP output without a plan up front: report each case as it happens and end
# with tap_done, which prints the plan and gives the exit status:
#
#	tap_ok "module loads"
#	tap_fail "state is idle"
#	tap_skip "migrates a guest" "no /dev/kvm"
#	tap_check "ftctl lists sessions" ftctl list
#	tap_done
#
# Network hosts are network namespaces joined by veth pairs:
#
#	host_add src
#	host_add dst
#	hosts_link src dst 10.0.0.1 10.0.0.2
#	ip netns exec dst ping -c1 10.0.0.1
#
# Every host made with host_add, and every process left running in it, is
# removed when the test exits (host_add installs hosts_cleanup as the EXIT
# trap; a test that sets its own EXIT trap must call hosts_cleanup from it).
#
# Tests run inside the test VM (selftests/qemu/run.sh), as root, from the
# repository root; FTM_VM=1 is set there.

_tap_n=0
_tap_failed=0
_hosts=

# tap_ok DESC: report a passing case.
tap_ok() {
	_tap_n=$((_tap_n + 1))
	echo "ok $_tap_n - $1"
}

# tap_fail DESC: report a failing case.
tap_fail() {
	_tap_n=$((_tap_n + 1))
	_tap_failed=$((_tap_failed + 1))
	echo "not ok $_tap_n - $1"
}

# tap_skip DESC REASON: report a case that could not run here.
tap_skip() {
	_tap_n=$((_tap_n + 1))
	echo "ok $_tap_n - $1 # SKIP $2"
}

# tap_diag TEXT...: a comment line, shown but not counted.
tap_diag() {
	echo "# $*"
}

# tap_check DESC CMD [ARGS...]: run CMD; ok if it exits 0.  The output of a
# failing command is shown as comments.
tap_check() {
	_desc=$1
	shift
	if _out=$("$@" 2>&1); then
		tap_ok "$_desc"
	else
		tap_fail "$_desc"
		[ -z "$_out" ] || printf '%s\n' "$_out" | sed 's/^/#   /'
	fi
}

# tap_done: print the plan; return non-zero if any case failed.  Make it the
# last command of the test.
tap_done() {
	echo "1..$_tap_n"
	[ "$_tap_failed" -eq 0 ]
}

# host_add NAME: a new network namespace NAME with its loopback up.
host_add() {
	ip netns add "$1"
	ip -n "$1" link set lo up
	if [ -z "$_hosts" ]; then
		trap hosts_cleanup EXIT
		# A test killed by the runner's timeout cleans up too: exit
		# from a signal trap runs the EXIT trap.
		trap 'exit 143' TERM INT HUP
	fi
	_hosts="$_hosts $1"
}

# hosts_link A B ADDR_A ADDR_B: join hosts A and B with a veth pair, up, with
# ADDR_A on A and ADDR_B on B (/24 unless a prefix is given).  The interface
# in A is called "to-B" and the one in B "to-A" (so host names stay within
# 12 characters), e.g. for tc: ip netns exec A tc qdisc add dev to-B ...
hosts_link() {
	_a=$1 _b=$2 _addr_a=$3 _addr_b=$4
	case $_addr_a in */*) ;; *) _addr_a=$_addr_a/24 ;; esac
	case $_addr_b in */*) ;; *) _addr_b=$_addr_b/24 ;; esac
	ip link add "to-$_b" netns "$_a" type veth peer name "to-$_a" netns "$_b"
	ip -n "$_a" addr add "$_addr_a" dev "to-$_b"
	ip -n "$_b" addr add "$_addr_b" dev "to-$_a"
	ip -n "$_a" link set "to-$_b" up
	ip -n "$_b" link set "to-$_a" up
}

# hosts_cleanup: kill what still runs in the hosts and delete them.
hosts_cleanup() {
	for _h in $_hosts; do
		_pids=$(ip netns pids "$_h" 2>/dev/null) || true
		# shellcheck disable=SC2086 # one argument per pid
		[ -z "$_pids" ] || kill -KILL $_pids 2>/dev/null || true
		ip netns del "$_h" 2>/dev/null || true
	done
	_hosts=
}
