// SPDX-License-Identifier: GPL-2.0
/*
 * Peer authentication: before any VM data flows, each side proves that it
 * knows the migration secret, with HMAC-SHA256 over both sides' fresh
 * nonces (a challenge-response in both directions, as DRBD's cram-hmac).
 *
 *   src -> dst  HELLO      migration id, Ns
 *   dst -> src  CHALLENGE  Nd, HMAC(K, "dst" | id | Ns | Nd)
 *   src -> dst  AUTH       HMAC(K, "src" | id | Nd | Ns)
 *   dst -> src  AUTH_OK
 *
 * The role label keeps one side's answer from being replayed as the
 * other's; fresh nonces on both sides keep old answers from being replayed
 * at all.  MACs are compared in constant time.
 */
#include <crypto/hash.h>
#include <crypto/algapi.h>
#include <linux/err.h>

#include "ftmigrate.h"
#include "frame.h"

/**
 * ftm_auth_mac() - the MAC one side sends
 * @secret: the migration secret
 * @secret_len: its length
 * @label: "src" or "dst", the role of the side that sends the MAC
 * @id: the migration id
 * @first: the nonce of the side that receives the MAC
 * @second: the nonce of the side that sends it
 * @mac: FTM_MAC_LEN bytes out
 *
 * Return: 0 or a negative errno from the crypto API.
 */
int ftm_auth_mac(const u8 *secret, u32 secret_len, const char *label, u64 id,
		 const u8 *first, const u8 *second, u8 *mac)
{
	struct crypto_shash *tfm;
	__be64 wire_id = cpu_to_be64(id);
	int err;

	tfm = crypto_alloc_shash("hmac(sha256)", 0, 0);
	if (IS_ERR(tfm))
		return PTR_ERR(tfm);
	err = crypto_shash_setkey(tfm, secret, secret_len);
	if (!err) {
		SHASH_DESC_ON_STACK(desc, tfm);

		desc->tfm = tfm;
		err = crypto_shash_init(desc) ?:
		      crypto_shash_update(desc, label, 3) ?:
		      crypto_shash_update(desc, (u8 *)&wire_id, sizeof(wire_id)) ?:
		      crypto_shash_update(desc, first, FTM_NONCE_LEN) ?:
		      crypto_shash_update(desc, second, FTM_NONCE_LEN) ?:
		      crypto_shash_final(desc, mac);
		shash_desc_zero(desc);
	}
	crypto_free_shash(tfm);
	return err;
}

/**
 * ftm_auth_verify() - check a MAC the peer sent
 * @secret: the migration secret
 * @secret_len: its length
 * @label: the peer's role
 * @id: the migration id
 * @first: our nonce
 * @second: the peer's nonce
 * @mac: the MAC received
 *
 * Return: 0 if it matches, -EACCES if not, another negative errno if the
 * MAC could not be computed.
 */
int ftm_auth_verify(const u8 *secret, u32 secret_len, const char *label, u64 id,
		    const u8 *first, const u8 *second, const u8 *mac)
{
	u8 want[FTM_MAC_LEN];
	int err;

	err = ftm_auth_mac(secret, secret_len, label, id, first, second, want);
	if (!err && crypto_memneq(want, mac, FTM_MAC_LEN))
		err = -EACCES;
	memzero_explicit(want, sizeof(want));
	return err;
}

#if IS_ENABLED(CONFIG_KUNIT)
#include "kunit_auth.c"
#endif
