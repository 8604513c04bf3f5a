#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# ftctl's migration commands from the command line: every bad command line
# is one line on stderr and exit 2, before anything is asked of the kernel;
# without the module, one clear line and exit 1; with it, the read-only
# commands answer and an unknown VM is named as such.
set -u
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/ftm_lib.sh"

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
head -c 32 /dev/urandom > "$tmp/secret"
head -c 15 /dev/urandom > "$tmp/short"
head -c 65 /dev/urandom > "$tmp/long"
S=$tmp/secret
TO="--to 10.0.0.2:7000"
SEC="--secondary 10.0.0.2:7000"
FENCE="--fence /shared/pair.fence"
long_fence=/$(printf 'f%.0s' $(seq 255))	# 256 bytes, one too many

# usage DESC ARGS...: ftctl ARGS exits 2 with exactly one line on stderr
# and nothing on stdout.
usage() {
	_desc=$1
	shift
	"$FTCTL" "$@" > "$tmp/out" 2> "$tmp/err"
	_rc=$?
	if [ $_rc -eq 2 ] && [ ! -s "$tmp/out" ] && [ "$(wc -l < "$tmp/err")" -eq 1 ]; then
		tap_ok "$_desc: exit 2, $(cat "$tmp/err")"
	else
		tap_fail "$_desc: exit 2 and one line (exit $_rc)"
		sed 's/^/#   /' "$tmp/out" "$tmp/err"
	fi
}

ftm_unload

usage "migrate without a VM" migrate $TO --secret-file "$S"
usage "migrate without --to" migrate vm1 --secret-file "$S"
usage "migrate --to without a port" migrate vm1 --to 10.0.0.2 --secret-file "$S"
usage "migrate --to with port 0" migrate vm1 --to 10.0.0.2:0 --secret-file "$S"
usage "migrate --to with port 65536" migrate vm1 --to 10.0.0.2:65536 --secret-file "$S"
usage "migrate --to a host name" migrate vm1 --to dst.example:7000 --secret-file "$S"
usage "migrate --to IPv6" migrate vm1 --to "[::1]:7000" --secret-file "$S"
usage "migrate without --secret-file" migrate vm1 $TO
usage "migrate, a 15-byte secret" migrate vm1 $TO --secret-file "$tmp/short"
usage "migrate, a 65-byte secret" migrate vm1 $TO --secret-file "$tmp/long"
usage "migrate, a missing secret file" migrate vm1 $TO --secret-file "$tmp/none"
usage "migrate --bandwidth 100Mb (bits or bytes?)" migrate vm1 $TO --secret-file "$S" --bandwidth 100Mb
usage "migrate --bandwidth fast" migrate vm1 $TO --secret-file "$S" --bandwidth fast
usage "migrate --bandwidth 1bit (below a byte/s)" migrate vm1 $TO --secret-file "$S" --bandwidth 1bit
usage "migrate --bandwidth -1" migrate vm1 $TO --secret-file "$S" --bandwidth -1
usage "migrate --streams 9" migrate vm1 $TO --secret-file "$S" --streams 9
usage "migrate --downtime 0" migrate vm1 $TO --secret-file "$S" --downtime 0
usage "migrate --downtime 30001" migrate vm1 $TO --secret-file "$S" --downtime 30001
usage "migrate --throttle-step 100" migrate vm1 $TO --secret-file "$S" --throttle-step 100
usage "migrate --timeout 0" migrate vm1 $TO --secret-file "$S" --timeout 0
usage "migrate --id 0" migrate vm1 $TO --secret-file "$S" --id 0
usage "migrate --downtime without a value" migrate vm1 $TO --secret-file "$S" --downtime
usage "migrate, an unknown option" migrate vm1 $TO --secret-file "$S" --fast
usage "migrate cancel without an id" migrate cancel
usage "migrate cancel x" migrate cancel x
usage "listen without an address" listen
usage "listen 1.2.3:80" listen 1.2.3:80
usage "listener with an argument" listener now
usage "listen --fence-dir relative" listen --fence-dir fences
usage "listen --fence-dir without a value" listen --fence-dir
usage "migration without a subcommand" migration
usage "migration show x" migration show x
usage "migration begin without --id" migration begin vm1 --secret-file "$S"
usage "migration begin --type xvmotion" migration begin vm1 --id 1 --secret-file "$S" --type xvmotion
usage "migration prepare, odd hex cookie" migration prepare --id 1 --cookie abc
usage "migration prepare without --cookie" migration prepare --id 1
usage "migration perform without --to" migration perform --id 1
usage "migration set without a change" migration set 1
usage "migration set --streams (not settable)" migration set 1 --streams 2
usage "migration finish without an id" migration finish
usage "migration begin, a relative --fence" migration begin vm1 --id 1 --secret-file "$S" --type ft --fence pair.fence
usage "ft without a subcommand" ft
usage "ft with an unknown subcommand" ft on
usage "ft enable without a VM" ft enable $SEC --type ft $FENCE --secret-file "$S"
usage "ft enable without --secondary" ft enable vm1 --type ft $FENCE --secret-file "$S"
usage "ft enable --secondary without a port" ft enable vm1 --secondary 10.0.0.2 --type ft $FENCE --secret-file "$S"
usage "ft enable --to (not its option)" ft enable vm1 $TO --type ft $FENCE --secret-file "$S"
usage "ft enable without --type" ft enable vm1 $SEC $FENCE --secret-file "$S"
usage "ft enable --type vmotion" ft enable vm1 $SEC --type vmotion $FENCE --secret-file "$S"
usage "ft enable --type fault" ft enable vm1 $SEC --type fault $FENCE --secret-file "$S"
usage "ft enable without --fence" ft enable vm1 $SEC --type ft --secret-file "$S"
usage "ft enable, a relative --fence" ft enable vm1 $SEC --type ftcpt --fence shared/pair.fence --secret-file "$S"
usage "ft enable, an empty --fence" ft enable vm1 $SEC --type ft --fence= --secret-file "$S"
usage "ft enable, a 256-byte --fence" ft enable vm1 $SEC --type ft --fence "$long_fence" --secret-file "$S"
usage "ft enable --fence without a value" ft enable vm1 $SEC --type ft --secret-file "$S" --fence
usage "ft enable without --secret-file" ft enable vm1 $SEC --type ft $FENCE
usage "ft enable --streams 9" ft enable vm1 $SEC --type ft $FENCE --secret-file "$S" --streams 9
usage "ft enable --p2p (always)" ft enable vm1 $SEC --type ft $FENCE --secret-file "$S" --p2p
usage "ft status with an argument" ft status all
usage "ft failover without a pair" ft failover
usage "ft failover x" ft failover x
usage "ft failover 0" ft failover 0
usage "ft failover, two pairs" ft failover 1 2

# Good command lines get as far as the kernel: without the module, one line.
for cmd in "migrate vm1 $TO --secret-file $S --bandwidth 1.5GB --streams 4" \
	   "migrate vm1 $TO --secret-file $S --bandwidth 800Mbit --json" \
	   "listen :7000" "listen off" "listener" "migration list" \
	   "migrate cancel 5" \
	   "ft enable vm1 $SEC --type ft $FENCE --secret-file $S --downtime 100" \
	   "ft enable vm1 $SEC --type ftcpt $FENCE --secret-file $S --id 7 --json" \
	   "ft status" "ft status -j" "ft failover 7"; do
	out=$($FTCTL $cmd 2>&1); rc=$?
	if [ $rc -eq 1 ] && grep -q "module is not loaded" <<< "$out" && [ "$(wc -l <<< "$out")" -eq 1 ]; then
		tap_ok "ftctl $cmd without the module: one clear line, exit 1"
	else
		tap_fail "ftctl $cmd without the module (exit $rc)"; tap_diag "$out"
	fi
done

ftm_load || { tap_fail "load ftmigrate.ko"; tap_done; exit 1; }

out=$($FTCTL -j migration list 2>&1); rc=$?
if [ $rc -eq 0 ] && [ "$out" = "[]" ]; then
	tap_ok "ftctl -j migration list: none yet"
else
	tap_fail "ftctl -j migration list (exit $rc)"; tap_diag "$out"
fi
out=$($FTCTL migrate no-such-vm $TO --secret-file "$S" 2>&1); rc=$?
if [ $rc -eq 1 ] && grep -q "no VM with id or name no-such-vm" <<< "$out" && [ "$(wc -l <<< "$out")" -eq 1 ]; then
	tap_ok "ftctl migrate of an unknown VM: clear error, exit 1"
else
	tap_fail "ftctl migrate of an unknown VM (exit $rc)"; tap_diag "$out"
fi
out=$($FTCTL ft enable no-such-vm $SEC --type ft $FENCE --secret-file "$S" 2>&1); rc=$?
if [ $rc -eq 1 ] && grep -q "no VM with id or name no-such-vm" <<< "$out" && [ "$(wc -l <<< "$out")" -eq 1 ]; then
	tap_ok "ftctl ft enable of an unknown VM: clear error, exit 1"
else
	tap_fail "ftctl ft enable of an unknown VM (exit $rc)"; tap_diag "$out"
fi
# No VM is in a pair: nothing, or an empty array.
out=$($FTCTL ft status 2>&1); rc=$?
if [ $rc -eq 0 ] && [ -z "$out" ]; then
	tap_ok "ftctl ft status: no pair, no output"
else
	tap_fail "ftctl ft status (exit $rc)"; tap_diag "$out"
fi
out=$($FTCTL ft status -j 2>&1); rc=$?
if [ $rc -eq 0 ] && [ "$out" = "[]" ]; then
	tap_ok "ftctl ft status -j: none yet"
else
	tap_fail "ftctl ft status -j (exit $rc)"; tap_diag "$out"
fi
out=$($FTCTL ft failover 12345 2>&1); rc=$?
if [ $rc -eq 1 ] && [ "$(wc -l <<< "$out")" -eq 1 ]; then
	tap_ok "ftctl ft failover of an unknown pair: one line, exit 1: $out"
else
	tap_fail "ftctl ft failover of an unknown pair (exit $rc)"; tap_diag "$out"
fi
# Whatever the kernel answers (a listener, or not supported yet), a failure
# is one line and exit 1.
out=$($FTCTL listener 2>&1); rc=$?
if { [ $rc -eq 0 ] || [ $rc -eq 1 ]; } && [ "$(wc -l <<< "$out")" -eq 1 ]; then
	tap_ok "ftctl listener: one line, exit $rc: $out"
else
	tap_fail "ftctl listener (exit $rc)"; tap_diag "$out"
fi

tap_done
