/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The control channel: a UNIX stream socket taking one command per line and
 * answering each with one line, "ok ..." or "error: ...".
 *
 *   status                 state, identity and counters
 *   pause | resume
 *   save PATH              stop at a clean point and write the VM's state;
 *                          the VM stays paused (shut it down, or resume it)
 *   hash                   RAM fingerprint at a clean point
 *   dirty-start | dirty-fetch | dirty-stop
 *   shutdown               stop the VM and end the vmx
 */
#ifndef VMX_CONTROL_H
#define VMX_CONTROL_H

#include <stddef.h>

struct vmx_vm;

int vmx_control_start(struct vmx_vm *vm, const char *path, char *err, size_t errlen);
void vmx_control_stop(struct vmx_vm *vm);

#endif
