/* SPDX-License-Identifier: GPL-2.0-only */
#ifndef ACTPLANE_COMMON_H
#define ACTPLANE_COMMON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <uapi/actplane.h>

#define AP_TOOL_VERSION "0.1.0"

#define AP_BPFFS	"/sys/fs/bpf"
#define AP_PIN_DIR	AP_BPFFS "/actplane"
#define AP_PIN_ENFORCER	AP_PIN_DIR "/enforcer"
#define AP_PIN_HOOK_PREFIX "hook_"

/* enum actplane_effect by name (ACTPLANE_EFFECT_NAMES): "?" if out of range */
const char *ap_verdict_name(unsigned int effect);
int ap_verdict_parse(const char *s);		/* -1 if unknown */
const char *ap_enforcer_state_name(unsigned int state);
/* enum actplane_fail_mode by name ("open", "closed"): "?" / -1 if unknown */
const char *ap_fail_mode_name(unsigned long long mode);
int ap_fail_mode_parse(const char *s);
const char *ap_counter_name(unsigned int ctr);
bool ap_is_root(void);
uint64_t ap_now_ns(void);	/* CLOCK_MONOTONIC */
/* "G" (name or number), "all", "none" -> the module's session gid.  0 or -1. */
int ap_parse_session_group(const char *g, unsigned int *gid);
char *ap_read_file(const char *path, size_t *len);

#define AP_LSM_FILE	"/sys/kernel/security/lsm"
/*
 * Is `bpf` among the active LSMs listed in @file (AP_LSM_FILE: a
 * comma-separated list)?  1 yes, 0 no, -1 unreadable (errno set).  The list
 * is returned in *@list (one line; free it) when @list is not NULL.
 */
int ap_bpf_lsm_active(const char *file, char **list);

#endif
