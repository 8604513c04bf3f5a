/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The guests' runtime: port I/O, serial output, the devices of guest_abi.h,
 * boot arguments and the few string functions freestanding C needs.
 */
#ifndef GUEST_LIB_H
#define GUEST_LIB_H

#include <stddef.h>
#include <stdint.h>

#include "guest_abi.h"

static inline void outb(uint16_t port, uint8_t v)
{
	__asm__ volatile("outb %0, %1" : : "a"(v), "Nd"(port));
}

static inline void outl(uint16_t port, uint32_t v)
{
	__asm__ volatile("outl %0, %1" : : "a"(v), "Nd"(port));
}

static inline uint32_t inl(uint16_t port)
{
	uint32_t v;

	__asm__ volatile("inl %1, %0" : "=a"(v) : "Nd"(port));
	return v;
}

int guest_main(void);

void put_char(char c);
void put_str(const char *s);
void put_u64(uint64_t v);
void put_hex(uint64_t v);
__attribute__((noreturn)) void power_off(uint32_t code);

uint64_t clock_ns(void);
uint32_t entropy32(void);
void doorbell(uint32_t us);
/* Idle until @ns of guest clock time have passed. */
void sleep_ns(uint64_t ns);

const struct vmx_boot_info *boot_info(void);
/* The value of "key=value" in the boot arguments, or @def. */
uint64_t arg_u64(const char *key, uint64_t def);

uint64_t disk_sectors(void);
uint32_t disk_read(uint64_t sector, void *buf, uint32_t count);
uint32_t disk_write(uint64_t sector, const void *buf, uint32_t count);
uint32_t disk_flush(void);

/* Receive a frame into @buf (peer tag first); 0 if none is waiting. */
uint32_t nic_recv(void *buf, uint32_t cap);
void nic_send(const void *frame, uint32_t len);

void *memcpy(void *dst, const void *src, size_t n);
void *memset(void *dst, int c, size_t n);
void *memmove(void *dst, const void *src, size_t n);
int memcmp(const void *a, const void *b, size_t n);
size_t strlen(const char *s);

#endif
