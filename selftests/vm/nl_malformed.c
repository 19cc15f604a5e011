// SPDX-License-Identifier: GPL-2.0-only
/*
 * Malformed generic netlink requests must be refused with an extended-ACK
 * message, and the module must keep answering afterwards.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <netlink/genl/genl.h>
#include "nl.h"
#include "harness.h"

static struct nl_msg *new_msg(struct ap_nl *nl, uint8_t cmd)
{
	struct nl_msg *msg = nlmsg_alloc();

	genlmsg_put(msg, NL_AUTO_PORT, NL_AUTO_SEQ, ap_nl_family(nl), 0,
		    NLM_F_ACK | NLM_F_REQUEST, cmd, ACTPLANE_GENL_VERSION);
	return msg;
}

/* Send msg; expect failure with errno want and an ext-ACK text containing needle. */
static void expect_reject(struct ap_nl *nl, const char *name, struct nl_msg *msg,
			  int want, const char *needle)
{
	int ret = ap_nl_call_raw(nl, msg, NULL, NULL);
	const char *m = ap_nl_errmsg(nl);

	nlmsg_free(msg);
	if (ret != want)
		ktap_result(0, name, "got %d (%s), want %d; ext-ack \"%s\"", ret, strerror(-ret), want, m);
	else if (!m[0] || (needle && !strstr(m, needle)))
		ktap_result(0, name, "ext-ack message \"%s\" lacks \"%s\"", m, needle ? needle : "text");
	else
		ktap_result(1, name, NULL);
	printf("# %s: %s\n", name, m);
}

static int parse_version(struct nlattr **tb, void *arg)
{
	*(int *)arg = tb[ACTPLANE_A_VERSION] && tb[ACTPLANE_A_ABI];
	return 0;
}

static struct nlattr *elem(struct nl_msg *msg, unsigned int kind)
{
	struct nlattr *e = nla_nest_start(msg, ACTPLANE_A_ELEM);

	nla_put_u32(msg, ACTPLANE_E_KIND, kind);
	return e;
}

/* Bad policy elements: each load is refused whole, naming the element. */
static int policy_cases(struct ap_nl *nl)
{
	struct nl_msg *msg;
	struct nlattr *els, *e;
	int ret;

	ret = ap_nl_call(nl, ACTPLANE_CMD_POLICY_COMMIT, NULL, NULL, NULL);
	ktap_result(ret == -ENOENT && strstr(ap_nl_errmsg(nl), "POLICY_BEGIN"),
		    "policy: commit without begin refused with ext-ack", "got %d \"%s\"", ret,
		    ap_nl_errmsg(nl));

	ap_nl_call(nl, ACTPLANE_CMD_POLICY_BEGIN, NULL, NULL, NULL);
	msg = new_msg(nl, ACTPLANE_CMD_POLICY_ADD);
	els = nla_nest_start(msg, ACTPLANE_A_ELEMS);
	e = elem(msg, ACTPLANE_ELEM_RULE);
	nla_put_string(msg, ACTPLANE_E_NAME, "r");
	nla_nest_end(msg, e);
	e = elem(msg, ACTPLANE_ELEM_CLAUSE);	/* refers to pattern 5: none exists */
	nla_put_u32(msg, ACTPLANE_E_RULE, 0);
	nla_put_u32(msg, ACTPLANE_E_EFFECT, ACTPLANE_EFFECT_BLOCK);
	nla_put_u32(msg, ACTPLANE_E_OP, ACTPLANE_OP_EXEC);
	nla_put_u32(msg, ACTPLANE_E_TARGET_KIND, ACTPLANE_TARGET_EXEC);
	nla_put_u32(msg, ACTPLANE_E_TARGET, 5);
	nla_nest_end(msg, e);
	nla_nest_end(msg, els);
	expect_reject(nl, "policy: dangling reference rejected, naming the element", msg, -EINVAL,
		      "element 1: pattern 5 does not exist");
	ret = ap_nl_call(nl, ACTPLANE_CMD_POLICY_COMMIT, NULL, NULL, NULL);
	ktap_result(ret == -ENOENT, "policy: a failed add voids the staged policy", "commit got %d", ret);

	ap_nl_call(nl, ACTPLANE_CMD_POLICY_BEGIN, NULL, NULL, NULL);
	msg = new_msg(nl, ACTPLANE_CMD_POLICY_ADD);
	els = nla_nest_start(msg, ACTPLANE_A_ELEMS);
	e = elem(msg, ACTPLANE_ELEM_LABEL);
	nla_put_string(msg, ACTPLANE_E_NAME, "l");
	nla_nest_end(msg, e);
	e = elem(msg, ACTPLANE_ELEM_PATTERN);
	nla_put_u32(msg, ACTPLANE_E_CLASS, ACTPLANE_MATCH_ANY);
	nla_put_string(msg, ACTPLANE_E_GLOB, "/**");
	nla_nest_end(msg, e);
	e = elem(msg, ACTPLANE_ELEM_RULE);
	nla_put_string(msg, ACTPLANE_E_NAME, "r");
	nla_nest_end(msg, e);
	e = elem(msg, ACTPLANE_ELEM_CLAUSE);	/* "if l and" : stack underflow */
	nla_put_u32(msg, ACTPLANE_E_RULE, 0);
	nla_put_u32(msg, ACTPLANE_E_EFFECT, ACTPLANE_EFFECT_BLOCK);
	nla_put_u32(msg, ACTPLANE_E_OP, ACTPLANE_OP_READ);
	nla_put_u32(msg, ACTPLANE_E_TARGET_KIND, ACTPLANE_TARGET_FILE);
	nla_put_u32(msg, ACTPLANE_E_TARGET, 0);
	nla_put(msg, ACTPLANE_E_EXPR, 4, (uint8_t[]){ ACTPLANE_EXPR_LABEL, 0, ACTPLANE_EXPR_AND, 0 });
	nla_nest_end(msg, e);
	nla_nest_end(msg, els);
	expect_reject(nl, "policy: malformed condition program rejected", msg, -EINVAL, "underflow");

	ap_nl_call(nl, ACTPLANE_CMD_POLICY_BEGIN, NULL, NULL, NULL);
	msg = new_msg(nl, ACTPLANE_CMD_POLICY_ADD);
	els = nla_nest_start(msg, ACTPLANE_A_ELEMS);
	e = elem(msg, ACTPLANE_ELEM_CLAUSE);
	nla_put_u8(msg, ACTPLANE_E_EFFECT, 9);	/* wrong type */
	nla_nest_end(msg, e);
	nla_nest_end(msg, els);
	expect_reject(nl, "policy: wrongly typed element attribute rejected", msg, -EINVAL, NULL);
	return 0;
}

int main(int argc, char **argv)
{
	struct nl_msg *msg;
	struct ap_nl *nl;
	char err[256];
	int ok = 0, ret;

	nl = ap_nl_open(err, sizeof(err));
	if (!nl) {
		ktap_result(0, "netlink: open family", "%s", err);
		return ktap_exit();
	}
	if (argc > 1 && !strcmp(argv[1], "--policy")) {
		policy_cases(nl);
		ap_nl_close(nl);
		return ktap_exit();
	}

	msg = new_msg(nl, ACTPLANE_CMD_STATUS);
	nla_put_u32(msg, 200, 1);	/* attribute type beyond ACTPLANE_A_MAX */
	expect_reject(nl, "netlink: unknown attribute rejected with ext-ack", msg, -EINVAL, NULL);

	msg = new_msg(nl, ACTPLANE_CMD_ENFORCER_TEST);
	nla_put_u8(msg, ACTPLANE_A_EFFECT, 2);	/* u32 expected */
	expect_reject(nl, "netlink: wrong attribute type rejected with ext-ack", msg, -EINVAL, NULL);

	msg = new_msg(nl, ACTPLANE_CMD_ENFORCER_TEST);
	nla_put_u32(msg, ACTPLANE_A_EFFECT, 9);	/* no such effect */
	expect_reject(nl, "netlink: out-of-range effect rejected with ext-ack", msg, -ERANGE, NULL);

	msg = new_msg(nl, ACTPLANE_CMD_STATUS);
	nla_put_string(msg, ACTPLANE_A_VERSION, "9.9");
	expect_reject(nl, "netlink: output-only attribute rejected with ext-ack", msg, -EINVAL,
		      "output-only");

	msg = new_msg(nl, 99);	/* no such command */
	ret = ap_nl_call_raw(nl, msg, NULL, NULL);
	nlmsg_free(msg);
	ktap_result(ret == -EOPNOTSUPP, "netlink: unknown command refused", "got %d", ret);

	ret = ap_nl_call(nl, ACTPLANE_CMD_STATUS, NULL, parse_version, &ok);
	ktap_result(ret == 0 && ok, "netlink: module answers STATUS after malformed requests",
		    "status returned %d", ret);
	ap_nl_close(nl);
	return ktap_exit();
}
