/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The propagation rules the hook files share (docs/architecture.md,
 * "Propagation"): reading makes the process absorb the object's labels,
 * writing makes the object absorb the process's.  Return values are hook
 * verdicts: 0, or the fail mode's verdict when a flow could not be recorded
 * (ap_untrackable()).
 */
#ifndef ACTPLANE_PROPAGATE_H
#define ACTPLANE_PROPAGATE_H

#include <linux/sched.h>
#include "actplane.h"
#include "eval.h"
#include "task.h"

/* Evaluate one event and release what it holds. */
static inline int ap_eval_once(struct ap_event *ev)
{
	int ret;

	if (!ap_policy_loaded())
		return 0;	/* the event allocated nothing yet */
	ret = ap_evaluate(ev);

	ap_event_release(ev);
	return ret;
}

/*
 * The current process reads an object carrying @obj: @src_ (enum ap_src,
 * without its AP_SRC_ prefix) @ptr, by @op_ (enum actplane_prov_op, without
 * ACTPLANE_PROV_), for provenance.  (The names are pasted, never expanded:
 * the kernel defines READ and WRITE as macros.)
 */
#define ap_flow_in(obj, op_, src_, ptr) ({					\
	u64 __l = (obj);							\
	__l && !ap_task_covers(current, __l) ?					\
		ap_task_take_new(current, __l, ACTPLANE_PROV_##op_, AP_SRC_##src_, (ptr), false) : 0; \
})

/* The same, after the fact (a tracing program): it cannot be refused. */
#define ap_flow_in_done(obj, op_, src_, ptr) do {				\
	u64 __l = (obj);							\
	if (__l && !ap_task_covers(current, __l))				\
		ap_task_take_new(current, __l, ACTPLANE_PROV_##op_, AP_SRC_##src_, (ptr), true); \
} while (0)

/* The current process writes into a channel (pipe, queue, key, local socket). */
#define ap_flow_to_chan(chan, obj_) ({						\
	u64 __l = ap_task_labels(current);					\
	__l ? ap_chan_write((chan), __l, ACTPLANE_PROV_##obj_) : 0;		\
})

/* hooks_net.c: the current process takes in what @sock receives. */
struct socket;
int ap_sock_flow_in(struct socket *sock, bool done);

#endif
