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

/*
 * A bit with a name is in use.  A private bit (a session policy's own
 * label, ap_labels_private()) has an owner: the session's id, or
 * AP_LABEL_UNOWNED until it is known, and the user it counts against.
 * Names look private bits up never: the machine's `secret` and a session's
 * are different labels.
 */
#define AP_LABEL_UNOWNED	U32_MAX
struct ap_label_names {
	struct rcu_head rcu;
	char name[ACTPLANE_MAX_LABELS][ACTPLANE_LABEL_NAME_LEN];
	u32 owner[ACTPLANE_MAX_LABELS];		/* 0: the machine's */
	kuid_t uid[ACTPLANE_MAX_LABELS];	/* a private bit's user */
};

static struct ap_label_names __rcu *ap_names;
static DEFINE_MUTEX(ap_names_lock);

/* Memory accounting */
static atomic_long_t ap_mem_bytes = ATOMIC_LONG_INIT(0);
atomic_long_t ap_mem_count[__AP_OBJ_MAX];	/* read inline: ap_mem_count_of() */
atomic_long_t ap_io_count;			/* the entries of AP_IO_OBJS */
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

/* Are all @n @names valid label names?  If not, @extack says why. */
static bool ap_label_names_valid(const char *const *names, unsigned int n,
				 struct netlink_ext_ack *extack)
{
	unsigned int i;

	for (i = 0; i < n; i++) {
		if (!ap_label_name_valid(names[i])) {
			NL_SET_ERR_MSG(extack, "invalid label name (1-63 chars of A-Z a-z 0-9 _ - . :, not starting with a digit)");
			return false;
		}
	}
	return true;
}

int ap_label_lookup(const char *name)
{
	struct ap_label_names *n;
	int i, bit = -ENOENT;

	rcu_read_lock();
	n = rcu_dereference(ap_names);
	for (i = 0; n && i < ACTPLANE_MAX_LABELS; i++) {
		if (n->name[i][0] && !n->owner[i] && !strcmp(n->name[i], name)) {
			bit = i;
			break;
		}
	}
	rcu_read_unlock();
	return bit;
}

/* A private copy of the names @old (NULL: none yet) to change; NULL if no memory. */
static struct ap_label_names *ap_names_copy(const struct ap_label_names *old, gfp_t gfp)
{
	struct ap_label_names *new = kmalloc(sizeof(*new), gfp);

	if (!new)
		return NULL;
	if (old)
		memcpy(new, old, sizeof(*new));
	else
		memset(new, 0, sizeof(*new));
	return new;
}

/* Under ap_names_lock: @new replaces @old. */
static void ap_names_publish(struct ap_label_names *old, struct ap_label_names *new)
{
	rcu_assign_pointer(ap_names, new);
	if (old)
		kfree_rcu(old, rcu);
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

	if (!ap_label_names_valid(names, n, extack))
		return -EINVAL;
	mutex_lock(&ap_names_lock);
	old = rcu_dereference_protected(ap_names, lockdep_is_held(&ap_names_lock));
	for (i = 0; i < n; i++) {
		const struct ap_label_names *cur = new ? new : old;
		int bit = -1;

		for (j = 0; cur && j < ACTPLANE_MAX_LABELS; j++) {
			if (cur->name[j][0] && !cur->owner[j] && !strcmp(cur->name[j], names[i])) {
				bit = j;
				break;
			}
		}
		if (bit < 0) {
			if (!new) {
				new = ap_names_copy(old, GFP_KERNEL);
				if (!new) {
					ret = -ENOMEM;
					goto out;
				}
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
		ap_names_publish(old, new);
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
		if (!n->owner[bit])
			strscpy(buf, n->name[bit], len);
		else if (n->owner[bit] == AP_LABEL_UNOWNED)
			snprintf(buf, len, "%s@new", n->name[bit]);
		else
			snprintf(buf, len, "%s@%u", n->name[bit], n->owner[bit]);
		ok = true;
	}
	rcu_read_unlock();
	return ok;
}

/* ---- private labels ------------------------------------------------------ */

/*
 * Bits being taken back from a session that ended (ap_labels_release()):
 * no flow adds them any more (store.c masks them at every write of label
 * state), so the sweep that clears them everywhere is final.
 */
atomic64_t ap_labels_retiring = ATOMIC64_INIT(0);

/*
 * Releases so far, and per bit the count its last release made.  Trust an
 * exec stages while it may sleep (ap_on_exec_commit()) is written at the
 * commit, after the retiring mask may have come and gone: what was given
 * back since the exec's evaluation is dropped from it (ap_labels_gone_since()).
 */
static atomic64_t ap_labels_released = ATOMIC64_INIT(0);
static u64 ap_label_released_at[64];
static DEFINE_MUTEX(ap_release_lock);

u64 ap_labels_release_seq(void)
{
	return atomic64_read(&ap_labels_released);
}

/**
 * ap_labels_gone_since() - bits no write may store for a reader of @seq
 * @seq: ap_labels_release_seq() when the labels to be written were read
 *
 * The bits retiring now and those released since.  The retiring mask is
 * read first: a release clears it only after it published its count.
 */
u64 ap_labels_gone_since(u64 seq)
{
	u64 gone = atomic64_read(&ap_labels_retiring);
	unsigned int b;

	smp_rmb();	/* pairs with the smp_wmb()s in ap_labels_release() */
	if (likely(atomic64_read(&ap_labels_released) == seq))
		return gone;
	smp_rmb();
	for (b = 0; b < 64; b++)
		if (READ_ONCE(ap_label_released_at[b]) > seq)
			gone |= BIT_ULL(b);
	return gone;
}

/**
 * ap_labels_private() - fresh bits for a session policy's own labels
 * @names: the label names its sources introduce
 * @n: their number (at most ACTPLANE_SESSION_PRIVATE_MAX)
 * @bits: out: one bit per name, none shared with any other label
 * @uid: the user they count against (ACTPLANE_USER_PRIVATE_MAX at once)
 * @extack: where a refusal is explained
 *
 * All or nothing.  Private bits are ACTPLANE_PRIVATE_LABELS_MAX at most on
 * the machine, so the machine's policy always has names left.  They are
 * given back by ap_labels_release() (a session's, after its end) or
 * ap_labels_unreserve() (never used).
 * Return: 0, -EINVAL, -ENOSPC, -EDQUOT or -ENOMEM.
 */
int ap_labels_private(const char *const *names, unsigned int n, u8 *bits, kuid_t uid,
		      struct netlink_ext_ack *extack)
{
	struct ap_label_names *old, *new;
	unsigned int i, bit, priv = 0, mine = 0;
	int ret = 0;

	if (n > ACTPLANE_SESSION_PRIVATE_MAX) {
		NL_SET_ERR_MSG_FMT(extack, "a session policy has at most %u labels of its own",
				   ACTPLANE_SESSION_PRIVATE_MAX);
		return -EINVAL;
	}
	if (!ap_label_names_valid(names, n, extack))
		return -EINVAL;
	if (!n)
		return 0;
	mutex_lock(&ap_names_lock);
	old = rcu_dereference_protected(ap_names, lockdep_is_held(&ap_names_lock));
	for (bit = 0; old && bit < ACTPLANE_MAX_LABELS; bit++) {
		if (!old->owner[bit])
			continue;
		priv++;
		mine += uid_eq(old->uid[bit], uid);
	}
	if (priv + n > ACTPLANE_PRIVATE_LABELS_MAX) {
		NL_SET_ERR_MSG_FMT(extack, "sessions hold %u private labels, at most %u at once: "
				   "try again later", priv, ACTPLANE_PRIVATE_LABELS_MAX);
		ret = -ENOSPC;
		goto out;
	}
	if (mine + n > ACTPLANE_USER_PRIVATE_MAX) {
		NL_SET_ERR_MSG_FMT(extack, "your sessions hold %u private labels, at most %u at once: "
				   "end one first", mine, ACTPLANE_USER_PRIVATE_MAX);
		ret = -EDQUOT;
		goto out;
	}
	new = ap_names_copy(old, GFP_KERNEL);
	if (!new) {
		ret = -ENOMEM;
		goto out;
	}
	for (i = 0, bit = 0; i < n; i++, bit++) {
		while (bit < ACTPLANE_MAX_LABELS && new->name[bit][0])
			bit++;
		if (bit == ACTPLANE_MAX_LABELS) {
			NL_SET_ERR_MSG(extack, "all 64 labels are in use");
			kfree(new);
			ret = -ENOSPC;
			goto out;
		}
		strscpy(new->name[bit], names[i], ACTPLANE_LABEL_NAME_LEN);
		new->owner[bit] = AP_LABEL_UNOWNED;
		new->uid[bit] = uid;
		bits[i] = bit;
	}
	ap_names_publish(old, new);
out:
	mutex_unlock(&ap_names_lock);
	return ret;
}

/*
 * Under ap_names_lock: the names without the private bits @mask.  Must
 * not fail (a copy changed in place could show a reader a machine name
 * on a bit still being given back), and may: process context.
 */
static void ap_labels_drop(u64 mask)
{
	struct ap_label_names *old, *new;
	u32 bit;

	old = rcu_dereference_protected(ap_names, lockdep_is_held(&ap_names_lock));
	if (!old)
		return;
	new = ap_names_copy(old, GFP_KERNEL | __GFP_NOFAIL);
	for (bit = 0; bit < ACTPLANE_MAX_LABELS; bit++) {
		if (!(mask & BIT_ULL(bit)) || !new->owner[bit])
			continue;
		memset(new->name[bit], 0, sizeof(new->name[bit]));
		new->owner[bit] = 0;
		new->uid[bit] = GLOBAL_ROOT_UID;
	}
	ap_names_publish(old, new);
}

/* Private bits @mask belong to session @id now: named NAME@ID. */
void ap_labels_private_own(u64 mask, u32 id)
{
	struct ap_label_names *old, *new;
	u32 bit;

	if (!mask)
		return;
	mutex_lock(&ap_names_lock);
	old = rcu_dereference_protected(ap_names, lockdep_is_held(&ap_names_lock));
	new = ap_names_copy(old, GFP_KERNEL);
	if (new) {	/* else it stays NAME@new: cosmetic */
		for (bit = 0; bit < ACTPLANE_MAX_LABELS; bit++)
			if ((mask & BIT_ULL(bit)) && new->owner[bit] == AP_LABEL_UNOWNED)
				new->owner[bit] = id;
		ap_names_publish(old, new);
	}
	mutex_unlock(&ap_names_lock);
}

/* Private bits @mask that never reached any state go back at once. */
void ap_labels_unreserve(u64 mask)
{
	if (!mask)
		return;
	mutex_lock(&ap_names_lock);
	ap_labels_drop(mask);
	mutex_unlock(&ap_names_lock);
}

/**
 * ap_labels_release() - take a session policy's private bits back
 * @mask: the bits; the policy that had them is gone (no evaluation uses it)
 *
 * Process context, sleeps.  First no flow may add them any more (they
 * are retiring: every write of label state masks them), and a grace
 * period later no flow that read the old mask is still writing; then the
 * sweep clears them from every process, file, endpoint and channel
 * (ap_store_forget()).  Nothing carries them after that, so they stop
 * retiring before their names go and the bits can be given out again.
 */
void ap_labels_release(u64 mask)
{
	u64 n;
	unsigned int b;

	if (!mask)
		return;
	atomic64_or(mask, &ap_labels_retiring);
	/*
	 * Writes mask inside the section that holds their entry, so after a
	 * grace period none is in flight that could still store them.  The
	 * sleepable exec hook reads its labels inside the evaluation's
	 * section; the trust it stages for the commit is checked against the
	 * release count there (ap_labels_gone_since()).
	 */
	synchronize_rcu();
	ap_store_forget(mask);
	ap_prov_forget(mask);	/* records left of them explain nothing new */
	mutex_lock(&ap_release_lock);
	n = atomic64_read(&ap_labels_released) + 1;
	for (b = 0; b < 64; b++)
		if (mask & BIT_ULL(b))
			WRITE_ONCE(ap_label_released_at[b], n);
	smp_wmb();	/* the bits' counts before the count */
	atomic64_set(&ap_labels_released, n);
	mutex_unlock(&ap_release_lock);
	smp_wmb();	/* the count before the mask clears */
	atomic64_andnot(mask, &ap_labels_retiring);
	mutex_lock(&ap_names_lock);
	ap_labels_drop(mask);
	mutex_unlock(&ap_names_lock);
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
	if (AP_IO_OBJS & BIT(t))
		atomic_long_inc(&ap_io_count);
	return true;
}

void ap_uncharge(enum ap_obj_type t, size_t bytes)
{
	atomic_long_sub(bytes, &ap_mem_bytes);
	atomic_long_dec(&ap_mem_count[t]);
	if (AP_IO_OBJS & BIT(t))
		atomic_long_dec(&ap_io_count);
}

/*
 * Per-user accounts: the label memory a user's unprivileged sessions made.
 * A labeled file, endpoint or channel entry is charged to the account of
 * the session whose process created it (ap_session_acct()), besides the
 * machine's budget, and uncharged from it when it goes: one user's agent
 * filling the module's memory would push every other session into the
 * fail mode.  Slot 0 is "no account" (root's sessions, processes outside
 * any session, interrupt context).  A slot is held by each live session
 * charged to it (ap_uacct_get/_put) and by the bytes charged to it;
 * it is given up when both are gone.  Charges come only from processes of
 * a live session, so a slot is never given up under a charge.  A user's
 * slot outlives its sessions while entries they made are alive, so there
 * are enough slots for many more users than sessions run at once.
 */
struct ap_uacct {
	kuid_t uid;
	u32 sessions;		/* sessions holding it (under ap_uacct_lock) */
	bool used;
	atomic_long_t bytes;
};

static struct ap_uacct ap_uaccts[AP_UACCT_MAX];
static DEFINE_SPINLOCK(ap_uacct_lock);
static unsigned long ap_uacct_quota = ACTPLANE_SESSION_MEM_QUOTA_DEFAULT;

/* Under ap_uacct_lock: give @a up if nothing holds it any more. */
static void ap_uacct_release(struct ap_uacct *a)
{
	if (!a->sessions && !atomic_long_read(&a->bytes))
		a->used = false;
}

/**
 * ap_uacct_get() - @uid's account, held by one more session
 * @uid: the user
 *
 * Return: its slot (1..AP_UACCT_MAX-1), or 0 when every slot is held by
 * another user.  Scans the slots: only when a session is created.
 */
u16 ap_uacct_get(kuid_t uid)
{
	unsigned long flags;
	u32 i, free = 0;

	spin_lock_irqsave(&ap_uacct_lock, flags);
	for (i = 1; i < AP_UACCT_MAX; i++) {
		if (ap_uaccts[i].used && uid_eq(ap_uaccts[i].uid, uid))
			break;
		if (!ap_uaccts[i].used && !free)
			free = i;
	}
	if (i == AP_UACCT_MAX) {
		i = free;
		if (i) {
			ap_uaccts[i].used = true;
			ap_uaccts[i].uid = uid;
		}
	}
	if (i)
		ap_uaccts[i].sessions++;
	spin_unlock_irqrestore(&ap_uacct_lock, flags);
	return i;
}

void ap_uacct_put(u16 i)
{
	unsigned long flags;

	if (!i)
		return;
	spin_lock_irqsave(&ap_uacct_lock, flags);
	if (!WARN_ON_ONCE(!ap_uaccts[i].sessions))
		ap_uaccts[i].sessions--;
	ap_uacct_release(&ap_uaccts[i]);
	spin_unlock_irqrestore(&ap_uacct_lock, flags);
}

/* ap_charge() for an entry account @acct's session makes: within its quota too. */
bool ap_charge_to(enum ap_obj_type t, size_t bytes, u16 acct)
{
	struct ap_uacct *a = &ap_uaccts[acct];

	if (acct && atomic_long_add_return(bytes, &a->bytes) > READ_ONCE(ap_uacct_quota)) {
		atomic_long_sub(bytes, &a->bytes);	/* a session holds it: not given up */
		return false;
	}
	if (!ap_charge(t, bytes)) {
		if (acct)
			atomic_long_sub(bytes, &a->bytes);
		return false;
	}
	return true;
}

void ap_uncharge_from(enum ap_obj_type t, size_t bytes, u16 acct)
{
	struct ap_uacct *a = &ap_uaccts[acct];
	unsigned long flags;

	ap_uncharge(t, bytes);
	if (acct && !atomic_long_sub_return(bytes, &a->bytes)) {
		spin_lock_irqsave(&ap_uacct_lock, flags);
		ap_uacct_release(a);
		spin_unlock_irqrestore(&ap_uacct_lock, flags);
	}
}

/* The label memory charged to @uid's account now (0 if it has none). */
unsigned long ap_uacct_used(kuid_t uid)
{
	unsigned long flags, n = 0;
	u32 i;

	spin_lock_irqsave(&ap_uacct_lock, flags);
	for (i = 1; i < AP_UACCT_MAX; i++)
		if (ap_uaccts[i].used && uid_eq(ap_uaccts[i].uid, uid))
			n = atomic_long_read(&ap_uaccts[i].bytes);
	spin_unlock_irqrestore(&ap_uacct_lock, flags);
	return n;
}

unsigned long ap_uacct_quota_get(void)
{
	return READ_ONCE(ap_uacct_quota);
}

void ap_uacct_quota_set(unsigned long bytes)
{
	WRITE_ONCE(ap_uacct_quota, bytes);
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
