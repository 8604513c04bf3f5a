#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The vmx refuses bad configs, missing images and disks, and a host without
# /dev/kvm, each with one clear error line and status 1, before running
# anything.
set -u
cd "$(dirname "$0")/.."
. selftests/lib.sh
. selftests/vmx_lib.sh
vmx_setup nokvm

UUID=6f1c2d3e-0000-4000-8000-000000000001

# refused DESC EXPECTED_LINE CONFIG_TEXT: the vmx exits 1 printing exactly
# one line, which contains EXPECTED_LINE.
refused() {
	_desc=$1 _want=$2
	printf '%b' "$3" >"$VMX_TMP/bad.cfg"
	_out=$("$VMX" "$VMX_TMP/bad.cfg" 2>&1)
	_rc=$?
	if [ $_rc = 1 ] && [ "$(printf '%s\n' "$_out" | wc -l)" = 1 ] &&
		printf '%s' "$_out" | grep -qF -- "$_want"; then
		tap_ok "$_desc"
	else
		tap_fail "$_desc (status $_rc)"
		printf '%s\n' "$_out" | sed 's/^/#   got: /'
		echo "#   want: $_want"
	fi
}

BASE="name = t\nuuid = $UUID\nmemory = 4M\nimage = $GUESTS/counter.bin\n"

out=$("$VMX" "$VMX_TMP/nonexistent.cfg" 2>&1)
if [ $? = 1 ] && [ "$out" = "vmx: $VMX_TMP/nonexistent.cfg: No such file or directory" ]; then
	tap_ok "missing config file"
else
	tap_fail "missing config file: $out"
fi
refused "unknown key" "bad.cfg:5: unknown key 'colour'" "${BASE}colour = blue\n"
refused "key given twice" "bad.cfg:5: 'memory' given twice" "${BASE}memory = 8M\n"
refused "line without =" "bad.cfg:5: expected key = value" "${BASE}memory 8M\n"
refused "missing uuid" "missing required key 'uuid'" \
	"name = t\nmemory = 4M\nimage = $GUESTS/counter.bin\n"
refused "malformed uuid" "bad.cfg:2: uuid must be 8-4-4-4-12" \
	"name = t\nuuid = 1234\nmemory = 4M\nimage = x\n"
refused "memory not a size" "bad.cfg:3: memory must be a size" \
	"name = t\nuuid = $UUID\nmemory = lots\nimage = x\n"
refused "memory too small" "bad.cfg:3: memory must be a multiple of 2M between 2M and 64G" \
	"name = t\nuuid = $UUID\nmemory = 1M\nimage = x\n"
refused "memory too large" "bad.cfg:3: memory must be" \
	"name = t\nuuid = $UUID\nmemory = 65G\nimage = x\n"
refused "bad name" "bad.cfg:1: name may hold only" \
	"name = a/b\nuuid = $UUID\nmemory = 4M\nimage = x\n"
refused "bad nic" "bad.cfg:5: nic must be udp:ADDRESS:PORT" "${BASE}nic = tcp:1.2.3.4:5\n"
refused "too many vcpus" "bad.cfg:5: vcpus must be 1..1" "${BASE}vcpus = 4\n"
refused "unterminated quote" "bad.cfg:5: unterminated quote" "${BASE}args = \"count=1\n"
refused "missing image" "vmx: image $VMX_TMP/nothere.bin: No such file or directory" \
	"name = t\nuuid = $UUID\nmemory = 4M\nimage = nothere.bin\n"
refused "missing disk" "vmx: disk $VMX_TMP/nodisk.img: No such file or directory" \
	"${BASE}disk = nodisk.img\n"
head -c 1000 /dev/zero >"$VMX_TMP/odd.img"
refused "disk not whole sectors" "not a regular file of whole 512-byte sectors" \
	"${BASE}disk = odd.img\n"

# A config that is fine apart from the host having no /dev/kvm: hide it in
# a private mount namespace.
printf '%b' "$BASE" >"$VMX_TMP/good.cfg"
if command -v unshare >/dev/null && [ "$(id -u)" = 0 ]; then
	out=$(unshare -m sh -c "mount -t tmpfs none /dev && exec $VMX $VMX_TMP/good.cfg" 2>&1)
	rc=$?
	if [ $rc = 1 ] && [ "$out" = "vmx: /dev/kvm: No such file or directory (is KVM enabled in this kernel?)" ]; then
		tap_ok "no /dev/kvm"
	else
		tap_fail "no /dev/kvm (status $rc): $out"
	fi
else
	tap_skip "no /dev/kvm" "needs root and unshare"
fi

# A usage error is status 2.
"$VMX" >/dev/null 2>&1
rc=$?
if [ $rc = 2 ]; then tap_ok "usage error"; else tap_fail "usage error (status $rc)"; fi

tap_done
