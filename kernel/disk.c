// SPDX-License-Identifier: GPL-2.0
/*
 * Virtual disks: the backing files a vmx registers, and their identity.
 *
 * FT keeps a VM's disks where they are: its secondary opens the same files
 * on storage both hosts see.  FTCheck proves that by identity, not by
 * contents (a copy has the same contents and is exactly what must be
 * refused): the filesystem's UUID, the inode number and its generation, and
 * the size.  A filesystem without a UUID cannot be told apart from another
 * and so never counts as shared.
 */
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/uuid.h>

#include "ftmigrate.h"

/**
 * ftm_disk_add() - register a virtual disk of a VM
 * @vm: the VM, not in a migration
 * @fd: the disk's backing file, in the caller's file table
 * @index: out, the disk's number
 *
 * Return: 0; -EBADF for a bad fd; -EINVAL for a file that is not a regular
 * file of whole sectors; -ENOSPC past FTM_MAX_DISKS; -EBUSY during a
 * migration.
 */
int ftm_disk_add(struct ftm_vm *vm, int fd, u32 *index)
{
	struct file *file;
	loff_t size;
	int err = 0;

	file = fget(fd);
	if (!file)
		return -EBADF;
	size = i_size_read(file_inode(file));
	if (!S_ISREG(file_inode(file)->i_mode) || size <= 0 ||
	    size % FTM_DISK_SECTOR) {
		fput(file);
		return -EINVAL;
	}

	mutex_lock(&vm->lock);
	if (vm->migration || vm->incoming_id)
		err = -EBUSY;
	else if (vm->nr_disks == FTM_MAX_DISKS)
		err = -ENOSPC;
	if (!err) {
		vm->disks[vm->nr_disks].file = file;
		vm->disks[vm->nr_disks].sectors = size / FTM_DISK_SECTOR;
		*index = vm->nr_disks++;
	}
	mutex_unlock(&vm->lock);
	if (err)
		fput(file);
	return err;
}

/**
 * ftm_disk_release() - drop a VM's disk files
 * @vm: the VM, being freed
 */
void ftm_disk_release(struct ftm_vm *vm)
{
	unsigned int i;

	for (i = 0; i < vm->nr_disks; i++)
		fput(vm->disks[i].file);
	vm->nr_disks = 0;
}

/**
 * ftm_disk_identify() - the identities of a VM's disks, for FTCheck
 * @vm: the VM
 * @ids: out, FTM_MAX_DISKS entries; those past *@nr are zeroed
 * @nr: out, the number of disks
 */
void ftm_disk_identify(struct ftm_vm *vm, struct ftm_disk_id *ids, u32 *nr)
{
	unsigned int i;

	memset(ids, 0, FTM_MAX_DISKS * sizeof(*ids));
	mutex_lock(&vm->lock);
	for (i = 0; i < vm->nr_disks; i++) {
		struct inode *inode = file_inode(vm->disks[i].file);

		BUILD_BUG_ON(sizeof(ids[i].fs_uuid) != sizeof(inode->i_sb->s_uuid));
		memcpy(ids[i].fs_uuid, &inode->i_sb->s_uuid, sizeof(ids[i].fs_uuid));
		ids[i].ino = cpu_to_be64(inode->i_ino);
		ids[i].generation = cpu_to_be32(inode->i_generation);
		ids[i].sectors = cpu_to_be64(vm->disks[i].sectors);
	}
	*nr = vm->nr_disks;
	mutex_unlock(&vm->lock);
}
