// SPDX-License-Identifier: GPL-2.0-only
/*
 * actplane version: the tool's version and netlink ABI, and the loaded
 * module's, so a mismatch after an upgrade (a new tool, the old module
 * still inserted) is one command away.  Needs no privileges: STATUS is
 * open to anyone.
 */
#include <stdio.h>
#include <string.h>
#include <json-c/json.h>
#include "args.h"
#include "cmd.h"
#include "common.h"
#include "nl.h"

struct ap_module_version {
	char version[64];
	unsigned int abi;
};

static int parse_version(struct nlattr **tb, void *arg)
{
	struct ap_module_version *m = arg;

	if (tb[ACTPLANE_A_VERSION])
		snprintf(m->version, sizeof(m->version), "%s",
			 (const char *)nla_data(tb[ACTPLANE_A_VERSION]));
	m->abi = tb[ACTPLANE_A_ABI] ? nla_get_u32(tb[ACTPLANE_A_ABI]) : 0;
	return 0;
}

/* The module's version and ABI: 1 if it answered, 0 if it is not loaded. */
static int module_version(struct ap_module_version *m)
{
	char err[256];
	struct ap_nl *nl = ap_nl_open(err, sizeof(err));	/* not loaded: said below */
	int ret;

	if (!nl)
		return 0;
	ret = ap_nl_call(nl, ACTPLANE_CMD_STATUS, NULL, parse_version, m);
	ap_nl_close(nl);
	return ret == 0;
}

static const struct ap_opt version_opts[] = {
	AP_OPT_JSON,
	{ NULL }
};

AP_COMMAND(cmd_version, .name = "version", .order = 215, .args = "[--json]",
	   .help = "the tool's and the loaded module's versions",
	   .usage = "Usage: actplane version [--json]\n"
		    "\n"
		    "Print the tool's version and netlink ABI, and the loaded module's.  Exit\n"
		    "status 1 if the module is loaded with another ABI than the tool speaks\n"
		    "(reinstall one of them, then 'actplane down', 'rmmod actplane', 'actplane up').\n"
		    "'actplane --version' prints the tool's line only.\n",
	   .opts = version_opts);

static int cmd_version(int argc, char **argv)
{
	struct ap_module_version m = { "", 0 };
	int json = 0, c, loaded, mismatch;

	while ((c = ap_getopt(&cmd_version_cmd, argc, argv)) > 0)
		json = c == 'j';
	if (c < 0)
		return ap_opt_exit(c);
	if ((c = ap_no_operands(&cmd_version_cmd, argc, argv)))
		return c;
	loaded = module_version(&m);
	mismatch = loaded && m.abi != ACTPLANE_ABI_VERSION;
	if (json) {
		struct json_object *o = json_object_new_object(), *t = json_object_new_object(),
				   *k = json_object_new_object();

		json_object_object_add(t, "version", json_object_new_string(AP_TOOL_VERSION));
		json_object_object_add(t, "abi", json_object_new_int(ACTPLANE_ABI_VERSION));
		json_object_object_add(k, "loaded", json_object_new_boolean(loaded));
		if (loaded) {
			json_object_object_add(k, "version", json_object_new_string(m.version));
			json_object_object_add(k, "abi", json_object_new_int((int)m.abi));
		}
		json_object_object_add(o, "tool", t);
		json_object_object_add(o, "module", k);
		json_object_object_add(o, "abi_match", json_object_new_boolean(!mismatch));
		printf("%s\n", json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN));
		json_object_put(o);
		return mismatch;
	}
	printf("actplane %s (netlink ABI %d)\n", AP_TOOL_VERSION, ACTPLANE_ABI_VERSION);
	if (!loaded)
		printf("module: not loaded\n");
	else
		printf("module: actplane %s (netlink ABI %u)%s\n", m.version, m.abi,
		       mismatch ? ": differs from the tool's" : "");
	return mismatch;
}
