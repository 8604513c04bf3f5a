// SPDX-License-Identifier: GPL-2.0
/*
 * ftctl migrate VM --to ADDR:PORT --secret-file FILE [options]: move a VM of
 * this host to another, peer to peer, and follow it to the end.
 * ftctl migrate cancel ID: cancel a migration.
 * ftctl ft enable (cmd_ft.c) runs the same code for an FT or FTCpt clone.
 *
 * Two sockets: one joins the "events" group before anything else so that no
 * event of the migration can be missed, the other carries the requests
 * (Begin, Perform, Get, Cancel) so that replies and events never mix.  The
 * events are followed until the migration is completed, failed or
 * cancelled.  Lost events (ENOBUFS, a gap in the sequence numbers) and
 * five quiet seconds are answered by reading the migration again.
 *
 * SIGINT sends Cancel once and keeps following; a second SIGINT ends ftctl
 * at once, without waiting.
 *
 * Exit status: 0 completed, 1 failed or any error, 3 cancelled.
 */
#include <errno.h>
#include <inttypes.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <unistd.h>

#include "ftctl.h"
#include "nl.h"
#include "print.h"

#define EXIT_CANCELLED	3

#define QUIET_MS	5000		/* re-read the migration after this */
#define BAR_MS		500		/* with a bar: redraw from a re-read this often */
#define EVENTS_RCVBUF	(1 << 20)	/* room for bursts of progress events */

enum out { OUT_BAR, OUT_LINES, OUT_JSON };

struct follow {
	const char *what;		/* the command, for messages */
	struct ftnl *req;
	uint64_t id;
	bool pair;			/* success makes FT pair @id */
	uint32_t vm_id;
	char to[ADDR_PORT_STR_LEN];	/* the destination, ADDR:PORT */
	enum out out;
	struct ftmig cur;		/* everything known so far, merged */
	uint64_t last_seq;
	bool have_seq;
	bool resync;			/* events were lost */
	bool done;			/* a final state was seen */
	int err;			/* exit status of a failure, 0 if none */
};

static volatile sig_atomic_t sigints;
static volatile sig_atomic_t bar_shown;	/* a bar line is open on stderr */

static void on_sigint(int sig)
{
	if (++sigints < 2)
		return;
	if (bar_shown) {
		ssize_t r = write(STDERR_FILENO, "\n", 1);

		(void)r;
	}
	signal(sig, SIG_DFL);
	raise(sig);
}

/* --- output ------------------------------------------------------------------ */

static const char *mig_state(const struct ftmig *m, char *buf, size_t len)
{
	if (!ftmig_has(m, FTMIGRATE_A_MIGRATION_STATE))
		return "?";
	return ftmig_state_name(ftmig_u(m, FTMIGRATE_A_MIGRATION_STATE), buf, len);
}

/* A count with k, M or G: "512", "12.3k". */
static char *fmt_count(char *out, size_t len, uint64_t v)
{
	char *sp;

	if (v < 1000) {
		snprintf(out, len, "%" PRIu64, v);
		return out;
	}
	fmt_si(out, len, v, "");	/* "12.3 k" */
	sp = strchr(out, ' ');
	if (sp)
		memmove(sp, sp + 1, strlen(sp));
	return out;
}

static unsigned int mig_percent(const struct ftmig *m)
{
	uint64_t sent = ftmig_u(m, FTMIGRATE_A_MIGRATION_BYTES_SENT);
	uint64_t left = ftmig_u(m, FTMIGRATE_A_MIGRATION_BYTES_LEFT);

	if (ftmig_has(m, FTMIGRATE_A_MIGRATION_STATE) &&
	    ftmig_u(m, FTMIGRATE_A_MIGRATION_STATE) ==
			FTMIGRATE_MIGRATION_STATE_COMPLETED)
		return 100;
	if (!sent)
		return 0;
	return (unsigned int)((unsigned __int128)sent * 100 / (sent + left));
}

static void bar_end(void)
{
	if (bar_shown) {
		fputc('\n', stderr);
		bar_shown = 0;
	}
}

/* Columns of the terminal on stderr, 80 if unknown. */
static unsigned int term_cols(void)
{
	struct winsize ws;

	if (ioctl(STDERR_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 20)
		return ws.ws_col;
	return 80;
}

/*
 * "[#####...............]  25% precopy  round 1  sent 1.00 GB  118 MB/s
 *  dirty 12.3k pg/s  downtime ~250 ms  throttle 10%", cut to the terminal's
 * width so that \r redraws it in place.
 */
static void bar_draw(const struct follow *f)
{
	const struct ftmig *m = &f->cur;
	unsigned int pct = mig_percent(m), i, cols = term_cols();
	char sent[32], bw[32], dirty[32], state[24], line[512];
	size_t o = 0;

	line[o++] = '[';
	for (i = 0; i < 20; i++)
		line[o++] = i < pct / 5 ? '#' : '.';
	snprintf(line + o, sizeof(line) - o,
		 "] %3u%% %s  round %" PRIu64 "  sent %s  %s  dirty %s pg/s"
		 "  downtime ~%" PRIu64 " ms  throttle %" PRIu64 "%%",
		 pct, mig_state(m, state, sizeof(state)),
		 ftmig_u(m, FTMIGRATE_A_MIGRATION_ROUND),
		 fmt_si(sent, sizeof(sent), ftmig_u(m, FTMIGRATE_A_MIGRATION_BYTES_SENT), "B"),
		 fmt_si(bw, sizeof(bw), ftmig_u(m, FTMIGRATE_A_MIGRATION_BANDWIDTH), "B/s"),
		 fmt_count(dirty, sizeof(dirty), ftmig_u(m, FTMIGRATE_A_MIGRATION_DIRTY_RATE)),
		 ftmig_u(m, FTMIGRATE_A_MIGRATION_EXPECTED_DOWNTIME_MS),
		 ftmig_u(m, FTMIGRATE_A_MIGRATION_THROTTLE));
	if (strlen(line) >= cols)
		line[cols - 1] = '\0';
	fprintf(stderr, "\r%s\033[K", line);
	fflush(stderr);
	bar_shown = 1;
}

static void line_state(const struct follow *f)
{
	const struct ftmig *m = &f->cur;
	char state[24];

	printf("migration %" PRIu64 ": %s\n", f->id, mig_state(m, state, sizeof(state)));
	fflush(stdout);
}

static void line_round(const struct follow *f, const struct ftmig *ev)
{
	const struct ftmig *m = &f->cur;
	char sent[32], left[32], bw[32];

	printf("migration %" PRIu64 ": round %" PRIu64 ": %u%%, sent %s, left %s, %s,"
	       " dirty %" PRIu64 " pages/s, expected downtime %" PRIu64 " ms,"
	       " throttle %" PRIu64 "%%\n", f->id,
	       ftmig_u(ev, FTMIGRATE_A_MIGRATION_ROUND), mig_percent(m),
	       fmt_si(sent, sizeof(sent), ftmig_u(m, FTMIGRATE_A_MIGRATION_BYTES_SENT), "B"),
	       fmt_si(left, sizeof(left), ftmig_u(m, FTMIGRATE_A_MIGRATION_BYTES_LEFT), "B"),
	       fmt_si(bw, sizeof(bw), ftmig_u(m, FTMIGRATE_A_MIGRATION_BANDWIDTH), "B/s"),
	       ftmig_u(m, FTMIGRATE_A_MIGRATION_DIRTY_RATE),
	       ftmig_u(m, FTMIGRATE_A_MIGRATION_EXPECTED_DOWNTIME_MS),
	       ftmig_u(m, FTMIGRATE_A_MIGRATION_THROTTLE));
	fflush(stdout);
}

/* One JSON line: {"event":KIND[,"seq":N,"timestamp_ns":T],"migration":{...}}. */
static void json_line(const char *kind, const struct ftevent *ev,
		      const struct ftmig *m)
{
	printf("{\"event\":\"%s\"", kind);
	if (ev)
		printf(",\"seq\":%" PRIu64 ",\"timestamp_ns\":%" PRIu64, ev->seq,
		       ev->timestamp_ns);
	fputs(",\"migration\":", stdout);
	ftmig_print_json(m);
	puts("}");
	fflush(stdout);
}

/* @m is newer than what was known: merge it, show it, note the end. */
static void follow_update(struct follow *f, const char *kind,
			  const struct ftevent *ev, const struct ftmig *m)
{
	bool had_state = ftmig_has(&f->cur, FTMIGRATE_A_MIGRATION_STATE);
	uint64_t old_state = ftmig_u(&f->cur, FTMIGRATE_A_MIGRATION_STATE);
	bool new_state;

	ftmig_merge(&f->cur, m);
	new_state = ftmig_has(m, FTMIGRATE_A_MIGRATION_STATE) &&
		    (!had_state || ftmig_u(m, FTMIGRATE_A_MIGRATION_STATE) != old_state);
	if (ftmig_has(&f->cur, FTMIGRATE_A_MIGRATION_STATE) &&
	    ftmig_state_final(ftmig_u(&f->cur, FTMIGRATE_A_MIGRATION_STATE)))
		f->done = true;

	switch (f->out) {
	case OUT_JSON:
		/* A re-read shows only what changed the state. */
		if (ev || new_state)
			json_line(kind, ev, m);
		break;
	case OUT_LINES:
		if (!strcmp(kind, "progress"))
			line_round(f, m);
		else if (new_state)
			line_state(f);
		break;
	case OUT_BAR:
		bar_draw(f);
		break;
	}
}

/* --- events ------------------------------------------------------------------ */

struct follow_cb {
	struct follow *f;
	const struct ftnl *ev;
};

static int follow_event_cb(const struct nlmsghdr *nlh, void *data)
{
	struct follow_cb *c = data;
	struct follow *f = c->f;
	struct ftevent ev;
	const char *kind;
	int cmd;

	cmd = ftnl_msg_cmd(nlh, c->ev);
	if (cmd < 0)
		return MNL_CB_OK;
	if (ftevent_parse(nlh, &ev) < 0) {
		f->resync = true;	/* cannot tell what it was: re-read */
		return MNL_CB_OK;
	}
	if (f->have_seq && ev.seq != f->last_seq + 1)
		f->resync = true;
	f->last_seq = ev.seq;
	f->have_seq = true;

	if (cmd == FTMIGRATE_CMD_MIGRATION_STATE_NTF)
		kind = "state";
	else if (cmd == FTMIGRATE_CMD_MIGRATION_PROGRESS_NTF)
		kind = "progress";
	else
		return MNL_CB_OK;
	if (!ev.have_mig || ftmig_u(&ev.mig, FTMIGRATE_A_MIGRATION_ID) != f->id)
		return MNL_CB_OK;
	/* The same id on both hosts: on one host, follow the source side. */
	if (ftmig_has(&ev.mig, FTMIGRATE_A_MIGRATION_ROLE) &&
	    ftmig_u(&ev.mig, FTMIGRATE_A_MIGRATION_ROLE) !=
			FTMIGRATE_MIGRATION_ROLE_SOURCE)
		return MNL_CB_OK;
	follow_update(f, kind, &ev, &ev.mig);
	return f->done ? MNL_CB_STOP : MNL_CB_OK;
}

/* Read the migration again.  0, or -1 with f->err set. */
static int follow_resync(struct follow *f)
{
	struct ftmig m;
	int err;

	f->resync = false;
	err = mig_get(f->req, f->id, &m);
	if (err == -ENOENT) {
		bar_end();
		fprintf(stderr, "ftctl: %s: migration %" PRIu64 " no longer exists on this host; its outcome is unknown\n",
			f->what, f->id);
		f->err = EXIT_FAIL;
		return -1;
	}
	if (err) {
		bar_end();
		f->err = ftnl_fail(f->req, err, f->what);
		return -1;
	}
	follow_update(f, "sync", NULL, &m);
	return 0;
}

static void cancel_put(struct nlmsghdr *nlh, void *arg)
{
	mnl_attr_put_u64(nlh, FTMIGRATE_A_MIGRATION_ID, *(uint64_t *)arg);
}

/* "@what: @step", for the messages of one step of a command. */
static const char *what_step(char *buf, size_t len, const char *what,
			     const char *step)
{
	snprintf(buf, len, "%s: %s", what, step);
	return buf;
}

static int follow(struct follow *f, struct ftnl *ev)
{
	static char buf[FTNL_RCVBUF];
	struct follow_cb c = { .f = f, .ev = ev };
	struct pollfd pfd = {
		.fd = mnl_socket_get_fd(ev->sock), .events = POLLIN,
	};
	bool cancel_sent = false;
	char what[64];
	ssize_t n;
	int ret, err;

	while (!f->done) {
		if (sigints && !cancel_sent) {
			cancel_sent = true;
			bar_end();
			fprintf(stderr, "ftctl: %s: interrupted; cancelling migration %" PRIu64
				" (interrupt again to stop waiting)\n", f->what, f->id);
			err = ftnl_request(f->req, FTMIGRATE_CMD_MIGRATION_CANCEL,
					   false, cancel_put, &f->id, NULL, NULL);
			if (err)
				ftnl_fail(f->req, err,
					  what_step(what, sizeof(what), f->what, "cancel"));
			f->resync = true;
		}
		if (f->resync) {
			if (follow_resync(f))
				return -1;
			continue;
		}
		ret = poll(&pfd, 1, f->out == OUT_BAR ? BAR_MS : QUIET_MS);
		if (ret < 0 && errno == EINTR)
			continue;
		if (ret < 0) {
			bar_end();
			f->err = ftnl_fail(NULL, -errno, f->what);
			return -1;
		}
		if (ret == 0) {
			f->resync = true;	/* quiet: is it still there? */
			continue;
		}
		n = recv(pfd.fd, buf, sizeof(buf), MSG_DONTWAIT);
		if (n < 0) {
			if (errno == ENOBUFS) {
				f->resync = true;	/* events were dropped */
				continue;
			}
			if (errno == EINTR || errno == EAGAIN)
				continue;
			bar_end();
			f->err = ftnl_fail(NULL, -errno, f->what);
			return -1;
		}
		/* Multicast messages carry seq 0 and port 0: no checks. */
		ret = mnl_cb_run(buf, n, 0, 0, follow_event_cb, &c);
		if (ret < 0)
			f->resync = true;
	}
	return 0;
}

/* --- the end ---------------------------------------------------------------- */

static int summary(struct follow *f)
{
	const struct ftmig *m = &f->cur;
	uint64_t state = ftmig_u(m, FTMIGRATE_A_MIGRATION_STATE);
	bool paired = f->pair && state == FTMIGRATE_MIGRATION_STATE_COMPLETED;
	char state_buf[24], err_buf[24], sent[32];
	struct ftmig last;

	/* The final event may not carry the totals: read them if still there. */
	if (!mig_get(f->req, f->id, &last))
		ftmig_merge(&f->cur, &last);
	bar_end();

	if (f->out == OUT_JSON) {
		printf("{\"event\":\"result\",\"outcome\":\"%s\",\"migration\":",
		       mig_state(m, state_buf, sizeof(state_buf)));
		ftmig_print_json(m);
		if (paired)
			printf(",\"pair\":%" PRIu64, f->id);
		puts("}");
	} else {
		printf("migration %" PRIu64 " %s", f->id,
		       mig_state(m, state_buf, sizeof(state_buf)));
		if (ftmig_has(m, FTMIGRATE_A_MIGRATION_TOTAL_MS))
			printf(" after %" PRIu64 ".%03" PRIu64 " s",
			       ftmig_u(m, FTMIGRATE_A_MIGRATION_TOTAL_MS) / 1000,
			       ftmig_u(m, FTMIGRATE_A_MIGRATION_TOTAL_MS) % 1000);
		if (state == FTMIGRATE_MIGRATION_STATE_FAILED) {
			printf(": %s", ftmig_has(m, FTMIGRATE_A_MIGRATION_ERROR) ?
			       ftmig_error_name(ftmig_u(m, FTMIGRATE_A_MIGRATION_ERROR),
						err_buf, sizeof(err_buf)) : "unknown error");
			if (m->error_msg[0]) {
				fputs(": ", stdout);
				text_word(m->error_msg);
			}
		}
		if (ftmig_has(m, FTMIGRATE_A_MIGRATION_DOWNTIME_MS_MEASURED))
			printf("; downtime %" PRIu64 " ms",
			       ftmig_u(m, FTMIGRATE_A_MIGRATION_DOWNTIME_MS_MEASURED));
		if (ftmig_has(m, FTMIGRATE_A_MIGRATION_BYTES_SENT))
			printf("; %s sent",
			       fmt_si(sent, sizeof(sent),
				      ftmig_u(m, FTMIGRATE_A_MIGRATION_BYTES_SENT), "B"));
		if (ftmig_has(m, FTMIGRATE_A_MIGRATION_ROUND))
			printf(" in %" PRIu64 " round%s",
			       ftmig_u(m, FTMIGRATE_A_MIGRATION_ROUND),
			       ftmig_u(m, FTMIGRATE_A_MIGRATION_ROUND) == 1 ? "" : "s");
		putchar('\n');
		/* A clone's id is its pair's. */
		if (paired)
			printf("pair %" PRIu64 ": VM %" PRIu32 " runs here as the primary; its secondary waits at %s\n",
			       f->id, f->vm_id, f->to);
	}
	fflush(stdout);
	switch (state) {
	case FTMIGRATE_MIGRATION_STATE_COMPLETED:
		return EXIT_OK;
	case FTMIGRATE_MIGRATION_STATE_CANCELLED:
		return EXIT_CANCELLED;
	default:
		return EXIT_FAIL;
	}
}

/* --- migrate VM ------------------------------------------------------------- */

struct begin_req {
	uint64_t id;
	uint32_t vm_id;
	uint32_t type;
	const char *fence;		/* NULL for none */
	const struct secret *secret;
};

static void begin_put(struct nlmsghdr *nlh, void *arg)
{
	const struct begin_req *b = arg;

	mnl_attr_put_u64(nlh, FTMIGRATE_A_MIGRATION_ID, b->id);
	mnl_attr_put_u32(nlh, FTMIGRATE_A_MIGRATION_VM_ID, b->vm_id);
	mnl_attr_put_u32(nlh, FTMIGRATE_A_MIGRATION_TYPE, b->type);
	mnl_attr_put(nlh, FTMIGRATE_A_MIGRATION_SECRET, b->secret->len,
		     b->secret->bytes);
	if (b->fence)
		mnl_attr_put_strz(nlh, FTMIGRATE_A_MIGRATION_FENCE, b->fence);
}

static void perform_put(struct nlmsghdr *nlh, void *arg)
{
	ftmig_put(nlh, arg);
}

static int random_id(uint64_t *id)
{
	do {
		if (getrandom(id, sizeof(*id), 0) != sizeof(*id)) {
			if (errno == EINTR)
				continue;
			return -1;
		}
	} while (!*id);
	return 0;
}

static int open_events(struct ftnl *ev, const char *what)
{
	int size = EVENTS_RCVBUF;
	int err;

	err = ftnl_connect(ev, what);
	if (err)
		return err;
	err = ftnl_subscribe(ev);
	if (err == -ENOENT) {
		fprintf(stderr, "ftctl: %s: the module offers no \"%s\" group\n",
			what, FTMIGRATE_MCGRP_EVENTS);
		return EXIT_FAIL;
	}
	if (err)
		return ftnl_fail(ev, err, what);
	/* Best effort: the default is enough unless the host is busy. */
	setsockopt(mnl_socket_get_fd(ev->sock), SOL_SOCKET, SO_RCVBUF, &size,
		   sizeof(size));
	return 0;
}

int migrate_parse(int argc, char **argv, int first, struct migrate *mg)
{
	const char *what = mg->what, *val;
	bool missing = false;
	int err, i, r;

	for (i = first; i < argc; i++) {
		r = mig_opt(argc, argv, &i, what, MOPT_ID | MOPT_TUNING | mg->to_opt,
			    &mg->perf, &err);
		if (!r && mg->opt)
			r = mg->opt(argc, argv, &i, mg, &err);
		if (r < 0)
			return err;
		if (r)
			continue;
		if ((val = opt_value(argc, argv, &i, "--secret-file", &missing))) {
			mg->secret_file = val;
		} else if (missing) {
			return usage_error("%s: %s needs a value", what, argv[i]);
		} else if (!strcmp(argv[i], "--json") || !strcmp(argv[i], "-j")) {
			opt_json = true;
		} else if (argv[i][0] == '-' || mg->vm) {
			return usage_error("%s: unexpected argument '%s'", what,
					   argv[i]);
		} else {
			mg->vm = argv[i];
		}
	}
	if (!mg->vm)
		return usage_error("%s: which VM? (an id or name)", what);
	if (!ftmig_has(&mg->perf, FTMIGRATE_A_MIGRATION_PEER_ADDR))
		return usage_error("%s: %s ADDR:PORT is required", what,
				   mg->to_opt == MOPT_SECONDARY ? "--secondary" : "--to");
	if (!mg->secret_file)
		return usage_error("%s: --secret-file FILE is required", what);
	return 0;
}

int migrate_run(struct migrate *mg)
{
	const char *what = mg->what;
	static struct secret secret;
	struct ftmig *perf = &mg->perf;
	struct begin_req begin = {
		.type = mg->type, .fence = mg->fence, .secret = &secret,
	};
	struct follow f = { .what = what, .pair = mg->pair };
	char type[24], step[64];
	struct ftnl ev = { 0 }, req = { 0 };
	struct sigaction sa = { .sa_handler = on_sigint };
	int err;

	err = read_secret(what, mg->secret_file, &secret);
	if (err)
		return err;

	/* Events first: nothing the migration does can come before this. */
	err = open_events(&ev, what);
	if (err)
		goto out;
	err = ftnl_connect(&req, what);
	if (err)
		goto out;
	req.attr_names = ftmig_attr_names;
	req.nattr_names = FTMIGRATE_A_MIGRATION_MAX + 1;
	err = ftvm_lookup(&req, what, mg->vm, &begin.vm_id);
	if (err)
		goto out;
	if (ftmig_has(perf, FTMIGRATE_A_MIGRATION_ID)) {
		begin.id = ftmig_u(perf, FTMIGRATE_A_MIGRATION_ID);
	} else if (random_id(&begin.id)) {
		err = ftnl_fail(NULL, -errno, what_step(step, sizeof(step), what,
							"a random migration id"));
		goto out;
	}

	err = ftnl_request(&req, FTMIGRATE_CMD_MIGRATION_BEGIN, false, begin_put,
			   &begin, NULL, NULL);
	explicit_bzero(&secret, sizeof(secret));
	if (err) {
		err = ftnl_fail(&req, err, what_step(step, sizeof(step), what, "begin"));
		goto out;
	}

	/* From here on the migration exists: SIGINT cancels it. */
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);

	ftmig_set(perf, FTMIGRATE_A_MIGRATION_ID, begin.id);
	ftmig_set(perf, FTMIGRATE_A_MIGRATION_P2P, 1);
	err = ftnl_request(&req, FTMIGRATE_CMD_MIGRATION_PERFORM, false,
			   perform_put, perf, NULL, NULL);
	if (err) {
		err = ftnl_fail(&req, err, what_step(step, sizeof(step), what, "perform"));
		/* Do not leave the begun migration behind. */
		ftnl_request(&req, FTMIGRATE_CMD_MIGRATION_CANCEL, false,
			     cancel_put, &begin.id, NULL, NULL);
		goto out;
	}

	f.req = &req;
	f.id = begin.id;
	f.vm_id = begin.vm_id;
	fmt_addr_port(f.to, ftmig_u(perf, FTMIGRATE_A_MIGRATION_PEER_ADDR),
		      ftmig_u(perf, FTMIGRATE_A_MIGRATION_PEER_PORT));
	f.out = opt_json ? OUT_JSON :
		isatty(STDERR_FILENO) ? OUT_BAR : OUT_LINES;
	if (f.out != OUT_JSON) {
		printf("migration %" PRIu64 ": VM %" PRIu32 " to %s", f.id,
		       f.vm_id, f.to);
		if (f.pair)
			printf(" as its %s secondary",
			       ftmig_type_name(mg->type, type, sizeof(type)));
		putchar('\n');
		fflush(stdout);
	}
	if (follow(&f, &ev))
		err = f.err;
	else
		err = summary(&f);
out:
	explicit_bzero(&secret, sizeof(secret));
	ftnl_close(&req);
	ftnl_close(&ev);
	return err;
}

static int migrate_vm(int argc, char **argv)
{
	struct migrate mg = {
		.what = "migrate",
		.to_opt = MOPT_TO,
		.type = FTMIGRATE_TYPE_ID_VMOTION,
	};
	int err = migrate_parse(argc, argv, 1, &mg);

	return err ? err : migrate_run(&mg);
}

/* --- migrate cancel ID --------------------------------------------------------- */

static int migrate_cancel(int argc, char **argv)
{
	const char *what = "migrate cancel";
	char state[24];
	struct ftmig m;
	struct ftnl nl;
	uint64_t id;
	int err;

	if (argc != 3)
		return usage_error("%s takes one argument, a migration id", what);
	if (mig_parse_id(what, argv[2], &id, &err))
		return err;
	err = ftnl_connect(&nl, what);
	if (err)
		return err;
	nl.attr_names = ftmig_attr_names;
	nl.nattr_names = FTMIGRATE_A_MIGRATION_MAX + 1;
	err = ftnl_request(&nl, FTMIGRATE_CMD_MIGRATION_CANCEL, false,
			   cancel_put, &id, NULL, NULL);
	if (err == -ENOENT) {
		fprintf(stderr, "ftctl: no migration %" PRIu64 " on this host\n", id);
		err = EXIT_FAIL;
		goto out;
	}
	if (err) {
		err = ftnl_fail(&nl, err, what);
		goto out;
	}
	/* Cancel is idempotent: say where the migration is now. */
	err = mig_get(&nl, id, &m);
	if (opt_json) {
		printf("{\"cancel\":\"accepted\",\"migration\":");
		if (err) {
			printf("{\"id\":%" PRIu64 "}", id);
		} else {
			ftmig_print_json(&m);
		}
		puts("}");
	} else if (err) {
		printf("migration %" PRIu64 ": cancel accepted\n", id);
	} else {
		printf("migration %" PRIu64 ": cancel accepted; state %s\n", id,
		       mig_state(&m, state, sizeof(state)));
	}
	err = EXIT_OK;
out:
	ftnl_close(&nl);
	return err;
}

int cmd_migrate(int argc, char **argv)
{
	if (argc >= 2 && !strcmp(argv[1], "cancel"))
		return migrate_cancel(argc, argv);
	return migrate_vm(argc, argv);
}
