/* SPDX-License-Identifier: GPL-2.0 */
/*
 * TAP output for ftmigrate's C selftests, in the format selftests/run_all.sh
 * counts: "ok N - text", "not ok N - text", "ok N - text # SKIP reason",
 * and the plan "1..N" at the end.
 */
#ifndef FTM_SELFTEST_TAP_H
#define FTM_SELFTEST_TAP_H

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static int tap_n, tap_failed;

static inline void tap_vresult(int ok, const char *fmt, va_list ap)
{
	tap_n++;
	if (!ok)
		tap_failed++;
	printf("%sok %d - ", ok ? "" : "not ", tap_n);
	vprintf(fmt, ap);
	putchar('\n');
	fflush(stdout);
}

/* tap_check(cond, fmt, ...): one case, passing when cond holds. */
static inline int __attribute__((format(printf, 2, 3)))
tap_check(int ok, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	tap_vresult(ok, fmt, ap);
	va_end(ap);
	return ok;
}

/* tap_skip(reason, fmt, ...): a case that cannot run here. */
static inline void __attribute__((format(printf, 2, 3)))
tap_skip(const char *reason, const char *fmt, ...)
{
	va_list ap;

	tap_n++;
	printf("ok %d - ", tap_n);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf(" # SKIP %s\n", reason);
	fflush(stdout);
}

/*
 * tap_errno(ret, want, what): a call expected to fail with errno want
 * (or to succeed when want is 0); on mismatch the diagnostic says what
 * happened instead.
 */
static inline int tap_errno(long ret, int want, const char *what)
{
	int got = ret < 0 ? errno : 0;

	if (got != want)
		printf("# %s: expected %s, got %s\n", what,
		       want ? strerror(want) : "success",
		       got ? strerror(got) : "success");
	return tap_check(got == want, "%s -> %s", what,
			 want ? strerrorname_np(want) : "ok");
}

static inline int tap_done(void)
{
	printf("1..%d\n", tap_n);
	return tap_failed ? 1 : 0;
}

#endif /* FTM_SELFTEST_TAP_H */
