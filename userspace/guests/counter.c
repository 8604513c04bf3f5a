// SPDX-License-Identifier: GPL-2.0
/*
 * counter: print 0, 1, 2, ... one number a line, one line every interval_us
 * of guest clock time; power off after count lines (0: never).
 *
 * The count lives in guest RAM, so a saved, migrated or failed-over counter
 * shows any lost or repeated execution as a gap or a duplicate line.
 *
 *   args: count=N interval_us=U
 */
#include "lib.h"

static uint64_t next;

int guest_main(void)
{
	uint64_t count = arg_u64("count", 0);
	uint64_t interval_ns = arg_u64("interval_us", 1000) * 1000;

	for (;;) {
		put_u64(next);
		put_char('\n');
		next++;
		if (count && next >= count)
			return 0;
		if (interval_ns)
			sleep_ns(interval_ns);
	}
}
