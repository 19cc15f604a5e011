/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * ActPlane kernel module: internal interfaces between the module's files.
 *
 *   main.c        init/exit, unwinding
 *   stats.c       per-CPU counters and per-hook hit counts
 *   struct_ops.c  the "actplane_ops" enforcement backend and its fallback
 *   kfuncs.c      kfuncs for BPF LSM and struct_ops programs
 *   netlink.c     generic netlink family "actplane"
 */
#ifndef ACTPLANE_KMOD_H
#define ACTPLANE_KMOD_H

#include <linux/types.h>
#include <uapi/actplane.h>

#define ACTPLANE_VERSION "0.1.0"

/* LSM hooks whose BPF programs report to the module. */
enum actplane_hook {
	ACTPLANE_HOOK_FILE_OPEN,
	__ACTPLANE_HOOK_MAX,
};

extern const char *const actplane_hook_names[__ACTPLANE_HOOK_MAX];

/* stats.c */
void ap_stats_hook_hit(enum actplane_hook hook);
u64 ap_stats_hook_hits(enum actplane_hook hook);
void ap_stats_inc(enum actplane_counter ctr);
u64 ap_stats_read(enum actplane_counter ctr);

/*
 * struct actplane_decision - what the module asks the enforcer about.
 * Passed read-only to struct_ops programs (they see it through BTF).
 */
struct actplane_decision {
	u64 seq;		/* event sequence number */
	u32 op;			/* operation (enum actplane_op, policy engine) */
	u32 rule_id;		/* index of the matched rule in the loaded policy */
	u32 proposed;		/* enum actplane_effect the policy asks for */
	u32 pid;		/* tgid of the subject */
	u32 session;		/* session id of the subject, 0 if none */
	u32 flags;		/* ACTPLANE_DECISION_* */
};

#define ACTPLANE_DECISION_SYNTHETIC	(1U << 0)	/* from ENFORCER_TEST, not a real event */

/*
 * struct actplane_ops - enforcement backend, implemented by BPF struct_ops.
 *
 * @decide:    return the enum actplane_effect to apply for a matched rule.
 *             Anything outside NONE..KILL is an error: the module applies
 *             @proposed instead, counts it and marks the enforcer FAILED.
 * @violation: told of every match after the effect was applied (optional).
 * @init:      called when the enforcer is attached; non-zero refuses it.
 * @exit:      called after the enforcer is detached.
 * @name:      enforcer name shown in status.
 *
 * Only one enforcer is attached at a time; a second registration gets
 * -EBUSY.  With none attached the module applies the proposed effect
 * (the same as the shipped "enforce" enforcer).
 */
struct actplane_ops {
	u32 (*decide)(const struct actplane_decision *d);
	void (*violation)(const struct actplane_decision *d, u32 applied);
	s32 (*init)(void);
	void (*exit)(void);
	char name[ACTPLANE_ENFORCER_NAME_LEN];
};

/* struct_ops.c */
int ap_enforcer_init(void);
void ap_enforcer_exit(void);
u32 ap_enforcer_decide(const struct actplane_decision *d);
struct ap_enforcer_info {
	char name[ACTPLANE_ENFORCER_NAME_LEN];
	char reason[128];
	u32 state;		/* enum actplane_enforcer_state */
};
void ap_enforcer_info(struct ap_enforcer_info *info);

/* kfuncs.c */
int ap_kfuncs_init(void);

/* netlink.c */
int ap_netlink_init(void);
void ap_netlink_exit(void);
u64 ap_next_seq(void);

#endif /* ACTPLANE_KMOD_H */
