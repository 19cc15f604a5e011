/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * A process's label state, found from any of its threads (store.c).  The
 * lookup is inline for the case hooks hit nearly always: the process the
 * CPU asked about last.  Only the module's kernel files include this (the
 * host tests' kernel shim has no task_struct).
 */
#ifndef ACTPLANE_TASK_H
#define ACTPLANE_TASK_H

#include <linux/percpu.h>
#include <linux/rhashtable-types.h>
#include <linux/sched.h>
#include "actplane.h"

/* One thread in the table: a thread group's leader, or a thread that exec'd. */
struct ap_task {
	struct rhash_head node;
	const struct task_struct *task;		/* key */
	struct ap_proc *proc;
	bool dead;				/* removed from the table */
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

#endif
