// SPDX-License-Identifier: GPL-2.0-only
/*
 * What a session policy may hold (actplane run as a user, `check
 * --session`): rules, whose `if` reads the machine's labels, and sources,
 * whose labels are the session's own (private: the module gives each its own
 * bit, apart from the machine's label of the same name), which it may
 * declassify or endorse.  Not the machine's labels: a session never loosens
 * them.  Its `lineage-includes` marks and `after` gates are its own too (a
 * mark or gate of the machine's policy never satisfies it, and its own never
 * the machine's), at most ACTPLANE_SESSION_LINEAGES_MAX and
 * ACTPLANE_SESSION_GATES_MAX.  The module
 * refuses the rest too, element by element; this says where in the file,
 * with a hint, before anything is sent.
 */
#include "internal.h"
#include "policy.h"

/* private labels per session policy (include/uapi/actplane.h) */
#ifndef ACTPLANE_SESSION_PRIVATE_MAX
#define ACTPLANE_SESSION_PRIVATE_MAX	8
#endif
#ifndef ACTPLANE_SESSION_LINEAGES_MAX
#define ACTPLANE_SESSION_LINEAGES_MAX	8
#endif
#ifndef ACTPLANE_SESSION_GATES_MAX
#define ACTPLANE_SESSION_GATES_MAX	8
#endif

static const char ap_session_lineage_hint[] =
	"each `lineage-includes exec` program is a mark the module keeps per process; a session "
	"policy has room for 8 of them (share one program pattern between rules, or ask root to "
	"put the rule in /etc/actplane/base.yaml)";

static const char ap_session_gate_hint[] =
	"each `after` gate is state the module keeps per session; a session policy has room "
	"for 8 (share one `after` between rules, or ask root to put the rule in "
	"/etc/actplane/base.yaml)";

static const char ap_session_own_hint[] =
	"a session policy may declassify or endorse only the labels its own sources introduce; "
	"the machine's labels are root's (/etc/actplane/base.yaml)";

static const char ap_session_private_hint[] =
	"the labels a session policy's sources introduce are its own, each a label bit of the "
	"module's; use fewer distinct labels, or ask root to add the source to "
	"/etc/actplane/base.yaml";

/*
 * Can @p be a session policy (the module refuses the rest too, by element)?
 * 0, or -1 with an error at its file:line:col, and a hint, added to @d.
 */
int ap_policy_session_check(const struct ap_policy *p, struct ap_diag *d)
{
	uint64_t own = 0;	/* labels a source of @p introduces: the session's own */
	unsigned n_own = 0;
	size_t i, j, k;

	for (i = 0; i < p->n_sources; i++) {
		const struct ap_source *s = &p->sources[i];
		uint64_t bit = 1ULL << s->label;

		if (own & bit)
			continue;
		if (n_own == ACTPLANE_SESSION_PRIVATE_MAX) {
			diag_add_at(d, AP_SEV_ERROR, p->path, s->loc.line, s->loc.col,
				    ap_session_private_hint,
				    "a session policy cannot have more than %u labels of its own; "
				    "'%s' would be label %u", ACTPLANE_SESSION_PRIVATE_MAX,
				    p->labels[s->label].name, n_own + 1);
			return -1;
		}
		own |= bit;
		n_own++;
	}
	for (i = 0; i < p->n_transforms; i++) {
		const struct ap_transform *x = &p->transforms[i];

		if (own & (1ULL << x->label))
			continue;
		diag_add_at(d, AP_SEV_ERROR, p->path, x->loc.line, x->loc.col, ap_session_own_hint,
			    "a session policy cannot %s '%s': no source of this policy introduces it, "
			    "so it is the machine's label",
			    x->kind == AP_TRANSFORM_ENDORSE ? "endorse" : "declassify",
			    p->labels[x->label].name);
		return -1;
	}
	if (p->n_gates > ACTPLANE_SESSION_GATES_MAX) {
		const struct ap_gate *g = &p->gates[ACTPLANE_SESSION_GATES_MAX];

		diag_add_at(d, AP_SEV_ERROR, p->path, g->loc.line, g->loc.col, ap_session_gate_hint,
			    "a session policy cannot have more than %u `after` gates; this is gate %u",
			    ACTPLANE_SESSION_GATES_MAX, ACTPLANE_SESSION_GATES_MAX + 1);
		return -1;
	}
	for (i = 0; i < p->n_rules; i++)
		for (j = 0; j < p->rules[i].n_clauses; j++) {
			const struct ap_clause *c = &p->rules[i].clauses[j];

			for (k = 0; k < c->n_unless; k++) {
				const struct ap_cond *u = &c->unless[k];

				if (u->kind == AP_COND_LINEAGE &&
				    u->id >= ACTPLANE_SESSION_LINEAGES_MAX) {
					diag_add_at(d, AP_SEV_ERROR, p->path, c->loc.line, c->loc.col,
						    ap_session_lineage_hint,
						    "a session policy cannot have more than %u "
						    "`lineage-includes` programs; this is program %u",
						    ACTPLANE_SESSION_LINEAGES_MAX, u->id + 1);
					return -1;
				}
			}
		}
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
