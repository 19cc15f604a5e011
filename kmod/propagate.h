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
 * The current process reads an object carrying @obj; @f (evaluated only if
 * there is something to take) says what the object is, for provenance.
 */
#define ap_flow_in(obj, f) ({							\
	u64 __l = (obj);							\
	__l ? ap_task_absorb(current, __l, (f)) : 0;				\
})

/* The same, after the fact (a tracing program): it cannot be refused. */
#define ap_flow_in_done(obj, f) do {						\
	u64 __l = (obj);							\
	if (__l)								\
		ap_task_absorb_done(current, __l, (f));				\
} while (0)

/* What the current process writes: its labels, from itself, into an @obj_ object. */
#define AP_FROM_WRITER(obj_)							\
	(&(const struct ap_from){ .op = ACTPLANE_PROV_WRITE, .src = AP_SRC_TASK,	\
				  .ptr = current, .obj = ACTPLANE_PROV_##obj_ })

/* The current process writes into a channel (pipe, queue, key, local socket). */
#define ap_flow_to_chan(chan, obj_) ({						\
	u64 __l = ap_task_labels(current);					\
	__l ? ap_chan_absorb((chan), __l, AP_FROM_WRITER(obj_)) : 0;		\
})

/* hooks_net.c: the current process takes in what @sock receives. */
struct socket;
int ap_sock_flow_in(struct socket *sock, bool done);

#endif
