/* SPDX-License-Identifier: GPL-2.0-only */
#ifndef ACTPLANE_LOAD_H
#define ACTPLANE_LOAD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <uapi/actplane.h>


struct ap_policy;
struct ap_nl;
int ap_load_policy(const struct ap_policy *p, const char *name);
int ap_stage_session_policy(struct ap_nl *nl, const struct ap_policy *p, const char *name);
int ap_policy_digest(const struct ap_policy *p, uint8_t out[ACTPLANE_POLICY_DIGEST_LEN]);
struct ap_policy *ap_compile_policy(const char *file, const char *domain, char *path, size_t len);
struct ap_policy *ap_compile_policy_as(const char *file, const char *domain, char *path,
				       size_t len, bool session);

#endif
