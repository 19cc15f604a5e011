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

/* The current process reads an object carrying @obj. */
static inline int ap_flow_in(u64 obj)
{
	return obj ? ap_task_absorb(current, obj) : 0;
}

/* The same, after the fact (a tracing program): it cannot be refused. */
static inline void ap_flow_in_done(u64 obj)
{
	if (obj)
		ap_task_absorb_done(current, obj);
}

/* The current process writes into a channel (pipe, queue, key, local socket). */
static inline int ap_flow_to_chan(const void *chan)
{
	u64 l = ap_task_labels(current);

	return l ? ap_chan_absorb(chan, l) : 0;
}

/* hooks_net.c: the current process takes in what @sock receives. */
struct socket;
int ap_sock_flow_in(struct socket *sock, bool done);

#endif
