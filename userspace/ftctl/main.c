// SPDX-License-Identifier: GPL-2.0
/*
 * ftctl: the operator CLI of ftmigrate.  Global options, then a command.
 *
 * Exit status: 0 success, 1 failure (reported as one line on stderr),
 * 2 bad command line.
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
"                          print VM events as they arrive, one per line;\n"
"                          --count N: exit after N events;\n"
"                          --ready-file PATH: create PATH once subscribed\n"
"\n"
"Options:\n"
"  -j, --json              JSON output: one document, or one object per\n"
"                          line for monitor\n"
"  -h, --help              this text\n"
"\n"
"vm list, vm show and monitor need CAP_NET_ADMIN.\n"
"\n"
"Exit status: 0 success, 1 failure, 2 bad command line.\n";

int usage_error(const char *fmt, ...)
{
	va_list ap;

	fputs("ftctl: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputs("\n", stderr);
	fputs(usage_text, stderr);
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
	if (a >= argc)
		return usage_error("no command");
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
