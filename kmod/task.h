/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * A process's label state, found from any of its threads (store.c).  The
 * lookup is inline for the case hooks hit nearly always: the process the
 * CPU asked about last.  Only the module's kernel files include this (the
 * host tests' kernel shim has no task_struct).
 */
#ifndef ACTPLANE_TASK_H
#define ACTPLANE_TASK_H

#include <linux/fs.h>
#include <linux/percpu.h>
#include <linux/rhashtable-types.h>
#include <linux/sched.h>
#include "actplane.h"

/*
 * Propagate only on change.  A thread that reads (or writes) the same file
 * or pipe again and again asks the same question each time: does the
 * object carry labels the process lacks (does the process carry labels
 * the object lacks)?  Once the answer was "no", it stays "no" until some
 * label state changes somewhere.  So each thread remembers, per direction,
 * the last object for which the flow changed nothing, with the value of
 * ap_flow_epoch at the time; every change of any process's labels or
 * immunity, and of any object's labels (an entry made, grown, cleared or
 * dropped), bumps the epoch (store.c, ap_flow_changed()).  A repeated
 * no-op flow then costs one compare of the object's identity and the
 * epoch, no lookup.
 *
 * The object is named by what the label store names it by: the inode's
 * identity (number, device, generation) and, for a FIFO or pipe, its
 * buffer's address.  An object at the same name with other labels got
 * them through a change, which bumped the epoch (a freed pipe buffer's
 * labels are dropped, and a new buffer starts with none).
 */
enum { AP_FLOW_IN, AP_FLOW_OUT, AP_FLOWS };

struct ap_flow_memo {
	unsigned long ino;
	const void *pipe;	/* a FIFO's or pipe's buffer (never dereferenced) */
	unsigned long epoch;	/* ap_flow_epoch when the flow changed nothing; 0: none */
	dev_t dev;
	u32 gen;
};

/* Starts at 1 (a memo of 0 is empty); bumped by every change of label state. */
extern atomic_long_t ap_flow_epoch;

/* One thread in the table: a thread group's leader, or a thread that exec'd. */
struct ap_task {
	struct rhash_head node;
	const struct task_struct *task;		/* key */
	struct ap_proc *proc;
	bool dead;				/* removed from the table */
	/* written and read only by @task itself (ap_flow_unchanged(), ap_ep_unchanged()) */
	struct ap_flow_memo memo[AP_FLOWS];
	struct ap_ep_key ep;		/* the last destination that had the labels already */
	unsigned long ep_epoch;		/* ap_flow_epoch then; 0: none */
	struct rcu_head rcu;
};

/* The entry the last lookup on each CPU found (store.c says why it is safe). */
DECLARE_PER_CPU(struct ap_task *, ap_task_hint);

struct ap_proc *ap_proc_find(const struct task_struct *t);

/**
 * ap_proc_of() - the label state of @t's process, or NULL
 * @t: any thread of the process
 *
 * Caller holds rcu_read_lock().  The result stays valid until it is dropped.
 * The hint answers for @t when its task is @t or @t's group leader: that is
 * what the table would answer (a thread's own entry, made before it exec's,
 * points to its leader's process).
 */
static __always_inline struct ap_proc *ap_proc_of(const struct task_struct *t)
{
	struct ap_task *e;

	if (!ap_tasks_tracked())
		return NULL;
	e = this_cpu_read(ap_task_hint);
	if (likely(e && (e->task == t || e->task == t->group_leader)))
		return e->proc;
	return ap_proc_find(t);
}

/* The labels @t's process carries (0 if it has no label state). */
static __always_inline u64 ap_task_labels(const struct task_struct *t)
{
	struct ap_proc *p;
	bool rcu;
	u64 l = 0;

	if (!ap_tasks_tracked())
		return 0;	/* before taking RCU: the common case off a session */
	rcu = ap_rcu_lock();
	p = ap_proc_of(t);
	if (p)
		l = atomic64_read(&p->labels);
	ap_rcu_unlock(rcu);
	return l;
}

/*
 * Does @t's process carry @labels already (or is immune to them)?  What
 * every steady-state read by a labeled process asks: answered inline from
 * the hint; the flow is recorded (ap_task_take()) only when it is not.
 */
static __always_inline bool ap_task_covers(const struct task_struct *t, u64 labels)
{
	struct ap_proc *p;
	bool rcu, covered;

	if (!ap_tasks_tracked())
		return false;
	rcu = ap_rcu_lock();
	p = ap_proc_of(t);
	covered = p && !(labels & ~atomic64_read(&p->immune) & ~atomic64_read(&p->labels));
	ap_rcu_unlock(rcu);
	return covered;
}

/*
 * The current thread's own entry, when the CPU's hint is it (caller holds
 * RCU): the only entry whose memos the current thread may read or write.
 */
static __always_inline struct ap_task *ap_task_self(void)
{
	struct ap_task *e = this_cpu_read(ap_task_hint);

	return e && e->task == current ? e : NULL;
}

static __always_inline const void *ap_flow_pipe(const struct inode *inode)
{
	return S_ISFIFO(inode->i_mode) ? READ_ONCE(inode->i_pipe) : NULL;
}

/*
 * Did the flow @dir (AP_FLOW_IN: a read, AP_FLOW_OUT: a write) between
 * the current thread and @inode change nothing last time, with no label
 * state changed since?  Only a thread with an entry of its own (a leader,
 * or one that exec'd) keeps a memo: nobody else writes it.
 */
static __always_inline bool ap_flow_unchanged(int dir, const struct inode *inode)
{
	const struct ap_flow_memo *m;
	struct ap_task *e;
	bool rcu, hit;

	rcu = ap_rcu_lock();
	e = ap_task_self();
	m = e ? &e->memo[dir] : NULL;
	hit = m && m->epoch == atomic_long_read(&ap_flow_epoch) && m->ino == inode->i_ino &&
	      m->gen == inode->i_generation && m->dev == inode->i_sb->s_dev &&
	      m->pipe == ap_flow_pipe(inode);
	ap_rcu_unlock(rcu);
	return hit;
}

/* The flows past the memo (store.c); they fill it when the flow changed nothing. */
int ap_file_flow_in_slow(const struct inode *inode, bool done);
int ap_file_flow_out_slow(const struct file *file);

/*
 * Did the current thread's data go to endpoint @k last time with nothing
 * new to label it with (no label state changed since)?
 */
static __always_inline bool ap_ep_unchanged(const struct ap_ep_key *k)
{
	struct ap_task *e;
	bool rcu, hit;

	rcu = ap_rcu_lock();
	e = ap_task_self();
	hit = e && e->ep_epoch == atomic_long_read(&ap_flow_epoch) &&
	      !memcmp(&e->ep, k, sizeof(*k));
	ap_rcu_unlock(rcu);
	return hit;
}

/* The epoch a memo is made against: read before the labels it is about. */
static __always_inline unsigned long ap_flow_epoch_now(void)
{
	return atomic_long_read_acquire(&ap_flow_epoch);
}

/* @k had the current thread's labels already at @epoch (store.c). */
void ap_ep_remember(const struct ap_ep_key *k, unsigned long epoch);

#endif
