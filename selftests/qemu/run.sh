#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# shellcheck disable=SC2317 # the /init part at the end is not run by bash
#
# selftests/qemu/run.sh KVER SCRIPT [ARGS...]
#
# Boot kernel KVER (/boot/vmlinuz-KVER) in QEMU with this machine's own root
# filesystem mounted read-only over virtio-9p under a tmpfs overlay, cd to the
# repository (same absolute path as here) and run SCRIPT ARGS as root.  The
# exit status of SCRIPT becomes the exit status of run.sh.  Nothing is copied
# into the VM: every tool installed here and every file built in the work tree
# is visible there; whatever the VM writes is thrown away when it powers off.
#
# Kernel-side code never runs in this machine's own kernel: it is loaded only
# inside the VM.
#
# The console is shown live and saved to build/vm-console.log.  A kernel
# panic, a hang past FTM_VM_TIMEOUT, or a VM that stops without reporting an
# exit status makes run.sh fail.
#
# A VM whose console stays silent for FTM_VM_SILENCE seconds is wedged: seen,
# rarely, with nested KVM under TCG (QEMU's vCPUs spinning, no timer firing
# in the guest, so not even the tests' own timeouts end it).  Its vCPU
# registers are printed, QEMU is stopped and the whole run starts again, up
# to FTM_VM_TRIES runs in all.
#
# Environment:
#   FTM_VM_TIMEOUT  seconds before the VM is killed (default 1800)
#   FTM_VM_SILENCE  seconds of console silence that mean a wedged VM
#                   (default 300; 0 never; the selftest runner prints a
#                   heartbeat every minute)
#   FTM_VM_TRIES    runs in all when the VM wedges (default 2)
#   FTM_VM_MEM      guest memory (default 4G)
#   FTM_VM_SMP      guest CPUs (default 2)
#   FTM_VM_ACCEL    kvm or tcg (default: kvm when /dev/kvm is usable and the
#                   CPU has VMX or SVM for the VM to nest on)
#   FTM_VM_CPU      QEMU -cpu model (default: host with kvm, qemu64,+svm with tcg)
#   FTM_VM_APPEND   extra kernel command-line arguments
#   FTM_VM_KERNEL   image to boot instead of /boot/vmlinuz-KVER (e.g. a
#                   self-built vmlinux)
#   FTM_VM_MODROOT  directory holding lib/modules/KVER for that kernel
#                   (`make modules_install INSTALL_MOD_PATH=` output); the VM
#                   sees it as /lib/modules/KVER
# Any other FTM_* variable (FTM_TEST_TIMEOUT, ...) is passed on to SCRIPT.
#
# Example: an interactive shell in the VM (leave it with `exit`):
#   selftests/qemu/run.sh "$(scripts/vm-kernel.sh)" bash
set -eu

usage() {
	echo "usage: $0 KVER SCRIPT [ARGS...]" >&2
	exit 2
}
[ $# -ge 2 ] || usage

KVER=$1
shift

# modprobe lives in sbin, which a user's PATH may lack.
PATH=$PATH:/usr/sbin:/sbin

REPO=$(cd "$(dirname "$0")/../.." && pwd)
BUILD=$REPO/build
KERNEL=${FTM_VM_KERNEL:-/boot/vmlinuz-$KVER}
MODROOT=${FTM_VM_MODROOT:-}
MODDIR=$MODROOT/lib/modules/$KVER

TIMEOUT=${FTM_VM_TIMEOUT:-1800}
SILENCE=${FTM_VM_SILENCE:-300}
TRIES=${FTM_VM_TRIES:-2}
MEM=${FTM_VM_MEM:-4G}
SMP=${FTM_VM_SMP:-2}

# The line the VM prints last, carrying the exit status of SCRIPT.
SENTINEL=FTM-VM-EXIT-STATUS

die() {
	echo "run.sh: $*" >&2
	exit 1
}

[ -r "$KERNEL" ] || die "cannot read $KERNEL (see scripts/vm-kernel.sh)"
[ -d "$MODDIR" ] || die "no $MODDIR"
command -v qemu-system-x86_64 >/dev/null || die "qemu-system-x86_64 missing; run scripts/install-deps.sh"
[ -x /bin/busybox ] || die "/bin/busybox missing; run scripts/install-deps.sh"
mkdir -p "$BUILD"

# --- the initramfs ----------------------------------------------------------
#
# Three cpio archives concatenated (the kernel unpacks them in turn):
#   1. /dev/console, written by hand so that no root rights (mknod) are
#      needed; without it init would start with no stdin/stdout.
#   2. busybox, the modules that mount the root, and /init: depends only on
#      KVER, busybox and this script, so it is cached.
#   3. /job: the repository path and the command of this run.

# What must be loaded, in this order, to mount the host's root: virtio PCI
# transport, 9p over virtio, and overlayfs for a writable layer.
ROOT_MODULES="virtio_pci 9pnet_virtio 9p overlay"

# Print the .ko files (full paths) for ROOT_MODULES with their dependencies,
# dependencies first, each once.  Built-in modules print nothing.
module_files() {
	# shellcheck disable=SC2086 # one argument per module
	modprobe ${MODROOT:+-d "$MODROOT"} -a -S "$KVER" --show-depends $ROOT_MODULES |
		awk '$1 == "insmod" && !seen[$2]++ { print $2 }'
}

# One newc cpio entry with no data (a directory or a device node).
# newc: "070701", then 13 8-digit hex fields, the NUL-terminated name, and
# padding of header+name to a multiple of 4.
newc_entry() { # NAME MODE RDEV_MAJOR RDEV_MINOR INO
	local name=$1 mode=$2 major=$3 minor=$4 ino=$5
	local namesize=$((${#name} + 1))
	printf '070701%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X%08X' \
		"$ino" "$mode" 0 0 1 0 0 0 0 "$major" "$minor" "$namesize" 0
	printf '%s\0' "$name"
	head -c $(((4 - (110 + namesize) % 4) % 4)) /dev/zero
}

console_cpio() {
	newc_entry dev $((0040755)) 0 0 1
	newc_entry dev/console $((0020600)) 5 1 2
	newc_entry 'TRAILER!!!' 0 0 0 0
}

# Quote a string for a POSIX shell.
shquote() {
	printf "'%s'" "$(printf '%s' "$1" | sed "s/'/'\\\\''/g")"
}

# pack DIR: write DIR's contents as a newc archive to stdout, owned by root.
pack() {
	(cd "$1" && find . -mindepth 1 | LC_ALL=C sort |
		cpio --quiet -o -H newc -R 0:0)
}

modules=$(module_files) || die "cannot resolve modules for $KVER ($ROOT_MODULES)"
# A kernel with all of them built in needs none.
# shellcheck disable=SC2086 # one argument per module
[ -n "$modules" ] ||
	[ "$(modprobe ${MODROOT:+-d "$MODROOT"} -a -S "$KVER" --show-depends $ROOT_MODULES |
		grep -c '^builtin ')" = "$(echo $ROOT_MODULES | wc -w)" ] ||
	die "no modules found for $ROOT_MODULES in $MODDIR"

# Rebuild the cached part when this script (which holds /init), busybox or
# any of the modules changes.
# shellcheck disable=SC2086 # one argument per file
key=$(cat "$0" /bin/busybox $modules | sha256sum | cut -c1-16)
base=$BUILD/vm-initramfs-$KVER.cpio
if [ ! -s "$base" ] || [ "$(cat "$base.key" 2>/dev/null)" != "$key" ]; then
	echo "run.sh: building initramfs for $KVER" >&2
	stage=$(mktemp -d "$BUILD/vm-initramfs.XXXXXX")
	trap 'rm -rf "$stage"' EXIT
	mkdir -p "$stage/bin" "$stage/lib/modules" "$stage/proc" "$stage/sys" \
		"$stage/lower" "$stage/rw" "$stage/newroot"
	cp /bin/busybox "$stage/bin/busybox"
	for m in $modules; do
		# Newer Debian kernels compress their modules; busybox insmod
		# wants plain ELF.
		out=$stage/lib/modules/$(basename "${m%.ko*}").ko
		case $m in
		*.ko) cp "$m" "$out" ;;
		*.ko.xz) xz -dc "$m" >"$out" ;;
		*.ko.zst) zstd -qdc "$m" >"$out" ;;
		*.ko.gz) gzip -dc "$m" >"$out" ;;
		*) die "unknown module format: $m" ;;
		esac
		basename "$out" >>"$stage/modules.list"
	done
	# /init is the part of this script after the __INIT__ line.
	sed '1,/^__INIT__$/d' "$0" >"$stage/init"
	chmod 755 "$stage/init"
	pack "$stage" >"$base.tmp.$$"
	mv "$base.tmp.$$" "$base"
	echo "$key" >"$base.key"
	rm -rf "$stage"
	trap - EXIT
fi

# The per-run part.  Written to a private file so that two runs at once do
# not clobber each other's initramfs.
initrd=$(mktemp "$BUILD/vm-initrd.XXXXXX")
jobdir=$(mktemp -d "$BUILD/vm-job.XXXXXX")
runlog=$(mktemp "$BUILD/vm-console.XXXXXX")
trap 'rm -rf "$initrd" "$jobdir" "$runlog"' EXIT
trap 'exit 143' TERM INT HUP # so that the EXIT trap cleans up
{
	echo "FTM_REPO=$(shquote "$REPO")"
	echo "FTM_TERM=$(shquote "${TERM:-dumb}")"
	echo "FTM_MODDIR=$(shquote "$MODDIR")"
	# Settings for the tests (FTM_TEST_TIMEOUT and the like) pass through.
	for v in $(compgen -e | grep '^FTM_' | grep -v '^FTM_VM'); do
		echo "export $v=$(shquote "${!v}")"
	done
	printf 'set --'
	for a in "$@"; do
		printf ' %s' "$(shquote "$a")"
	done
	echo
} >"$jobdir/job"
{
	console_cpio
	cat "$base"
	pack "$jobdir"
} >"$initrd"

# --- the kernel image -------------------------------------------------------
#
# QEMU boots an uncompressed vmlinux through its PVH entry point much faster
# than a bzImage under TCG (no BIOS real-mode setup, no in-guest xz
# decompression: some 3.5 s saved).  Debian's kernels are xz-compressed and
# have PVH, so unpack vmlinux from the bzImage once and cache it; anything
# else boots the bzImage as it is.
image=$KERNEL
vmlinux=$BUILD/vm-vmlinux-$KVER
if [ -s "$vmlinux" ] && [ "$vmlinux" -nt "$KERNEL" ]; then
	image=$vmlinux
elif grep -qx 'CONFIG_PVH=y' "/boot/config-$KVER" 2>/dev/null &&
	grep -qx 'CONFIG_KERNEL_XZ=y' "/boot/config-$KVER" &&
	command -v xz >/dev/null; then
	# The payload is the first xz stream in the bzImage.
	off=$(LC_ALL=C grep -obUaP '\xfd7zXZ\x00' "$KERNEL" | head -n 1 | cut -d: -f1)
	if [ -n "$off" ] &&
		tail -c +$((off + 1)) "$KERNEL" | xz -dc --single-stream >"$vmlinux.tmp.$$" 2>/dev/null &&
		[ "$(head -c 4 "$vmlinux.tmp.$$" | od -An -tx1 | tr -d ' ')" = 7f454c46 ]; then
		mv "$vmlinux.tmp.$$" "$vmlinux"
		image=$vmlinux
	else
		rm -f "$vmlinux.tmp.$$"
	fi
fi

# --- the VM -----------------------------------------------------------------

accel=${FTM_VM_ACCEL:-}
if [ -z "$accel" ]; then
	# KVM only where the VM gets a working /dev/kvm of its own: we may
	# open ours, and the CPU offers VMX or SVM to pass on (nested).  A
	# /dev/kvm on a CPU without them (some cloud sandboxes) would run the
	# VM with no KVM inside, so every guest test would skip: TCG's
	# emulated SVM is slower but real.
	if [ -r /dev/kvm ] && [ -w /dev/kvm ] && grep -qwE 'vmx|svm' /proc/cpuinfo; then
		accel=kvm
	else
		accel=tcg
	fi
fi
case $accel in
kvm) cpu=host ;;
# TCG emulates AMD SVM, so kvm_amd in the VM gives a working /dev/kvm
# (nested) for the tests even though this machine has none.
tcg) cpu=qemu64,+svm ;;
*) die "FTM_VM_ACCEL must be kvm or tcg" ;;
esac
cpu=${FTM_VM_CPU:-$cpu}

# console=ttyS0: all output on the serial port, which QEMU shows and logs.
# panic=-1 with -no-reboot: a kernel panic ends QEMU at once instead of
# hanging.  An oops or WARN does not panic: the tests go on and the selftest
# runner reports them from the kernel log, with everything else that ran.
# loglevel=4 keeps the boot quiet; init raises it so that warnings (WARN
# splats) show live while the tests run.
append="console=ttyS0,115200 panic=-1 loglevel=4 mitigations=off ${FTM_VM_APPEND:-}"

# The console goes to a log of this run's own, so that runs at once do not
# read each other's exit status; it is kept as build/vm-console.log after.
log=$BUILD/vm-console.log

# monitor CMD: a command to QEMU's monitor; its answer on stdout.
monitor() {
	python3 - "$jobdir/monitor" "$1" <<'EOF' 2>/dev/null
import socket, sys, time
s = socket.socket(socket.AF_UNIX)
s.connect(sys.argv[1])
s.settimeout(3)
s.sendall((sys.argv[2] + "\n").encode())
time.sleep(1)
out = b""
try:
    while True:
        d = s.recv(65536)
        if not d:
            break
        out += d
except OSError:
    pass
sys.stdout.write(out.decode(errors="replace"))
EOF
}

# watch_console: until QEMU is done, stop it once the console has been
# silent for SILENCE seconds, after printing where its vCPUs are.
watch_console() {
	local last=-1 quiet=0 size
	while [ ! -e "$jobdir/done" ]; do
		sleep 2
		size=$(stat -c %s "$runlog" 2>/dev/null || echo 0)
		if [ "$size" != "$last" ]; then
			last=$size
			quiet=0
			continue
		fi
		quiet=$((quiet + 2))
		[ "$quiet" -ge "$SILENCE" ] || continue
		echo "run.sh: no console output for ${SILENCE}s: the VM is wedged; its vCPUs:" >&2
		monitor "info registers -a" | tr -d '\r' | grep -E '^(CPU#|RIP=|RAX=)' >&2 || true
		touch "$jobdir/wedged"
		monitor quit >/dev/null || true
		return
	done
}

echo "run.sh: booting $KVER ($accel, $SMP CPUs, $MEM) to run: $*" >&2
# Without a terminal, keep QEMU from reading whatever stdin is (or is not).
[ -t 0 ] || exec </dev/null
try=1
while :; do
	start=$(date +%s)
	rm -f "$jobdir/done" "$jobdir/wedged"
	: >"$runlog"
	wpid=
	if [ "$SILENCE" != 0 ]; then
		watch_console &
		wpid=$!
	fi
	set +e
	timeout --foreground -k 10 "$TIMEOUT" \
		qemu-system-x86_64 \
		-nodefaults -display none -no-reboot \
		-accel "$accel" -cpu "$cpu" -smp "$SMP" -m "$MEM" \
		-kernel "$image" -initrd "$initrd" -append "$append" \
		-chardev "stdio,id=console,signal=on,logfile=$runlog" \
		-serial chardev:console \
		-monitor "unix:$jobdir/monitor,server=on,wait=off" \
		-fsdev "local,id=root,path=/,security_model=none,readonly=on,multidevs=remap" \
		-device virtio-9p-pci,fsdev=root,mount_tag=root
	qemu_rc=$?
	set -e
	touch "$jobdir/done"
	[ -z "$wpid" ] || wait "$wpid" || true
	elapsed=$(($(date +%s) - start))
	cp "$runlog" "$log.$$" && mv "$log.$$" "$log"
	[ -e "$jobdir/wedged" ] || break
	if [ "$try" -ge "$TRIES" ]; then
		echo "run.sh: the VM wedged after ${elapsed}s, run $try of $TRIES; giving up" >&2
		exit 125
	fi
	try=$((try + 1))
	echo "run.sh: the VM wedged after ${elapsed}s; starting run $try of $TRIES" >&2
done

# The console uses CRLF line ends.
status=$(tr -d '\r' <"$runlog" | sed -n "s/^$SENTINEL=\([0-9][0-9]*\)\$/\1/p" | tail -n 1)
if [ "$qemu_rc" = 124 ] || [ "$qemu_rc" = 137 ]; then
	echo "run.sh: VM timed out after ${TIMEOUT}s (FTM_VM_TIMEOUT); killed" >&2
	exit 124
fi
if [ -z "$status" ]; then
	grep -a -m 5 'Kernel panic' "$runlog" >&2 || true
	echo "run.sh: VM stopped without reporting an exit status (qemu exit $qemu_rc, ${elapsed}s); see $log" >&2
	exit 1
fi
echo "run.sh: VM done in ${elapsed}s, exit status $status" >&2
# Repeat a selftest summary ("N passed, N failed") as the last line, without
# the console's CR, for whoever reads only the end of the output.
tr -d '\r' <"$runlog" | grep -a -E '^[0-9]+ passed, [0-9]+ failed(, [0-9]+ skipped)?$' | tail -n 1 || true
exit "$status"

# Everything below is /init of the initramfs, run by busybox sh.  It runs
# twice: as PID 1 from the initramfs, and again (with "stage2") as PID 1 in
# the switched-to root.
__INIT__
#!/bin/busybox sh
# SPDX-License-Identifier: GPL-2.0
SENTINEL=FTM-VM-EXIT-STATUS

bb=/bin/busybox
[ "${1:-}" = stage2 ] && bb=/run/ftm-vm/busybox

halt_vm() {
	echo "$SENTINEL=$1"
	sync
	$bb poweroff -f
	# poweroff failed: a panic with panic=-1 and -no-reboot ends QEMU too.
	exit "$1"
}

if [ "${1:-}" != stage2 ]; then
	export PATH=/bin
	/bin/busybox --install -s /bin
	mount -t proc proc /proc
	mount -t sysfs sysfs /sys

	for m in $(cat /modules.list 2>/dev/null); do
		insmod "/lib/modules/$m" || echo "init: insmod $m failed"
	done

	# The host's root, read-only, with a tmpfs on top so that tests may
	# write anywhere; nothing reaches the host.
	mount -t 9p -o trans=virtio,version=9p2000.L,ro,msize=262144,cache=loose root /lower ||
		halt_vm 1
	mount -t tmpfs -o mode=755 rw /rw
	mkdir /rw/upper /rw/work
	mount -t overlay -o lowerdir=/lower,upperdir=/rw/upper,workdir=/rw/work overlay /newroot ||
		halt_vm 1

	# Fresh kernel filesystems in the new root, hiding the host's copies
	# of /proc, /sys, /dev, /run and /tmp.
	mount -o move /proc /newroot/proc
	mount -o move /sys /newroot/sys
	mount -t devtmpfs devtmpfs /newroot/dev
	mkdir -p /newroot/dev/pts /newroot/dev/shm
	mount -t devpts -o newinstance,ptmxmode=0666 devpts /newroot/dev/pts
	mount -t tmpfs -o mode=1777 shm /newroot/dev/shm
	mount -t tmpfs -o mode=1777 tmp /newroot/tmp
	mount -t tmpfs -o mode=755 run /newroot/run
	mount -t debugfs debugfs /newroot/sys/kernel/debug
	mount -t tracefs tracefs /newroot/sys/kernel/tracing
	mount -t cgroup2 cgroup2 /newroot/sys/fs/cgroup 2>/dev/null || true

	mkdir -p /newroot/run/ftm-vm
	cp /bin/busybox /init /job /newroot/run/ftm-vm/
	exec switch_root /newroot /run/ftm-vm/busybox sh /run/ftm-vm/init stage2
fi

# stage2: PID 1 in the host's root.
. /run/ftm-vm/job
export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
export HOME=/root LANG=C.UTF-8 TERM="$FTM_TERM"
# Tests may check this to refuse to run outside the VM.
export FTM_VM=1
$bb hostname ftm-vm
# A kernel whose modules are not installed in /lib/modules (FTM_VM_MODROOT).
kver=$($bb uname -r)
if [ ! -e "/lib/modules/$kver" ] && [ -d "$FTM_MODDIR" ]; then
	$bb mkdir -p /lib/modules
	$bb ln -s "$FTM_MODDIR" "/lib/modules/$kver"
fi
# From now on warnings reach the console live (boot used loglevel=4).
$bb dmesg -n 5
ip link set lo up 2>/dev/null || true

# /dev/kvm for the tests: nested SVM under TCG, or the host's VMX/SVM with
# -cpu host.
if grep -qw vmx /proc/cpuinfo; then kvm_vendor=kvm_intel; else kvm_vendor=kvm_amd; fi
if ! modprobe kvm || ! modprobe "$kvm_vendor" || [ ! -c /dev/kvm ]; then
	echo "init: note: no /dev/kvm in the VM (modprobe $kvm_vendor failed); tests needing it will skip"
fi

if cd "$FTM_REPO"; then
	# setsid + cttyhack give the command the serial port as controlling
	# terminal, so an interactive shell gets job control and ^C.
	$bb setsid "$bb" cttyhack "$@"
	status=$?
else
	echo "init: cannot cd to $FTM_REPO"
	status=1
fi
halt_vm "$status"
