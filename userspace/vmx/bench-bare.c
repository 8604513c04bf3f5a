// SPDX-License-Identifier: GPL-2.0
/*
 * vmx-bench-bare: the baseline for the vmx's exit-rate benchmark.  The least
 * a KVM VMM can do per port exit: a real-mode loop of N OUTs to the null
 * port, and a run loop that only checks the exit reason.
 *
 *   vmx-bench-bare N      prints "exits=E run-ns=T"
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/kvm.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <time.h>

#include "guest_abi.h"

#define MEM_SIZE	0x200000
#define CODE_GPA	0x1000

static void die(const char *what)
{
	fprintf(stderr, "vmx-bench-bare: %s: %s\n", what, strerror(errno));
	exit(1);
}

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

int main(int argc, char **argv)
{
	uint32_t n = argc > 1 ? (uint32_t)strtoul(argv[1], NULL, 0) : 100000;
	uint8_t code[] = {
		0x66, 0xb9, 0, 0, 0, 0,		/* mov ecx, n */
		0xba, VMX_PORT_NULL & 0xff, VMX_PORT_NULL >> 8, /* mov dx, null port */
		0x66, 0xef,			/* 1: out dx, eax */
		0x66, 0x49,			/* dec ecx */
		0x75, 0xfa,			/* jnz 1b */
		0xf4,				/* hlt */
	};
	struct kvm_userspace_memory_region region;
	struct kvm_sregs sregs;
	struct kvm_regs regs = { .rip = CODE_GPA, .rflags = 0x2 };
	struct kvm_run *run;
	uint64_t exits = 0, start;
	int kvm, vm, vcpu;
	uint8_t *mem;

	memcpy(&code[2], &n, sizeof(n));
	kvm = open("/dev/kvm", O_RDWR | O_CLOEXEC);
	if (kvm < 0)
		die("/dev/kvm");
	vm = ioctl(kvm, KVM_CREATE_VM, 0);
	if (vm < 0)
		die("KVM_CREATE_VM");
	mem = mmap(NULL, MEM_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (mem == MAP_FAILED)
		die("mmap");
	memcpy(mem + CODE_GPA, code, sizeof(code));
	region = (struct kvm_userspace_memory_region){
		.slot = 0, .memory_size = MEM_SIZE, .userspace_addr = (uintptr_t)mem,
	};
	if (ioctl(vm, KVM_SET_USER_MEMORY_REGION, &region))
		die("KVM_SET_USER_MEMORY_REGION");
	vcpu = ioctl(vm, KVM_CREATE_VCPU, 0);
	if (vcpu < 0)
		die("KVM_CREATE_VCPU");
	run = mmap(NULL, (size_t)ioctl(kvm, KVM_GET_VCPU_MMAP_SIZE, 0), PROT_READ | PROT_WRITE,
		   MAP_SHARED, vcpu, 0);
	if (run == MAP_FAILED)
		die("mmap kvm_run");
	if (ioctl(vcpu, KVM_GET_SREGS, &sregs))
		die("KVM_GET_SREGS");
	sregs.cs.base = 0;
	sregs.cs.selector = 0;
	if (ioctl(vcpu, KVM_SET_SREGS, &sregs) || ioctl(vcpu, KVM_SET_REGS, &regs))
		die("setting registers");

	start = now_ns();
	for (;;) {
		if (ioctl(vcpu, KVM_RUN, 0) < 0) {
			if (errno == EINTR)
				continue;
			die("KVM_RUN");
		}
		exits++;
		if (run->exit_reason == KVM_EXIT_IO)
			continue;
		if (run->exit_reason == KVM_EXIT_HLT)
			break;
		fprintf(stderr, "vmx-bench-bare: unexpected exit %u\n", run->exit_reason);
		return 1;
	}
	printf("exits=%llu run-ns=%llu\n", (unsigned long long)exits,
	       (unsigned long long)(now_ns() - start));
	return 0;
}
