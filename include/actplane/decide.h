/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The decision logic the kernel module and the tool share, as one source:
 * the argv matcher, the `if` condition program, the view of the subject an
 * event's rules see, and which clause decides.  kmod/eval.c decides events
 * with it; userspace/policy/glob.c (ap_argv_match(), ap_expr_eval()) and
 * explain.c give `check`, `explain` and the host tests the same answers.
 *
 * Like match.h: static inline over plain C types, nothing allocates, no
 * kernel object, no lock.  The names start with apm_, which neither the
 * module nor the tool uses for anything else.
 */
#ifndef ACTPLANE_DECIDE_H
#define ACTPLANE_DECIDE_H

#ifdef __KERNEL__
#include <linux/string.h>
#include <linux/types.h>
#else
#include <stdbool.h>
#include <stddef.h>
#include <string.h>
#endif
#include <uapi/actplane.h>

/* ---- exec arguments --------------------------------------------------------- */

/*
 * The event's arguments, one at a time: the next one, or NULL after the
 * last.  The first call gives argv[0].  @cur is the caller's cursor (a
 * packed argument block in the module, an array in the tool).
 */
typedef const char *(*apm_arg_next_fn)(void *cur);

/*
 * A packed argument block, as the module reads it from the new program's
 * memory: @argc strings, each NUL-terminated, in the @end - @a bytes from
 * @a (the block itself NUL-terminated after them).
 */
struct apm_packed_args {
	const char *a, *end;
	unsigned int k, argc;
};

/* apm_arg_next_fn over a struct apm_packed_args */
static inline const char *apm_packed_next(void *cur)
{
	struct apm_packed_args *c = cur;
	const char *s = c->a;

	if (c->k >= c->argc || s >= c->end)
		return NULL;
	c->a += strlen(s) + 1;
	c->k++;
	return s;
}

/**
 * apm_argv_match() - do the wanted arguments appear in argv[1..], in order?
 * @want: the wanted arguments, exact strings
 * @nwant: their number
 * @next: the event's arguments (argv[0], the program, is never matched)
 * @cur: @next's cursor
 *
 * Each wanted argument must equal a later argument than the one before
 * it matched; anything may come between.  Reads no further than the last
 * wanted argument's match.
 */
static inline bool apm_argv_match(const char *const *want, unsigned int nwant,
				  apm_arg_next_fn next, void *cur)
{
	const char *a = next(cur);	/* argv[0] */
	unsigned int i = 0;

	while (a && i < nwant && (a = next(cur)))
		if (!strcmp(a, want[i]))
			i++;
	return i == nwant;
}

/* ---- `if`: the condition program -------------------------------------------- */

/* Values a condition program may stack (the module's and compiler's limit). */
#define APM_EXPR_MAX_DEPTH	16

/**
 * apm_expr_eval() - run a condition program over a label set
 * @prog: postfix instructions, two bytes each (enum actplane_expr_op,
 *	label bit): the ACTPLANE_E_EXPR layout
 * @n: their number
 * @labels: the subject's labels (bit = label bit)
 * @check: test every step (the tool, on programs it has not checked);
 *	false for a program validated when it was loaded (the module)
 *
 * Return: 1 true, 0 false; with @check, -1 for a malformed program (stack
 * underflow or deeper than APM_EXPR_MAX_DEPTH, an unknown instruction, a
 * label bit past 63, not exactly one value left).
 */
static inline int apm_expr_eval(const unsigned char (*prog)[2], unsigned int n,
				unsigned long long labels, bool check)
{
	bool st[APM_EXPR_MAX_DEPTH];
	unsigned int sp = 0, i;

	st[0] = true;	/* unchecked, an empty program is true */

	for (i = 0; i < n; i++) {
		unsigned int op = prog[i][0], bit = prog[i][1];

		switch (op) {
		case ACTPLANE_EXPR_LABEL:
		case ACTPLANE_EXPR_TRUE:
			if (check && (sp == APM_EXPR_MAX_DEPTH ||
				      (op == ACTPLANE_EXPR_LABEL && bit >= 64)))
				return -1;
			st[sp++] = op == ACTPLANE_EXPR_TRUE || ((labels >> bit) & 1);
			break;
		case ACTPLANE_EXPR_NOT:
			if (check && sp < 1)
				return -1;
			st[sp - 1] = !st[sp - 1];
			break;
		case ACTPLANE_EXPR_AND:
		case ACTPLANE_EXPR_OR:
			if (check && sp < 2)
				return -1;
			sp--;
			if (op == ACTPLANE_EXPR_AND)
				st[sp - 1] = st[sp - 1] && st[sp];
			else
				st[sp - 1] = st[sp - 1] || st[sp];
			break;
		default:
			if (check)
				return -1;
			break;
		}
	}
	if (check && sp != 1)
		return -1;
	return st[0];
}

/* ---- the view and the decision ---------------------------------------------- */

/**
 * apm_view() - the subject's labels as the event's rules see them
 * @labels: the subject's labels before the event
 * @absorb: what the event's object gives it (an exec: the program file's)
 * @src: what the event's sources give it (an exec: also what earlier `#!`
 *	levels endorse)
 * @immune: labels it neither keeps nor absorbs (declassified, also by
 *	this exec)
 * @endorse: labels this exec endorses
 * @exec: the event is an exec
 *
 * An exec of a declassifier G drops what G declassifies, from all it has
 * and gains, and endorsements come last; any other event only adds, its
 * sources not past the immunity.
 */
static inline unsigned long long apm_view(unsigned long long labels, unsigned long long absorb,
					  unsigned long long src, unsigned long long immune,
					  unsigned long long endorse, bool exec)
{
	if (exec)
		return ((labels | absorb | src) & ~immune) | endorse;
	return labels | absorb | (src & ~immune);
}

/*
 * `unless target [not] PAT`: holds when the event's target matches (or,
 * negated, does not).
 */
static inline bool apm_unless_target(bool matches, bool negate)
{
	return matches != negate;
}

/*
 * Is a clause of @effect stronger than the best so far (@best, 0 for
 * none)?  Kill > block > notify; among equals the first found stays.
 */
static inline bool apm_stronger(unsigned int effect, unsigned int best)
{
	return effect > best;
}

#endif
