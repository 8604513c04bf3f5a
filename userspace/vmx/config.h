/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The VM config file: the single description of a VM (the counterpart of a
 * .vmx file), and the thing FTCheck syncs between hosts.
 */
#ifndef VMX_CONFIG_H
#define VMX_CONFIG_H

#include <limits.h>
#include <stdbool.h>
#include <stdint.h>

#define VMX_NAME_MAX		63	/* as /dev/ftmigrate takes it (FTM_NAME_LEN - 1) */
#define VMX_UUID_LEN		36	/* 8-4-4-4-12 hex digits */
#define VMX_MIN_MEMORY		(2ULL << 20)
#define VMX_MAX_MEMORY		(64ULL << 30)
#define VMX_MAX_VCPUS		1	/* the structures take more; the boot path does one */

struct vmx_config {
	char path[PATH_MAX];		/* the file itself, for messages */
	char name[VMX_NAME_MAX + 1];
	char uuid[VMX_UUID_LEN + 1];
	uint64_t memory;		/* bytes, a multiple of 2 MiB */
	unsigned int vcpus;
	char image[PATH_MAX];		/* flat guest image */
	char args[256];			/* handed to the guest in its boot info */
	char disk[PATH_MAX];		/* backing file, "" for none */
	char nic[128];			/* "udp:HOST:PORT" to listen on, "" for none */
	char serial[PATH_MAX];		/* serial log file, "" for standard output */
	char control[PATH_MAX];		/* control socket, "" for none */
};

/*
 * Parse @path into @cfg.  On failure returns -1 with a one-line message,
 * "FILE:LINE: what is wrong", in @err.  Relative paths in the file are taken
 * relative to the directory of the file.
 */
int vmx_config_load(const char *path, struct vmx_config *cfg, char *err, size_t errlen);

/*
 * Parse config file contents @buf (@len bytes, e.g. another host's) as if
 * the file lay beside the file @beside, for relative paths.
 */
int vmx_config_parse(const void *buf, size_t len, const char *beside, struct vmx_config *cfg,
		     char *err, size_t errlen);

#endif
