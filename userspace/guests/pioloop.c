// SPDX-License-Identifier: GPL-2.0
/*
 * pioloop: n writes to the null port, then power off.  Measures what one
 * exit through the vmx costs.
 *
 *   args: n=N
 */
#include "lib.h"

int guest_main(void)
{
	uint64_t n = arg_u64("n", 100000);

	for (uint64_t i = 0; i < n; i++)
		outl(VMX_PORT_NULL, (uint32_t)i);
	return 0;
}
