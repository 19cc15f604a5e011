// SPDX-License-Identifier: GPL-2.0-only
/*
 * What a session policy may hold (actplane run as a user, `check
 * --session`): rules only, whose `if` reads the machine's labels.  The
 * module refuses the rest too, element by element; this says where in the
 * file, with a hint, before anything is sent.
 */
#include <stdio.h>

#include "../escape.h"
#include "policy.h"

/* One thing a session policy cannot have, at @loc of @p's file. */
static int ap_session_refuse(const struct ap_policy *p, const struct ap_loc *loc,
			     const char *what, FILE *err)
{
	ap_esc_puts(err, p->path);
	if (loc && loc->line)
		fprintf(err, ":%u:%u", loc->line, loc->col);
	fprintf(err, ": error: a session policy cannot have %s\n"
		"  hint: a session policy (actplane run without root) only adds rules on top of the\n"
		"  machine's policy; its `if` reads the machine's labels.  Sources, declassify,\n"
		"  endorse, `after` gates and lineages belong in /etc/actplane/base.yaml (root).\n",
		what);
	return -1;
}

/*
 * Can @p be a session policy (the module refuses the rest too, by element)?
 * 0, or -1 with file:line:col and a hint on @err.
 */
int ap_policy_session_check(const struct ap_policy *p, FILE *err)
{
	size_t i, j, k;

	if (p->n_sources)
		return ap_session_refuse(p, &p->sources[0].loc, "sources (yet)", err);
	if (p->n_transforms)
		return ap_session_refuse(p, &p->transforms[0].loc, "declassify or endorse", err);
	if (p->n_gates)
		return ap_session_refuse(p, &p->gates[0].loc, "`after` gates (yet)", err);
	for (i = 0; i < p->n_rules; i++)
		for (j = 0; j < p->rules[i].n_clauses; j++) {
			const struct ap_clause *c = &p->rules[i].clauses[j];

			for (k = 0; k < c->n_unless; k++)
				if (c->unless[k].kind != AP_COND_TARGET)
					return ap_session_refuse(p, &c->loc, "`unless` lineages or gates (yet)",
								 err);
		}
	if (p->n_lineages)
		return ap_session_refuse(p, NULL, "lineages (yet)", err);
	return 0;
}
