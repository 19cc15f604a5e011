/* SPDX-License-Identifier: GPL-2.0-only */
/* kernel shim: struct rcu_head (a member of struct ap_policy), RCU pointer reads */
#ifndef KSHIM_RCUPDATE_H
#define KSHIM_RCUPDATE_H
#include "../kshim.h"

struct rcu_head {
	struct rcu_head *next;
	void (*func)(struct rcu_head *head);
};

#define __rcu
#define rcu_access_pointer(p) (p)
#endif
