// SPDX-License-Identifier: GPL-2.0-only
/*
 * Counters.  Hot paths only ever increment their own CPU's copy; readers
 * (STATUS) sum over all CPUs, so counting takes no lock and no atomic.
 */
#include <linux/percpu.h>
#include <linux/cpumask.h>
#include "stats.h"

DEFINE_PER_CPU(struct ap_stats, ap_stats);

#define AP_HOOK_NAME(NAME, ret, name, params, call, flags, attach, fm) \
	[ACTPLANE_HOOK_##NAME] = #name,
const char *const actplane_hook_names[__ACTPLANE_HOOK_MAX] = { AP_HOOKS(AP_HOOK_NAME) };

u64 ap_stats_hook_hits(enum actplane_hook hook)
{
	u64 sum = 0;
	int cpu;

	for_each_possible_cpu(cpu)
		sum += per_cpu_ptr(&ap_stats, cpu)->hook_hits[hook];
	return sum;
}

void ap_stats_inc(enum actplane_counter ctr)
{
	if (ctr < __ACTPLANE_CTR_MAX)
		this_cpu_inc(ap_stats.ctr[ctr]);
}

u64 ap_stats_read(enum actplane_counter ctr)
{
	u64 sum = 0;
	int cpu;

	for_each_possible_cpu(cpu)
		sum += per_cpu_ptr(&ap_stats, cpu)->ctr[ctr];
	return sum;
}
