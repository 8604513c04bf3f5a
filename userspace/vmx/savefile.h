/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The save-file container: versioned, self-describing, checked.
 *
 *   offset 0     header: magic "FTVMXSAV", version, sizes, CRCs
 *   offset 4096  sections, each starting on a 4 KiB boundary
 *   at the end   the section table: { type, instance, offset, length, crc32 }
 *
 * The header records the file size, so truncation is caught before anything
 * else; the header and the table each carry a CRC-32, and so does every
 * section.  vmx_savefile_open() checks all of it; a caller only looks inside
 * a file that has passed.
 *
 * The same container, byte for byte, also lives in memory: the device-state
 * blob of a migration is a save file without RAM sections, written with
 * vmx_savefile_create_mem() and checked with vmx_savefile_open_mem(), so a
 * blob from the network gets exactly the checks a file from disk gets.
 */
#ifndef VMX_SAVEFILE_H
#define VMX_SAVEFILE_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define VMX_SAVEFILE_VERSION	1
#define VMX_SAVEFILE_MAX_SECTIONS 256

enum vmx_section_type {
	VMX_SEC_META = 1,	/* which VM, RAM size, vCPU count, event counters */
	VMX_SEC_CPUID,		/* per vCPU: struct kvm_cpuid2 + entries */
	VMX_SEC_REGS,		/* per vCPU: struct kvm_regs */
	VMX_SEC_SREGS,		/* per vCPU: struct kvm_sregs */
	VMX_SEC_XSAVE,		/* per vCPU: XSAVE area (FPU, SSE, AVX...) */
	VMX_SEC_XCRS,		/* per vCPU: struct kvm_xcrs */
	VMX_SEC_MSRS,		/* per vCPU: struct kvm_msrs + entries */
	VMX_SEC_LAPIC,		/* per vCPU: struct kvm_lapic_state */
	VMX_SEC_EVENTS,		/* per vCPU: struct kvm_vcpu_events */
	VMX_SEC_MP_STATE,	/* per vCPU: struct kvm_mp_state */
	VMX_SEC_DEBUGREGS,	/* per vCPU: struct kvm_debugregs */
	VMX_SEC_DEVICES,	/* the device-state blob */
	VMX_SEC_RAM,		/* per RAM region: its bytes */
	VMX_SEC_MAX,
};

struct vmx_savefile_section {
	uint32_t type;
	uint32_t instance;	/* vCPU or RAM region index */
	uint64_t offset;
	uint64_t length;
	uint32_t crc32;
	uint32_t reserved;	/* zero */
};

struct vmx_savefile_writer {
	int fd;				/* -1 when writing to memory */
	char path[PATH_MAX];
	char tmp_path[PATH_MAX + 8];
	uint8_t *buf;			/* memory: the container so far */
	uint64_t buf_cap;
	uint64_t max;			/* memory: the largest container allowed */
	uint64_t offset;
	unsigned int nr_sections;
	struct vmx_savefile_section table[VMX_SAVEFILE_MAX_SECTIONS];
};

struct vmx_savefile {
	const uint8_t *map;
	uint64_t size;
	bool mapped;			/* map is ours to munmap (a file) */
	const struct vmx_savefile_section *table;
	unsigned int nr_sections;
};

const char *vmx_section_name(uint32_t type);

/* Writing goes to PATH.tmp, renamed over PATH only once complete and synced. */
int vmx_savefile_create(struct vmx_savefile_writer *w, const char *path, char *err, size_t errlen);
int vmx_savefile_add(struct vmx_savefile_writer *w, uint32_t type, uint32_t instance,
		     const void *data, uint64_t len, char *err, size_t errlen);
int vmx_savefile_commit(struct vmx_savefile_writer *w, char *err, size_t errlen);
void vmx_savefile_abort(struct vmx_savefile_writer *w);

/*
 * Writing to memory instead, up to @max bytes in all.  After a successful
 * vmx_savefile_commit(), vmx_savefile_take() hands over the buffer (free()
 * it); vmx_savefile_abort() frees it otherwise.
 */
void vmx_savefile_create_mem(struct vmx_savefile_writer *w, uint64_t max);
void *vmx_savefile_take(struct vmx_savefile_writer *w, uint64_t *len);

int vmx_savefile_open(struct vmx_savefile *f, const char *path, char *err, size_t errlen);
/* The same checks on a container in memory; @buf must outlive @f. */
int vmx_savefile_open_mem(struct vmx_savefile *f, const void *buf, uint64_t len,
			  char *err, size_t errlen);
/* The section of @type and @instance, or NULL; its length in *@len. */
const void *vmx_savefile_find(const struct vmx_savefile *f, uint32_t type, uint32_t instance,
			      uint64_t *len);
void vmx_savefile_close(struct vmx_savefile *f);

#endif
