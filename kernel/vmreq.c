// SPDX-License-Identifier: GPL-2.0
/*
 * The request channel from the module to a vmx.  A migration thread asks
 * the vmx to act on its VM (start dirty tracking, fetch the dirty bitmap,
 * throttle, stun, resume, power off, load state): the request is queued on
 * the VM, the vmx read()s it from its fd and answers with FTM_IOC_REPLY.
 *
 * One request at a time per VM: only the VM's one migration thread asks.
 * Every wait ends when the vmx answers, when the vmx goes away (its fd is
 * released), or when the migration is cancelled or times out.
 */
#include <linux/poll.h>
#include <linux/sched/signal.h>
#include <linux/slab.h>
#include <linux/uaccess.h>

#include "ftmigrate.h"

void ftm_vmreq_init(struct ftm_vmreq *rq)
{
	spin_lock_init(&rq->lock);
	init_waitqueue_head(&rq->wq);
	mutex_init(&rq->state_lock);
}

/**
 * ftm_vmreq_kill() - the vmx is gone: fail the waits, now and later
 * @rq: the VM's channel
 */
void ftm_vmreq_kill(struct ftm_vmreq *rq)
{
	spin_lock(&rq->lock);
	rq->dead = true;
	rq->queued = false;
	spin_unlock(&rq->lock);
	wake_up_all(&rq->wq);
}

/**
 * ftm_vmreq_set_state() - hand the vmx the incoming device state
 * @rq: the VM's channel
 * @state: kvmalloc()ed blob; the channel owns it from here on
 * @len: its length
 */
void ftm_vmreq_set_state(struct ftm_vmreq *rq, void *state, size_t len)
{
	void *old;

	mutex_lock(&rq->state_lock);
	old = rq->state;
	rq->state = state;
	rq->state_len = len;
	mutex_unlock(&rq->state_lock);
	kvfree(old);
}

/**
 * ftm_vmreq_release() - free what the channel holds
 * @rq: the channel of a VM being freed
 */
void ftm_vmreq_release(struct ftm_vmreq *rq)
{
	kvfree(rq->state);
	rq->state = NULL;
	mutex_destroy(&rq->state_lock);
}

/**
 * ftm_vmreq_call() - ask the vmx and wait for its answer
 * @rq: the VM's channel
 * @type: enum ftm_request_type
 * @arg: the request's argument
 * @migration_id: the migration asking
 * @data: buffer for the reply's data, or NULL
 * @len: for DIRTY_FETCH the exact bitmap size, for STUN the buffer size,
 *	for LOAD_STATE the blob length (no buffer)
 * @got: bytes of data received, out (may be NULL)
 * @timeout: jiffies to wait at most
 * @cancelled: polled while waiting; true ends the wait with -ECANCELED
 * @ctx: argument of @cancelled
 *
 * Return: the vmx's status (0 or a negative errno it chose); -ENODEV if the
 * vmx is gone; -ETIMEDOUT; -ECANCELED.
 */
int ftm_vmreq_call(struct ftm_vmreq *rq, u32 type, u32 arg, u64 migration_id,
		   void *data, size_t len, size_t *got, long timeout,
		   bool (*cancelled)(void *ctx), void *ctx)
{
	long left;
	int err;

	spin_lock(&rq->lock);
	if (rq->dead) {
		spin_unlock(&rq->lock);
		return -ENODEV;
	}
	rq->req = (struct ftm_request){
		.type = type, .arg = arg, .seq = ++rq->seq,
		.migration_id = migration_id, .len = len,
	};
	rq->queued = true;
	rq->pending = type != FTM_REQ_POWER_OFF;
	rq->answered = false;
	rq->status = 0;
	rq->data = data;
	rq->data_len = data ? len : 0;
	rq->data_got = 0;
	spin_unlock(&rq->lock);
	wake_up_all(&rq->wq);

	if (type == FTM_REQ_POWER_OFF)
		return 0;

	/* Wake now and then to look at @cancelled, which has no waitqueue. */
	for (left = timeout; ; ) {
		long t = wait_event_timeout(rq->wq,
					    READ_ONCE(rq->answered) ||
					    READ_ONCE(rq->dead),
					    min_t(long, left, HZ / 10));
		if (t)
			break;
		left -= min_t(long, left, HZ / 10);
		if (cancelled && cancelled(ctx)) {
			err = -ECANCELED;
			goto abandon;
		}
		if (left <= 0) {
			err = -ETIMEDOUT;
			goto abandon;
		}
	}

	spin_lock(&rq->lock);
	if (rq->answered) {
		err = rq->status;
		if (got)
			*got = rq->data_got;
	} else {
		err = -ENODEV;
	}
	rq->pending = false;
	rq->queued = false;
	rq->data = NULL;
	spin_unlock(&rq->lock);
	return err;

abandon:
	/*
	 * A late reply must not write into @data: forget the request, and
	 * wait out a copy already under way before the caller frees @data.
	 */
	spin_lock(&rq->lock);
	rq->pending = false;
	rq->queued = false;
	rq->data = NULL;
	spin_unlock(&rq->lock);
	wait_event(rq->wq, !READ_ONCE(rq->copying));
	return err;
}

/**
 * ftm_vmreq_read() - read(2) of a VM's fd: take the next request
 * @rq: the VM's channel
 * @buf: user buffer
 * @count: its size, at least sizeof(struct ftm_request)
 * @nonblock: O_NONBLOCK
 *
 * Return: sizeof(struct ftm_request), or a negative errno.
 */
ssize_t ftm_vmreq_read(struct ftm_vmreq *rq, char __user *buf, size_t count,
		       bool nonblock)
{
	struct ftm_request req;
	int err;

	if (count < sizeof(req))
		return -EINVAL;
	for (;;) {
		spin_lock(&rq->lock);
		if (rq->queued) {
			req = rq->req;
			rq->queued = false;
			spin_unlock(&rq->lock);
			break;
		}
		spin_unlock(&rq->lock);
		if (nonblock)
			return -EAGAIN;
		err = wait_event_interruptible(rq->wq, READ_ONCE(rq->queued));
		if (err)
			return err;
	}
	if (copy_to_user(buf, &req, sizeof(req))) {
		/* Put it back: the request is not lost to a bad buffer. */
		spin_lock(&rq->lock);
		if (rq->pending && rq->req.seq == req.seq)
			rq->queued = true;
		spin_unlock(&rq->lock);
		return -EFAULT;
	}
	return sizeof(req);
}

__poll_t ftm_vmreq_poll(struct ftm_vmreq *rq, struct file *file, poll_table *wait)
{
	poll_wait(file, &rq->wq, wait);
	return READ_ONCE(rq->queued) ? EPOLLIN | EPOLLRDNORM : 0;
}

/**
 * ftm_vmreq_reply() - FTM_IOC_REPLY: the vmx answers a request
 * @rq: the VM's channel
 * @r: the reply, flags and reserved fields checked
 *
 * The data is copied while the request stays pending, into the buffer the
 * asking thread supplied, so the copy cannot outlive the wait.  The asker
 * is not woken until the copy is done.
 *
 * Return: 0; -ESRCH if no request with that sequence number waits; -EINVAL
 * for a data length the request does not allow; -EFAULT.
 */
int ftm_vmreq_reply(struct ftm_vmreq *rq, const struct ftm_reply *r)
{
	size_t want;
	void *data;
	int err = 0;

	if (r->status > 0 || r->status < -MAX_ERRNO)
		return -EINVAL;
	spin_lock(&rq->lock);
	if (!rq->pending || rq->answered || rq->queued || rq->req.seq != r->seq) {
		spin_unlock(&rq->lock);
		return -ESRCH;
	}
	data = rq->data;
	want = rq->data_len;
	if (!r->status && (rq->req.type == FTM_REQ_DIRTY_FETCH ?
			   r->data_len != want : r->data_len > want)) {
		spin_unlock(&rq->lock);
		return -EINVAL;
	}
	/* An asker giving up waits for !copying before freeing @data. */
	rq->copying = true;
	spin_unlock(&rq->lock);

	if (!r->status && r->data_len &&
	    copy_from_user(data, u64_to_user_ptr(r->data), r->data_len))
		err = -EFAULT;

	spin_lock(&rq->lock);
	rq->copying = false;
	if (err) {
		/* The request stays pending: the vmx may answer again. */
	} else if (!rq->pending || rq->req.seq != r->seq) {
		err = -ESRCH;
	} else {
		rq->status = r->status;
		rq->data_got = r->status ? 0 : r->data_len;
		rq->answered = true;
	}
	spin_unlock(&rq->lock);
	wake_up_all(&rq->wq);
	return err;
}

/**
 * ftm_vmreq_read_state() - FTM_IOC_READ_STATE: copy the incoming blob out
 * @rq: the VM's channel
 * @buf: user buffer
 * @len: its size
 *
 * Return: the blob's length, -ENOENT if there is none, -ENOSPC if @len is
 * too small, -EFAULT.
 */
long ftm_vmreq_read_state(struct ftm_vmreq *rq, void __user *buf, u64 len)
{
	long ret;

	mutex_lock(&rq->state_lock);
	if (!rq->state)
		ret = -ENOENT;
	else if (len < rq->state_len)
		ret = -ENOSPC;
	else if (copy_to_user(buf, rq->state, rq->state_len))
		ret = -EFAULT;
	else
		ret = rq->state_len;
	mutex_unlock(&rq->state_lock);
	return ret;
}
