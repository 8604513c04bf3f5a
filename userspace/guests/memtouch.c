// SPDX-License-Identifier: GPL-2.0
/*
 * memtouch: dirty a working set of memory at a given rate.
 *
 * Pass p writes (p << 32 | page index) into the first word of every page of
 * the working set, at most rate pages per second of guest clock time (0: as
 * fast as it can).  After each pass it prints "memtouch: pass P"; after the
 * last one it checks every page holds the last pass's pattern and prints
 * "memtouch: verified" (or the first bad page), so a migration or checkpoint
 * that lost a page write shows.
 *
 *   args: ws_start_kib=K ws_kib=K rate=PAGES_PER_SECOND passes=N (0: forever)
 */
#include "lib.h"

#define PAGE 4096ULL
#define BATCH 16	/* pages between two looks at the clock */

/* Pages first .. first + n - 1 of the working set. */
static void touch(uint64_t base, uint64_t first, uint64_t n, uint64_t pass)
{
	for (uint64_t i = first; i < first + n; i++)
		*(volatile uint64_t *)(base + i * PAGE) = pass << 32 | i;
}

static int verify(uint64_t base, uint64_t pages, uint64_t pass)
{
	for (uint64_t i = 0; i < pages; i++) {
		uint64_t want = pass << 32 | i, got = *(volatile uint64_t *)(base + i * PAGE);

		if (got != want) {
			put_str("memtouch: page ");
			put_u64(i);
			put_str(" holds ");
			put_hex(got);
			put_str(", expected ");
			put_hex(want);
			put_char('\n');
			return 1;
		}
	}
	put_str("memtouch: verified\n");
	return 0;
}

int guest_main(void)
{
	const struct vmx_boot_info *bi = boot_info();
	uint64_t base = arg_u64("ws_start_kib", 2048) * 1024 & ~(PAGE - 1);
	uint64_t pages = arg_u64("ws_kib", 1024) * 1024 / PAGE;
	uint64_t rate = arg_u64("rate", 0);
	uint64_t passes = arg_u64("passes", 1);
	uint64_t top = bi->ram_size < VMX_LOW_RAM_MAX ? bi->ram_size : VMX_LOW_RAM_MAX;

	if (base < VMX_GUEST_ENTRY + 0x100000 || base + pages * PAGE > top || !pages) {
		put_str("memtouch: working set outside RAM\n");
		return 2;
	}
	put_str("memtouch: ");
	put_u64(pages);
	put_str(" pages at ");
	put_hex(base);
	put_char('\n');
	for (uint64_t pass = 1; !passes || pass <= passes; pass++) {
		uint64_t start = clock_ns();

		for (uint64_t done = 0; done < pages; done += BATCH) {
			uint64_t n = pages - done < BATCH ? pages - done : BATCH;

			touch(base, done, n, pass);
			if (rate) {
				/* Behind schedule never sleeps; ahead of it waits. */
				uint64_t due = start + (done + n) * 1000000000ULL / rate;
				uint64_t now = clock_ns();

				if (now < due)
					sleep_ns(due - now);
			}
		}
		put_str("memtouch: pass ");
		put_u64(pass);
		put_char('\n');
		if (passes && pass == passes)
			return verify(base, pages, pass);
	}
	return 0;
}
