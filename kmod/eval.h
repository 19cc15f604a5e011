/* SPDX-License-Identifier: GPL-2.0-only */
/* One event as the evaluator sees it (built by the hook code in hooks_*.c). */
#ifndef ACTPLANE_EVAL_H
#define ACTPLANE_EVAL_H

#include "actplane.h"

#define AP_NO_OP	0xff

/*
 * Up to three operations as one value, byte i the i-th (AP_NO_OP past the
 * last), as the hot hooks hand them to the evaluator: in a register, not
 * an array on the hook's stack (a local array costs its frame a stack
 * canary on every call).  ap_ops_unpack() gives struct ap_event's ops[].
 */
#define AP_OPS(a, b, c)	((u32)(u8)(a) | (u32)(u8)(b) << 8 | (u32)(u8)(c) << 16)

static __always_inline void ap_ops_unpack(u8 ops[3], u32 v)
{
	ops[0] = v;
	ops[1] = v >> 8;
	ops[2] = v >> 16;
}

/*
 * Hooks declare their event __uninitialized (the kernel is built with
 * CONFIG_INIT_STACK_ALL_ZERO, which would clear all of it, inline_buf
 * included, on every open) and zero the fields before inline_buf
 * themselves; inline_buf is written before it is read.
 */
struct ap_event {
	u8 ops[3];			/* operations to evaluate, AP_NO_OP-terminated */
	bool exec;			/* an exec: transforms apply, immunity resets */
	/* target: a path (fpath [+ "/" child_name]) or an endpoint */
	const struct path *fpath;
	const char *child_name;
	const char *name;		/* last path component (cheap prefilter): set by
					 * ap_evaluate() if the builder left it out */
	size_t name_len;
	const struct inode *inode;	/* the object, if a file (sources label it) */
	const struct ap_ep_key *ep;
	u64 absorb;			/* labels the subject takes from the object */
	/*
	 * Read @absorb from @inode inside the evaluation's RCU section: the
	 * sleepable exec hook may sleep before it (reading argv), and a label
	 * read in another section could be given back (ap_labels_release())
	 * before it is stored.
	 */
	bool absorb_inode;
	u64 view;			/* labels the subject is seen with, no more */
	/* exec */
	struct linux_binprm *bprm;
	char *argv;			/* argv strings, NUL-separated (pre-read) */
	size_t argv_len;
	u32 argc;
	bool argv_read;
	/*
	 * Something evaluation needed could not be had: the path (no buffer,
	 * too long) or the exec arguments (not read).  The verdict then
	 * follows the fail mode (ap_incomplete()).
	 */
	bool incomplete;
	bool path_failed;		/* ap_event_path() failed once: don't retry */
	bool rules_only;		/* decide only: no labels, trust or gates change */
	/*
	 * An exec past its point of no return (fmod_ret mode): it can no
	 * longer fail, so a refusal kills the process before the program
	 * runs (ap_on_exec_commit_atomic()).
	 */
	bool committed;
	/*
	 * The fmod_ret mode splits an exec in two: at bprm_check (cannot
	 * sleep, so cannot read the new argv) argument clauses do not match
	 * and mark nothing incomplete (argv_later); at the commit, with the
	 * arguments read, only what has argument clauses is evaluated
	 * (argv_only).  Each part of the policy is decided once.
	 */
	bool argv_later;
	bool argv_only;
	/*
	 * The rename_lock sequence before the name was read (even), so a
	 * remembered answer for this dentry's name can be checked (eval.c,
	 * ap_nohit_key()); odd: not taken, or a rename was under way.
	 */
	unsigned int name_seq;
	/* resolved path */
	char *path;
	size_t path_len;
	char *heap_buf;
	char inline_buf[256];
};

struct ap_policy;
struct ap_clause;
int ap_evaluate(struct ap_event *ev);
int ap_evaluate_file(const struct path *path, const struct inode *inode, u32 ops);
int ap_evaluate_ep(const struct ap_ep_key *k, u8 op, u64 view);
void ap_event_file(struct ap_event *ev, const struct path *path, const struct inode *inode,
		   unsigned int seq);
const char *ap_event_path(struct ap_event *ev);
void ap_event_release(struct ap_event *ev);
int ap_event_read_argv(struct ap_event *ev);
const char *ap_exec_env_unsafe(struct linux_binprm *bprm);
const char *ap_loader_argv(struct linux_binprm *bprm, struct ap_event *ev);
int ap_script_argv(struct linux_binprm *bprm, struct ap_event *ev);
bool ap_policy_has_ep_rules(u8 op);
bool ap_exec_trusts(const struct linux_binprm *bprm);
void ap_exec_withhold(const struct linux_binprm *bprm);
bool ap_policy_wants_argv(void);
void ap_exec_pend_promote(void);
/* @pol: the machine's policy (sources; may be NULL), @rpol: the rule's */
void ap_event_report(struct ap_event *ev, const struct ap_policy *pol,
		     const struct ap_policy *rpol, const struct ap_clause *c,
		     u64 labels, u32 session, u32 proposed, u32 verdict);

#endif
