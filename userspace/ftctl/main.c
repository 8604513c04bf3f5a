// SPDX-License-Identifier: GPL-2.0
/*
 * ftctl: the operator CLI of ftmigrate.  Global options, then a command.
 *
 * Exit status: 0 success, 1 failure (reported as one line on stderr),
 * 2 bad command line (one line on stderr), 3 a migration was cancelled.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>

#include "ftctl.h"

bool opt_json;

static const char usage_text[] =
"usage: ftctl [-j|--json] [-h|--help] COMMAND [ARGS]\n"
"\n"
"Operator CLI of the ftmigrate module, over its \"ftmigrate\" generic netlink\n"
"family.  Acts on the host (network namespace) it runs in.\n"
"\n"
"Commands:\n"
"  version                 versions of ftctl, the module and its API; features\n"
"  types                   the registered migration types\n"
"  vm list                 VM objects of this host\n"
"  vm show ID              one VM object, ID a positive integer\n"
"  monitor [--count N] [--ready-file PATH]\n"
"                          print VM and migration events as they arrive, one\n"
"                          per line; --count N: exit after N events;\n"
"                          --ready-file PATH: create PATH once subscribed\n"
"\n"
"  listen ADDR:PORT        open or move this host's migration listener\n"
"                          (IPv4; :PORT for any address)\n"
"  listen off              close it\n"
"  listener                show it\n"
"\n"
"  migrate VM --to ADDR:PORT --secret-file FILE [--id ID] [--downtime MS]\n"
"          [--bandwidth RATE] [--streams N] [--timeout SECONDS]\n"
"          [--throttle-step PCT] [--json]\n"
"                          move VM (an id or name) to the host listening on\n"
"                          ADDR:PORT, peer to peer, and follow it to the end:\n"
"                          a progress bar when stderr is a terminal, else a\n"
"                          line per state and per round; --json: one object\n"
"                          per event, then {\"event\":\"result\",...}.  The\n"
"                          secret is FILE's bytes, 16 to 64, the same file\n"
"                          on both hosts; --id defaults to a random id.\n"
"                          Interrupt once to cancel, twice to stop waiting.\n"
"                          Exit 0 completed, 1 failed, 3 cancelled.\n"
"  migrate cancel ID       cancel a migration; fine if it already ended\n"
"\n"
"  ft enable VM --secondary ADDR:PORT --type ft|ftcpt --fence PATH\n"
"          --secret-file FILE [--id ID] [--downtime MS] [--bandwidth RATE]\n"
"          [--streams N] [--timeout SECONDS] [--throttle-step PCT] [--json]\n"
"                          make VM fault tolerant: clone it to the host\n"
"                          listening on ADDR:PORT, followed as migrate\n"
"                          follows a move (same output, interrupt and exit\n"
"                          status; the result also names the pair).  VM\n"
"                          keeps running here as the primary; its copy\n"
"                          waits there, stopped, as the secondary.  PATH is\n"
"                          the pair's fence, an absolute path on storage\n"
"                          both hosts see.  The pair's id is the migration's.\n"
"  ft status               VMs of this host in a pair: role, state, pair id,\n"
"                          fence (nothing if there is none)\n"
"  ft failover PAIR        make this host's copy of pair PAIR the one that\n"
"                          runs, if it wins the fence; exit 0 if it is live\n"
"\n"
"  migration list          migrations of this host, either side\n"
"  migration show ID       every attribute of one\n"
"  The steps one by one, for orchestrators; each prints the kernel's reply:\n"
"  migration begin VM --id ID --secret-file FILE [--type vmotion|ft|ftcpt]\n"
"          [--fence PATH]\n"
"                          source: prints the cookie for prepare, as hex;\n"
"                          ft and ftcpt take the pair's fence, absolute\n"
"  migration prepare --id ID --cookie HEX [--secret-file FILE]\n"
"                          destination\n"
"  migration perform --id ID --to ADDR:PORT [--downtime MS] [--bandwidth RATE]\n"
"          [--streams N] [--timeout SECONDS] [--throttle-step PCT] [--p2p]\n"
"                          source: starts the transfer and returns\n"
"  migration finish ID     destination\n"
"  migration confirm ID    source\n"
"  migration set ID [--downtime MS] [--bandwidth RATE] [--throttle-step PCT]\n"
"                          change a running migration\n"
"\n"
"Migration parameters (the kernel's defaults when not given):\n"
"  --downtime MS           longest acceptable stun, 1 to 30000\n"
"  --bandwidth RATE        cap in bytes per second, 0 for none: 500000000,\n"
"                          500M = 500MB (10^6 bytes), 100MiB (2^20 bytes),\n"
"                          1.5G, or bits: 4Gbit\n"
"  --streams N             TCP connections for the pages, 1 to 8\n"
"  --timeout SECONDS       fail the migration if not done by then\n"
"  --throttle-step PCT     vCPU time taken per round that does not converge,\n"
"                          0 to 99, 0 for no throttling\n"
"\n"
"Options:\n"
"  -j, --json              JSON output: one document, or one object per\n"
"                          line for monitor, migrate and ft enable\n"
"  -h, --help              this text\n"
"\n"
"Everything but version and types needs CAP_NET_ADMIN.\n"
"\n"
"Exit status: 0 success, 1 failure, 2 bad command line (migrate and ft enable:\n"
"3 cancelled).\n";

int usage_error(const char *fmt, ...)
{
	va_list ap;

	fputs("ftctl: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputs(" (ftctl --help for usage)\n", stderr);
	return EXIT_USAGE;
}

static const struct {
	const char *name;
	int (*fn)(int argc, char **argv);
} commands[] = {
	{ "version",	cmd_version },
	{ "types",	cmd_types },
	{ "vm",		cmd_vm },
	{ "monitor",	cmd_monitor },
	{ "listen",	cmd_listen },
	{ "listener",	cmd_listener },
	{ "migration",	cmd_migration },
	{ "migrate",	cmd_migrate },
	{ "ft",		cmd_ft },
};

int main(int argc, char **argv)
{
	size_t i;
	int a;

	for (a = 1; a < argc && argv[a][0] == '-'; a++) {
		const char *opt = argv[a];

		if (!strcmp(opt, "-j") || !strcmp(opt, "--json")) {
			opt_json = true;
		} else if (!strcmp(opt, "-h") || !strcmp(opt, "--help")) {
			fputs(usage_text, stdout);
			return EXIT_OK;
		} else if (!strcmp(opt, "--")) {
			a++;
			break;
		} else {
			return usage_error("unknown option '%s'", opt);
		}
	}
	if (a >= argc) {
		fputs("ftctl: no command\n", stderr);
		fputs(usage_text, stderr);
		return EXIT_USAGE;
	}
	if (!strcmp(argv[a], "help")) {
		fputs(usage_text, stdout);
		return EXIT_OK;
	}
	for (i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		if (!strcmp(argv[a], commands[i].name))
			return commands[i].fn(argc - a, argv + a);
	return usage_error("unknown command '%s'", argv[a]);
}

/*
 * A command-line number: decimal digits only (no sign, no spaces, no
 * suffix), from @min to @max.  Returns 0, or -1 for anything else.
 */
int parse_uint(const char *s, uint64_t min, uint64_t max, uint64_t *out)
{
	unsigned long long v;
	char *end;

	if (*s < '0' || *s > '9')
		return -1;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno || *end || v < min || v > max)
		return -1;
	*out = v;
	return 0;
}
