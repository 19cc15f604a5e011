/* SPDX-License-Identifier: GPL-2.0-only */
/* kernel shim: spinlock_t (declared in kmod/actplane.h, unused here) */
#ifndef KSHIM_SPINLOCK_H
#define KSHIM_SPINLOCK_H
#include "../kshim.h"

typedef struct { int locked; } spinlock_t;
#endif
