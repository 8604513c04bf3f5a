// SPDX-License-Identifier: GPL-2.0
/*
 * VMotion, FT and FTCpt: three migration types behind one operations table.
 *
 * "FT uses vMotion; FTCpt uses XvMotion": setting up a fault-tolerance
 * secondary is a migration that clones instead of moving.  What differs
 * between the types is data in their descriptors, never a copied table.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/kernel.h>

#include "ftmigrate.h"

static const struct ftm_migration_ops ftm_vmotion_ops = {
	.name	= "vmotion",
};

static const struct ftm_type ftm_vmotion_types[] = {
	{
		/* Move a running VM; its disks stay on shared storage. */
		.id	= FTMIGRATE_TYPE_ID_VMOTION,
		.name	= "VMotion",
		.flags	= FTMIGRATE_TYPE_FLAGS_SHARED_STORAGE,
		.ops	= &ftm_vmotion_ops,
	},
	{
		/* FT VMotion: clone the primary; disks on shared storage. */
		.id	= FTMIGRATE_TYPE_ID_FT,
		.name	= "FT",
		.flags	= FTMIGRATE_TYPE_FLAGS_SHARED_STORAGE |
			  FTMIGRATE_TYPE_FLAGS_SOURCE_RESUMES |
			  FTMIGRATE_TYPE_FLAGS_DEST_WAITS_FAILOVER,
		.ops	= &ftm_vmotion_ops,
	},
	{
		/* XvMotion: clone the primary and mirror its disks. */
		.id	= FTMIGRATE_TYPE_ID_FTCPT,
		.name	= "FTCpt",
		.flags	= FTMIGRATE_TYPE_FLAGS_DISK_COPY |
			  FTMIGRATE_TYPE_FLAGS_SOURCE_RESUMES |
			  FTMIGRATE_TYPE_FLAGS_DEST_WAITS_FAILOVER,
		.ops	= &ftm_vmotion_ops,
	},
};

/**
 * ftm_vmotion_init() - register the three migration types
 *
 * Description: as vmkernel's VMotion_Init() does, with one operations
 * table; but unlike the original, a failure unregisters every type
 * registered before it, so a failed load leaves nothing behind.
 *
 * Return: 0 or the registration error.
 */
int ftm_vmotion_init(void)
{
	unsigned int i;
	int err;

	for (i = 0; i < ARRAY_SIZE(ftm_vmotion_types); i++) {
		err = ftm_type_register(&ftm_vmotion_types[i]);
		if (err)
			goto unwind;
	}
	return 0;

unwind:
	pr_err("registering type %s failed (%d), unwinding %u registration(s)\n",
	       ftm_vmotion_types[i].name, err, i);
	while (i--)
		ftm_type_unregister(&ftm_vmotion_types[i]);
	WARN_ON(ftm_type_count());
	return err;
}

/**
 * ftm_vmotion_exit() - unregister the three types
 */
void ftm_vmotion_exit(void)
{
	unsigned int i = ARRAY_SIZE(ftm_vmotion_types);

	while (i--)
		ftm_type_unregister(&ftm_vmotion_types[i]);
}
