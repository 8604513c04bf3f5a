// SPDX-License-Identifier: GPL-2.0
/*
 * VMotion, source side: Begin's cookie and Perform.  Perform runs on the
 * migration's own thread:
 *
 *   connect -> authenticate -> Prepare (p2p) -> pre-copy rounds -> stun ->
 *   last dirty pages + device state -> COMPLETE -> READY -> COMMIT ->
 *   RESUMED -> power the source copy off
 *
 * THE POINT OF NO RETURN is the moment this side decides to send COMMIT,
 * after READY said the destination holds every page and has loaded the
 * device state.  Before it, every failure or cancel resumes the source VM
 * and tells the destination to drop its copy.  After it, the source copy
 * never runs again: the destination resumes on COMMIT, or, if COMMIT was
 * lost with the link, waits "in doubt" for its orchestrator's Finish.
 *
 * FT and FTCpt clone instead (ftm_src_clone_done()): after READY the
 * source resumes at once as the primary and COMMIT makes the destination
 * its waiting secondary.  No point of no return exists there: the source
 * runs whatever happens, and a destination without COMMIT drops its copy.
 *
 * Pages are read by the module from the vmx's memfd; once the vmx has
 * answered STUN the module needs nothing more from it, so a source vmx
 * that dies after that point does not stop the migration (the last dirty
 * bitmap is then replaced by "every page").
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/bitmap.h>
#include <linux/delay.h>
#include <linux/ktime.h>
#include <linux/random.h>
#include <linux/slab.h>
#include <linux/workqueue.h>

#include "ftmigrate.h"

#define FTM_VMREQ_TIMEOUT	(30 * HZ)
#define FTM_MAX_ROUNDS		30
#define FTM_THROTTLE_MAX	99

struct ftm_src;

/**
 * struct ftm_src_stream - one data stream of the source
 * @s: the source migration it belongs to
 * @conn: its connection (stream 0 is the control connection, s->conn)
 * @index: the stream's number
 * @work: sends the stream's share of one round
 * @bytes: bytes it sent in the round
 * @pages: pages it sent in the whole migration, for END
 * @err: the round's outcome
 */
struct ftm_src_stream {
	struct ftm_src *s;
	struct ftm_conn *conn;
	unsigned int index;
	struct work_struct work;
	u64 bytes;
	u64 pages;
	int err;
};

struct ftm_src {
	struct ftm_migration *mig;
	struct ftm_vm *vm;
	struct ftm_conn conn;
	unsigned int nr_streams;
	struct ftm_src_stream streams[FTM_STREAMS_MAX];
	struct ftm_conn data_conns[FTM_STREAMS_MAX];
	struct workqueue_struct *wq;
	atomic_t stream_failed;
	__be32 addr;
	__be16 port;
	bool p2p;
	unsigned long *dirty;		/* still to send */
	unsigned long *fetched;		/* the vmx's last DIRTY_FETCH */
	size_t bitmap_bytes;
	void *blob;
	size_t blob_len;
	bool connected;
	bool dirty_started;
	bool stunned;
	bool aborting;
	unsigned long abort_deadline;
	u64 stun_ns;
	u64 start_ns;
	u32 remote_error;
	char remote_msg[FTM_ERROR_MSG_MAX];
};

/**
 * ftm_cookie_build() - Begin's cookie: the VM's identity and memory layout
 * @mig: the source migration, with its VM
 * @cookie: out
 */
void ftm_cookie_build(struct ftm_migration *mig, struct ftm_cookie *cookie)
{
	struct ftm_vm *vm = mig->vm;
	unsigned int i;

	memset(cookie, 0, sizeof(*cookie));
	cookie->magic = cpu_to_be32(FTM_COOKIE_MAGIC);
	cookie->version = cpu_to_be32(FTM_WIRE_VERSION);
	cookie->migration_id = cpu_to_be64(mig->id);
	cookie->type = cpu_to_be32(mig->type->id);
	memcpy(cookie->uuid, vm->uuid, sizeof(cookie->uuid));
	memcpy(cookie->config_sha256, vm->config_sha256,
	       sizeof(cookie->config_sha256));
	mutex_lock(&vm->lock);
	cookie->nr_regions = cpu_to_be32(vm->nr_regions);
	for (i = 0; i < vm->nr_regions; i++) {
		cookie->regions[i].gpa = cpu_to_be64(vm->regions[i].gpa);
		cookie->regions[i].pages = cpu_to_be64(vm->regions[i].pages);
	}
	mutex_unlock(&vm->lock);
}

/*
 * Should a blocked send or receive stop?  On a cancel, the timeout, another
 * data stream's failure in the round, or a source vmx gone before its stun
 * (after it, its memory is all that is needed).  While aborting, only the
 * abort's own short deadline counts, so that a second cancel cannot cut
 * the frame that tells the destination.
 */
static bool ftm_src_cancelled(void *arg)
{
	struct ftm_src *s = arg;

	if (s->aborting)
		return time_after(jiffies, s->abort_deadline);
	return ftm_migration_cancelled(s->mig) || atomic_read(&s->stream_failed) ||
	       (!s->stunned && READ_ONCE(s->vm->req.dead));
}

static int ftm_src_call(struct ftm_src *s, u32 type, u32 arg, void *data,
			size_t len, size_t *got)
{
	return ftm_vmreq_call(&s->vm->req, type, arg, s->mig->id, data, len, got,
			      FTM_VMREQ_TIMEOUT, ftm_migration_cancelled, s->mig);
}

/* A frame from the destination while we stream: only ERROR is allowed. */
static int ftm_src_peer_frame(struct ftm_src *s, u8 type, u32 len)
{
	const struct ftm_error *e = s->conn.rx;

	if (type != FTM_FRAME_ERROR)
		return -EPROTO;
	s->remote_error = be32_to_cpu(e->code);
	strscpy(s->remote_msg, e->msg, sizeof(s->remote_msg));
	return -EREMOTEIO;
}

/*
 * Receive the one frame the protocol expects now on @c.  The destination
 * only speaks on the control connection, but a refusal of a data stream's
 * JOIN comes on that stream, so ERROR is read from either.
 */
static int ftm_src_expect_on(struct ftm_src *s, struct ftm_conn *c, u8 want)
{
	const struct ftm_error *e = c->rx;
	u8 type;
	u32 len;
	int err;

	err = ftm_conn_recv(c, &type, &len);
	if (err)
		return err;
	if (type == want)
		return 0;
	if (c == &s->conn || type != FTM_FRAME_ERROR)
		return ftm_src_peer_frame(s, type, len);
	s->remote_error = be32_to_cpu(e->code);
	strscpy(s->remote_msg, e->msg, sizeof(s->remote_msg));
	return -EREMOTEIO;
}

static int ftm_src_expect(struct ftm_src *s, u8 want)
{
	return ftm_src_expect_on(s, &s->conn, want);
}

/* HELLO, CHALLENGE, AUTH, AUTH_OK on one connection. */
static int ftm_src_auth(struct ftm_src *s, struct ftm_conn *c)
{
	struct ftm_migration *mig = s->mig;
	const struct ftm_challenge *ch = c->rx;
	struct ftm_hello hello;
	u8 mac[FTM_MAC_LEN];
	int err;

	hello.migration_id = cpu_to_be64(mig->id);
	get_random_bytes(hello.nonce, sizeof(hello.nonce));
	err = ftm_conn_send(c, FTM_FRAME_HELLO, &hello, sizeof(hello)) ?:
	      ftm_src_expect_on(s, c, FTM_FRAME_CHALLENGE);
	if (err)
		return err;
	err = ftm_auth_verify(mig->secret, mig->secret_len, "dst", mig->id,
			      hello.nonce, ch->nonce, ch->mac);
	if (err)
		return err;
	err = ftm_auth_mac(mig->secret, mig->secret_len, "src", mig->id,
			   ch->nonce, hello.nonce, mac);
	if (err)
		return err;
	return ftm_conn_send(c, FTM_FRAME_AUTH, mac, sizeof(mac)) ?:
	       ftm_src_expect_on(s, c, FTM_FRAME_AUTH_OK);
}

/*
 * Hold the data streams to the bandwidth cap, measured over the round: each
 * of the streams keeps to its share.
 */
static void ftm_src_pace(struct ftm_src *s, u64 round_start_ns, u64 round_bytes)
{
	u64 cap = div_u64(READ_ONCE(s->mig->params.max_bandwidth), s->nr_streams);
	u64 due_ns, now;

	if (!cap)
		return;
	due_ns = round_start_ns + div64_u64(round_bytes * NSEC_PER_SEC, cap);
	/* Sleep in ticks, so that a cancel is seen while paced. */
	while ((now = ktime_get_ns()) < due_ns && !ftm_src_cancelled(s))
		schedule_timeout_interruptible(min_t(unsigned long,
						     nsecs_to_jiffies(due_ns - now) ?: 1,
						     HZ / 10));
}

/* The next dirty page at or after @page that belongs to stream @st. */
static unsigned long ftm_src_next_page(struct ftm_src_stream *st, unsigned long page)
{
	struct ftm_src *s = st->s;
	unsigned long nr = s->vm->nr_pages, chunk, end;

	while (page < nr) {
		chunk = page / FTM_STREAM_CHUNK;
		if (chunk % s->nr_streams != st->index) {
			/* Skip to this stream's next chunk. */
			chunk += (st->index + s->nr_streams - chunk % s->nr_streams) %
				 s->nr_streams;
			page = chunk * FTM_STREAM_CHUNK;
			continue;
		}
		end = min_t(unsigned long, nr, (chunk + 1) * FTM_STREAM_CHUNK);
		page = find_next_bit(s->dirty, end, page);
		if (page < end)
			return page;
		page = end;
	}
	return nr;
}

/*
 * Account for a frame's pages in the migration's progress; what is left of
 * the round counts down with them, for a progress bar.
 */
static void ftm_src_count(struct ftm_migration *mig, u32 pages, u32 zero)
{
	mutex_lock(&mig->lock);
	mig->stats.pages_sent += pages;
	mig->stats.zero_pages += zero;
	mig->stats.bytes_sent += (u64)(pages - zero) * PAGE_SIZE;
	mig->stats.bytes_left -= min_t(u64, mig->stats.bytes_left,
				       (u64)pages * PAGE_SIZE);
	mutex_unlock(&mig->lock);
}

/*
 * Send every page of stream @st whose bit is set in s->dirty, clearing the
 * bits (atomically: the streams' chunks share no bitmap word, but the
 * clearing must not race with another stream's reads).  A frame is built
 * in the connection's tx buffer as count, entries, pages; the pages are
 * staged after room for a full frame of entries and moved down for a short
 * last frame.
 */
static int ftm_src_send_stream(struct ftm_src_stream *st)
{
	struct ftm_src *s = st->s;
	struct ftm_conn *c = st->conn;
	u8 *tx = c->tx;
	__be64 *entries = (__be64 *)(tx + sizeof(__be32));
	u8 *stage = tx + sizeof(__be32) + FTM_PAGES_PER_FRAME * sizeof(__be64);
	u64 start_ns = ktime_get_ns(), sent0 = c->tx_bytes;
	unsigned long page = 0;
	u32 n = 0, zero = 0, data = 0;
	int err;

	st->bytes = 0;
	for (;;) {
		page = ftm_src_next_page(st, page);
		if (page < s->vm->nr_pages) {
			u64 gpa = ftm_mem_page_gpa(s->vm, page);

			err = ftm_mem_read_page(s->vm, page, stage + data);
			if (err < 0)
				return err;
			clear_bit(page, s->dirty);
			entries[n++] = cpu_to_be64(gpa | (err ? FTM_PAGE_ZERO : 0));
			if (err)
				zero++;
			else
				data += PAGE_SIZE;
			page++;
			if (n < FTM_PAGES_PER_FRAME)
				continue;
		}
		if (!n)
			break;
		*(__be32 *)tx = cpu_to_be32(n);
		if (n < FTM_PAGES_PER_FRAME)
			memmove(tx + sizeof(__be32) + n * sizeof(__be64), stage, data);
		err = ftm_conn_send(c, FTM_FRAME_PAGES, NULL,
				    sizeof(__be32) + n * sizeof(__be64) + data);
		if (err)
			return err;
		ftm_src_count(s->mig, n, zero);
		st->pages += n;
		n = 0;
		zero = 0;
		data = 0;
		/* Only the control connection carries the destination's word. */
		if (c == &s->conn && ftm_conn_readable(c)) {
			u8 type;
			u32 len;

			err = ftm_conn_recv(c, &type, &len);
			return err ?: ftm_src_peer_frame(s, type, len);
		}
		ftm_src_pace(s, start_ns, c->tx_bytes - sent0);
		cond_resched();
	}
	st->bytes = c->tx_bytes - sent0;
	return 0;
}

static void ftm_src_stream_work(struct work_struct *work)
{
	struct ftm_src_stream *st = container_of(work, struct ftm_src_stream, work);

	st->err = ftm_src_send_stream(st);
	if (st->err)
		atomic_set(&st->s->stream_failed, 1);
}

/*
 * Send every dirty page: the data streams' shares from the workqueue, the
 * control connection's here.  The first error wins, the control
 * connection's first (it carries the destination's reason).
 */
static int ftm_src_send_dirty(struct ftm_src *s, u64 *bytes)
{
	unsigned int i;
	int err;

	atomic_set(&s->stream_failed, 0);
	for (i = 1; i < s->nr_streams; i++)
		queue_work(s->wq, &s->streams[i].work);
	err = ftm_src_send_stream(&s->streams[0]);
	if (err)
		atomic_set(&s->stream_failed, 1);
	*bytes = s->streams[0].bytes;
	for (i = 1; i < s->nr_streams; i++) {
		flush_work(&s->streams[i].work);
		/* -ECANCELED may only be the others stopping for this one. */
		if (s->streams[i].err && (!err || err == -ECANCELED))
			err = s->streams[i].err;
		*bytes += s->streams[i].bytes;
	}
	if (err && err != -EREMOTEIO && ftm_conn_readable(&s->conn)) {
		/* A stream broke because the destination gave up: say why. */
		u8 type;
		u32 len;

		if (!ftm_conn_recv(&s->conn, &type, &len))
			err = ftm_src_peer_frame(s, type, len);
	}
	return err;
}

/* Open, authenticate and JOIN the data streams 1 .. nr_streams - 1. */
static int ftm_src_open_streams(struct ftm_src *s)
{
	struct ftm_join join = { .streams = cpu_to_be32(s->nr_streams) };
	unsigned int i;
	int err;

	s->streams[0] = (struct ftm_src_stream){ .s = s, .conn = &s->conn };
	if (s->nr_streams == 1)
		return 0;
	s->wq = alloc_workqueue("ftm-src/%llu", WQ_UNBOUND, s->nr_streams - 1,
				s->mig->id);
	if (!s->wq)
		return -ENOMEM;
	for (i = 1; i < s->nr_streams; i++) {
		struct ftm_conn *c = &s->data_conns[i];

		s->streams[i] = (struct ftm_src_stream){ .s = s, .conn = c, .index = i };
		INIT_WORK(&s->streams[i].work, ftm_src_stream_work);
		c->cancelled = ftm_src_cancelled;
		c->ctx = s;
		join.stream = cpu_to_be32(i);
		err = ftm_conn_connect(c, s->mig->fn->net, s->addr, s->port) ?:
		      ftm_src_auth(s, c) ?:
		      ftm_conn_send(c, FTM_FRAME_JOIN, &join, sizeof(join)) ?:
		      ftm_src_expect_on(s, c, FTM_FRAME_JOINED);
		if (err)
			return err;
	}
	return 0;
}

/* Every data stream says how many pages it carried: nothing is in flight. */
static int ftm_src_end_streams(struct ftm_src *s)
{
	struct ftm_stream_end end;
	unsigned int i;
	int err;

	for (i = 1; i < s->nr_streams; i++) {
		end.pages = cpu_to_be64(s->streams[i].pages);
		err = ftm_conn_send(s->streams[i].conn, FTM_FRAME_END, &end,
				    sizeof(end));
		if (err)
			return err;
	}
	return 0;
}

static void ftm_src_close_streams(struct ftm_src *s)
{
	unsigned int i;

	if (s->wq)
		destroy_workqueue(s->wq);
	for (i = 1; i < FTM_STREAMS_MAX; i++)
		ftm_conn_close(&s->data_conns[i]);
}

/*
 * Add the pages dirtied since the last fetch to those still to send: the
 * last pre-copy round's fetch is sent only after the stun, together with
 * the stun's own fetch.
 */
static int ftm_src_fetch_dirty(struct ftm_src *s, u64 *dirty)
{
	size_t got;
	int err;

	err = ftm_src_call(s, FTM_REQ_DIRTY_FETCH, 0, s->fetched, s->bitmap_bytes,
			   &got);
	if (err)
		return err;
	/*
	 * Added to what is still to send: at the stun, the pages dirtied in
	 * the last pre-copy round are not sent yet and must not be lost.
	 * Bits past the last page are the vmx's padding: ignore them.
	 */
	if (s->vm->nr_pages % BITS_PER_LONG)
		s->fetched[s->vm->nr_pages / BITS_PER_LONG] &=
			BITMAP_LAST_WORD_MASK(s->vm->nr_pages);
	bitmap_or(s->dirty, s->dirty, s->fetched, s->vm->nr_pages);
	*dirty = bitmap_weight(s->dirty, s->vm->nr_pages);
	return 0;
}

/* Pre-copy rounds until what is left fits the downtime limit. */
static int ftm_src_precopy(struct ftm_src *s)
{
	struct ftm_migration *mig = s->mig;
	u64 dirty = s->vm->nr_pages, prev_dirty = U64_MAX, bytes, t0, ns;
	u32 throttle = 0, round;
	int err;

	err = ftm_src_call(s, FTM_REQ_DIRTY_START, 0, NULL, 0, NULL);
	if (err)
		return err;
	s->dirty_started = true;
	bitmap_fill(s->dirty, s->vm->nr_pages);
	mutex_lock(&mig->lock);
	mig->stats.bytes_left = dirty * PAGE_SIZE;
	mutex_unlock(&mig->lock);

	for (round = 1; ; round++) {
		u64 bw, expected_ms;

		t0 = ktime_get_ns();
		err = ftm_src_send_dirty(s, &bytes);
		if (err)
			return err;
		err = ftm_src_fetch_dirty(s, &dirty);
		if (err)
			return err;
		ns = max_t(u64, ktime_get_ns() - t0, 1);
		bw = div64_u64(bytes * NSEC_PER_SEC, ns);
		expected_ms = bw ? div64_u64(dirty * PAGE_SIZE * MSEC_PER_SEC, bw) :
			      U32_MAX;

		mutex_lock(&mig->lock);
		mig->stats.round = round;
		mig->stats.bytes_left = dirty * PAGE_SIZE;
		mig->stats.dirty_rate = div64_u64(dirty * NSEC_PER_SEC, ns);
		mig->stats.bandwidth = bw;
		mig->stats.expected_downtime_ms = min_t(u64, expected_ms, U32_MAX);
		mig->stats.throttle = throttle;
		mutex_unlock(&mig->lock);
		ftm_migration_progress(mig);

		if (expected_ms <= READ_ONCE(mig->params.downtime_ms) ||
		    round >= FTM_MAX_ROUNDS)
			return 0;

		/* Auto-converge: a round that did not shrink the dirty set. */
		if (dirty * 10 >= prev_dirty * 9 && mig->params.throttle_step &&
		    throttle < FTM_THROTTLE_MAX) {
			throttle = min_t(u32, throttle + READ_ONCE(mig->params.throttle_step),
					 FTM_THROTTLE_MAX);
			err = ftm_src_call(s, FTM_REQ_THROTTLE, throttle, NULL, 0, NULL);
			if (err)
				return err;
		}
		prev_dirty = dirty;
	}
}

static int ftm_src_send_state(struct ftm_src *s)
{
	struct ftm_state_chunk *hdr = s->conn.tx;
	size_t off = 0, n;
	int err;

	do {
		n = min_t(size_t, s->blob_len - off, FTM_STATE_CHUNK);
		hdr->offset = cpu_to_be64(off);
		hdr->total = cpu_to_be64(s->blob_len);
		memcpy(hdr + 1, s->blob + off, n);
		err = ftm_conn_send(&s->conn, FTM_FRAME_STATE, NULL, sizeof(*hdr) + n);
		if (err)
			return err;
		off += n;
	} while (off < s->blob_len);
	return 0;
}

/* Stun, send the rest, and wait until the destination has everything. */
static int ftm_src_switchover(struct ftm_src *s)
{
	struct ftm_migration *mig = s->mig;
	struct ftm_complete done;
	u64 dirty, bytes;
	int err;

	ftm_migration_set_state(mig, FTMIGRATE_MIGRATION_STATE_STUNNED);
	s->stun_ns = ktime_get_ns();
	s->blob = kvmalloc(FTM_STATE_MAX, GFP_KERNEL);
	if (!s->blob)
		return -ENOMEM;
	err = ftm_src_call(s, FTM_REQ_STUN, 0, s->blob, FTM_STATE_MAX, &s->blob_len);
	if (err)
		return err;
	s->stunned = true;
	if (!s->blob_len)
		return -EINVAL;

	err = ftm_src_fetch_dirty(s, &dirty);
	if (err == -ENODEV) {
		/* The vmx died stunned: its memory is still ours to send. */
		bitmap_fill(s->dirty, s->vm->nr_pages);
	} else if (err) {
		return err;
	}
	err = ftm_src_send_dirty(s, &bytes) ?: ftm_src_end_streams(s) ?:
	      ftm_src_send_state(s);
	if (err)
		return err;
	mutex_lock(&mig->lock);
	mig->stats.round++;
	mig->stats.bytes_left = 0;
	mutex_unlock(&mig->lock);
	ftm_migration_progress(mig);

	mutex_lock(&mig->lock);
	done.pages = cpu_to_be64(mig->stats.pages_sent);
	mutex_unlock(&mig->lock);
	done.state_len = cpu_to_be64(s->blob_len);
	return ftm_conn_send(&s->conn, FTM_FRAME_COMPLETE, &done, sizeof(done)) ?:
	       ftm_src_expect(s, FTM_FRAME_READY);
}

/* Map an errno of the source's steps to the outcome's error code. */
static u32 ftm_src_error_code(struct ftm_src *s, int err)
{
	switch (err) {
	case -EREMOTEIO:
		return s->remote_error ?: FTMIGRATE_MIGRATION_ERROR_DEST_REFUSED;
	case -EACCES:
		return FTMIGRATE_MIGRATION_ERROR_AUTH_FAILED;
	case -EPROTO:
	case -EBADMSG:
		return FTMIGRATE_MIGRATION_ERROR_PROTOCOL;
	case -ECANCELED:
		return FTMIGRATE_MIGRATION_ERROR_TIMEOUT;
	case -ENODEV:
		return FTMIGRATE_MIGRATION_ERROR_VM_LOST;
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

/* Before the point of no return: the source runs again, the dest drops. */
static void ftm_src_abort(struct ftm_src *s, int err, const char *step)
{
	struct ftm_migration *mig = s->mig;
	u32 code = ftm_src_error_code(s, err);
	struct ftm_error e = { .code = cpu_to_be32(code) };
	int rerr = 0;

	if (s->connected && err != -EREMOTEIO && code != FTMIGRATE_MIGRATION_ERROR_PEER_LOST) {
		/* Tell the destination, briefly; it drops its copy either way. */
		s->abort_deadline = jiffies + HZ;
		s->aborting = true;
		snprintf(e.msg, sizeof(e.msg), "source: %s failed (%d)", step, err);
		if (READ_ONCE(mig->cancel_requested))
			ftm_conn_send(&s->conn, FTM_FRAME_CANCEL, NULL, 0);
		else
			ftm_conn_send(&s->conn, FTM_FRAME_ERROR, &e, sizeof(e));
	}
	if (s->dirty_started || s->stunned)
		rerr = ftm_vmreq_call(&s->vm->req, FTM_REQ_RESUME, 0, mig->id, NULL,
				      0, NULL, FTM_VMREQ_TIMEOUT, NULL, NULL);
	if (err == -EREMOTEIO)
		ftm_migration_fail(mig, code, "destination: %s", s->remote_msg);
	else if (rerr && rerr != -ENODEV)
		ftm_migration_fail(mig, code, "%s failed (%d); resuming the source failed (%d)",
				   step, err, rerr);
	else
		ftm_migration_fail(mig, code, "%s failed (%d)", step, err);
}

/*
 * READY came: commit to the handover unless a cancel came first.  From here
 * on a cancel answers EALREADY and the timeout no longer applies.
 */
static bool ftm_src_commit(struct ftm_migration *mig)
{
	bool cancelled;

	mutex_lock(&mig->lock);
	cancelled = mig->cancel_requested;
	if (!cancelled)
		mig->committed = true;
	mutex_unlock(&mig->lock);
	if (cancelled)
		return false;
	atomic_set(&mig->cancel, 0);
	WRITE_ONCE(mig->deadline, 0);
	ftm_migration_set_state(mig, FTMIGRATE_MIGRATION_STATE_HANDOVER);
	return true;
}

/* Stun to resume (or to the end), and Perform to the end, for the events. */
static void ftm_src_times(struct ftm_src *s)
{
	struct ftm_migration *mig = s->mig;

	mutex_lock(&mig->lock);
	mig->stats.downtime_ms = div_u64(ktime_get_ns() - s->stun_ns, NSEC_PER_MSEC);
	mig->stats.total_ms = div_u64(ktime_get_ns() - s->start_ns, NSEC_PER_MSEC);
	mutex_unlock(&mig->lock);
}

/*
 * FT and FTCpt, READY came: the destination holds the clone.  The source
 * resumes at once as the primary (FTCpt_MigrateSourceSucceeded: no
 * migration cleanup, no disk cleanup), then COMMIT makes the destination
 * wait as its secondary.
 */
static void ftm_src_clone_done(struct ftm_src *s)
{
	struct ftm_migration *mig = s->mig;
	struct ftm_ft_info ft = {
		.role = FTMIGRATE_FT_ROLE_PRIMARY,
		.state = FTMIGRATE_FT_STATE_PROTECTED,
		.pair_id = mig->id,
	};
	u8 type;
	u32 len;
	int err;

	if (!ftm_src_commit(mig)) {
		ftm_src_abort(s, -ECANCELED, "switchover");
		return;
	}
	err = ftm_vmreq_call(&s->vm->req, FTM_REQ_RESUME, 0, mig->id, NULL, 0, NULL,
			     FTM_VMREQ_TIMEOUT, NULL, NULL);
	ftm_src_times(s);
	if (err) {
		/* No primary: the clone must not outlive it as a secondary. */
		struct ftm_error e = { .code = cpu_to_be32(FTMIGRATE_MIGRATION_ERROR_VM_LOST) };

		strscpy(e.msg, "source: the primary did not resume", sizeof(e.msg));
		ftm_conn_send(&s->conn, FTM_FRAME_ERROR, &e, sizeof(e));
		ftm_migration_fail(mig, FTMIGRATE_MIGRATION_ERROR_VM_LOST,
				   "the source did not resume as the primary (%d)", err);
		return;
	}
	err = ftm_conn_send(&s->conn, FTM_FRAME_COMMIT, NULL, 0) ?:
	      ftm_conn_recv(&s->conn, &type, &len);
	if (!err && type != FTM_FRAME_RESUMED)
		err = ftm_src_peer_frame(s, type, len);
	if (err) {
		ftm_migration_fail(mig, err == -EREMOTEIO ? s->remote_error :
				   FTMIGRATE_MIGRATION_ERROR_PEER_LOST,
				   "the secondary was not confirmed (%d); the primary runs unprotected",
				   err);
		return;
	}
	strscpy(ft.fence, mig->fence, sizeof(ft.fence));
	ftm_ft_set(s->vm, &ft);
	ftm_migration_set_state(mig, FTMIGRATE_MIGRATION_STATE_COMPLETED);
}

static int ftm_src_thread(void *arg)
{
	struct ftm_migration *mig = arg;
	struct ftm_src *s;
	const char *step;
	u8 type;
	u32 len;
	int err;

	s = kzalloc(sizeof(*s), GFP_KERNEL);
	if (!s) {
		ftm_migration_fail(mig, FTMIGRATE_MIGRATION_ERROR_LOCAL, "out of memory");
		return -ENOMEM;
	}
	s->mig = mig;
	s->vm = mig->vm;
	s->addr = mig->peer_addr;
	s->port = mig->peer_port;
	s->start_ns = ktime_get_ns();
	s->conn.cancelled = ftm_src_cancelled;
	s->conn.ctx = s;
	mutex_lock(&mig->lock);
	s->nr_streams = clamp_t(u32, mig->params.streams, 1, FTM_STREAMS_MAX);
	mutex_unlock(&mig->lock);
	s->bitmap_bytes = BITS_TO_LONGS(s->vm->nr_pages) * sizeof(long);
	s->dirty = kvzalloc(s->bitmap_bytes, GFP_KERNEL);
	s->fetched = kvzalloc(s->bitmap_bytes, GFP_KERNEL);
	err = -ENOMEM;
	step = "setup";
	if (!s->dirty || !s->fetched)
		goto abort;

	step = "connect";
	ftm_migration_set_state(mig, FTMIGRATE_MIGRATION_STATE_CONNECTING);
	err = ftm_conn_connect(&s->conn, mig->fn->net, s->addr, s->port);
	if (err) {
		if (err != -ECANCELED) {
			ftm_migration_fail(mig, FTMIGRATE_MIGRATION_ERROR_CONNECT_FAILED,
					   "connecting to %pI4:%u: error %d", &s->addr,
					   ntohs(s->port), err);
			goto out;
		}
		goto abort;
	}
	s->connected = true;
	step = "authentication";
	ftm_migration_set_state(mig, FTMIGRATE_MIGRATION_STATE_AUTHENTICATING);
	err = ftm_src_auth(s, &s->conn);
	if (err)
		goto abort;
	step = "prepare";
	err = ftm_conn_send(&s->conn, FTM_FRAME_PREPARE, mig->cookie,
			    sizeof(mig->cookie)) ?:
	      ftm_src_expect(s, FTM_FRAME_PREPARED);
	if (err)
		goto abort;
	if (ftm_type_clones(mig->type)) {
		step = "FTCheck";
		err = ftm_ftcheck_send(&s->conn, mig) ?:
		      ftm_src_expect(s, FTM_FRAME_FTCHECK_OK);
		if (err)
			goto abort;
	}
	step = "data streams";
	err = ftm_src_open_streams(s);
	if (err)
		goto abort;
	step = "pre-copy";
	ftm_migration_set_state(mig, FTMIGRATE_MIGRATION_STATE_PRECOPY);
	err = ftm_src_precopy(s);
	if (err)
		goto abort;
	step = "switchover";
	err = ftm_src_switchover(s);
	if (err)
		goto abort;

	if (ftm_type_clones(mig->type)) {
		ftm_src_clone_done(s);
		goto out;
	}

	/* The point of no return (see the top of this file). */
	if (!ftm_src_commit(mig)) {
		err = -ECANCELED;
		goto abort;
	}
	err = ftm_conn_send(&s->conn, FTM_FRAME_COMMIT, NULL, 0) ?:
	      ftm_conn_recv(&s->conn, &type, &len);
	if (!err && type != FTM_FRAME_RESUMED)
		err = -EPROTO;
	/* Whatever the destination says now, this copy must never run. */
	ftm_vmreq_call(&s->vm->req, FTM_REQ_POWER_OFF, 0, mig->id, NULL, 0, NULL,
		       0, NULL, NULL);
	ftm_src_times(s);
	if (err)
		ftm_migration_fail(mig, FTMIGRATE_MIGRATION_ERROR_PEER_LOST,
				   "handed over, but the destination did not confirm its resume (%d): it waits for Finish",
				   err);
	else
		ftm_migration_set_state(mig, FTMIGRATE_MIGRATION_STATE_COMPLETED);
	goto out;

abort:
	/* Stopped because the vmx went away: say so, not "cancelled". */
	if (err == -ECANCELED && !s->stunned && READ_ONCE(s->vm->req.dead))
		err = -ENODEV;
	mutex_lock(&mig->lock);
	mig->stats.total_ms = div_u64(ktime_get_ns() - s->start_ns, NSEC_PER_MSEC);
	mutex_unlock(&mig->lock);
	ftm_src_abort(s, err, step);
out:
	ftm_src_close_streams(s);
	ftm_conn_close(&s->conn);
	kvfree(s->blob);
	kvfree(s->fetched);
	kvfree(s->dirty);
	kfree(s);
	return 0;
}

/**
 * ftm_vmotion_perform() - Perform: start the source's migration thread
 * @mig: a Begun source migration
 * @addr: the destination's listener address
 * @port: its port
 * @p2p: run the destination's Prepare and Finish over the transport
 *
 * Return: 0 (the outcome comes as events), -EINVAL if not Begun, or the
 * errno of starting the thread.
 */
int ftm_vmotion_perform(struct ftm_migration *mig, __be32 addr, __be16 port,
			bool p2p)
{
	int err;

	mutex_lock(&mig->lock);
	if (READ_ONCE(mig->state) != FTMIGRATE_MIGRATION_STATE_BEGUN || mig->thread ||
	    !mig->vm) {
		mutex_unlock(&mig->lock);
		return -EINVAL;
	}
	mig->peer_addr = addr;
	mig->peer_port = port;
	WRITE_ONCE(mig->deadline, jiffies + msecs_to_jiffies(mig->params.timeout_ms));
	mutex_unlock(&mig->lock);
	err = ftm_migration_start(mig, ftm_src_thread, "src");
	return err;
}
