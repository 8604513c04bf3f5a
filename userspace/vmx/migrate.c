// SPDX-License-Identifier: GPL-2.0
/*
 * The migration thread: the module's requests on the VM's /dev/ftmigrate fd.
 *
 * The module moves RAM itself, through the memfd registered at start; what
 * it needs from the vmx is what only the vmx can do: dirty tracking, CPU
 * throttling, stopping the vCPU and serialising its state (source), loading
 * that state and letting the VM run or go (destination).  Requests come one
 * at a time (the next one is queued only after the previous is answered),
 * so one thread serves them in order.  Whatever needs the vCPU at a clean
 * point becomes a vmx_request() that the vCPU thread carries out (vcpu.c),
 * exactly as control-socket commands do.
 *
 * A failure is always an answer, never a crash: a negative status makes
 * the module abort the migration, which on the source ends in RESUME.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <unistd.h>
#include <linux/ftmigrate.h>

#include "vmx.h"

static struct {
	pthread_t thread;
	int stop_fd;
	bool running;
	bool state_loaded;		/* destination: LOAD_STATE succeeded */
	unsigned long *bitmap;		/* DIRTY_FETCH, kept between fetches */
	uint64_t bitmap_len;
} mig = { .stop_fd = -1 };

static const char *request_name(uint32_t type)
{
	switch (type) {
	case FTM_REQ_DIRTY_START: return "DIRTY_START";
	case FTM_REQ_DIRTY_FETCH: return "DIRTY_FETCH";
	case FTM_REQ_THROTTLE: return "THROTTLE";
	case FTM_REQ_STUN: return "STUN";
	case FTM_REQ_RESUME: return "RESUME";
	case FTM_REQ_POWER_OFF: return "POWER_OFF";
	case FTM_REQ_LOAD_STATE: return "LOAD_STATE";
	case FTM_REQ_CHECK_CONFIG: return "CHECK_CONFIG";
	case FTM_REQ_SECONDARY: return "SECONDARY";
	}
	return "unknown";
}

static void reply(struct vmx_vm *vm, const struct ftm_request *req, int status,
		  const void *data, uint64_t len)
{
	struct ftm_reply r = {
		.size = sizeof(r), .seq = req->seq, .status = status,
		.data = (uintptr_t)data, .data_len = len,
	};

	if (ioctl(vm->ftm_fd, FTM_IOC_REPLY, &r))
		fprintf(stderr, "vmx: migration %" PRIu64 ": answering %s: %s\n",
			(uint64_t)req->migration_id, request_name(req->type), strerror(errno));
}

/* Why a request failed, on standard error: the module only learns a status. */
static int failed(const struct ftm_request *req, const char *why, int status)
{
	fprintf(stderr, "vmx: migration %" PRIu64 ": %s: %s\n", (uint64_t)req->migration_id,
		request_name(req->type), !strncmp(why, "error: ", 7) ? why + 7 : why);
	return status;
}

static bool incoming(struct vmx_vm *vm)
{
	bool r;

	pthread_mutex_lock(&vm->lock);
	r = vm->incoming;
	pthread_mutex_unlock(&vm->lock);
	return r;
}

static int dirty_fetch(struct vmx_vm *vm, const struct ftm_request *req)
{
	uint64_t pages = vm->ram_size / VMX_PAGE_SIZE;
	uint64_t want = (pages + 63) / 64 * 8;	/* whole 64-bit words, as KVM fills them */
	char msg[320];

	if (req->len != want) {
		snprintf(msg, sizeof(msg), "bitmap of %" PRIu64 " bytes asked, RAM needs %" PRIu64,
			 (uint64_t)req->len, want);
		return failed(req, msg, -EINVAL);
	}
	if (mig.bitmap_len != want) {
		free(mig.bitmap);
		mig.bitmap = malloc(want);
		mig.bitmap_len = mig.bitmap ? want : 0;
		if (!mig.bitmap)
			return failed(req, "out of memory", -ENOMEM);
	}
	memset(mig.bitmap, 0, want);
	if (vmx_request_data(vm, VMX_REQ_DIRTY_BITMAP, mig.bitmap, msg, sizeof(msg)))
		return failed(req, msg, -EIO);
	reply(vm, req, 0, mig.bitmap, want);
	return 1;		/* answered */
}

static int stun(struct vmx_vm *vm, const struct ftm_request *req)
{
	struct vmx_state_blob blob = { .max = FTM_STATE_MAX };
	char msg[320];

	if (incoming(vm))
		return failed(req, "this VM is the destination", -EINVAL);
	if (vmx_request_data(vm, VMX_REQ_STUN, &blob, msg, sizeof(msg))) {
		free(blob.data);
		return failed(req, msg, -EIO);
	}
	reply(vm, req, 0, blob.data, blob.len);
	free(blob.data);
	return 1;
}

static int load_state(struct vmx_vm *vm, const struct ftm_request *req)
{
	struct vmx_state_blob blob = { .len = req->len };
	struct ftm_state_read rd = { .size = sizeof(rd) };
	char msg[320];
	int status = 0;

	if (!incoming(vm))
		return failed(req, "this VM is not waiting for an incoming migration", -EINVAL);
	if (!req->len || req->len > FTM_STATE_MAX) {
		snprintf(msg, sizeof(msg), "state of %" PRIu64 " bytes (at most %u)",
			 (uint64_t)req->len, FTM_STATE_MAX);
		return failed(req, msg, -EINVAL);
	}
	blob.data = malloc(req->len);
	if (!blob.data)
		return failed(req, "out of memory", -ENOMEM);
	rd.buf = (uintptr_t)blob.data;
	rd.len = req->len;
	if (ioctl(vm->ftm_fd, FTM_IOC_READ_STATE, &rd) < 0) {
		int e = errno;

		snprintf(msg, sizeof(msg), "reading the state from the module: %s", strerror(e));
		status = failed(req, msg, -e);
	} else if (vmx_request_data(vm, VMX_REQ_LOAD_STATE, &blob, msg, sizeof(msg))) {
		/* A state this vmx refuses ends the migration: nothing of it was applied. */
		status = failed(req, msg, -EINVAL);
	} else {
		mig.state_loaded = true;
	}
	free(blob.data);
	return status;
}

/* The first VM-defining setting where @a and @b differ, or NULL. */
static const char *config_differs(const struct vmx_config *a, const struct vmx_config *b,
				  const char **here, const char **there)
{
	static char ma[24], mb[24];
	const struct { const char *key, *a, *b; } s[] = {
		{ "name", a->name, b->name }, { "uuid", a->uuid, b->uuid },
		{ "image", a->image, b->image }, { "args", a->args, b->args },
		{ "disk", a->disk, b->disk }, { "nic", a->nic, b->nic },
	};

	for (size_t i = 0; i < sizeof(s) / sizeof(s[0]); i++) {
		if (strcmp(s[i].a, s[i].b)) {
			*here = s[i].a;
			*there = s[i].b;
			return s[i].key;
		}
	}
	snprintf(ma, sizeof(ma), "%" PRIu64, a->memory);
	snprintf(mb, sizeof(mb), "%" PRIu64, b->memory);
	*here = ma;
	*there = mb;
	if (a->memory != b->memory)
		return "memory";
	snprintf(ma, sizeof(ma), "%u", a->vcpus);
	snprintf(mb, sizeof(mb), "%u", b->vcpus);
	return a->vcpus != b->vcpus ? "vcpus" : NULL;
}

/*
 * FTCheck on a clone's destination: does the source's config describe the
 * VM this vmx is?  Where its serial log and control socket go is this
 * host's business; everything else must be the same.
 */
static int check_config(struct vmx_vm *vm, const struct ftm_request *req)
{
	struct ftm_state_read rd = { .size = sizeof(rd) };
	struct vmx_config *theirs;
	const char *key, *here, *there;
	char msg[600], err[320];
	void *buf;
	int status = 0;

	if (!incoming(vm))
		return failed(req, "this VM is not waiting for an incoming migration", -EINVAL);
	if (!req->len || req->len > FTM_CONFIG_MAX) {
		snprintf(msg, sizeof(msg), "a config of %" PRIu64 " bytes (at most %u)",
			 (uint64_t)req->len, FTM_CONFIG_MAX);
		return failed(req, msg, -EINVAL);
	}
	buf = malloc(req->len);
	theirs = malloc(sizeof(*theirs));
	if (!buf || !theirs) {
		status = failed(req, "out of memory", -ENOMEM);
		goto out;
	}
	rd.buf = (uintptr_t)buf;
	rd.len = req->len;
	if (ioctl(vm->ftm_fd, FTM_IOC_READ_STATE, &rd) < 0) {
		int e = errno;

		snprintf(msg, sizeof(msg), "reading the config from the module: %s", strerror(e));
		status = failed(req, msg, -e);
	} else if (vmx_config_parse(buf, req->len, vm->cfg->path, theirs, err, sizeof(err))) {
		status = failed(req, err, -EINVAL);
	} else if ((key = config_differs(vm->cfg, theirs, &here, &there))) {
		snprintf(msg, sizeof(msg), "the source's config differs: %s \"%.200s\" here, \"%.200s\" there",
			 key, here, there);
		status = failed(req, msg, -EINVAL);
	}
out:
	free(theirs);
	free(buf);
	return status;
}

static int secondary(struct vmx_vm *vm, const struct ftm_request *req)
{
	char msg[320];

	if (!incoming(vm) || !mig.state_loaded)
		return failed(req, "no incoming state was loaded", -EINVAL);
	if (vmx_request_data(vm, VMX_REQ_SECONDARY, NULL, msg, sizeof(msg)))
		return failed(req, msg, -EIO);
	fprintf(stderr, "vmx: FT secondary of pair %" PRIu64 ": waiting for failover\n",
		(uint64_t)req->migration_id);
	return 0;
}

static int resume(struct vmx_vm *vm, const struct ftm_request *req)
{
	char msg[320];

	/* A destination without its state would run a guest from nothing. */
	if (incoming(vm) && !mig.state_loaded)
		return failed(req, "no state was loaded", -EINVAL);
	if (vmx_request_data(vm, VMX_REQ_MIGRATE_RESUME, NULL, msg, sizeof(msg)))
		return failed(req, msg, -EIO);
	return 0;
}

/*
 * Carry out one request and answer it.  Returns 1 once this copy of the VM
 * is powered off: the thread has nothing left to serve.
 */
static int serve(struct vmx_vm *vm, const struct ftm_request *req)
{
	char msg[320];
	int status;

	switch (req->type) {
	case FTM_REQ_DIRTY_START:
		status = vmx_request(vm, VMX_REQ_DIRTY_TRACK, NULL, msg, sizeof(msg)) ?
			 failed(req, msg, -EIO) : 0;
		break;
	case FTM_REQ_DIRTY_FETCH:
		status = dirty_fetch(vm, req);
		break;
	case FTM_REQ_THROTTLE:
		if (req->arg > 99) {
			snprintf(msg, sizeof(msg), "throttle of %u%% (at most 99)", req->arg);
			status = failed(req, msg, -EINVAL);
		} else {
			vmx_throttle_set(vm, req->arg);
			status = 0;
		}
		break;
	case FTM_REQ_STUN:
		status = stun(vm, req);
		break;
	case FTM_REQ_RESUME:
		status = resume(vm, req);
		break;
	case FTM_REQ_POWER_OFF:
		/* No answer: the module already counts this copy as gone. */
		if (vmx_request_data(vm, VMX_REQ_POWER_OFF, NULL, msg, sizeof(msg)))
			failed(req, msg, 0);
		return 1;
	case FTM_REQ_LOAD_STATE:
		status = load_state(vm, req);
		break;
	case FTM_REQ_CHECK_CONFIG:
		status = check_config(vm, req);
		break;
	case FTM_REQ_SECONDARY:
		status = secondary(vm, req);
		break;
	default:
		fprintf(stderr, "vmx: migration %" PRIu64 ": unknown request type %u\n",
			(uint64_t)req->migration_id, req->type);
		status = -EOPNOTSUPP;
		break;
	}
	if (status <= 0)
		reply(vm, req, status, NULL, 0);
	return 0;
}

static void *migrate_thread(void *arg)
{
	struct vmx_vm *vm = arg;

	for (;;) {
		struct pollfd fds[2] = {
			{ .fd = vm->ftm_fd, .events = POLLIN },
			{ .fd = mig.stop_fd, .events = POLLIN },
		};
		struct ftm_request req;
		ssize_t n;

		if (poll(fds, 2, -1) < 0) {
			if (errno == EINTR)
				continue;
			fprintf(stderr, "vmx: migration requests: poll: %s\n", strerror(errno));
			break;
		}
		if (fds[1].revents)
			break;
		if (!(fds[0].revents & POLLIN)) {
			if (fds[0].revents & (POLLERR | POLLHUP | POLLNVAL)) {
				fprintf(stderr, "vmx: the ftmigrate fd failed; "
					"no more migration requests are served\n");
				break;
			}
			continue;
		}
		n = read(vm->ftm_fd, &req, sizeof(req));
		if (n < 0 && (errno == EAGAIN || errno == EINTR))
			continue;
		if (n != (ssize_t)sizeof(req)) {
			/* Not the protocol this vmx speaks: serving on would only guess. */
			if (n < 0)
				fprintf(stderr, "vmx: reading a migration request: %s\n",
					strerror(errno));
			else
				fprintf(stderr, "vmx: a migration request of %zd bytes, expected %zu\n",
					n, sizeof(req));
			fprintf(stderr, "vmx: no more migration requests are served\n");
			break;
		}
		if (serve(vm, &req))
			break;
	}
	return NULL;
}

int vmx_migrate_start(struct vmx_vm *vm, char *err, size_t errlen)
{
	sigset_t all, old;
	int flags, r;

	/* Never block in read(): a poll() that raced with the module is harmless. */
	flags = fcntl(vm->ftm_fd, F_GETFL);
	if (flags < 0 || fcntl(vm->ftm_fd, F_SETFL, flags | O_NONBLOCK)) {
		snprintf(err, errlen, "/dev/%s: %s", FTM_DEVICE_NAME, strerror(errno));
		return -1;
	}
	mig.stop_fd = eventfd(0, EFD_CLOEXEC);
	if (mig.stop_fd < 0) {
		snprintf(err, errlen, "eventfd: %s", strerror(errno));
		return -1;
	}
	/* Only the vCPU thread may take the kick signal. */
	sigfillset(&all);
	pthread_sigmask(SIG_BLOCK, &all, &old);
	r = pthread_create(&mig.thread, NULL, migrate_thread, vm);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (r) {
		snprintf(err, errlen, "migration thread: %s", strerror(r));
		close(mig.stop_fd);
		mig.stop_fd = -1;
		return -1;
	}
	mig.running = true;
	return 0;
}

/*
 * After the vCPU has stopped: a request the thread is serving returns at
 * once (vmx_request() refuses a stopped VM), and the stop eventfd ends its
 * poll().
 */
void vmx_migrate_stop(struct vmx_vm *vm)
{
	(void)vm;
	uint64_t one = 1;

	if (!mig.running)
		return;
	/* A fresh eventfd counter cannot overflow: this write does not fail. */
	if (write(mig.stop_fd, &one, sizeof(one)) != sizeof(one))
		perror("vmx: stopping the migration thread");
	pthread_join(mig.thread, NULL);
	close(mig.stop_fd);
	mig.stop_fd = -1;
	free(mig.bitmap);
	mig.bitmap = NULL;
	mig.bitmap_len = 0;
	mig.running = false;
}
