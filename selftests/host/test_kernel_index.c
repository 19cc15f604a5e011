// SPDX-License-Identifier: GPL-2.0-only
/*
 * The module's match indexes against brute force.  kmod/match.c is compiled
 * here as it is, against a small kernel shim (kshim/: jhash, kmalloc and
 * friends, sort, bitmaps); random policies are indexed by the module's own
 * builders (ap_pathidx_build, ap_epidx_build), and every query
 * (ap_pathidx_query, ap_epidx_query) is compared with a loop testing every
 * pattern with the shared matchers (ap_pat_match, ap_ep_match).  The model
 * is WireGuard's selftest/allowedips.c: a random trie against a naive list.
 *
 * Path patterns come two ways: written as in a policy, then resolved and
 * classified by the tool's compiler (ap_pattern_resolve, ap_glob_classify),
 * one index per class and one of all of them; and as raw (class, literal,
 * glob) triples, anything the module's netlink checks let through.  Paths
 * are random, instantiated from a pattern of the policy, or such an
 * instance mutated a little.  The ancestor walk (ap_target.walk) vouches
 * for every ancestor, gives up part way, or is missing; sometimes the path
 * cannot be resolved, and then the hits must be a subset of the true ones.
 * Every use must be reported exactly once, with its kind and pattern.
 * Endpoints: IPv4, IPv6 and mixed policies (with "*" and ":port") against
 * keys near their prefixes.  Also: every allocation of a build failing in
 * turn gives -ENOMEM and leaks nothing, and the class tests the compiler
 * chose agree with the full glob on every (pattern, path) pair seen.
 *
 * On a mismatch the first one is printed (seed, round, path, the pattern
 * and expected vs reported hits; the whole pattern set unless the pattern
 * fails alone).  ACTPLANE_TEST_SEED=N repeats a run, ACTPLANE_TEST_SCALE=K
 * runs K times as many rounds.
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "../../kmod/match.c"
#include <actplane/decide.h>

#include "harness.h"

long kshim_live, kshim_allocs, kshim_fail_at;

/*
 * The tool's compiler (userspace/policy/glob.c), declared here: its header's
 * names clash with the module's (struct ap_policy, struct ap_target).
 */
char *ap_pattern_resolve(const char *pattern, bool exec, const char *base_dir, const char **why);
unsigned int ap_glob_classify(const char *pattern, const char **lit, size_t *lit_len);

/* ---- random ------------------------------------------------------------------ */

static unsigned long long seed;
static u64 rng;
static unsigned long scale = 1;

static u64 rnd(void)	/* splitmix64 */
{
	u64 z = (rng += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static u32 rn(u32 n)
{
	return n ? (u32)(rnd() % n) : 0;
}

static bool chance(u32 pct)
{
	return rn(100) < pct;
}

/* ---- strings ------------------------------------------------------------------ */

#define SB_MAX 8192
struct sb {
	size_t n;
	char s[SB_MAX];
};

static void sb_reset(struct sb *b)
{
	b->n = 0;
	b->s[0] = 0;
}

static void sb_addn(struct sb *b, const char *s, size_t n)
{
	if (n > SB_MAX - 1 - b->n)
		n = SB_MAX - 1 - b->n;
	memcpy(b->s + b->n, s, n);
	b->n += n;
	b->s[b->n] = 0;
}

static void sb_add(struct sb *b, const char *s)
{
	sb_addn(b, s, strlen(s));
}

static void sb_addc(struct sb *b, char c)
{
	sb_addn(b, &c, 1);
}

static const char *const words[] = {
	"a", "b", "c", "ab", "ba", "abc", "aa", "aaa", "x", "xy", "w", "src", "lib", "etc",
	"home", "usr", "bin", ".env", "env", "example.env", "key.pem", ".pem", "pem", "a.c",
	"b.c", ".c", "main.c", "a.b.c", "test_a.py", "a_test.py", "deploy", "deploy-prod",
	"git", "gitk", "digit", "x y", "\xc3\xa9t\xc3\xa9", "-", "_",
};
#define NWORDS ARRAY_SIZE(words)

static const char namechars[] = "abcx._-";

/* a word repeated to some 40..120 bytes */
static void add_long_word(struct sb *b)
{
	const char *w = words[rn(NWORDS)];
	size_t end = b->n + 40 + rn(80);

	while (b->n < end)
		sb_add(b, w);
}

static void add_word(struct sb *b)
{
	u32 i, n;

	if (chance(88)) {
		sb_add(b, words[rn(NWORDS)]);
	} else if (chance(90)) {
		for (i = 0, n = 1 + rn(6); i < n; i++)
			sb_addc(b, namechars[rn(sizeof(namechars) - 1)]);
	} else {
		add_long_word(b);
	}
}

/* a name as a path component may have it: now and then '*', '?' or '\' */
static void add_path_word(struct sb *b)
{
	static const char *const odd[] = { "*", "?", "a*b", "x?", "\\", "**" };

	if (chance(2))
		sb_add(b, odd[rn(ARRAY_SIZE(odd))]);
	else
		add_word(b);
}

/* a segment of a written pattern */
static void add_pat_segment(struct sb *b)
{
	struct sb w;
	u32 k;

	sb_reset(&w);
	add_word(&w);
	switch (rn(24)) {
	case 0: sb_add(b, "*"); return;
	case 1: case 2: sb_add(b, "**"); return;
	case 3: sb_add(b, "?"); return;
	case 4: sb_add(b, w.s); sb_add(b, "*"); return;
	case 5: case 6: sb_add(b, "*"); sb_add(b, w.s); return;
	case 7:		/* a character replaced by '?' */
		w.s[rn(w.n)] = '?';
		sb_add(b, w.s);
		return;
	case 8:		/* '*' inside */
		k = rn(w.n + 1);
		sb_addn(b, w.s, k);
		sb_addc(b, '*');
		sb_add(b, w.s + k);
		return;
	case 9: sb_add(b, "*"); sb_add(b, w.s); sb_add(b, "*"); return;
	case 10: sb_add(b, w.s); sb_add(b, "**"); return;
	case 11: sb_add(b, "**"); sb_add(b, w.s); return;
	case 12: sb_add(b, chance(50) ? "." : ".."); return;
	default: sb_add(b, w.s); return;
	}
}

/* A pattern as a policy author writes it (absolute, "**"-led or relative). */
static void gen_written(struct sb *b)
{
	u32 i, n = 1 + rn(5);

	sb_reset(b);
	if (chance(1)) {	/* more than 256 positions: the module's heap sets */
		while (b->n < 270) {
			sb_add(b, chance(80) ? "/" : "/**/");
			add_long_word(b);
		}
		sb_add(b, (const char *[]){ "/*.c", "/**", "/?", "*", "" }[rn(5)]);
		return;
	}
	switch (rn(20)) {
	case 0:
		sb_add(b, (const char *[]){ "**", "/**", "**/*", "/**/*" }[rn(4)]);
		return;
	case 1: case 2: case 3:
		break;		/* relative: joined to the policy directory */
	case 4: case 5: case 6: case 7: case 8:
		sb_add(b, "**/");
		break;
	default:
		sb_add(b, "/");
	}
	for (i = 0; i < n; i++) {
		if (i)
			sb_addc(b, '/');
		if (i + 1 < n || chance(70)) {
			add_pat_segment(b);
		} else {	/* a plain name last, often */
			add_word(b);
		}
	}
	switch (rn(20)) {
	case 0: case 1: sb_add(b, "/**"); break;
	case 2: sb_add(b, "/**/*"); break;
	case 3: sb_add(b, "/"); break;
	}
}

/* Raw text as the module takes it in a literal: anything but NUL. */
static void add_junk(struct sb *b, u32 max)
{
	static const char junk[] = "ab/./*?-\\\xc3\xa9";
	u32 i, n = 1 + rn(max);

	for (i = 0; i < n; i++)
		sb_addc(b, junk[rn(sizeof(junk) - 1)]);
}

static void add_abs_dirs(struct sb *b, u32 max)
{
	u32 i, n = rn(max + 1);

	for (i = 0; i < n; i++) {
		sb_addc(b, '/');
		add_word(b);
	}
}

/* ---- policies ---------------------------------------------------------------- */

static const char *const cls_names[] = {
	[ACTPLANE_MATCH_ANY] = "ANY", [ACTPLANE_MATCH_EXACT] = "EXACT",
	[ACTPLANE_MATCH_BASENAME] = "BASENAME", [ACTPLANE_MATCH_PREFIX] = "PREFIX",
	[ACTPLANE_MATCH_SUFFIX] = "SUFFIX", [ACTPLANE_MATCH_GLOB] = "GLOB",
};

static void pat_set(struct ap_pat *p, unsigned int cls, const char *lit, size_t lit_len,
		    const char *glob)
{
	p->cls = cls;
	p->lit = strndup(lit, lit_len);
	p->lit_len = lit_len;
	p->glob_src = strdup(glob);
	p->glob = malloc(ap_glob_size(glob));	/* the module: from its policy's chunks */
	if (p->glob)
		ap_glob_compile_at(p->glob, glob);
	if (!p->lit || !p->glob_src || !p->glob) {
		fprintf(stderr, "out of memory\n");
		exit(2);
	}
}

/*
 * A pattern compiled by the tool.  want: the class it must have, -1 any.
 * Return: false if the pattern drawn was not of that class (or invalid).
 */
static bool gen_compiled(struct ap_pat *p, int want)
{
	struct sb w;
	const char *why, *lit;
	size_t lit_len;
	unsigned int cls;
	char *glob;

	gen_written(&w);
	glob = ap_pattern_resolve(w.s, chance(10), "/w", &why);
	if (!glob)
		return false;
	cls = ap_glob_classify(glob, &lit, &lit_len);
	if (want >= 0 && cls != (unsigned int)want) {
		free(glob);
		return false;
	}
	pat_set(p, cls, lit, lit_len, glob);
	free(glob);
	return true;
}

/* A (class, literal, glob) triple as the module's netlink checks let it in. */
static void gen_raw(struct ap_pat *p)
{
	unsigned int cls = rn(__ACTPLANE_MATCH_MAX);
	struct sb lit, glob;

	sb_reset(&lit);
	sb_reset(&glob);
	if (chance(50) || cls == ACTPLANE_MATCH_GLOB) {	/* the glob: absolute or "**"-led */
		sb_add(&glob, chance(70) ? "/" : "**");
		while (glob.n < 2 || chance(60)) {
			if (chance(70))
				add_pat_segment(&glob);
			else
				add_junk(&glob, 4);
			sb_addc(&glob, '/');
		}
		if (chance(80))
			glob.s[--glob.n] = 0;
	} else {
		sb_add(&glob, "/unused");
	}
	switch (cls) {
	case ACTPLANE_MATCH_ANY:
		break;
	case ACTPLANE_MATCH_EXACT:
		if (chance(75))
			add_abs_dirs(&lit, 4);
		if (!lit.n || chance(5))
			sb_addc(&lit, '/');
		if (chance(20))
			add_junk(&lit, 6);
		break;
	case ACTPLANE_MATCH_BASENAME:
		if (chance(85))
			add_word(&lit);
		else
			add_junk(&lit, 6);
		break;
	case ACTPLANE_MATCH_PREFIX:
		if (chance(80))
			add_abs_dirs(&lit, 4);
		else
			add_junk(&lit, 6);
		if (!lit.n || lit.s[lit.n - 1] != '/')
			sb_addc(&lit, '/');
		break;
	case ACTPLANE_MATCH_SUFFIX:
		if (chance(40)) {
			add_abs_dirs(&lit, 3);
			if (!lit.n)
				sb_addc(&lit, '/');
		} else if (chance(70)) {
			struct sb w;

			sb_reset(&w);
			add_word(&w);
			sb_add(&lit, w.s + rn(w.n));
			if (!lit.n)
				sb_add(&lit, w.s);
		} else {
			add_junk(&lit, 6);
		}
		break;
	case ACTPLANE_MATCH_GLOB:
		sb_add(&lit, glob.s);	/* the tool sends the glob again */
		break;
	}
	pat_set(p, cls, lit.s, lit.n, glob.s);
}

static void pats_free(struct ap_policy *pol)
{
	u32 i;

	for (i = 0; i < pol->n_pats; i++) {
		free(pol->pats[i].lit);
		free(pol->pats[i].glob_src);
		free(pol->pats[i].glob);
	}
	free(pol->pats);
	pol->pats = NULL;
	pol->n_pats = 0;
}

/* uses: every element at least once, some twice or more, in random order */
static struct ap_use *gen_uses(u32 n_elems, u32 *n)
{
	struct ap_use *u, t;
	u32 i, j;

	*n = n_elems + rn(n_elems / 4 + 1);
	u = calloc(*n, sizeof(*u));
	if (!u)
		exit(2);
	for (i = 0; i < *n; i++)
		u[i] = (struct ap_use){ .kind = rn(AP_USE_LINEAGE + 1),
					.pat = i < n_elems ? i : rn(n_elems) };
	for (i = *n - 1; i > 0; i--) {
		j = rn(i + 1);
		t = u[i];
		u[i] = u[j];
		u[j] = t;
	}
	for (i = 0; i < *n; i++)
		u[i].idx = i;	/* a use is known by its idx */
	return u;
}

/* ---- paths ------------------------------------------------------------------ */

/* Fill a glob's wildcards with something they match (mostly). */
static void instantiate(struct sb *o, const char *g)
{
	u32 k;

	while (*g) {
		if (g[0] == '*' && g[1] == '*' && g[2] == '/') {
			for (k = rn(3); k > 0; k--) {
				add_path_word(o);
				sb_addc(o, '/');
			}
			g += 3;
		} else if (g[0] == '*' && g[1] == '*') {
			for (k = rn(4); k > 0; k--) {
				if (chance(50))
					add_path_word(o);
				if (k > 1)
					sb_addc(o, '/');
			}
			g += 2;
		} else if (*g == '*') {
			if (chance(70))
				add_path_word(o);
			g++;
		} else if (*g == '?') {
			sb_addc(o, chance(95) ? namechars[rn(sizeof(namechars) - 1)] : '/');
			g++;
		} else {
			sb_addc(o, *g++);
		}
	}
}

/*
 * What the module gets from d_path: absolute, no empty, "." or ".."
 * components, no trailing '/', components of at most 255 bytes.
 */
static void canonical(struct sb *p)
{
	struct sb o;
	const char *s = p->s, *e;

	sb_reset(&o);
	while (*s) {
		while (*s == '/')
			s++;
		e = strchrnul(s, '/');
		if (e > s && !(e - s == 1 && s[0] == '.') && !(e - s == 2 && !strncmp(s, "..", 2))) {
			sb_addc(&o, '/');
			sb_addn(&o, s, e - s > 255 ? 255 : e - s);
		}
		s = e;
	}
	if (!o.n)
		sb_addc(&o, '/');
	if (o.n > 4095) {	/* PATH_MAX */
		o.n = 4095;
		o.s[o.n] = 0;
	}
	*p = o;
}

static void mutate(struct sb *p)
{
	struct sb o;
	char *slash;
	u32 k;

	switch (rn(6)) {
	case 0:
		sb_addc(p, '/');
		add_path_word(p);
		return;
	case 1:
		if (p->n > 1)
			p->s[--p->n] = 0;
		return;
	case 2:
		if (p->n)
			p->s[rn(p->n)] = namechars[rn(sizeof(namechars) - 1)];
		return;
	case 3:		/* the parent directory */
		slash = strrchr(p->s, '/');
		if (slash) {
			*slash = 0;
			p->n = slash - p->s;
		}
		return;
	default:	/* a component inserted at a '/' */
		k = rn(p->n + 1);
		while (k < p->n && p->s[k] != '/')
			k++;
		sb_reset(&o);
		sb_addn(&o, p->s, k);
		sb_addc(&o, '/');
		add_path_word(&o);
		sb_add(&o, p->s + k);
		*p = o;
		return;
	}
}

/* A path to query: random, an instance of a pattern, or one mutated. */
static void gen_path(struct sb *p, const struct ap_policy *pol)
{
	const struct ap_pat *pat = &pol->pats[rn(pol->n_pats)];
	u32 mode = rn(10), i;

	sb_reset(p);
	if (mode < 3 || !pol->n_pats) {
		for (i = rn(7); i > 0; i--) {
			sb_addc(p, '/');
			add_path_word(p);
		}
	} else if (pat->cls == ACTPLANE_MATCH_GLOB || pat->cls == ACTPLANE_MATCH_ANY || chance(30)) {
		instantiate(p, pat->glob_src);
	} else {	/* from the class literal, as the class reads it */
		if (pat->cls == ACTPLANE_MATCH_BASENAME ||
		    (pat->cls == ACTPLANE_MATCH_SUFFIX && chance(50))) {
			add_abs_dirs(p, 3);
			sb_addc(p, '/');
			if (pat->cls == ACTPLANE_MATCH_SUFFIX && chance(50))
				add_path_word(p);
		}
		sb_add(p, pat->lit);
		if (pat->cls == ACTPLANE_MATCH_PREFIX)
			for (i = rn(4); i > 0; i--) {
				add_path_word(p);
				sb_addc(p, '/');
			}
	}
	canonical(p);
	if (mode >= 8) {
		mutate(p);
		canonical(p);
	}
}

/* ---- one query ----------------------------------------------------------------- */

enum walk_mode { WALK_ALL, WALK_GIVE_UP, WALK_NONE };
static const char *const walk_names[] = { "walks to the root", "walk gives up", "no walk" };

struct tq {
	const char *path;
	size_t len;
	enum walk_mode walk;
	u32 walk_limit;		/* WALK_GIVE_UP: after this many ancestors */
	bool no_path;		/* the path cannot be resolved */
	bool memo;		/* the query shares a walk memo (ap_target.anc_memo), as eval.c */
	u32 path_calls;
};

static const char *tq_path(void *arg, size_t *len)
{
	struct tq *q = arg;

	q->path_calls++;
	*len = q->len;
	return q->no_path ? NULL : q->path;
}

/* The ancestors' names, nearest first, as eval.c reads them from the dentries. */
static bool tq_walk(void *arg, ap_name_fn visit, void *ctx, const struct ap_name_filter *f)
{
	const struct tq *q = arg;
	const char *end = strrchr(q->path, '/'), *start;
	u32 n = 0;

	while (end > q->path) {
		start = end;
		while (start > q->path && start[-1] != '/')
			start--;
		if (q->walk == WALK_GIVE_UP && n++ == q->walk_limit)
			return false;
		/* as eval.c: a name the filter rules out is passed over */
		if ((size_t)(end - start) < AP_NAME_LENS && test_bit(end - start, f->lens) &&
		    test_bit(ap_sig(start, end - start), f->sig) && !visit(ctx, start, end - start))
			return false;
		end = start - 1;
	}
	return true;
}

struct hits {
	const struct ap_use *uses;
	u32 n;
	u32 *cnt;		/* reports per use */
	bool foreign;		/* a use reported that is not the policy's */
};

static void on_hit(const struct ap_use *u, void *arg)
{
	struct hits *h = arg;

	if (u->idx >= h->n || u->kind != h->uses[u->idx].kind || u->pat != h->uses[u->idx].pat) {
		h->foreign = true;
		return;
	}
	h->cnt[u->idx]++;
}

static void print_esc(const char *s)
{
	putchar('"');
	for (; *s; s++) {
		unsigned char c = *s;

		if (c < 0x20 || c >= 0x7f || c == '"' || c == '\\')
			printf("\\x%02x", c);
		else
			putchar(c);
	}
	putchar('"');
}

static void print_pat(const char *what, u32 i, const struct ap_pat *p)
{
	printf("#   %s %u: %s literal ", what, i, cls_names[p->cls]);
	print_esc(p->lit);
	printf(" glob ");
	print_esc(p->glob_src);
	printf("\n");
}

/* counters of one configuration */
struct stats {
	unsigned long rounds, queries, compares, hits, built_paths, failures, classifier, cls_bad;
	bool leak, build_err;
};

/*
 * Query x for q and compare with brute force over uses[0..n).  Return the
 * first use that disagrees, or -1; *foreign: a use reported that is not
 * the policy's, or the path resolved twice.  pm: scratch of one per
 * pattern, cnt: of one per use.
 */
static long check_query(const struct ap_policy *pol, const struct ap_pathidx *x,
			const struct ap_use *uses, u32 n, struct tq *q, s8 *pm, u32 *cnt,
			struct stats *st, bool *foreign)
{
	struct ap_target t = {
		.name = q->path, .name_len = q->len, .path = tq_path,
		.walk = q->walk == WALK_NONE ? NULL : tq_walk, .arg = q,
	};
	struct hits h = { .uses = uses, .n = n, .cnt = cnt };
	const char *slash = strrchr(q->path, '/');
	long bad = -1;
	struct ap_anc_memo memo = { .n = 1, .pols = { pol } };
	u32 i;

	if (q->memo)
		t.anc_memo = &memo;

	if (q->len > 1) {	/* the root's dentry name is "/" */
		t.name = slash + 1;
		t.name_len = q->path + q->len - t.name;
	}
	memset(cnt, 0, n * sizeof(*cnt));
	q->path_calls = 0;
	ap_pathidx_query(pol, x, &t, on_hit, &h);
	/* brute force: every pattern of the policy */
	for (i = 0; i < pol->n_pats; i++)
		pm[i] = ap_pat_match(&pol->pats[i], q->path, q->len);
	if (st) {
		st->compares += pol->n_pats;
		st->built_paths += q->path_calls > 0;
	}
	for (i = 0; i < n && bad < 0; i++) {
		u32 want = pm[uses[i].pat];

		if (q->no_path ? cnt[i] > want : cnt[i] != want)
			bad = i;
		if (st)
			st->hits += cnt[i];
	}
	*foreign = h.foreign || q->path_calls > 1;
	return bad;
}

static void pick_walk(struct tq *q)
{
	u32 r = rn(100);

	q->walk = r < 70 ? WALK_ALL : r < 85 ? WALK_GIVE_UP : WALK_NONE;
	q->walk_limit = rn(8);
	q->no_path = chance(4);
	q->memo = chance(2);
}

static void report_path_mismatch(const char *cfg, unsigned long round, struct ap_policy *pol,
				 int op, const struct ap_use *uses, u32 n, struct tq *q, long bad,
				 bool foreign, const s8 *pm, const u32 *cnt)
{
	struct ap_policy *one;
	struct ap_use u1;
	s8 pm1[1];
	u32 cnt1[1], i;
	long bad1;
	bool foreign1;

	printf("# MISMATCH in %s, round %lu (ACTPLANE_TEST_SEED=%llu), op %d\n", cfg, round,
	       seed, op);
	printf("#   path ");
	print_esc(q->path);
	printf(", %s%s\n", walk_names[q->walk], q->no_path ? ", path unresolvable" : "");
	if (foreign)
		printf("#   the index reported a use that is not the policy's, or resolved the path %u times\n",
		       q->path_calls);
	if (bad < 0)
		return;
	printf("#   use %ld (kind %u): brute force says %s, the index reported it %u times\n", bad,
	       uses[bad].kind, pm[uses[bad].pat] ? "match" : "no match", cnt[bad]);
	print_pat("pattern", uses[bad].pat, &pol->pats[uses[bad].pat]);

	/* does it fail alone?  (a fresh policy holding only that pattern) */
	one = calloc(1, sizeof(*one));
	if (!one)
		return;
	one->pats = &pol->pats[uses[bad].pat];
	one->n_pats = 1;
	u1 = (struct ap_use){ .kind = uses[bad].kind, .idx = 0, .pat = 0 };
	if (!ap_pathidx_build(one, op, &u1, 1)) {
		bad1 = check_query(one, &one->path[op], &u1, 1, q, pm1, cnt1, NULL, &foreign1);
		if (bad1 >= 0 || foreign1) {
			printf("#   it fails alone too: a policy of that one pattern gives %u reports\n",
			       cnt1[0]);
		} else {
			printf("#   alone it passes; the policy's %u patterns:\n", pol->n_pats);
			for (i = 0; i < pol->n_pats; i++)
				print_pat("pattern", i, &pol->pats[i]);
		}
	}
	ap_pathidx_free(&one->path[op]);
	free(one);
}

/* ---- path configurations ------------------------------------------------------ */

enum pset_kind { PS_CLASS, PS_MIXED, PS_RAW };

static void gen_pats(struct ap_policy *pol, enum pset_kind kind, int cls, u32 n)
{
	u32 i, tries;

	pol->pats = calloc(n, sizeof(*pol->pats));
	if (!pol->pats)
		exit(2);
	for (i = 0; i < n; i++) {
		struct ap_pat *p = &pol->pats[i];

		if (kind == PS_RAW) {
			gen_raw(p);
		} else {
			for (tries = 0; !gen_compiled(p, kind == PS_CLASS ? cls : -1); tries++)
				if (tries > 100000) {
					fprintf(stderr, "no %s pattern drawn\n", cls_names[cls]);
					exit(2);
				}
		}
	}
	pol->n_pats = n;
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void run_paths(const char *name, enum pset_kind kind, int cls, u32 rounds, u32 npats,
		      u32 nqueries, struct stats *cls_st)
{
	struct stats st = {};
	double t0 = now();
	char tap[256];
	struct sb path;
	u32 r, j, n;

	for (r = 0; r < rounds * scale; r++) {
		struct ap_policy *pol = calloc(1, sizeof(*pol));
		int op = rn(__ACTPLANE_OP_MAX), op2;
		struct ap_use *uses;
		u32 n1;
		long live, bad;
		bool foreign;
		u32 *cnt;
		s8 *pm;

		if (!pol)
			exit(2);
		gen_pats(pol, kind, cls, 1 + rn(npats));
		live = kshim_live;
		uses = gen_uses(pol->n_pats, &n);
		cnt = calloc(n, sizeof(*cnt));
		pm = calloc(pol->n_pats, sizeof(*pm));
		if (!cnt || !pm)
			exit(2);
		/*
		 * The queried operation gets some of the uses; another one all
		 * of them, so that the gate of every operation together
		 * (anc_all, which an event's first walk asks) holds more
		 * directories than the queried operation's.
		 */
		n1 = chance(2) ? n : 1 + rn(n);
		op2 = (op + 1 + rn(__ACTPLANE_OP_MAX - 1)) % __ACTPLANE_OP_MAX;
		if (ap_pathidx_build(pol, op, uses, n1) || ap_pathidx_build(pol, op2, uses, n) ||
		    ap_anc_all_build(pol)) {
			st.build_err = true;
			st.failures++;
		}
		for (j = 0; j < nqueries && !st.build_err; j++) {
			struct tq q;

			gen_path(&path, pol);
			q = (struct tq){ .path = path.s, .len = path.n };
			pick_walk(&q);
			bad = check_query(pol, &pol->path[op], uses, n1, &q, pm, cnt, &st, &foreign);
			st.queries++;
			if (bad >= 0 || foreign) {
				if (!st.failures++)
					report_path_mismatch(name, r, pol, op, uses, n1, &q, bad, foreign,
							     pm, cnt);
			}
			/* the classifier: its class test is the glob's answer (every 4th path) */
			if (cls_st && !q.no_path && j % 4 == 0) {
				u32 i;

				for (i = 0; i < pol->n_pats; i++) {
					const struct ap_pat *p = &pol->pats[i];

					if (p->cls == ACTPLANE_MATCH_GLOB)
						continue;
					cls_st->classifier++;
					if (pm[i] == ap_glob_test(p->glob, q.path))
						continue;
					if (!cls_st->cls_bad++) {
						printf("# the class test and the glob disagree (ACTPLANE_TEST_SEED=%llu) on path ",
						       seed);
						print_esc(q.path);
						printf(": class says %s\n", pm[i] ? "match" : "no match");
						print_pat("pattern", i, p);
					}
				}
			}
		}
		ap_pathidx_free(&pol->path[op]);
		ap_pathidx_free(&pol->path[op2]);
		ap_anc_all_free(pol);
		if (kshim_live != live && !st.leak) {
			st.leak = true;
			st.failures++;
			printf("# %s: %ld blocks not freed after ap_pathidx_free\n", name,
			       kshim_live - live);
		}
		st.rounds++;
		free(cnt);
		free(pm);
		free(uses);
		pats_free(pol);
		free(pol);
	}
	snprintf(tap, sizeof(tap),
		 "kernel index, %s: %lu random paths agree with brute force (%lu policies of up to %u patterns)",
		 name, st.queries, st.rounds, npats);
	RESULT(!st.failures, tap, "%lu of them disagree%s%s", st.failures,
	       st.leak ? "; memory leaked" : "", st.build_err ? "; a build failed" : "");
	printf("# %s: %lu comparisons, %lu hits, path built for %.0f%% of the queries, %.2f s\n",
	       name, st.compares, st.hits, st.queries ? 100.0 * st.built_paths / st.queries : 0.0,
	       now() - t0);
}

/* ---- endpoints ------------------------------------------------------------------ */

enum ep_mix { EP_V4, EP_V6, EP_MIXED };

static void gen_addr(u8 *a, u8 family)
{
	static const u8 v4[][4] = {
		{ 10, 0, 0, 0 }, { 10, 1, 2, 0 }, { 192, 168, 1, 0 }, { 127, 0, 0, 1 },
		{ 0, 0, 0, 0 }, { 255, 255, 255, 255 },
	};
	static const u8 v6[][16] = {
		{ 0xfd },				/* fd00:: */
		{ 0xfe, 0x80 },				/* fe80:: */
		{ 0x20, 0x01, 0x0d, 0xb8 },		/* 2001:db8:: */
		{ [15] = 1 },				/* ::1 */
		{},					/* :: */
		{ [10] = 0xff, [11] = 0xff, 10, 0, 0, 1 },	/* ::ffff:10.0.0.1 */
	};
	u32 alen = family == AF_INET ? 4 : 16, i, from;

	memset(a, 0, 16);
	if (family == AF_INET)
		memcpy(a, v4[rn(ARRAY_SIZE(v4))], 4);
	else
		memcpy(a, v6[rn(ARRAY_SIZE(v6))], 16);
	if (chance(60)) {		/* random below some bit */
		from = rn(alen * 8 + 1);
		for (i = from; i < alen * 8; i++)
			if (chance(50))
				a[i / 8] ^= 0x80 >> (i % 8);
	}
}

static u16 gen_port(void)
{
	static const u16 ports[] = { 22, 53, 80, 443, 8080, 65535, 1 };

	if (chance(50))
		return 0;
	return chance(60) ? ports[rn(ARRAY_SIZE(ports))] : 1 + rn(65535);
}

static void gen_ep(struct ap_ep *e, enum ep_mix mix)
{
	static const u8 p4[] = { 0, 8, 16, 24, 32 };
	static const u8 p6[] = { 0, 16, 32, 48, 64, 96, 112, 120, 128 };

	memset(e, 0, sizeof(*e));
	e->port = gen_port();
	if (mix == EP_MIXED && chance(10))
		return;		/* "*" or ":port" */
	e->family = mix == EP_V4 || (mix == EP_MIXED && chance(50)) ? AF_INET : AF_INET6;
	gen_addr(e->addr, e->family);	/* host bits may be set: the module masks */
	if (e->family == AF_INET)
		e->plen = chance(40) ? p4[rn(ARRAY_SIZE(p4))] : rn(33);
	else
		e->plen = chance(40) ? p6[rn(ARRAY_SIZE(p6))] : rn(129);
}

static void gen_key(struct ap_ep_key *k, const struct ap_policy *pol, enum ep_mix mix)
{
	const struct ap_ep *e = &pol->eps[rn(pol->n_eps)];
	u32 alen, i;

	memset(k, 0, sizeof(*k));
	k->family = mix == EP_V4 ? AF_INET : mix == EP_V6 ? AF_INET6 :
		    chance(50) ? AF_INET : AF_INET6;
	if (mix != EP_MIXED && chance(10))	/* the other family */
		k->family = k->family == AF_INET ? AF_INET6 : AF_INET;
	alen = k->family == AF_INET ? 4 : 16;
	if (e->family == k->family && chance(75)) {	/* near a pattern */
		memcpy(k->addr, e->addr, alen);
		if (chance(50)) {
			i = rn(alen * 8);
			k->addr[i / 8] ^= 0x80 >> (i % 8);
		}
		if (chance(30))
			for (i = e->plen; i < alen * 8; i++)
				if (chance(50))
					k->addr[i / 8] ^= 0x80 >> (i % 8);
	} else {
		gen_addr(k->addr, k->family);
	}
	k->port = htons(e->port && chance(60) ? e->port : gen_port());
}

static void print_ep(u32 i, const struct ap_ep *e)
{
	u32 b;

	printf("#   endpoint %u: family %u plen %u port %u addr ", i, e->family, e->plen, e->port);
	for (b = 0; b < 16; b++)
		printf("%02x", e->addr[b]);
	printf("\n");
}

static void run_eps(const char *name, enum ep_mix mix, u32 rounds, u32 neps, u32 nqueries)
{
	unsigned long failures = 0, queries = 0, compares = 0, hits = 0;
	bool leak = false, build_err = false, filter_lied = false;
	double t0 = now();
	char tap[256];
	u32 r, j, i, n;

	for (r = 0; r < rounds * scale; r++) {
		struct ap_policy *pol = calloc(1, sizeof(*pol));
		int op = rn(__ACTPLANE_OP_MAX);
		long live = kshim_live;
		struct ap_use *uses;
		u32 *cnt;
		s8 *pm;

		if (!pol)
			exit(2);
		pol->n_eps = 1 + rn(neps);
		pol->eps = calloc(pol->n_eps, sizeof(*pol->eps));
		if (!pol->eps)
			exit(2);
		for (i = 0; i < pol->n_eps; i++)
			gen_ep(&pol->eps[i], mix);
		uses = gen_uses(pol->n_eps, &n);
		cnt = calloc(n, sizeof(*cnt));
		pm = calloc(pol->n_eps, sizeof(*pm));
		if (!cnt || !pm)
			exit(2);
		if (ap_epidx_build(pol, op, uses, n)) {
			build_err = true;
			failures++;
		}
		for (j = 0; j < nqueries && !build_err; j++) {
			struct hits h = { .uses = uses, .n = n, .cnt = cnt };
			struct ap_ep_key k;
			long bad = -1;

			gen_key(&k, pol, mix);
			memset(cnt, 0, n * sizeof(*cnt));
			ap_epidx_query(pol, &pol->ep[op], &k, on_hit, &h);
			for (i = 0; i < pol->n_eps; i++)
				pm[i] = ap_ep_match(&pol->eps[i], &k);
			compares += pol->n_eps;
			queries++;
			for (i = 0; i < n; i++) {
				hits += cnt[i];
				if (bad < 0 && cnt[i] != (u32)pm[uses[i].pat])
					bad = i;
			}
			/* the hooks' early answer: "misses" must never hide a match */
			for (i = 0; i < n && !filter_lied; i++)
				if (pm[uses[i].pat] && ap_epidx_misses(&pol->ep[op], &k))
					filter_lied = true;
			if (filter_lied && !failures++)
				printf("# %s: ap_epidx_misses() said no endpoint contains a key one does\n",
				       name);
			if ((bad >= 0 || h.foreign) && !failures++) {
				printf("# MISMATCH in %s, round %u (ACTPLANE_TEST_SEED=%llu), op %d\n",
				       name, r, seed, op);
				printf("#   key: family %u port %u addr ", k.family, ntohs(k.port));
				for (i = 0; i < 16; i++)
					printf("%02x", k.addr[i]);
				printf("\n");
				if (h.foreign)
					printf("#   the index reported a use that is not the policy's\n");
				if (bad >= 0) {
					printf("#   use %ld (kind %u): brute force says %s, the index reported it %u times\n",
					       bad, uses[bad].kind, pm[uses[bad].pat] ? "match" : "no match",
					       cnt[bad]);
					print_ep(uses[bad].pat, &pol->eps[uses[bad].pat]);
					printf("#   the policy's %u endpoints:\n", pol->n_eps);
					for (i = 0; i < pol->n_eps; i++)
						print_ep(i, &pol->eps[i]);
				}
			}
		}
		ap_epidx_free(&pol->ep[op]);
		if (kshim_live != live && !leak) {
			leak = true;
			failures++;
			printf("# %s: %ld blocks not freed after ap_epidx_free\n", name,
			       kshim_live - live);
		}
		free(cnt);
		free(pm);
		free(uses);
		free(pol->eps);
		free(pol);
	}
	snprintf(tap, sizeof(tap),
		 "kernel index, %s: %lu random keys agree with brute force (%lu policies of up to %u endpoints)",
		 name, queries, rounds * scale, neps);
	RESULT(!failures, tap, "%lu of them disagree%s%s", failures,
	       leak ? "; memory leaked" : "", build_err ? "; a build failed" : "");
	printf("# %s: %lu comparisons, %lu hits, %.2f s\n", name, compares, hits, now() - t0);
}

/* ---- allocation failures --------------------------------------------------------- */

/*
 * Build an index with allocation k failing, for every k the build makes:
 * -ENOMEM each time, and the free the module then does (ap_*idx_free on
 * the half-built index) leaves nothing allocated.
 */
static void run_alloc_failures(u32 rounds)
{
	unsigned long points = 0, bad = 0;
	char name[160];
	u32 r, n;

	for (r = 0; r < rounds * scale; r++) {
		struct ap_policy *pol = calloc(1, sizeof(*pol));
		bool ep = r % 2;
		struct ap_use *uses;
		long live, before, total, k;
		int ret;
		u32 i;

		if (!pol)
			exit(2);
		if (ep) {
			pol->n_eps = 1 + rn(60);
			pol->eps = calloc(pol->n_eps, sizeof(*pol->eps));
			if (!pol->eps)
				exit(2);
			for (i = 0; i < pol->n_eps; i++)
				gen_ep(&pol->eps[i], EP_MIXED);
			uses = gen_uses(pol->n_eps, &n);
		} else {
			gen_pats(pol, PS_MIXED, -1, 1 + rn(100));
			uses = gen_uses(pol->n_pats, &n);
		}
		live = kshim_live;
		before = kshim_allocs;
		ret = ep ? ap_epidx_build(pol, 0, uses, n) : ap_pathidx_build(pol, 0, uses, n);
		total = kshim_allocs - before;
		if (ep)
			ap_epidx_free(&pol->ep[0]);
		else
			ap_pathidx_free(&pol->path[0]);
		if (ret)
			bad++;
		for (k = 1; k <= total; k++) {
			kshim_fail_at = kshim_allocs + k;
			ret = ep ? ap_epidx_build(pol, 0, uses, n) : ap_pathidx_build(pol, 0, uses, n);
			kshim_fail_at = 0;
			if (ep)
				ap_epidx_free(&pol->ep[0]);
			else
				ap_pathidx_free(&pol->path[0]);
			points++;
			if ((ret != -ENOMEM || kshim_live != live) && !bad++)
				printf("# %s index, allocation %ld of %ld failing: build returned %d, %ld blocks left\n",
				       ep ? "endpoint" : "path", k, total, ret, kshim_live - live);
		}
		free(uses);
		if (ep)
			free(pol->eps);
		else
			pats_free(pol);
		free(pol);
	}
	snprintf(name, sizeof(name),
		 "kernel index: %lu builds failing at each of their %lu allocations return -ENOMEM and leak nothing",
		 rounds * scale, points);
	RESULT(!bad, name, "%lu of them wrong", bad);
}

/* ---- the shared argv and condition code (include/actplane/decide.h) ------------- */

/* The tool's array form (userspace/policy/glob.c): the same matcher, another cursor. */
bool ap_argv_match(char *const *want, size_t nwant, char *const *argv, size_t argc);

/* Brute force: is want[wi..] a subsequence of argv[ai..]? */
static bool dm_subseq(char *const *want, u32 nwant, u32 wi, char *const *argv, u32 argc, u32 ai)
{
	if (wi == nwant)
		return true;
	for (; ai < argc; ai++)
		if (!strcmp(argv[ai], want[wi]) && dm_subseq(want, nwant, wi + 1, argv, argc, ai + 1))
			return true;
	return false;
}

/* Brute force: run a program with an unbounded stack; -1 if malformed. */
static int dm_expr(const unsigned char (*prog)[2], u32 n, u64 labels)
{
	int st[256];
	u32 sp = 0, i, depth = 0;

	for (i = 0; i < n; i++) {
		switch (prog[i][0]) {
		case ACTPLANE_EXPR_LABEL:
			if (prog[i][1] >= 64)
				return -1;
			st[sp++] = (int)((labels >> prog[i][1]) & 1);
			break;
		case ACTPLANE_EXPR_TRUE:
			st[sp++] = 1;
			break;
		case ACTPLANE_EXPR_NOT:
			if (sp < 1)
				return -1;
			st[sp - 1] = !st[sp - 1];
			break;
		case ACTPLANE_EXPR_AND:
		case ACTPLANE_EXPR_OR:
			if (sp < 2)
				return -1;
			sp--;
			st[sp - 1] = prog[i][0] == ACTPLANE_EXPR_AND ? st[sp - 1] & st[sp] :
				     st[sp - 1] | st[sp];
			break;
		default:
			return -1;
		}
		depth = sp > depth ? sp : depth;
	}
	return sp == 1 && depth <= APM_EXPR_MAX_DEPTH ? st[0] : -1;
}

/* A well-formed program of about n instructions, at most max_depth deep. */
static void dm_gen_expr(unsigned char (*prog)[2], u32 *n, u32 budget)
{
	if (budget <= 1 || chance(30)) {
		prog[*n][0] = chance(10) ? ACTPLANE_EXPR_TRUE : ACTPLANE_EXPR_LABEL;
		prog[*n][1] = (unsigned char)rn(6);
		(*n)++;
		return;
	}
	if (chance(25)) {
		dm_gen_expr(prog, n, budget - 1);
		prog[*n][0] = ACTPLANE_EXPR_NOT;
		prog[*n][1] = 0;
		(*n)++;
		return;
	}
	dm_gen_expr(prog, n, budget / 2);
	dm_gen_expr(prog, n, budget / 2);
	prog[*n][0] = chance(50) ? ACTPLANE_EXPR_AND : ACTPLANE_EXPR_OR;
	prog[*n][1] = 0;
	(*n)++;
}

static void run_decide(u32 rounds)
{
	static const char *const argwords[] = { "a", "b", "ab", "", "--x", "a b" };
	unsigned long argv_bad = 0, argv_n = 0, expr_bad = 0, expr_n = 0, r;

	for (r = 0; r < rounds * scale; r++) {
		char *argv[8], *want[4], block[128];
		unsigned char prog[64][2];
		u32 argc = rn(8), nwant = 1 + rn(4), i, n = 0, pos = 0, use;
		u64 labels = rnd() & 0x3f;
		struct apm_packed_args cur;
		bool model, got;
		int m, v;

		for (i = 0; i < argc; i++) {
			argv[i] = (char *)argwords[rn(6)];
			memcpy(block + pos, argv[i], strlen(argv[i]) + 1);
			pos += strlen(argv[i]) + 1;
		}
		block[pos] = 0;
		for (i = 0; i < nwant; i++)
			want[i] = (char *)argwords[rn(6)];
		/* argc may say fewer strings than the block holds, or more */
		use = chance(30) ? rn(argc + 3) : argc;
		cur = (struct apm_packed_args){ .a = block, .end = block + pos, .argc = use };
		use = use < argc ? use : argc;
		model = use > 0 && dm_subseq(want, nwant, 0, argv, use, 1);
		got = apm_argv_match((const char *const *)want, nwant, apm_packed_next, &cur);
		argv_n++;
		if (got != model || ap_argv_match(want, nwant, argv, argc) !=
		    (argc > 0 && dm_subseq(want, nwant, 0, argv, argc, 1))) {
			if (!argv_bad++)
				printf("# argv: round %lu, argc %u of %u strings, %u wanted: module %d, model %d\n",
				       r, cur.argc, argc, nwant, got, model);
		}

		/* condition programs: well-formed ones, unchecked as the module runs them */
		dm_gen_expr(prog, &n, 1 + rn(40));
		m = dm_expr(prog, n, labels);
		if (m >= 0) {
			expr_n++;
			if (apm_expr_eval(prog, n, labels, false) != m ||
			    apm_expr_eval(prog, n, labels, true) != m) {
				if (!expr_bad++)
					printf("# expr: round %lu, %u instructions: %d/%d, model %d\n", r, n,
					       apm_expr_eval(prog, n, labels, false),
					       apm_expr_eval(prog, n, labels, true), m);
			}
		}
		/* and random bytes, checked as the tool runs them */
		n = 1 + rn(24);
		for (i = 0; i < n; i++) {
			prog[i][0] = (unsigned char)rn(7);
			prog[i][1] = (unsigned char)(chance(5) ? 64 + rn(8) : rn(6));
		}
		m = dm_expr(prog, n, labels);
		v = apm_expr_eval(prog, n, labels, true);
		expr_n++;
		if (v != m && !expr_bad++)
			printf("# expr: round %lu, %u random instructions: %d, model %d\n", r, n, v, m);
	}
	RESULT(!argv_bad, "kernel decide: the argv matcher (packed block and array) agrees with brute force",
	       "%lu of %lu disagree", argv_bad, argv_n);
	RESULT(!expr_bad, "kernel decide: condition programs agree with a stack machine model",
	       "%lu of %lu disagree", expr_bad, expr_n);
}

/* ACTPLANE_TEST_SEED and ACTPLANE_TEST_SCALE; each TEST starts its own stream from the seed */
static void seed_from_env(u64 stream)
{
	const char *s = getenv("ACTPLANE_TEST_SEED"), *k = getenv("ACTPLANE_TEST_SCALE");

	seed = s && *s ? strtoull(s, NULL, 0) : 0x61637470;
	if (k && *k)
		scale = strtoul(k, NULL, 0) ?: 1;
	rng = seed ^ stream * 0x9e3779b97f4a7c15ull;
}

TEST(paths)
{
	struct stats cls_st = {};
	double t0 = now();
	char name[160];
	int c;

	seed_from_env(0);
	printf("# seed %llu (ACTPLANE_TEST_SEED=%llu repeats this run), scale %lu\n",
	       seed, seed, scale);
	for (c = ACTPLANE_MATCH_ANY; c < __ACTPLANE_MATCH_MAX; c++) {
		snprintf(name, sizeof(name), "%s patterns", cls_names[c]);
		run_paths(name, PS_CLASS, c, 25, 150, 1000, &cls_st);
	}
	run_paths("patterns of every class", PS_MIXED, -1, 30, 300, 1000, &cls_st);
	run_paths("raw (class, literal, glob) triples", PS_RAW, -1, 40, 300, 1000, NULL);
	snprintf(name, sizeof(name),
		 "kernel index: the compiler's class tests agree with the full glob on %lu (pattern, path) pairs",
		 cls_st.classifier);
	RESULT(!cls_st.cls_bad, name, "%lu of them disagree", cls_st.cls_bad);
	printf("# %.1f s\n", now() - t0);
}

TEST(endpoints)
{
	double t0 = now();

	seed_from_env(1);
	run_eps("IPv4 endpoints", EP_V4, 50, 300, 3000);
	run_eps("IPv6 endpoints", EP_V6, 50, 300, 3000);
	run_eps("endpoints of both families, \"*\" and \":port\"", EP_MIXED, 50, 300, 3000);
	printf("# %.1f s\n", now() - t0);
}

TEST(alloc_failures)
{
	double t0 = now();

	seed_from_env(2);
	run_alloc_failures(40);
	printf("# %.1f s\n", now() - t0);
}

TEST(decide)
{
	seed_from_env(3);
	run_decide(5000);
}

TEST_HARNESS_MAIN
