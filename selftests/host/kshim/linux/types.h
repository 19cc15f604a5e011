/* SPDX-License-Identifier: GPL-2.0-only */
/* kernel shim: the system's uapi types, then u8..u64, gfp_t, DECLARE_BITMAP (../kshim.h) */
#ifndef KSHIM_LINUX_TYPES_H
#define KSHIM_LINUX_TYPES_H
#include_next <linux/types.h>
#include "../kshim.h"
#endif
