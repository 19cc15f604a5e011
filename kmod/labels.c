// SPDX-License-Identifier: GPL-2.0-only
/*
 * Label names and label memory accounting.
 *
 * Labels are bits of a u64; the module keeps the name of each bit, so label
 * state is independent of any policy file (the policy engine maps its names
 * onto these bits).  Names are written under ap_names_lock (netlink, slow
 * path) and read under RCU.
 *
 * Accounting: every stored entry is charged to one byte budget.  When a
 * flow needs a new entry and the budget (or the allocator) says no, the
 * configured fail mode decides: fail-closed denies the operation, fail-open
 * lets it pass untracked.  Both are counted and reported in STATUS.  The
 * same fail mode decides what happens to an event the evaluator could not
 * evaluate completely (ap_incomplete()).
 */
#include <linux/atomic.h>
#include <linux/ctype.h>
#include <net/netlink.h>
#include <linux/mutex.h>
#include <linux/rcupdate.h>
#include <linux/slab.h>
#include <linux/string.h>
#include "actplane.h"

struct ap_label_names {
	struct rcu_head rcu;
	char name[ACTPLANE_MAX_LABELS][ACTPLANE_LABEL_NAME_LEN];
};

static struct ap_label_names __rcu *ap_names;
static DEFINE_MUTEX(ap_names_lock);

/* Memory accounting */
static atomic_long_t ap_mem_bytes = ATOMIC_LONG_INIT(0);
atomic_long_t ap_mem_count[__AP_OBJ_MAX];	/* read inline: ap_mem_count_of() */
static unsigned long ap_mem_limit = AP_DEFAULT_LIMIT_BYTES;
static u32 ap_fail_mode = ACTPLANE_FAIL_OPEN;

/* A label name: 1..63 chars of [A-Za-z0-9_.:-], not starting with a digit. */
static bool ap_label_name_valid(const char *s)
{
	size_t i, n = strnlen(s, ACTPLANE_LABEL_NAME_LEN);

	if (!n || n >= ACTPLANE_LABEL_NAME_LEN || isdigit(s[0]))
		return false;
	for (i = 0; i < n; i++)
		if (!isalnum(s[i]) && s[i] != '_' && s[i] != '-' && s[i] != '.' && s[i] != ':')
			return false;
	return true;
}

int ap_label_lookup(const char *name)
{
	struct ap_label_names *n;
	int i, bit = -ENOENT;

	rcu_read_lock();
	n = rcu_dereference(ap_names);
	for (i = 0; n && i < ACTPLANE_MAX_LABELS; i++) {
		if (n->name[i][0] && !strcmp(n->name[i], name)) {
			bit = i;
			break;
		}
	}
	rcu_read_unlock();
	return bit;
}

/**
 * ap_label_define() - the bit of label @name, allocating one if new
 * @name:   label name
 * @extack: where to explain a failure
 *
 * Return: the bit (0..63), -EINVAL for a bad name, -ENOSPC when all 64
 * labels are in use.
 */
int ap_label_define(const char *name, struct netlink_ext_ack *extack)
{
	u8 bit;
	int ret = ap_labels_define(&name, 1, &bit, extack);

	return ret ?: bit;
}

/**
 * ap_labels_define() - the bits of @n label names, allocating new ones
 * @names: the label names
 * @n: their number
 * @bits: out: one bit per name
 * @extack: where a refusal is explained
 *
 * All or nothing: a bad name or too few free bits defines none of them, so
 * a refused request cannot use up the 64 names (which are never freed).
 * Return: 0, -EINVAL, -ENOSPC or -ENOMEM.
 */
int ap_labels_define(const char *const *names, unsigned int n, u8 *bits,
		     struct netlink_ext_ack *extack)
{
	struct ap_label_names *old, *new = NULL;
	unsigned int i, j, next = 0;
	int ret = 0;

	for (i = 0; i < n; i++) {
		if (!ap_label_name_valid(names[i])) {
			NL_SET_ERR_MSG(extack, "invalid label name (1-63 chars of A-Z a-z 0-9 _ - . :, not starting with a digit)");
			return -EINVAL;
		}
	}
	mutex_lock(&ap_names_lock);
	old = rcu_dereference_protected(ap_names, lockdep_is_held(&ap_names_lock));
	for (i = 0; i < n; i++) {
		const struct ap_label_names *cur = new ? new : old;
		int bit = -1;

		for (j = 0; cur && j < ACTPLANE_MAX_LABELS; j++) {
			if (cur->name[j][0] && !strcmp(cur->name[j], names[i])) {
				bit = j;
				break;
			}
		}
		if (bit < 0) {
			if (!new) {
				new = kmalloc(sizeof(*new), GFP_KERNEL);
				if (!new) {
					ret = -ENOMEM;
					goto out;
				}
				if (old)
					memcpy(new, old, sizeof(*new));
				else
					memset(new, 0, sizeof(*new));
			}
			while (next < ACTPLANE_MAX_LABELS && new->name[next][0])
				next++;
			if (next == ACTPLANE_MAX_LABELS) {
				NL_SET_ERR_MSG(extack, "all 64 labels are in use");
				ret = -ENOSPC;
				goto out;
			}
			strscpy(new->name[next], names[i], ACTPLANE_LABEL_NAME_LEN);
			bit = next;
		}
		bits[i] = bit;
	}
	if (new) {
		rcu_assign_pointer(ap_names, new);
		if (old)
			kfree_rcu(old, rcu);
		new = NULL;
	}
out:
	mutex_unlock(&ap_names_lock);
	kfree(new);
	return ret;
}

/* Copy the name of @bit into @buf; returns false if the bit has no name. */
bool ap_label_name(unsigned int bit, char *buf, size_t len)
{
	struct ap_label_names *n;
	bool ok = false;

	if (bit >= ACTPLANE_MAX_LABELS)
		return false;
	rcu_read_lock();
	n = rcu_dereference(ap_names);
	if (n && n->name[bit][0]) {
		strscpy(buf, n->name[bit], len);
		ok = true;
	}
	rcu_read_unlock();
	return ok;
}

void ap_labels_exit(void)
{
	kfree(rcu_dereference_protected(ap_names, 1));
}

/* ---- accounting ---------------------------------------------------------- */

/**
 * ap_charge() - reserve @bytes of label memory for one entry of type @t
 * @t: the table the entry goes into
 * @bytes: its size
 *
 * Return: true if within the limit.  Lock-free; may race a concurrent
 * charge by at most one entry per CPU, never past the limit.
 */
bool ap_charge(enum ap_obj_type t, size_t bytes)
{
	if (atomic_long_add_return(bytes, &ap_mem_bytes) > READ_ONCE(ap_mem_limit)) {
		atomic_long_sub(bytes, &ap_mem_bytes);
		return false;
	}
	atomic_long_inc(&ap_mem_count[t]);
	return true;
}

void ap_uncharge(enum ap_obj_type t, size_t bytes)
{
	atomic_long_sub(bytes, &ap_mem_bytes);
	atomic_long_dec(&ap_mem_count[t]);
}

/*
 * A flow could not be recorded (no budget or no memory).  Return the verdict
 * for the operation: -ENOMEM (deny) in fail-closed mode, 0 in fail-open.
 */
int ap_untrackable(void)
{
	if (READ_ONCE(ap_fail_mode) == ACTPLANE_FAIL_CLOSED) {
		ap_stats_inc(ACTPLANE_CTR_UNTRACKED_DENIED);
		return -ENOMEM;
	}
	ap_stats_inc(ACTPLANE_CTR_UNTRACKED_ALLOWED);
	return 0;
}

/**
 * ap_incomplete() - verdict for an event that could not be evaluated completely
 *
 * The one place every "could not evaluate completely" goes: a path or argv
 * buffer could not be allocated, the exec arguments could not be read, a
 * path did not fit.  A rule that would have matched may have been missed,
 * so the answer is the configured fail mode, never a silent "no match".
 * Counted in ACTPLANE_CTR_INCOMPLETE in both modes.
 *
 * Return: -EPERM (deny) in fail-closed mode, 0 (allow) in fail-open mode.
 */
int ap_incomplete(void)
{
	ap_stats_inc(ACTPLANE_CTR_INCOMPLETE);
	return READ_ONCE(ap_fail_mode) == ACTPLANE_FAIL_CLOSED ? -EPERM : 0;
}

unsigned long ap_mem_used(void)
{
	return atomic_long_read(&ap_mem_bytes);
}

unsigned long ap_mem_limit_get(void)
{
	return READ_ONCE(ap_mem_limit);
}

u32 ap_fail_mode_get(void)
{
	return READ_ONCE(ap_fail_mode);
}

void ap_limits_set(unsigned long limit, bool set_limit, u32 mode, bool set_mode)
{
	if (set_limit)
		WRITE_ONCE(ap_mem_limit, limit);
	if (set_mode)
		WRITE_ONCE(ap_fail_mode, mode);
}
