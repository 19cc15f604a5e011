// SPDX-License-Identifier: GPL-2.0-only
/*
 * Dry-run enforcer for policy development: every match becomes a notify.
 * Events still carry the proposed effect, so they say what would have
 * happened under "enforce".
 */
#include "actplane.bpf.h"

char LICENSE[] SEC("license") = "GPL";

SEC("struct_ops/decide")
u32 BPF_PROG(audit_decide, const struct actplane_decision *d)
{
	return d->proposed == ACTPLANE_EFFECT_NONE ? ACTPLANE_EFFECT_NONE : ACTPLANE_EFFECT_NOTIFY;
}

SEC(".struct_ops.link")
struct actplane_ops audit = {
	.decide = (void *)audit_decide,
	.name = "audit",
};
