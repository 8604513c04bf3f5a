// SPDX-License-Identifier: GPL-2.0
/*
 * Virtual NIC: frames in and out, with a UDP socket as the host side so that
 * a test client on the host can reach the guest.
 *
 * Each datagram is one frame.  The NIC puts an 8-byte peer tag (the sender's
 * IPv4 address and port) in front of a received frame, and sends a frame the
 * guest transmits to the peer its tag names, so a guest can serve many
 * clients without knowing about UDP.
 *
 * Polling RX_PENDING with no frame waiting asks the host once (an input, which
 * may be "nothing"); the frame then waits in the device until the guest
 * receives it, so the model is deterministic and its state migrates.  A sent
 * frame is an output; like a real NIC this one does not report delivery.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "vmx.h"

#define NIC_ERROR 0xffffffffU

int vmx_nic_open(struct vmx_vm *vm, char *err, size_t errlen)
{
	struct vmx_nic *nic = &vm->dev.nic;
	struct addrinfo hints = { .ai_family = AF_INET, .ai_socktype = SOCK_DGRAM }, *ai;
	char host[128];
	const char *port;
	int r;

	memset(nic, 0, sizeof(*nic));
	nic->fd = -1;
	if (!vm->cfg->nic[0])
		return 0;
	/* The config parser has checked the "udp:HOST:PORT" shape. */
	snprintf(host, sizeof(host), "%s", vm->cfg->nic + 4);
	*strrchr(host, ':') = '\0';
	port = strrchr(vm->cfg->nic, ':') + 1;
	r = getaddrinfo(host, port, &hints, &ai);
	if (r) {
		snprintf(err, errlen, "nic %s: %s", vm->cfg->nic, gai_strerror(r));
		return -1;
	}
	nic->fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (nic->fd < 0 || bind(nic->fd, ai->ai_addr, ai->ai_addrlen)) {
		snprintf(err, errlen, "nic %s: %s", vm->cfg->nic, strerror(errno));
		freeaddrinfo(ai);
		if (nic->fd >= 0)
			close(nic->fd);
		nic->fd = -1;
		return -1;
	}
	freeaddrinfo(ai);
	return 0;
}

void vmx_nic_close(struct vmx_vm *vm)
{
	if (vm->dev.nic.fd >= 0)
		close(vm->dev.nic.fd);
	vm->dev.nic.fd = -1;
}

/*
 * A secondary's port was a shadow: what reached it while it waited was
 * meant for the primary, and is dropped before the guest may see any.
 */
void vmx_nic_drop_queued(struct vmx_vm *vm)
{
	char buf[64];

	if (vm->dev.nic.fd < 0)
		return;
	while (recv(vm->dev.nic.fd, buf, sizeof(buf), MSG_DONTWAIT | MSG_TRUNC) >= 0)
		;
}

int vmx_nic_poll_fd(struct vmx_vm *vm)
{
	return vm->dev.nic.fd;
}

static int rx_source(struct vmx_vm *vm, void *ctx, void *buf, uint32_t *len, uint32_t cap)
{
	struct vmx_nic *nic = ctx;
	struct sockaddr_in from;
	socklen_t fromlen = sizeof(from);
	uint8_t *frame = buf;
	ssize_t n;

	(void)vm;
	n = recvfrom(nic->fd, frame + VMX_NIC_TAG_LEN, cap - VMX_NIC_TAG_LEN, MSG_DONTWAIT,
		     (struct sockaddr *)&from, &fromlen);
	if (n < 0 || from.sin_family != AF_INET) {
		*len = 0;		/* nothing waiting, or an error: no frame */
		return 0;
	}
	memcpy(frame, &from.sin_addr.s_addr, 4);
	memcpy(frame + 4, &from.sin_port, 2);
	memset(frame + 6, 0, 2);
	*len = (uint32_t)n + VMX_NIC_TAG_LEN;
	return 0;
}

static int tx_sink(struct vmx_vm *vm, void *ctx, uint64_t arg, const void *data, uint32_t len)
{
	struct vmx_nic *nic = ctx;
	const uint8_t *frame = data;
	struct sockaddr_in to = { .sin_family = AF_INET };

	(void)vm;
	(void)arg;
	memcpy(&to.sin_addr.s_addr, frame, 4);
	memcpy(&to.sin_port, frame + 4, 2);
	/* Delivery is not reported: a datagram that fails to go is a lost frame. */
	(void)sendto(nic->fd, frame + VMX_NIC_TAG_LEN, len - VMX_NIC_TAG_LEN, MSG_DONTWAIT,
		     (struct sockaddr *)&to, sizeof(to));
	return VMX_STATUS_OK;
}

static int rx_pending(struct vmx_vm *vm, uint32_t *value)
{
	struct vmx_nic *nic = &vm->dev.nic;
	uint32_t len;

	if (nic->fd < 0) {
		*value = 0;
		return VMX_IO_CONTINUE;
	}
	if (!nic->rx_len) {
		if (vmx_input(vm, VMX_IN_NIC_RX, rx_source, nic, nic->rx_frame, &len,
			      sizeof(nic->rx_frame)))
			return VMX_IO_ERROR;
		if (len && len < VMX_NIC_TAG_LEN) {
			vmx_fail(vm, "nic: received frame of %u bytes", len);
			return VMX_IO_ERROR;
		}
		nic->rx_len = len;
	}
	*value = nic->rx_len;
	return VMX_IO_CONTINUE;
}

static void nic_command(struct vmx_vm *vm, uint32_t cmd)
{
	struct vmx_nic *nic = &vm->dev.nic;
	uint8_t *guest = vmx_gpa_to_host(vm, nic->addr, nic->len);

	nic->status = NIC_ERROR;
	if (nic->fd < 0 || !guest)
		return;
	if (cmd == VMX_NIC_CMD_RX) {
		if (!nic->rx_len) {
			nic->status = 0;
		} else if (nic->rx_len <= nic->len) {
			memcpy(guest, nic->rx_frame, nic->rx_len);
			nic->status = nic->rx_len;
			nic->rx_len = 0;
		}
	} else if (cmd == VMX_NIC_CMD_TX) {
		if (nic->len < VMX_NIC_TAG_LEN || nic->len > VMX_NIC_MTU)
			return;
		if (vmx_output(vm, VMX_OUT_NIC_TX, tx_sink, nic, 0, guest, nic->len) < 0)
			return;
		nic->status = nic->len;
	}
}

static int nic_out(struct vmx_vcpu *vcpu, uint16_t port, uint32_t value)
{
	struct vmx_nic *nic = &vcpu->vm->dev.nic;

	switch (port) {
	case VMX_PORT_NIC_ADDR_LO: nic->addr = (nic->addr & ~0xffffffffULL) | value; break;
	case VMX_PORT_NIC_ADDR_HI: nic->addr = (nic->addr & 0xffffffffULL) | (uint64_t)value << 32; break;
	case VMX_PORT_NIC_LEN: nic->len = value; break;
	case VMX_PORT_NIC_CMD:
		nic_command(vcpu->vm, value);
		if (vcpu->vm->state == VMX_STATE_FAILED)
			return VMX_IO_ERROR;
		break;
	default: break;
	}
	return VMX_IO_CONTINUE;
}

static int nic_in(struct vmx_vcpu *vcpu, uint16_t port, uint32_t *value)
{
	struct vmx_nic *nic = &vcpu->vm->dev.nic;

	switch (port) {
	case VMX_PORT_NIC_RX_PENDING: return rx_pending(vcpu->vm, value);
	case VMX_PORT_NIC_STATUS: *value = nic->status; break;
	case VMX_PORT_NIC_ADDR_LO: *value = (uint32_t)nic->addr; break;
	case VMX_PORT_NIC_ADDR_HI: *value = (uint32_t)(nic->addr >> 32); break;
	case VMX_PORT_NIC_LEN: *value = nic->len; break;
	default: *value = 0; break;
	}
	return VMX_IO_CONTINUE;
}

const struct vmx_port_range vmx_nic_ports = {
	.base = VMX_PORT_NIC_ADDR_LO, .count = 0x18, .size = 4, .name = "nic",
	.in = nic_in, .out = nic_out,
};
