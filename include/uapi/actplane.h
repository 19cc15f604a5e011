/* SPDX-License-Identifier: GPL-2.0-only WITH Linux-syscall-note */
/*
 * ActPlane generic netlink ABI, shared by the kernel module (kmod/) and the
 * actplane tool (userspace/).  Family "actplane", one multicast group
 * "events".  Every message carries attributes from enum actplane_attr; nested
 * attributes use their own enums below.
 *
 * Compatibility: ACTPLANE_ABI_VERSION changes only when an existing command or
 * attribute changes meaning.  New commands and attributes are appended.
 *
 * ABI 2: STATUS no longer lists sessions (SESSION_DUMP does, all of them);
 * a policy is staged per socket, so POLICY_BEGIN no longer answers -EBUSY
 * while another socket stages one; admin commands need CAP_NET_ADMIN.
 * SESSION_CREATE is also open to a user the admin allowed (SESSION_GID), for
 * the caller's own process only; such sessions' events also go to the
 * "session" group, to sockets of the user who created them.
 * Every command's input attributes are listed with it below; any other
 * attribute, output-only ones included, is refused by the core.
 */
#ifndef _UAPI_ACTPLANE_H
#define _UAPI_ACTPLANE_H

#ifndef __VMLINUX_H__
#include <linux/types.h>
#endif

#define ACTPLANE_GENL_NAME		"actplane"
#define ACTPLANE_GENL_VERSION		1
#define ACTPLANE_ABI_VERSION		2
#define ACTPLANE_MCGRP_EVENTS		"events"
/* events of unprivileged sessions, for their owner only (anyone may join) */
#define ACTPLANE_MCGRP_SESSION		"session"

/* ACTPLANE_A_SESSION_GID: who may create a session without CAP_NET_ADMIN */
#define ACTPLANE_SESSION_GID_NOBODY	0xffffffffU	/* nobody (the default) */
#define ACTPLANE_SESSION_GID_ANYONE	0xfffffffeU	/* every user */
#define ACTPLANE_SESSION_QUOTA_MAX	1024		/* per user */
#define ACTPLANE_SESSION_DEPTH_MAX	8		/* nested sessions */
#define ACTPLANE_SESSION_RULE_QUOTA_MAX	(1U << 20)	/* per user */
#define ACTPLANE_SESSION_MEM_QUOTA_MIN	(4ULL << 10)	/* label memory per user, bytes */
#define ACTPLANE_SESSION_MEM_QUOTA_MAX	(1ULL << 40)
/* the module's settings until LIMITS_SET changes them */
#define ACTPLANE_SESSION_QUOTA_DEFAULT		8
#define ACTPLANE_SESSION_RULE_QUOTA_DEFAULT	4096
#define ACTPLANE_SESSION_MEM_QUOTA_DEFAULT	(4ULL << 20)
/* a decision's rule_id names a rule of a session policy, not of the machine's */
#define ACTPLANE_RULE_ID_SESSION	0x80000000U
#define ACTPLANE_POLICY_DIGEST_LEN	32

/* Maximum length (with NUL) of an enforcer name, as in struct actplane_ops. */
#define ACTPLANE_ENFORCER_NAME_LEN	32

enum actplane_cmd {
	ACTPLANE_CMD_UNSPEC,
	ACTPLANE_CMD_STATUS,		/* get module state; anyone; in: nothing */
	ACTPLANE_CMD_ENFORCER_TEST,	/* ask the enforcer to decide a synthetic match; admin; in: EFFECT */
	ACTPLANE_CMD_EVENT,		/* multicast: an event record */
	ACTPLANE_CMD_LABEL_ADD,		/* add labels to a process or file; admin; in: LABELS, PID | FD */
	ACTPLANE_CMD_LABEL_CLEAR,	/* remove labels (all if none named); admin; in: LABELS, PID | FD */
	ACTPLANE_CMD_LABEL_GET,		/* labels of a process or file; admin; in: PID | FD */
	ACTPLANE_CMD_SESSION_CREATE,	/* new session rooted at a pid, with exactly the seed labels;
					 * admin; in: PID, LABELS.  A permitted user: rooted at
					 * the caller's own process (PID = its own), nested in
					 * its session if it has one, keeping its labels, plus
					 * the policy's session-root labels; needs no_new_privs;
					 * in: PID.  Either: SESSION_POLICY (flag) attaches the
					 * session policy staged on this socket (SESSION_POLICY_*) */
	ACTPLANE_CMD_LIMITS_SET,	/* label memory limit, fail mode, provenance recording, who
					 * may create sessions; admin; in: LIMIT_BYTES, FAIL_MODE,
					 * PROVENANCE, SESSION_GID, SESSION_QUOTA */
	ACTPLANE_CMD_POLICY_BEGIN,	/* start staging a policy on this socket; admin;
					 * in: POLICY_NAME, POLICY_DIGEST */
	ACTPLANE_CMD_POLICY_ADD,	/* add elements to the staged policy; admin; in: ELEMS */
	ACTPLANE_CMD_POLICY_COMMIT,	/* validate, index and swap in the staged policy; admin; in: nothing */
	ACTPLANE_CMD_POLICY_CLEAR,	/* remove the policy (labels stay); admin; in: nothing */
	ACTPLANE_CMD_POLICY_DUMP,	/* dump: one message per rule, generation-checked
					 * (NLM_F_DUMP_INTR); admin; in: nothing */
	ACTPLANE_CMD_SESSION_DUMP,	/* dump: one message per session (SESSION_INFO); anyone
					 * (without CAP_NET_ADMIN: the caller's own); in: nothing */
	ACTPLANE_CMD_WHY,		/* how a label came to a process or file: its provenance
					 * chain (out: CHAIN); admin; in: PID | FD, LABELS (one) */
	ACTPLANE_CMD_SESSION_END,	/* SIGKILL every process of a session and of those nested
					 * in it (out: COUNT); admin: any session; a user: the
					 * ones it created, its own processes; in: SESSION */
	ACTPLANE_CMD_SESSION_POLICY_BEGIN, /* start staging a session policy on this socket (rules
					 * only, over labels the module has; attached by
					 * SESSION_CREATE); admin or a permitted user;
					 * in: POLICY_NAME, POLICY_DIGEST */
	ACTPLANE_CMD_SESSION_POLICY_ADD, /* add elements to the staged session policy; admin or a
					 * permitted user; in: ELEMS */
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
	ACTPLANE_A_SESSION,		/* u32: session id (out; in: SESSION_END) */
	ACTPLANE_A_LIMIT_BYTES,		/* u64: label memory limit in bytes (in/out) */
	ACTPLANE_A_FAIL_MODE,		/* u32: enum actplane_fail_mode (in/out) */
	ACTPLANE_A_MEMORY,		/* nest: enum actplane_mem_attr (out) */
	ACTPLANE_A_SESSIONS,		/* nest: SESSION_INFO entries (out; STATUS of ABI 1 only) */
	ACTPLANE_A_SESSION_INFO,	/* nest: enum actplane_session_attr (out: SESSION_DUMP) */
	ACTPLANE_A_LABEL_TABLE,		/* nest: ACTPLANE_A_LABEL names, attr type = bit + 1 (out) */
	ACTPLANE_A_ELEMS,		/* nest: ACTPLANE_A_ELEM entries (in: POLICY_ADD) */
	ACTPLANE_A_ELEM,		/* nest: enum actplane_elem_attr — one policy element */
	ACTPLANE_A_GENERATION,		/* u64: policy generation (out) */
	ACTPLANE_A_POLICY_NAME,		/* string: policy file the policy came from (in/out) */
	ACTPLANE_A_COUNT,		/* u32: number of rules; SESSION_END: processes ended (out) */
	ACTPLANE_A_EVENT,		/* nest: enum actplane_event_attr (multicast) */
	ACTPLANE_A_STAGING,		/* u32: sockets staging a policy now (out: STATUS) */
	ACTPLANE_A_STAGING_BYTES,	/* u64: memory those staged policies hold (out: STATUS) */
	ACTPLANE_A_PROVENANCE,		/* u32: 1 = provenance recording on, 0 = off (in: LIMITS_SET;
					 * out: STATUS) */
	ACTPLANE_A_CHAIN,		/* nest: enum actplane_chain_attr (out: WHY) */
	ACTPLANE_A_SESSION_GID,		/* u32: group that may create sessions, or
					 * ACTPLANE_SESSION_GID_* (in: LIMITS_SET; out: STATUS) */
	ACTPLANE_A_SESSION_QUOTA,	/* u32: live sessions per user, 1..ACTPLANE_SESSION_QUOTA_MAX
					 * (in: LIMITS_SET; out: STATUS) */
	ACTPLANE_A_SESSION_COUNT,	/* u32: the caller's live sessions, as the quota counts them
					 * (out: STATUS) */
	ACTPLANE_A_POLICY_DIGEST,	/* binary, 32 bytes: the tool's digest of the compiled
					 * policy (BLAKE2b-256 of its elements), opaque to the
					 * module (in: POLICY_BEGIN; out: STATUS) */
	ACTPLANE_A_SESSION_POLICY,	/* flag: attach the staged session policy (in: SESSION_CREATE) */
	ACTPLANE_A_SESSION_RULE_QUOTA,	/* u32: rules of a user's live session policies together,
					 * 1..ACTPLANE_SESSION_RULE_QUOTA_MAX (in: LIMITS_SET;
					 * out: STATUS) */
	ACTPLANE_A_SESSION_RULES,	/* u32: the caller's rules in live session policies (out: STATUS) */
	ACTPLANE_A_SESSION_MEM_QUOTA,	/* u64: label memory one user's sessions may make, bytes,
					 * ACTPLANE_SESSION_MEM_QUOTA_MIN..MAX (in: LIMITS_SET;
					 * out: STATUS) */
	ACTPLANE_A_SESSION_MEM,		/* u64: label memory charged to the caller's sessions,
					 * bytes (out: STATUS) */
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
	ACTPLANE_MEM_A_PROV_RECORDS,	/* u64: provenance records held */
	ACTPLANE_MEM_A_PROV_BYTES,	/* u64: bytes they use (not in MEM_A_BYTES) */
	ACTPLANE_MEM_A_PROV_LIMIT,	/* u64: their limit: a quarter of MEM_A_LIMIT */
	__ACTPLANE_MEM_A_MAX,
};
#define ACTPLANE_MEM_A_MAX (__ACTPLANE_MEM_A_MAX - 1)

enum actplane_session_attr {
	ACTPLANE_SESSION_A_UNSPEC,
	ACTPLANE_SESSION_A_ID,		/* u32 */
	ACTPLANE_SESSION_A_ROOT,	/* u32: root pid (initial pid namespace) */
	ACTPLANE_SESSION_A_PROCS,	/* u32: live processes in the session */
	ACTPLANE_SESSION_A_PARENT,	/* u32: the session it is nested in (0: none) */
	ACTPLANE_SESSION_A_UID,		/* u32: who created it (initial user namespace) */
	ACTPLANE_SESSION_A_UNPRIV,	/* flag: created without CAP_NET_ADMIN */
	ACTPLANE_SESSION_A_RULES,	/* u32: rules of its own session policy (absent: none) */
	ACTPLANE_SESSION_A_POLICY,	/* string: its session policy's name (absent: none) */
	__ACTPLANE_SESSION_A_MAX,
};
#define ACTPLANE_SESSION_A_MAX (__ACTPLANE_SESSION_A_MAX - 1)

/*
 * Policy elements.  A compiled policy is sent as a flat list of elements
 * (POLICY_BEGIN, then POLICY_ADD messages in order, then POLICY_COMMIT).
 * Elements refer to earlier ones by their index within their own kind, in
 * the order they were added: a clause names its path pattern by index, etc.
 * Labels are sent by name; the module maps them onto its own label bits, so
 * label state survives reloads that reorder or rename nothing.
 */
enum actplane_elem_kind {
	ACTPLANE_ELEM_LABEL = 1,	/* NAME */
	ACTPLANE_ELEM_PATTERN,		/* CLASS, LITERAL, GLOB: an absolute path pattern */
	ACTPLANE_ELEM_ENDPOINT,		/* FAMILY, ADDR, PREFIX, PORT */
	ACTPLANE_ELEM_SOURCE,		/* TARGET_KIND, TARGET, LABEL */
	ACTPLANE_ELEM_TRANSFORM,	/* TRANSFORM (declassify/endorse), LABEL, TARGET (pattern) */
	ACTPLANE_ELEM_GATE,		/* OP, TARGET (pattern), ARGV, EXIT_STATUS */
	ACTPLANE_ELEM_INVALIDATOR,	/* GATE, OP, TARGET (pattern), ARGV */
	ACTPLANE_ELEM_LINEAGE,		/* TARGET (pattern) */
	ACTPLANE_ELEM_RULE,		/* NAME, BECAUSE */
	ACTPLANE_ELEM_CLAUSE,		/* RULE, EFFECT, OP, TARGET_KIND, TARGET, ARGV, EXPR, UNLESS */
	__ACTPLANE_ELEM_MAX,
};

enum actplane_elem_attr {
	ACTPLANE_E_UNSPEC,
	ACTPLANE_E_KIND,		/* u32: enum actplane_elem_kind */
	ACTPLANE_E_NAME,		/* string: label or rule name */
	ACTPLANE_E_CLASS,		/* u32: enum actplane_match_class */
	ACTPLANE_E_LITERAL,		/* string: class-specific literal */
	ACTPLANE_E_GLOB,		/* string: full absolute glob */
	ACTPLANE_E_FAMILY,		/* u32: 0 (any), AF_INET, AF_INET6 */
	ACTPLANE_E_ADDR,		/* binary: 4 or 16 bytes */
	ACTPLANE_E_PREFIX,		/* u32: prefix length */
	ACTPLANE_E_PORT,		/* u32: port, 0 = any */
	ACTPLANE_E_TARGET_KIND,		/* u32: enum actplane_target_kind */
	ACTPLANE_E_TARGET,		/* u32: index of a pattern or endpoint element */
	ACTPLANE_E_LABEL,		/* u32: index of a label element */
	ACTPLANE_E_TRANSFORM,		/* u32: enum actplane_transform */
	ACTPLANE_E_OP,			/* u32: enum actplane_op */
	ACTPLANE_E_ARGV,		/* nest: ACTPLANE_E_ARG strings, in order */
	ACTPLANE_E_ARG,			/* string */
	ACTPLANE_E_GATE,		/* u32: index of a gate element */
	ACTPLANE_E_RULE,		/* u32: index of a rule element */
	ACTPLANE_E_EFFECT,		/* u32: enum actplane_effect (NOTIFY..KILL) */
	ACTPLANE_E_EXPR,		/* binary: condition program, 2 bytes per insn (op, label index) */
	ACTPLANE_E_UNLESS,		/* nest: ACTPLANE_E_COND entries */
	ACTPLANE_E_COND,		/* nest: COND_KIND, NEGATE, TARGET_KIND, TARGET, ARG_ID */
	ACTPLANE_E_COND_KIND,		/* u32: enum actplane_cond_kind */
	ACTPLANE_E_NEGATE,		/* flag */
	ACTPLANE_E_ARG_ID,		/* u32: lineage index (LINEAGE) or gate index (AFTER) */
	ACTPLANE_E_BECAUSE,		/* string: reason fed back to the agent */
	ACTPLANE_E_SESSION_ROOT,	/* flag: exec source that labels the session root */
	ACTPLANE_E_PAD,
	ACTPLANE_E_CLAUSE,		/* nest (dump only): EFFECT, OP, GLOB = target text */
	ACTPLANE_E_EXIT_STATUS,		/* u32 0..255 (gate): armed when the run exits with it */
	__ACTPLANE_E_MAX,
};
#define ACTPLANE_E_MAX (__ACTPLANE_E_MAX - 1)

enum actplane_op {
	ACTPLANE_OP_EXEC,
	ACTPLANE_OP_READ,
	ACTPLANE_OP_OPEN,		/* any open (read, write or both) */
	ACTPLANE_OP_WRITE,
	ACTPLANE_OP_UNLINK,
	ACTPLANE_OP_CONNECT,		/* connect and UDP sendto/sendmsg */
	ACTPLANE_OP_RECV,
	__ACTPLANE_OP_MAX,
};
/* Path operations come first: an operation is about a path iff op <= this. */
#define ACTPLANE_OP_LAST_PATH	ACTPLANE_OP_UNLINK
/*
 * The policy language's word for each operation: the one table the module
 * (dumps, events), the compiler and the tool initialise theirs from.
 */
#define ACTPLANE_OP_NAMES {							\
	[ACTPLANE_OP_EXEC] = "exec", [ACTPLANE_OP_READ] = "read",		\
	[ACTPLANE_OP_OPEN] = "open", [ACTPLANE_OP_WRITE] = "write",		\
	[ACTPLANE_OP_UNLINK] = "unlink", [ACTPLANE_OP_CONNECT] = "connect",	\
	[ACTPLANE_OP_RECV] = "recv",						\
}

enum actplane_match_class {
	ACTPLANE_MATCH_ANY,
	ACTPLANE_MATCH_EXACT,
	ACTPLANE_MATCH_BASENAME,
	ACTPLANE_MATCH_PREFIX,
	ACTPLANE_MATCH_SUFFIX,
	ACTPLANE_MATCH_GLOB,
	__ACTPLANE_MATCH_MAX,
};

enum actplane_target_kind {
	ACTPLANE_TARGET_FILE,		/* pattern */
	ACTPLANE_TARGET_EXEC,		/* pattern */
	ACTPLANE_TARGET_ENDPOINT,	/* endpoint */
};

enum actplane_transform {
	ACTPLANE_TRANSFORM_DECLASSIFY,
	ACTPLANE_TRANSFORM_ENDORSE,
};

enum actplane_cond_kind {
	ACTPLANE_COND_TARGET,
	ACTPLANE_COND_LINEAGE,
	ACTPLANE_COND_AFTER,
};

/* Condition program opcodes (ACTPLANE_E_EXPR), postfix over label bits. */
enum actplane_expr_op {
	ACTPLANE_EXPR_LABEL,		/* push: subject has label (arg: label element index) */
	ACTPLANE_EXPR_TRUE,
	ACTPLANE_EXPR_NOT,
	ACTPLANE_EXPR_AND,
	ACTPLANE_EXPR_OR,
};

/* Event records (ACTPLANE_CMD_EVENT on the "events" group). */
enum actplane_event_attr {
	ACTPLANE_EV_UNSPEC,
	ACTPLANE_EV_PAD,
	ACTPLANE_EV_SEQ,		/* u64: per-module sequence number; gaps mean loss */
	ACTPLANE_EV_TIME,		/* u64: CLOCK_REALTIME ns */
	ACTPLANE_EV_PID,		/* u32 */
	ACTPLANE_EV_PPID,		/* u32 */
	ACTPLANE_EV_UID,		/* u32 */
	ACTPLANE_EV_COMM,		/* string */
	ACTPLANE_EV_EXE,		/* string */
	ACTPLANE_EV_SESSION,		/* u32 */
	ACTPLANE_EV_OP,			/* u32: enum actplane_op */
	ACTPLANE_EV_TARGET,		/* string: path or address:port */
	ACTPLANE_EV_ARGV,		/* nest: ACTPLANE_E_ARG strings (truncated: last is "...") */
	ACTPLANE_EV_RULE,		/* string: rule name */
	ACTPLANE_EV_BECAUSE,		/* string */
	ACTPLANE_EV_PROPOSED,		/* u32: effect the policy asked for */
	ACTPLANE_EV_EFFECT,		/* u32: effect applied */
	ACTPLANE_EV_BLOCKED,		/* flag */
	ACTPLANE_EV_KILLED,		/* flag */
	ACTPLANE_EV_LABELS,		/* nest: ACTPLANE_A_LABEL names of the subject */
	ACTPLANE_EV_PROVENANCE,		/* nest: ACTPLANE_EV_PROV entries */
	ACTPLANE_EV_PROV,		/* nest: ACTPLANE_EV_PROV_LABEL, ACTPLANE_EV_PROV_FROM */
	ACTPLANE_EV_PROV_LABEL,		/* string */
	ACTPLANE_EV_PROV_FROM,		/* string */
	ACTPLANE_EV_ENFORCER,		/* string */
	ACTPLANE_EV_CHAINS,		/* nest: ACTPLANE_EV_CHAIN, one per label of PROVENANCE */
	ACTPLANE_EV_CHAIN,		/* nest: enum actplane_chain_attr */
	ACTPLANE_EV_SESSION_SEQ,	/* u64: the record's number within its session (gaps:
					 * records of that session lost) */
	ACTPLANE_EV_SESSION_CHAIN,	/* binary: u32 ids of the session and those it is nested
					 * in, innermost first */
	ACTPLANE_EV_RULE_SESSION,	/* u32: the rule is of this session's policy (absent: the
					 * machine's) */
	__ACTPLANE_EV_MAX,
};
#define ACTPLANE_EV_MAX (__ACTPLANE_EV_MAX - 1)

/*
 * Provenance: how a label came to be where it is.  The module records the
 * first arrival of each label on each object (a hop); a chain is the hops
 * from an object back to the label's origin, newest first.
 */
enum actplane_chain_attr {
	ACTPLANE_CH_UNSPEC,
	ACTPLANE_CH_PAD,
	ACTPLANE_CH_LABEL,		/* string: the label */
	ACTPLANE_CH_HOP,		/* nest: enum actplane_hop_attr; repeated, newest first */
	ACTPLANE_CH_MORE,		/* u32: hops beyond those sent (the chain is longer) */
	ACTPLANE_CH_END,		/* u32: enum actplane_chain_end: why the chain stops */
	__ACTPLANE_CH_MAX,
};
#define ACTPLANE_CH_MAX (__ACTPLANE_CH_MAX - 1)

enum actplane_hop_attr {
	ACTPLANE_HOP_UNSPEC,
	ACTPLANE_HOP_PAD,
	ACTPLANE_HOP_OBJ,		/* u32: enum actplane_prov_obj: what took the label */
	ACTPLANE_HOP_NAME,		/* string: its name (path, address, comm[pid]) */
	ACTPLANE_HOP_OP,		/* u32: enum actplane_prov_op: how */
	ACTPLANE_HOP_PID,		/* u32: the process that did it (tgid) */
	ACTPLANE_HOP_COMM,		/* string: its command name then */
	ACTPLANE_HOP_TIME,		/* u64: CLOCK_REALTIME ns */
	ACTPLANE_HOP_RULE,		/* string: OP_SOURCE: the source that introduced the label */
	__ACTPLANE_HOP_MAX,
};
#define ACTPLANE_HOP_MAX (__ACTPLANE_HOP_MAX - 1)

enum actplane_prov_obj {
	ACTPLANE_PROV_PROCESS,
	ACTPLANE_PROV_FILE,
	ACTPLANE_PROV_PIPE,		/* a pipe's or FIFO's buffer */
	ACTPLANE_PROV_SOCKET,		/* a local (Unix) socket */
	ACTPLANE_PROV_ENDPOINT,		/* a network address:port */
	ACTPLANE_PROV_MESSAGE,		/* a message queue or one message (SysV, POSIX) */
	ACTPLANE_PROV_KEY,		/* a key (keyctl) */
	__ACTPLANE_PROV_OBJ_MAX,
};
#define ACTPLANE_PROV_OBJ_NAMES {						\
	[ACTPLANE_PROV_PROCESS] = "process", [ACTPLANE_PROV_FILE] = "file",	\
	[ACTPLANE_PROV_PIPE] = "pipe", [ACTPLANE_PROV_SOCKET] = "socket",	\
	[ACTPLANE_PROV_ENDPOINT] = "endpoint", [ACTPLANE_PROV_MESSAGE] = "message", \
	[ACTPLANE_PROV_KEY] = "key",						\
}

enum actplane_prov_op {
	ACTPLANE_PROV_SOURCE,		/* a source rule introduced it (HOP_RULE says which) */
	ACTPLANE_PROV_READ,		/* the process read, received or mapped the object */
	ACTPLANE_PROV_WRITE,		/* the process wrote, sent or mapped into the object */
	ACTPLANE_PROV_EXEC,		/* the process exec'd the (labeled) file */
	ACTPLANE_PROV_FORK,		/* the process inherited it from its parent (HOP_PID) */
	ACTPLANE_PROV_TRACE,		/* ptrace or process_vm_* between two processes */
	ACTPLANE_PROV_MAP,		/* through a shared file mapping made earlier */
	ACTPLANE_PROV_ADMIN,		/* actplane label add, a session's seed labels, a kfunc */
	__ACTPLANE_PROV_OP_MAX,
};
#define ACTPLANE_PROV_OP_NAMES {						\
	[ACTPLANE_PROV_SOURCE] = "source", [ACTPLANE_PROV_READ] = "read",	\
	[ACTPLANE_PROV_WRITE] = "write", [ACTPLANE_PROV_EXEC] = "exec",		\
	[ACTPLANE_PROV_FORK] = "fork", [ACTPLANE_PROV_TRACE] = "trace",		\
	[ACTPLANE_PROV_MAP] = "map", [ACTPLANE_PROV_ADMIN] = "admin",		\
}

enum actplane_chain_end {
	ACTPLANE_CHAIN_ORIGIN,		/* reached the origin: a source, an admin label, a seed */
	ACTPLANE_CHAIN_UNRECORDED,	/* the next arrival was not recorded: recording was off
					 * or at its memory limit then */
	ACTPLANE_CHAIN_TOO_LONG,	/* more hops than the module walks (CH_MORE counts them) */
};

/* Hops a chain carries: the rest is counted in ACTPLANE_CH_MORE. */
#define ACTPLANE_CHAIN_HOPS		16

/*
 * What happens when label storage is full and a flow cannot be recorded
 * (-ENOMEM when denied), or when an event cannot be evaluated completely:
 * an allocation failed, exec arguments could not be read, a path does not
 * fit (-EPERM when denied, counted in ACTPLANE_CTR_INCOMPLETE).
 */
enum actplane_fail_mode {
	ACTPLANE_FAIL_OPEN = 0,		/* let it through, count it (default) */
	ACTPLANE_FAIL_CLOSED = 1,	/* deny the operation */
};

/* Maximum length (with NUL) of a label name; at most 64 labels exist. */
#define ACTPLANE_LABEL_NAME_LEN		64
#define ACTPLANE_MAX_LABELS		64
/*
 * Private labels: a label a session policy's own source introduces gets a
 * bit of its own while the session lives (named NAME@SESSION).  At most
 * this many per session policy, per user at once, and on the machine at
 * once (the rest stay free for the machine's names).
 */
#define ACTPLANE_SESSION_PRIVATE_MAX	8
#define ACTPLANE_USER_PRIVATE_MAX	8
#define ACTPLANE_PRIVATE_LABELS_MAX	32
/*
 * `lineage-includes` programs of one session policy.  A process keeps the
 * marks of its session chain's policies in one word: this many per level
 * of nesting (ACTPLANE_SESSION_DEPTH_MAX levels).
 */
#define ACTPLANE_SESSION_LINEAGES_MAX	8
/* `after` gates of one session policy (kept by its session) */
#define ACTPLANE_SESSION_GATES_MAX	8

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
	ACTPLANE_CTR_VIOLATIONS,	/* rule matches (events) */
	ACTPLANE_CTR_BLOCKED,		/* operations denied by a rule */
	ACTPLANE_CTR_KILLED,		/* processes killed by a rule */
	ACTPLANE_CTR_POLICY_LOADS,	/* successful policy commits */
	ACTPLANE_CTR_PATH_LOOKUPS,	/* paths resolved (d_path) for matching */
	ACTPLANE_CTR_INCOMPLETE,	/* events not evaluated completely (denied if fail-closed) */
	ACTPLANE_CTR_TRUST_WITHHELD,	/* declassify/endorse execs run untrusted (unsafe environment) */
	ACTPLANE_CTR_IMMUNITY_DROPPED,	/* immune processes that exec'd a program not owned by root */
	ACTPLANE_CTR_PROV_DROPPED,	/* label arrivals not recorded (provenance limit, no memory) */
	ACTPLANE_CTR_SESSION_INDEXES,	/* sessions' merged indexes built (session policies) */
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
/*
 * The word for each effect: the policy language's (NOTIFY..KILL) and the
 * one events, `watch`, `rules` and `enforcer test` show.  The one table the
 * compiler and the tool initialise theirs from (the module names none).
 */
#define ACTPLANE_EFFECT_NAMES {						\
	[ACTPLANE_EFFECT_NONE] = "none", [ACTPLANE_EFFECT_NOTIFY] = "notify",	\
	[ACTPLANE_EFFECT_BLOCK] = "block", [ACTPLANE_EFFECT_KILL] = "kill",	\
}

enum actplane_enforcer_state {
	ACTPLANE_ENFORCER_NONE = 0,	/* nothing attached: built-in default applies */
	ACTPLANE_ENFORCER_ACTIVE = 1,	/* attached and consulted */
	ACTPLANE_ENFORCER_FAILED = 2,	/* attached but misbehaved: default applies */
};

#endif /* _UAPI_ACTPLANE_H */
