// SPDX-License-Identifier: GPL-2.0-only
/*
 * The policy file: YAML (libyaml) front end, policy discovery and the
 * catalog form's domains.
 *
 *   legacy:   version: 1
 *             feedback: { path: .actplane/last-violation.txt }
 *             policy: |
 *               <DSL>
 *
 *   catalog:  rules:
 *               NAME: { ifc: | <DSL> }        (or `policy: |`)
 *             domains:
 *               session:
 *                 bind: [ { rule: NAME, mode: locked|default } ]
 *               review:
 *                 parent: session
 *                 disable: [ NAME ]
 *             default_domain: session
 *
 * A domain inherits its parent's locked and default rules, may disable
 * inherited default rules (never locked ones) and binds more.  The selected
 * domain's rules (locked first, then defaults) are compiled; every other
 * catalog rule is still parsed so that `check` reports its errors.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <yaml.h>

#include "internal.h"

#define MAX_FILE_SIZE	(16 << 20)
#define MAX_DOMAINS	1024

enum dstate { D_NEW, D_VISITING, D_DONE, D_FAILED };

struct crule {
	const char *name;
	yaml_node_t *key, *body;
	bool effective, bound;
};

struct bind {
	long rule;		/* index into crules, -1 if unknown */
	enum ap_bind_mode mode;
	yaml_node_t *node;	/* the rule name */
};

struct disable {
	const char *name;
	yaml_node_t *node;
};

struct domain {
	const char *name;
	yaml_node_t *key;
	const char *parent;
	yaml_node_t *parent_node;
	struct bind *bind;
	size_t n_bind, cap_bind;
	struct disable *disable;
	size_t n_disable, cap_disable;
	enum dstate state;
	long *locked, *defaults;	/* rule indices */
	size_t n_locked, n_defaults, cap_locked, cap_defaults;
};

struct yctx {
	struct ap_text text;
	yaml_document_t doc;
	struct ap_diag *diag;
	unsigned errors0;
	struct ap_arena tmp;

	yaml_node_t *policy, *policy_key, *rules_key, *domains_key;
	yaml_node_t *default_domain, *feedback_path;
	struct crule *rules;
	size_t n_rules, cap_rules;
	struct strmap rule_idx;
	struct domain *domains;
	size_t n_domains, cap_domains;
	struct strmap domain_idx;
};

/* ---- helpers ---------------------------------------------------------------- */

static void __attribute__((format(printf, 5, 6)))
ydiag(struct yctx *y, enum ap_severity sev, yaml_node_t *n, const char *hint,
      const char *fmt, ...)
{
	unsigned line = AP_NOPOS, col = 0, span = 1;
	va_list ap;

	if (n) {
		line = n->start_mark.line;
		col = n->start_mark.column;
		if (n->type == YAML_SCALAR_NODE &&
		    n->end_mark.line == n->start_mark.line &&
		    n->end_mark.column > n->start_mark.column)
			span = n->end_mark.column - n->start_mark.column;
	}
	va_start(ap, fmt);
	diag_vadd(y->diag, sev, &y->text, line, col, span, hint, fmt, ap);
	va_end(ap);
}

#define yerr(y, n, hint, ...)	ydiag(y, AP_SEV_ERROR, n, hint, __VA_ARGS__)
#define ywarn(y, n, hint, ...)	ydiag(y, AP_SEV_WARNING, n, hint, __VA_ARGS__)

static yaml_node_t *node(struct yctx *y, int id)
{
	return yaml_document_get_node(&y->doc, id);
}

static bool is_null(yaml_node_t *n)
{
	const char *v;

	if (!n || n->type != YAML_SCALAR_NODE ||
	    n->data.scalar.style != YAML_PLAIN_SCALAR_STYLE)
		return false;
	v = (const char *)n->data.scalar.value;
	return !*v || !strcmp(v, "~") || !strcmp(v, "null") ||
	       !strcmp(v, "Null") || !strcmp(v, "NULL");
}

/* the text of a scalar, or NULL after an error */
static const char *scalar(struct yctx *y, yaml_node_t *n, const char *what)
{
	const char *v;

	if (n->type != YAML_SCALAR_NODE) {
		yerr(y, n, "write a plain or quoted string here", "%s must be a string, not a %s", what,
		     n->type == YAML_MAPPING_NODE ? "mapping" : "list");
		return NULL;
	}
	v = (const char *)n->data.scalar.value;
	if (strlen(v) != n->data.scalar.length) {
		yerr(y, n, "remove the NUL character", "%s contains a NUL character",
		     what);
		return NULL;
	}
	return v;
}

static bool blank(const char *s)
{
	for (; *s; s++)
		if (*s != ' ' && *s != '\t' && *s != '\n' && *s != '\r')
			return false;
	return true;
}

/* iterate a mapping's pairs (pp names the cursor) or a sequence's items */
#define FOR_PAIRS(y, map, pp, k, v)						\
	for (yaml_node_pair_t *pp = (map)->data.mapping.pairs.start;		\
	     pp < (map)->data.mapping.pairs.top &&				\
	     ((k) = node(y, pp->key), (v) = node(y, pp->value), 1); pp++)

#define FOR_ITEMS(y, seq, ii, it)						\
	for (yaml_node_item_t *ii = (seq)->data.sequence.items.start;		\
	     ii < (seq)->data.sequence.items.top &&				\
	     ((it) = node(y, *ii), 1); ii++)

#define FAILED(y)	((y)->diag->errors != (y)->errors0)

/*
 * Check a mapping's keys: scalars, no duplicates, from the allowed list.
 * Returns false after reporting an error.
 */
static bool check_keys(struct yctx *y, yaml_node_t *map, const char *where,
		       const char *const *allowed, size_t n_allowed)
{
	struct strmap seen = { 0 };
	yaml_node_t *k, *v;
	bool ok = true;

	FOR_PAIRS(y, map, c3, k, v) {
		const char *name;
		size_t i;

		(void)v;
		if (!k || k->type != YAML_SCALAR_NODE) {
			yerr(y, k, "write the key as a plain word followed by ':'", "keys of %s must be plain names", where);
			ok = false;
			continue;
		}
		name = (const char *)k->data.scalar.value;
		if (strmap_put(&seen, name, 0) >= 0) {
			yerr(y, k, "remove one of them", "duplicate key '%s' in %s",
			     name, where);
			ok = false;
			continue;
		}
		if (!allowed)
			continue;
		for (i = 0; i < n_allowed; i++)
			if (!strcmp(name, allowed[i]))
				break;
		if (i == n_allowed) {
			const char *m = did_you_mean(name, allowed, n_allowed);
			char *list = NULL, *hint;
			size_t j;

			for (j = 0; j < n_allowed; j++) {
				char *nl = ap_xasprintf("%s%s%s", list ? list : "",
							list ? ", " : "", allowed[j]);
				free(list);
				list = nl;
			}
			if (m)
				hint = ar_printf(&y->tmp, "did you mean '%s'? %s accepts %s",
						 m, where, list);
			else
				hint = ar_printf(&y->tmp, "%s accepts %s", where, list);
			free(list);
			yerr(y, k, hint, "unknown key '%s' in %s", name, where);
			ok = false;
		}
	}
	strmap_free(&seen);
	return ok;
}

/* ---- the document ---------------------------------------------------------------- */

static const char *const top_keys[] = { "version", "policy", "feedback",
					"rules", "domains", "default_domain" };
static const char *const rule_keys[] = { "ifc", "policy" };
static const char *const domain_keys[] = { "parent", "bind", "disable" };
static const char *const bind_keys[] = { "rule", "mode" };
static const char *const feedback_keys[] = { "path" };

#define N(a) (sizeof(a) / sizeof((a)[0]))

/*
 * @map must be a mapping (else the error @why, with @hint) whose keys are
 * among @keys (check_keys(): @what names it).  Return: whether it is.
 */
static bool mapping_ok(struct yctx *y, yaml_node_t *map, const char *what,
		       const char *const *keys, size_t nkeys, const char *hint, const char *why)
{
	if (map->type != YAML_MAPPING_NODE) {
		yerr(y, map, hint, "%s", why);
		return false;
	}
	return check_keys(y, map, what, keys, nkeys);
}

/*
 * A catalog section (`rules:`, `domains:`): a mapping of names, or nothing.
 * Return: whether there is anything to load (errors are reported).
 */
static bool catalog_map(struct yctx *y, yaml_node_t *map, const char *what, const char *hint,
			const char *why)
{
	return map && !is_null(map) && mapping_ok(y, map, what, NULL, 0, hint, why);
}

static void load_rules(struct yctx *y, yaml_node_t *map)
{
	yaml_node_t *k, *v;

	if (!catalog_map(y, map, "`rules`", "for example `rules: {NAME: {ifc: \"rule NAME: ...\"}}`",
			 "`rules` must be a mapping from rule names to rule text"))
		return;
	FOR_PAIRS(y, map, c4, k, v) {
		const char *name = scalar(y, k, "a rule name");
		yaml_node_t *body = NULL, *bk, *bv;
		struct crule *r;

		if (!name)
			continue;
		if (!name[0]) {
			yerr(y, k, "name the rule, e.g. `no-git-push:`", "empty rule name");
			continue;
		}
		if (is_null(v) || (v->type == YAML_MAPPING_NODE &&
				   v->data.mapping.pairs.start ==
				   v->data.mapping.pairs.top)) {
			yerr(y, k, "give it an `ifc: |` block with the rule text",
			     "catalog rule '%s' is empty", name);
			continue;
		}
		if (v->type != YAML_MAPPING_NODE) {
			yerr(y, v, "write `ifc: |` on the next line, then the rule text",
			     "catalog rule '%s' must be a mapping with `ifc: |`",
			     name);
			continue;
		}
		if (!check_keys(y, v, ar_printf(&y->tmp, "rule '%s'", name),
				rule_keys, N(rule_keys)))
			continue;
		FOR_PAIRS(y, v, c5, bk, bv) {
			(void)bk;
			if (body) {
				yerr(y, bk, "keep one of `ifc` and `policy`",
				     "catalog rule '%s' has both `ifc` and `policy`",
				     name);
				body = NULL;
				break;
			}
			body = bv;
		}
		if (!body)
			continue;
		if (!scalar(y, body, "the rule text"))
			continue;
		if (blank((const char *)body->data.scalar.value)) {
			yerr(y, body, "write the rule text under `ifc: |`",
			     "catalog rule '%s' has an empty body", name);
			continue;
		}
		r = AR_PUSH(&y->tmp, y->rules, y->n_rules, y->cap_rules);
		r->name = name;
		r->key = k;
		r->body = body;
		strmap_put(&y->rule_idx, name, y->n_rules - 1);
	}
}

static void load_domain(struct yctx *y, struct domain *d, yaml_node_t *v)
{
	yaml_node_t *k, *val, *it;

	if (is_null(v))
		return;
	if (v->type != YAML_MAPPING_NODE) {
		yerr(y, v, "a domain is a mapping with parent, bind and disable (or {})",
		     "domain '%s' must be a mapping", d->name);
		return;
	}
	if (!check_keys(y, v, ar_printf(&y->tmp, "domain '%s'", d->name),
			domain_keys, N(domain_keys)))
		return;
	FOR_PAIRS(y, v, c6, k, val) {
		const char *key = (const char *)k->data.scalar.value;

		if (!strcmp(key, "parent")) {
			d->parent = scalar(y, val, "`parent`");
			d->parent_node = val;
			continue;
		}
		if (is_null(val))
			continue;
		if (val->type != YAML_SEQUENCE_NODE) {
			yerr(y, val, !strcmp(key, "bind") ?
			     "for example `bind: [{rule: NAME, mode: locked}]`" :
			     "for example `disable: [NAME, ...]`",
			     "`%s` of domain '%s' must be a list", key, d->name);
			continue;
		}
		if (!strcmp(key, "disable")) {
			FOR_ITEMS(y, val, c7, it) {
				struct disable *ds;
				const char *name = scalar(y, it, "a disabled rule name");

				if (!name)
					continue;
				ds = AR_PUSH(&y->tmp, d->disable, d->n_disable,
					     d->cap_disable);
				ds->name = name;
				ds->node = it;
			}
			continue;
		}
		FOR_ITEMS(y, val, c8, it) {
			yaml_node_t *bk, *bv, *rule = NULL, *mode = NULL;
			const char *m;
			struct bind *b;

			if (!mapping_ok(y, it, "a `bind` entry", bind_keys, N(bind_keys),
					"write `- rule: NAME` and `mode: locked` (or default)",
					"each `bind` entry is a mapping with `rule` and `mode`"))
				continue;
			FOR_PAIRS(y, it, c9, bk, bv) {
				if (!strcmp((const char *)bk->data.scalar.value, "rule"))
					rule = bv;
				else
					mode = bv;
			}
			if (!rule || !mode) {
				yerr(y, it, "write `- rule: NAME` and `mode: locked` (or default)",
				     "a `bind` entry needs both `rule` and `mode`");
				continue;
			}
			if (!scalar(y, rule, "`rule`") || !(m = scalar(y, mode, "`mode`")))
				continue;
			b = AR_PUSH(&y->tmp, d->bind, d->n_bind, d->cap_bind);
			b->node = rule;
			b->rule = strmap_get(&y->rule_idx,
					     (const char *)rule->data.scalar.value);
			if (b->rule >= 0)
				y->rules[b->rule].bound = true;
			if (!strcmp(m, "locked")) {
				b->mode = AP_BIND_LOCKED;
			} else if (!strcmp(m, "default")) {
				b->mode = AP_BIND_DEFAULT;
			} else {
				yerr(y, mode, "a binding is `locked` (children cannot disable it) or `default`",
				     "unknown binding mode '%s'", m);
				d->n_bind--;
			}
		}
	}
}

static void load_domains(struct yctx *y, yaml_node_t *map)
{
	yaml_node_t *k, *v;

	if (!catalog_map(y, map, "`domains`",
			 "for example `domains: {session: {bind: [{rule: NAME, mode: locked}]}}`",
			 "`domains` must be a mapping from domain names to domains"))
		return;
	FOR_PAIRS(y, map, c10, k, v) {
		const char *name = scalar(y, k, "a domain name");
		struct domain *d;

		if (!name)
			continue;
		if (y->n_domains == MAX_DOMAINS) {
			yerr(y, k, "merge domains that bind the same rules", "too many domains (max %d)", MAX_DOMAINS);
			return;
		}
		d = AR_PUSH(&y->tmp, y->domains, y->n_domains, y->cap_domains);
		d->name = name;
		d->key = k;
		strmap_put(&y->domain_idx, name, y->n_domains - 1);
		load_domain(y, d, v);
	}
}

static char *name_list(struct yctx *y, bool domains)
{
	size_t n = domains ? y->n_domains : y->n_rules, i;
	char *out = ar_strdup(&y->tmp, "");

	for (i = 0; i < n; i++)
		out = ar_printf(&y->tmp, "%s%s%s", out, i ? ", " : "",
				domains ? y->domains[i].name : y->rules[i].name);
	return out;
}

static const char *suggest_name(struct yctx *y, const char *w, bool domains)
{
	size_t n = domains ? y->n_domains : y->n_rules, i;
	const char **v = ar_alloc(&y->tmp, (n + 1) * sizeof(*v));
	const char *m;

	for (i = 0; i < n; i++)
		v[i] = domains ? y->domains[i].name : y->rules[i].name;
	m = did_you_mean(w, v, n);
	if (m)
		return ar_printf(&y->tmp, "did you mean '%s'?", m);
	return ar_printf(&y->tmp, "%s defined: %s",
			 domains ? "domains" : "rules", name_list(y, domains));
}

static bool list_has(const long *v, size_t n, long x)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (v[i] == x)
			return true;
	return false;
}

static void list_del(long *v, size_t *n, long x)
{
	size_t i;

	for (i = 0; i < *n; i++) {
		if (v[i] == x) {
			memmove(v + i, v + i + 1, (*n - i - 1) * sizeof(*v));
			(*n)--;
			return;
		}
	}
}

static void list_add(struct yctx *y, long **v, size_t *n, size_t *cap, long x)
{
	if (list_has(*v, *n, x))
		return;
	ar_reserve(&y->tmp, (void **)v, *n, cap, sizeof(**v));
	(*v)[(*n)++] = x;
}

/* resolve the effective rules of domain i (memoised); false on error */
static bool resolve(struct yctx *y, size_t i)
{
	struct domain *d = &y->domains[i];
	size_t k;

	if (d->state == D_DONE)
		return true;
	if (d->state != D_NEW)
		return false;
	d->state = D_VISITING;
	if (d->parent) {
		long pi = strmap_get(&y->domain_idx, d->parent);

		if (pi < 0) {
			yerr(y, d->parent_node, suggest_name(y, d->parent, true),
			     "domain '%s' has unknown parent '%s'", d->name,
			     d->parent);
			d->state = D_FAILED;
			return false;
		}
		if (y->domains[pi].state == D_VISITING) {
			char *chain = ar_strdup(&y->tmp, d->name);
			long c = pi;

			chain = ar_printf(&y->tmp, "%s -> %s", chain,
					  y->domains[c].name);
			while (c != (long)i && y->domains[c].parent) {
				c = strmap_get(&y->domain_idx,
					       y->domains[c].parent);
				if (c < 0)
					break;
				chain = ar_printf(&y->tmp, "%s -> %s", chain,
						  y->domains[c].name);
			}
			yerr(y, d->parent_node,
			     "a domain cannot inherit from itself; remove one `parent`",
			     "domain parent cycle: %s", chain);
			d->state = D_FAILED;
			return false;
		}
		if (!resolve(y, pi)) {
			d->state = D_FAILED;
			return false;
		}
		for (k = 0; k < y->domains[pi].n_locked; k++)
			list_add(y, &d->locked, &d->n_locked, &d->cap_locked,
				 y->domains[pi].locked[k]);
		for (k = 0; k < y->domains[pi].n_defaults; k++)
			list_add(y, &d->defaults, &d->n_defaults,
				 &d->cap_defaults, y->domains[pi].defaults[k]);
	}
	for (k = 0; k < d->n_disable; k++) {
		struct disable *ds = &d->disable[k];
		long r = strmap_get(&y->rule_idx, ds->name);

		if (r < 0) {
			yerr(y, ds->node, suggest_name(y, ds->name, false),
			     "domain '%s' disables unknown rule '%s'", d->name,
			     ds->name);
			d->state = D_FAILED;
		} else if (list_has(d->locked, d->n_locked, r)) {
			yerr(y, ds->node,
			     "a locked binding holds in every child domain; bind it as `mode: default` in the parent to allow this",
			     "domain '%s' cannot disable locked inherited rule '%s'",
			     d->name, ds->name);
			d->state = D_FAILED;
		} else if (!list_has(d->defaults, d->n_defaults, r)) {
			yerr(y, ds->node,
			     "`disable` removes default rules inherited from the parent domain",
			     "domain '%s' disables '%s', but it is not an inherited default rule",
			     d->name, ds->name);
			d->state = D_FAILED;
		} else {
			list_del(d->defaults, &d->n_defaults, r);
		}
	}
	for (k = 0; k < d->n_bind; k++) {
		struct bind *b = &d->bind[k];
		const char *name = (const char *)b->node->data.scalar.value;

		if (b->rule < 0) {
			yerr(y, b->node, suggest_name(y, name, false),
			     "domain '%s' binds unknown rule '%s'", d->name, name);
			d->state = D_FAILED;
			continue;
		}
		if (b->mode == AP_BIND_LOCKED) {
			list_del(d->defaults, &d->n_defaults, b->rule);
			list_add(y, &d->locked, &d->n_locked, &d->cap_locked,
				 b->rule);
		} else if (!list_has(d->locked, d->n_locked, b->rule)) {
			list_add(y, &d->defaults, &d->n_defaults,
				 &d->cap_defaults, b->rule);
		}
	}
	if (d->state == D_FAILED)
		return false;
	d->state = D_DONE;
	return true;
}

static void make_snippet(struct yctx *y, yaml_node_t *n, struct snippet *sn)
{
	const char *v = (const char *)n->data.scalar.value;
	size_t len = n->data.scalar.length, rlen;
	const char *raw;
	unsigned q;

	memset(sn, 0, sizeof(*sn));
	sn->file = &y->text;
	sn->dsl = v;
	sn->len = len;
	sn->fix_line = n->start_mark.line;
	sn->fix_col = n->start_mark.column;
	sn->map = MAP_FIXED;
	switch (n->data.scalar.style) {
	case YAML_LITERAL_SCALAR_STYLE:
		sn->map = MAP_BLOCK;
		sn->line0 = n->start_mark.line + 1;
		break;
	case YAML_PLAIN_SCALAR_STYLE:
	case YAML_SINGLE_QUOTED_SCALAR_STYLE:
	case YAML_DOUBLE_QUOTED_SCALAR_STYLE:
		q = n->data.scalar.style != YAML_PLAIN_SCALAR_STYLE;
		raw = text_line(&y->text, n->start_mark.line, &rlen);
		if (!memchr(v, '\n', len) && raw &&
		    n->start_mark.column + q + len <= rlen &&
		    !memcmp(raw + n->start_mark.column + q, v, len)) {
			sn->map = MAP_INLINE;
			sn->line0 = n->start_mark.line;
			sn->col0 = n->start_mark.column + q;
		}
		break;
	default:
		break;
	}
}

/*
 * `feedback.path` names a file `actplane run` writes for the agent: it must
 * stay inside the workspace's .actplane/ directory (a policy file is agent-
 * writable, so it must not be a way to make the runner write elsewhere).
 * Relative paths are relative to the workspace; an absolute path must name
 * the same place.  No "", "." or ".." components.
 */
static void set_feedback_path(struct yctx *y, struct builder *b, const char *base_dir)
{
	static const char hint[] = "for example `feedback: {path: .actplane/last-violation.txt}`";
	const char *fp = (const char *)y->feedback_path->data.scalar.value, *rel = fp, *c;
	const char *base = strcmp(base_dir, "/") ? base_dir : "";
	size_t blen = strlen(base);

	if (!fp[0]) {
		yerr(y, y->feedback_path, hint, "empty feedback path");
		return;
	}
	if (fp[0] == '/') {
		if (strncmp(fp, base, blen) || fp[blen] != '/') {
			yerr(y, y->feedback_path,
			     "give a path inside the workspace's .actplane/ directory, e.g. .actplane/last-violation.txt",
			     "the feedback path is outside the workspace %s", base_dir);
			return;
		}
		rel = fp + blen + 1;
	}
	for (c = rel;; c += strcspn(c, "/") + 1) {
		size_t n = strcspn(c, "/");

		if (!n || (n == 1 && c[0] == '.') || (n == 2 && c[0] == '.' && c[1] == '.')) {
			yerr(y, y->feedback_path,
			     "write it without '.', '..' or '//', e.g. .actplane/last-violation.txt",
			     "the feedback path must be a plain path inside .actplane/");
			return;
		}
		if (!c[n])
			break;
	}
	if (strncmp(rel, ".actplane/", 10)) {
		yerr(y, y->feedback_path,
		     "the agent's feedback lives in the workspace's .actplane/ directory, e.g. .actplane/last-violation.txt",
		     "the feedback path must be inside .actplane/");
		return;
	}
	b->p->feedback_path = ar_printf(b->ar, "%s/%s", base, rel);
}

static void load_top(struct yctx *y, yaml_node_t *root, const char *domain,
		     struct builder *b, const char *base_dir)
{
	yaml_node_t *k, *v;
	yaml_node_t *rules = NULL, *domains = NULL;
	size_t i;
	long sel = -1;
	bool legacy, catalog;

	if (!check_keys(y, root, "the policy file", top_keys, N(top_keys)))
		return;
	FOR_PAIRS(y, root, c11, k, v) {
		const char *key = (const char *)k->data.scalar.value;

		if (!strcmp(key, "version")) {
			const char *s = scalar(y, v, "`version`");

			if (s && strcmp(s, "1"))
				yerr(y, v, "this actplane reads `version: 1`",
				     "unsupported policy version '%s'", s);
		} else if (!strcmp(key, "policy")) {
			y->policy_key = k;
			if (is_null(v)) {
				yerr(y, k, "write the rules under `policy: |`",
				     "the `policy` block is empty");
			} else if (v->type != YAML_SCALAR_NODE) {
				yerr(y, v, "write `policy: |` followed by the indented rule text",
				     "`policy` must be a block of rule text");
			} else if (scalar(y, v, "`policy`")) {
				if (blank((const char *)v->data.scalar.value))
					yerr(y, k, "write the rules under `policy: |`",
					     "the `policy` block is empty");
				else
					y->policy = v;
			}
		} else if (!strcmp(key, "feedback")) {
			yaml_node_t *fk, *fv;

			if (is_null(v))
				continue;
			if (!mapping_ok(y, v, "`feedback`", feedback_keys, N(feedback_keys),
					"for example `feedback: {path: .actplane/last-violation.txt}`",
					"`feedback` must be a mapping"))
				continue;
			FOR_PAIRS(y, v, c12, fk, fv) {
				(void)fk;
				if (scalar(y, fv, "`feedback.path`"))
					y->feedback_path = fv;
			}
		} else if (!strcmp(key, "rules")) {
			y->rules_key = k;
			rules = v;
		} else if (!strcmp(key, "domains")) {
			y->domains_key = k;
			domains = v;
		} else if (!strcmp(key, "default_domain")) {
			if (scalar(y, v, "`default_domain`"))
				y->default_domain = v;
		}
	}
	if (FAILED(y))
		return;

	legacy = y->policy_key;
	catalog = y->rules_key || y->domains_key;
	if (legacy && catalog) {
		yerr(y, y->rules_key ? y->rules_key : y->domains_key,
		     "use one form: a single `policy: |` block, or a `rules:` catalog bound by `domains:`",
		     "`policy` cannot be mixed with `rules`/`domains`");
		return;
	}
	if (!legacy && !catalog) {
		yerr(y, NULL, "write `policy: |` followed by rules (`actplane init` writes a starter file)",
		     "no policy: expected a `policy: |` block or `rules:` and `domains:`");
		return;
	}
	if (legacy) {
		struct snippet sn;

		if (domain)
			yerr(y, NULL, "remove --domain, or convert the file to `rules:` and `domains:`",
			     "--domain needs a policy file with `rules:` and `domains:`");
		if (y->default_domain)
			yerr(y, y->default_domain, "remove it, or convert the file to `rules:` and `domains:`",
			     "`default_domain` without `domains`");
		if (FAILED(y) || !y->policy)
			return;
		make_snippet(y, y->policy, &sn);
		dsl_compile(b, &sn);
		goto feedback;
	}

	load_rules(y, rules);
	load_domains(y, domains);
	if (FAILED(y))
		return;
	if (!y->n_rules || !y->n_domains) {
		yerr(y, y->n_rules ? y->rules_key : y->domains_key,
		     "a catalog needs rules (`rules: NAME: {ifc: |}`) and domains binding them",
		     "a rule catalog needs both non-empty `rules:` and `domains:`");
		return;
	}
	for (i = 0; i < y->n_domains; i++)
		resolve(y, i);

	if (domain) {
		sel = strmap_get(&y->domain_idx, domain);
		if (sel < 0)
			yerr(y, NULL, suggest_name(y, domain, true),
			     "unknown domain '%s' (available: %s)", domain,
			     name_list(y, true));
	} else if (y->default_domain) {
		const char *dd = (const char *)y->default_domain->data.scalar.value;

		sel = strmap_get(&y->domain_idx, dd);
		if (sel < 0)
			yerr(y, y->default_domain, suggest_name(y, dd, true),
			     "default_domain '%s' is not defined", dd);
	} else if ((sel = strmap_get(&y->domain_idx, "session")) < 0) {
		if (y->n_domains == 1)
			sel = 0;
		else
			yerr(y, y->domains_key,
			     "pass --domain NAME, or set `default_domain:`",
			     "the policy defines several domains (%s) and none is selected",
			     name_list(y, true));
	}
	for (i = 0; i < y->n_rules; i++)
		if (!y->rules[i].bound)
			ywarn(y, y->rules[i].key,
			      "bind it in a domain, or remove it",
			      "rule '%s' is not bound by any domain",
			      y->rules[i].name);
	if (sel < 0 || FAILED(y))
		return;

	{
		struct domain *d = &y->domains[sel];
		struct snippet sn;

		b->p->domain = ar_strdup(b->ar, d->name);
		if (!d->n_locked && !d->n_defaults) {
			yerr(y, d->key, "bind rules with `bind: [{rule: NAME, mode: locked}]`",
			     "domain '%s' has no effective rules", d->name);
			return;
		}
		for (i = 0; i < d->n_locked + d->n_defaults; i++) {
			bool locked = i < d->n_locked;
			struct crule *r = &y->rules[locked ? d->locked[i] :
					  d->defaults[i - d->n_locked]];

			r->effective = true;
			make_snippet(y, r->body, &sn);
			sn.binding = r->name;
			sn.mode = locked ? AP_BIND_LOCKED : AP_BIND_DEFAULT;
			dsl_compile(b, &sn);
		}
	}
	/* parse the other catalog rules too, for their errors */
	for (i = 0; i < y->n_rules; i++) {
		struct ap_policy scratch;
		struct ap_arena ar = { 0 };
		struct builder sb;
		struct snippet sn;

		if (y->rules[i].effective)
			continue;
		memset(&scratch, 0, sizeof(scratch));
		scratch.base_dir = b->p->base_dir;
		builder_init(&sb, &ar, &scratch, y->diag);
		sb.no_warnings = true;
		make_snippet(y, y->rules[i].body, &sn);
		sn.binding = y->rules[i].name;
		dsl_compile(&sb, &sn);
		builder_destroy(&sb);
		ar_release(&ar);
	}

feedback:
	if (y->feedback_path)
		set_feedback_path(y, b, base_dir);
}

static void yaml_syntax_error(struct yctx *y, yaml_parser_t *parser)
{
	const char *problem = parser->problem ? parser->problem : "invalid YAML";
	const char *hint = "check the indentation and quoting around this line";
	unsigned line = parser->problem_mark.line;
	unsigned col = parser->problem_mark.column;

	if (strstr(problem, "tab"))
		hint = "YAML does not allow tabs for indentation; use spaces";
	else if (parser->error == YAML_READER_ERROR && strstr(problem, "UTF-8"))
		hint = "the file must be UTF-8 text";
	else if (parser->error == YAML_READER_ERROR && strstr(problem, "control"))
		hint = "remove the control character (only tab, newline and carriage return may appear in the text)";
	else if (parser->error == YAML_READER_ERROR)
		hint = "remove the character";
	if (parser->error == YAML_READER_ERROR) {
		/* reader errors carry an offset, not a mark */
		size_t off = parser->problem_offset, l;

		line = 0;
		for (l = 0; l < y->text.n_lines && y->text.lines[l] <= off; l++)
			line = l;
		col = off - (line < y->text.n_lines ? y->text.lines[line] : 0);
	}
	if (parser->context)
		diag_add(y->diag, AP_SEV_ERROR, &y->text, line, col, 1, hint,
			 "YAML syntax error: %s %s", problem, parser->context);
	else
		diag_add(y->diag, AP_SEV_ERROR, &y->text, line, col, 1, hint,
			 "YAML syntax error: %s", problem);
}

/* ---- entry points ---------------------------------------------------------------- */

static struct ap_policy *policy_new(struct ap_arena **arp, const char *path,
				    const char *base_dir)
{
	struct ap_arena ar = { 0 }, *a;
	struct ap_policy *p;

	p = ar_alloc(&ar, sizeof(*p));
	a = ar_alloc(&ar, sizeof(*a));
	*a = ar;	/* the arena owns itself from here on */
	p->priv = a;
	p->path = ar_strdup(a, path);
	p->base_dir = ar_strdup(a, base_dir);
	*arp = a;
	return p;
}

void ap_policy_free(struct ap_policy *p)
{
	struct ap_arena a;

	if (!p)
		return;
	a = *(struct ap_arena *)p->priv;
	ar_release(&a);
}

/*
 * The workspace: the policy file's directory, or for .actplane/policy.yaml
 * the directory that holds .actplane/ (where the agent's state lives too).
 */
static char *base_dir_of(const char *path)
{
	char *dir = path_dirname_abs(path), *real = realpath(dir, NULL);
	const char *name = strrchr(path, '/');
	size_t n;

	if (real) {
		free(dir);
		dir = real;
	}
	n = strlen(dir);
	if (!strcmp(name ? name + 1 : path, "policy.yaml") && n > 10 &&
	    !strcmp(dir + n - 10, "/.actplane"))
		dir[n - 10] = '\0';
	return dir;
}

struct ap_policy *ap_policy_load_string(const char *text, size_t len,
					const char *path, const char *domain,
					struct ap_diag *diags)
{
	struct ap_diag local, *d = diags;
	unsigned errors0;
	struct ap_policy *p;
	struct ap_arena *ar;
	struct builder b;
	struct yctx y;
	yaml_parser_t parser;
	yaml_node_t *root;
	char *base;

	if (!d) {
		ap_diag_init(&local);
		d = &local;
	}
	errors0 = d->errors;
	if (!path)
		path = "actplane.yaml";
	base = base_dir_of(path);
	p = policy_new(&ar, path, base);
	free(base);

	memset(&y, 0, sizeof(y));
	y.diag = d;
	y.errors0 = errors0;
	text_init(&y.text, p->path, text, len);
	builder_init(&b, ar, p, d);

	if (!yaml_parser_initialize(&parser)) {
		diag_add(d, AP_SEV_ERROR, NULL, AP_NOPOS, 0, 0, NULL,
			 "cannot initialise the YAML parser");
		goto out;
	}
	yaml_parser_set_input_string(&parser, (const unsigned char *)text, len);
	if (!yaml_parser_load(&parser, &y.doc)) {
		yaml_syntax_error(&y, &parser);
		yaml_parser_delete(&parser);
		goto out;
	}
	root = yaml_document_get_root_node(&y.doc);
	if (!root) {
		diag_add(d, AP_SEV_ERROR, &y.text, AP_NOPOS, 0, 0,
			 "`actplane init` writes a starter policy",
			 "the policy file is empty");
	} else {
		yaml_document_t extra;

		if (!yaml_parser_load(&parser, &extra)) {
			yaml_syntax_error(&y, &parser);
		} else {
			yaml_node_t *r2 = yaml_document_get_root_node(&extra);

			if (r2)
				diag_add(d, AP_SEV_ERROR, &y.text,
					 r2->start_mark.line, r2->start_mark.column, 1,
					 "remove the '---' and what follows, or merge the documents",
					 "a policy file holds one YAML document");
			yaml_document_delete(&extra);
		}
		if (d->errors == errors0) {
			if (root->type != YAML_MAPPING_NODE)
				diag_add(d, AP_SEV_ERROR, &y.text,
					 root->start_mark.line,
					 root->start_mark.column, 1,
					 "a policy file starts with `version: 1` and `policy: |`",
					 "the policy file must be a YAML mapping");
			else
				load_top(&y, root, domain, &b, p->base_dir);
		}
	}
	yaml_document_delete(&y.doc);
	yaml_parser_delete(&parser);
	if (d->errors == errors0)
		builder_finish(&b);
out:
	builder_destroy(&b);
	text_free(&y.text);
	strmap_free(&y.rule_idx);
	strmap_free(&y.domain_idx);
	ar_release(&y.tmp);
	if (d->errors != errors0) {
		ap_policy_free(p);
		p = NULL;
	}
	if (d == &local)
		ap_diag_free(&local);
	return p;
}

struct ap_policy *ap_policy_load_dsl(const char *text, size_t len,
				     const char *base_dir, struct ap_diag *diags)
{
	struct ap_diag local, *d = diags;
	unsigned errors0;
	struct ap_policy *p;
	struct ap_arena *ar;
	struct builder b;
	struct ap_text t;
	struct snippet sn;
	char *cwd = NULL;

	if (!d) {
		ap_diag_init(&local);
		d = &local;
	}
	errors0 = d->errors;
	if (!base_dir)
		base_dir = cwd = getcwd(NULL, 0);
	p = policy_new(&ar, "<rule>", base_dir ? base_dir : "/");
	free(cwd);
	text_init(&t, p->path, text, len);
	memset(&sn, 0, sizeof(sn));
	sn.file = &t;
	sn.map = MAP_DIRECT;
	sn.dsl = text;
	sn.len = len;
	builder_init(&b, ar, p, d);
	dsl_compile(&b, &sn);
	if (d->errors == errors0) {
		if (!p->n_rules && !p->n_sources && !p->n_transforms)
			diag_add(d, AP_SEV_ERROR, &t, AP_NOPOS, 0, 0,
				 "write at least one `rule NAME:` with a clause",
				 "the policy is empty");
		else
			builder_finish(&b);
	}
	builder_destroy(&b);
	text_free(&t);
	if (d->errors != errors0) {
		ap_policy_free(p);
		p = NULL;
	}
	if (d == &local)
		ap_diag_free(&local);
	return p;
}

struct ap_policy *ap_policy_load_file(const char *path, const char *domain,
				      struct ap_diag *diags)
{
	struct ap_diag local, *d = diags;
	struct ap_policy *p = NULL;
	struct ap_text t = { .name = path };
	size_t plen = strlen(path);
	int fd;

	if (!d) {
		ap_diag_init(&local);
		d = &local;
	}
	if (plen > 4 && !strcmp(path + plen - 4, ".dsl")) {
		diag_add(d, AP_SEV_ERROR, &t, AP_NOPOS, 0, 0,
			 "policy files are YAML: put the rules under `policy: |` in an actplane.yaml",
			 "%s is a raw rule file", path);
		goto out;
	}
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		int err = errno;

		diag_add(d, AP_SEV_ERROR, &t, AP_NOPOS, 0, 0,
			 err == ENOENT ? "create one with `actplane init`, or pass --policy FILE" :
			 "check the path and its permissions",
			 "cannot open the policy file: %s", strerror(err));
		goto out;
	}
	p = ap_policy_load_fd(fd, path, domain, d);
	close(fd);
out:
	if (d == &local)
		ap_diag_free(&local);
	return p;
}

struct ap_policy *ap_policy_load_fd(int fd, const char *path, const char *domain,
				    struct ap_diag *d)
{
	struct ap_text t = { .name = path };
	struct ap_policy *p = NULL;
	size_t len = 0, n;
	char *buf = NULL;
	struct stat st;
	FILE *f;

	if (!fstat(fd, &st) && S_ISDIR(st.st_mode)) {
		diag_add(d, AP_SEV_ERROR, &t, AP_NOPOS, 0, 0,
			 "pass the policy file, e.g. DIR/actplane.yaml or DIR/.actplane/policy.yaml",
			 "is a directory, not a policy file");
		return NULL;
	}
	f = fdopen(dup(fd), "r");
	if (!f) {
		diag_add(d, AP_SEV_ERROR, &t, AP_NOPOS, 0, 0, NULL,
			 "cannot read the policy file: %s", strerror(errno));
		return NULL;
	}
	buf = ap_xmalloc(64 * 1024);
	for (;;) {
		n = fread(buf + len, 1, 64 * 1024, f);
		len += n;
		if (n < 64 * 1024)
			break;
		if (len > MAX_FILE_SIZE)
			break;
		buf = ap_xrealloc(buf, len + 64 * 1024);
	}
	if (ferror(f) || len > MAX_FILE_SIZE) {
		diag_add(d, AP_SEV_ERROR, &t, AP_NOPOS, 0, 0,
			 ferror(f) ? "check the file's permissions and the disk" :
			 "split the policy, or remove generated content",
			 ferror(f) ? "cannot read the policy file" :
			 "the policy file is larger than 16 MiB");
		fclose(f);
		goto out;
	}
	fclose(f);
	p = ap_policy_load_string(buf, len, path, domain, d);
out:
	free(buf);
	return p;
}

int ap_policy_find(const char *cwd, char *out, size_t len)
{
	static const char *const names[] = { "actplane.yaml",
					     ".actplane/policy.yaml" };
	char *dir = cwd ? ap_xstrdup(cwd) : getcwd(NULL, 0);
	struct stat st;
	size_t i;

	if (!dir)
		return -errno;
	for (;;) {
		for (i = 0; i < N(names); i++) {
			char *cand = ap_xasprintf("%s/%s",
						  strcmp(dir, "/") ? dir : "",
						  names[i]);

			if (!stat(cand, &st) && S_ISREG(st.st_mode)) {
				int ret = 0;

				if (strlen(cand) >= len)
					ret = -ENAMETOOLONG;
				else
					strcpy(out, cand);
				free(cand);
				free(dir);
				return ret;
			}
			free(cand);
		}
		{
			char *slash = strrchr(dir, '/');

			if (!slash || !strcmp(dir, "/"))
				break;
			if (slash == dir)
				slash[1] = '\0';
			else
				*slash = '\0';
		}
	}
	free(dir);
	return -ENOENT;
}
