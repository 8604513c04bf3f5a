#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Save and restore: a counter saved by one vmx and restored by another
# continues with no gap and no duplicate, with the same RAM; save files that
# are corrupted, truncated or meant for another VM are refused whole, with a
# clear error, before the guest runs.
set -u
cd "$(dirname "$0")/.."
. selftests/lib.sh
. selftests/vmx_lib.sh
vmx_setup

T=$VMX_TMP
SAVE=$T/counter.state

# --- source: run, then save through the control socket ----------------------
vmx_config "$T/src.cfg" counter counter.bin "count=0 interval_us=2000"
vmx_start "$T/src.out" --control "$T/src.sock" "$T/src.cfg"
src=$VMX_PID
if vmx_wait_socket "$T/src.sock" && vmx_wait_lines "$T/counter.serial" 30; then
	tap_ok "source counter runs"
else
	tap_fail "source counter runs"
	sed 's/^/#   /' "$T/src.out"
fi
status=$("$VMX_CTL" "$T/src.sock" status)
case $status in
"ok state=running name=counter "*) tap_ok "status reports a running VM" ;;
*) tap_fail "status reports a running VM: $status" ;;
esac

"$VMX_CTL" "$T/src.sock" pause >/dev/null
n1=$(wc -l <"$T/counter.serial")
sleep 0.3
n2=$(wc -l <"$T/counter.serial")
if [ "$n1" = "$n2" ] && "$VMX_CTL" "$T/src.sock" status | grep -q "state=paused"; then
	tap_ok "pause stops the guest"
else
	tap_fail "pause stops the guest ($n1 then $n2 lines)"
fi
"$VMX_CTL" "$T/src.sock" resume >/dev/null
vmx_wait_lines "$T/counter.serial" $((n2 + 5)) 10 && tap_ok "resume continues it" ||
	tap_fail "resume continues it"

reply=$("$VMX_CTL" "$T/src.sock" save "$SAVE")
src_hash=$(printf '%s' "$reply" | sed -n 's/^ok saved ram-hash=\([0-9a-f]*\)$/\1/p')
if [ -n "$src_hash" ] && [ -s "$SAVE" ]; then
	tap_ok "save writes the state ($(stat -c %s "$SAVE") bytes)"
else
	tap_fail "save writes the state: $reply"
fi
hash_again=$("$VMX_CTL" "$T/src.sock" hash | sed -n 's/^ok ram-hash=//p')
[ "$hash_again" = "$src_hash" ] && tap_ok "the saved VM stays stopped" ||
	tap_fail "the saved VM stays stopped ($src_hash then $hash_again)"
"$VMX_CTL" "$T/src.sock" shutdown >/dev/null
vmx_wait_exit "$src" 10 && tap_ok "shutdown ends the source vmx with status 0" ||
	tap_fail "shutdown ends the source vmx (status $VMX_STATUS)"
mv "$T/counter.serial" "$T/src.serial"

# --- refusals, before the good restore so that nothing could have run -------
# refused DESC EXPECTED FILE [CONFIG]
refused() {
	_out=$(timeout 20 "$VMX" --restore "$3" "${4:-$T/src.cfg}" 2>&1)
	_rc=$?
	if [ $_rc = 1 ] && [ "$(printf '%s\n' "$_out" | wc -l)" = 1 ] &&
		printf '%s' "$_out" | grep -qF -- "$2" && [ ! -s "$T/counter.serial" ]; then
		tap_ok "$1"
	else
		tap_fail "$1 (status $_rc)"
		printf '%s\n' "$_out" | sed 's/^/#   got: /'
		echo "#   want: $2"
	fi
	rm -f "$T/counter.serial"
}

size=$(stat -c %s "$SAVE")
head -c $((size / 2)) "$SAVE" >"$T/truncated"
refused "a truncated save file is refused" \
	"truncated: $((size / 2)) of $size bytes" "$T/truncated"
head -c 20 "$SAVE" >"$T/stub"
refused "a save file cut inside its header is refused" "truncated: 20 bytes" "$T/stub"
: >"$T/empty"
refused "an empty save file is refused" "truncated: 0 bytes" "$T/empty"

# Flip one byte in the middle of RAM (the last data section before the table).
cp "$SAVE" "$T/corrupt-ram"
off=$((size - 4096 * 2))
printf '\x5a' | dd of="$T/corrupt-ram" bs=1 seek=$off conv=notrunc status=none
refused "a save file with a corrupted RAM byte is refused" \
	"corrupted: section ram 0 checksum mismatch" "$T/corrupt-ram"
cp "$SAVE" "$T/corrupt-regs"
printf '\xff' | dd of="$T/corrupt-regs" bs=1 seek=$((4096 * 2 + 8)) conv=notrunc status=none
refused "a save file with corrupted vCPU state is refused" "checksum mismatch" "$T/corrupt-regs"
cp "$SAVE" "$T/corrupt-header"
printf '\x02' | dd of="$T/corrupt-header" bs=1 seek=8 conv=notrunc status=none
refused "a save file with a corrupted header is refused" "" "$T/corrupt-header"
cp "$SAVE" "$T/corrupt-table"
printf '\x07' | dd of="$T/corrupt-table" bs=1 seek=$((size - 10)) conv=notrunc status=none
refused "a save file with a corrupted section table is refused" \
	"corrupted: section table checksum mismatch" "$T/corrupt-table"
head -c 8192 /dev/urandom >"$T/garbage"
refused "a file that is not a save file is refused" "not a vmx save file (bad magic)" "$T/garbage"
cp "$SAVE" "$T/padded"
printf 'x' >>"$T/padded"
refused "a save file with trailing bytes is refused" "corrupted: $((size + 1)) bytes where the header says $size" "$T/padded"

sed 's/^memory = .*/memory = 8M/' "$T/src.cfg" >"$T/bigger.cfg"
refused "a save file for another memory size is refused" \
	"state has 4 MiB of RAM, config has 8 MiB" "$SAVE" "$T/bigger.cfg"
sed 's/^uuid = .*/uuid = 00000000-0000-4000-8000-000000000000/' "$T/src.cfg" >"$T/other.cfg"
refused "a save file for another VM is refused" "state belongs to VM uuid" "$SAVE" "$T/other.cfg"
truncate -s 64K "$T/disk.img"
{ cat "$T/src.cfg"; echo "disk = $T/disk.img"; } >"$T/disk.cfg"
refused "a save file for a VM without a disk is refused on a VM with one" \
	"device state has a disk of 0 sectors, this VM has 128" "$SAVE" "$T/disk.cfg"

# --- destination: restore paused, compare RAM, then let it continue ---------
vmx_start "$T/dst.out" --restore "$SAVE" --paused --control "$T/dst.sock" "$T/src.cfg"
dst=$VMX_PID
if vmx_wait_socket "$T/dst.sock"; then
	dst_hash=$("$VMX_CTL" "$T/dst.sock" hash | sed -n 's/^ok ram-hash=//p')
	if [ -n "$dst_hash" ] && [ "$dst_hash" = "$src_hash" ]; then
		tap_ok "restored RAM hash matches the saved VM's ($dst_hash)"
	else
		tap_fail "restored RAM hash matches the saved VM's ($src_hash vs $dst_hash)"
	fi
	"$VMX_CTL" "$T/dst.sock" resume >/dev/null
	have=$(grep -c . "$T/src.serial")
	if vmx_wait_lines "$T/counter.serial" 30; then
		tap_ok "restored counter runs"
	else
		tap_fail "restored counter runs"
	fi
	"$VMX_CTL" "$T/dst.sock" shutdown >/dev/null
	vmx_wait_exit "$dst" 10 || tap_diag "destination exit status $VMX_STATUS"
	if why=$(vmx_sequence_ok "$T/src.serial" "$T/counter.serial"); then
		tap_ok "counter continues with no gap and no duplicate ($have + $(wc -l <"$T/counter.serial") lines)"
	else
		tap_fail "counter continues with no gap and no duplicate: $why"
		tail -n 3 "$T/src.serial" | sed 's/^/#   source: /'
		head -n 3 "$T/counter.serial" | sed 's/^/#   restored: /'
	fi
else
	tap_fail "restored VM comes up"
	sed 's/^/#   /' "$T/dst.out"
fi

# Save a restored VM again, restore that, and it still continues: state
# survives more than one hop.
rm -f "$T/counter.serial"
vmx_start "$T/hop.out" --restore "$SAVE" --control "$T/hop.sock" "$T/src.cfg"
hop=$VMX_PID
if vmx_wait_socket "$T/hop.sock" && vmx_wait_lines "$T/counter.serial" 10; then
	"$VMX_CTL" "$T/hop.sock" save "$T/hop.state" >/dev/null
	"$VMX_CTL" "$T/hop.sock" shutdown >/dev/null
	vmx_wait_exit "$hop" 10
	mv "$T/counter.serial" "$T/hop1.serial"
	vmx_start "$T/hop2.out" --restore "$T/hop.state" --control "$T/hop2.sock" "$T/src.cfg"
	hop2=$VMX_PID
	vmx_wait_socket "$T/hop2.sock" && vmx_wait_lines "$T/counter.serial" 10
	"$VMX_CTL" "$T/hop2.sock" shutdown >/dev/null
	vmx_wait_exit "$hop2" 10
	if why=$(vmx_sequence_ok "$T/src.serial" "$T/hop1.serial" "$T/counter.serial"); then
		tap_ok "a restored VM saves and restores again without gap"
	else
		tap_fail "a restored VM saves and restores again without gap: $why"
	fi
else
	tap_fail "a restored VM saves and restores again without gap (no start)"
	sed 's/^/#   /' "$T/hop.out"
fi

tap_done
