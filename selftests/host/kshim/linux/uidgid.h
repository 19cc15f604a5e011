/* SPDX-License-Identifier: GPL-2.0-only */
/* kernel shim: kuid_t, as kmod/actplane.h declares it (no test uses it) */
#ifndef KSHIM_UIDGID_H
#define KSHIM_UIDGID_H
#include "../kshim.h"
typedef struct { unsigned int val; } kuid_t;
#endif
