// SPDX-License-Identifier: GPL-2.0
/*
 * Saving and restoring a VM: what goes into a save file and how it comes back.
 *
 * Restore runs in three steps: the container is checked (savefile.c), then
 * every section is checked against this VM (its config, its CPU's XSAVE
 * size, its RAM layout, its devices), and only then is anything applied.
 * Restore happens before the VM has ever run, so a failure while applying
 * (KVM refusing a value) ends the process without a guest instruction
 * having executed on half-loaded state.  The same holds for a migration's
 * device-state blob (a save file without RAM) on the destination, which has
 * never run either: a blob that fails the checks leaves it untouched.
 *
 * The shape follows the KVM selftests' state_test: sregs before MSRs (EFER),
 * the LAPIC after sregs (APIC base), general registers last.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "savefile.h"
#include "state.h"
#include "vmx.h"

#define MAX_MSRS	1024
#define MAX_CPUID	256

struct state_meta {
	char uuid[40];
	char name[72];
	uint64_t memory;
	uint32_t vcpus;
	uint32_t nr_regions;
	uint32_t has_lapic;
	uint32_t reserved;
	uint64_t input_seq;
	uint64_t output_seq;
};

static size_t xsave_size(struct vmx_vm *vm)
{
	int size = ioctl(vm->kvm_fd, KVM_CHECK_EXTENSION, KVM_CAP_XSAVE2);

	return size > (int)sizeof(struct kvm_xsave) ? (size_t)size : sizeof(struct kvm_xsave);
}

static bool has_cap(struct vmx_vm *vm, long cap)
{
	return ioctl(vm->kvm_fd, KVM_CHECK_EXTENSION, cap) > 0;
}

/*
 * Read every MSR KVM lists that it will also give back.  KVM_GET_MSRS stops
 * at the first MSR it cannot read, so drop that one and carry on.
 */
static struct kvm_msrs *read_msrs(struct vmx_vcpu *vcpu, size_t *size, char *err, size_t errlen)
{
	struct kvm_msr_list *list;
	struct kvm_msrs *msrs, *part = NULL;
	uint32_t n, done = 0, kept = 0;

	list = calloc(1, sizeof(*list) + MAX_MSRS * sizeof(uint32_t));
	msrs = calloc(1, sizeof(*msrs) + MAX_MSRS * sizeof(struct kvm_msr_entry));
	part = calloc(1, sizeof(*part) + MAX_MSRS * sizeof(struct kvm_msr_entry));
	if (!list || !msrs || !part) {
		snprintf(err, errlen, "out of memory");
		goto fail;
	}
	list->nmsrs = MAX_MSRS;
	if (ioctl(vcpu->vm->kvm_fd, KVM_GET_MSR_INDEX_LIST, list)) {
		snprintf(err, errlen, "KVM_GET_MSR_INDEX_LIST: %s", strerror(errno));
		goto fail;
	}
	n = list->nmsrs;
	while (done < n) {
		int r;

		part->nmsrs = n - done;
		for (uint32_t i = 0; i < part->nmsrs; i++)
			part->entries[i] = (struct kvm_msr_entry){ .index = list->indices[done + i] };
		r = ioctl(vcpu->fd, KVM_GET_MSRS, part);
		if (r < 0) {
			snprintf(err, errlen, "KVM_GET_MSRS: %s", strerror(errno));
			goto fail;
		}
		memcpy(&msrs->entries[kept], part->entries, (size_t)r * sizeof(part->entries[0]));
		kept += (uint32_t)r;
		done += (uint32_t)r;
		if (done < n)
			done++;		/* listed but not readable on this vCPU: skip it */
	}
	msrs->nmsrs = kept;
	*size = sizeof(*msrs) + kept * sizeof(struct kvm_msr_entry);
	free(list);
	free(part);
	return msrs;
fail:
	free(list);
	free(msrs);
	free(part);
	return NULL;
}

static int save_vcpu(struct vmx_savefile_writer *w, struct vmx_vcpu *vcpu, char *err, size_t errlen)
{
	struct vmx_vm *vm = vcpu->vm;
	struct kvm_cpuid2 *cpuid = NULL;
	struct kvm_msrs *msrs = NULL;
	struct kvm_xsave *xsave = NULL;
	struct kvm_regs regs;
	struct kvm_sregs sregs;
	struct kvm_xcrs xcrs;
	struct kvm_lapic_state lapic;
	struct kvm_vcpu_events events;
	struct kvm_mp_state mp;
	struct kvm_debugregs dregs;
	size_t cpuid_size = sizeof(*cpuid) + MAX_CPUID * sizeof(cpuid->entries[0]);
	size_t xsize = xsave_size(vm), msrs_size;
	uint32_t id = vcpu->id;
	int ret = -1;

#define GET(ioc, what) do {						\
		if (ioctl(vcpu->fd, ioc, what)) {			\
			snprintf(err, errlen, #ioc ": %s", strerror(errno)); \
			goto out;					\
		}							\
	} while (0)
#define ADD(type, data, len) do {					\
		if (vmx_savefile_add(w, type, id, data, len, err, errlen)) \
			goto out;					\
	} while (0)

	cpuid = calloc(1, cpuid_size);
	xsave = calloc(1, xsize);
	if (!cpuid || !xsave) {
		snprintf(err, errlen, "out of memory");
		goto out;
	}
	cpuid->nent = MAX_CPUID;
	GET(KVM_GET_CPUID2, cpuid);
	ADD(VMX_SEC_CPUID, cpuid, sizeof(*cpuid) + cpuid->nent * sizeof(cpuid->entries[0]));
	GET(KVM_GET_REGS, &regs);
	ADD(VMX_SEC_REGS, &regs, sizeof(regs));
	GET(KVM_GET_SREGS, &sregs);
	ADD(VMX_SEC_SREGS, &sregs, sizeof(sregs));
	GET(xsize > sizeof(struct kvm_xsave) ? KVM_GET_XSAVE2 : KVM_GET_XSAVE, xsave);
	ADD(VMX_SEC_XSAVE, xsave, xsize);
	if (has_cap(vm, KVM_CAP_XCRS)) {
		GET(KVM_GET_XCRS, &xcrs);
		ADD(VMX_SEC_XCRS, &xcrs, sizeof(xcrs));
	}
	msrs = read_msrs(vcpu, &msrs_size, err, errlen);
	if (!msrs)
		goto out;
	ADD(VMX_SEC_MSRS, msrs, msrs_size);
	if (vm->has_lapic) {
		GET(KVM_GET_LAPIC, &lapic);
		ADD(VMX_SEC_LAPIC, &lapic, sizeof(lapic));
	}
	GET(KVM_GET_VCPU_EVENTS, &events);
	ADD(VMX_SEC_EVENTS, &events, sizeof(events));
	GET(KVM_GET_MP_STATE, &mp);
	ADD(VMX_SEC_MP_STATE, &mp, sizeof(mp));
	GET(KVM_GET_DEBUGREGS, &dregs);
	ADD(VMX_SEC_DEBUGREGS, &dregs, sizeof(dregs));
	ret = 0;
out:
	free(cpuid);
	free(xsave);
	free(msrs);
	return ret;
#undef GET
#undef ADD
}

/* Everything but RAM: the part a migration carries as its device-state blob. */
static int save_machine(struct vmx_vm *vm, struct vmx_savefile_writer *w, char *err, size_t errlen)
{
	struct state_meta meta = {
		.memory = vm->ram_size, .vcpus = vm->nr_vcpus, .nr_regions = vm->nr_regions,
		.has_lapic = vm->has_lapic, .input_seq = vm->events.input_seq,
		.output_seq = vm->events.output_seq,
	};
	void *devices;
	int ret;

	snprintf(meta.uuid, sizeof(meta.uuid), "%s", vm->cfg->uuid);
	snprintf(meta.name, sizeof(meta.name), "%s", vm->cfg->name);
	if (vmx_savefile_add(w, VMX_SEC_META, 0, &meta, sizeof(meta), err, errlen))
		return -1;
	for (unsigned int i = 0; i < vm->nr_vcpus; i++)
		if (save_vcpu(w, &vm->vcpus[i], err, errlen))
			return -1;
	devices = malloc(vmx_devices_state_size());
	if (!devices) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	vmx_devices_save(vm, devices);
	ret = vmx_savefile_add(w, VMX_SEC_DEVICES, 0, devices, vmx_devices_state_size(),
			       err, errlen);
	free(devices);
	return ret;
}

int vmx_state_save(struct vmx_vm *vm, const char *path, char *err, size_t errlen)
{
	struct vmx_savefile_writer *w = malloc(sizeof(*w));

	if (!w) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	if (vmx_savefile_create(w, path, err, errlen)) {
		free(w);
		return -1;
	}
	if (save_machine(vm, w, err, errlen))
		goto fail;
	for (unsigned int i = 0; i < vm->nr_regions; i++)
		if (vmx_savefile_add(w, VMX_SEC_RAM, i, vm->regions[i].host, vm->regions[i].size,
				     err, errlen))
			goto fail;
	if (vmx_savefile_commit(w, err, errlen)) {
		free(w);
		return -1;
	}
	free(w);
	return 0;
fail:
	vmx_savefile_abort(w);
	free(w);
	return -1;
}

int vmx_state_save_blob(struct vmx_vm *vm, uint64_t max, void **blob, uint64_t *len,
			char *err, size_t errlen)
{
	struct vmx_savefile_writer *w = malloc(sizeof(*w));

	if (!w) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	vmx_savefile_create_mem(w, max);
	if (save_machine(vm, w, err, errlen)) {
		vmx_savefile_abort(w);
		free(w);
		return -1;
	}
	if (vmx_savefile_commit(w, err, errlen)) {
		free(w);
		return -1;
	}
	*blob = vmx_savefile_take(w, len);
	free(w);
	return 0;
}

/* The sections of one vCPU, found and checked. */
struct vcpu_sections {
	const struct kvm_cpuid2 *cpuid;
	const struct kvm_regs *regs;
	const struct kvm_sregs *sregs;
	const void *xsave;
	const struct kvm_xcrs *xcrs;
	const struct kvm_msrs *msrs;
	const struct kvm_lapic_state *lapic;
	const struct kvm_vcpu_events *events;
	const struct kvm_mp_state *mp;
	const struct kvm_debugregs *dregs;
};

static const void *need(const struct vmx_savefile *f, uint32_t type, uint32_t instance,
			uint64_t want, bool optional, char *err, size_t errlen)
{
	uint64_t len;
	const void *p = vmx_savefile_find(f, type, instance, &len);

	if (!p) {
		if (!optional)
			snprintf(err, errlen, "section %s %u is missing", vmx_section_name(type), instance);
		return NULL;
	}
	if (want != UINT64_MAX && len != want) {
		snprintf(err, errlen, "section %s %u is %llu bytes, expected %llu",
			 vmx_section_name(type), instance, (unsigned long long)len,
			 (unsigned long long)want);
		return NULL;
	}
	return p;
}

static int check_vcpu(struct vmx_vm *vm, const struct vmx_savefile *f, unsigned int id,
		      struct vcpu_sections *s, char *err, size_t errlen)
{
	uint64_t len;

	err[0] = '\0';
	s->cpuid = vmx_savefile_find(f, VMX_SEC_CPUID, id, &len);
	if (!s->cpuid || len < sizeof(*s->cpuid) || s->cpuid->nent > MAX_CPUID ||
	    len != sizeof(*s->cpuid) + s->cpuid->nent * sizeof(s->cpuid->entries[0])) {
		snprintf(err, errlen, "section cpuid %u is missing or malformed", id);
		return -1;
	}
	s->msrs = vmx_savefile_find(f, VMX_SEC_MSRS, id, &len);
	if (!s->msrs || len < sizeof(*s->msrs) || s->msrs->nmsrs > MAX_MSRS ||
	    len != sizeof(*s->msrs) + s->msrs->nmsrs * sizeof(s->msrs->entries[0])) {
		snprintf(err, errlen, "section msrs %u is missing or malformed", id);
		return -1;
	}
	if (!(s->regs = need(f, VMX_SEC_REGS, id, sizeof(*s->regs), false, err, errlen)) ||
	    !(s->sregs = need(f, VMX_SEC_SREGS, id, sizeof(*s->sregs), false, err, errlen)) ||
	    !(s->xsave = need(f, VMX_SEC_XSAVE, id, xsave_size(vm), false, err, errlen)) ||
	    !(s->events = need(f, VMX_SEC_EVENTS, id, sizeof(*s->events), false, err, errlen)) ||
	    !(s->mp = need(f, VMX_SEC_MP_STATE, id, sizeof(*s->mp), false, err, errlen)) ||
	    !(s->dregs = need(f, VMX_SEC_DEBUGREGS, id, sizeof(*s->dregs), false, err, errlen)))
		return -1;
	s->xcrs = need(f, VMX_SEC_XCRS, id, sizeof(*s->xcrs), true, err, errlen);
	if (err[0])
		return -1;
	if (s->xcrs && !has_cap(vm, KVM_CAP_XCRS)) {
		snprintf(err, errlen, "saved with XCRs, which KVM here does not support");
		return -1;
	}
	s->lapic = need(f, VMX_SEC_LAPIC, id, sizeof(*s->lapic), true, err, errlen);
	if (err[0])
		return -1;
	if (!!s->lapic != vm->has_lapic) {
		snprintf(err, errlen, "saved %s a LAPIC, this VM %s", s->lapic ? "with" : "without",
			 vm->has_lapic ? "has one" : "has none");
		return -1;
	}
	return 0;
}

static int apply_vcpu(struct vmx_vcpu *vcpu, const struct vcpu_sections *s, char *err, size_t errlen)
{
	int r;

#define SET(ioc, what) do {						\
		if (ioctl(vcpu->fd, ioc, what) < 0) {			\
			snprintf(err, errlen, "restoring: " #ioc ": %s", strerror(errno)); \
			return -1;					\
		}							\
	} while (0)

	SET(KVM_SET_CPUID2, s->cpuid);
	SET(KVM_SET_SREGS, s->sregs);
	r = ioctl(vcpu->fd, KVM_SET_MSRS, s->msrs);
	if (r != (int)s->msrs->nmsrs) {
		snprintf(err, errlen, "restoring: KVM refused MSR %#x",
			 r >= 0 && r < (int)s->msrs->nmsrs ? s->msrs->entries[r].index : 0);
		return -1;
	}
	/* KVM_SET_XSAVE takes the larger KVM_GET_XSAVE2 buffer as well. */
	SET(KVM_SET_XSAVE, s->xsave);
	if (s->xcrs)
		SET(KVM_SET_XCRS, s->xcrs);
	if (s->lapic)
		SET(KVM_SET_LAPIC, s->lapic);
	SET(KVM_SET_VCPU_EVENTS, s->events);
	SET(KVM_SET_MP_STATE, s->mp);
	SET(KVM_SET_DEBUGREGS, s->dregs);
	SET(KVM_SET_REGS, s->regs);
	return 0;
#undef SET
}

/*
 * Check every section of @f against this VM, then apply them: RAM too when
 * @with_ram (a save file), never when not (a migration blob, whose RAM the
 * module has already put in place).  Returns -1 with the reason in @why
 * (nothing applied) or in @err (KVM refused a value while applying).
 */
static int load(struct vmx_vm *vm, const struct vmx_savefile *f, bool with_ram,
		char *why, size_t whylen, char *err, size_t errlen, bool *applying)
{
	struct vcpu_sections vcpus[VMX_MAX_VCPUS];
	const void *ram[VMX_MAX_RAM_REGIONS];
	const struct state_meta *meta;
	const void *devices;
	uint64_t len;

	/* Step 2: every section against this VM, before anything is applied. */
	*applying = false;
	meta = need(f, VMX_SEC_META, 0, sizeof(*meta), false, why, whylen);
	if (!meta)
		return -1;
	if (memchr(meta->uuid, 0, sizeof(meta->uuid)) == NULL ||
	    strcmp(meta->uuid, vm->cfg->uuid)) {
		snprintf(why, whylen, "state belongs to VM uuid %.36s, config is %s",
			 meta->uuid, vm->cfg->uuid);
		return -1;
	}
	if (meta->memory != vm->ram_size || meta->nr_regions != vm->nr_regions) {
		snprintf(why, whylen, "state has %llu MiB of RAM, config has %llu MiB",
			 (unsigned long long)(meta->memory >> 20),
			 (unsigned long long)(vm->ram_size >> 20));
		return -1;
	}
	if (meta->vcpus != vm->nr_vcpus) {
		snprintf(why, whylen, "state has %u vCPUs, config has %u", meta->vcpus,
			 vm->nr_vcpus);
		return -1;
	}
	for (unsigned int i = 0; i < vm->nr_vcpus; i++)
		if (check_vcpu(vm, f, i, &vcpus[i], why, whylen))
			return -1;
	for (unsigned int i = 0; i < vm->nr_regions; i++) {
		if (with_ram) {
			ram[i] = need(f, VMX_SEC_RAM, i, vm->regions[i].size, false, why, whylen);
			if (!ram[i])
				return -1;
		} else if (vmx_savefile_find(f, VMX_SEC_RAM, i, &len)) {
			/* RAM travels page by page through the module, never in the blob. */
			snprintf(why, whylen, "section ram %u has no place in migration state", i);
			return -1;
		}
	}
	devices = vmx_savefile_find(f, VMX_SEC_DEVICES, 0, &len);
	if (!devices) {
		snprintf(why, whylen, "section devices 0 is missing");
		return -1;
	}
	if (vmx_devices_check(vm, devices, len, why, whylen))
		return -1;

	/* Step 3: apply. */
	*applying = true;
	for (unsigned int i = 0; i < vm->nr_vcpus; i++)
		if (apply_vcpu(&vm->vcpus[i], &vcpus[i], err, errlen))
			return -1;
	if (with_ram)
		for (unsigned int i = 0; i < vm->nr_regions; i++)
			memcpy(vm->regions[i].host, ram[i], vm->regions[i].size);
	vmx_devices_load(vm, devices);
	vm->events.input_seq = meta->input_seq;
	vm->events.output_seq = meta->output_seq;
	return 0;
}

int vmx_state_restore(struct vmx_vm *vm, const char *path, char *err, size_t errlen)
{
	struct vmx_savefile f;
	char why[256];
	bool applying;
	int ret;

	if (vmx_savefile_open(&f, path, err, errlen))
		return -1;
	ret = load(vm, &f, true, why, sizeof(why), err, errlen, &applying);
	if (ret && !applying)
		snprintf(err, errlen, "save file %s: %s", path, why);
	vmx_savefile_close(&f);
	return ret;
}

int vmx_state_load_blob(struct vmx_vm *vm, const void *blob, uint64_t len,
			char *err, size_t errlen)
{
	struct vmx_savefile f;
	char why[256];
	bool applying;
	int ret;

	if (vmx_savefile_open_mem(&f, blob, len, why, sizeof(why))) {
		snprintf(err, errlen, "migration state: %s", why);
		return -1;
	}
	ret = load(vm, &f, false, why, sizeof(why), err, errlen, &applying);
	if (ret && !applying)
		snprintf(err, errlen, "migration state: %s", why);
	vmx_savefile_close(&f);
	return ret;
}

/*
 * Testing aid: what a migration moves, in two files.  @path gets the blob
 * exactly as the module would receive it at stun, @path.ram the RAM in
 * memfd order, as the module would have copied it.
 */
int vmx_state_save_split(struct vmx_vm *vm, const char *path, char *err, size_t errlen)
{
	char ram_path[PATH_MAX + 8];
	void *blob;
	uint64_t len;
	int fd, ret = -1;

	if (vmx_state_save_blob(vm, UINT64_MAX, &blob, &len, err, errlen))
		return -1;
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0 || write(fd, blob, len) != (ssize_t)len) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		goto out;
	}
	close(fd);
	snprintf(ram_path, sizeof(ram_path), "%s.ram", path);
	fd = open(ram_path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0 || write(fd, vm->ram, vm->ram_size) != (ssize_t)vm->ram_size) {
		snprintf(err, errlen, "%s: %s", ram_path, strerror(errno));
		goto out;
	}
	ret = 0;
out:
	if (fd >= 0)
		close(fd);
	free(blob);
	return ret;
}

/* Read a whole file of at most @max bytes. */
static void *read_file(const char *path, uint64_t max, uint64_t *len, char *err, size_t errlen)
{
	struct stat st;
	void *buf = NULL;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0 || fstat(fd, &st)) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		goto out;
	}
	if ((uint64_t)st.st_size > max) {
		snprintf(err, errlen, "%s: larger than %llu bytes", path, (unsigned long long)max);
		goto out;
	}
	*len = (uint64_t)st.st_size;
	buf = malloc(*len ? *len : 1);
	if (!buf) {
		snprintf(err, errlen, "out of memory");
		goto out;
	}
	if (read(fd, buf, *len) != (ssize_t)*len) {
		snprintf(err, errlen, "%s: short read", path);
		free(buf);
		buf = NULL;
	}
out:
	if (fd >= 0)
		close(fd);
	return buf;
}

/*
 * The destination's side of vmx_state_save_split(): RAM as the module would
 * have written it into the memfd, then the blob through the very function
 * FTM_REQ_LOAD_STATE uses.  The RAM file's size is checked first and the
 * blob is validated before RAM is touched.
 */
int vmx_state_load_split(struct vmx_vm *vm, const char *path, char *err, size_t errlen)
{
	char ram_path[PATH_MAX + 8];
	void *blob, *ram = NULL;
	uint64_t len, ram_len;
	int ret = -1;

	snprintf(ram_path, sizeof(ram_path), "%s.ram", path);
	blob = read_file(path, 1ULL << 30, &len, err, errlen);
	if (!blob)
		return -1;
	ram = read_file(ram_path, vm->ram_size, &ram_len, err, errlen);
	if (!ram)
		goto out;
	if (ram_len != vm->ram_size) {
		snprintf(err, errlen, "%s: %llu bytes of RAM, the VM has %llu", ram_path,
			 (unsigned long long)ram_len, (unsigned long long)vm->ram_size);
		goto out;
	}
	if (vmx_state_load_blob(vm, blob, len, err, errlen))
		goto out;
	memcpy(vm->ram, ram, ram_len);
	ret = 0;
out:
	free(ram);
	free(blob);
	return ret;
}
