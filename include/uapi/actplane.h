/* SPDX-License-Identifier: GPL-2.0-only WITH Linux-syscall-note */
/*
 * ActPlane generic netlink ABI, shared by the kernel module (kmod/) and the
 * actplane tool (userspace/).  Family "actplane", one multicast group
 * "events".  Every message carries attributes from enum actplane_attr; nested
 * attributes use their own enums below.
 *
 * Compatibility: ACTPLANE_ABI_VERSION changes only when an existing command or
 * attribute changes meaning.  New commands and attributes are appended.
 */
#ifndef _UAPI_ACTPLANE_H
#define _UAPI_ACTPLANE_H

#ifndef __VMLINUX_H__
#include <linux/types.h>
#endif

#define ACTPLANE_GENL_NAME		"actplane"
#define ACTPLANE_GENL_VERSION		1
#define ACTPLANE_ABI_VERSION		1
#define ACTPLANE_MCGRP_EVENTS		"events"

/* Maximum length (with NUL) of an enforcer name, as in struct actplane_ops. */
#define ACTPLANE_ENFORCER_NAME_LEN	32

enum actplane_cmd {
	ACTPLANE_CMD_UNSPEC,
	ACTPLANE_CMD_STATUS,		/* get module state; anyone */
	ACTPLANE_CMD_ENFORCER_TEST,	/* ask the enforcer to decide a synthetic match; admin */
	ACTPLANE_CMD_EVENT,		/* multicast: an event record */
	ACTPLANE_CMD_LABEL_ADD,		/* add labels to a process or file; admin */
	ACTPLANE_CMD_LABEL_CLEAR,	/* remove labels (all if none named); admin */
	ACTPLANE_CMD_LABEL_GET,		/* labels of a process or file; admin */
	ACTPLANE_CMD_SESSION_CREATE,	/* new session rooted at a pid, with seed labels; admin */
	ACTPLANE_CMD_LIMITS_SET,	/* label memory limit and fail mode; admin */
	__ACTPLANE_CMD_MAX,
};
#define ACTPLANE_CMD_MAX (__ACTPLANE_CMD_MAX - 1)

enum actplane_attr {
	ACTPLANE_A_UNSPEC,
	ACTPLANE_A_PAD,
	ACTPLANE_A_VERSION,		/* string: module version (out) */
	ACTPLANE_A_ABI,			/* u32: ACTPLANE_ABI_VERSION (out) */
	ACTPLANE_A_ENFORCER,		/* string: attached enforcer name (out) */
	ACTPLANE_A_ENFORCER_STATE,	/* u32: enum actplane_enforcer_state (out) */
	ACTPLANE_A_ENFORCER_REASON,	/* string: why the module fell back (out) */
	ACTPLANE_A_COUNTERS,		/* nest: enum actplane_counter attrs, u64 each (out) */
	ACTPLANE_A_HOOKS,		/* nest: ACTPLANE_A_HOOK entries (out) */
	ACTPLANE_A_HOOK,		/* nest: enum actplane_hook_attr (out) */
	ACTPLANE_A_EFFECT,		/* u32: enum actplane_effect (in: proposed) */
	ACTPLANE_A_VERDICT,		/* u32: enum actplane_effect (out: decided) */
	ACTPLANE_A_SEQ,			/* u64: event sequence number (out) */
	ACTPLANE_A_LABELS,		/* nest: ACTPLANE_A_LABEL strings (in/out) */
	ACTPLANE_A_LABEL,		/* string: a label name (inside ACTPLANE_A_LABELS) */
	ACTPLANE_A_PID,			/* u32: target process (tgid, caller's pid namespace) */
	ACTPLANE_A_FD,			/* u32: target file, as an fd of the caller (O_PATH is fine) */
	ACTPLANE_A_SESSION,		/* u32: session id (out) */
	ACTPLANE_A_LIMIT_BYTES,		/* u64: label memory limit in bytes (in/out) */
	ACTPLANE_A_FAIL_MODE,		/* u32: enum actplane_fail_mode (in/out) */
	ACTPLANE_A_MEMORY,		/* nest: enum actplane_mem_attr (out) */
	ACTPLANE_A_SESSIONS,		/* nest: ACTPLANE_A_SESSION_INFO entries (out) */
	ACTPLANE_A_SESSION_INFO,	/* nest: enum actplane_session_attr (out) */
	ACTPLANE_A_LABEL_TABLE,		/* nest: ACTPLANE_A_LABEL names, attr type = bit + 1 (out) */
	__ACTPLANE_A_MAX,
};
#define ACTPLANE_A_MAX (__ACTPLANE_A_MAX - 1)

enum actplane_hook_attr {
	ACTPLANE_HOOK_A_UNSPEC,
	ACTPLANE_HOOK_A_PAD,
	ACTPLANE_HOOK_A_NAME,		/* string: LSM hook name */
	ACTPLANE_HOOK_A_HITS,		/* u64: times the BPF hook called the module */
	__ACTPLANE_HOOK_A_MAX,
};
#define ACTPLANE_HOOK_A_MAX (__ACTPLANE_HOOK_A_MAX - 1)

enum actplane_mem_attr {
	ACTPLANE_MEM_A_UNSPEC,
	ACTPLANE_MEM_A_PAD,
	ACTPLANE_MEM_A_PROCS,		/* u64: labeled/in-session processes */
	ACTPLANE_MEM_A_TASKS,		/* u64: per-thread entries */
	ACTPLANE_MEM_A_INODES,		/* u64: labeled files (incl. pipes, FIFOs) */
	ACTPLANE_MEM_A_ENDPOINTS,	/* u64: labeled network endpoints */
	ACTPLANE_MEM_A_SOCKS,		/* u64: labeled local sockets (Unix) */
	ACTPLANE_MEM_A_BYTES,		/* u64: bytes used by all of the above */
	ACTPLANE_MEM_A_LIMIT,		/* u64: limit in bytes */
	ACTPLANE_MEM_A_FAIL_MODE,	/* u32: enum actplane_fail_mode */
	ACTPLANE_MEM_A_DENIED,		/* u64: operations denied (fail-closed, untrackable) */
	ACTPLANE_MEM_A_UNTRACKED,	/* u64: flows let through untracked (fail-open) */
	__ACTPLANE_MEM_A_MAX,
};
#define ACTPLANE_MEM_A_MAX (__ACTPLANE_MEM_A_MAX - 1)

enum actplane_session_attr {
	ACTPLANE_SESSION_A_UNSPEC,
	ACTPLANE_SESSION_A_ID,		/* u32 */
	ACTPLANE_SESSION_A_ROOT,	/* u32: root pid (initial pid namespace) */
	ACTPLANE_SESSION_A_PROCS,	/* u32: live processes in the session */
	__ACTPLANE_SESSION_A_MAX,
};
#define ACTPLANE_SESSION_A_MAX (__ACTPLANE_SESSION_A_MAX - 1)

/* What happens when label storage is full and a flow cannot be recorded. */
enum actplane_fail_mode {
	ACTPLANE_FAIL_OPEN = 0,		/* let it through, count it (default) */
	ACTPLANE_FAIL_CLOSED = 1,	/* deny the operation (-ENOMEM) */
};

/* Maximum length (with NUL) of a label name; at most 64 labels exist. */
#define ACTPLANE_LABEL_NAME_LEN		64
#define ACTPLANE_MAX_LABELS		64

/*
 * Counters reported in ACTPLANE_A_COUNTERS: attribute type is the counter
 * id, payload a u64.
 */
enum actplane_counter {
	ACTPLANE_CTR_UNSPEC,
	ACTPLANE_CTR_PAD,
	ACTPLANE_CTR_DECISIONS,		/* enforcer consulted */
	ACTPLANE_CTR_ENFORCER_ERRORS,	/* enforcer gave an invalid answer */
	ACTPLANE_CTR_FALLBACKS,		/* decisions made by the default (no/failed enforcer) */
	ACTPLANE_CTR_ENFORCER_ATTACHES,	/* enforcers registered since load */
	ACTPLANE_CTR_EVENTS_SENT,	/* event records multicast */
	ACTPLANE_CTR_EVENTS_DROPPED,	/* event records lost (no memory / no listener) */
	ACTPLANE_CTR_UNTRACKED_DENIED,	/* fail-closed: operations denied, flow untrackable */
	ACTPLANE_CTR_UNTRACKED_ALLOWED,	/* fail-open: flows let through untracked */
	ACTPLANE_CTR_PROPAGATIONS,	/* label sets that grew (task, file, endpoint, socket) */
	__ACTPLANE_CTR_MAX,
};
#define ACTPLANE_CTR_MAX (__ACTPLANE_CTR_MAX - 1)

/* Effects, in increasing strength: when several apply, the largest wins. */
enum actplane_effect {
	ACTPLANE_EFFECT_NONE = 0,	/* allow silently */
	ACTPLANE_EFFECT_NOTIFY = 1,	/* allow, report an event */
	ACTPLANE_EFFECT_BLOCK = 2,	/* deny with -EPERM, report */
	ACTPLANE_EFFECT_KILL = 3,	/* deny, SIGKILL the offender, report */
	__ACTPLANE_EFFECT_MAX,
};

enum actplane_enforcer_state {
	ACTPLANE_ENFORCER_NONE = 0,	/* nothing attached: built-in default applies */
	ACTPLANE_ENFORCER_ACTIVE = 1,	/* attached and consulted */
	ACTPLANE_ENFORCER_FAILED = 2,	/* attached but misbehaved: default applies */
};

#endif /* _UAPI_ACTPLANE_H */
