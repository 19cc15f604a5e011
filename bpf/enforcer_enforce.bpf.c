// SPDX-License-Identifier: GPL-2.0-only
/*
 * The default enforcer: apply exactly the effect the policy asks for.
 * (The module does the same when no enforcer is attached.)
 */
#include "actplane.bpf.h"

char LICENSE[] SEC("license") = "GPL";

SEC("struct_ops/decide")
u32 BPF_PROG(enforce_decide, const struct actplane_decision *d)
{
	return d->proposed;
}

SEC(".struct_ops.link")
struct actplane_ops enforce = {
	.decide = (void *)enforce_decide,
	.name = "enforce",
};
