// SPDX-License-Identifier: GPL-2.0-only
/*
 * Provenance records (prov.h): allocation, the per-object lists, release,
 * and a chain as netlink attributes.
 *
 * A record is written once, when it is made, and then only read.  It holds
 * a reference on @next (the older records of the same object) and on
 * @from (the source's list as it was when the labels flowed: lists only
 * grow at the head, so the records reachable from there are exactly the
 * ones the source had then).  An object holds a reference on its head.
 * Nothing points from an older record to a newer one, so the records form
 * a DAG and a walk always ends.
 *
 * Lifetime: objects drop their head after an RCU grace period (their own
 * free callbacks), records are freed with kfree_rcu(): a walk inside an RCU
 * read-side section that found an object's head may follow any pointer.
 *
 * Memory: records are charged to their own account, limited to a quarter
 * of the label memory limit, and never to the labels' account, so a label
 * store never fails because of provenance.  When the limit is reached, an
 * arrival is not recorded (counted); a chain that needs it ends with
 * ACTPLANE_CHAIN_UNRECORDED.
 */
#include <linux/sched.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/timekeeping.h>
#include <net/genetlink.h>
#include "actplane.h"
#include "prov.h"

#define AP_PROV_NAME_MAX	192	/* bytes of a name kept (a path keeps its end) */
#define AP_PROV_WALK_MAX	1024	/* hops a chain walk counts before it gives up */

struct ap_prov {
	refcount_t ref;
	u8 op;			/* enum actplane_prov_op */
	u8 obj;			/* enum actplane_prov_obj: what took the labels */
	u16 size;		/* bytes charged */
	u32 pid;		/* the process that made it happen (tgid) */
	u64 gen;		/* ap_prov_gen when it was made (no padding: 8 + 8 bytes) */
	struct ap_prov *next;	/* older records of the same object */
	struct ap_prov *from;	/* the source's records then (NULL: an origin, or none) */
	u64 labels;		/* the labels that arrived */
	u64 time;		/* CLOCK_REALTIME ns */
	char comm[TASK_COMM_LEN];
	struct ap_prov *gc;	/* ap_prov_put(): records to release (walkers never read it) */
	struct rcu_head rcu;
	char text[];		/* name, NUL, rule (OP_SOURCE), NUL */
};

static bool ap_prov_on = true;

/*
 * A private label's bit is given out again after its session ended
 * (labels.c): records of the old label, left on objects that still carry
 * other labels, must not explain the new one.  Each give-back bumps
 * ap_prov_gen and notes it for its bits; a record of a bit made before
 * that is not a record of it.
 */
static atomic64_t ap_prov_gen = ATOMIC64_INIT(0);
static u64 ap_prov_bit_gen[ACTPLANE_MAX_LABELS];

void ap_prov_forget(u64 mask)
{
	u64 g = atomic64_inc_return(&ap_prov_gen);
	u32 bit;

	for (bit = 0; bit < ACTPLANE_MAX_LABELS; bit++)
		if (mask & BIT_ULL(bit))
			WRITE_ONCE(ap_prov_bit_gen[bit], g);
}

/* Does record @n record label @bit (a mask of one bit) as it is now? */
static bool ap_prov_of(const struct ap_prov *n, u64 bit)
{
	return (n->labels & bit) && n->gen >= READ_ONCE(ap_prov_bit_gen[__ffs64(bit)]);
}
static atomic_long_t ap_prov_bytes = ATOMIC_LONG_INIT(0);
static atomic_long_t ap_prov_count = ATOMIC_LONG_INIT(0);

bool ap_prov_enabled(void)
{
	return READ_ONCE(ap_prov_on);
}

void ap_prov_enable(bool on)
{
	WRITE_ONCE(ap_prov_on, on);
}

static unsigned long ap_prov_limit(void)
{
	return ap_mem_limit_get() / 4;
}

void ap_prov_stats(u64 *records, u64 *bytes, u64 *limit)
{
	*records = atomic_long_read(&ap_prov_count);
	*bytes = atomic_long_read(&ap_prov_bytes);
	*limit = ap_prov_limit();
}

/* Copy at most AP_PROV_NAME_MAX - 1 bytes of @s: a long path keeps its end. */
static size_t ap_prov_clip(const char **s)
{
	size_t len = strlen(*s);

	if (len >= AP_PROV_NAME_MAX) {
		*s += len - (AP_PROV_NAME_MAX - 1);
		len = AP_PROV_NAME_MAX - 1;
	}
	return len;
}

/**
 * ap_prov_new() - a record of @labels arriving at an object
 * @labels: the labels that arrived (not 0)
 * @op:     how (enum actplane_prov_op)
 * @obj:    what took them (enum actplane_prov_obj)
 * @name:   its name, or NULL
 * @rule:   OP_SOURCE: the source's text, or NULL
 * @from:   the source's records, a reference the record takes over (may be NULL)
 *
 * The acting process and the time are current's and now.  Any context.
 * Return: the record (one reference, the caller's), or NULL (recording off,
 * limit reached, no memory: counted), @from then dropped.
 */
struct ap_prov *ap_prov_new(u64 labels, u8 op, u8 obj, const char *name, const char *rule,
			    struct ap_prov *from)
{
	size_t nlen = 0, rlen = 0, size;
	struct ap_prov *n;

	if (!ap_prov_enabled())
		goto none;
	if (name)
		nlen = ap_prov_clip(&name);
	if (rule)
		rlen = ap_prov_clip(&rule);
	size = sizeof(*n) + nlen + 1 + rlen + 1;
	if (atomic_long_add_return(size, &ap_prov_bytes) > ap_prov_limit())
		goto uncharge;
	n = kmalloc(size, GFP_NOWAIT | __GFP_NOWARN);
	if (!n)
		goto uncharge;
	refcount_set(&n->ref, 1);
	n->op = op;
	n->obj = obj;
	n->size = size;
	n->pid = task_tgid_nr(current);
	n->gen = atomic64_read(&ap_prov_gen);
	n->next = NULL;
	n->from = from;
	n->labels = labels;
	n->time = ktime_get_real_ns();
	memcpy(n->comm, current->comm, sizeof(n->comm));
	n->comm[sizeof(n->comm) - 1] = '\0';
	if (nlen)
		memcpy(n->text, name, nlen);
	n->text[nlen] = '\0';
	if (rlen)
		memcpy(n->text + nlen + 1, rule, rlen);
	n->text[nlen + 1 + rlen] = '\0';
	atomic_long_inc(&ap_prov_count);
	return n;
uncharge:
	atomic_long_sub(size, &ap_prov_bytes);
	ap_stats_inc(ACTPLANE_CTR_PROV_DROPPED);
none:
	ap_prov_put(from);
	return NULL;
}

/*
 * Make @n the newest record of the object whose head is *@head.  The
 * object's reference on its old head passes to @n->next; @n's own
 * reference becomes the object's.  Lock-free: records are only ever added.
 */
void ap_prov_push(struct ap_prov **head, struct ap_prov *n)
{
	struct ap_prov *old = READ_ONCE(*head);

	do {
		n->next = old;
	} while (!try_cmpxchg(head, &old, n));
}

struct ap_prov *ap_prov_get(struct ap_prov *n)
{
	if (n)
		refcount_inc(&n->ref);
	return n;
}

/* One reference less; a record that reaches zero joins *@dead. */
static void ap_prov_dec(struct ap_prov *n, struct ap_prov **dead)
{
	if (n && refcount_dec_and_test(&n->ref)) {
		n->gc = *dead;
		*dead = n;
	}
}

/*
 * Drop a reference.  A record freed drops its own two in turn: iteratively
 * (chains can be long), through the records' private @gc link, which no
 * walker reads.  Any context.
 */
void ap_prov_put(struct ap_prov *n)
{
	struct ap_prov *dead = NULL;

	ap_prov_dec(n, &dead);
	while (dead) {
		n = dead;
		dead = n->gc;
		ap_prov_dec(n->next, &dead);
		ap_prov_dec(n->from, &dead);
		atomic_long_sub(n->size, &ap_prov_bytes);
		atomic_long_dec(&ap_prov_count);
		kfree_rcu(n, rcu);
	}
}

/* The newest record in the list at @head that covers @bit, or NULL.  RCU. */
static const struct ap_prov *ap_prov_find(const struct ap_prov *head, u64 bit)
{
	for (; head; head = READ_ONCE(head->next))
		if (ap_prov_of(head, bit))
			return head;
	return NULL;
}

static int ap_prov_put_hop(struct sk_buff *msg, const struct ap_prov *n)
{
	const char *rule = n->text + strlen(n->text) + 1;
	struct nlattr *hop = nla_nest_start(msg, ACTPLANE_CH_HOP);

	if (!hop)
		return -EMSGSIZE;
	if (nla_put_u32(msg, ACTPLANE_HOP_OBJ, n->obj) ||
	    nla_put_string(msg, ACTPLANE_HOP_NAME, n->text) ||
	    nla_put_u32(msg, ACTPLANE_HOP_OP, n->op) ||
	    nla_put_u32(msg, ACTPLANE_HOP_PID, n->pid) ||
	    nla_put_string(msg, ACTPLANE_HOP_COMM, n->comm) ||
	    nla_put_u64_64bit(msg, ACTPLANE_HOP_TIME, n->time, ACTPLANE_HOP_PAD) ||
	    (*rule && nla_put_string(msg, ACTPLANE_HOP_RULE, rule))) {
		nla_nest_cancel(msg, hop);
		return -EMSGSIZE;
	}
	nla_nest_end(msg, hop);
	return 0;
}

static bool ap_prov_origin(const struct ap_prov *n)
{
	return n->op == ACTPLANE_PROV_SOURCE || n->op == ACTPLANE_PROV_ADMIN;
}

/**
 * ap_prov_put_chain() - the chain of label @bit, as a nest of type @type
 * @msg:   the message
 * @type:  the nest's attribute type
 * @label: the label's name
 * @bit:   the label's bit (a mask with one bit set)
 * @head:  the records of the object the chain starts at
 * @alt:   where to start if @head has no record of @bit (the object an
 *         operation takes the label from right now), or NULL
 *
 * At most ACTPLANE_CHAIN_HOPS hops, and as many as fit in @msg; the rest
 * are counted.  Caller holds rcu_read_lock().  Return: 0 or -EMSGSIZE (the
 * nest did not fit at all).
 */
int ap_prov_put_chain(struct sk_buff *msg, int type, const char *label, u32 bit,
		      const struct ap_prov *head, const struct ap_prov *alt)
{
	u64 mask = BIT_ULL(bit);
	const struct ap_prov *n = ap_prov_find(head, mask) ?: ap_prov_find(alt, mask);
	u32 hops = 0, more = 0, end = ACTPLANE_CHAIN_UNRECORDED;
	struct nlattr *nest = nla_nest_start(msg, type);
	bool full = false;

	if (!nest || nla_put_string(msg, ACTPLANE_CH_LABEL, label))
		goto nospace;
	while (n) {
		if (hops < ACTPLANE_CHAIN_HOPS && !full && !ap_prov_put_hop(msg, n))
			hops++;
		else
			more++, full = true;
		if (hops + more >= AP_PROV_WALK_MAX) {
			end = ACTPLANE_CHAIN_TOO_LONG;
			break;
		}
		if (ap_prov_origin(n)) {
			end = ACTPLANE_CHAIN_ORIGIN;
			break;
		}
		n = ap_prov_find(READ_ONCE(n->from), mask);
	}
	if ((more && nla_put_u32(msg, ACTPLANE_CH_MORE, more)) ||
	    nla_put_u32(msg, ACTPLANE_CH_END, end))
		goto nospace;
	nla_nest_end(msg, nest);
	return 0;
nospace:
	if (nest)
		nla_nest_cancel(msg, nest);
	return -EMSGSIZE;
}
