// SPDX-License-Identifier: GPL-2.0-only
/*
 * libnl-genl client for the actplane family.  One path for every request:
 * build, send (NLM_F_ACK for a command, NLM_F_DUMP for a dump), receive
 * replies into a parse callback, and collect the error and extended-ACK
 * message the kernel returns, from an error message or from the NLMSG_DONE
 * that ends a dump.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <linux/netlink.h>
#include <netlink/netlink.h>
#include <netlink/genl/genl.h>
#include <netlink/genl/ctrl.h>
#include "nl.h"
#include "cmd.h"

#ifndef SOL_NETLINK
#define SOL_NETLINK 270
#endif

struct ap_nl {
	struct nl_sock *sk;
	int family;
	int err;
	int done;
	int intr;		/* a dump part came with NLM_F_DUMP_INTR */
	char msg[256];
	ap_nl_parse_fn parse;
	void *arg;
};

struct ap_nl *ap_nl_open(char *err, size_t errlen)
{
	struct ap_nl *nl = calloc(1, sizeof(*nl));
	int one = 1;

	if (!nl) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	nl->sk = nl_socket_alloc();
	if (!nl->sk || genl_connect(nl->sk)) {
		snprintf(err, errlen, "cannot open a generic netlink socket");
		goto fail;
	}
	/* Ask for extended-ACK messages; harmless if unsupported. */
	setsockopt(nl_socket_get_fd(nl->sk), SOL_NETLINK, NETLINK_EXT_ACK, &one, sizeof(one));
	setsockopt(nl_socket_get_fd(nl->sk), SOL_NETLINK, NETLINK_CAP_ACK, &one, sizeof(one));
	nl->family = genl_ctrl_resolve(nl->sk, ACTPLANE_GENL_NAME);
	if (nl->family < 0) {
		snprintf(err, errlen,
			 "the actplane kernel module is not loaded (no generic netlink family \"%s\"); "
			 "load it with 'insmod kmod/actplane.ko' or 'modprobe actplane'",
			 ACTPLANE_GENL_NAME);
		goto fail;
	}
	return nl;
fail:
	if (nl->sk)
		nl_socket_free(nl->sk);
	free(nl);
	return NULL;
}

void ap_nl_close(struct ap_nl *nl)
{
	if (!nl)
		return;
	nl_socket_free(nl->sk);
	free(nl);
}

int ap_nl_family(const struct ap_nl *nl)
{
	return nl->family;
}

const char *ap_nl_errmsg(const struct ap_nl *nl)
{
	return nl->msg;
}

void ap_nl_perror(const struct ap_nl *nl, const char *what, int err)
{
	if (nl && nl->msg[0])
		ap_err("%s: %s: %s", what, strerror(-err), nl->msg);
	else
		ap_err("%s: %s", what, strerror(-err));
}

/* Keep NLMSGERR_ATTR_MSG from the ACK TLVs at tlvs (len bytes). */
static void ap_nl_extack_tlvs(struct ap_nl *nl, void *tlvs, int len)
{
	struct nlattr *a;
	int rem;

	if (len <= 0)
		return;
	nla_for_each_attr(a, (struct nlattr *)tlvs, len, rem) {
		if (nla_type(a) == NLMSGERR_ATTR_MSG && nla_len(a) > 0) {
			snprintf(nl->msg, sizeof(nl->msg), "%.*s", nla_len(a), (char *)nla_data(a));
			/* the kernel's text has no trailing newline, but strip one anyway */
			nl->msg[strcspn(nl->msg, "\n")] = 0;
		}
	}
}

/* Pull NLMSGERR_ATTR_MSG out of an error message carrying ACK TLVs. */
static void ap_nl_extack(struct ap_nl *nl, struct nlmsgerr *e)
{
	struct nlmsghdr *nlh = (struct nlmsghdr *)((char *)e - NLMSG_HDRLEN);
	size_t off = sizeof(*e);

	if (!(nlh->nlmsg_flags & NLM_F_ACK_TLVS))
		return;
	if (!(nlh->nlmsg_flags & NLM_F_CAPPED))
		off += e->msg.nlmsg_len - NLMSG_HDRLEN;
	ap_nl_extack_tlvs(nl, (char *)e + off, (int)nlh->nlmsg_len - NLMSG_HDRLEN - (int)off);
}

/*
 * NLMSG_DONE ends a dump: its payload is the dump's final errno (0 or
 * negative), followed by ACK TLVs (the ext-ACK text) if NLM_F_ACK_TLVS.
 */
static int ap_nl_finish_cb(struct nl_msg *msg, void *arg)
{
	struct ap_nl *nl = arg;
	struct nlmsghdr *nlh = nlmsg_hdr(msg);
	int err = 0, off = NLMSG_ALIGN(sizeof(int));

	if (nlh->nlmsg_len >= NLMSG_LENGTH(sizeof(int))) {
		memcpy(&err, NLMSG_DATA(nlh), sizeof(int));
		if (err < 0 && !nl->err)
			nl->err = err;
		if (nlh->nlmsg_flags & NLM_F_ACK_TLVS)
			ap_nl_extack_tlvs(nl, (char *)NLMSG_DATA(nlh) + off,
					  (int)nlh->nlmsg_len - (int)NLMSG_LENGTH(off));
	}
	nl->done = 1;
	return NL_STOP;
}

static int ap_nl_intr_cb(struct nl_msg *msg, void *arg)
{
	struct ap_nl *nl = arg;

	nl->intr = 1;
	return NL_OK;	/* keep reading to NLMSG_DONE */
}

static int ap_nl_valid_cb(struct nl_msg *msg, void *arg)
{
	struct ap_nl *nl = arg;
	struct nlattr *tb[ACTPLANE_A_MAX + 1];
	int ret;

	if (genlmsg_parse(nlmsg_hdr(msg), 0, tb, ACTPLANE_A_MAX, NULL) < 0) {
		nl->err = -EBADMSG;
		return NL_SKIP;
	}
	if (nl->parse) {
		ret = nl->parse(tb, nl->arg);
		if (ret < 0 && !nl->err)
			nl->err = ret;
	}
	return NL_OK;
}

static int ap_nl_err_cb(struct sockaddr_nl *who, struct nlmsgerr *e, void *arg)
{
	struct ap_nl *nl = arg;

	nl->err = e->error;
	ap_nl_extack(nl, e);
	nl->done = 1;
	return NL_STOP;
}

static int ap_nl_ack_cb(struct nl_msg *msg, void *arg)
{
	struct ap_nl *nl = arg;

	nl->done = 1;
	return NL_STOP;
}

static int ap_nl_xact(struct ap_nl *nl, struct nl_msg *msg, ap_nl_parse_fn parse, void *arg)
{
	struct nl_cb *cb;
	int ret;

	nl->err = 0;
	nl->done = 0;
	nl->intr = 0;
	nl->msg[0] = 0;
	nl->parse = parse;
	nl->arg = arg;

	cb = nl_cb_alloc(NL_CB_CUSTOM);
	if (!cb)
		return -ENOMEM;
	nl_cb_set(cb, NL_CB_VALID, NL_CB_CUSTOM, ap_nl_valid_cb, nl);
	nl_cb_set(cb, NL_CB_ACK, NL_CB_CUSTOM, ap_nl_ack_cb, nl);
	nl_cb_set(cb, NL_CB_FINISH, NL_CB_CUSTOM, ap_nl_finish_cb, nl);
	nl_cb_set(cb, NL_CB_DUMP_INTR, NL_CB_CUSTOM, ap_nl_intr_cb, nl);
	nl_cb_err(cb, NL_CB_CUSTOM, ap_nl_err_cb, nl);

	ret = nl_send_auto(nl->sk, msg);
	if (ret < 0) {
		nl_cb_put(cb);
		return -EIO;
	}
	while (!nl->done) {
		ret = nl_recvmsgs(nl->sk, cb);
		if (ret < 0 && !nl->done) {
			if (!nl->err)
				nl->err = -EIO;
			break;
		}
	}
	nl_cb_put(cb);
	if (!nl->err && nl->intr)
		return -EINTR;
	return nl->err;
}

int ap_nl_call_raw(struct ap_nl *nl, struct nl_msg *msg, ap_nl_parse_fn parse, void *arg)
{
	return ap_nl_xact(nl, msg, parse, arg);
}

static int ap_nl_request(struct ap_nl *nl, uint8_t cmd, int flags, ap_nl_put_fn put,
			 ap_nl_parse_fn parse, void *arg)
{
	struct nl_msg *msg = nlmsg_alloc();
	int ret;

	if (!msg)
		return -ENOMEM;
	if (!genlmsg_put(msg, NL_AUTO_PORT, NL_AUTO_SEQ, nl->family, 0, flags | NLM_F_REQUEST,
			 cmd, ACTPLANE_GENL_VERSION)) {
		nlmsg_free(msg);
		return -ENOMEM;
	}
	if (put) {
		ret = put(msg, arg);
		if (ret < 0) {
			nlmsg_free(msg);
			return ret;
		}
	}
	ret = ap_nl_xact(nl, msg, parse, arg);
	nlmsg_free(msg);
	return ret;
}

int ap_nl_call(struct ap_nl *nl, uint8_t cmd, ap_nl_put_fn put, ap_nl_parse_fn parse, void *arg)
{
	return ap_nl_request(nl, cmd, NLM_F_ACK, put, parse, arg);
}

int ap_nl_dump(struct ap_nl *nl, uint8_t cmd, ap_nl_put_fn put, ap_nl_parse_fn parse, void *arg)
{
	return ap_nl_request(nl, cmd, NLM_F_DUMP, put, parse, arg);
}

/* The one place a command opens the family and reports why it cannot. */
struct ap_nl *ap_nl_connect(void)
{
	char err[256];
	struct ap_nl *nl = ap_nl_open(err, sizeof(err));

	if (!nl)
		ap_err("%s", err);
	return nl;
}
