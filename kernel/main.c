// SPDX-License-Identifier: GPL-2.0
/*
 * ftmigrate: migration and fault-tolerance core for userspace VMMs.
 *
 * This file only sequences module init and exit; each step lives in the
 * file of its concern.  The front ends (netlink, /dev/ftmigrate) come last
 * so that nothing reaches the module before what they use is ready.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/module.h>

#include "ftmigrate.h"

static int __init ftm_init(void)
{
	int err;

	err = ftm_frame_init();
	if (err)
		return err;
	err = ftm_vm_cache_init();
	if (err)
		goto err_frame;
	err = ftm_vmotion_init();
	if (err)
		goto err_cache;
	err = ftm_netns_init();
	if (err)
		goto err_types;
	err = ftm_netlink_init();
	if (err)
		goto err_netns;
	err = ftm_chardev_init();
	if (err)
		goto err_netlink;

	pr_info("version %s loaded: %u migration types\n", FTM_MODULE_VERSION,
		ftm_type_count());
	return 0;

err_netlink:
	ftm_netlink_exit();
err_netns:
	ftm_netns_exit();
err_types:
	ftm_vmotion_exit();
err_cache:
	ftm_vm_cache_exit();
err_frame:
	ftm_frame_exit();
	return err;
}

static void __exit ftm_exit(void)
{
	ftm_chardev_exit();
	ftm_netlink_exit();
	ftm_netns_exit();
	ftm_vmotion_exit();
	ftm_vm_cache_exit();
	ftm_frame_exit();
}

module_init(ftm_init);
module_exit(ftm_exit);

MODULE_LICENSE("GPL");
MODULE_AUTHOR("The ftmigrate developers");
MODULE_DESCRIPTION("Migration and fault-tolerance core for userspace VMMs");
MODULE_VERSION(FTM_MODULE_VERSION);
