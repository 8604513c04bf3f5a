// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit tests for the migration wire format (frame.h): what a sealed frame
 * looks like byte for byte, and that every rule a hostile peer could break
 * is enforced: header fields, the checksum, the sequence and the payload
 * rules of each type.  Included at the end of frame.c when the target
 * kernel has CONFIG_KUNIT, so that the tests see its checksum transform.
 *
 * The checks run in the order ftm_conn_recv() runs them: header, then
 * checksum, then payload.  Payloads live in an FTM_FRAME_MAX buffer like
 * the connection's, so that a length the header check passed can be read.
 */
#include <kunit/test.h>
#include <linux/mm.h>

static bool ftm_frame_test_own_tfm;

static int ftm_frame_suite_init(struct kunit_suite *suite)
{
	/* KUnit runs a module's suites before its init: make the transform. */
	if (ftm_crc_tfm)
		return 0;
	ftm_frame_test_own_tfm = true;
	return ftm_frame_init();
}

static void ftm_frame_suite_exit(struct kunit_suite *suite)
{
	if (!ftm_frame_test_own_tfm)
		return;
	ftm_frame_exit();
	ftm_crc_tfm = NULL;
	ftm_frame_test_own_tfm = false;
}

static int ftm_frame_test_init(struct kunit *test)
{
	test->priv = kvzalloc(FTM_FRAME_MAX, GFP_KERNEL);
	return test->priv ? 0 : -ENOMEM;
}

static void ftm_frame_test_exit(struct kunit *test)
{
	kvfree(test->priv);
}

/* Every check of a received frame, in ftm_conn_recv()'s order. */
static int ftm_frame_test_recv(const struct ftm_frame_hdr *hdr,
			       const void *payload, u64 want_seq)
{
	return ftm_frame_check_hdr(hdr, want_seq) ?:
	       ftm_frame_check_crc(hdr, payload) ?:
	       ftm_frame_check_payload(hdr->type, payload, be32_to_cpu(hdr->len));
}

#define FTM_TEST_GPA(n)		((u64)(n) << PAGE_SHIFT)

static void ftm_frame_test_put_entry(u8 *p, u32 i, u64 entry)
{
	__be64 e = cpu_to_be64(entry);

	memcpy(p + sizeof(__be32) + i * sizeof(e), &e, sizeof(e));
}

/* A PAGES payload of @n entries, page i at GPA page i + 1, zero if in @zero. */
static u32 ftm_frame_test_pages(u8 *p, u32 n, u64 zero)
{
	__be32 count = cpu_to_be32(n);
	u32 i, len = sizeof(count) + n * sizeof(__be64);

	memcpy(p, &count, sizeof(count));
	for (i = 0; i < n; i++) {
		bool z = i < 64 && (zero & BIT_ULL(i));

		ftm_frame_test_put_entry(p, i, FTM_TEST_GPA(i + 1) |
					 (z ? FTM_PAGE_ZERO : 0));
		if (!z) {
			memset(p + len, 0x40 + i, PAGE_SIZE);
			len += PAGE_SIZE;
		}
	}
	return len;
}

/* A well-formed FTCHECK header announcing @config_len config bytes. */
static u32 ftm_frame_test_ftcheck(struct ftm_ftcheck *c, u32 config_len)
{
	memset(c, 0, sizeof(*c));
	c->config_len = cpu_to_be32(config_len);
	c->nr_disks = cpu_to_be32(1);
	strscpy(c->fence, "/shared/fence", sizeof(c->fence));
	return sizeof(*c) + config_len;
}

/* A well-formed payload of each type, as the senders build them. */
static u32 ftm_frame_test_payload(u8 type, u8 *p)
{
	switch (type) {
	case FTM_FRAME_HELLO: {
		struct ftm_hello h = { .migration_id = cpu_to_be64(42) };

		memset(h.nonce, 0xa5, sizeof(h.nonce));
		memcpy(p, &h, sizeof(h));
		return sizeof(h);
	}
	case FTM_FRAME_CHALLENGE:
		memset(p, 0x5a, sizeof(struct ftm_challenge));
		return sizeof(struct ftm_challenge);
	case FTM_FRAME_AUTH:
		memset(p, 0x3c, FTM_MAC_LEN);
		return FTM_MAC_LEN;
	case FTM_FRAME_PREPARE: {
		struct ftm_cookie c = {
			.magic = cpu_to_be32(FTM_COOKIE_MAGIC),
			.version = cpu_to_be32(1),
			.migration_id = cpu_to_be64(42),
			.nr_regions = cpu_to_be32(1),
			.regions[0] = { .pages = cpu_to_be64(256) },
		};

		memcpy(p, &c, sizeof(c));
		return sizeof(c);
	}
	case FTM_FRAME_PAGES:
		return ftm_frame_test_pages(p, 3, BIT_ULL(1));
	case FTM_FRAME_STATE: {
		struct ftm_state_chunk c = {
			.offset = 0,
			.total = cpu_to_be64(100),
		};

		memcpy(p, &c, sizeof(c));
		memset(p + sizeof(c), 0x77, 100);
		return sizeof(c) + 100;
	}
	case FTM_FRAME_COMPLETE: {
		struct ftm_complete c = {
			.pages = cpu_to_be64(3),
			.state_len = cpu_to_be64(100),
		};

		memcpy(p, &c, sizeof(c));
		return sizeof(c);
	}
	case FTM_FRAME_ERROR: {
		struct ftm_error e = {
			.code = cpu_to_be32(FTMIGRATE_MIGRATION_ERROR_PROTOCOL),
		};

		strscpy(e.msg, "malformed frame", sizeof(e.msg));
		memcpy(p, &e, sizeof(e));
		return sizeof(e);
	}
	case FTM_FRAME_JOIN: {
		struct ftm_join j = {
			.stream = cpu_to_be32(1),
			.streams = cpu_to_be32(2),
		};

		memcpy(p, &j, sizeof(j));
		return sizeof(j);
	}
	case FTM_FRAME_END: {
		struct ftm_stream_end e = { .pages = cpu_to_be64(512) };

		memcpy(p, &e, sizeof(e));
		return sizeof(e);
	}
	case FTM_FRAME_FTCHECK:
		return ftm_frame_test_ftcheck((struct ftm_ftcheck *)p, 100);
	default:
		/* AUTH_OK, PREPARED, READY, COMMIT, RESUMED, CANCEL, JOINED, FTCHECK_OK */
		return 0;
	}
}

/* The layout frame.h documents, which the peer (ftm_peer.py) speaks too. */
static void ftm_frame_test_layout(struct kunit *test)
{
	KUNIT_EXPECT_EQ(test, sizeof(struct ftm_frame_hdr), 24);
	KUNIT_EXPECT_EQ(test, offsetof(struct ftm_frame_hdr, version), 4);
	KUNIT_EXPECT_EQ(test, offsetof(struct ftm_frame_hdr, type), 5);
	KUNIT_EXPECT_EQ(test, offsetof(struct ftm_frame_hdr, flags), 6);
	KUNIT_EXPECT_EQ(test, offsetof(struct ftm_frame_hdr, len), 8);
	KUNIT_EXPECT_EQ(test, offsetof(struct ftm_frame_hdr, crc), 12);
	KUNIT_EXPECT_EQ(test, offsetof(struct ftm_frame_hdr, seq), 16);
	KUNIT_EXPECT_EQ(test, sizeof(struct ftm_hello), 8 + FTM_NONCE_LEN);
	KUNIT_EXPECT_EQ(test, sizeof(struct ftm_challenge),
			FTM_NONCE_LEN + FTM_MAC_LEN);
	KUNIT_EXPECT_EQ(test, sizeof(struct ftm_state_chunk), 16);
	KUNIT_EXPECT_EQ(test, sizeof(struct ftm_complete), 16);
	KUNIT_EXPECT_EQ(test, sizeof(struct ftm_error), 4 + FTM_ERROR_MSG_MAX);
	KUNIT_EXPECT_EQ(test, sizeof(struct ftm_cookie_region), 16);
	KUNIT_EXPECT_EQ(test, sizeof(struct ftm_cookie), 72 + 8 * 16);
	KUNIT_EXPECT_EQ(test, sizeof(struct ftm_join), 8);
	KUNIT_EXPECT_EQ(test, sizeof(struct ftm_stream_end), 8);
	KUNIT_EXPECT_EQ(test, sizeof(struct ftm_disk_id), 40);
	KUNIT_EXPECT_EQ(test, sizeof(struct ftm_ftcheck),
			8 + FTM_MAX_DISKS * 40 + FTM_FENCE_MAX);
	/* The largest config fits in one FTCHECK frame. */
	KUNIT_EXPECT_LE(test, sizeof(struct ftm_ftcheck) + FTM_CONFIG_MAX,
			(size_t)FTM_FRAME_MAX);
	/* Streams own whole bitmap words, so their bit clearing never shares one. */
	KUNIT_EXPECT_EQ(test, FTM_STREAM_CHUNK % BITS_PER_LONG, 0);
	/* The largest PAGES frame fits in a frame. */
	KUNIT_EXPECT_LE(test, sizeof(__be32) +
			FTM_PAGES_PER_FRAME * (sizeof(__be64) + PAGE_SIZE),
			(size_t)FTM_FRAME_MAX);
	KUNIT_EXPECT_LE(test, sizeof(struct ftm_state_chunk) + FTM_STATE_CHUNK,
			(size_t)FTM_FRAME_MAX);
}

static void ftm_frame_test_bytes(struct kunit *test, const void *got,
				 const u8 *want, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++)
		KUNIT_EXPECT_EQ_MSG(test, ((const u8 *)got)[i], want[i], "byte %zu", i);
}

/*
 * Known answers: the expected bytes were computed outside the kernel, with
 * a bitwise CRC32C (reflected polynomial 0x82f63b78, initial and final
 * value ~0) over the 24 header bytes with crc zero, then the payload.
 */
static void ftm_frame_test_seal_known(struct kunit *test)
{
	static const u8 want_hello[24] = {
		'F', 'T', 'M', 'G', 1, FTM_FRAME_HELLO, 0, 0,
		0, 0, 0, 40, 0x2b, 0x52, 0x35, 0x6f,
		0, 0, 0, 0, 0, 0, 0, 7,
	};
	static const u8 want_auth_ok[24] = {
		'F', 'T', 'M', 'G', 1, FTM_FRAME_AUTH_OK, 0, 0,
		0, 0, 0, 0, 0xbc, 0x0d, 0x0a, 0x3f,
		0, 0, 0, 0, 0, 0, 0, 0,
	};
	struct ftm_frame_hdr hdr;
	struct ftm_hello h = { .migration_id = cpu_to_be64(0x0123456789abcdefULL) };
	unsigned int i;

	for (i = 0; i < FTM_NONCE_LEN; i++)
		h.nonce[i] = 0xa0 + i;
	memset(&hdr, 0xff, sizeof(hdr));
	ftm_frame_seal(&hdr, FTM_FRAME_HELLO, sizeof(h), 7, &h);
	ftm_frame_test_bytes(test, &hdr, want_hello, sizeof(hdr));
	KUNIT_EXPECT_EQ(test, ftm_frame_test_recv(&hdr, &h, 7), 0);

	memset(&hdr, 0xff, sizeof(hdr));
	ftm_frame_seal(&hdr, FTM_FRAME_AUTH_OK, 0, 0, NULL);
	ftm_frame_test_bytes(test, &hdr, want_auth_ok, sizeof(hdr));
	KUNIT_EXPECT_EQ(test, ftm_frame_check_hdr(&hdr, 0), 0);
	KUNIT_EXPECT_EQ(test, ftm_frame_check_crc(&hdr, NULL), 0);
}

/* Seal, then every check passes, for every type and a few sequences. */
static void ftm_frame_test_round_trip(struct kunit *test)
{
	static const u64 seqs[] = { 0, 1, 0xffffffffULL, 1ULL << 32, U64_MAX };
	struct ftm_frame_hdr hdr;
	u8 *buf = test->priv;
	unsigned int i;
	u8 type;

	for (type = FTM_FRAME_HELLO; type <= FTM_FRAME_TYPE_MAX; type++) {
		u32 len = ftm_frame_test_payload(type, buf);

		KUNIT_EXPECT_EQ_MSG(test, ftm_frame_check_payload(type, buf, len), 0,
				    "type %u", type);
		for (i = 0; i < ARRAY_SIZE(seqs); i++) {
			ftm_frame_seal(&hdr, type, len, seqs[i], buf);
			KUNIT_EXPECT_EQ(test, hdr.type, type);
			KUNIT_EXPECT_EQ(test, be32_to_cpu(hdr.len), len);
			KUNIT_EXPECT_EQ(test, be64_to_cpu(hdr.seq), seqs[i]);
			KUNIT_EXPECT_EQ_MSG(test, ftm_frame_test_recv(&hdr, buf, seqs[i]),
					    0, "type %u seq %llu", type, seqs[i]);
		}
	}

	/* The largest frame the header allows. */
	ftm_frame_seal(&hdr, FTM_FRAME_STATE, FTM_FRAME_MAX, 3, buf);
	KUNIT_EXPECT_EQ(test, ftm_frame_check_hdr(&hdr, 3), 0);
	KUNIT_EXPECT_EQ(test, ftm_frame_check_crc(&hdr, buf), 0);
}

static void ftm_frame_test_sealed(struct kunit *test, struct ftm_frame_hdr *hdr)
{
	u8 *buf = test->priv;

	ftm_frame_seal(hdr, FTM_FRAME_HELLO, ftm_frame_test_payload(FTM_FRAME_HELLO, buf),
		       5, buf);
	KUNIT_ASSERT_EQ(test, ftm_frame_test_recv(hdr, buf, 5), 0);
}

static void ftm_frame_test_bad_magic(struct kunit *test)
{
	struct ftm_frame_hdr good, hdr;
	unsigned int i;

	ftm_frame_test_sealed(test, &good);
	for (i = 0; i < 32; i++) {
		hdr = good;
		hdr.magic ^= cpu_to_be32(BIT(i));
		KUNIT_EXPECT_EQ_MSG(test, ftm_frame_check_hdr(&hdr, 5), -EPROTO,
				    "magic %08x", be32_to_cpu(hdr.magic));
	}
	hdr = good;
	hdr.magic = cpu_to_be32(0x474d5446);	/* byte-swapped: "GMTF" */
	KUNIT_EXPECT_EQ(test, ftm_frame_check_hdr(&hdr, 5), -EPROTO);
	hdr.magic = 0;
	KUNIT_EXPECT_EQ(test, ftm_frame_check_hdr(&hdr, 5), -EPROTO);
}

static void ftm_frame_test_bad_version(struct kunit *test)
{
	static const u8 versions[] = { 0, FTM_WIRE_VERSION + 1, 0x81, 0xff };
	struct ftm_frame_hdr good, hdr;
	unsigned int i;

	ftm_frame_test_sealed(test, &good);
	for (i = 0; i < ARRAY_SIZE(versions); i++) {
		hdr = good;
		hdr.version = versions[i];
		KUNIT_EXPECT_EQ_MSG(test, ftm_frame_check_hdr(&hdr, 5), -EPROTO,
				    "version %u", versions[i]);
	}
}

static void ftm_frame_test_bad_type(struct kunit *test)
{
	struct ftm_frame_hdr good, hdr;
	unsigned int t;

	ftm_frame_test_sealed(test, &good);
	for (t = 0; t <= 0xff; t++) {
		bool known = t >= FTM_FRAME_HELLO && t <= FTM_FRAME_TYPE_MAX;

		hdr = good;
		hdr.type = t;
		KUNIT_EXPECT_EQ_MSG(test, ftm_frame_check_hdr(&hdr, 5),
				    known ? 0 : -EPROTO, "type %u", t);
		if (!known)
			KUNIT_EXPECT_EQ_MSG(test, ftm_frame_check_payload(t, test->priv, 0),
					    -EPROTO, "payload of type %u", t);
	}
}

static void ftm_frame_test_bad_flags(struct kunit *test)
{
	struct ftm_frame_hdr good, hdr;
	unsigned int i;

	ftm_frame_test_sealed(test, &good);
	for (i = 0; i < 16; i++) {
		hdr = good;
		hdr.flags = cpu_to_be16(BIT(i));
		KUNIT_EXPECT_EQ_MSG(test, ftm_frame_check_hdr(&hdr, 5), -EPROTO,
				    "flag bit %u", i);
	}
	hdr = good;
	hdr.flags = cpu_to_be16(0xffff);
	KUNIT_EXPECT_EQ(test, ftm_frame_check_hdr(&hdr, 5), -EPROTO);
}

static void ftm_frame_test_bad_len(struct kunit *test)
{
	static const u32 bad[] = {
		FTM_FRAME_MAX + 1, FTM_FRAME_MAX * 2, 0x80000000, U32_MAX,
	};
	struct ftm_frame_hdr good, hdr;
	unsigned int i;

	ftm_frame_test_sealed(test, &good);
	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		hdr = good;
		hdr.len = cpu_to_be32(bad[i]);
		KUNIT_EXPECT_EQ_MSG(test, ftm_frame_check_hdr(&hdr, 5), -EPROTO,
				    "len %u", bad[i]);
	}
	/* The header check is about the length only; the payload's own. */
	hdr = good;
	hdr.len = cpu_to_be32(FTM_FRAME_MAX);
	KUNIT_EXPECT_EQ(test, ftm_frame_check_hdr(&hdr, 5), 0);
	hdr.len = 0;
	KUNIT_EXPECT_EQ(test, ftm_frame_check_hdr(&hdr, 5), 0);
}

static void ftm_frame_test_bad_seq(struct kunit *test)
{
	struct ftm_frame_hdr hdr;
	u8 *buf = test->priv;
	u32 len = ftm_frame_test_payload(FTM_FRAME_AUTH, buf);

	ftm_frame_seal(&hdr, FTM_FRAME_AUTH, len, 5, buf);
	KUNIT_EXPECT_EQ(test, ftm_frame_check_hdr(&hdr, 5), 0);
	/* Replayed, skipped, reordered, wrapped: all the same error. */
	KUNIT_EXPECT_EQ(test, ftm_frame_check_hdr(&hdr, 4), -EPROTO);
	KUNIT_EXPECT_EQ(test, ftm_frame_check_hdr(&hdr, 6), -EPROTO);
	KUNIT_EXPECT_EQ(test, ftm_frame_check_hdr(&hdr, 0), -EPROTO);
	KUNIT_EXPECT_EQ(test, ftm_frame_check_hdr(&hdr, 5 | BIT_ULL(32)), -EPROTO);
	KUNIT_EXPECT_EQ(test, ftm_frame_check_hdr(&hdr, 5 | BIT_ULL(63)), -EPROTO);

	ftm_frame_seal(&hdr, FTM_FRAME_AUTH, len, 0, buf);
	KUNIT_EXPECT_EQ(test, ftm_frame_check_hdr(&hdr, 0), 0);
	KUNIT_EXPECT_EQ(test, ftm_frame_check_hdr(&hdr, 1), -EPROTO);
	KUNIT_EXPECT_EQ(test, ftm_frame_check_hdr(&hdr, U64_MAX), -EPROTO);
}

/* Every single-bit change of the payload fails the checksum. */
static void ftm_frame_test_crc_payload(struct kunit *test)
{
	struct ftm_frame_hdr hdr;
	u8 *buf = test->priv;
	u32 len = ftm_frame_test_payload(FTM_FRAME_STATE, buf), i;
	unsigned int bit;

	ftm_frame_seal(&hdr, FTM_FRAME_STATE, len, 9, buf);
	KUNIT_ASSERT_EQ(test, ftm_frame_check_crc(&hdr, buf), 0);
	for (i = 0; i < len; i++) {
		for (bit = 0; bit < 8; bit++) {
			buf[i] ^= BIT(bit);
			KUNIT_EXPECT_EQ_MSG(test, ftm_frame_check_crc(&hdr, buf),
					    -EBADMSG, "payload byte %u bit %u", i, bit);
			buf[i] ^= BIT(bit);
		}
	}
	/* Two changes that cancel out in a sum, not in a CRC. */
	buf[0]++;
	buf[1]--;
	KUNIT_EXPECT_EQ(test, ftm_frame_check_crc(&hdr, buf), -EBADMSG);
	buf[0]--;
	buf[1]++;
	/* A byte past the payload is not covered. */
	buf[len] ^= 1;
	KUNIT_EXPECT_EQ(test, ftm_frame_check_crc(&hdr, buf), 0);
	/* The page data of a PAGES frame is covered, to its last byte. */
	len = ftm_frame_test_payload(FTM_FRAME_PAGES, buf);
	ftm_frame_seal(&hdr, FTM_FRAME_PAGES, len, 9, buf);
	buf[len - 1] ^= 0x80;
	KUNIT_EXPECT_EQ(test, ftm_frame_check_crc(&hdr, buf), -EBADMSG);
}

/*
 * Every single-bit change of the header is refused: by the checksum, which
 * covers every header byte (the crc field itself is zero in the sum), and
 * in any case by the receiver's checks as ftm_conn_recv() runs them.
 */
static void ftm_frame_test_crc_header(struct kunit *test)
{
	struct ftm_frame_hdr good, hdr;
	u8 *buf = test->priv;
	u32 len = ftm_frame_test_payload(FTM_FRAME_PAGES, buf);
	unsigned int i, bit;

	ftm_frame_seal(&good, FTM_FRAME_PAGES, len, 11, buf);
	KUNIT_ASSERT_EQ(test, ftm_frame_test_recv(&good, buf, 11), 0);
	for (i = 0; i < sizeof(hdr); i++) {
		for (bit = 0; bit < 8; bit++) {
			hdr = good;
			((u8 *)&hdr)[i] ^= BIT(bit);
			KUNIT_EXPECT_NE_MSG(test, ftm_frame_test_recv(&hdr, buf, 11), 0,
					    "header byte %u bit %u", i, bit);
			/* Only lengths the header check lets through are read. */
			if (be32_to_cpu(hdr.len) <= FTM_FRAME_MAX)
				KUNIT_EXPECT_EQ_MSG(test, ftm_frame_check_crc(&hdr, buf),
						    -EBADMSG, "header byte %u bit %u", i, bit);
		}
	}
	/* A frame resealed with a new sequence is fine, the old crc is not. */
	hdr = good;
	ftm_frame_seal(&hdr, FTM_FRAME_PAGES, len, 12, buf);
	KUNIT_EXPECT_NE(test, be32_to_cpu(hdr.crc), be32_to_cpu(good.crc));
	hdr.crc = good.crc;
	KUNIT_EXPECT_EQ(test, ftm_frame_check_crc(&hdr, buf), -EBADMSG);
}

struct ftm_frame_test_size {
	u8 type;
	u32 size;
};

/* Every fixed-size payload: exactly its size, not a byte more or less. */
static void ftm_frame_test_fixed_sizes(struct kunit *test)
{
	static const struct ftm_frame_test_size sizes[] = {
		{ FTM_FRAME_HELLO, sizeof(struct ftm_hello) },
		{ FTM_FRAME_CHALLENGE, sizeof(struct ftm_challenge) },
		{ FTM_FRAME_AUTH, FTM_MAC_LEN },
		{ FTM_FRAME_AUTH_OK, 0 },
		{ FTM_FRAME_PREPARE, sizeof(struct ftm_cookie) },
		{ FTM_FRAME_PREPARED, 0 },
		{ FTM_FRAME_COMPLETE, sizeof(struct ftm_complete) },
		{ FTM_FRAME_READY, 0 },
		{ FTM_FRAME_COMMIT, 0 },
		{ FTM_FRAME_RESUMED, 0 },
		{ FTM_FRAME_ERROR, sizeof(struct ftm_error) },
		{ FTM_FRAME_CANCEL, 0 },
		{ FTM_FRAME_JOIN, sizeof(struct ftm_join) },
		{ FTM_FRAME_JOINED, 0 },
		{ FTM_FRAME_END, sizeof(struct ftm_stream_end) },
		{ FTM_FRAME_FTCHECK_OK, 0 },
	};
	u8 *buf = test->priv;
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(sizes); i++) {
		u8 t = sizes[i].type;
		u32 n = sizes[i].size;

		KUNIT_ASSERT_EQ(test, ftm_frame_test_payload(t, buf), n);
		KUNIT_EXPECT_EQ_MSG(test, ftm_frame_check_payload(t, buf, n), 0,
				    "type %u len %u", t, n);
		KUNIT_EXPECT_EQ_MSG(test, ftm_frame_check_payload(t, buf, n + 1),
				    -EPROTO, "type %u len %u", t, n + 1);
		KUNIT_EXPECT_EQ_MSG(test, ftm_frame_check_payload(t, buf, n + 8),
				    -EPROTO, "type %u len %u", t, n + 8);
		KUNIT_EXPECT_EQ_MSG(test, ftm_frame_check_payload(t, buf, FTM_FRAME_MAX),
				    -EPROTO, "type %u len max", t);
		if (!n)
			continue;
		KUNIT_EXPECT_EQ_MSG(test, ftm_frame_check_payload(t, buf, n - 1),
				    -EPROTO, "type %u len %u", t, n - 1);
		KUNIT_EXPECT_EQ_MSG(test, ftm_frame_check_payload(t, buf, 0),
				    -EPROTO, "type %u len 0", t);
	}
}

static void ftm_frame_test_pages_data_len(struct kunit *test)
{
	__be64 e[FTM_PAGES_PER_FRAME];
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(e); i++)
		e[i] = cpu_to_be64(FTM_TEST_GPA(i));
	KUNIT_EXPECT_EQ(test, ftm_frame_pages_data_len(e, 0), 0);
	KUNIT_EXPECT_EQ(test, ftm_frame_pages_data_len(e, 1), PAGE_SIZE);
	KUNIT_EXPECT_EQ(test, ftm_frame_pages_data_len(e, FTM_PAGES_PER_FRAME),
			FTM_PAGES_PER_FRAME * PAGE_SIZE);
	for (i = 0; i < ARRAY_SIZE(e); i += 2)
		e[i] |= cpu_to_be64(FTM_PAGE_ZERO);
	KUNIT_EXPECT_EQ(test, ftm_frame_pages_data_len(e, FTM_PAGES_PER_FRAME),
			FTM_PAGES_PER_FRAME / 2 * PAGE_SIZE);
	KUNIT_EXPECT_EQ(test, ftm_frame_pages_data_len(e, 1), 0);
	/* Only the zero flag counts; the address and other bits do not. */
	e[0] = cpu_to_be64(~FTM_PAGE_ZERO);
	e[1] = cpu_to_be64(FTM_PAGE_ZERO);
	KUNIT_EXPECT_EQ(test, ftm_frame_pages_data_len(e, 2), PAGE_SIZE);
	e[0] = cpu_to_be64(U64_MAX);
	KUNIT_EXPECT_EQ(test, ftm_frame_pages_data_len(e, 2), 0);
}

static void ftm_frame_test_pages_good(struct kunit *test)
{
	u8 *buf = test->priv;
	u32 len;

	len = ftm_frame_test_pages(buf, 1, 0);
	KUNIT_EXPECT_EQ(test, len, 4 + 8 + PAGE_SIZE);
	KUNIT_EXPECT_EQ(test, ftm_frame_check_payload(FTM_FRAME_PAGES, buf, len), 0);
	len = ftm_frame_test_pages(buf, 1, 1);
	KUNIT_EXPECT_EQ(test, len, 4 + 8);
	KUNIT_EXPECT_EQ(test, ftm_frame_check_payload(FTM_FRAME_PAGES, buf, len), 0);
	len = ftm_frame_test_pages(buf, FTM_PAGES_PER_FRAME, 0);
	KUNIT_EXPECT_EQ(test, ftm_frame_check_payload(FTM_FRAME_PAGES, buf, len), 0);
	len = ftm_frame_test_pages(buf, FTM_PAGES_PER_FRAME, U64_MAX);
	KUNIT_EXPECT_EQ(test, len, 4 + 8 * FTM_PAGES_PER_FRAME);
	KUNIT_EXPECT_EQ(test, ftm_frame_check_payload(FTM_FRAME_PAGES, buf, len), 0);
	len = ftm_frame_test_pages(buf, FTM_PAGES_PER_FRAME, 0xaaaaaaaa);
	KUNIT_EXPECT_EQ(test, ftm_frame_check_payload(FTM_FRAME_PAGES, buf, len), 0);
	/* Addresses are the receiver's to check, against its memory. */
	ftm_frame_test_put_entry(buf, 0, U64_MAX & ~FTM_PAGE_FLAGS);
	KUNIT_EXPECT_EQ(test, ftm_frame_check_payload(FTM_FRAME_PAGES, buf, len), 0);
}

static void ftm_frame_test_pages_count(struct kunit *test)
{
	static const u32 bad[] = {
		0, FTM_PAGES_PER_FRAME + 1, 64, 0x1fffffff, 0x20000000,
		0x80000000, U32_MAX,
	};
	u8 *buf = test->priv;
	unsigned int i;
	u32 len;

	/* Shorter than the count itself. */
	for (len = 0; len < sizeof(__be32); len++)
		KUNIT_EXPECT_EQ_MSG(test, ftm_frame_check_payload(FTM_FRAME_PAGES, buf, len),
				    -EPROTO, "len %u", len);
	/* Counts out of range, with as much behind them as a frame holds. */
	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		__be32 n = cpu_to_be32(bad[i]);

		memcpy(buf, &n, sizeof(n));
		KUNIT_EXPECT_EQ_MSG(test, ftm_frame_check_payload(FTM_FRAME_PAGES, buf,
								  sizeof(n)),
				    -EPROTO, "n %u, no entries", bad[i]);
		KUNIT_EXPECT_EQ_MSG(test, ftm_frame_check_payload(FTM_FRAME_PAGES, buf,
								  FTM_FRAME_MAX),
				    -EPROTO, "n %u, full frame", bad[i]);
	}
	/* n = 33 zero pages, laid out completely. */
	memset(buf, 0, FTM_FRAME_MAX);
	len = ftm_frame_test_pages(buf, FTM_PAGES_PER_FRAME + 1, U64_MAX);
	KUNIT_EXPECT_EQ(test, ftm_frame_check_payload(FTM_FRAME_PAGES, buf, len), -EPROTO);
}

static void ftm_frame_test_pages_truncated(struct kunit *test)
{
	u8 *buf = test->priv;
	u32 n, len;

	/* The entries do not all fit: even if each is a zero page. */
	for (n = 1; n <= FTM_PAGES_PER_FRAME; n++) {
		len = ftm_frame_test_pages(buf, n, U64_MAX);
		KUNIT_EXPECT_EQ_MSG(test, ftm_frame_check_payload(FTM_FRAME_PAGES, buf,
								  len - 1),
				    -EPROTO, "n %u len %u", n, len - 1);
		KUNIT_EXPECT_EQ_MSG(test, ftm_frame_check_payload(FTM_FRAME_PAGES, buf,
								  len - 8),
				    -EPROTO, "n %u len %u", n, len - 8);
	}
}

static void ftm_frame_test_pages_flags(struct kunit *test)
{
	u8 *buf = test->priv;
	unsigned int bit;
	u32 len;

	for (bit = 1; bit < 12; bit++) {
		/* The reserved bit on a zero page and on a data page. */
		len = ftm_frame_test_pages(buf, 2, BIT_ULL(0));
		ftm_frame_test_put_entry(buf, 0, FTM_TEST_GPA(1) | FTM_PAGE_ZERO |
					 BIT_ULL(bit));
		KUNIT_EXPECT_EQ_MSG(test, ftm_frame_check_payload(FTM_FRAME_PAGES, buf, len),
				    -EPROTO, "zero page, flag bit %u", bit);
		len = ftm_frame_test_pages(buf, 2, BIT_ULL(0));
		ftm_frame_test_put_entry(buf, 1, FTM_TEST_GPA(2) | BIT_ULL(bit));
		KUNIT_EXPECT_EQ_MSG(test, ftm_frame_check_payload(FTM_FRAME_PAGES, buf, len),
				    -EPROTO, "data page, flag bit %u", bit);
	}
	/* In the last of a full frame's entries. */
	len = ftm_frame_test_pages(buf, FTM_PAGES_PER_FRAME, 0);
	ftm_frame_test_put_entry(buf, FTM_PAGES_PER_FRAME - 1,
				 FTM_TEST_GPA(FTM_PAGES_PER_FRAME) | 0x800);
	KUNIT_EXPECT_EQ(test, ftm_frame_check_payload(FTM_FRAME_PAGES, buf, len), -EPROTO);
}

/* The length must be the entries plus one page per non-zero entry. */
static void ftm_frame_test_pages_data(struct kunit *test)
{
	static const u64 zeros[] = { 0, 1, 0x2, 0x5, 0xf };
	u8 *buf = test->priv;
	unsigned int i;
	u32 len;

	for (i = 0; i < ARRAY_SIZE(zeros); i++) {
		u64 z = zeros[i];

		len = ftm_frame_test_pages(buf, 4, z);
		KUNIT_ASSERT_EQ(test, ftm_frame_check_payload(FTM_FRAME_PAGES, buf, len), 0);
		KUNIT_EXPECT_EQ(test, ftm_frame_check_payload(FTM_FRAME_PAGES, buf, len - 1),
				-EPROTO);
		KUNIT_EXPECT_EQ(test, ftm_frame_check_payload(FTM_FRAME_PAGES, buf, len + 1),
				-EPROTO);
		KUNIT_EXPECT_EQ(test, ftm_frame_check_payload(FTM_FRAME_PAGES, buf,
							      len + PAGE_SIZE), -EPROTO);
		if (z != 0xf)
			KUNIT_EXPECT_EQ(test, ftm_frame_check_payload(FTM_FRAME_PAGES, buf,
								      len - PAGE_SIZE),
					-EPROTO);
		/* An entry's zero flag flipped: a page too many or too few. */
		ftm_frame_test_put_entry(buf, 0, FTM_TEST_GPA(1) |
					 (z & 1 ? 0 : FTM_PAGE_ZERO));
		KUNIT_EXPECT_EQ_MSG(test, ftm_frame_check_payload(FTM_FRAME_PAGES, buf, len),
				    -EPROTO, "zero mask %llx, first flipped", z);
	}
	/* All zero pages with data behind them anyway. */
	len = ftm_frame_test_pages(buf, 3, U64_MAX);
	KUNIT_EXPECT_EQ(test, ftm_frame_check_payload(FTM_FRAME_PAGES, buf,
						      len + 3 * PAGE_SIZE), -EPROTO);
}

static void ftm_frame_test_state(struct kunit *test)
{
	static const u32 bad[] = {
		0, 1, sizeof(struct ftm_state_chunk) - 1, sizeof(struct ftm_state_chunk),
		sizeof(struct ftm_state_chunk) + FTM_STATE_CHUNK + 1,
		sizeof(struct ftm_state_chunk) + FTM_STATE_CHUNK + PAGE_SIZE,
		FTM_FRAME_MAX,
	};
	static const u32 good[] = {
		sizeof(struct ftm_state_chunk) + 1, sizeof(struct ftm_state_chunk) + 100,
		sizeof(struct ftm_state_chunk) + FTM_STATE_CHUNK,
	};
	u8 *buf = test->priv;
	unsigned int i;

	ftm_frame_test_payload(FTM_FRAME_STATE, buf);
	for (i = 0; i < ARRAY_SIZE(good); i++)
		KUNIT_EXPECT_EQ_MSG(test, ftm_frame_check_payload(FTM_FRAME_STATE, buf, good[i]),
				    0, "len %u", good[i]);
	for (i = 0; i < ARRAY_SIZE(bad); i++)
		KUNIT_EXPECT_EQ_MSG(test, ftm_frame_check_payload(FTM_FRAME_STATE, buf, bad[i]),
				    -EPROTO, "len %u", bad[i]);
}

static void ftm_frame_test_error(struct kunit *test)
{
	struct ftm_error *e = test->priv;
	u32 len = ftm_frame_test_payload(FTM_FRAME_ERROR, test->priv);
	u32 code;

	for (code = FTMIGRATE_MIGRATION_ERROR_NONE;
	     code <= FTM_MIGRATION_ERROR_LAST; code++) {
		e->code = cpu_to_be32(code);
		KUNIT_EXPECT_EQ_MSG(test, ftm_frame_check_payload(FTM_FRAME_ERROR, e, len),
				    0, "code %u", code);
	}
	/* Codes migration-get could not report as the enum. */
	e->code = cpu_to_be32(FTM_MIGRATION_ERROR_LAST + 1);
	KUNIT_EXPECT_EQ(test, ftm_frame_check_payload(FTM_FRAME_ERROR, e, len), -EPROTO);
	e->code = cpu_to_be32(U32_MAX);
	KUNIT_EXPECT_EQ(test, ftm_frame_check_payload(FTM_FRAME_ERROR, e, len), -EPROTO);
	e->code = cpu_to_be32(FTMIGRATE_MIGRATION_ERROR_PROTOCOL);

	/* The message: empty, full, or not terminated at all. */
	memset(e->msg, 0, sizeof(e->msg));
	KUNIT_EXPECT_EQ(test, ftm_frame_check_payload(FTM_FRAME_ERROR, e, len), 0);
	memset(e->msg, 'x', sizeof(e->msg) - 1);
	KUNIT_EXPECT_EQ(test, ftm_frame_check_payload(FTM_FRAME_ERROR, e, len), 0);
	e->msg[sizeof(e->msg) - 1] = 'x';
	KUNIT_EXPECT_EQ(test, ftm_frame_check_payload(FTM_FRAME_ERROR, e, len), -EPROTO);
	/* ...even when the byte after the payload happens to be zero. */
	((u8 *)test->priv)[len] = 0;
	KUNIT_EXPECT_EQ(test, ftm_frame_check_payload(FTM_FRAME_ERROR, e, len), -EPROTO);
}

static void ftm_frame_test_ftcheck_rules(struct kunit *test)
{
	struct ftm_ftcheck *c = test->priv;
	u32 len;

	len = ftm_frame_test_ftcheck(c, 100);
	KUNIT_EXPECT_EQ(test, ftm_frame_check_payload(FTM_FRAME_FTCHECK, c, len), 0);
	len = ftm_frame_test_ftcheck(c, FTM_CONFIG_MAX);
	KUNIT_EXPECT_EQ(test, ftm_frame_check_payload(FTM_FRAME_FTCHECK, c, len), 0);

	/* The config length must be the rest of the payload, 1 .. FTM_CONFIG_MAX. */
	len = ftm_frame_test_ftcheck(c, 100);
	KUNIT_EXPECT_EQ(test, ftm_frame_check_payload(FTM_FRAME_FTCHECK, c, len - 1), -EPROTO);
	KUNIT_EXPECT_EQ(test, ftm_frame_check_payload(FTM_FRAME_FTCHECK, c, len + 1), -EPROTO);
	KUNIT_EXPECT_EQ(test, ftm_frame_check_payload(FTM_FRAME_FTCHECK, c, sizeof(*c) - 1),
			-EPROTO);
	len = ftm_frame_test_ftcheck(c, 0);
	KUNIT_EXPECT_EQ(test, ftm_frame_check_payload(FTM_FRAME_FTCHECK, c, len), -EPROTO);
	len = ftm_frame_test_ftcheck(c, FTM_CONFIG_MAX + 1);
	KUNIT_EXPECT_EQ(test, ftm_frame_check_payload(FTM_FRAME_FTCHECK, c, len), -EPROTO);
	ftm_frame_test_ftcheck(c, U32_MAX);
	KUNIT_EXPECT_EQ(test, ftm_frame_check_payload(FTM_FRAME_FTCHECK, c, sizeof(*c)),
			-EPROTO);

	/* Too many disks; a reserved field set. */
	len = ftm_frame_test_ftcheck(c, 100);
	c->nr_disks = cpu_to_be32(FTM_MAX_DISKS + 1);
	KUNIT_EXPECT_EQ(test, ftm_frame_check_payload(FTM_FRAME_FTCHECK, c, len), -EPROTO);
	len = ftm_frame_test_ftcheck(c, 100);
	c->disks[FTM_MAX_DISKS - 1].reserved = cpu_to_be32(1);
	KUNIT_EXPECT_EQ(test, ftm_frame_check_payload(FTM_FRAME_FTCHECK, c, len), -EPROTO);

	/* The fence: absolute and NUL-terminated inside its field. */
	len = ftm_frame_test_ftcheck(c, 100);
	strscpy(c->fence, "relative", sizeof(c->fence));
	KUNIT_EXPECT_EQ(test, ftm_frame_check_payload(FTM_FRAME_FTCHECK, c, len), -EPROTO);
	memset(c->fence, '/', sizeof(c->fence));
	KUNIT_EXPECT_EQ(test, ftm_frame_check_payload(FTM_FRAME_FTCHECK, c, len), -EPROTO);
	memset(c->fence, 0, sizeof(c->fence));
	KUNIT_EXPECT_EQ(test, ftm_frame_check_payload(FTM_FRAME_FTCHECK, c, len), -EPROTO);
}

static struct kunit_case ftm_frame_test_cases[] = {
	KUNIT_CASE(ftm_frame_test_layout),
	KUNIT_CASE(ftm_frame_test_seal_known),
	KUNIT_CASE(ftm_frame_test_round_trip),
	KUNIT_CASE(ftm_frame_test_bad_magic),
	KUNIT_CASE(ftm_frame_test_bad_version),
	KUNIT_CASE(ftm_frame_test_bad_type),
	KUNIT_CASE(ftm_frame_test_bad_flags),
	KUNIT_CASE(ftm_frame_test_bad_len),
	KUNIT_CASE(ftm_frame_test_bad_seq),
	KUNIT_CASE(ftm_frame_test_crc_payload),
	KUNIT_CASE(ftm_frame_test_crc_header),
	KUNIT_CASE(ftm_frame_test_fixed_sizes),
	KUNIT_CASE(ftm_frame_test_pages_data_len),
	KUNIT_CASE(ftm_frame_test_pages_good),
	KUNIT_CASE(ftm_frame_test_pages_count),
	KUNIT_CASE(ftm_frame_test_pages_truncated),
	KUNIT_CASE(ftm_frame_test_pages_flags),
	KUNIT_CASE(ftm_frame_test_pages_data),
	KUNIT_CASE(ftm_frame_test_state),
	KUNIT_CASE(ftm_frame_test_error),
	KUNIT_CASE(ftm_frame_test_ftcheck_rules),
	{}
};

static struct kunit_suite ftm_frame_test_suite = {
	.name = "ftmigrate_frame",
	.suite_init = ftm_frame_suite_init,
	.suite_exit = ftm_frame_suite_exit,
	.init = ftm_frame_test_init,
	.exit = ftm_frame_test_exit,
	.test_cases = ftm_frame_test_cases,
};
kunit_test_suite(ftm_frame_test_suite);
