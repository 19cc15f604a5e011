// SPDX-License-Identifier: GPL-2.0-only
/*
 * Allocation helpers, the arena a compiled policy lives in, source texts with
 * a line index, and small string utilities.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "internal.h"

static void __attribute__((noreturn)) oom(void)
{
	fputs("actplane: out of memory\n", stderr);
	abort();
}

void *ap_xmalloc(size_t n)
{
	void *p = malloc(n ? n : 1);

	if (!p)
		oom();
	return p;
}

void *ap_xcalloc(size_t n, size_t size)
{
	void *p = calloc(n ? n : 1, size ? size : 1);

	if (!p)
		oom();
	return p;
}

void *ap_xrealloc(void *p, size_t n)
{
	p = realloc(p, n ? n : 1);
	if (!p)
		oom();
	return p;
}

char *ap_xstrdup(const char *s)
{
	return ap_xstrndup(s, strlen(s));
}

char *ap_xstrndup(const char *s, size_t n)
{
	char *p = ap_xmalloc(n + 1);

	memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

char *ap_xasprintf(const char *fmt, ...)
{
	va_list ap;
	char *s;

	va_start(ap, fmt);
	if (vasprintf(&s, fmt, ap) < 0)
		oom();
	va_end(ap);
	return s;
}

/* ---- arena --------------------------------------------------------------- */

/*
 * A list of malloc'd chunks.  Small allocations are carved out of the current
 * chunk; big ones get a chunk of their own.  Growing arrays abandon their old
 * storage to the arena, which at most doubles the memory of a policy and
 * keeps freeing trivially correct.
 */
struct ap_chunk {
	struct ap_chunk *next;
	size_t size, used;
	max_align_t data[];
};

#define CHUNK_SIZE	(16 * 1024)
#define ALIGN		(sizeof(max_align_t))

void *ar_alloc(struct ap_arena *a, size_t n)
{
	struct ap_chunk *c = a->head;
	void *p;

	n = (n + ALIGN - 1) & ~(ALIGN - 1);
	if (!n)
		n = ALIGN;
	if (!c || c->size - c->used < n) {
		size_t size = n > CHUNK_SIZE / 4 ? n : CHUNK_SIZE;

		c = ap_xmalloc(sizeof(*c) + size);
		c->size = size;
		c->used = 0;
		if (size == n && a->head) {
			/* dedicated chunk: keep filling the current one */
			c->next = a->head->next;
			a->head->next = c;
		} else {
			c->next = a->head;
			a->head = c;
		}
	}
	p = (char *)c->data + c->used;
	c->used += n;
	memset(p, 0, n);
	return p;
}

char *ar_strndup(struct ap_arena *a, const char *s, size_t n)
{
	char *p = ar_alloc(a, n + 1);

	memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

char *ar_strdup(struct ap_arena *a, const char *s)
{
	return ar_strndup(a, s, strlen(s));
}

char *ar_printf(struct ap_arena *a, const char *fmt, ...)
{
	va_list ap;
	char *tmp, *s;

	va_start(ap, fmt);
	if (vasprintf(&tmp, fmt, ap) < 0)
		oom();
	va_end(ap);
	s = ar_strdup(a, tmp);
	free(tmp);
	return s;
}

void ar_reserve(struct ap_arena *a, void **arr, size_t n, size_t *cap,
		size_t elem)
{
	void *p;
	size_t ncap;

	if (n < *cap)
		return;
	ncap = *cap ? *cap * 2 : 8;
	p = ar_alloc(a, ncap * elem);
	if (n)
		memcpy(p, *arr, n * elem);
	*arr = p;
	*cap = ncap;
}

void ar_release(struct ap_arena *a)
{
	struct ap_chunk *c = a->head, *next;

	for (; c; c = next) {
		next = c->next;
		free(c);
	}
	a->head = NULL;
}

/* ---- texts --------------------------------------------------------------- */

void text_init(struct ap_text *t, const char *name, const char *s, size_t len)
{
	size_t i, cap = 64;

	t->name = name;
	t->s = s;
	t->len = len;
	t->lines = ap_xmalloc(cap * sizeof(*t->lines));
	t->n_lines = 0;
	t->lines[t->n_lines++] = 0;
	for (i = 0; i < len; i++) {
		if (s[i] != '\n')
			continue;
		if (t->n_lines == cap) {
			cap *= 2;
			t->lines = ap_xrealloc(t->lines, cap * sizeof(*t->lines));
		}
		t->lines[t->n_lines++] = i + 1;
	}
}

void text_free(struct ap_text *t)
{
	free(t->lines);
	t->lines = NULL;
	t->n_lines = 0;
}

const char *text_line(const struct ap_text *t, unsigned line, size_t *len)
{
	size_t start, end;

	if (!t || !t->lines || line >= t->n_lines)
		return NULL;
	start = t->lines[line];
	end = line + 1 < t->n_lines ? t->lines[line + 1] - 1 : t->len;
	while (end > start && (t->s[end - 1] == '\r' || t->s[end - 1] == '\n'))
		end--;
	*len = end - start;
	return t->s + start;
}

/* ---- strings ------------------------------------------------------------- */

/*
 * Edit distance counting a swap of two neighbouring characters as one edit
 * (optimal string alignment): "exce" is one edit from "exec", "adn" from
 * "and".  Three rows of at most 65 entries.
 */
static size_t edit_distance(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b), i, j;
	size_t rows[3][65], *pp, *prev, *cur;

	if (la > 64 || lb > 64)
		return (size_t)-1;
	pp = rows[0];
	prev = rows[1];
	cur = rows[2];
	for (j = 0; j <= lb; j++)
		prev[j] = j;
	for (i = 1; i <= la; i++) {
		size_t *tmp;

		cur[0] = i;
		for (j = 1; j <= lb; j++) {
			size_t v = prev[j - 1] + (a[i - 1] != b[j - 1]);

			if (prev[j] + 1 < v)
				v = prev[j] + 1;
			if (cur[j - 1] + 1 < v)
				v = cur[j - 1] + 1;
			if (i > 1 && j > 1 && a[i - 1] == b[j - 2] &&
			    a[i - 2] == b[j - 1] && pp[j - 2] + 1 < v)
				v = pp[j - 2] + 1;
			cur[j] = v;
		}
		tmp = pp;
		pp = prev;
		prev = cur;
		cur = tmp;
	}
	return prev[lb];
}

const char *did_you_mean(const char *word, const char *const *cands, size_t n)
{
	const char *best = NULL;
	size_t i, bestd = (size_t)-1, limit;

	limit = strlen(word) <= 4 ? 1 : 2;
	for (i = 0; i < n; i++) {
		size_t d = edit_distance(word, cands[i]);

		if (d <= limit && d < bestd) {
			bestd = d;
			best = cands[i];
		}
	}
	return best;
}

char *path_dirname_abs(const char *path)
{
	const char *slash = strrchr(path, '/');
	char *dir, *cwd, *abs;

	if (!slash)
		dir = ap_xstrdup(".");
	else if (slash == path)
		dir = ap_xstrdup("/");
	else
		dir = ap_xstrndup(path, slash - path);
	if (dir[0] == '/')
		return dir;
	cwd = getcwd(NULL, 0);
	if (!cwd)
		cwd = ap_xstrdup("/");
	if (!strcmp(dir, "."))
		abs = ap_xstrdup(cwd);
	else
		abs = ap_xasprintf("%s/%s", strcmp(cwd, "/") ? cwd : "", dir);
	free(cwd);
	free(dir);
	return abs;
}

/* ---- string sets (names of keys, rules, domains) ------------------------------ */

static unsigned str_hash(const char *s)
{
	unsigned h = 2166136261u;

	while (*s)
		h = (h ^ (unsigned char)*s++) * 16777619u;
	return h;
}

long strmap_get(const struct strmap *m, const char *key)
{
	size_t i, mask;

	if (!m->cap)
		return -1;
	mask = m->cap - 1;
	for (i = str_hash(key) & mask; m->keys[i]; i = (i + 1) & mask)
		if (!strcmp(m->keys[i], key))
			return m->vals[i];
	return -1;
}

long strmap_put(struct strmap *m, const char *key, long val)
{
	size_t i, mask;
	long old;

	if ((m->n + 1) * 2 > m->cap) {
		struct strmap nm = { 0 };
		size_t j;

		nm.cap = m->cap ? m->cap * 2 : 32;
		nm.keys = ap_xcalloc(nm.cap, sizeof(*nm.keys));
		nm.vals = ap_xcalloc(nm.cap, sizeof(*nm.vals));
		for (j = 0; j < m->cap; j++) {
			if (!m->keys[j])
				continue;
			for (i = str_hash(m->keys[j]) & (nm.cap - 1); nm.keys[i];
			     i = (i + 1) & (nm.cap - 1))
				;
			nm.keys[i] = m->keys[j];
			nm.vals[i] = m->vals[j];
		}
		nm.n = m->n;
		free(m->keys);
		free(m->vals);
		*m = nm;
	}
	old = strmap_get(m, key);
	if (old >= 0)
		return old;
	mask = m->cap - 1;
	for (i = str_hash(key) & mask; m->keys[i]; i = (i + 1) & mask)
		;
	m->keys[i] = key;
	m->vals[i] = val;
	m->n++;
	return -1;
}

void strmap_free(struct strmap *m)
{
	free(m->keys);
	free(m->vals);
	memset(m, 0, sizeof(*m));
}
