// SPDX-License-Identifier: GPL-2.0
/*
 * The save-file container: writing, and validating before anything is read.
 *
 * Every number in a file is distrusted until checked: offsets and lengths are
 * checked for overflow and against the file and each other, so a damaged or
 * hostile file yields a one-line error and never an out-of-bounds read.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "crc32.h"
#include "savefile.h"

#define SAVEFILE_MAGIC		"FTVMXSAV"
#define SAVEFILE_DATA_START	4096ULL
#define SAVEFILE_ALIGN		4096ULL

struct savefile_header {
	char magic[8];
	uint32_t version;
	uint32_t header_size;
	uint64_t file_size;
	uint64_t table_offset;
	uint32_t nr_sections;
	uint32_t table_crc32;
	uint32_t reserved;	/* zero */
	uint32_t header_crc32;	/* of this header with this field zero */
};

static const char *const section_names[VMX_SEC_MAX] = {
	[VMX_SEC_META] = "meta", [VMX_SEC_CPUID] = "cpuid", [VMX_SEC_REGS] = "regs",
	[VMX_SEC_SREGS] = "sregs", [VMX_SEC_XSAVE] = "xsave", [VMX_SEC_XCRS] = "xcrs",
	[VMX_SEC_MSRS] = "msrs", [VMX_SEC_LAPIC] = "lapic", [VMX_SEC_EVENTS] = "events",
	[VMX_SEC_MP_STATE] = "mp-state", [VMX_SEC_DEBUGREGS] = "debugregs",
	[VMX_SEC_DEVICES] = "devices", [VMX_SEC_RAM] = "ram",
};

const char *vmx_section_name(uint32_t type)
{
	return type && type < VMX_SEC_MAX ? section_names[type] : "unknown";
}

static uint32_t header_crc(const struct savefile_header *h)
{
	struct savefile_header copy = *h;

	copy.header_crc32 = 0;
	return vmx_crc32(0, &copy, sizeof(copy));
}

static int write_all(int fd, const void *data, uint64_t len, uint64_t offset)
{
	const uint8_t *p = data;

	while (len) {
		size_t chunk = len > (1U << 30) ? (1U << 30) : (size_t)len;
		ssize_t n = pwrite(fd, p, chunk, (off_t)offset);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		p += n;
		len -= (uint64_t)n;
		offset += (uint64_t)n;
	}
	return 0;
}

/*
 * Place @len bytes at @offset of a memory container, growing it; the gaps
 * that section alignment leaves read as zeroes, as they do in a file.
 */
static int put_mem(struct vmx_savefile_writer *w, const void *data, uint64_t len,
		   uint64_t offset, char *err, size_t errlen)
{
	uint64_t end = offset + len;

	if (end < offset || end > w->max) {
		snprintf(err, errlen, "state larger than %llu bytes",
			 (unsigned long long)w->max);
		return -1;
	}
	if (end > w->buf_cap) {
		uint64_t cap = w->buf_cap ? w->buf_cap : 64 * 1024;
		uint8_t *p;

		while (cap < end)
			cap *= 2;
		if (cap > w->max)
			cap = w->max;
		p = realloc(w->buf, cap);
		if (!p) {
			snprintf(err, errlen, "out of memory");
			return -1;
		}
		memset(p + w->buf_cap, 0, cap - w->buf_cap);
		w->buf = p;
		w->buf_cap = cap;
	}
	memcpy(w->buf + offset, data, len);
	return 0;
}

static int put(struct vmx_savefile_writer *w, const void *data, uint64_t len, uint64_t offset,
	       char *err, size_t errlen)
{
	if (w->fd < 0)
		return put_mem(w, data, len, offset, err, errlen);
	if (write_all(w->fd, data, len, offset)) {
		snprintf(err, errlen, "%s: %s", w->tmp_path, strerror(errno));
		return -1;
	}
	return 0;
}

void vmx_savefile_create_mem(struct vmx_savefile_writer *w, uint64_t max)
{
	memset(w, 0, sizeof(*w));
	w->fd = -1;
	w->max = max;
	w->offset = SAVEFILE_DATA_START;
}

void *vmx_savefile_take(struct vmx_savefile_writer *w, uint64_t *len)
{
	void *buf = w->buf;

	*len = w->offset;
	w->buf = NULL;
	w->buf_cap = 0;
	return buf;
}

int vmx_savefile_create(struct vmx_savefile_writer *w, const char *path, char *err, size_t errlen)
{
	memset(w, 0, sizeof(*w));
	snprintf(w->path, sizeof(w->path), "%s", path);
	snprintf(w->tmp_path, sizeof(w->tmp_path), "%s.tmp", path);
	w->fd = open(w->tmp_path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (w->fd < 0) {
		snprintf(err, errlen, "%s: %s", w->tmp_path, strerror(errno));
		return -1;
	}
	w->offset = SAVEFILE_DATA_START;
	return 0;
}

int vmx_savefile_add(struct vmx_savefile_writer *w, uint32_t type, uint32_t instance,
		     const void *data, uint64_t len, char *err, size_t errlen)
{
	struct vmx_savefile_section *s;

	if (w->nr_sections == VMX_SAVEFILE_MAX_SECTIONS) {
		snprintf(err, errlen, "too many sections");
		return -1;
	}
	s = &w->table[w->nr_sections++];
	*s = (struct vmx_savefile_section){
		.type = type, .instance = instance, .offset = w->offset, .length = len,
		.crc32 = vmx_crc32(0, data, len),
	};
	if (put(w, data, len, w->offset, err, errlen))
		return -1;
	w->offset = (w->offset + len + SAVEFILE_ALIGN - 1) & ~(SAVEFILE_ALIGN - 1);
	return 0;
}

int vmx_savefile_commit(struct vmx_savefile_writer *w, char *err, size_t errlen)
{
	uint64_t table_len = w->nr_sections * sizeof(w->table[0]);
	struct savefile_header h = {
		.version = VMX_SAVEFILE_VERSION,
		.header_size = sizeof(h),
		.file_size = w->offset + table_len,
		.table_offset = w->offset,
		.nr_sections = w->nr_sections,
		.table_crc32 = vmx_crc32(0, w->table, table_len),
	};

	memcpy(h.magic, SAVEFILE_MAGIC, 8);
	h.header_crc32 = header_crc(&h);
	if (w->fd < 0) {
		/* Memory: complete once the table and header are in; offset becomes the size. */
		if (put(w, w->table, table_len, w->offset, err, errlen) ||
		    put(w, &h, sizeof(h), 0, err, errlen)) {
			vmx_savefile_abort(w);
			return -1;
		}
		w->offset += table_len;
		return 0;
	}
	if (write_all(w->fd, w->table, table_len, w->offset) ||
	    write_all(w->fd, &h, sizeof(h), 0) || fsync(w->fd)) {
		snprintf(err, errlen, "%s: %s", w->tmp_path, strerror(errno));
		vmx_savefile_abort(w);
		return -1;
	}
	close(w->fd);
	w->fd = -1;
	if (rename(w->tmp_path, w->path)) {
		snprintf(err, errlen, "%s: %s", w->path, strerror(errno));
		unlink(w->tmp_path);
		return -1;
	}
	return 0;
}

void vmx_savefile_abort(struct vmx_savefile_writer *w)
{
	free(w->buf);
	w->buf = NULL;
	w->buf_cap = 0;
	if (w->fd >= 0) {
		close(w->fd);
		unlink(w->tmp_path);
	}
	w->fd = -1;
}

static int check(struct vmx_savefile *f, char *err, size_t errlen)
{
	struct savefile_header h;
	uint64_t table_len, prev_end = SAVEFILE_DATA_START;

	if (f->size < sizeof(h)) {
		snprintf(err, errlen, "truncated: %llu bytes, too short for a header",
			 (unsigned long long)f->size);
		return -1;
	}
	memcpy(&h, f->map, sizeof(h));
	if (memcmp(h.magic, SAVEFILE_MAGIC, 8)) {
		snprintf(err, errlen, "not a vmx save file (bad magic)");
		return -1;
	}
	if (h.version != VMX_SAVEFILE_VERSION || h.header_size != sizeof(h)) {
		snprintf(err, errlen, "unsupported save file version %u (this vmx reads %u)",
			 h.version, VMX_SAVEFILE_VERSION);
		return -1;
	}
	if (header_crc(&h) != h.header_crc32 || h.reserved) {
		snprintf(err, errlen, "corrupted: header checksum mismatch");
		return -1;
	}
	if (h.file_size != f->size) {
		snprintf(err, errlen, h.file_size > f->size ? "truncated: %llu of %llu bytes"
			 : "corrupted: %llu bytes where the header says %llu",
			 (unsigned long long)f->size, (unsigned long long)h.file_size);
		return -1;
	}
	if (!h.nr_sections || h.nr_sections > VMX_SAVEFILE_MAX_SECTIONS) {
		snprintf(err, errlen, "corrupted: %u sections", h.nr_sections);
		return -1;
	}
	table_len = h.nr_sections * sizeof(struct vmx_savefile_section);
	if (h.table_offset < SAVEFILE_DATA_START || h.table_offset > f->size ||
	    f->size - h.table_offset != table_len) {
		snprintf(err, errlen, "corrupted: section table out of place");
		return -1;
	}
	if (vmx_crc32(0, f->map + h.table_offset, table_len) != h.table_crc32) {
		snprintf(err, errlen, "corrupted: section table checksum mismatch");
		return -1;
	}
	f->table = (const struct vmx_savefile_section *)(f->map + h.table_offset);
	f->nr_sections = h.nr_sections;

	for (unsigned int i = 0; i < f->nr_sections; i++) {
		const struct vmx_savefile_section *s = &f->table[i];

		if (!s->type || s->type >= VMX_SEC_MAX || s->reserved) {
			snprintf(err, errlen, "corrupted: section %u has unknown type %u", i, s->type);
			return -1;
		}
		/* In order, not overlapping, inside the data area: no aliasing tricks. */
		if (s->offset < prev_end || s->offset > h.table_offset ||
		    s->length > h.table_offset - s->offset) {
			snprintf(err, errlen, "corrupted: section %s %u out of bounds",
				 vmx_section_name(s->type), s->instance);
			return -1;
		}
		prev_end = s->offset + s->length;
		for (unsigned int j = 0; j < i; j++) {
			if (f->table[j].type == s->type && f->table[j].instance == s->instance) {
				snprintf(err, errlen, "corrupted: section %s %u appears twice",
					 vmx_section_name(s->type), s->instance);
				return -1;
			}
		}
		if (vmx_crc32(0, f->map + s->offset, s->length) != s->crc32) {
			snprintf(err, errlen, "corrupted: section %s %u checksum mismatch",
				 vmx_section_name(s->type), s->instance);
			return -1;
		}
	}
	return 0;
}

int vmx_savefile_open(struct vmx_savefile *f, const char *path, char *err, size_t errlen)
{
	char why[200];
	struct stat st;
	int fd;

	memset(f, 0, sizeof(*f));
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0 || fstat(fd, &st)) {
		snprintf(err, errlen, "save file %s: %s", path, strerror(errno));
		if (fd >= 0)
			close(fd);
		return -1;
	}
	f->size = (uint64_t)st.st_size;
	if (f->size) {
		f->map = mmap(NULL, f->size, PROT_READ, MAP_PRIVATE, fd, 0);
		if (f->map == MAP_FAILED) {
			f->map = NULL;
			snprintf(err, errlen, "save file %s: %s", path, strerror(errno));
			close(fd);
			return -1;
		}
		f->mapped = true;
	}
	close(fd);
	if (check(f, why, sizeof(why))) {
		snprintf(err, errlen, "save file %s: %s", path, why);
		vmx_savefile_close(f);
		return -1;
	}
	return 0;
}

int vmx_savefile_open_mem(struct vmx_savefile *f, const void *buf, uint64_t len,
			  char *err, size_t errlen)
{
	memset(f, 0, sizeof(*f));
	f->map = buf;
	f->size = len;
	if (check(f, err, errlen)) {
		memset(f, 0, sizeof(*f));
		return -1;
	}
	return 0;
}

const void *vmx_savefile_find(const struct vmx_savefile *f, uint32_t type, uint32_t instance,
			      uint64_t *len)
{
	for (unsigned int i = 0; i < f->nr_sections; i++) {
		if (f->table[i].type == type && f->table[i].instance == instance) {
			*len = f->table[i].length;
			return f->map + f->table[i].offset;
		}
	}
	*len = 0;
	return NULL;
}

void vmx_savefile_close(struct vmx_savefile *f)
{
	if (f->map && f->mapped)
		munmap((void *)f->map, f->size);
	memset(f, 0, sizeof(*f));
}
