// SPDX-License-Identifier: GPL-2.0-only
/*
 * A slow enforcer for the exec race test: it applies the proposed effect,
 * like "enforce", after spinning for a while.  An enforcer may take as long
 * as it likes, so everything the module does between reading a subject's
 * state and storing the new one must hold however long the decision takes;
 * this one widens that window so that concurrent label changes land in it.
 */
#include "actplane.bpf.h"

char LICENSE[] SEC("license") = "GPL";

#define SLOW_ITERATIONS	20000

static long spin(u64 i, void *ctx)
{
	(*(u64 *)ctx)++;
	return 0;
}

SEC("struct_ops/decide")
u32 BPF_PROG(slow_decide, const struct actplane_decision *d)
{
	u64 n = 0;

	bpf_loop(SLOW_ITERATIONS, spin, &n, 0);
	return d->proposed;
}

SEC(".struct_ops.link")
struct actplane_ops slow = {
	.decide = (void *)slow_decide,
	.name = "slow",
};
