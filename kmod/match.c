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
 *   GLOB      everything else    -> bucketed under its literal directory
 *                                   prefix, so only globs whose directory is
 *                                   an ancestor of the path are run
 *   ANY       always
 * A query costs O(path depth + distinct suffix lengths), independent of the
 * number of rules; globs run only under matching directories.
 *
 * Endpoints.  One hash per distinct (family, prefix length), keyed by the
 * masked address; the port is checked on the hits.
 *
 * The glob matcher simulates a small NFA with a set of active positions:
 * O(pattern x path), no backtracking, no allocation for patterns up to 256
 * positions.
 */
#include <linux/jhash.h>
#include <linux/socket.h>
#include <linux/in.h>
#include <linux/slab.h>
#include <linux/sort.h>
#include <linux/string.h>
#include "policy.h"

/* ---- glob ------------------------------------------------------------------ */

enum { G_LIT, G_QMARK, G_STAR, G_DSTAR, G_DSLASH, G_DSIN };

struct ap_glob *ap_glob_compile(const char *p, gfp_t gfp)
{
	size_t len = strlen(p);
	struct ap_glob *g = kmalloc(struct_size(g, pos, len + 1), gfp);
	u16 n = 0;

	if (!g)
		return NULL;
	while (*p) {
		if (p[0] == '*' && p[1] == '*') {
			if (p[2] == '/') {
				g->pos[n++][0] = G_DSLASH;
				g->pos[n++][0] = G_DSIN;
				p += 3;
			} else {
				g->pos[n++][0] = G_DSTAR;
				p += 2;
			}
		} else if (*p == '*') {
			g->pos[n++][0] = G_STAR;
			p++;
		} else if (*p == '?') {
			g->pos[n++][0] = G_QMARK;
			p++;
		} else {
			g->pos[n][0] = G_LIT;
			g->pos[n++][1] = *p++;
		}
	}
	g->n = n;
	return g;
}

/* add position i and everything reachable from it without input */
static void glob_close(const struct ap_glob *g, unsigned long *set, unsigned int i)
{
	while (i <= g->n && !test_bit(i, set)) {
		__set_bit(i, set);
		if (i == g->n)
			break;
		if (g->pos[i][0] == G_STAR || g->pos[i][0] == G_DSTAR)
			i++;
		else if (g->pos[i][0] == G_DSLASH)
			i += 2;
		else
			break;
	}
}

bool ap_glob_match(const struct ap_glob *g, const char *path)
{
	unsigned long stack[2][BITS_TO_LONGS(257)];
	unsigned long *cur = stack[0], *next = stack[1], *heap = NULL, *tmp;
	size_t words = BITS_TO_LONGS(g->n + 1);
	unsigned int i;
	bool any, ok;

	if (g->n > 256) {
		heap = kcalloc(2 * words, sizeof(long), GFP_ATOMIC | __GFP_NOWARN);
		if (!heap)
			return false;
		cur = heap;
		next = heap + words;
	}
	bitmap_zero(cur, g->n + 1);
	glob_close(g, cur, 0);
	for (; *path; path++) {
		char c = *path;

		bitmap_zero(next, g->n + 1);
		any = false;
		for_each_set_bit(i, cur, g->n) {
			switch (g->pos[i][0]) {
			case G_LIT:
				if (g->pos[i][1] == c) {
					glob_close(g, next, i + 1);
					any = true;
				}
				break;
			case G_QMARK:
				if (c != '/') {
					glob_close(g, next, i + 1);
					any = true;
				}
				break;
			case G_STAR:
				if (c != '/') {
					glob_close(g, next, i);
					any = true;
				}
				break;
			case G_DSTAR:
				glob_close(g, next, i);
				any = true;
				break;
			case G_DSLASH:
			case G_DSIN: {
				unsigned int in = g->pos[i][0] == G_DSLASH ? i + 1 : i;

				glob_close(g, next, in);
				if (c == '/')
					glob_close(g, next, in + 1);
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
	ok = !*path && test_bit(g->n, cur);
	kfree(heap);
	return ok;
}

/* The class-specific test of one pattern against a full path. */
bool ap_pat_match(const struct ap_pat *p, const char *path, size_t len)
{
	const char *name = strrchr(path, '/');

	name = name ? name + 1 : path;
	switch (p->cls) {
	case ACTPLANE_MATCH_ANY:
		return true;
	case ACTPLANE_MATCH_EXACT:
		return len == p->lit_len && !memcmp(path, p->lit, len);
	case ACTPLANE_MATCH_BASENAME:
		return !strcmp(name, p->lit);
	case ACTPLANE_MATCH_PREFIX:
		return len >= p->lit_len && !memcmp(path, p->lit, p->lit_len);
	case ACTPLANE_MATCH_SUFFIX:
		return len >= p->lit_len && !memcmp(path + len - p->lit_len, p->lit, p->lit_len) &&
		       (memchr(p->lit, '/', p->lit_len) || path + len - p->lit_len >= name);
	default:
		return ap_glob_match(p->glob, path);
	}
}

/* ---- immutable string map ------------------------------------------------------ */

struct ap_kv {
	const char *key;
	u32 len;
	struct ap_use use;
};

static int ap_kv_cmp(const void *a, const void *b)
{
	const struct ap_kv *x = a, *y = b;

	if (x->len != y->len)
		return x->len < y->len ? -1 : 1;
	return memcmp(x->key, y->key, x->len);
}

static u32 ap_hash(const void *key, u32 len)
{
	return jhash(key, len, 0x61637470);
}

static int ap_smap_build(struct ap_smap *m, struct ap_kv *kv, u32 n)
{
	u32 groups = 0, i, j, slots;

	memset(m, 0, sizeof(*m));
	if (!n)
		return 0;
	sort(kv, n, sizeof(*kv), ap_kv_cmp, NULL);
	for (i = 0; i < n; i++)
		if (!i || ap_kv_cmp(&kv[i - 1], &kv[i]))
			groups++;
	slots = roundup_pow_of_two(groups * 2);
	m->slots = kvcalloc(slots, sizeof(*m->slots), GFP_KERNEL);
	m->uses = kvcalloc(n, sizeof(*m->uses), GFP_KERNEL);
	if (!m->slots || !m->uses) {
		kvfree(m->slots);
		kvfree(m->uses);
		m->slots = NULL;
		m->uses = NULL;
		return -ENOMEM;
	}
	m->mask = slots - 1;
	for (i = 0; i < n; i = j) {
		u32 h = ap_hash(kv[i].key, kv[i].len), s = h & m->mask;

		for (j = i; j < n && !ap_kv_cmp(&kv[i], &kv[j]); j++)
			m->uses[j] = kv[j].use;
		while (m->slots[s].key)
			s = (s + 1) & m->mask;
		m->slots[s] = (struct ap_smap_slot){ .hash = h, .len = kv[i].len, .key = kv[i].key,
						     .first = i, .count = j - i };
	}
	return 0;
}

static const struct ap_smap_slot *ap_smap_get(const struct ap_smap *m, const char *key, u32 len)
{
	u32 h, s;

	if (!m->slots)
		return NULL;
	h = ap_hash(key, len);
	for (s = h & m->mask; m->slots[s].key; s = (s + 1) & m->mask) {
		const struct ap_smap_slot *e = &m->slots[s];

		if (e->hash == h && e->len == len && !memcmp(e->key, key, len))
			return e;
	}
	return NULL;
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

/* Length of the literal directory prefix of a glob: "/a/b/" for "/a/b/x*.c". */
static u32 ap_glob_dir_prefix(const char *g)
{
	const char *w = strpbrk(g, "*?");
	const char *slash;

	if (!w)
		return 0;
	for (slash = w; slash > g && slash[-1] != '/'; slash--)
		;
	return slash - g;
}

int ap_pathidx_build(struct ap_policy *pol, int op, struct ap_use *uses, u32 n)
{
	struct ap_pathidx *x = &pol->path[op];
	struct ap_kv *kv[6];
	u32 cnt[6] = {}, i, n_any = 0, n_root = 0;
	int ret = -ENOMEM, k;

	enum { K_EXACT, K_BASE, K_NSFX, K_PSFX, K_PREFIX, K_NPFX };

	memset(x, 0, sizeof(*x));
	x->empty = !n;
	if (!n)
		return 0;
	for (k = 0; k < 6; k++) {
		kv[k] = kvcalloc(n, sizeof(struct ap_kv), GFP_KERNEL);
		if (!kv[k])
			goto out;
	}
	x->any = kcalloc(n, sizeof(*x->any), GFP_KERNEL);
	x->glob_root = kcalloc(n, sizeof(*x->glob_root), GFP_KERNEL);
	if (!x->any || !x->glob_root)
		goto out;
	for (i = 0; i < n; i++) {
		struct ap_pat *p = &pol->pats[uses[i].pat];
		struct ap_kv e = { .key = p->lit, .len = p->lit_len, .use = uses[i] };

		switch (p->cls) {
		case ACTPLANE_MATCH_ANY:
			x->any[n_any++] = uses[i];
			break;
		case ACTPLANE_MATCH_EXACT:
			kv[K_EXACT][cnt[K_EXACT]++] = e;
			x->need_path = true;
			break;
		case ACTPLANE_MATCH_BASENAME:
			kv[K_BASE][cnt[K_BASE]++] = e;
			break;
		case ACTPLANE_MATCH_SUFFIX:
			if (memchr(p->lit, '/', p->lit_len)) {
				kv[K_PSFX][cnt[K_PSFX]++] = e;
				x->need_path = true;
			} else {
				kv[K_NSFX][cnt[K_NSFX]++] = e;
			}
			break;
		case ACTPLANE_MATCH_PREFIX:
			kv[K_PREFIX][cnt[K_PREFIX]++] = e;
			x->need_path = true;
			break;
		default:
			e.len = ap_glob_dir_prefix(p->glob_src);
			if (e.len <= 1) {
				/*
				 * Nothing literal but "/" before the first wildcard:
				 * pre-filter by the last component when it is a literal
				 * ("**" + "/x-*" + "/id.key"), "*" + a literal suffix, or
				 * starts with a literal ("tool-*"), so the path is
				 * resolved and the glob run only for names that can
				 * match.
				 */
				const char *last = strrchr(p->glob_src, '/');

				last = last ? last + 1 : p->glob_src;
				e.key = last;
				e.len = strlen(last);
				e.use.kind |= 0x80;
				if (e.len && !strpbrk(last, "*?")) {
					kv[K_BASE][cnt[K_BASE]++] = e;
					break;
				}
				if (e.len > 1 && last[0] == '*' && !strpbrk(last + 1, "*?")) {
					e.key = last + 1;
					e.len--;
					kv[K_NSFX][cnt[K_NSFX]++] = e;
					break;
				}
				e.len = strcspn(last, "*?");
				if (e.len) {
					kv[K_NPFX][cnt[K_NPFX]++] = e;
					break;
				}
				x->need_path = true;	/* run on every path */
				x->glob_root[n_root++] = uses[i];
				break;
			}
			x->need_path = true;
			e.key = p->glob_src;
			e.use.kind |= 0x80;	/* marks "run the glob" */
			kv[K_PREFIX][cnt[K_PREFIX]++] = e;
			break;
		}
	}
	x->n_any = n_any;
	x->n_glob_root = n_root;
	if (ap_smap_build(&x->exact, kv[K_EXACT], cnt[K_EXACT]) ||
	    ap_smap_build(&x->base, kv[K_BASE], cnt[K_BASE]) ||
	    ap_lens(kv[K_NSFX], cnt[K_NSFX], &x->name_sfx_lens, &x->n_name_sfx_lens) ||
	    ap_smap_build(&x->name_suffix, kv[K_NSFX], cnt[K_NSFX]) ||
	    ap_lens(kv[K_PSFX], cnt[K_PSFX], &x->path_sfx_lens, &x->n_path_sfx_lens) ||
	    ap_smap_build(&x->path_suffix, kv[K_PSFX], cnt[K_PSFX]) ||
	    ap_smap_build(&x->prefix, kv[K_PREFIX], cnt[K_PREFIX]) ||
	    ap_lens(kv[K_NPFX], cnt[K_NPFX], &x->name_pfx_lens, &x->n_name_pfx_lens) ||
	    ap_smap_build(&x->name_prefix, kv[K_NPFX], cnt[K_NPFX]))
		goto out;
	ret = 0;
out:
	for (k = 0; k < 6; k++)
		kvfree(kv[k]);
	return ret;
}

void ap_pathidx_free(struct ap_pathidx *x)
{
	ap_smap_free(&x->exact);
	ap_smap_free(&x->base);
	ap_smap_free(&x->name_suffix);
	ap_smap_free(&x->path_suffix);
	ap_smap_free(&x->prefix);
	ap_smap_free(&x->name_prefix);
	kfree(x->name_pfx_lens);
	kfree(x->name_sfx_lens);
	kfree(x->path_sfx_lens);
	kfree(x->any);
	kfree(x->glob_root);
	memset(x, 0, sizeof(*x));
}

/* The path a query needs: given up front, or resolved once on demand. */
struct ap_qpath {
	const char *path;
	size_t len;
	bool tried;
	ap_path_fn get;
	void *arg;
};

static const char *ap_qpath_get(struct ap_qpath *q)
{
	if (!q->path && !q->tried && q->get) {
		q->tried = true;
		q->path = q->get(q->arg, &q->len);
	}
	return q->path;
}

static void ap_emit(const struct ap_smap *m, const struct ap_smap_slot *e,
		    const struct ap_policy *pol, struct ap_qpath *q, ap_hit_fn fn, void *arg)
{
	u32 i;

	if (!e)
		return;
	for (i = e->first; i < e->first + e->count; i++) {
		struct ap_use u = m->uses[i];

		if (u.kind & 0x80) {	/* a glob this entry only pre-filters */
			const char *path = ap_qpath_get(q);

			u.kind &= 0x7f;
			if (!path || !ap_glob_match(pol->pats[u.pat].glob, path))
				continue;
		}
		fn(&u, arg);
	}
}

/*
 * Call fn for every use whose pattern matches.  path may be NULL when the
 * index does not need it up front (x->need_path false): globs pre-filtered
 * by the name then resolve it through get_path, only when the name matched.
 * name is the last component.
 */
void ap_pathidx_query(const struct ap_policy *pol, const struct ap_pathidx *x,
		      const char *path, size_t len, const char *name, size_t nlen,
		      ap_path_fn get_path, ap_hit_fn fn, void *arg)
{
	struct ap_qpath q = { .path = path, .len = len, .get = get_path, .arg = arg };
	u32 i;

	if (x->empty)
		return;
	for (i = 0; i < x->n_any; i++)
		fn(&x->any[i], arg);
	ap_emit(&x->base, ap_smap_get(&x->base, name, nlen), pol, &q, fn, arg);
	for (i = 0; i < x->n_name_sfx_lens; i++)
		if (x->name_sfx_lens[i] <= nlen)
			ap_emit(&x->name_suffix,
				ap_smap_get(&x->name_suffix, name + nlen - x->name_sfx_lens[i],
					    x->name_sfx_lens[i]), pol, &q, fn, arg);
	for (i = 0; i < x->n_name_pfx_lens; i++)
		if (x->name_pfx_lens[i] <= nlen)
			ap_emit(&x->name_prefix, ap_smap_get(&x->name_prefix, name, x->name_pfx_lens[i]),
				pol, &q, fn, arg);
	if (!path)
		return;
	ap_emit(&x->exact, ap_smap_get(&x->exact, path, len), pol, &q, fn, arg);
	for (i = 0; i < x->n_path_sfx_lens; i++)
		if (x->path_sfx_lens[i] <= len)
			ap_emit(&x->path_suffix,
				ap_smap_get(&x->path_suffix, path + len - x->path_sfx_lens[i],
					    x->path_sfx_lens[i]), pol, &q, fn, arg);
	if (x->prefix.slots)
		for (i = 1; i < len; i++)
			if (path[i] == '/')
				ap_emit(&x->prefix, ap_smap_get(&x->prefix, path, i + 1), pol,
					&q, fn, arg);
	for (i = 0; i < x->n_glob_root; i++)
		if (ap_glob_match(pol->pats[x->glob_root[i].pat].glob, path))
			fn(&x->glob_root[i], arg);
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
	u8 a[16], b[16];

	if (e->port && e->port != ntohs(k->port))
		return false;
	if (!e->family)
		return true;
	if (e->family != k->family)
		return false;
	ap_mask_addr(a, e->addr, e->family, e->plen);
	ap_mask_addr(b, k->addr, e->family, e->plen);
	return !memcmp(a, b, 16);
}

int ap_epidx_build(struct ap_policy *pol, int op, struct ap_use *uses, u32 n)
{
	struct ap_epidx *x = &pol->ep[op];
	struct ap_kv *kv = NULL;
	u8 *keys = NULL;
	u32 i, g, m;
	int ret = -ENOMEM;

	memset(x, 0, sizeof(*x));
	x->empty = !n;
	if (!n)
		return 0;
	x->any = kcalloc(n, sizeof(*x->any), GFP_KERNEL);
	x->groups = kcalloc(n, sizeof(*x->groups), GFP_KERNEL);
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
		for (g = 0; g < x->ngroups; g++)
			if (x->groups[g].family == e->family && x->groups[g].plen == e->plen)
				break;
		if (g == x->ngroups) {
			x->groups[g].family = e->family;
			x->groups[g].plen = e->plen;
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
		if (ap_smap_build(&x->groups[g].map, kv, m))
			goto out;
	}
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

	for (g = 0; g < x->ngroups; g++)
		ap_smap_free(&x->groups[g].map);
	kfree(x->groups);
	kfree(x->any);
	kvfree(x->keys);
	memset(x, 0, sizeof(*x));
}

void ap_epidx_query(const struct ap_policy *pol, const struct ap_epidx *x,
		    const struct ap_ep_key *k, ap_hit_fn fn, void *arg)
{
	const struct ap_smap_slot *e;
	u8 key[16];
	u32 g, i;

	if (x->empty)
		return;
	for (i = 0; i < x->n_any; i++)
		if (ap_ep_match(&pol->eps[x->any[i].pat], k))
			fn(&x->any[i], arg);
	for (g = 0; g < x->ngroups; g++) {
		const struct ap_epgroup *grp = &x->groups[g];

		if (grp->family != k->family)
			continue;
		ap_mask_addr(key, k->addr, grp->family, grp->plen);
		e = ap_smap_get(&grp->map, (const char *)key, 16);
		if (!e)
			continue;
		for (i = e->first; i < e->first + e->count; i++)
			if (ap_ep_match(&pol->eps[grp->map.uses[i].pat], k))
				fn(&grp->map.uses[i], arg);
	}
}
