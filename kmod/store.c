// SPDX-License-Identifier: GPL-2.0-only
/*
 * Label storage: processes, files, network endpoints and local sockets.
 *
 * Processes.  Labels belong to a thread group: one struct ap_proc, found
 * through an entry keyed by the group leader's task_struct.  Threads need no
 * entry of their own (lookups fall back to the group leader); the one
 * exception is a non-leader thread calling execve, which becomes the leader
 * (de_thread), so it gets its own entry before that happens.  An entry is
 * removed when its task_struct is freed (task_free), which for a leader is
 * after the whole group is gone.
 *
 * Files by inode identity (device, inode number, generation): renames, hard
 * links, symlinks and bind mounts all reach the same entry.  The entry
 * survives inode-cache eviction while the file has links, and is removed
 * when an unlinked inode (or a pipe/socket inode) is destroyed, or when its
 * filesystem goes away.
 *
 * Endpoints by (family, address, port); local sockets (AF_UNIX) by struct
 * sock, removed when the sock is freed.
 *
 * Every table is an rhashtable: lookups are lock-free under RCU; entries are
 * freed after a grace period.  When a table is empty its lookups are skipped
 * entirely (one atomic read), so an unlabeled system pays almost nothing.
 */
#include <linux/fs.h>
#include <linux/hash.h>
#include <linux/magic.h>
#include <linux/pipe_fs_i.h>
#include <linux/rhashtable.h>
#include <linux/sched.h>
#include <linux/sched/signal.h>
#include <linux/slab.h>
#include <linux/unaligned.h>
#include <linux/workqueue.h>
#include <net/sock.h>
#include "actplane.h"
#include "task.h"

/* ---- processes ------------------------------------------------------------ */

atomic_long_t ap_flow_epoch = ATOMIC_LONG_INIT(1);

/*
 * Some label state changed: every memo of a flow that changed
 * nothing (task.h) is stale.  After the change, fully ordered: a memo made
 * with the epoch read before this (ap_flow_remember()) is then older than
 * it, whatever labels its maker saw.
 */
static inline void ap_flow_changed(void)
{
	smp_mb__before_atomic();
	atomic_long_inc(&ap_flow_epoch);
}

static const struct rhashtable_params ap_task_params = {
	.key_len = sizeof(const struct task_struct *),
	.key_offset = offsetof(struct ap_task, task),
	.head_offset = offsetof(struct ap_task, node),
	.automatic_shrinking = true,
};

static struct rhashtable ap_tasks;
static DEFINE_SPINLOCK(ap_proc_lock);	/* slow path: creating/attaching procs */

static struct ap_task *ap_task_entry(const struct task_struct *t)
{
	return rhashtable_lookup(&ap_tasks, &t, ap_task_params);
}

/*
 * The entry the last lookup on each CPU found.  A hook asks for the same
 * process several times per operation (a pipe write and read ask three
 * times), and a hashed lookup costs ten times what a check of the hint
 * does.  The hint answers for @t when its task is @t or @t's group leader:
 * that is what the table would answer (a thread's own entry, made before it
 * exec's, points to its leader's process).
 *
 * Lifetime: an entry leaves the table only in ap_task_free(), which marks
 * it dead and clears every CPU's hint that holds it before its process and
 * the entry are put, which free them only after a grace period.  A lookup
 * that found the entry just before it left publishes it and then re-checks
 * the mark (ap_task_hint_set()): either the remover's sweep or the lookup's
 * re-check sees the other.  So a hint read inside an RCU read-side section,
 * or with preemption disabled (a grace period waits for those too, since
 * 5.0), stays valid until that section ends.
 */
DEFINE_PER_CPU(struct ap_task *, ap_task_hint);

static void ap_task_hint_set(struct ap_task *e)
{
	preempt_disable();
	this_cpu_write(ap_task_hint, e);
	smp_mb();	/* publish, then read the mark: pairs with ap_task_free() */
	if (READ_ONCE(e->dead))
		this_cpu_cmpxchg(ap_task_hint, e, NULL);
	preempt_enable();
}

static void ap_task_hints_clear(struct ap_task *e)
{
	int cpu;

	for_each_possible_cpu(cpu)
		cmpxchg(per_cpu_ptr(&ap_task_hint, cpu), e, NULL);
}

/* ap_proc_of() past its hint (task.h): the table.  Caller in RCU. */
struct ap_proc *ap_proc_find(const struct task_struct *t)
{
	struct ap_task *e = ap_task_entry(t);

	if (!e && t->group_leader != t)
		e = ap_task_entry(t->group_leader);
	if (!e)
		return NULL;
	ap_task_hint_set(e);
	return e->proc;
}

const struct ap_from ap_from_admin = { .op = ACTPLANE_PROV_ADMIN };
static const struct ap_from ap_from_endorse = { .op = ACTPLANE_PROV_SOURCE };
static const struct ap_from ap_from_fork = { .op = ACTPLANE_PROV_FORK };

static u64 ap_proc_absorb(struct ap_proc *p, u64 add);
static int ap_proc_arrive(const struct task_struct *t, struct ap_proc *p, u64 add,
			  bool may_refuse, u64 *grew);
static void ap_prov_record(struct ap_prov **head, u64 grew, const struct ap_from *f, u8 obj,
			   const char *name);

/* A process's records are named after it: "comm[pid]". */
static void ap_proc_record(const struct task_struct *t, struct ap_proc *p, u64 grew,
			   const struct ap_from *f)
{
	char name[TASK_COMM_LEN + 16];

	if (!grew || !f || !ap_prov_enabled())
		return;
	snprintf(name, sizeof(name), "%s[%d]", t->comm, task_tgid_nr((struct task_struct *)t));
	ap_prov_record(&p->prov, grew, f, ACTPLANE_PROV_PROCESS, name);
}

/* Bits of ended sessions being swept out (labels.c): no write adds them. */
static inline u64 ap_labels_retiring_mask(void)
{
	return atomic64_read(&ap_labels_retiring);
}

/*
 * Add @add to @labels; return the bits that were not there.  Bits being
 * taken back from an ended session (ap_labels_release()) are not added:
 * every write of label state masks them, inside the RCU read-side section
 * that holds the entry, so once the releaser's grace period has passed no
 * write of them is left for its sweep to miss.
 */
static u64 ap_labels_or(atomic64_t *labels, u64 add)
{
	u64 old;

	if ((atomic64_read(labels) & add) == add)
		return 0;	/* nothing new: don't dirty the line */
	add &= ~ap_labels_retiring_mask();
	old = atomic64_fetch_or(add, labels);
	if ((old | add) != old) {
		ap_flow_changed();
		ap_stats_inc(ACTPLANE_CTR_PROPAGATIONS);
	}
	return add & ~old;
}

static struct ap_proc *ap_proc_new(u64 labels, u32 session)
{
	static atomic64_t ids = ATOMIC64_INIT(0);
	struct ap_proc *p;

	if (!ap_charge(AP_OBJ_PROC, sizeof(*p)))
		return NULL;
	p = kzalloc(sizeof(*p), GFP_NOWAIT | __GFP_NOWARN);
	if (!p) {
		ap_uncharge(AP_OBJ_PROC, sizeof(*p));
		return NULL;
	}
	p->id = atomic64_inc_return(&ids);
	atomic64_set(&p->labels, labels & ~ap_labels_retiring_mask());
	spin_lock_init(&p->lock);
	refcount_set(&p->ref, 1);
	p->session = session;
	if (session)
		ap_session_get(session);
	return p;
}

/* After a grace period: nobody adds a record any more. */
static void ap_proc_free_rcu(struct rcu_head *head)
{
	struct ap_proc *p = container_of(head, struct ap_proc, rcu);

	ap_prov_put(p->prov);
	kfree(p);
}

static void ap_proc_put(struct ap_proc *p)
{
	if (!refcount_dec_and_test(&p->ref))
		return;
	if (p->session)
		ap_session_put(p->session);
	ap_exec_pend_drop(p);
	if (p->sends) {
		kfree(p->sends);
		ap_uncharge(AP_OBJ_PROC, sizeof(*p->sends));
	}
	ap_uncharge(AP_OBJ_PROC, sizeof(*p));
	call_rcu(&p->rcu, ap_proc_free_rcu);
}

/* Add an entry task -> proc, taking a reference.  0, -EEXIST or -ENOMEM. */
static int ap_task_attach(const struct task_struct *t, struct ap_proc *p)
{
	struct ap_task *e;
	int ret;

	if (!ap_charge(AP_OBJ_TASK, sizeof(*e)))
		return -ENOMEM;
	e = kzalloc(sizeof(*e), GFP_NOWAIT | __GFP_NOWARN);
	if (!e) {
		ap_uncharge(AP_OBJ_TASK, sizeof(*e));
		return -ENOMEM;
	}
	e->task = t;
	e->proc = p;
	e->proc_id = p->id;
	refcount_inc(&p->ref);
	ret = rhashtable_lookup_insert_fast(&ap_tasks, &e->node, ap_task_params);
	if (ret) {
		refcount_dec(&p->ref);
		ap_uncharge(AP_OBJ_TASK, sizeof(*e));
		kfree(e);
	}
	return ret;
}

static void ap_proc_reset(struct ap_proc *p, u64 labels);

/*
 * Create the process state for @t's thread group with @labels, unless it
 * exists.  An existing state gets @labels added; with @root it joins
 * @session as its root instead and keeps exactly @labels (ap_proc_reset()),
 * but only if it was in no session.  Slow path, serialised by ap_proc_lock.
 */
static int ap_proc_create(const struct task_struct *t, u64 labels, u32 session, bool root,
			  const struct ap_from *f)
{
	struct ap_proc *p;
	int ret = 0;

	spin_lock_bh(&ap_proc_lock);
	rcu_read_lock();
	p = ap_proc_of(t);
	if (p) {
		bool joined = false;

		if (session && !READ_ONCE(p->session)) {
			ap_session_get(session);
			joined = !cmpxchg(&p->session, 0, session);
			if (!joined)
				ap_session_put(session);
		}
		if (!root) {
			ap_proc_record(t, p, ap_proc_absorb(p, labels), f);
		} else if (joined) {
			ap_proc_reset(p, labels);
			ap_proc_record(t, p, labels, f);
		}
		goto out;
	}
	p = ap_proc_new(labels, session);
	if (!p) {
		ret = -ENOMEM;
		goto out;
	}
	ap_proc_record(t, p, labels, f);	/* before anyone can see it */
	ret = ap_task_attach(t->group_leader, p);
	ap_proc_put(p);		/* the entry holds it now, or it is freed */
	if (!ret && labels) {
		/*
		 * A running process now carries labels.  One of its threads
		 * may have found no label state a moment ago and be about to
		 * remember "my write moved nothing" (task.h): under this
		 * process's id, now that the hint can name it.  The bump,
		 * after the entry is in the table, makes that memo stale.
		 */
		ap_flow_changed();
		ap_stats_inc(ACTPLANE_CTR_PROPAGATIONS);
	}
out:
	rcu_read_unlock();
	spin_unlock_bh(&ap_proc_lock);
	return ret;
}

static int ap_task_absorb_as(const struct task_struct *t, u64 labels, bool may_refuse,
			     const struct ap_from *f)
{
	struct ap_proc *p;
	u64 grew;
	int ret;

	if (!labels)
		return 0;
	rcu_read_lock();
	p = ap_proc_of(t);
	if (p) {
		ret = ap_proc_arrive(t, p, labels, may_refuse, &grew);
		if (grew)
			ap_proc_record(t, p, grew, f);
		rcu_read_unlock();
		return ret ?: (grew ? ap_mm_labels_grew(t, grew) : 0);
	}
	rcu_read_unlock();
	if (ap_proc_create(t, labels, 0, false, f))
		return ap_untrackable();
	return ap_mm_labels_grew(t, labels);
}

/**
 * ap_task_absorb() - add @labels to @t's process
 * @t: any thread of the process
 * @labels: the label bits to add
 *
 * Return: 0, -EPERM if a send of @t's process in flight may not carry
 * @labels (they are not added: the caller refuses the operation that
 * brought them), or the fail-mode verdict if the state could not be stored.
 */
int ap_task_absorb(const struct task_struct *t, u64 labels, const struct ap_from *f)
{
	return ap_task_absorb_as(t, labels, true, f);
}

/*
 * The same, for data @t has already taken in (a tracing program after the
 * fact): the labels are always added; a send in flight that may not carry
 * them gets the process killed (ap_sends_admit()).
 */
void ap_task_absorb_done(const struct task_struct *t, u64 labels, const struct ap_from *f)
{
	ap_task_absorb_as(t, labels, false, f);
}

/*
 * A declassifier running its program does not absorb the labels it
 * releases.  Lock-free when nothing is new (the common case); otherwise
 * under p->lock, so that the immunity tested is the one in force when the
 * labels change (an exec may be making the process immune right now).
 */
static u64 ap_proc_absorb(struct ap_proc *p, u64 add)
{
	unsigned long flags;
	u64 grew;

	add &= ~atomic64_read(&p->immune);
	if ((atomic64_read(&p->labels) & add) == add)
		return 0;
	spin_lock_irqsave(&p->lock, flags);
	grew = ap_labels_or(&p->labels, add & ~atomic64_read(&p->immune));
	spin_unlock_irqrestore(&p->lock, flags);
	return grew;
}

/*
 * @add arrives at @p, the process of @t.  While a thread of the process has
 * a send in flight (p->nsend), the send was checked without the new labels
 * but is still copying the process's memory: the labels may arrive only if
 * every such send may carry them (ap_sends_admit(), which also labels the
 * destinations).  They are published in @arriving first, under @lock, so a
 * send that starts meanwhile is checked with them (ap_send_begin()).  Only
 * arrivals into the current process are checked: the rules are evaluated
 * as the subject that runs.
 */
static int ap_proc_arrive(const struct task_struct *t, struct ap_proc *p, u64 add,
			  bool may_refuse, u64 *grew)
{
	struct ap_send sends[AP_SEND_SLOTS] __uninitialized;	/* the first n are copied in */
	unsigned long flags;
	u32 n = 0, i, lost;
	u64 new;
	int ret;

	*grew = 0;
	add &= ~atomic64_read(&p->immune);
	if ((atomic64_read(&p->labels) & add) == add)
		return 0;
	spin_lock_irqsave(&p->lock, flags);
	if (likely(!p->nsend && !p->send_lost) || t->tgid != current->tgid) {
		*grew = ap_labels_or(&p->labels, add & ~atomic64_read(&p->immune));
		spin_unlock_irqrestore(&p->lock, flags);
		return 0;
	}
	new = add & ~atomic64_read(&p->immune) & ~atomic64_read(&p->labels) &
	      ~ap_labels_retiring_mask();
	p->arriving |= new;
	p->narriving++;
	for (i = 0; p->sends && i < AP_SEND_SLOTS; i++)
		if (p->sends->s[i].task)
			sends[n++] = p->sends->s[i];
	lost = p->send_lost;
	spin_unlock_irqrestore(&p->lock, flags);

	ret = ap_sends_admit(sends, n, lost, new, may_refuse);

	spin_lock_irqsave(&p->lock, flags);
	if (!ret)
		*grew = ap_labels_or(&p->labels, add & ~atomic64_read(&p->immune));
	if (!--p->narriving)
		p->arriving = 0;
	spin_unlock_irqrestore(&p->lock, flags);
	return ret;
}

/*
 * @p becomes the root of a session: exactly @labels, no immunity, no
 * lineage and no pending `exits` gates, whatever it inherited.
 */
static void ap_proc_reset(struct ap_proc *p, u64 labels)
{
	unsigned long flags;
	bool changed;

	labels &= ~ap_labels_retiring_mask();
	spin_lock_irqsave(&p->lock, flags);
	changed = atomic64_xchg(&p->immune, 0) != 0;
	atomic64_set(&p->lineage, 0);
	atomic64_set(&p->slineage, 0);
	changed |= atomic64_xchg(&p->labels, labels) != labels;
	WRITE_ONCE(p->npend, 0);
	spin_unlock_irqrestore(&p->lock, flags);
	if (changed)	/* a flow memo depends on the labels and the immunity only */
		ap_flow_changed();
	if (labels)
		ap_stats_inc(ACTPLANE_CTR_PROPAGATIONS);
}

static void ap_proc_mark(struct ap_proc *p, u64 lineage, u64 slineage)
{
	if (lineage)
		atomic64_or(lineage, &p->lineage);
	if (slineage)
		atomic64_or(slineage, &p->slineage);
}

/**
 * ap_task_commit() - store the state an evaluated event produced
 * @t:       the subject
 * @add:     labels the process takes (what it read or exec'd, sources)
 * @declass: exec only: labels the new program releases; they are dropped
 *           and the process stops absorbing them (immunity only grows)
 * @endorse: exec only: labels the new program gains, immunity or not
 * @lineage: lineage marks the event adds
 * @slineage: the same, of the session chain's policies
 * @exec:    the event is an exec
 *
 * Every change is applied to the state as it is now, not to a snapshot
 * taken before the event was evaluated, so concurrent changes by sibling
 * threads (labels they absorb, marks they add) are never lost.
 *
 * Return: 0, or the fail-mode verdict if the state could not be stored.
 */
int ap_task_commit(const struct task_struct *t, u64 add, u64 declass, u64 endorse, u64 lineage,
		   u64 slineage, bool exec, const struct ap_from *f)
{
	unsigned long flags;
	struct ap_proc *p;
	u64 immune, cur, now, grew = 0;

	if (!exec)
		declass = endorse = 0;
	rcu_read_lock();
	p = ap_proc_of(t);
	if (!p && !add && !declass && !endorse && !lineage && !slineage) {
		rcu_read_unlock();
		return 0;
	}
	if (!p) {
		rcu_read_unlock();
		if (ap_proc_create(t, 0, 0, false, NULL))
			return ap_untrackable();
		rcu_read_lock();
		p = ap_proc_of(t);
		if (!p) {
			rcu_read_unlock();
			return 0;
		}
	}
	if (!exec) {
		/* a send in flight that may not carry @add refuses it all */
		int ret = ap_proc_arrive(t, p, add, true, &grew);

		if (ret) {
			rcu_read_unlock();
			return ret;
		}
		ap_proc_record(t, p, grew, f);
		ap_proc_mark(p, lineage, slineage);
	} else {
		u64 retiring = ap_labels_retiring_mask();

		add &= ~retiring;
		declass &= ~retiring;
		endorse &= ~retiring;
		ap_proc_mark(p, lineage, slineage);
		spin_lock_irqsave(&p->lock, flags);
		immune = atomic64_read(&p->immune);
		atomic64_set(&p->immune, immune | declass);
		cur = atomic64_read(&p->labels);
		/* only writers hold the lock: @cur cannot change under us */
		now = ((cur | add) & ~(immune | declass)) | endorse;
		atomic64_set(&p->labels, now);
		spin_unlock_irqrestore(&p->lock, flags);
		if (now != cur || (declass & ~immune))
			ap_flow_changed();
		/* a trusted program's endorsement is an origin */
		ap_proc_record(t, p, endorse & ~cur, &ap_from_endorse);
	}
	rcu_read_unlock();
	/* an exec replaces the memory: no mapping of the old image survives */
	return grew ? ap_mm_labels_grew(t, grew) : 0;
}

/*
 * @t's process, tracked and in no session, roots the new session @id (a
 * subject source labeled it).  Return: true if it joined; otherwise the
 * caller's session is dropped here.
 */
bool ap_task_start_session(const struct task_struct *t, u32 id)
{
	struct ap_proc *p;
	bool joined = false;

	rcu_read_lock();
	p = ap_proc_of(t);
	if (p) {
		ap_session_get(id);
		joined = !cmpxchg(&p->session, 0, id);
		if (!joined)
			ap_session_put(id);	/* frees it: no other member */
	}
	rcu_read_unlock();
	if (!p)
		ap_session_abandon(id);
	return joined;
}

/* Admin: add labels to @t's process; process context. */
int ap_task_seed(const struct task_struct *t, u64 labels)
{
	return ap_proc_create(t, labels, 0, false, AP_FROM_ADMIN);
}

/**
 * ap_task_root_session() - make @t's process the root of session @session
 * @t:       a process in no session
 * @labels:  the session's seed labels
 * @session: a new session
 *
 * The root starts with exactly @labels: whatever the process carried
 * before (labels, immunity, lineage it inherited from the runner that
 * forked it) is dropped, so a session starts only with what the policy
 * says.  Admin, process context.
 *
 * Return: 0, or -ENOMEM.  If the process joined another session first,
 * it keeps that one and its state; the caller checks ap_task_session().
 */
int ap_task_root_session(const struct task_struct *t, u64 labels, u32 session)
{
	return ap_proc_create(t, labels, session, true, AP_FROM_ADMIN);
}

/**
 * ap_task_nest_session() - a permitted user's process enters its new session
 * @t:      the caller's process
 * @labels: the policy's session-root labels, added
 * @id:     the new session, nested in @old
 * @old:    the session the process is in now (0: none)
 *
 * Unlike ap_task_root_session(), nothing is dropped: the labels, the
 * immunity and the lineage the process has stay, so starting a session can
 * only add restrictions.  Process context.
 *
 * Return: 0; -EBUSY if the process's session is no longer @old (another
 * of its threads moved it meanwhile: @id is then gone); -ENOMEM (@id is
 * left without members: the caller abandons it).
 */
int ap_task_nest_session(const struct task_struct *t, u64 labels, u32 id, u32 old)
{
	struct ap_proc *p;
	int ret = 0;

	spin_lock_bh(&ap_proc_lock);
	rcu_read_lock();
	p = ap_proc_of(t);
	if (p) {
		ap_session_get(id);
		if (cmpxchg(&p->session, old, id) != old) {
			ap_session_put(id);
			ret = -EBUSY;
		} else {
			if (old)
				ap_session_put(old);
			ap_proc_record(t, p, ap_proc_absorb(p, labels), AP_FROM_ADMIN);
		}
	}
	rcu_read_unlock();
	spin_unlock_bh(&ap_proc_lock);
	if (p)
		return ret;
	if (old)
		return -EBUSY;
	ret = ap_proc_create(t, labels, id, false, AP_FROM_ADMIN);
	if (!ret) {
		/*
		 * Joined, unless another thread created the state first.  A
		 * sibling may already have nested a session in @id: the
		 * process is then in @id's subtree, and this call succeeded.
		 */
		u32 now = ap_task_session(t);

		rcu_read_lock();
		if (now != id && !ap_session_within(now, id))
			ret = -EBUSY;
		rcu_read_unlock();
	}
	return ret;
}

void ap_task_clear(const struct task_struct *t, u64 labels)
{
	unsigned long flags;
	struct ap_proc *p;

	rcu_read_lock();
	p = ap_proc_of(t);
	if (p) {
		spin_lock_irqsave(&p->lock, flags);
		if (atomic64_fetch_andnot(labels, &p->labels) & labels)
			ap_flow_changed();
		spin_unlock_irqrestore(&p->lock, flags);
	}
	rcu_read_unlock();
}

/* @t's process stops being immune to any label.  Return: it was immune. */
bool ap_task_drop_immunity(const struct task_struct *t)
{
	unsigned long flags;
	struct ap_proc *p;
	bool was = false;

	rcu_read_lock();
	p = ap_proc_of(t);
	if (p && atomic64_read(&p->immune)) {
		spin_lock_irqsave(&p->lock, flags);
		was = atomic64_xchg(&p->immune, 0) != 0;
		spin_unlock_irqrestore(&p->lock, flags);
		if (was)
			ap_flow_changed();
	}
	rcu_read_unlock();
	return was;
}

u32 ap_task_session(const struct task_struct *t)
{
	struct ap_proc *p;
	u32 s = 0;

	rcu_read_lock();
	p = ap_proc_of(t);
	if (p)
		s = p->session;
	rcu_read_unlock();
	return s;
}

/**
 * ap_task_fork() - @child was just created by current (task_alloc)
 * @child: the new task
 * @clone_flags: its clone flags (CLONE_THREAD: a thread of current's group)
 *
 * A new thread shares its group's state (found through the leader).  A new
 * process gets a copy of the parent's labels and session.
 * Return: 0, or the fail-mode verdict (fail-closed: the fork fails).
 */
int ap_task_fork(struct task_struct *child, u64 clone_flags)
{
	struct ap_proc *parent, *p;
	u64 labels, immune, lineage, slineage;
	unsigned long flags;
	u32 session;
	int ret;

	if (clone_flags & CLONE_THREAD)
		return 0;
	rcu_read_lock();
	parent = ap_proc_of(current);
	if (!parent) {
		rcu_read_unlock();
		return 0;
	}
	/* one consistent state, even while a sibling thread execs */
	spin_lock_irqsave(&parent->lock, flags);
	labels = atomic64_read(&parent->labels);
	immune = atomic64_read(&parent->immune);
	spin_unlock_irqrestore(&parent->lock, flags);
	lineage = atomic64_read(&parent->lineage);
	slineage = atomic64_read(&parent->slineage);
	session = parent->session;
	if (!labels && !session && !immune && !lineage) {
		rcu_read_unlock();
		return 0;	/* nothing to inherit: the child stays untracked */
	}
	/*
	 * Still in the read-side section the parent's labels were read in,
	 * until the child is in the table: a sweep of retiring bits
	 * (ap_labels_release()) then either finds the child or is masked.
	 */
	p = ap_proc_new(labels, session);
	if (!p) {
		rcu_read_unlock();
		return ap_untrackable();
	}
	atomic64_set(&p->immune, immune & ~ap_labels_retiring_mask());
	atomic64_set(&p->lineage, lineage);
	atomic64_set(&p->slineage, slineage);
	/* the child (no pid yet) took the parent's labels: one record */
	if (labels)
		ap_prov_record(&p->prov, labels, &ap_from_fork, ACTPLANE_PROV_PROCESS, NULL);
	ret = ap_task_attach(child, p);	/* child is its own leader */
	ap_proc_put(p);
	rcu_read_unlock();
	return ret ? ap_untrackable() : 0;
}

/* current is about to execve: if it is not the leader, give it its own entry. */
int ap_task_exec(void)
{
	struct task_struct *t = current;
	struct ap_proc *p;
	int ret = 0;

	if (t->group_leader == t || !ap_tasks_tracked())
		return 0;
	spin_lock_bh(&ap_proc_lock);
	rcu_read_lock();
	if (!ap_task_entry(t)) {
		p = ap_proc_of(t);
		if (p && ap_task_attach(t, p))
			ret = ap_untrackable();
	}
	rcu_read_unlock();
	spin_unlock_bh(&ap_proc_lock);
	return ret;
}

/* @t's task_struct is being freed. */
void ap_task_free(const struct task_struct *t)
{
	struct ap_task *e;

	if (!ap_tasks_tracked())
		return;
	rcu_read_lock();
	e = ap_task_entry(t);
	if (e && !rhashtable_remove_fast(&ap_tasks, &e->node, ap_task_params)) {
		WRITE_ONCE(e->dead, true);
		smp_mb();	/* mark, then sweep: pairs with ap_task_hint_set() */
		ap_task_hints_clear(e);
		ap_proc_put(e->proc);
		ap_uncharge(AP_OBJ_TASK, sizeof(*e));
		kfree_rcu(e, rcu);
	}
	rcu_read_unlock();
}

/* ---- files, endpoints, sockets -------------------------------------------- */

struct ap_obj {
	struct rhash_head node;
	atomic64_t labels;
	bool dead;			/* removed from its table */
	u16 acct;			/* the label memory account charged (labels.c) */
	struct ap_prov *prov;		/* where its labels came from (prov.h) */
	struct rcu_head rcu;
	union {
		struct ap_inode_key inode;
		struct ap_ep_key ep;
		const void *chan;	/* struct sock or struct pipe_inode_info */
	} key;
};

#define AP_OBJ_PARAMS(keytype) {					\
	.key_len = sizeof(keytype),					\
	.key_offset = offsetof(struct ap_obj, key),			\
	.head_offset = offsetof(struct ap_obj, node),			\
	.automatic_shrinking = true,					\
}

static const struct rhashtable_params ap_inode_params = AP_OBJ_PARAMS(struct ap_inode_key);
static const struct rhashtable_params ap_ep_params = AP_OBJ_PARAMS(struct ap_ep_key);
static const struct rhashtable_params ap_chan_params = AP_OBJ_PARAMS(const void *);

static struct rhashtable ap_inodes, ap_eps, ap_chans;
static struct kmem_cache *ap_obj_cache;
static struct workqueue_struct *ap_wq;

/*
 * Per CPU and table: the objects the last two lookups found.  The same
 * object is asked for again and again (a pipe's buffer on each write, read
 * and read completion; a file on each read; a destination and its wildcard
 * form on each send), and comparing a key costs a fraction of a hashed
 * lookup.  Same lifetime rules as the process hint (ap_task_hint):
 * ap_obj_unlink() marks the object dead and sweeps it from every CPU's
 * hints before it is freed after a grace period; a lookup publishes a hint
 * (also one it moves down), then re-checks the mark.  Caller holds
 * rcu_read_lock().
 */
#define AP_OBJ_HINTS 2	/* a send labels its destination and the wildcard form */
static DEFINE_PER_CPU(struct ap_obj *, ap_obj_hint[__AP_OBJ_MAX][AP_OBJ_HINTS]);

/* Make @o hint @i of @type on this CPU (preemption off). */
static void ap_obj_hint_set(enum ap_obj_type type, int i, struct ap_obj *o)
{
	this_cpu_write(ap_obj_hint[type][i], o);
	smp_mb();	/* publish, then read the mark: pairs with ap_obj_unlink() */
	if (READ_ONCE(o->dead))
		this_cpu_cmpxchg(ap_obj_hint[type][i], o, NULL);
}

/*
 * Per table, a counting presence filter: how many entries have a key whose
 * hash falls in each slot.  Most lookups are of objects that carry no label
 * (a labeled process reading an unlabeled file, on every read): a zero
 * slot answers them for the cost of a hash of the key's words, without a
 * hashed table walk.  An entry counts itself before it is inserted and
 * after it is removed, so a zero seen means "not there" at that moment.
 * 3 tables x 4096 counters = 48 KiB; more entries than slots only make it
 * answer "maybe" more often.
 */
#define AP_PRESENT_BITS 12
static_assert(sizeof(struct ap_inode_key) % sizeof(u64) == 0);
static_assert(sizeof(struct ap_ep_key) % sizeof(u64) == 0);
static atomic_t ap_obj_present[__AP_OBJ_MAX - AP_OBJ_INODE][1 << AP_PRESENT_BITS];

static __always_inline atomic_t *ap_obj_slot(enum ap_obj_type type, const void *key, u32 len)
{
	u64 x = 0;
	u32 i;

	for (i = 0; i < len / sizeof(u64); i++)		/* key sizes are multiples of 8 */
		x = (x ^ get_unaligned((const u64 *)key + i)) * GOLDEN_RATIO_64;
	return &ap_obj_present[type - AP_OBJ_INODE][hash_64(x, AP_PRESENT_BITS)];
}

static __always_inline struct ap_obj *ap_obj_find(struct rhashtable *ht, enum ap_obj_type type,
						  const void *key,
						  const struct rhashtable_params params)
{
	struct ap_obj *o, *prev;
	int i;

	for (i = 0; i < AP_OBJ_HINTS; i++) {
		o = this_cpu_read(ap_obj_hint[type][i]);
		if (o && !memcmp(&o->key, key, params.key_len))
			return o;
	}
	if (!atomic_read(ap_obj_slot(type, key, params.key_len)))
		return NULL;	/* no entry hashes there */
	o = rhashtable_lookup(ht, key, params);
	if (o) {
		/* the newest first; the one it displaces moves down */
		preempt_disable();
		prev = this_cpu_read(ap_obj_hint[type][0]);
		if (prev)
			ap_obj_hint_set(type, 1, prev);
		ap_obj_hint_set(type, 0, o);
		preempt_enable();
	}
	return o;
}

static __always_inline u64 ap_obj_labels(struct rhashtable *ht, enum ap_obj_type type,
					 const void *key, const struct rhashtable_params params)
{
	bool rcu;
	struct ap_obj *o;
	u64 l = 0;

	if (!ap_mem_count_of(type))
		return 0;
	rcu = ap_rcu_lock();
	o = ap_obj_find(ht, type, key, params);
	if (o)
		l = atomic64_read(&o->labels);
	ap_rcu_unlock(rcu);
	return l;
}

static void ap_obj_record(enum ap_obj_type type, struct ap_obj *o, u64 grew,
			  const struct ap_from *f);

/*
 * Add @labels to @o, found in its table; *@added: the new bits.  Return:
 * true if @o left the table meanwhile and the labels must go into a new
 * entry.  A sweep or a clear (ap_obj_drop()) may empty and unlink an
 * object while a flow adds to it: the OR is fully ordered and the drop
 * marks the object dead before it reads its labels again, so either we
 * see the mark or it sees our labels.
 */
static __always_inline bool ap_obj_or(struct ap_obj *o, u64 labels, u64 *added)
{
	*added = ap_labels_or(&o->labels, labels);
	return *added && READ_ONCE(o->dead);
}

/*
 * Add @labels to the object at @key; *@grew (if not NULL): the new bits,
 * recorded as coming from @f.
 */
static __always_inline int ap_obj_absorb(struct rhashtable *ht, enum ap_obj_type type,
					 const void *key, u64 labels,
					 const struct rhashtable_params params, u64 *grew,
					 const struct ap_from *f)
{
	struct ap_obj *o, *old;
	u64 added = labels;
	int tries = 0;
	atomic_t *slot;
	u16 acct;

	if (grew)
		*grew = 0;
	if (!labels)
		return 0;
	rcu_read_lock();
	o = ap_mem_count_of(type) ? ap_obj_find(ht, type, key, params) : NULL;
	if (o && !ap_obj_or(o, labels, &added))
		goto done;
retry:
	labels &= ~ap_labels_retiring_mask();	/* see ap_labels_or() */
	if (!labels) {
		rcu_read_unlock();
		return 0;
	}
	acct = ap_session_acct();
	if (!ap_charge_to(type, sizeof(*o), acct))
		goto untrackable;
	o = kmem_cache_zalloc(ap_obj_cache, GFP_NOWAIT | __GFP_NOWARN);
	if (!o) {
		ap_uncharge_from(type, sizeof(*o), acct);
		goto untrackable;
	}
	o->acct = acct;
	memcpy(&o->key, key, params.key_len);
	atomic64_set(&o->labels, labels);
	ap_obj_record(type, o, labels, f);	/* before anyone can see it */
	slot = ap_obj_slot(type, key, params.key_len);
	atomic_inc(slot);
	smp_mb__after_atomic();		/* counted before it can be found */
	old = rhashtable_lookup_get_insert_fast(ht, &o->node, params);
	if (!old) {
		ap_flow_changed();
		ap_stats_inc(ACTPLANE_CTR_PROPAGATIONS);
		if (grew)
			*grew = labels;	/* recorded above */
		rcu_read_unlock();
		return 0;
	}
	atomic_dec(slot);
	ap_prov_put(o->prov);	/* never seen: no grace period needed */
	kmem_cache_free(ap_obj_cache, o);
	ap_uncharge_from(type, sizeof(*o), acct);
	if (IS_ERR(old))
		goto untrackable;
	o = old;			/* lost a race: use the winner */
	if (ap_obj_or(o, labels, &added)) {
		if (++tries < 3)
			goto retry;
		goto untrackable;	/* swept away three times in a row */
	}
done:
	if (grew)
		*grew = added;
	if (added)
		ap_obj_record(type, o, added, f);
	rcu_read_unlock();
	return 0;
untrackable:
	rcu_read_unlock();
	return ap_untrackable();
}

static void ap_obj_free_rcu(struct rcu_head *head)
{
	struct ap_obj *o = container_of(head, struct ap_obj, rcu);

	ap_prov_put(o->prov);
	kmem_cache_free(ap_obj_cache, o);
}

/* Remove @o from its table; false if somebody else did first. */
static bool ap_obj_unlink(struct rhashtable *ht, enum ap_obj_type type, struct ap_obj *o,
			  const struct rhashtable_params params)
{
	int cpu, i;

	if (!rhashtable_remove_fast(ht, &o->node, params)) {
		atomic_dec(ap_obj_slot(type, &o->key, params.key_len));
		WRITE_ONCE(o->dead, true);
		smp_mb();	/* mark, then sweep: pairs with ap_obj_find() */
		for_each_possible_cpu(cpu) {
			for (i = 0; i < AP_OBJ_HINTS; i++)
				cmpxchg(per_cpu_ptr(&ap_obj_hint[type][i], cpu), o, NULL);
		}
		ap_uncharge_from(type, sizeof(*o), o->acct);
		call_rcu(&o->rcu, ap_obj_free_rcu);
		return true;
	}
	return false;
}

/*
 * Clear @mask from @o; an entry left with none goes.  A flow adding to it
 * meanwhile either sees it dead and makes a new entry (ap_obj_or()), or
 * its labels are seen here, after the mark, and put into one.  Caller in
 * RCU.
 */
static __always_inline void ap_obj_drop(struct rhashtable *ht, enum ap_obj_type type,
					struct ap_obj *o, u64 mask,
					const struct rhashtable_params params)
{
	u64 left, was;

	was = atomic64_fetch_andnot(mask, &o->labels);
	if (was & mask)
		ap_flow_changed();
	if ((was & ~mask) || !ap_obj_unlink(ht, type, o, params))
		return;
	left = atomic64_read(&o->labels) & ~mask;	/* after the mark (a full barrier) */
	if (left)
		ap_obj_absorb(ht, type, &o->key, left, params, NULL, NULL);
}

/* Remove @labels (root's `label clear`); an entry left with none is freed. */
static __always_inline void ap_obj_clear(struct rhashtable *ht, enum ap_obj_type type,
					 const void *key, u64 labels,
					 const struct rhashtable_params params)
{
	struct ap_obj *o;

	if (!ap_mem_count_of(type))
		return;
	rcu_read_lock();
	o = ap_obj_find(ht, type, key, params);
	if (o)
		ap_obj_drop(ht, type, o, labels, params);
	rcu_read_unlock();
}

/* An anonymous pipe (pipe(2)): no path name reaches its inode. */
static bool ap_anon_pipe(const struct inode *inode)
{
	return S_ISFIFO(inode->i_mode) && inode->i_sb->s_magic == PIPEFS_MAGIC;
}

void ap_inode_key(const struct inode *inode, struct ap_inode_key *k)
{
	k->ino = inode->i_ino;
	k->dev = inode->i_sb->s_dev;
	k->gen = inode->i_generation;
}

/*
 * The labels of the object of @type that @same() says is @what, if one of
 * this CPU's hints is it.  A read or write asks for the same file, pipe
 * buffer or socket again and again: this answers with the object compared
 * field by field, no key built, nothing on the stack (so no stack canary)
 * and no call; the callers go to the table only when it does not.
 */
static __always_inline bool ap_obj_hinted(enum ap_obj_type type, const void *what,
					  bool (*same)(const struct ap_obj *o, const void *what),
					  u64 *labels)
{
	const struct ap_obj *o;
	bool rcu, hit = false;
	int i;

	rcu = ap_rcu_lock();
	for (i = 0; i < AP_OBJ_HINTS && !hit; i++) {
		o = this_cpu_read(ap_obj_hint[type][i]);
		hit = o && same(o, what);
		if (hit)
			*labels = atomic64_read(&o->labels);
	}
	ap_rcu_unlock(rcu);
	return hit;
}

static __always_inline bool ap_same_inode(const struct ap_obj *o, const void *what)
{
	const struct inode *inode = what;

	return o->key.inode.ino == inode->i_ino && o->key.inode.dev == inode->i_sb->s_dev &&
	       o->key.inode.gen == inode->i_generation;
}

/* An inode's labels past its hints: the table (its key on the stack). */
static noinline u64 ap_inode_labels_find(const struct inode *inode)
{
	struct ap_inode_key k;

	ap_inode_key(inode, &k);
	return ap_obj_labels(&ap_inodes, AP_OBJ_INODE, &k, ap_inode_params);
}

/* The labels of @inode, not an anonymous pipe's (ap_inode_labels()). */
static __always_inline u64 ap_inode_labels_hinted(const struct inode *inode)
{
	u64 l = 0;

	if (!ap_mem_count_of(AP_OBJ_INODE))
		return 0;
	return ap_obj_hinted(AP_OBJ_INODE, inode, ap_same_inode, &l) ? l
								      : ap_inode_labels_find(inode);
}

u64 ap_inode_labels(const struct inode *inode)
{
	if (ap_anon_pipe(inode))	/* its labels are its buffer's */
		return ap_file_labels(inode);
	return ap_inode_labels_hinted(inode);
}

int ap_inode_absorb(const struct inode *inode, u64 labels, const struct ap_from *f)
{
	struct ap_inode_key k;
	u64 grew;
	int ret;

	if (!labels)
		return 0;
	if (ap_anon_pipe(inode))	/* no name outlives it: label the buffer */
		return ap_file_absorb((struct inode *)inode, labels, f);
	ap_inode_key(inode, &k);
	ret = ap_obj_absorb(&ap_inodes, AP_OBJ_INODE, &k, labels, ap_inode_params, &grew, f);
	return ret ?: (grew ? ap_mapping_labels_grew(inode, grew) : 0);
}

void ap_inode_clear(const struct inode *inode, u64 labels)
{
	const struct pipe_inode_info *pipe;
	struct ap_inode_key k;

	if (ap_anon_pipe(inode)) {
		pipe = READ_ONCE(inode->i_pipe);
		if (pipe)
			ap_obj_clear(&ap_chans, AP_OBJ_CHAN, &pipe, labels, ap_chan_params);
		return;
	}
	ap_inode_key(inode, &k);
	ap_obj_clear(&ap_inodes, AP_OBJ_INODE, &k, labels, ap_inode_params);
}

/*
 * The in-memory inode is being destroyed.  Keep the entry if the file still
 * exists on a real filesystem (eviction from the inode cache); drop it if
 * the file was deleted or the inode was a pipe, socket or other pseudo file.
 */
void ap_inode_free(const struct inode *inode)
{
	if (!ap_mem_count_of(AP_OBJ_INODE))
		return;
	if (inode->i_nlink && !(inode->i_sb->s_flags & SB_NOUSER))
		return;
	ap_inode_clear(inode, ~0ULL);
}

u64 ap_ep_labels(const struct ap_ep_key *k)
{
	return ap_obj_labels(&ap_eps, AP_OBJ_ENDPOINT, k, ap_ep_params);
}

int ap_ep_absorb(const struct ap_ep_key *k, u64 labels, const struct ap_from *f)
{
	return ap_obj_absorb(&ap_eps, AP_OBJ_ENDPOINT, k, labels, ap_ep_params, NULL, f);
}

void ap_ep_clear(const struct ap_ep_key *k, u64 labels)
{
	ap_obj_clear(&ap_eps, AP_OBJ_ENDPOINT, k, labels, ap_ep_params);
}

/*
 * Channels: kernel objects that hold data in flight between processes,
 * keyed by address and dropped by the object's free hook: the receiving end
 * of a Unix socket, and a pipe's buffer (struct pipe_inode_info).  A pipe
 * is labeled there, not at its inode: every splice-family path sees the
 * buffer, few see the inode, and a FIFO's data goes away with the buffer.
 */
static __always_inline bool ap_same_chan(const struct ap_obj *o, const void *what)
{
	return o->key.chan == what;
}

static noinline u64 ap_chan_labels_find(const void *chan)
{
	return ap_obj_labels(&ap_chans, AP_OBJ_CHAN, &chan, ap_chan_params);
}

u64 ap_chan_labels(const void *chan)
{
	u64 l = 0;

	if (!ap_mem_count_of(AP_OBJ_CHAN))
		return 0;
	return ap_obj_hinted(AP_OBJ_CHAN, chan, ap_same_chan, &l) ? l : ap_chan_labels_find(chan);
}

int ap_chan_absorb(const void *chan, u64 labels, const struct ap_from *f)
{
	return ap_obj_absorb(&ap_chans, AP_OBJ_CHAN, &chan, labels, ap_chan_params, NULL, f);
}

void ap_chan_free(const void *chan)
{
	ap_obj_clear(&ap_chans, AP_OBJ_CHAN, &chan, ~0ULL, ap_chan_params);
}

/*
 * The data of an open file: a pipe's or FIFO's buffer (plus what was put
 * on a FIFO's inode: a file source, a label set by hand), or the inode.
 */
u64 ap_file_data_labels(const struct inode *inode)
{
	const struct pipe_inode_info *pipe;
	u64 l;

	if (!S_ISFIFO(inode->i_mode))
		return ap_inode_labels_hinted(inode);
	pipe = READ_ONCE(inode->i_pipe);	/* only a key: never dereferenced */
	l = pipe ? ap_chan_labels(pipe) : 0;
	/* an anonymous pipe's inode carries none (ap_inode_absorb()) */
	return ap_anon_pipe(inode) ? l : l | ap_inode_labels(inode);
}

/*
 * @labels flow into the data of an open file (a FIFO nobody has open holds
 * none).  The caller need not hold the FIFO open (file_open runs before
 * fifo_open, rename): i_lock keeps the buffer from being freed before its
 * entry exists (put_pipe_info clears i_pipe under it, then frees the
 * buffer, whose free hook drops the entry).
 */
int ap_file_absorb(struct inode *inode, u64 labels, const struct ap_from *f)
{
	const struct pipe_inode_info *pipe;
	int ret = 0;

	if (!S_ISFIFO(inode->i_mode))
		return ap_inode_absorb(inode, labels, f);
	spin_lock(&inode->i_lock);
	pipe = inode->i_pipe;
	if (pipe)
		ret = ap_chan_absorb(pipe, labels, f);
	spin_unlock(&inode->i_lock);
	return ret;
}

/*
 * The same, for an open file the caller holds: a FIFO's buffer cannot be
 * freed while it is open, so no lock is needed (the hot path of every
 * pipe write).
 */
int ap_open_file_absorb(const struct file *file, u64 labels, const struct ap_from *f)
{
	const struct inode *inode = file_inode(file);
	const struct pipe_inode_info *pipe;

	if (!S_ISFIFO(inode->i_mode))
		return ap_inode_absorb(inode, labels, f);
	pipe = READ_ONCE(inode->i_pipe);
	return pipe ? ap_chan_absorb(pipe, labels, f) : 0;
}

/*
 * A filesystem instance went away: its device number may be reused, so
 * drop every file entry on it.  Runs from a work item (walks the table).
 */
struct ap_purge_work {
	struct work_struct work;
	dev_t dev;
};

static void ap_purge_dev_fn(struct work_struct *w)
{
	struct ap_purge_work *pw = container_of(w, struct ap_purge_work, work);
	struct rhashtable_iter iter;
	struct ap_obj *o;

	rhashtable_walk_enter(&ap_inodes, &iter);
	rhashtable_walk_start(&iter);
	while ((o = rhashtable_walk_next(&iter))) {
		if (IS_ERR(o))
			continue;	/* -EAGAIN: table resized, keep walking */
		if (o->key.inode.dev == pw->dev)
			ap_obj_unlink(&ap_inodes, AP_OBJ_INODE, o, ap_inode_params);
	}
	rhashtable_walk_stop(&iter);
	rhashtable_walk_exit(&iter);
	/* the device number may name another filesystem next: no memo of its files holds */
	ap_flow_changed();
	kfree(pw);
}

void ap_sb_free(const struct super_block *sb)
{
	struct ap_purge_work *pw;

	if (!ap_mem_count_of(AP_OBJ_INODE))
		return;
	pw = kmalloc(sizeof(*pw), GFP_ATOMIC | __GFP_NOWARN);
	if (!pw)
		return;
	INIT_WORK(&pw->work, ap_purge_dev_fn);
	pw->dev = sb->s_dev;
	queue_work(ap_wq, &pw->work);
}

/*
 * Sweeps of a session's private labels (ap_store_forget()) against the
 * module's unload: the tables are walked only while they exist.
 */
static DEFINE_MUTEX(ap_forget_lock);
static bool ap_store_live;

/* A sweep: @o loses @mask, if it has any of it (ap_obj_drop()). */
static __always_inline void ap_obj_forget(struct rhashtable *ht, enum ap_obj_type type,
					  struct ap_obj *o, u64 mask,
					  const struct rhashtable_params params)
{
	if (atomic64_read(&o->labels) & mask)
		ap_obj_drop(ht, type, o, mask, params);
}

/*
 * Clear @mask from every entry of object table @ht.  One walk inside one
 * read-side section (preemptible with Debian's RCU): a walk stopped and
 * restarted may pass over the entry after one removed meanwhile.
 */
static void ap_objs_forget(struct rhashtable *ht, enum ap_obj_type type, u64 mask,
			   const struct rhashtable_params params)
{
	struct rhashtable_iter iter;
	struct ap_obj *o;

	if (!ap_mem_count_of(type))
		return;
	rhashtable_walk_enter(ht, &iter);
	rhashtable_walk_start(&iter);
	while ((o = rhashtable_walk_next(&iter))) {
		if (IS_ERR(o))
			continue;	/* -EAGAIN: table resized, keep walking */
		ap_obj_forget(ht, type, o, mask, params);
	}
	rhashtable_walk_stop(&iter);
	rhashtable_walk_exit(&iter);
}

/* Clear @mask from every tracked process: its labels, immunity and arrivals. */
static void ap_procs_forget(u64 mask)
{
	struct rhashtable_iter iter;
	unsigned long flags;
	struct ap_task *e;

	rhashtable_walk_enter(&ap_tasks, &iter);
	rhashtable_walk_start(&iter);
	while ((e = rhashtable_walk_next(&iter))) {
		struct ap_proc *p;

		if (IS_ERR(e))
			continue;
		p = e->proc;
		/* nothing adds @mask any more: what has none of it is done */
		if (!((atomic64_read(&p->labels) | atomic64_read(&p->immune) |
		       READ_ONCE(p->arriving)) & mask))
			continue;
		spin_lock_irqsave(&p->lock, flags);
		atomic64_andnot(mask, &p->labels);
		atomic64_andnot(mask, &p->immune);
		p->arriving &= ~mask;
		spin_unlock_irqrestore(&p->lock, flags);
		ap_flow_changed();
	}
	rhashtable_walk_stop(&iter);
	rhashtable_walk_exit(&iter);
}

/**
 * ap_store_forget() - no process, file, endpoint or channel carries @mask
 * @mask: label bits no flow adds any more (ap_labels_release())
 *
 * Process context, sleeps; walks every table once.  A file left without
 * labels loses its entry (and its owner's label memory).
 */
void ap_store_forget(u64 mask)
{
	mutex_lock(&ap_forget_lock);
	if (ap_store_live) {
		ap_procs_forget(mask);
		ap_objs_forget(&ap_inodes, AP_OBJ_INODE, mask, ap_inode_params);
		ap_objs_forget(&ap_eps, AP_OBJ_ENDPOINT, mask, ap_ep_params);
		ap_objs_forget(&ap_chans, AP_OBJ_CHAN, mask, ap_chan_params);
	}
	mutex_unlock(&ap_forget_lock);
}

/* ---- provenance ---------------------------------------------------------------- */

/* The records of the object a flow comes from; NULL if none.  RCU. */
static struct ap_prov *ap_src_prov(const struct ap_from *f, u64 labels)
{
	const struct inode *inode;
	struct ap_inode_key k;
	struct ap_proc *p;
	struct ap_obj *o = NULL;
	const void *chan;

	switch (f->src) {
	case AP_SRC_TASK:
		p = ap_proc_of(f->ptr);
		return p ? READ_ONCE(p->prov) : NULL;
	case AP_SRC_FILE:
		inode = f->ptr;
		if (S_ISFIFO(inode->i_mode)) {
			chan = READ_ONCE(inode->i_pipe);
			o = chan ? ap_obj_find(&ap_chans, AP_OBJ_CHAN, &chan, ap_chan_params) : NULL;
			if ((o && (atomic64_read(&o->labels) & labels)) || ap_anon_pipe(inode))
				break;
		}
		ap_inode_key(inode, &k);
		o = ap_obj_find(&ap_inodes, AP_OBJ_INODE, &k, ap_inode_params);
		break;
	case AP_SRC_CHAN:
		o = ap_obj_find(&ap_chans, AP_OBJ_CHAN, &f->ptr, ap_chan_params);
		break;
	case AP_SRC_EP:
		o = ap_obj_find(&ap_eps, AP_OBJ_ENDPOINT, f->ptr, ap_ep_params);
		break;
	case AP_SRC_SOCK:
		return (struct ap_prov *)ap_sock_prov(f->ptr, labels);
	}
	return o ? READ_ONCE(o->prov) : NULL;
}

/* The records of an endpoint, of a channel (RCU). */
const struct ap_prov *ap_ep_prov(const struct ap_ep_key *k)
{
	struct ap_obj *o = ap_obj_find(&ap_eps, AP_OBJ_ENDPOINT, k, ap_ep_params);

	return o ? READ_ONCE(o->prov) : NULL;
}

const struct ap_prov *ap_chan_prov(const void *chan)
{
	struct ap_obj *o = ap_obj_find(&ap_chans, AP_OBJ_CHAN, &chan, ap_chan_params);

	return o ? READ_ONCE(o->prov) : NULL;
}

/*
 * The entry points of the hooks (actplane.h).  Each first asks whether
 * anything would be new, with no flow description built: that is what
 * every steady-state read and write pays.  Only then does a noinline slow
 * path describe the flow (its struct ap_from on its own stack: prov.h).
 */
noinline int ap_task_take_new(const struct task_struct *t, u64 labels, u8 op, u8 src,
			      const void *ptr, bool done)
{
	const struct ap_from f = { .op = op, .src = src, .ptr = ptr };

	return ap_task_absorb_as(t, labels, !done, &f);
}

int ap_task_take(const struct task_struct *t, u64 labels, u8 op, u8 src, const void *ptr,
		 bool done)
{
	return ap_task_covers(t, labels) ? 0 : ap_task_take_new(t, labels, op, src, ptr, done);
}

/* What a write into @inode's data adds to: a FIFO's or pipe's buffer, or the inode. */
static __always_inline u64 ap_data_labels(const struct inode *inode)
{
	const struct pipe_inode_info *pipe;

	if (!S_ISFIFO(inode->i_mode))
		return ap_inode_labels_hinted(inode);
	pipe = READ_ONCE(inode->i_pipe);
	return pipe ? ap_chan_labels(pipe) : 0;
}

static noinline int ap_file_write_slow(struct inode *inode, const struct file *file, u64 labels,
				       u8 op, const struct path *path)
{
	const struct ap_from f = { .op = op, .src = AP_SRC_TASK, .ptr = current,
				   .obj = ACTPLANE_PROV_PIPE, .path = path };

	return file ? ap_open_file_absorb(file, labels, &f) : ap_file_absorb(inode, labels, &f);
}

/* The current process writes @labels into @inode, reached by @path (by @op: write, map). */
int ap_file_write(struct inode *inode, u64 labels, u8 op, const struct path *path)
{
	if ((ap_data_labels(inode) & labels) == labels)
		return 0;
	return ap_file_write_slow(inode, NULL, labels, op, path);
}

DEFINE_PER_CPU(struct ap_flow_memos, ap_flow_memos);

/*
 * The flow @dir between the current process and @inode changed nothing at
 * @epoch: filed under the process the hint names now.  If that is not the
 * one whose labels the caller read (it had none then, and got its first
 * since), making it bumped the epoch past @epoch (ap_proc_create()).
 */
static void ap_flow_remember(int dir, const struct inode *inode, unsigned long epoch)
{
	struct ap_flow_memo *m;
	u64 id;

	id = ap_memo_begin();
	if (id && in_task()) {
		m = this_cpu_ptr(&ap_flow_memos.flow[dir]);
		m->proc = id;
		m->ino = inode->i_ino;
		m->gen = inode->i_generation;
		m->dev = inode->i_sb->s_dev;
		m->pipe = ap_flow_pipe(inode);
		m->epoch = epoch;
	}
	ap_memo_end();
}

void ap_ep_remember(const struct ap_ep_key *k, unsigned long epoch)
{
	struct ap_flow_memos *m;
	u64 id;

	id = ap_memo_begin();
	if (id && in_task()) {
		m = this_cpu_ptr(&ap_flow_memos);
		m->ep_proc = id;
		m->ep = *k;
		m->ep_epoch = epoch;
	}
	ap_memo_end();
}

/* ap_file_flow_in() (hooks_fs.c) past the memo. */
noinline int ap_file_flow_in_slow(const struct inode *inode, bool done)
{
	unsigned long epoch = ap_flow_epoch_now();
	u64 l = ap_file_data_labels(inode);

	if (l && !ap_task_covers(current, l))
		return ap_task_take_new(current, l, ACTPLANE_PROV_READ, AP_SRC_FILE, inode, done);
	ap_flow_remember(AP_FLOW_IN, inode, epoch);
	return 0;
}

/*
 * ap_file_flow_out() (hooks_fs.c) past the memo: the current process writes
 * into an open file it holds (no lock for a FIFO: ap_open_file_absorb()).
 */
noinline int ap_file_flow_out_slow(const struct file *file)
{
	unsigned long epoch = ap_flow_epoch_now();
	u64 l = ap_task_labels(current);

	if (l && (ap_data_labels(file_inode(file)) & l) != l)
		return ap_file_write_slow(NULL, file, l, ACTPLANE_PROV_WRITE, &file->f_path);
	ap_flow_remember(AP_FLOW_OUT, file_inode(file), epoch);
	return 0;
}

static noinline int ap_chan_write_slow(const void *chan, u64 labels, u8 obj)
{
	const struct ap_from f = { .op = ACTPLANE_PROV_WRITE, .src = AP_SRC_TASK, .ptr = current,
				   .obj = obj };

	return ap_chan_absorb(chan, labels, &f);
}

int ap_chan_write(const void *chan, u64 labels, u8 obj)
{
	if ((ap_chan_labels(chan) & labels) == labels)
		return 0;
	return ap_chan_write_slow(chan, labels, obj);
}

static noinline int ap_ep_write_slow(const struct ap_ep_key *k, u64 labels)
{
	const struct ap_from f = { .op = ACTPLANE_PROV_WRITE, .src = AP_SRC_TASK, .ptr = current };

	return ap_ep_absorb(k, labels, &f);
}

int ap_ep_write(const struct ap_ep_key *k, u64 labels)
{
	if ((ap_ep_labels(k) & labels) == labels)
		return 0;
	return ap_ep_write_slow(k, labels);
}

/*
 * Record that @grew arrived at the object whose records are at *@head, an
 * @obj named @name, through the flow @f.  Labels a policy's sources
 * introduce get one record each, naming its source.
 */
static void ap_prov_record(struct ap_prov **head, u64 grew, const struct ap_from *f, u8 obj,
			   const char *name)
{
	struct ap_prov *n;
	char rule[160];
	u32 bit;

	if (!grew || !f || !ap_prov_enabled())
		return;
	rcu_read_lock();
	if (f->src == AP_SRC_RULES) {
		const struct ap_polset *set = f->ptr;

		for (bit = 0; bit < ACTPLANE_MAX_LABELS; bit++) {
			if (!(grew & BIT_ULL(bit)))
				continue;
			ap_source_text(set->pols, set->n, bit, rule, sizeof(rule));
			n = ap_prov_new(BIT_ULL(bit), ACTPLANE_PROV_SOURCE, obj, name, rule, NULL);
			if (n)
				ap_prov_push(head, n);
		}
	} else {
		/* a fork's source is the parent: current */
		const struct ap_from parent = { .op = ACTPLANE_PROV_FORK, .src = AP_SRC_TASK,
						.ptr = current };

		if (f->op == ACTPLANE_PROV_FORK)
			f = &parent;
		n = ap_prov_new(grew, f->op, obj, name,
				f->op == ACTPLANE_PROV_SOURCE ? "endorse (a trusted program's exec)" : NULL,
				f->src ? ap_prov_get(ap_src_prov(f, grew)) : NULL);
		if (n)
			ap_prov_push(head, n);
	}
	rcu_read_unlock();
}

/* Name a labeled object: a file by its path if the flow has it. */
static void ap_obj_record(enum ap_obj_type type, struct ap_obj *o, u64 grew,
			  const struct ap_from *f)
{
	char name[64], *buf = NULL;
	const char *nm = name;
	u8 obj;

	if (!f || !ap_prov_enabled())
		return;
	name[0] = '\0';
	if (f->path) {
		buf = kmalloc(PATH_MAX, GFP_NOWAIT | __GFP_NOWARN);
		nm = buf ? d_path(f->path, buf, PATH_MAX) : ERR_PTR(-ENOMEM);
		if (IS_ERR(nm))
			nm = name;
	}
	switch (type) {
	case AP_OBJ_INODE:
		obj = ACTPLANE_PROV_FILE;
		if (nm == name)
			snprintf(name, sizeof(name), "inode %llu on %u:%u", o->key.inode.ino,
				 MAJOR(o->key.inode.dev), MINOR(o->key.inode.dev));
		break;
	case AP_OBJ_ENDPOINT:
		obj = ACTPLANE_PROV_ENDPOINT;
		if (o->key.ep.family == AF_INET)
			snprintf(name, sizeof(name), "%pI4:%u", o->key.ep.addr, ntohs(o->key.ep.port));
		else
			snprintf(name, sizeof(name), "[%pI6c]:%u", o->key.ep.addr,
				 ntohs(o->key.ep.port));
		nm = name;
		break;
	default:
		obj = f->obj ?: ACTPLANE_PROV_PIPE;
		break;
	}
	ap_prov_record(&o->prov, grew, f, obj, nm);
	kfree(buf);
}

const struct ap_prov *ap_task_prov(const struct task_struct *t)
{
	struct ap_proc *p = ap_proc_of(t);

	return p ? READ_ONCE(p->prov) : NULL;
}

/* The records of a file's data (a FIFO's buffer, then its inode).  RCU. */
const struct ap_prov *ap_inode_prov(const struct inode *inode)
{
	struct ap_from f = { .src = AP_SRC_FILE, .ptr = inode };

	if (!ap_mem_count_of(AP_OBJ_INODE) && !ap_mem_count_of(AP_OBJ_CHAN))
		return NULL;
	return ap_src_prov(&f, ~0ULL);
}

/* ---- init/exit -------------------------------------------------------------- */

static void ap_task_free_fn(void *ptr, void *arg)
{
	struct ap_task *e = ptr;

	ap_proc_put(e->proc);
	ap_uncharge(AP_OBJ_TASK, sizeof(*e));
	kfree(e);
}

static void ap_obj_free_fn(void *ptr, void *arg)
{
	struct ap_obj *o = ptr;

	ap_uncharge_from((enum ap_obj_type)(unsigned long)arg, sizeof(*o), o->acct);
	ap_prov_put(o->prov);
	kmem_cache_free(ap_obj_cache, o);
}

int ap_store_init(void)
{
	int ret;

	ap_obj_cache = KMEM_CACHE(ap_obj, 0);
	if (!ap_obj_cache)
		return -ENOMEM;
	ap_wq = alloc_workqueue("actplane", WQ_UNBOUND, 0);
	if (!ap_wq) {
		ret = -ENOMEM;
		goto err_cache;
	}
	ret = rhashtable_init(&ap_tasks, &ap_task_params);
	if (ret)
		goto err_wq;
	ret = rhashtable_init(&ap_inodes, &ap_inode_params);
	if (ret)
		goto err_tasks;
	ret = rhashtable_init(&ap_eps, &ap_ep_params);
	if (ret)
		goto err_inodes;
	ret = rhashtable_init(&ap_chans, &ap_chan_params);
	if (ret)
		goto err_eps;
	ap_store_live = true;
	return 0;
err_eps:
	rhashtable_destroy(&ap_eps);
err_inodes:
	rhashtable_destroy(&ap_inodes);
err_tasks:
	rhashtable_destroy(&ap_tasks);
err_wq:
	destroy_workqueue(ap_wq);
err_cache:
	kmem_cache_destroy(ap_obj_cache);
	return ret;
}

/* Module exit: no hook can run any more (nothing holds the module). */
void ap_store_exit(void)
{
	int cpu, type, i;

	mutex_lock(&ap_forget_lock);	/* a session's sweep may be running */
	ap_store_live = false;
	mutex_unlock(&ap_forget_lock);
	destroy_workqueue(ap_wq);	/* runs pending purges first */
	for_each_possible_cpu(cpu) {
		per_cpu(ap_task_hint, cpu) = NULL;
		/* element by element: the array as a whole is in the percpu
		 * address space, which memset() may not be handed (7.x) */
		for (type = 0; type < __AP_OBJ_MAX; type++)
			for (i = 0; i < AP_OBJ_HINTS; i++)
				per_cpu(ap_obj_hint[type][i], cpu) = NULL;
	}
	rhashtable_free_and_destroy(&ap_tasks, ap_task_free_fn, NULL);
	rhashtable_free_and_destroy(&ap_inodes, ap_obj_free_fn, (void *)AP_OBJ_INODE);
	rhashtable_free_and_destroy(&ap_eps, ap_obj_free_fn, (void *)AP_OBJ_ENDPOINT);
	rhashtable_free_and_destroy(&ap_chans, ap_obj_free_fn, (void *)AP_OBJ_CHAN);
	rcu_barrier();		/* pending call_rcu/kfree_rcu frees */
	kmem_cache_destroy(ap_obj_cache);
}
