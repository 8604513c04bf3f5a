// SPDX-License-Identifier: GPL-2.0
/*
 * The guests' runtime.  Everything is polled; nothing here reads the TSC or
 * any other per-host value, so a guest's behaviour depends only on what its
 * devices tell it.
 */
#include "lib.h"

void put_char(char c)
{
	outb(VMX_PORT_SERIAL, (uint8_t)c);
}

void put_str(const char *s)
{
	while (*s)
		put_char(*s++);
}

void put_u64(uint64_t v)
{
	char buf[21];
	int i = 20;

	buf[i] = '\0';
	do {
		buf[--i] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	put_str(&buf[i]);
}

void put_hex(uint64_t v)
{
	static const char digits[] = "0123456789abcdef";

	for (int shift = 60; shift >= 0; shift -= 4)
		put_char(digits[(v >> shift) & 0xf]);
}

void power_off(uint32_t code)
{
	for (;;)
		outl(VMX_PORT_HALT, code);
}

uint64_t clock_ns(void)
{
	uint32_t lo = inl(VMX_PORT_CLOCK_LO);

	return (uint64_t)inl(VMX_PORT_CLOCK_HI) << 32 | lo;
}

uint32_t entropy32(void)
{
	return inl(VMX_PORT_ENTROPY);
}

void doorbell(uint32_t us)
{
	outl(VMX_PORT_DOORBELL, us);
}

void sleep_ns(uint64_t ns)
{
	uint64_t start = clock_ns(), now;

	while ((now = clock_ns()) - start < ns) {
		uint64_t left_us = (ns - (now - start) + 999) / 1000;

		doorbell(left_us > 1000000 ? 1000000 : (uint32_t)left_us);
	}
}

const struct vmx_boot_info *boot_info(void)
{
	return (const struct vmx_boot_info *)VMX_BOOT_INFO_GPA;
}

uint64_t arg_u64(const char *key, uint64_t def)
{
	const char *p = boot_info()->args;
	size_t klen = strlen(key);

	while (*p) {
		while (*p == ' ')
			p++;
		if (!memcmp(p, key, klen) && p[klen] == '=') {
			uint64_t v = 0;

			for (p += klen + 1; *p >= '0' && *p <= '9'; p++)
				v = v * 10 + (uint64_t)(*p - '0');
			return v;
		}
		while (*p && *p != ' ')
			p++;
	}
	return def;
}

uint64_t disk_sectors(void)
{
	uint32_t lo = inl(VMX_PORT_DISK_SECTORS_LO);

	return (uint64_t)inl(VMX_PORT_DISK_SECTORS_HI) << 32 | lo;
}

static uint32_t disk_command(uint32_t cmd, uint64_t sector, const void *buf, uint32_t count)
{
	uint64_t addr = (uint64_t)(uintptr_t)buf;	/* identity-mapped */

	outl(VMX_PORT_DISK_SECTOR_LO, (uint32_t)sector);
	outl(VMX_PORT_DISK_SECTOR_HI, (uint32_t)(sector >> 32));
	outl(VMX_PORT_DISK_ADDR_LO, (uint32_t)addr);
	outl(VMX_PORT_DISK_ADDR_HI, (uint32_t)(addr >> 32));
	outl(VMX_PORT_DISK_COUNT, count);
	outl(VMX_PORT_DISK_CMD, cmd);
	return inl(VMX_PORT_DISK_STATUS);
}

uint32_t disk_read(uint64_t sector, void *buf, uint32_t count)
{
	return disk_command(VMX_DISK_CMD_READ, sector, buf, count);
}

uint32_t disk_write(uint64_t sector, const void *buf, uint32_t count)
{
	return disk_command(VMX_DISK_CMD_WRITE, sector, buf, count);
}

uint32_t disk_flush(void)
{
	outl(VMX_PORT_DISK_CMD, VMX_DISK_CMD_FLUSH);
	return inl(VMX_PORT_DISK_STATUS);
}

uint32_t nic_recv(void *buf, uint32_t cap)
{
	uint64_t addr = (uint64_t)(uintptr_t)buf;
	uint32_t status;

	if (!inl(VMX_PORT_NIC_RX_PENDING))
		return 0;
	outl(VMX_PORT_NIC_ADDR_LO, (uint32_t)addr);
	outl(VMX_PORT_NIC_ADDR_HI, (uint32_t)(addr >> 32));
	outl(VMX_PORT_NIC_LEN, cap);
	outl(VMX_PORT_NIC_CMD, VMX_NIC_CMD_RX);
	status = inl(VMX_PORT_NIC_STATUS);
	return status == 0xffffffffU ? 0 : status;
}

void nic_send(const void *frame, uint32_t len)
{
	uint64_t addr = (uint64_t)(uintptr_t)frame;

	outl(VMX_PORT_NIC_ADDR_LO, (uint32_t)addr);
	outl(VMX_PORT_NIC_ADDR_HI, (uint32_t)(addr >> 32));
	outl(VMX_PORT_NIC_LEN, len);
	outl(VMX_PORT_NIC_CMD, VMX_NIC_CMD_TX);
}

void *memcpy(void *dst, const void *src, size_t n)
{
	uint8_t *d = dst;
	const uint8_t *s = src;

	while (n--)
		*d++ = *s++;
	return dst;
}

void *memmove(void *dst, const void *src, size_t n)
{
	uint8_t *d = dst;
	const uint8_t *s = src;

	if (d < s)
		return memcpy(dst, src, n);
	while (n--)
		d[n] = s[n];
	return dst;
}

void *memset(void *dst, int c, size_t n)
{
	uint8_t *d = dst;

	while (n--)
		*d++ = (uint8_t)c;
	return dst;
}

int memcmp(const void *a, const void *b, size_t n)
{
	const uint8_t *x = a, *y = b;

	for (; n; n--, x++, y++)
		if (*x != *y)
			return *x < *y ? -1 : 1;
	return 0;
}

size_t strlen(const char *s)
{
	size_t n = 0;

	while (s[n])
		n++;
	return n;
}
