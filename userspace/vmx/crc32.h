/* SPDX-License-Identifier: GPL-2.0 */
#ifndef VMX_CRC32_H
#define VMX_CRC32_H

#include <stddef.h>
#include <stdint.h>

/*
 * CRC-32 (IEEE 802.3, reflected, as zlib's crc32()): start with crc = 0 and
 * feed the data in any number of pieces.
 */
uint32_t vmx_crc32(uint32_t crc, const void *data, size_t len);

#endif
