/* SPDX-License-Identifier: GPL-2.0 */
/*
 * ftctl: the "ftmigrate" generic netlink family over libmnl.
 */
#ifndef FTCTL_NL_H
#define FTCTL_NL_H

#include <stdbool.h>
#include <stdint.h>

#include <libmnl/libmnl.h>

struct ftnl {
	struct mnl_socket *sock;
	uint32_t portid;
	uint32_t seq;
	uint16_t family;		/* resolved family id */
	uint32_t events_grp;		/* "events" group id, 0 if not offered */
	char extack[256];		/* kernel's message for the last error */
	int bad_attr;			/* attribute the kernel rejected, 0 if none */
	int miss_attr;			/* attribute the kernel missed, 0 if none */
	/* Names of the requests' attributes by number, for errors; may be NULL. */
	const char *const *attr_names;
	size_t nattr_names;
};

/* Build the attributes of a request after its genl header. */
typedef void (*ftnl_put_t)(struct nlmsghdr *nlh, void *arg);

/*
 * Open a socket and resolve the family.  0, or a negative errno;
 * -ENOENT means the family is not registered (module not loaded).
 */
int ftnl_open(struct ftnl *nl);
void ftnl_close(struct ftnl *nl);

/*
 * ftnl_open() for command @what, reporting a failure on stderr ("module not
 * loaded" for a missing family).  0, or the exit status to use.
 */
int ftnl_connect(struct ftnl *nl, const char *what);

/*
 * Send command @cmd (a dump if @dump) and run @cb (may be NULL) on every
 * message of the family in reply.  0, or a negative errno with the kernel's
 * extack message, if any, in nl->extack.
 */
int ftnl_request(struct ftnl *nl, uint8_t cmd, bool dump, ftnl_put_t put,
		 void *put_arg, mnl_cb_t cb, void *data);

/* Name of attribute @type of the requests, or NULL (see attr_names). */
const char *ftnl_attr_name(const struct ftnl *nl, int type);

/* Join the "events" group.  0, or a negative errno. */
int ftnl_subscribe(struct ftnl *nl);

/*
 * Report a failure of @what (a command, "vm list") as one line on stderr:
 * the kernel's message and the attribute it pointed at, if any, and the
 * errno's text.  Returns the exit status to use.
 */
int ftnl_fail(const struct ftnl *nl, int err, const char *what);

/* The genl command of a message of the family, or -1 if it is not one. */
int ftnl_msg_cmd(const struct nlmsghdr *nlh, const struct ftnl *nl);

/* Size of receive buffers: large enough for any dump message. */
#define FTNL_RCVBUF	32768

#endif /* FTCTL_NL_H */
