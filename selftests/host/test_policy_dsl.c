// SPDX-License-Identifier: GPL-2.0-only
/*
 * Host tests for the rule language: every construct compiles to the expected
 * flat records, every error message fires at the right line:col with a hint,
 * and the warnings fire without failing the load.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "harness.h"
#include "policy/policy.h"

static struct ap_policy *load(const char *text, struct ap_diag *d)
{
	ap_diag_init(d);
	return ap_policy_load_dsl(text, strlen(text), "/w", d);
}

static void diag_dump(const struct ap_diag *d)
{
	size_t i;

	for (i = 0; i < d->n; i++)
		printf("# %u:%u %s\n", d->v[i].line, d->v[i].col,
		       d->v[i].message);
}

/* compile text; it must succeed with no warnings */
static struct ap_policy *ok(const char *name, const char *text,
			    struct ap_diag *d)
{
	struct ap_policy *p = load(text, d);

	if (!p || d->warnings) {
		RESULT(0, name, "%s (%u errors, %u warnings)",
		       p ? "unexpected warnings" : "load failed", d->errors,
		       d->warnings);
		diag_dump(d);
		ap_policy_free(p);
		ap_diag_free(d);
		return NULL;
	}
	return p;
}

static void done(struct ap_policy *p, struct ap_diag *d)
{
	ap_policy_free(p);
	ap_diag_free(d);
}

static void expect_error(const char *name, const char *text, const char *frag,
			 unsigned line, unsigned col)
{
	struct ap_diag d;
	struct ap_policy *p = load(text, &d);
	const struct ap_diag_entry *e = ap_diag_find(&d, frag);
	bool good = !p && e && e->severity == AP_SEV_ERROR && e->hint &&
		    (!line || (e->line == line && e->col == col)) &&
		    (!line || e->source_line);

	RESULT(good, name, "%s; wanted \"%s\" at %u:%u, got %s at %u:%u (hint %s)",
	       p ? "loaded" : "rejected", frag, line, col,
	       d.n ? d.v[0].message : "nothing", d.n ? d.v[0].line : 0,
	       d.n ? d.v[0].col : 0, d.n && d.v[0].hint ? "yes" : "no");
	done(p, &d);
}

static void expect_warning(const char *name, const char *text, const char *frag)
{
	struct ap_diag d;
	struct ap_policy *p = load(text, &d);
	const struct ap_diag_entry *e = ap_diag_find(&d, frag);

	RESULT(p && e && e->severity == AP_SEV_WARNING && e->hint && e->line,
	       name, "%s, %u warnings, first: %s", p ? "loaded" : "rejected",
	       d.warnings, d.n ? d.v[0].message : "none");
	done(p, &d);
}

static bool expr_is(const struct ap_clause *c, const char *want,
		    const struct ap_policy *p)
{
	char buf[256];

	ap_expr_format(p, c->expr, c->expr_len, buf, sizeof(buf));
	return !strcmp(buf, want);
}

/* ---- constructs ------------------------------------------------------------- */

TEST(sources)
{
	struct ap_diag d;
	struct ap_policy *p;

	p = ok("sources: file, exec, endpoint and the session root",
	       "source SECRET = file \"**/.env\"\n"
	       "source AGENT = exec \"**\"\n"
	       "source TOOL = exec \"git\"\n"
	       "source NET = endpoint \"10.0.0.\"\n"
	       "source WS = file \"src/**\"\n"
	       "rule r:\n  notify connect endpoint \"*\" if SECRET or AGENT or TOOL or NET or WS\n"
	       "  because \"x\"\n", &d);
	if (!p)
		return;
	RESULT(p->n_sources == 5 && p->n_labels == 5,
	       "sources: five sources, five labels", "%zu %zu",
	       p->n_sources, p->n_labels);
	RESULT(p->sources[0].target.kind == AP_TARGET_FILE &&
	       p->sources[0].target.path.cls == AP_MATCH_BASENAME &&
	       !strcmp(p->sources[0].target.path.literal, ".env") &&
	       p->sources[0].label == 0 && !p->sources[0].session_root,
	       "source file \"**/.env\" is a basename matcher on bit 0", NULL);
	RESULT(p->sources[1].session_root &&
	       p->sources[1].target.path.cls == AP_MATCH_ANY,
	       "source exec \"**\" is the session root", NULL);
	RESULT(!p->sources[2].session_root &&
	       p->sources[2].target.path.cls == AP_MATCH_BASENAME &&
	       !strcmp(p->sources[2].target.path.glob, "**/git"),
	       "source exec \"git\" matches the basename", NULL);
	RESULT(p->sources[3].target.kind == AP_TARGET_ENDPOINT &&
	       p->sources[3].target.ep.family == AF_INET &&
	       p->sources[3].target.ep.prefix_len == 24,
	       "source endpoint \"10.0.0.\" is 10.0.0.0/24", NULL);
	RESULT(p->sources[4].target.path.cls == AP_MATCH_PREFIX &&
	       !strcmp(p->sources[4].target.path.literal, "/w/src/") &&
	       !strcmp(p->sources[4].target.path.written, "src/**"),
	       "relative \"src/**\" resolves to prefix /w/src/", "%s",
	       p->sources[4].target.path.literal);
	RESULT(p->sources[0].loc.line == 1 && p->sources[4].loc.line == 5,
	       "sources remember their line", NULL);
	done(p, &d);
}

TEST(transforms)
{
	struct ap_diag d;
	struct ap_policy *p;

	p = ok("transforms: declassify and endorse",
	       "source SECRET = file \"**/.env\"\n"
	       "declassify SECRET by exec \"**/redact\"\n"
	       "endorse REVIEWED by exec \"human-approve\"\n"
	       "rule r:\n  block exec \"git\" \"push\" if SECRET and not REVIEWED\n"
	       "  because \"x\"\n", &d);
	if (!p)
		return;
	RESULT(p->n_transforms == 2 &&
	       p->transforms[0].kind == AP_TRANSFORM_DECLASSIFY &&
	       p->transforms[0].label == 0 &&
	       p->transforms[0].exec.cls == AP_MATCH_BASENAME &&
	       !strcmp(p->transforms[0].exec.literal, "redact"),
	       "declassify SECRET by exec \"**/redact\"", NULL);
	RESULT(p->transforms[1].kind == AP_TRANSFORM_ENDORSE &&
	       p->transforms[1].label == 1 &&
	       !strcmp(p->labels[1].name, "REVIEWED"),
	       "endorse REVIEWED introduces the label", NULL);
	done(p, &d);
}

TEST(clauses)
{
	struct ap_diag d;
	struct ap_policy *p;
	const struct ap_rule *r;
	static const char *const ops[] = { "exec", "read", "open", "write",
					   "unlink", "connect", "recv" };
	size_t i;
	bool all = true;

	p = ok("rule with every op and effect",
	       "# comment\n"
	       "rule all-ops:   # trailing comment\n"
	       "  notify exec \"git\" \"push\" \"--force\"\n"
	       "  block read file \"/etc/shadow\"\n"
	       "  kill open \"**/prod.db\"\n"
	       "  block write file \"/shared/**\"\n"
	       "  block unlink file \"/data/**\"\n"
	       "  block connect endpoint \"*\"\n"
	       "  notify recv endpoint \"[2001:db8::]/32:443\"\n"
	       "  because \"multi\n"
	       "     line text with \\\"quotes\\\"\"\n", &d);
	if (!p)
		return;
	r = &p->rules[0];
	RESULT(p->n_rules == 1 && r->n_clauses == 7 &&
	       !strcmp(r->name, "all-ops"),
	       "rule keeps its name and seven clauses", NULL);
	for (i = 0; i < 7 && i < r->n_clauses; i++)
		all &= !strcmp(ap_op_name(r->clauses[i].op), ops[i]);
	RESULT(all, "each clause keeps its op", NULL);
	RESULT(r->clauses[0].effect == AP_EFFECT_NOTIFY &&
	       r->clauses[1].effect == AP_EFFECT_BLOCK &&
	       r->clauses[2].effect == AP_EFFECT_KILL &&
	       AP_EFFECT_KILL > AP_EFFECT_BLOCK &&
	       AP_EFFECT_BLOCK > AP_EFFECT_NOTIFY,
	       "effects per clause, ordered kill > block > notify", NULL);
	RESULT(r->clauses[0].argc == 2 &&
	       !strcmp(r->clauses[0].argv[0], "push") &&
	       !strcmp(r->clauses[0].argv[1], "--force"),
	       "exec target keeps two argument strings in order", NULL);
	RESULT(r->clauses[1].target.path.cls == AP_MATCH_EXACT &&
	       r->clauses[2].target.kind == AP_TARGET_FILE &&
	       r->clauses[2].target.path.cls == AP_MATCH_BASENAME,
	       "file targets are classified (kind word optional)", NULL);
	RESULT(r->clauses[6].target.ep.family == AF_INET6 &&
	       r->clauses[6].target.ep.prefix_len == 32 &&
	       r->clauses[6].target.ep.port == 443,
	       "recv endpoint keeps an IPv6 CIDR and port", NULL);
	RESULT(!strcmp(r->because, "multi line text with \"quotes\""),
	       "because text: line breaks folded, \\\" unescaped", "%s",
	       r->because);
	RESULT(r->clauses[0].expr_len == 1 &&
	       r->clauses[0].expr[0].op == AP_EXPR_PUSH_TRUE,
	       "a clause without if is unconditional", NULL);
	RESULT(r->clauses[0].loc.line == 3 && r->clauses[0].loc.col == 3,
	       "clauses remember their position", "%u:%u",
	       r->clauses[0].loc.line, r->clauses[0].loc.col);
	done(p, &d);
}

TEST(exprs)
{
	struct ap_diag d;
	struct ap_policy *p;
	const struct ap_clause *c;

	p = ok("if expressions",
	       "source A = exec \"a\"\nsource B = exec \"b\"\nsource C = exec \"c\"\n"
	       "rule r:\n"
	       "  block exec \"x1\" if A and not B\n"
	       "  block exec \"x2\" if A and (B or C)\n"
	       "  block exec \"x3\" if true\n"
	       "  block exec \"x4\" if not (A or B)\n"
	       "  block exec \"x5\" if (A)\n"
	       "  because \"x\"\n", &d);
	if (!p)
		return;
	c = p->rules[0].clauses;
	RESULT(c[0].expr_len == 4 && c[0].expr[0].op == AP_EXPR_PUSH_LABEL &&
	       c[0].expr[0].bit == 0 && c[0].expr[1].bit == 1 &&
	       c[0].expr[2].op == AP_EXPR_NOT && c[0].expr[3].op == AP_EXPR_AND &&
	       c[0].label_mask == 3,
	       "A and not B is postfix [A B NOT AND]", NULL);
	RESULT(expr_is(&c[1], "A and (B or C)", p) &&
	       c[1].expr[c[1].expr_len - 1].op == AP_EXPR_AND,
	       "parentheses group: A and (B or C)", NULL);
	RESULT(c[2].expr_len == 1 && c[2].expr[0].op == AP_EXPR_PUSH_TRUE,
	       "if true", NULL);
	RESULT(expr_is(&c[3], "not (A or B)", p) &&
	       ap_expr_eval(c[3].expr, c[3].expr_len, 0) == 1 &&
	       ap_expr_eval(c[3].expr, c[3].expr_len, 2) == 0,
	       "not (A or B)", NULL);
	RESULT(c[4].expr_len == 1, "redundant parentheses", NULL);
	done(p, &d);

	/* the ActPlane reading: left to right, with a warning */
	ap_diag_init(&d);
	p = load("source A = exec \"a\"\nsource B = exec \"b\"\nsource C = exec \"c\"\n"
		 "rule r:\n  block exec \"x\" if A or B and C\n  because \"x\"\n", &d);
	c = p ? p->rules[0].clauses : NULL;
	RESULT(p && expr_is(c, "(A or B) and C", p) &&
	       ap_expr_eval(c->expr, c->expr_len, 1) == 0 &&
	       ap_expr_eval(c->expr, c->expr_len, 5) == 1 &&
	       ap_diag_find(&d, "mixed without parentheses"),
	       "A or B and C reads left to right and warns", NULL);
	done(p, &d);
}

TEST(conditions)
{
	struct ap_diag d;
	struct ap_policy *p;
	const struct ap_clause *c;

	p = ok("unless conditions",
	       "source AGENT = exec \"codex\"\n"
	       "rule r1:\n"
	       "  block write file \"/**\" if AGENT unless target \"/work/**\"\n"
	       "  block write file \"/**\" if AGENT unless target not \"/tmp/**\"\n"
	       "  block connect endpoint \"*\" if AGENT unless target \"10.0.0.\"\n"
	       "  block open file \"**/prod.db\" unless lineage-includes exec \"migrate\"\n"
	       "  block read file \"**/prod.db\" unless lineage-includes exec \"**/migrate\"\n"
	       "  block exec \"git\" \"commit\" if AGENT unless after exec \"pytest\"\n"
	       "  because \"x\"\n"
	       "rule r2:\n"
	       "  block exec \"git\" \"commit\" if AGENT unless after exec \"pytest\" since write \"src/**\" or write \"tests/**\"\n"
	       "  block exec \"git\" \"push\" if AGENT unless after exec \"pytest\"\n"
	       "  kill exec \"git\" \"--force\" if AGENT unless after exec \"confirm\" since exec \"git\"\n"
	       "  block exec \"git\" \"tag\" if AGENT unless after exec \"pnpm\" \"test\" exits 0\n"
	       "  block exec \"make\" unless target \"/usr/bin/make\" unless lineage-includes exec \"ci\"\n"
	       "  because \"x\"\n", &d);
	if (!p)
		return;
	c = p->rules[0].clauses;
	RESULT(c[0].n_unless == 1 && c[0].unless[0].kind == AP_COND_TARGET &&
	       !c[0].unless[0].negate &&
	       c[0].unless[0].target.path.cls == AP_MATCH_PREFIX &&
	       !strcmp(c[0].unless[0].target.path.literal, "/work/"),
	       "unless target \"/work/**\"", NULL);
	RESULT(c[1].unless[0].negate, "unless target not", NULL);
	RESULT(c[2].unless[0].target.kind == AP_TARGET_ENDPOINT &&
	       c[2].unless[0].target.ep.prefix_len == 24,
	       "unless target on connect is an endpoint", NULL);
	RESULT(c[3].unless[0].kind == AP_COND_LINEAGE &&
	       c[4].unless[0].id == c[3].unless[0].id && p->n_lineages == 2,
	       "lineage-includes \"migrate\" and \"**/migrate\" share one mark",
	       "%zu lineages", p->n_lineages);
	RESULT(c[5].unless[0].kind == AP_COND_AFTER &&
	       p->gates[c[5].unless[0].id].op == AP_OP_EXEC &&
	       p->gates[c[5].unless[0].id].exit_status == -1,
	       "after exec \"pytest\" is a gate armed at exec", NULL);
	{
		const struct ap_clause *c2 = p->rules[1].clauses;
		unsigned g0 = c[5].unless[0].id, g1 = c2[0].unless[0].id;
		unsigned g2 = c2[1].unless[0].id, g3 = c2[2].unless[0].id;
		unsigned g4 = c2[3].unless[0].id, n = 0;
		size_t i;

		RESULT(g0 == g2 && g0 != g1,
		       "one gate per distinct after (since lists differ)", NULL);
		for (i = 0; i < p->n_invalidators; i++)
			if (p->invalidators[i].gate == g1)
				n++;
		RESULT(n == 2 && p->invalidators[0].op == AP_OP_WRITE &&
		       p->invalidators[0].match.cls == AP_MATCH_PREFIX &&
		       !strcmp(p->invalidators[0].match.literal, "/w/src/") &&
		       !strcmp(p->invalidators[1].match.literal, "/w/tests/"),
		       "since write \"src/**\" or write \"tests/**\" makes two invalidators",
		       NULL);
		RESULT(p->invalidators[2].gate == g3 &&
		       p->invalidators[2].op == AP_OP_EXEC &&
		       p->invalidators[2].match.cls == AP_MATCH_BASENAME,
		       "since exec \"git\" invalidates on exec", NULL);
		RESULT(p->gates[g4].argc == 1 &&
		       !strcmp(p->gates[g4].argv[0], "test") &&
		       p->gates[g4].exit_status == 0,
		       "after exec \"pnpm\" \"test\" exits 0", NULL);
		RESULT(c2[4].n_unless == 2 &&
		       c2[4].unless[0].kind == AP_COND_TARGET &&
		       c2[4].unless[1].kind == AP_COND_LINEAGE,
		       "several unless conditions on one clause", NULL);
	}
	done(p, &d);
}

TEST(limits)
{
	struct ap_diag d;
	struct ap_policy *p;
	char *text, *t;
	size_t cap = 1 << 20, i;

	/* 2000 rules */
	text = t = malloc(cap);
	t += sprintf(t, "source AGENT = exec \"**\"\n");
	for (i = 0; i < 2000; i++)
		t += sprintf(t, "rule r%zu:\n  block exec \"tool%zu\" if AGENT\n"
			     "  because \"rule %zu\"\n", i, i, i);
	ap_diag_init(&d);
	p = ap_policy_load_dsl(text, t - text, "/w", &d);
	RESULT(p && p->n_rules == 2000 && p->rules[1999].id == 1999,
	       "2000 rules compile", "%s", d.n ? d.v[0].message : "");
	done(p, &d);

	/* 64 labels fine, 65 not */
	t = text;
	for (i = 0; i < 64; i++)
		t += sprintf(t, "source L%zu = file \"/f%zu\"\n", i, i);
	t += sprintf(t, "rule r:\n  block exec \"x\" if L63\n  because \"x\"\n");
	ap_diag_init(&d);
	p = ap_policy_load_dsl(text, t - text, "/w", &d);
	RESULT(p && p->n_labels == 64 && p->labels[63].bit == 63,
	       "64 labels get bits 0..63", NULL);
	done(p, &d);
	sprintf(t, "source L64 = file \"/f\"\n");
	expect_error("65th label is an error", text, "too many labels", 68, 8);

	/* a 4000-byte pattern */
	t = text;
	t += sprintf(t, "rule r:\n  block read \"/");
	memset(t, 'p', 4000);
	t += 4000;
	t += sprintf(t, "\"\n  because \"x\"\n");
	ap_diag_init(&d);
	p = ap_policy_load_dsl(text, t - text, "/w", &d);
	RESULT(p && strlen(p->rules[0].clauses[0].target.path.glob) == 4001,
	       "a 4001-byte pattern compiles", NULL);
	done(p, &d);
	t = text;
	t += sprintf(t, "rule r:\n  block read \"/");
	memset(t, 'p', 5000);
	t += 5000;
	sprintf(t, "\"\n  because \"x\"\n");
	expect_error("a pattern longer than PATH_MAX is an error", text,
		     "bytes long", 2, 14);

	/* a condition over the instruction limit */
	t = text;
	t += sprintf(t, "source A = exec \"a\"\nrule r:\n  block exec \"x\" if A");
	for (i = 0; i < 70; i++)
		t += sprintf(t, " and A");
	sprintf(t, "\n  because \"x\"\n");
	expect_error("condition over 128 steps is an error", text,
		     "condition too complex", 3, 18);
	free(text);
}

/* ---- errors --------------------------------------------------------------------- */

struct ecase {
	const char *name, *text, *frag;
	unsigned line, col;
};

static const struct ecase errors[] = {
	{ "error: unknown operation", "rule r:\n  block exce \"git\"\n",
	  "unknown operation 'exce'", 2, 9 },
	{ "error: unknown declaration", "lable X\n", "unknown declaration 'lable'", 1, 1 },
	{ "error: removed label keyword", "label X\n", "'label' declaration was removed", 1, 1 },
	{ "error: missing ':' after rule name", "rule r\n  block exec \"git\"\n",
	  "expected ':' after the rule name", 2, 3 },
	{ "error: rule without clauses", "rule r:\n  because \"x\"\n",
	  "has no clauses", 1, 6 },
	{ "error: duplicate rule name",
	  "rule r:\n  block exec \"a\"\n  because \"x\"\nrule r:\n  block exec \"b\"\n  because \"x\"\n",
	  "duplicate rule name 'r'", 4, 6 },
	{ "error: unterminated string", "rule r:\n  block exec \"git\n",
	  "unterminated string", 2, 14 },
	{ "error: source without '='", "source A exec \"x\"\n", "expected '='", 1, 10 },
	{ "error: unknown source kind", "source A = dir \"x\"\n",
	  "unknown source kind 'dir'", 1, 12 },
	{ "error: hostname endpoint",
	  "rule r:\n  block connect endpoint \"example.com\"\n  because \"x\"\n",
	  "hostnames are not supported", 2, 26 },
	{ "error: invalid endpoint",
	  "rule r:\n  block connect \"10.0.0.1:99999\"\n  because \"x\"\n",
	  "invalid endpoint", 2, 17 },
	{ "error: arguments on a file op",
	  "rule r:\n  block read \"/etc/passwd\" \"x\"\n  because \"x\"\n",
	  "only exec targets take argument strings", 2, 28 },
	{ "error: kind does not fit the op",
	  "rule r:\n  block read endpoint \"*\"\n  because \"x\"\n",
	  "applies to file targets", 2, 14 },
	{ "error: unquoted pattern",
	  "rule r:\n  block exec git\n  because \"x\"\n",
	  "expected a quoted pattern", 2, 14 },
	{ "error: unknown condition",
	  "rule r:\n  block exec \"x\" unless before exec \"y\"\n  because \"x\"\n",
	  "unknown condition 'before'", 2, 25 },
	{ "error: after connect is not a gate",
	  "rule r:\n  block exec \"x\" unless after connect \"*\"\n  because \"x\"\n",
	  "cannot be a gate", 2, 31 },
	{ "error: exits on a non-exec gate",
	  "rule r:\n  block exec \"x\" unless after write \"/a\" exits 0\n  because \"x\"\n",
	  "'exits' only applies", 2, 42 },
	{ "error: invalid exit status",
	  "rule r:\n  block exec \"x\" unless after exec \"t\" exits 300\n  because \"x\"\n",
	  "invalid exit status '300'", 2, 46 },
	{ "error: if without a label",
	  "rule r:\n  block exec \"x\" if\n  because \"x\"\n",
	  "expected a label", 3, 3 },
	{ "error: unclosed parenthesis",
	  "source A = exec \"a\"\nrule r:\n  block exec \"x\" if (A and A\n  because \"x\"\n",
	  "expected ')'", 4, 3 },
	{ "error: keyword used as a label",
	  "source and = exec \"a\"\n", "got the keyword 'and'", 1, 8 },
	{ "error: invalid label name",
	  "source 9X = exec \"a\"\n", "invalid label name '9X'", 1, 8 },
	{ "error: two if conditions",
	  "source A = exec \"a\"\nrule r:\n  block exec \"x\" if A if A\n  because \"x\"\n",
	  "one 'if' condition", 3, 23 },
	{ "error: two because texts",
	  "rule r:\n  block exec \"x\"\n  because \"a\"\n  because \"b\"\n",
	  "second 'because'", 4, 3 },
	{ "error: deny is the old syntax",
	  "rule r:\n  deny exec \"x\"\n", "'deny' is not an effect", 2, 3 },
	{ "error: the @arg form was removed",
	  "rule r:\n  block exec \"git\" @arg \"push\"\n", "'@arg' form was removed", 2, 20 },
	{ "error: reason was renamed",
	  "rule r:\n  block exec \"x\"\n  reason \"x\"\n", "renamed to 'because'", 3, 3 },
	{ "error: tilde is not expanded",
	  "source S = file \"~/.ssh/**\"\n", "'~' is not expanded", 1, 17 },
	{ "error: clause outside a rule",
	  "block exec \"git\"\n", "'block' outside of a rule", 1, 1 },
	{ "error: declassify without by",
	  "declassify S exec \"redact\"\n", "expected 'by'", 1, 14 },
	{ "error: lineage-includes without exec",
	  "rule r:\n  block exec \"x\" unless lineage-includes \"m\"\n  because \"x\"\n",
	  "expected 'exec'", 2, 42 },
	{ "error: empty pattern",
	  "source S = file \"\"\n", "empty pattern", 1, 17 },
	{ "error: '..' after a wildcard",
	  "source S = file \"/a/*/../b\"\n", "'..' cannot follow a wildcard", 1, 17 },
	{ "error: a source takes one pattern",
	  "source S = file \"/a\" \"/b\"\n", "a source takes a single pattern", 1, 22 },
	{ "error: invalid rule name",
	  "rule r/x:\n  block exec \"x\"\n", "invalid rule name", 1, 6 },
	{ "error: since connect cannot make a gate stale",
	  "rule r:\n  block exec \"x\" unless after exec \"t\" since connect \"*\"\n  because \"x\"\n",
	  "'since connect' cannot make a gate stale", 2, 46 },
	{ "error: unknown op in since",
	  "rule r:\n  block exec \"x\" unless after exec \"t\" since edit \"src/**\"\n  because \"x\"\n",
	  "unknown operation 'edit'", 2, 46 },
};

TEST(errors)
{
	size_t i;

	for (i = 0; i < sizeof(errors) / sizeof(errors[0]); i++)
		expect_error(errors[i].name, errors[i].text, errors[i].frag,
			     errors[i].line, errors[i].col);
	{
		static const char nul[] = "rule r:\n  block exec \"a\0b\"\n";
		struct ap_diag d;
		struct ap_policy *p;

		ap_diag_init(&d);
		p = ap_policy_load_dsl(nul, sizeof(nul) - 1, "/w", &d);
		RESULT(!p && ap_diag_find(&d, "NUL character"),
		       "error: a real NUL byte in a string", NULL);
		done(p, &d);
	}
	expect_error("error: an empty policy", "# nothing here\n",
		     "the policy is empty", 0, 0);
	{
		struct ap_diag d;
		struct ap_policy *p = load("rule a:\n  block exce \"x\"\n"
					   "rule b:\n  block exec \"x\" if\n"
					   "rule c:\n  kill connect \"nowhere.example\"\n", &d);

		RESULT(!p && d.errors == 3,
		       "error recovery reports three independent errors",
		       "%u errors", d.errors);
		done(p, &d);
	}
}

TEST(warnings)
{
	expect_warning("warning: label never introduced",
		       "rule r:\n  block exec \"x\" if GHOST\n  because \"x\"\n",
		       "never introduced");
	expect_warning("warning: a contradiction can never fire",
		       "source A = exec \"a\"\nrule r:\n  block exec \"x\" if A and not A\n  because \"x\"\n",
		       "can never fire");
	expect_warning("warning: rule without because",
		       "rule r:\n  block exec \"x\"\n", "has no 'because'");
	expect_warning("warning: unless target matching everything",
		       "rule r:\n  block read \"/a\" unless target \"**\"\n  because \"x\"\n",
		       "can never fire");
	expect_warning("warning: relative *.pem only matches in the policy directory",
		       "source S = file \"*.pem\"\n", "only matches in /w");
	expect_warning("warning: trailing slash matches no file",
		       "source S = file \"/data/\"\n", "ends with '/'");
	expect_warning("warning: declassified label never introduced",
		       "declassify S by exec \"redact\"\n",
		       "declassified but never introduced");
}

TEST_HARNESS_MAIN
