// SPDX-License-Identifier: GPL-2.0
/*
 * ftctl version: versions of ftctl, the module and its API, and the
 * module's feature bits (CMD_VERSION_GET).
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>

#include <linux/genetlink.h>

#include "ftctl.h"
#include "nl.h"
#include "print.h"

static const char *const feature_names[] = {
	[0] = "vm-objects",	/* FTM_FEATURE_VM_OBJECTS */
	[1] = "netlink",	/* FTM_FEATURE_NETLINK */
};

struct version {
	bool have_api, have_module, have_features;
	uint32_t api;
	char module[FTM_MODULE_VERSION_LEN];
	uint64_t features;
};

static int version_attr_cb(const struct nlattr *attr, void *data)
{
	struct version *v = data;

	switch (mnl_attr_get_type(attr)) {
	case FTMIGRATE_A_VERSION_API_VERSION:
		if (mnl_attr_validate(attr, MNL_TYPE_U32) < 0)
			goto bad;
		v->api = mnl_attr_get_u32(attr);
		v->have_api = true;
		break;
	case FTMIGRATE_A_VERSION_MODULE_VERSION:
		if (mnl_attr_validate(attr, MNL_TYPE_NUL_STRING) < 0 ||
		    mnl_attr_get_payload_len(attr) > sizeof(v->module))
			goto bad;
		snprintf(v->module, sizeof(v->module), "%s", mnl_attr_get_str(attr));
		v->have_module = true;
		break;
	case FTMIGRATE_A_VERSION_FEATURES:
		if (mnl_attr_validate(attr, MNL_TYPE_U64) < 0)
			goto bad;
		v->features = mnl_attr_get_u64(attr);
		v->have_features = true;
		break;
	}
	return MNL_CB_OK;
bad:
	errno = EBADMSG;
	return MNL_CB_ERROR;
}

static int version_cb(const struct nlmsghdr *nlh, void *data)
{
	if (mnl_attr_parse(nlh, sizeof(struct genlmsghdr), version_attr_cb,
			   data) < 0) {
		errno = EBADMSG;
		return MNL_CB_ERROR;
	}
	return MNL_CB_OK;
}

int cmd_version(int argc, char **argv)
{
	struct version v = { 0 };
	struct ftnl nl;
	int err;

	if (argc > 1)
		return usage_error("version: unexpected argument '%s'", argv[1]);
	err = ftnl_connect(&nl, "version");
	if (err)
		return err;
	err = ftnl_request(&nl, FTMIGRATE_CMD_VERSION_GET, false, NULL, NULL,
			   version_cb, &v);
	if (!err && !(v.have_api && v.have_module && v.have_features))
		err = -EBADMSG;
	if (err) {
		err = ftnl_fail(&nl, err, "version");
		ftnl_close(&nl);
		return err;
	}
	ftnl_close(&nl);

	if (opt_json) {
		printf("{\"ftctl\":\"%s\",\"module_version\":", FTCTL_VERSION);
		json_string(v.module);
		printf(",\"api_version\":%" PRIu32 ",\"features\":", v.api);
		print_flags(v.features, feature_names, 2, NULL, true);
		puts("}");
	} else {
		printf("ftctl %s, module ", FTCTL_VERSION);
		text_word(v.module);
		printf(", api %" PRIu32 ", features ", v.api);
		print_flags(v.features, feature_names, 2, "none", false);
		putchar('\n');
	}
	return EXIT_OK;
}
