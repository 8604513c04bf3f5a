// SPDX-License-Identifier: GPL-2.0
/*
 * The transport: kernel TCP sockets between the hosts' modules.  Each host
 * has at most one listener (its address set over netlink); a source
 * connects to the destination's.  Frames (frame.h) travel over a
 * connection; the helpers here send and receive whole frames and check
 * every received byte before the caller sees it.
 *
 * Sockets have short timeouts so that blocked sends and receives come back
 * regularly to look at the migration's cancel flag; a peer that stays
 * silent for FTM_PEER_SILENCE is lost (a dead host, a cut link or 100%
 * loss all look like this).  Silence counts both ways: a receive that gets
 * nothing, and data sent that the peer does not acknowledge
 * (TCP_USER_TIMEOUT), since a sender whose bytes still fit in its socket
 * buffer never blocks and would not notice a cut link otherwise.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/delay.h>
#include <linux/in.h>
#include <linux/kthread.h>
#include <linux/net.h>
#include <linux/slab.h>
#include <linux/tcp.h>
#include <linux/uio.h>
#include <net/sock.h>
#include <net/tcp.h>

#include "ftmigrate.h"
#include "frame.h"

#define FTM_SOCK_TICK		(HZ / 5)
#define FTM_CONNECT_TIMEOUT	(5 * HZ)

/**
 * struct ftm_listener - a host's migration listener
 * @fn: the host
 * @sock: the listening socket
 * @thread: accepts connections and hands them to the destination side
 * @addr: address it listens on
 * @port: port it listens on
 */
struct ftm_listener {
	struct ftm_net *fn;
	struct socket *sock;
	struct task_struct *thread;
	__be32 addr;
	__be16 port;
};

static void ftm_sock_setup(struct socket *sock)
{
	struct sock *sk = sock->sk;

	lock_sock(sk);
	sk->sk_sndtimeo = FTM_SOCK_TICK;
	sk->sk_rcvtimeo = FTM_SOCK_TICK;
	/* Large buffers: a page stream wants a full window in flight. */
	sk->sk_userlocks |= SOCK_SNDBUF_LOCK | SOCK_RCVBUF_LOCK;
	sk->sk_sndbuf = 4 * 1024 * 1024;
	sk->sk_rcvbuf = 4 * 1024 * 1024;
	release_sock(sk);
	tcp_sock_set_nodelay(sk);
	tcp_sock_set_user_timeout(sk, jiffies_to_msecs(FTM_PEER_SILENCE));
}

static int ftm_listener_thread(void *arg)
{
	struct ftm_listener *l = arg;
	struct socket *newsock;
	int err;

	while (!kthread_should_stop()) {
		err = kernel_accept(l->sock, &newsock, 0);
		if (err) {
			/* The tick, or a failed handshake: look again. */
			if (err != -EAGAIN)
				schedule_timeout_interruptible(FTM_SOCK_TICK);
			continue;
		}
		ftm_sock_setup(newsock);
		ftm_vmotion_incoming(l->fn, newsock);
	}
	return 0;
}

static void ftm_listener_free(struct ftm_listener *l)
{
	if (l->thread)
		kthread_stop(l->thread);
	sock_release(l->sock);
	kfree(l);
}

/**
 * ftm_listener_set() - open, move or close a host's listener
 * @fn: the host
 * @addr: IPv4 address, network order (0 for any)
 * @port: TCP port, network order; 0 closes the listener
 *
 * Return: 0 or a negative errno (-EADDRINUSE and friends from bind).
 */
int ftm_listener_set(struct ftm_net *fn, __be32 addr, __be16 port)
{
	struct sockaddr_in sin = {
		.sin_family = AF_INET, .sin_addr.s_addr = addr, .sin_port = port,
	};
	struct ftm_listener *l = NULL, *old;
	int err;

	if (port) {
		l = kzalloc(sizeof(*l), GFP_KERNEL);
		if (!l)
			return -ENOMEM;
		l->fn = fn;
		l->addr = addr;
		l->port = port;
		err = sock_create_kern(fn->net, AF_INET, SOCK_STREAM, IPPROTO_TCP,
				       &l->sock);
		if (err)
			goto err_free;
		sock_set_reuseaddr(l->sock->sk);
		l->sock->sk->sk_rcvtimeo = FTM_SOCK_TICK;
		err = kernel_bind(l->sock, (struct sockaddr *)&sin, sizeof(sin));
		if (!err)
			err = kernel_listen(l->sock, 16);
		if (err)
			goto err_sock;
	}

	mutex_lock(&fn->listener_lock);
	old = fn->listener;
	fn->listener = l;
	if (l) {
		l->thread = kthread_run(ftm_listener_thread, l, "ftm-listen");
		if (IS_ERR(l->thread)) {
			err = PTR_ERR(l->thread);
			l->thread = NULL;
			fn->listener = old;
			mutex_unlock(&fn->listener_lock);
			goto err_sock;
		}
	}
	mutex_unlock(&fn->listener_lock);
	if (old)
		ftm_listener_free(old);
	return 0;

err_sock:
	sock_release(l->sock);
err_free:
	kfree(l);
	return err;
}

/**
 * ftm_listener_get() - the host's listener address
 * @fn: the host
 * @addr: out, network order
 * @port: out, network order; 0 when closed
 */
void ftm_listener_get(struct ftm_net *fn, __be32 *addr, __be16 *port)
{
	mutex_lock(&fn->listener_lock);
	*addr = fn->listener ? fn->listener->addr : 0;
	*port = fn->listener ? fn->listener->port : 0;
	mutex_unlock(&fn->listener_lock);
}

/**
 * ftm_listener_close() - close a host's listener, at netns exit
 * @fn: the host
 */
void ftm_listener_close(struct ftm_net *fn)
{
	ftm_listener_set(fn, 0, 0);
}

/**
 * ftm_conn_connect() - connect to a destination's listener
 * @c: the connection, zeroed but for @c->cancelled and @c->ctx
 * @net: the source host's namespace
 * @addr: destination address, network order
 * @port: destination port, network order
 *
 * Return: 0, -ECANCELED, or another negative errno (refused, unreachable,
 * -ETIMEDOUT).
 */
int ftm_conn_connect(struct ftm_conn *c, struct net *net, __be32 addr,
		     __be16 port)
{
	struct sockaddr_in sin = {
		.sin_family = AF_INET, .sin_addr.s_addr = addr, .sin_port = port,
	};
	unsigned long deadline = jiffies + FTM_CONNECT_TIMEOUT;
	struct sock *sk;
	int err;

	err = ftm_conn_alloc(c);
	if (err)
		return err;
	err = sock_create_kern(net, AF_INET, SOCK_STREAM, IPPROTO_TCP, &c->sock);
	if (err)
		return err;
	ftm_sock_setup(c->sock);
	sk = c->sock->sk;
	err = kernel_connect(c->sock, (struct sockaddr *)&sin, sizeof(sin),
			     O_NONBLOCK);
	if (err != -EINPROGRESS)
		return err;
	for (;;) {
		if (READ_ONCE(sk->sk_state) == TCP_ESTABLISHED)
			return 0;
		if (READ_ONCE(sk->sk_err))
			return -READ_ONCE(sk->sk_err);
		if (READ_ONCE(sk->sk_state) == TCP_CLOSE)
			return -ECONNREFUSED;
		if (c->cancelled(c->ctx))
			return -ECANCELED;
		if (time_after(jiffies, deadline))
			return -ETIMEDOUT;
		schedule_timeout_interruptible(HZ / 50);
	}
}

/**
 * ftm_conn_alloc() - allocate a connection's buffers
 * @c: the connection
 *
 * Return: 0 or -ENOMEM.
 */
int ftm_conn_alloc(struct ftm_conn *c)
{
	c->rx = kvmalloc(FTM_FRAME_MAX, GFP_KERNEL);
	c->tx = kvmalloc(FTM_FRAME_MAX, GFP_KERNEL);
	return c->rx && c->tx ? 0 : -ENOMEM;
}

/**
 * ftm_conn_close() - close a connection and free its buffers
 * @c: the connection; may be partly set up
 */
void ftm_conn_close(struct ftm_conn *c)
{
	if (c->sock) {
		kernel_sock_shutdown(c->sock, SHUT_RDWR);
		sock_release(c->sock);
		c->sock = NULL;
	}
	kvfree(c->rx);
	kvfree(c->tx);
	c->rx = NULL;
	c->tx = NULL;
}

/* Send or receive all of @msg's iterator, coming back every tick. */
static int ftm_conn_xfer(struct ftm_conn *c, struct msghdr *msg, bool send)
{
	unsigned long last = jiffies;
	int ret;

	while (msg_data_left(msg)) {
		if (c->cancelled(c->ctx))
			return -ECANCELED;
		if (send)
			ret = sock_sendmsg(c->sock, msg);
		else
			ret = sock_recvmsg(c->sock, msg, msg->msg_flags);
		if (ret > 0) {
			last = jiffies;
			if (send)
				c->tx_bytes += ret;
			continue;
		}
		if (ret == 0)
			return -ECONNRESET;	/* the peer closed */
		if (ret != -EAGAIN && ret != -EINTR && ret != -ERESTARTSYS)
			return ret == -EPIPE ? -ECONNRESET : ret;
		if (!c->quiet_ok && time_after(jiffies, last + FTM_PEER_SILENCE))
			return -ETIMEDOUT;
	}
	return 0;
}

/**
 * ftm_conn_send() - send one frame
 * @c: the connection
 * @type: enum ftm_frame_type
 * @payload: the payload, or NULL when it is already in @c->tx
 * @len: its length, at most FTM_FRAME_MAX
 *
 * A send cut short (a cancel, an error) after part of the frame went out
 * leaves the stream unusable: every later send fails with -EPIPE, so that
 * no frame follows the torn one.
 *
 * Return: 0, -ECANCELED, -ETIMEDOUT (silent peer), -ECONNRESET, -EPIPE, or
 * another socket error.
 */
int ftm_conn_send(struct ftm_conn *c, u8 type, const void *payload, u32 len)
{
	struct ftm_frame_hdr hdr;
	struct kvec vec[2];
	struct msghdr msg = { .msg_flags = MSG_NOSIGNAL };
	int err;

	if (WARN_ON_ONCE(len > FTM_FRAME_MAX))
		return -EINVAL;
	if (c->broken)
		return -EPIPE;
	if (!payload)
		payload = c->tx;
	ftm_frame_seal(&hdr, type, len, c->tx_seq, payload);
	vec[0] = (struct kvec){ .iov_base = &hdr, .iov_len = sizeof(hdr) };
	vec[1] = (struct kvec){ .iov_base = (void *)payload, .iov_len = len };
	iov_iter_kvec(&msg.msg_iter, ITER_SOURCE, vec, len ? 2 : 1,
		      sizeof(hdr) + len);
	err = ftm_conn_xfer(c, &msg, true);
	/*
	 * A frame that did not go out at all leaves its sequence number to
	 * the next one (the peer expects it); half a frame breaks the stream:
	 * whatever follows would be read as its rest.
	 */
	if (!err)
		c->tx_seq++;
	else if (msg_data_left(&msg) != sizeof(hdr) + len)
		c->broken = true;
	return err;
}

static int ftm_conn_read(struct ftm_conn *c, void *buf, size_t len)
{
	struct kvec vec = { .iov_base = buf, .iov_len = len };
	struct msghdr msg = { .msg_flags = MSG_NOSIGNAL };

	iov_iter_kvec(&msg.msg_iter, ITER_DEST, &vec, 1, len);
	return ftm_conn_xfer(c, &msg, false);
}

/**
 * ftm_conn_recv() - receive one frame and check it completely
 * @c: the connection
 * @type: out, its type
 * @len: out, its payload length; the payload is in @c->rx
 *
 * Return: 0; -EPROTO or -EBADMSG for a frame that breaks the format (the
 * caller aborts with a protocol error); a transfer error as ftm_conn_send().
 */
int ftm_conn_recv(struct ftm_conn *c, u8 *type, u32 *len)
{
	struct ftm_frame_hdr hdr;
	int err;

	err = ftm_conn_read(c, &hdr, sizeof(hdr));
	if (err)
		return err;
	err = ftm_frame_check_hdr(&hdr, c->rx_seq);
	if (err)
		return err;
	*len = be32_to_cpu(hdr.len);
	err = ftm_conn_read(c, c->rx, *len);
	if (err)
		return err;
	err = ftm_frame_check_crc(&hdr, c->rx) ?:
	      ftm_frame_check_payload(hdr.type, c->rx, *len);
	if (err)
		return err;
	c->rx_seq++;
	*type = hdr.type;
	return 0;
}

/**
 * ftm_conn_readable() - has the peer sent something?
 * @c: the connection
 *
 * The source streams pages without waiting for answers; between frames it
 * looks here for an error or cancel from the destination.
 */
bool ftm_conn_readable(struct ftm_conn *c)
{
	return !skb_queue_empty_lockless(&c->sock->sk->sk_receive_queue);
}
