/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Save and restore of a whole VM: vCPU state, device state and RAM, in the
 * save-file format of savefile.h.
 */
#ifndef VMX_STATE_H
#define VMX_STATE_H

#include <stddef.h>
#include <stdint.h>

struct vmx_vm;

/* Write the VM's complete state to @path.  The VM must be at a clean point. */
int vmx_state_save(struct vmx_vm *vm, const char *path, char *err, size_t errlen);

/*
 * Validate @path completely against this VM's config, then load it.  Nothing
 * is applied unless everything validates.
 */
int vmx_state_restore(struct vmx_vm *vm, const char *path, char *err, size_t errlen);

/*
 * The migration blob: the same container and sections as a save file, RAM
 * left out.  vmx_state_save_blob() gives a malloc()ed blob of at most @max
 * bytes; the VM must be at a clean point.  vmx_state_load_blob() validates
 * like vmx_state_restore() (checksums, sizes, UUID, vCPUs, memory size,
 * devices) and applies vCPU and device state only, leaving RAM alone.
 */
int vmx_state_save_blob(struct vmx_vm *vm, uint64_t max, void **blob, uint64_t *len,
			char *err, size_t errlen);
int vmx_state_load_blob(struct vmx_vm *vm, const void *blob, uint64_t len,
			char *err, size_t errlen);

/*
 * Testing aid without the module: the blob in @path and RAM in @path.ram,
 * and back (validating the blob before RAM or anything else is touched).
 */
int vmx_state_save_split(struct vmx_vm *vm, const char *path, char *err, size_t errlen);
int vmx_state_load_split(struct vmx_vm *vm, const char *path, char *err, size_t errlen);

#endif
