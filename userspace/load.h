/* SPDX-License-Identifier: GPL-2.0-only */
#ifndef ACTPLANE_LOAD_H
#define ACTPLANE_LOAD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <uapi/actplane.h>


struct ap_policy;
struct ap_nl;
/* Nanoseconds (CLOCK_MONOTONIC) of the parts of a load, for `load --timing`. */
struct ap_load_times {
	uint64_t compile_ns;	/* the file to a compiled policy (cmd_load's) */
	uint64_t build_ns;	/* its messages and their digest */
	uint64_t stage_ns;	/* POLICY_BEGIN and the POLICY_ADDs, sent and acked */
	uint64_t commit_ns;	/* POLICY_COMMIT: the module indexes and swaps */
};

int ap_load_policy(const struct ap_policy *p, const char *name);
int ap_load_policy_timed(const struct ap_policy *p, const char *name, struct ap_load_times *t);
int ap_stage_session_policy(struct ap_nl *nl, const struct ap_policy *p, const char *name);
int ap_policy_digest(const struct ap_policy *p, uint8_t out[ACTPLANE_POLICY_DIGEST_LEN]);
struct ap_policy *ap_compile_policy(const char *file, const char *domain, char *path, size_t len);
struct ap_policy *ap_compile_policy_as(const char *file, const char *domain, char *path,
				       size_t len, bool session);

#endif
