// SPDX-License-Identifier: GPL-2.0
/*
 * The migration type registry: the counterpart of vmkernel's
 * Migrate_RegisterTypeFunctions().  Types are registered at module init and
 * looked up under RCU by the ioctl and netlink front ends.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/rcupdate.h>

#include "ftmigrate.h"

static DEFINE_MUTEX(ftm_types_lock);
static const struct ftm_type __rcu *ftm_types[FTM_TYPE_COUNT];
static unsigned int ftm_types_registered;
static unsigned int ftm_register_calls;

/*
 * Fault injection for the init unwind test: make the Nth registration since
 * module load fail, as a full registry or a bad descriptor would.
 */
static unsigned int fail_type_register;
module_param(fail_type_register, uint, 0444);
MODULE_PARM_DESC(fail_type_register,
		 "Fail the Nth migration type registration (testing; 0 = never)");

/**
 * ftm_type_register() - register a migration type
 * @type: descriptor; must stay valid until ftm_type_unregister()
 *
 * Return: 0, -EINVAL for a malformed descriptor, -EEXIST if the slot is
 * taken, or the injected error.
 */
int ftm_type_register(const struct ftm_type *type)
{
	int err = 0;

	if (type->id >= FTM_TYPE_COUNT || !type->name || !type->ops ||
	    !type->ops->name)
		return -EINVAL;

	mutex_lock(&ftm_types_lock);
	if (fail_type_register && ++ftm_register_calls == fail_type_register) {
		pr_info("registration of type %s fails (fail_type_register=%u)\n",
			type->name, fail_type_register);
		err = -EBUSY;
	} else if (rcu_access_pointer(ftm_types[type->id])) {
		err = -EEXIST;
	} else {
		rcu_assign_pointer(ftm_types[type->id], type);
		ftm_types_registered++;
	}
	mutex_unlock(&ftm_types_lock);
	return err;
}

/**
 * ftm_type_unregister() - unregister a migration type
 * @type: a descriptor registered with ftm_type_register()
 *
 * Waits for RCU readers, so @type may be freed on return.
 */
void ftm_type_unregister(const struct ftm_type *type)
{
	mutex_lock(&ftm_types_lock);
	if (!WARN_ON(rcu_access_pointer(ftm_types[type->id]) != type)) {
		RCU_INIT_POINTER(ftm_types[type->id], NULL);
		ftm_types_registered--;
	}
	mutex_unlock(&ftm_types_lock);
	synchronize_rcu();
}

/**
 * ftm_type_get_rcu() - look a type up by id
 * @id: type id
 *
 * Context: rcu_read_lock() held; the result is valid until it is dropped.
 * Return: the type, or NULL if @id is not registered.
 */
const struct ftm_type *ftm_type_get_rcu(enum ftmigrate_type_id id)
{
	if (id >= FTM_TYPE_COUNT)
		return NULL;
	return rcu_dereference(ftm_types[id]);
}

/**
 * ftm_type_count() - number of registered types
 *
 * Return: how many types are registered right now.
 */
unsigned int ftm_type_count(void)
{
	unsigned int n;

	mutex_lock(&ftm_types_lock);
	n = ftm_types_registered;
	mutex_unlock(&ftm_types_lock);
	return n;
}

#if IS_ENABLED(CONFIG_KUNIT)
#include "kunit_registry.c"
#endif
