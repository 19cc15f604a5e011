// SPDX-License-Identifier: GPL-2.0-only
/*
 * Unified line diff: common prefix and suffix are trimmed, the rest is
 * aligned by a longest common subsequence (quadratic, bounded: past
 * AP_DIFF_MAX_CELLS the middle is shown as removed then added, which is
 * still a correct diff, only not a minimal one).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "textdiff.h"

#define AP_DIFF_MAX_CELLS	(16u << 20)
#define AP_DIFF_CONTEXT		3

struct lines {
	const char **s;
	size_t *len;
	size_t n;
};

static int split(const char *t, struct lines *l)
{
	const char *p, *nl;
	size_t n = 0;

	for (p = t; *p; p = nl ? nl + 1 : p + strlen(p)) {
		nl = strchr(p, '\n');
		n++;
		if (!nl)
			break;
	}
	l->s = calloc(n + 1, sizeof(*l->s));
	l->len = calloc(n + 1, sizeof(*l->len));
	if (!l->s || !l->len)
		return -1;
	l->n = 0;
	for (p = t; *p; p = nl + 1) {
		nl = strchr(p, '\n');
		l->s[l->n] = p;
		l->len[l->n++] = nl ? (size_t)(nl - p) : strlen(p);
		if (!nl)
			break;
	}
	return 0;
}

static bool same(const struct lines *a, size_t i, const struct lines *b, size_t j)
{
	return a->len[i] == b->len[j] && !memcmp(a->s[i], b->s[j], a->len[i]);
}

/* one edit script entry per output line: ' ', '-' or '+', with its line */
struct op {
	char kind;
	size_t line;	/* in a for ' ' and '-', in b for '+' */
	size_t ai, bi;	/* positions in a and b before this line */
};

static size_t script(const struct lines *a, const struct lines *b, struct op *ops)
{
	size_t pre = 0, suf = 0, n = 0, i, j, na, nb;
	uint32_t *t = NULL;

	while (pre < a->n && pre < b->n && same(a, pre, b, pre))
		pre++;
	while (suf < a->n - pre && suf < b->n - pre &&
	       same(a, a->n - 1 - suf, b, b->n - 1 - suf))
		suf++;
	na = a->n - pre - suf;
	nb = b->n - pre - suf;
	for (i = 0; i < pre; i++)
		ops[n++] = (struct op){ ' ', i, i, i };
	if (na && nb && (na + 1) * (nb + 1) <= AP_DIFF_MAX_CELLS)
		t = calloc((na + 1) * (nb + 1), sizeof(*t));
	if (t) {
		/* t[i][j]: LCS length of a[pre+i..] and b[pre+j..] */
#define T(x, y) t[(x) * (nb + 1) + (y)]
		for (i = na; i-- > 0;)
			for (j = nb; j-- > 0;)
				T(i, j) = same(a, pre + i, b, pre + j) ? T(i + 1, j + 1) + 1 :
					  T(i + 1, j) >= T(i, j + 1) ? T(i + 1, j) : T(i, j + 1);
		i = j = 0;
		while (i < na || j < nb) {
			if (i < na && j < nb && same(a, pre + i, b, pre + j)) {
				ops[n++] = (struct op){ ' ', pre + i, pre + i, pre + j };
				i++, j++;
			} else if (i < na && (j == nb || T(i + 1, j) >= T(i, j + 1))) {
				ops[n++] = (struct op){ '-', pre + i, pre + i, pre + j };
				i++;
			} else {
				ops[n++] = (struct op){ '+', pre + j, pre + i, pre + j };
				j++;
			}
		}
#undef T
		free(t);
	} else {
		for (i = 0; i < na; i++)
			ops[n++] = (struct op){ '-', pre + i, pre + i, pre };
		for (j = 0; j < nb; j++)
			ops[n++] = (struct op){ '+', pre + j, pre + na, pre + j };
	}
	for (i = 0; i < suf; i++)
		ops[n++] = (struct op){ ' ', a->n - suf + i, a->n - suf + i, b->n - suf + i };
	return n;
}

static void hunk(FILE *f, const struct lines *a, const struct lines *b, const struct op *ops,
		 size_t from, size_t to)
{
	size_t k, na = 0, nb = 0;

	for (k = from; k < to; k++) {
		na += ops[k].kind != '+';
		nb += ops[k].kind != '-';
	}
	/* unified format: a start of 0 for an empty range */
	fprintf(f, "@@ -%zu,%zu +%zu,%zu @@\n", ops[from].ai + (na != 0), na,
		ops[from].bi + (nb != 0), nb);
	for (k = from; k < to; k++) {
		const struct lines *l = ops[k].kind == '+' ? b : a;

		fprintf(f, "%c%.*s\n", ops[k].kind, (int)l->len[ops[k].line], l->s[ops[k].line]);
	}
}

bool ap_text_diff(FILE *f, const char *label_a, const char *a, const char *label_b,
		  const char *b)
{
	struct lines la = { 0 }, lb = { 0 };
	struct op *ops;
	size_t n, k, start, end, last;
	bool differ = strcmp(a, b) != 0;

	if (!differ)
		return false;
	if (split(a, &la) || split(b, &lb) ||
	    !(ops = calloc(la.n + lb.n + 1, sizeof(*ops)))) {
		fprintf(f, "--- %s\n+++ %s\n(out of memory: the texts differ)\n", label_a, label_b);
		free(la.s), free(la.len), free(lb.s), free(lb.len);
		return true;
	}
	n = script(&la, &lb, ops);
	fprintf(f, "--- %s\n+++ %s\n", label_a, label_b);
	for (k = 0; k < n;) {
		if (ops[k].kind == ' ') {
			k++;
			continue;
		}
		/* a hunk: from CONTEXT lines before this change to CONTEXT after the
		 * last change that is no more than 2*CONTEXT unchanged lines away */
		start = k > AP_DIFF_CONTEXT ? k - AP_DIFF_CONTEXT : 0;
		last = k;
		for (end = k; end < n; end++) {
			if (ops[end].kind != ' ')
				last = end;
			else if (end - last > 2 * AP_DIFF_CONTEXT)
				break;
		}
		end = last + 1 + AP_DIFF_CONTEXT < n ? last + 1 + AP_DIFF_CONTEXT : n;
		hunk(f, &la, &lb, ops, start, end);
		k = end;
	}
	/* a text without its final newline differs from one with it */
	if (*a && *b && (a[strlen(a) - 1] == '\n') != (b[strlen(b) - 1] == '\n'))
		fprintf(f, "\\ the texts differ in their final newline\n");
	free(ops);
	free(la.s), free(la.len), free(lb.s), free(lb.len);
	return true;
}
