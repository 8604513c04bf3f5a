/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The migration wire format: every message between two hosts is a frame of
 * a fixed header and a bounded payload.  All integers are big-endian.
 *
 *   0  magic    "FTMG"
 *   4  version  FTM_WIRE_VERSION
 *   5  type     enum ftm_frame_type
 *   6  flags    zero
 *   8  len      payload bytes, at most FTM_FRAME_MAX
 *  12  crc      CRC32C of the header (with crc zero) and the payload
 *  16  seq      per direction, from 0, increasing by one per frame
 *
 * A frame that breaks any rule (magic, version, type, flags, length, the
 * checksum, the sequence, or the payload rules of its type) ends the
 * migration with a protocol error before anything in it is used.
 */
#ifndef _FTM_FRAME_H
#define _FTM_FRAME_H

#include <linux/types.h>
#include <linux/ftmigrate.h>

#define FTM_WIRE_MAGIC		0x46544d47	/* "FTMG" */
#define FTM_WIRE_VERSION	1
#define FTM_FRAME_MAX		(256 * 1024)
#define FTM_NONCE_LEN		32
#define FTM_MAC_LEN		32	/* HMAC-SHA256 */
#define FTM_PAGES_PER_FRAME	32
#define FTM_STATE_CHUNK		(128 * 1024)
#define FTM_ERROR_MSG_MAX	128

enum ftm_frame_type {
	FTM_FRAME_HELLO = 1,	/* src: migration id, src nonce */
	FTM_FRAME_CHALLENGE,	/* dst: dst nonce, dst MAC */
	FTM_FRAME_AUTH,		/* src: src MAC */
	FTM_FRAME_AUTH_OK,	/* dst: empty */
	FTM_FRAME_PREPARE,	/* src: Begin's cookie */
	FTM_FRAME_PREPARED,	/* dst: empty */
	FTM_FRAME_PAGES,	/* src: page entries, then the non-zero pages */
	FTM_FRAME_STATE,	/* src: offset, total, a chunk of the device state */
	FTM_FRAME_COMPLETE,	/* src: pages sent in all, device-state length */
	FTM_FRAME_READY,	/* dst: everything arrived and the vmx loaded it */
	FTM_FRAME_COMMIT,	/* src: the point of no return: run it */
	FTM_FRAME_RESUMED,	/* dst: the VM runs here */
	FTM_FRAME_ERROR,	/* either: error code, message; ends it */
	FTM_FRAME_CANCEL,	/* src: the user cancelled; ends it */
	FTM_FRAME_JOIN,		/* src, data stream: stream index, stream count */
	FTM_FRAME_JOINED,	/* dst, data stream: empty */
	FTM_FRAME_END,		/* src, data stream: pages it carried in all */
	FTM_FRAME_FTCHECK,	/* src, FT/FTCpt: config file, disks, fence */
	FTM_FRAME_FTCHECK_OK,	/* dst: the clone may go ahead */
	FTM_FRAME_TYPE_MAX = FTM_FRAME_FTCHECK_OK,
};

struct ftm_frame_hdr {
	__be32 magic;
	u8 version;
	u8 type;
	__be16 flags;
	__be32 len;
	__be32 crc;
	__be64 seq;
} __packed;

/* One page entry of FTM_FRAME_PAGES: the guest address, ORed with flags. */
#define FTM_PAGE_ZERO		0x1ULL	/* all-zero page: no data follows */
#define FTM_PAGE_FLAGS		0xfffULL

struct ftm_hello {
	__be64 migration_id;
	u8 nonce[FTM_NONCE_LEN];
} __packed;

struct ftm_challenge {
	u8 nonce[FTM_NONCE_LEN];
	u8 mac[FTM_MAC_LEN];
} __packed;

/*
 * Data streams.  A migration with N streams has its control connection
 * (stream 0, which also carries pages) and N - 1 data connections, each
 * authenticated like the first (HELLO ... AUTH_OK) and then bound to the
 * migration by JOIN.  Page number p always travels on stream
 * (p / FTM_STREAM_CHUNK) % N, so the copies of one page sent in successive
 * rounds stay in order on one TCP connection.  Before COMPLETE, every data
 * stream ends with END, so the destination knows nothing of it is still
 * in flight.
 */
#define FTM_STREAMS_MAX		8
#define FTM_STREAM_CHUNK	512	/* pages; a multiple of BITS_PER_LONG */

struct ftm_join {
	__be32 stream;		/* 1 .. streams - 1 */
	__be32 streams;		/* 2 .. FTM_STREAMS_MAX */
} __packed;

struct ftm_stream_end {
	__be64 pages;		/* pages this stream carried, zero pages too */
} __packed;

struct ftm_state_chunk {
	__be64 offset;
	__be64 total;
} __packed;

struct ftm_complete {
	__be64 pages;
	__be64 state_len;
} __packed;

/*
 * FTCheck, for the types that clone (FT, FTCpt), right after PREPARED: the
 * source's VM config file (its SHA-256 is in the cookie), the identity of
 * each of its disks, and the pair's fence.  The destination answers
 * FTCHECK_OK, or ERROR with config-mismatch or storage-not-shared.
 */
struct ftm_disk_id {
	u8 fs_uuid[16];		/* the filesystem's UUID; zero if it has none */
	__be64 ino;
	__be32 generation;
	__be32 reserved;	/* zero */
	__be64 sectors;
} __packed;

struct ftm_ftcheck {
	__be32 config_len;	/* the config's bytes follow this header */
	__be32 nr_disks;	/* 0 .. FTM_MAX_DISKS */
	struct ftm_disk_id disks[FTM_MAX_DISKS];
	char fence[FTM_FENCE_MAX];	/* absolute path, NUL-terminated */
} __packed;

/* The last error code an ERROR frame may carry. */
#define FTM_MIGRATION_ERROR_LAST	FTMIGRATE_MIGRATION_ERROR_STORAGE_NOT_SHARED

struct ftm_error {
	__be32 code;		/* enum ftmigrate_migration_error */
	char msg[FTM_ERROR_MSG_MAX];	/* NUL-terminated */
} __packed;

/*
 * The cookie Begin returns and Prepare checks: who the VM is and how its
 * memory is laid out, so that the destination refuses a VM it cannot hold
 * before any page travels.  It also travels in FTM_FRAME_PREPARE.
 */
#define FTM_COOKIE_MAGIC	0x46544d43	/* "FTMC" */

struct ftm_cookie_region {
	__be64 gpa;
	__be64 pages;
} __packed;

struct ftm_cookie {
	__be32 magic;
	__be32 version;
	__be64 migration_id;
	__be32 type;
	__be32 nr_regions;
	u8 uuid[16];
	u8 config_sha256[32];
	struct ftm_cookie_region regions[8];
} __packed;

int ftm_frame_init(void);
void ftm_frame_exit(void);
void ftm_frame_seal(struct ftm_frame_hdr *hdr, u8 type, u32 len, u64 seq,
		    const void *payload);
int ftm_frame_check_hdr(const struct ftm_frame_hdr *hdr, u64 want_seq);
int ftm_frame_check_crc(const struct ftm_frame_hdr *hdr, const void *payload);
int ftm_frame_check_payload(u8 type, const void *payload, u32 len);
u32 ftm_frame_pages_data_len(const __be64 *entries, u32 n);

#endif /* _FTM_FRAME_H */
