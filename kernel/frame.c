// SPDX-License-Identifier: GPL-2.0
/*
 * The migration wire format (frame.h): sealing frames and checking every
 * field of the ones that arrive.  Checks are pure functions of the bytes, so
 * KUnit feeds them hostile frames directly.
 */
#include <crypto/hash.h>
#include <linux/err.h>
#include <linux/string.h>

#include "ftmigrate.h"
#include "frame.h"

/* CRC32C through the crypto API: one keyless transform shared by all. */
static struct crypto_shash *ftm_crc_tfm;

int ftm_frame_init(void)
{
	ftm_crc_tfm = crypto_alloc_shash("crc32c", 0, 0);
	if (IS_ERR(ftm_crc_tfm)) {
		int err = PTR_ERR(ftm_crc_tfm);

		ftm_crc_tfm = NULL;
		return err;
	}
	return 0;
}

void ftm_frame_exit(void)
{
	crypto_free_shash(ftm_crc_tfm);
}

static u32 ftm_frame_crc(const struct ftm_frame_hdr *hdr, const void *payload)
{
	SHASH_DESC_ON_STACK(desc, ftm_crc_tfm);
	struct ftm_frame_hdr h = *hdr;
	__le32 out = 0;

	h.crc = 0;
	desc->tfm = ftm_crc_tfm;
	/* crc32c cannot fail on linear buffers; a zero result fails checks. */
	if (crypto_shash_init(desc) ||
	    crypto_shash_update(desc, (const u8 *)&h, sizeof(h)) ||
	    crypto_shash_update(desc, payload, be32_to_cpu(hdr->len)) ||
	    crypto_shash_final(desc, (u8 *)&out))
		return 0;
	return le32_to_cpu(out);
}

/**
 * ftm_frame_seal() - fill in a frame header for a payload
 * @hdr: the header to fill
 * @type: enum ftm_frame_type
 * @len: payload length, at most FTM_FRAME_MAX
 * @seq: the sender's sequence number for this frame
 * @payload: the payload, @len bytes
 */
void ftm_frame_seal(struct ftm_frame_hdr *hdr, u8 type, u32 len, u64 seq,
		    const void *payload)
{
	hdr->magic = cpu_to_be32(FTM_WIRE_MAGIC);
	hdr->version = FTM_WIRE_VERSION;
	hdr->type = type;
	hdr->flags = 0;
	hdr->len = cpu_to_be32(len);
	hdr->seq = cpu_to_be64(seq);
	hdr->crc = 0;
	hdr->crc = cpu_to_be32(ftm_frame_crc(hdr, payload));
}

/**
 * ftm_frame_check_hdr() - check a received header before reading its payload
 * @hdr: the header
 * @want_seq: the sequence number the next frame must carry
 *
 * Return: 0, or -EPROTO for anything but a well-formed header in sequence
 * (the length is checked here, so the payload can be read safely).
 */
int ftm_frame_check_hdr(const struct ftm_frame_hdr *hdr, u64 want_seq)
{
	if (be32_to_cpu(hdr->magic) != FTM_WIRE_MAGIC ||
	    hdr->version != FTM_WIRE_VERSION || hdr->flags ||
	    hdr->type < FTM_FRAME_HELLO || hdr->type > FTM_FRAME_TYPE_MAX ||
	    be32_to_cpu(hdr->len) > FTM_FRAME_MAX ||
	    be64_to_cpu(hdr->seq) != want_seq)
		return -EPROTO;
	return 0;
}

/**
 * ftm_frame_check_crc() - check a received frame's checksum
 * @hdr: its header, already through ftm_frame_check_hdr()
 * @payload: its payload
 *
 * Return: 0, or -EBADMSG if the checksum does not match.
 */
int ftm_frame_check_crc(const struct ftm_frame_hdr *hdr, const void *payload)
{
	return ftm_frame_crc(hdr, payload) == be32_to_cpu(hdr->crc) ? 0 : -EBADMSG;
}

/**
 * ftm_frame_pages_data_len() - bytes of page data a PAGES frame must carry
 * @entries: its entries
 * @n: their number
 *
 * Return: PAGE_SIZE for every entry that is not a zero-page marker.
 */
u32 ftm_frame_pages_data_len(const __be64 *entries, u32 n)
{
	u32 i, len = 0;

	for (i = 0; i < n; i++)
		if (!(be64_to_cpu(entries[i]) & FTM_PAGE_ZERO))
			len += PAGE_SIZE;
	return len;
}

/* A PAGES payload: u32 count, count entries, then the pages' bytes. */
static int ftm_frame_check_pages(const void *payload, u32 len)
{
	const __be64 *entries = payload + sizeof(__be32);
	u32 n, i;

	if (len < sizeof(__be32))
		return -EPROTO;
	n = be32_to_cpup(payload);
	if (!n || n > FTM_PAGES_PER_FRAME ||
	    len < sizeof(__be32) + n * sizeof(__be64))
		return -EPROTO;
	for (i = 0; i < n; i++)
		if (be64_to_cpu(entries[i]) & FTM_PAGE_FLAGS & ~FTM_PAGE_ZERO)
			return -EPROTO;
	if (len != sizeof(__be32) + n * sizeof(__be64) +
		   ftm_frame_pages_data_len(entries, n))
		return -EPROTO;
	return 0;
}

/*
 * An ERROR payload: a code the receiver can report as an enum
 * ftmigrate_migration_error (it ends up in migration-get and events), and a
 * NUL-terminated message.
 */
static int ftm_frame_check_error(const struct ftm_error *e, u32 len)
{
	if (len != sizeof(*e) ||
	    be32_to_cpu(e->code) > FTM_MIGRATION_ERROR_LAST ||
	    !memchr(e->msg, 0, sizeof(e->msg)))
		return -EPROTO;
	return 0;
}

/* An FTCHECK payload: its header, then exactly config_len config bytes. */
static int ftm_frame_check_ftcheck(const struct ftm_ftcheck *c, u32 len)
{
	u32 n, i;

	if (len < sizeof(*c))
		return -EPROTO;
	n = be32_to_cpu(c->config_len);
	if (!n || n > FTM_CONFIG_MAX || len - sizeof(*c) != n ||
	    be32_to_cpu(c->nr_disks) > FTM_MAX_DISKS ||
	    c->fence[0] != '/' || !memchr(c->fence, 0, sizeof(c->fence)))
		return -EPROTO;
	for (i = 0; i < FTM_MAX_DISKS; i++)
		if (c->disks[i].reserved)
			return -EPROTO;
	return 0;
}

/**
 * ftm_frame_check_payload() - check a payload against its type's rules
 * @type: the frame's type, already checked to be known
 * @payload: the payload
 * @len: its length
 *
 * Sizes are checked here; values that need context (the migration id, guest
 * addresses against registered memory, offsets in the device state) are
 * checked by the receiver.
 *
 * Return: 0 or -EPROTO.
 */
int ftm_frame_check_payload(u8 type, const void *payload, u32 len)
{
	switch (type) {
	case FTM_FRAME_HELLO:
		return len == sizeof(struct ftm_hello) ? 0 : -EPROTO;
	case FTM_FRAME_CHALLENGE:
		return len == sizeof(struct ftm_challenge) ? 0 : -EPROTO;
	case FTM_FRAME_AUTH:
		return len == FTM_MAC_LEN ? 0 : -EPROTO;
	case FTM_FRAME_AUTH_OK:
	case FTM_FRAME_PREPARED:
	case FTM_FRAME_READY:
	case FTM_FRAME_COMMIT:
	case FTM_FRAME_RESUMED:
	case FTM_FRAME_CANCEL:
		return len == 0 ? 0 : -EPROTO;
	case FTM_FRAME_PREPARE:
		return len == sizeof(struct ftm_cookie) ? 0 : -EPROTO;
	case FTM_FRAME_PAGES:
		return ftm_frame_check_pages(payload, len);
	case FTM_FRAME_STATE:
		return len > sizeof(struct ftm_state_chunk) &&
		       len <= sizeof(struct ftm_state_chunk) + FTM_STATE_CHUNK ?
		       0 : -EPROTO;
	case FTM_FRAME_COMPLETE:
		return len == sizeof(struct ftm_complete) ? 0 : -EPROTO;
	case FTM_FRAME_JOIN:
		return len == sizeof(struct ftm_join) ? 0 : -EPROTO;
	case FTM_FRAME_JOINED:
	case FTM_FRAME_FTCHECK_OK:
		return len == 0 ? 0 : -EPROTO;
	case FTM_FRAME_FTCHECK:
		return ftm_frame_check_ftcheck(payload, len);
	case FTM_FRAME_END:
		return len == sizeof(struct ftm_stream_end) ? 0 : -EPROTO;
	case FTM_FRAME_ERROR:
		return ftm_frame_check_error(payload, len);
	default:
		return -EPROTO;
	}
}

#if IS_ENABLED(CONFIG_KUNIT)
#include "kunit_frame.c"
#endif
