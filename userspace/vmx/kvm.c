// SPDX-License-Identifier: GPL-2.0
/*
 * KVM setup: /dev/kvm, the VM, guest RAM and vCPUs.
 *
 * Guest RAM is one memfd mapped shared into the vmx.  It is plain user memory,
 * so the ftmigrate module can later read and write it through the same
 * mapping (or the memfd) that KVM uses, and nothing in it is KVM-private.
 * As on a PC, RAM above 3 GiB continues at 4 GiB, leaving a hole below 4 GiB
 * for the LAPIC and the addresses KVM reserves.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include "vmx.h"

/* Above RAM's low range and clear of the LAPIC; needed by Intel, harmless elsewhere. */
#define VMX_TSS_GPA		0xfffbd000ULL
#define VMX_IDENTITY_MAP_GPA	0xfffbc000ULL

int vmx_kvm_open(struct vmx_vm *vm, char *err, size_t errlen)
{
	int version;

	vm->kvm_fd = open("/dev/kvm", O_RDWR | O_CLOEXEC);
	if (vm->kvm_fd < 0) {
		snprintf(err, errlen, "/dev/kvm: %s%s", strerror(errno),
			 errno == ENOENT ? " (is KVM enabled in this kernel?)" : "");
		return -1;
	}
	version = ioctl(vm->kvm_fd, KVM_GET_API_VERSION, 0);
	if (version != KVM_API_VERSION) {
		snprintf(err, errlen, "/dev/kvm: API version %d, need %d", version, KVM_API_VERSION);
		return -1;
	}
	vm->vm_fd = ioctl(vm->kvm_fd, KVM_CREATE_VM, 0);
	if (vm->vm_fd < 0) {
		snprintf(err, errlen, "KVM_CREATE_VM: %s", strerror(errno));
		return -1;
	}
	vm->run_size = (size_t)ioctl(vm->kvm_fd, KVM_GET_VCPU_MMAP_SIZE, 0);
	if ((long)vm->run_size < (long)sizeof(struct kvm_run)) {
		snprintf(err, errlen, "KVM_GET_VCPU_MMAP_SIZE: %s", strerror(errno));
		return -1;
	}
	ioctl(vm->vm_fd, KVM_SET_TSS_ADDR, VMX_TSS_GPA);
	{
		uint64_t identity = VMX_IDENTITY_MAP_GPA;

		ioctl(vm->vm_fd, KVM_SET_IDENTITY_MAP_ADDR, &identity);
	}

	/*
	 * A LAPIC in the kernel and nothing else: the guests take no
	 * interrupts, but a LAPIC is part of the CPU state a real VMM saves
	 * and migrates, so the vmx carries it from the start.
	 */
	{
		struct kvm_enable_cap cap = { .cap = KVM_CAP_SPLIT_IRQCHIP, .args = { 24 } };

		vm->has_lapic = ioctl(vm->vm_fd, KVM_ENABLE_CAP, &cap) == 0;
	}

	/* Clearing the dirty log separately from reading it, where the kernel can. */
	if (ioctl(vm->kvm_fd, KVM_CHECK_EXTENSION, KVM_CAP_MANUAL_DIRTY_LOG_PROTECT2) > 0) {
		struct kvm_enable_cap cap = {
			.cap = KVM_CAP_MANUAL_DIRTY_LOG_PROTECT2,
			.args = { KVM_DIRTY_LOG_MANUAL_PROTECT_ENABLE },
		};

		vm->manual_dirty_protect = ioctl(vm->vm_fd, KVM_ENABLE_CAP, &cap) == 0;
	}
	return 0;
}

int vmx_ram_set_slot(struct vmx_vm *vm, struct vmx_ram_region *r, bool log_dirty)
{
	struct kvm_userspace_memory_region region = {
		.slot = r->slot,
		.flags = log_dirty ? KVM_MEM_LOG_DIRTY_PAGES : 0,
		.guest_phys_addr = r->gpa,
		.memory_size = r->size,
		.userspace_addr = (uintptr_t)r->host,
	};

	return ioctl(vm->vm_fd, KVM_SET_USER_MEMORY_REGION, &region);
}

int vmx_ram_create(struct vmx_vm *vm, uint64_t size, char *err, size_t errlen)
{
	uint64_t low = size < VMX_LOW_RAM_MAX ? size : VMX_LOW_RAM_MAX;

	vm->ram_fd = memfd_create("vmx-guest-ram", MFD_CLOEXEC);
	if (vm->ram_fd < 0 || ftruncate(vm->ram_fd, (off_t)size)) {
		snprintf(err, errlen, "guest RAM of %llu MiB: %s",
			 (unsigned long long)(size >> 20), strerror(errno));
		return -1;
	}
	vm->ram = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_NORESERVE,
		       vm->ram_fd, 0);
	if (vm->ram == MAP_FAILED) {
		vm->ram = NULL;
		snprintf(err, errlen, "guest RAM of %llu MiB: mmap: %s",
			 (unsigned long long)(size >> 20), strerror(errno));
		return -1;
	}
	vm->ram_size = size;
	vm->regions[0] = (struct vmx_ram_region){ .gpa = 0, .size = low, .offset = 0,
						  .host = vm->ram, .slot = 0 };
	vm->nr_regions = 1;
	vm->ram_top = low;
	if (size > low) {
		vm->regions[1] = (struct vmx_ram_region){
			.gpa = VMX_HIGH_RAM_BASE, .size = size - low, .offset = low,
			.host = vm->ram + low, .slot = 1,
		};
		vm->nr_regions = 2;
		vm->ram_top = VMX_HIGH_RAM_BASE + size - low;
	}
	for (unsigned int i = 0; i < vm->nr_regions; i++) {
		if (vmx_ram_set_slot(vm, &vm->regions[i], false)) {
			snprintf(err, errlen, "KVM_SET_USER_MEMORY_REGION: %s", strerror(errno));
			return -1;
		}
	}
	return 0;
}

int vmx_vcpu_create(struct vmx_vm *vm, unsigned int id, char *err, size_t errlen)
{
	struct vmx_vcpu *vcpu = &vm->vcpus[id];
	struct kvm_cpuid2 *cpuid;
	int nent = 256;

	vcpu->vm = vm;
	vcpu->id = id;
	vcpu->fd = ioctl(vm->vm_fd, KVM_CREATE_VCPU, id);
	if (vcpu->fd < 0) {
		snprintf(err, errlen, "KVM_CREATE_VCPU: %s", strerror(errno));
		return -1;
	}
	vcpu->run = mmap(NULL, vm->run_size, PROT_READ | PROT_WRITE, MAP_SHARED, vcpu->fd, 0);
	if (vcpu->run == MAP_FAILED) {
		vcpu->run = NULL;
		snprintf(err, errlen, "mmap kvm_run: %s", strerror(errno));
		return -1;
	}

	/*
	 * The CPU model is what KVM supports here.  A restore replaces it with
	 * the model the VM was saved with, so a guest never sees its CPU
	 * change underneath it.
	 */
	cpuid = calloc(1, sizeof(*cpuid) + nent * sizeof(cpuid->entries[0]));
	if (!cpuid) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	cpuid->nent = (uint32_t)nent;
	if (ioctl(vm->kvm_fd, KVM_GET_SUPPORTED_CPUID, cpuid) ||
	    ioctl(vcpu->fd, KVM_SET_CPUID2, cpuid)) {
		snprintf(err, errlen, "setting CPUID: %s", strerror(errno));
		free(cpuid);
		return -1;
	}
	free(cpuid);
	vm->nr_vcpus = id + 1;
	return 0;
}

void vmx_vm_destroy(struct vmx_vm *vm)
{
	for (unsigned int i = 0; i < vm->nr_vcpus; i++) {
		if (vm->vcpus[i].run)
			munmap(vm->vcpus[i].run, vm->run_size);
		if (vm->vcpus[i].fd >= 0)
			close(vm->vcpus[i].fd);
	}
	if (vm->ram)
		munmap(vm->ram, vm->ram_size);
	if (vm->ram_fd >= 0)
		close(vm->ram_fd);
	if (vm->vm_fd >= 0)
		close(vm->vm_fd);
	if (vm->kvm_fd >= 0)
		close(vm->kvm_fd);
}

/*
 * The host address of guest range [gpa, gpa + len), or NULL unless the whole
 * range is RAM in one region.  Every guest-supplied address goes through
 * here before the vmx touches memory on its behalf.
 */
void *vmx_gpa_to_host(struct vmx_vm *vm, uint64_t gpa, uint64_t len)
{
	for (unsigned int i = 0; i < vm->nr_regions; i++) {
		struct vmx_ram_region *r = &vm->regions[i];

		if (gpa >= r->gpa && gpa - r->gpa <= r->size && len <= r->size - (gpa - r->gpa))
			return r->host + (gpa - r->gpa);
	}
	return NULL;
}

/* FNV-1a over 64-bit words: a RAM fingerprint for tests, not a security hash. */
uint64_t vmx_ram_hash(struct vmx_vm *vm)
{
	const uint64_t *w = (const uint64_t *)vm->ram;
	uint64_t h = 0xcbf29ce484222325ULL;

	for (uint64_t i = 0; i < vm->ram_size / 8; i++) {
		h ^= w[i];
		h *= 0x100000001b3ULL;
	}
	return h;
}

/*
 * Testing aid (--fill-ram): copy @path into RAM from VMX_FILL_RAM_START on,
 * until RAM or the file ends, before the guest is booted, so that a
 * benchmark migrates a large guest full of data without the guest having to
 * touch every page itself.  The boot area below (page tables, image) is
 * left to the boot; the memfd offset is the RAM offset, holes included.
 */
int vmx_ram_fill(struct vmx_vm *vm, const char *path, char *err, size_t errlen)
{
	uint64_t off = VMX_FILL_RAM_START;
	int fd;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		snprintf(err, errlen, "--fill-ram %s: %s", path, strerror(errno));
		return -1;
	}
	while (off < vm->ram_size) {
		size_t want = vm->ram_size - off > (1 << 24) ? 1 << 24 : vm->ram_size - off;
		ssize_t n = read(fd, vm->ram + off, want);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			snprintf(err, errlen, "--fill-ram %s: %s", path, strerror(errno));
			close(fd);
			return -1;
		}
		if (!n)
			break;
		off += (uint64_t)n;
	}
	close(fd);
	return 0;
}
