// SPDX-License-Identifier: GPL-2.0-only
/* A misbehaving enforcer for the fallback test: answers a non-effect. */
#include "actplane.bpf.h"

char LICENSE[] SEC("license") = "GPL";

SEC("struct_ops/decide")
u32 BPF_PROG(bad_decide, const struct actplane_decision *d)
{
	return 42;
}

SEC(".struct_ops.link")
struct actplane_ops bad = {
	.decide = (void *)bad_decide,
	.name = "bad",
};
