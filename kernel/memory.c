// SPDX-License-Identifier: GPL-2.0
/*
 * Guest memory: the RAM regions a vmx registers, and page access for the
 * migration threads.  The module reads and writes guest pages through the
 * memfd's page cache, from its own threads, without the vmx's help: no copy
 * passes through the vmx's read() or write().
 *
 * Pages are numbered across all regions in registration order; that is the
 * numbering of the dirty bitmaps the vmx hands in.
 */
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/highmem.h>
#include <linux/magic.h>
#include <linux/pagemap.h>
#include <linux/shmem_fs.h>

#include "ftmigrate.h"

/* Only tmpfs (memfd) files: their pages can be read and written from here. */
static bool ftm_mem_file_ok(struct file *file)
{
	return file->f_mapping && file_inode(file)->i_sb->s_magic == TMPFS_MAGIC &&
	       S_ISREG(file_inode(file)->i_mode);
}

/**
 * ftm_mem_add_region() - register a guest RAM region of a VM
 * @vm: the VM, not in a migration
 * @r: the region as the vmx described it, flags and reserved checked
 *
 * Return: 0; -EINVAL for a misaligned, empty, overlapping or too long
 * region or a file that is not a memfd; -EBADF for a bad fd; -ENOSPC when
 * the VM has FTM_MAX_MEMORY_REGIONS already; -EBUSY during a migration.
 */
int ftm_mem_add_region(struct ftm_vm *vm, const struct ftm_memory_region *r)
{
	struct ftm_mem_region *reg;
	struct file *file;
	unsigned int i;
	u64 end;
	int err = -EINVAL;

	if (!r->length || !PAGE_ALIGNED(r->gpa) || !PAGE_ALIGNED(r->length) ||
	    !PAGE_ALIGNED(r->offset) || check_add_overflow(r->gpa, r->length, &end) ||
	    r->offset + r->length < r->offset)
		return -EINVAL;

	file = fget(r->fd);
	if (!file)
		return -EBADF;
	if (!ftm_mem_file_ok(file) ||
	    r->offset + r->length > (u64)i_size_read(file_inode(file)))
		goto out_put;

	mutex_lock(&vm->lock);
	if (vm->migration || vm->incoming_id) {
		err = -EBUSY;
		goto out_unlock;
	}
	if (vm->nr_regions == FTM_MAX_MEMORY_REGIONS) {
		err = -ENOSPC;
		goto out_unlock;
	}
	for (i = 0; i < vm->nr_regions; i++) {
		reg = &vm->regions[i];
		if (r->gpa < reg->gpa + (reg->pages << PAGE_SHIFT) && reg->gpa < end)
			goto out_unlock;
	}
	reg = &vm->regions[vm->nr_regions];
	reg->file = file;
	reg->gpa = r->gpa;
	reg->pages = r->length >> PAGE_SHIFT;
	reg->pgoff = r->offset >> PAGE_SHIFT;
	reg->first = vm->nr_pages;
	vm->nr_pages += reg->pages;
	vm->nr_regions++;
	mutex_unlock(&vm->lock);
	return 0;

out_unlock:
	mutex_unlock(&vm->lock);
out_put:
	fput(file);
	return err;
}

/**
 * ftm_mem_release() - drop a VM's memory files
 * @vm: the VM, on its way out (no migration can use it any more)
 */
void ftm_mem_release(struct ftm_vm *vm)
{
	unsigned int i;

	for (i = 0; i < vm->nr_regions; i++)
		fput(vm->regions[i].file);
	vm->nr_regions = 0;
	vm->nr_pages = 0;
}

static const struct ftm_mem_region *ftm_mem_region_of(const struct ftm_vm *vm,
						      u64 page)
{
	unsigned int i;

	for (i = 0; i < vm->nr_regions; i++)
		if (page - vm->regions[i].first < vm->regions[i].pages)
			return &vm->regions[i];
	return NULL;
}

/**
 * ftm_mem_page_gpa() - guest physical address of a page number
 * @vm: the VM
 * @page: page number, below @vm->nr_pages
 */
u64 ftm_mem_page_gpa(const struct ftm_vm *vm, u64 page)
{
	const struct ftm_mem_region *reg = ftm_mem_region_of(vm, page);

	return reg ? reg->gpa + ((page - reg->first) << PAGE_SHIFT) : 0;
}

/**
 * ftm_mem_gpa_page() - page number of a guest physical address
 * @vm: the VM
 * @gpa: the address, from the network
 * @page: the page number, out
 *
 * Return: 0, or -ERANGE if @gpa is not page aligned inside a region.
 */
int ftm_mem_gpa_page(const struct ftm_vm *vm, u64 gpa, u64 *page)
{
	unsigned int i;

	if (!PAGE_ALIGNED(gpa))
		return -ERANGE;
	for (i = 0; i < vm->nr_regions; i++) {
		const struct ftm_mem_region *reg = &vm->regions[i];

		if (gpa >= reg->gpa && (gpa - reg->gpa) >> PAGE_SHIFT < reg->pages) {
			*page = reg->first + ((gpa - reg->gpa) >> PAGE_SHIFT);
			return 0;
		}
	}
	return -ERANGE;
}

/**
 * ftm_mem_read_page() - copy one guest page out of the source VM's memory
 * @vm: the VM
 * @page: page number
 * @buf: PAGE_SIZE bytes out
 *
 * A page the guest never touched is a hole in the memfd: it reads as zeroes
 * without being allocated.
 *
 * Return: 1 if the page is all zeroes (@buf is then undefined), 0 if its
 * bytes are in @buf, or a negative errno (the memfd was truncated under us).
 */
int ftm_mem_read_page(const struct ftm_vm *vm, u64 page, void *buf)
{
	const struct ftm_mem_region *reg = ftm_mem_region_of(vm, page);
	struct address_space *mapping;
	struct page *pg;
	pgoff_t index;
	void *src;
	bool zero;

	if (!reg)
		return -ERANGE;
	mapping = reg->file->f_mapping;
	index = reg->pgoff + (page - reg->first);

	pg = find_get_page(mapping, index);
	if (!pg) {
		/* A hole reads as zeroes; a swapped-out page must be read in. */
		if (!xa_load(&mapping->i_pages, index))
			return 1;
		pg = shmem_read_mapping_page(mapping, index);
		if (IS_ERR(pg))
			return PTR_ERR(pg);
	}
	src = kmap_local_page(pg);
	zero = !memchr_inv(src, 0, PAGE_SIZE);
	if (!zero)
		memcpy(buf, src, PAGE_SIZE);
	kunmap_local(src);
	put_page(pg);
	return zero;
}

/**
 * ftm_mem_write_page() - store one guest page into the destination's memory
 * @vm: the VM, whose vCPUs do not run
 * @page: page number
 * @data: PAGE_SIZE bytes, or NULL for an all-zero page
 *
 * Return: 0 or a negative errno.
 */
int ftm_mem_write_page(const struct ftm_vm *vm, u64 page, const void *data)
{
	const struct ftm_mem_region *reg = ftm_mem_region_of(vm, page);
	struct address_space *mapping;
	struct page *pg;
	pgoff_t index;
	void *dst;

	if (!reg)
		return -ERANGE;
	mapping = reg->file->f_mapping;
	index = reg->pgoff + (page - reg->first);

	/* A zero page over a hole stays a hole. */
	if (!data && !xa_load(&mapping->i_pages, index))
		return 0;
	pg = shmem_read_mapping_page(mapping, index);
	if (IS_ERR(pg))
		return PTR_ERR(pg);
	dst = kmap_local_page(pg);
	if (data)
		memcpy(dst, data, PAGE_SIZE);
	else
		memset(dst, 0, PAGE_SIZE);
	kunmap_local(dst);
	set_page_dirty(pg);
	put_page(pg);
	return 0;
}

#if IS_ENABLED(CONFIG_KUNIT)
#include "kunit_memory.c"
#endif
