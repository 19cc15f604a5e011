// SPDX-License-Identifier: GPL-2.0-only
/*
 * Corpus tests: every policy under selftests/host/corpus/valid must load
 * without errors or warnings (check --strict); every policy under
 * corpus/invalid must fail with the message and position in its sibling
 * .expect file ("LINE:COL fragment" or just "fragment").  The YAML examples
 * in docs/policy-language.md and the starter policy must check too.
 *
 * Data files are found relative to $ACTPLANE_TOP (default ".").
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "policy/policy.h"

static const char *top(void)
{
	const char *t = getenv("ACTPLANE_TOP");

	return t && *t ? t : ".";
}

static char *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "r");
	char *buf;
	long n;

	if (!f)
		return NULL;
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	fseek(f, 0, SEEK_SET);
	buf = malloc(n + 1);
	if (fread(buf, 1, n, f) != (size_t)n) {
		fclose(f);
		free(buf);
		return NULL;
	}
	buf[n] = '\0';
	fclose(f);
	if (len)
		*len = n;
	return buf;
}

static int cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* sorted *.yaml names in dir */
static size_t list_yaml(const char *dir, char ***out)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	char **v = NULL;
	size_t n = 0;

	if (!d)
		return 0;
	while ((e = readdir(d))) {
		size_t l = strlen(e->d_name);

		if (l > 5 && !strcmp(e->d_name + l - 5, ".yaml")) {
			v = realloc(v, (n + 1) * sizeof(*v));
			v[n++] = strdup(e->d_name);
		}
	}
	closedir(d);
	qsort(v, n, sizeof(*v), cmp);
	*out = v;
	return n;
}

/* The .yaml files of corpus/@sub (sorted), in @dir; at least @min of them. */
static size_t corpus_files(const char *sub, size_t min, char *dir, size_t dir_len, char ***files)
{
	char name[128];
	size_t n;

	snprintf(dir, dir_len, "%s/selftests/host/corpus/%s", top(), sub);
	n = list_yaml(dir, files);
	snprintf(name, sizeof(name), "%s corpus has at least %zu policies", sub, min);
	RESULT(n >= min, name, "%zu", n);
	return n;
}

static void first_messages(const struct ap_diag *d, char *buf, size_t len)
{
	size_t i, o = 0;

	buf[0] = '\0';
	for (i = 0; i < d->n && i < 3 && o < len; i++)
		o += snprintf(buf + o, len - o, "%s%u:%u %s", i ? "; " : "",
			      d->v[i].line, d->v[i].col, d->v[i].message);
}

TEST(valid)
{
	char dir[4096], path[4200], name[4300], msgs[1024];
	char **files;
	size_t n, i;

	n = corpus_files("valid", 20, dir, sizeof(dir), &files);
	for (i = 0; i < n; i++) {
		struct ap_diag d;
		struct ap_policy *p;

		snprintf(path, sizeof(path), "%s/%s", dir, files[i]);
		snprintf(name, sizeof(name), "valid corpus %s checks strictly",
			 files[i]);
		ap_diag_init(&d);
		p = ap_policy_load_file(path, NULL, &d);
		first_messages(&d, msgs, sizeof(msgs));
		RESULT(p && !d.warnings && p->n_rules > 0, name, "%s", msgs);
		ap_policy_free(p);
		ap_diag_free(&d);
		free(files[i]);
	}
	free(files);
}

TEST(invalid)
{
	char dir[4096], path[4200], name[4300], msgs[1024];
	char **files;
	size_t n, i;

	n = corpus_files("invalid", 10, dir, sizeof(dir), &files);
	for (i = 0; i < n; i++) {
		struct ap_diag d;
		struct ap_policy *p;
		char *expect, *frag, *nl;
		unsigned line = 0, col = 0;
		const struct ap_diag_entry *e;
		int used = 0;

		snprintf(path, sizeof(path), "%s/%.*s.expect", dir,
			 (int)(strlen(files[i]) - 5), files[i]);
		expect = slurp(path, NULL);
		snprintf(name, sizeof(name), "invalid corpus %s is rejected as expected",
			 files[i]);
		if (!expect) {
			RESULT(0, name, "no .expect file");
			free(files[i]);
			continue;
		}
		nl = strchr(expect, '\n');
		if (nl)
			*nl = '\0';
		frag = expect;
		if (sscanf(expect, "%u:%u %n", &line, &col, &used) == 2 && used)
			frag = expect + used;
		snprintf(path, sizeof(path), "%s/%s", dir, files[i]);
		ap_diag_init(&d);
		p = ap_policy_load_file(path, NULL, &d);
		e = ap_diag_find(&d, frag);
		first_messages(&d, msgs, sizeof(msgs));
		RESULT(!p && e && e->severity == AP_SEV_ERROR &&
		       (!line || (e->line == line && e->col == col)) &&
		       e->hint && e->file, name,
		       "wanted %u:%u \"%s\", got: %s", line, col, frag, msgs);
		ap_policy_free(p);
		ap_diag_free(&d);
		free(expect);
		free(files[i]);
	}
	free(files);
}

/* the text of a corpus file without its leading comment lines */
static char *corpus_body(const char *path)
{
	char *s = slurp(path, NULL), *b;
	size_t l;

	if (!s)
		return NULL;
	for (b = s; *b == '#'; ) {
		char *nl = strchr(b, '\n');

		if (!nl)
			break;
		b = nl + 1;
	}
	memmove(s, b, strlen(b) + 1);
	l = strlen(s);
	while (l && s[l - 1] == '\n')
		s[--l] = '\0';
	return s;
}

/* is this docs example one of the corpus files under @sub, verbatim? */
static bool in_corpus(const char *sub, const char *body, size_t len)
{
	char dir[4096], path[4200];
	char **files;
	size_t n, i;
	bool found = false;

	snprintf(dir, sizeof(dir), "%s/selftests/host/corpus/%s", top(), sub);
	n = list_yaml(dir, &files);
	for (i = 0; i < n; i++) {
		char *c;

		snprintf(path, sizeof(path), "%s/%s", dir, files[i]);
		c = corpus_body(path);
		if (c && strlen(c) == len && !memcmp(c, body, len))
			found = true;
		free(c);
		free(files[i]);
	}
	free(files);
	return found;
}

/* every ```yaml block in the language reference that holds a policy */
TEST(docs)
{
	char path[4096], name[256], msgs[1024];
	char *doc, *s;
	unsigned n = 0, bad = 0, missing = 0;

	snprintf(path, sizeof(path), "%s/docs/policy-language.md", top());
	doc = slurp(path, NULL);
	RESULT(doc != NULL, "docs/policy-language.md exists", NULL);
	if (!doc)
		return;
	for (s = doc; (s = strstr(s, "```yaml\n")); ) {
		char *body = s + 8, *end = strstr(body, "\n```");
		struct ap_diag d;
		struct ap_policy *p;

		if (!end)
			break;
		s = end + 4;
		if (!strstr(body, "policy:") && !strstr(body, "rules:"))
			continue;
		n++;
		if (!in_corpus("valid", body, end - body)) {
			snprintf(name, sizeof(name),
				 "docs example %u is a valid corpus file", n);
			RESULT(0, name, "not found verbatim in corpus/valid");
			missing++;
		}
		ap_diag_init(&d);
		p = ap_policy_load_string(body, end + 1 - body,
					  "/work/proj/actplane.yaml", NULL, &d);
		if (!p || d.warnings) {
			first_messages(&d, msgs, sizeof(msgs));
			snprintf(name, sizeof(name), "docs example %u checks", n);
			RESULT(0, name, "%s", msgs);
			bad++;
		}
		ap_policy_free(p);
		ap_diag_free(&d);
	}
	RESULT(n >= 11 && !bad,
	       "every policy example in docs/policy-language.md checks strictly",
	       "%u examples, %u bad", n, bad);
	RESULT(n >= 11 && !missing,
	       "every policy example in the docs is in the valid corpus",
	       "%u examples, %u missing", n, missing);
	free(doc);
}

/*
 * Check the policy in @text (NULL: the file @path) as `check --strict
 * --session` does: a session policy's labels are the machine's (no warning
 * that one lacks a source), and what it may not have is an error.  0 if it
 * passes; else the diagnostics (the session check's error among them) in
 * @msgs, and the first error's line and column.
 */
static int session_check(const char *path, const char *text, size_t len, char *msgs,
			 size_t msgs_len, unsigned *line, unsigned *col)
{
	const struct ap_diag_entry *e;
	struct ap_diag d;
	struct ap_policy *p;
	size_t i, o;
	int ret = -1;

	*line = *col = 0;
	ap_diag_init(&d);
	p = text ? ap_policy_load_string(text, len, path, NULL, &d) :
		   ap_policy_load_file(path, NULL, &d);
	ap_diag_session_policy(&d);
	if (p && !ap_policy_session_check(p, &d) && !d.warnings)
		ret = 0;
	first_messages(&d, msgs, msgs_len);
	/* the first error (else the first warning): where, and its hint */
	for (i = 0; i < d.n && d.v[i].severity != AP_SEV_ERROR; i++)
		;
	e = i < d.n ? &d.v[i] : d.n ? &d.v[0] : NULL;
	if (e) {
		*line = e->line;
		*col = e->col;
		o = strlen(msgs);
		if (e - d.v >= 3 && o < msgs_len)	/* not among those listed */
			o += snprintf(msgs + o, msgs_len - o, "; %u:%u %s", e->line, e->col, e->message);
		if (e->hint && o < msgs_len)
			snprintf(msgs + o, msgs_len - o, " hint: %s", e->hint);
	}
	ap_policy_free(p);
	ap_diag_free(&d);
	return ret;
}

/* corpus/session: workspace policies a user's session may have */
TEST(session)
{
	char dir[4096], path[4200], name[4300], msgs[1024];
	unsigned line, col;
	char **files;
	size_t n, i;

	n = corpus_files("session", 4, dir, sizeof(dir), &files);
	for (i = 0; i < n; i++) {
		snprintf(path, sizeof(path), "%s/%s", dir, files[i]);
		snprintf(name, sizeof(name), "session corpus %s checks strictly as a session policy",
			 files[i]);
		RESULT(!session_check(path, NULL, 0, msgs, sizeof(msgs), &line, &col), name, "%s",
		       msgs);
		free(files[i]);
	}
	free(files);
}

/*
 * corpus/session-invalid: valid policies that a session may not have; the
 * error is at the position in the .expect file ("LINE:COL fragment")
 */
TEST(session_invalid)
{
	char dir[4096], path[4200], name[4300], msgs[1024];
	unsigned line, col, want_line, want_col;
	char **files;
	size_t n, i;

	n = corpus_files("session-invalid", 3, dir, sizeof(dir), &files);
	for (i = 0; i < n; i++) {
		char *expect, *nl;
		int used = 0, ret;

		snprintf(path, sizeof(path), "%s/%.*s.expect", dir, (int)(strlen(files[i]) - 5),
			 files[i]);
		expect = slurp(path, NULL);
		snprintf(name, sizeof(name), "session-invalid corpus %s: refused as a session policy",
			 files[i]);
		if (!expect || sscanf(expect, "%u:%u %n", &want_line, &want_col, &used) != 2 ||
		    !used) {
			RESULT(0, name, "no LINE:COL in its .expect file");
			free(expect);
			free(files[i]);
			continue;
		}
		nl = strchr(expect, '\n');
		if (nl)
			*nl = '\0';
		snprintf(path, sizeof(path), "%s/%s", dir, files[i]);
		ret = session_check(path, NULL, 0, msgs, sizeof(msgs), &line, &col);
		RESULT(ret && line == want_line && col == want_col && strstr(msgs, expect + used) &&
		       strstr(msgs, "hint:"), name, "wanted %u:%u \"%s\", got %u:%u: %s", want_line,
		       want_col, expect + used, line, col, msgs);
		free(expect);
		free(files[i]);
	}
	free(files);
}

/* every ```yaml session block of the language reference (§8) */
TEST(docs_session)
{
	char path[4096], name[256], msgs[1024];
	unsigned n = 0, bad = 0, missing = 0, line, col;
	char *doc, *s;

	snprintf(path, sizeof(path), "%s/docs/policy-language.md", top());
	doc = slurp(path, NULL);
	if (!doc) {
		RESULT(0, "docs/policy-language.md exists", NULL);
		return;
	}
	for (s = doc; (s = strstr(s, "```yaml session\n")); ) {
		char *body = s + 16, *end = strstr(body, "\n```");

		if (!end)
			break;
		s = end + 4;
		n++;
		if (!in_corpus("session", body, end - body)) {
			snprintf(name, sizeof(name), "docs session example %u is in the session corpus", n);
			RESULT(0, name, "not found verbatim in corpus/session");
			missing++;
		}
		if (session_check("/work/proj/actplane.yaml", body, end + 1 - body, msgs, sizeof(msgs),
				  &line, &col)) {
			snprintf(name, sizeof(name), "docs session example %u checks", n);
			RESULT(0, name, "%s", msgs);
			bad++;
		}
	}
	RESULT(n >= 2 && !bad && !missing,
	       "every session policy example in docs/policy-language.md checks strictly as one, "
	       "and is in the session corpus", "%u examples, %u bad, %u missing", n, bad, missing);
	free(doc);
}

TEST(starter)
{
	struct ap_diag d;
	struct ap_policy *p;

	ap_diag_init(&d);
	p = ap_policy_load_string(ap_starter_policy, strlen(ap_starter_policy),
				  "/work/proj/actplane.yaml", NULL, &d);
	RESULT(p && !d.warnings && p->n_rules >= 3 && p->feedback_path &&
	       !strcmp(p->feedback_path, "/work/proj/.actplane/last-violation.txt"),
	       "starter policy checks strictly", "%s",
	       d.n ? d.v[0].message : "");
	ap_policy_free(p);
	ap_diag_free(&d);
}

TEST_HARNESS_MAIN
