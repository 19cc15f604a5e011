// SPDX-License-Identifier: GPL-2.0-only
/*
 * Generic netlink family "actplane": configuration and status commands and
 * the "events" multicast group.  Every attribute has a policy; input is
 * validated strictly (unknown attributes, wrong types and lengths are
 * rejected by the core with an extended-ACK message before a handler runs);
 * handlers add their own ext-ACK text for semantic errors.
 *
 * Privileges: commands marked AP_NL_ADMIN need CAP_NET_ADMIN or CAP_SYS_ADMIN
 * in the initial user namespace (netlink_capable() checks the opener of the
 * socket as well as the sender).  The family is not netns-aware, so it only
 * exists in the initial network namespace.
 */
#include <linux/atomic.h>
#include <linux/capability.h>
#include <linux/module.h>
#include <net/genetlink.h>
#include <net/netlink.h>
#include "actplane.h"

#define AP_NL_ADMIN	BIT(0)	/* internal_flags: privileged command */

static atomic64_t ap_seq = ATOMIC64_INIT(0);

u64 ap_next_seq(void)
{
	return atomic64_inc_return(&ap_seq);
}

static const struct nla_policy ap_policy[ACTPLANE_A_MAX + 1] = {
	[ACTPLANE_A_PAD]		= { .type = NLA_REJECT, .reject_message = "padding attribute" },
	/* attributes the module only sends */
	[ACTPLANE_A_VERSION]		= { .type = NLA_REJECT, .reject_message = "output-only attribute" },
	[ACTPLANE_A_ABI]		= { .type = NLA_REJECT, .reject_message = "output-only attribute" },
	[ACTPLANE_A_ENFORCER]		= { .type = NLA_REJECT, .reject_message = "output-only attribute" },
	[ACTPLANE_A_ENFORCER_STATE]	= { .type = NLA_REJECT, .reject_message = "output-only attribute" },
	[ACTPLANE_A_ENFORCER_REASON]	= { .type = NLA_REJECT, .reject_message = "output-only attribute" },
	[ACTPLANE_A_COUNTERS]		= { .type = NLA_REJECT, .reject_message = "output-only attribute" },
	[ACTPLANE_A_HOOKS]		= { .type = NLA_REJECT, .reject_message = "output-only attribute" },
	[ACTPLANE_A_HOOK]		= { .type = NLA_REJECT, .reject_message = "output-only attribute" },
	[ACTPLANE_A_VERDICT]		= { .type = NLA_REJECT, .reject_message = "output-only attribute" },
	[ACTPLANE_A_SEQ]		= { .type = NLA_REJECT, .reject_message = "output-only attribute" },
	/* input */
	[ACTPLANE_A_EFFECT]		= NLA_POLICY_MAX(NLA_U32, ACTPLANE_EFFECT_KILL),
};

static struct genl_family ap_family;

static int ap_put_status(struct sk_buff *msg)
{
	struct ap_enforcer_info info;
	struct nlattr *nest, *hook;
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
	return 0;
}

static int ap_reply(struct genl_info *info, u8 cmd, struct sk_buff **msgp, void **hdrp)
{
	*msgp = genlmsg_new(NLMSG_GOODSIZE, GFP_KERNEL);
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

static int ap_pre_doit(const struct genl_split_ops *ops, struct sk_buff *skb,
		       struct genl_info *info)
{
	if ((ops->internal_flags & AP_NL_ADMIN) &&
	    !netlink_capable(skb, CAP_NET_ADMIN) && !netlink_capable(skb, CAP_SYS_ADMIN)) {
		NL_SET_ERR_MSG(info->extack,
			       "this command needs CAP_NET_ADMIN or CAP_SYS_ADMIN in the initial user namespace");
		return -EPERM;
	}
	return 0;
}

static const struct genl_small_ops ap_ops[] = {
	{
		.cmd = ACTPLANE_CMD_STATUS,
		.doit = ap_cmd_status,
	},
	{
		.cmd = ACTPLANE_CMD_ENFORCER_TEST,
		.doit = ap_cmd_enforcer_test,
		.internal_flags = AP_NL_ADMIN,
	},
};

static const struct genl_multicast_group ap_mcgrps[] = {
	{ .name = ACTPLANE_MCGRP_EVENTS, .flags = GENL_MCAST_CAP_NET_ADMIN },
};

static struct genl_family ap_family __ro_after_init = {
	.name = ACTPLANE_GENL_NAME,
	.version = ACTPLANE_GENL_VERSION,
	.maxattr = ACTPLANE_A_MAX,
	.policy = ap_policy,
	.netnsok = false,
	.parallel_ops = true,
	.pre_doit = ap_pre_doit,
	.module = THIS_MODULE,
	.small_ops = ap_ops,
	.n_small_ops = ARRAY_SIZE(ap_ops),
	.resv_start_op = ACTPLANE_CMD_ENFORCER_TEST + 1,
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
