// SPDX-License-Identifier: GPL-2.0
/*
 * All devices together: opening their backends, and the device-state blob
 * that save/restore and migration carry.
 *
 * The blob is a sequence of { u32 id; u32 len; payload } records, one per
 * device in a fixed order, each payload a fixed layout in x86 (little-endian) byte order.  A blob
 * is checked in full by vmx_devices_check() before vmx_devices_load() touches
 * any device, so a bad blob never leaves devices half-restored.
 */
#include <stdio.h>
#include <string.h>

#include "vmx.h"

enum {
	DEV_SERIAL = 1,
	DEV_CLOCK = 2,
	DEV_DISK = 3,
	DEV_NIC = 4,
};

struct dev_record {
	uint32_t id;
	uint32_t len;
};

struct serial_state {
	uint64_t bytes;
};

struct clock_state {
	uint64_t latched;
};

struct disk_state {
	uint64_t sectors;		/* capacity: the destination's disk must match */
	uint64_t sector;
	uint64_t addr;
	uint32_t count;
	uint32_t status;
	uint32_t present;
	uint32_t reserved;
};

struct nic_state {
	uint64_t addr;
	uint32_t len;
	uint32_t status;
	uint32_t rx_len;
	uint32_t present;
	uint8_t rx_frame[VMX_NIC_MTU];
};

static const struct {
	uint32_t id;
	uint32_t len;
} layout[] = {
	{ DEV_SERIAL, sizeof(struct serial_state) },
	{ DEV_CLOCK, sizeof(struct clock_state) },
	{ DEV_DISK, sizeof(struct disk_state) },
	{ DEV_NIC, sizeof(struct nic_state) },
};

#define NR_DEVICES (sizeof(layout) / sizeof(layout[0]))

int vmx_devices_open(struct vmx_vm *vm, char *err, size_t errlen)
{
	vm->dev.disk.fd = vm->dev.nic.fd = -1;
	if (vmx_serial_open(vm, err, errlen))
		return -1;
	if (vmx_disk_open(vm, err, errlen))
		goto close_serial;
	if (vmx_nic_open(vm, err, errlen))
		goto close_disk;
	return 0;
close_disk:
	vmx_disk_close(vm);
close_serial:
	vmx_serial_close(vm);
	return -1;
}

void vmx_devices_close(struct vmx_vm *vm)
{
	vmx_nic_close(vm);
	vmx_disk_close(vm);
	vmx_serial_close(vm);
}

size_t vmx_devices_state_size(void)
{
	size_t size = 0;

	for (size_t i = 0; i < NR_DEVICES; i++)
		size += sizeof(struct dev_record) + layout[i].len;
	return size;
}

void vmx_devices_save(struct vmx_vm *vm, void *blob)
{
	struct vmx_devices *dev = &vm->dev;
	struct serial_state serial = { .bytes = dev->serial.bytes };
	struct clock_state clock = { .latched = dev->clock.latched };
	struct disk_state disk = {
		.sectors = dev->disk.sectors, .sector = dev->disk.sector, .addr = dev->disk.addr,
		.count = dev->disk.count, .status = dev->disk.status, .present = dev->disk.fd >= 0,
	};
	static struct nic_state nic;
	const void *payload[NR_DEVICES] = { &serial, &clock, &disk, &nic };
	uint8_t *p = blob;

	memset(&nic, 0, sizeof(nic));
	nic.addr = dev->nic.addr;
	nic.len = dev->nic.len;
	nic.status = dev->nic.status;
	nic.rx_len = dev->nic.rx_len;
	nic.present = dev->nic.fd >= 0;
	memcpy(nic.rx_frame, dev->nic.rx_frame, dev->nic.rx_len);

	for (size_t i = 0; i < NR_DEVICES; i++) {
		struct dev_record rec = { .id = layout[i].id, .len = layout[i].len };

		memcpy(p, &rec, sizeof(rec));
		memcpy(p + sizeof(rec), payload[i], rec.len);
		p += sizeof(rec) + rec.len;
	}
}

int vmx_devices_check(struct vmx_vm *vm, const void *blob, size_t len, char *err, size_t errlen)
{
	const uint8_t *p = blob;
	struct disk_state disk;
	struct nic_state nic;

	if (len != vmx_devices_state_size()) {
		snprintf(err, errlen, "device state is %zu bytes, expected %zu", len,
			 vmx_devices_state_size());
		return -1;
	}
	for (size_t i = 0; i < NR_DEVICES; i++) {
		struct dev_record rec;

		memcpy(&rec, p, sizeof(rec));
		if (rec.id != layout[i].id || rec.len != layout[i].len) {
			snprintf(err, errlen, "device state record %zu is device %u of %u bytes, "
				 "expected device %u of %u bytes", i, rec.id, rec.len,
				 layout[i].id, layout[i].len);
			return -1;
		}
		p += sizeof(rec);
		switch (rec.id) {
		case DEV_DISK:
			memcpy(&disk, p, sizeof(disk));
			if (disk.present != (vm->dev.disk.fd >= 0) ||
			    (disk.present && disk.sectors != vm->dev.disk.sectors)) {
				snprintf(err, errlen, "device state has a disk of %llu sectors, "
					 "this VM has %llu", disk.present ? (unsigned long long)disk.sectors : 0ULL,
					 (unsigned long long)vm->dev.disk.sectors);
				return -1;
			}
			break;
		case DEV_NIC:
			memcpy(&nic, p, sizeof(nic));
			if (nic.present != (vm->dev.nic.fd >= 0)) {
				snprintf(err, errlen, "device state %s a NIC, this VM %s",
					 nic.present ? "has" : "has no", nic.present ? "has none" : "has one");
				return -1;
			}
			if (nic.rx_len > VMX_NIC_MTU || (nic.rx_len && nic.rx_len < VMX_NIC_TAG_LEN)) {
				snprintf(err, errlen, "device state: bad NIC frame length %u", nic.rx_len);
				return -1;
			}
			break;
		}
		p += rec.len;
	}
	return 0;
}

void vmx_devices_load(struct vmx_vm *vm, const void *blob)
{
	struct vmx_devices *dev = &vm->dev;
	const uint8_t *p = blob;
	struct serial_state serial;
	struct clock_state clock;
	struct disk_state disk;
	static struct nic_state nic;
	void *payload[NR_DEVICES] = { &serial, &clock, &disk, &nic };

	for (size_t i = 0; i < NR_DEVICES; i++) {
		p += sizeof(struct dev_record);
		memcpy(payload[i], p, layout[i].len);
		p += layout[i].len;
	}
	dev->serial.bytes = serial.bytes;
	dev->clock.latched = clock.latched;
	dev->disk.sector = disk.sector;
	dev->disk.addr = disk.addr;
	dev->disk.count = disk.count;
	dev->disk.status = disk.status;
	dev->nic.addr = nic.addr;
	dev->nic.len = nic.len;
	dev->nic.status = nic.status;
	dev->nic.rx_len = nic.rx_len;
	memcpy(dev->nic.rx_frame, nic.rx_frame, nic.rx_len);
}
