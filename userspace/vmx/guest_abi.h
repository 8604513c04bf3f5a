/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The machine the reference vmx gives its guests, shared by the vmx and the
 * guests in userspace/guests/.
 *
 * Every device is polled through 32-bit port I/O (the serial port takes
 * bytes).  There are no interrupts: a guest's execution is a pure function of
 * the values its IN instructions and device DMA give it, which is what lets
 * fault tolerance replay it exactly.  A guest must not use RDTSC, RDRAND or
 * anything else that differs between hosts; time and entropy are devices.
 *
 * The vmx starts the vCPU in 64-bit long mode at VMX_GUEST_ENTRY with all of
 * RAM identity-mapped (2 MiB pages), interrupts disabled and the boot info
 * at VMX_BOOT_INFO_GPA.
 */
#ifndef VMX_GUEST_ABI_H
#define VMX_GUEST_ABI_H

/* Guest physical memory layout. */
#define VMX_GDT_GPA		0x1000
#define VMX_BOOT_INFO_GPA	0x2000
#define VMX_PAGE_TABLE_GPA	0x10000		/* PML4, PDPT, then one PD per GiB */
#define VMX_PAGE_TABLE_END	0x80000
#define VMX_STACK_TOP		0x100000	/* grows down towards the page tables */
#define VMX_GUEST_ENTRY		0x100000	/* flat image loaded and entered here */

/* RAM between 3 and 4 GiB is a hole, as on a PC; RAM beyond it continues at 4 GiB. */
#define VMX_LOW_RAM_MAX		0xc0000000
#define VMX_HIGH_RAM_BASE	0x100000000

#define VMX_BOOT_MAGIC		0x31544f4f42584d56	/* "VMXBOOT1" */
#define VMX_ARGS_MAX		256

#ifndef __ASSEMBLER__
struct vmx_boot_info {
	unsigned long long magic;
	unsigned long long ram_size;		/* bytes of RAM, counting both ranges */
	unsigned long long ram_top;		/* highest guest physical address + 1 */
	char args[VMX_ARGS_MAX];		/* the config's "args", NUL-terminated */
};
#endif

/* Ports. */
#define VMX_PORT_SERIAL		0x3f8	/* out8: one byte to the serial log */

#define VMX_PORT_HALT		0x500	/* out32: power off; the value is the exit code */
#define VMX_PORT_DOORBELL	0x504	/* out32: idle for at most this many microseconds
					 * or until input may be pending */

#define VMX_PORT_CLOCK_LO	0x510	/* in32: latch host monotonic ns, return low half */
#define VMX_PORT_CLOCK_HI	0x514	/* in32: high half of the latched value */
#define VMX_PORT_ENTROPY	0x518	/* in32: 32 random bits */

/* Disk: set the registers, write CMD, read STATUS. Sectors are 512 bytes. */
#define VMX_PORT_DISK_SECTOR_LO	0x520
#define VMX_PORT_DISK_SECTOR_HI	0x524
#define VMX_PORT_DISK_ADDR_LO	0x528	/* guest physical buffer */
#define VMX_PORT_DISK_ADDR_HI	0x52c
#define VMX_PORT_DISK_COUNT	0x530	/* sectors, at most VMX_DISK_MAX_SECTORS */
#define VMX_PORT_DISK_CMD	0x534	/* out32: VMX_DISK_CMD_* */
#define VMX_PORT_DISK_STATUS	0x538	/* in32: VMX_STATUS_* of the last command */
#define VMX_PORT_DISK_SECTORS_LO 0x53c	/* in32: capacity in sectors */
#define VMX_PORT_DISK_SECTORS_HI 0x540

#define VMX_DISK_SECTOR_SIZE	512
#define VMX_DISK_MAX_SECTORS	256
#define VMX_DISK_CMD_READ	1
#define VMX_DISK_CMD_WRITE	2
#define VMX_DISK_CMD_FLUSH	3	/* returns once every completed write is durable */

/*
 * NIC: a datagram port.  A received frame starts with an 8-byte peer tag
 * naming its sender; a frame the guest sends starts with the tag of its
 * destination.  The guest treats tags as opaque.
 */
#define VMX_PORT_NIC_ADDR_LO	0x550	/* guest physical buffer */
#define VMX_PORT_NIC_ADDR_HI	0x554
#define VMX_PORT_NIC_LEN	0x558	/* tx: frame length; rx: buffer size */
#define VMX_PORT_NIC_CMD	0x55c	/* out32: VMX_NIC_CMD_* */
#define VMX_PORT_NIC_RX_PENDING	0x560	/* in32: length of the next received frame, 0 if none */
#define VMX_PORT_NIC_STATUS	0x564	/* in32: last command: bytes moved, or ~0 on error */

#define VMX_NIC_CMD_TX		1
#define VMX_NIC_CMD_RX		2
#define VMX_NIC_TAG_LEN		8
#define VMX_NIC_MTU		2048	/* largest frame, tag included */

#define VMX_PORT_NULL		0x5f0	/* out: ignored, in: 0; for measuring exits */

#define VMX_STATUS_OK		0
#define VMX_STATUS_EIO		1	/* the backing store failed */
#define VMX_STATUS_EINVAL	2	/* bad registers: range, address or count */
#define VMX_STATUS_ENODEV	3	/* the VM has no such device */

#endif
