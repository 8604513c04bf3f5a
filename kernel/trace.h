/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Tracepoints of ftmigrate: VM lifecycle now, migration state changes as
 * they arrive.  Enable with: echo 1 > /sys/kernel/tracing/events/ftmigrate/enable
 */
#undef TRACE_SYSTEM
#define TRACE_SYSTEM ftmigrate

#if !defined(_FTM_TRACE_H) || defined(TRACE_HEADER_MULTI_READ)
#define _FTM_TRACE_H

#include <linux/tracepoint.h>

#include "ftmigrate.h"

DECLARE_EVENT_CLASS(ftm_vm_class,
	TP_PROTO(const struct ftm_vm *vm),
	TP_ARGS(vm),
	TP_STRUCT__entry(
		__field(unsigned int, netns)
		__field(u32, id)
		__field(pid_t, owner)
		__array(char, name, FTM_NAME_LEN)
	),
	TP_fast_assign(
		__entry->netns = vm->fn->net->ns.inum;
		__entry->id = vm->id;
		__entry->owner = vm->owner_pid;
		memcpy(__entry->name, vm->name, FTM_NAME_LEN);
	),
	TP_printk("netns=%u id=%u owner=%d name=%s",
		  __entry->netns, __entry->id, __entry->owner, __entry->name)
);

DEFINE_EVENT(ftm_vm_class, ftm_vm_create,
	TP_PROTO(const struct ftm_vm *vm),
	TP_ARGS(vm));

DEFINE_EVENT(ftm_vm_class, ftm_vm_destroy,
	TP_PROTO(const struct ftm_vm *vm),
	TP_ARGS(vm));

#endif /* _FTM_TRACE_H */

#undef TRACE_INCLUDE_PATH
#define TRACE_INCLUDE_PATH .
#undef TRACE_INCLUDE_FILE
#define TRACE_INCLUDE_FILE trace
#include <trace/define_trace.h>
