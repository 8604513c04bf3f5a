// SPDX-License-Identifier: GPL-2.0
/*
 * ftctl listen ADDR:PORT|off [--fence-dir DIR] | listen --fence-dir DIR |
 * listener: this host's migration listener and the directory where its FT
 * secondaries take their pair's fence (CMD_LISTENER_SET, CMD_LISTENER_GET).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <linux/genetlink.h>

#include "ftctl.h"
#include "nl.h"
#include "print.h"

static const char *const listener_attr_names[] = {
	[FTMIGRATE_A_LISTENER_ADDR] = "addr",
	[FTMIGRATE_A_LISTENER_PORT] = "port",
	[FTMIGRATE_A_LISTENER_FENCE_DIR] = "fence-dir",
};

struct listener {
	uint32_t addr;		/* network order */
	uint16_t port;		/* network order */
	bool have_addr, have_port;
	const char *fence_dir;	/* NULL: not set (listen) or none (listener) */
};

static void listener_put(struct nlmsghdr *nlh, void *arg)
{
	const struct listener *l = arg;

	if (l->have_port) {
		mnl_attr_put_u32(nlh, FTMIGRATE_A_LISTENER_ADDR, l->addr);
		mnl_attr_put_u16(nlh, FTMIGRATE_A_LISTENER_PORT, l->port);
	}
	if (l->fence_dir)
		mnl_attr_put_strz(nlh, FTMIGRATE_A_LISTENER_FENCE_DIR, l->fence_dir);
}

static int listener_attr_cb(const struct nlattr *attr, void *data)
{
	struct listener *l = data;

	switch (mnl_attr_get_type(attr)) {
	case FTMIGRATE_A_LISTENER_ADDR:
		if (mnl_attr_validate(attr, MNL_TYPE_U32) < 0)
			goto bad;
		l->addr = mnl_attr_get_u32(attr);
		l->have_addr = true;
		break;
	case FTMIGRATE_A_LISTENER_PORT:
		if (mnl_attr_validate(attr, MNL_TYPE_U16) < 0)
			goto bad;
		l->port = mnl_attr_get_u16(attr);
		l->have_port = true;
		break;
	case FTMIGRATE_A_LISTENER_FENCE_DIR:
		if (mnl_attr_validate(attr, MNL_TYPE_NUL_STRING) < 0)
			goto bad;
		l->fence_dir = mnl_attr_get_str(attr);
		break;
	}
	return MNL_CB_OK;
bad:
	errno = EBADMSG;
	return MNL_CB_ERROR;
}

static int listener_cb(const struct nlmsghdr *nlh, void *data)
{
	if (mnl_attr_parse(nlh, sizeof(struct genlmsghdr), listener_attr_cb,
			   data) < 0) {
		errno = EBADMSG;
		return MNL_CB_ERROR;
	}
	return MNL_CB_OK;
}

static void listener_print(const struct listener *l, const char *closed)
{
	char buf[ADDR_PORT_STR_LEN];

	if (opt_json) {
		fmt_addr_port(buf, l->addr, l->port);
		*strrchr(buf, ':') = '\0';
		printf("{\"addr\":\"%s\",\"port\":%u,\"open\":%s,\"fence_dir\":", buf,
		       ntohs(l->port), l->port ? "true" : "false");
		json_string(l->fence_dir ? l->fence_dir : "");
		puts("}");
		return;
	}
	if (l->port)
		printf("listening on %s\n", fmt_addr_port(buf, l->addr, l->port));
	else
		puts(closed);
	if (l->fence_dir && l->fence_dir[0])
		printf("fence directory %s\n", l->fence_dir);
}

static void connect_names(struct ftnl *nl)
{
	nl->attr_names = listener_attr_names;
	nl->nattr_names = sizeof(listener_attr_names) /
			  sizeof(listener_attr_names[0]);
}

int cmd_listen(int argc, char **argv)
{
	struct listener l = { 0 };
	struct ftnl nl;
	int err;

	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--fence-dir")) {
			if (++i == argc)
				return usage_error("listen: --fence-dir takes a directory");
			l.fence_dir = argv[i];
			if (l.fence_dir[0] && l.fence_dir[0] != '/')
				return usage_error("listen: the fence directory must be absolute");
		} else if (l.have_port) {
			return usage_error("listen: unexpected argument '%s'", argv[i]);
		} else if (strcmp(argv[i], "off") &&
			   parse_addr_port(argv[i], false, &l.addr, &l.port)) {
			return usage_error("listen: bad address '%s' (IPv4 ADDR:PORT, port 1 to 65535, or off)",
					   argv[i]);
		} else {
			l.have_port = true;
		}
	}
	if (!l.have_port && !l.fence_dir)
		return usage_error("listen takes ADDR:PORT or off, and/or --fence-dir DIR");
	err = ftnl_connect(&nl, "listen");
	if (err)
		return err;
	connect_names(&nl);
	err = ftnl_request(&nl, FTMIGRATE_CMD_LISTENER_SET, false, listener_put,
			   &l, NULL, NULL);
	if (err) {
		err = ftnl_fail(&nl, err, "listen");
		goto out;
	}
	if (!l.have_port)
		printf("fence directory %s\n", l.fence_dir[0] ? l.fence_dir : "cleared");
	else
		listener_print(&l, "listener closed");
out:
	ftnl_close(&nl);
	return err;
}

int cmd_listener(int argc, char **argv)
{
	struct listener l = { 0 };
	struct ftnl nl;
	int err;

	if (argc > 1)
		return usage_error("listener: unexpected argument '%s'", argv[1]);
	err = ftnl_connect(&nl, "listener");
	if (err)
		return err;
	connect_names(&nl);
	err = ftnl_request(&nl, FTMIGRATE_CMD_LISTENER_GET, false, NULL, NULL,
			   listener_cb, &l);
	if (err) {
		err = ftnl_fail(&nl, err, "listener");
		goto out;
	}
	/* No port, or port 0: no listener. */
	listener_print(&l, "no listener");
out:
	ftnl_close(&nl);
	return err;
}
