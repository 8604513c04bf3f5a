// SPDX-License-Identifier: GPL-2.0
/*
 * Input and output functions, with record, replay and output logs.
 *
 * Log file: a 16-byte header (magic "FTVMXEVT", version, stream kind), then
 * records of { u32 kind; u32 len; u64 seq; u64 arg; u8 data[len] } in host
 * byte order.  The replay side checks every record against what the guest
 * asks for and stops the VM on the first difference rather than feeding it
 * a value meant for another device.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "vmx.h"

#define EVENTS_MAGIC		"FTVMXEVT"
#define EVENTS_VERSION		1
#define EVENTS_STREAM_INPUT	1
#define EVENTS_STREAM_OUTPUT	2

struct events_header {
	char magic[8];
	uint32_t version;
	uint32_t stream;
};

struct events_record {
	uint32_t kind;
	uint32_t len;
	uint64_t seq;
	uint64_t arg;
};

static FILE *open_log(const char *path, const char *mode, uint32_t stream,
		      char *err, size_t errlen)
{
	struct events_header h;
	FILE *f = fopen(path, mode);

	if (!f) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return NULL;
	}
	if (mode[0] == 'w') {
		memcpy(h.magic, EVENTS_MAGIC, 8);
		h.version = EVENTS_VERSION;
		h.stream = stream;
		if (fwrite(&h, sizeof(h), 1, f) != 1)
			goto io_error;
		return f;
	}
	if (fread(&h, sizeof(h), 1, f) != 1 || memcmp(h.magic, EVENTS_MAGIC, 8)) {
		snprintf(err, errlen, "%s: not an event log", path);
		fclose(f);
		return NULL;
	}
	if (h.version != EVENTS_VERSION || h.stream != stream) {
		snprintf(err, errlen, "%s: unsupported event log (version %u, stream %u)",
			 path, h.version, h.stream);
		fclose(f);
		return NULL;
	}
	return f;
io_error:
	snprintf(err, errlen, "%s: %s", path, strerror(errno));
	fclose(f);
	return NULL;
}

int vmx_events_open(struct vmx_vm *vm, const char *record, const char *replay,
		    const char *output_log, char *err, size_t errlen)
{
	struct vmx_events *ev = &vm->events;

	memset(ev, 0, sizeof(*ev));
	ev->live = !replay;
	if (record && !(ev->record = open_log(record, "wb", EVENTS_STREAM_INPUT, err, errlen)))
		goto fail;
	if (replay && !(ev->replay = open_log(replay, "rb", EVENTS_STREAM_INPUT, err, errlen)))
		goto fail;
	if (output_log &&
	    !(ev->output_log = open_log(output_log, "wb", EVENTS_STREAM_OUTPUT, err, errlen)))
		goto fail;
	return 0;
fail:
	vmx_events_close(vm);
	return -1;
}

void vmx_events_flush(struct vmx_vm *vm)
{
	if (vm->events.record)
		fflush(vm->events.record);
	if (vm->events.output_log)
		fflush(vm->events.output_log);
}

void vmx_events_close(struct vmx_vm *vm)
{
	struct vmx_events *ev = &vm->events;

	if (ev->record)
		fclose(ev->record);
	if (ev->replay)
		fclose(ev->replay);
	if (ev->output_log)
		fclose(ev->output_log);
	ev->record = ev->replay = ev->output_log = NULL;
}

static int append(struct vmx_vm *vm, FILE *f, uint32_t kind, uint64_t seq, uint64_t arg,
		  const void *data, uint32_t len)
{
	struct events_record r = { .kind = kind, .len = len, .seq = seq, .arg = arg };

	if (fwrite(&r, sizeof(r), 1, f) != 1 || (len && fwrite(data, len, 1, f) != 1)) {
		vmx_fail(vm, "event log: %s", strerror(errno));
		return -1;
	}
	return 0;
}

/*
 * Take the next input from the replay log.  Returns 1 if the log has ended
 * (the caller goes live, as a backup does at failover), 0 or -1.
 */
static int replay_next(struct vmx_vm *vm, enum vmx_input_kind kind, void *buf,
		       uint32_t *len, uint32_t cap)
{
	struct vmx_events *ev = &vm->events;
	struct events_record r;

	if (fread(&r, sizeof(r), 1, ev->replay) != 1) {
		if (feof(ev->replay) && !ferror(ev->replay))
			return 1;
		vmx_fail(vm, "replay: %s", strerror(errno));
		return -1;
	}
	if (r.seq != ev->input_seq || r.kind != kind || r.len > cap) {
		vmx_fail(vm, "replay diverged at input %llu: guest wants kind %u (up to %u bytes), "
			 "log has input %llu of kind %u (%u bytes)",
			 (unsigned long long)ev->input_seq, kind, cap,
			 (unsigned long long)r.seq, r.kind, r.len);
		return -1;
	}
	if (r.len && fread(buf, r.len, 1, ev->replay) != 1) {
		vmx_fail(vm, "replay: log truncated inside input %llu", (unsigned long long)r.seq);
		return -1;
	}
	*len = r.len;
	ev->replayed++;
	return 0;
}

int vmx_input(struct vmx_vm *vm, enum vmx_input_kind kind, vmx_input_source source,
	      void *ctx, void *buf, uint32_t *len, uint32_t cap)
{
	struct vmx_events *ev = &vm->events;
	int r;

	if (!ev->live) {
		r = replay_next(vm, kind, buf, len, cap);
		if (r <= 0)
			goto out;
		fprintf(stderr, "vmx: replay: end of log after %llu inputs, going live\n",
			(unsigned long long)ev->replayed);
		ev->live = true;
	}
	*len = 0;
	if (source(vm, ctx, buf, len, cap))
		return -1;
	if (*len > cap) {
		vmx_fail(vm, "input of kind %u overran its buffer", kind);
		return -1;
	}
	if (ev->record && append(vm, ev->record, kind, ev->input_seq, 0, buf, *len))
		return -1;
	r = 0;
out:
	if (!r)
		ev->input_seq++;
	return r;
}

int vmx_output(struct vmx_vm *vm, enum vmx_output_kind kind, vmx_output_sink sink,
	       void *ctx, uint64_t arg, const void *data, uint32_t len)
{
	struct vmx_events *ev = &vm->events;

	if (ev->output_log && append(vm, ev->output_log, kind, ev->output_seq, arg, data, len))
		return -1;
	ev->output_seq++;
	/*
	 * A replaying VM does not own the VM's identity on the network: the
	 * primary already sent this frame (invariant 1), so it stays here.
	 */
	if (!ev->live && kind == VMX_OUT_NIC_TX)
		return VMX_STATUS_OK;
	return sink(vm, ctx, arg, data, len);
}
