// SPDX-License-Identifier: GPL-2.0-only
/*
 * Sessions: the process tree started by one `actplane run` (or seeded over
 * netlink).  A session id is stored in each member's process state and
 * inherited at fork; the session lives while it has members or nested
 * sessions.  The machine policy's gates are kept per top-level session: a
 * session nested in another (a sub-agent's `actplane run`) shares its top's
 * gates, so what happens inside it arms and invalidates them exactly as it
 * would have without the nesting — nesting never loosens a gate.  A session
 * policy's gates are kept by the session it belongs to, for the same
 * reason: events in the sessions nested in it count (ap_gate_home()).
 *
 * Unprivileged sessions (created by a permitted user for its own process,
 * netlink.c) are counted per user against the quota.
 *
 * A session may have a session policy, attached when it is created and
 * never replaced: rules that apply to its members (and to the members of
 * the sessions nested in it) after the machine's.  Each session keeps the
 * policies of its whole chain, outermost first, so an event's evaluation
 * finds them from its subject's session in one lookup, whatever the
 * number of sessions.  Their rules count against the owner's rule quota.
 */
#include <linux/cred.h>
#include <linux/hashtable.h>
#include <linux/idr.h>
#include <linux/rcupdate.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include <linux/uidgid.h>
#include "policy.h"
#include "task.h"

#define AP_SESSION_GATE_BITS	(AP_POL_MAX_GATES + ACTPLANE_SESSION_GATES_MAX)

struct ap_session {
	u32 id;
	pid_t root;
	u32 parent;		/* 0: top level */
	u8 depth;		/* 1: top level */
	bool unpriv;
	kuid_t owner;		/* who created it */
	atomic_t procs;		/* member processes */
	atomic_t refs;		/* members + nested sessions: freed at 0 */
	struct ap_session *up;	/* the session it is nested in (holds a ref) */
	struct ap_session *top;	/* whose gates apply (itself at top level) */
	atomic64_t ev_seq;	/* event records of this session so far */
	struct ap_policy *pol;	/* its own session policy, or NULL (owned) */
	u16 acct;		/* label memory account (labels.c): its owner's if unprivileged */
	u8 n_chain;
	/* the session policies of its chain, outermost first (own last) */
	const struct ap_policy *chain[ACTPLANE_SESSION_DEPTH_MAX];
	/* whose each is: the session keeping its gates (held through @up) */
	struct ap_session *chain_owner[ACTPLANE_SESSION_DEPTH_MAX];
	/*
	 * The machine's policy and the chain's in one index, or NULL
	 * (ap_session_reindex()); used while it is the current policy's.
	 */
	struct ap_policy __rcu *merged;
	/*
	 * `after` gates, armed by their program, made stale by `since`
	 * events: the machine policy's (ids 0..255, used at top level), then
	 * its own session policy's (AP_POL_MAX_GATES + id).
	 */
	DECLARE_BITMAP(gates, AP_SESSION_GATE_BITS);
	/* per gate: how many times a `since` event made it stale (wraps) */
	u16 stale_epoch[AP_SESSION_GATE_BITS];
	struct rcu_head rcu;
};

/* Live unprivileged sessions of one user, and their policies' rules. */
struct ap_uquota {
	struct hlist_node node;
	kuid_t uid;
	u32 n;
	u32 rules;
};

static DEFINE_IDR(ap_sessions);
static DEFINE_SPINLOCK(ap_sessions_lock);	/* the IDR, the quota table */
static DEFINE_HASHTABLE(ap_uquotas, 6);
static u32 ap_session_quota = ACTPLANE_SESSION_QUOTA_DEFAULT;
static u32 ap_session_rule_quota = ACTPLANE_SESSION_RULE_QUOTA_DEFAULT;

atomic_t ap_spol_count;
atomic_t ap_spol_argv;
atomic_t ap_spol_ep[__ACTPLANE_OP_MAX];

/* @pol is attached to a session (@d = 1) or goes with it (@d = -1). */
static void ap_spol_account(const struct ap_policy *pol, int d)
{
	int op;

	if (!pol)
		return;
	for (op = 0; op < __ACTPLANE_OP_MAX; op++)
		if (!pol->ep[op].empty)
			atomic_add(d, &ap_spol_ep[op]);
	if (pol->exec_argv)
		atomic_add(d, &ap_spol_argv);
	atomic_add(d, &ap_spol_count);
}

/* A session leaves the IDR: its policy is freed after a grace period, with it. */
static void ap_session_drop_policies(struct ap_session *s)
{
	ap_spol_account(s->pol, -1);
	ap_session_policy_free(s->pol);
	ap_policy_retire(rcu_dereference_protected(s->merged, true));	/* no ref is left */
}

static void ap_session_free(struct ap_session *s)
{
	ap_uacct_put(s->acct);
	ap_session_drop_policies(s);
	kfree_rcu(s, rcu);
}
static u32 ap_session_gid = ACTPLANE_SESSION_GID_NOBODY;

void ap_session_config(u32 gid, bool set_gid, u32 quota, bool set_quota, u32 rules,
		       bool set_rules)
{
	if (set_gid)
		WRITE_ONCE(ap_session_gid, gid);
	if (set_quota)
		WRITE_ONCE(ap_session_quota, quota);
	if (set_rules)
		WRITE_ONCE(ap_session_rule_quota, rules);
}

void ap_session_config_get(u32 *gid, u32 *quota, u32 *rules)
{
	*gid = READ_ONCE(ap_session_gid);
	*quota = READ_ONCE(ap_session_quota);
	*rules = READ_ONCE(ap_session_rule_quota);
}

/* Is current allowed to create a session without CAP_NET_ADMIN? */
bool ap_session_user_allowed(void)
{
	u32 gid = READ_ONCE(ap_session_gid);
	kgid_t kg;

	if (gid == ACTPLANE_SESSION_GID_NOBODY)
		return false;
	if (gid == ACTPLANE_SESSION_GID_ANYONE)
		return true;
	kg = make_kgid(&init_user_ns, gid);
	return gid_valid(kg) && in_group_p(kg);
}

static struct ap_uquota *ap_uquota_find(kuid_t uid)
{
	struct ap_uquota *q;

	hash_for_each_possible(ap_uquotas, q, node, __kuid_val(uid))
		if (uid_eq(q->uid, uid))
			return q;
	return NULL;
}

/* Under ap_sessions_lock: @s no longer counts against its owner's quota. */
static void ap_uquota_drop(struct ap_session *s)
{
	struct ap_uquota *q;

	if (!s->unpriv)
		return;
	q = ap_uquota_find(s->owner);
	if (q && s->pol)
		q->rules -= s->pol->n_rules;
	if (q && !--q->n) {
		hash_del(&q->node);
		kfree(q);
	}
}

/* How many unprivileged sessions @uid has now, and their policies' rules. */
u32 ap_session_count(kuid_t uid, u32 *rules)
{
	struct ap_uquota *q;
	unsigned long flags;
	u32 n = 0;

	*rules = 0;
	spin_lock_irqsave(&ap_sessions_lock, flags);
	q = ap_uquota_find(uid);
	if (q) {
		n = q->n;
		*rules = q->rules;
	}
	spin_unlock_irqrestore(&ap_sessions_lock, flags);
	return n;
}

static void ap_session_unref(struct ap_session *s)
{
	unsigned long flags;

	while (s && atomic_dec_and_test(&s->refs)) {
		struct ap_session *up = s->up;

		spin_lock_irqsave(&ap_sessions_lock, flags);
		idr_remove(&ap_sessions, s->id);
		ap_uquota_drop(s);
		spin_unlock_irqrestore(&ap_sessions_lock, flags);
		ap_session_free(s);
		s = up;
	}
}

static int ap_session_insert(struct ap_session *s, bool can_sleep, struct ap_uquota *spare)
{
	u32 rules = s->pol ? s->pol->n_rules : 0;
	struct ap_uquota *q = NULL;
	unsigned long flags;
	int id;

	if (can_sleep)
		idr_preload(GFP_KERNEL);
	spin_lock_irqsave(&ap_sessions_lock, flags);
	if (s->unpriv) {
		q = ap_uquota_find(s->owner);
		if (q && q->n >= READ_ONCE(ap_session_quota)) {
			id = -EDQUOT;
			goto out;
		}
		if ((q ? q->rules : 0) + (u64)rules > READ_ONCE(ap_session_rule_quota)) {
			id = -ENOSPC;
			goto out;
		}
	}
	id = idr_alloc_cyclic(&ap_sessions, s, 1, INT_MAX, GFP_NOWAIT | __GFP_NOWARN);
	if (id <= 0)
		goto out;
	s->id = id;
	if (s->pol)
		s->pol->session = id;
	if (s->unpriv) {
		if (!q) {
			q = spare;
			q->uid = s->owner;
			q->n = 0;
			q->rules = 0;
			hash_add(ap_uquotas, &q->node, __kuid_val(q->uid));
			spare = NULL;
		}
		q->n++;
		q->rules += rules;
	}
	ap_spol_account(s->pol, 1);
out:
	spin_unlock_irqrestore(&ap_sessions_lock, flags);
	if (can_sleep)
		idr_preload_end();
	kfree(spare);
	return id;
}

/* @s gets its session policy @pol (may be NULL): its chain's, then its own. */
static void ap_session_set_policy(struct ap_session *s, struct ap_policy *pol)
{
	if (s->up) {
		memcpy(s->chain, s->up->chain, s->up->n_chain * sizeof(s->chain[0]));
		memcpy(s->chain_owner, s->up->chain_owner, s->up->n_chain * sizeof(s->chain_owner[0]));
		s->n_chain = s->up->n_chain;
	}
	s->pol = pol;
	if (pol) {
		s->chain_owner[s->n_chain] = s;
		s->chain[s->n_chain++] = pol;	/* depth <= ACTPLANE_SESSION_DEPTH_MAX */
	}
}

/*
 * A new, empty session rooted at @root.  Returns its id (> 0) or -errno.
 * @gfp: GFP_KERNEL from netlink; GFP_NOWAIT from a hook (inside RCU).
 * @pol: its session policy, or NULL; the session owns it once created.
 */
int ap_session_create(pid_t root, gfp_t gfp, struct ap_policy *pol)
{
	struct ap_session *s = kzalloc(sizeof(*s), gfp | __GFP_NOWARN);
	int id;

	if (!s)
		return -ENOMEM;
	s->root = root;
	s->depth = 1;
	s->top = s;
	s->owner = current_uid();
	ap_session_set_policy(s, pol);
	id = ap_session_insert(s, gfpflags_allow_blocking(gfp), NULL);
	if (id < 0)
		kfree(s);
	return id;
}

/**
 * ap_session_create_user() - a session for a permitted user's own process
 * @root:   its root process (the caller's), initial pid namespace
 * @parent: the session the caller is in (0: none); it is nested there
 * @pol:    its session policy, or NULL; the session owns it once created
 *
 * Process context (netlink).  The new session counts against the caller's
 * quota; it has no member yet (ap_task_nest_session() makes the caller one).
 * Return: its id, or -errno: -EDQUOT (session quota), -ENOSPC (rule
 * quota), -EMLINK (nested too deep), -ESRCH (@parent ended meanwhile),
 * -ENOMEM.
 */
int ap_session_create_user(pid_t root, u32 parent, struct ap_policy *pol)
{
	struct ap_session *s, *up = NULL;
	struct ap_uquota *spare;
	int id;

	s = kzalloc(sizeof(*s), GFP_KERNEL);
	spare = kzalloc(sizeof(*spare), GFP_KERNEL);
	if (!s || !spare) {
		kfree(s);
		kfree(spare);
		return -ENOMEM;
	}
	s->root = root;
	s->unpriv = true;
	s->owner = current_uid();
	s->depth = 1;
	s->top = s;
	if (parent) {
		rcu_read_lock();
		up = idr_find(&ap_sessions, parent);
		if (up && up->depth >= ACTPLANE_SESSION_DEPTH_MAX) {
			rcu_read_unlock();
			kfree(s);
			kfree(spare);
			return -EMLINK;
		}
		if (!up || !atomic_inc_not_zero(&up->refs)) {
			rcu_read_unlock();
			kfree(s);
			kfree(spare);
			return -ESRCH;
		}
		rcu_read_unlock();
		s->up = up;
		s->parent = parent;
		s->depth = up->depth + 1;
		s->top = up->top;
	}
	ap_session_set_policy(s, pol);
	s->acct = ap_uacct_get(s->owner);
	id = s->acct ? ap_session_insert(s, true, spare) : -EUSERS;
	if (id < 0) {
		if (!s->acct)
			kfree(spare);
		ap_uacct_put(s->acct);
		ap_session_unref(up);
		kfree(s);
	}
	return id;
}

void ap_session_get(u32 id)
{
	struct ap_session *s;

	rcu_read_lock();
	s = idr_find(&ap_sessions, id);
	if (s) {
		atomic_inc(&s->procs);
		atomic_inc(&s->refs);
	}
	rcu_read_unlock();
}

void ap_session_put(u32 id)
{
	struct ap_session *s;

	rcu_read_lock();
	s = idr_find(&ap_sessions, id);
	if (s) {
		atomic_dec(&s->procs);
		ap_session_unref(s);
	}
	rcu_read_unlock();
}

/* Drop a session that never got a member (seeding failed). */
void ap_session_abandon(u32 id)
{
	struct ap_session *s;
	unsigned long flags;

	spin_lock_irqsave(&ap_sessions_lock, flags);
	s = idr_find(&ap_sessions, id);
	if (s && !atomic_read(&s->refs)) {
		idr_remove(&ap_sessions, id);
		ap_uquota_drop(s);
	} else {
		s = NULL;
	}
	spin_unlock_irqrestore(&ap_sessions_lock, flags);
	if (s) {
		ap_session_unref(s->up);
		ap_session_free(s);
	}
}

/*
 * Where gate bit @g (AP_GATE_BITS) of an event in session @s is kept, and
 * *@g becomes its bit there: the machine policy's gates in the top-level
 * session (a nested session shares them, so nesting never loosens one),
 * a session policy's in the session it belongs to (events in the sessions
 * nested in it count).  RCU held; NULL if there is no such gate.
 */
static struct ap_session *ap_gate_home(struct ap_session *s, u32 *g)
{
	u32 lvl;

	if (!s)
		return NULL;
	if (*g < AP_POL_MAX_GATES)
		return s->top;
	lvl = AP_SGATE_LEVEL(*g);
	if (*g >= AP_GATE_BITS || lvl >= s->n_chain)
		return NULL;
	*g = AP_POL_MAX_GATES + AP_SGATE_ID(*g);
	return s->chain_owner[lvl];
}

bool ap_session_gate(u32 id, u32 gate)
{
	struct ap_session *s;
	bool armed = false;

	rcu_read_lock();
	s = ap_gate_home(idr_find(&ap_sessions, id), &gate);
	if (s)
		armed = test_bit(gate, s->gates);
	rcu_read_unlock();
	return armed;
}

/* After an event happened in session @id: invalidate, then arm (AP_GATE_BITS). */
void ap_session_gates_update(u32 id, const unsigned long *arm, const unsigned long *stale)
{
	struct ap_session *s, *h;
	u32 g, b;

	rcu_read_lock();
	s = idr_find(&ap_sessions, id);
	for_each_set_bit(g, stale, AP_GATE_BITS) {
		b = g;
		h = ap_gate_home(s, &b);
		if (h) {
			clear_bit(b, h->gates);
			WRITE_ONCE(h->stale_epoch[b], h->stale_epoch[b] + 1);
		}
	}
	for_each_set_bit(g, arm, AP_GATE_BITS) {
		b = g;
		h = ap_gate_home(s, &b);
		if (h)
			set_bit(b, h->gates);
	}
	rcu_read_unlock();
}

/* How often @gate went stale in session @id so far (0 if there is none). */
u16 ap_session_gate_epoch(u32 id, u32 gate)
{
	struct ap_session *s;
	u16 ep = 0;

	rcu_read_lock();
	s = ap_gate_home(idr_find(&ap_sessions, id), &gate);
	if (s)
		ep = READ_ONCE(s->stale_epoch[gate]);
	rcu_read_unlock();
	return ep;
}

/*
 * An `exits N` run of @gate's program ended with N: arm the gate, unless a
 * `since` event made it stale while the run was going (the run saw old state).
 */
void ap_session_gate_arm_after(u32 id, u32 gate, u16 epoch)
{
	struct ap_session *s;

	rcu_read_lock();
	s = ap_gate_home(idr_find(&ap_sessions, id), &gate);
	if (s && READ_ONCE(s->stale_epoch[gate]) == epoch)
		set_bit(gate, s->gates);
	rcu_read_unlock();
}

/**
 * ap_session_event() - who may read an event record of session @id
 * @id:   the session of the event's subject
 * @seq:  out: the record's number within the session
 * @f:    out: @id and the sessions it is nested in, innermost first, and
 *        the owners of those created unprivileged (they get the record on
 *        the "session" group)
 *
 * RCU held by the caller.  Return: false if there is no such session.
 */
bool ap_session_event(u32 id, u64 *seq, struct ap_session_readers *f)
{
	struct ap_session *s = idr_find(&ap_sessions, id);
	int i;

	f->n = 0;
	f->depth = 0;
	if (!s)
		return false;
	*seq = atomic64_inc_return(&s->ev_seq);
	for (; s && f->depth < ACTPLANE_SESSION_DEPTH_MAX; s = s->up) {
		f->ids[f->depth++] = s->id;
		if (!s->unpriv)
			continue;
		for (i = 0; i < f->n && !uid_eq(f->uid[i], s->owner); i++)
			;
		if (i == f->n)
			f->uid[f->n++] = s->owner;
	}
	return true;
}

/*
 * Session @id, which @p is in: @p's hint if it is that one, else looked up
 * (and made the hint).  RCU held by the caller.  NULL if it has ended.
 */
static struct ap_session *ap_session_of(struct ap_proc *p, u32 id)
{
	struct ap_session *s = READ_ONCE(p->sess_hint);

	if (!s || s->id != id) {
		s = idr_find(&ap_sessions, id);
		if (s)
			WRITE_ONCE(p->sess_hint, s);
	}
	return s;
}

/*
 * @s's merged index, if it is built for the machine's policy @pol (may be
 * NULL); otherwise NULL: each policy's own index is queried.
 */
static __always_inline const struct ap_policy *ap_session_merged(const struct ap_session *s,
								 const struct ap_policy *pol)
{
	const struct ap_policy *m = rcu_dereference(s->merged);

	return m && m->generation == ap_gen_of(pol) ? m : NULL;
}

/**
 * ap_session_policies() - the session policies that apply in session @id
 * @p:   the subject's process (its hint spares the IDR lookup)
 * @id:  the subject's session, read from @p
 * @pol: the machine's policy the caller sees (may be NULL)
 * @out: set to them, outermost first
 * @merged: set to the session's merged index, the machine's and all of
 *          them in one, if it is built for @pol; else left alone
 *
 * RCU held by the caller (they stay valid until it ends).  Return: how
 * many (0 if there is no such session).
 */
u32 ap_session_policies(struct ap_proc *p, u32 id, const struct ap_policy *pol,
			const struct ap_policy *const **out, const struct ap_policy **merged)
{
	struct ap_session *s = ap_session_of(p, id);
	const struct ap_policy *m;

	if (!s)
		return 0;
	*out = s->chain;
	m = ap_session_merged(s, pol);
	if (m)
		*merged = m;
	return s->n_chain;
}

/**
 * ap_ep_sessions_miss() - no index the current process's events are queried in has @k
 * @pol: the machine's policy (may be NULL)
 * @op:  connect or recv
 * @k:   the endpoint
 *
 * True if the endpoint indexes for @op that an event on @k would be
 * queried in (the machine's and its session chain's policies', or its
 * session's merged index alone) all miss it (ap_epidx_misses()): the
 * evaluation would find nothing.  hooks_net.c asks it before the evaluator
 * when some session policy has uses of @op, so a session's connect to an
 * endpoint no rule is about costs filter lookups, not an evaluation.
 * Caller in RCU.
 */
bool ap_ep_sessions_miss(const struct ap_policy *pol, u8 op, const struct ap_ep_key *k)
{
	struct ap_proc *p = ap_proc_of(current);
	u32 i, id = p ? READ_ONCE(p->session) : 0;
	struct ap_session *s = id ? ap_session_of(p, id) : NULL;
	const struct ap_policy *m = s ? ap_session_merged(s, pol) : NULL;

	if (m)
		return ap_epidx_misses(&m->ep[op], k);
	if (pol && !ap_epidx_misses(&pol->ep[op], k))
		return false;
	for (i = 0; s && i < s->n_chain; i++)
		if (!ap_epidx_misses(&s->chain[i]->ep[op], k))
			return false;
	return true;
}

/*
 * The label memory account new entries the current process makes are
 * charged to: its session's (0: none; interrupt context acts for nobody).
 */
u16 ap_session_acct(void)
{
	struct ap_session *s;
	struct ap_proc *p;
	u16 acct = 0;
	u32 id;

	if (!in_task() || !ap_tasks_tracked())
		return 0;
	rcu_read_lock();
	p = ap_proc_of(current);
	id = p ? READ_ONCE(p->session) : 0;
	s = id ? ap_session_of(p, id) : NULL;
	if (s)
		acct = s->acct;
	rcu_read_unlock();
	return acct;
}

/**
 * ap_session_reindex() - build sessions' merged indexes anew
 * @id:   the session (0: every session with a session policy in its chain)
 * @base: the machine's policy now (may be NULL)
 *
 * The caller holds ap_policy_mutex, so @base is not replaced meanwhile;
 * every swap of the machine's policy calls it for all sessions, and a new
 * session calls it for itself once it has a member: whichever runs last
 * sees the current policy.  A session whose index cannot be built keeps
 * none, and queries each policy's own index (always correct).
 */
void ap_session_reindex(u32 id, const struct ap_policy *base)
{
	struct ap_policy *m, *old;
	struct ap_session *s;
	int next;

	for (next = id ?: 1; next > 0; next++) {
		rcu_read_lock();
		s = idr_get_next(&ap_sessions, &next);
		if (s && id && next != id)
			s = NULL;
		if (!s) {
			rcu_read_unlock();
			return;
		}
		/* no member (not yet, or no longer): its creator reindexes it */
		if (!s->n_chain || !atomic_inc_not_zero(&s->refs)) {
			rcu_read_unlock();
			if (id)
				return;
			continue;
		}
		rcu_read_unlock();
		m = ap_merged_build(base, s->chain, s->n_chain);
		old = rcu_replace_pointer(s->merged, m, true);
		ap_policy_retire(old);
		ap_session_unref(s);
		if (id)
			return;
		cond_resched();
	}
}

/* Is a member of session @sid in session @id (itself, or nested in it)?  RCU held. */
bool ap_session_within(u32 sid, u32 id)
{
	struct ap_session *s = idr_find(&ap_sessions, sid);

	for (; s; s = s->up)
		if (s->id == id)
			return true;
	return false;
}

/* Session @id's owner.  False if there is no such session. */
bool ap_session_owner(u32 id, kuid_t *owner)
{
	struct ap_session *s;

	rcu_read_lock();
	s = idr_find(&ap_sessions, id);
	if (s)
		*owner = s->owner;
	rcu_read_unlock();
	return s != NULL;
}

/*
 * The live session with the smallest id >= *@id, for a dump's cursor: fills
 * @info and sets *@id to its id.  False when there is none.  Sessions
 * created or ended while a dump walks the IDR may or may not be seen; none
 * is seen twice (ids are handed out cyclically and the cursor only grows).
 */
bool ap_session_next(u32 *id, struct ap_session_info *info)
{
	struct ap_session *s;
	int next = *id;
	bool found = false;

	if (*id > INT_MAX)
		return false;
	rcu_read_lock();
	s = idr_get_next(&ap_sessions, &next);
	if (s) {
		*id = next;
		info->root = s->root;
		info->procs = atomic_read(&s->procs);
		info->parent = s->parent;
		info->owner = s->owner;
		info->unpriv = s->unpriv;
		info->rules = s->pol ? s->pol->n_rules : 0;
		strscpy(info->policy, s->pol ? s->pol->name : "", sizeof(info->policy));
		found = true;
	}
	rcu_read_unlock();
	return found;
}

void ap_session_exit(void)
{
	struct ap_session *s;
	struct ap_uquota *q;
	struct hlist_node *tmp;
	int id, b;

	idr_for_each_entry(&ap_sessions, s, id) {
		ap_session_drop_policies(s);	/* ap_policy_exit() waits for them */
		kfree(s);
	}
	idr_destroy(&ap_sessions);
	hash_for_each_safe(ap_uquotas, b, tmp, q, node) {
		hash_del(&q->node);
		kfree(q);
	}
}
