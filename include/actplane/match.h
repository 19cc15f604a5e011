/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The matchers the kernel module and the tool share, as one source: the
 * glob NFA, the class test of a pre-classified path pattern, and the
 * address-prefix test of an endpoint.  kmod/match.c evaluates policies
 * with them; userspace/policy/glob.c and endpoint.c give `check`,
 * `explain` and the host tests the same answers.
 *
 * Everything is static inline over plain C types and the string calls the
 * kernel and libc both have (memcmp, memchr, memset, strlen, strrchr), so
 * the module and the tool compile the same text.  Nothing here allocates:
 * a glob too big for the stack sets gets its sets from the caller.
 *
 * Globs.  '*' is any run of non-'/' characters, '?' one non-'/' character,
 * "**" any run of characters, "**" + '/' zero or more whole segments;
 * everything else is itself.  A pattern is compiled into positions (at
 * most one per byte of the pattern) and simulated with a set of active
 * positions: O(pattern x path), no backtracking; the sets of a pattern of
 * up to APM_GLOB_STACK_POS positions live on the stack.
 */
#ifndef ACTPLANE_MATCH_H
#define ACTPLANE_MATCH_H

#ifdef __KERNEL__
#include <linux/string.h>
#include <linux/types.h>
#else
#include <stdbool.h>
#include <stddef.h>
#include <string.h>
#endif
#include <uapi/actplane.h>

/* ---- glob ------------------------------------------------------------------ */

enum apm_tok {
	APM_LIT,	/* one literal character */
	APM_QMARK,	/* one non-'/' character */
	APM_STAR,	/* any run of non-'/' characters */
	APM_DSTAR,	/* any run of characters */
	APM_DSLASH,	/* "**" + '/': nothing, or any run ending in '/' */
	APM_DSIN,	/* inside such a run (always follows APM_DSLASH) */
};

struct apm_pos {
	unsigned char kind;	/* enum apm_tok */
	char c;			/* APM_LIT */
};

/* Sets of up to this many positions (+ the accepting one) live on the stack. */
#define APM_GLOB_STACK_POS	256

#define APM_LONG_BITS		(8 * sizeof(unsigned long))
#define APM_LONGS(bits)		(((bits) + APM_LONG_BITS - 1) / APM_LONG_BITS)
/* longs of the caller's sets for a glob of n > APM_GLOB_STACK_POS positions */
#define APM_GLOB_HEAP_LONGS(n)	(2 * APM_LONGS((n) + 1))

static inline bool apm_test(const unsigned long *set, unsigned int i)
{
	return (set[i / APM_LONG_BITS] >> (i % APM_LONG_BITS)) & 1;
}

static inline void apm_set(unsigned long *set, unsigned int i)
{
	set[i / APM_LONG_BITS] |= 1UL << (i % APM_LONG_BITS);
}

/**
 * apm_glob_compile() - compile a glob into NFA positions
 * @p: the pattern, NUL-terminated
 * @out: room for strlen(@p) positions
 *
 * Return: the number of positions written; position n (one past the last)
 * is the accepting one.
 */
static inline unsigned int apm_glob_compile(const char *p, struct apm_pos *out)
{
	unsigned int n = 0;

	while (*p) {
		if (p[0] == '*' && p[1] == '*') {
			if (p[2] == '/') {
				out[n++].kind = APM_DSLASH;
				out[n++].kind = APM_DSIN;
				p += 3;
			} else {
				out[n++].kind = APM_DSTAR;
				p += 2;
			}
		} else if (*p == '*') {
			out[n++].kind = APM_STAR;
			p++;
		} else if (*p == '?') {
			out[n++].kind = APM_QMARK;
			p++;
		} else {
			out[n].kind = APM_LIT;
			out[n++].c = *p++;
		}
	}
	return n;
}

/* Add position i of g (n positions) and everything reachable from it without input. */
static inline void apm_glob_close(const struct apm_pos *g, unsigned int n, unsigned long *set,
				  unsigned int i)
{
	while (i <= n && !apm_test(set, i)) {
		apm_set(set, i);
		if (i == n)
			break;
		if (g[i].kind == APM_STAR || g[i].kind == APM_DSTAR)
			i++;		/* stars match the empty string */
		else if (g[i].kind == APM_DSLASH)
			i += 2;		/* zero segments: skip the run */
		else
			break;
	}
}

/*
 * One character: next = the positions c leads to from cur (both sets of
 * n + 1 positions; next is overwritten).  Return: false if there are none.
 */
static inline bool apm_glob_step(const struct apm_pos *g, unsigned int n,
				 const unsigned long *cur, unsigned long *next, char c)
{
	unsigned int w, i, in;
	unsigned long bits;
	bool any = false;

	memset(next, 0, APM_LONGS(n + 1) * sizeof(long));
	for (w = 0; w < APM_LONGS(n + 1); w++) {
		for (bits = cur[w]; bits; bits &= bits - 1) {
			i = w * (unsigned int)APM_LONG_BITS + (unsigned int)__builtin_ctzl(bits);
			if (i >= n)	/* the accepting position consumes nothing */
				break;
			switch (g[i].kind) {
			case APM_LIT:
				if (g[i].c != c)
					break;
				apm_glob_close(g, n, next, i + 1);
				any = true;
				break;
			case APM_QMARK:
				if (c == '/')
					break;
				apm_glob_close(g, n, next, i + 1);
				any = true;
				break;
			case APM_STAR:
				if (c == '/')
					break;
				apm_glob_close(g, n, next, i);
				any = true;
				break;
			case APM_DSTAR:
				apm_glob_close(g, n, next, i);
				any = true;
				break;
			case APM_DSLASH:
			case APM_DSIN:
				/* consume into the run, leave it after a '/' */
				in = g[i].kind == APM_DSLASH ? i + 1 : i;
				apm_glob_close(g, n, next, in);
				if (c == '/')
					apm_glob_close(g, n, next, in + 1);
				any = true;
				break;
			}
		}
	}
	return any;
}

/**
 * apm_glob_run() - does a compiled glob match the whole of a string?
 * @g: the positions (apm_glob_compile())
 * @n: their number
 * @path: the string, NUL-terminated
 * @heap: NULL if @n <= APM_GLOB_STACK_POS, else APM_GLOB_HEAP_LONGS(@n)
 *	longs for the position sets
 *
 * Return: true on a match; false if there is none, or if @n needs @heap
 * and there is none.
 */
static inline bool apm_glob_run(const struct apm_pos *g, unsigned int n, const char *path,
				unsigned long *heap)
{
	unsigned long stack[2][APM_LONGS(APM_GLOB_STACK_POS + 1)];
	unsigned long *cur = stack[0], *next = stack[1], *tmp;
	size_t words = APM_LONGS(n + 1);

	if (n > APM_GLOB_STACK_POS) {
		if (!heap)
			return false;
		cur = heap;
		next = heap + words;
	}
	memset(cur, 0, words * sizeof(long));
	apm_glob_close(g, n, cur, 0);
	for (; *path; path++) {
		bool any = apm_glob_step(g, n, cur, next, *path);

		tmp = cur;
		cur = next;
		next = tmp;
		if (!any)
			break;
	}
	return !*path && apm_test(cur, n);
}

/* ---- path pattern classes --------------------------------------------------- */

/**
 * apm_class_match() - the class-specific test of a pre-classified pattern
 * @cls: enum actplane_match_class
 * @lit: the class literal
 * @lit_len: its length
 * @path: the full path, NUL-terminated
 * @len: its length
 *
 * ANY matches everything; EXACT is the whole path; BASENAME the last
 * component; PREFIX a start of the path (the literal ends in '/'); SUFFIX
 * an end of the path, within the last component unless the literal holds
 * a '/'.
 *
 * Return: 1 match, 0 no match, -1 a GLOB: the caller runs the glob.
 */
static inline int apm_class_match(unsigned int cls, const char *lit, size_t lit_len,
				  const char *path, size_t len)
{
	const char *name = strrchr(path, '/');

	name = name ? name + 1 : path;
	switch (cls) {
	case ACTPLANE_MATCH_ANY:
		return 1;
	case ACTPLANE_MATCH_EXACT:
		return len == lit_len && !memcmp(path, lit, len);
	case ACTPLANE_MATCH_BASENAME:
		return strlen(name) == lit_len && !memcmp(name, lit, lit_len);
	case ACTPLANE_MATCH_PREFIX:
		return len >= lit_len && !memcmp(path, lit, lit_len);
	case ACTPLANE_MATCH_SUFFIX:
		return len >= lit_len && !memcmp(path + len - lit_len, lit, lit_len) &&
		       (memchr(lit, '/', lit_len) || path + len - lit_len >= name);
	default:
		return -1;
	}
}

/* ---- endpoints ---------------------------------------------------------------- */

/* The first plen bits of a and b are equal. */
static inline bool apm_prefix_eq(const unsigned char *a, const unsigned char *b, unsigned int plen)
{
	unsigned int full = plen / 8, rem = plen % 8;

	if (memcmp(a, b, full))
		return false;
	return !rem || !((a[full] ^ b[full]) & (unsigned char)(0xff00 >> rem));
}

/**
 * apm_ep_match() - does an endpoint pattern match an address and port?
 * @pfamily: the pattern's family (AF_INET, AF_INET6), 0 for any address
 * @paddr: its address, network order
 * @plen: its prefix length in bits
 * @pport: its port, host order, 0 for any port
 * @family: the endpoint's family (an IPv4-mapped IPv6 address is AF_INET)
 * @addr: its address, network order (4 or 16 bytes)
 * @port: its port, host order
 */
static inline bool apm_ep_match(unsigned int pfamily, const unsigned char *paddr,
				unsigned int plen, unsigned int pport, unsigned int family,
				const unsigned char *addr, unsigned int port)
{
	if (pport && pport != port)
		return false;
	if (!pfamily)
		return true;
	return pfamily == family && apm_prefix_eq(paddr, addr, plen);
}

#endif
