/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Guest entry.  The vmx enters here in long mode with paging on, interrupts
 * off and the stack just below the image; crt0 zeroes .bss, runs
 * guest_main() and powers off with its return value as the exit code.
 */
#include "guest_abi.h"

	.section .text.start, "ax"
	.globl _start
_start:
	mov	$VMX_STACK_TOP, %rsp
	lea	__bss_start(%rip), %rdi
	lea	__bss_end(%rip), %rcx
	sub	%rdi, %rcx
	xor	%eax, %eax
	rep stosb
	call	guest_main
	mov	$VMX_PORT_HALT, %dx
	out	%eax, %dx
1:	jmp	1b

	.section .note.GNU-stack, "", @progbits
