/* SPDX-License-Identifier: GPL-2.0-only */
/* Host shim: the workqueue types kmod/policy.h embeds (never queued on the host). */
#ifndef KSHIM_LINUX_WORKQUEUE_H
#define KSHIM_LINUX_WORKQUEUE_H

struct work_struct {
	void *func;
};

struct rcu_work {
	struct work_struct work;
};

#endif
