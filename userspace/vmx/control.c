// SPDX-License-Identifier: GPL-2.0
/*
 * Control socket server.  One thread serves one client at a time; commands
 * that need the VM at a clean point become requests the vCPU thread carries
 * out (vcpu.c), "status" is answered here from state kept under the VM lock.
 */
#include <errno.h>
#include <inttypes.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "control.h"
#include "vmx.h"

#define CONTROL_LINE_MAX 1024

static struct {
	int listen_fd;
	int stop_fd;
	pthread_t thread;
	char path[sizeof(((struct sockaddr_un *)0)->sun_path)];
	bool running;
} control = { .listen_fd = -1, .stop_fd = -1 };

static void status(struct vmx_vm *vm, char *reply, size_t len)
{
	enum vmx_run_state state;
	uint64_t exits = 0, io_exits = 0;
	const char *migration;

	pthread_mutex_lock(&vm->lock);
	state = vm->state;
	migration = vm->secondary ? "secondary" : vm->incoming ? "incoming" :
		    vm->stunned ? "stunned" : "none";
	pthread_mutex_unlock(&vm->lock);
	for (unsigned int i = 0; i < vm->nr_vcpus; i++) {
		exits += atomic_load_explicit(&vm->vcpus[i].exits, memory_order_relaxed);
		io_exits += atomic_load_explicit(&vm->vcpus[i].io_exits, memory_order_relaxed);
	}
	snprintf(reply, len, "ok state=%s name=%s uuid=%s memory=%" PRIu64 "M vcpus=%u "
		 "exits=%" PRIu64 " io-exits=%" PRIu64 " migration=%s throttle=%u "
		 "throttle-sleeps=%" PRIu64, vmx_state_name(state), vm->cfg->name,
		 vm->cfg->uuid, vm->ram_size >> 20, vm->nr_vcpus, exits, io_exits, migration,
		 atomic_load(&vm->throttle_pct), (uint64_t)atomic_load(&vm->throttle_sleeps));
}

static void command(struct vmx_vm *vm, char *line, char *reply, size_t len)
{
	static const struct {
		const char *name;
		enum vmx_request_kind kind;
		bool has_arg;
	} commands[] = {
		{ "pause", VMX_REQ_PAUSE, false },
		{ "resume", VMX_REQ_RESUME, false },
		{ "save", VMX_REQ_SAVE, true },
		{ "hash", VMX_REQ_HASH, false },
		{ "dirty-start", VMX_REQ_DIRTY_START, false },
		{ "dirty-fetch", VMX_REQ_DIRTY_FETCH, false },
		{ "dirty-stop", VMX_REQ_DIRTY_STOP, false },
		{ "shutdown", VMX_REQ_SHUTDOWN, false },
		{ "stun-blob", VMX_REQ_STUN_BLOB, true },
	};
	char *arg = strchr(line, ' ');

	if (arg) {
		*arg++ = '\0';
		while (*arg == ' ')
			arg++;
		if (!*arg)
			arg = NULL;
	}
	if (!strcmp(line, "status")) {
		status(vm, reply, len);
		return;
	}
	if (!strcmp(line, "throttle")) {
		/* What FTM_REQ_THROTTLE does, by hand: the timer thread, not the vCPU, acts. */
		char *end;
		unsigned long pct = arg ? strtoul(arg, &end, 10) : 100;

		if (!arg || *arg < '0' || *arg > '9' || *end || pct > 99) {
			snprintf(reply, len, "error: throttle takes a percentage, 0 to 99");
			return;
		}
		vmx_throttle_set(vm, (unsigned int)pct);
		snprintf(reply, len, "ok throttle=%lu", pct);
		return;
	}
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++) {
		if (strcmp(line, commands[i].name))
			continue;
		if (commands[i].has_arg != !!arg) {
			snprintf(reply, len, "error: %s takes %s", commands[i].name,
				 commands[i].has_arg ? "an argument" : "no argument");
			return;
		}
		vmx_request(vm, commands[i].kind, arg, reply, len);
		return;
	}
	snprintf(reply, len, "error: unknown command '%.64s'", line);
}

static void serve_client(struct vmx_vm *vm, int fd)
{
	char buf[CONTROL_LINE_MAX + 1], reply[512];
	size_t used = 0;

	for (;;) {
		struct pollfd fds[2] = {
			{ .fd = fd, .events = POLLIN },
			{ .fd = control.stop_fd, .events = POLLIN },
		};
		char *nl;
		ssize_t n;

		if (poll(fds, 2, -1) < 0) {
			if (errno == EINTR)
				continue;
			return;
		}
		if (fds[1].revents)
			return;
		n = read(fd, buf + used, CONTROL_LINE_MAX - used);
		if (n <= 0)
			return;
		used += (size_t)n;
		while ((nl = memchr(buf, '\n', used))) {
			size_t line_len = (size_t)(nl - buf);

			*nl = '\0';
			if (line_len && buf[line_len - 1] == '\r')
				buf[line_len - 1] = '\0';
			command(vm, buf, reply, sizeof(reply) - 1);
			strcat(reply, "\n");
			if (write(fd, reply, strlen(reply)) < 0)
				return;
			used -= line_len + 1;
			memmove(buf, nl + 1, used);
		}
		if (used == CONTROL_LINE_MAX) {
			static const char too_long[] = "error: line too long\n";

			if (write(fd, too_long, sizeof(too_long) - 1) < 0)
				return;
			return;
		}
	}
}

static void *control_thread(void *arg)
{
	struct vmx_vm *vm = arg;

	for (;;) {
		struct pollfd fds[2] = {
			{ .fd = control.listen_fd, .events = POLLIN },
			{ .fd = control.stop_fd, .events = POLLIN },
		};
		int fd;

		if (poll(fds, 2, -1) < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		if (fds[1].revents)
			break;
		fd = accept4(control.listen_fd, NULL, NULL, SOCK_CLOEXEC);
		if (fd < 0)
			continue;
		serve_client(vm, fd);
		close(fd);
	}
	return NULL;
}

int vmx_control_start(struct vmx_vm *vm, const char *path, char *err, size_t errlen)
{
	struct sockaddr_un addr = { .sun_family = AF_UNIX };
	sigset_t all, old;
	int r;

	if (strlen(path) >= sizeof(addr.sun_path)) {
		snprintf(err, errlen, "control socket %s: path too long", path);
		return -1;
	}
	strcpy(addr.sun_path, path);
	strcpy(control.path, path);
	control.listen_fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	control.stop_fd = eventfd(0, EFD_CLOEXEC);
	if (control.listen_fd < 0 || control.stop_fd < 0)
		goto fail;
	unlink(path);		/* a stale socket from a vmx that died */
	if (bind(control.listen_fd, (struct sockaddr *)&addr, sizeof(addr)) ||
	    listen(control.listen_fd, 4))
		goto fail;
	/* The control thread must not take the vCPU's kick signal. */
	sigfillset(&all);
	pthread_sigmask(SIG_BLOCK, &all, &old);
	r = pthread_create(&control.thread, NULL, control_thread, vm);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (r) {
		errno = r;
		goto fail;
	}
	control.running = true;
	return 0;
fail:
	snprintf(err, errlen, "control socket %s: %s", path, strerror(errno));
	if (control.listen_fd >= 0)
		close(control.listen_fd);
	if (control.stop_fd >= 0)
		close(control.stop_fd);
	control.listen_fd = control.stop_fd = -1;
	return -1;
}

void vmx_control_stop(struct vmx_vm *vm)
{
	uint64_t one = 1;

	(void)vm;
	if (!control.running)
		return;
	if (write(control.stop_fd, &one, sizeof(one)) == sizeof(one))
		pthread_join(control.thread, NULL);
	close(control.listen_fd);
	close(control.stop_fd);
	unlink(control.path);
	control.running = false;
}
