# SPDX-License-Identifier: GPL-2.0
#
# ftmigrate: top-level build.
#
#   make            build ftmigrate.ko and every userspace program
#   make check      install what is missing, build, and run the selftests in a QEMU VM
#   make check-debug  the same selftests on a self-built debug kernel (KASAN,
#                   lockdep, kmemleak, UBSAN, KUnit, fault injection), cached
#   make demo       the main job, shown end to end inside a QEMU VM
#   make sparse     the module under sparse (C=2)
#   make bench      benchmarks (ratios against baselines measured in the same run)
#
# KDIR is the kernel build directory: the running kernel's if it has one, else
# the newest one installed under /lib/modules.  Override with KDIR=.

KVER ?= $(shell uname -r)
KDIR ?= $(firstword $(wildcard /lib/modules/$(KVER)/build) \
		$(shell ls -d /lib/modules/*/build 2>/dev/null | sort -V | tail -n 1))

# Tests run against the kernel the VM boots: the newest Debian kernel that has
# both an image in /boot and headers.
VM_KVER = $(shell scripts/vm-kernel.sh)

all: module userspace selftests

module:
	@test -n "$(KDIR)" || { echo "ftmigrate: no kernel build directory; install linux-headers-$$(uname -r) or set KDIR=" >&2; exit 1; }
	$(MAKE) -C $(KDIR) M=$(CURDIR) W=1 modules

sparse:
	$(MAKE) -C $(KDIR) M=$(CURDIR) W=1 C=2 modules

userspace:
	$(MAKE) -C userspace

selftests:
	$(MAKE) -C selftests

# The netlink uapi enums and kernel policies, regenerated from the YNL spec.
netlink-gen:
	scripts/ynl-gen.py

deps:
	scripts/install-deps.sh

# make expands a whole recipe before it runs its first line, so VM_KVER
# (which needs the packages install-deps.sh brings) is only read in a
# sub-make started after the install.
# The VMotion benchmark moves 1 GiB guests (and QEMU's): its VM gets 6G.
check: deps
	$(MAKE) check-vm

check-vm:
	$(MAKE) all KDIR=/lib/modules/$(VM_KVER)/build
	scripts/ynl-tools.sh
	selftests/qemu/run.sh $(VM_KVER) selftests/run_all.sh $(T)

# The debug kernel is built once per source version and config (see
# scripts/debug-kernel.sh); the module is built against it in build/debug-module.
check-debug: deps
	scripts/debug-kernel.sh
	$(MAKE) userspace selftests
	scripts/ynl-tools.sh
	scripts/check-debug.sh $(T)

demo: deps
	$(MAKE) demo-vm

demo-vm:
	$(MAKE) all KDIR=/lib/modules/$(VM_KVER)/build
	FTM_VM_SILENCE=$${FTM_VM_SILENCE:-0} selftests/qemu/run.sh $(VM_KVER) scripts/demo.sh

bench: deps
	$(MAKE) bench-vm

bench-vm:
	$(MAKE) all KDIR=/lib/modules/$(VM_KVER)/build
	FTM_VM_MEM=$${FTM_VM_MEM:-6G} FTM_VM_SILENCE=$${FTM_VM_SILENCE:-0} \
		selftests/qemu/run.sh $(VM_KVER) selftests/bench/run_all.sh

clean:
	test -z "$(KDIR)" || $(MAKE) -C $(KDIR) M=$(CURDIR) clean
	$(MAKE) -C userspace clean
	$(MAKE) -C selftests clean

.PHONY: all module sparse userspace selftests netlink-gen deps check check-vm check-debug \
	demo demo-vm bench bench-vm clean
