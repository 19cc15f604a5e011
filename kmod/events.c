// SPDX-License-Identifier: GPL-2.0-only
/*
 * Violation events: one multicast message per rule match on the "events"
 * group (admin), and, for a session a user created without privileges, on
 * the "session" group to that user's sockets only.  Built in the hook's context (GFP_ATOMIC): a failure to allocate or
 * send is counted (events_dropped) and never changes the verdict, which was
 * already decided.  Every record sent carries the next event sequence number
 * (its own counter: decisions that produce no record take none), so a
 * listener's gaps are exactly the records it lost.  A subscriber that sets
 * NETLINK_BROADCAST_ERROR (actplane watch does) makes an overrun of its
 * receive buffer visible here, and it is counted in events_dropped.
 */
#include <linux/cred.h>
#include <linux/dcache.h>
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/mm.h>
#include <linux/sched.h>
#include <linux/sched/mm.h>
#include <linux/slab.h>
#include <linux/timekeeping.h>
#include <net/genetlink.h>
#include <net/sock.h>
#include "policy.h"
#include "eval.h"

#define AP_EV_ARGV_MAX	32	/* arguments reported (the rest: "...") */
#define AP_EV_ARG_MAX	256	/* bytes per argument reported */
#define AP_EV_SIZE_CHAINS (16 * 1024)	/* a record with provenance chains */

static int ap_put_exe(struct sk_buff *msg)
{
	struct mm_struct *mm = current->mm;
	struct file *exe;
	char *buf, *p;
	int ret = 0;

	if (!mm)
		return 0;
	rcu_read_lock();
	exe = get_file_rcu(&mm->exe_file);
	rcu_read_unlock();
	if (!exe)
		return 0;
	buf = kmalloc(PATH_MAX, GFP_ATOMIC | __GFP_NOWARN);
	if (buf) {
		p = d_path(&exe->f_path, buf, PATH_MAX);
		if (!IS_ERR(p))
			ret = nla_put_string(msg, ACTPLANE_EV_EXE, p);
		kfree(buf);
	}
	fput(exe);
	return ret;
}

static int ap_put_argv(struct sk_buff *msg, const struct ap_event *ev)
{
	const char *a = ev->argv, *end = ev->argv + ev->argv_len;
	struct nlattr *nest;
	char arg[AP_EV_ARG_MAX];
	u32 i;

	if (!ev->argv)
		return 0;
	nest = nla_nest_start(msg, ACTPLANE_EV_ARGV);
	if (!nest)
		return -EMSGSIZE;
	for (i = 0; i < ev->argc && a < end; i++) {
		if (i == AP_EV_ARGV_MAX) {
			if (nla_put_string(msg, ACTPLANE_E_ARG, "..."))
				return -EMSGSIZE;
			break;
		}
		strscpy(arg, a, sizeof(arg));
		if (strlen(a) >= sizeof(arg))
			strcpy(arg + sizeof(arg) - 4, "...");
		if (nla_put_string(msg, ACTPLANE_E_ARG, arg))
			return -EMSGSIZE;
		a += strlen(a) + 1;
	}
	nla_nest_end(msg, nest);
	return 0;
}

/* The source rule that introduces label @bit, as text ("seeded or propagated": none). */
void ap_source_text(const struct ap_policy *const *pols, u32 n, u32 bit, char *buf, size_t len)
{
	const struct ap_policy *pol;
	char t[128];
	u32 i, k;

	strscpy(buf, "seeded or propagated", len);
	for (k = 0; k < n; k++) {
		pol = pols[k];
		for (i = 0; pol && i < pol->n_sources; i++) {
			const struct ap_source *s = &pol->sources[i];

			if (s->bit != bit)
				continue;
			if (s->session_root) {
				strscpy(buf, "session root (exec \"**\")", len);
				return;
			}
			ap_target_text(pol, s->target_kind, s->target, t, sizeof(t));
			snprintf(buf, len, "source %s %s",
				 s->target_kind == ACTPLANE_TARGET_FILE ? "file" :
				 s->target_kind == ACTPLANE_TARGET_EXEC ? "exec" : "endpoint", t);
			return;
		}
	}
}

/* The labels the rule's condition reads (of those the subject has). */
static u64 ap_labels_read(const struct ap_clause *c, u64 labels)
{
	u64 used = 0;
	u32 i;

	for (i = 0; i < c->expr_len; i++)
		if (c->expr[i][0] == ACTPLANE_EXPR_LABEL)
			used |= BIT_ULL(c->expr[i][1]);
	return used & labels;
}

/* Which of the subject's labels the rule's condition reads, and their origin. */
static int ap_put_labels_prov(struct sk_buff *msg, const struct ap_policy *pol,
			      const struct ap_policy *rpol, const struct ap_clause *c, u64 labels)
{
	/* the machine's sources, or the rule's session policy's (its own labels) */
	const struct ap_policy *const pols[2] = { pol, rpol };
	struct nlattr *nest, *p;
	char name[ACTPLANE_LABEL_NAME_LEN], from[160];
	u64 used = ap_labels_read(c, labels);
	u32 bit;

	nest = nla_nest_start(msg, ACTPLANE_EV_LABELS);
	if (!nest)
		return -EMSGSIZE;
	for (bit = 0; bit < ACTPLANE_MAX_LABELS; bit++)
		if ((labels & BIT_ULL(bit)) && ap_label_name(bit, name, sizeof(name)) &&
		    nla_put_string(msg, ACTPLANE_A_LABEL, name))
			return -EMSGSIZE;
	nla_nest_end(msg, nest);

	nest = nla_nest_start(msg, ACTPLANE_EV_PROVENANCE);
	if (!nest)
		return -EMSGSIZE;
	for (bit = 0; bit < ACTPLANE_MAX_LABELS; bit++) {
		if (!(used & BIT_ULL(bit)) || !ap_label_name(bit, name, sizeof(name)))
			continue;
		ap_source_text(pols, 2, bit, from, sizeof(from));
		p = nla_nest_start(msg, ACTPLANE_EV_PROV);
		if (!p || nla_put_string(msg, ACTPLANE_EV_PROV_LABEL, name) ||
		    nla_put_string(msg, ACTPLANE_EV_PROV_FROM, from))
			return -EMSGSIZE;
		nla_nest_end(msg, p);
	}
	nla_nest_end(msg, nest);
	return 0;
}

/*
 * How the subject came to carry each label the condition reads: its
 * provenance chain, starting at the subject, or at the object the event
 * takes the label from right now.  Last in the record: a chain that does
 * not fit is cut (CH_MORE), never the record.  Caller holds RCU.
 */
static void ap_put_chains(struct sk_buff *msg, const struct ap_event *ev,
			  const struct ap_clause *c, u64 labels)
{
	const struct ap_prov *head = ap_task_prov(current);
	const struct ap_prov *alt = ev->inode ? ap_inode_prov(ev->inode) : NULL;
	char name[ACTPLANE_LABEL_NAME_LEN];
	u64 used = ap_labels_read(c, labels);
	struct nlattr *nest;
	u32 bit;

	if (!used)
		return;
	nest = nla_nest_start(msg, ACTPLANE_EV_CHAINS);
	if (!nest)
		return;
	for (bit = 0; bit < ACTPLANE_MAX_LABELS; bit++) {
		if (!(used & BIT_ULL(bit)) || !ap_label_name(bit, name, sizeof(name)))
			continue;
		if (ap_prov_put_chain(msg, ACTPLANE_EV_CHAIN, name, bit, head, alt))
			break;
	}
	nla_nest_end(msg, nest);
}

static void ap_target_of(struct ap_event *ev, char *buf, size_t len)
{
	const struct ap_ep_key *k = ev->ep;

	if (ev->path) {
		strscpy(buf, ev->path, len);
	} else if (k && k->family == AF_INET) {
		snprintf(buf, len, "%pI4:%u", k->addr, ntohs(k->port));
	} else if (k) {
		snprintf(buf, len, "[%pI6c]:%u", k->addr, ntohs(k->port));
	} else if (ev->name) {
		strscpy(buf, ev->name, len);
	} else {
		strscpy(buf, "?", len);
	}
}

static atomic64_t ap_event_seq = ATOMIC64_INIT(0);

/*
 * The "session" group's filter: a record goes only to sockets opened by an
 * owner of the session or of one it is nested in (sk_uid: the opener's
 * fsuid).  Nonzero: skip @dsk.
 */
static int ap_event_not_for(struct sock *dsk, struct sk_buff *skb, void *data)
{
	const struct ap_session_readers *rd = data;
	kuid_t uid = READ_ONCE(dsk->sk_uid);
	int i;

	for (i = 0; i < rd->n; i++)
		if (uid_eq(uid, rd->uid[i]))
			return 0;
	return 1;
}

void ap_event_report(struct ap_event *ev, const struct ap_policy *pol,
		     const struct ap_policy *rpol, const struct ap_clause *c,
		     u64 labels, u32 session, u32 proposed, u32 verdict)
{
	const struct ap_rule *r = &rpol->rules[c->rule];
	struct ap_enforcer_info ei;
	struct nlattr *nest;
	struct sk_buff *msg;
	struct ap_session_readers rd;
	char target[256];
	bool to_all, to_owner;
	void *hdr;
	u64 seq, sseq = 0;
	int ret;

	ap_stats_inc(ACTPLANE_CTR_VIOLATIONS);
	rd.n = rd.depth = 0;
	if (session)
		ap_session_event(session, &sseq, &rd);	/* RCU: held by the evaluator */
	to_all = genl_has_listeners(&ap_family, &init_net, AP_MCGRP_ALL);
	to_owner = rd.n && genl_has_listeners(&ap_family, &init_net, AP_MCGRP_SESSION);
	if (!to_all && !to_owner)
		return;		/* nobody listens: nothing is lost */
	seq = atomic64_inc_return(&ap_event_seq);
	/* room for the chains (ACTPLANE_CHAIN_HOPS hops of up to ~300 bytes each) */
	msg = genlmsg_new(ap_labels_read(c, labels) ? AP_EV_SIZE_CHAINS : NLMSG_GOODSIZE,
			  GFP_ATOMIC | __GFP_NOWARN);
	if (!msg && ap_labels_read(c, labels))
		msg = genlmsg_new(NLMSG_GOODSIZE, GFP_ATOMIC | __GFP_NOWARN);
	if (!msg)
		goto drop;
	hdr = genlmsg_put(msg, 0, 0, &ap_family, 0, ACTPLANE_CMD_EVENT);
	if (!hdr)
		goto free;
	ap_event_path(ev);	/* resolve the target for the record, if not yet */
	ap_target_of(ev, target, sizeof(target));
	ap_enforcer_info(&ei);
	nest = nla_nest_start(msg, ACTPLANE_A_EVENT);
	if (!nest ||
	    nla_put_u64_64bit(msg, ACTPLANE_EV_SEQ, seq, ACTPLANE_EV_PAD) ||
	    nla_put_u64_64bit(msg, ACTPLANE_EV_TIME, ktime_get_real_ns(), ACTPLANE_EV_PAD) ||
	    nla_put_u32(msg, ACTPLANE_EV_PID, task_tgid_nr(current)) ||
	    nla_put_u32(msg, ACTPLANE_EV_PPID, task_ppid_nr(current)) ||
	    nla_put_u32(msg, ACTPLANE_EV_UID, from_kuid_munged(&init_user_ns, current_uid())) ||
	    nla_put_string(msg, ACTPLANE_EV_COMM, current->comm) ||
	    ap_put_exe(msg) ||
	    nla_put_u32(msg, ACTPLANE_EV_SESSION, session) ||
	    (rd.depth && (nla_put_u64_64bit(msg, ACTPLANE_EV_SESSION_SEQ, sseq, ACTPLANE_EV_PAD) ||
			  nla_put(msg, ACTPLANE_EV_SESSION_CHAIN, rd.depth * sizeof(u32), rd.ids))) ||
	    nla_put_u32(msg, ACTPLANE_EV_OP, c->op) ||
	    nla_put_string(msg, ACTPLANE_EV_TARGET, target) ||
	    ap_put_argv(msg, ev) ||
	    nla_put_string(msg, ACTPLANE_EV_RULE, r->name) ||
	    nla_put_string(msg, ACTPLANE_EV_BECAUSE, r->because) ||
	    (rpol->session && nla_put_u32(msg, ACTPLANE_EV_RULE_SESSION, rpol->session)) ||
	    nla_put_u32(msg, ACTPLANE_EV_PROPOSED, proposed) ||
	    nla_put_u32(msg, ACTPLANE_EV_EFFECT, verdict) ||
	    (verdict >= ACTPLANE_EFFECT_BLOCK && nla_put_flag(msg, ACTPLANE_EV_BLOCKED)) ||
	    (verdict == ACTPLANE_EFFECT_KILL && nla_put_flag(msg, ACTPLANE_EV_KILLED)) ||
	    ap_put_labels_prov(msg, pol, rpol, c, labels) ||
	    nla_put_string(msg, ACTPLANE_EV_ENFORCER, ei.name))
		goto free;
	ap_put_chains(msg, ev, c, labels);
	nla_nest_end(msg, nest);
	genlmsg_end(msg, hdr);
	if (to_owner) {
		if (to_all)
			skb_get(msg);	/* one reference per send */
		ret = genlmsg_multicast_netns_filtered(&ap_family, &init_net, msg, 0,
						       AP_MCGRP_SESSION, GFP_ATOMIC | __GFP_NOWARN,
						       ap_event_not_for, &rd);
		if (ret && ret != -ESRCH)
			ap_stats_inc(ACTPLANE_CTR_EVENTS_DROPPED);
		if (!to_all)
			return;
	}
	ret = genlmsg_multicast(&ap_family, msg, 0, AP_MCGRP_ALL, GFP_ATOMIC | __GFP_NOWARN);
	if (ret && ret != -ESRCH)
		ap_stats_inc(ACTPLANE_CTR_EVENTS_DROPPED);
	else if (!ret)
		ap_stats_inc(ACTPLANE_CTR_EVENTS_SENT);
	return;
free:
	nlmsg_free(msg);
drop:
	ap_stats_inc(ACTPLANE_CTR_EVENTS_DROPPED);
}
