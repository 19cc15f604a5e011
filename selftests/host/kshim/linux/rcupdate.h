/* SPDX-License-Identifier: GPL-2.0-only */
/* kernel shim: struct rcu_head (a member of struct ap_policy), RCU pointer reads, read sections */
#ifndef KSHIM_RCUPDATE_H
#define KSHIM_RCUPDATE_H
#include "../kshim.h"

struct rcu_head {
	struct rcu_head *next;
	void (*func)(struct rcu_head *head);
};

#define __rcu
#define rcu_access_pointer(p) (p)
#define rcu_dereference(p) (p)
/* single-threaded host tests: a read-side section protects nothing */
static inline int rcu_preempt_depth(void) { return 0; }
static inline void rcu_read_lock(void) { }
static inline void rcu_read_unlock(void) { }
#endif
