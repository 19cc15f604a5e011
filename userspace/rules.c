// SPDX-License-Identifier: GPL-2.0-only
/*
 * `actplane rules [--json | --diff FILE]`: the policy loaded in the module,
 * read back over netlink (POLICY_DUMP) and printed by the same printer as
 * `actplane compile --dump` (ap_policy_dump_rules), so a loaded policy can
 * be compared with a file: `--diff FILE` compiles FILE, prints both the same
 * way and shows a unified-style difference (exit 0 equal, 1 different,
 * 2 trouble, as diff(1)).
 *
 * The dump is decoded into a struct ap_policy: per clause the effect, op,
 * target (kind, match class, literal, glob or endpoint), arguments, the `if`
 * program (module label bits, named through STATUS's label table) and the
 * `unless` conditions.  A module that sends only the effect, op and target
 * text (older dumps) is shown as it is, flagged incomplete, and cannot be
 * compared.
 */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <json-c/json.h>

#include "args.h"
#include "cmd.h"
#include "common.h"
#include "escape.h"
#include "load.h"
#include "nl.h"
#include "policy/policy.h"
#include "textdiff.h"

/* ---- the loaded policy as struct ap_policy ---------------------------------- */

struct kview {
	struct ap_policy pol;		/* rules only; labels = the module's bits */
	size_t cap_rules;
	char *name;			/* policy file the module was given */
	unsigned long long generation;
	bool have;			/* a policy is loaded */
	bool complete;			/* clauses came with all their parts */
	char **legacy;			/* incomplete: per clause "effect op target" */
	size_t n_legacy;
	int err;
};

static void *xcalloc(size_t n, size_t sz)
{
	void *p = calloc(n ? n : 1, sz);

	if (!p) {
		ap_err("out of memory");
		exit(1);
	}
	return p;
}

static char *xstrdup(const char *s)
{
	char *d = strdup(s ? s : "");

	if (!d) {
		ap_err("out of memory");
		exit(1);
	}
	return d;
}

static char *attr_str(struct nlattr *a)
{
	if (!a || nla_len(a) < 1)
		return xstrdup("");
	return strndup(nla_data(a), (size_t)nla_len(a));
}

static unsigned int attr_u32(struct nlattr *a, unsigned int dflt)
{
	return a && nla_len(a) >= 4 ? nla_get_u32(a) : dflt;
}

static void free_matcher(struct ap_matcher *m)
{
	free(m->literal);
	free(m->glob);
	free(m->written);
}

static void free_target(struct ap_target *t)
{
	free_matcher(&t->path);
	free(t->ep.written);
}

static void free_argv(char **argv, size_t argc)
{
	size_t i;

	for (i = 0; i < argc; i++)
		free(argv[i]);
	free(argv);
}

/* Free what the dump filled in (not the label names). */
static void kview_free_rules(struct kview *kv)
{
	size_t i, j, k;

	for (i = 0; i < kv->pol.n_rules; i++) {
		struct ap_rule *r = &kv->pol.rules[i];

		for (j = 0; j < r->n_clauses; j++) {
			struct ap_clause *c = &r->clauses[j];

			free_target(&c->target);
			free_argv(c->argv, c->argc);
			free(c->expr);
			for (k = 0; k < c->n_unless; k++)
				free_target(&c->unless[k].target);
			free(c->unless);
		}
		free(r->clauses);
		free(r->name);
		free(r->because);
	}
	free(kv->pol.rules);
	for (i = 0; i < kv->n_legacy; i++)
		free(kv->legacy[i]);
	free(kv->legacy);
	free(kv->name);
	kv->pol.rules = NULL;
	kv->pol.n_rules = kv->cap_rules = kv->n_legacy = 0;
	kv->legacy = NULL;
	kv->name = NULL;
	kv->have = false;
}

static void kview_free(struct kview *kv)
{
	size_t i;

	kview_free_rules(kv);
	for (i = 0; i < kv->pol.n_labels; i++)
		free(kv->pol.labels[i].name);
	free(kv->pol.labels);
}

/* A target from a clause's or condition's attributes; false if incomplete. */
static bool get_target(struct nlattr **tb, struct ap_target *t)
{
	if (!tb[ACTPLANE_E_TARGET_KIND])
		return false;
	t->kind = (enum ap_target_kind)attr_u32(tb[ACTPLANE_E_TARGET_KIND], 0);
	if (t->kind == AP_TARGET_ENDPOINT) {
		if (!tb[ACTPLANE_E_FAMILY])
			return false;
		t->ep.family = (int)attr_u32(tb[ACTPLANE_E_FAMILY], 0);
		if (tb[ACTPLANE_E_ADDR])
			memcpy(t->ep.addr, nla_data(tb[ACTPLANE_E_ADDR]),
			       (size_t)nla_len(tb[ACTPLANE_E_ADDR]) < sizeof(t->ep.addr) ?
			       (size_t)nla_len(tb[ACTPLANE_E_ADDR]) : sizeof(t->ep.addr));
		t->ep.prefix_len = (uint8_t)attr_u32(tb[ACTPLANE_E_PREFIX], 0);
		t->ep.port = (uint16_t)attr_u32(tb[ACTPLANE_E_PORT], 0);
		return true;
	}
	if (t->kind != AP_TARGET_FILE && t->kind != AP_TARGET_EXEC)
		return false;
	if (!tb[ACTPLANE_E_CLASS] || !tb[ACTPLANE_E_GLOB])
		return false;
	t->path.cls = (enum ap_match_class)attr_u32(tb[ACTPLANE_E_CLASS], AP_MATCH_GLOB);
	t->path.glob = attr_str(tb[ACTPLANE_E_GLOB]);
	t->path.literal = attr_str(tb[ACTPLANE_E_LITERAL]);
	return true;
}

static void get_argv(struct nlattr *list, char ***argv, size_t *argc)
{
	struct nlattr *a;
	size_t n = 0;
	int rem;

	*argv = NULL;
	*argc = 0;
	if (!list)
		return;
	nla_for_each_nested(a, list, rem)
		n++;
	*argv = xcalloc(n, sizeof(char *));
	nla_for_each_nested(a, list, rem)
		if (nla_type(a) == ACTPLANE_E_ARG && *argc < n)
			(*argv)[(*argc)++] = attr_str(a);
}

static bool get_clause(struct nlattr *nest, struct ap_clause *c)
{
	struct nlattr *tb[ACTPLANE_E_MAX + 1], *ctb[ACTPLANE_E_MAX + 1], *a;
	bool ok;
	size_t i, n;
	int rem;

	if (nla_parse_nested(tb, ACTPLANE_E_MAX, nest, NULL))
		return false;
	c->effect = (enum ap_effect)attr_u32(tb[ACTPLANE_E_EFFECT], 0);
	c->op = (enum ap_op)attr_u32(tb[ACTPLANE_E_OP], 0);
	ok = get_target(tb, &c->target);
	get_argv(tb[ACTPLANE_E_ARGV], &c->argv, &c->argc);
	n = tb[ACTPLANE_E_EXPR] ? (size_t)nla_len(tb[ACTPLANE_E_EXPR]) / 2 : 0;
	c->expr = xcalloc(n ? n : 1, sizeof(*c->expr));
	for (i = 0; i < n; i++) {
		const uint8_t *e = nla_data(tb[ACTPLANE_E_EXPR]);

		c->expr[i].op = e[2 * i];
		c->expr[i].bit = e[2 * i + 1];
	}
	if (!n)
		c->expr[0].op = AP_EXPR_PUSH_TRUE;
	c->expr_len = n ? n : 1;
	if (!tb[ACTPLANE_E_UNLESS])
		return ok;
	n = 0;
	nla_for_each_nested(a, tb[ACTPLANE_E_UNLESS], rem)
		n++;
	c->unless = xcalloc(n, sizeof(*c->unless));
	nla_for_each_nested(a, tb[ACTPLANE_E_UNLESS], rem) {
		struct ap_cond *cd = &c->unless[c->n_unless];

		if (nla_type(a) != ACTPLANE_E_COND || c->n_unless >= n ||
		    nla_parse_nested(ctb, ACTPLANE_E_MAX, a, NULL)) {
			ok = false;
			continue;
		}
		c->n_unless++;
		cd->kind = (enum ap_cond_kind)attr_u32(ctb[ACTPLANE_E_COND_KIND], 0);
		cd->negate = !!ctb[ACTPLANE_E_NEGATE];
		if (cd->kind == AP_COND_TARGET)
			ok = get_target(ctb, &cd->target) && ok;
		else
			cd->id = attr_u32(ctb[ACTPLANE_E_ARG_ID], 0);
	}
	return ok;
}

/* the old dump's one line per clause: effect op "target text" */
static void add_legacy(struct kview *kv, struct nlattr *nest)
{
	struct nlattr *tb[ACTPLANE_E_MAX + 1];
	unsigned int e, op;
	char *text = NULL, *glob;

	if (nla_parse_nested(tb, ACTPLANE_E_MAX, nest, NULL))
		return;
	e = attr_u32(tb[ACTPLANE_E_EFFECT], 99);
	op = attr_u32(tb[ACTPLANE_E_OP], 99);
	glob = ap_esc_strdup(tb[ACTPLANE_E_GLOB] ? nla_get_string(tb[ACTPLANE_E_GLOB]) : "", true);
	if (asprintf(&text, "%s %s %s", ap_verdict_name(e),
		     op < AP_OP__COUNT ? ap_op_name((enum ap_op)op) : "?", glob ? glob : "?") < 0)
		text = NULL;
	free(glob);
	kv->legacy = realloc(kv->legacy, (kv->n_legacy + 1) * sizeof(char *));
	if (!kv->legacy || !text) {
		ap_err("out of memory");
		exit(1);
	}
	kv->legacy[kv->n_legacy++] = text;
}

/* One POLICY_DUMP message: one rule. */
static int dump_rule(struct nlattr **tb, void *arg)
{
	struct kview *kv = arg;
	struct nlattr *r[ACTPLANE_E_MAX + 1], *a;
	struct ap_rule *rule;
	size_t n = 0;
	int rem;

	if (!tb[ACTPLANE_A_ELEM] || nla_parse_nested(r, ACTPLANE_E_MAX, tb[ACTPLANE_A_ELEM], NULL))
		return 0;
	if (!kv->have) {
		kv->have = true;
		kv->name = attr_str(tb[ACTPLANE_A_POLICY_NAME]);
		kv->generation = tb[ACTPLANE_A_GENERATION] ?
			(unsigned long long)nla_get_u64(tb[ACTPLANE_A_GENERATION]) : 0;
	}
	if (kv->pol.n_rules == kv->cap_rules) {
		kv->cap_rules = kv->cap_rules ? 2 * kv->cap_rules : 16;
		kv->pol.rules = realloc(kv->pol.rules, kv->cap_rules * sizeof(*rule));
		if (!kv->pol.rules) {
			ap_err("out of memory");
			exit(1);
		}
	}
	rule = &kv->pol.rules[kv->pol.n_rules];
	memset(rule, 0, sizeof(*rule));
	rule->id = (unsigned int)kv->pol.n_rules++;
	rule->name = attr_str(r[ACTPLANE_E_NAME]);
	rule->because = attr_str(r[ACTPLANE_E_BECAUSE]);
	nla_for_each_nested(a, tb[ACTPLANE_A_ELEM], rem)
		if (nla_type(a) == ACTPLANE_E_CLAUSE)
			n++;
	rule->clauses = xcalloc(n, sizeof(*rule->clauses));
	nla_for_each_nested(a, tb[ACTPLANE_A_ELEM], rem) {
		if (nla_type(a) != ACTPLANE_E_CLAUSE || rule->n_clauses >= n)
			continue;
		if (!get_clause(a, &rule->clauses[rule->n_clauses]))
			kv->complete = false;
		rule->n_clauses++;
		add_legacy(kv, a);
	}
	return 0;
}

static int status_labels(struct nlattr **tb, void *arg)
{
	struct kview *kv = arg;
	struct nlattr *a;
	int rem;

	if (tb[ACTPLANE_A_LABEL_TABLE])
		nla_for_each_nested(a, tb[ACTPLANE_A_LABEL_TABLE], rem) {
			unsigned int bit = (unsigned int)nla_type(a) - 1;

			if (nla_type(a) < 1 || bit >= kv->pol.n_labels)
				continue;
			free(kv->pol.labels[bit].name);
			kv->pol.labels[bit].name = attr_str(a);
		}
	return 0;
}

/* Read the loaded policy; 0 or -1 (message printed). */
static int kview_read(struct kview *kv)
{
	struct ap_nl *nl;
	char err[256];
	unsigned int i;
	int ret, tries;

	memset(kv, 0, sizeof(*kv));
	kv->pol.n_labels = AP_MAX_LABELS;
	kv->pol.labels = xcalloc(AP_MAX_LABELS, sizeof(*kv->pol.labels));
	for (i = 0; i < AP_MAX_LABELS; i++) {
		kv->pol.labels[i].bit = i;
		if (asprintf(&kv->pol.labels[i].name, "L%u", i) < 0)
			exit(1);
	}
	nl = ap_nl_open(err, sizeof(err));
	if (!nl) {
		ap_err("%s", err);
		return -1;
	}
	ret = ap_nl_call(nl, ACTPLANE_CMD_STATUS, NULL, status_labels, kv);
	for (tries = 0; !ret && tries < 5; tries++) {
		kv->complete = true;
		ret = ap_nl_dump(nl, ACTPLANE_CMD_POLICY_DUMP, NULL, dump_rule, kv);
		if (ret != -EINTR)
			break;
		kview_free_rules(kv);	/* reloaded during the dump: start again */
	}
	if (ret == -EINTR)
		ap_err("rules: the policy kept changing during the dump; retry");
	else if (ret)
		ap_nl_perror(nl, "rules", ret);
	ap_nl_close(nl);
	return ret ? -1 : 0;
}

/* ---- output ------------------------------------------------------------------ */

static void print_header(FILE *f, const struct kview *kv)
{
	fputs("# policy ", f);
	ap_esc_puts(f, kv->name);
	fprintf(f, " (generation %llu)\n", kv->generation);
}

static void print_text(const struct kview *kv)
{
	size_t i, j, k = 0;

	if (!kv->have) {
		printf("no policy loaded\n");
		return;
	}
	print_header(stdout, kv);
	if (kv->complete) {
		ap_policy_dump_rules(stdout, &kv->pol, AP_DUMP_PORTABLE);
		return;
	}
	fprintf(stderr, "actplane rules: this module reports only each clause's effect, "
		"operation and target;\nits arguments, `if` and `unless` are not shown\n");
	printf("rules (%zu):\n", kv->pol.n_rules);
	for (i = 0; i < kv->pol.n_rules; i++) {
		const struct ap_rule *r = &kv->pol.rules[i];

		printf("  r%zu ", i);
		ap_esc_word(stdout, r->name);
		putchar('\n');
		if (r->because[0]) {
			fputs("      because: ", stdout);
			ap_esc_puts(stdout, r->because);
			putchar('\n');
		}
		for (j = 0; j < r->n_clauses && k < kv->n_legacy; j++)
			printf("      c%zu %s\n", j, kv->legacy[k++]);
	}
}

static json_object *j_target(const struct ap_target *t)
{
	json_object *o = json_object_new_object();
	char buf[128];

	json_object_object_add(o, "kind", json_object_new_string(ap_target_kind_name(t->kind)));
	if (t->kind == AP_TARGET_ENDPOINT) {
		ap_endpoint_format(&t->ep, buf, sizeof(buf));
		json_object_object_add(o, "endpoint", json_object_new_string(buf));
		return o;
	}
	json_object_object_add(o, "class",
			       json_object_new_string(ap_match_class_name(t->path.cls)));
	json_object_object_add(o, "literal", json_object_new_string(t->path.literal));
	json_object_object_add(o, "glob", json_object_new_string(t->path.glob));
	return o;
}

static json_object *j_clause(const struct ap_policy *p, const struct ap_clause *c)
{
	json_object *o = json_object_new_object(), *a;
	char buf[4096];
	size_t i;

	json_object_object_add(o, "effect", json_object_new_string(ap_effect_name(c->effect)));
	json_object_object_add(o, "op", json_object_new_string(ap_op_name(c->op)));
	json_object_object_add(o, "target", j_target(&c->target));
	a = json_object_new_array();
	for (i = 0; i < c->argc; i++)
		json_object_array_add(a, json_object_new_string(c->argv[i]));
	json_object_object_add(o, "argv", a);
	if (c->expr_len == 1 && c->expr[0].op == AP_EXPR_PUSH_TRUE)
		json_object_object_add(o, "if", NULL);
	else
		json_object_object_add(o, "if", json_object_new_string(
			ap_expr_format(p, c->expr, c->expr_len, buf, sizeof(buf))));
	a = json_object_new_array();
	for (i = 0; i < c->n_unless; i++) {
		const struct ap_cond *cd = &c->unless[i];
		json_object *u = json_object_new_object();

		switch (cd->kind) {
		case AP_COND_TARGET:
			json_object_object_add(u, "kind", json_object_new_string("target"));
			json_object_object_add(u, "negate", json_object_new_boolean(cd->negate));
			json_object_object_add(u, "target", j_target(&cd->target));
			break;
		case AP_COND_LINEAGE:
			json_object_object_add(u, "kind", json_object_new_string("lineage"));
			json_object_object_add(u, "lineage", json_object_new_int((int)cd->id));
			break;
		case AP_COND_AFTER:
			json_object_object_add(u, "kind", json_object_new_string("after"));
			json_object_object_add(u, "gate", json_object_new_int((int)cd->id));
			break;
		}
		json_object_array_add(a, u);
	}
	json_object_object_add(o, "unless", a);
	return o;
}

static void print_json(const struct kview *kv)
{
	json_object *o = json_object_new_object(), *rs = json_object_new_array();
	size_t i, j, k = 0;

	if (kv->have) {
		json_object *p = json_object_new_object();

		json_object_object_add(p, "name", json_object_new_string(kv->name));
		json_object_object_add(p, "generation", json_object_new_uint64(kv->generation));
		json_object_object_add(o, "policy", p);
	} else {
		json_object_object_add(o, "policy", NULL);
	}
	json_object_object_add(o, "complete", json_object_new_boolean(kv->complete || !kv->have));
	for (i = 0; i < kv->pol.n_rules; i++) {
		const struct ap_rule *r = &kv->pol.rules[i];
		json_object *ro = json_object_new_object(), *cs = json_object_new_array();

		json_object_object_add(ro, "id", json_object_new_int((int)r->id));
		json_object_object_add(ro, "name", json_object_new_string(r->name));
		json_object_object_add(ro, "because", json_object_new_string(r->because));
		for (j = 0; j < r->n_clauses; j++, k++) {
			if (kv->complete) {
				json_object_array_add(cs, j_clause(&kv->pol, &r->clauses[j]));
			} else {
				json_object *c = json_object_new_object();

				json_object_object_add(c, "text", json_object_new_string(
					k < kv->n_legacy ? kv->legacy[k] : ""));
				json_object_array_add(cs, c);
			}
		}
		json_object_object_add(ro, "clauses", cs);
		json_object_array_add(rs, ro);
	}
	json_object_object_add(o, "rules", rs);
	printf("%s\n", json_object_to_json_string_ext(o, JSON_C_TO_STRING_PRETTY |
						      JSON_C_TO_STRING_NOSLASHESCAPE));
	json_object_put(o);
}

/* Print p's rules into a malloc'd string, the way both sides are compared. */
static char *rules_text(const struct ap_policy *p)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	if (!f) {
		ap_err("out of memory");
		exit(1);
	}
	ap_policy_dump_rules(f, p, AP_DUMP_PORTABLE);
	fclose(f);
	return buf;
}

static int rules_diff(const struct kview *kv, struct ap_policy *p, const char *path)
{
	char *a, *b, *from;
	int ret;

	if (!kv->have) {
		ap_err("rules --diff: no policy is loaded");
		return 2;
	}
	if (!kv->complete) {
		ap_err("rules --diff: this module does not report the clauses' arguments and "
		       "conditions, so the loaded policy cannot be compared");
		return 2;
	}
	a = rules_text(&kv->pol);
	b = rules_text(p);
	from = ap_esc_strdup(kv->name, false);
	{
		char *label_a = NULL, *label_b = ap_esc_strdup(path, false);

		if (asprintf(&label_a, "loaded (generation %llu, %s)", kv->generation,
			     from ? from : "?") < 0)
			label_a = NULL;
		ret = ap_text_diff(stdout, label_a ? label_a : "loaded", a,
				   label_b ? label_b : "FILE", b) ? 1 : 0;
		free(label_a);
		free(label_b);
	}
	free(from);
	free(a);
	free(b);
	return ret;
}

static const struct ap_opt rules_opts[] = {
	AP_OPT_JSON,
	{ "diff", 'D', "FILE", NULL, "compile FILE and show how the loaded rules differ\n"
				      "from it (unified diff: - loaded, + FILE)" },
	{ "domain", 'd', "NAME", NULL, "with --diff: the domain of FILE to compile" },
	{ NULL }
};

AP_COMMAND(cmd_rules, .name = "rules", .order = 80, .flags = AP_CMD_ROOT,
	   .args = "[--json | --diff FILE]", .help = "print the loaded rules, or diff them with a file",
	   .usage = "Usage: actplane rules [--json]\n"
		    "       actplane rules --diff FILE [--domain NAME]\n"
		    "\n"
		    "Print the policy loaded in the module: every rule with its `because` and\n"
		    "every clause with its effect, operation, target, arguments, `if` and\n"
		    "`unless`, in the syntax of `actplane compile --dump`.  Needs CAP_NET_ADMIN.\n",
	   .opts = rules_opts,
	   .more = "Exit status: 0 success (with --diff: no difference), 1 failure (with\n"
		   "--diff: the rules differ), 2 usage (with --diff: any other trouble).\n");

static int cmd_rules(int argc, char **argv)
{
	const char *diff = NULL, *domain = NULL;
	struct ap_policy *p = NULL;
	char path[PATH_MAX];
	struct kview kv;
	bool json = false;
	int c, ret;

	while ((c = ap_getopt(&cmd_rules_cmd, argc, argv)) > 0) {
		switch (c) {
		case 'j': json = true; break;
		case 'D': diff = optarg; break;
		case 'd': domain = optarg; break;
		}
	}
	if (c < 0)
		return ap_opt_exit(c);
	if ((ret = ap_no_operands(&cmd_rules_cmd, argc, argv)))
		return ret;
	if (diff && json)
		return ap_usage_error("rules", "--diff and --json exclude each other");
	if (domain && !diff)
		return ap_usage_error("rules", "--domain goes with --diff FILE");
	/* the file first: its errors do not need the module */
	if (diff && !(p = ap_compile_policy(diff, domain, path, sizeof(path))))
		return 2;
	if (kview_read(&kv)) {
		kview_free(&kv);
		ap_policy_free(p);
		return diff ? 2 : 1;
	}
	ret = 0;
	if (diff)
		ret = rules_diff(&kv, p, path);
	else if (json)
		print_json(&kv);
	else
		print_text(&kv);
	kview_free(&kv);
	ap_policy_free(p);
	return ret;
}
