/* SPDX-License-Identifier: GPL-2.0-only */
#ifndef ACTPLANE_LOAD_H
#define ACTPLANE_LOAD_H

#include <stddef.h>


struct ap_policy;
int ap_load_policy(const struct ap_policy *p, const char *name);
struct ap_policy *ap_compile_policy(const char *file, const char *domain, char *path, size_t len);

#endif
