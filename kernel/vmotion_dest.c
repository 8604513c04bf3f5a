// SPDX-License-Identifier: GPL-2.0
/*
 * VMotion, destination side: Prepare and the receiving thread.
 *
 * A connection arrives at the host's listener; its thread authenticates the
 * source against the secret of the migration id the source names (from a
 * Prepared migration, or from the vmx that registered as incoming for it),
 * takes Prepare over the wire when no orchestrator did, then stores pages
 * straight into the incoming VM's memfd.  Every guest address is checked
 * against the VM's registered memory, every length against the frame
 * rules; anything else aborts the migration and the incoming VM is told to
 * power off, so the source is the one copy that runs.
 *
 * The destination resumes only on COMMIT (or, in doubt after a lost COMMIT,
 * on an orchestrator's Finish): see the point of no return in
 * vmotion_source.c.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/bitmap.h>
#include <linux/kthread.h>
#include <linux/net.h>
#include <linux/random.h>
#include <linux/slab.h>

#include "ftmigrate.h"

#define FTM_VMREQ_TIMEOUT	(30 * HZ)

/**
 * struct ftm_dst - one connection's thread on the destination
 * @fn: the host
 * @conn: the connection
 * @mig: the migration, referenced, once known
 * @vm: its VM (pinned by @mig)
 * @received: pages that arrived, a bit each (a data stream borrows its
 *	control connection's)
 * @pages: pages that arrived on this connection
 * @state: the device state being received
 * @state_len: its announced length
 * @state_got: bytes of it received
 * @remote_cancel: the source cancelled
 * @aborting: telling the source why we stop; sends must not be cut short
 * @msg: why it failed, for people and for the source
 * @ctrl: for a data stream, the control connection's thread it joined
 * @index: for a data stream, its number
 * @code: a typed refusal (FTCheck's), which the outcome reports instead of
 *	the errno's code
 *
 * The control connection's thread also holds the data streams' rendezvous,
 * under @mig->lock (data streams find it as @mig->rx while it receives):
 * @nr_streams: streams the source announced in JOIN, 1 until then
 * @joined: data streams that joined
 * @attached: data streams whose threads still use this structure
 * @ended: data streams that sent a correct END
 * @end_pages: pages they carried
 * @closing: no more joins; attached data streams stop
 * @streams: the attached data streams, by number
 * @stream_err: the first data stream's failure, 0 if none
 * @stream_msg: its reason
 * @streams_wq: woken when a data stream ends, fails or detaches
 */
struct ftm_dst {
	struct ftm_net *fn;
	struct ftm_conn conn;
	struct ftm_migration *mig;
	struct ftm_vm *vm;
	unsigned long *received;
	u64 pages;
	void *state;
	u64 state_len;
	u64 state_got;
	bool remote_cancel;
	bool aborting;
	char msg[FTM_ERROR_MSG_MAX];
	struct ftm_dst *ctrl;
	unsigned int index;
	u32 code;

	unsigned int nr_streams;
	unsigned int joined;
	unsigned int attached;
	unsigned int ended;
	u64 end_pages;
	bool closing;
	struct ftm_dst *streams[FTM_STREAMS_MAX];
	int stream_err;
	char stream_msg[FTM_ERROR_MSG_MAX];
	wait_queue_head_t streams_wq;
};

/*
 * Stop on a cancel, the timeout, or the incoming vmx's death; the control
 * connection also when a data stream failed, a data stream also when its
 * control connection is done.
 */
static bool ftm_dst_cancelled(void *arg)
{
	struct ftm_dst *d = arg;

	if (!d->mig || d->aborting)
		return false;
	if (d->ctrl ? READ_ONCE(d->ctrl->closing) : READ_ONCE(d->stream_err))
		return true;
	return ftm_migration_cancelled(d->mig) || READ_ONCE(d->vm->req.dead);
}

/* A VM on this host whose vmx registered as incoming for @id. */
static struct ftm_vm *ftm_dst_find_incoming(struct ftm_net *fn, u64 id)
{
	struct ftm_vm *vm, *found = NULL;
	unsigned long i;

	rcu_read_lock();
	xa_for_each(&fn->vms, i, vm) {
		if (READ_ONCE(vm->incoming_id) == id &&
		    kref_get_unless_zero(&vm->ref)) {
			found = vm;
			break;
		}
	}
	rcu_read_unlock();
	return found;
}

static int ftm_cookie_check(const struct ftm_cookie *c, u64 id,
			    const struct ftm_vm *vm, char *why, size_t len)
{
	unsigned int i, n = be32_to_cpu(c->nr_regions);

	if (be32_to_cpu(c->magic) != FTM_COOKIE_MAGIC ||
	    be32_to_cpu(c->version) != FTM_WIRE_VERSION ||
	    be64_to_cpu(c->migration_id) != id ||
	    be32_to_cpu(c->type) > FTMIGRATE_TYPE_ID_FTCPT) {
		snprintf(why, len, "malformed cookie or wrong migration");
		return -EINVAL;
	}
	if (be32_to_cpu(c->type) == FTMIGRATE_TYPE_ID_FTCPT) {
		snprintf(why, len, "FTCpt needs XvMotion's disk mirror, which this host lacks");
		return -EINVAL;
	}
	if (memcmp(c->uuid, vm->uuid, FTM_UUID_LEN)) {
		snprintf(why, len, "the incoming VM has another UUID");
		return -EINVAL;
	}
	if (n != vm->nr_regions) {
		snprintf(why, len, "memory layout differs: %u regions here, %u there",
			 vm->nr_regions, n);
		return -EINVAL;
	}
	for (i = 0; i < n; i++) {
		if (be64_to_cpu(c->regions[i].gpa) != vm->regions[i].gpa ||
		    be64_to_cpu(c->regions[i].pages) != vm->regions[i].pages) {
			snprintf(why, len, "memory layout differs in region %u", i);
			return -EINVAL;
		}
	}
	return 0;
}

/**
 * ftm_vmotion_prepare() - Prepare: bind a destination migration to its VM
 * @fn: the destination host
 * @id: the migration id
 * @cookie: Begin's cookie
 * @secret: the secret given with Prepare, or NULL to use the incoming VM's
 * @secret_len: its length
 * @out: the new migration, referenced, on success
 * @why: the reason for a refusal, for people
 * @why_len: room at @why
 *
 * Return: 0; -ENOENT without an incoming VM for @id; -EINVAL when the VM
 * does not match the cookie or no secret is known; -EEXIST if @id is live
 * on this host; -ENOMEM.
 */
int ftm_vmotion_prepare(struct ftm_net *fn, u64 id, const struct ftm_cookie *cookie,
			const u8 *secret, u32 secret_len,
			struct ftm_migration **out, char *why, size_t why_len)
{
	const struct ftm_type *type;
	struct ftm_migration *mig;
	struct ftm_vm *vm;
	int err;

	vm = ftm_dst_find_incoming(fn, id);
	if (!vm) {
		snprintf(why, why_len, "no VM waits for migration %llu on this host", id);
		return -ENOENT;
	}
	mutex_lock(&vm->lock);
	err = ftm_cookie_check(cookie, id, vm, why, why_len);
	if (!err && !secret && !vm->secret_len) {
		snprintf(why, why_len, "no secret for migration %llu", id);
		err = -EINVAL;
	}
	mutex_unlock(&vm->lock);
	if (err)
		goto out_vm;

	rcu_read_lock();
	type = ftm_type_get_rcu(be32_to_cpu(cookie->type));
	rcu_read_unlock();
	err = -ENOMEM;
	if (!type)
		goto out_vm;
	mig = ftm_migration_new(fn, id, FTMIGRATE_MIGRATION_ROLE_DESTINATION, type);
	if (!mig)
		goto out_vm;
	mig->state = FTMIGRATE_MIGRATION_STATE_PREPARED;
	memcpy(mig->cookie, cookie, sizeof(*cookie));
	if (secret) {
		memcpy(mig->secret, secret, secret_len);
		mig->secret_len = secret_len;
	} else {
		mig->secret_len = vm->secret_len;
		memcpy(mig->secret, vm->secret, vm->secret_len);
	}
	err = ftm_migration_attach_vm(mig, vm);
	if (!err) {
		err = ftm_migration_publish(mig);
		if (err)
			ftm_migration_detach_vm(mig);
	}
	if (err) {
		snprintf(why, why_len, "%s", err == -EEXIST ?
			 "the migration is already under way here" :
			 "the incoming VM is busy");
		ftm_migration_put(mig);
		goto out_vm;
	}
	ftm_nl_notify_migration(mig, FTMIGRATE_CMD_MIGRATION_STATE_NTF);
	*out = mig;
out_vm:
	ftm_vm_put(vm);
	return err;
}

static int ftm_dst_expect(struct ftm_dst *d, u8 want, u32 *lenp)
{
	u8 type;
	u32 len;
	int err;

	err = ftm_conn_recv(&d->conn, &type, &len);
	if (lenp)
		*lenp = len;
	if (err)
		return err;
	if (type == FTM_FRAME_CANCEL) {
		d->remote_cancel = true;
		return -ECANCELED;
	}
	if (type == FTM_FRAME_ERROR) {
		const struct ftm_error *e = d->conn.rx;

		strscpy(d->msg, e->msg, sizeof(d->msg));
		return -EREMOTEIO;
	}
	return type == want ? 0 : -EPROTO;
}

static void ftm_dst_refuse(struct ftm_dst *d, u32 code, const char *msg)
{
	struct ftm_error e = { .code = cpu_to_be32(code) };

	strscpy(e.msg, msg, sizeof(e.msg));
	ftm_conn_send(&d->conn, FTM_FRAME_ERROR, &e, sizeof(e));
}

/* HELLO, CHALLENGE, AUTH, AUTH_OK; finds the migration or incoming VM. */
static int ftm_dst_auth(struct ftm_dst *d, u64 *id, u8 *secret, u32 *secret_len)
{
	struct ftm_hello hello;
	struct ftm_challenge ch;
	struct ftm_migration *mig;
	struct ftm_vm *vm;
	int err;

	err = ftm_dst_expect(d, FTM_FRAME_HELLO, NULL);
	if (err)
		return err;
	memcpy(&hello, d->conn.rx, sizeof(hello));
	*id = be64_to_cpu(hello.migration_id);

	*secret_len = 0;
	mig = ftm_migration_lookup(d->fn, *id);
	if (mig) {
		/* Prepared for the control connection, receiving for a data stream. */
		if (mig->role == FTMIGRATE_MIGRATION_ROLE_DESTINATION &&
		    (READ_ONCE(mig->state) == FTMIGRATE_MIGRATION_STATE_PREPARED ||
		     READ_ONCE(mig->rx))) {
			*secret_len = mig->secret_len;
			memcpy(secret, mig->secret, mig->secret_len);
		}
		ftm_migration_put(mig);
	} else {
		vm = ftm_dst_find_incoming(d->fn, *id);
		if (vm) {
			mutex_lock(&vm->lock);
			*secret_len = vm->secret_len;
			memcpy(secret, vm->secret, vm->secret_len);
			mutex_unlock(&vm->lock);
			ftm_vm_put(vm);
		}
	}
	if (!*secret_len) {
		ftm_dst_refuse(d, FTMIGRATE_MIGRATION_ERROR_DEST_REFUSED,
			       "no VM waits for this migration here");
		return -ENOENT;
	}

	get_random_bytes(ch.nonce, sizeof(ch.nonce));
	err = ftm_auth_mac(secret, *secret_len, "dst", *id, hello.nonce, ch.nonce,
			   ch.mac) ?:
	      ftm_conn_send(&d->conn, FTM_FRAME_CHALLENGE, &ch, sizeof(ch)) ?:
	      ftm_dst_expect(d, FTM_FRAME_AUTH, NULL);
	if (err)
		return err;
	err = ftm_auth_verify(secret, *secret_len, "src", *id, ch.nonce,
			      hello.nonce, d->conn.rx);
	if (err) {
		ftm_dst_refuse(d, FTMIGRATE_MIGRATION_ERROR_AUTH_FAILED,
			       "the source does not know the migration secret");
		return err;
	}
	return ftm_conn_send(&d->conn, FTM_FRAME_AUTH_OK, NULL, 0);
}

static int ftm_dst_pages(struct ftm_dst *d, u32 len)
{
	const u8 *p = d->conn.rx;
	u32 n = be32_to_cpup((const __be32 *)p), i;
	const __be64 *entries = (const __be64 *)(p + sizeof(__be32));
	const u8 *data = p + sizeof(__be32) + n * sizeof(__be64);
	u64 page;
	int err;

	/* The frame rules checked n and the length; check every address. */
	for (i = 0; i < n; i++) {
		u64 e = be64_to_cpu(entries[i]);

		if (ftm_mem_gpa_page(d->vm, e & ~FTM_PAGE_FLAGS, &page)) {
			snprintf(d->msg, sizeof(d->msg),
				 "guest address %llx outside the registered memory",
				 e & ~FTM_PAGE_FLAGS);
			return -EPROTO;
		}
	}
	for (i = 0; i < n; i++) {
		u64 e = be64_to_cpu(entries[i]);
		bool zero = e & FTM_PAGE_ZERO;

		ftm_mem_gpa_page(d->vm, e & ~FTM_PAGE_FLAGS, &page);
		err = ftm_mem_write_page(d->vm, page, zero ? NULL : data);
		if (err)
			return err;
		if (!zero)
			data += PAGE_SIZE;
		set_bit(page, d->received);
		d->pages++;
	}
	return 0;
}

static int ftm_dst_state(struct ftm_dst *d, u32 len)
{
	const struct ftm_state_chunk *c = d->conn.rx;
	u64 off = be64_to_cpu(c->offset), total = be64_to_cpu(c->total);
	u32 n = len - sizeof(*c);

	if (!total || total > FTM_STATE_MAX || off != d->state_got ||
	    (d->state && total != d->state_len) || n > total - off) {
		snprintf(d->msg, sizeof(d->msg), "device state chunk out of order or range");
		return -EPROTO;
	}
	if (!d->state) {
		d->state = kvmalloc(total, GFP_KERNEL);
		if (!d->state)
			return -ENOMEM;
		d->state_len = total;
	}
	memcpy(d->state + off, c + 1, n);
	d->state_got += n;
	return 0;
}

/*
 * COMPLETE came on the control connection: every data stream must have
 * joined (the source opens them all before pre-copy) and must end with its
 * END, so that no page of theirs is still in flight.
 */
static int ftm_dst_wait_streams(struct ftm_dst *d)
{
	struct ftm_migration *mig = d->mig;
	unsigned int joined, want;
	unsigned long deadline;
	int err = 0;

	mutex_lock(&mig->lock);
	joined = d->joined;
	want = d->nr_streams - 1;
	mutex_unlock(&mig->lock);
	if (joined != want) {
		snprintf(d->msg, sizeof(d->msg), "%u of %u data streams joined",
			 joined, want);
		return -EPROTO;
	}
	/* Their ENDs were sent before COMPLETE: they are late, not slow. */
	deadline = jiffies + FTM_PEER_SILENCE;
	while (!wait_event_timeout(d->streams_wq, READ_ONCE(d->ended) == want ||
				   READ_ONCE(d->stream_err), HZ / 10)) {
		if (ftm_dst_cancelled(d))
			break;
		if (time_after(jiffies, deadline)) {
			snprintf(d->msg, sizeof(d->msg), "data streams silent after COMPLETE");
			return -ETIMEDOUT;
		}
	}
	mutex_lock(&mig->lock);
	if (d->stream_err) {
		err = d->stream_err;
		strscpy(d->msg, d->stream_msg, sizeof(d->msg));
	} else if (d->ended != want) {
		err = -ECANCELED;
	} else {
		/* What the destination reports: the streams it received on. */
		mig->params.streams = d->nr_streams;
	}
	mutex_unlock(&mig->lock);
	return err;
}

static int ftm_dst_complete(struct ftm_dst *d)
{
	const struct ftm_complete *c = d->conn.rx;
	struct ftm_migration *mig = d->mig;
	u64 pages;
	int err;

	pages = be64_to_cpu(c->pages);
	err = ftm_dst_wait_streams(d);
	if (err)
		return err;
	if (pages != d->pages + d->end_pages || !d->state ||
	    be64_to_cpu(c->state_len) != d->state_len ||
	    d->state_got != d->state_len ||
	    !bitmap_full(d->received, d->vm->nr_pages)) {
		snprintf(d->msg, sizeof(d->msg),
			 "incomplete: %llu pages and %llu state bytes arrived",
			 d->pages + d->end_pages, d->state_got);
		return -EPROTO;
	}
	ftm_vmreq_set_state(&d->vm->req, d->state, d->state_len);
	d->state = NULL;
	err = ftm_vmreq_call(&d->vm->req, FTM_REQ_LOAD_STATE, 0, mig->id, NULL,
			     d->state_len, NULL, FTM_VMREQ_TIMEOUT,
			     ftm_migration_cancelled, mig);
	ftm_vmreq_set_state(&d->vm->req, NULL, 0);
	if (err) {
		snprintf(d->msg, sizeof(d->msg), "the vmx refused the device state (%d)", err);
		return err == -ENODEV || err == -ECANCELED ? err : -EREMOTEIO;
	}
	return 0;
}

/* FT and FTCpt: the source's FTCheck comes before any page. */
static int ftm_dst_ftcheck(struct ftm_dst *d)
{
	u32 len;
	int err;

	if (!ftm_type_clones(d->mig->type))
		return 0;
	err = ftm_dst_expect(d, FTM_FRAME_FTCHECK, &len);
	if (err)
		return err;
	err = ftm_ftcheck_verify(d->mig, d->conn.rx, len, &d->code, d->msg,
				 sizeof(d->msg));
	return err ?: ftm_conn_send(&d->conn, FTM_FRAME_FTCHECK_OK, NULL, 0);
}

/* Receive until COMPLETE has been checked and the state loaded. */
static int ftm_dst_receive(struct ftm_dst *d)
{
	u8 type;
	u32 len;
	int err;

	for (;;) {
		err = ftm_conn_recv(&d->conn, &type, &len);
		if (err)
			return err;
		switch (type) {
		case FTM_FRAME_PAGES:
			err = ftm_dst_pages(d, len);
			break;
		case FTM_FRAME_STATE:
			err = ftm_dst_state(d, len);
			break;
		case FTM_FRAME_COMPLETE:
			return ftm_dst_complete(d);
		case FTM_FRAME_CANCEL:
			d->remote_cancel = true;
			return -ECANCELED;
		case FTM_FRAME_ERROR:
			strscpy(d->msg, ((struct ftm_error *)d->conn.rx)->msg,
				sizeof(d->msg));
			return -ESHUTDOWN;
		default:
			snprintf(d->msg, sizeof(d->msg), "unexpected frame type %u", type);
			return -EPROTO;
		}
		if (err)
			return err;
		cond_resched();
	}
}

/* A data stream's failure ends its migration: tell the control thread. */
static void ftm_dst_stream_failed(struct ftm_dst *d, int err)
{
	struct ftm_dst *ctrl = d->ctrl;

	mutex_lock(&d->mig->lock);
	if (!ctrl->closing && !ctrl->stream_err) {
		ctrl->stream_err = err;
		snprintf(ctrl->stream_msg, sizeof(ctrl->stream_msg), "data stream %u: %s",
			 d->index, d->msg[0] ? d->msg : "broken");
	}
	mutex_unlock(&d->mig->lock);
	wake_up_all(&ctrl->streams_wq);
}

/* A data stream: PAGES until END, which must count what arrived. */
static int ftm_dst_stream_receive(struct ftm_dst *d)
{
	const struct ftm_stream_end *end = d->conn.rx;
	struct ftm_dst *ctrl = d->ctrl;
	u8 type;
	u32 len;
	int err;

	for (;;) {
		err = ftm_conn_recv(&d->conn, &type, &len);
		if (err)
			return err;
		if (type == FTM_FRAME_END)
			break;
		if (type != FTM_FRAME_PAGES) {
			snprintf(d->msg, sizeof(d->msg), "unexpected frame type %u", type);
			return -EPROTO;
		}
		err = ftm_dst_pages(d, len);
		if (err)
			return err;
		cond_resched();
	}
	if (be64_to_cpu(end->pages) != d->pages) {
		snprintf(d->msg, sizeof(d->msg), "END says %llu pages, %llu arrived",
			 be64_to_cpu(end->pages), d->pages);
		return -EPROTO;
	}
	mutex_lock(&d->mig->lock);
	ctrl->ended++;
	ctrl->end_pages += d->pages;
	mutex_unlock(&d->mig->lock);
	wake_up_all(&ctrl->streams_wq);
	return 0;
}

/*
 * JOIN on an authenticated connection: bind it as data stream of the
 * migration @id, whose control thread is receiving, and receive its pages.
 */
static void ftm_dst_join(struct ftm_dst *d, u64 id)
{
	const struct ftm_join *j = d->conn.rx;
	u32 k = be32_to_cpu(j->stream), n = be32_to_cpu(j->streams);
	struct ftm_migration *mig;
	struct ftm_dst *ctrl;
	const char *why = NULL;
	int err;

	mig = ftm_migration_lookup(d->fn, id);
	if (!mig) {
		ftm_dst_refuse(d, FTMIGRATE_MIGRATION_ERROR_DEST_REFUSED,
			       "no migration to join here");
		return;
	}
	mutex_lock(&mig->lock);
	ctrl = mig->rx;
	if (mig->role != FTMIGRATE_MIGRATION_ROLE_DESTINATION || !ctrl || ctrl->closing)
		why = "the migration here is not receiving";
	else if (n < 2 || n > FTM_STREAMS_MAX || !k || k >= n ||
		 (ctrl->nr_streams > 1 && ctrl->nr_streams != n))
		why = "stream number or count out of range";
	else if (ctrl->streams[k])
		why = "the stream has joined already";
	if (why && ctrl && !ctrl->closing && !ctrl->stream_err) {
		/* An authenticated source broke the rules: end its migration. */
		ctrl->stream_err = -EPROTO;
		snprintf(ctrl->stream_msg, sizeof(ctrl->stream_msg),
			 "JOIN of stream %u of %u: %s", k, n, why);
		/* Under the lock: the control thread may free ctrl once it is dropped. */
		wake_up_all(&ctrl->streams_wq);
	} else if (!why) {
		ctrl->nr_streams = n;
		ctrl->streams[k] = d;
		ctrl->joined++;
		ctrl->attached++;
		d->ctrl = ctrl;
		d->index = k;
		d->vm = ctrl->vm;
		d->received = ctrl->received;
		d->mig = mig;
	}
	mutex_unlock(&mig->lock);
	if (why) {
		ftm_dst_refuse(d, FTMIGRATE_MIGRATION_ERROR_PROTOCOL, why);
		ftm_migration_put(mig);
		return;
	}

	err = ftm_conn_send(&d->conn, FTM_FRAME_JOINED, NULL, 0);
	/* A stream idle for rounds is fine: the control connection notices loss. */
	d->conn.quiet_ok = true;
	if (!err)
		err = ftm_dst_stream_receive(d);
	if (err)
		ftm_dst_stream_failed(d, err);

	/*
	 * Wake the control thread before the lock goes: once attached is 0 and
	 * the lock free, it may free ctrl.
	 */
	mutex_lock(&mig->lock);
	ctrl->streams[k] = NULL;
	ctrl->attached--;
	wake_up_all(&ctrl->streams_wq);
	mutex_unlock(&mig->lock);
	/* From here on nothing of ctrl may be touched: it may be freed. */
	d->received = NULL;
	d->ctrl = NULL;
	d->mig = NULL;
	ftm_migration_put(mig);
}

/* The control thread is done receiving: stop and wait out its data streams. */
static void ftm_dst_close_streams(struct ftm_dst *d)
{
	struct ftm_migration *mig = d->mig;

	mutex_lock(&mig->lock);
	d->closing = true;
	if (mig->rx == d)
		mig->rx = NULL;
	mutex_unlock(&mig->lock);
	wake_up_all(&d->streams_wq);
	/* They look at d->closing at least every socket tick. */
	wait_event(d->streams_wq, !READ_ONCE(d->attached));
	/*
	 * Data streams wake us under mig->lock: once we have held it, none is
	 * still inside wake_up_all() on d, and d may be freed.
	 */
	mutex_lock(&mig->lock);
	mutex_unlock(&mig->lock);
}

static u32 ftm_dst_error_code(int err)
{
	switch (err) {
	case -EPROTO:
	case -EBADMSG:
		return FTMIGRATE_MIGRATION_ERROR_PROTOCOL;
	case -ENODEV:
		return FTMIGRATE_MIGRATION_ERROR_VM_LOST;
	case -EREMOTEIO:
		return FTMIGRATE_MIGRATION_ERROR_DEST_REFUSED;
	case -ECANCELED:
		return FTMIGRATE_MIGRATION_ERROR_TIMEOUT;
	case -ESHUTDOWN:
	case -ETIMEDOUT:
	case -ECONNRESET:
	case -ENOTCONN:
	case -EPIPE:
	case -ENETUNREACH:
	case -EHOSTUNREACH:
	case -ENETDOWN:
	case -EHOSTDOWN:
		return FTMIGRATE_MIGRATION_ERROR_PEER_LOST;
	default:
		return FTMIGRATE_MIGRATION_ERROR_LOCAL;
	}
}

/* Before COMMIT: the incoming copy must never run. */
static void ftm_dst_abort(struct ftm_dst *d, int err)
{
	struct ftm_migration *mig = d->mig;
	u32 code = d->code ?: ftm_dst_error_code(err);

	if (READ_ONCE(d->vm->req.dead)) {
		code = FTMIGRATE_MIGRATION_ERROR_VM_LOST;
		strscpy(d->msg, "the incoming vmx exited", sizeof(d->msg));
	} else if (err == -ESHUTDOWN) {
		/* The source's ERROR frame, still in rx: its reason, if one we know. */
		u32 remote = be32_to_cpu(((const struct ftm_error *)d->conn.rx)->code);

		if (remote > FTMIGRATE_MIGRATION_ERROR_NONE &&
		    remote <= FTM_MIGRATION_ERROR_LAST)
			code = remote;
	} else if (err == -ECANCELED && !d->remote_cancel && !mig->cancel_requested &&
		   !atomic_read(&mig->cancel)) {
		code = FTMIGRATE_MIGRATION_ERROR_TIMEOUT;
	}
	/* Tell the source why, unless it is the one that ended it. */
	if (!d->remote_cancel && code != FTMIGRATE_MIGRATION_ERROR_PEER_LOST) {
		d->aborting = true;
		if (err == -ECANCELED && code != FTMIGRATE_MIGRATION_ERROR_TIMEOUT &&
		    code != FTMIGRATE_MIGRATION_ERROR_VM_LOST)
			strscpy(d->msg, "cancelled on the destination", sizeof(d->msg));
		ftm_dst_refuse(d, code, d->msg[0] ? d->msg : "malformed frame");
	}
	ftm_vmreq_call(&d->vm->req, FTM_REQ_POWER_OFF, 0, mig->id, NULL, 0, NULL,
		       0, NULL, NULL);
	if (d->remote_cancel) {
		mutex_lock(&mig->lock);
		mig->cancel_requested = true;
		mutex_unlock(&mig->lock);
	}
	ftm_migration_fail(mig, code, "%s%s(%d)", d->msg, d->msg[0] ? " " : "", err);
}

/* COMMIT came (or not): the VM leaves the migration, this host's now. */
static void ftm_dst_release_incoming(struct ftm_vm *vm)
{
	mutex_lock(&vm->lock);
	WRITE_ONCE(vm->incoming_id, 0);
	memzero_explicit(vm->secret, sizeof(vm->secret));
	vm->secret_len = 0;
	mutex_unlock(&vm->lock);
}

/*
 * FT and FTCpt, READY was sent.  COMMIT makes this copy the secondary
 * (FTCpt_MigrateDestSucceeded -> FTCpt_LatePowerOn ->
 * FTCptWaitForFailover): powered on and stopped at the clone point, its
 * network port a shadow, waiting for failover; the migration's state is
 * cleaned up now.  Without COMMIT the half-made secondary is destroyed: the
 * source runs on as it is, so nothing is in doubt.
 */
static void ftm_dst_secondary(struct ftm_dst *d, int err)
{
	struct ftm_migration *mig = d->mig;
	struct ftm_ft_info ft = {
		.role = FTMIGRATE_FT_ROLE_SECONDARY,
		.state = FTMIGRATE_FT_STATE_WAITING,
		.pair_id = mig->id,
	};

	if (err) {
		ftm_dst_abort(d, err);
		return;
	}
	mutex_lock(&mig->lock);
	mig->committed = true;
	strscpy(ft.fence, mig->fence, sizeof(ft.fence));
	mutex_unlock(&mig->lock);
	ftm_migration_set_state(mig, FTMIGRATE_MIGRATION_STATE_HANDOVER);
	err = ftm_vmreq_call(&d->vm->req, FTM_REQ_SECONDARY, 0, mig->id, NULL, 0,
			     NULL, FTM_VMREQ_TIMEOUT, NULL, NULL);
	if (err) {
		ftm_dst_refuse(d, FTMIGRATE_MIGRATION_ERROR_VM_LOST,
			       "the destination's vmx did not become the secondary");
		ftm_vmreq_call(&d->vm->req, FTM_REQ_POWER_OFF, 0, mig->id, NULL, 0,
			       NULL, 0, NULL, NULL);
		ftm_migration_fail(mig, FTMIGRATE_MIGRATION_ERROR_VM_LOST,
				   "the vmx did not become the secondary (%d)", err);
		return;
	}
	ftm_dst_release_incoming(d->vm);
	ftm_ft_set(d->vm, &ft);
	ftm_conn_send(&d->conn, FTM_FRAME_RESUMED, NULL, 0);
	ftm_migration_set_state(mig, FTMIGRATE_MIGRATION_STATE_COMPLETED);
}

/*
 * READY was sent.  COMMIT makes this copy the VM; without it (the link
 * went) the source may or may not have committed: wait, stopped, for the
 * orchestrator's Finish (resume) or cancel (power off).
 */
static void ftm_dst_handover(struct ftm_dst *d)
{
	struct ftm_migration *mig = d->mig;
	u8 type;
	u32 len;
	int err;

	err = ftm_conn_recv(&d->conn, &type, &len);
	if (!err && type == FTM_FRAME_CANCEL) {
		d->remote_cancel = true;
		ftm_dst_abort(d, -ECANCELED);
		return;
	}
	if (!err && type != FTM_FRAME_COMMIT)
		err = -EPROTO;
	if (ftm_type_clones(mig->type)) {
		ftm_dst_secondary(d, err);
		return;
	}
	if (!err) {
		/* The source has committed: this copy is the VM, whatever comes. */
		mutex_lock(&mig->lock);
		mig->committed = true;
		mutex_unlock(&mig->lock);
	}
	if (err) {
		mutex_lock(&mig->lock);
		snprintf(mig->error_msg, sizeof(mig->error_msg),
			 "in doubt: no COMMIT (%d); waiting for Finish or cancel", err);
		WRITE_ONCE(mig->deadline, 0);
		mutex_unlock(&mig->lock);
		ftm_nl_notify_migration(mig, FTMIGRATE_CMD_MIGRATION_STATE_NTF);
		while (!atomic_read(&mig->finish) && !atomic_read(&mig->cancel))
			schedule_timeout_interruptible(HZ / 10);
		if (!atomic_read(&mig->finish)) {
			ftm_dst_abort(d, -ECANCELED);
			return;
		}
	} else if (mig->orchestrated) {
		while (!atomic_read(&mig->finish) && !atomic_read(&mig->cancel))
			schedule_timeout_interruptible(HZ / 10);
	}
	mutex_lock(&mig->lock);
	mig->committed = true;
	mutex_unlock(&mig->lock);
	ftm_migration_set_state(mig, FTMIGRATE_MIGRATION_STATE_HANDOVER);
	err = ftm_vmreq_call(&d->vm->req, FTM_REQ_RESUME, 0, mig->id, NULL, 0, NULL,
			     FTM_VMREQ_TIMEOUT, NULL, NULL);
	if (err) {
		ftm_migration_fail(mig, FTMIGRATE_MIGRATION_ERROR_VM_LOST,
				   "the vmx did not resume (%d)", err);
		return;
	}
	/* The VM is this host's now: no longer incoming, free to move on. */
	ftm_dst_release_incoming(d->vm);
	ftm_conn_send(&d->conn, FTM_FRAME_RESUMED, NULL, 0);
	ftm_migration_set_state(mig, FTMIGRATE_MIGRATION_STATE_COMPLETED);
}

static int ftm_dst_thread(void *arg)
{
	struct ftm_dst *d = arg;
	struct ftm_net *fn = d->fn;
	struct ftm_migration *mig = NULL;
	u8 secret[FTM_SECRET_MAX];
	u32 secret_len, len;
	u64 id;
	u8 type;
	int err;

	err = ftm_dst_auth(d, &id, secret, &secret_len) ?:
	      ftm_conn_recv(&d->conn, &type, &len);
	if (err)
		goto out;
	if (type == FTM_FRAME_JOIN) {
		ftm_dst_join(d, id);
		goto out;
	}
	if (type != FTM_FRAME_PREPARE)
		goto out;

	mig = ftm_migration_lookup(fn, id);
	if (mig && (mig->role != FTMIGRATE_MIGRATION_ROLE_DESTINATION ||
		    READ_ONCE(mig->state) != FTMIGRATE_MIGRATION_STATE_PREPARED ||
		    memcmp(mig->cookie, d->conn.rx, sizeof(mig->cookie)))) {
		ftm_dst_refuse(d, FTMIGRATE_MIGRATION_ERROR_DEST_REFUSED,
			       "the migration here does not match the cookie");
		goto out;
	}
	if (!mig) {
		char why[FTM_ERROR_MSG_MAX];

		err = ftm_vmotion_prepare(fn, id, d->conn.rx, secret, secret_len,
					  &mig, why, sizeof(why));
		if (err) {
			ftm_dst_refuse(d, FTMIGRATE_MIGRATION_ERROR_DEST_REFUSED, why);
			mig = NULL;
			goto out;
		}
	}
	memzero_explicit(secret, sizeof(secret));

	/* From here on this thread is the migration's thread. */
	mutex_lock(&mig->lock);
	if (mig->thread || !mig->vm || ftm_migration_ended(mig)) {
		mutex_unlock(&mig->lock);
		ftm_dst_refuse(d, FTMIGRATE_MIGRATION_ERROR_DEST_REFUSED,
			       "the migration here is taken or over");
		goto out;
	}
	mig->thread = current;
	d->vm = mig->vm;
	WRITE_ONCE(mig->deadline, jiffies + msecs_to_jiffies(mig->params.timeout_ms));
	mutex_unlock(&mig->lock);
	d->mig = mig;

	d->received = bitmap_zalloc(d->vm->nr_pages, GFP_KERNEL);
	err = -ENOMEM;
	if (d->received) {
		/* Data streams may join from now on, until close_streams. */
		mutex_lock(&mig->lock);
		WRITE_ONCE(mig->rx, d);
		mutex_unlock(&mig->lock);
		ftm_migration_set_state(mig, FTMIGRATE_MIGRATION_STATE_PRECOPY);
		err = ftm_conn_send(&d->conn, FTM_FRAME_PREPARED, NULL, 0) ?:
		      ftm_dst_ftcheck(d) ?: ftm_dst_receive(d);
	}
	ftm_dst_close_streams(d);
	if (err == -ECANCELED && d->stream_err) {
		/* The data streams are gone: nobody writes these any more. */
		err = d->stream_err;
		strscpy(d->msg, d->stream_msg, sizeof(d->msg));
	}
	if (!err) {
		ftm_migration_set_state(mig, FTMIGRATE_MIGRATION_STATE_STUNNED);
		err = ftm_conn_send(&d->conn, FTM_FRAME_READY, NULL, 0);
		if (!err)
			ftm_dst_handover(d);
		else
			ftm_dst_abort(d, err);
	} else {
		ftm_dst_abort(d, err);
	}

	mutex_lock(&mig->lock);
	mig->thread = NULL;
	mutex_unlock(&mig->lock);
	ftm_migration_detach_vm(mig);
out:
	memzero_explicit(secret, sizeof(secret));
	if (mig)
		ftm_migration_put(mig);
	bitmap_free(d->received);
	kvfree(d->state);
	ftm_conn_close(&d->conn);
	kfree(d);
	if (atomic_dec_and_test(&fn->workers))
		wake_up_all(&fn->workers_wq);
	return 0;
}

/**
 * ftm_vmotion_incoming() - the listener accepted a connection
 * @fn: the host
 * @sock: the connection; ownership passes here
 */
void ftm_vmotion_incoming(struct ftm_net *fn, struct socket *sock)
{
	struct task_struct *t;
	struct ftm_dst *d;

	d = kzalloc(sizeof(*d), GFP_KERNEL);
	if (!d || ftm_conn_alloc(&d->conn))
		goto err;
	d->fn = fn;
	d->nr_streams = 1;
	init_waitqueue_head(&d->streams_wq);
	d->conn.sock = sock;
	d->conn.cancelled = ftm_dst_cancelled;
	d->conn.ctx = d;
	atomic_inc(&fn->workers);
	t = kthread_run(ftm_dst_thread, d, "ftm-dst");
	if (!IS_ERR(t))
		return;
	if (atomic_dec_and_test(&fn->workers))
		wake_up_all(&fn->workers_wq);
	d->conn.sock = NULL;
err:
	if (d)
		ftm_conn_close(&d->conn);
	kfree(d);
	sock_release(sock);
}
