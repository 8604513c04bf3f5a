// SPDX-License-Identifier: GPL-2.0
/*
 * randfill BYTES [SEED]: BYTES of pseudo-random data on standard output, for
 * the benchmarks' guest RAM.  xorshift64*: not cryptographic, but no page of
 * it is zero or repeats, and it is fast where /dev/urandom is not (the test
 * VM runs under TCG).
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	static uint64_t buf[1 << 16];
	unsigned long long left;
	uint64_t x;
	char *end;

	if (argc < 2 || argc > 3) {
		fprintf(stderr, "usage: randfill BYTES [SEED]\n");
		return 2;
	}
	left = strtoull(argv[1], &end, 0);
	if (*end) {
		fprintf(stderr, "randfill: bad size '%s'\n", argv[1]);
		return 2;
	}
	x = argc > 2 ? strtoull(argv[2], NULL, 0) : 0;
	x = x * 0x9e3779b97f4a7c15ULL + 0x2545f4914f6cdd1dULL;
	if (!x)
		x = 1;
	while (left) {
		size_t n = left < sizeof(buf) ? left : sizeof(buf), off = 0;

		for (size_t i = 0; i < sizeof(buf) / 8; i++) {
			x ^= x >> 12;
			x ^= x << 25;
			x ^= x >> 27;
			buf[i] = x * 0x2545f4914f6cdd1dULL;
		}
		while (off < n) {
			ssize_t w = write(STDOUT_FILENO, (char *)buf + off, n - off);

			if (w < 0 && errno == EINTR)
				continue;
			if (w < 0) {
				fprintf(stderr, "randfill: %s\n", strerror(errno));
				return 1;
			}
			off += (size_t)w;
		}
		left -= n;
	}
	return 0;
}
