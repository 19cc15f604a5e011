/* SPDX-License-Identifier: GPL-2.0-only */
/* kernel shim: AF_INET, AF_INET6 */
#include "../kshim.h"
#include <sys/socket.h>
