// SPDX-License-Identifier: GPL-2.0
/*
 * ftctl: output helpers.  Every string that comes from the kernel is
 * escaped on the way out: JSON must parse, and text must not carry
 * control characters to a terminal.
 */
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "print.h"

void json_string(const char *s)
{
	const unsigned char *p;

	putchar('"');
	for (p = (const unsigned char *)s; *p; p++) {
		switch (*p) {
		case '"':
			fputs("\\\"", stdout);
			break;
		case '\\':
			fputs("\\\\", stdout);
			break;
		case '\n':
			fputs("\\n", stdout);
			break;
		case '\r':
			fputs("\\r", stdout);
			break;
		case '\t':
			fputs("\\t", stdout);
			break;
		default:
			/* Bytes >= 0x80 could be invalid UTF-8: escape them too. */
			if (*p < 0x20 || *p >= 0x7f)
				printf("\\u%04x", *p);
			else
				putchar(*p);
		}
	}
	putchar('"');
}

static bool text_plain(const char *s)
{
	const unsigned char *p;

	if (!*s)
		return false;
	for (p = (const unsigned char *)s; *p; p++)
		if (*p <= ' ' || *p >= 0x7f || *p == '"' || *p == '\\')
			return false;
	return true;
}

char *fmt_word(char *out, size_t len, const char *s)
{
	const unsigned char *p;
	size_t o = 0;

	if (text_plain(s)) {
		snprintf(out, len, "%s", s);
		return out;
	}
	/* Each byte takes at most 4 characters; the quotes 2, the NUL 1. */
	if (len < 3 || (len - 3) / 4 < strlen(s)) {
		snprintf(out, len, "?");
		return out;
	}
	out[o++] = '"';
	for (p = (const unsigned char *)s; *p; p++) {
		if (*p == '"' || *p == '\\')
			o += sprintf(out + o, "\\%c", *p);
		else if (*p < ' ' || *p >= 0x7f)
			o += sprintf(out + o, "\\x%02x", *p);
		else
			out[o++] = *p;
	}
	out[o++] = '"';
	out[o] = '\0';
	return out;
}

void text_word(const char *s)
{
	char buf[TEXT_WORD_MAX];

	fputs(fmt_word(buf, sizeof(buf), s), stdout);
}

char *fmt_hex(char *out, const uint8_t *bytes, size_t len)
{
	static const char digits[] = "0123456789abcdef";
	size_t i;

	for (i = 0; i < len; i++) {
		out[2 * i] = digits[bytes[i] >> 4];
		out[2 * i + 1] = digits[bytes[i] & 0xf];
	}
	out[2 * len] = '\0';
	return out;
}

char *fmt_uuid(char *out, const uint8_t uuid[16])
{
	/* Groups of 4, 2, 2, 2 and 6 bytes. */
	static const int group[] = { 4, 2, 2, 2, 6 };
	char *o = out;
	int g, i = 0;

	for (g = 0; g < 5; g++) {
		if (g)
			*o++ = '-';
		fmt_hex(o, uuid + i, group[g]);
		o += 2 * group[g];
		i += group[g];
	}
	return out;
}

char *fmt_time(char *out, uint64_t ns)
{
	time_t sec = (time_t)(ns / 1000000000u);
	struct tm tm;

	if (!gmtime_r(&sec, &tm) ||
	    !strftime(out, TIME_STR_LEN, "%Y-%m-%dT%H:%M:%S", &tm)) {
		snprintf(out, TIME_STR_LEN, "@%" PRIu64, ns);
		return out;
	}
	snprintf(out + strlen(out), TIME_STR_LEN - strlen(out), ".%09" PRIu64 "Z",
		 ns % 1000000000u);
	return out;
}

char *fmt_si(char *out, size_t len, uint64_t v, const char *unit)
{
	static const char prefix[] = "kMGTPE";
	double d = (double)v;
	int i = -1;

	if (v < 1000) {
		snprintf(out, len, "%" PRIu64 " %s", v, unit);
		return out;
	}
	while (d >= 999.995 && i < 5) {
		d /= 1000;
		i++;
	}
	snprintf(out, len, d < 10 ? "%.2f %c%s" : d < 100 ? "%.1f %c%s" :
		 "%.0f %c%s", d, prefix[i], unit);
	return out;
}

void print_flags(uint64_t bits, const char *const *names, size_t nnames,
		 const char *none, int json)
{
	uint64_t unknown = bits;
	bool first = true;
	size_t i;

	if (json)
		putchar('[');
	for (i = 0; i < nnames && i < 64; i++) {
		if (!(bits & (1ULL << i)) || !names[i])
			continue;
		unknown &= ~(1ULL << i);
		if (!first)
			putchar(',');
		first = false;
		if (json)
			json_string(names[i]);
		else
			fputs(names[i], stdout);
	}
	if (unknown) {
		if (!first)
			putchar(',');
		first = false;
		printf(json ? "\"0x%" PRIx64 "\"" : "0x%" PRIx64, unknown);
	}
	if (json)
		putchar(']');
	else if (first)
		fputs(none, stdout);
}
