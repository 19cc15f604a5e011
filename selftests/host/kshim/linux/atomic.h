/* SPDX-License-Identifier: GPL-2.0-only */
/* kernel shim: the atomic types kmod/actplane.h declares (no test uses them) */
#ifndef KSHIM_ATOMIC_H
#define KSHIM_ATOMIC_H
#include "../kshim.h"

typedef struct { int counter; } atomic_t;
typedef struct { s64 counter; } atomic64_t;
typedef struct { long counter; } atomic_long_t;

static inline long atomic_long_read(const atomic_long_t *v)
{
	return v->counter;
}

static inline int atomic_read(const atomic_t *v)
{
	return v->counter;
}
#endif
