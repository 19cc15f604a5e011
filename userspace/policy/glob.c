// SPDX-License-Identifier: GPL-2.0-only
/*
 * Path patterns: the reference glob matcher, the classifier that turns a glob
 * into the cheap class the module indexes (exact / basename / prefix /
 * suffix / any / glob), pattern resolution (basename rule for exec, relative
 * patterns against the policy directory) and the small evaluation helpers
 * (argv, condition programs) that define the semantics the module follows.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

/* ---- glob matcher -------------------------------------------------------- */

/*
 * The pattern is compiled into a small NFA and simulated over the path with a
 * set of active positions: O(pattern * path) time, no backtracking, so no
 * input can make it blow up.
 */
enum gtok {
	G_LIT,		/* one literal character */
	G_QMARK,	/* one non-'/' character */
	G_STAR,		/* any run of non-'/' characters */
	G_DSTAR,	/* any run of characters */
	G_DSLASH,	/* "**" + '/': nothing, or any run ending in '/' */
	G_DSIN,		/* inside such a run (always follows G_DSLASH) */
};

struct gpos {
	unsigned char kind;
	char c;
};

static size_t glob_compile(const char *p, struct gpos *out)
{
	size_t n = 0;

	while (*p) {
		if (p[0] == '*' && p[1] == '*') {
			if (p[2] == '/') {
				out[n++].kind = G_DSLASH;
				out[n++].kind = G_DSIN;
				p += 3;
			} else {
				out[n++].kind = G_DSTAR;
				p += 2;
			}
		} else if (*p == '*') {
			out[n++].kind = G_STAR;
			p++;
		} else if (*p == '?') {
			out[n++].kind = G_QMARK;
			p++;
		} else {
			out[n].kind = G_LIT;
			out[n++].c = *p++;
		}
	}
	return n;
}

#define BIT_SET(s, i)	((s)[(i) / 64] |= 1ULL << ((i) % 64))
#define BIT_TEST(s, i)	(((s)[(i) / 64] >> ((i) % 64)) & 1)

/* add position i and everything reachable from it without input */
static void glob_close(const struct gpos *g, size_t n, uint64_t *set, size_t i)
{
	while (i <= n && !BIT_TEST(set, i)) {
		BIT_SET(set, i);
		if (i == n)
			break;
		if (g[i].kind == G_STAR || g[i].kind == G_DSTAR)
			i++;		/* stars match the empty string */
		else if (g[i].kind == G_DSLASH)
			i += 2;		/* zero segments: skip the run */
		else
			break;
	}
}

bool ap_glob_match(const char *pattern, const char *path)
{
	size_t plen = strlen(pattern), n, words, i;
	struct gpos *g;
	uint64_t *cur, *next, *tmp;
	bool any, ok;

	g = ap_xmalloc((plen + 1) * sizeof(*g));	/* "**" + '/' is 3 -> 2 */
	n = glob_compile(pattern, g);
	words = (n + 1 + 63) / 64;
	cur = ap_xcalloc(words, sizeof(*cur));
	next = ap_xcalloc(words, sizeof(*next));
	glob_close(g, n, cur, 0);

	for (; *path; path++) {
		char c = *path;

		memset(next, 0, words * sizeof(*next));
		any = false;
		for (i = 0; i < n; i++) {
			if (!BIT_TEST(cur, i))
				continue;
			switch (g[i].kind) {
			case G_LIT:
				if (g[i].c == c) {
					glob_close(g, n, next, i + 1);
					any = true;
				}
				break;
			case G_QMARK:
				if (c != '/') {
					glob_close(g, n, next, i + 1);
					any = true;
				}
				break;
			case G_STAR:
				if (c != '/') {
					glob_close(g, n, next, i);
					any = true;
				}
				break;
			case G_DSTAR:
				glob_close(g, n, next, i);
				any = true;
				break;
			case G_DSLASH:
			case G_DSIN: {
				/* consume into the run, leave it after a '/' */
				size_t in = g[i].kind == G_DSLASH ? i + 1 : i;

				glob_close(g, n, next, in);
				if (c == '/')
					glob_close(g, n, next, in + 1);
				any = true;
				break;
			}
			}
		}
		tmp = cur;
		cur = next;
		next = tmp;
		if (!any)
			break;
	}
	ok = !*path && BIT_TEST(cur, n);
	free(g);
	free(cur);
	free(next);
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
	size_t len = strlen(path);
	const char *base;

	switch (cls) {
	case AP_MATCH_ANY:
		return true;
	case AP_MATCH_EXACT:
		return len == lit_len && !memcmp(path, lit, len);
	case AP_MATCH_PREFIX:
		return len >= lit_len && !memcmp(path, lit, lit_len);
	case AP_MATCH_SUFFIX:
		return len >= lit_len && !memcmp(path + len - lit_len, lit,
						 lit_len);
	case AP_MATCH_BASENAME:
		base = strrchr(path, '/');
		base = base ? base + 1 : path;
		return strlen(base) == lit_len && !memcmp(base, lit, lit_len);
	case AP_MATCH_GLOB:
		return ap_glob_match(pattern, path);
	}
	return false;
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

bool ap_argv_match(char *const *want, size_t nwant, char *const *argv,
		   size_t argc)
{
	size_t i = 1, w = 0;

	for (; w < nwant && i < argc; i++)
		if (argv[i] && !strcmp(argv[i], want[w]))
			w++;
	return w == nwant;
}

int ap_expr_eval(const struct ap_expr_insn *e, size_t n, uint64_t labels)
{
	bool st[AP_EXPR_MAX_DEPTH];
	size_t sp = 0, i;

	for (i = 0; i < n; i++) {
		switch (e[i].op) {
		case AP_EXPR_PUSH_LABEL:
		case AP_EXPR_PUSH_TRUE:
			if (sp == AP_EXPR_MAX_DEPTH)
				return -1;
			if (e[i].op == AP_EXPR_PUSH_TRUE)
				st[sp++] = true;
			else if (e[i].bit < 64)
				st[sp++] = (labels >> e[i].bit) & 1;
			else
				return -1;
			break;
		case AP_EXPR_NOT:
			if (sp < 1)
				return -1;
			st[sp - 1] = !st[sp - 1];
			break;
		case AP_EXPR_AND:
		case AP_EXPR_OR:
			if (sp < 2)
				return -1;
			sp--;
			if (e[i].op == AP_EXPR_AND)
				st[sp - 1] = st[sp - 1] && st[sp];
			else
				st[sp - 1] = st[sp - 1] || st[sp];
			break;
		default:
			return -1;
		}
	}
	return sp == 1 ? st[0] : -1;
}

/* ---- names ------------------------------------------------------------------- */

const char *ap_op_name(enum ap_op op)
{
	static const char *const names[] = {
		[AP_OP_EXEC] = "exec",	     [AP_OP_READ] = "read",
		[AP_OP_OPEN] = "open",	     [AP_OP_WRITE] = "write",
		[AP_OP_UNLINK] = "unlink",   [AP_OP_CONNECT] = "connect",
		[AP_OP_RECV] = "recv",
	};

	return (unsigned)op < AP_OP__COUNT ? names[op] : "?";
}

const char *ap_effect_name(enum ap_effect e)
{
	switch (e) {
	case AP_EFFECT_NOTIFY:
		return "notify";
	case AP_EFFECT_BLOCK:
		return "block";
	case AP_EFFECT_KILL:
		return "kill";
	}
	return "?";
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
