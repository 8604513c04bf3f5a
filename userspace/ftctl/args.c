// SPDX-License-Identifier: GPL-2.0
/*
 * ftctl: command-line values beyond plain numbers: options with values,
 * ADDR:PORT, rates, hex strings, secret files and fence paths.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "ftctl.h"

const char *opt_value(int argc, char **argv, int *i, const char *name,
		      bool *missing)
{
	size_t len = strlen(name);
	const char *a = argv[*i];

	if (strncmp(a, name, len))
		return NULL;
	if (a[len] == '=')
		return a + len + 1;
	if (a[len])
		return NULL;
	if (*i + 1 >= argc) {
		*missing = true;
		return NULL;
	}
	return argv[++*i];
}

int parse_addr_port(const char *s, bool port_zero_ok, uint32_t *addr_be,
		    uint16_t *port_be)
{
	const char *colon = strrchr(s, ':');
	char addr[INET_ADDRSTRLEN];
	struct in_addr in;
	uint64_t port;
	size_t len;

	if (!colon)
		return -1;
	len = colon - s;
	if (len >= sizeof(addr))
		return -1;
	memcpy(addr, s, len);
	addr[len] = '\0';
	if (!len)
		in.s_addr = htonl(INADDR_ANY);	/* ":PORT" */
	else if (inet_pton(AF_INET, addr, &in) != 1)
		return -1;
	if (parse_uint(colon + 1, port_zero_ok ? 0 : 1, 65535, &port))
		return -1;
	*addr_be = in.s_addr;
	*port_be = htons((uint16_t)port);
	return 0;
}

char *fmt_addr_port(char *out, uint32_t addr_be, uint16_t port_be)
{
	struct in_addr in = { .s_addr = addr_be };
	char addr[INET_ADDRSTRLEN];

	if (!inet_ntop(AF_INET, &in, addr, sizeof(addr)))
		snprintf(addr, sizeof(addr), "?");
	snprintf(out, ADDR_PORT_STR_LEN, "%s:%u", addr, ntohs(port_be));
	return out;
}

/*
 * Rates: a decimal number (a fraction is allowed with a multiplier), an
 * optional multiplier k, M, G or T (powers of 1000) or Ki, Mi, Gi, Ti
 * (powers of 1024), then a unit: nothing or "B" for bytes, "bit" for bits,
 * and an optional "/s".  "100M" = "100MB" = 100 000 000 bytes/s;
 * "1Gbit" = 125 000 000 bytes/s.  A lone "b" is refused as ambiguous, and
 * so is a non-zero rate below one byte per second (0 means no cap).
 */
int parse_rate(const char *s, uint64_t *out)
{
	static const struct {
		char letter;
		unsigned int power;
	} mult[] = { { 'k', 1 }, { 'm', 2 }, { 'g', 3 }, { 't', 4 } };
	unsigned __int128 v = 0, scale = 1, frac_div = 1;
	unsigned int digits = 0, fdigits = 0, p;
	const char *q = s;
	bool bits = false;
	size_t i;

	for (; *q >= '0' && *q <= '9'; q++, digits++) {
		v = v * 10 + (*q - '0');
		if (v > UINT64_MAX)
			return -1;
	}
	if (*q == '.') {
		for (q++; *q >= '0' && *q <= '9'; q++, fdigits++) {
			if (fdigits >= 9)
				return -1;
			v = v * 10 + (*q - '0');
			if (v > UINT64_MAX)
				return -1;
			frac_div *= 10;
		}
		if (!fdigits)
			return -1;
	}
	if (!digits)
		return -1;
	for (i = 0; i < sizeof(mult) / sizeof(mult[0]); i++) {
		if ((*q | 0x20) != mult[i].letter)
			continue;
		q++;
		if (*q == 'i') {
			q++;
			for (p = 0; p < mult[i].power; p++)
				scale *= 1024;
		} else {
			for (p = 0; p < mult[i].power; p++)
				scale *= 1000;
		}
		break;
	}
	if (fdigits && scale == 1)
		return -1;	/* "1.5" bytes/s: no */
	if (!strncmp(q, "bit", 3)) {
		bits = true;
		q += 3;
	} else if (*q == 'B') {
		q++;
	} else if (*q == 'b') {
		return -1;	/* bits or bytes? */
	}
	if (!strcmp(q, "/s"))
		q += 2;
	if (*q)
		return -1;
	if (!v) {
		*out = 0;	/* no cap */
		return 0;
	}
	v = v * scale / frac_div;
	if (bits)
		v /= 8;
	/* Below a byte per second would read as 0, "no cap": refuse it. */
	if (!v || v > UINT64_MAX)
		return -1;
	*out = (uint64_t)v;
	return 0;
}

static int hex_digit(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if ((c | 0x20) >= 'a' && (c | 0x20) <= 'f')
		return (c | 0x20) - 'a' + 10;
	return -1;
}

int parse_hex(const char *s, uint8_t *out, size_t max, size_t *len)
{
	size_t n = strlen(s), i;

	if (!n || n % 2 || n / 2 > max)
		return -1;
	for (i = 0; i < n; i += 2) {
		int hi = hex_digit(s[i]), lo = hex_digit(s[i + 1]);

		if (hi < 0 || lo < 0)
			return -1;
		out[i / 2] = (uint8_t)(hi << 4 | lo);
	}
	*len = n / 2;
	return 0;
}

int read_secret(const char *what, const char *path, struct secret *sec)
{
	size_t len = 0;
	ssize_t n;
	int fd;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return usage_error("%s: cannot open secret file %s: %s", what,
				   path, strerror(errno));
	/* One byte more than allowed, to see that a file is too long. */
	while (len < sizeof(sec->bytes)) {
		n = read(fd, sec->bytes + len, sizeof(sec->bytes) - len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			int e = errno;

			close(fd);
			return usage_error("%s: cannot read secret file %s: %s",
					   what, path, strerror(e));
		}
		if (!n)
			break;
		len += n;
	}
	close(fd);
	if (len < FTCTL_SECRET_MIN || len > FTCTL_SECRET_MAX) {
		memset(sec, 0, sizeof(*sec));
		return usage_error("%s: secret file %s holds %s%zu bytes; a secret is %d to %d bytes",
				   what, path, len > FTCTL_SECRET_MAX ? "more than " : "",
				   len > FTCTL_SECRET_MAX ? (size_t)FTCTL_SECRET_MAX : len,
				   FTCTL_SECRET_MIN, FTCTL_SECRET_MAX);
	}
	sec->len = len;
	return 0;
}

int check_fence(const char *what, const char *path)
{
	if (path[0] != '/')
		return usage_error("%s: --fence '%s' is not an absolute path (the fence is a file on storage both hosts see)",
				   what, path);
	if (strlen(path) >= FTM_FENCE_MAX)
		return usage_error("%s: --fence is longer than %d bytes", what,
				   FTM_FENCE_MAX - 1);
	return 0;
}
