// SPDX-License-Identifier: GPL-2.0
/*
 * ftctl monitor: VM and migration events of this host, one line each as
 * they arrive (the "events" multicast group); vm-ft events carry a VM's
 * fault-tolerance role, state and pair.
 *
 * stdout carries events only.  Lost events are reported on stderr: the
 * socket's ENOBUFS (receive buffer overrun), and any gap in the per-host
 * event sequence numbers.  --ready-file tells a waiting test that the
 * subscription is live.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <linux/genetlink.h>

#include "ftctl.h"
#include "nl.h"
#include "print.h"

struct monitor {
	const struct ftnl *nl;
	uint64_t count;		/* events to print, 0 for no limit */
	uint64_t printed;
	uint64_t last_seq;
	bool have_last;
	bool out_err;		/* stdout failed */
};

static const char *event_name(int cmd)
{
	switch (cmd) {
	case FTMIGRATE_CMD_VM_CREATED_NTF:
		return "vm-created";
	case FTMIGRATE_CMD_VM_DESTROYED_NTF:
		return "vm-destroyed";
	case FTMIGRATE_CMD_VM_FT_NTF:
		return "vm-ft";
	case FTMIGRATE_CMD_MIGRATION_STATE_NTF:
		return "migration-state";
	case FTMIGRATE_CMD_MIGRATION_PROGRESS_NTF:
		return "migration-progress";
	}
	return NULL;
}

static void check_seq(struct monitor *mon, uint64_t seq)
{
	if (mon->have_last && seq != mon->last_seq + 1)
		fprintf(stderr, "ftctl: events lost: expected seq=%" PRIu64
			", got seq=%" PRIu64 "\n", mon->last_seq + 1, seq);
	mon->last_seq = seq;
	mon->have_last = true;
}

static bool is_migration_event(int cmd)
{
	return cmd == FTMIGRATE_CMD_MIGRATION_STATE_NTF ||
	       cmd == FTMIGRATE_CMD_MIGRATION_PROGRESS_NTF;
}

static void print_event_text(const char *name, int cmd,
			     const struct ftevent *ev)
{
	char tbuf[TIME_STR_LEN], uuid[UUID_STR_LEN];
	const struct ftvm *vm = &ev->vm;

	printf("seq=%" PRIu64 " time=%s %s", ev->seq,
	       fmt_time(tbuf, ev->timestamp_ns), name);
	if (is_migration_event(cmd)) {
		/* Every attribute, id first: " id=... state=...". */
		ftmig_print_words(&ev->mig);
		putchar('\n');
		return;
	}
	printf(" id=%" PRIu32, vm->id);
	if (vm->have & FTVM_HAVE_NAME) {
		fputs(" name=", stdout);
		text_word(vm->name);
	}
	if (vm->have & FTVM_HAVE_UUID)
		printf(" uuid=%s", fmt_uuid(uuid, vm->uuid));
	if (vm->have & FTVM_HAVE_OWNER_PID)
		printf(" owner=%" PRIu32, vm->owner_pid);
	/* vm-ft is about them; other VM events show them for a VM in a pair. */
	if (cmd == FTMIGRATE_CMD_VM_FT_NTF || ftvm_in_pair(vm))
		ftvm_print_ft_words(vm);
	putchar('\n');
}

static void print_event_json(const char *name, int cmd,
			     const struct ftevent *ev)
{
	printf("{\"seq\":%" PRIu64 ",\"timestamp_ns\":%" PRIu64
	       ",\"event\":\"%s\",", ev->seq, ev->timestamp_ns, name);
	if (is_migration_event(cmd)) {
		fputs("\"migration\":", stdout);
		ftmig_print_json(&ev->mig);
	} else {
		fputs("\"vm\":", stdout);
		if (cmd == FTMIGRATE_CMD_VM_FT_NTF)
			ftvm_print_json_ft(&ev->vm);
		else
			ftvm_print_json(&ev->vm);
	}
	puts("}");
}

static int event_cb(const struct nlmsghdr *nlh, void *data)
{
	struct monitor *mon = data;
	struct ftevent ev;
	const char *name;
	int cmd;

	cmd = ftnl_msg_cmd(nlh, mon->nl);
	if (cmd < 0)
		return MNL_CB_OK;
	if (ftevent_parse(nlh, &ev) < 0) {
		fprintf(stderr, "ftctl: malformed event ignored\n");
		return MNL_CB_OK;
	}
	/* Every event of the host is numbered, known to ftctl or not. */
	check_seq(mon, ev.seq);
	name = event_name(cmd);
	if (!name)
		return MNL_CB_OK;
	if (!ev.have_ts || !(is_migration_event(cmd) ? ev.have_mig : ev.have_vm)) {
		fprintf(stderr, "ftctl: malformed event ignored (seq=%" PRIu64 ")\n",
			ev.seq);
		return MNL_CB_OK;
	}

	if (opt_json)
		print_event_json(name, cmd, &ev);
	else
		print_event_text(name, cmd, &ev);
	if (fflush(stdout) == EOF) {
		mon->out_err = true;
		return MNL_CB_STOP;
	}
	mon->printed++;
	if (mon->count && mon->printed >= mon->count)
		return MNL_CB_STOP;
	return MNL_CB_OK;
}

static int create_ready_file(const char *path)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);

	if (fd < 0) {
		fprintf(stderr, "ftctl: monitor: cannot create %s: %s\n", path,
			strerror(errno));
		return -1;
	}
	close(fd);
	return 0;
}

int cmd_monitor(int argc, char **argv)
{
	static char buf[FTNL_RCVBUF];
	struct monitor mon = { 0 };
	const char *ready_file = NULL;
	const char *val;
	struct ftnl nl;
	bool missing = false;
	ssize_t n;
	int err, ret, i;

	for (i = 1; i < argc; i++) {
		if ((val = opt_value(argc, argv, &i, "--count", &missing))) {
			if (parse_uint(val, 1, UINT64_MAX, &mon.count))
				return usage_error("monitor: bad count '%s' (a positive integer)",
						   val);
		} else if ((val = opt_value(argc, argv, &i, "--ready-file",
					    &missing))) {
			if (!*val)
				return usage_error("monitor: empty --ready-file");
			ready_file = val;
		} else if (missing) {
			return usage_error("monitor: %s needs a value", argv[i]);
		} else {
			return usage_error("monitor: unknown argument '%s'", argv[i]);
		}
	}

	err = ftnl_connect(&nl, "monitor");
	if (err)
		return err;
	mon.nl = &nl;
	err = ftnl_subscribe(&nl);
	if (err == -ENOENT) {
		fprintf(stderr, "ftctl: monitor: the module offers no \"%s\" group\n",
			FTMIGRATE_MCGRP_EVENTS);
		err = EXIT_FAIL;
		goto out;
	}
	if (err) {
		err = ftnl_fail(&nl, err, "monitor");
		goto out;
	}
	if (ready_file && create_ready_file(ready_file)) {
		err = EXIT_FAIL;
		goto out;
	}

	for (;;) {
		n = mnl_socket_recvfrom(nl.sock, buf, sizeof(buf));
		if (n < 0) {
			if (errno == ENOBUFS) {
				fprintf(stderr, "ftctl: events lost (receive buffer overrun)\n");
				continue;
			}
			if (errno == EINTR)
				continue;
			err = ftnl_fail(&nl, -errno, "monitor");
			goto out;
		}
		/* Multicast messages carry seq 0 and port 0: no checks. */
		ret = mnl_cb_run(buf, n, 0, 0, event_cb, &mon);
		if (mon.out_err) {
			err = EXIT_FAIL;	/* stdout is gone: nobody to tell */
			goto out;
		}
		if (ret == MNL_CB_STOP)
			break;
		if (ret < 0) {
			err = ftnl_fail(&nl, -errno, "monitor");
			goto out;
		}
	}
	err = EXIT_OK;
out:
	ftnl_close(&nl);
	return err;
}
