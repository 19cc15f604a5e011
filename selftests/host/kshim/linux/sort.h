/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * kernel shim: sort(), a heapsort like lib/sort.c's: in place, not stable,
 * so equal keys come out in no particular order, as in the module.
 */
#ifndef KSHIM_SORT_H
#define KSHIM_SORT_H
#include "../kshim.h"

typedef int (*cmp_func_t)(const void *a, const void *b);
typedef void (*swap_func_t)(void *a, void *b, int size);

static inline void kshim_swap(void *a, void *b, size_t size)
{
	unsigned char *x = a, *y = b, t;

	while (size--) {
		t = *x;
		*x++ = *y;
		*y++ = t;
	}
}

static inline void kshim_sift(char *base, size_t root, size_t n, size_t size, cmp_func_t cmp)
{
	size_t child;

	while ((child = 2 * root + 1) < n) {
		if (child + 1 < n && cmp(base + child * size, base + (child + 1) * size) < 0)
			child++;
		if (cmp(base + root * size, base + child * size) >= 0)
			return;
		kshim_swap(base + root * size, base + child * size, size);
		root = child;
	}
}

static inline void sort(void *base, size_t num, size_t size, cmp_func_t cmp, swap_func_t swap)
{
	char *b = base;
	size_t i;

	(void)swap;
	if (num < 2)
		return;
	for (i = num / 2; i-- > 0;)
		kshim_sift(b, i, num, size, cmp);
	for (i = num - 1; i > 0; i--) {
		kshim_swap(b, b + i * size, size);
		kshim_sift(b, 0, i, size, cmp);
	}
}
#endif
