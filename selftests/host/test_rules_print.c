// SPDX-License-Identifier: GPL-2.0-only
/*
 * The rules printer shared by `actplane compile --dump` and `actplane rules`
 * (ap_policy_dump_rules), and the unified diff `actplane rules --diff`
 * prints (userspace/textdiff.c, compiled in here).
 */
#include <stdlib.h>
#include <string.h>

#include "policy/policy.h"
#include "harness.h"
#include "../../userspace/textdiff.c"

static const char policy_text[] =
	"version: 1\n"
	"policy: |\n"
	"  source secret = file \"**/.env\"\n"
	"  source agent = exec \"claude\"\n"
	"  rule no-exfil:\n"
	"    block connect \"*\" if secret and not agent\n"
	"    because \"Secrets stay here.\"\n"
	"  rule prod-db:\n"
	"    block open \"/srv/prod.db\" unless lineage-includes exec \"migrate\"\n"
	"    because \"migrations only\"\n"
	"  rule tested:\n"
	"    block exec \"git\" \"commit\" \"-m\" unless after exec \"make\" \"check\" since write \"/w/src/**\"\n"
	"    because \"run the tests\"\n"
	"  rule egress:\n"
	"    notify connect \"*:443\" unless target \"127.0.0.0/8\"\n"
	"    kill write \"/etc/**\" unless target not \"/etc/ok/**\"\n"
	"    because \"back\\slash, \xe2\x80\xae reversed\"\n";

static const char want_portable[] =
	"rules (4):\n"
	"  r0 no-exfil\n"
	"      because: Secrets stay here.\n"
	"      c0 block connect endpoint * if secret and not agent\n"
	"  r1 prod-db\n"
	"      because: migrations only\n"
	"      c0 block open file exact \"/srv/prod.db\" unless lineage l0\n"
	"  r2 tested\n"
	"      because: run the tests\n"
	"      c0 block exec basename \"git\" \"commit\" \"-m\" unless after g0\n"
	"  r3 egress\n"
	"      because: back\\\\slash, \\u202e reversed\n"
	"      c0 notify connect endpoint :443 unless target endpoint 127.0.0.0/8\n"
	"      c1 kill write file prefix \"/etc/\" unless target not file prefix \"/etc/ok/\"\n";

static char *print(const struct ap_policy *p, unsigned flags, bool full)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	if (full)
		ap_policy_dump_text(f, p);
	else
		ap_policy_dump_rules(f, p, flags);
	fclose(f);
	return buf;
}

/* the rules section of `compile --dump` without the "  (line N)" notes
 * (not inlined: GCC then takes the memstream buffer for a dangling pointer) */
static __attribute__((__noinline__)) char *rules_section(const char *dump)
{
	const char *s = strstr(dump, "\nrules (");
	const char *e = s ? strstr(s, "\nindex (") : NULL;
	char *out, *o;

	if (!s || !e)
		return strdup("");
	out = o = calloc(1, (size_t)(e - s) + 2);
	for (s++; s <= e; s++) {
		if (!strncmp(s, "  (line ", 8)) {
			s = strchr(s, ')');
			continue;
		}
		*o++ = *s;
	}
	return out;
}

TEST(printer)
{
	struct ap_diag d;
	struct ap_policy *p;
	char *portable, *full, *section, *lines;

	ap_diag_init(&d);
	p = ap_policy_load_string(policy_text, sizeof(policy_text) - 1, "/w/actplane.yaml",
				  NULL, &d);
	RESULT(p != NULL, "rules printer: the test policy compiles", "%u errors", d.errors);
	if (!p) {
		ap_diag_print(stdout, &d, false);
		ap_diag_free(&d);
		return;
	}
	portable = print(p, AP_DUMP_PORTABLE, false);
	RESULT(!strcmp(portable, want_portable),
	       "rules printer: effect, op, target, arguments, if, unless, because (escaped)",
	       "got:\n%s", portable);
	full = print(p, 0, true);
	section = rules_section(full);
	RESULT(!strcmp(section, portable),
	       "rules printer: compile --dump prints the same rules (plus source lines)",
	       "compile --dump section:\n%s", section);
	lines = print(p, 0, false);
	RESULT(strstr(lines, "  r0 no-exfil  (line 5)\n") != NULL,
	       "rules printer: without AP_DUMP_PORTABLE each rule names its line", "%s", lines);
	free(portable);
	free(full);
	free(section);
	free(lines);
	ap_policy_free(p);
	ap_diag_free(&d);
}

static char *diff(const char *a, const char *b, bool *differ)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	*differ = ap_text_diff(f, "A", a, "B", b);
	fclose(f);
	return buf;
}

static void expect_diff(const char *name, const char *a, const char *b, const char *want)
{
	bool differ;
	char *got = diff(a, b, &differ);

	RESULT(differ == (want[0] != 0) && !strcmp(got, want), name, "got:\n%s", got);
	free(got);
}

TEST(diff)
{
	expect_diff("diff: equal texts print nothing", "a\nb\n", "a\nb\n", "");
	expect_diff("diff: one changed line with context",
		    "1\n2\n3\n4\n5\n6\n7\n8\n", "1\n2\n3\n4\nX\n6\n7\n8\n",
		    "--- A\n+++ B\n@@ -2,7 +2,7 @@\n 2\n 3\n 4\n-5\n+X\n 6\n 7\n 8\n");
	expect_diff("diff: a line added at the end",
		    "a\nb\n", "a\nb\nc\n",
		    "--- A\n+++ B\n@@ -1,2 +1,3 @@\n a\n b\n+c\n");
	expect_diff("diff: a line removed at the start",
		    "a\nb\n", "b\n",
		    "--- A\n+++ B\n@@ -1,2 +1,1 @@\n-a\n b\n");
	expect_diff("diff: everything added to an empty text",
		    "", "a\n",
		    "--- A\n+++ B\n@@ -0,0 +1,1 @@\n+a\n");
	expect_diff("diff: far-apart changes make two hunks",
		    "1\n2\n3\n4\n5\n6\n7\n8\n9\n10\n11\n12\n",
		    "X\n2\n3\n4\n5\n6\n7\n8\n9\n10\n11\nY\n",
		    "--- A\n+++ B\n@@ -1,4 +1,4 @@\n-1\n+X\n 2\n 3\n 4\n"
		    "@@ -9,4 +9,4 @@\n 9\n 10\n 11\n-12\n+Y\n");
	expect_diff("diff: near changes share a hunk",
		    "1\n2\n3\n4\n5\n", "X\n2\n3\n4\nY\n",
		    "--- A\n+++ B\n@@ -1,5 +1,5 @@\n-1\n+X\n 2\n 3\n 4\n-5\n+Y\n");
	expect_diff("diff: a reordered line is a removal and an addition",
		    "a\nb\nc\n", "b\na\nc\n",
		    "--- A\n+++ B\n@@ -1,3 +1,3 @@\n-a\n b\n+a\n c\n");
}

TEST_HARNESS_MAIN
