/* SPDX-License-Identifier: GPL-2.0-only */
/* kernel shim: ntohs and friends */
#include "../kshim.h"
#include <arpa/inet.h>
