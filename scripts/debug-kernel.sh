#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# scripts/debug-kernel.sh [--print]
#
# Build (once) the debug kernel `make check-debug` boots: Debian's
# linux-source-6.1 configured from `make allnoconfig` plus the fragments in
# selftests/qemu/debug/ (kernel.config: what the QEMU harness needs, all built
# in; debug.config: KASAN, lockdep, kmemleak, UBSAN, KUnit, fault injection).
#
# The result is cached outside the clone, in
#   ${FTM_CACHE:-$HOME/.cache/ftmigrate}/debug-kernel-HASH/
# where HASH covers the source package version, the fragments and the
# compiler, so that it is rebuilt only when one of them changes:
#   bzImage      the image QEMU boots
#   vmlinux      its symbols, for reading reports
#   build/       the kernel build tree (O=), for building ftmigrate.ko
#   src/         the kernel source it was built from
#   root/        `make modules_install` output (modules.builtin and friends)
#   kernelrelease
#   build.log
# Prints that directory on stdout as the last line.  With --print, only
# prints where it would be and exits non-zero if it is not built yet.
#
# Environment: FTM_CACHE (cache root), FTM_KERNEL_JOBS (make -j, default nproc).
set -euo pipefail

REPO=$(cd "$(dirname "$0")/.." && pwd)
FRAG=$REPO/selftests/qemu/debug
SRC_TAR=/usr/src/linux-source-6.1.tar.xz
CACHE=${FTM_CACHE:-$HOME/.cache/ftmigrate}
JOBS=${FTM_KERNEL_JOBS:-$(nproc)}

die() {
	echo "debug-kernel.sh: $*" >&2
	exit 1
}

[ -r "$SRC_TAR" ] || die "no $SRC_TAR; run scripts/install-deps.sh (linux-source-6.1)"
srcver=$(dpkg-query -W -f='${Version}' linux-source-6.1 2>/dev/null || stat -c '%s %Y' "$SRC_TAR")
hash=$( {
	echo "linux-source-6.1 $srcver"
	cat "$FRAG/kernel.config" "$FRAG/debug.config"
	"${CC:-gcc}" --version | head -n 1
} | sha256sum | cut -c1-16)
dir=$CACHE/debug-kernel-$hash

if [ "${1:-}" = --print ]; then
	echo "$dir"
	[ -e "$dir/done" ]
	exit
fi

mkdir -p "$CACHE"
# One build at a time per cache entry; a second caller waits and reuses it.
exec 9>"$dir.lock"
flock 9
if [ -e "$dir/done" ]; then
	echo "$dir"
	exit 0
fi

for t in bc bison flex make gcc; do
	command -v $t >/dev/null || die "$t missing; run scripts/install-deps.sh"
done
[ -e /usr/include/libelf.h ] || die "libelf-dev missing; run scripts/install-deps.sh"

rm -rf "$dir"
mkdir -p "$dir"
log=$dir/build.log
echo "debug-kernel.sh: building linux-source-6.1 $srcver with the debug config in $dir (log: $log)" >&2
start=$(date +%s)
{
	tar -C "$dir" -xf "$SRC_TAR"
	mv "$dir/linux-source-6.1" "$dir/src"

	# allnoconfig with every fragment line forced, as WireGuard's QEMU
	# harness does; then check that no line was dropped for an unmet
	# dependency.
	cat "$FRAG/kernel.config" "$FRAG/debug.config" >"$dir/fragments.config"
	make -C "$dir/src" O="$dir/build" ARCH=x86_64 \
		KCONFIG_ALLCONFIG="$dir/fragments.config" allnoconfig
} >"$log" 2>&1 || die "configuring failed; see $log"

missing=0
while IFS= read -r line; do
	case $line in
	CONFIG_*=*) want=$line ;;
	"# CONFIG_"*" is not set") want=$line ;;
	*) continue ;;
	esac
	sym=${want#\# }
	sym=${sym%%[= ]*}
	if ! grep -qxF -- "$want" "$dir/build/.config"; then
		# "is not set" is also satisfied by the symbol being absent.
		case $want in "# "*) grep -q "^$sym=" "$dir/build/.config" || continue ;; esac
		echo "debug-kernel.sh: wanted '$want', got '$(grep -E "^(# )?$sym[= ]" "$dir/build/.config" || echo "$sym absent")'" >&2
		missing=$((missing + 1))
	fi
done <"$dir/fragments.config"
[ "$missing" = 0 ] || die "$missing fragment line(s) not in the final .config"

echo "debug-kernel.sh: make -j$JOBS vmlinux bzImage modules" >&2
{
	make -C "$dir/src" O="$dir/build" ARCH=x86_64 -j"$JOBS" vmlinux bzImage modules
	make -C "$dir/src" O="$dir/build" ARCH=x86_64 INSTALL_MOD_PATH="$dir/root" \
		modules_install
} >>"$log" 2>&1 || { tail -n 30 "$log" >&2; die "build failed; see $log"; }

krel=$(cat "$dir/build/include/config/kernel.release")
echo "$krel" >"$dir/kernelrelease"
ln -f "$dir/build/vmlinux" "$dir/vmlinux"
ln -f "$dir/build/arch/x86/boot/bzImage" "$dir/bzImage"
# Object files are not needed to build external modules against the tree.
find "$dir/build" -name '*.o' ! -path '*/scripts/*' -delete
touch "$dir/done"
echo "debug-kernel.sh: built $krel in $(($(date +%s) - start))s" >&2
echo "$dir"
