/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * A kernel shim for host tests: the few kernel types and calls
 * kmod/match.c and the headers it includes (kmod/policy.h, actplane.h)
 * use, over libc.  The linux/ headers next to this one are found before
 * the system's (-I selftests/host/kshim first) and all include this file,
 * as the kernel's headers pull each other in.
 *
 * Allocation goes through counters a test can read (kshim_allocs: calls so
 * far, kshim_live: blocks not yet freed) and a fault injector
 * (kshim_fail_at: the call that brings kshim_allocs to it fails; 0 none),
 * so the error paths of a build can be driven one allocation at a time.
 * The test program defines the three variables.
 */
#ifndef KSHIM_H
#define KSHIM_H

#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <linux/types.h>	/* the shim's: the system uapi types __u32, __be16, ... */

typedef __u8 u8;
typedef __u16 u16;
typedef __u32 u32;
typedef __u64 u64;
typedef __s8 s8;
typedef __s16 s16;
typedef __s32 s32;
typedef __s64 s64;
typedef unsigned int gfp_t;

#define GFP_KERNEL	0x0u
#define GFP_ATOMIC	0x1u
#define __GFP_NOWARN	0x2u

#define likely(x)	__builtin_expect(!!(x), 1)
#ifndef __always_inline
#define __always_inline	inline __attribute__((__always_inline__))
#endif
#ifndef noinline
#define noinline	__attribute__((__noinline__))
#endif
#define unlikely(x)	__builtin_expect(!!(x), 0)
#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))
#define min_t(type, a, b)	((type)(a) < (type)(b) ? (type)(a) : (type)(b))
#define max_t(type, a, b)	((type)(a) > (type)(b) ? (type)(a) : (type)(b))
#define clamp_t(type, v, lo, hi)	min_t(type, max_t(type, v, lo), hi)
#define BIT(n)		(1UL << (n))
#define BIT_ULL(n)	(1ULL << (n))

/* ---- bitmaps ---------------------------------------------------------------- */

#define BITS_PER_LONG		(8 * (int)sizeof(long))
#define BITS_TO_LONGS(n)	(((n) + BITS_PER_LONG - 1) / BITS_PER_LONG)
#define DECLARE_BITMAP(name, bits)	unsigned long name[BITS_TO_LONGS(bits)]

static inline void __set_bit(unsigned long nr, unsigned long *addr)
{
	addr[nr / BITS_PER_LONG] |= 1UL << (nr % BITS_PER_LONG);
}

static inline bool test_bit(unsigned long nr, const unsigned long *addr)
{
	return (addr[nr / BITS_PER_LONG] >> (nr % BITS_PER_LONG)) & 1;
}

static inline void bitmap_set(unsigned long *map, unsigned int start, unsigned int nbits)
{
	while (nbits--)
		__set_bit(start++, map);
}

static inline void bitmap_zero(unsigned long *dst, unsigned int nbits)
{
	memset(dst, 0, BITS_TO_LONGS(nbits) * sizeof(long));
}

static inline void bitmap_copy(unsigned long *dst, const unsigned long *src, unsigned int nbits)
{
	memcpy(dst, src, BITS_TO_LONGS(nbits) * sizeof(long));
}

static inline void bitmap_or(unsigned long *dst, const unsigned long *a, const unsigned long *b,
			     unsigned int nbits)
{
	unsigned int i;

	for (i = 0; i < BITS_TO_LONGS(nbits); i++)
		dst[i] = a[i] | b[i];
}

static inline u32 rol32(u32 word, unsigned int shift)
{
	return (word << (shift & 31)) | (word >> ((-shift) & 31));
}

/* linux/log2.h: n > 0 */
static inline unsigned long roundup_pow_of_two(unsigned long n)
{
	unsigned long r = 1;

	while (r < n)
		r <<= 1;
	return r;
}

/* linux/log2.h: the smallest k with 2^k >= n (0 for n <= 1) */
static inline unsigned int order_base_2(unsigned long n)
{
	unsigned int k = 0;

	while ((1UL << k) < n)
		k++;
	return k;
}

/* ---- allocation ----------------------------------------------------------------- */

extern long kshim_live;		/* blocks allocated and not freed */
extern long kshim_allocs;	/* allocation calls so far */
extern long kshim_fail_at;	/* > 0: the allocation call that makes kshim_allocs this fails */

static inline void *kshim_alloc(size_t size, bool zero)
{
	void *p;

	kshim_allocs++;
	if (kshim_fail_at > 0 && kshim_allocs == kshim_fail_at)
		return NULL;
	p = zero ? calloc(1, size ? size : 1) : malloc(size ? size : 1);
	if (p)
		kshim_live++;
	return p;
}

static inline void kshim_free(const void *p)
{
	if (p) {
		kshim_live--;
		free((void *)p);
	}
}

/* linux/overflow.h, without the overflow check (the test's sizes are small) */
#define struct_size(p, member, count)	\
	(sizeof(*(p)) + (size_t)(count) * sizeof((p)->member[0]))

static inline void *kshim_array(size_t n, size_t size)
{
	if (size && n > SIZE_MAX / size)
		return NULL;
	return kshim_alloc(n * size, true);
}

#define kmalloc(size, gfp)		kshim_alloc((size), false)
#define kzalloc(size, gfp)		kshim_alloc((size), true)
#define kcalloc(n, size, gfp)		kshim_array((n), (size))
#define kvmalloc(size, gfp)		kshim_alloc((size), false)
#define kvzalloc(size, gfp)		kshim_alloc((size), true)
#define kvcalloc(n, size, gfp)		kshim_array((n), (size))
#define kfree(p)			kshim_free(p)
#define kvfree(p)			kshim_free(p)
#define bitmap_zalloc(bits, gfp)	kshim_array(BITS_TO_LONGS(bits), sizeof(long))
#define bitmap_free(p)			kshim_free(p)

#endif
