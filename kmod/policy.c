// SPDX-License-Identifier: GPL-2.0-only
/*
 * Policy load over netlink: staging, validation, indexing, atomic swap.
 *
 * A policy arrives as POLICY_BEGIN, any number of POLICY_ADD messages (each
 * a list of elements, appended in order) and POLICY_COMMIT.  Elements are
 * validated as they arrive (every reference must name an earlier element);
 * COMMIT maps label names onto module label bits, builds the per-operation
 * indexes and publishes the new policy with one rcu_assign_pointer(): an
 * event sees the old policy or the new one, never none.  Any error leaves
 * the policy in force untouched and the staging area is dropped.
 *
 * Each netlink socket stages its own policy, so two tools loading at once
 * do not disturb each other (the last COMMIT wins).  A staging area is
 * found by the socket's port id; it is freed when that socket closes
 * (NETLINK_URELEASE notifier), on a new BEGIN on the same socket, on COMMIT,
 * or after a failed ADD/COMMIT.  Staged memory is bounded per socket
 * (AP_POL_MAX_BYTES) and for all sockets together (AP_POL_MAX_STAGED).
 *
 * Why not the genetlink core's per-socket private data (sock_priv_size and
 * friends on struct genl_family)?  6.12 has the fields but does not export
 * genl_sk_priv_get(), so a module cannot reach its own data.  The notifier
 * runs just after the port id is unbound; a port id re-bound by another
 * socket in between would lose a staging area it began in that window,
 * which only makes that load fail (never another policy apply).
 */
#include <linux/mutex.h>
#include <linux/nospec.h>
#include <linux/netlink.h>
#include <linux/notifier.h>
#include <linux/workqueue.h>
#include <linux/xarray.h>
#include <net/net_namespace.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <net/genetlink.h>
#include <net/netlink.h>
#include "policy.h"

struct ap_policy __rcu *ap_active_policy;	/* read by ap_policy_loaded() */
static DEFINE_MUTEX(ap_policy_mutex);	/* staging and swapping */
static u64 ap_generation;

/*
 * A session's merged index is not built past this much policy (the
 * machine's and its chain's, as staged): the session then queries each
 * policy's own index, as it does while its merged index is stale.
 */
#define AP_MERGED_MAX_BYTES	(16U << 20)
/* ... nor past this much for all sessions together (the module's memory, no user's) */
#define AP_MERGED_MAX_TOTAL	(64UL << 20)
static atomic_long_t ap_merged_bytes;

struct ap_stage {
	u32 portid;		/* the socket staging (key in ap_stages) */
	u32 n_elems;		/* elements added so far (for error messages) */
	size_t bytes;
	char name[256];
	u8 digest[ACTPLANE_POLICY_DIGEST_LEN];
	bool has_digest;
	bool session;		/* a session policy (SESSION_POLICY_BEGIN) */
	kuid_t uid;		/* a session policy: the user it is charged to */
	u32 n_labels;
	char *labels[ACTPLANE_MAX_LABELS];
	struct ap_policy *pol;		/* arrays grow here */
	u32 cap_pats, cap_eps, cap_sources, cap_transforms, cap_gates, cap_invals,
	    cap_lineages, cap_rules, cap_clauses;
};

/* all under ap_policy_mutex */
static DEFINE_XARRAY(ap_stages);	/* port id -> struct ap_stage */
static u32 ap_n_stages;
static size_t ap_staged_bytes;		/* sum of the machine policies' stages' bytes */
static size_t ap_staged_session_bytes;	/* ... of the session policies' stages */
static DEFINE_XARRAY(ap_staged_users);	/* uid -> xa_mk_value(its session stages' bytes) */

/*
 * A user's session stages, all its sockets together: within
 * AP_SPOL_MAX_USER, so one user cannot take the whole session budget
 * (AP_SPOL_MAX_STAGED) from the others by staging on many sockets.
 */
static size_t ap_user_staged(kuid_t uid)
{
	void *v = xa_load(&ap_staged_users, __kuid_val(uid));

	return v ? xa_to_value(v) : 0;
}

/*
 * Add @delta (may be negative) to @uid's bytes.  Only the first charge of
 * a user allocates (and may fail): later ones replace the entry, which
 * stays while the user has a stage.
 */
static int ap_user_charge(kuid_t uid, ssize_t delta)
{
	size_t now = ap_user_staged(uid) + delta;

	if (!now) {
		xa_erase(&ap_staged_users, __kuid_val(uid));
		return 0;
	}
	return xa_err(xa_store(&ap_staged_users, __kuid_val(uid), xa_mk_value(now),
			       GFP_KERNEL));
}

/* Would @uid's session stages outgrow AP_SPOL_MAX_USER by @more bytes?  Says so. */
static bool ap_user_over(kuid_t uid, size_t more, struct netlink_ext_ack *extack)
{
	if (ap_user_staged(uid) + more <= AP_SPOL_MAX_USER)
		return false;
	NL_SET_ERR_MSG_FMT(extack,
			   "your session policies being staged hold more than %u MiB together",
			   AP_SPOL_MAX_USER >> 20);
	return true;
}

/*
 * Where a stage's memory is charged: a session policy (anyone permitted may
 * stage one) has its own, smaller budget, so users staging them can never
 * keep root from loading the machine's policy.
 */
static size_t *ap_stage_budget(const struct ap_stage *st, size_t *max, size_t *total_max)
{
	if (st->session) {
		*max = AP_SPOL_MAX_BYTES;
		*total_max = AP_SPOL_MAX_STAGED;
		return &ap_staged_session_bytes;
	}
	*max = AP_POL_MAX_BYTES;
	*total_max = AP_POL_MAX_STAGED;
	return &ap_staged_bytes;
}

u64 ap_policy_generation(void)
{
	return READ_ONCE(ap_generation);
}

/*
 * A policy's elements need a few small pieces each (a rule's name and
 * reason; a pattern's literal, glob source and compiled glob...): about
 * 5000 for 1000 rules.  They come from chunks of AP_CHUNK_BYTES the policy
 * owns, freed with it, not from one allocation each.
 */
struct ap_chunk {
	struct ap_chunk *next;
	size_t used, size;
	u64 data[];		/* 8-byte aligned pieces */
};

#define AP_CHUNK_BYTES	(16 * 1024 - sizeof(struct ap_chunk))

static void *ap_pol_alloc(struct ap_policy *pol, size_t n)
{
	struct ap_chunk *c = pol->chunks;
	size_t size;
	void *p;

	n = ALIGN(n ?: 1, 8);
	if (c && c->size - c->used >= n) {
		p = (char *)c->data + c->used;
		c->used += n;
		return p;
	}
	size = max_t(size_t, n, AP_CHUNK_BYTES);
	c = kvmalloc(struct_size(c, data, size / 8), GFP_KERNEL);
	if (!c)
		return NULL;
	c->size = size;
	c->used = n;
	if (size > AP_CHUNK_BYTES && pol->chunks) {
		/* a piece larger than a chunk gets its own, behind the current one */
		c->next = pol->chunks->next;
		pol->chunks->next = c;
	} else {
		c->next = pol->chunks;
		pol->chunks = c;
	}
	return c->data;
}

static char *ap_pol_strdup(struct ap_policy *pol, const char *s)
{
	size_t n = strlen(s) + 1;
	char *p = ap_pol_alloc(pol, n);

	return p ? memcpy(p, s, n) : NULL;
}

static void ap_chunks_free(struct ap_chunk *c)
{
	while (c) {
		struct ap_chunk *next = c->next;

		kvfree(c);
		c = next;
	}
}

static void ap_policy_free(struct ap_policy *pol)
{
	u32 i;

	if (!pol)
		return;
	for (i = 0; i < __ACTPLANE_OP_MAX; i++) {
		ap_pathidx_free(&pol->path[i]);
		ap_epidx_free(&pol->ep[i]);
	}
	ap_anc_all_free(pol);
	ap_chunks_free(pol->chunks);
	kvfree(pol->pats);
	kvfree(pol->eps);
	kvfree(pol->sources);
	kvfree(pol->transforms);
	kvfree(pol->gates);
	kvfree(pol->invals);
	kvfree(pol->lineages);
	kvfree(pol->rules);
	kvfree(pol->clauses);
	kvfree(pol->rule_first);
	kvfree(pol->rule_clauses);
	if (pol->merged)
		atomic_long_sub(pol->bytes, &ap_merged_bytes);
	kfree(pol);
}

/*
 * Frees of replaced policies: after a grace period (no event still looks at
 * them), in process context (kvfree), without making the swap wait for it.
 */
static struct workqueue_struct *ap_policy_wq;

static void ap_policy_free_work(struct work_struct *w)
{
	struct ap_policy *pol = container_of(to_rcu_work(w), struct ap_policy, free_work);
	u64 private_bits = pol->private_bits;

	ap_policy_free(pol);
	/* a session policy's own labels: no evaluation uses it any more */
	ap_labels_release(private_bits);
}

void ap_policy_retire(struct ap_policy *pol)
{
	if (!pol)
		return;
	INIT_RCU_WORK(&pol->free_work, ap_policy_free_work);
	queue_rcu_work(ap_policy_wq, &pol->free_work);
}

static void ap_stage_free(struct ap_stage *st)
{
	size_t max, total_max;
	u32 i;

	if (!st)
		return;
	lockdep_assert_held(&ap_policy_mutex);
	xa_erase(&ap_stages, st->portid);
	ap_n_stages--;
	*ap_stage_budget(st, &max, &total_max) -= st->bytes;
	if (st->session)
		WARN_ON_ONCE(ap_user_charge(st->uid, -(ssize_t)st->bytes));	/* never allocates */
	for (i = 0; i < st->n_labels; i++)
		kfree(st->labels[i]);
	ap_policy_free(st->pol);
	kfree(st);
}

/* Grow *arr (n used, *cap allocated) to hold one more element of size sz. */
static int ap_grow(void **arr, u32 n, u32 *cap, size_t sz)
{
	void *p;
	u32 ncap;

	if (n < *cap)
		return 0;
	if (n >= AP_POL_MAX_ELEMS)
		return -E2BIG;
	ncap = *cap ? *cap * 2 : 16;
	p = kvrealloc(*arr, (size_t)ncap * sz, GFP_KERNEL | __GFP_ZERO);
	if (!p)
		return -ENOMEM;
	*arr = p;
	*cap = ncap;
	return 0;
}

/*
 * A staged policy's element arrays grow through AP_GROW(), which charges
 * what each growth allocates to the stage (st->bytes): every element kind
 * is counted against the stage's bounds and its user's quota by the same
 * rule, whatever else it stores.
 */
#define AP_GROW(field, cap) \
	ap_stage_grow(c, (void **)&c->st->pol->field, n_of_##field(c->st->pol), &c->st->cap, \
		      sizeof(*c->st->pol->field))

static u32 n_of_pats(struct ap_policy *p) { return p->n_pats; }
static u32 n_of_eps(struct ap_policy *p) { return p->n_eps; }
static u32 n_of_sources(struct ap_policy *p) { return p->n_sources; }
static u32 n_of_transforms(struct ap_policy *p) { return p->n_transforms; }
static u32 n_of_gates(struct ap_policy *p) { return p->n_gates; }
static u32 n_of_invals(struct ap_policy *p) { return p->n_invals; }
static u32 n_of_lineages(struct ap_policy *p) { return p->n_lineages; }
static u32 n_of_rules(struct ap_policy *p) { return p->n_rules; }
static u32 n_of_clauses(struct ap_policy *p) { return p->n_clauses; }

/* ---- element parsing ------------------------------------------------------------ */

/*
 * An element's attributes are checked and split in one pass over them
 * (ap_attrs_parse()), against the tables below: what the generic
 * nla_parse_nested() with an nla_policy would check, in strict mode, at a
 * fraction of its cost (it was half of a 1000-rule load's time in the
 * module: docs/architecture.md, Reload).  The checks are the same, one for
 * one, with the same errno: an attribute type the table does not list
 * (-EINVAL), NLA_F_NESTED missing on a list or set on anything else
 * (-EINVAL), a u32 that is not 4 bytes (-EINVAL) or outside its range
 * (-ERANGE), a flag with a payload (-ERANGE), a string with no NUL within
 * its longest length + 1 (-EINVAL) or longer than its longest (-ERANGE),
 * binary data over its longest (-ERANGE), a list of 1..3 bytes (-ERANGE)
 * or whose entries fail their table, and bytes left over after the last
 * attribute (-EINVAL).  A session policy, which any user may stage, comes
 * through here, so nothing else may be looser: nl_malformed's element cases
 * hold each check.
 */
enum ap_attr_kind { AP_AT_NONE, AP_AT_U32, AP_AT_FLAG, AP_AT_STR, AP_AT_BIN, AP_AT_LIST };

struct ap_attr_spec {
	u8 kind;			/* enum ap_attr_kind; AP_AT_NONE: not accepted */
	u16 len;			/* STR: longest string (without its NUL); BIN: longest */
	u32 min, max;			/* U32: accepted values */
	const struct ap_attr_spec *list;	/* LIST: the table of its entries */
};

#define AP_AT_U32_RANGE(lo, hi)	{ .kind = AP_AT_U32, .min = (lo), .max = (hi) }
#define AP_AT_U32_ANY		AP_AT_U32_RANGE(0, U32_MAX)
#define AP_AT_STRING(n)		{ .kind = AP_AT_STR, .len = (n) }

static const struct ap_attr_spec ap_cond_spec[ACTPLANE_E_MAX + 1] = {
	[ACTPLANE_E_COND_KIND]	= AP_AT_U32_RANGE(0, ACTPLANE_COND_AFTER),
	[ACTPLANE_E_NEGATE]	= { .kind = AP_AT_FLAG },
	[ACTPLANE_E_TARGET_KIND] = AP_AT_U32_RANGE(0, ACTPLANE_TARGET_ENDPOINT),
	[ACTPLANE_E_TARGET]	= AP_AT_U32_ANY,
	[ACTPLANE_E_ARG_ID]	= AP_AT_U32_ANY,
};

/* ARGV holds ARG strings, UNLESS holds CONDs; each consumer refuses the other kind */
static const struct ap_attr_spec ap_list_spec[ACTPLANE_E_MAX + 1] = {
	[ACTPLANE_E_ARG]	= AP_AT_STRING(4095),
	[ACTPLANE_E_COND]	= { .kind = AP_AT_LIST, .list = ap_cond_spec },
};

static const struct ap_attr_spec ap_elem_spec[ACTPLANE_E_MAX + 1] = {
	[ACTPLANE_E_KIND]	= AP_AT_U32_RANGE(ACTPLANE_ELEM_LABEL, __ACTPLANE_ELEM_MAX - 1),
	[ACTPLANE_E_NAME]	= AP_AT_STRING(127),
	[ACTPLANE_E_CLASS]	= AP_AT_U32_RANGE(0, __ACTPLANE_MATCH_MAX - 1),
	[ACTPLANE_E_LITERAL]	= AP_AT_STRING(4095),
	[ACTPLANE_E_GLOB]	= AP_AT_STRING(4095),
	[ACTPLANE_E_FAMILY]	= AP_AT_U32_ANY,
	[ACTPLANE_E_ADDR]	= { .kind = AP_AT_BIN, .len = 16 },
	[ACTPLANE_E_PREFIX]	= AP_AT_U32_RANGE(0, 128),
	[ACTPLANE_E_PORT]	= AP_AT_U32_RANGE(0, 65535),
	[ACTPLANE_E_TARGET_KIND] = AP_AT_U32_RANGE(0, ACTPLANE_TARGET_ENDPOINT),
	[ACTPLANE_E_TARGET]	= AP_AT_U32_ANY,
	[ACTPLANE_E_LABEL]	= AP_AT_U32_ANY,
	[ACTPLANE_E_TRANSFORM]	= AP_AT_U32_RANGE(0, ACTPLANE_TRANSFORM_ENDORSE),
	[ACTPLANE_E_OP]		= AP_AT_U32_RANGE(0, __ACTPLANE_OP_MAX - 1),
	[ACTPLANE_E_ARGV]	= { .kind = AP_AT_LIST, .list = ap_list_spec },
	[ACTPLANE_E_GATE]	= AP_AT_U32_ANY,
	[ACTPLANE_E_RULE]	= AP_AT_U32_ANY,
	[ACTPLANE_E_EFFECT]	= AP_AT_U32_RANGE(ACTPLANE_EFFECT_NOTIFY, ACTPLANE_EFFECT_KILL),
	[ACTPLANE_E_EXPR]	= { .kind = AP_AT_BIN, .len = 2 * AP_POL_MAX_EXPR },
	[ACTPLANE_E_UNLESS]	= { .kind = AP_AT_LIST, .list = ap_list_spec },
	[ACTPLANE_E_BECAUSE]	= AP_AT_STRING(4095),
	[ACTPLANE_E_SESSION_ROOT] = { .kind = AP_AT_FLAG },
	[ACTPLANE_E_EXIT_STATUS] = AP_AT_U32_RANGE(0, 255),
};

struct ap_elem_ctx {
	struct ap_stage *st;	/* the policy being staged */
	struct nlattr **tb;
	struct nlattr *elem;
	struct netlink_ext_ack *extack;
	u32 index;		/* position among all elements of this message */
};

/* ext-ACK text (at most 79 chars) naming the element, and the bad attribute */
#define AP_ELEM_ERR(c, fmt, ...) ({						\
	NL_SET_ERR_MSG_FMT((c)->extack, "element %u: " fmt, (c)->index, ##__VA_ARGS__); \
	NL_SET_BAD_ATTR((c)->extack, (c)->elem);				\
	-EINVAL; })

/* ext-ACK text naming the element and its attribute @a, which is marked bad */
#define AP_ATTR_ERR(c, a, err, fmt, ...) ({					\
	NL_SET_ERR_MSG_FMT((c)->extack, "element %u: attribute %u " fmt, (c)->index,	\
			   nla_type(a), ##__VA_ARGS__);					\
	NL_SET_BAD_ATTR((c)->extack, (a));					\
	(err); })

/*
 * Check the attributes in @head..@head+@len against @spec and, with @tb,
 * split them into @tb[ACTPLANE_E_MAX + 1] (the last of a type repeated
 * wins, as in nla_parse()).  A list's entries are checked against its
 * table here, so its consumer only walks it.  Recursion is bounded by the
 * tables: element, list, condition.
 */
static int ap_attrs_parse(struct ap_elem_ctx *c, const struct nlattr *head, int len,
			  const struct ap_attr_spec *spec, struct nlattr **tb)
{
	const struct nlattr *a;
	int rem, ret;

	if (tb)
		memset(tb, 0, (ACTPLANE_E_MAX + 1) * sizeof(*tb));
	nla_for_each_attr(a, head, len, rem) {
		unsigned int type = nla_type(a);
		int alen = nla_len(a);
		const char *d = nla_data(a);
		const struct ap_attr_spec *s;
		u32 v;

		if (type > ACTPLANE_E_MAX)
			return AP_ATTR_ERR(c, a, -EINVAL, "is unknown");
		type = array_index_nospec(type, ACTPLANE_E_MAX + 1);
		s = &spec[type];
		if (s->kind == AP_AT_NONE)
			return AP_ATTR_ERR(c, a, -EINVAL, "does not belong here");
		if (!(a->nla_type & NLA_F_NESTED) != (s->kind != AP_AT_LIST))
			return AP_ATTR_ERR(c, a, -EINVAL, "%s NLA_F_NESTED",
					   s->kind == AP_AT_LIST ? "lacks" : "must not have");
		switch (s->kind) {
		case AP_AT_U32:
			if (alen != sizeof(u32))
				return AP_ATTR_ERR(c, a, -EINVAL, "has length %d, a u32 has 4", alen);
			v = nla_get_u32(a);
			if (v < s->min || v > s->max)
				return AP_ATTR_ERR(c, a, -ERANGE, "is %u, not in %u..%u", v,
						   s->min, s->max);
			break;
		case AP_AT_FLAG:
			if (alen)
				return AP_ATTR_ERR(c, a, -ERANGE, "is a flag with a %d-byte payload", alen);
			break;
		case AP_AT_STR:
			/* as the tool writes them: its NUL last, no scan (the same test) */
			if (alen && alen <= s->len + 1 && !d[alen - 1])
				break;
			if (!alen || !memchr(d, '\0', min_t(int, alen, s->len + 1)))
				return AP_ATTR_ERR(c, a, -EINVAL, "is not a string of up to %u bytes",
						   s->len);
			if (alen - !d[alen - 1] > s->len)
				return AP_ATTR_ERR(c, a, -ERANGE, "is longer than %u bytes", s->len);
			break;
		case AP_AT_BIN:
			if (alen > s->len)
				return AP_ATTR_ERR(c, a, -ERANGE, "is longer than %u bytes", s->len);
			break;
		case AP_AT_LIST:
			if (alen && alen < NLA_HDRLEN)
				return AP_ATTR_ERR(c, a, -ERANGE, "is a list of %d bytes", alen);
			ret = ap_attrs_parse(c, (const struct nlattr *)d, alen, s->list, NULL);
			if (ret)
				return ret;
			break;
		}
		if (tb)
			tb[type] = (struct nlattr *)a;
	}
	if (rem > 0)
		return AP_ELEM_ERR(c, "%d bytes left over after its last attribute", rem);
	return 0;
}

/*
 * Split attributes ap_attrs_parse() has checked (a condition, checked with
 * its element's UNLESS list) into @tb: no check is repeated.
 */
static void ap_attrs_split(const struct nlattr *head, int len, struct nlattr **tb)
{
	const struct nlattr *a;
	int rem;

	memset(tb, 0, (ACTPLANE_E_MAX + 1) * sizeof(*tb));
	nla_for_each_attr(a, head, len, rem)
		tb[array_index_nospec(nla_type(a), ACTPLANE_E_MAX + 1)] = (struct nlattr *)a;
}

static int ap_stage_grow(struct ap_elem_ctx *c, void **arr, u32 n, u32 *cap, size_t sz)
{
	u32 before = *cap;
	int ret = ap_grow(arr, n, cap, sz);

	if (ret == -E2BIG)
		NL_SET_ERR_MSG_FMT(c->extack, "element %u: more than %u elements of its kind",
				   c->index, AP_POL_MAX_ELEMS);
	else if (!ret)
		c->st->bytes += (size_t)(*cap - before) * sz;
	return ret;
}

static int ap_need(struct ap_elem_ctx *c, int attr, const char *what)
{
	if (!c->tb[attr])
		return AP_ELEM_ERR(c, "missing %s", what);
	return 0;
}

/* A u32 index attribute that must refer to an existing element. */
static int ap_index(struct ap_elem_ctx *c, int attr, u32 limit, const char *what, u32 *out)
{
	int ret = ap_need(c, attr, what);

	if (ret)
		return ret;
	*out = nla_get_u32(c->tb[attr]);
	if (*out >= limit)
		return AP_ELEM_ERR(c, "%s %u does not exist (%u defined so far)", what, *out, limit);
	return 0;
}

static char *ap_dup(struct nlattr *a)
{
	return a ? kstrdup(nla_data(a), GFP_KERNEL) : kstrdup("", GFP_KERNEL);
}

/*
 * A string attribute, or "", in @pol's chunks.  ap_attrs_parse() found a
 * NUL in it, so its bytes copied whole are the string (up to that NUL):
 * copied without measuring it.
 */
static char *ap_pol_dup(struct ap_policy *pol, const struct nlattr *a)
{
	char *p;

	if (!a)
		return ap_pol_strdup(pol, "");
	p = ap_pol_alloc(pol, nla_len(a));
	return p ? memcpy(p, nla_data(a), nla_len(a)) : NULL;
}

static int ap_parse_argv(struct ap_elem_ctx *c, struct ap_argv *out)
{
	struct nlattr *a;
	int rem, n = 0;

	out->argc = 0;
	out->argv = NULL;
	if (!c->tb[ACTPLANE_E_ARGV])
		return 0;
	nla_for_each_nested(a, c->tb[ACTPLANE_E_ARGV], rem)
		n++;
	if (n > AP_POL_MAX_ARGS)
		return AP_ELEM_ERR(c, "more than %d arguments", AP_POL_MAX_ARGS);
	if (!n)
		return 0;
	out->argv = ap_pol_alloc(c->st->pol, n * sizeof(char *));
	if (!out->argv)
		return -ENOMEM;
	nla_for_each_nested(a, c->tb[ACTPLANE_E_ARGV], rem) {
		if (nla_type(a) != ACTPLANE_E_ARG)
			return AP_ELEM_ERR(c, "only ACTPLANE_E_ARG inside ACTPLANE_E_ARGV");
		out->argv[out->argc] = ap_pol_dup(c->st->pol, a);
		if (!out->argv[out->argc])
			return -ENOMEM;
		c->st->bytes += nla_len(a) + sizeof(char *);	/* counted against the stage's bounds */
		out->argc++;
	}
	return 0;
}

static bool ap_op_is_path(u32 op)
{
	return op <= ACTPLANE_OP_LAST_PATH;
}

/* TARGET_KIND + TARGET: a pattern (file/exec) or an endpoint index. */
static int ap_parse_target(struct ap_elem_ctx *c, struct nlattr **tb, u8 *kind, u32 *idx)
{
	struct ap_policy *pol = c->st->pol;
	struct nlattr **save = c->tb;
	int ret;

	c->tb = tb;
	ret = ap_need(c, ACTPLANE_E_TARGET_KIND, "target kind");
	if (!ret) {
		*kind = nla_get_u32(tb[ACTPLANE_E_TARGET_KIND]);
		if (*kind == ACTPLANE_TARGET_ENDPOINT)
			ret = ap_index(c, ACTPLANE_E_TARGET, pol->n_eps, "endpoint", idx);
		else
			ret = ap_index(c, ACTPLANE_E_TARGET, pol->n_pats, "pattern", idx);
	}
	c->tb = save;
	return ret;
}

static int ap_add_pattern(struct ap_elem_ctx *c)
{
	struct ap_policy *pol = c->st->pol;
	struct ap_pat *p;
	const char *glob;
	int ret;

	ret = ap_need(c, ACTPLANE_E_CLASS, "match class") ?:
	      ap_need(c, ACTPLANE_E_GLOB, "glob") ?: AP_GROW(pats, cap_pats);
	if (ret)
		return ret;
	glob = nla_data(c->tb[ACTPLANE_E_GLOB]);
	if (glob[0] != '/' && strncmp(glob, "**", 2))
		return AP_ELEM_ERR(c, "pattern \"%.40s\" is not absolute", glob);
	p = &pol->pats[pol->n_pats];
	p->cls = nla_get_u32(c->tb[ACTPLANE_E_CLASS]);
	if (p->cls != ACTPLANE_MATCH_ANY && p->cls != ACTPLANE_MATCH_GLOB &&
	    (!c->tb[ACTPLANE_E_LITERAL] || !nla_len(c->tb[ACTPLANE_E_LITERAL]) ||
	     !*(char *)nla_data(c->tb[ACTPLANE_E_LITERAL])))
		return AP_ELEM_ERR(c, "match class %u needs a literal", p->cls);
	p->lit = ap_pol_dup(pol, c->tb[ACTPLANE_E_LITERAL]);
	p->glob_src = ap_pol_dup(pol, c->tb[ACTPLANE_E_GLOB]);
	p->glob = NULL;		/* the other classes' own test decides (ap_pat_match()) */
	if (p->cls == ACTPLANE_MATCH_GLOB) {
		p->glob = ap_pol_alloc(pol, ap_glob_size(glob));
		if (p->glob)
			ap_glob_compile_at(p->glob, glob);
	}
	pol->n_pats++;
	if (!p->lit || !p->glob_src || (p->cls == ACTPLANE_MATCH_GLOB && !p->glob))
		return -ENOMEM;
	p->lit_len = strlen(p->lit);
	if (p->cls == ACTPLANE_MATCH_PREFIX && p->lit[p->lit_len - 1] != '/')
		return AP_ELEM_ERR(c, "prefix literal must end with '/'");
	c->st->bytes += 2 * nla_len(c->tb[ACTPLANE_E_GLOB]) + p->lit_len + 64;
	return 0;
}

static int ap_add_endpoint(struct ap_elem_ctx *c)
{
	struct ap_policy *pol = c->st->pol;
	struct ap_ep *e;
	u32 fam = c->tb[ACTPLANE_E_FAMILY] ? nla_get_u32(c->tb[ACTPLANE_E_FAMILY]) : 0;
	u32 alen = fam == AF_INET ? 4 : 16, plen;
	int ret;

	if (fam != 0 && fam != AF_INET && fam != AF_INET6)
		return AP_ELEM_ERR(c, "address family %u is not 0, AF_INET or AF_INET6", fam);
	ret = AP_GROW(eps, cap_eps);
	if (ret)
		return ret;
	e = &pol->eps[pol->n_eps];
	memset(e, 0, sizeof(*e));
	e->family = fam;
	if (fam) {
		if (!c->tb[ACTPLANE_E_ADDR] || nla_len(c->tb[ACTPLANE_E_ADDR]) != alen)
			return AP_ELEM_ERR(c, "address must be %u bytes", alen);
		memcpy(e->addr, nla_data(c->tb[ACTPLANE_E_ADDR]), alen);
		plen = c->tb[ACTPLANE_E_PREFIX] ? nla_get_u32(c->tb[ACTPLANE_E_PREFIX]) : alen * 8;
		if (plen > alen * 8)
			return AP_ELEM_ERR(c, "prefix length %u too long", plen);
		e->plen = plen;
	}
	e->port = c->tb[ACTPLANE_E_PORT] ? nla_get_u32(c->tb[ACTPLANE_E_PORT]) : 0;
	pol->n_eps++;
	return 0;
}

static int ap_add_label(struct ap_elem_ctx *c)
{
	int ret = ap_need(c, ACTPLANE_E_NAME, "label name");

	if (ret)
		return ret;
	if (c->st->n_labels >= ACTPLANE_MAX_LABELS)
		return AP_ELEM_ERR(c, "more than %d labels", ACTPLANE_MAX_LABELS);
	c->st->labels[c->st->n_labels] = ap_dup(c->tb[ACTPLANE_E_NAME]);
	if (!c->st->labels[c->st->n_labels])
		return -ENOMEM;
	c->st->n_labels++;
	c->st->bytes += nla_len(c->tb[ACTPLANE_E_NAME]);
	return 0;
}

static int ap_add_source(struct ap_elem_ctx *c)
{
	struct ap_policy *pol = c->st->pol;
	struct ap_source s = {};
	u32 label;
	int ret;

	ret = ap_parse_target(c, c->tb, &s.target_kind, &s.target) ?:
	      ap_index(c, ACTPLANE_E_LABEL, c->st->n_labels, "label", &label) ?:
	      AP_GROW(sources, cap_sources);
	if (ret)
		return ret;
	s.bit = label;		/* policy label index; mapped to a module bit at commit */
	s.session_root = nla_get_flag(c->tb[ACTPLANE_E_SESSION_ROOT]);
	pol->sources[pol->n_sources++] = s;
	return 0;
}

static int ap_add_transform(struct ap_elem_ctx *c)
{
	struct ap_policy *pol = c->st->pol;
	struct ap_transform t = {};
	u32 label;
	int ret;

	ret = ap_need(c, ACTPLANE_E_TRANSFORM, "transform kind") ?:
	      ap_index(c, ACTPLANE_E_LABEL, c->st->n_labels, "label", &label) ?:
	      ap_index(c, ACTPLANE_E_TARGET, pol->n_pats, "pattern", &t.pat) ?:
	      AP_GROW(transforms, cap_transforms);
	if (ret)
		return ret;
	t.kind = nla_get_u32(c->tb[ACTPLANE_E_TRANSFORM]);
	t.bit = label;
	pol->transforms[pol->n_transforms++] = t;
	return 0;
}

static int ap_add_gate(struct ap_elem_ctx *c, bool inval)
{
	struct ap_policy *pol = c->st->pol;
	struct ap_argv args;
	u32 pat, gate = 0, op;
	int ret;

	ret = ap_need(c, ACTPLANE_E_OP, "op") ?:
	      ap_index(c, ACTPLANE_E_TARGET, pol->n_pats, "pattern", &pat) ?:
	      (inval ? ap_index(c, ACTPLANE_E_GATE, pol->n_gates, "gate", &gate) : 0);
	if (ret)
		return ret;
	op = nla_get_u32(c->tb[ACTPLANE_E_OP]);
	if (!ap_op_is_path(op))
		return AP_ELEM_ERR(c, "gates and invalidators watch exec, read, open, write or unlink");
	if (c->tb[ACTPLANE_E_EXIT_STATUS] && (inval || op != ACTPLANE_OP_EXEC))
		return AP_ELEM_ERR(c, "an exit status only applies to exec gates");
	if (!inval && c->st->session && pol->n_gates >= ACTPLANE_SESSION_GATES_MAX)
		return AP_ELEM_ERR(c, "a session policy has at most %d `after` gates",
				   ACTPLANE_SESSION_GATES_MAX);
	if (!inval && pol->n_gates >= AP_POL_MAX_GATES)
		return AP_ELEM_ERR(c, "more than %d gates", AP_POL_MAX_GATES);
	ret = inval ? AP_GROW(invals, cap_invals) : AP_GROW(gates, cap_gates);
	if (ret)
		return ret;
	ret = ap_parse_argv(c, &args);
	if (inval)
		pol->invals[pol->n_invals++] = (struct ap_inval){ .gate = gate, .op = op, .pat = pat,
								  .args = args };
	else
		pol->gates[pol->n_gates++] = (struct ap_gate){
			.op = op, .pat = pat, .args = args,
			.exit_status = c->tb[ACTPLANE_E_EXIT_STATUS] ?
				       (s16)nla_get_u32(c->tb[ACTPLANE_E_EXIT_STATUS]) : -1,
		};
	return ret;
}

static int ap_add_lineage(struct ap_elem_ctx *c)
{
	struct ap_policy *pol = c->st->pol;
	u32 pat;
	int ret;

	if (c->st->session && pol->n_lineages >= ACTPLANE_SESSION_LINEAGES_MAX)
		return AP_ELEM_ERR(c, "a session policy has at most %d lineage programs",
				   ACTPLANE_SESSION_LINEAGES_MAX);
	if (pol->n_lineages >= AP_POL_MAX_LINEAGES)
		return AP_ELEM_ERR(c, "more than %d lineage marks", AP_POL_MAX_LINEAGES);
	ret = ap_index(c, ACTPLANE_E_TARGET, pol->n_pats, "pattern", &pat) ?:
	      AP_GROW(lineages, cap_lineages);
	if (ret)
		return ret;
	pol->lineages[pol->n_lineages++] = pat;
	return 0;
}

static int ap_add_rule(struct ap_elem_ctx *c)
{
	struct ap_policy *pol = c->st->pol;
	struct ap_rule *r;
	int ret;

	ret = ap_need(c, ACTPLANE_E_NAME, "rule name") ?: AP_GROW(rules, cap_rules);
	if (ret)
		return ret;
	r = &pol->rules[pol->n_rules++];
	r->name = ap_pol_dup(pol, c->tb[ACTPLANE_E_NAME]);
	r->because = ap_pol_dup(pol, c->tb[ACTPLANE_E_BECAUSE]);
	if (!r->name || !r->because)
		return -ENOMEM;
	c->st->bytes += nla_len(c->tb[ACTPLANE_E_NAME]) +
			(c->tb[ACTPLANE_E_BECAUSE] ? nla_len(c->tb[ACTPLANE_E_BECAUSE]) : 0) + 32;
	return 0;
}

/* Check a condition program: valid opcodes and labels, stack never underflows,
 * depth bounded, exactly one value left. */
static int ap_check_expr(struct ap_elem_ctx *c, const u8 (*e)[2], u32 n)
{
	int depth = 0, i;

	if (!n)
		return AP_ELEM_ERR(c, "empty condition program");
	for (i = 0; i < n; i++) {
		switch (e[i][0]) {
		case ACTPLANE_EXPR_LABEL:
			if (e[i][1] >= c->st->n_labels)
				return AP_ELEM_ERR(c, "condition uses label %u (not defined)", e[i][1]);
			fallthrough;
		case ACTPLANE_EXPR_TRUE:
			depth++;
			break;
		case ACTPLANE_EXPR_NOT:
			if (depth < 1)
				return AP_ELEM_ERR(c, "condition program underflows at %d", i);
			break;
		case ACTPLANE_EXPR_AND:
		case ACTPLANE_EXPR_OR:
			if (depth < 2)
				return AP_ELEM_ERR(c, "condition program underflows at %d", i);
			depth--;
			break;
		default:
			return AP_ELEM_ERR(c, "unknown condition opcode %u", e[i][0]);
		}
		if (depth > 16)
			return AP_ELEM_ERR(c, "condition nests deeper than 16");
	}
	if (depth != 1)
		return AP_ELEM_ERR(c, "condition program leaves %d values", depth);
	return 0;
}

static int ap_add_clause(struct ap_elem_ctx *c)
{
	struct ap_policy *pol = c->st->pol;
	struct ap_clause *cl;
	struct nlattr *a, *tb[ACTPLANE_E_MAX + 1];
	int ret, rem, n;

	ret = ap_need(c, ACTPLANE_E_EFFECT, "effect") ?: ap_need(c, ACTPLANE_E_OP, "op") ?:
	      AP_GROW(clauses, cap_clauses);
	if (ret)
		return ret;
	cl = &pol->clauses[pol->n_clauses];
	memset(cl, 0, sizeof(*cl));
	ret = ap_index(c, ACTPLANE_E_RULE, pol->n_rules, "rule", &cl->rule) ?:
	      ap_parse_target(c, c->tb, &cl->target_kind, &cl->target);
	if (ret)
		return ret;
	cl->effect = nla_get_u32(c->tb[ACTPLANE_E_EFFECT]);
	cl->op = nla_get_u32(c->tb[ACTPLANE_E_OP]);
	if (ap_op_is_path(cl->op) == (cl->target_kind == ACTPLANE_TARGET_ENDPOINT))
		return AP_ELEM_ERR(c, "op %u needs a %s target", cl->op,
				   ap_op_is_path(cl->op) ? "path" : "endpoint");
	pol->n_clauses++;	/* owned from here on */
	ret = ap_parse_argv(c, &cl->args);
	if (ret)
		return ret;
	if (cl->args.argc && cl->op != ACTPLANE_OP_EXEC)
		return AP_ELEM_ERR(c, "only exec targets take arguments");
	if (c->tb[ACTPLANE_E_EXPR]) {
		n = nla_len(c->tb[ACTPLANE_E_EXPR]) / 2;
		if (nla_len(c->tb[ACTPLANE_E_EXPR]) % 2)
			return AP_ELEM_ERR(c, "condition program length is odd");
		cl->expr = ap_pol_alloc(pol, 2 * n);
		if (!cl->expr)
			return -ENOMEM;
		memcpy(cl->expr, nla_data(c->tb[ACTPLANE_E_EXPR]), 2 * n);
		cl->expr_len = n;
		ret = ap_check_expr(c, (const u8 (*)[2])cl->expr, n);
		if (ret)
			return ret;
	}
	if (c->tb[ACTPLANE_E_UNLESS]) {
		n = 0;
		nla_for_each_nested(a, c->tb[ACTPLANE_E_UNLESS], rem)
			n++;
		if (n > AP_POL_MAX_UNLESS)
			return AP_ELEM_ERR(c, "more than %d unless-conditions", AP_POL_MAX_UNLESS);
		cl->unless = ap_pol_alloc(pol, n * sizeof(*cl->unless));
		if (!cl->unless)
			return -ENOMEM;
		memset(cl->unless, 0, n * sizeof(*cl->unless));
		nla_for_each_nested(a, c->tb[ACTPLANE_E_UNLESS], rem) {
			struct ap_cond *k = &cl->unless[cl->n_unless];

			if (nla_type(a) != ACTPLANE_E_COND)
				return AP_ELEM_ERR(c, "only ACTPLANE_E_COND inside ACTPLANE_E_UNLESS");
			ap_attrs_split(nla_data(a), nla_len(a), tb);
			if (!tb[ACTPLANE_E_COND_KIND])
				return AP_ELEM_ERR(c, "condition without a kind");
			k->kind = nla_get_u32(tb[ACTPLANE_E_COND_KIND]);
			k->negate = nla_get_flag(tb[ACTPLANE_E_NEGATE]);
			if (k->kind == ACTPLANE_COND_TARGET) {
				ret = ap_parse_target(c, tb, &k->target_kind, &k->arg);
			} else {
				u32 lim = k->kind == ACTPLANE_COND_LINEAGE ? pol->n_lineages : pol->n_gates;
				struct nlattr **save = c->tb;

				c->tb = tb;
				ret = ap_index(c, ACTPLANE_E_ARG_ID, lim,
					       k->kind == ACTPLANE_COND_LINEAGE ? "lineage" : "gate",
					       &k->arg);
				c->tb = save;
			}
			if (ret)
				return ret;
			cl->n_unless++;
		}
	}
	c->st->bytes += 2 * cl->expr_len + cl->n_unless * sizeof(struct ap_cond);
	return 0;
}

/*
 * A session policy only restricts its own session (docs/SECURITY.md): its
 * rules, its sources and its declassify/endorse apply to its session's
 * processes only, and the labels its sources introduce are its own
 * (ap_session_policy_take()).  Its lineage marks and `after` gates are its
 * own too, a few of each (ap_add_lineage(), ap_add_gate()): eval.c gives
 * them bits apart from the machine's (AP_SLINEAGE_BIT(), AP_SGATE_BIT()),
 * and its gates are kept by its session (session.c, ap_gate_home()).
 */
static int ap_add_elem(struct ap_elem_ctx *c)
{
	switch (nla_get_u32(c->tb[ACTPLANE_E_KIND])) {
	case ACTPLANE_ELEM_LABEL: return ap_add_label(c);
	case ACTPLANE_ELEM_PATTERN: return ap_add_pattern(c);
	case ACTPLANE_ELEM_ENDPOINT: return ap_add_endpoint(c);
	case ACTPLANE_ELEM_SOURCE: return ap_add_source(c);
	case ACTPLANE_ELEM_TRANSFORM: return ap_add_transform(c);
	case ACTPLANE_ELEM_GATE: return ap_add_gate(c, false);
	case ACTPLANE_ELEM_INVALIDATOR: return ap_add_gate(c, true);
	case ACTPLANE_ELEM_LINEAGE: return ap_add_lineage(c);
	case ACTPLANE_ELEM_RULE: return ap_add_rule(c);
	case ACTPLANE_ELEM_CLAUSE: return ap_add_clause(c);
	}
	return AP_ELEM_ERR(c, "unknown element kind");
}

/* ---- commit: labels, uses, indexes ------------------------------------------------------- */

struct ap_uses {
	struct ap_use *v;
	u32 n, cap;
};

static int ap_uses_add(struct ap_uses *u, u8 kind, u8 slot, u32 idx, u32 pat)
{
	int ret = ap_grow((void **)&u->v, u->n, &u->cap, sizeof(*u->v));

	if (ret)
		return ret;
	u->v[u->n++] = (struct ap_use){ .kind = kind, .slot = slot, .idx = idx, .pat = pat };
	return 0;
}

/*
 * What @pol's elements look up, by operation: tagged @slot, with its
 * patterns and endpoints at +@pat_off and +@ep_off in the index's arrays
 * (0 for a policy's own index; a merged index concatenates them).
 */
static int ap_collect_uses(const struct ap_policy *pol, u8 slot, u32 pat_off, u32 ep_off,
			   struct ap_uses *path, struct ap_uses *ep)
{
	u32 i;
	int ret = 0;

	for (i = 0; i < pol->n_clauses && !ret; i++) {
		const struct ap_clause *c = &pol->clauses[i];

		if (c->target_kind == ACTPLANE_TARGET_ENDPOINT)
			ret = ap_uses_add(&ep[c->op], AP_USE_CLAUSE, slot, i, c->target + ep_off);
		else
			ret = ap_uses_add(&path[c->op], AP_USE_CLAUSE, slot, i, c->target + pat_off);
	}
	for (i = 0; i < pol->n_sources && !ret; i++) {
		const struct ap_source *s = &pol->sources[i];

		if (s->session_root)
			continue;
		if (s->target_kind == ACTPLANE_TARGET_FILE)
			ret = ap_uses_add(&path[ACTPLANE_OP_READ], AP_USE_SOURCE, slot, i,
					  s->target + pat_off);
		else if (s->target_kind == ACTPLANE_TARGET_EXEC)
			ret = ap_uses_add(&path[ACTPLANE_OP_EXEC], AP_USE_SOURCE, slot, i,
					  s->target + pat_off);
		else
			ret = ap_uses_add(&ep[ACTPLANE_OP_RECV], AP_USE_SOURCE, slot, i,
					  s->target + ep_off);
	}
	for (i = 0; i < pol->n_transforms && !ret; i++)
		ret = ap_uses_add(&path[ACTPLANE_OP_EXEC], AP_USE_TRANSFORM, slot, i,
				  pol->transforms[i].pat + pat_off);
	for (i = 0; i < pol->n_gates && !ret; i++)
		ret = ap_uses_add(&path[pol->gates[i].op], AP_USE_GATE, slot, i,
				  pol->gates[i].pat + pat_off);
	for (i = 0; i < pol->n_invals && !ret; i++)
		ret = ap_uses_add(&path[pol->invals[i].op], AP_USE_INVAL, slot, i,
				  pol->invals[i].pat + pat_off);
	for (i = 0; i < pol->n_lineages && !ret; i++)
		ret = ap_uses_add(&path[ACTPLANE_OP_EXEC], AP_USE_LINEAGE, slot, i,
				  pol->lineages[i] + pat_off);
	return ret;
}

/* @pol's indexes from the uses collected; the uses are freed either way. */
static int ap_index_build(struct ap_policy *pol, struct ap_uses *path, struct ap_uses *ep, int ret)
{
	int op;

	for (op = 0; op < __ACTPLANE_OP_MAX && !ret; op++) {
		ret = ap_pathidx_build(pol, op, path[op].v, path[op].n) ?:
		      ap_epidx_build(pol, op, ep[op].v, ep[op].n);
	}
	if (!ret)
		ret = ap_anc_all_build(pol);
	for (op = 0; op < __ACTPLANE_OP_MAX; op++) {
		kvfree(path[op].v);
		kvfree(ep[op].v);
	}
	return ret;
}

static int ap_build(struct ap_policy *pol, const u8 *bits, struct netlink_ext_ack *extack)
{
	struct ap_uses path[__ACTPLANE_OP_MAX] = {}, ep[__ACTPLANE_OP_MAX] = {};
	u32 i, j;
	int ret;

	/* policy label index -> module bit, in expressions and declarations */
	for (i = 0; i < pol->n_clauses; i++)
		for (j = 0; j < pol->clauses[i].expr_len; j++)
			if (pol->clauses[i].expr[j][0] == ACTPLANE_EXPR_LABEL)
				pol->clauses[i].expr[j][1] = bits[pol->clauses[i].expr[j][1]];
	for (i = 0; i < pol->n_transforms; i++)
		pol->transforms[i].bit = bits[pol->transforms[i].bit];
	for (i = 0; i < pol->n_sources; i++) {
		struct ap_source *s = &pol->sources[i];

		s->bit = bits[s->bit];
		if (s->session_root)
			pol->session_root_labels |= BIT_ULL(s->bit);
	}

	ret = ap_collect_uses(pol, 0, 0, 0, path, ep);

	/* clauses grouped by rule (a counting sort), so a dump is linear */
	if (!ret) {
		pol->rule_first = kvcalloc(pol->n_rules + 1, sizeof(u32), GFP_KERNEL);
		pol->rule_clauses = kvcalloc(pol->n_clauses ?: 1, sizeof(u32), GFP_KERNEL);
		if (!pol->rule_first || !pol->rule_clauses)
			ret = -ENOMEM;
	}
	if (!ret) {
		for (i = 0; i < pol->n_clauses; i++)
			pol->rule_first[pol->clauses[i].rule + 1]++;
		for (i = 0; i < pol->n_rules; i++)
			pol->rule_first[i + 1] += pol->rule_first[i];
		for (i = 0; i < pol->n_clauses; i++)	/* rule_first[r] moves to rule r + 1's start */
			pol->rule_clauses[pol->rule_first[pol->clauses[i].rule]++] = i;
		for (i = pol->n_rules; i > 0; i--)
			pol->rule_first[i] = pol->rule_first[i - 1];
		pol->rule_first[0] = 0;
	}

	for (i = 0; i < pol->n_clauses; i++)
		pol->exec_argv |= pol->clauses[i].args.argc > 0;
	for (i = 0; i < pol->n_gates; i++)
		pol->exec_argv |= pol->gates[i].args.argc > 0;
	for (i = 0; i < pol->n_invals; i++)
		pol->exec_argv |= pol->invals[i].args.argc > 0;

	ret = ap_index_build(pol, path, ep, ret);
	if (ret)
		NL_SET_ERR_MSG(extack, "out of memory building the policy indexes");
	return ret;
}


/*
 * session_index=0 (root only): sessions built from now on get no merged
 * index and query each policy's own: for the tests of that path, and to
 * compare the two.
 */
atomic64_t ap_index_epoch = ATOMIC64_INIT(0);

static bool ap_session_index = true;
module_param_named(session_index, ap_session_index, bool, 0600);
MODULE_PARM_DESC(session_index, "build a merged index per session with a session policy (default 1)");

/**
 * ap_merged_build() - one index for the machine's policy and a session chain's
 * @base:  the machine's policy (may be NULL); the caller keeps it from
 *         being replaced (ap_policy_mutex) while this runs
 * @chain: the session policies of the chain, outermost first
 * @n:     how many (at most ACTPLANE_SESSION_DEPTH_MAX)
 *
 * Every element of every policy, in one set of indexes, each use tagged
 * with its policy (struct ap_use.slot): an event in the session queries
 * it once instead of each policy in turn.  It borrows the policies'
 * pattern strings, so it is valid only while @base is the machine's
 * policy: evaluation uses it only if its @generation is the current
 * policy's, and it is rebuilt after every swap (ap_policy_reindex()).
 * Process context.  Return: the index (ap_policy_retire() frees it), or
 * NULL if out of memory or too large (the session falls back to a query
 * per policy).
 */
struct ap_policy *ap_merged_build(const struct ap_policy *base,
				  const struct ap_policy *const *chain, u32 n)
{
	struct ap_uses path[__ACTPLANE_OP_MAX] = {}, ep[__ACTPLANE_OP_MAX] = {};
	const struct ap_policy *pols[1 + ACTPLANE_SESSION_DEPTH_MAX];
	size_t bytes = 0;
	u32 i, np = 0, pat_off = 0, ep_off = 0;
	struct ap_policy *m;
	int ret = 0;

	if (WARN_ON_ONCE(n > ACTPLANE_SESSION_DEPTH_MAX) || !n)
		return NULL;
	pols[0] = base;
	memcpy(pols + 1, chain, n * sizeof(*chain));
	for (i = 0; i <= n; i++) {
		if (!pols[i])
			continue;
		bytes += pols[i]->bytes;
		np += pols[i]->n_pats;
		ep_off += pols[i]->n_eps;
	}
	if (bytes > AP_MERGED_MAX_BYTES || !READ_ONCE(ap_session_index))
		return NULL;
	if (atomic_long_add_return(bytes, &ap_merged_bytes) > AP_MERGED_MAX_TOTAL) {
		atomic_long_sub(bytes, &ap_merged_bytes);
		return NULL;
	}
	m = kzalloc(sizeof(*m), GFP_KERNEL | __GFP_NOWARN);
	if (!m) {
		atomic_long_sub(bytes, &ap_merged_bytes);
		return NULL;
	}
	atomic64_inc(&ap_index_epoch);
	m->merged = true;
	m->bytes = bytes;	/* given back by ap_policy_free() */
	m->generation = ap_gen_of(base);
	m->pats = kvcalloc(np ?: 1, sizeof(*m->pats), GFP_KERNEL);
	m->eps = kvcalloc(ep_off ?: 1, sizeof(*m->eps), GFP_KERNEL);
	if (!m->pats || !m->eps)
		ret = -ENOMEM;
	ep_off = 0;
	for (i = 0; i <= n && !ret; i++) {
		if (!pols[i])
			continue;
		/* shallow copies: the strings and globs stay the policy's */
		memcpy(m->pats + pat_off, pols[i]->pats, pols[i]->n_pats * sizeof(*m->pats));
		memcpy(m->eps + ep_off, pols[i]->eps, pols[i]->n_eps * sizeof(*m->eps));
		ret = ap_collect_uses(pols[i], i, pat_off, ep_off, path, ep);
		pat_off += pols[i]->n_pats;
		ep_off += pols[i]->n_eps;
	}
	m->n_pats = pat_off;
	m->n_eps = ep_off;
	ret = ap_index_build(m, path, ep, ret);
	if (ret) {
		ap_policy_free(m);
		return NULL;
	}
	ap_stats_inc(ACTPLANE_CTR_SESSION_INDEXES);
	return m;
}

/* ---- netlink commands -------------------------------------------------------------- */

/* The staging area of the socket that sent @info, or NULL with an ext-ACK. */
static struct ap_stage *ap_stage_of(struct genl_info *info)
{
	struct ap_stage *st = xa_load(&ap_stages, info->snd_portid);

	if (!st)
		NL_SET_ERR_MSG(info->extack, "no policy is being staged on this socket (send POLICY_BEGIN first)");
	return st;
}

static int ap_stage_begin(struct genl_info *info, bool session)
{
	size_t *total, max, total_max;
	struct ap_stage *st;
	int ret;

	mutex_lock(&ap_policy_mutex);
	ap_stage_free(xa_load(&ap_stages, info->snd_portid));	/* begin again */
	st = kzalloc(sizeof(*st), GFP_KERNEL);
	if (st)
		st->pol = kzalloc(sizeof(*st->pol), GFP_KERNEL);
	if (!st || !st->pol) {
		if (st)
			kfree(st);
		ret = -ENOMEM;
		goto out;
	}
	atomic64_inc(&ap_index_epoch);	/* before it can be published */
	st->portid = info->snd_portid;
	st->session = session;
	st->uid = current_uid();
	st->bytes = sizeof(*st) + sizeof(*st->pol);
	total = ap_stage_budget(st, &max, &total_max);
	if (*total + st->bytes > total_max) {
		NL_SET_ERR_MSG_FMT(info->extack, "policies staged on other sockets hold %zu MiB",
				   total_max >> 20);
		ret = -E2BIG;
	} else if (session && ap_user_over(st->uid, st->bytes, info->extack)) {
		ret = -EDQUOT;
	} else if (session) {
		ret = ap_user_charge(st->uid, st->bytes);
	}
	if (!ret) {
		ret = xa_insert(&ap_stages, st->portid, st, GFP_KERNEL);
		if (ret && session)
			ap_user_charge(st->uid, -(ssize_t)st->bytes);
	}
	if (ret) {
		kfree(st->pol);
		kfree(st);
		goto out;
	}
	ap_n_stages++;
	*total += st->bytes;
	if (info->attrs[ACTPLANE_A_POLICY_NAME])
		nla_strscpy(st->name, info->attrs[ACTPLANE_A_POLICY_NAME], sizeof(st->name));
	if (info->attrs[ACTPLANE_A_POLICY_DIGEST]) {
		nla_memcpy(st->digest, info->attrs[ACTPLANE_A_POLICY_DIGEST], sizeof(st->digest));
		st->has_digest = true;
	}
out:
	mutex_unlock(&ap_policy_mutex);
	return ret;
}

int ap_cmd_policy_begin(struct sk_buff *skb, struct genl_info *info)
{
	return ap_stage_begin(info, false);
}

/* A user allowed to create sessions stages the policy of its next one. */
int ap_cmd_session_policy_begin(struct sk_buff *skb, struct genl_info *info)
{
	return ap_stage_begin(info, true);
}

static int ap_stage_add(struct genl_info *info, bool session)
{
	struct nlattr *tb[ACTPLANE_E_MAX + 1], *a;
	struct ap_elem_ctx c = { .tb = tb, .extack = info->extack };
	size_t *total, max, total_max, before;
	struct ap_stage *st;
	int rem, ret = 0;

	if (!info->attrs[ACTPLANE_A_ELEMS]) {
		NL_SET_ERR_MSG(info->extack, "missing ACTPLANE_A_ELEMS");
		return -EINVAL;
	}
	mutex_lock(&ap_policy_mutex);
	st = ap_stage_of(info);
	if (!st) {
		ret = -ENOENT;
		goto out;
	}
	if (st->session != session) {
		if (session)
			NL_SET_ERR_MSG(info->extack,
				       "this socket stages the machine's policy: add with POLICY_ADD");
		else
			NL_SET_ERR_MSG(info->extack,
				       "this socket stages a session policy: add with SESSION_POLICY_ADD");
		ret = -EINVAL;
		goto out;
	}
	c.st = st;
	c.index = st->n_elems;
	before = st->bytes;
	total = ap_stage_budget(st, &max, &total_max);
	nla_for_each_nested(a, info->attrs[ACTPLANE_A_ELEMS], rem) {
		c.elem = a;
		if (nla_type(a) != ACTPLANE_A_ELEM) {
			ret = AP_ELEM_ERR(&c, "only ACTPLANE_A_ELEM inside ACTPLANE_A_ELEMS");
			break;
		}
		if (!(a->nla_type & NLA_F_NESTED))
			ret = AP_ELEM_ERR(&c, "an element must have NLA_F_NESTED");
		else
			ret = ap_attrs_parse(&c, nla_data(a), nla_len(a), ap_elem_spec, tb);
		if (!ret && !tb[ACTPLANE_E_KIND])
			ret = AP_ELEM_ERR(&c, "element without ACTPLANE_E_KIND");
		if (!ret)
			ret = ap_add_elem(&c);
		if (!ret && st->bytes > max) {
			NL_SET_ERR_MSG_FMT(info->extack, "policy larger than %zu MiB", max >> 20);
			ret = -E2BIG;
		}
		if (!ret && *total + (st->bytes - before) > total_max) {
			NL_SET_ERR_MSG_FMT(info->extack,
					   "policies being staged hold more than %zu MiB together",
					   total_max >> 20);
			ret = -E2BIG;
		}
		if (!ret && st->session && ap_user_over(st->uid, st->bytes - before, info->extack))
			ret = -EDQUOT;
		if (ret)
			break;
		c.index++;
		st->n_elems++;
	}
	*total += st->bytes - before;
	if (st->session)	/* the user has an entry (its stage's first bytes): no allocation */
		WARN_ON_ONCE(ap_user_charge(st->uid, st->bytes - before));
	if (!ret && rem) {
		/* the list ends inside an element: a truncated or garbled message */
		NL_SET_ERR_MSG_FMT(info->extack, "element %u: ACTPLANE_A_ELEMS ends with %d stray bytes",
				   c.index, rem);
		NL_SET_BAD_ATTR(info->extack, info->attrs[ACTPLANE_A_ELEMS]);
		ret = -EINVAL;
	}
	if (ret)
		ap_stage_free(st);	/* a bad element voids the whole load */
out:
	mutex_unlock(&ap_policy_mutex);
	return ret;
}

int ap_cmd_policy_add(struct sk_buff *skb, struct genl_info *info)
{
	return ap_stage_add(info, false);
}

int ap_cmd_session_policy_add(struct sk_buff *skb, struct genl_info *info)
{
	return ap_stage_add(info, true);
}

/* @st's policy with the module bits @bits of its labels: indexed, named. */
static int ap_stage_build(struct ap_stage *st, const u8 *bits, struct netlink_ext_ack *extack)
{
	struct ap_policy *pol = st->pol;
	int ret;

	/*
	 * A session policy's gate and lineage ids fit the bits eval.c gives
	 * them (refused one by one at staging, ap_add_gate(), ap_add_lineage()).
	 */
	if (WARN_ON_ONCE(st->session && (pol->n_gates > ACTPLANE_SESSION_GATES_MAX ||
					 pol->n_lineages > ACTPLANE_SESSION_LINEAGES_MAX))) {
		NL_SET_ERR_MSG(extack, "internal: a session policy with too many gates or lineages");
		return -EINVAL;
	}
	memcpy(pol->label_bits, bits, st->n_labels);
	pol->n_labels = st->n_labels;
	ret = ap_build(pol, bits, extack);
	if (ret)
		return ret;
	strscpy(pol->name, st->name, sizeof(pol->name));
	memcpy(pol->digest, st->digest, sizeof(pol->digest));
	pol->has_digest = st->has_digest;
	pol->bytes = st->bytes;
	return 0;
}

int ap_cmd_policy_commit(struct sk_buff *skb, struct genl_info *info)
{
	struct ap_policy *pol, *old;
	struct ap_stage *st;
	u8 bits[ACTPLANE_MAX_LABELS];
	int ret;

	mutex_lock(&ap_policy_mutex);
	st = ap_stage_of(info);
	if (!st) {
		ret = -ENOENT;
		goto out;
	}
	if (st->session) {
		NL_SET_ERR_MSG(info->extack, "a session policy is attached by SESSION_CREATE, not committed");
		ret = -EINVAL;
		goto out;
	}
	pol = st->pol;
	ret = ap_labels_define((const char *const *)st->labels, st->n_labels, bits, info->extack) ?:
	      ap_stage_build(st, bits, info->extack);
	if (ret)
		goto fail;
	pol->generation = ++ap_generation;
	st->pol = NULL;
	ap_stage_free(st);

	old = rcu_dereference_protected(ap_active_policy, lockdep_is_held(&ap_policy_mutex));
	rcu_assign_pointer(ap_active_policy, pol);
	/* the sessions' merged indexes for it; until then they query each policy */
	ap_session_reindex(0, pol);
	mutex_unlock(&ap_policy_mutex);
	ap_stats_inc(ACTPLANE_CTR_POLICY_LOADS);
	/*
	 * Events that started before the swap finish with the old policy;
	 * every later one sees the new.  Waiting for them (synchronize_rcu())
	 * here made each load a grace period long: several ms.
	 */
	ap_policy_retire(old);
	return 0;
fail:
	ap_stage_free(st);
out:
	mutex_unlock(&ap_policy_mutex);
	return ret;
}

/*
 * Which of @st's labels are its own (private): those its sources
 * introduce.  Every label it declassifies or endorses must be one: the
 * machine's labels are root's.  Return: 0 and the policy label indexes in
 * *@own, or -EPERM with an ext-ACK message.
 */
static int ap_session_own_labels(const struct ap_stage *st, u64 *own,
				 struct netlink_ext_ack *extack)
{
	const struct ap_policy *pol = st->pol;
	u32 i;

	*own = 0;
	for (i = 0; i < pol->n_sources; i++)
		*own |= BIT_ULL(pol->sources[i].bit);	/* policy label index (< 64) */
	for (i = 0; i < pol->n_transforms; i++) {
		if (*own & BIT_ULL(pol->transforms[i].bit))
			continue;
		/* extack messages are cut at 80 bytes */
		NL_SET_ERR_MSG_FMT(extack, "declassify/endorse of '%.16s': not a label its own "
				   "sources introduce", st->labels[pol->transforms[i].bit]);
		return -EPERM;
	}
	return 0;
}

/**
 * ap_session_policy_take() - the session policy staged on the caller's socket
 * @info: SESSION_CREATE's request
 *
 * Built and indexed like the machine's.  A label its own sources introduce
 * gets a private bit (ap_labels_private()), whatever the machine calls its
 * labels; any other label it names is the machine's label of that name.
 * The stage is consumed either way.  Return: the policy (the caller owns
 * it: ap_session_policy_free(); its private bits are given back after it
 * is freed) or an ERR_PTR with an ext-ACK message.
 */
struct ap_policy *ap_session_policy_take(struct genl_info *info)
{
	u8 bits[ACTPLANE_MAX_LABELS], pbits[ACTPLANE_MAX_LABELS];
	const char *pnames[ACTPLANE_MAX_LABELS];
	struct ap_policy *pol;
	struct ap_stage *st;
	u64 own, priv = 0;
	u32 i, np = 0;
	int ret, bit;

	mutex_lock(&ap_policy_mutex);
	st = xa_load(&ap_stages, info->snd_portid);
	if (!st || !st->session) {
		NL_SET_ERR_MSG(info->extack, "no session policy is staged on this socket "
				 "(SESSION_POLICY_BEGIN and _ADD first)");
		ret = -ENOENT;
		goto out;
	}
	pol = st->pol;
	ret = ap_session_own_labels(st, &own, info->extack);
	if (ret)
		goto fail;
	for (i = 0; i < st->n_labels; i++) {
		if (own & BIT_ULL(i)) {
			pnames[np++] = st->labels[i];
			continue;
		}
		bit = ap_label_lookup(st->labels[i]);
		if (bit < 0) {
			NL_SET_ERR_MSG_FMT(info->extack, "label '%.24s' is not the machine's, nor "
					   "its own sources'", st->labels[i]);
			ret = -ENOENT;
			goto fail;
		}
		bits[i] = bit;
	}
	ret = ap_labels_private(pnames, np, pbits, st->uid, info->extack);
	if (ret)
		goto fail;
	for (i = 0, np = 0; i < st->n_labels; i++) {
		if (own & BIT_ULL(i)) {
			bits[i] = pbits[np++];
			priv |= BIT_ULL(bits[i]);
		}
	}
	ret = ap_stage_build(st, bits, info->extack);
	if (ret) {
		ap_labels_unreserve(priv);
		goto fail;
	}
	pol->private_bits = priv;
	pol->generation = 0;	/* never the machine policy's (eval.c: its gate bits are apart) */
	st->pol = NULL;
	ap_stage_free(st);
	mutex_unlock(&ap_policy_mutex);
	return pol;
fail:
	ap_stage_free(st);
out:
	mutex_unlock(&ap_policy_mutex);
	return ERR_PTR(ret);
}

/*
 * Session @id has its first member: its merged index, for the machine's
 * policy now (ap_session_reindex()).
 */
void ap_policy_reindex_session(u32 id)
{
	mutex_lock(&ap_policy_mutex);
	ap_session_reindex(id, rcu_dereference_protected(ap_active_policy,
							 lockdep_is_held(&ap_policy_mutex)));
	mutex_unlock(&ap_policy_mutex);
}

/* @pol's (may be NULL) `exec "**"` labels, and its own labels (module bits). */
void ap_session_policy_labels(const struct ap_policy *pol, u64 *seed, u64 *own)
{
	*seed = pol ? pol->session_root_labels : 0;
	*own = pol ? pol->private_bits : 0;
}

/*
 * A session policy no session was created with: nothing evaluated it, so
 * its own labels reached nothing and go back without a sweep.
 */
void ap_session_policy_discard(struct ap_policy *pol)
{
	if (!pol)
		return;
	ap_labels_unreserve(pol->private_bits);
	pol->private_bits = 0;
	ap_policy_retire(pol);
}

/* A session policy goes when its session does: after a grace period. */
void ap_session_policy_free(struct ap_policy *pol)
{
	ap_policy_retire(pol);
}

/*
 * For STATUS: how many sockets stage a policy, and the memory they hold.
 * Informational and open to anyone, so it does not wait for the mutex an
 * admin's large ADD may hold: the two values are read racily.
 */
void ap_policy_staging(u32 *sockets, u64 *bytes)
{
	*sockets = data_race(ap_n_stages);
	*bytes = data_race(ap_staged_bytes) + data_race(ap_staged_session_bytes);
}

int ap_cmd_policy_clear(struct sk_buff *skb, struct genl_info *info)
{
	struct ap_policy *old;

	mutex_lock(&ap_policy_mutex);
	old = rcu_dereference_protected(ap_active_policy, lockdep_is_held(&ap_policy_mutex));
	RCU_INIT_POINTER(ap_active_policy, NULL);
	ap_generation++;
	ap_session_reindex(0, NULL);
	mutex_unlock(&ap_policy_mutex);
	ap_policy_retire(old);
	return 0;
}

static const char *const ap_op_names[__ACTPLANE_OP_MAX] = ACTPLANE_OP_NAMES;

const char *ap_op_name(u32 op)
{
	return op < __ACTPLANE_OP_MAX ? ap_op_names[op] : "?";
}

/* Render a clause's target for dumps and events. */
void ap_target_text(const struct ap_policy *pol, u8 kind, u32 idx, char *buf, size_t len)
{
	const struct ap_ep *e;

	if (kind != ACTPLANE_TARGET_ENDPOINT) {
		strscpy(buf, pol->pats[idx].glob_src, len);
		return;
	}
	e = &pol->eps[idx];
	if (!e->family)
		snprintf(buf, len, e->port ? "*:%u" : "*", e->port);
	else if (e->family == AF_INET)
		snprintf(buf, len, "%pI4/%u%s%.0u", e->addr, e->plen, e->port ? ":" : "", e->port);
	else
		snprintf(buf, len, "[%pI6c/%u]%s%.0u", e->addr, e->plen, e->port ? ":" : "", e->port);
}

/* A target's parts in a dump: kind, then its pattern or endpoint. */
static int ap_put_target_parts(struct sk_buff *skb, const struct ap_policy *pol, u8 kind, u32 idx,
			       bool glob)
{
	const struct ap_ep *e;
	const struct ap_pat *p;

	if (nla_put_u32(skb, ACTPLANE_E_TARGET_KIND, kind))
		return -EMSGSIZE;
	if (kind != ACTPLANE_TARGET_ENDPOINT) {
		p = &pol->pats[idx];
		if (nla_put_u32(skb, ACTPLANE_E_CLASS, p->cls) ||
		    nla_put_string(skb, ACTPLANE_E_LITERAL, p->lit) ||
		    (glob && nla_put_string(skb, ACTPLANE_E_GLOB, p->glob_src)))
			return -EMSGSIZE;
		return 0;
	}
	e = &pol->eps[idx];
	if (nla_put_u32(skb, ACTPLANE_E_FAMILY, e->family) ||
	    (e->family && (nla_put(skb, ACTPLANE_E_ADDR, e->family == AF_INET ? 4 : 16, e->addr) ||
			   nla_put_u32(skb, ACTPLANE_E_PREFIX, e->plen))) ||
	    nla_put_u32(skb, ACTPLANE_E_PORT, e->port))
		return -EMSGSIZE;
	return 0;
}

/*
 * A clause in full: target parts, arguments, the condition program (label
 * operands are module label bits, named by STATUS's label table) and the
 * `unless` conditions.  ACTPLANE_E_TARGET_KIND in the clause tells a reader
 * the clause is complete.
 */
static int ap_put_clause_parts(struct sk_buff *skb, const struct ap_policy *pol,
			       const struct ap_clause *c)
{
	struct nlattr *n, *cn;
	u32 i;

	/* the clause's ACTPLANE_E_GLOB is its target text, sent already */
	if (ap_put_target_parts(skb, pol, c->target_kind, c->target, false))
		return -EMSGSIZE;
	if (c->args.argc) {
		n = nla_nest_start(skb, ACTPLANE_E_ARGV);
		if (!n)
			return -EMSGSIZE;
		for (i = 0; i < c->args.argc; i++)
			if (nla_put_string(skb, ACTPLANE_E_ARG, c->args.argv[i]))
				return -EMSGSIZE;
		nla_nest_end(skb, n);
	}
	if (c->expr_len && nla_put(skb, ACTPLANE_E_EXPR, 2 * c->expr_len, c->expr))
		return -EMSGSIZE;
	if (!c->n_unless)
		return 0;
	n = nla_nest_start(skb, ACTPLANE_E_UNLESS);
	if (!n)
		return -EMSGSIZE;
	for (i = 0; i < c->n_unless; i++) {
		const struct ap_cond *k = &c->unless[i];

		cn = nla_nest_start(skb, ACTPLANE_E_COND);
		if (!cn || nla_put_u32(skb, ACTPLANE_E_COND_KIND, k->kind) ||
		    (k->negate && nla_put_flag(skb, ACTPLANE_E_NEGATE)))
			return -EMSGSIZE;
		if (k->kind == ACTPLANE_COND_TARGET ?
		    ap_put_target_parts(skb, pol, k->target_kind, k->arg, true) :
		    nla_put_u32(skb, ACTPLANE_E_ARG_ID, k->arg))
			return -EMSGSIZE;
		nla_nest_end(skb, cn);
	}
	nla_nest_end(skb, n);
	return 0;
}

/* POLICY_DUMP's cursor, in cb->ctx (zeroed when the dump starts). */
struct ap_policy_dump_ctx {
	u32 rule;		/* next rule to send */
	bool short_form;	/* that rule did not fit in full: send it short */
};

/*
 * POLICY_DUMP: one message per rule (name, because, and one ACTPLANE_E_CLAUSE
 * per clause with effect, op, target text and, as far as the message holds
 * them, the clause's parts: ap_put_clause_parts).  A rule too big for one
 * message in full is sent with the target text only (a reader sees no
 * ACTPLANE_E_TARGET_KIND and knows the clause is incomplete).
 *
 * Linear in the policy's size: a rule's clauses are found through
 * rule_first/rule_clauses, built at commit (the clause list itself is in
 * arrival order, and scanning it for every rule was O(rules x clauses)
 * inside one RCU read section).  Each call reads the policy in force;
 * cb->seq carries its generation (+ 1, so that "no policy" is not the
 * core's "unset"), so a reload between two calls flags the next message, or
 * the closing NLMSG_DONE, with NLM_F_DUMP_INTR: the reader starts again
 * instead of mixing two policies.  After a reload nothing more is sent.
 */
int ap_cmd_policy_dump(struct sk_buff *skb, struct netlink_callback *cb)
{
	struct ap_policy_dump_ctx *ctx = (void *)cb->ctx;
	struct ap_policy *pol;
	struct nlattr *el;
	char buf[256];
	void *hdr;
	u32 k, r;
	int ret = 0;

	BUILD_BUG_ON(sizeof(*ctx) > sizeof(cb->ctx));
	rcu_read_lock();
	pol = rcu_dereference(ap_active_policy);
	cb->seq = ap_gen_of(pol) + 1;
	if (cb->prev_seq && cb->seq != cb->prev_seq)
		pol = NULL;	/* reloaded mid-dump: end it, NLMSG_DONE says so */
	for (r = ctx->rule; pol && r < pol->n_rules; r++) {
		hdr = genlmsg_put(skb, NETLINK_CB(cb->skb).portid, cb->nlh->nlmsg_seq,
				  &ap_family, NLM_F_MULTI, ACTPLANE_CMD_POLICY_DUMP);
		if (!hdr)
			break;
		genl_dump_check_consistent(cb, hdr);
		if (nla_put_u64_64bit(skb, ACTPLANE_A_GENERATION, pol->generation, ACTPLANE_A_PAD) ||
		    nla_put_string(skb, ACTPLANE_A_POLICY_NAME, pol->name))
			goto cancel;
		el = nla_nest_start(skb, ACTPLANE_A_ELEM);
		if (!el || nla_put_u32(skb, ACTPLANE_E_KIND, ACTPLANE_ELEM_RULE) ||
		    nla_put_string(skb, ACTPLANE_E_NAME, pol->rules[r].name) ||
		    nla_put_string(skb, ACTPLANE_E_BECAUSE, pol->rules[r].because))
			goto cancel;
		for (k = pol->rule_first[r]; k < pol->rule_first[r + 1]; k++) {
			const struct ap_clause *c = &pol->clauses[pol->rule_clauses[k]];
			struct nlattr *ce;

			ap_target_text(pol, c->target_kind, c->target, buf, sizeof(buf));
			ce = nla_nest_start(skb, ACTPLANE_E_CLAUSE);
			if (!ce || nla_put_u32(skb, ACTPLANE_E_EFFECT, c->effect) ||
			    nla_put_u32(skb, ACTPLANE_E_OP, c->op) ||
			    nla_put_string(skb, ACTPLANE_E_GLOB, buf) ||
			    (!ctx->short_form && ap_put_clause_parts(skb, pol, c)))
				goto cancel;
			nla_nest_end(skb, ce);
		}
		nla_nest_end(skb, el);
		genlmsg_end(skb, hdr);
		ctx->short_form = false;
		continue;
cancel:
		genlmsg_cancel(skb, hdr);
		if (r == ctx->rule && !ctx->short_form) {
			ctx->short_form = true;	/* too big in full: again, short */
			r--;
			continue;
		}
		if (r == ctx->rule) {
			NL_SET_ERR_MSG_FMT(cb->extack, "rule %u does not fit in one message", r);
			ret = -EMSGSIZE;
		}
		break;
	}
	ctx->rule = r;
	rcu_read_unlock();
	return ret ?: skb->len;
}

/* Policy summary for STATUS. */
int ap_policy_put_status(struct sk_buff *msg)
{
	struct ap_policy *pol;
	int ret = 0;

	rcu_read_lock();
	pol = rcu_dereference(ap_active_policy);
	if (pol && (nla_put_u64_64bit(msg, ACTPLANE_A_GENERATION, pol->generation, ACTPLANE_A_PAD) ||
		    nla_put_string(msg, ACTPLANE_A_POLICY_NAME, pol->name) ||
		    nla_put_u32(msg, ACTPLANE_A_COUNT, pol->n_rules) ||
		    (pol->has_digest && nla_put(msg, ACTPLANE_A_POLICY_DIGEST, sizeof(pol->digest),
						pol->digest))))
		ret = -EMSGSIZE;
	rcu_read_unlock();
	return ret;
}

/* The socket that staged a policy went away: drop its staging area. */
static int ap_netlink_release(struct notifier_block *nb, unsigned long event, void *ptr)
{
	struct netlink_notify *n = ptr;

	if (event != NETLINK_URELEASE || n->protocol != NETLINK_GENERIC ||
	    !net_eq(n->net, &init_net))	/* the family exists only there */
		return NOTIFY_DONE;
	mutex_lock(&ap_policy_mutex);
	ap_stage_free(xa_load(&ap_stages, n->portid));
	mutex_unlock(&ap_policy_mutex);
	return NOTIFY_DONE;
}

static struct notifier_block ap_netlink_nb = {
	.notifier_call = ap_netlink_release,
};

int ap_policy_init(void)
{
	int ret;

	ap_policy_wq = alloc_workqueue("actplane_policy", WQ_UNBOUND, 0);
	if (!ap_policy_wq)
		return -ENOMEM;
	ret = netlink_register_notifier(&ap_netlink_nb);
	if (ret)
		destroy_workqueue(ap_policy_wq);
	return ret;
}

void ap_policy_exit(void)
{
	struct ap_stage *st;
	unsigned long id;

	netlink_unregister_notifier(&ap_netlink_nb);
	mutex_lock(&ap_policy_mutex);
	xa_for_each(&ap_stages, id, st)
		ap_stage_free(st);
	ap_policy_free(rcu_dereference_protected(ap_active_policy, 1));
	RCU_INIT_POINTER(ap_active_policy, NULL);
	mutex_unlock(&ap_policy_mutex);
	rcu_barrier();			/* retired policies' frees are queued... */
	destroy_workqueue(ap_policy_wq);	/* ...and done */
}
