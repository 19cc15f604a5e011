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
 * Propagate only on change.  A process that reads (or writes) the same
 * file or pipe again and again asks the same question each time: does the
 * object carry labels the process lacks (does the process carry labels
 * the object lacks)?  Once the answer was "no", it stays "no" until some
 * label state changes somewhere.  So each CPU remembers, per direction,
 * the last process and object for which the flow changed nothing, with the
 * value of ap_flow_epoch at the time; every change of any process's labels
 * or immunity (also a running process's first labels), and of any
 * object's labels (an entry made, grown, cleared or dropped), bumps the
 * epoch (store.c, ap_flow_changed()).  A child's labels at fork need no
 * bump: nothing of the child ran before, so no memo names it.  A repeated
 * no-op flow then costs a compare of the process, the object's identity
 * and the epoch, no lookup.
 *
 * The answer depends only on the process's labels and immunity and the
 * object's labels, so any thread of the process may use it: a worker
 * thread (a thread pool's, an interpreter's) as much as the leader.  The
 * process is named by its id (struct ap_proc.id), which is never reused,
 * so a memo cannot be taken for another process that got the same
 * address.  The memos are per CPU and any task may run on a CPU between
 * another's compare and its write: they are read and written with
 * preemption disabled, and written only in task context.  A thread whose
 * process the hint does not name asks with id 0: no written memo names
 * 0, and a memo never written has epoch 0, which is never current.
 *
 * The object is named by what the label store names it by: the inode's
 * identity (number, device, generation) and, for a FIFO or pipe, its
 * buffer's address.  An object at the same name with other labels got
 * them through a change, which bumped the epoch (a freed pipe buffer's
 * labels are dropped, and a new buffer starts with none).
 */
enum { AP_FLOW_IN, AP_FLOW_OUT, AP_FLOWS };

struct ap_flow_memo {
	u64 proc;		/* the process's id (struct ap_proc.id) */
	unsigned long ino;
	const void *pipe;	/* a FIFO's or pipe's buffer (never dereferenced) */
	unsigned long epoch;	/* ap_flow_epoch when the flow changed nothing; 0: none */
	dev_t dev;
	u32 gen;
};

/* A CPU's memos: the last no-op read, write and send (destination). */
struct ap_flow_memos {
	struct ap_flow_memo flow[AP_FLOWS];
	u64 ep_proc;			/* the process's id */
	struct ap_ep_key ep;		/* the last destination that had the labels already */
	unsigned long ep_epoch;		/* ap_flow_epoch then; 0: none */
};
DECLARE_PER_CPU(struct ap_flow_memos, ap_flow_memos);

/* Starts at 1 (a memo of 0 is empty); bumped by every change of label state. */
extern atomic_long_t ap_flow_epoch;

/* One thread in the table: a thread group's leader, or a thread that exec'd. */
struct ap_task {
	struct rhash_head node;
	const struct task_struct *task;		/* key */
	struct ap_proc *proc;
	u64 proc_id;				/* @proc's id, read without following @proc */
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

/*
 * The id of the current thread's process when the CPU's hint is its entry
 * (the thread's own or its leader's), else 0: the key of the CPU's memos.
 * Caller has preemption disabled (ap_memo_begin()).  Only a task writes the
 * memos (ap_flow_remember(), ap_ep_remember()), so an interrupt cannot
 * tear what a task compares.  The readers are called only from hooks that
 * run in the acting task (file_permission, pipe_read, connect, sendmsg,
 * sctp_bind_connect): in an interrupt, current is not the actor, and the
 * memo could be half written by the task it interrupted.
 */
static __always_inline u64 ap_memo_owner(void)
{
	struct ap_task *e = this_cpu_read(ap_task_hint);

	if (likely(e && (e->task == current || e->task == current->group_leader)))
		return e->proc_id;
	return 0;
}

/*
 * The frame of every memo compare and write: preemption off, for the CPU's
 * memos and for the hint's entry.  No RCU read-side section is needed for
 * the entry: since 5.0 a grace period (call_rcu(), kfree_rcu(), which free
 * it) also waits for every region with preemption disabled.  Returns
 * ap_memo_owner().
 */
static __always_inline u64 ap_memo_begin(void)
{
	preempt_disable();
	return ap_memo_owner();
}

static __always_inline void ap_memo_end(void)
{
	preempt_enable();
}

static __always_inline const void *ap_flow_pipe(const struct inode *inode)
{
	return S_ISFIFO(inode->i_mode) ? READ_ONCE(inode->i_pipe) : NULL;
}

/*
 * Did the flow @dir (AP_FLOW_IN: a read, AP_FLOW_OUT: a write) between
 * the current process and @inode change nothing last time, with no label
 * state changed since?
 */
static __always_inline bool ap_flow_unchanged(int dir, const struct inode *inode)
{
	const struct ap_flow_memo *m;
	bool hit;
	u64 id;

	id = ap_memo_begin();
	m = this_cpu_ptr(&ap_flow_memos.flow[dir]);
	hit = m->proc == id && m->epoch == atomic_long_read(&ap_flow_epoch) &&
	      m->ino == inode->i_ino && m->gen == inode->i_generation &&
	      m->dev == inode->i_sb->s_dev && m->pipe == ap_flow_pipe(inode);
	ap_memo_end();
	return hit;
}

/* The flows past the memo (store.c); they fill it when the flow changed nothing. */
int ap_file_flow_in_slow(const struct inode *inode, bool done);
int ap_file_flow_out_slow(const struct file *file);

/*
 * Did the current process's data go to endpoint @k last time with nothing
 * new to label it with (no label state changed since)?
 */
static __always_inline bool ap_ep_unchanged(const struct ap_ep_key *k)
{
	const struct ap_flow_memos *m;
	bool hit;
	u64 id;

	id = ap_memo_begin();
	m = this_cpu_ptr(&ap_flow_memos);
	hit = m->ep_proc == id && m->ep_epoch == atomic_long_read(&ap_flow_epoch) &&
	      !memcmp(&m->ep, k, sizeof(*k));
	ap_memo_end();
	return hit;
}

/* The epoch a memo is made against: read before the labels it is about. */
static __always_inline unsigned long ap_flow_epoch_now(void)
{
	return atomic_long_read_acquire(&ap_flow_epoch);
}

/* @k had the current process's labels already at @epoch (store.c). */
void ap_ep_remember(const struct ap_ep_key *k, unsigned long epoch);

#endif
