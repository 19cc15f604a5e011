// SPDX-License-Identifier: GPL-2.0-only
/*
 * Path patterns: the reference glob matcher, the classifier that turns a glob
 * into the cheap class the module indexes (exact / basename / prefix /
 * suffix / any / glob), pattern resolution (basename rule for exec, relative
 * patterns against the policy directory) and the evaluation helpers (argv,
 * condition programs): the module's, from include/actplane/decide.h.
 */
#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <actplane/decide.h>
#include <actplane/match.h>
#include "internal.h"

/* ---- glob matcher -------------------------------------------------------- */

/*
 * The module's matcher, from the same source (include/actplane/match.h): a
 * small NFA simulated over the path with a set of active positions,
 * O(pattern * path) time, no backtracking, so no input can make it blow up.
 */
bool ap_glob_match(const char *pattern, const char *path)
{
	struct apm_pos stack[APM_GLOB_STACK_POS], *g = stack;
	size_t plen = strlen(pattern);
	unsigned long *heap = NULL;
	unsigned int n;
	bool ok;

	if (plen > APM_GLOB_STACK_POS)	/* at most one position per byte */
		g = ap_xmalloc(plen * sizeof(*g));
	n = apm_glob_compile(pattern, g);
	if (n > APM_GLOB_STACK_POS)
		heap = ap_xcalloc(APM_GLOB_HEAP_LONGS(n), sizeof(*heap));
	ok = apm_glob_run(g, n, path, heap);
	free(heap);
	if (g != stack)
		free(g);
	return ok;
}

/* ---- classification ------------------------------------------------------ */

static bool has_wild(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (s[i] == '*' || s[i] == '?')
			return true;
	return false;
}

enum ap_match_class ap_glob_classify(const char *p, const char **lit,
				     size_t *lit_len)
{
	size_t len = strlen(p);
	const char *rest;
	size_t rlen;

	*lit = p;
	*lit_len = 0;
	if (!strcmp(p, "**") || !strcmp(p, "**/*") || !strcmp(p, "/**") ||
	    !strcmp(p, "/**/*"))
		return AP_MATCH_ANY;
	if (!has_wild(p, len)) {
		*lit_len = len;
		return AP_MATCH_EXACT;
	}
	/* "/dir/" + "**" (or + "**" + "/" + "*"): everything below /dir/ */
	if (len > 3 && p[0] == '/' && !strcmp(p + len - 3, "/**") &&
	    !has_wild(p, len - 3)) {
		*lit_len = len - 2;
		return AP_MATCH_PREFIX;
	}
	if (len > 5 && p[0] == '/' && !strcmp(p + len - 5, "/**/*") &&
	    !has_wild(p, len - 5)) {
		*lit_len = len - 4;
		return AP_MATCH_PREFIX;
	}
	if (len > 3 && !strncmp(p, "**/", 3)) {
		rest = p + 3;
		rlen = len - 3;
		/* "**" + "/name": the last component is name */
		if (!has_wild(rest, rlen) && !memchr(rest, '/', rlen)) {
			*lit = rest;
			*lit_len = rlen;
			return AP_MATCH_BASENAME;
		}
		/* "**" + "/a/b": the path ends with "/a/b" */
		if (!has_wild(rest, rlen)) {
			*lit = p + 2;
			*lit_len = len - 2;
			return AP_MATCH_SUFFIX;
		}
		/* "**" + "/" + "*.pem": the last component ends with ".pem" */
		if (rest[0] == '*' && rlen > 1 && !has_wild(rest + 1, rlen - 1) &&
		    !memchr(rest + 1, '/', rlen - 1)) {
			*lit = rest + 1;
			*lit_len = rlen - 1;
			return AP_MATCH_SUFFIX;
		}
	}
	*lit_len = len;
	return AP_MATCH_GLOB;
}

bool ap_class_match(enum ap_match_class cls, const char *lit, size_t lit_len,
		    const char *pattern, const char *path)
{
	int m = apm_class_match(cls, lit, lit_len, path, strlen(path));

	return m >= 0 ? m : ap_glob_match(pattern, path);
}

bool ap_matcher_match(const struct ap_matcher *m, const char *path)
{
	return ap_class_match(m->cls, m->literal, strlen(m->literal), m->glob,
			      path);
}

/* ---- resolution ----------------------------------------------------------- */

/*
 * Normalise an absolute (or "**"-leading) pattern: drop "." and empty
 * segments, fold ".." into the literal segment before it.  A trailing '/' is
 * kept (the DSL warns about it).
 */
static char *normalize(const char *in, const char **why)
{
	size_t len = strlen(in), n = 0, nseg = 0, cap = 16;
	size_t *segs;	/* start offsets in out of each kept segment */
	char *out = ap_xmalloc(len + 2);
	const char *p = in, *end;
	bool lead = in[0] == '/', trail = len > 1 && in[len - 1] == '/';

	segs = ap_xmalloc(cap * sizeof(*segs));
	if (lead)
		out[n++] = '/';
	while (*p) {
		size_t sl;

		while (*p == '/')
			p++;
		if (!*p)
			break;
		end = strchr(p, '/');
		sl = end ? (size_t)(end - p) : strlen(p);
		if (sl == 1 && p[0] == '.') {
			/* "." */
		} else if (sl == 2 && p[0] == '.' && p[1] == '.') {
			if (nseg) {
				size_t s = segs[nseg - 1];

				if (has_wild(out + s, n - s)) {
					*why = "'..' cannot follow a wildcard";
					free(out);
					free(segs);
					return NULL;
				}
				nseg--;
				n = s;
			} else if (!lead) {
				*why = "'..' cannot climb above the start of a pattern";
				free(out);
				free(segs);
				return NULL;
			}
			/* "/.." is "/" */
		} else {
			if (nseg && out[n - 1] != '/')
				out[n++] = '/';
			if (nseg == cap) {
				cap *= 2;
				segs = ap_xrealloc(segs, cap * sizeof(*segs));
			}
			segs[nseg++] = n;
			memcpy(out + n, p, sl);
			n += sl;
		}
		p += sl;
	}
	/* segments after a ".." pop leave "/x/" shapes: tidy the joint */
	if (n > 1 && out[n - 1] == '/' && !trail)
		n--;
	if (trail && n && out[n - 1] != '/')
		out[n++] = '/';
	if (!n)
		out[n++] = lead ? '/' : '.';
	out[n] = '\0';
	free(segs);
	return out;
}

char *ap_pattern_resolve(const char *pattern, bool exec, const char *base_dir,
			 const char **why)
{
	const char *dummy;
	char *joined, *out;

	if (!why)
		why = &dummy;
	*why = NULL;
	if (!pattern[0]) {
		*why = "empty pattern";
		return NULL;
	}
	if (exec && !strchr(pattern, '/')) {
		if (!strcmp(pattern, "**"))
			out = ap_xstrdup("**");
		else
			out = ap_xasprintf("**/%s", pattern);
	} else if (pattern[0] == '~') {
		*why = "'~' is not expanded in patterns";
		return NULL;
	} else if (pattern[0] == '/' || !strncmp(pattern, "**", 2)) {
		out = normalize(pattern, why);
	} else {
		if (!base_dir || base_dir[0] != '/') {
			*why = "relative pattern without a policy directory";
			return NULL;
		}
		joined = ap_xasprintf("%s/%s", base_dir, pattern);
		out = normalize(joined, why);
		free(joined);
	}
	if (out && strlen(out) >= AP_PATTERN_MAX) {
		*why = "pattern longer than PATH_MAX (4095 bytes)";
		free(out);
		return NULL;
	}
	return out;
}

const char *matcher_build(struct ap_arena *ar, struct ap_matcher *m,
			  const char *written, bool exec, const char *base_dir)
{
	const char *why = NULL, *lit;
	size_t lit_len;
	char *glob = ap_pattern_resolve(written, exec, base_dir, &why);

	if (!glob)
		return why ? why : "invalid pattern";
	m->glob = ar_strdup(ar, glob);
	m->written = ar_strdup(ar, written);
	m->cls = ap_glob_classify(m->glob, &lit, &lit_len);
	m->literal = ar_strndup(ar, lit, lit_len);
	free(glob);
	return NULL;
}

/* ---- evaluation helpers ----------------------------------------------------- */

/* An argv array, one argument at a time (apm_argv_match()): NULL entries never match. */
struct argv_cur {
	char *const *argv;
	size_t argc, i;
};

static const char *argv_next(void *arg)
{
	struct argv_cur *c = arg;

	if (!c->i && c->argc) {
		c->i = 1;
		return "";	/* argv[0]: never matched */
	}
	while (c->i < c->argc && !c->argv[c->i])
		c->i++;
	return c->i < c->argc ? c->argv[c->i++] : NULL;
}

bool ap_argv_match(char *const *want, size_t nwant, char *const *argv,
		   size_t argc)
{
	struct argv_cur cur = { .argv = argv, .argc = argc };

	return apm_argv_match((const char *const *)want, (unsigned int)nwant, argv_next, &cur);
}

/* The module's layout: the ACTPLANE_E_EXPR bytes, read as they are. */
_Static_assert(sizeof(struct ap_expr_insn) == 2 && offsetof(struct ap_expr_insn, op) == 0 &&
	       offsetof(struct ap_expr_insn, bit) == 1, "struct ap_expr_insn is not (op, bit)");
_Static_assert(AP_EXPR_MAX_DEPTH == APM_EXPR_MAX_DEPTH, "condition stack depth differs");

int ap_expr_eval(const struct ap_expr_insn *e, size_t n, uint64_t labels)
{
	return apm_expr_eval((const unsigned char (*)[2])e, (unsigned int)n, labels, true);
}

/* ---- names ------------------------------------------------------------------- */

const char *ap_op_name(enum ap_op op)
{
	static const char *const names[__ACTPLANE_OP_MAX] = ACTPLANE_OP_NAMES;

	return (unsigned)op < AP_OP__COUNT ? names[op] : "?";
}

const char *ap_effect_name(enum ap_effect e)
{
	static const char *const names[__ACTPLANE_EFFECT_MAX] = ACTPLANE_EFFECT_NAMES;

	return e >= AP_EFFECT_NOTIFY && e <= AP_EFFECT_KILL ? names[e] : "?";
}

const char *ap_match_class_name(enum ap_match_class c)
{
	switch (c) {
	case AP_MATCH_ANY:
		return "any";
	case AP_MATCH_EXACT:
		return "exact";
	case AP_MATCH_BASENAME:
		return "basename";
	case AP_MATCH_PREFIX:
		return "prefix";
	case AP_MATCH_SUFFIX:
		return "suffix";
	case AP_MATCH_GLOB:
		return "glob";
	}
	return "?";
}

const char *ap_target_kind_name(enum ap_target_kind k)
{
	switch (k) {
	case AP_TARGET_FILE:
		return "file";
	case AP_TARGET_EXEC:
		return "exec";
	case AP_TARGET_ENDPOINT:
		return "endpoint";
	}
	return "?";
}
