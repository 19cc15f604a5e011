// SPDX-License-Identifier: GPL-2.0-only
/*
 * Sessions: the process tree started by one `actplane run` (or seeded over
 * netlink).  A session id is stored in each member's process state and
 * inherited at fork; the session lives while it has members.  Policy gates
 * are kept per session.
 */
#include <linux/idr.h>
#include <linux/rcupdate.h>
#include <linux/slab.h>
#include <linux/spinlock.h>
#include "actplane.h"

struct ap_session {
	u32 id;
	pid_t root;
	atomic_t procs;
	/* `after` gates: armed by their program, made stale by `since` events */
	DECLARE_BITMAP(gates, 256);
	/* per gate: how many times a `since` event made it stale (wraps) */
	u16 stale_epoch[256];
	struct rcu_head rcu;
};

static DEFINE_IDR(ap_sessions);
static DEFINE_SPINLOCK(ap_sessions_lock);

/*
 * A new, empty session rooted at @root.  Returns its id (> 0) or -errno.
 * @gfp: GFP_KERNEL from netlink; GFP_NOWAIT from a hook (inside RCU).
 */
int ap_session_create(pid_t root, gfp_t gfp)
{
	struct ap_session *s = kzalloc(sizeof(*s), gfp | __GFP_NOWARN);
	bool can_sleep = gfpflags_allow_blocking(gfp);
	unsigned long flags;
	int id;

	if (!s)
		return -ENOMEM;
	s->root = root;
	if (can_sleep)
		idr_preload(gfp);
	spin_lock_irqsave(&ap_sessions_lock, flags);
	id = idr_alloc_cyclic(&ap_sessions, s, 1, INT_MAX, GFP_NOWAIT | __GFP_NOWARN);
	if (id > 0)
		s->id = id;
	spin_unlock_irqrestore(&ap_sessions_lock, flags);
	if (can_sleep)
		idr_preload_end();
	if (id < 0)
		kfree(s);
	return id;
}

void ap_session_get(u32 id)
{
	struct ap_session *s;

	rcu_read_lock();
	s = idr_find(&ap_sessions, id);
	if (s)
		atomic_inc(&s->procs);
	rcu_read_unlock();
}

void ap_session_put(u32 id)
{
	struct ap_session *s;
	unsigned long flags;

	rcu_read_lock();
	s = idr_find(&ap_sessions, id);
	if (s && atomic_dec_and_test(&s->procs)) {
		spin_lock_irqsave(&ap_sessions_lock, flags);
		idr_remove(&ap_sessions, id);
		spin_unlock_irqrestore(&ap_sessions_lock, flags);
		kfree_rcu(s, rcu);
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
	if (s && !atomic_read(&s->procs))
		idr_remove(&ap_sessions, id);
	else
		s = NULL;
	spin_unlock_irqrestore(&ap_sessions_lock, flags);
	if (s)
		kfree_rcu(s, rcu);
}

bool ap_session_gate(u32 id, u32 gate)
{
	struct ap_session *s;
	bool armed = false;

	if (gate >= 256)
		return false;
	rcu_read_lock();
	s = idr_find(&ap_sessions, id);
	if (s)
		armed = test_bit(gate, s->gates);
	rcu_read_unlock();
	return armed;
}

/* After an event happened in session @id: invalidate, then arm. */
void ap_session_gates_update(u32 id, const unsigned long *arm, const unsigned long *stale, u32 n)
{
	struct ap_session *s;
	u32 g;

	rcu_read_lock();
	s = idr_find(&ap_sessions, id);
	if (s) {
		for_each_set_bit(g, stale, n) {
			clear_bit(g, s->gates);
			WRITE_ONCE(s->stale_epoch[g], s->stale_epoch[g] + 1);
		}
		for_each_set_bit(g, arm, n)
			set_bit(g, s->gates);
	}
	rcu_read_unlock();
}

/* How often @gate went stale in session @id so far (0 if there is none). */
u16 ap_session_gate_epoch(u32 id, u32 gate)
{
	struct ap_session *s;
	u16 ep = 0;

	if (gate >= 256)
		return 0;
	rcu_read_lock();
	s = idr_find(&ap_sessions, id);
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

	if (gate >= 256)
		return;
	rcu_read_lock();
	s = idr_find(&ap_sessions, id);
	if (s && READ_ONCE(s->stale_epoch[gate]) == epoch)
		set_bit(gate, s->gates);
	rcu_read_unlock();
}

/*
 * The live session with the smallest id >= *@id, for a dump's cursor: fills
 * the record and sets *@id to its id.  False when there is none.  Sessions
 * created or ended while a dump walks the IDR may or may not be seen; none
 * is seen twice (ids are handed out cyclically and the cursor only grows).
 */
bool ap_session_next(u32 *id, pid_t *root, u32 *procs)
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
		*root = s->root;
		*procs = atomic_read(&s->procs);
		found = true;
	}
	rcu_read_unlock();
	return found;
}

void ap_session_exit(void)
{
	struct ap_session *s;
	int id;

	idr_for_each_entry(&ap_sessions, s, id)
		kfree(s);
	idr_destroy(&ap_sessions);
}
