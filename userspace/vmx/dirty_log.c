// SPDX-License-Identifier: GPL-2.0
/*
 * Dirty-page tracking for the migration path, on KVM's dirty log.
 *
 * vmx_dirty_log_fetch() is "give me and reset the dirty bitmap": it reads
 * each slot's log and, where the kernel has KVM_CLEAR_DIRTY_LOG (manual
 * protect), clears exactly the bits it read.  With manual protect, reading
 * does not re-protect pages, so the clear is what re-arms tracking; without
 * it, KVM_GET_DIRTY_LOG resets the log by itself.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>

#include "vmx.h"

int vmx_dirty_log_start(struct vmx_vm *vm, char *err, size_t errlen)
{
	if (vm->dirty_logging)
		return 0;
	for (unsigned int i = 0; i < vm->nr_regions; i++) {
		if (vmx_ram_set_slot(vm, &vm->regions[i], true)) {
			snprintf(err, errlen, "enabling the dirty log: %s", strerror(errno));
			while (i--)
				vmx_ram_set_slot(vm, &vm->regions[i], false);
			return -1;
		}
	}
	vm->dirty_logging = true;
	return 0;
}

int vmx_dirty_log_stop(struct vmx_vm *vm, char *err, size_t errlen)
{
	if (!vm->dirty_logging)
		return 0;
	for (unsigned int i = 0; i < vm->nr_regions; i++) {
		if (vmx_ram_set_slot(vm, &vm->regions[i], false)) {
			snprintf(err, errlen, "disabling the dirty log: %s", strerror(errno));
			return -1;
		}
	}
	vm->dirty_logging = false;
	return 0;
}

long vmx_dirty_log_fetch(struct vmx_vm *vm, unsigned long *bitmap, char *err, size_t errlen)
{
	long dirty = 0;

	if (!vm->dirty_logging) {
		snprintf(err, errlen, "dirty logging is off");
		return -1;
	}
	for (unsigned int i = 0; i < vm->nr_regions; i++) {
		struct vmx_ram_region *r = &vm->regions[i];
		uint64_t pages = r->size / VMX_PAGE_SIZE;
		/* Regions are multiples of 2 MiB, so each starts on a whole word. */
		unsigned long *slot_bits = bitmap + r->offset / VMX_PAGE_SIZE / 64;
		struct kvm_dirty_log log = { .slot = r->slot, .dirty_bitmap = slot_bits };

		if (ioctl(vm->vm_fd, KVM_GET_DIRTY_LOG, &log)) {
			snprintf(err, errlen, "KVM_GET_DIRTY_LOG: %s", strerror(errno));
			return -1;
		}
		if (vm->manual_dirty_protect) {
			struct kvm_clear_dirty_log clear = {
				.slot = r->slot, .first_page = 0, .num_pages = (uint32_t)pages,
				.dirty_bitmap = slot_bits,
			};

			if (ioctl(vm->vm_fd, KVM_CLEAR_DIRTY_LOG, &clear)) {
				snprintf(err, errlen, "KVM_CLEAR_DIRTY_LOG: %s", strerror(errno));
				return -1;
			}
		}
		for (uint64_t w = 0; w < pages / 64; w++)
			dirty += __builtin_popcountl(slot_bits[w]);
	}
	return dirty;
}
