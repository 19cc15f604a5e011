// SPDX-License-Identifier: GPL-2.0-only
/*
 * Host tests for issue #15, "policies mean what they say": what `check`
 * accepts is what the module enforces.  `since` events the module cannot
 * watch are errors; rules that can never fire (or conditions that can never
 * hold) are warned about with a did-you-mean; the module's limits are
 * checked with positions; an unclosed string is reported where it starts;
 * every mistake in a rule is reported; a directory given as the policy says
 * so; and checking stays linear in the size of the policy.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "harness.h"
#include "policy/policy.h"

static struct ap_policy *load_dsl(const char *text, struct ap_diag *d)
{
	ap_diag_init(d);
	return ap_policy_load_dsl(text, strlen(text), "/w", d);
}

static struct ap_policy *load_yaml(const char *text, struct ap_diag *d)
{
	ap_diag_init(d);
	return ap_policy_load_string(text, strlen(text), "/w/actplane.yaml",
				     NULL, d);
}

static void done(struct ap_policy *p, struct ap_diag *d)
{
	ap_policy_free(p);
	ap_diag_free(d);
}

static void dump(const struct ap_diag *d)
{
	size_t i;

	for (i = 0; i < d->n; i++)
		printf("#   %u:%u %s: %s [hint: %s]\n", d->v[i].line, d->v[i].col,
		       d->v[i].severity == AP_SEV_ERROR ? "error" : "warning",
		       d->v[i].message, d->v[i].hint ? d->v[i].hint : "-");
}

static unsigned count(const struct ap_diag *d, const char *frag)
{
	unsigned n = 0;
	size_t i;

	for (i = 0; i < d->n; i++)
		n += strstr(d->v[i].message, frag) != NULL;
	return n;
}

/* an entry of severity sev whose message has msg and (if hint) hint has hint */
static const struct ap_diag_entry *find(const struct ap_diag *d,
					enum ap_severity sev, const char *msg,
					const char *hint)
{
	size_t i;

	for (i = 0; i < d->n; i++)
		if (d->v[i].severity == sev && strstr(d->v[i].message, msg) &&
		    (!hint || (d->v[i].hint && strstr(d->v[i].hint, hint))))
			return &d->v[i];
	return NULL;
}

static void expect(bool ok, const char *name, const struct ap_diag *d)
{
	RESULT(ok, name, "%u errors, %u warnings (diagnostics below)",
	       d->errors, d->warnings);
	if (!ok)
		dump(d);
}

/* error (or warning) with msg/hint at line:col (0: any position) */
static void expect_diag(const char *name, bool yaml, const char *text,
			enum ap_severity sev, const char *msg, const char *hint,
			unsigned line, unsigned col)
{
	struct ap_diag d;
	struct ap_policy *p = yaml ? load_yaml(text, &d) : load_dsl(text, &d);
	const struct ap_diag_entry *e = find(&d, sev, msg, hint);
	bool ok = e && (sev == AP_SEV_WARNING ? p != NULL : p == NULL) &&
		  (!line || (e->line == line && e->col == col));

	expect(ok, name, &d);
	done(p, &d);
}

/* ---- `since` events the module cannot watch (item 2) --------------------- */

TEST(since)
{
	struct ap_diag d;
	struct ap_policy *p;

	expect_diag("since connect is an error at the event, with a hint", false,
		    "rule r:\n  block exec \"x\" unless after exec \"t\" since connect \"*\"\n  because \"x\"\n",
		    AP_SEV_ERROR, "'since connect' cannot make a gate stale",
		    "exec, read, open, write and unlink", 2, 46);
	expect_diag("since recv is an error too (after a valid event)", false,
		    "rule r:\n  block exec \"x\" unless after exec \"t\" since write \"/a\" or recv \"10.0.0.1\"\n  because \"x\"\n",
		    AP_SEV_ERROR, "'since recv' cannot make a gate stale", NULL, 2, 60);
	expect_diag("since connect in a YAML file points into the file", true,
		    "version: 1\npolicy: |\n  rule r:\n    block exec \"x\" unless after exec \"t\" since connect \"*\"\n    because \"x\"\n",
		    AP_SEV_ERROR, "'since connect'", NULL, 4, 48);

	/* the ones the module enforces (kmod/policy.c accepts exec..unlink) */
	p = load_dsl("rule r:\n"
		     "  block exec \"x\" unless after exec \"t\" since open \"/s/**\" or unlink \"/g/**\" or read \"/r\" or write \"/w2\" or exec \"y\"\n"
		     "  because \"x\"\n", &d);
	expect(p && !d.warnings && !d.errors && p->n_invalidators == 5 &&
	       p->invalidators[0].op == AP_OP_OPEN &&
	       p->invalidators[1].op == AP_OP_UNLINK,
	       "since open / unlink / read / write / exec compile to invalidators, no warning", &d);
	done(p, &d);
}

/* ---- limits from the module (item 4) -------------------------------------- */

TEST(limits)
{
	char text[1024], name[160];
	struct ap_diag d;
	struct ap_policy *p;

	_Static_assert(AP_MAX_LABELS == ACTPLANE_MAX_LABELS, "labels");
	_Static_assert(AP_LABEL_NAME_MAX == ACTPLANE_LABEL_NAME_LEN, "label name");
	_Static_assert((int)AP_OP__COUNT == (int)__ACTPLANE_OP_MAX, "ops");

	/* 63 bytes: the module's longest label name */
	memset(name, 'L', 63);
	name[63] = '\0';
	snprintf(text, sizeof(text),
		 "source %s = file \"/f\"\nrule r:\n  block exec \"x\" if %s\n  because \"x\"\n",
		 name, name);
	p = load_dsl(text, &d);
	expect(p && !d.errors, "a 63-byte label name compiles", &d);
	done(p, &d);

	/* 64 bytes: the module would refuse the load, so check refuses it */
	memset(name, 'L', 64);
	name[64] = '\0';
	snprintf(text, sizeof(text),
		 "source A = file \"/f\"\nsource %s = file \"/g\"\n", name);
	expect_diag("a 64-byte label name is an error at the name", false, text,
		    AP_SEV_ERROR, "is 64 bytes long", "at most 63 bytes", 2, 8);
	snprintf(text, sizeof(text),
		 "version: 1\npolicy: |\n  rule r:\n    block exec \"x\" if %s\n    because \"x\"\n",
		 name);
	expect_diag("... also in an `if`, positioned in the YAML file", true,
		    text, AP_SEV_ERROR, "is 64 bytes long", NULL, 4, 23);

	/* a rule name the module takes (127) and one it does not (128) */
	memset(name, 'r', 127);
	name[127] = '\0';
	snprintf(text, sizeof(text), "rule %s:\n  block exec \"x\"\n  because \"x\"\n", name);
	p = load_dsl(text, &d);
	expect(p && !d.errors, "a 127-byte rule name compiles", &d);
	done(p, &d);
	memset(name, 'r', 128);
	name[128] = '\0';
	snprintf(text, sizeof(text), "rule %s:\n  block exec \"x\"\n  because \"x\"\n", name);
	expect_diag("a 128-byte rule name is an error", false, text,
		    AP_SEV_ERROR, "is 128 bytes long", "at most 127 bytes", 1, 6);

	/* 70 labels: the limit is said once, at the 65th */
	{
		char *big = malloc(70 * 40), *t = big;
		int i;

		for (i = 0; i < 70; i++)
			t += sprintf(t, "source L%d = file \"/f%d\"\n", i, i);
		p = load_dsl(big, &d);
		expect(!p && d.errors == 1 && count(&d, "too many labels") == 1 &&
		       d.v[0].line == 65 && d.v[0].col == 8,
		       "70 labels: one 'too many labels' error, at the 65th", &d);
		done(p, &d);
		free(big);
	}
}

/* ---- unterminated strings (item 5) ---------------------------------------- */

TEST(unterminated)
{
	struct ap_diag d;
	struct ap_policy *p;

	expect_diag("unterminated string: reported at the line it starts on (YAML)", true,
		    "version: 1\n"
		    "policy: |\n"
		    "  rule r:\n"
		    "    block exec \"ls\n"
		    "    because \"x\"\n"
		    "\n"
		    "  rule s:\n"
		    "    block exec \"y\"\n"
		    "    because \"z\"\n",
		    AP_SEV_ERROR, "unterminated string", "line 5", 4, 16);
	expect_diag("unterminated `because` text running into the next rule", false,
		    "rule r:\n  block exec \"x\"\n  because \"oops\n\nrule s:\n  block exec \"y\"\n  because \"z\"\n",
		    AP_SEV_ERROR, "unterminated string", NULL, 3, 11);
	expect_diag("unterminated string at the end of the policy", false,
		    "rule r:\n  block exec \"x\"\n  because \"oops\n",
		    AP_SEV_ERROR, "unterminated string", NULL, 3, 11);

	/* only one error, and the rest of the policy is still checked */
	p = load_dsl("rule r:\n  block exec \"ls\n  because \"x\"\nrule s:\n  block exce \"y\"\n  because \"z\"\n", &d);
	expect(!p && d.errors == 2 && count(&d, "unterminated string") == 1 &&
	       count(&d, "unknown operation 'exce'") == 1,
	       "after an unterminated string the next rule's error is reported too", &d);
	done(p, &d);

	/* a `because` text may still wrap lines */
	p = load_dsl("rule r:\n  block exec \"x\"\n  because \"a text that\n    wraps: block it, kill it\"\n", &d);
	expect(p && !d.errors && !strcmp(p->rules[0].because, "a text that wraps: block it, kill it"),
	       "a wrapped because text is still one text", &d);
	done(p, &d);
}

/* ---- rules that can never fire (item 3) ----------------------------------- */

TEST(never_fires)
{
	expect_diag("if SECRT: did you mean SECRET?", false,
		    "source SECRET = file \"**/.env\"\nrule r:\n  block connect \"*\" if SECRT\n  because \"x\"\n",
		    AP_SEV_WARNING, "label 'SECRT' is never introduced", "did you mean SECRET?", 3, 24);
	expect_diag("exec \"git push\": did you mean exec \"git\" \"push\"?", false,
		    "rule r:\n  block exec \"git push\"\n  because \"x\"\n",
		    AP_SEV_WARNING, "contains a space", "`exec \"git\" \"push\"`", 2, 14);
	expect_diag("after exec \"pytest -x\": did you mean ... \"pytest\" \"-x\"?", false,
		    "rule r:\n  block exec \"x\" unless after exec \"pytest -x\"\n  because \"x\"\n",
		    AP_SEV_WARNING, "contains a space", "`exec \"pytest\" \"-x\"`", 2, 36);
	expect_diag("write \"/etc\": did you mean /etc/**?", false,
		    "rule r:\n  block write \"/etc\"\n  because \"x\"\n",
		    AP_SEV_WARNING, "\"/etc\" is a directory", "\"/etc/**\"", 2, 15);
	expect_diag("unless target that never meets the clause's target", false,
		    "rule r:\n  block write \"/data/**\" unless target \"/work/**\"\n  because \"x\"\n",
		    AP_SEV_WARNING, "can never hold", NULL, 2, 40);
	expect_diag("unless target with a suffix the clause's cannot have", false,
		    "rule r:\n  block read \"**/*.pem\" unless target \"/k/*.key\"\n  because \"x\"\n",
		    AP_SEV_WARNING, "can never hold", NULL, 2, 39);
	expect_diag("unless target endpoint outside the clause's range", false,
		    "rule r:\n  block connect \"10.0.0.0/8\" unless target \"192.168.0.0/16\"\n  because \"x\"\n",
		    AP_SEV_WARNING, "can never hold", NULL, 2, 44);
	expect_diag("unless target not \"**\" never holds", false,
		    "rule r:\n  block read \"/a/**\" unless target not \"**\"\n  because \"x\"\n",
		    AP_SEV_WARNING, "can never hold", NULL, 2, 40);
	{
		/* what is fine stays quiet */
		struct ap_diag d;
		struct ap_policy *p = load_dsl(
			"source SECRET = file \"**/.env\"\n"
			"rule r:\n"
			"  block write \"/data/**\" unless target \"/data/tmp/**\"\n"
			"  block read \"**/*.pem\" unless target \"/etc/ssl/**\"\n"
			"  block connect \"10.0.0.0/8\" unless target \"10.1.0.0/16\"\n"
			"  block exec \"/opt/My Tools/bin/x\"\n"
			"  block write \"/etc/**\" if SECRET unless target not \"/etc/x/**\"\n"
			"  block exec \"git\" unless target \"/usr/bin/*\"\n"
			"  because \"x\"\n", &d);

		expect(p && !d.warnings, "no warning for exemptions that can hold and spaced directories", &d);
		done(p, &d);
	}
}

/* ---- every error in a rule, did-you-mean keywords (item 6) ---------------- */

TEST(every_error)
{
	struct ap_diag d;
	struct ap_policy *p;

	p = load_dsl("source SECRET = file \"**/.env\"\n"
		     "rule r:\n"
		     "  blok exec \"git\" \"push\"\n"
		     "  block exec \"x\" iff SECRET\n"
		     "  block exec \"y\" if SECRET adn SECRET\n"
		     "  becuase \"x\"\n"
		     "rule s:\n"
		     "  block exce \"z\"\n"
		     "  because \"y\"\n", &d);
	expect(!p && d.errors == 5 &&
	       find(&d, AP_SEV_ERROR, "'blok'", "did you mean 'block'?") &&
	       find(&d, AP_SEV_ERROR, "'iff'", "did you mean 'if'?") &&
	       find(&d, AP_SEV_ERROR, "'adn'", "did you mean 'and'?") &&
	       find(&d, AP_SEV_ERROR, "'becuase'", "did you mean 'because'?") &&
	       find(&d, AP_SEV_ERROR, "unknown operation 'exce'", "did you mean 'exec'?") &&
	       !count(&d, "has no clauses"),
	       "five mistakes in two rules: five errors, each with a did-you-mean", &d);
	if (!p && d.errors == 5)
		RESULT(d.v[0].line == 3 && d.v[1].line == 4 && d.v[2].line == 5 &&
		       d.v[3].line == 6 && d.v[4].line == 8,
		       "... in source order, each at its own line", "%u %u %u %u %u",
		       d.v[0].line, d.v[1].line, d.v[2].line, d.v[3].line, d.v[4].line);
	done(p, &d);

	expect_diag("blok as the only clause: no follow-on 'rule has no clauses'", false,
		    "rule r:\n  blok exec \"git\"\n  because \"x\"\n",
		    AP_SEV_ERROR, "unknown keyword 'blok' in rule 'r'", "did you mean 'block'?", 2, 3);
	p = load_dsl("rule r:\n  blok exec \"git\"\n  because \"x\"\n", &d);
	expect(!p && d.errors == 1 && !count(&d, "has no clauses"),
	       "a misspelt effect gives exactly one error", &d);
	done(p, &d);
	expect_diag("misspelt `rule` header: did you mean 'rule'?", false,
		    "rlue r:\n  block exec \"git\"\n  because \"x\"\n",
		    AP_SEV_ERROR, "unknown declaration 'rlue'", "did you mean 'rule'?", 1, 1);
	expect_diag("misspelt condition keyword on a continuation line", false,
		    "source A = exec \"a\"\nrule r:\n  block exec \"git\"\n    iff A\n  because \"x\"\n",
		    AP_SEV_ERROR, "'iff'", "did you mean 'if'?", 4, 5);
}

/* ---- what the terminal gets (item 7) -------------------------------------- */

TEST(terminal)
{
	char dir[] = "/tmp/ap-meaning-XXXXXX";
	struct ap_diag d;
	struct ap_policy *p;

	if (!mkdtemp(dir)) {
		RESULT_SKIP("a directory given as the policy says so", "mkdtemp failed");
		return;
	}
	ap_diag_init(&d);
	p = ap_policy_load_file(dir, NULL, &d);
	expect(!p && d.n == 1 && strstr(d.v[0].message, "is a directory") &&
	       d.v[0].hint && !strstr(d.v[0].hint, "permissions"),
	       "a directory given as the policy says so", &d);
	done(p, &d);
	rmdir(dir);

	/* a control character: a hint about it, none about UTF-8 */
	p = load_yaml("version: 1\npolicy: |\n  rule r\x1b[2J:\n    block exec \"x\"\n", &d);
	expect(!p && d.n == 1 && d.v[0].hint && !strstr(d.v[0].hint, "UTF-8") &&
	       strstr(d.v[0].hint, "control character"),
	       "an ESC gets the control-character hint, not the UTF-8 one", &d);
	done(p, &d);
	p = load_yaml("version: 1\npolicy: |\n  rule r\xff:\n    block exec \"x\"\n", &d);
	expect(!p && d.n == 1 && d.v[0].hint && strstr(d.v[0].hint, "UTF-8"),
	       "invalid UTF-8 gets the UTF-8 hint", &d);
	done(p, &d);
	{
		/* the printed diagnostics carry no raw control byte */
		char *buf = NULL;
		size_t len = 0, i;
		FILE *f = open_memstream(&buf, &len);
		bool raw = false;

		p = load_dsl("rule r:\n  block exec \"a\x1b]0;pwned\x07\" \"b\x1b[2J\"\n  blok \"\x1b[31m\"\n", &d);
		ap_diag_print(f, &d, false);
		fclose(f);
		for (i = 0; i < len; i++)
			raw |= (buf[i] < 0x20 && buf[i] != '\n') || buf[i] == 0x7f;
		expect(!p && d.errors && !raw && strstr(buf, "\\x1b"),
		       "diagnostics quoting policy text print control characters escaped", &d);
		free(buf);
		done(p, &d);
	}
}

/* ---- linear checking, limit errors once (item 8) ------------------------- */

static char *many_rules(size_t n, size_t *len)
{
	size_t cap = 64 + n * 96, i;
	char *text = malloc(cap), *t = text;

	t += sprintf(t, "version: 1\npolicy: |\n  source SECRET = file \"**/.env\"\n");
	for (i = 0; i < n; i++)
		t += sprintf(t, "  rule r%zu:\n    block write file \"/data/d%zu/**\" if SECRET\n    because \"r%zu\"\n",
			     i, i, i);
	*len = t - text;
	return text;
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

TEST(scaling)
{
	struct ap_diag d;
	struct ap_policy *p;
	size_t len;
	char *text = many_rules(16000, &len);
	double t0, t1;

	ap_diag_init(&d);
	t0 = now();
	p = ap_policy_load_string(text, len, "/w/actplane.yaml", NULL, &d);
	t1 = now();
	/* the time is reported, not asserted: no timing thresholds in tests */
	RESULT(p && p->n_rules == 16000, "16,000 rules compile",
	       "%s", p ? "wrong rule count" : "failed");
	printf("# 16,000 rules: %.3f s\n", t1 - t0);
	done(p, &d);
	free(text);

	text = many_rules(AP_MAX_RULES + 300, &len);
	ap_diag_init(&d);
	p = ap_policy_load_string(text, len, "/w/actplane.yaml", NULL, &d);
	expect(!p && d.errors == 1 && count(&d, "too many rules") == 1 &&
	       d.v[0].line == 3 + 3 * AP_MAX_RULES + 1,
	       "300 rules over the limit: one error, at the first rule over it", &d);
	done(p, &d);
	free(text);
}

TEST_HARNESS_MAIN
