// SPDX-License-Identifier: GPL-2.0-only
/*
 * `actplane compile --dump`: the compiled policy as text (labels and their
 * bits, sources, transforms, gates, lineage marks, rules, and the per-op
 * index the module builds) or as JSON (json-c).
 */
#include <arpa/inet.h>
#include <json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "../escape.h"
#include "internal.h"

/* ---- text ------------------------------------------------------------------ */
/* names, patterns and reasons come from the policy file: escaped (escape.h) */

static void put_pattern(FILE *f, const char *cls, const char *pattern)
{
	fprintf(f, "%s ", cls);
	ap_esc_quoted(f, pattern);
}

static void put_matcher(FILE *f, const struct ap_matcher *m)
{
	if (m->cls == AP_MATCH_ANY)
		fputs("any", f);
	else if (m->cls == AP_MATCH_GLOB)
		put_pattern(f, "glob", m->glob);
	else
		put_pattern(f, ap_match_class_name(m->cls), m->literal);
}

static void put_target(FILE *f, const struct ap_target *t)
{
	char buf[128];

	if (t->kind == AP_TARGET_ENDPOINT) {
		ap_endpoint_format(&t->ep, buf, sizeof(buf));
		fprintf(f, "endpoint %s", buf);
		return;
	}
	fprintf(f, "%s ", ap_target_kind_name(t->kind));
	put_matcher(f, &t->path);
}

static void put_args(FILE *f, char *const *argv, size_t argc)
{
	size_t i;

	for (i = 0; i < argc; i++) {
		fputc(' ', f);
		ap_esc_quoted(f, argv[i]);
	}
}

static const char *label_name(const struct ap_policy *p, unsigned bit)
{
	return bit < p->n_labels ? p->labels[bit].name : "?";
}

static void put_clause(FILE *f, const struct ap_policy *p,
		       const struct ap_clause *c)
{
	size_t i;

	fprintf(f, "%s %s ", ap_effect_name(c->effect), ap_op_name(c->op));
	if (c->target.kind == AP_TARGET_EXEC && c->op == AP_OP_EXEC)
		put_matcher(f, &c->target.path);
	else
		put_target(f, &c->target);
	put_args(f, c->argv, c->argc);
	if (!(c->expr_len == 1 && c->expr[0].op == AP_EXPR_PUSH_TRUE)) {
		char *s = expr_string(p, c->expr, c->expr_len);

		fputs(" if ", f);
		ap_esc_puts(f, s);
		free(s);
	}
	for (i = 0; i < c->n_unless; i++) {
		const struct ap_cond *u = &c->unless[i];

		fputs(" unless ", f);
		switch (u->kind) {
		case AP_COND_TARGET:
			fprintf(f, "target %s", u->negate ? "not " : "");
			put_target(f, &u->target);
			break;
		case AP_COND_LINEAGE:
			fprintf(f, "lineage l%u", u->id);
			break;
		case AP_COND_AFTER:
			fprintf(f, "after g%u", u->id);
			break;
		}
	}
}

/* one row of the index: op + what it matches -> clauses */
struct irow {
	enum ap_op op;
	char *key;
	char *refs;
};

static int irow_cmp(const void *a, const void *b)
{
	const struct irow *x = a, *y = b;

	if (x->op != y->op)
		return (int)x->op - (int)y->op;
	return strcmp(x->key, y->key);
}

static void put_index(FILE *f, const struct ap_policy *p)
{
	struct irow *rows = NULL;
	size_t n = 0, cap = 0, r, c, i;
	struct strmap map = { 0 };

	for (r = 0; r < p->n_rules; r++) {
		for (c = 0; c < p->rules[r].n_clauses; c++) {
			const struct ap_clause *cl = &p->rules[r].clauses[c];
			char *key, *tkey, buf[128];
			long at;

			if (cl->target.kind == AP_TARGET_ENDPOINT) {
				ap_endpoint_format(&cl->target.ep, buf, sizeof(buf));
				key = ap_xasprintf("%s", buf);
			} else if (cl->target.path.cls == AP_MATCH_ANY) {
				key = ap_xstrdup("any");
			} else {
				const struct ap_matcher *m = &cl->target.path;
				char *pat = ap_esc_strdup(m->cls == AP_MATCH_GLOB ?
							  m->glob : m->literal, true);

				key = ap_xasprintf("%s %s", m->cls == AP_MATCH_GLOB ? "glob" :
						   ap_match_class_name(m->cls),
						   pat ? pat : "\"?\"");
				free(pat);
			}
			tkey = ap_xasprintf("%d %s", cl->op, key);
			at = strmap_get(&map, tkey);
			if (at < 0) {
				if (n == cap) {
					cap = cap ? cap * 2 : 16;
					rows = ap_xrealloc(rows, cap * sizeof(*rows));
				}
				rows[n].op = cl->op;
				rows[n].key = key;
				rows[n].refs = ap_xasprintf("r%zu.c%zu", r, c);
				/* tkey is owned by the map until the end */
				strmap_put(&map, tkey, n);
				n++;
			} else {
				char *nr = ap_xasprintf("%s r%zu.c%zu",
							rows[at].refs, r, c);

				free(rows[at].refs);
				rows[at].refs = nr;
				free(key);
				free(tkey);
			}
		}
	}
	for (i = 0; i < map.cap; i++)
		free((char *)map.keys[i]);
	strmap_free(&map);
	if (n)
		qsort(rows, n, sizeof(*rows), irow_cmp);
	fprintf(f, "index (%zu entries):\n", n);
	for (i = 0; i < n; i++) {
		fprintf(f, "  %-8s %-40s %s\n", ap_op_name(rows[i].op),
			rows[i].key, rows[i].refs);
		free(rows[i].key);
		free(rows[i].refs);
	}
	free(rows);
}

void ap_policy_dump_text(FILE *f, const struct ap_policy *p)
{
	size_t i, j;

	fputs("policy:    ", f);
	ap_esc_puts(f, p->path);
	fputs("\nworkspace: ", f);
	ap_esc_puts(f, p->base_dir);
	fputc('\n', f);
	if (p->domain) {
		fputs("domain:    ", f);
		ap_esc_word(f, p->domain);
		fputc('\n', f);
	}
	if (p->feedback_path) {
		fputs("feedback:  ", f);
		ap_esc_puts(f, p->feedback_path);
		fputc('\n', f);
	}

	fprintf(f, "labels (%zu):\n", p->n_labels);
	for (i = 0; i < p->n_labels; i++) {
		fprintf(f, "  bit %-2u ", p->labels[i].bit);
		ap_esc_word(f, p->labels[i].name);
		fputc('\n', f);
	}

	fprintf(f, "sources (%zu):\n", p->n_sources);
	for (i = 0; i < p->n_sources; i++) {
		const struct ap_source *s = &p->sources[i];

		fprintf(f, "  s%zu ", i);
		ap_esc_word(f, label_name(p, s->label));
		fputs(" <- ", f);
		put_target(f, &s->target);
		if (s->session_root)
			fputs("  (session root)", f);
		fputc('\n', f);
	}

	fprintf(f, "transforms (%zu):\n", p->n_transforms);
	for (i = 0; i < p->n_transforms; i++) {
		const struct ap_transform *x = &p->transforms[i];

		fprintf(f, "  x%zu %s ", i,
			x->kind == AP_TRANSFORM_ENDORSE ? "endorse" : "declassify");
		ap_esc_word(f, label_name(p, x->label));
		fputs(" by exec ", f);
		put_matcher(f, &x->exec);
		fputc('\n', f);
	}

	fprintf(f, "gates (%zu):\n", p->n_gates);
	for (i = 0; i < p->n_gates; i++) {
		const struct ap_gate *g = &p->gates[i];
		bool first = true;

		fprintf(f, "  g%u after %s ", g->id, ap_op_name(g->op));
		put_matcher(f, &g->match);
		put_args(f, g->argv, g->argc);
		if (g->exit_status >= 0)
			fprintf(f, " exits %d", g->exit_status);
		for (j = 0; j < p->n_invalidators; j++) {
			const struct ap_invalidator *v = &p->invalidators[j];

			if (v->gate != g->id)
				continue;
			fprintf(f, "%s%s ", first ? "\n       stale after " : " | ",
				ap_op_name(v->op));
			put_matcher(f, &v->match);
			put_args(f, v->argv, v->argc);
			first = false;
		}
		fputc('\n', f);
	}

	fprintf(f, "lineages (%zu):\n", p->n_lineages);
	for (i = 0; i < p->n_lineages; i++) {
		fprintf(f, "  l%u exec ", p->lineages[i].id);
		put_matcher(f, &p->lineages[i].exec);
		fputc('\n', f);
	}

	ap_policy_dump_rules(f, p, 0);
	put_index(f, p);
}

/*
 * The rules section, shared with `actplane rules` (which prints what the
 * module reports with AP_DUMP_PORTABLE: no source lines or catalog binding,
 * which the module does not keep) so the two can be compared line by line.
 */
void ap_policy_dump_rules(FILE *f, const struct ap_policy *p, unsigned flags)
{
	size_t i, j;

	fprintf(f, "rules (%zu):\n", p->n_rules);
	for (i = 0; i < p->n_rules; i++) {
		const struct ap_rule *r = &p->rules[i];

		fprintf(f, "  r%u ", r->id);
		ap_esc_word(f, r->name);
		if (r->binding && !(flags & AP_DUMP_PORTABLE)) {
			fprintf(f, "  [%s, from catalog rule ",
				r->mode == AP_BIND_LOCKED ? "locked" : "default");
			ap_esc_word(f, r->binding);
			fputc(']', f);
		}
		if (!(flags & AP_DUMP_PORTABLE))
			fprintf(f, "  (line %u)", r->loc.line);
		fputc('\n', f);
		if (r->because && r->because[0]) {
			fputs("      because: ", f);
			ap_esc_puts(f, r->because);
			fputc('\n', f);
		}
		for (j = 0; j < r->n_clauses; j++) {
			fprintf(f, "      c%zu ", j);
			put_clause(f, p, &r->clauses[j]);
			fputc('\n', f);
		}
	}
}

/* ---- JSON ------------------------------------------------------------------- */

static void jadd(struct json_object *o, const char *k, struct json_object *v)
{
	json_object_object_add(o, k, v);
}

static struct json_object *jstr(const char *s)
{
	return s ? json_object_new_string(s) : NULL;
}

static struct json_object *j_matcher(const struct ap_matcher *m)
{
	struct json_object *o = json_object_new_object();

	jadd(o, "class", jstr(ap_match_class_name(m->cls)));
	jadd(o, "literal", jstr(m->literal));
	jadd(o, "glob", jstr(m->glob));
	jadd(o, "pattern", jstr(m->written));
	return o;
}

static struct json_object *j_endpoint(const struct ap_endpoint *ep)
{
	struct json_object *o = json_object_new_object();
	char a[INET6_ADDRSTRLEN] = "";

	jadd(o, "family", jstr(ep->family == AF_INET ? "ipv4" :
			       ep->family == AF_INET6 ? "ipv6" : "any"));
	if (ep->family != AF_UNSPEC) {
		inet_ntop(ep->family, ep->addr, a, sizeof(a));
		jadd(o, "address", jstr(a));
		jadd(o, "prefix_len", json_object_new_int(ep->prefix_len));
	}
	jadd(o, "port", json_object_new_int(ep->port));
	jadd(o, "pattern", jstr(ep->written));
	return o;
}

static struct json_object *j_target(const struct ap_target *t)
{
	struct json_object *o;

	if (t->kind == AP_TARGET_ENDPOINT)
		o = j_endpoint(&t->ep);
	else
		o = j_matcher(&t->path);
	jadd(o, "kind", jstr(ap_target_kind_name(t->kind)));
	return o;
}

static struct json_object *j_argv(char *const *argv, size_t argc)
{
	struct json_object *a = json_object_new_array();
	size_t i;

	for (i = 0; i < argc; i++)
		json_object_array_add(a, jstr(argv[i]));
	return a;
}

static struct json_object *j_clause(const struct ap_policy *p,
				    const struct ap_clause *c)
{
	static const char *const ops[] = {
		[AP_EXPR_PUSH_LABEL] = "label", [AP_EXPR_PUSH_TRUE] = "true",
		[AP_EXPR_NOT] = "not",		[AP_EXPR_AND] = "and",
		[AP_EXPR_OR] = "or",
	};
	struct json_object *o = json_object_new_object(), *e, *u;
	char buf[32];
	size_t i;

	jadd(o, "effect", jstr(ap_effect_name(c->effect)));
	jadd(o, "op", jstr(ap_op_name(c->op)));
	jadd(o, "target", j_target(&c->target));
	jadd(o, "argv", j_argv(c->argv, c->argc));
	{
		char *s = expr_string(p, c->expr, c->expr_len);

		jadd(o, "if", jstr(s));
		free(s);
	}
	e = json_object_new_array();
	for (i = 0; i < c->expr_len; i++) {
		struct json_object *in = json_object_new_object();

		jadd(in, "op", jstr(c->expr[i].op <= AP_EXPR_OR ?
				    ops[c->expr[i].op] : "?"));
		if (c->expr[i].op == AP_EXPR_PUSH_LABEL)
			jadd(in, "bit", json_object_new_int(c->expr[i].bit));
		json_object_array_add(e, in);
	}
	jadd(o, "expr", e);
	snprintf(buf, sizeof(buf), "0x%016llx",
		 (unsigned long long)c->label_mask);
	jadd(o, "label_mask", jstr(buf));
	u = json_object_new_array();
	for (i = 0; i < c->n_unless; i++) {
		const struct ap_cond *cd = &c->unless[i];
		struct json_object *co = json_object_new_object();

		switch (cd->kind) {
		case AP_COND_TARGET:
			jadd(co, "kind", jstr("target"));
			jadd(co, "negate", json_object_new_boolean(cd->negate));
			jadd(co, "target", j_target(&cd->target));
			break;
		case AP_COND_LINEAGE:
			jadd(co, "kind", jstr("lineage"));
			jadd(co, "lineage", json_object_new_int(cd->id));
			break;
		case AP_COND_AFTER:
			jadd(co, "kind", jstr("after"));
			jadd(co, "gate", json_object_new_int(cd->id));
			break;
		}
		json_object_array_add(u, co);
	}
	jadd(o, "unless", u);
	jadd(o, "line", json_object_new_int(c->loc.line));
	return o;
}

struct json_object *ap_policy_dump_json(const struct ap_policy *p)
{
	struct json_object *o = json_object_new_object(), *a;
	size_t i, j;

	jadd(o, "path", jstr(p->path));
	jadd(o, "base_dir", jstr(p->base_dir));
	jadd(o, "domain", jstr(p->domain));
	jadd(o, "feedback_path", jstr(p->feedback_path));

	a = json_object_new_array();
	for (i = 0; i < p->n_labels; i++) {
		struct json_object *l = json_object_new_object();

		jadd(l, "name", jstr(p->labels[i].name));
		jadd(l, "bit", json_object_new_int(p->labels[i].bit));
		json_object_array_add(a, l);
	}
	jadd(o, "labels", a);

	a = json_object_new_array();
	for (i = 0; i < p->n_sources; i++) {
		const struct ap_source *s = &p->sources[i];
		struct json_object *so = json_object_new_object();

		jadd(so, "label", jstr(label_name(p, s->label)));
		jadd(so, "bit", json_object_new_int(s->label));
		jadd(so, "target", j_target(&s->target));
		jadd(so, "session_root", json_object_new_boolean(s->session_root));
		jadd(so, "line", json_object_new_int(s->loc.line));
		json_object_array_add(a, so);
	}
	jadd(o, "sources", a);

	a = json_object_new_array();
	for (i = 0; i < p->n_transforms; i++) {
		const struct ap_transform *x = &p->transforms[i];
		struct json_object *xo = json_object_new_object();

		jadd(xo, "kind", jstr(x->kind == AP_TRANSFORM_ENDORSE ?
				      "endorse" : "declassify"));
		jadd(xo, "label", jstr(label_name(p, x->label)));
		jadd(xo, "bit", json_object_new_int(x->label));
		jadd(xo, "exec", j_matcher(&x->exec));
		json_object_array_add(a, xo);
	}
	jadd(o, "transforms", a);

	a = json_object_new_array();
	for (i = 0; i < p->n_gates; i++) {
		const struct ap_gate *g = &p->gates[i];
		struct json_object *go = json_object_new_object();

		jadd(go, "id", json_object_new_int(g->id));
		jadd(go, "op", jstr(ap_op_name(g->op)));
		jadd(go, "match", j_matcher(&g->match));
		jadd(go, "argv", j_argv(g->argv, g->argc));
		jadd(go, "exit_status", json_object_new_int(g->exit_status));
		json_object_array_add(a, go);
	}
	jadd(o, "gates", a);

	a = json_object_new_array();
	for (i = 0; i < p->n_invalidators; i++) {
		const struct ap_invalidator *v = &p->invalidators[i];
		struct json_object *vo = json_object_new_object();

		jadd(vo, "gate", json_object_new_int(v->gate));
		jadd(vo, "op", jstr(ap_op_name(v->op)));
		jadd(vo, "match", j_matcher(&v->match));
		jadd(vo, "argv", j_argv(v->argv, v->argc));
		json_object_array_add(a, vo);
	}
	jadd(o, "invalidators", a);

	a = json_object_new_array();
	for (i = 0; i < p->n_lineages; i++) {
		struct json_object *lo = json_object_new_object();

		jadd(lo, "id", json_object_new_int(p->lineages[i].id));
		jadd(lo, "exec", j_matcher(&p->lineages[i].exec));
		json_object_array_add(a, lo);
	}
	jadd(o, "lineages", a);

	a = json_object_new_array();
	for (i = 0; i < p->n_rules; i++) {
		const struct ap_rule *r = &p->rules[i];
		struct json_object *ro = json_object_new_object(), *ca;

		jadd(ro, "id", json_object_new_int(r->id));
		jadd(ro, "name", jstr(r->name));
		jadd(ro, "because", jstr(r->because));
		jadd(ro, "binding", jstr(r->binding));
		jadd(ro, "mode", jstr(r->mode == AP_BIND_LOCKED ? "locked" :
				      r->mode == AP_BIND_DEFAULT ? "default" : NULL));
		jadd(ro, "line", json_object_new_int(r->loc.line));
		ca = json_object_new_array();
		for (j = 0; j < r->n_clauses; j++)
			json_object_array_add(ca, j_clause(p, &r->clauses[j]));
		jadd(ro, "clauses", ca);
		json_object_array_add(a, ro);
	}
	jadd(o, "rules", a);
	return o;
}
