/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * ActPlane kernel module: internal interfaces between the module's files.
 *
 *   main.c        init/exit, unwinding
 *   compat.h      differences between the kernel series it builds for
 *   stats.c       per-CPU counters and per-hook hit counts
 *   hooks.h       the hook table: one line per hook kfunc
 *   hooks_fs.c    hooks on files, exec, pipes and the splice family
 *   hooks_net.c   hooks on sockets and endpoints
 *   hooks_task.c  hooks between processes: memory, io_uring, message queues, keys
 *   propagate.h   the propagation rules the hook files share
 *   store.c       label storage: processes, files, endpoints, local sockets
 *   labels.c      label names, label memory accounting, the fail mode
 *   session.c     sessions and their gates
 *   policy.h      the compiled policy, swapped whole under RCU
 *   policy.c      policy load over netlink: staging, validation, indexing, swap
 *   match.c       the per-operation path and endpoint indexes
 *   eval.h        one event as the evaluator sees it
 *   eval.c        policy evaluation for one event, the exec commit
 *   events.c      violation events on the "events" multicast group
 *   struct_ops.c  the "actplane_ops" enforcement backend and its fallback
 *   kfuncs.c      kfuncs for BPF LSM and struct_ops programs
 *   netlink.c     generic netlink family "actplane"
 * docs/architecture.md, "The module", has the same map.
 */
#ifndef ACTPLANE_KMOD_H
#define ACTPLANE_KMOD_H

#include <linux/types.h>
#include <linux/atomic.h>
#include <linux/refcount.h>
#include <linux/rcupdate.h>
#include <linux/spinlock.h>
#include <linux/uidgid.h>
#include <uapi/actplane.h>
#include "hooks.h"
#include "prov.h"

#define ACTPLANE_VERSION "0.1.0"

/* Hit counters, one per hook kfunc (the table is hooks.h, names in stats.c). */
#define AP_HOOK_ENUM(NAME, ret, name, params, call, flags, attach, fm) ACTPLANE_HOOK_##NAME,
enum actplane_hook {
	AP_HOOKS(AP_HOOK_ENUM)
	__ACTPLANE_HOOK_MAX,
};

extern const char *const actplane_hook_names[__ACTPLANE_HOOK_MAX];

/* stats.c */
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

/* labels.c: names and memory accounting */
#define AP_DEFAULT_LIMIT_BYTES	(16UL << 20)

enum ap_obj_type {
	AP_OBJ_PROC,
	AP_OBJ_TASK,
	AP_OBJ_INODE,
	AP_OBJ_ENDPOINT,
	AP_OBJ_CHAN,		/* in-kernel channels: Unix sockets, pipe buffers */
	__AP_OBJ_MAX,
};

struct netlink_ext_ack;
int ap_label_lookup(const char *name);
int ap_label_define(const char *name, struct netlink_ext_ack *extack);
int ap_labels_define(const char *const *names, unsigned int n, u8 *bits,
		     struct netlink_ext_ack *extack);
bool ap_label_name(unsigned int bit, char *buf, size_t len);
/* private labels: a session policy's own (labels.c, "private labels") */
int ap_labels_private(const char *const *names, unsigned int n, u8 *bits, kuid_t uid,
		      struct netlink_ext_ack *extack);
void ap_labels_private_own(u64 mask, u32 id);
void ap_labels_unreserve(u64 mask);
void ap_labels_release(u64 mask);
u64 ap_labels_release_seq(void);
u64 ap_labels_gone_since(u64 seq);
/* bits no flow may add: being swept out after their session's end (store.c) */
extern atomic64_t ap_labels_retiring;
void ap_labels_exit(void);
bool ap_charge(enum ap_obj_type t, size_t bytes);
void ap_uncharge(enum ap_obj_type t, size_t bytes);
/* per-user accounts of label memory (slot 0: none) */
#define AP_UACCT_MAX		1024
u16 ap_uacct_get(kuid_t uid);
void ap_uacct_put(u16 acct);
bool ap_charge_to(enum ap_obj_type t, size_t bytes, u16 acct);
void ap_uncharge_from(enum ap_obj_type t, size_t bytes, u16 acct);
unsigned long ap_uacct_used(kuid_t uid);
unsigned long ap_uacct_quota_get(void);
void ap_uacct_quota_set(unsigned long bytes);
u16 ap_session_acct(void);
int ap_untrackable(void);
int ap_incomplete(void);
/*
 * Entries of one type: every hook asks "is there any?" before a table
 * lookup, so this is inline.
 */
extern atomic_long_t ap_mem_count[__AP_OBJ_MAX];
static inline long ap_mem_count_of(enum ap_obj_type t)
{
	return atomic_long_read(&ap_mem_count[t]);
}
/*
 * Entries of the types a read or a write moves labels between: threads
 * (a process's labels), files, channels.  One count, so that a read or
 * write hook asks one question when there are none.
 */
#define AP_IO_OBJS	(BIT(AP_OBJ_TASK) | BIT(AP_OBJ_INODE) | BIT(AP_OBJ_CHAN))
extern atomic_long_t ap_io_count;
static inline bool ap_io_idle(void)
{
	return !atomic_long_read(&ap_io_count);
}
unsigned long ap_mem_used(void);
unsigned long ap_mem_limit_get(void);
u32 ap_fail_mode_get(void);
void ap_limits_set(unsigned long limit, bool set_limit, u32 mode, bool set_mode);

/* store.c: label storage */
struct ap_policy;
struct task_struct;
struct inode;
struct file;
struct sock;
struct super_block;

struct ap_ep_key {
	u16 family;		/* AF_INET or AF_INET6 (v4-mapped v6 is stored as v4) */
	__be16 port;
	u32 pad;		/* always 0: keys are compared as bytes */
	u8 addr[16];
};

/* Label state of a process (shared by its threads). */
#define AP_PEND_MAX 4
#define AP_SEND_SLOTS 8

/*
 * A send of one of the process's threads that is in flight: checked when it
 * started, still copying the process's memory (hooks_net.c, "sends in
 * flight").  A label that arrives meanwhile must be allowed to go where the
 * send goes, or it does not arrive.
 */
enum ap_send_kind {
	AP_SEND_NONE,		/* a sendmmsg that has not sent yet */
	AP_SEND_EP,		/* to an IP endpoint */
	AP_SEND_CHAN,		/* into a local channel (a Unix stream's peer) */
};

struct ap_send {
	const struct task_struct *task;	/* the sending thread; NULL: free */
	union {
		const void *chan;	/* AP_SEND_CHAN: the receiving end (a key) */
		struct ap_ep_key k;	/* AP_SEND_EP: the destination */
	};
	u8 kind;
	bool batch;			/* inside sendmmsg: held until it returns */
};

/* Allocated at a process's first send (most processes never send). */
struct ap_sends {
	struct ap_send s[AP_SEND_SLOTS];
};

/*
 * The three label words are read lock-free.  @lineage only grows
 * (atomic64_or).  @labels and @immune change together at exec (declassify
 * drops labels and makes them immune), so every change of @labels that
 * depends on @immune, and every change of @immune, happens under @lock:
 * a sibling thread's absorb can never slip between an exec's "drop L" and
 * "immune to L" (it would leave the declassifier carrying L), and a label
 * a sibling absorbs while a thread execs is never overwritten.
 */
/*
 * Lineage id @id of the session policy at @slot of an evaluation (1: the
 * outermost of the process's chain): a process only ever moves into
 * sessions nested in its own, so a level keeps its policy for its life.
 */
#define AP_SLINEAGE_BIT(slot, id)	(((slot) - 1) * ACTPLANE_SESSION_LINEAGES_MAX + (id))

struct ap_proc {
	u64 id;			/* unique, never reused: the key of flow memos (task.h) */
	atomic64_t labels;
	atomic64_t immune;	/* declassified by the running program: not absorbed */
	atomic64_t lineage;	/* lineage marks (policy lineage ids), inherited */
	/* the session chain's policies' marks (AP_SLINEAGE_BIT()), inherited */
	atomic64_t slineage;
	spinlock_t lock;	/* serialises changes of labels against immune */
	refcount_t ref;		/* task entries pointing here */
	u32 session;
	/*
	 * A session @session was found to be (ap_session_of()): a
	 * cache, valid only while its id is @session.  Any session the
	 * process was ever in lives as long as the process does: it only
	 * moves into sessions nested in its own, which hold a reference.
	 */
	struct ap_session *sess_hint;
	/*
	 * `after exec G exits N` runs this process is (it exec'd G): checked
	 * when the thread group exits.  Written by the process itself at exec
	 * (single-threaded then), read by its last exiting thread.
	 */
	u8 npend;
	struct { u16 gate, epoch; } pend[AP_PEND_MAX];
	u64 pend_gen;		/* policy generation the gate indexes belong to */
	/*
	 * Trust an exec in progress grants (declassify, endorse, lineage,
	 * gates, session rooting), applied only at bprm_committing_creds,
	 * when the new program is certain to run (eval.c).  Only the
	 * exec'ing thread touches it, under the group's cred_guard_mutex.
	 */
	struct ap_exec_pend *xpend;
	/*
	 * Sends in flight and labels arriving while they are (under @lock):
	 * a send that starts is checked with @labels | @arriving.
	 */
	u8 nsend;
	u8 send_lost;		/* sends not recorded: no slot, or no memory */
	u16 narriving;
	u64 arriving;
	struct ap_sends *sends;
	struct ap_prov *prov;	/* where its labels came from (prov.h) */
	struct rcu_head rcu;
};

struct ap_inode_key {
	u64 ino;
	u32 dev;
	u32 gen;
};

int ap_store_init(void);
void ap_store_exit(void);
/*
 * The functions that add labels take the flow's description (prov.h) for
 * the provenance record of what is new; NULL records nothing.
 */
/* ap_proc_of(), ap_task_labels(): task.h */
int ap_task_absorb(const struct task_struct *t, u64 labels, const struct ap_from *f);
void ap_task_absorb_done(const struct task_struct *t, u64 labels, const struct ap_from *f);
int ap_task_seed(const struct task_struct *t, u64 labels);
int ap_task_root_session(const struct task_struct *t, u64 labels, u32 session);
void ap_task_clear(const struct task_struct *t, u64 labels);
bool ap_task_drop_immunity(const struct task_struct *t);
int ap_task_commit(const struct task_struct *t, u64 add, u64 declass, u64 endorse, u64 lineage,
		   u64 slineage, bool exec, const struct ap_from *f);
const struct ap_prov *ap_task_prov(const struct task_struct *t);
/*
 * The entry points hooks use: the flow described by scalars (prov.h).
 * ap_task_take(): @t takes @labels from @ptr (enum ap_src @src) by @op;
 * @done: after the fact (a tracing program), it cannot be refused.
 * ap_*_write(): the current process's @labels go into the object.
 */
int ap_task_take(const struct task_struct *t, u64 labels, u8 op, u8 src, const void *ptr,
		 bool done);
/* ap_task_take() for a caller that found !ap_task_covers() (task.h) already */
int ap_task_take_new(const struct task_struct *t, u64 labels, u8 op, u8 src, const void *ptr,
		     bool done);
int ap_file_write(struct inode *inode, u64 labels, u8 op, const struct path *path);
int ap_chan_write(const void *chan, u64 labels, u8 obj);
struct ap_ep_key;
int ap_ep_write(const struct ap_ep_key *k, u64 labels);
const struct ap_prov *ap_inode_prov(const struct inode *inode);
u32 ap_task_session(const struct task_struct *t);
int ap_task_fork(struct task_struct *child, u64 clone_flags);
int ap_task_exec(void);
void ap_task_free(const struct task_struct *t);
void ap_inode_key(const struct inode *inode, struct ap_inode_key *k);
u64 ap_inode_labels(const struct inode *inode);
int ap_inode_absorb(const struct inode *inode, u64 labels, const struct ap_from *f);
void ap_inode_clear(const struct inode *inode, u64 labels);
void ap_inode_free(const struct inode *inode);
void ap_sb_free(const struct super_block *sb);
void ap_store_forget(u64 mask);
u64 ap_ep_labels(const struct ap_ep_key *k);
int ap_ep_absorb(const struct ap_ep_key *k, u64 labels, const struct ap_from *f);
void ap_ep_clear(const struct ap_ep_key *k, u64 labels);
u64 ap_chan_labels(const void *chan);
int ap_chan_absorb(const void *chan, u64 labels, const struct ap_from *f);
void ap_chan_free(const void *chan);
u64 ap_file_data_labels(const struct inode *inode);
/*
 * The labels of the data of an open file (store.c).  Inline the question
 * every read and open asks first: does any file or channel carry labels?
 */
static inline u64 ap_file_labels(const struct inode *inode)
{
	if (!ap_mem_count_of(AP_OBJ_INODE) && !ap_mem_count_of(AP_OBJ_CHAN))
		return 0;
	return ap_file_data_labels(inode);
}
int ap_file_absorb(struct inode *inode, u64 labels, const struct ap_from *f);
int ap_open_file_absorb(const struct file *file, u64 labels, const struct ap_from *f);

/* events.c: the source rule of one of @pols that introduces label @bit, as text */
void ap_source_text(const struct ap_policy *const *pols, u32 n, u32 bit, char *buf, size_t len);
/* The policies an event was evaluated against (AP_SRC_RULES's .ptr, prov.h). */
struct ap_polset {
	const struct ap_policy *const *pols;
	u32 n;
};

/*
 * Is a policy loaded, the machine's or a session's?  Lets hooks skip
 * building an event; no RCU needed.  Session policies are counted
 * (session.c), so this stays two reads however many sessions there are.
 */
struct ap_policy;
extern struct ap_policy __rcu *ap_active_policy;
extern atomic_t ap_spol_count;		/* live sessions with a session policy */
extern atomic_t ap_spol_argv;		/* ... whose policy matches exec arguments */
extern atomic_t ap_spol_ep[];		/* ... with endpoint rules, per operation */
static inline bool ap_policy_loaded(void)
{
	return rcu_access_pointer(ap_active_policy) != NULL || atomic_read(&ap_spol_count);
}

/*
 * rcu_read_lock() for the hot paths.  The hooks' BPF programs (all but the
 * sleepable ones) run inside the read-side section their trampoline opened,
 * and with preemptible RCU (Debian's kernels) each nested lock and unlock
 * is a function call: a pipe write and read paid six of them.  A section
 * nested in another one protects nothing the outer one does not, so it is
 * opened only when none is: rcu_preempt_depth() is the nesting count of
 * preemptible RCU (always 0 without it, where the lock is inline).
 *
 *	bool rcu = ap_rcu_lock();
 *	...
 *	ap_rcu_unlock(rcu);
 */
static __always_inline bool ap_rcu_lock(void)
{
	if (rcu_preempt_depth())
		return false;
	rcu_read_lock();
	return true;
}

static __always_inline void ap_rcu_unlock(bool locked)
{
	if (locked)
		rcu_read_unlock();
}

/* Does any process carry labels or belong to a session?  (No entry: none.) */
static inline bool ap_tasks_tracked(void)
{
	return ap_mem_count_of(AP_OBJ_TASK) != 0;
}

/* session.c */
struct ap_session_info {
	pid_t root;
	u32 procs, parent;
	kuid_t owner;
	bool unpriv;
	u32 rules;		/* of its own session policy */
	char policy[64];	/* that policy's name ("" if none) */
};

/* multicast groups of ap_family (netlink.c) */
enum { AP_MCGRP_ALL, AP_MCGRP_SESSION };

/* A session's chain (itself first) and who reads its events on AP_MCGRP_SESSION. */
struct ap_session_readers {
	int n, depth;
	kuid_t uid[ACTPLANE_SESSION_DEPTH_MAX];
	u32 ids[ACTPLANE_SESSION_DEPTH_MAX];
};

int ap_session_create(pid_t root, gfp_t gfp, struct ap_policy *pol);
int ap_session_create_user(pid_t root, u32 parent, struct ap_policy *pol);
bool ap_session_user_allowed(void);
u32 ap_session_count(kuid_t uid, u32 *rules);
u32 ap_session_policies(struct ap_proc *p, u32 id, const struct ap_policy *pol,
			const struct ap_policy *const **out, const struct ap_policy **merged);
bool ap_ep_sessions_miss(const struct ap_policy *pol, u8 op, const struct ap_ep_key *k);
void ap_session_reindex(u32 id, const struct ap_policy *base);
void ap_session_config(u32 gid, bool set_gid, u32 quota, bool set_quota, u32 rules,
		       bool set_rules);
void ap_session_config_get(u32 *gid, u32 *quota, u32 *rules);
bool ap_session_event(u32 id, u64 *seq, struct ap_session_readers *f);
bool ap_task_start_session(const struct task_struct *t, u32 id);
int ap_task_nest_session(const struct task_struct *t, u64 labels, u32 id, u32 old);
void ap_session_get(u32 id);
void ap_session_put(u32 id);
void ap_session_abandon(u32 id);
bool ap_session_next(u32 *id, struct ap_session_info *info);
bool ap_session_within(u32 sid, u32 id);
bool ap_session_owner(u32 id, kuid_t *owner);
void ap_session_exit(void);
bool ap_session_gate(u32 id, u32 gate);
void ap_session_gates_update(u32 id, const unsigned long *arm, const unsigned long *stale);
u16 ap_session_gate_epoch(u32 id, u32 gate);
void ap_session_gate_arm_after(u32 id, u32 gate, u16 epoch);

/* hooks_fs.c, hooks_net.c, hooks_task.c: what each hook does to label state */
struct kiocb;
struct linux_binprm;
struct vm_area_struct;
struct socket;
struct sockaddr;
struct msghdr;
int ap_on_file_open(struct file *file);
int ap_mm_labels_grew(const struct task_struct *t, u64 grew);
int ap_mapping_labels_grew(const struct inode *inode, u64 grew);
int ap_file_permission_labeled(struct file *file, int mask);
void ap_pipe_read_done_labeled(struct kiocb *iocb, long ret);
/*
 * Every read and write on the machine: with nothing labeled (no session
 * running, nothing left labeled by one) the hook's kfunc answers inline,
 * without a call.
 */
static __always_inline int ap_on_file_permission(struct file *file, int mask)
{
	return ap_io_idle() ? 0 : ap_file_permission_labeled(file, mask);
}

static __always_inline void ap_on_pipe_read_done(struct kiocb *iocb, long ret)
{
	if (!ap_io_idle())
		ap_pipe_read_done_labeled(iocb, ret);
}
void ap_on_task_exit(struct task_struct *t);
struct path;
struct dentry;
int ap_on_truncate(const struct path *path);
int ap_on_path_unlink(const struct path *dir, struct dentry *dentry);
int ap_on_path_create(const struct path *dir, struct dentry *dentry);
int ap_on_path_rename(const struct path *old_dir, struct dentry *old_dentry,
		      const struct path *new_dir, struct dentry *new_dentry, unsigned int flags);
int ap_on_path_link(struct dentry *old_dentry, const struct path *new_dir,
		    struct dentry *new_dentry);
int ap_on_mmap(struct file *file, unsigned long prot, unsigned long flags);
int ap_on_mprotect(struct vm_area_struct *vma, unsigned long prot);
int ap_on_exec(struct linux_binprm *bprm);
int ap_on_exec_atomic(struct linux_binprm *bprm);
void ap_on_exec_commit_atomic(const struct linux_binprm *bprm);
void ap_on_exec_commit(const struct linux_binprm *bprm);
void ap_exec_pend_drop(struct ap_proc *p);
void ap_exec_cancel(void);
bool ap_ep_from_sockaddr(const struct sockaddr *sa, int len, struct ap_ep_key *k);
int ap_on_socket_connect(struct socket *sock, struct sockaddr *addr, int addrlen);
int ap_on_socket_sendmsg(struct socket *sock, struct msghdr *msg);
int ap_on_unix_may_send(struct socket *sock, struct socket *other);
int ap_on_socket_recvmsg(struct socket *sock);
void ap_on_sock_recv_done(struct socket *sock, int ret);
const struct ap_prov *ap_sock_prov(const struct sock *sk, u64 labels);
const struct ap_prov *ap_ep_prov(const struct ap_ep_key *k);
const struct ap_prov *ap_chan_prov(const void *chan);
void ap_on_sock_send_done(struct sock *sk);
void ap_on_sendmmsg_begin(void);
void ap_on_sendmmsg_end(void);
void ap_send_exit(void);
int ap_sends_admit(const struct ap_send *sends, u32 n, u32 lost, u64 add, bool may_refuse);
void ap_on_sk_free(struct sock *sk);
struct pipe_inode_info;
void ap_on_splice(struct file *in, struct file *out);
void ap_on_splice_to_pipe(struct file *in, struct pipe_inode_info *pipe);
void ap_on_pipe_fill(struct pipe_inode_info *pipe);
void ap_on_pipe_consume(struct pipe_inode_info *pipe);
void ap_on_pipe_free(struct pipe_inode_info *pipe);
int ap_on_ptrace_access(struct task_struct *child, unsigned int mode);
int ap_on_uring_sqpoll(void);
struct msg_msg;
int ap_on_msg_alloc(struct msg_msg *msg);
void ap_on_msg_store(struct msg_msg *msg);
struct kern_ipc_perm;
struct key;
int ap_on_msgsnd(struct kern_ipc_perm *q);
int ap_on_msgrcv(struct kern_ipc_perm *q, struct task_struct *target);
void ap_on_ipc_free(struct kern_ipc_perm *perm);
void ap_on_key_read(const struct key *key);
int ap_on_key_create(struct key *key);
void ap_on_key_free(struct key *key);
int ap_on_sctp_connect(struct sock *sk, int optname, struct sockaddr *addrs, int len);

/* kfuncs.c */
int ap_kfuncs_init(void);

/* policy.c (netlink handlers) */
struct sk_buff;
struct genl_info;
struct netlink_callback;
int ap_cmd_policy_begin(struct sk_buff *skb, struct genl_info *info);
int ap_cmd_policy_add(struct sk_buff *skb, struct genl_info *info);
int ap_cmd_session_policy_begin(struct sk_buff *skb, struct genl_info *info);
int ap_cmd_session_policy_add(struct sk_buff *skb, struct genl_info *info);
struct ap_policy *ap_session_policy_take(struct genl_info *info);
void ap_session_policy_free(struct ap_policy *pol);
void ap_session_policy_discard(struct ap_policy *pol);
void ap_session_policy_labels(const struct ap_policy *pol, u64 *seed, u64 *own);
void ap_policy_retire(struct ap_policy *pol);
void ap_policy_reindex_session(u32 id);
int ap_cmd_policy_commit(struct sk_buff *skb, struct genl_info *info);
int ap_cmd_policy_clear(struct sk_buff *skb, struct genl_info *info);
int ap_cmd_policy_dump(struct sk_buff *skb, struct netlink_callback *cb);
int ap_policy_put_status(struct sk_buff *msg);
u64 ap_policy_session_root_labels(void);
void ap_policy_staging(u32 *sockets, u64 *bytes);
const char *ap_op_name(u32 op);

/* netlink.c */
extern struct genl_family ap_family;
int ap_netlink_init(void);
void ap_netlink_exit(void);
u64 ap_next_seq(void);

#endif /* ACTPLANE_KMOD_H */
