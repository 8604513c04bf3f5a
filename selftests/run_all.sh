#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# selftests/run_all.sh [PATTERN]
#
# Run every selftest program and report.  Runs inside the test VM (through
# `make check`, or selftests/qemu/run.sh KVER selftests/run_all.sh [PATTERN]),
# never on a machine whose kernel matters: the tests load ftmigrate.ko.
#
# Test programs: executable files selftests/*_test.sh and selftests/*_test,
# in sorted order; with PATTERN only those whose name contains it.  Each is
# run from the repository root and prints TAP on stdout:
#	ok N - text
#	not ok N - text
#	ok N - text # SKIP reason
#	1..N                       (plan, optional, may come last)
#	1..0 # SKIP reason         (the whole program skipped)
# Its lines are shown prefixed with its name.  A program also fails (one
# failing case) if it exits non-zero without any "not ok" line, if it prints
# no results at all, if its plan does not match what it ran, or if it runs
# longer than FTM_TEST_TIMEOUT seconds (default 300; it is then killed), or
# than the larger limit the program asks for with a line
# "# ftm-test-timeout: SECONDS" among its first 20 lines.  Programs named
# in FTM_TEST_SKIP are reported skipped without running.
#
# After the programs, and counted as cases too: ftmigrate must unload cleanly
# (/sys/module/ftmigrate and /dev/ftmigrate gone), kmemleak (on kernels that
# have it) must find no leak, and the kernel log since the start must hold no
# warning, oops, lockdep or sanitizer report.  Between the lines
# "ftmigrate-failnth: begin" and "ftmigrate-failnth: end", which a test
# writes while it makes allocations fail on purpose, the stack dumps of the
# resulting allocation-failure reports are expected; every other bad line
# still counts there.
#
# The last line is "N passed, N failed" (", N skipped" when any were); the
# exit status is non-zero if anything failed or no test program ran.
set -eu
shopt -s nullglob

cd "$(dirname "$0")/.."

if [ "${FTM_VM:-}" != 1 ]; then
	echo "run_all.sh: refusing to run outside the test VM; use 'make check'" \
	     "(or set FTM_VM=1 on a disposable machine)" >&2
	exit 2
fi

PATTERN=${1:-}
# FTM_TEST_SKIP: words; a program whose name contains one of them is not run
# (counted as skipped).
SKIP_WORDS=${FTM_TEST_SKIP:-}
TIMEOUT=${FTM_TEST_TIMEOUT:-300}

passed=0
failed=0
skipped=0

# What the kernel must never say while the tests run.
KERNEL_BAD='WARNING:|BUG:|Oops|general protection fault|kernel BUG|INFO: possible .*lock|lockdep|KASAN|UBSAN|kmemleak|Call Trace|Slab cache still has objects|refcount_t:'

# result ok|fail|skip NAME TEXT: count a case the runner itself decides.
result() {
	case $1 in
	ok)   passed=$((passed + 1));   echo "ok - $2: $3" ;;
	fail) failed=$((failed + 1));   echo "not ok - $2: $3"
	      echo "not ok - $2: $3" >>"$tmp/failures" ;;
	skip) skipped=$((skipped + 1)); echo "ok - $2: $3" ;;
	esac
}

# Mark the start in the kernel log rather than clearing it, so that nothing
# is hidden: everything after the marker is checked at the end.
marker="ftmigrate-selftests: start $$.$(date +%s%N)"
echo "<6>$marker" >/dev/kmsg # info level: kept off the console

# kmemleak: forget what is unreferenced already (boot), report only what
# leaks from here on.
KMEMLEAK=/sys/kernel/debug/kmemleak
[ ! -w "$KMEMLEAK" ] || echo clear >"$KMEMLEAK" 2>/dev/null || true

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# run_test PROG: run one test program, echo and count its TAP lines.
run_test() {
	local prog=$1 name
	name=$(basename "$prog")
	local out=$tmp/$name.out
	: >"$out"
	echo "# ---- $name"

	# Output goes to a file that tail follows until the program is gone:
	# a straggler that keeps the output open cannot hang the runner.
	# timeout puts the program into a process group of its own, killed
	# whole on expiry and swept afterwards.
	local start rc=0 limit
	limit=$(sed -n '1,20s/^# ftm-test-timeout: *\([0-9][0-9]*\)$/\1/p' "$prog" | head -n 1)
	[ -n "$limit" ] && [ "$limit" -gt "$TIMEOUT" ] || limit=$TIMEOUT
	start=$(date +%s)
	timeout -k 5 "$limit" "./$prog" </dev/null >"$out" 2>&1 &
	local pid=$!
	# A heartbeat, so that a quiet test is told from a wedged VM (whose
	# console goes silent: see FTM_VM_SILENCE in qemu/run.sh).
	(
		while sleep 60; do
			echo "# $name: running for $(($(date +%s) - start))s"
		done
	) &
	local beat=$!
	tail -s 0.1 -n +1 -f --pid="$pid" "$out" | sed -u "s/^/$name: /"
	wait "$pid" || rc=$?
	kill "$beat" 2>/dev/null || true
	wait "$beat" 2>/dev/null || true
	kill -KILL -- "-$pid" 2>/dev/null || true
	# Network namespaces left behind would collide with the next test's.
	local left
	left=$(ip netns list 2>/dev/null | cut -d' ' -f1 | tr '\n' ' ')
	if [ -n "$left" ]; then
		echo "# $name left network namespaces behind, removing: $left"
		for ns in $left; do
			# shellcheck disable=SC2046 # one argument per pid
			kill -KILL $(ip netns pids "$ns" 2>/dev/null) 2>/dev/null || true
			ip netns del "$ns" 2>/dev/null || true
		done
	fi

	local ok notok skip plan ran
	ok=$(grep -cE '^ok( |$)' "$out" || true)
	skip=$(grep -ciE '^ok( [0-9]+)?( -)?.*# *skip' "$out" || true)
	notok=$(grep -cE '^not ok( |$)' "$out" || true)
	grep -E '^not ok( |$)' "$out" | sed "s/^/$name: /" >>"$tmp/failures" || true
	plan=$(sed -n 's/^1\.\.\([0-9][0-9]*\).*/\1/p' "$out" | tail -n 1)
	ran=$((ok + notok))
	passed=$((passed + ok - skip))
	skipped=$((skipped + skip))
	failed=$((failed + notok))

	if [ "$rc" = 124 ] || [ "$rc" = 137 ]; then
		result fail "$name" "killed after ${limit}s (FTM_TEST_TIMEOUT or its own limit)"
	elif [ "$rc" != 0 ] && [ "$notok" = 0 ]; then
		result fail "$name" "exited with status $rc"
	elif [ "$ran" = 0 ] && [ "$plan" = 0 ]; then
		result skip "$name" "skipped whole # SKIP $(sed -n 's/^1\.\.0 *# *[Ss][Kk][Ii][Pp] *//p' "$out")"
	elif [ "$ran" = 0 ]; then
		result fail "$name" "printed no test results"
	elif [ -n "$plan" ] && [ "$plan" != "$ran" ]; then
		result fail "$name" "planned $plan cases, ran $ran"
	fi
	echo "# ---- $name: exit $rc, $(($(date +%s) - start))s"
}

programs=0
for prog in selftests/*_test.sh selftests/*_test; do
	echo "$prog"
done | LC_ALL=C sort >"$tmp/list"
while read -r prog; do
	if [ ! -f "$prog" ] || [ ! -x "$prog" ]; then continue; fi
	case $(basename "$prog") in *"$PATTERN"*) ;; *) continue ;; esac
	skip_this=
	for w in $SKIP_WORDS; do
		case $(basename "$prog") in *"$w"*) skip_this=$w ;; esac
	done
	if [ -n "$skip_this" ]; then
		result skip "$(basename "$prog")" "skipped whole # SKIP FTM_TEST_SKIP names $skip_this"
		continue
	fi
	programs=$((programs + 1))
	run_test "$prog"
done <"$tmp/list"

echo "# ---- post-checks"
if [ "$programs" = 0 ]; then
	result fail run_all "no test program matched '${PATTERN}'"
fi

if [ -d /sys/module/ftmigrate ]; then
	if out=$(timeout 60 rmmod ftmigrate 2>&1); then
		result ok module "rmmod ftmigrate"
	else
		result fail module "rmmod ftmigrate: $out"
	fi
fi
if [ -e /sys/module/ftmigrate ] || [ -e /dev/ftmigrate ]; then
	result fail module "/sys/module/ftmigrate or /dev/ftmigrate still there"
else
	result ok module "ftmigrate not loaded, /dev/ftmigrate gone"
fi

# kmemleak reports objects unreferenced for 5 s and more; scan twice, as
# its documentation suggests, so that a leak freshly made is seen.
if [ -w "$KMEMLEAK" ]; then
	echo scan >"$KMEMLEAK"
	sleep 6
	echo scan >"$KMEMLEAK"
	cat "$KMEMLEAK" >"$tmp/leaks"
	if [ -s "$tmp/leaks" ]; then
		sed 's/^/kmemleak: /' "$tmp/leaks" | head -n 200
		result fail kmemleak "$(grep -c '^unreferenced object' "$tmp/leaks") leak(s) reported"
	else
		result ok kmemleak "no leak"
	fi
fi

# The kernel log since the marker; all of it if the marker has scrolled out
# of the ring buffer.
dmesg >"$tmp/dmesg"
if grep -qF "$marker" "$tmp/dmesg"; then
	sed -n "\\|$marker|,\$p" "$tmp/dmesg" >"$tmp/since"
else
	cp "$tmp/dmesg" "$tmp/since"
fi
awk '/ftmigrate-failnth: begin/ { inj = 1 } /ftmigrate-failnth: end/ { inj = 0 }
	!(inj && /Call Trace:/)' "$tmp/since" >"$tmp/checked"
if grep -E "$KERNEL_BAD" "$tmp/checked" >"$tmp/bad"; then
	sed 's/^/kernel: /' "$tmp/bad"
	result fail kernel "log has $(wc -l <"$tmp/bad") bad line(s) (WARNING/BUG/Oops/...)"
else
	result ok kernel "log clean"
fi

# The failures again, so that the end of a long log names them.
if [ -s "$tmp/failures" ]; then
	echo "# failed cases:"
	sed 's/^/#   /' "$tmp/failures"
fi
summary="$passed passed, $failed failed"
[ "$skipped" = 0 ] || summary="$summary, $skipped skipped"
echo "$summary"
[ "$failed" = 0 ] && [ "$programs" != 0 ]
