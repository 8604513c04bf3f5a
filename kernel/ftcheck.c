// SPDX-License-Identifier: GPL-2.0
/*
 * FTCheck: the pre-checks of the types that clone a VM (FT, FTCpt) instead
 * of moving it, as vmkernel's Migrate_FTCheck runs them before a secondary
 * is made.
 *
 * Right after PREPARED the source sends its VM config file, the identity of
 * each disk and the pair's fence (FTM_FRAME_FTCHECK).  The destination
 * checks the config against the hash in Begin's cookie, the disks against
 * its own (for a type that keeps disks in place they must be the very same
 * files on storage both hosts see), and then asks its vmx whether the config
 * describes the VM it is (FTM_REQ_CHECK_CONFIG): the module does not parse
 * the vmx's config format, and host-local settings may differ.  A refusal
 * carries a typed reason, config-mismatch or storage-not-shared, back to
 * the source, where it is the migration's outcome.
 */
#include <crypto/sha2.h>
#include <linux/slab.h>

#include "ftmigrate.h"

#define FTM_VMREQ_TIMEOUT	(30 * HZ)

/**
 * ftm_type_clones() - does a migration of this type clone the VM?
 * @type: the migration type
 *
 * Return: true for FT and FTCpt, whose source keeps running as the primary.
 */
bool ftm_type_clones(const struct ftm_type *type)
{
	return type->flags & FTMIGRATE_TYPE_FLAGS_SOURCE_RESUMES;
}

/**
 * ftm_ftcheck_send() - the source's FTCHECK frame
 * @c: the control connection
 * @mig: the source migration
 *
 * Return: 0 or the send's error.
 */
int ftm_ftcheck_send(struct ftm_conn *c, struct ftm_migration *mig)
{
	struct ftm_ftcheck *h = c->tx;
	struct ftm_vm *vm = mig->vm;
	u32 nr;

	BUILD_BUG_ON(sizeof(*h) + FTM_CONFIG_MAX > FTM_FRAME_MAX);
	memset(h, 0, sizeof(*h));
	ftm_disk_identify(vm, h->disks, &nr);
	h->nr_disks = cpu_to_be32(nr);
	h->config_len = cpu_to_be32(vm->config_len);
	strscpy(h->fence, mig->fence, sizeof(h->fence));
	memcpy(h + 1, vm->config, vm->config_len);
	return ftm_conn_send(c, FTM_FRAME_FTCHECK, NULL, sizeof(*h) + vm->config_len);
}

/* Type FT keeps the disks in place: each must be the source's own file. */
static int ftm_ftcheck_disks(struct ftm_migration *mig, const struct ftm_ftcheck *h,
			     char *why, size_t why_len)
{
	struct ftm_disk_id here[FTM_MAX_DISKS];
	u32 nr, i;

	ftm_disk_identify(mig->vm, here, &nr);
	if (nr != be32_to_cpu(h->nr_disks)) {
		snprintf(why, why_len, "the destination has %u disk(s), the source %u",
			 nr, be32_to_cpu(h->nr_disks));
		return -EINVAL;
	}
	for (i = 0; i < nr; i++) {
		if (!memchr_inv(here[i].fs_uuid, 0, sizeof(here[i].fs_uuid))) {
			snprintf(why, why_len,
				 "disk %u: its filesystem has no UUID, so it cannot be shown to be shared",
				 i);
			return -EINVAL;
		}
		if (memcmp(&here[i], &h->disks[i], sizeof(here[i]))) {
			snprintf(why, why_len,
				 "disk %u is not the source's file on shared storage", i);
			return -EINVAL;
		}
	}
	return 0;
}

/**
 * ftm_ftcheck_verify() - the destination's FTCheck of an FTCHECK payload
 * @mig: the destination migration, with its incoming VM
 * @payload: the frame's payload, through ftm_frame_check_payload()
 * @len: its length
 * @code: out, the outcome's error code on a refusal
 * @why: out, the reason for people
 * @why_len: room at @why
 *
 * Return: 0 (the pair's fence is now in @mig), -EPROTO for a config that
 * does not match the cookie, -EREMOTEIO for a typed refusal, or the
 * request's error (the vmx died, the migration was cancelled).
 */
int ftm_ftcheck_verify(struct ftm_migration *mig, const void *payload, u32 len,
		       u32 *code, char *why, size_t why_len)
{
	const struct ftm_cookie *cookie = (const void *)mig->cookie;
	const struct ftm_ftcheck *h = payload;
	u32 config_len = be32_to_cpu(h->config_len);
	u8 digest[SHA256_DIGEST_SIZE];
	struct ftm_vm *vm = mig->vm;
	void *config;
	int err;

	if (!ftm_fence_name_ok(mig->fn, h->fence)) {
		snprintf(why, why_len, "the fence %.96s is not a file name in this host's fence directory",
			 h->fence);
		*code = FTMIGRATE_MIGRATION_ERROR_DEST_REFUSED;
		return -EREMOTEIO;
	}
	sha256((const u8 *)(h + 1), config_len, digest);
	if (memcmp(digest, cookie->config_sha256, sizeof(digest))) {
		snprintf(why, why_len, "the config file does not match the cookie's hash");
		*code = FTMIGRATE_MIGRATION_ERROR_PROTOCOL;
		return -EPROTO;
	}
	if ((mig->type->flags & FTMIGRATE_TYPE_FLAGS_SHARED_STORAGE) &&
	    ftm_ftcheck_disks(mig, h, why, why_len)) {
		*code = FTMIGRATE_MIGRATION_ERROR_STORAGE_NOT_SHARED;
		return -EREMOTEIO;
	}

	config = kvmalloc(config_len, GFP_KERNEL);
	if (!config)
		return -ENOMEM;
	memcpy(config, h + 1, config_len);
	ftm_vmreq_set_state(&vm->req, config, config_len);
	err = ftm_vmreq_call(&vm->req, FTM_REQ_CHECK_CONFIG, 0, mig->id, NULL,
			     config_len, NULL, FTM_VMREQ_TIMEOUT,
			     ftm_migration_cancelled, mig);
	ftm_vmreq_set_state(&vm->req, NULL, 0);
	if (err == -EINVAL) {
		snprintf(why, why_len,
			 "the destination's vmx describes another VM than the source's config");
		*code = FTMIGRATE_MIGRATION_ERROR_CONFIG_MISMATCH;
		return -EREMOTEIO;
	}
	if (err)
		return err;
	mutex_lock(&mig->lock);
	strscpy(mig->fence, h->fence, sizeof(mig->fence));
	mutex_unlock(&mig->lock);
	return 0;
}
