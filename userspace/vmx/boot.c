// SPDX-License-Identifier: GPL-2.0
/*
 * Booting a guest: no firmware, no real mode.  The vmx loads the flat image,
 * writes a GDT, identity page tables and the boot info into guest RAM, and
 * starts the first vCPU in 64-bit long mode at the image's first byte with
 * interrupts off.  The guests are then plain freestanding C.
 *
 * Everything written here is in guest RAM, so it is saved, migrated and
 * hashed along with the rest of the guest.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "vmx.h"

#define CR0_PE		(1ULL << 0)
#define CR0_MP		(1ULL << 1)
#define CR0_ET		(1ULL << 4)
#define CR0_NE		(1ULL << 5)
#define CR0_WP		(1ULL << 16)
#define CR0_PG		(1ULL << 31)
#define CR4_PAE		(1ULL << 5)
#define CR4_OSFXSR	(1ULL << 9)
#define CR4_OSXMMEXCPT	(1ULL << 10)
#define EFER_LME	(1ULL << 8)
#define EFER_LMA	(1ULL << 10)

#define PTE_PRESENT	(1ULL << 0)
#define PTE_WRITE	(1ULL << 1)
#define PTE_LARGE	(1ULL << 7)

#define SEL_CODE	0x08
#define SEL_DATA	0x10
#define SEL_TSS		0x18

static int load_image(struct vmx_vm *vm, char *err, size_t errlen)
{
	const char *path = vm->cfg->image;
	uint64_t room = vm->regions[0].size - VMX_GUEST_ENTRY;
	struct stat st;
	uint8_t *dst;
	size_t done = 0;
	int fd;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		snprintf(err, errlen, "image %s: %s", path, strerror(errno));
		return -1;
	}
	if (fstat(fd, &st) || !S_ISREG(st.st_mode) || st.st_size == 0) {
		snprintf(err, errlen, "image %s: not a non-empty regular file", path);
		goto fail;
	}
	if ((uint64_t)st.st_size > room) {
		snprintf(err, errlen, "image %s: %lld bytes do not fit in %llu bytes of RAM above 1M",
			 path, (long long)st.st_size, (unsigned long long)room);
		goto fail;
	}
	dst = vmx_gpa_to_host(vm, VMX_GUEST_ENTRY, (uint64_t)st.st_size);
	while (done < (size_t)st.st_size) {
		ssize_t n = read(fd, dst + done, (size_t)st.st_size - done);

		if (n <= 0) {
			snprintf(err, errlen, "image %s: %s", path, n ? strerror(errno) : "short read");
			goto fail;
		}
		done += (size_t)n;
	}
	close(fd);
	return 0;
fail:
	close(fd);
	return -1;
}

/* Identity-map [0, ram_top) with 2 MiB pages: PML4, one PDPT, one PD per GiB. */
static int build_page_tables(struct vmx_vm *vm, char *err, size_t errlen)
{
	uint64_t gibs = (vm->ram_top + (1ULL << 30) - 1) >> 30;
	uint64_t pd_gpa = VMX_PAGE_TABLE_GPA + 2 * VMX_PAGE_SIZE;
	uint64_t *pml4, *pdpt;

	if (gibs > 512 || pd_gpa + gibs * VMX_PAGE_SIZE > VMX_PAGE_TABLE_END) {
		snprintf(err, errlen, "guest RAM too large for the boot page tables");
		return -1;
	}
	pml4 = vmx_gpa_to_host(vm, VMX_PAGE_TABLE_GPA, VMX_PAGE_SIZE);
	pdpt = vmx_gpa_to_host(vm, VMX_PAGE_TABLE_GPA + VMX_PAGE_SIZE, VMX_PAGE_SIZE);
	pml4[0] = (VMX_PAGE_TABLE_GPA + VMX_PAGE_SIZE) | PTE_PRESENT | PTE_WRITE;
	for (uint64_t g = 0; g < gibs; g++) {
		uint64_t *pd = vmx_gpa_to_host(vm, pd_gpa + g * VMX_PAGE_SIZE, VMX_PAGE_SIZE);

		pdpt[g] = (pd_gpa + g * VMX_PAGE_SIZE) | PTE_PRESENT | PTE_WRITE;
		for (uint64_t i = 0; i < 512; i++)
			pd[i] = ((g << 30) + (i << 21)) | PTE_PRESENT | PTE_WRITE | PTE_LARGE;
	}
	return 0;
}

static void write_gdt(struct vmx_vm *vm)
{
	uint64_t *gdt = vmx_gpa_to_host(vm, VMX_GDT_GPA, 4 * sizeof(uint64_t));

	gdt[0] = 0;
	gdt[SEL_CODE / 8] = 0x00af9b000000ffffULL;	/* 64-bit code, DPL 0 */
	gdt[SEL_DATA / 8] = 0x00cf93000000ffffULL;	/* flat data, DPL 0 */
	gdt[SEL_TSS / 8] = 0;				/* TR's hidden part is all the CPU needs */
}

static void write_boot_info(struct vmx_vm *vm)
{
	struct vmx_boot_info *bi = vmx_gpa_to_host(vm, VMX_BOOT_INFO_GPA, sizeof(*bi));

	memset(bi, 0, sizeof(*bi));
	bi->magic = VMX_BOOT_MAGIC;
	bi->ram_size = vm->ram_size;
	bi->ram_top = vm->ram_top;
	snprintf(bi->args, sizeof(bi->args), "%s", vm->cfg->args);
}

static int set_long_mode(struct vmx_vcpu *vcpu, char *err, size_t errlen)
{
	struct kvm_segment code = {
		.base = 0, .limit = 0xffffffff, .selector = SEL_CODE, .type = 11,
		.present = 1, .dpl = 0, .db = 0, .s = 1, .l = 1, .g = 1,
	};
	struct kvm_segment data = {
		.base = 0, .limit = 0xffffffff, .selector = SEL_DATA, .type = 3,
		.present = 1, .dpl = 0, .db = 1, .s = 1, .l = 0, .g = 1,
	};
	struct kvm_segment tss = {
		.base = 0, .limit = 0x67, .selector = SEL_TSS, .type = 11, .present = 1,
	};
	struct kvm_regs regs = {
		.rip = VMX_GUEST_ENTRY,
		.rsp = VMX_STACK_TOP,
		.rflags = 0x2,			/* reserved bit; IF clear */
	};
	struct kvm_sregs sregs;

	if (ioctl(vcpu->fd, KVM_GET_SREGS, &sregs))
		goto fail;
	sregs.cs = code;
	sregs.ds = sregs.es = sregs.fs = sregs.gs = sregs.ss = data;
	sregs.tr = tss;
	memset(&sregs.ldt, 0, sizeof(sregs.ldt));
	sregs.ldt.unusable = 1;
	sregs.gdt.base = VMX_GDT_GPA;
	sregs.gdt.limit = 4 * 8 - 1;
	sregs.idt.base = 0;
	sregs.idt.limit = 0;	/* no interrupts; an exception is a triple fault, reported */
	sregs.cr0 = CR0_PE | CR0_MP | CR0_ET | CR0_NE | CR0_WP | CR0_PG;
	sregs.cr3 = VMX_PAGE_TABLE_GPA;
	sregs.cr4 = CR4_PAE | CR4_OSFXSR | CR4_OSXMMEXCPT;
	sregs.efer = EFER_LME | EFER_LMA;
	if (ioctl(vcpu->fd, KVM_SET_SREGS, &sregs) || ioctl(vcpu->fd, KVM_SET_REGS, &regs))
		goto fail;
	return 0;
fail:
	snprintf(err, errlen, "setting up long mode: %s", strerror(errno));
	return -1;
}

int vmx_boot_setup(struct vmx_vm *vm, char *err, size_t errlen)
{
	if (vm->regions[0].size <= VMX_GUEST_ENTRY) {
		snprintf(err, errlen, "guest RAM must extend past 1M");
		return -1;
	}
	if (load_image(vm, err, errlen) || build_page_tables(vm, err, errlen))
		return -1;
	write_gdt(vm);
	write_boot_info(vm);
	return set_long_mode(&vm->vcpus[0], err, errlen);
}
