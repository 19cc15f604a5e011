// SPDX-License-Identifier: GPL-2.0-only
/*
 * Matching: globs, and the per-operation indexes that find every policy
 * element a path or an endpoint matches without scanning the policy.
 *
 * Paths.  Each pattern was pre-classified by the compiler:
 *   EXACT     full path          -> hash lookup of the path
 *   BASENAME  last component     -> hash lookup of the name
 *   SUFFIX    tail of the path   -> one hash lookup per distinct suffix length
 *   PREFIX    "dir/" + anything  -> one hash lookup per '/' in the path
 *   GLOB      everything else    -> under its literal directory prefix (as a
 *                                   PREFIX, then run), else under its last
 *                                   component (name, "*" + suffix, start)
 *   ANY       always
 * The full path is built only when a gate that needs none opens: the name
 * is one an exact path or a suffix ends in, or an ancestor directory (read
 * from the dentries, see ap_target.walk) has the name a prefix ends in.
 * A query costs O(path depth + distinct lengths), independent of the
 * number of rules; most events build no path.
 *
 * Endpoints.  One hash per distinct (family, prefix length), keyed by the
 * masked address; the port is checked on the hits.
 *
 * The glob NFA, the class tests and the endpoint prefix test are the ones
 * the tool uses too (include/actplane/match.h): O(pattern x path), no
 * backtracking, no allocation for patterns of up to 256 positions.
 */
#include <linux/jhash.h>
#include <linux/socket.h>
#include <linux/in.h>
#include <linux/slab.h>
#include <linux/string.h>
#include "policy.h"

/* ---- glob and class tests (shared with the tool) ---------------------------------- */

/* Bytes the compiled form of @p takes. */
size_t ap_glob_size(const char *p)
{
	struct ap_glob *g;

	return struct_size(g, pos, strlen(p) + 1);
}

/* Compile @p into @buf, of ap_glob_size(@p) bytes. */
struct ap_glob *ap_glob_compile_at(void *buf, const char *p)
{
	struct ap_glob *g = buf;

	g->n = apm_glob_compile(p, g->pos);
	return g;
}

/*
 * Does @path match @g?  A glob of more than APM_GLOB_STACK_POS positions
 * takes its position sets from the heap; without memory it does not match.
 */
bool ap_glob_test(const struct ap_glob *g, const char *path)
{
	unsigned long *heap = NULL;
	bool ok;

	if (g->n > APM_GLOB_STACK_POS) {
		heap = kcalloc(APM_GLOB_HEAP_LONGS(g->n), sizeof(long), GFP_ATOMIC | __GFP_NOWARN);
		if (!heap)
			return false;
	}
	ok = apm_glob_run(g->pos, g->n, path, heap);
	kfree(heap);
	return ok;
}

/* The class-specific test of one pattern against a full path. */
bool ap_pat_match(const struct ap_pat *p, const char *path, size_t len)
{
	int m = apm_class_match(p->cls, p->lit, p->lit_len, path, len);

	return m >= 0 ? m : ap_glob_test(p->glob, path);
}

/* ---- immutable string map ------------------------------------------------------ */

struct ap_kv {
	const char *key;
	u32 len;
	struct ap_use use;
};

static u32 ap_hash(const void *key, u32 len)
{
	return jhash(key, len, 0x61637470);
}

/*
 * Group @kv's equal keys (each group's uses contiguous, in @kv's order) and
 * build the open-addressed table of the groups, twice as many slots as
 * groups.  Linear in @n: the keys are grouped in a scratch table sized
 * for @n distinct keys (which becomes the map when they are all
 * distinct), not sorted (a sort's comparisons were half of a commit).
 */
static int ap_smap_build(struct ap_smap *m, struct ap_kv *kv, u32 n)
{
	struct ap_smap_slot *tmp, *g;
	u32 groups = 0, i, s, d, tmask, slots, at, *slot_of;

	memset(m, 0, sizeof(*m));
	if (!n)
		return 0;
	tmask = roundup_pow_of_two(2 * n) - 1;
	tmp = kvcalloc(tmask + 1, sizeof(*tmp), GFP_KERNEL);
	slot_of = kvcalloc(n, sizeof(*slot_of), GFP_KERNEL);
	m->uses = kvcalloc(n, sizeof(*m->uses), GFP_KERNEL);
	if (!tmp || !slot_of || !m->uses)
		goto nomem;
	for (i = 0; i < n; i++) {
		u32 h = ap_hash(kv[i].key, kv[i].len);

		for (s = h & tmask; tmp[s].key; s = (s + 1) & tmask)
			if (tmp[s].hash == h && tmp[s].len == kv[i].len &&
			    !memcmp(tmp[s].key, kv[i].key, kv[i].len))
				break;
		if (!tmp[s].key) {
			tmp[s] = (struct ap_smap_slot){ .hash = h, .len = kv[i].len, .key = kv[i].key };
			__set_bit(ap_sig(kv[i].key, kv[i].len), m->sig);
			groups++;
		}
		tmp[s].count++;
		slot_of[i] = s;
	}
	for (s = 0, at = 0; s <= tmask; s++) {
		if (!tmp[s].key)
			continue;
		tmp[s].first = at;
		at += tmp[s].count;
		tmp[s].count = 0;	/* counts again as the uses are placed */
	}
	for (i = 0; i < n; i++) {
		g = &tmp[slot_of[i]];
		m->uses[g->first + g->count++] = kv[i].use;
	}
	kvfree(slot_of);
	slot_of = NULL;
	slots = roundup_pow_of_two(groups * 2);
	if (slots == tmask + 1) {
		m->slots = tmp;
		tmp = NULL;
	} else {
		m->slots = kvcalloc(slots, sizeof(*m->slots), GFP_KERNEL);
		if (!m->slots)
			goto nomem;
	}
	m->mask = slots - 1;
	for (s = 0; tmp && s <= tmask; s++) {	/* fewer groups than keys: into the map */
		if (!tmp[s].key)
			continue;
		for (d = tmp[s].hash & m->mask; m->slots[d].key; d = (d + 1) & m->mask)
			;
		m->slots[d] = tmp[s];
	}
	kvfree(tmp);
	return 0;
nomem:
	kvfree(tmp);
	kvfree(slot_of);
	kvfree(m->uses);
	m->uses = NULL;
	return -ENOMEM;
}

static noinline const struct ap_smap_slot *ap_smap_probe(const struct ap_smap *m,
							 const char *key, u32 len)
{
	u32 h, s;

	h = ap_hash(key, len);
	for (s = h & m->mask; m->slots[s].key; s = (s + 1) & m->mask) {
		const struct ap_smap_slot *e = &m->slots[s];

		if (e->hash == h && e->len == len && !memcmp(e->key, key, len))
			return e;
	}
	return NULL;
}

/* Most lookups (of absent keys) end at the signature: inlined, no call. */
static __always_inline const struct ap_smap_slot *ap_smap_get(const struct ap_smap *m,
							      const char *key, u32 len)
{
	if (!m->slots || !test_bit(ap_sig(key, len), m->sig))
		return NULL;
	return ap_smap_probe(m, key, len);
}

static void ap_smap_free(struct ap_smap *m)
{
	kvfree(m->slots);
	kvfree(m->uses);
	memset(m, 0, sizeof(*m));
}

/* ---- path index ------------------------------------------------------------------ */

/* Distinct lengths of the keys in kv (for suffix lookups). */
static int ap_lens(const struct ap_kv *kv, u32 n, u16 **out, u16 *nout)
{
	u16 *l;
	u32 i, k, m = 0;

	*out = NULL;
	*nout = 0;
	if (!n)
		return 0;
	l = kcalloc(n, sizeof(*l), GFP_KERNEL);
	if (!l)
		return -ENOMEM;
	for (i = 0; i < n; i++) {
		for (k = 0; k < m && l[k] != kv[i].len; k++)
			;
		if (k == m)
			l[m++] = kv[i].len;
	}
	*out = l;
	*nout = m;
	return 0;
}

/*
 * Where @s's first wildcard ('*' or '?') is, or its NUL: strpbrk(s, "*?")
 * in one comparison pair per byte (the library's loops over its set).
 */
static const char *ap_wild(const char *s)
{
	while (*s && *s != '*' && *s != '?')
		s++;
	return s;
}

/* Length of the literal directory prefix of a glob: "/a/b/" for "/a/b/x*.c". */
static u32 ap_glob_dir_prefix(const char *g)
{
	const char *w = ap_wild(g);
	const char *slash;

	if (!*w)
		return 0;
	for (slash = w; slash > g && slash[-1] != '/'; slash--)
		;
	return slash - g;
}

/*
 * The last component of a glob, "x*.c" in "/a/" "**" "/x*.c": what follows
 * its last '/', or NULL if that '/' need not end a component of the paths
 * it matches.  "**" + '/' matches zero or more whole components; when it
 * matches none, what precedes it is glued to what follows ("a**" + "/x"
 * matches "/ax"), so its '/' ends a component only if what comes before
 * it does (or is the start).  Tokenised as apm_glob_compile() does.
 */
static const char *ap_glob_last(const char *g)
{
	const char *last = g;
	bool edge = true;	/* what is matched so far ends a component */

	while (*g) {
		if (g[0] == '*' && g[1] == '*' && g[2] == '/') {
			g += 3;
			last = edge ? g : NULL;
		} else if (*g == '/') {
			last = ++g;
			edge = true;
		} else {
			g += g[0] == '*' && g[1] == '*' ? 2 : 1;
			edge = false;
		}
	}
	return last;
}

/*
 * The last component of the directory "/a/b/" (len bytes, ending in '/'):
 * "b".  Returns its length, 0 if there is none ("/").
 */
static u32 ap_dir_last(const char *dir, u32 len, const char **out)
{
	u32 i = len - 1;

	while (i > 0 && dir[i - 1] != '/')
		i--;
	*out = dir + i;
	return len - 1 - i;
}

enum { K_BASE, K_NSFX, K_NPFX, K_EXACT, K_PSFX, K_PREFIX, K_GATE, K_ANC, K_MAX };

/*
 * File one path pattern.
 *   - By the last component alone, no path needed: basenames, name
 *     suffixes; and globs with no literal directory, under their last
 *     component when it has no "**" (which would reach across '/') and
 *     is the name of every path matched (ap_glob_last): a literal, "*" +
 *     a literal suffix, or a literal start (AP_USE_VERIFY: the glob then
 *     runs on the full path).
 *   - By the full path, as before: exact paths, suffixes with a '/', and
 *     "dir/" prefixes (PREFIX, and globs under their literal directory,
 *     AP_USE_VERIFY).  Each is also entered in a gate that needs no path:
 *     the last component an exact path or a suffix must have (K_GATE), the
 *     name of the directory a prefix ends in (K_ANC, matched against the
 *     ancestors' names).  The path is built only when a gate opens.
 *   - Nothing literal: tested on every path.
 */
static void ap_path_file(struct ap_pathidx *x, struct ap_kv **kv, u32 *cnt,
			 const struct ap_pat *p, struct ap_use use)
{
	struct ap_kv e = { .key = p->lit, .len = p->lit_len, .use = use };
	struct ap_kv gate = { .use = use };
	const char *last, *w;
	u32 dir;

	switch (p->cls) {
	case ACTPLANE_MATCH_ANY:
		x->any[x->n_any++] = use;
		return;
	case ACTPLANE_MATCH_BASENAME:
		/*
		 * No name holds a '/' (the root's dentry is named "/", but
		 * its name is empty to the class test): such a literal
		 * matches nothing.
		 */
		if (!memchr(p->lit, '/', p->lit_len))
			kv[K_BASE][cnt[K_BASE]++] = e;
		return;
	case ACTPLANE_MATCH_SUFFIX:
	case ACTPLANE_MATCH_EXACT:
		gate.key = strrchr(p->lit, '/');
		if (!gate.key) {		/* a suffix of the name */
			kv[K_NSFX][cnt[K_NSFX]++] = e;
			return;
		}
		gate.key++;
		gate.len = p->lit + p->lit_len - gate.key;
		if (!gate.len)
			break;
		kv[K_GATE][cnt[K_GATE]++] = gate;
		if (p->cls == ACTPLANE_MATCH_EXACT)
			kv[K_EXACT][cnt[K_EXACT]++] = e;
		else
			kv[K_PSFX][cnt[K_PSFX]++] = e;
		return;
	case ACTPLANE_MATCH_PREFIX:
		gate.len = ap_dir_last(p->lit, p->lit_len, &gate.key);
		if (!gate.len)
			break;
		kv[K_ANC][cnt[K_ANC]++] = gate;
		kv[K_PREFIX][cnt[K_PREFIX]++] = e;
		return;
	default:
		e.use.kind |= AP_USE_VERIFY;
		dir = ap_glob_dir_prefix(p->glob_src);
		if (dir > 1) {
			gate.len = ap_dir_last(p->glob_src, dir, &gate.key);
			if (gate.len) {
				e.key = p->glob_src;
				e.len = dir;
				kv[K_ANC][cnt[K_ANC]++] = gate;
				kv[K_PREFIX][cnt[K_PREFIX]++] = e;
				return;
			}
		}
		last = ap_glob_last(p->glob_src);
		if (!last)
			break;
		w = ap_wild(last);	/* "**" can only start at a wildcard */
		if (*w && strstr(w, "**"))
			break;
		e.key = last;
		if (!*w && w > last) {		/* a literal name */
			e.len = w - last;
			kv[K_BASE][cnt[K_BASE]++] = e;
			return;
		}
		if (w == last && *w == '*' && w[1] && !*ap_wild(w + 1)) {	/* "*" + a name's end */
			e.key = last + 1;
			e.len = strlen(e.key);
			kv[K_NSFX][cnt[K_NSFX]++] = e;
			return;
		}
		e.len = w - last;		/* a name's literal start */
		if (e.len) {
			kv[K_NPFX][cnt[K_NPFX]++] = e;
			return;
		}
		break;
	}
	x->every[x->n_every++] = use;	/* tested on the full path, unflagged */
}

int ap_pathidx_build(struct ap_policy *pol, int op, struct ap_use *uses, u32 n)
{
	struct ap_pathidx *x = &pol->path[op];
	struct ap_kv *kv[K_MAX] = {};	/* all freed on failure, also those not allocated */
	u32 cnt[K_MAX] = {}, i;
	int ret = -ENOMEM, k;

	memset(x, 0, sizeof(*x));
	x->empty = !n;
	if (!n)
		return 0;
	for (k = 0; k < K_MAX; k++) {
		kv[k] = kvcalloc(n, sizeof(struct ap_kv), GFP_KERNEL);
		if (!kv[k])
			goto out;
	}
	x->any = kcalloc(n, sizeof(*x->any), GFP_KERNEL);
	x->every = kcalloc(n, sizeof(*x->every), GFP_KERNEL);
	if (!x->any || !x->every)
		goto out;
	for (i = 0; i < n; i++)
		ap_path_file(x, kv, cnt, &pol->pats[uses[i].pat], uses[i]);
	for (i = 0; i < cnt[K_ANC]; i++)
		if (kv[K_ANC][i].len < AP_NAME_LENS)
			__set_bit(kv[K_ANC][i].len, x->anc_lens);
	if (ap_smap_build(&x->base, kv[K_BASE], cnt[K_BASE]) ||
	    ap_lens(kv[K_NSFX], cnt[K_NSFX], &x->name_sfx_lens, &x->n_name_sfx_lens) ||
	    ap_smap_build(&x->name_suffix, kv[K_NSFX], cnt[K_NSFX]) ||
	    ap_lens(kv[K_NPFX], cnt[K_NPFX], &x->name_pfx_lens, &x->n_name_pfx_lens) ||
	    ap_smap_build(&x->name_prefix, kv[K_NPFX], cnt[K_NPFX]) ||
	    ap_smap_build(&x->exact, kv[K_EXACT], cnt[K_EXACT]) ||
	    ap_lens(kv[K_PSFX], cnt[K_PSFX], &x->path_sfx_lens, &x->n_path_sfx_lens) ||
	    ap_smap_build(&x->path_suffix, kv[K_PSFX], cnt[K_PSFX]) ||
	    ap_smap_build(&x->prefix, kv[K_PREFIX], cnt[K_PREFIX]) ||
	    ap_smap_build(&x->name_gate, kv[K_GATE], cnt[K_GATE]) ||
	    ap_smap_build(&x->anc_gate, kv[K_ANC], cnt[K_ANC]))
		goto out;
	ret = 0;
out:
	for (k = 0; k < K_MAX; k++)
		kvfree(kv[k]);
	return ret;
}

void ap_pathidx_free(struct ap_pathidx *x)
{
	ap_smap_free(&x->base);
	ap_smap_free(&x->name_suffix);
	ap_smap_free(&x->name_prefix);
	ap_smap_free(&x->exact);
	ap_smap_free(&x->path_suffix);
	ap_smap_free(&x->prefix);
	ap_smap_free(&x->name_gate);
	ap_smap_free(&x->anc_gate);
	kfree(x->name_pfx_lens);
	kfree(x->name_sfx_lens);
	kfree(x->path_sfx_lens);
	kfree(x->any);
	kfree(x->every);
	memset(x, 0, sizeof(*x));
}

/* A query: the target and its full path once resolved. */
struct ap_query {
	const struct ap_policy *pol;
	const struct ap_target *t;
	const char *path;
	size_t len;
	bool tried;
	ap_hit_fn fn;
	void *arg;
};

static const char *ap_query_path(struct ap_query *q)
{
	if (!q->path && !q->tried) {
		q->tried = true;
		q->path = q->t->path(q->t->arg, &q->len);
	}
	return q->path;
}

static noinline void ap_emit_uses(struct ap_query *q, const struct ap_smap *m,
				  const struct ap_smap_slot *e)
{
	u32 i;

	for (i = e->first; i < e->first + e->count; i++) {
		struct ap_use u = m->uses[i];

		if (u.kind & AP_USE_VERIFY) {	/* a glob this entry only pre-filters */
			const char *path = ap_query_path(q);

			u.kind &= ~AP_USE_VERIFY;
			if (!path || !ap_pat_match(&q->pol->pats[u.pat], path, q->len))
				continue;
		}
		q->fn(&u, q->arg);
	}
}

/* The uses of a lookup's entry, if it found one (most find none: no call). */
static __always_inline void ap_emit(struct ap_query *q, const struct ap_smap *m,
				    const struct ap_smap_slot *e)
{
	if (e)
		ap_emit_uses(q, m, e);
}

/* walk visitor: stop at the first ancestor whose name opens the gate */
static bool ap_anc_visit(void *ctx, const char *name, u32 len)
{
	return !ap_smap_get(ctx, name, len);
}

/* walk visitor of the memo: which policies' gates an ancestor opens; stop when all are */
struct ap_memo_walk {
	struct ap_anc_memo *m;
	u16 left;		/* gates no ancestor opened yet */
};

static bool ap_memo_visit(void *ctx, const char *name, u32 len)
{
	struct ap_memo_walk *w = ctx;
	u32 i;

	for (i = 0; i < w->m->n; i++)
		if ((w->left & BIT(i)) && ap_smap_get(&w->m->pols[i]->anc_all, name, len)) {
			w->m->open |= BIT(i);
			w->left &= ~BIT(i);
		}
	return w->left;
}

static void ap_memo_fill(struct ap_anc_memo *m, const struct ap_target *t)
{
	DECLARE_BITMAP(lens, AP_NAME_LENS);
	DECLARE_BITMAP(sig, AP_SMAP_SIG_BITS);
	struct ap_name_filter f = {};
	struct ap_memo_walk w = { .m = m };
	u32 i;

	m->done = true;
	m->open = 0;
	if (t->memo_get && t->memo_get(t->arg, m, &m->open))
		return;		/* the answer of an earlier walk from the same place */
	for (i = 0; i < m->n; i++) {
		const struct ap_policy *p = m->pols[i];

		if (!p->anc_all.slots)
			continue;
		w.left |= BIT(i);
		if (!f.lens) {
			/* one policy with gates: its filter as it is */
			f = (struct ap_name_filter){ p->anc_all_lens, p->anc_all.sig };
			continue;
		}
		/* more than one: the union of their filters */
		if (f.lens != lens) {
			bitmap_copy(lens, f.lens, AP_NAME_LENS);
			bitmap_copy(sig, f.sig, AP_SMAP_SIG_BITS);
			f = (struct ap_name_filter){ lens, sig };
		}
		bitmap_or(lens, lens, p->anc_all_lens, AP_NAME_LENS);
		bitmap_or(sig, sig, p->anc_all.sig, AP_SMAP_SIG_BITS);
	}
	/* a walk that cannot vouch for every ancestor opens what is left */
	if (w.left && !t->walk(t->arg, ap_memo_visit, &w, &f))
		m->open |= w.left;
	if (t->memo_put)
		t->memo_put(t->arg, m, m->open);
}

/*
 * Must the full path be built?  Yes if a pattern has nothing literal, if
 * the name is one an exact path or a suffix ends in, or if an ancestor is
 * a directory some prefix ends in (or the walk cannot tell).  With a memo,
 * the first walk is against every operation's gate of every policy at
 * once: when no ancestor opens a policy's, none of its operations walks
 * again.
 */
static bool ap_need_path(const struct ap_policy *pol, const struct ap_pathidx *x,
			 const struct ap_target *t)
{
	struct ap_anc_memo *m = t->anc_memo;
	u32 i;

	if (x->n_every || ap_smap_get(&x->name_gate, t->name, t->name_len))
		return true;
	if (!x->anc_gate.slots)
		return false;
	if (!t->walk)
		return true;
	for (i = 0; m && i < m->n; i++) {
		if (m->pols[i] != pol)
			continue;
		if (!m->done)
			ap_memo_fill(m, t);
		if (!(m->open & BIT(i)))
			return false;
		break;
	}
	return !t->walk(t->arg, ap_anc_visit, (void *)&x->anc_gate,
			&(struct ap_name_filter){ x->anc_lens, x->anc_gate.sig });
}

/*
 * The union of the operations' ancestor gates (after ap_pathidx_build() of
 * each): the keys are the patterns' own strings, as in each gate.
 */
int ap_anc_all_build(struct ap_policy *pol)
{
	struct ap_kv *kv;
	u32 n = 0, s;
	int op, ret;

	memset(&pol->anc_all, 0, sizeof(pol->anc_all));
	bitmap_zero(pol->anc_all_lens, AP_NAME_LENS);
	for (op = 0; op < __ACTPLANE_OP_MAX; op++) {
		const struct ap_smap *g = &pol->path[op].anc_gate;

		for (s = 0; g->slots && s <= g->mask; s++)
			n += !!g->slots[s].key;
		bitmap_or(pol->anc_all_lens, pol->anc_all_lens, pol->path[op].anc_lens,
			  AP_NAME_LENS);
	}
	if (!n)
		return 0;
	kv = kvcalloc(n, sizeof(*kv), GFP_KERNEL);
	if (!kv)
		return -ENOMEM;
	n = 0;
	for (op = 0; op < __ACTPLANE_OP_MAX; op++) {
		const struct ap_smap *g = &pol->path[op].anc_gate;

		for (s = 0; g->slots && s <= g->mask; s++)
			if (g->slots[s].key)
				kv[n++] = (struct ap_kv){ .key = g->slots[s].key,
							  .len = g->slots[s].len };
	}
	ret = ap_smap_build(&pol->anc_all, kv, n);
	kvfree(kv);
	return ret;
}

void ap_anc_all_free(struct ap_policy *pol)
{
	ap_smap_free(&pol->anc_all);
}

/*
 * Call fn for every use whose pattern matches the target.  The last
 * component decides most lookups; the full path is built (t->path) only
 * when a gate says a full-path entry may match, or a name-filed glob must
 * be run.  Cost: O(path depth + distinct lengths), not the number of rules.
 */
void ap_pathidx_query(const struct ap_policy *pol, const struct ap_pathidx *x,
		      const struct ap_target *t, ap_hit_fn fn, void *arg)
{
	struct ap_query q = { .pol = pol, .t = t, .fn = fn, .arg = arg };
	const char *name = t->name, *path;
	size_t nlen = t->name_len, len;
	u32 i;

	if (x->empty)
		return;
	for (i = 0; i < x->n_any; i++)
		fn(&x->any[i], arg);
	ap_emit(&q, &x->base, ap_smap_get(&x->base, name, nlen));
	for (i = 0; i < x->n_name_sfx_lens; i++)
		if (x->name_sfx_lens[i] <= nlen)
			ap_emit(&q, &x->name_suffix,
				ap_smap_get(&x->name_suffix, name + nlen - x->name_sfx_lens[i],
					    x->name_sfx_lens[i]));
	for (i = 0; i < x->n_name_pfx_lens; i++)
		if (x->name_pfx_lens[i] <= nlen)
			ap_emit(&q, &x->name_prefix,
				ap_smap_get(&x->name_prefix, name, x->name_pfx_lens[i]));
	if (!ap_need_path(pol, x, t) || !ap_query_path(&q))
		return;
	path = q.path;
	len = q.len;
	ap_emit(&q, &x->exact, ap_smap_get(&x->exact, path, len));
	for (i = 0; i < x->n_path_sfx_lens; i++)
		if (x->path_sfx_lens[i] <= len)
			ap_emit(&q, &x->path_suffix,
				ap_smap_get(&x->path_suffix, path + len - x->path_sfx_lens[i],
					    x->path_sfx_lens[i]));
	if (x->prefix.slots)
		for (i = 1; i < len; i++)
			if (path[i] == '/')
				ap_emit(&q, &x->prefix, ap_smap_get(&x->prefix, path, i + 1));
	for (i = 0; i < x->n_every; i++)
		if (ap_pat_match(&pol->pats[x->every[i].pat], path, len))
			fn(&x->every[i], arg);
}

/* ---- endpoint index ------------------------------------------------------------------ */

static void ap_mask_addr(u8 *out, const u8 *addr, u8 family, u8 plen)
{
	u32 bytes = family == AF_INET ? 4 : 16, i;

	memset(out, 0, 16);
	for (i = 0; i < bytes && plen; i++) {
		u8 bits = plen >= 8 ? 8 : plen;

		out[i] = addr[i] & (u8)(0xff << (8 - bits));
		plen -= bits;
	}
}

bool ap_ep_match(const struct ap_ep *e, const struct ap_ep_key *k)
{
	return apm_ep_match(e->family, e->addr, e->plen, e->port, k->family, k->addr,
			    ntohs(k->port));
}

/* @grp's filter (ap_epidx_misses()): about 16 bits per key, at most 64 Kibit (8 KiB). */
static int ap_epgroup_filter(struct ap_epgroup *grp, const struct ap_kv *kv, u32 m)
{
	u32 i;

	grp->fbits = clamp_t(u32, order_base_2(16 * m), 6, 16);
	grp->filter = bitmap_zalloc(1U << grp->fbits, GFP_KERNEL);
	if (!grp->filter)
		return -ENOMEM;
	for (i = 0; i < m; i++) {
		u64 key[2], h;

		memcpy(key, kv[i].key, sizeof(key));
		h = ap_ep_fhash(key);
		__set_bit(ap_ep_fbit(h, grp->fbits, 0), grp->filter);
		__set_bit(ap_ep_fbit(h, grp->fbits, 1), grp->filter);
	}
	return 0;
}

/*
 * The top-bits filters (ap_epidx_misses()), @cnt[f] endpoints of family f
 * (0: IPv4, 1: IPv6) among @uses: every address an endpoint contains has
 * its top bits' slot set in its family's.
 */
static int ap_eptop_build(struct ap_epidx *x, const struct ap_policy *pol,
			  const struct ap_use *uses, u32 n, const u32 *cnt)
{
	u32 i, f;

	for (f = 0; f < 2; f++) {
		if (!cnt[f])
			continue;
		x->tbits[f] = clamp_t(u32, order_base_2(16 * cnt[f]), 8, 16);
		x->top[f] = bitmap_zalloc(1U << x->tbits[f], GFP_KERNEL);
		if (!x->top[f])
			return -ENOMEM;
	}
	for (i = 0; i < n; i++) {
		const struct ap_ep *e = &pol->eps[uses[i].pat];
		u32 slot, span, tb;

		if (!e->family)
			continue;
		f = e->family == AF_INET6;
		tb = x->tbits[f];
		slot = ap_ep_top(e->addr, tb);
		if (e->plen >= tb) {
			__set_bit(slot, x->top[f]);
			continue;
		}
		/* a shorter prefix: every slot under it */
		span = 1U << (tb - e->plen);
		bitmap_set(x->top[f], slot & ~(span - 1), span);
	}
	return 0;
}

int ap_epidx_build(struct ap_policy *pol, int op, struct ap_use *uses, u32 n)
{
	struct ap_epidx *x = &pol->ep[op];
	struct ap_kv *kv = NULL;
	u8 *keys = NULL;
	u32 i, g, m, cnt[2] = {};
	int ret = -ENOMEM;

	memset(x, 0, sizeof(*x));
	x->empty = !n;
	if (!n)
		return 0;
	x->any = kcalloc(n, sizeof(*x->any), GFP_KERNEL);
	/* at most one group per (family, prefix length): 33 for IPv4, 129 for IPv6 */
	x->groups = kcalloc(min_t(u32, n, 33 + 129), sizeof(*x->groups), GFP_KERNEL);
	kv = kvcalloc(n, sizeof(*kv), GFP_KERNEL);
	keys = kvcalloc(n, 16, GFP_KERNEL);
	if (!x->any || !x->groups || !kv || !keys)
		goto out;
	/* groups: distinct (family, plen) */
	for (i = 0; i < n; i++) {
		struct ap_ep *e = &pol->eps[uses[i].pat];

		if (!e->family) {
			x->any[x->n_any++] = uses[i];
			continue;
		}
		cnt[e->family == AF_INET6]++;
		for (g = 0; g < x->ngroups; g++)
			if (x->groups[g].family == e->family && x->groups[g].plen == e->plen)
				break;
		if (g == x->ngroups) {
			u8 ones[16];

			memset(ones, 0xff, sizeof(ones));
			x->groups[g].family = e->family;
			x->groups[g].plen = e->plen;
			ap_mask_addr((u8 *)x->groups[g].mask, ones, e->family, e->plen);
			x->ngroups++;
		}
	}
	for (g = 0; g < x->ngroups; g++) {
		for (i = 0, m = 0; i < n; i++) {
			struct ap_ep *e = &pol->eps[uses[i].pat];

			if (e->family != x->groups[g].family || e->plen != x->groups[g].plen)
				continue;
			ap_mask_addr(keys + 16 * i, e->addr, e->family, e->plen);
			kv[m++] = (struct ap_kv){ .key = (char *)keys + 16 * i, .len = 16,
						  .use = uses[i] };
		}
		if (ap_smap_build(&x->groups[g].map, kv, m) ||
		    ap_epgroup_filter(&x->groups[g], kv, m))
			goto out;
	}
	if (ap_eptop_build(x, pol, uses, n, cnt))
		goto out;
	/* the maps' keys point into keys[]: it lives as long as the index */
	x->keys = keys;
	keys = NULL;
	ret = 0;
out:
	kvfree(kv);
	kvfree(keys);
	return ret;
}

void ap_epidx_free(struct ap_epidx *x)
{
	u32 g;

	for (g = 0; g < x->ngroups; g++) {
		ap_smap_free(&x->groups[g].map);
		bitmap_free(x->groups[g].filter);
	}
	kfree(x->groups);
	kfree(x->any);
	kvfree(x->keys);
	bitmap_free(x->top[0]);
	bitmap_free(x->top[1]);
	memset(x, 0, sizeof(*x));
}

void ap_epidx_query(const struct ap_policy *pol, const struct ap_epidx *x,
		    const struct ap_ep_key *k, ap_hit_fn fn, void *arg)
{
	const struct ap_smap_slot *e;
	u64 addr[2], key[2];
	u32 g, i;

	if (x->empty)
		return;
	for (i = 0; i < x->n_any; i++)
		if (ap_ep_match(&pol->eps[x->any[i].pat], k))
			fn(&x->any[i], arg);
	memcpy(addr, k->addr, sizeof(addr));
	for (g = 0; g < x->ngroups; g++) {
		const struct ap_epgroup *grp = &x->groups[g];

		if (grp->family != k->family)
			continue;
		key[0] = addr[0] & grp->mask[0];	/* = ap_mask_addr(), the build's key */
		key[1] = addr[1] & grp->mask[1];
		if (!ap_ep_fhas(grp->filter, grp->fbits, key))
			continue;	/* no key of the group is @k's */
		e = ap_smap_get(&grp->map, (const char *)key, 16);
		if (!e)
			continue;
		for (i = e->first; i < e->first + e->count; i++)
			if (ap_ep_match(&pol->eps[grp->map.uses[i].pat], k))
				fn(&grp->map.uses[i], arg);
	}
}
