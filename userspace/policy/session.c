// SPDX-License-Identifier: GPL-2.0-only
/*
 * What a session policy may hold (actplane run as a user, `check
 * --session`): rules only, whose `if` reads the machine's labels.  The
 * module refuses the rest too, element by element; this says where in the
 * file, with a hint, before anything is sent.
 */
#include "internal.h"
#include "policy.h"

static const char ap_session_hint[] =
	"a session policy (actplane run without root) only adds rules on top of the machine's "
	"policy; its `if` reads the machine's labels.  Sources, declassify, endorse, `after` "
	"gates and lineages belong in /etc/actplane/base.yaml (root).";

/* One thing a session policy cannot have, at @loc of @p's file: an error in @d. */
static int ap_session_refuse(const struct ap_policy *p, const struct ap_loc *loc,
			     const char *what, struct ap_diag *d)
{
	diag_add_at(d, AP_SEV_ERROR, p->path, loc ? loc->line : 0, loc ? loc->col : 0,
		    ap_session_hint, "a session policy cannot have %s", what);
	return -1;
}

/*
 * Can @p be a session policy (the module refuses the rest too, by element)?
 * 0, or -1 with an error at its file:line:col, and a hint, added to @d.
 */
int ap_policy_session_check(const struct ap_policy *p, struct ap_diag *d)
{
	size_t i, j, k;

	if (p->n_sources)
		return ap_session_refuse(p, &p->sources[0].loc, "sources (yet)", d);
	if (p->n_transforms)
		return ap_session_refuse(p, &p->transforms[0].loc, "declassify or endorse", d);
	if (p->n_gates)
		return ap_session_refuse(p, &p->gates[0].loc, "`after` gates (yet)", d);
	for (i = 0; i < p->n_rules; i++)
		for (j = 0; j < p->rules[i].n_clauses; j++) {
			const struct ap_clause *c = &p->rules[i].clauses[j];

			for (k = 0; k < c->n_unless; k++)
				if (c->unless[k].kind != AP_COND_TARGET)
					return ap_session_refuse(p, &c->loc, "`unless` lineages or gates (yet)",
								 d);
		}
	if (p->n_lineages)
		return ap_session_refuse(p, NULL, "lineages (yet)", d);
	return 0;
}

int ap_policy_session_report(const struct ap_policy *p, FILE *err)
{
	struct ap_diag d;
	int ret;

	ap_diag_init(&d);
	ret = ap_policy_session_check(p, &d);
	ap_diag_print(err, &d, false);
	ap_diag_free(&d);
	return ret;
}
