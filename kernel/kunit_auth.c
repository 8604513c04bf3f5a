// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit tests for peer authentication (auth.c): the MACs are HMAC-SHA256
 * over exactly the message the comment at the top of auth.c describes, and
 * a MAC is accepted only for the same secret, role, migration id and
 * nonces in the same order.  Included at the end of auth.c when the target
 * kernel has CONFIG_KUNIT.
 *
 * The expected MACs are computed two other ways: known answers derived
 * outside the kernel (Python's hmac module over the same bytes), and a
 * one-shot digest of the message laid out in one buffer here.
 */
#include <kunit/test.h>
#include <linux/random.h>

#define FTM_AUTH_TEST_ID	0x0123456789abcdefULL

struct ftm_auth_test {
	u8 secret[FTM_SECRET_MAX];
	u32 secret_len;
	u8 ns[FTM_NONCE_LEN];	/* the source's nonce */
	u8 nd[FTM_NONCE_LEN];	/* the destination's nonce */
};

static int ftm_auth_test_init(struct kunit *test)
{
	struct ftm_auth_test *t;
	unsigned int i;

	t = kunit_kzalloc(test, sizeof(*t), GFP_KERNEL);
	if (!t)
		return -ENOMEM;
	t->secret_len = 32;
	for (i = 0; i < t->secret_len; i++)
		t->secret[i] = 0x10 + i;
	for (i = 0; i < FTM_NONCE_LEN; i++) {
		t->ns[i] = 0xa0 + i;
		t->nd[i] = 0xd0 + i;
	}
	test->priv = t;
	return 0;
}

/*
 *   hmac.new(bytes(range(0x10, 0x30)),
 *            label + struct.pack(">Q", 0x0123456789abcdef) + first + second,
 *            hashlib.sha256).digest()
 * with Ns = bytes(range(0xa0, 0xc0)) and Nd = bytes(range(0xd0, 0xf0)).
 */
static const u8 ftm_auth_test_dst_mac[FTM_MAC_LEN] = {	/* "dst", Ns, Nd */
	0xac, 0x35, 0x36, 0x9a, 0x27, 0xef, 0x9a, 0x7a,
	0x85, 0xed, 0x44, 0x3d, 0x04, 0x44, 0x7b, 0xae,
	0xa7, 0xd5, 0xcf, 0x45, 0xc1, 0x94, 0x4d, 0x04,
	0x45, 0x16, 0x3b, 0x4a, 0xa7, 0x7f, 0x7e, 0xbc,
};

static const u8 ftm_auth_test_src_mac[FTM_MAC_LEN] = {	/* "src", Nd, Ns */
	0xb1, 0x58, 0x1b, 0xea, 0x21, 0x69, 0x07, 0x70,
	0xbf, 0xd4, 0xb0, 0xb1, 0x97, 0x5a, 0x31, 0x94,
	0xf2, 0xa7, 0x17, 0x9a, 0x24, 0xe4, 0xe5, 0x5f,
	0xe3, 0x3f, 0x9f, 0x6b, 0x41, 0xbe, 0xc7, 0xfd,
};

static void ftm_auth_test_expect_mac(struct kunit *test, const u8 *got,
				     const u8 *want, const char *what)
{
	unsigned int i;

	for (i = 0; i < FTM_MAC_LEN; i++)
		KUNIT_EXPECT_EQ_MSG(test, got[i], want[i], "%s: byte %u", what, i);
}

static void ftm_auth_test_known_answer(struct kunit *test)
{
	struct ftm_auth_test *t = test->priv;
	u8 mac[FTM_MAC_LEN];

	KUNIT_ASSERT_EQ(test, ftm_auth_mac(t->secret, t->secret_len, "dst",
					   FTM_AUTH_TEST_ID, t->ns, t->nd, mac), 0);
	ftm_auth_test_expect_mac(test, mac, ftm_auth_test_dst_mac, "dst");
	KUNIT_ASSERT_EQ(test, ftm_auth_mac(t->secret, t->secret_len, "src",
					   FTM_AUTH_TEST_ID, t->nd, t->ns, mac), 0);
	ftm_auth_test_expect_mac(test, mac, ftm_auth_test_src_mac, "src");
}

/* HMAC-SHA256 of label | be64 id | first | second in one call. */
static int ftm_auth_test_oneshot(const u8 *secret, u32 secret_len,
				 const char *label, u64 id, const u8 *first,
				 const u8 *second, u8 *mac)
{
	u8 msg[3 + sizeof(__be64) + 2 * FTM_NONCE_LEN];
	__be64 wire_id = cpu_to_be64(id);
	struct crypto_shash *tfm;
	int err;

	memcpy(msg, label, 3);
	memcpy(msg + 3, &wire_id, sizeof(wire_id));
	memcpy(msg + 3 + sizeof(wire_id), first, FTM_NONCE_LEN);
	memcpy(msg + 3 + sizeof(wire_id) + FTM_NONCE_LEN, second, FTM_NONCE_LEN);
	tfm = crypto_alloc_shash("hmac(sha256)", 0, 0);
	if (IS_ERR(tfm))
		return PTR_ERR(tfm);
	err = crypto_shash_setkey(tfm, secret, secret_len) ?:
	      crypto_shash_tfm_digest(tfm, msg, sizeof(msg), mac);
	crypto_free_shash(tfm);
	return err;
}

/* Other secrets, ids and nonces against the one-shot digest. */
static void ftm_auth_test_oneshot_match(struct kunit *test)
{
	static const u32 lens[] = { FTM_SECRET_MIN, 31, 32, 33, FTM_SECRET_MAX };
	static const u64 ids[] = { 1, FTM_AUTH_TEST_ID, U64_MAX };
	struct ftm_auth_test *t = test->priv;
	u8 mac[FTM_MAC_LEN], want[FTM_MAC_LEN];
	unsigned int i, j;

	for (i = 0; i < FTM_SECRET_MAX; i++)
		t->secret[i] = 0xff - 3 * i;
	get_random_bytes(t->ns, sizeof(t->ns));
	get_random_bytes(t->nd, sizeof(t->nd));
	for (i = 0; i < ARRAY_SIZE(lens); i++) {
		for (j = 0; j < ARRAY_SIZE(ids); j++) {
			KUNIT_ASSERT_EQ(test, ftm_auth_test_oneshot(t->secret, lens[i], "dst",
								    ids[j], t->ns, t->nd,
								    want), 0);
			KUNIT_ASSERT_EQ(test, ftm_auth_mac(t->secret, lens[i], "dst", ids[j],
							   t->ns, t->nd, mac), 0);
			ftm_auth_test_expect_mac(test, mac, want, "dst");
			KUNIT_ASSERT_EQ(test, ftm_auth_test_oneshot(t->secret, lens[i], "src",
								    ids[j], t->nd, t->ns,
								    want), 0);
			KUNIT_ASSERT_EQ(test, ftm_auth_mac(t->secret, lens[i], "src", ids[j],
							   t->nd, t->ns, mac), 0);
			ftm_auth_test_expect_mac(test, mac, want, "src");
		}
	}
}

/* What each side checks in the handshake, with the right MACs. */
static void ftm_auth_test_verify_good(struct kunit *test)
{
	struct ftm_auth_test *t = test->priv;
	u8 mac[FTM_MAC_LEN];

	/* The source checks CHALLENGE: the destination's MAC over Ns, Nd. */
	KUNIT_EXPECT_EQ(test, ftm_auth_verify(t->secret, t->secret_len, "dst",
					      FTM_AUTH_TEST_ID, t->ns, t->nd,
					      ftm_auth_test_dst_mac), 0);
	/* The destination checks AUTH: the source's MAC over Nd, Ns. */
	KUNIT_EXPECT_EQ(test, ftm_auth_verify(t->secret, t->secret_len, "src",
					      FTM_AUTH_TEST_ID, t->nd, t->ns,
					      ftm_auth_test_src_mac), 0);
	/* And whatever ftm_auth_mac() made, for a fresh pair of nonces. */
	get_random_bytes(t->ns, sizeof(t->ns));
	get_random_bytes(t->nd, sizeof(t->nd));
	KUNIT_ASSERT_EQ(test, ftm_auth_mac(t->secret, t->secret_len, "src", 7,
					   t->nd, t->ns, mac), 0);
	KUNIT_EXPECT_EQ(test, ftm_auth_verify(t->secret, t->secret_len, "src", 7,
					      t->nd, t->ns, mac), 0);
}

/* Every single-bit change of a MAC is refused. */
static void ftm_auth_test_verify_bit_flip(struct kunit *test)
{
	struct ftm_auth_test *t = test->priv;
	u8 mac[FTM_MAC_LEN];
	unsigned int i;

	for (i = 0; i < FTM_MAC_LEN * 8; i++) {
		memcpy(mac, ftm_auth_test_dst_mac, sizeof(mac));
		mac[i / 8] ^= BIT(i % 8);
		KUNIT_EXPECT_EQ_MSG(test, ftm_auth_verify(t->secret, t->secret_len, "dst",
							  FTM_AUTH_TEST_ID, t->ns, t->nd,
							  mac),
				    -EACCES, "bit %u", i);
	}
	memset(mac, 0, sizeof(mac));
	KUNIT_EXPECT_EQ(test, ftm_auth_verify(t->secret, t->secret_len, "dst",
					      FTM_AUTH_TEST_ID, t->ns, t->nd, mac), -EACCES);
}

/*
 * A MAC for one role is not an answer for the other: not as it is, and not
 * reflected (a peer sending the destination's own CHALLENGE MAC back as
 * AUTH, or the nonces swapped).
 */
static void ftm_auth_test_verify_label(struct kunit *test)
{
	struct ftm_auth_test *t = test->priv;

	KUNIT_EXPECT_EQ(test, ftm_auth_verify(t->secret, t->secret_len, "src",
					      FTM_AUTH_TEST_ID, t->ns, t->nd,
					      ftm_auth_test_dst_mac), -EACCES);
	KUNIT_EXPECT_EQ(test, ftm_auth_verify(t->secret, t->secret_len, "src",
					      FTM_AUTH_TEST_ID, t->nd, t->ns,
					      ftm_auth_test_dst_mac), -EACCES);
	KUNIT_EXPECT_EQ(test, ftm_auth_verify(t->secret, t->secret_len, "dst",
					      FTM_AUTH_TEST_ID, t->nd, t->ns,
					      ftm_auth_test_src_mac), -EACCES);
	KUNIT_EXPECT_EQ(test, ftm_auth_verify(t->secret, t->secret_len, "dsT",
					      FTM_AUTH_TEST_ID, t->ns, t->nd,
					      ftm_auth_test_dst_mac), -EACCES);
	KUNIT_EXPECT_EQ(test, ftm_auth_verify(t->secret, t->secret_len, "DST",
					      FTM_AUTH_TEST_ID, t->ns, t->nd,
					      ftm_auth_test_dst_mac), -EACCES);
}

static void ftm_auth_test_verify_id(struct kunit *test)
{
	static const u64 ids[] = {
		0, 1, FTM_AUTH_TEST_ID ^ 1, FTM_AUTH_TEST_ID ^ BIT_ULL(63),
		FTM_AUTH_TEST_ID ^ BIT_ULL(32), swab64(FTM_AUTH_TEST_ID),
		FTM_AUTH_TEST_ID & U32_MAX, U64_MAX,
	};
	struct ftm_auth_test *t = test->priv;
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(ids); i++)
		KUNIT_EXPECT_EQ_MSG(test, ftm_auth_verify(t->secret, t->secret_len, "dst",
							  ids[i], t->ns, t->nd,
							  ftm_auth_test_dst_mac),
				    -EACCES, "id %llx", ids[i]);
}

static void ftm_auth_test_verify_nonces(struct kunit *test)
{
	struct ftm_auth_test *t = test->priv;
	u8 n[FTM_NONCE_LEN];
	unsigned int i;

	/* In the other order. */
	KUNIT_EXPECT_EQ(test, ftm_auth_verify(t->secret, t->secret_len, "dst",
					      FTM_AUTH_TEST_ID, t->nd, t->ns,
					      ftm_auth_test_dst_mac), -EACCES);
	KUNIT_EXPECT_EQ(test, ftm_auth_verify(t->secret, t->secret_len, "src",
					      FTM_AUTH_TEST_ID, t->ns, t->nd,
					      ftm_auth_test_src_mac), -EACCES);
	/* One nonce repeated for both. */
	KUNIT_EXPECT_EQ(test, ftm_auth_verify(t->secret, t->secret_len, "dst",
					      FTM_AUTH_TEST_ID, t->ns, t->ns,
					      ftm_auth_test_dst_mac), -EACCES);
	/* Any byte of either nonce changed (an old answer to a new nonce). */
	for (i = 0; i < FTM_NONCE_LEN; i++) {
		memcpy(n, t->ns, sizeof(n));
		n[i] ^= 0x01;
		KUNIT_EXPECT_EQ_MSG(test, ftm_auth_verify(t->secret, t->secret_len, "dst",
							  FTM_AUTH_TEST_ID, n, t->nd,
							  ftm_auth_test_dst_mac),
				    -EACCES, "first nonce byte %u", i);
		memcpy(n, t->nd, sizeof(n));
		n[i] ^= 0x80;
		KUNIT_EXPECT_EQ_MSG(test, ftm_auth_verify(t->secret, t->secret_len, "dst",
							  FTM_AUTH_TEST_ID, t->ns, n,
							  ftm_auth_test_dst_mac),
				    -EACCES, "second nonce byte %u", i);
	}
}

static void ftm_auth_test_verify_secret(struct kunit *test)
{
	struct ftm_auth_test *t = test->priv;
	unsigned int i;

	/* Shorter: the same bytes, one fewer, or none. */
	KUNIT_EXPECT_EQ(test, ftm_auth_verify(t->secret, t->secret_len - 1, "dst",
					      FTM_AUTH_TEST_ID, t->ns, t->nd,
					      ftm_auth_test_dst_mac), -EACCES);
	KUNIT_EXPECT_EQ(test, ftm_auth_verify(t->secret, FTM_SECRET_MIN, "dst",
					      FTM_AUTH_TEST_ID, t->ns, t->nd,
					      ftm_auth_test_dst_mac), -EACCES);
	KUNIT_EXPECT_EQ(test, ftm_auth_verify(t->secret, 0, "dst",
					      FTM_AUTH_TEST_ID, t->ns, t->nd,
					      ftm_auth_test_dst_mac), -EACCES);
	/* Longer, by a byte that is not zero. */
	t->secret[t->secret_len] = 0x30;
	KUNIT_EXPECT_EQ(test, ftm_auth_verify(t->secret, t->secret_len + 1, "dst",
					      FTM_AUTH_TEST_ID, t->ns, t->nd,
					      ftm_auth_test_dst_mac), -EACCES);
	KUNIT_EXPECT_EQ(test, ftm_auth_verify(t->secret, FTM_SECRET_MAX, "dst",
					      FTM_AUTH_TEST_ID, t->ns, t->nd,
					      ftm_auth_test_dst_mac), -EACCES);
	/*
	 * Longer by zero bytes only is the same HMAC key: RFC 2104 pads keys
	 * with zeroes to the block size, so a secret and the same secret with
	 * zero bytes appended authenticate each other.  Pinned here so that a
	 * change of the construction shows.
	 */
	t->secret[t->secret_len] = 0;
	KUNIT_EXPECT_EQ(test, ftm_auth_verify(t->secret, t->secret_len + 1, "dst",
					      FTM_AUTH_TEST_ID, t->ns, t->nd,
					      ftm_auth_test_dst_mac), 0);
	/* Any byte changed. */
	for (i = 0; i < t->secret_len; i++) {
		t->secret[i] ^= 0x04;
		KUNIT_EXPECT_EQ_MSG(test, ftm_auth_verify(t->secret, t->secret_len, "dst",
							  FTM_AUTH_TEST_ID, t->ns, t->nd,
							  ftm_auth_test_dst_mac),
				    -EACCES, "secret byte %u", i);
		t->secret[i] ^= 0x04;
	}
	KUNIT_EXPECT_EQ(test, ftm_auth_verify(t->secret, t->secret_len, "dst",
					      FTM_AUTH_TEST_ID, t->ns, t->nd,
					      ftm_auth_test_dst_mac), 0);
}

static struct kunit_case ftm_auth_test_cases[] = {
	KUNIT_CASE(ftm_auth_test_known_answer),
	KUNIT_CASE(ftm_auth_test_oneshot_match),
	KUNIT_CASE(ftm_auth_test_verify_good),
	KUNIT_CASE(ftm_auth_test_verify_bit_flip),
	KUNIT_CASE(ftm_auth_test_verify_label),
	KUNIT_CASE(ftm_auth_test_verify_id),
	KUNIT_CASE(ftm_auth_test_verify_nonces),
	KUNIT_CASE(ftm_auth_test_verify_secret),
	{}
};

static struct kunit_suite ftm_auth_test_suite = {
	.name = "ftmigrate_auth",
	.init = ftm_auth_test_init,
	.test_cases = ftm_auth_test_cases,
};
kunit_test_suite(ftm_auth_test_suite);
