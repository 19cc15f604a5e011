// SPDX-License-Identifier: GPL-2.0-only
/*
 * Host tests for the path matchers: the glob semantics, the classifier (and
 * the property that class-specific matching agrees with the full glob on
 * every pattern x path of a table), pattern resolution, argv matching and
 * condition programs.
 */
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "policy/policy.h"

struct gcase {
	const char *pattern, *path;
	bool match;
};

static const struct gcase globs[] = {
	/* the one from the brief: basename-exact, not a suffix */
	{ "**/.env", "/x/.env", true },
	{ "**/.env", "/x/example.env", false },
	{ "**/.env", "/.env", true },
	{ "**/.env", "/a/b/c/.env", true },
	{ "**/.env", "/a/.env/b", false },
	/* '*' stays within a segment */
	{ "/src/*.c", "/src/main.c", true },
	{ "/src/*.c", "/src/a/main.c", false },
	{ "/src/*", "/src/", true },
	{ "/src/*", "/src/x/y", false },
	{ "*", "/abs", false },
	/* '**' spans segments, incl. zero of them */
	{ "/src/**", "/src/a/b/c.c", true },
	{ "/src/**", "/src/", true },
	{ "/src/**", "/src", false },
	{ "/src/**", "/srcx/a", false },
	{ "/a/**/b", "/a/b", true },
	{ "/a/**/b", "/a/x/b", true },
	{ "/a/**/b", "/a/x/y/z/b", true },
	{ "/a/**/b", "/a/xb", false },
	{ "/a/**/b", "/a/x/bb", false },
	{ "**/*.pem", "/etc/ssl/key.pem", true },
	{ "**/*.pem", "/etc/ssl/key.pem/x", false },
	{ "**/*.pem", "/x.pem", true },
	{ "**", "/anything/at/all", true },
	{ "**", "/", true },
	{ "**/*", "/a/b", true },
	{ "/**", "/a", true },
	/* '?' is one non-'/' character */
	{ "/tmp/?.txt", "/tmp/a.txt", true },
	{ "/tmp/?.txt", "/tmp/ab.txt", false },
	{ "/tmp/?.txt", "/tmp//.txt", false },
	{ "/tmp/a?c", "/tmp/a/c", false },
	/* literal parts */
	{ "/usr/bin/git", "/usr/bin/git", true },
	{ "/usr/bin/git", "/usr/bin/gitk", false },
	{ "**/git", "/usr/bin/git", true },
	{ "**/git", "/usr/bin/digit", false },
	{ "**/deploy*", "/opt/bin/deploy-prod", true },
	{ "**/deploy*", "/opt/deploy/x", false },
	{ "**/src/**", "/w/src/a.c", true },
	{ "**/src/**", "/w/srcs/a.c", false },
	{ "/w/src/**/test_*.py", "/w/src/test_a.py", true },
	{ "/w/src/**/test_*.py", "/w/src/pkg/sub/test_b.py", true },
	{ "/w/src/**/test_*.py", "/w/src/pkg/b_test.py", false },
	{ "/a/**/**/b", "/a/b", true },
	{ "/a/*/**/b", "/a/x/b", true },
	{ "/a/*/**/b", "/a/b", false },
	{ "/a/**b", "/a/x/yb", true },
	{ "", "", true },
	{ "", "/", false },
};

/* deep paths: far beyond the 64-byte buffers of the reference engine */
static char deep_path[600], deep_pat[600], deep_pat2[600];

TEST(globs)
{
	size_t i;
	char name[512];
	int bad = 0;

	for (i = 0; i < sizeof(globs) / sizeof(globs[0]); i++) {
		const struct gcase *c = &globs[i];
		bool got = ap_glob_match(c->pattern, c->path);

		snprintf(name, sizeof(name), "glob \"%s\" %s \"%s\"", c->pattern,
			 c->match ? "matches" : "does not match", c->path);
		RESULT(got == c->match, name, "got %d", got);
		bad += got != c->match;
	}
	(void)bad;

	strcpy(deep_path, "/work");
	while (strlen(deep_path) < 500)
		strcat(deep_path, "/deeply-nested-directory");
	strcat(deep_path, "/secret.env");
	snprintf(deep_pat, sizeof(deep_pat), "%s", deep_path);
	RESULT(ap_glob_match("**/secret.env", deep_path),
	       "glob basename matches a 500+ byte path", NULL);
	RESULT(ap_glob_match(deep_pat, deep_path),
	       "exact 500+ byte pattern matches itself", NULL);
	snprintf(deep_pat2, sizeof(deep_pat2), "%.*s**",
		 (int)(strchr(deep_path + 200, '/') - deep_path + 1), deep_path);
	RESULT(ap_glob_match(deep_pat2, deep_path),
	       "prefix pattern longer than 200 bytes matches", NULL);
	deep_pat[strlen(deep_pat) - 1] = 'X';
	RESULT(!ap_glob_match(deep_pat, deep_path),
	       "deep exact pattern differing in the last byte does not match",
	       NULL);
}

/* pathological patterns must stay fast (NFA, no backtracking) */
TEST(no_blowup)
{
	char pat[300] = "", path[300] = "";
	int i;

	for (i = 0; i < 40; i++)
		strcat(pat, "**a");
	strcat(pat, "b");
	for (i = 0; i < 200; i++)
		strcat(path, "a");
	RESULT(!ap_glob_match(pat, path),
	       "40 x \"**a\" against 200 'a's fails without backtracking",
	       NULL);
}

struct ccase {
	const char *pattern;
	enum ap_match_class cls;
	const char *literal;
};

static const struct ccase classes[] = {
	{ "**", AP_MATCH_ANY, "" },
	{ "**/*", AP_MATCH_ANY, "" },
	{ "/**", AP_MATCH_ANY, "" },
	{ "/usr/bin/git", AP_MATCH_EXACT, "/usr/bin/git" },
	{ "**/git", AP_MATCH_BASENAME, "git" },
	{ "**/.env", AP_MATCH_BASENAME, ".env" },
	{ "/w/src/**", AP_MATCH_PREFIX, "/w/src/" },
	{ "/w/src/**/*", AP_MATCH_PREFIX, "/w/src/" },
	{ "**/*.pem", AP_MATCH_SUFFIX, ".pem" },
	{ "**/etc/passwd", AP_MATCH_SUFFIX, "/etc/passwd" },
	{ "**/deploy*", AP_MATCH_GLOB, "**/deploy*" },
	{ "/w/*/x", AP_MATCH_GLOB, "/w/*/x" },
	{ "/w/src/**/test_*.py", AP_MATCH_GLOB, "/w/src/**/test_*.py" },
	{ "**/src/**", AP_MATCH_GLOB, "**/src/**" },
	{ "/tmp/?", AP_MATCH_GLOB, "/tmp/?" },
};

static const char *const paths[] = {
	"/", "/.env", "/x/.env", "/x/example.env", "/w/src/", "/w/src/a.c",
	"/w/src/pkg/test_a.py", "/w/srcx/a", "/w/src", "/usr/bin/git",
	"/usr/local/bin/git", "/usr/bin/gitk", "/git", "/opt/deploy-prod",
	"/k/key.pem", "/k/key.pem.bak", "/.pem", "/etc/passwd",
	"/x/etc/passwd", "/etc/passwdx", "/w/a/x", "/w/a/b/x", "/tmp/a",
	"/tmp/ab", "/a/.env/b",
};

TEST(classes)
{
	size_t i, j;
	char name[256];

	for (i = 0; i < sizeof(classes) / sizeof(classes[0]); i++) {
		const struct ccase *c = &classes[i];
		const char *lit;
		size_t len;
		enum ap_match_class cls = ap_glob_classify(c->pattern, &lit, &len);
		bool ok = cls == c->cls && len == strlen(c->literal) &&
			  !memcmp(lit, c->literal, len);

		snprintf(name, sizeof(name), "classify \"%s\" as %s \"%s\"",
			 c->pattern, ap_match_class_name(c->cls), c->literal);
		RESULT(ok, name, "got %s \"%.*s\"", ap_match_class_name(cls),
		       (int)len, lit);
	}

	/* the property: class match == full glob match, over the table */
	for (i = 0; i < sizeof(classes) / sizeof(classes[0]); i++) {
		const char *pat = classes[i].pattern, *lit;
		size_t len, bad = 0;
		enum ap_match_class cls = ap_glob_classify(pat, &lit, &len);
		const char *first = NULL;

		for (j = 0; j < sizeof(paths) / sizeof(paths[0]); j++) {
			if (ap_class_match(cls, lit, len, pat, paths[j]) !=
			    ap_glob_match(pat, paths[j])) {
				bad++;
				if (!first)
					first = paths[j];
			}
		}
		for (j = 0; j < sizeof(globs) / sizeof(globs[0]); j++) {
			if (globs[j].path[0] != '/')
				continue;
			if (ap_class_match(cls, lit, len, pat, globs[j].path) !=
			    ap_glob_match(pat, globs[j].path)) {
				bad++;
				if (!first)
					first = globs[j].path;
			}
		}
		snprintf(name, sizeof(name),
			 "class match agrees with glob for \"%s\" on all table paths",
			 pat);
		RESULT(!bad, name, "%zu disagreements, first on \"%s\"", bad,
		       first);
	}
	/* and for every glob-table pattern the classifier picks */
	{
		size_t bad = 0;

		for (i = 0; i < sizeof(globs) / sizeof(globs[0]); i++) {
			const char *lit;
			size_t len;
			enum ap_match_class cls;

			if (globs[i].path[0] != '/' || !globs[i].pattern[0])
				continue;
			cls = ap_glob_classify(globs[i].pattern, &lit, &len);
			for (j = 0; j < sizeof(paths) / sizeof(paths[0]); j++)
				bad += ap_class_match(cls, lit, len, globs[i].pattern,
						      paths[j]) !=
				       ap_glob_match(globs[i].pattern, paths[j]);
		}
		RESULT(!bad, "classification property over glob table x paths",
		       "%zu disagreements", bad);
	}
}

struct rcase {
	const char *pattern;
	bool exec;
	const char *want;	/* NULL: error */
};

static const struct rcase resolves[] = {
	{ "src/**", false, "/work/proj/src/**" },
	{ "./src/**", false, "/work/proj/src/**" },
	{ "src/../lib/*.c", false, "/work/proj/lib/*.c" },
	{ "../shared/**", false, "/work/shared/**" },
	{ "/etc//passwd", false, "/etc/passwd" },
	{ "/a/./b/", false, "/a/b/" },
	{ "**/.env", false, "**/.env" },
	{ ".env", false, "/work/proj/.env" },
	{ "git", true, "**/git" },
	{ "**", true, "**" },
	{ "*", true, "**/*" },
	{ "/usr/bin/git", true, "/usr/bin/git" },
	{ "scripts/deploy.sh", true, "/work/proj/scripts/deploy.sh" },
	{ "~/.ssh/**", false, NULL },
	{ "", false, NULL },
	{ "/a/*/../b", false, NULL },
};

TEST(resolve)
{
	size_t i;
	char name[256];

	for (i = 0; i < sizeof(resolves) / sizeof(resolves[0]); i++) {
		const struct rcase *c = &resolves[i];
		const char *why = NULL;
		char *got = ap_pattern_resolve(c->pattern, c->exec, "/work/proj",
					       &why);

		snprintf(name, sizeof(name), "resolve %s \"%s\" -> %s",
			 c->exec ? "exec" : "file", c->pattern,
			 c->want ? c->want : "error");
		if (c->want)
			RESULT(got && !strcmp(got, c->want), name, "got %s (%s)",
			       got ? got : "NULL", why ? why : "");
		else
			RESULT(!got && why, name, "got %s", got ? got : "NULL");
		free(got);
	}
	{
		char *big = malloc(5000), *got;
		const char *why = NULL;

		memset(big, 'a', 4999);
		big[0] = '/';
		big[4999] = '\0';
		got = ap_pattern_resolve(big, false, "/", &why);
		RESULT(!got && why && strstr(why, "PATH_MAX"),
		       "pattern longer than PATH_MAX is rejected", "%s",
		       why ? why : "accepted");
		free(got);
		big[4000] = '\0';
		got = ap_pattern_resolve(big, false, "/", &why);
		RESULT(got && strlen(got) == 4000,
		       "4000-byte pattern is accepted", NULL);
		free(got);
		free(big);
	}
}

TEST(argv)
{
	char *argv[] = { "git", "push", "--force", "origin", "main" };
	char *w1[] = { "push" }, *w2[] = { "push", "--force" };
	char *w3[] = { "--force", "push" }, *w4[] = { "git" };

	RESULT(ap_argv_match(w1, 1, argv, 5), "argv: one argument present", NULL);
	RESULT(ap_argv_match(w2, 2, argv, 5), "argv: two arguments in order", NULL);
	RESULT(!ap_argv_match(w3, 2, argv, 5), "argv: order matters", NULL);
	RESULT(!ap_argv_match(w4, 1, argv, 5),
	       "argv: argv[0] is not an argument", NULL);
	RESULT(ap_argv_match(NULL, 0, argv, 1), "argv: no arguments wanted", NULL);
}

TEST(expr)
{
	/* (A or B) and not C with A=0 B=1 C=2 */
	struct ap_expr_insn e[] = {
		{ AP_EXPR_PUSH_LABEL, 0 }, { AP_EXPR_PUSH_LABEL, 1 },
		{ AP_EXPR_OR, 0 },	   { AP_EXPR_PUSH_LABEL, 2 },
		{ AP_EXPR_NOT, 0 },	   { AP_EXPR_AND, 0 },
	};
	struct ap_expr_insn bad[] = { { AP_EXPR_AND, 0 } };
	struct ap_expr_insn t[] = { { AP_EXPR_PUSH_TRUE, 0 } };

	RESULT(ap_expr_eval(e, 6, 0x1) == 1, "expr: A -> true", NULL);
	RESULT(ap_expr_eval(e, 6, 0x2) == 1, "expr: B -> true", NULL);
	RESULT(ap_expr_eval(e, 6, 0x5) == 0, "expr: A and C -> false", NULL);
	RESULT(ap_expr_eval(e, 6, 0x0) == 0, "expr: nothing -> false", NULL);
	RESULT(ap_expr_eval(bad, 1, 0) == -1, "expr: stack underflow is malformed",
	       NULL);
	RESULT(ap_expr_eval(t, 1, 0) == 1, "expr: true", NULL);
}

TEST_HARNESS_MAIN
