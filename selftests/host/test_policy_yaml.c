// SPDX-License-Identifier: GPL-2.0-only
/*
 * Host tests for the policy file: the legacy and catalog YAML forms, domain
 * selection and inheritance, position mapping from the DSL back into the
 * YAML file, discovery, and the check / compile / init commands.
 */
#include <errno.h>
#include <json.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "harness.h"
#include "policy/policy.h"

static struct ap_policy *load(const char *yaml, const char *domain,
			      struct ap_diag *d)
{
	ap_diag_init(d);
	return ap_policy_load_string(yaml, strlen(yaml),
				     "/work/proj/actplane.yaml", domain, d);
}

static void done(struct ap_policy *p, struct ap_diag *d)
{
	ap_policy_free(p);
	ap_diag_free(d);
}

static void expect_error(const char *name, const char *yaml, const char *domain,
			 const char *frag, unsigned line, unsigned col)
{
	struct ap_diag d;
	struct ap_policy *p = load(yaml, domain, &d);
	const struct ap_diag_entry *e = ap_diag_find(&d, frag);

	RESULT(!p && e && e->severity == AP_SEV_ERROR &&
	       (!line || (e->line == line && e->col == col)), name,
	       "%s; wanted \"%s\" at %u:%u, got %s at %u:%u",
	       p ? "loaded" : "rejected", frag, line, col,
	       d.n ? d.v[0].message : "nothing", d.n ? d.v[0].line : 0,
	       d.n ? d.v[0].col : 0);
	done(p, &d);
}

static const char catalog[] =
	"rules:\n"
	"  locked-rule:\n"
	"    ifc: |\n"
	"      rule locked-rule:\n"
	"        kill exec \"git\" \"branch\"\n"
	"        because \"locked\"\n"
	"  default-rule:\n"
	"    ifc: |\n"
	"      rule default-rule:\n"
	"        kill connect endpoint \"*\"\n"
	"        because \"default\"\n"
	"  extra:\n"
	"    policy: |\n"
	"      rule extra:\n"
	"        notify read \"/etc/passwd\"\n"
	"        because \"extra\"\n"
	"domains:\n"
	"  session:\n"
	"    bind:\n"
	"      - rule: locked-rule\n"
	"        mode: locked\n"
	"      - rule: default-rule\n"
	"        mode: default\n"
	"  review:\n"
	"    parent: session\n"
	"    disable:\n"
	"      - default-rule\n"
	"    bind:\n"
	"      - rule: extra\n"
	"        mode: default\n";

static bool has_rule(const struct ap_policy *p, const char *name)
{
	size_t i;

	for (i = 0; p && i < p->n_rules; i++)
		if (!strcmp(p->rules[i].name, name))
			return true;
	return false;
}

TEST(legacy)
{
	struct ap_diag d;
	struct ap_policy *p;

	p = load("version: 1\n"
		 "feedback:\n  path: .actplane/last.txt\n"
		 "policy: |\n"
		 "  source SECRET = file \"src/**\"\n"
		 "  rule r:\n"
		 "    block connect endpoint \"*\" if SECRET\n"
		 "    because \"x\"\n", NULL, &d);
	RESULT(p && p->n_rules == 1 && !p->domain &&
	       p->rules[0].mode == AP_BIND_NONE && !p->rules[0].binding,
	       "legacy form compiles without a domain", NULL);
	RESULT(p && !strcmp(p->feedback_path, "/work/proj/.actplane/last.txt"),
	       "feedback.path resolves against the policy directory", "%s",
	       p ? p->feedback_path : "");
	RESULT(p && !strcmp(p->sources[0].target.path.literal, "/work/proj/src/"),
	       "relative patterns resolve against the policy file's directory",
	       NULL);
	RESULT(p && p->rules[0].loc.line == 6 && p->rules[0].clauses[0].loc.line == 7 &&
	       p->rules[0].clauses[0].loc.col == 5,
	       "compiled records carry YAML line:col", "%u %u:%u",
	       p ? p->rules[0].loc.line : 0,
	       p ? p->rules[0].clauses[0].loc.line : 0,
	       p ? p->rules[0].clauses[0].loc.col : 0);
	done(p, &d);

	p = load("policy: |\n  rule r:\n    block exec \"git\"\n    because \"x\"\n",
		 NULL, &d);
	RESULT(p != NULL, "version is optional (as in the reference)", NULL);
	done(p, &d);

	expect_error("block scalar errors point into the YAML file",
		     "version: 1\n\npolicy: |\n  # comment\n\n  rule r:\n      kill exec \"x\" if (\n",
		     NULL, "expected a label", 7, 25);
	expect_error("explicit indentation indicator keeps positions",
		     "policy: |4\n      rule r:\n        kill exce \"x\"\n", NULL,
		     "unknown operation", 3, 14);
	expect_error("inline policy string maps columns",
		     "policy: 'rule r: block exce \"x\"'\n", NULL,
		     "unknown operation", 1, 24);
	expect_error("escaped double-quoted policy points at the scalar",
		     "policy: \"rule r: block exce \\\"x\\\"\"\n", NULL,
		     "unknown operation", 1, 9);
	expect_error("single-line plain scalar maps columns",
		     "policy: rule r block exec\n", NULL,
		     "expected ':' after the rule name", 1, 16);
	expect_error("--domain with the legacy form",
		     "policy: |\n  rule r:\n    block exec \"git\"\n", "session",
		     "--domain needs", 0, 0);
	expect_error("policy must be text", "policy:\n  - a\n", NULL,
		     "must be a block of rule text", 2, 3);
	expect_error("empty file", "", NULL, "the policy file is empty", 0, 0);
	expect_error("root must be a mapping", "- a\n- b\n", NULL,
		     "must be a YAML mapping", 1, 1);
	expect_error("one YAML document only",
		     "policy: |\n  rule r:\n    block exec \"x\"\n---\nversion: 1\n",
		     NULL, "one YAML document", 5, 1);
	expect_error("NUL escape in a YAML string",
		     "policy: \"rule r:\\0\"\n", NULL, "NUL character", 1, 9);
	expect_error("unknown key in feedback", "feedback:\n  file: x\npolicy: |\n  rule r:\n    block exec \"x\"\n",
		     NULL, "unknown key 'file' in `feedback`", 2, 3);
	/* a hostile agent edits actplane.yaml to make the root runner write elsewhere */
	{
		static const struct { const char *path, *why; } bad[] = {
			{ "/etc/cron.d/x", "outside the workspace" },
			{ "../../../etc/passwd", "must be a plain path inside .actplane/" },
			{ ".actplane/../../x", "must be a plain path inside .actplane/" },
			{ "notes.txt", "must be inside .actplane/" },
			{ ".actplane/", "must be a plain path inside .actplane/" },
		};
		char yaml[256], name[128];
		size_t i;

		for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
			snprintf(yaml, sizeof(yaml), "feedback:\n  path: %s\npolicy: |\n"
				 "  rule r:\n    block exec \"x\"\n", bad[i].path);
			snprintf(name, sizeof(name), "feedback path %s is refused", bad[i].path);
			expect_error(name, yaml, NULL, bad[i].why, 2, 9);
		}
	}
	{
		struct ap_diag fd;
		struct ap_policy *fp = load("feedback:\n  path: /work/proj/.actplane/fb/last.txt\n"
					    "policy: |\n  rule r:\n    block exec \"x\"\n", NULL, &fd);

		RESULT(fp && !strcmp(fp->feedback_path, "/work/proj/.actplane/fb/last.txt"),
		       "an absolute feedback path inside .actplane/ is accepted", "%s",
		       fd.n ? fd.v[0].message : "");
		done(fp, &fd);
	}
	expect_error("no policy at all", "version: 1\n", NULL, "no policy", 0, 0);
	expect_error("tab indentation", "policy: |\n\trule r:\n", NULL,
		     "YAML syntax error", 0, 0);
}

TEST(catalog)
{
	struct ap_diag d;
	struct ap_policy *p;

	p = load(catalog, NULL, &d);
	RESULT(p && !strcmp(p->domain, "session") && has_rule(p, "locked-rule") &&
	       has_rule(p, "default-rule") && !has_rule(p, "extra"),
	       "catalog: session domain is chosen and binds two rules", NULL);
	RESULT(p && p->rules[0].mode == AP_BIND_LOCKED &&
	       !strcmp(p->rules[0].binding, "locked-rule") &&
	       p->rules[1].mode == AP_BIND_DEFAULT,
	       "catalog: locked rules first, bindings recorded", NULL);
	RESULT(p && p->rules[0].loc.line == 4,
	       "catalog: rule positions are in the YAML file", "%u",
	       p ? p->rules[0].loc.line : 0);
	done(p, &d);

	p = load(catalog, "review", &d);
	RESULT(p && !strcmp(p->domain, "review") && has_rule(p, "locked-rule") &&
	       !has_rule(p, "default-rule") && has_rule(p, "extra"),
	       "catalog: child domain inherits, disables a default, binds more",
	       NULL);
	done(p, &d);

	{
		char *y = malloc(sizeof(catalog) + 64);

		sprintf(y, "%sdefault_domain: review\n", catalog);
		p = load(y, NULL, &d);
		RESULT(p && !strcmp(p->domain, "review"),
		       "catalog: default_domain selects the domain", NULL);
		done(p, &d);
		sprintf(y, "%sdefault_domain: reviw\n", catalog);
		expect_error("catalog: undefined default_domain", y, NULL,
			     "default_domain 'reviw' is not defined", 31, 17);
		free(y);
	}
	expect_error("catalog: unknown --domain lists the domains", catalog, "nope",
		     "unknown domain 'nope' (available: session, review)", 0, 0);
	expect_error("catalog: several domains and no selection",
		     "rules:\n  r:\n    ifc: |\n      rule r:\n        block exec \"x\"\n"
		     "domains:\n  a:\n    bind:\n      - rule: r\n        mode: locked\n"
		     "  b:\n    bind:\n      - rule: r\n        mode: locked\n",
		     NULL, "several domains", 6, 1);
	expect_error("catalog: rules without domains",
		     "rules:\n  r:\n    ifc: |\n      rule r:\n        block exec \"x\"\n",
		     NULL, "needs both", 0, 0);
	expect_error("catalog: locked rule stays locked for a grandchild",
		     "rules:\n  readonly:\n    ifc: |\n      rule readonly:\n        kill write file \"/**\"\n        because \"r\"\n"
		     "domains:\n  session: {}\n  review:\n    parent: session\n    bind:\n      - rule: readonly\n        mode: locked\n"
		     "  helper:\n    parent: review\n    disable:\n      - readonly\n",
		     "helper", "cannot disable locked", 17, 9);
	expect_error("catalog: disabling a rule that is not inherited",
		     "rules:\n  r:\n    ifc: |\n      rule r:\n        block exec \"x\"\n"
		     "domains:\n  session:\n    disable: [r]\n    bind:\n      - rule: r\n        mode: locked\n",
		     NULL, "not an inherited default rule", 8, 15);
	expect_error("catalog: unknown parent domain",
		     "rules:\n  r:\n    ifc: |\n      rule r:\n        block exec \"x\"\n"
		     "domains:\n  session:\n    parent: root\n    bind:\n      - rule: r\n        mode: locked\n",
		     NULL, "unknown parent 'root'", 8, 13);
	expect_error("catalog: unknown key in a domain",
		     "rules:\n  r:\n    ifc: |\n      rule r:\n        block exec \"x\"\n"
		     "domains:\n  session:\n    binds: []\n",
		     NULL, "did you mean 'bind'", 8, 5);
	expect_error("catalog: both ifc and policy",
		     "rules:\n  r:\n    ifc: |\n      rule r:\n        block exec \"x\"\n"
		     "    policy: |\n      rule r:\n        block exec \"x\"\n"
		     "domains:\n  session:\n    bind:\n      - rule: r\n        mode: locked\n",
		     NULL, "both `ifc` and `policy`", 6, 5);
	expect_error("catalog: bind entry without mode",
		     "rules:\n  r:\n    ifc: |\n      rule r:\n        block exec \"x\"\n"
		     "domains:\n  session:\n    bind:\n      - rule: r\n",
		     NULL, "needs both `rule` and `mode`", 9, 9);
	expect_error("catalog: domain without effective rules",
		     "rules:\n  r:\n    ifc: |\n      rule r:\n        block exec \"x\"\n"
		     "domains:\n  session: {}\n  other:\n    bind:\n      - rule: r\n        mode: default\n",
		     NULL, "has no effective rules", 7, 3);
	expect_error("catalog: errors in unselected rules are reported",
		     "rules:\n  r:\n    ifc: |\n      rule r:\n        block exec \"x\"\n        because \"x\"\n"
		     "  broken:\n    ifc: |\n      rule broken:\n        block exce \"x\"\n"
		     "domains:\n  session:\n    bind:\n      - rule: r\n        mode: locked\n"
		     "  other:\n    bind:\n      - rule: broken\n        mode: locked\n",
		     NULL, "unknown operation 'exce'", 10, 15);
	{
		p = load("rules:\n  r:\n    ifc: |\n      rule r:\n        block exec \"x\"\n        because \"x\"\n"
			 "  lonely:\n    ifc: |\n      rule lonely:\n        block exec \"y\"\n        because \"y\"\n"
			 "domains:\n  session:\n    bind:\n      - rule: r\n        mode: locked\n",
			 NULL, &d);
		RESULT(p && ap_diag_find(&d, "'lonely' is not bound") &&
		       d.v[0].severity == AP_SEV_WARNING,
		       "catalog: an unbound rule is a warning", NULL);
		done(p, &d);
	}
}

/* ---- discovery and files ------------------------------------------------------ */

static char tmpdir[64];

static void write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	fputs(text, f);
	fclose(f);
}

TEST(discovery)
{
	char path[512], out[PATH_MAX], want[PATH_MAX + 32];
	struct ap_diag d;
	struct ap_policy *p;

	snprintf(path, sizeof(path), "%s/a/b/c", tmpdir);
	snprintf(out, sizeof(out), "mkdir -p %s %s/x/.actplane", path, tmpdir);
	if (system(out))
		return;
	snprintf(path, sizeof(path), "%s/a/actplane.yaml", tmpdir);
	write_file(path, "policy: |\n  rule r:\n    block exec \"git\"\n    because \"x\"\n");
	snprintf(path, sizeof(path), "%s/a/b/c", tmpdir);
	RESULT(!ap_policy_find(path, out, sizeof(out)) &&
	       !strcmp(out, (snprintf(want, sizeof(want), "%s/a/actplane.yaml",
					  tmpdir), want)),
	       "discovery walks up to actplane.yaml", "%s", out);
	snprintf(path, sizeof(path), "%s/x/.actplane/policy.yaml", tmpdir);
	write_file(path, "policy: |\n  rule r:\n    block exec \"git\"\n    because \"x\"\n");
	snprintf(path, sizeof(path), "%s/x", tmpdir);
	RESULT(!ap_policy_find(path, out, sizeof(out)) &&
	       strstr(out, "/x/.actplane/policy.yaml"),
	       "discovery finds .actplane/policy.yaml", "%s", out);
	ap_diag_init(&d);
	p = ap_policy_load_file(out, NULL, &d);
	snprintf(want, sizeof(want), "%s/x", tmpdir);
	RESULT(p && !strcmp(p->base_dir, want),
	       ".actplane/policy.yaml: the workspace is the directory holding .actplane",
	       "%s", p ? p->base_dir : "(rejected)");
	ap_policy_free(p);
	ap_diag_free(&d);
	RESULT(ap_policy_find(path, out, 8) == -ENAMETOOLONG,
	       "discovery reports a too small buffer", NULL);
	RESULT(ap_policy_find("/proc/self", out, sizeof(out)) == -ENOENT,
	       "discovery without a policy is -ENOENT", NULL);

	snprintf(path, sizeof(path), "%s/a/actplane.yaml", tmpdir);
	ap_diag_init(&d);
	p = ap_policy_load_file(path, NULL, &d);
	snprintf(want, sizeof(want), "%s/a", tmpdir);
	RESULT(p && !strcmp(p->base_dir, want), "load_file: base_dir is the file's directory",
	       "%s", p ? p->base_dir : "");
	done(p, &d);

	ap_diag_init(&d);
	p = ap_policy_load_file("/nonexistent/actplane.yaml", NULL, &d);
	RESULT(!p && ap_diag_find(&d, "cannot open") && d.v[0].hint &&
	       strstr(d.v[0].hint, "actplane init"),
	       "load_file: a missing file hints at init", NULL);
	done(p, &d);

	ap_diag_init(&d);
	p = ap_policy_load_file("rules.dsl", NULL, &d);
	RESULT(!p && ap_diag_find(&d, "raw rule file"),
	       "load_file: a .dsl file is refused with a hint", NULL);
	done(p, &d);
}

/* ---- commands -------------------------------------------------------------------- */

static int run(int (*fn)(int, char **, FILE *, FILE *), char *out, size_t olen,
	       char *err, size_t elen, const char *a0, ...)
{
	char *argv[16];
	int argc = 0, ret;
	va_list ap;
	FILE *o, *e;
	const char *a;

	out[0] = err[0] = 0;	/* fmemopen() leaves them as they were until a write */
	o = fmemopen(out, olen, "w");
	e = fmemopen(err, elen, "w");

	argv[argc++] = (char *)a0;
	va_start(ap, a0);
	while ((a = va_arg(ap, const char *)) && argc < 15)
		argv[argc++] = (char *)a;
	va_end(ap);
	argv[argc] = NULL;
	ret = fn(argc, argv, o, e);
	fclose(o);
	fclose(e);
	return ret;
}

TEST(cli)
{
	static char out[1 << 16], err[1 << 16];
	char path[PATH_MAX], cwd[PATH_MAX];
	struct stat st;
	int ret;

	snprintf(path, sizeof(path), "%s/cli/actplane.yaml", tmpdir);
	snprintf(out, sizeof(out), "mkdir -p %s/cli/sub", tmpdir);
	if (system(out))
		return;

	ret = run(ap_cli_init, out, sizeof(out), err, sizeof(err), "init", "-o",
		  path, NULL);
	RESULT(ret == 0 && !stat(path, &st) && st.st_size > 100,
	       "init writes a starter policy", "%d %s", ret, err);
	ret = run(ap_cli_check, out, sizeof(out), err, sizeof(err), "check",
		  "--strict", "--policy", path, NULL);
	RESULT(ret == 0 && strstr(out, "ok: 3 rules"),
	       "check --strict accepts the starter policy", "%d %s %s", ret,
	       out, err);
	write_file(path, "version: 1\npolicy: |\n  rule mine:\n    block exec \"x\"\n    because \"mine\"\n");
	ret = run(ap_cli_init, out, sizeof(out), err, sizeof(err), "init", path,
		  NULL);
	RESULT(ret == 1 && strstr(err, "already exists") &&
	       !stat(path, &st) && st.st_size < 100,
	       "init never overwrites without --force", "%d %s", ret, err);
	ret = run(ap_cli_init, out, sizeof(out), err, sizeof(err), "init",
		  "--force", "--output", path, NULL);
	RESULT(ret == 0 && !stat(path, &st) && st.st_size > 100,
	       "init --force replaces the file", "%d %s", ret, err);

	/* discovery from a subdirectory */
	if (getcwd(cwd, sizeof(cwd))) {
		snprintf(out, sizeof(out), "%s/cli/sub", tmpdir);
		if (!chdir(out)) {
			ret = run(ap_cli_check, out, sizeof(out), err, sizeof(err),
				  "check", NULL);
			RESULT(ret == 0 && strstr(out, "cli/actplane.yaml: ok"),
			       "check finds the policy above the working directory",
			       "%d %s %s", ret, out, err);
			if (chdir(cwd))
				perror("chdir");
		}
	}

	ret = run(ap_cli_compile, out, sizeof(out), err, sizeof(err), "compile",
		  "--dump", "--policy", path, NULL);
	RESULT(ret == 0 && strstr(out, "labels (2):") &&
	       strstr(out, "bit 0  AGENT") && strstr(out, "index (") &&
	       strstr(out, "stale after write prefix"),
	       "compile --dump shows labels, gates and the index", "%d %s", ret,
	       err);
	ret = run(ap_cli_compile, out, sizeof(out), err, sizeof(err), "compile",
		  "--json", "--policy", path, NULL);
	{
		struct json_object *j = json_tokener_parse(out), *rules = NULL;

		RESULT(ret == 0 && j &&
		       json_object_object_get_ex(j, "rules", &rules) &&
		       json_object_array_length(rules) == 3,
		       "compile --json is valid JSON with the rules", "%d", ret);
		json_object_put(j);
	}

	write_file(path, "version: 1\npolicy: |\n  rule r:\n    block exce \"x\"\n");
	ret = run(ap_cli_check, out, sizeof(out), err, sizeof(err), "check",
		  "-p", path, NULL);
	RESULT(ret == 1 && strstr(err, "actplane.yaml:4:11: error: unknown operation") &&
	       strstr(err, "    4 |     block exce") && strstr(err, "^~~~") &&
	       strstr(err, "hint: "),
	       "check prints file:line:col, the line, a caret and a hint",
	       "%d %s", ret, err);
	write_file(path, "version: 1\npolicy: |\n  rule r:\n    block exec \"x\"\n");
	ret = run(ap_cli_check, out, sizeof(out), err, sizeof(err), "check",
		  "-p", path, NULL);
	RESULT(ret == 0 && strstr(out, "1 warning"),
	       "check passes with warnings", "%d %s", ret, err);
	ret = run(ap_cli_check, out, sizeof(out), err, sizeof(err), "check",
		  "-p", path, "--strict", NULL);
	RESULT(ret == 1 && strstr(err, "(--strict)"),
	       "check --strict fails on warnings", "%d %s", ret, err);
	/* --session: what a user's `actplane run` can attach */
	write_file(path, "version: 1\npolicy: |\n  rule r:\n    block read \"**/n.txt\" if SECRET\n"
			 "    because \"n\"\n");
	ret = run(ap_cli_check, out, sizeof(out), err, sizeof(err), "check",
		  "-p", path, "--strict", "--session", NULL);
	RESULT(ret == 0 && strstr(out, "ok: 1 rule") && !strstr(err, "never introduced"),
	       "check --session: rules on the machine's labels, no moot warning",
	       "%d %s %s", ret, out, err);
	write_file(path, "version: 1\npolicy: |\n  source SECRET = file \"/srv/s/**\"\n  rule r:\n"
			 "    block read \"**/n.txt\" if SECRET\n    because \"n\"\n");
	ret = run(ap_cli_check, out, sizeof(out), err, sizeof(err), "check",
		  "-p", path, NULL);
	RESULT(ret == 0, "check without --session accepts a source", "%d %s", ret, err);
	ret = run(ap_cli_check, out, sizeof(out), err, sizeof(err), "check",
		  "-p", path, "--strict", "--session", NULL);
	RESULT(ret == 0 && strstr(out, "ok: 1 rule, 1 label, 1 source"),
	       "check --session accepts a source (its label is the session's own)", "%d %s %s",
	       ret, out, err);
	write_file(path, "version: 1\npolicy: |\n  source SECRET = file \"/srv/s/**\"\n"
			 "  declassify SECRET by exec \"redact\"\n  declassify TOKEN by exec \"redact\"\n"
			 "  rule r:\n    block read \"**/n.txt\" if SECRET or TOKEN\n    because \"n\"\n");
	ret = run(ap_cli_check, out, sizeof(out), err, sizeof(err), "check",
		  "-p", path, "--session", NULL);
	RESULT(ret == 1 &&
	       strstr(err, "actplane.yaml:5:3: error: a session policy cannot declassify 'TOKEN'") &&
	       !strstr(err, "declassify 'SECRET'") && strstr(err, "hint: ") && !strstr(out, "ok:"),
	       "check --session refuses declassify of the machine's label with file:line:col and "
	       "a hint, not of its own", "%d %s %s", ret, out, err);
	ret = run(ap_cli_check, out, sizeof(out), err, sizeof(err), "check",
		  "--bogus", NULL);
	RESULT(ret == 2 && strstr(err, "unknown option '--bogus'"),
	       "check rejects an unknown option with status 2", "%d %s", ret, err);
	ret = run(ap_cli_compile, out, sizeof(out), err, sizeof(err), "compile",
		  "--help", NULL);
	RESULT(ret == 0 && strstr(out, "Usage: actplane compile"),
	       "compile --help", "%d", ret);
	ret = run(ap_cli_check, out, sizeof(out), err, sizeof(err), "check",
		  "--policy", NULL);
	RESULT(ret == 2 && strstr(err, "needs an argument"),
	       "check --policy without a file is a usage error", "%d %s", ret, err);
}

int main(int argc, char **argv)
{
	int rc;

	snprintf(tmpdir, sizeof(tmpdir), "/tmp/actplane-policy-test.XXXXXX");
	if (!mkdtemp(tmpdir)) {
		perror("mkdtemp");
		return 1;
	}
	rc = test_harness_run(argc, argv);
	{
		char cmd[PATH_MAX + 16];

		snprintf(cmd, sizeof(cmd), "rm -rf %s", tmpdir);
		if (system(cmd))
			fprintf(stderr, "cannot remove %s\n", tmpdir);
	}
	return rc;
}
