/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The per-CPU counters' layout, for code that counts on every hook call
 * (kfuncs.c): the count is one inline per-CPU increment.
 */
#ifndef AP_STATS_H
#define AP_STATS_H

#include <linux/percpu.h>
#include "actplane.h"

struct ap_stats {
	u64 hook_hits[__ACTPLANE_HOOK_MAX];
	u64 ctr[__ACTPLANE_CTR_MAX];
};

DECLARE_PER_CPU(struct ap_stats, ap_stats);

static __always_inline void ap_stats_hook_hit(enum actplane_hook hook)
{
	this_cpu_inc(ap_stats.hook_hits[hook]);
}

#endif
