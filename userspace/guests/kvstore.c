// SPDX-License-Identifier: GPL-2.0
/*
 * kvstore: a key-value service on the virtual NIC, persisted on the virtual
 * disk.  A write is acknowledged only after its sector is written and the
 * disk flushed, so every acknowledged write must survive a failover.
 *
 * Requests and answers are one line of text in one frame, led by the
 * client's request id, which the answer repeats:
 *
 *   ID PUT KEY VALUE   ->  ID OK            (durable)  | ID ERR why
 *   ID GET KEY         ->  ID VAL VALUE | ID NONE
 *   ID PING            ->  ID PONG
 *   ID QUIT            ->  ID BYE, then power off
 *
 * Disk: sector 0 holds a superblock; sector 1 + i holds hash slot i (open
 * addressing, linear probing).  The whole table is read at boot.
 */
#include "lib.h"

#define SUPER_MAGIC	"KVSTORE1"
#define RECORD_MAGIC	0x3152564bU	/* "KVR1" */
#define MAX_SLOTS	256
#define KEY_MAX		32
#define VALUE_MAX	400

struct superblock {
	char magic[8];
	uint32_t slots;
	uint8_t pad[VMX_DISK_SECTOR_SIZE - 12];
};

struct record {
	uint32_t magic;
	uint32_t key_len;
	uint32_t value_len;
	uint32_t reserved;
	char key[KEY_MAX];
	char value[VALUE_MAX];
	uint8_t pad[VMX_DISK_SECTOR_SIZE - 16 - KEY_MAX - VALUE_MAX];
};

_Static_assert(sizeof(struct record) == VMX_DISK_SECTOR_SIZE, "one record per sector");
_Static_assert(sizeof(struct superblock) == VMX_DISK_SECTOR_SIZE, "superblock is a sector");

static struct record table[MAX_SLOTS] __attribute__((aligned(4096)));
static struct record pending __attribute__((aligned(512)));
static struct superblock super __attribute__((aligned(512)));
static uint8_t frame[VMX_NIC_MTU], answer[VMX_NIC_MTU];
static uint32_t slots, answer_len;

static uint32_t hash(const char *s, uint32_t len)
{
	uint32_t h = 2166136261U;

	while (len--)
		h = (h ^ (uint8_t)*s++) * 16777619U;
	return h;
}

/* The slot holding @key, or the empty slot where it would go; -1 if full. */
static int find_slot(const char *key, uint32_t len)
{
	uint32_t start = hash(key, len) % slots;

	for (uint32_t i = 0; i < slots; i++) {
		struct record *r = &table[(start + i) % slots];

		if (r->magic != RECORD_MAGIC ||
		    (r->key_len == len && !memcmp(r->key, key, len)))
			return (int)((start + i) % slots);
	}
	return -1;
}

static void say(const char *s, uint32_t len)
{
	if (answer_len + len > sizeof(answer))
		len = (uint32_t)sizeof(answer) - answer_len;
	memcpy(answer + answer_len, s, len);
	answer_len += len;
}

static void says(const char *s)
{
	say(s, (uint32_t)strlen(s));
}

/* Split off the next space-separated word of [*p, end). */
static uint32_t word(const char **p, const char *end, const char **start)
{
	const char *s = *p;

	while (s < end && *s == ' ')
		s++;
	*start = s;
	while (s < end && *s != ' ')
		s++;
	*p = s;
	return (uint32_t)(s - *start);
}

static int handle_put(const char *key, uint32_t key_len, const char *value, uint32_t value_len)
{
	int slot;

	if (!key_len || key_len > KEY_MAX || value_len > VALUE_MAX) {
		says(" ERR too long");
		return 0;
	}
	slot = find_slot(key, key_len);
	if (slot < 0) {
		says(" ERR full");
		return 0;
	}
	memset(&pending, 0, sizeof(pending));
	pending.magic = RECORD_MAGIC;
	pending.key_len = key_len;
	pending.value_len = value_len;
	memcpy(pending.key, key, key_len);
	memcpy(pending.value, value, value_len);
	/* Durable first, visible and acknowledged after. */
	if (disk_write(1 + (uint64_t)slot, &pending, 1) != VMX_STATUS_OK ||
	    disk_flush() != VMX_STATUS_OK) {
		says(" ERR io");
		return 0;
	}
	table[slot] = pending;
	says(" OK");
	return 0;
}

/* Answer one request; returns 1 when the service is to stop. */
static int handle(uint32_t len)
{
	const char *p = (const char *)frame + VMX_NIC_TAG_LEN, *end = (const char *)frame + len;
	const char *id, *cmd, *key, *rest;
	uint32_t id_len, cmd_len, key_len;
	int stop = 0, slot;

	while (end > p && (end[-1] == '\n' || end[-1] == '\r'))
		end--;
	memcpy(answer, frame, VMX_NIC_TAG_LEN);	/* back to the sender */
	answer_len = VMX_NIC_TAG_LEN;
	id_len = word(&p, end, &id);
	cmd_len = word(&p, end, &cmd);
	key_len = word(&p, end, &key);
	rest = p < end ? p + 1 : end;
	say(id, id_len);

	if (cmd_len == 3 && !memcmp(cmd, "PUT", 3)) {
		handle_put(key, key_len, rest, (uint32_t)(end - rest));
	} else if (cmd_len == 3 && !memcmp(cmd, "GET", 3)) {
		slot = key_len && key_len <= KEY_MAX ? find_slot(key, key_len) : -1;
		if (slot >= 0 && table[slot].magic == RECORD_MAGIC) {
			says(" VAL ");
			say(table[slot].value, table[slot].value_len);
		} else {
			says(" NONE");
		}
	} else if (cmd_len == 4 && !memcmp(cmd, "PING", 4)) {
		says(" PONG");
	} else if (cmd_len == 4 && !memcmp(cmd, "QUIT", 4)) {
		says(" BYE");
		stop = 1;
	} else {
		says(" ERR bad request");
	}
	nic_send(answer, answer_len);
	return stop;
}

static int load(void)
{
	uint64_t sectors = disk_sectors();
	uint32_t used = 0;

	if (sectors < 2) {
		put_str("kvstore: needs a disk of at least 2 sectors\n");
		return -1;
	}
	if (disk_read(0, &super, 1) != VMX_STATUS_OK) {
		put_str("kvstore: cannot read the superblock\n");
		return -1;
	}
	if (memcmp(super.magic, SUPER_MAGIC, 8)) {
		/* A new disk: format it (slots read back as empty). */
		memset(&super, 0, sizeof(super));
		memcpy(super.magic, SUPER_MAGIC, 8);
		super.slots = sectors - 1 < MAX_SLOTS ? (uint32_t)(sectors - 1) : MAX_SLOTS;
		memset(table, 0, sizeof(table));
		if (disk_write(1, table, super.slots) != VMX_STATUS_OK ||
		    disk_write(0, &super, 1) != VMX_STATUS_OK || disk_flush() != VMX_STATUS_OK) {
			put_str("kvstore: cannot format the disk\n");
			return -1;
		}
		put_str("kvstore: formatted\n");
	}
	if (!super.slots || super.slots > MAX_SLOTS || super.slots > sectors - 1) {
		put_str("kvstore: bad superblock\n");
		return -1;
	}
	slots = super.slots;
	if (disk_read(1, table, slots) != VMX_STATUS_OK) {
		put_str("kvstore: cannot read the table\n");
		return -1;
	}
	for (uint32_t i = 0; i < slots; i++)
		used += table[i].magic == RECORD_MAGIC;
	put_str("kvstore: ");
	put_u64(used);
	put_str(" keys in ");
	put_u64(slots);
	put_str(" slots\n");
	return 0;
}

int guest_main(void)
{
	if (load())
		return 3;
	put_str("kvstore: ready\n");
	for (;;) {
		uint32_t len = nic_recv(frame, sizeof(frame));

		if (!len) {
			doorbell(100000);
			continue;
		}
		if (len > VMX_NIC_TAG_LEN && handle(len)) {
			put_str("kvstore: bye\n");
			return 0;
		}
	}
}
