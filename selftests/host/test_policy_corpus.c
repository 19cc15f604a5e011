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

	snprintf(dir, sizeof(dir), "%s/selftests/host/corpus/valid", top());
	n = list_yaml(dir, &files);
	RESULT(n >= 20, "valid corpus has at least 20 policies", "%zu", n);
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

	snprintf(dir, sizeof(dir), "%s/selftests/host/corpus/invalid", top());
	n = list_yaml(dir, &files);
	RESULT(n >= 10, "invalid corpus has at least 10 policies", "%zu", n);
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

/* is this docs example one of the valid corpus files, verbatim? */
static bool in_corpus(const char *body, size_t len)
{
	char dir[4096], path[4200];
	char **files;
	size_t n, i;
	bool found = false;

	snprintf(dir, sizeof(dir), "%s/selftests/host/corpus/valid", top());
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
		if (!in_corpus(body, end - body)) {
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
