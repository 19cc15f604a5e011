/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The compiled policy inside the module: immutable once published, swapped
 * as a whole under RCU.  Everything an event needs is indexed by operation
 * and by what it matches, so evaluation never scans the rule list.
 */
#ifndef ACTPLANE_POLICY_H
#define ACTPLANE_POLICY_H

#include <linux/types.h>
#include <linux/rcupdate.h>
#include <linux/socket.h>
#include <linux/workqueue.h>
#include <actplane/match.h>
#include "actplane.h"

#define AP_POL_MAX_ELEMS	(1U << 20)	/* per kind */
#define AP_POL_MAX_GATES	256
/*
 * Gate bits of an evaluation: the machine policy's gate ids, then 8 per
 * session policy of the subject's chain (AP_SGATE_BIT(): @slot is the
 * policy's place in the evaluation's pols[], 1 the outermost).
 */
#define AP_GATE_BITS		(AP_POL_MAX_GATES + \
				 ACTPLANE_SESSION_DEPTH_MAX * ACTPLANE_SESSION_GATES_MAX)
#define AP_SGATE_BIT(slot, id)	(AP_POL_MAX_GATES + ((slot) - 1) * ACTPLANE_SESSION_GATES_MAX + (id))
/* The inverse for a session gate bit @g (>= AP_POL_MAX_GATES): its level, 0-based, and id. */
#define AP_SGATE_LEVEL(g)	(((g) - AP_POL_MAX_GATES) / ACTPLANE_SESSION_GATES_MAX)
#define AP_SGATE_ID(g)		(((g) - AP_POL_MAX_GATES) % ACTPLANE_SESSION_GATES_MAX)
#define AP_POL_MAX_LINEAGES	64
#define AP_POL_MAX_ARGS		64
#define AP_POL_MAX_EXPR		128
#define AP_POL_MAX_UNLESS	32
#define AP_POL_MAX_BYTES	(64U << 20)	/* staged policy memory, per socket */
#define AP_POL_MAX_STAGED	(2 * AP_POL_MAX_BYTES)	/* ... and of all sockets together */
/* session policies (staged by users): their own, smaller budget */
#define AP_SPOL_MAX_BYTES	(4U << 20)	/* per socket */
#define AP_SPOL_MAX_STAGED	(32U << 20)	/* all sockets together */
#define AP_SPOL_MAX_USER	(8U << 20)	/* one user's sockets together */

/* A compiled glob: NFA positions (include/actplane/match.h). */
struct ap_glob {
	u16 n;
	struct apm_pos pos[];
};

struct ap_pat {
	u8 cls;			/* enum actplane_match_class */
	u16 lit_len;
	char *lit;
	char *glob_src;		/* absolute glob as written (for events/dump) */
	struct ap_glob *glob;	/* compiled, for ACTPLANE_MATCH_GLOB only */
};

struct ap_ep {
	u8 family;		/* 0 = any */
	u8 plen;
	u16 port;		/* host order, 0 = any */
	u8 addr[16];
};

struct ap_argv {
	u16 argc;
	char **argv;
};

struct ap_source {
	u8 target_kind;		/* enum actplane_target_kind */
	u8 bit;			/* module label bit */
	bool session_root;
	u32 target;
};

struct ap_transform {
	u8 kind;		/* enum actplane_transform */
	u8 bit;
	u32 pat;
};

struct ap_gate {
	u8 op;
	s16 exit_status;	/* -1: armed at exec; 0..255: armed when the run exits so */
	u32 pat;
	struct ap_argv args;
};

struct ap_inval {
	u16 gate;
	u8 op;
	u32 pat;
	struct ap_argv args;
};

struct ap_cond {
	u8 kind;		/* enum actplane_cond_kind */
	bool negate;
	u8 target_kind;
	u32 arg;		/* target index, lineage id or gate id */
};

struct ap_clause {
	u32 rule;
	u8 effect;
	u8 op;
	u8 target_kind;
	u32 target;
	struct ap_argv args;
	u16 expr_len;
	u8 (*expr)[2];		/* op, module label bit */
	u16 n_unless;
	struct ap_cond *unless;
};

struct ap_rule {
	char *name;
	char *because;
};

/* What a pattern or endpoint is used by, for one operation. */
enum ap_use_kind {
	AP_USE_CLAUSE,
	AP_USE_SOURCE,
	AP_USE_TRANSFORM,
	AP_USE_GATE,
	AP_USE_INVAL,
	AP_USE_LINEAGE,
	/* index flag: the entry only pre-filters; run the glob on the full path */
	AP_USE_VERIFY = 0x80,
};

struct ap_use {
	u8 kind;
	/*
	 * Whose element: 0 in a policy's own index; in a session's merged
	 * index (ap_merged_build()), 0 for the machine's policy and 1 + i
	 * for its chain's policy i.  @idx is in that policy's arrays.
	 */
	u8 slot;
	u32 idx;
	u32 pat;		/* pattern or endpoint index */
};

/* Immutable string -> uses map (open addressing). */
struct ap_smap_slot {
	u32 hash;
	u32 len;
	const char *key;	/* NULL: empty */
	u32 first, count;	/* into the map's uses */
};

#define AP_SMAP_SIG_BITS	1024
/*
 * A key's signature: a few bytes and the length, no hashing.  A map keeps
 * one bit per signature present, so most lookups of absent keys (the
 * common case on every open) end before the jhash.  @key must have @len
 * readable bytes.
 */
static __always_inline u32 ap_sig(const char *key, u32 len)
{
	const u8 *k = (const u8 *)key;

	if (!len)
		return 0;
	return (len * 97 + k[0] * 31 + k[len / 2] * 7 + k[len - 1]) % AP_SMAP_SIG_BITS;
}

struct ap_smap {
	u32 mask;		/* slots - 1, 0 if empty */
	struct ap_smap_slot *slots;
	struct ap_use *uses;
	DECLARE_BITMAP(sig, AP_SMAP_SIG_BITS);	/* signatures of the keys present */
};

#define AP_NAME_LENS	256	/* a path component is at most NAME_MAX (255) bytes */

/* Everything matching paths for one operation (see match.c). */
struct ap_pathidx {
	bool empty;
	/* by the last component */
	struct ap_smap base, name_suffix, name_prefix;
	/* by the full path, built only when a gate opens */
	struct ap_smap exact, path_suffix, prefix;
	struct ap_smap name_gate;	/* last components of exact paths and suffixes */
	struct ap_smap anc_gate;	/* names of the directories prefixes end in */
	DECLARE_BITMAP(anc_lens, AP_NAME_LENS);	/* and their lengths */
	u16 n_name_sfx_lens, n_name_pfx_lens, n_path_sfx_lens;
	u16 *name_sfx_lens, *name_pfx_lens, *path_sfx_lens;
	u32 n_any;
	struct ap_use *any;
	u32 n_every;		/* nothing literal: tested on every path */
	struct ap_use *every;
};

/* Endpoints for one operation: one hash per distinct (family, prefix length). */
struct ap_epgroup {
	u8 family, plen;
	u8 fbits;		/* the filter has 1 << fbits bits */
	u64 mask[2];		/* the address bits of plen (16 bytes, as stored) */
	unsigned long *filter;	/* both ap_ep_fbit()s of every key in the map */
	struct ap_smap map;	/* key: masked address bytes */
};

struct ap_epidx {
	bool empty;
	u32 ngroups;
	struct ap_epgroup *groups;
	u32 n_any;		/* "*" and ":port" endpoints (any family) */
	struct ap_use *any;
	u8 *keys;		/* storage of the maps' keys */
	/*
	 * Per family (0: IPv4, 1: IPv6), the top @tbits[f] bits of every
	 * address an endpoint of the family contains: one bit per prefix, a
	 * range for a prefix shorter than tbits.  NULL: no such endpoint.
	 * About 16 bits per endpoint, 8 to 16 address bits (at most 8 KiB).
	 */
	u8 tbits[2];
	unsigned long *top[2];
};

/* The filter slot of @addr (as stored: network order) among 1 << @tbits. */
static __always_inline u32 ap_ep_top(const u8 *addr, u8 tbits)
{
	return ((u32)addr[0] << 8 | addr[1]) >> (16 - tbits);
}

/*
 * A masked address's two bits in its group's filter (bits <= 16): the top
 * two @bits-wide slices of one product, one multiply per address word.
 * Two bits at 16 bits per key: a random address passes about once in 70.
 */
static __always_inline u64 ap_ep_fhash(const u64 *key)
{
	return (key[0] ^ (key[1] * 0x9e3779b97f4a7c15ULL)) * 0xc2b2ae3d27d4eb4fULL;
}

static __always_inline u32 ap_ep_fbit(u64 h, u8 bits, int which)
{
	return (u32)(h >> (64 - (which + 1) * bits)) & ((1U << bits) - 1);
}

static __always_inline bool ap_ep_fhas(const unsigned long *filter, u8 bits, const u64 *key)
{
	u64 h = ap_ep_fhash(key);

	return test_bit(ap_ep_fbit(h, bits, 0), filter) && test_bit(ap_ep_fbit(h, bits, 1), filter);
}

/*
 * Does no endpoint of @x contain @k?  True is certain (no "*" or ":port"
 * endpoint, and @k's address either has top bits no endpoint of its
 * family has, or, masked to each prefix length of its family, misses that
 * group's filter: no key of the group can be it); false means "maybe",
 * the index must be asked.  No call, no hashing of strings: every connect
 * and send asks first (hooks_net.c), and one whose address is far from
 * every endpoint's (loopback, against rules about other networks) is
 * answered by one bit, whatever the number of prefix lengths.  Caller in
 * RCU.
 */
static __always_inline bool ap_epidx_misses(const struct ap_epidx *x, const struct ap_ep_key *k)
{
	u64 addr[2], key[2];
	u32 g, f;

	/* an empty index has neither "*" endpoints nor top-bits filters */
	if (x->n_any)
		return false;
	/* (another family asks IPv4's: the groups below have none of it) */
	f = k->family == AF_INET6;
	if (!x->top[f] || !test_bit(ap_ep_top(k->addr, x->tbits[f]), x->top[f]))
		return true;
	memcpy(addr, k->addr, sizeof(addr));
	for (g = 0; g < x->ngroups; g++) {
		const struct ap_epgroup *grp = &x->groups[g];

		if (grp->family != k->family)
			continue;
		key[0] = addr[0] & grp->mask[0];
		key[1] = addr[1] & grp->mask[1];
		if (ap_ep_fhas(grp->filter, grp->fbits, key))
			return false;
	}
	return true;
}

struct ap_policy {
	u64 generation;
	char name[256];
	u8 digest[ACTPLANE_POLICY_DIGEST_LEN];	/* from POLICY_BEGIN, if has_digest */
	bool has_digest;
	u32 session;		/* a session policy: its session's id (0: the machine's) */
	/*
	 * A session's merged index (ap_merged_build()): only pats, eps and
	 * the indexes are set; the patterns' strings are its policies'.
	 * @generation is then that of the machine's policy it was built
	 * with (0: none).
	 */
	bool merged;
	/*
	 * The elements' strings, compiled globs, argument lists, condition
	 * programs and unless-lists, carved from chunks the policy owns and
	 * frees with it (ap_pol_alloc()); a merged index has none.
	 */
	struct ap_chunk *chunks;
	u32 n_labels, n_pats, n_eps, n_sources, n_transforms, n_gates, n_invals,
	    n_lineages, n_rules, n_clauses;
	u8 label_bits[ACTPLANE_MAX_LABELS];	/* policy label index -> module bit */
	struct ap_pat *pats;
	struct ap_ep *eps;
	struct ap_source *sources;
	struct ap_transform *transforms;
	struct ap_gate *gates;
	struct ap_inval *invals;
	u32 *lineages;		/* pattern index */
	struct ap_rule *rules;
	struct ap_clause *clauses;
	/* clauses by rule: rule r's are rule_clauses[rule_first[r] .. rule_first[r + 1]) */
	u32 *rule_first;
	u32 *rule_clauses;
	u64 session_root_labels;	/* module bits of `exec "**"` sources */
	/*
	 * A session policy: the module bits of its own labels (those its
	 * sources introduce), given back when it is freed (labels.c).
	 */
	u64 private_bits;
	bool exec_argv;			/* some exec clause/gate/invalidator has arguments */
	struct ap_pathidx path[__ACTPLANE_OP_MAX];
	struct ap_epidx ep[__ACTPLANE_OP_MAX];
	/*
	 * Every operation's ancestor gate together: one walk of an event's
	 * ancestors answers for all its operations when no name opens it.
	 */
	struct ap_smap anc_all;
	DECLARE_BITMAP(anc_all_lens, AP_NAME_LENS);
	size_t bytes;
	struct rcu_work free_work;	/* freed after a grace period (ap_policy_retire()) */
};

/* match.c */
size_t ap_glob_size(const char *pattern);
struct ap_glob *ap_glob_compile_at(void *buf, const char *pattern);
bool ap_glob_test(const struct ap_glob *g, const char *path);
bool ap_pat_match(const struct ap_pat *p, const char *path, size_t len);
bool ap_ep_match(const struct ap_ep *e, const struct ap_ep_key *k);
int ap_pathidx_build(struct ap_policy *pol, int op, struct ap_use *uses, u32 n);
int ap_epidx_build(struct ap_policy *pol, int op, struct ap_use *uses, u32 n);
void ap_pathidx_free(struct ap_pathidx *x);
void ap_epidx_free(struct ap_epidx *x);
typedef void (*ap_hit_fn)(const struct ap_use *u, void *arg);
/* ap_target.walk's visitor: one ancestor's name; false stops the walk */
typedef bool (*ap_name_fn)(void *ctx, const char *name, u32 len);
/*
 * The names a walk shows its visitor: those whose length has a bit in
 * @lens (AP_NAME_LENS bits) and whose signature (ap_sig()) has one in
 * @sig (AP_SMAP_SIG_BITS bits).  No other name can be a key the visitor
 * looks for, so most ancestors cost a few instructions and no call.
 */
struct ap_name_filter {
	const unsigned long *lens;
	const unsigned long *sig;
};
/* The path a query is about. */
struct ap_target {
	const char *name;	/* last component */
	size_t name_len;
	/* the full path, resolved on demand (NULL if it cannot be) */
	const char *(*path)(void *arg, size_t *len);
	/*
	 * Visit the ancestor directories' names, nearest first, up to the
	 * root the path is resolved against.  False if visit stopped it, or
	 * if the walk cannot vouch for all of them: then the path is built.
	 * Names @f rules out are passed over without a call.  The caller
	 * holds rcu_read_lock().
	 */
	bool (*walk)(void *arg, ap_name_fn visit, void *ctx, const struct ap_name_filter *f);
	void *arg;
	/*
	 * If not NULL: the event's memo of one walk against the gates of
	 * every operation of every policy it queries (struct ap_anc_memo).
	 */
	struct ap_anc_memo *anc_memo;
	/*
	 * Optional, with a memo: the answer of an earlier walk from the same
	 * place against the same policies.  memo_get() sets *open and
	 * returns true if it knows it; otherwise, after the walk, memo_put()
	 * is told its answer and may keep it.
	 */
	bool (*memo_get)(void *arg, const struct ap_anc_memo *m, u16 *open);
	void (*memo_put)(void *arg, const struct ap_anc_memo *m, u16 open);
};

/*
 * One ancestor walk per event, however many operations and policies (the
 * machine's and a session's) it queries: the walk looks each ancestor's
 * name up in every policy's anc_all at once.  @pols: the policies, set by
 * the caller (at most AP_ANC_MEMO_MAX); @open: those whose gate some
 * ancestor may open (their operations' own gates are then walked), valid
 * once @done.  A policy not in @pols walks its gates every time.
 */
#define AP_ANC_MEMO_MAX	16
struct ap_anc_memo {
	const struct ap_policy *pols[AP_ANC_MEMO_MAX];
	u8 n;
	bool done;
	u16 open;
};
int ap_anc_all_build(struct ap_policy *pol);
void ap_anc_all_free(struct ap_policy *pol);
void ap_pathidx_query(const struct ap_policy *pol, const struct ap_pathidx *x,
		      const struct ap_target *t, ap_hit_fn fn, void *arg);
void ap_epidx_query(const struct ap_policy *pol, const struct ap_epidx *x,
		    const struct ap_ep_key *k, ap_hit_fn fn, void *arg);

void ap_target_text(const struct ap_policy *pol, u8 kind, u32 idx, char *buf, size_t len);

/* policy.c */
/*
 * Counts the indexes (struct ap_policy) ever allocated, bumped before one
 * can be published: a pointer to an index, remembered together with this
 * count, names the same index for as long as the count is unchanged.
 */
extern atomic64_t ap_index_epoch;
/* The machine's policy, or NULL; caller in RCU.  Inline: every event asks. */
static inline struct ap_policy *ap_policy_get(void)
{
	return rcu_dereference(ap_active_policy);
}
u64 ap_policy_generation(void);
/* @pol's generation; 0 for none (no machine policy loaded). */
static inline u64 ap_gen_of(const struct ap_policy *pol)
{
	return pol ? pol->generation : 0;
}
struct ap_policy *ap_merged_build(const struct ap_policy *base,
				  const struct ap_policy *const *chain, u32 n);
int ap_policy_init(void);
void ap_policy_exit(void);

#endif
