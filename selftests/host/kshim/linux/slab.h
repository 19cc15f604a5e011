/* SPDX-License-Identifier: GPL-2.0-only */
/* kernel shim: kmalloc, kcalloc, kvcalloc, kfree, kvfree (see ../kshim.h) */
#include "../kshim.h"
