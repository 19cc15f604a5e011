/* SPDX-License-Identifier: GPL-2.0-only */
/* kernel shim: refcount_t (declared in kmod/actplane.h, unused here) */
#ifndef KSHIM_REFCOUNT_H
#define KSHIM_REFCOUNT_H
#include "atomic.h"

typedef struct { atomic_t refs; } refcount_t;
#endif
