/* SPDX-License-Identifier: GPL-2.0 */
/*
 * ftctl: output helpers shared by the text and JSON forms.
 */
#ifndef FTCTL_PRINT_H
#define FTCTL_PRINT_H

#include <stddef.h>
#include <stdint.h>

#define UUID_STR_LEN	37	/* 8-4-4-4-12 and the NUL */
#define TIME_STR_LEN	40	/* 2006-01-02T15:04:05.123456789Z and the NUL */

/* A JSON string literal, quotes included, every special byte escaped. */
void json_string(const char *s);
/*
 * A word of text output: as is if it is plain, else in double quotes, with
 * quote and backslash escaped by a backslash and other bytes outside
 * printable ASCII written as \xNN.  fmt_word() formats into @out, which
 * holds at least 4 * strlen(s) + 3 bytes (else it gets "?"); text_word()
 * prints words of up to 256 bytes.
 */
#define TEXT_WORD_MAX	(4 * 256 + 3)
char *fmt_word(char *out, size_t len, const char *s);
void text_word(const char *s);

/* Lowercase 8-4-4-4-12. */
char *fmt_uuid(char *out, const uint8_t uuid[16]);
/* Lowercase hex of @len bytes; @out holds 2 * len + 1. */
char *fmt_hex(char *out, const uint8_t *bytes, size_t len);
/* RFC 3339 UTC with nanoseconds, from CLOCK_REALTIME nanoseconds. */
char *fmt_time(char *out, uint64_t ns);

/*
 * @v with a decimal (SI) multiplier and @unit: "512 B", "1.50 MB", "118 MB/s";
 * @out holds at least 16 bytes plus the unit.
 */
char *fmt_si(char *out, size_t len, uint64_t v, const char *unit);

/*
 * Names of the set bits of @bits, @names[i] being bit i's; bits with no name
 * are shown together as one 0x... value.  Text: comma separated, @none when
 * no bit is set.  JSON: an array of strings.
 */
void print_flags(uint64_t bits, const char *const *names, size_t nnames,
		 const char *none, int json);

#endif /* FTCTL_PRINT_H */
