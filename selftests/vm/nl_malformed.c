// SPDX-License-Identifier: GPL-2.0-only
/*
 * Malformed generic netlink requests must be refused with an extended-ACK
 * message, and the module must keep answering afterwards.  Each command has
 * its own input policy: an attribute it does not take (an output-only one
 * included) is refused by the core.
 */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/wait.h>
#include <netlink/genl/genl.h>
#include "nl.h"
#include "harness.h"

/* A request of up to @size bytes */
static struct nl_msg *new_msg_size(struct ap_nl *nl, uint8_t cmd, size_t size)
{
	struct nl_msg *msg = nlmsg_alloc_size(size);

	genlmsg_put(msg, NL_AUTO_PORT, NL_AUTO_SEQ, ap_nl_family(nl), 0,
		    NLM_F_ACK | NLM_F_REQUEST, cmd, ACTPLANE_GENL_VERSION);
	return msg;
}

static struct nl_msg *new_msg(struct ap_nl *nl, uint8_t cmd)
{
	return new_msg_size(nl, cmd, 16384);	/* room for a 4 KiB argument */
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

static int put_label_elem(struct nl_msg *msg, void *name)
{
	struct nlattr *els = nla_nest_start(msg, ACTPLANE_A_ELEMS), *e;

	e = elem(msg, ACTPLANE_ELEM_LABEL);
	nla_put_string(msg, ACTPLANE_E_NAME, name);
	nla_nest_end(msg, e);
	nla_nest_end(msg, els);
	return 0;
}

/*
 * Each socket stages its own policy: a second socket's BEGIN, ADD and close
 * leave the first one's staging alone.  Nothing is committed.
 */
static void two_sockets(struct ap_nl *nl)
{
	struct ap_nl *nl2;
	char err[256];
	int a, b, c, d;

	nl2 = ap_nl_open(err, sizeof(err));
	if (!nl2) {
		ktap_result(0, "policy: two sockets stage independently", "second socket: %s", err);
		return;
	}
	a = ap_nl_call(nl, ACTPLANE_CMD_POLICY_BEGIN, NULL, NULL, NULL);
	b = ap_nl_call(nl2, ACTPLANE_CMD_POLICY_BEGIN, NULL, NULL, NULL);
	c = ap_nl_call(nl2, ACTPLANE_CMD_POLICY_ADD, put_label_elem, NULL, "two");
	ap_nl_close(nl2);
	d = ap_nl_call(nl, ACTPLANE_CMD_POLICY_ADD, put_label_elem, NULL, "one");
	ktap_result(!a && !b && !c && !d, "policy: two sockets stage independently",
		    "begin %d, second begin %d (was -EBUSY before ABI 2), second add %d, "
		    "first add after the second closed %d \"%s\"", a, b, c, d, ap_nl_errmsg(nl));
	ap_nl_call(nl, ACTPLANE_CMD_POLICY_BEGIN, NULL, NULL, NULL);	/* drop it */
}

/*
 * One attribute of an element, as a hostile stager would write it: the
 * module decodes elements with its own one-pass checker (kmod/policy.c,
 * ap_attrs_parse()), which must refuse whatever the strict nla_policy
 * check it replaced refused, with the same errno, and accept what it
 * accepted.  want 0: the ADD is accepted.  The attribute sits in a rule
 * element named "r", or in an ARGV list, or in a COND of an UNLESS list.
 */
static int put_own_spol(struct nl_msg *msg, void *arg);

struct attr_case {
	const char *what;
	int want;
	uint16_t type;		/* | NLA_F_NESTED where the case wants it */
	uint16_t len;
	const char *data;	/* len bytes; NULL: len - 1 'a's and a NUL */
	uint16_t list;		/* 0, or the list attribute it sits in */
	uint16_t cond;		/* nonzero: inside a COND of that list */
};

#define NEST(t)	((uint16_t)((t) | NLA_F_NESTED))
#define U32(v)	4, (const char *)&(const uint32_t){ v }
#define AT(what, want, type, ...)		{ what, want, type, __VA_ARGS__, 0, 0 }
#define IN(list, cond, what, want, type, ...)	{ what, want, type, __VA_ARGS__, list, cond }

static const struct attr_case attr_cases[] = {
	AT("an unknown attribute type", -EINVAL, ACTPLANE_E_MAX + 1, U32(1)),
	AT("attribute type 0", -EINVAL, 0, U32(1)),
	AT("a dump-only attribute", -EINVAL, NEST(ACTPLANE_E_CLAUSE), 0, ""),
	AT("a list entry at element level", -EINVAL, ACTPLANE_E_ARG, 2, NULL),
	AT("a condition's flag at element level", -EINVAL, ACTPLANE_E_NEGATE, 0, ""),
	AT("a u32 of 1 byte", -EINVAL, ACTPLANE_E_EFFECT, 1, "\x02"),
	AT("a u32 of 8 bytes", -EINVAL, ACTPLANE_E_EFFECT, 8, "\x02\0\0\0\0\0\0\0"),
	AT("effect 0", -ERANGE, ACTPLANE_E_EFFECT, U32(0)),
	AT("effect past kill", -ERANGE, ACTPLANE_E_EFFECT, U32(ACTPLANE_EFFECT_KILL + 1)),
	AT("port 65536", -ERANGE, ACTPLANE_E_PORT, U32(65536)),
	AT("prefix 129", -ERANGE, ACTPLANE_E_PREFIX, U32(129)),
	AT("exit status 256", -ERANGE, ACTPLANE_E_EXIT_STATUS, U32(256)),
	AT("a flag with a payload", -ERANGE, ACTPLANE_E_SESSION_ROOT, U32(1)),
	AT("an empty string", -EINVAL, ACTPLANE_E_BECAUSE, 0, ""),
	AT("a string without its NUL", -EINVAL, ACTPLANE_E_BECAUSE, 3, "abc"),
	AT("a name of 128 bytes", -EINVAL, ACTPLANE_E_NAME, 129, NULL),
	AT("a name with NULs past 127 bytes", -ERANGE, ACTPLANE_E_NAME, 200, (char[200]){ "ab" }),
	AT("an address of 17 bytes", -ERANGE, ACTPLANE_E_ADDR, 17, "0123456789abcdef"),
	AT("a condition program of 129 insns", -ERANGE, ACTPLANE_E_EXPR, 258, NULL),
	AT("a list without NLA_F_NESTED", -EINVAL, ACTPLANE_E_ARGV, 0, ""),
	AT("a string with NLA_F_NESTED", -EINVAL, NEST(ACTPLANE_E_BECAUSE), 2, NULL),
	AT("a list of 2 bytes", -ERANGE, NEST(ACTPLANE_E_UNLESS), 2, "\0\0"),
	IN(NEST(ACTPLANE_E_ARGV), 0, "an argument of 4096 bytes", -EINVAL, ACTPLANE_E_ARG, 4097, NULL),
	IN(NEST(ACTPLANE_E_ARGV), 0, "an argument without its NUL", -EINVAL, ACTPLANE_E_ARG, 1, "x"),
	IN(NEST(ACTPLANE_E_ARGV), 0, "a u32 inside an argument list", -EINVAL, ACTPLANE_E_OP, U32(1)),
	IN(NEST(ACTPLANE_E_UNLESS), 0, "a condition without NLA_F_NESTED", -EINVAL,
	   ACTPLANE_E_COND, 0, ""),
	IN(NEST(ACTPLANE_E_UNLESS), 1, "a condition kind past after", -ERANGE,
	   ACTPLANE_E_COND_KIND, U32(ACTPLANE_COND_AFTER + 1)),
	IN(NEST(ACTPLANE_E_UNLESS), 1, "a name inside a condition", -EINVAL, ACTPLANE_E_NAME, 2, NULL),
	IN(NEST(ACTPLANE_E_UNLESS), 1, "a negation flag of 1 byte", -ERANGE, ACTPLANE_E_NEGATE, 1, "\1"),
	/* what the old check accepted stays accepted */
	AT("a name of 127 bytes", 0, ACTPLANE_E_NAME, 128, NULL),
	AT("a name padded with NULs", 0, ACTPLANE_E_NAME, 6, "ab\0\0\0"),
	AT("an empty list", 0, NEST(ACTPLANE_E_ARGV), 0, ""),
	IN(NEST(ACTPLANE_E_ARGV), 0, "an argument of 4095 bytes", 0, ACTPLANE_E_ARG, 4096, NULL),
	AT("an exit status of 255", 0, ACTPLANE_E_EXIT_STATUS, U32(255)),
	AT("an attribute with NLA_F_NET_BYTEORDER", 0, ACTPLANE_E_PORT | NLA_F_NET_BYTEORDER, U32(0)),
};

/*
 * BEGIN (a session policy's with @session; its result in *@begin), then an
 * ADD whose ELEMS list (*@els) starts with rule "r", left open in *@e.
 */
static struct nl_msg *rule_add(struct ap_nl *nl, bool session, int *begin, struct nlattr **els,
			       struct nlattr **e)
{
	struct nl_msg *msg;

	*begin = ap_nl_call(nl, session ? ACTPLANE_CMD_SESSION_POLICY_BEGIN :
				ACTPLANE_CMD_POLICY_BEGIN, NULL, NULL, NULL);
	msg = new_msg(nl, session ? ACTPLANE_CMD_SESSION_POLICY_ADD : ACTPLANE_CMD_POLICY_ADD);
	*els = nla_nest_start(msg, ACTPLANE_A_ELEMS);
	*e = elem(msg, ACTPLANE_ELEM_RULE);
	nla_put_string(msg, ACTPLANE_E_NAME, "r");
	return msg;
}

/* BEGIN, then an ADD of a rule element carrying @k's attribute */
static void attr_case(struct ap_nl *nl, const struct attr_case *k, bool session)
{
	static char buf[4200];
	struct nl_msg *msg;
	struct nlattr *els, *e, *l = NULL, *c = NULL;
	const void *data = k->data;
	char name[128];
	int ret;

	if (!data) {
		memset(buf, 'a', k->len);
		buf[k->len ? k->len - 1 : 0] = '\0';
		data = buf;
	}
	msg = rule_add(nl, session, &ret, &els, &e);
	if (k->list) {
		l = nla_nest_start(msg, k->list & ~NLA_F_NESTED);
		if (k->cond)
			c = nla_nest_start(msg, ACTPLANE_E_COND);
	}
	nla_put(msg, k->type, k->len, data);
	if (c)
		nla_nest_end(msg, c);
	if (l)
		nla_nest_end(msg, l);
	nla_nest_end(msg, e);
	nla_nest_end(msg, els);
	snprintf(name, sizeof(name), "%selement: %s %s", session ? "session policy: " : "policy: ",
		 k->what, k->want ? "refused, naming the element" : "accepted");
	if (ret) {
		nlmsg_free(msg);
		ktap_result(0, name, "BEGIN got %d \"%s\"", ret, ap_nl_errmsg(nl));
		return;
	}
	if (k->want) {
		expect_reject(nl, name, msg, k->want, "element 0: ");
		return;
	}
	ret = ap_nl_call_raw(nl, msg, NULL, NULL);
	nlmsg_free(msg);
	ktap_result(ret == 0, name, "got %d \"%s\"", ret, ap_nl_errmsg(nl));
}

/* Every case of attr_cases; a refused ADD leaves nothing staged. */
static void attr_cases_run(struct ap_nl *nl, bool session)
{
	unsigned int i;
	int ret;

	for (i = 0; i < sizeof(attr_cases) / sizeof(attr_cases[0]); i++)
		attr_case(nl, &attr_cases[i], session);
	/*
	 * The table ends with accepted cases, whose stage is still open: one
	 * refused case more, so that the commit below tests that a refusal
	 * voids the stage, not that an accepted ADD left nothing.
	 */
	attr_case(nl, &attr_cases[0], session);
	ret = ap_nl_call(nl, session ? ACTPLANE_CMD_SESSION_CREATE : ACTPLANE_CMD_POLICY_COMMIT,
			 session ? put_own_spol : NULL, NULL, NULL);
	ktap_result(ret == -ENOENT, session ? "session policy: a refused element voids the stage" :
		    "policy: a refused element voids the stage", "got %d \"%s\"", ret,
		    ap_nl_errmsg(nl));
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

	two_sockets(nl);

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

	attr_cases_run(nl, false);

	/* an attribute whose length runs past its element's end */
	msg = rule_add(nl, false, &ret, &els, &e);
	nla_reserve(msg, ACTPLANE_E_BECAUSE, 0)->nla_len = 100;
	nla_nest_end(msg, e);
	nla_nest_end(msg, els);
	expect_reject(nl, "policy: an attribute running past its element refused", msg, -EINVAL,
		      "element 0: ");

	/* an element without NLA_F_NESTED */
	msg = rule_add(nl, false, &ret, &els, &e);
	nla_nest_end(msg, e);
	e->nla_type &= ~NLA_F_NESTED;
	nla_nest_end(msg, els);
	expect_reject(nl, "policy: an element without NLA_F_NESTED refused", msg, -EINVAL,
		      "element 0: ");
	return 0;
}

/* SESSION_CREATE of the caller's own process, with its staged session policy */
static int put_own_spol(struct nl_msg *msg, void *arg)
{
	(void)arg;
	nla_put_u32(msg, ACTPLANE_A_PID, (uint32_t)getpid());
	nla_put_flag(msg, ACTPLANE_A_SESSION_POLICY);
	return 0;
}

/*
 * SESSION_POLICY_BEGIN, then an ADD of one element of @kind (and its needs):
 * with @label, a label the module does not have, which a source or a
 * transform declares and a clause tests; without, a clause that tests
 * nothing (a policy that attaches).  The pattern names nothing that exists.
 */
/* The pattern element the session policies below stage: nothing matches it */
static void put_zz_pattern(struct nl_msg *msg)
{
	struct nlattr *e = elem(msg, ACTPLANE_ELEM_PATTERN);

	nla_put_u32(msg, ACTPLANE_E_CLASS, ACTPLANE_MATCH_GLOB);
	nla_put_string(msg, ACTPLANE_E_GLOB, "/nonexistent-zz/**");
	nla_nest_end(msg, e);
}

static struct nl_msg *spol_add(struct ap_nl *nl, unsigned int kind, bool label)
{
	struct nl_msg *msg;
	struct nlattr *els, *e;

	ap_nl_call(nl, ACTPLANE_CMD_SESSION_POLICY_BEGIN, NULL, NULL, NULL);
	msg = new_msg(nl, ACTPLANE_CMD_SESSION_POLICY_ADD);
	els = nla_nest_start(msg, ACTPLANE_A_ELEMS);
	if (label) {
		e = elem(msg, ACTPLANE_ELEM_LABEL);
		nla_put_string(msg, ACTPLANE_E_NAME, "no-such-label-zz");
		nla_nest_end(msg, e);
	}
	put_zz_pattern(msg);
	e = elem(msg, ACTPLANE_ELEM_RULE);
	nla_put_string(msg, ACTPLANE_E_NAME, "r");
	nla_nest_end(msg, e);
	e = elem(msg, kind);
	switch (kind) {
	case ACTPLANE_ELEM_SOURCE:
		nla_put_u32(msg, ACTPLANE_E_TARGET_KIND, ACTPLANE_TARGET_FILE);
		nla_put_u32(msg, ACTPLANE_E_TARGET, 0);
		nla_put_u32(msg, ACTPLANE_E_LABEL, 0);
		break;
	case ACTPLANE_ELEM_TRANSFORM:
		nla_put_u32(msg, ACTPLANE_E_TRANSFORM, ACTPLANE_TRANSFORM_DECLASSIFY);
		nla_put_u32(msg, ACTPLANE_E_LABEL, 0);
		nla_put_u32(msg, ACTPLANE_E_TARGET, 0);
		break;
	case ACTPLANE_ELEM_CLAUSE: {	/* block read of the pattern [if no-such-label-zz] */
		nla_put_u32(msg, ACTPLANE_E_RULE, 0);
		nla_put_u32(msg, ACTPLANE_E_EFFECT, ACTPLANE_EFFECT_BLOCK);
		nla_put_u32(msg, ACTPLANE_E_OP, ACTPLANE_OP_READ);
		nla_put_u32(msg, ACTPLANE_E_TARGET_KIND, ACTPLANE_TARGET_FILE);
		nla_put_u32(msg, ACTPLANE_E_TARGET, 0);
		if (label)
			nla_put(msg, ACTPLANE_E_EXPR, 2, (uint8_t[]){ ACTPLANE_EXPR_LABEL, 0 });
		break;
	}
	}
	nla_nest_end(msg, e);
	nla_nest_end(msg, els);
	return msg;
}

/* A session policy with @n labels of its own: n sources of one pattern */
static struct nl_msg *spol_private(struct ap_nl *nl, int n)
{
	struct nl_msg *msg;
	struct nlattr *els, *e;
	char name[32];
	int i;

	ap_nl_call(nl, ACTPLANE_CMD_SESSION_POLICY_BEGIN, NULL, NULL, NULL);
	msg = new_msg(nl, ACTPLANE_CMD_SESSION_POLICY_ADD);
	els = nla_nest_start(msg, ACTPLANE_A_ELEMS);
	for (i = 0; i < n; i++) {
		e = elem(msg, ACTPLANE_ELEM_LABEL);
		snprintf(name, sizeof(name), "own%d", i);
		nla_put_string(msg, ACTPLANE_E_NAME, name);
		nla_nest_end(msg, e);
	}
	put_zz_pattern(msg);
	for (i = 0; i < n; i++) {
		e = elem(msg, ACTPLANE_ELEM_SOURCE);
		nla_put_u32(msg, ACTPLANE_E_TARGET_KIND, ACTPLANE_TARGET_FILE);
		nla_put_u32(msg, ACTPLANE_E_TARGET, 0);
		nla_put_u32(msg, ACTPLANE_E_LABEL, i);
		nla_nest_end(msg, e);
	}
	nla_nest_end(msg, els);
	return msg;
}

/* A session policy with @n lineage programs or exec gates (@kind) of one pattern */
static struct nl_msg *spol_many(struct ap_nl *nl, unsigned int kind, int n)
{
	struct nl_msg *msg;
	struct nlattr *els, *e;
	int i;

	ap_nl_call(nl, ACTPLANE_CMD_SESSION_POLICY_BEGIN, NULL, NULL, NULL);
	msg = new_msg(nl, ACTPLANE_CMD_SESSION_POLICY_ADD);
	els = nla_nest_start(msg, ACTPLANE_A_ELEMS);
	put_zz_pattern(msg);
	for (i = 0; i < n; i++) {
		e = elem(msg, kind);
		nla_put_u32(msg, ACTPLANE_E_TARGET, 0);
		if (kind == ACTPLANE_ELEM_GATE)
			nla_put_u32(msg, ACTPLANE_E_OP, ACTPLANE_OP_EXEC);
		nla_nest_end(msg, e);
	}
	nla_nest_end(msg, els);
	return msg;
}

/*
 * @msg stages (SESSION_POLICY_ADD checks each element alone), and the
 * SESSION_CREATE that attaches it fails with @err saying @why.
 */
static void spol_refused_at_attach(struct ap_nl *nl, struct nl_msg *msg, int err,
				   const char *why, const char *name)
{
	int ret = ap_nl_call_raw(nl, msg, NULL, NULL);
	char t[160];

	nlmsg_free(msg);
	snprintf(t, sizeof(t), "%s: stages", name);
	ktap_result(ret == 0, t, "got %d \"%s\"", ret, ap_nl_errmsg(nl));
	ret = ap_nl_call(nl, ACTPLANE_CMD_SESSION_CREATE, put_own_spol, NULL, NULL);
	snprintf(t, sizeof(t), "%s: refused at attach", name);
	ktap_result(ret == err && strstr(ap_nl_errmsg(nl), why), t, "got %d \"%s\"", ret,
		    ap_nl_errmsg(nl));
}

/* SESSION_POLICY_ADD of one 3000-byte glob (about 6 KiB charged); the error */
static int spol_add_big(struct ap_nl *nl)
{
	struct nl_msg *msg = new_msg(nl, ACTPLANE_CMD_SESSION_POLICY_ADD);
	struct nlattr *els, *e;
	char glob[3001];
	int ret;

	memset(glob, 'q', sizeof(glob) - 1);
	glob[0] = '/';
	glob[sizeof(glob) - 2] = '*';
	glob[sizeof(glob) - 1] = 0;
	els = nla_nest_start(msg, ACTPLANE_A_ELEMS);
	e = elem(msg, ACTPLANE_ELEM_PATTERN);
	nla_put_u32(msg, ACTPLANE_E_CLASS, ACTPLANE_MATCH_GLOB);
	nla_put_string(msg, ACTPLANE_E_GLOB, glob);
	nla_nest_end(msg, e);
	nla_nest_end(msg, els);
	ret = ap_nl_call_raw(nl, msg, NULL, NULL);
	nlmsg_free(msg);
	return ret;
}

/* Stage @n big patterns on @nl; the first error, or 0. */
static int spol_fill(struct ap_nl *nl, int n)
{
	int i, ret = ap_nl_call(nl, ACTPLANE_CMD_SESSION_POLICY_BEGIN, NULL, NULL, NULL);

	for (i = 0; !ret && i < n; i++)
		ret = spol_add_big(nl);
	return ret;
}

/*
 * One user's session stages, all its sockets together, stay within 8 MiB
 * (each socket: 4 MiB): a user cannot take the budget every user stages
 * from by opening sockets.  About 3 MiB per socket: two fit, the third
 * goes over; closing one gives its bytes back.
 */
static void session_user_quota(void)
{
	struct ap_nl *s[3];
	char err[256];
	int i, ret;

	for (i = 0; i < 3; i++) {
		s[i] = ap_nl_open(err, sizeof(err));
		if (!s[i]) {
			ktap_result(0, "session policy: per-user staging quota", "open: %s", err);
			while (i--)
				ap_nl_close(s[i]);
			return;
		}
	}
	ret = spol_fill(s[0], 500);
	ktap_result(ret == 0, "session policy: 3 MiB staged on one socket", "got %d \"%s\"", ret,
		    ap_nl_errmsg(s[0]));
	ret = spol_fill(s[1], 500);
	ktap_result(ret == 0, "session policy: 3 MiB more on another socket of the same user",
		    "got %d \"%s\"", ret, ap_nl_errmsg(s[1]));
	ret = spol_fill(s[2], 500);
	ktap_result(ret == -EDQUOT && strstr(ap_nl_errmsg(s[2]), "more than 8 MiB together"),
		    "session policy: a third socket of the same user goes over its quota (EDQUOT)",
		    "got %d \"%s\"", ret, ap_nl_errmsg(s[2]));
	ap_nl_close(s[0]);
	ret = spol_fill(s[2], 300);
	ktap_result(ret == 0, "session policy: a closed socket gives its bytes back",
		    "got %d \"%s\"", ret, ap_nl_errmsg(s[2]));
	ap_nl_close(s[1]);
	ap_nl_close(s[2]);
}

/*
 * An exec rule's arguments count against the stage's 4 MiB like every
 * other string.  Each ADD stages one clause with 12 arguments of 4095
 * bytes (about 48 KiB): the 4 MiB are full before the 90th ADD.  Were
 * arguments not counted, a user could stage 64 x 4 KiB per clause
 * outside the bounds that keep session stages from filling the kernel.
 */
static void session_arg_quota(void)
{
	static char arg[4096];
	struct ap_nl *nl;
	char err[256];
	int i, j, ret;

	nl = ap_nl_open(err, sizeof(err));
	if (!nl) {
		ktap_result(0, "session policy: exec arguments count against its 4 MiB", "open: %s",
			    err);
		return;
	}
	memset(arg, 'a', sizeof(arg) - 1);
	ret = ap_nl_call(nl, ACTPLANE_CMD_SESSION_POLICY_BEGIN, NULL, NULL, NULL);
	for (i = 0; !ret && i < 90; i++) {
		struct nl_msg *msg = new_msg_size(nl, ACTPLANE_CMD_SESSION_POLICY_ADD, 56 * 1024);
		struct nlattr *els, *e, *l;

		els = nla_nest_start(msg, ACTPLANE_A_ELEMS);
		if (!i) {
			put_zz_pattern(msg);
			e = elem(msg, ACTPLANE_ELEM_RULE);
			nla_put_string(msg, ACTPLANE_E_NAME, "r");
			nla_nest_end(msg, e);
		}
		e = elem(msg, ACTPLANE_ELEM_CLAUSE);
		nla_put_u32(msg, ACTPLANE_E_RULE, 0);
		nla_put_u32(msg, ACTPLANE_E_EFFECT, ACTPLANE_EFFECT_BLOCK);
		nla_put_u32(msg, ACTPLANE_E_OP, ACTPLANE_OP_EXEC);
		nla_put_u32(msg, ACTPLANE_E_TARGET_KIND, ACTPLANE_TARGET_EXEC);
		nla_put_u32(msg, ACTPLANE_E_TARGET, 0);
		l = nla_nest_start(msg, ACTPLANE_E_ARGV);
		for (j = 0; j < 12; j++)
			if (nla_put_string(msg, ACTPLANE_E_ARG, arg))
				break;
		nla_nest_end(msg, l);
		nla_nest_end(msg, e);
		nla_nest_end(msg, els);
		ret = j < 12 ? -EMSGSIZE : ap_nl_call_raw(nl, msg, NULL, NULL);
		nlmsg_free(msg);
	}
	/* about 85 ADDs fit; fewer than 60 would mean something else is counted */
	ktap_result(ret == -E2BIG && strstr(ap_nl_errmsg(nl), "policy larger than 4 MiB") && i > 60,
		    "session policy: exec arguments count against its 4 MiB (E2BIG)",
		    "ADD %d got %d \"%s\"", i, ret, ap_nl_errmsg(nl));
	ap_nl_close(nl);
}

/*
 * Every element kind counts against the stage's 4 MiB, not only those
 * with strings: an invalidator stores about 24 bytes and nothing else.
 * 1500 of them per ADD (about 54 KiB of message): the 4 MiB are full
 * before 200,000.  Were they not counted, a user could stage a million of
 * each kind per socket (the element cap), tens of MiB outside its quota.
 */
static void session_elem_quota(void)
{
	struct ap_nl *nl;
	char err[256];
	int i, j, ret, n = 0;

	nl = ap_nl_open(err, sizeof(err));
	if (!nl) {
		ktap_result(0, "session policy: every element counts against its 4 MiB", "open: %s",
			    err);
		return;
	}
	ret = ap_nl_call(nl, ACTPLANE_CMD_SESSION_POLICY_BEGIN, NULL, NULL, NULL);
	for (i = 0; !ret && n < 200000; i++) {
		struct nl_msg *msg = new_msg_size(nl, ACTPLANE_CMD_SESSION_POLICY_ADD, 60 * 1024);
		struct nlattr *els, *e;

		els = nla_nest_start(msg, ACTPLANE_A_ELEMS);
		if (!i) {
			put_zz_pattern(msg);
			e = elem(msg, ACTPLANE_ELEM_GATE);
			nla_put_u32(msg, ACTPLANE_E_OP, ACTPLANE_OP_EXEC);
			nla_put_u32(msg, ACTPLANE_E_TARGET, 0);
			nla_nest_end(msg, e);
		}
		for (j = 0; j < 1500; j++, n++) {
			e = elem(msg, ACTPLANE_ELEM_INVALIDATOR);
			nla_put_u32(msg, ACTPLANE_E_GATE, 0);
			nla_put_u32(msg, ACTPLANE_E_OP, ACTPLANE_OP_WRITE);
			nla_put_u32(msg, ACTPLANE_E_TARGET, 0);
			nla_nest_end(msg, e);
		}
		nla_nest_end(msg, els);
		ret = ap_nl_call_raw(nl, msg, NULL, NULL);
		nlmsg_free(msg);
	}
	ktap_result(ret == -E2BIG && strstr(ap_nl_errmsg(nl), "policy larger than 4 MiB"),
		    "session policy: every element kind counts against its 4 MiB (E2BIG)",
		    "after %d elements: %d \"%s\"", n, ret, ap_nl_errmsg(nl));
	ap_nl_close(nl);
}

/*
 * Two threads of one process attach a session policy at the same moment,
 * each from its own socket.  The module roots each new session at the
 * process and nests it in the session the process was in when the call
 * began: the loser of a race must fail with EBUSY and leave nothing
 * behind (its session and its rules freed), and a winner that came second
 * must be nested in the first one, never beside it.  Each round is a new
 * process; its sessions and their rules are gone when it exits.
 */
struct race_thread {
	struct ap_nl *nl;
	pthread_barrier_t *go;
	int ret;
	uint32_t id;
	char err[160];
};

/* SESSION_POLICY_BEGIN + ADD of a policy that attaches: one rule */
static int spol_stage_one(struct ap_nl *nl)
{
	struct nl_msg *msg = spol_add(nl, ACTPLANE_ELEM_CLAUSE, false);
	int ret = ap_nl_call_raw(nl, msg, NULL, NULL);

	nlmsg_free(msg);
	return ret;
}

static int get_session_id(struct nlattr **tb, void *arg)
{
	if (tb[ACTPLANE_A_SESSION])
		*(uint32_t *)arg = nla_get_u32(tb[ACTPLANE_A_SESSION]);
	return 0;
}

static void *race_attach(void *arg)
{
	struct race_thread *t = arg;

	pthread_barrier_wait(t->go);
	t->ret = ap_nl_call(t->nl, ACTPLANE_CMD_SESSION_CREATE, put_own_spol, get_session_id, &t->id);
	snprintf(t->err, sizeof(t->err), "%s", ap_nl_errmsg(t->nl));
	return NULL;
}

/*
 * The caller's sessions rooted at process @root (a user's dump lists its
 * own only): id, parent, rules.  Other tests' sessions do not count.
 */
struct own_sessions {
	pid_t root;
	int n;
	uint32_t id[8], parent[8], rules[8];
};

static int own_session(struct nlattr **tb, void *arg)
{
	struct own_sessions *o = arg;
	struct nlattr *a;
	pid_t root = 0;
	int rem;

	if (!tb[ACTPLANE_A_SESSION_INFO] || o->n >= 8)
		return 0;
	o->id[o->n] = o->parent[o->n] = o->rules[o->n] = 0;
	nla_for_each_nested(a, tb[ACTPLANE_A_SESSION_INFO], rem) {
		if (nla_len(a) != 4)
			continue;
		if (nla_type(a) == ACTPLANE_SESSION_A_ROOT)
			root = (pid_t)nla_get_u32(a);
		else if (nla_type(a) == ACTPLANE_SESSION_A_ID)
			o->id[o->n] = nla_get_u32(a);
		else if (nla_type(a) == ACTPLANE_SESSION_A_PARENT)
			o->parent[o->n] = nla_get_u32(a);
		else if (nla_type(a) == ACTPLANE_SESSION_A_RULES)
			o->rules[o->n] = nla_get_u32(a);
	}
	o->n += root == o->root;
	return 0;
}

static int own_sessions(struct ap_nl *nl, pid_t root, struct own_sessions *o)
{
	o->root = root;
	o->n = 0;
	return ap_nl_dump(nl, ACTPLANE_CMD_SESSION_DUMP, NULL, own_session, o);
}

/*
 * One round, in a new process: two threads attach.  Writes one line to
 * @fd: the verdict ("ok B" with B the number of winners, or what broke),
 * then waits to be killed.
 */
static void race_round(int fd)
{
	struct race_thread t[2] = {};
	struct own_sessions o;
	pthread_barrier_t go;
	pthread_t th[2];
	char line[400] = "";
	int i, won = 0;

	pthread_barrier_init(&go, NULL, 2);
	for (i = 0; i < 2; i++) {
		char err[160];

		t[i].go = &go;
		t[i].nl = ap_nl_open(err, sizeof(err));
		if (!t[i].nl || spol_stage_one(t[i].nl)) {
			snprintf(line, sizeof(line), "thread %d: open or stage failed", i);
			goto out;
		}
	}
	for (i = 0; i < 2; i++)
		pthread_create(&th[i], NULL, race_attach, &t[i]);
	for (i = 0; i < 2; i++)
		pthread_join(th[i], NULL);
	for (i = 0; i < 2; i++) {
		if (!t[i].ret) {
			won++;
		} else if (t[i].ret != -EBUSY || !strstr(t[i].err, "another thread")) {
			snprintf(line, sizeof(line), "thread %d: %d \"%s\"", i, t[i].ret, t[i].err);
			goto out;
		}
	}
	if (own_sessions(t[0].nl, getpid(), &o)) {
		snprintf(line, sizeof(line), "session dump failed");
		goto out;
	}
	if (!won || o.n != won) {
		snprintf(line, sizeof(line), "%d winners (ret %d id %u, ret %d id %u), %d sessions "
			 "listed: %u<-%u %u<-%u", won, t[0].ret, t[0].id, t[1].ret, t[1].id, o.n,
			 o.id[0], o.parent[0], o.n > 1 ? o.id[1] : 0, o.n > 1 ? o.parent[1] : 0);
		goto out;
	}
	for (i = 0; i < o.n; i++) {
		if (o.rules[i] != 1 || (o.id[i] != t[0].id && o.id[i] != t[1].id))
			snprintf(line, sizeof(line), "session %u: %u rules, not a winner's", o.id[i],
				 o.rules[i]);
	}
	if (won == 2 && !((o.parent[0] == o.id[1] && !o.parent[1]) ||
			  (o.parent[1] == o.id[0] && !o.parent[0])))
		snprintf(line, sizeof(line), "two winners side by side: %u<-%u, %u<-%u",
			 o.id[0], o.parent[0], o.id[1], o.parent[1]);
	if (!line[0])
		snprintf(line, sizeof(line), "ok %d", won);
out:
	for (i = 0; i < 2; i++)
		if (t[i].nl)
			ap_nl_close(t[i].nl);
	strcat(line, "\n");
	if (write(fd, line, strlen(line)) < 0)
		_exit(1);
	for (;;)
		pause();
}

static void session_attach_race(struct ap_nl *nl)
{
	struct own_sessions o;
	int round, rounds = 200, bad = 0, busy = 0, i, ret;
	char first_bad[400] = "";

	for (round = 0; round < rounds && !bad; round++) {
		char line[400] = "";
		int fds[2];
		ssize_t n;
		pid_t pid;

		if (pipe(fds)) {
			snprintf(first_bad, sizeof(first_bad), "round %d: pipe: %s", round,
				 strerror(errno));
			break;
		}
		pid = fork();
		if (pid < 0) {		/* never kill(-1, ...) */
			snprintf(first_bad, sizeof(first_bad), "round %d: fork: %s", round,
				 strerror(errno));
			close(fds[0]);
			close(fds[1]);
			break;
		}
		if (!pid) {
			close(fds[0]);
			race_round(fds[1]);
		}
		close(fds[1]);
		n = read(fds[0], line, sizeof(line) - 1);
		close(fds[0]);
		line[n > 0 ? n : 0] = 0;
		line[strcspn(line, "\n")] = 0;	/* the detail is one line */
		kill(pid, SIGKILL);
		waitpid(pid, NULL, 0);
		if (strncmp(line, "ok ", 3)) {
			bad++;
			snprintf(first_bad, sizeof(first_bad), "round %d: %s", round, line);
		}
		busy += !strcmp(line, "ok 1");
		/* the round's sessions end as its process is freed */
		for (i = 0; i < 500 && !(ret = own_sessions(nl, pid, &o)) && o.n; i++)
			usleep(10 * 1000);
		if ((ret || o.n) && !bad) {
			bad++;
			snprintf(first_bad, sizeof(first_bad), "round %d: dump %d, %d sessions left",
				 round, ret, o.n);
		}
	}
	ktap_result(!bad && round == rounds,
		    "session policy: two threads attach at once: one fails with EBUSY or nests, "
		    "nothing is left", "%s (%d rounds)", first_bad, round);
	printf("# %d of %d rounds raced (one thread got EBUSY)\n", busy, round);
}

/*
 * Session policies over netlink, as a user (run with setpriv): --not-allowed
 * (not in the session group), or --session (in it, with no_new_privs).  What
 * the tool refuses first, the module refuses too.
 */
static void session_cases(struct ap_nl *nl, bool allowed)
{
	struct nl_msg *msg;
	int ret;

	if (!allowed) {
		ret = ap_nl_call(nl, ACTPLANE_CMD_SESSION_POLICY_BEGIN, NULL, NULL, NULL);
		ktap_result(ret == -EPERM && strstr(ap_nl_errmsg(nl), "may not create sessions"),
			    "session policy: a user outside the group may not stage one",
			    "got %d \"%s\"", ret, ap_nl_errmsg(nl));
		return;
	}
	attr_cases_run(nl, true);
	expect_reject(nl, "session policy: a ninth `after` gate refused, naming the element",
		      spol_many(nl, ACTPLANE_ELEM_GATE, ACTPLANE_SESSION_GATES_MAX + 1), -EINVAL,
		      "element 9: a session policy has at most 8 `after` gates");
	expect_reject(nl, "session policy: a ninth lineage program refused, naming the element",
		      spol_many(nl, ACTPLANE_ELEM_LINEAGE, ACTPLANE_SESSION_LINEAGES_MAX + 1), -EINVAL,
		      "element 9: a session policy has at most 8 lineage programs");
	/* a declassify of a label it has no source for (the machine's) */
	spol_refused_at_attach(nl, spol_add(nl, ACTPLANE_ELEM_TRANSFORM, true), -EPERM,
			       "not a label its own sources introduce",
			       "session policy: declassify of a label without its own source");
	spol_refused_at_attach(nl, spol_private(nl, ACTPLANE_SESSION_PRIVATE_MAX + 1), -EINVAL,
			       "at most 8 labels of its own",
			       "session policy: more than 8 labels of its own");
	ret = ap_nl_call(nl, ACTPLANE_CMD_SESSION_CREATE, put_own_spol, NULL, NULL);
	ktap_result(ret == -ENOENT && strstr(ap_nl_errmsg(nl), "no session policy is staged"),
		    "session policy: a refused add leaves nothing to attach", "got %d \"%s\"", ret,
		    ap_nl_errmsg(nl));
	msg = spol_add(nl, ACTPLANE_ELEM_CLAUSE, true);
	ret = ap_nl_call_raw(nl, msg, NULL, NULL);
	nlmsg_free(msg);
	ktap_result(ret == 0, "session policy: rules stage", "got %d \"%s\"", ret, ap_nl_errmsg(nl));
	ret = ap_nl_call(nl, ACTPLANE_CMD_POLICY_COMMIT, NULL, NULL, NULL);
	ktap_result(ret == -EPERM, "session policy: a user cannot commit it as the machine's",
		    "got %d \"%s\"", ret, ap_nl_errmsg(nl));
	msg = new_msg(nl, ACTPLANE_CMD_POLICY_ADD);
	put_label_elem(msg, "x");
	expect_reject(nl, "session policy: a user cannot add with POLICY_ADD", msg, -EPERM,
		      "CAP_NET_ADMIN");
	ret = ap_nl_call(nl, ACTPLANE_CMD_SESSION_CREATE, put_own_spol, NULL, NULL);
	ktap_result(ret == -ENOENT && strstr(ap_nl_errmsg(nl), "is not the machine's"),
		    "session policy: a label the module does not have refused at attach",
		    "got %d \"%s\"", ret, ap_nl_errmsg(nl));
	ret = ap_nl_call(nl, ACTPLANE_CMD_SESSION_CREATE, put_own_spol, NULL, NULL);
	ktap_result(ret == -ENOENT, "session policy: the stage is consumed by the attempt",
		    "got %d \"%s\"", ret, ap_nl_errmsg(nl));
	session_user_quota();
	session_arg_quota();
	session_elem_quota();
	session_attach_race(nl);
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
	if (argc > 1 && (!strcmp(argv[1], "--session") || !strcmp(argv[1], "--not-allowed"))) {
		session_cases(nl, !strcmp(argv[1], "--session"));
		ap_nl_close(nl);
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

	/* STATUS takes nothing: its own output attributes are refused as input */
	msg = new_msg(nl, ACTPLANE_CMD_STATUS);
	nla_put_string(msg, ACTPLANE_A_VERSION, "9.9");
	expect_reject(nl, "netlink: output-only attribute rejected with ext-ack", msg, -EINVAL,
		      "takes no attributes");

	/* ENFORCER_TEST takes EFFECT only (its policy ends there) */
	msg = new_msg(nl, ACTPLANE_CMD_ENFORCER_TEST);
	nla_put_string(msg, ACTPLANE_A_ENFORCER, "x");
	expect_reject(nl, "netlink: attribute of another command rejected with ext-ack", msg, -EINVAL,
		      "Unsupported attribute");
	msg = new_msg(nl, ACTPLANE_CMD_ENFORCER_TEST);
	nla_put_u32(msg, ACTPLANE_A_VERDICT, 1);
	expect_reject(nl, "netlink: attribute past the command's policy rejected with ext-ack", msg,
		      -EINVAL, "Unknown attribute type");

	/* WHY: one label, named; LIMITS_SET: its inputs only (issue #19) */
	msg = new_msg(nl, ACTPLANE_CMD_WHY);
	nla_put_u32(msg, ACTPLANE_A_PID, (uint32_t)getpid());
	expect_reject(nl, "netlink: WHY without a label rejected with ext-ack", msg, -EINVAL,
		      "exactly one label");
	msg = new_msg(nl, ACTPLANE_CMD_WHY);
	nla_put_u32(msg, ACTPLANE_A_PID, (uint32_t)getpid());
	{
		struct nlattr *ls = nla_nest_start(msg, ACTPLANE_A_LABELS);

		nla_put_string(msg, ACTPLANE_A_LABEL, "no-such-label-here");
		nla_nest_end(msg, ls);
	}
	expect_reject(nl, "netlink: WHY of an unknown label rejected with ext-ack", msg, -ENOENT,
		      "unknown label");
	msg = new_msg(nl, ACTPLANE_CMD_LIMITS_SET);
	nla_put_u32(msg, ACTPLANE_A_PROVENANCE, 2);
	expect_reject(nl, "netlink: LIMITS_SET provenance out of range rejected with ext-ack", msg,
		      -ERANGE, NULL);
	msg = new_msg(nl, ACTPLANE_CMD_LIMITS_SET);
	nla_put_u32(msg, ACTPLANE_A_STAGING, 1);
	expect_reject(nl, "netlink: LIMITS_SET with an output attribute rejected with ext-ack", msg,
		      -EINVAL, NULL);

	/* no resv_start_op: every command gets the core's header checks */
	msg = new_msg(nl, ACTPLANE_CMD_STATUS);
	((struct genlmsghdr *)nlmsg_data(nlmsg_hdr(msg)))->reserved = 1;
	expect_reject(nl, "netlink: non-zero genlmsghdr.reserved rejected with ext-ack", msg, -EINVAL,
		      "reserved");

	ret = ap_nl_dump(nl, ACTPLANE_CMD_STATUS, NULL, NULL, NULL);
	ktap_result(ret == -EOPNOTSUPP, "netlink: STATUS as a dump refused", "got %d", ret);
	ret = ap_nl_dump(nl, ACTPLANE_CMD_SESSION_DUMP, NULL, NULL, NULL);
	ktap_result(ret == 0, "netlink: SESSION_DUMP answers", "got %d \"%s\"", ret, ap_nl_errmsg(nl));

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
