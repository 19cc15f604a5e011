/* SPDX-License-Identifier: GPL-2.0-only */
/* kernel shim: the string calls are libc's */
#include "../kshim.h"
#include <string.h>
