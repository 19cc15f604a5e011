// SPDX-License-Identifier: GPL-2.0-only
/*
 * Listener for the module's violation events, and their text and JSON forms.
 * Loss is detected from gaps in the per-module sequence numbers.
 */
#include <errno.h>
#include <getopt.h>
#include <poll.h>
#include <sys/socket.h>
#include <linux/netlink.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <json-c/json.h>
#include <netlink/genl/genl.h>
#include <netlink/genl/ctrl.h>
#include "cmd.h"
#include "common.h"
#include "escape.h"
#include "events.h"

struct ap_events {
	struct nl_sock *sk;
	bool own;		/* the "session" group */
	unsigned int track;	/* ... where gaps are counted in this session only */
	uint64_t last_seq;
	ap_event_fn fn;
	void *arg;
};

static const char *const op_strs[__ACTPLANE_OP_MAX] = ACTPLANE_OP_NAMES;

const char *ap_op_str(unsigned int op)
{
	return op < __ACTPLANE_OP_MAX ? op_strs[op] : "?";
}

static void cp(char *dst, size_t len, struct nlattr *a)
{
	snprintf(dst, len, "%s", a ? (char *)nla_data(a) : "");
}

static unsigned int u32of(struct nlattr *a)
{
	return a ? nla_get_u32(a) : 0;
}

static const char *const prov_obj_strs[__ACTPLANE_PROV_OBJ_MAX] = ACTPLANE_PROV_OBJ_NAMES;
static const char *const prov_op_strs[__ACTPLANE_PROV_OP_MAX] = ACTPLANE_PROV_OP_NAMES;

/* "2026-12-02T16:40:01.123Z" */
static char *ap_time_str(uint64_t ns)
{
	time_t secs = (time_t)(ns / 1000000000ULL);
	char buf[64];
	struct tm tm;

	gmtime_r(&secs, &tm);
	snprintf(buf, sizeof(buf), "%04d-%02d-%02dT%02d:%02d:%02d.%03uZ", tm.tm_year + 1900,
		 tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
		 (unsigned int)(ns / 1000000 % 1000));
	return strdup(buf);
}

static char *dupattr(struct nlattr *a)
{
	return a ? strndup(nla_data(a), (size_t)nla_len(a)) : NULL;
}

int ap_chain_parse(struct nlattr *nest, struct ap_chain *c)
{
	static const char *const ends[] = {
		[ACTPLANE_CHAIN_ORIGIN] = "origin",
		[ACTPLANE_CHAIN_UNRECORDED] = "unrecorded",
		[ACTPLANE_CHAIN_TOO_LONG] = "too-long",
	};
	struct nlattr *tb[ACTPLANE_HOP_MAX + 1], *a;
	unsigned int v;
	int rem;

	memset(c, 0, sizeof(*c));
	nla_for_each_nested(a, nest, rem) {
		switch (nla_type(a)) {
		case ACTPLANE_CH_LABEL:
			free(c->label);
			c->label = dupattr(a);
			break;
		case ACTPLANE_CH_MORE:
			c->more = nla_get_u32(a);
			break;
		case ACTPLANE_CH_END:
			v = nla_get_u32(a);
			c->end = v < sizeof(ends) / sizeof(ends[0]) ? ends[v] : "?";
			break;
		case ACTPLANE_CH_HOP: {
			struct ap_hop *h = &c->hops[c->n_hops];

			if (c->n_hops == ACTPLANE_CHAIN_HOPS) {
				c->more++;
				break;
			}
			if (nla_parse_nested(tb, ACTPLANE_HOP_MAX, a, NULL))
				return -EINVAL;
			v = u32of(tb[ACTPLANE_HOP_OBJ]);
			h->obj = v < __ACTPLANE_PROV_OBJ_MAX ? prov_obj_strs[v] : "?";
			v = u32of(tb[ACTPLANE_HOP_OP]);
			h->op = v < __ACTPLANE_PROV_OP_MAX ? prov_op_strs[v] : "?";
			h->pid = (int)u32of(tb[ACTPLANE_HOP_PID]);
			h->name = dupattr(tb[ACTPLANE_HOP_NAME]);
			h->comm = dupattr(tb[ACTPLANE_HOP_COMM]);
			h->rule = dupattr(tb[ACTPLANE_HOP_RULE]);
			h->time = tb[ACTPLANE_HOP_TIME] ?
				  ap_time_str(nla_get_u64(tb[ACTPLANE_HOP_TIME])) : NULL;
			c->n_hops++;
			break;
		}
		}
	}
	return c->label ? 0 : -EINVAL;
}

void ap_chain_release(struct ap_chain *c)
{
	size_t i;

	for (i = 0; i < c->n_hops; i++) {
		free((void *)c->hops[i].name);
		free((void *)c->hops[i].comm);
		free((void *)c->hops[i].rule);
		free((void *)c->hops[i].time);
	}
	free(c->label);
	memset(c, 0, sizeof(*c));
}

void ap_chain_view(const struct ap_chain *c, struct ap_provenance *p)
{
	p->hops = c->hops;
	p->n_hops = c->n_hops;
	p->more = c->more;
	p->end = c->end;
}

/* The provenance entry of label @i of @ev, with its chain if the module sent one. */
void ap_event_prov(const struct ap_event_rec *ev, int i, struct ap_provenance *p)
{
	int j;

	memset(p, 0, sizeof(*p));
	p->label = ev->prov[i].label;
	p->from = ev->prov[i].from;
	for (j = 0; j < ev->nchains; j++)
		if (!strcmp(ev->chains[j].label, p->label))
			ap_chain_view(&ev->chains[j], p);
}

static void ap_event_rec_free(struct ap_event_rec *r)
{
	int i;

	for (i = 0; i < r->argc; i++)
		free(r->argv[i]);
	for (i = 0; i < r->nlabels; i++)
		free(r->labels[i]);
	for (i = 0; i < r->nprov; i++) {
		free(r->prov[i].label);
		free(r->prov[i].from);
	}
	for (i = 0; i < r->nchains; i++)
		ap_chain_release(&r->chains[i]);
}

static int ap_event_parse(struct nlattr *ev, struct ap_event_rec *r)
{
	struct nlattr *tb[ACTPLANE_EV_MAX + 1], *a, *p;
	int rem, rem2;

	memset(r, 0, sizeof(*r));
	if (nla_parse_nested(tb, ACTPLANE_EV_MAX, ev, NULL))
		return -EINVAL;
	r->seq = tb[ACTPLANE_EV_SEQ] ? nla_get_u64(tb[ACTPLANE_EV_SEQ]) : 0;
	r->time_ns = tb[ACTPLANE_EV_TIME] ? nla_get_u64(tb[ACTPLANE_EV_TIME]) : 0;
	r->pid = u32of(tb[ACTPLANE_EV_PID]);
	r->ppid = u32of(tb[ACTPLANE_EV_PPID]);
	r->uid = u32of(tb[ACTPLANE_EV_UID]);
	r->session = u32of(tb[ACTPLANE_EV_SESSION]);
	r->rule_session = u32of(tb[ACTPLANE_EV_RULE_SESSION]);
	r->session_seq = tb[ACTPLANE_EV_SESSION_SEQ] ? nla_get_u64(tb[ACTPLANE_EV_SESSION_SEQ]) : 0;
	if (tb[ACTPLANE_EV_SESSION_CHAIN]) {
		size_t n = (size_t)nla_len(tb[ACTPLANE_EV_SESSION_CHAIN]) / sizeof(uint32_t);

		if (n > ACTPLANE_SESSION_DEPTH_MAX)
			n = ACTPLANE_SESSION_DEPTH_MAX;
		memcpy(r->chain, nla_data(tb[ACTPLANE_EV_SESSION_CHAIN]), n * sizeof(uint32_t));
		r->nchain = (int)n;
	}
	r->op = u32of(tb[ACTPLANE_EV_OP]);
	r->proposed = u32of(tb[ACTPLANE_EV_PROPOSED]);
	r->effect = u32of(tb[ACTPLANE_EV_EFFECT]);
	r->blocked = !!tb[ACTPLANE_EV_BLOCKED];
	r->killed = !!tb[ACTPLANE_EV_KILLED];
	cp(r->comm, sizeof(r->comm), tb[ACTPLANE_EV_COMM]);
	cp(r->exe, sizeof(r->exe), tb[ACTPLANE_EV_EXE]);
	cp(r->target, sizeof(r->target), tb[ACTPLANE_EV_TARGET]);
	cp(r->rule, sizeof(r->rule), tb[ACTPLANE_EV_RULE]);
	cp(r->because, sizeof(r->because), tb[ACTPLANE_EV_BECAUSE]);
	cp(r->enforcer, sizeof(r->enforcer), tb[ACTPLANE_EV_ENFORCER]);
	if (tb[ACTPLANE_EV_ARGV])
		nla_for_each_nested(a, tb[ACTPLANE_EV_ARGV], rem)
			if (r->argc < AP_EV_MAX_ARGS)
				r->argv[r->argc++] = strndup(nla_data(a), (size_t)nla_len(a));
	if (tb[ACTPLANE_EV_LABELS])
		nla_for_each_nested(a, tb[ACTPLANE_EV_LABELS], rem)
			if (r->nlabels < 64)
				r->labels[r->nlabels++] = strndup(nla_data(a), (size_t)nla_len(a));
	if (tb[ACTPLANE_EV_PROVENANCE])
		nla_for_each_nested(a, tb[ACTPLANE_EV_PROVENANCE], rem) {
			if (r->nprov >= AP_EV_MAX_PROV)
				break;
			nla_for_each_nested(p, a, rem2) {
				if (nla_type(p) == ACTPLANE_EV_PROV_LABEL)
					r->prov[r->nprov].label = strndup(nla_data(p), (size_t)nla_len(p));
				else if (nla_type(p) == ACTPLANE_EV_PROV_FROM)
					r->prov[r->nprov].from = strndup(nla_data(p), (size_t)nla_len(p));
			}
			if (r->prov[r->nprov].label && r->prov[r->nprov].from)
				r->nprov++;
		}
	if (tb[ACTPLANE_EV_CHAINS])
		nla_for_each_nested(a, tb[ACTPLANE_EV_CHAINS], rem) {
			if (r->nchains >= AP_EV_MAX_CHAINS)
				break;
			if (nla_type(a) != ACTPLANE_EV_CHAIN)
				continue;
			if (ap_chain_parse(a, &r->chains[r->nchains]))
				ap_chain_release(&r->chains[r->nchains]);
			else
				r->nchains++;
		}
	return 0;
}

static int ap_events_cb(struct nl_msg *msg, void *arg)
{
	struct ap_events *e = arg;
	struct nlattr *tb[ACTPLANE_A_MAX + 1];
	struct ap_event_rec *r;
	uint64_t lost = 0;

	if (genlmsg_parse(nlmsg_hdr(msg), 0, tb, ACTPLANE_A_MAX, NULL) || !tb[ACTPLANE_A_EVENT])
		return NL_SKIP;
	r = malloc(sizeof(*r));
	if (!r || ap_event_parse(tb[ACTPLANE_A_EVENT], r)) {
		free(r);
		return NL_SKIP;
	}
	if (e->own) {
		/* other sessions' records are not ours to count */
		uint64_t seq = e->track && r->session == e->track ? r->session_seq : 0;

		if (seq && e->last_seq && seq > e->last_seq + 1)
			lost = seq - e->last_seq - 1;
		if (seq > e->last_seq)
			e->last_seq = seq;
	} else {
		if (e->last_seq && r->seq > e->last_seq + 1)
			lost = r->seq - e->last_seq - 1;
		if (r->seq > e->last_seq)
			e->last_seq = r->seq;
	}
	e->fn(r, lost, e->arg);
	ap_event_rec_free(r);
	free(r);
	return NL_OK;
}

static struct ap_events *ap_events_open_group(char *err, size_t errlen, bool own);

bool ap_event_in_session(const struct ap_event_rec *ev, unsigned int session)
{
	int i;

	if (ev->session == session)
		return true;
	for (i = 0; i < ev->nchain; i++)
		if (ev->chain[i] == session)
			return true;
	return false;
}

struct ap_events *ap_events_open(char *err, size_t errlen)
{
	return ap_events_open_group(err, errlen, false);
}

struct ap_events *ap_events_open_own(char *err, size_t errlen)
{
	return ap_events_open_group(err, errlen, true);
}

void ap_events_track(struct ap_events *e, unsigned int session)
{
	e->track = session;
}

static struct ap_events *ap_events_open_group(char *err, size_t errlen, bool own)
{
	struct ap_events *e = calloc(1, sizeof(*e));
	int grp, ret;

	if (!e)
		return NULL;
	e->own = own;
	e->sk = nl_socket_alloc();
	if (!e->sk || genl_connect(e->sk)) {
		snprintf(err, errlen, "cannot open a generic netlink socket");
		goto fail;
	}
	grp = genl_ctrl_resolve_grp(e->sk, ACTPLANE_GENL_NAME,
				    own ? ACTPLANE_MCGRP_SESSION : ACTPLANE_MCGRP_EVENTS);
	if (grp < 0) {
		snprintf(err, errlen, "the actplane kernel module is not loaded");
		goto fail;
	}
	ret = nl_socket_add_membership(e->sk, grp);
	if (ret) {
		snprintf(err, errlen, "cannot subscribe to events: %s%s", nl_geterror(ret),
			 ret == -NLE_PERM ? " (needs CAP_NET_ADMIN)" : "");
		goto fail;
	}
	nl_socket_disable_seq_check(e->sk);
	nl_socket_set_buffer_size(e->sk, 4 << 20, 0);
	/*
	 * Without this flag the kernel drops a record silently when our receive
	 * buffer is full; with it the module is told and counts the drop, so
	 * STATUS's events_dropped matches the gaps this reader sees.
	 */
	{
		int one = 1;

		setsockopt(nl_socket_get_fd(e->sk), SOL_NETLINK, NETLINK_BROADCAST_ERROR, &one,
			   sizeof(one));
	}
	nl_socket_modify_cb(e->sk, NL_CB_VALID, NL_CB_CUSTOM, ap_events_cb, e);
	nl_socket_set_nonblocking(e->sk);
	return e;
fail:
	if (e->sk)
		nl_socket_free(e->sk);
	free(e);
	return NULL;
}

int ap_events_fd(const struct ap_events *e)
{
	return nl_socket_get_fd(e->sk);
}

int ap_events_dispatch(struct ap_events *e, ap_event_fn fn, void *arg)
{
	int ret;

	e->fn = fn;
	e->arg = arg;
	ret = nl_recvmsgs_default(e->sk);
	if (ret == -NLE_AGAIN)
		return 0;
	if (ret == -NLE_NOMEM)
		return 0;	/* ENOBUFS: receive buffer overran; the seq gap reports it */
	return ret < 0 ? ret : 0;
}

void ap_events_close(struct ap_events *e)
{
	if (!e)
		return;
	nl_socket_free(e->sk);
	free(e);
}

/* the names, paths, argv and reasons in an event are agent-controlled: escaped */
void ap_event_print_text(FILE *f, const struct ap_event_rec *ev)
{
	int i;

	fprintf(f, "actplane: %s: rule ",
		ev->killed ? "KILLED" : ev->blocked ? "BLOCKED" : "NOTICE");
	ap_esc_quoted(f, ev->rule);
	fprintf(f, " — %s ", ap_op_str(ev->op));
	ap_esc_quoted(f, ev->target);
	if (ev->argc) {
		fputs(" (", f);
		for (i = 0; i < ev->argc; i++) {
			if (i)
				fputc(' ', f);
			ap_esc_shell_word(f, ev->argv[i] ? ev->argv[i] : "");
		}
		fputc(')', f);
	}
	fputs("\n  by ", f);
	ap_esc_quoted(f, ev->comm);
	fprintf(f, " (pid %u, ppid %u, uid %u, session %u) ", ev->pid,
		ev->ppid, ev->uid, ev->session);
	ap_esc_quoted(f, ev->exe);
	fprintf(f, "\n  effect: %s", ap_verdict_name(ev->effect));
	if (ev->proposed != ev->effect) {
		fprintf(f, " (policy says %s; enforcer ",
			ap_verdict_name(ev->proposed));
		ap_esc_word(f, ev->enforcer);
		fputc(')', f);
	}
	fputc('\n', f);
	if (ev->nlabels) {
		fputs("  labels:", f);
		for (i = 0; i < ev->nlabels; i++) {
			fputc(' ', f);
			ap_esc_word(f, ev->labels[i]);
		}
		fputc('\n', f);
	}
	for (i = 0; i < ev->nprov; i++) {
		struct ap_provenance p;

		fputs("  ", f);
		ap_esc_word(f, ev->prov[i].label);
		fputs(" came from ", f);
		ap_esc_quoted(f, ev->prov[i].from);
		fputc('\n', f);
		ap_event_prov(ev, i, &p);
		if (p.hops || p.end) {
			fputs("  how it got here (newest first):\n", f);
			ap_chain_format(f, &p, "    ");
		}
	}
	if (ev->because[0]) {
		fputs("  because: ", f);
		ap_esc_puts(f, ev->because);
		fputc('\n', f);
	}
}

void ap_event_print_json(FILE *f, const struct ap_event_rec *ev)
{
	json_object *o = json_object_new_object(), *a;
	char ts[64];
	time_t secs = (time_t)(ev->time_ns / 1000000000ULL);
	struct tm tm;
	int i;

	gmtime_r(&secs, &tm);
	snprintf(ts, sizeof(ts), "%04d-%02d-%02dT%02d:%02d:%02d.%03uZ", tm.tm_year + 1900,
		 tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
		 (unsigned int)(ev->time_ns / 1000000 % 1000));
	json_object_object_add(o, "seq", json_object_new_uint64(ev->seq));
	json_object_object_add(o, "time", json_object_new_string(ts));
	json_object_object_add(o, "pid", json_object_new_int((int)ev->pid));
	json_object_object_add(o, "ppid", json_object_new_int((int)ev->ppid));
	json_object_object_add(o, "uid", json_object_new_int((int)ev->uid));
	json_object_object_add(o, "comm", json_object_new_string(ev->comm));
	json_object_object_add(o, "exe", json_object_new_string(ev->exe));
	json_object_object_add(o, "session", json_object_new_int((int)ev->session));
	json_object_object_add(o, "op", json_object_new_string(ap_op_str(ev->op)));
	json_object_object_add(o, "target", json_object_new_string(ev->target));
	if (ev->argc) {
		a = json_object_new_array();
		for (i = 0; i < ev->argc; i++)
			json_object_array_add(a, json_object_new_string(ev->argv[i]));
		json_object_object_add(o, "argv", a);
	}
	json_object_object_add(o, "rule", json_object_new_string(ev->rule));
	if (ev->rule_session)
		json_object_object_add(o, "rule_session", json_object_new_int((int)ev->rule_session));
	json_object_object_add(o, "effect", json_object_new_string(ap_verdict_name(ev->effect)));
	json_object_object_add(o, "proposed",
			       json_object_new_string(ap_verdict_name(ev->proposed)));
	json_object_object_add(o, "blocked", json_object_new_boolean(ev->blocked));
	json_object_object_add(o, "killed", json_object_new_boolean(ev->killed));
	a = json_object_new_array();
	for (i = 0; i < ev->nlabels; i++)
		json_object_array_add(a, json_object_new_string(ev->labels[i]));
	json_object_object_add(o, "labels", a);
	a = json_object_new_array();
	for (i = 0; i < ev->nprov; i++) {
		json_object *p = json_object_new_object();
		struct ap_provenance pv;

		json_object_object_add(p, "label", json_object_new_string(ev->prov[i].label));
		json_object_object_add(p, "from", json_object_new_string(ev->prov[i].from));
		ap_event_prov(ev, i, &pv);
		if (pv.hops || pv.end)
			ap_chain_to_json(p, &pv);
		json_object_array_add(a, p);
	}
	json_object_object_add(o, "provenance", a);
	json_object_object_add(o, "because", json_object_new_string(ev->because));
	json_object_object_add(o, "enforcer", json_object_new_string(ev->enforcer));
	fprintf(f, "%s\n", json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN |
							   JSON_C_TO_STRING_NOSLASHESCAPE));
	fflush(f);
	json_object_put(o);
}

/* One line per event: time effect op rule target, then who. */
void ap_event_print_oneline(FILE *f, const struct ap_event_rec *ev)
{
	time_t secs = (time_t)(ev->time_ns / 1000000000ULL);
	struct tm tm;

	gmtime_r(&secs, &tm);
	fprintf(f, "%02d:%02d:%02d %-6s %-7s ", tm.tm_hour, tm.tm_min, tm.tm_sec,
		ap_verdict_name(ev->effect), ap_op_str(ev->op));
	ap_esc_word(f, ev->rule);
	fputc(' ', f);
	ap_esc_quoted(f, ev->target);
	fprintf(f, " pid=%u session=%u comm=", ev->pid, ev->session);
	ap_esc_word(f, ev->comm[0] ? ev->comm : "?");
	if (ev->proposed != ev->effect) {
		fprintf(f, " proposed=%s", ap_verdict_name(ev->proposed));
	}
	fputc('\n', f);
}
