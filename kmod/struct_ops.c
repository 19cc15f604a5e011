// SPDX-License-Identifier: GPL-2.0-only
/*
 * The enforcement backend: struct_ops type "actplane_ops".
 *
 * A BPF program set implementing struct actplane_ops is consulted on every
 * rule match and returns the effect to apply.  At most one is attached.
 * Lifecycle (same shape as sched_ext): reg() calls ops->init() and publishes
 * the ops under RCU; unreg() unpublishes, waits for a grace period so no CPU
 * is still inside an op, then calls ops->exit().  update() swaps two enforcers
 * without a window where none is consulted.
 *
 * Fail-safe: if the enforcer answers something that is not an effect, the
 * module applies the policy's proposed effect instead, marks the enforcer
 * FAILED with the reason (STATUS shows it) and stops consulting it until it
 * is replaced or detached.  With no enforcer the proposed effect applies.
 */
#include <linux/bpf.h>
#include <linux/ctype.h>
#include <linux/btf.h>
#include <linux/btf_ids.h>
#include <linux/bpf_verifier.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/rcupdate.h>
#include <linux/spinlock.h>
#include <linux/string.h>
#include "actplane.h"

static struct actplane_ops __rcu *ap_active;
static DEFINE_MUTEX(ap_reg_mutex);	/* serialises reg/unreg/update */

/* Status shown by STATUS; written under ap_info_lock. */
static DEFINE_SPINLOCK(ap_info_lock);
static char ap_info_name[ACTPLANE_ENFORCER_NAME_LEN];
static char ap_info_reason[128] = "no enforcer attached";
static u32 ap_state = ACTPLANE_ENFORCER_NONE;

static void ap_set_state(u32 state, const char *name, const char *reason)
{
	unsigned long flags;

	spin_lock_irqsave(&ap_info_lock, flags);
	WRITE_ONCE(ap_state, state);
	if (name)
		strscpy(ap_info_name, name, sizeof(ap_info_name));
	strscpy(ap_info_reason, reason, sizeof(ap_info_reason));
	spin_unlock_irqrestore(&ap_info_lock, flags);
}

void ap_enforcer_info(struct ap_enforcer_info *info)
{
	unsigned long flags;

	spin_lock_irqsave(&ap_info_lock, flags);
	info->state = ap_state;
	strscpy(info->name, ap_state == ACTPLANE_ENFORCER_NONE ? "" : ap_info_name,
		sizeof(info->name));
	strscpy(info->reason, ap_info_reason, sizeof(info->reason));
	spin_unlock_irqrestore(&ap_info_lock, flags);
}

/**
 * ap_enforcer_decide() - the effect to apply for a matched rule
 * @d: the decision request; d->proposed is what the policy asks for
 *
 * Callable from any context the BPF hooks run in (RCU read side inside).
 * Return: an enum actplane_effect, always valid.
 */
u32 ap_enforcer_decide(const struct actplane_decision *d)
{
	struct actplane_ops *ops;
	u32 verdict = d->proposed;

	rcu_read_lock();
	ops = rcu_dereference(ap_active);
	if (ops && READ_ONCE(ap_state) == ACTPLANE_ENFORCER_ACTIVE && ops->decide) {
		u32 r = ops->decide(d);

		ap_stats_inc(ACTPLANE_CTR_DECISIONS);
		if (r < __ACTPLANE_EFFECT_MAX) {
			verdict = r;
		} else {
			char why[128];

			snprintf(why, sizeof(why),
				 "decide() returned %u, not an effect; applying the policy's effects", r);
			ap_stats_inc(ACTPLANE_CTR_ENFORCER_ERRORS);
			ap_set_state(ACTPLANE_ENFORCER_FAILED, NULL, why);
			pr_warn_ratelimited("actplane: enforcer %s failed: %s\n", ops->name, why);
		}
	} else {
		ap_stats_inc(ACTPLANE_CTR_FALLBACKS);
	}
	if (ops && READ_ONCE(ap_state) == ACTPLANE_ENFORCER_ACTIVE && ops->violation)
		ops->violation(d, verdict);
	rcu_read_unlock();
	return verdict;
}

/* ---- struct_ops plumbing ------------------------------------------------ */

static int ap_ops_init(struct btf *btf)
{
	return 0;
}

static int ap_ops_check_member(const struct btf_type *t, const struct btf_member *member,
			       const struct bpf_prog *prog)
{
	/* Every op may be sleepable-free BPF; nothing to restrict yet. */
	if (prog->sleepable)
		return -EINVAL;
	return 0;
}

static int ap_ops_init_member(const struct btf_type *t, const struct btf_member *member,
			      void *kdata, const void *udata)
{
	const struct actplane_ops *uops = udata;
	struct actplane_ops *ops = kdata;
	u32 moff = __btf_member_bit_offset(t, member) / 8;
	size_t i;

	if (moff != offsetof(struct actplane_ops, name))
		return 0;
	/* A printable, NUL-terminated, non-empty name. */
	if (!memchr(uops->name, '\0', sizeof(uops->name)) || !uops->name[0])
		return -EINVAL;
	for (i = 0; uops->name[i]; i++)
		if (!isalnum(uops->name[i]) && uops->name[i] != '_' && uops->name[i] != '-')
			return -EINVAL;
	strscpy(ops->name, uops->name, sizeof(ops->name));
	return 1;
}

static int ap_ops_validate(void *kdata)
{
	const struct actplane_ops *ops = kdata;

	return ops->name[0] ? 0 : -EINVAL;
}

/*
 * Start @ops (its init() may refuse) and make it the active enforcer, with
 * @state as the status text.  Under ap_reg_mutex.
 */
static int ap_ops_start(struct actplane_ops *ops, const char *state)
{
	s32 ret = ops->init ? ops->init() : 0;

	if (ret) {
		pr_info("actplane: enforcer %s refused to start: init() returned %d\n",
			ops->name, ret);
		return ret < 0 ? ret : -EINVAL;
	}
	ap_set_state(ACTPLANE_ENFORCER_ACTIVE, ops->name, state);
	ap_stats_inc(ACTPLANE_CTR_ENFORCER_ATTACHES);
	rcu_assign_pointer(ap_active, ops);
	return 0;
}

static int ap_ops_reg(void *kdata, struct bpf_link *link)
{
	struct actplane_ops *ops = kdata;
	int ret;

	mutex_lock(&ap_reg_mutex);
	if (rcu_access_pointer(ap_active)) {
		ret = -EBUSY;
		goto out;
	}
	ret = ap_ops_start(ops, "attached");
	if (ret)
		goto out;
	pr_info("actplane: enforcer %s attached\n", ops->name);
out:
	mutex_unlock(&ap_reg_mutex);
	return ret;
}

static void ap_ops_unreg(void *kdata, struct bpf_link *link)
{
	struct actplane_ops *ops = kdata;

	mutex_lock(&ap_reg_mutex);
	if (rcu_access_pointer(ap_active) != ops) {
		mutex_unlock(&ap_reg_mutex);
		return;
	}
	RCU_INIT_POINTER(ap_active, NULL);
	ap_set_state(ACTPLANE_ENFORCER_NONE, "", "enforcer detached; applying the policy's effects");
	synchronize_rcu();	/* no CPU is inside ops->decide() any more */
	if (ops->exit)
		ops->exit();
	pr_info("actplane: enforcer %s detached\n", ops->name);
	mutex_unlock(&ap_reg_mutex);
}

static int ap_ops_update(void *kdata, void *old_kdata, struct bpf_link *link)
{
	struct actplane_ops *ops = kdata, *old = old_kdata;
	int ret;

	mutex_lock(&ap_reg_mutex);
	if (rcu_access_pointer(ap_active) != old) {
		ret = -ENOENT;
		goto out;
	}
	ret = ap_ops_start(ops, "attached (replaced)");
	if (ret)
		goto out;
	synchronize_rcu();
	if (old->exit)
		old->exit();
	pr_info("actplane: enforcer %s replaced %s\n", ops->name, old->name);
out:
	mutex_unlock(&ap_reg_mutex);
	return ret;
}

/* CFI stubs: the kernel calls BPF ops through these types. */
static u32 ap_stub_decide(const struct actplane_decision *d)
{
	return 0;
}

static void ap_stub_violation(const struct actplane_decision *d, u32 applied)
{
}

static s32 ap_stub_init(void)
{
	return 0;
}

static void ap_stub_exit(void)
{
}

static struct actplane_ops ap_ops_cfi_stubs = {
	.decide = ap_stub_decide,
	.violation = ap_stub_violation,
	.init = ap_stub_init,
	.exit = ap_stub_exit,
};

static const struct bpf_verifier_ops ap_ops_verifier_ops = {
	.get_func_proto = bpf_base_func_proto,
	.is_valid_access = bpf_tracing_btf_ctx_access,
};

static struct bpf_struct_ops ap_bpf_ops = {
	.verifier_ops = &ap_ops_verifier_ops,
	.init = ap_ops_init,
	.check_member = ap_ops_check_member,
	.init_member = ap_ops_init_member,
	.validate = ap_ops_validate,
	.reg = ap_ops_reg,
	.unreg = ap_ops_unreg,
	.update = ap_ops_update,
	.cfi_stubs = &ap_ops_cfi_stubs,
	.owner = THIS_MODULE,
	.name = "actplane_ops",
};

int ap_enforcer_init(void)
{
	return register_bpf_struct_ops(&ap_bpf_ops, actplane_ops);
}

void ap_enforcer_exit(void)
{
	/*
	 * Nothing to undo: a registered struct_ops map or link holds a
	 * reference on this module, so exit only runs when none is attached.
	 */
	WARN_ON_ONCE(rcu_access_pointer(ap_active));
}
