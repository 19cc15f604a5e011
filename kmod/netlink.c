// SPDX-License-Identifier: GPL-2.0-only
/*
 * Generic netlink family "actplane": configuration and status commands and
 * the "events" multicast group.
 *
 * Every operation is a genl_split_ops entry with its own input policy and
 * maxattr: an attribute the command does not take (an output-only one, or
 * one of another command) is refused by the core, strictly, before the
 * handler runs, with the core's ext-ACK text ("Unsupported attribute",
 * "Unknown attribute type"); commands that take nothing say so
 * ("... takes no attributes").  Handlers add their own ext-ACK text for
 * semantic errors.  No resv_start_op: every command, old or new, gets the
 * core's strict checks (genlmsghdr.reserved must be 0, only REQUEST, ACK,
 * ECHO and DUMP in nlmsg_flags, no attribute-parsing leniency).
 *
 * Privileges: one mechanism.  Admin operations carry AP_NL_ADMIN in their
 * internal flags and one check, ap_nl_admin(), runs before each of them (as
 * pre_doit, or as the dump's start): CAP_NET_ADMIN or CAP_SYS_ADMIN in the
 * initial user namespace, held by the sender and by the opener of the
 * socket (netlink_capable()), refused with an ext-ACK message that says so.
 * Reading the events group needs CAP_NET_ADMIN (the core's group flag; it
 * changes nothing).  STATUS and SESSION_DUMP are open to anyone (the
 * dump lists a non-admin caller's own sessions only); SESSION_CREATE too,
 * checked in its handler (ap_session_create_unpriv()).  SESSION_POLICY_BEGIN
 * and _ADD carry AP_NL_SESSION: an admin, or a user allowed to create
 * sessions (the same check), on a stage of its own; so is the "session"
 * group, whose records reach only their sessions' owners (events.c).  The family is not
 * netns-aware, so it only exists in the initial network namespace.
 */
#include <linux/atomic.h>
#include <linux/capability.h>
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/module.h>
#include <linux/pid.h>
#include <linux/sched.h>
#include <linux/sched/signal.h>
#include <linux/sched/task.h>
#include <linux/cred.h>
#include <net/genetlink.h>
#include <net/netlink.h>
#include "actplane.h"
#include "task.h"

static atomic64_t ap_seq = ATOMIC64_INIT(0);

/* The admin test of ap_nl_admin() (below), for commands open to both. */
static bool ap_nl_is_admin(const struct sk_buff *skb)
{
	return netlink_capable(skb, CAP_NET_ADMIN) || netlink_capable(skb, CAP_SYS_ADMIN);
}

/* why a user may not create a session, nor stage a session policy */
#define AP_MSG_NOT_ALLOWED	"you may not create sessions: the admin allows a group " \
				"('actplane limits --session-group G'), and you are not in it"

u64 ap_next_seq(void)
{
	return atomic64_inc_return(&ap_seq);
}

static const struct netlink_range_validation ap_pid_range = { .min = 1, .max = INT_MAX };
static const struct netlink_range_validation ap_fd_range = { .min = 0, .max = INT_MAX };
static const struct netlink_range_validation ap_rule_quota_range = {
	.min = 1, .max = ACTPLANE_SESSION_RULE_QUOTA_MAX,
};

static const struct nla_policy ap_label_nest_policy[ACTPLANE_A_LABEL + 1] = {
	[ACTPLANE_A_LABEL]		= { .type = NLA_NUL_STRING, .len = ACTPLANE_LABEL_NAME_LEN - 1 },
};

/* Input policies, one per command, each as long as its last input attribute. */

/*
 * Commands that take no attribute at all.  (Entry 0 stays empty: the core
 * reads policy[0].strict_start_type, which shares a union with
 * reject_message.)
 */
static const struct nla_policy ap_none_policy[ACTPLANE_A_MAX + 1] = {
	[1 ... ACTPLANE_A_MAX] = { .type = NLA_REJECT, .reject_message = "this command takes no attributes" },
};

static const struct nla_policy ap_enforcer_test_policy[ACTPLANE_A_EFFECT + 1] = {
	[ACTPLANE_A_EFFECT]		= NLA_POLICY_MAX(NLA_U32, ACTPLANE_EFFECT_KILL),
};

#define AP_LABELS_IN	NLA_POLICY_NESTED(ap_label_nest_policy)
#define AP_LABEL_MISPLACED { .type = NLA_REJECT, .reject_message = "labels go inside ACTPLANE_A_LABELS" }
#define AP_PID_IN	NLA_POLICY_FULL_RANGE(NLA_U32, &ap_pid_range)
#define AP_FD_IN	NLA_POLICY_FULL_RANGE(NLA_U32, &ap_fd_range)

/* LABEL_ADD, LABEL_CLEAR: labels and a process or a file */
static const struct nla_policy ap_label_policy[ACTPLANE_A_FD + 1] = {
	[ACTPLANE_A_LABELS]		= AP_LABELS_IN,
	[ACTPLANE_A_LABEL]		= AP_LABEL_MISPLACED,
	[ACTPLANE_A_PID]		= AP_PID_IN,
	[ACTPLANE_A_FD]			= AP_FD_IN,
};

/* LABEL_GET: a process or a file */
static const struct nla_policy ap_target_policy[ACTPLANE_A_FD + 1] = {
	[ACTPLANE_A_PID]		= AP_PID_IN,
	[ACTPLANE_A_FD]			= AP_FD_IN,
};

/*
 * SESSION_CREATE: a process and its seed labels.  As long as the others
 * (up to ACTPLANE_A_FD, refused here) since ap_get_target() looks at it.
 */
static const struct nla_policy ap_session_policy[ACTPLANE_A_SESSION_POLICY + 1] = {
	[ACTPLANE_A_LABELS]		= AP_LABELS_IN,
	[ACTPLANE_A_LABEL]		= AP_LABEL_MISPLACED,
	[ACTPLANE_A_PID]		= AP_PID_IN,
	[ACTPLANE_A_SESSION_POLICY]	= { .type = NLA_FLAG },
};

static const struct netlink_range_validation ap_mem_quota_range = {
	.min = ACTPLANE_SESSION_MEM_QUOTA_MIN, .max = ACTPLANE_SESSION_MEM_QUOTA_MAX,
};

static const struct nla_policy ap_limits_policy[ACTPLANE_A_SESSION_MEM_QUOTA + 1] = {
	[ACTPLANE_A_LIMIT_BYTES]	= { .type = NLA_U64 },
	[ACTPLANE_A_FAIL_MODE]		= NLA_POLICY_MAX(NLA_U32, ACTPLANE_FAIL_CLOSED),
	[ACTPLANE_A_PROVENANCE]		= NLA_POLICY_MAX(NLA_U32, 1),
	[ACTPLANE_A_SESSION_GID]	= { .type = NLA_U32 },
	[ACTPLANE_A_SESSION_QUOTA]	= NLA_POLICY_RANGE(NLA_U32, 1, ACTPLANE_SESSION_QUOTA_MAX),
	[ACTPLANE_A_SESSION_RULE_QUOTA]	= NLA_POLICY_FULL_RANGE(NLA_U32, &ap_rule_quota_range),
	[ACTPLANE_A_SESSION_MEM_QUOTA]	= NLA_POLICY_FULL_RANGE(NLA_U64, &ap_mem_quota_range),
};

static const struct nla_policy ap_session_end_policy[ACTPLANE_A_SESSION + 1] = {
	[ACTPLANE_A_SESSION]		= { .type = NLA_U32 },
};

static const struct nla_policy ap_policy_begin_policy[ACTPLANE_A_POLICY_DIGEST + 1] = {
	[ACTPLANE_A_POLICY_NAME]	= { .type = NLA_NUL_STRING, .len = 255 },
	[ACTPLANE_A_POLICY_DIGEST]	= NLA_POLICY_EXACT_LEN(ACTPLANE_POLICY_DIGEST_LEN),
};

static const struct nla_policy ap_policy_add_policy[ACTPLANE_A_ELEM + 1] = {
	[ACTPLANE_A_ELEMS]		= { .type = NLA_NESTED },	/* elements checked by policy.c */
	[ACTPLANE_A_ELEM]		= { .type = NLA_REJECT, .reject_message = "elements go inside ACTPLANE_A_ELEMS" },
};

static int ap_put_memory(struct sk_buff *msg)
{
	static const u8 types[__AP_OBJ_MAX] = {
		[AP_OBJ_PROC] = ACTPLANE_MEM_A_PROCS,
		[AP_OBJ_TASK] = ACTPLANE_MEM_A_TASKS,
		[AP_OBJ_INODE] = ACTPLANE_MEM_A_INODES,
		[AP_OBJ_ENDPOINT] = ACTPLANE_MEM_A_ENDPOINTS,
		[AP_OBJ_CHAN] = ACTPLANE_MEM_A_SOCKS,
	};
	struct nlattr *nest = nla_nest_start(msg, ACTPLANE_A_MEMORY);
	u64 records, bytes, limit;
	int i;

	if (!nest)
		return -EMSGSIZE;
	for (i = 0; i < __AP_OBJ_MAX; i++)
		if (nla_put_u64_64bit(msg, types[i], ap_mem_count_of(i), ACTPLANE_MEM_A_PAD))
			return -EMSGSIZE;
	if (nla_put_u64_64bit(msg, ACTPLANE_MEM_A_BYTES, ap_mem_used(), ACTPLANE_MEM_A_PAD) ||
	    nla_put_u64_64bit(msg, ACTPLANE_MEM_A_LIMIT, ap_mem_limit_get(), ACTPLANE_MEM_A_PAD) ||
	    nla_put_u32(msg, ACTPLANE_MEM_A_FAIL_MODE, ap_fail_mode_get()) ||
	    nla_put_u64_64bit(msg, ACTPLANE_MEM_A_DENIED,
			      ap_stats_read(ACTPLANE_CTR_UNTRACKED_DENIED), ACTPLANE_MEM_A_PAD) ||
	    nla_put_u64_64bit(msg, ACTPLANE_MEM_A_UNTRACKED,
			      ap_stats_read(ACTPLANE_CTR_UNTRACKED_ALLOWED), ACTPLANE_MEM_A_PAD))
		return -EMSGSIZE;
	ap_prov_stats(&records, &bytes, &limit);
	if (nla_put_u64_64bit(msg, ACTPLANE_MEM_A_PROV_RECORDS, records, ACTPLANE_MEM_A_PAD) ||
	    nla_put_u64_64bit(msg, ACTPLANE_MEM_A_PROV_BYTES, bytes, ACTPLANE_MEM_A_PAD) ||
	    nla_put_u64_64bit(msg, ACTPLANE_MEM_A_PROV_LIMIT, limit, ACTPLANE_MEM_A_PAD))
		return -EMSGSIZE;
	nla_nest_end(msg, nest);
	return 0;
}

static int ap_put_label_table(struct sk_buff *msg)
{
	struct nlattr *nest = nla_nest_start(msg, ACTPLANE_A_LABEL_TABLE);
	char name[ACTPLANE_LABEL_NAME_LEN];
	int bit;

	if (!nest)
		return -EMSGSIZE;
	for (bit = 0; bit < ACTPLANE_MAX_LABELS; bit++)
		if (ap_label_name(bit, name, sizeof(name)) && nla_put_string(msg, bit + 1, name))
			return -EMSGSIZE;
	nla_nest_end(msg, nest);
	return 0;
}

/* SESSION_DUMP's cursor, in cb->ctx (zeroed when the dump starts). */
struct ap_session_dump_ctx {
	u32 next_id;		/* first session id not sent yet */
	bool all;		/* the caller is admin: every session, else its own */
};

static int ap_session_dump_start(struct netlink_callback *cb)
{
	struct ap_session_dump_ctx *ctx = (void *)cb->ctx;

	BUILD_BUG_ON(sizeof(*ctx) > sizeof(cb->ctx));
	ctx->all = ap_nl_is_admin(cb->skb);
	return 0;
}

/*
 * SESSION_DUMP: one message per live session, in id order, as many calls as
 * it takes (nothing is left out).  Sessions come and go with processes, so
 * there is no generation: a session created or ended during the dump may or
 * may not be listed; none is listed twice.  Without CAP_NET_ADMIN, only the
 * sessions the caller created.
 */
static int ap_cmd_session_dump(struct sk_buff *skb, struct netlink_callback *cb)
{
	struct ap_session_dump_ctx *ctx = (void *)cb->ctx;
	struct ap_session_info si;
	struct nlattr *nest;
	u32 id = ctx->next_id;
	kuid_t me = current_uid();
	void *hdr;

	for (; ap_session_next(&id, &si); id++) {
		if (!ctx->all && !uid_eq(si.owner, me))
			continue;
		hdr = genlmsg_put(skb, NETLINK_CB(cb->skb).portid, cb->nlh->nlmsg_seq,
				  &ap_family, NLM_F_MULTI, ACTPLANE_CMD_SESSION_DUMP);
		if (!hdr)
			break;
		nest = nla_nest_start(skb, ACTPLANE_A_SESSION_INFO);
		if (!nest || nla_put_u32(skb, ACTPLANE_SESSION_A_ID, id) ||
		    nla_put_u32(skb, ACTPLANE_SESSION_A_ROOT, si.root) ||
		    nla_put_u32(skb, ACTPLANE_SESSION_A_PROCS, si.procs) ||
		    nla_put_u32(skb, ACTPLANE_SESSION_A_PARENT, si.parent) ||
		    nla_put_u32(skb, ACTPLANE_SESSION_A_UID,
				from_kuid_munged(&init_user_ns, si.owner)) ||
		    (si.unpriv && nla_put_flag(skb, ACTPLANE_SESSION_A_UNPRIV)) ||
		    (si.rules && nla_put_u32(skb, ACTPLANE_SESSION_A_RULES, si.rules)) ||
		    (si.policy[0] && nla_put_string(skb, ACTPLANE_SESSION_A_POLICY, si.policy))) {
			genlmsg_cancel(skb, hdr);
			break;
		}
		nla_nest_end(skb, nest);
		genlmsg_end(skb, hdr);
	}
	ctx->next_id = id;
	return skb->len;
}

static int ap_put_staging(struct sk_buff *msg)
{
	u32 sockets;
	u64 bytes;

	ap_policy_staging(&sockets, &bytes);
	if (nla_put_u32(msg, ACTPLANE_A_STAGING, sockets) ||
	    nla_put_u64_64bit(msg, ACTPLANE_A_STAGING_BYTES, bytes, ACTPLANE_A_PAD))
		return -EMSGSIZE;
	return 0;
}

static int ap_put_status(struct sk_buff *msg)
{
	struct ap_enforcer_info info;
	struct nlattr *nest, *hook;
	u32 gid, quota, rule_quota, count, rules;
	int i;

	ap_enforcer_info(&info);
	if (nla_put_string(msg, ACTPLANE_A_VERSION, ACTPLANE_VERSION) ||
	    nla_put_u32(msg, ACTPLANE_A_ABI, ACTPLANE_ABI_VERSION) ||
	    nla_put_string(msg, ACTPLANE_A_ENFORCER, info.name) ||
	    nla_put_u32(msg, ACTPLANE_A_ENFORCER_STATE, info.state) ||
	    nla_put_string(msg, ACTPLANE_A_ENFORCER_REASON, info.reason))
		return -EMSGSIZE;

	nest = nla_nest_start(msg, ACTPLANE_A_COUNTERS);
	if (!nest)
		return -EMSGSIZE;
	for (i = ACTPLANE_CTR_DECISIONS; i < __ACTPLANE_CTR_MAX; i++)
		if (nla_put_u64_64bit(msg, i, ap_stats_read(i), ACTPLANE_CTR_PAD))
			return -EMSGSIZE;
	nla_nest_end(msg, nest);

	nest = nla_nest_start(msg, ACTPLANE_A_HOOKS);
	if (!nest)
		return -EMSGSIZE;
	for (i = 0; i < __ACTPLANE_HOOK_MAX; i++) {
		hook = nla_nest_start(msg, ACTPLANE_A_HOOK);
		if (!hook ||
		    nla_put_string(msg, ACTPLANE_HOOK_A_NAME, actplane_hook_names[i]) ||
		    nla_put_u64_64bit(msg, ACTPLANE_HOOK_A_HITS, ap_stats_hook_hits(i),
				      ACTPLANE_HOOK_A_PAD))
			return -EMSGSIZE;
		nla_nest_end(msg, hook);
	}
	nla_nest_end(msg, nest);
	if (nla_put_u32(msg, ACTPLANE_A_PROVENANCE, ap_prov_enabled()))
		return -EMSGSIZE;
	ap_session_config_get(&gid, &quota, &rule_quota);
	count = ap_session_count(current_uid(), &rules);
	if (nla_put_u32(msg, ACTPLANE_A_SESSION_GID, gid) ||
	    nla_put_u32(msg, ACTPLANE_A_SESSION_QUOTA, quota) ||
	    nla_put_u32(msg, ACTPLANE_A_SESSION_COUNT, count) ||
	    nla_put_u32(msg, ACTPLANE_A_SESSION_RULE_QUOTA, rule_quota) ||
	    nla_put_u32(msg, ACTPLANE_A_SESSION_RULES, rules) ||
	    nla_put_u64_64bit(msg, ACTPLANE_A_SESSION_MEM_QUOTA, ap_uacct_quota_get(), ACTPLANE_A_PAD) ||
	    nla_put_u64_64bit(msg, ACTPLANE_A_SESSION_MEM, ap_uacct_used(current_uid()),
			      ACTPLANE_A_PAD))
		return -EMSGSIZE;
	return ap_put_memory(msg) ?: ap_put_label_table(msg) ?: ap_put_staging(msg) ?:
	       ap_policy_put_status(msg);
}

/*
 * STATUS is bounded (no per-session or per-rule data): about 2.5 KiB of
 * hooks, 4.4 KiB of label names, counters, memory and the policy's name.
 */
#define AP_STATUS_SIZE	16384

static int ap_reply(struct genl_info *info, u8 cmd, struct sk_buff **msgp, void **hdrp)
{
	*msgp = genlmsg_new(cmd == ACTPLANE_CMD_STATUS ? AP_STATUS_SIZE : NLMSG_GOODSIZE, GFP_KERNEL);
	if (!*msgp)
		return -ENOMEM;
	*hdrp = genlmsg_put_reply(*msgp, info, &ap_family, 0, cmd);
	if (!*hdrp) {
		nlmsg_free(*msgp);
		return -EMSGSIZE;
	}
	return 0;
}

static int ap_cmd_status(struct sk_buff *skb, struct genl_info *info)
{
	struct sk_buff *msg;
	void *hdr;
	int ret;

	ret = ap_reply(info, ACTPLANE_CMD_STATUS, &msg, &hdr);
	if (ret)
		return ret;
	ret = ap_put_status(msg);
	if (ret) {
		nlmsg_free(msg);
		NL_SET_ERR_MSG(info->extack, "status does not fit in one message");
		return ret;
	}
	genlmsg_end(msg, hdr);
	return genlmsg_reply(msg, info);
}

static int ap_cmd_enforcer_test(struct sk_buff *skb, struct genl_info *info)
{
	struct actplane_decision d = {
		.proposed = ACTPLANE_EFFECT_BLOCK,
		.pid = task_tgid_nr(current),
		.flags = ACTPLANE_DECISION_SYNTHETIC,
		.rule_id = U32_MAX,
	};
	struct ap_enforcer_info ei;
	struct sk_buff *msg;
	void *hdr;
	u32 verdict;
	int ret;

	if (info->attrs[ACTPLANE_A_EFFECT])
		d.proposed = nla_get_u32(info->attrs[ACTPLANE_A_EFFECT]);
	d.seq = ap_next_seq();
	verdict = ap_enforcer_decide(&d);

	ret = ap_reply(info, ACTPLANE_CMD_ENFORCER_TEST, &msg, &hdr);
	if (ret)
		return ret;
	ap_enforcer_info(&ei);
	if (nla_put_u32(msg, ACTPLANE_A_VERDICT, verdict) ||
	    nla_put_u32(msg, ACTPLANE_A_EFFECT, d.proposed) ||
	    nla_put_string(msg, ACTPLANE_A_ENFORCER, ei.name) ||
	    nla_put_u32(msg, ACTPLANE_A_ENFORCER_STATE, ei.state)) {
		nlmsg_free(msg);
		return -EMSGSIZE;
	}
	genlmsg_end(msg, hdr);
	return genlmsg_reply(msg, info);
}

/* ---- labels and sessions ------------------------------------------------------ */

/* Bits of the labels named in ACTPLANE_A_LABELS; defines new names if @define. */
/*
 * The label bits a request names.  @define: new names get bits — all of
 * them or, if the request is refused, none (names are never freed).
 */
static int ap_parse_labels(struct genl_info *info, bool define, u64 *mask)
{
	const char *names[ACTPLANE_MAX_LABELS];
	u8 bits[ACTPLANE_MAX_LABELS];
	unsigned int n = 0, i;
	struct nlattr *a;
	int rem, bit, ret;

	*mask = 0;
	if (!info->attrs[ACTPLANE_A_LABELS])
		return 0;
	nla_for_each_nested(a, info->attrs[ACTPLANE_A_LABELS], rem) {
		if (nla_type(a) != ACTPLANE_A_LABEL) {
			NL_SET_ERR_MSG_ATTR(info->extack, a, "only ACTPLANE_A_LABEL inside ACTPLANE_A_LABELS");
			return -EINVAL;
		}
		if (define) {
			if (n == ACTPLANE_MAX_LABELS) {
				NL_SET_ERR_MSG_ATTR(info->extack, a, "more than 64 labels named");
				return -EINVAL;
			}
			names[n++] = nla_data(a);
			continue;
		}
		bit = ap_label_lookup(nla_data(a));
		if (bit < 0) {
			NL_SET_ERR_MSG_ATTR(info->extack, a, "unknown label");
			return bit;
		}
		*mask |= BIT_ULL(bit);
	}
	if (rem) {
		NL_SET_ERR_MSG(info->extack, "ACTPLANE_A_LABELS ends inside an attribute");
		return -EINVAL;
	}
	if (!define || !n)
		return 0;
	ret = ap_labels_define(names, n, bits, info->extack);
	if (ret) {
		NL_SET_BAD_ATTR(info->extack, info->attrs[ACTPLANE_A_LABELS]);
		return ret;
	}
	for (i = 0; i < n; i++)
		*mask |= BIT_ULL(bits[i]);
	return 0;
}

/* The labeled object a request names: a process (PID) or a file (FD). */
struct ap_target {
	struct task_struct *task;
	struct file *file;	/* O_PATH descriptors are fine: only the inode is used */
};

static int ap_get_target(struct genl_info *info, struct ap_target *t)
{
	struct nlattr *pid = info->attrs[ACTPLANE_A_PID], *fd = info->attrs[ACTPLANE_A_FD];

	memset(t, 0, sizeof(*t));
	if (!!pid == !!fd) {
		NL_SET_ERR_MSG(info->extack, "name exactly one target: ACTPLANE_A_PID or ACTPLANE_A_FD");
		return -EINVAL;
	}
	if (pid) {
		t->task = get_pid_task(find_vpid(nla_get_u32(pid)), PIDTYPE_TGID);
		if (!t->task) {
			NL_SET_ERR_MSG_ATTR(info->extack, pid, "no such process");
			return -ESRCH;
		}
		return 0;
	}
	t->file = fget_raw(nla_get_u32(fd));
	if (!t->file) {
		NL_SET_ERR_MSG_ATTR(info->extack, fd, "not an open file descriptor of the caller");
		return -EBADF;
	}
	return 0;
}

static void ap_put_target(struct ap_target *t)
{
	if (t->task)
		put_task_struct(t->task);
	if (t->file)
		fput(t->file);
}

static u64 ap_target_labels(const struct ap_target *t)
{
	return t->task ? ap_task_labels(t->task) : ap_inode_labels(file_inode(t->file));
}

static int ap_cmd_label_add(struct sk_buff *skb, struct genl_info *info)
{
	struct ap_target t;
	u64 mask;
	int ret;

	if (!info->attrs[ACTPLANE_A_LABELS]) {
		NL_SET_ERR_MSG(info->extack, "missing ACTPLANE_A_LABELS");
		return -EINVAL;
	}
	ret = ap_get_target(info, &t);	/* first: a refused request defines no name */
	if (ret)
		return ret;
	ret = ap_parse_labels(info, true, &mask);
	if (ret)
		goto out;
	if (t.task)
		ap_task_seed(t.task, mask);
	else
		ap_inode_absorb(file_inode(t.file), mask, &(const struct ap_from){
			.op = ACTPLANE_PROV_ADMIN, .path = &t.file->f_path });
	if ((ap_target_labels(&t) & mask) != mask) {
		NL_SET_ERR_MSG(info->extack, "label memory limit reached (see 'actplane status')");
		ret = -ENOSPC;
	}
out:
	ap_put_target(&t);
	return ret;
}

static int ap_cmd_label_clear(struct sk_buff *skb, struct genl_info *info)
{
	struct ap_target t;
	u64 mask;
	int ret;

	ret = ap_parse_labels(info, false, &mask);
	if (ret)
		return ret;
	if (!info->attrs[ACTPLANE_A_LABELS])
		mask = ~0ULL;	/* no names: clear all */
	ret = ap_get_target(info, &t);
	if (ret)
		return ret;
	if (t.task)
		ap_task_clear(t.task, mask);
	else
		ap_inode_clear(file_inode(t.file), mask);
	ap_put_target(&t);
	return 0;
}

static int ap_put_labels(struct sk_buff *msg, u64 labels)
{
	struct nlattr *nest = nla_nest_start(msg, ACTPLANE_A_LABELS);
	char name[ACTPLANE_LABEL_NAME_LEN];
	int bit;

	if (!nest)
		return -EMSGSIZE;
	for (bit = 0; bit < ACTPLANE_MAX_LABELS; bit++) {
		if (!(labels & BIT_ULL(bit)))
			continue;
		if (!ap_label_name(bit, name, sizeof(name)))
			snprintf(name, sizeof(name), "#%d", bit);
		if (nla_put_string(msg, ACTPLANE_A_LABEL, name))
			return -EMSGSIZE;
	}
	nla_nest_end(msg, nest);
	return 0;
}

static int ap_cmd_label_get(struct sk_buff *skb, struct genl_info *info)
{
	struct ap_target t;
	struct sk_buff *msg;
	void *hdr;
	u64 labels;
	u32 session = 0;
	int ret;

	ret = ap_get_target(info, &t);
	if (ret)
		return ret;
	labels = ap_target_labels(&t);
	if (t.task)
		session = ap_task_session(t.task);
	ap_put_target(&t);

	ret = ap_reply(info, ACTPLANE_CMD_LABEL_GET, &msg, &hdr);
	if (ret)
		return ret;
	if (ap_put_labels(msg, labels) ||
	    (session && nla_put_u32(msg, ACTPLANE_A_SESSION, session))) {
		nlmsg_free(msg);
		return -EMSGSIZE;
	}
	genlmsg_end(msg, hdr);
	return genlmsg_reply(msg, info);
}

/* Reply to @cmd with one u32 attribute. */
static int ap_reply_u32(struct genl_info *info, u8 cmd, int attr, u32 val)
{
	struct sk_buff *msg;
	void *hdr;
	int ret;

	ret = ap_reply(info, cmd, &msg, &hdr);
	if (ret)
		return ret;
	if (nla_put_u32(msg, attr, val)) {
		nlmsg_free(msg);
		return -EMSGSIZE;
	}
	genlmsg_end(msg, hdr);
	return genlmsg_reply(msg, info);
}

/*
 * SESSION_CREATE from a user without CAP_NET_ADMIN (docs/SECURITY.md,
 * "Sessions without root").
 * The one check that decides: the admin allowed the caller's groups
 * (ap_session_user_allowed()).  The session is rooted at the calling
 * process itself — @task must be current's own process, found by the pid
 * the caller gave — so no other process is named, and no pid can be
 * recycled between the check and the use: the kernel acts on current.
 * It can only restrict: the caller keeps all it carries, gains the
 * policy's session-root labels, and stays nested in the session it was in
 * (sharing its gates).  no_new_privs is required, as for Landlock: the
 * session's restrictions must not reach a set-user-ID program the session
 * could otherwise exec and confuse; with it, no exec in the session gains
 * privileges.
 */
static int ap_session_create_unpriv(struct genl_info *info, struct task_struct *task)
{
	u32 old = ap_task_session(current);
	struct ap_policy *pol = NULL;
	u64 seed = 0, own = 0;
	int id, ret;

	if (!ap_session_user_allowed()) {
		NL_SET_ERR_MSG(info->extack,
			       AP_MSG_NOT_ALLOWED);
		return -EPERM;
	}
	if (task->tgid != current->tgid) {
		NL_SET_ERR_MSG_ATTR(info->extack, info->attrs[ACTPLANE_A_PID],
				    "without CAP_NET_ADMIN, a session is rooted at your own process only");
		return -EPERM;
	}
	if (info->attrs[ACTPLANE_A_LABELS]) {
		NL_SET_ERR_MSG_ATTR(info->extack, info->attrs[ACTPLANE_A_LABELS],
				    "without CAP_NET_ADMIN, a session gets the policy's session-root "
				    "labels only: give no ACTPLANE_A_LABELS");
		return -EPERM;
	}
	if (!task_no_new_privs(current)) {
		NL_SET_ERR_MSG(info->extack,
			       "set no_new_privs first (prctl PR_SET_NO_NEW_PRIVS): a session's "
			       "programs may not gain privileges");
		return -EPERM;
	}
	if (info->attrs[ACTPLANE_A_SESSION_POLICY]) {
		pol = ap_session_policy_take(info);
		if (IS_ERR(pol))
			return PTR_ERR(pol);
		/* its own `exec "**"` labels seed the session too */
		ap_session_policy_labels(pol, &seed, &own);
	}
	id = ap_session_create_user(task_tgid_nr(current), old, pol);
	if (id < 0)
		ap_session_policy_discard(pol);	/* else the session's */
	if (id == -EDQUOT)
		NL_SET_ERR_MSG(info->extack, "you have as many sessions as the quota allows "
				 "(see 'actplane status'; end one first)");
	else if (id == -ENOSPC)
		NL_SET_ERR_MSG(info->extack, "your session policies would have more rules than "
				 "the quota allows (see 'actplane status')");
	else if (id == -EMLINK)
		NL_SET_ERR_MSG(info->extack, "sessions nest at most 8 deep");
	else if (id == -EUSERS)
		NL_SET_ERR_MSG(info->extack, "too many users' sessions hold label memory now "
				 "(at most 1023 users); try again later");
	else if (id == -ESRCH)
		NL_SET_ERR_MSG(info->extack, "your session ended meanwhile");
	if (id < 0)
		return id;
	ap_labels_private_own(own, id);
	ret = ap_task_nest_session(current, ap_policy_session_root_labels() | seed, id, old);
	if (ret == -EBUSY) {
		ap_session_abandon(id);
		NL_SET_ERR_MSG(info->extack, "another thread of your process changed its session meanwhile");
		return ret;
	}
	if (ret) {
		ap_session_abandon(id);
		NL_SET_ERR_MSG(info->extack, "label memory limit reached (see 'actplane status')");
		return -ENOSPC;
	}
	ap_policy_reindex_session(id);
	return ap_reply_u32(info, ACTPLANE_CMD_SESSION_CREATE, ACTPLANE_A_SESSION, id);
}

static int ap_cmd_session_create(struct sk_buff *skb, struct genl_info *info)
{
	struct ap_policy *pol = NULL;
	struct ap_target t;
	u64 mask, seed, own;
	int ret, id;

	if (!info->attrs[ACTPLANE_A_PID]) {
		NL_SET_ERR_MSG(info->extack, "a session is rooted at a process: give ACTPLANE_A_PID");
		return -EINVAL;
	}
	ret = ap_get_target(info, &t);	/* first: a refused request defines no name */
	if (ret)
		return ret;
	if (!ap_nl_is_admin(skb)) {
		ret = ap_session_create_unpriv(info, t.task);
		goto out;
	}
	if (ap_task_session(t.task)) {
		NL_SET_ERR_MSG(info->extack, "the process already belongs to a session");
		ret = -EBUSY;
		goto out;
	}
	ret = ap_parse_labels(info, true, &mask);
	if (ret)
		goto out;
	if (info->attrs[ACTPLANE_A_SESSION_POLICY]) {
		pol = ap_session_policy_take(info);
		if (IS_ERR(pol)) {
			ret = PTR_ERR(pol);
			goto out;
		}
	}
	ap_session_policy_labels(pol, &seed, &own);
	mask |= seed;		/* its own `exec "**"` labels */
	id = ap_session_create(task_tgid_nr(t.task), GFP_KERNEL, pol);
	if (id < 0) {
		ap_session_policy_discard(pol);
		ret = id;
		goto out;
	}
	ap_labels_private_own(own, id);
	/* the root keeps exactly the seed labels, nothing it inherited */
	if (ap_task_root_session(t.task, mask, id) || ap_task_session(t.task) != id) {
		ap_session_abandon(id);
		NL_SET_ERR_MSG(info->extack, "label memory limit reached (see 'actplane status')");
		ret = -ENOSPC;
		goto out;
	}
	ap_policy_reindex_session(id);
	ret = ap_reply_u32(info, ACTPLANE_CMD_SESSION_CREATE, ACTPLANE_A_SESSION, id);
out:
	ap_put_target(&t);
	return ret;
}

/*
 * SESSION_END: SIGKILL the processes of a session and of the sessions nested
 * in it.  A user without CAP_NET_ADMIN may end the sessions it created,
 * and only its own processes in them (a session's processes cannot gain
 * privileges: no_new_privs), nothing Unix would not let it signal.
 */
static int ap_cmd_session_end(struct sk_buff *skb, struct genl_info *info)
{
	struct nlattr *a = info->attrs[ACTPLANE_A_SESSION];
	bool admin = ap_nl_is_admin(skb);
	kuid_t me = current_uid(), owner;
	struct task_struct *p;
	u32 id, n = 0, sid;

	if (!a) {
		NL_SET_ERR_MSG(info->extack, "give the session: ACTPLANE_A_SESSION");
		return -EINVAL;
	}
	id = nla_get_u32(a);
	if (!ap_session_owner(id, &owner) || (!admin && !uid_eq(owner, me))) {
		/* another user's session is not told apart from none */
		NL_SET_ERR_MSG_ATTR(info->extack, a, "no such session of yours");
		return -ESRCH;
	}
	rcu_read_lock();
	for_each_process(p) {
		sid = ap_task_session(p);
		if (!sid || !ap_session_within(sid, id) || (p->flags & PF_EXITING))
			continue;
		if (!admin && !uid_eq(task_uid(p), me))
			continue;
		send_sig(SIGKILL, p, 1);
		n++;
	}
	rcu_read_unlock();
	return ap_reply_u32(info, ACTPLANE_CMD_SESSION_END, ACTPLANE_A_COUNT, n);
}

static int ap_cmd_limits_set(struct sk_buff *skb, struct genl_info *info)
{
	struct nlattr *lim = info->attrs[ACTPLANE_A_LIMIT_BYTES];
	struct nlattr *mode = info->attrs[ACTPLANE_A_FAIL_MODE];
	struct nlattr *prov = info->attrs[ACTPLANE_A_PROVENANCE];
	struct nlattr *gid = info->attrs[ACTPLANE_A_SESSION_GID];
	struct nlattr *quota = info->attrs[ACTPLANE_A_SESSION_QUOTA];
	struct nlattr *rules = info->attrs[ACTPLANE_A_SESSION_RULE_QUOTA];
	struct nlattr *mem = info->attrs[ACTPLANE_A_SESSION_MEM_QUOTA];

	if (!lim && !mode && !prov && !gid && !quota && !rules && !mem) {
		NL_SET_ERR_MSG(info->extack,
			       "give ACTPLANE_A_LIMIT_BYTES, ACTPLANE_A_FAIL_MODE, ACTPLANE_A_PROVENANCE, "
			       "ACTPLANE_A_SESSION_GID, _QUOTA, _RULE_QUOTA and/or _MEM_QUOTA");
		return -EINVAL;
	}
	if (gid && nla_get_u32(gid) < ACTPLANE_SESSION_GID_ANYONE &&
	    !gid_valid(make_kgid(&init_user_ns, nla_get_u32(gid)))) {
		NL_SET_ERR_MSG_ATTR(info->extack, gid, "not a group id");
		return -EINVAL;
	}
	ap_session_config(gid ? nla_get_u32(gid) : 0, gid, quota ? nla_get_u32(quota) : 0, quota,
			  rules ? nla_get_u32(rules) : 0, rules);
	ap_limits_set(lim ? nla_get_u64(lim) : 0, lim, mode ? nla_get_u32(mode) : 0, mode);
	if (prov)
		ap_prov_enable(nla_get_u32(prov));
	if (mem)
		ap_uacct_quota_set(nla_get_u64(mem));
	return 0;
}

/* WHY: a chain is at most ACTPLANE_CHAIN_HOPS hops of a few hundred bytes */
#define AP_WHY_SIZE	16384

static int ap_cmd_why(struct sk_buff *skb, struct genl_info *info)
{
	char name[ACTPLANE_LABEL_NAME_LEN];
	const struct ap_prov *head;
	struct ap_target t;
	struct sk_buff *msg;
	void *hdr;
	u64 mask;
	int ret, bit;

	ret = ap_parse_labels(info, false, &mask);
	if (ret)
		return ret;
	if (hweight64(mask) != 1) {
		NL_SET_ERR_MSG(info->extack, "name exactly one label in ACTPLANE_A_LABELS");
		return -EINVAL;
	}
	bit = __ffs64(mask);
	ret = ap_get_target(info, &t);
	if (ret)
		return ret;
	if (!(ap_target_labels(&t) & mask)) {
		if (t.task)
			NL_SET_ERR_MSG(info->extack, "the process does not carry that label");
		else
			NL_SET_ERR_MSG(info->extack, "the file does not carry that label");
		ret = -ENOENT;
		goto out;
	}
	ret = -ENOMEM;
	msg = genlmsg_new(AP_WHY_SIZE, GFP_KERNEL);
	if (!msg)
		goto out;
	ret = -EMSGSIZE;
	hdr = genlmsg_put_reply(msg, info, &ap_family, 0, ACTPLANE_CMD_WHY);
	if (!hdr || !ap_label_name(bit, name, sizeof(name))) {
		nlmsg_free(msg);
		goto out;
	}
	rcu_read_lock();
	head = t.task ? ap_task_prov(t.task) : ap_inode_prov(file_inode(t.file));
	ret = ap_prov_put_chain(msg, ACTPLANE_A_CHAIN, name, bit, head, NULL);
	rcu_read_unlock();
	if (ret) {
		nlmsg_free(msg);
		goto out;
	}
	genlmsg_end(msg, hdr);
	ret = genlmsg_reply(msg, info);
out:
	ap_put_target(&t);
	return ret;
}

#define AP_NL_ADMIN	0x1	/* genl_split_ops.internal_flags: needs ap_nl_admin() */
#define AP_NL_SESSION	0x2	/* ... admin, or a user allowed to create sessions */

/* The one privilege check of the family (above). */
static int ap_nl_admin(const struct sk_buff *skb, struct netlink_ext_ack *extack)
{
	if (ap_nl_is_admin(skb))
		return 0;
	NL_SET_ERR_MSG(extack,
		       "this command needs CAP_NET_ADMIN or CAP_SYS_ADMIN in the initial user namespace");
	return -EPERM;
}

static int ap_pre_doit(const struct genl_split_ops *ops, struct sk_buff *skb,
		       struct genl_info *info)
{
	if ((ops->internal_flags & AP_NL_SESSION) && !ap_nl_is_admin(skb) &&
	    !ap_session_user_allowed()) {
		NL_SET_ERR_MSG(info->extack,
			       AP_MSG_NOT_ALLOWED);
		return -EPERM;
	}
	return ops->internal_flags & AP_NL_ADMIN ? ap_nl_admin(skb, info->extack) : 0;
}

static int ap_dump_start_admin(struct netlink_callback *cb)
{
	return ap_nl_admin(cb->skb, cb->extack);
}

/* Sorted by command; a command's do entry comes before its dump entry. */
#define AP_DO(c, fn, pol, fl) {						\
	.cmd = ACTPLANE_CMD_##c, .doit = fn, .policy = pol,		\
	.maxattr = ARRAY_SIZE(pol) - 1, .flags = GENL_CMD_CAP_DO,	\
	.internal_flags = (fl), .pre_doit = ap_pre_doit,			\
}
#define AP_DUMP(c, fn, fl) {						\
	.cmd = ACTPLANE_CMD_##c, .dumpit = fn, .policy = ap_none_policy,	\
	.maxattr = ACTPLANE_A_MAX, .flags = GENL_CMD_CAP_DUMP,		\
	.internal_flags = (fl), .start = (fl) ? ap_dump_start_admin : NULL,	\
}
#define AP_ANYONE	0
#define AP_ADMIN	AP_NL_ADMIN
#define AP_SESSION	AP_NL_SESSION

static const struct genl_split_ops ap_ops[] = {
	AP_DO(STATUS,		ap_cmd_status,		ap_none_policy,		AP_ANYONE),
	AP_DO(ENFORCER_TEST,	ap_cmd_enforcer_test,	ap_enforcer_test_policy, AP_ADMIN),
	AP_DO(LABEL_ADD,	ap_cmd_label_add,	ap_label_policy,	AP_ADMIN),
	AP_DO(LABEL_CLEAR,	ap_cmd_label_clear,	ap_label_policy,	AP_ADMIN),
	AP_DO(LABEL_GET,	ap_cmd_label_get,	ap_target_policy,	AP_ADMIN),
	AP_DO(SESSION_CREATE,	ap_cmd_session_create,	ap_session_policy,	AP_ANYONE),
	AP_DO(LIMITS_SET,	ap_cmd_limits_set,	ap_limits_policy,	AP_ADMIN),
	AP_DO(POLICY_BEGIN,	ap_cmd_policy_begin,	ap_policy_begin_policy,	AP_ADMIN),
	AP_DO(POLICY_ADD,	ap_cmd_policy_add,	ap_policy_add_policy,	AP_ADMIN),
	AP_DO(POLICY_COMMIT,	ap_cmd_policy_commit,	ap_none_policy,		AP_ADMIN),
	AP_DO(POLICY_CLEAR,	ap_cmd_policy_clear,	ap_none_policy,		AP_ADMIN),
	AP_DUMP(POLICY_DUMP,	ap_cmd_policy_dump,				AP_ADMIN),
	{ .cmd = ACTPLANE_CMD_SESSION_DUMP, .dumpit = ap_cmd_session_dump,
	  .start = ap_session_dump_start, .policy = ap_none_policy,
	  .maxattr = ACTPLANE_A_MAX, .flags = GENL_CMD_CAP_DUMP },
	AP_DO(WHY,		ap_cmd_why,		ap_label_policy,	AP_ADMIN),
	AP_DO(SESSION_END,	ap_cmd_session_end,	ap_session_end_policy,	AP_ANYONE),
	AP_DO(SESSION_POLICY_BEGIN, ap_cmd_session_policy_begin, ap_policy_begin_policy, AP_SESSION),
	AP_DO(SESSION_POLICY_ADD, ap_cmd_session_policy_add, ap_policy_add_policy, AP_SESSION),
};

static const struct genl_multicast_group ap_mcgrps[] = {
	[AP_MCGRP_ALL] = { .name = ACTPLANE_MCGRP_EVENTS, .flags = GENL_MCAST_CAP_NET_ADMIN },
	/* anyone: each record reaches only its sessions' owners (events.c) */
	[AP_MCGRP_SESSION] = { .name = ACTPLANE_MCGRP_SESSION },
};

struct genl_family ap_family __ro_after_init = {
	.name = ACTPLANE_GENL_NAME,
	.version = ACTPLANE_GENL_VERSION,
	.netnsok = false,
	.parallel_ops = true,
	.module = THIS_MODULE,
	.split_ops = ap_ops,
	.n_split_ops = ARRAY_SIZE(ap_ops),
	.mcgrps = ap_mcgrps,
	.n_mcgrps = ARRAY_SIZE(ap_mcgrps),
};

int ap_netlink_init(void)
{
	return genl_register_family(&ap_family);
}

void ap_netlink_exit(void)
{
	genl_unregister_family(&ap_family);
}
