// SPDX-License-Identifier: GPL-2.0-only
/*
 * Bounded generic netlink fuzzer for the "actplane" family (in-VM test).
 *
 *   nl_fuzz [-s SEED] [-n COUNT] [-r RULES] [-j THREADS] [-t SECONDS]
 *   (defaults: seed 1 or $AP_FUZZ_SEED, 100000 or $AP_FUZZ_MSGS requests,
 *    10000 or $AP_FUZZ_RULES staged rules, 3 threads, no time limit)
 *
 * Sends COUNT malformed or mutated requests over raw AF_NETLINK sockets,
 * from a PRNG seeded by SEED (phases a and b are deterministic; phase c
 * interleaves threads as the scheduler pleases):
 *
 *  (a) 55%: random attributes on every command number 0..CMD_MAX+3: unknown
 *      and output-only attributes, wrong types and lengths, lying nla_len,
 *      truncated, over-long and deep nests, strings up to ~64 KiB, absurd
 *      counts, odd header flags, headers shorter than a genl header;
 *  (b) fixed cases (the valid stream stages; a list ending mid-element is
 *      refused; 64 labels/256 gates/64 lineages/64 args/32 unless/128 insns/
 *      depth 16 stage and one more is refused; RULES rules stage beside
 *      another socket's staging and vanish when their socket closes; more
 *      than 64 MiB staged is refused), then
 *      up to 85%: mutations of a valid, hand-built POLICY_BEGIN/ADD element
 *      stream (dropped, duplicated, reordered elements, out-of-range
 *      indexes, missing/unknown/retyped attributes, bad condition programs,
 *      byte flips, lying lengths), sockets closed while a policy is staged,
 *      and a second socket beginning and closing its own beside it;
 *  (c) the rest from THREADS concurrent clients mixing (a) and (b).
 *
 * The fuzzer never changes module state on purpose.  Every command that
 * could (LABEL_ADD, SESSION_CREATE, SESSION_END, LIMITS_SET, POLICY_CLEAR, POLICY_COMMIT
 * in phase a, LABEL_CLEAR unless nothing is labeled) carries as its first
 * attribute a well-formed one whose type is above ACTPLANE_A_MAX, which
 * strict validation rejects before any handler runs.  POLICY_COMMIT is
 * otherwise sent only after the handler refused an ADD of the same staging
 * round (which voids the staged policy): such a commit must fail.  Every
 * request asks for an ACK, every answer is awaited with a receive timeout;
 * a missing answer is a failure.  Afterwards the module must answer STATUS
 * with the same policy generation and name, rule count, policy_loads
 * counter, label table, limits, sessions and label memory as before, and
 * no policy left staged (every fuzzer socket is closed by then).
 * Prints KTAP results (selftests/harness.h) and a summary as KTAP diagnostics.
 */
#include <errno.h>
#include <getopt.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <linux/genetlink.h>
#include <linux/netlink.h>
#include "nl.h"
#include "harness.h"

#ifndef SOL_NETLINK
#define SOL_NETLINK 270
#endif

#define FZ_MSG_MAX	(150 * 1024)	/* cap on one request */
#define FZ_CHUNK	(48 * 1024)	/* elements per ADD, as userspace/load.c */
#define FZ_NSOCK	4
#define FZ_TIMEOUT_S	30		/* per answer */
#define FZ_MAX_ERRNO	200

/* ---- PRNG (splitmix64): deterministic for a seed ----------------------------- */

static __thread uint64_t rs;

static uint64_t rnd64(void)
{
	uint64_t z = (rs += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static uint32_t rnd(uint32_t n)
{
	return n ? (uint32_t)(rnd64() % n) : 0;
}

static int one_in(uint32_t n)
{
	return rnd(n) == 0;
}

static uint32_t interesting_u32(void)
{
	static const uint32_t v[] = {
		0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 16, 31, 32, 33, 63, 64, 65, 127, 128,
		129, 255, 256, 257, 1023, 4095, 4096, 65535, 65536, 0x7fffffff, 0x80000000,
		0xfffffffe, 0xffffffff,
	};

	if (one_in(5))
		return (uint32_t)rnd64();
	return v[rnd(sizeof(v) / sizeof(v[0]))];
}

static uint64_t interesting_u64(void)
{
	static const uint64_t v[] = {
		0, 1, 4096, 1ULL << 20, 16ULL << 20, 1ULL << 32, 0x7fffffffffffffffULL,
		0x8000000000000000ULL, ~0ULL,
	};

	if (one_in(4))
		return rnd64();
	return v[rnd(sizeof(v) / sizeof(v[0]))];
}

/* ---- message buffer ---------------------------------------------------------- */

struct mb {
	uint8_t *p;
	size_t len, cap;
};

static void mb_reserve(struct mb *b, size_t n)
{
	size_t c;

	if (b->len + n <= b->cap)
		return;
	c = b->cap ? b->cap : 4096;
	while (c < b->len + n)
		c *= 2;
	b->p = realloc(b->p, c);
	if (!b->p) {
		perror("realloc");
		exit(2);
	}
	b->cap = c;
}

static void mb_put(struct mb *b, const void *d, size_t n)
{
	mb_reserve(b, n);
	if (d)
		memcpy(b->p + b->len, d, n);
	else
		memset(b->p + b->len, 0, n);
	b->len += n;
}

static void mb_pad(struct mb *b)
{
	static const uint8_t z[4];

	if (b->len & 3)
		mb_put(b, z, 4 - (b->len & 3));
}

static size_t at_start(struct mb *b, uint16_t type)
{
	size_t off;
	uint16_t h[2] = { 0, type };

	mb_pad(b);
	off = b->len;
	mb_put(b, h, 4);
	return off;
}

/* Close an attribute: nla_len = bytes since its header (clipped to 16 bits). */
static void at_end(struct mb *b, size_t off)
{
	size_t l = b->len - off;
	uint16_t l16 = l > 0xffff ? 0xffff : (uint16_t)l;

	memcpy(b->p + off, &l16, 2);
	mb_pad(b);
}

static void at_put(struct mb *b, uint16_t type, const void *d, size_t n)
{
	size_t off = at_start(b, type);

	mb_put(b, d, n);
	at_end(b, off);
}

static void at_u32(struct mb *b, uint16_t type, uint32_t v)
{
	at_put(b, type, &v, 4);
}

static void at_str(struct mb *b, uint16_t type, const char *s)
{
	at_put(b, type, s, strlen(s) + 1);
}

static void set_len(struct mb *b, size_t off, uint16_t len)
{
	memcpy(b->p + off, &len, 2);
}

/* ---- sockets ------------------------------------------------------------------- */

static int family;

struct fz_sock {
	int fd;
	uint32_t seq;
};

static struct fz_sock socks[FZ_NSOCK];

/* Statistics (updated atomically: phase c runs threads) */
#define INC(x) __atomic_fetch_add(&(x), 1, __ATOMIC_RELAXED)
static __thread unsigned long t_sent;	/* this thread's requests */
static unsigned long n_sent, n_answered, n_missing, n_stray, n_replies, n_send_fail;
static unsigned long n_errno[FZ_MAX_ERRNO + 1], n_other_errno, n_extack;
static unsigned long n_cmd[256];
static unsigned long n_poisoned_ok;		/* state-changing command accepted: bug */
static unsigned long n_commit_tried, n_commit_ok;	/* commits after a voided round */
static unsigned long n_opens, n_closes;
static __thread char last_extack[256];

/*
 * What each thread is sending, for the watchdog: a request the kernel sits
 * on (netlink requests run inside sendto()) is printed once after 30 s.
 */
struct inflight {
	const uint8_t *p;
	size_t len;
	time_t since;		/* 0: idle */
	int reported;
};
static struct inflight inflight[17];
static __thread int slot;	/* 0: main thread, 1..16: workers */

static void fz_open(struct fz_sock *s)
{
	struct timeval tv = { .tv_sec = FZ_TIMEOUT_S };
	struct sockaddr_nl sa = { .nl_family = AF_NETLINK };
	int one = 1, rcv = 4 << 20, snd = 1 << 20;

	s->fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_GENERIC);
	if (s->fd < 0 || bind(s->fd, (struct sockaddr *)&sa, sizeof(sa))) {
		perror("netlink socket");
		exit(2);
	}
	setsockopt(s->fd, SOL_NETLINK, NETLINK_EXT_ACK, &one, sizeof(one));
	setsockopt(s->fd, SOL_NETLINK, NETLINK_CAP_ACK, &one, sizeof(one));
	setsockopt(s->fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	if (setsockopt(s->fd, SOL_SOCKET, SO_RCVBUFFORCE, &rcv, sizeof(rcv)))
		setsockopt(s->fd, SOL_SOCKET, SO_RCVBUF, &rcv, sizeof(rcv));
	if (setsockopt(s->fd, SOL_SOCKET, SO_SNDBUFFORCE, &snd, sizeof(snd)))
		setsockopt(s->fd, SOL_SOCKET, SO_SNDBUF, &snd, sizeof(snd));
	INC(n_opens);
}

static void fz_close(struct fz_sock *s)
{
	if (s->fd >= 0) {
		close(s->fd);	/* the module drops a policy staged on this socket */
		INC(n_closes);
	}
	s->fd = -1;
}

static void fz_reopen(struct fz_sock *s)
{
	fz_close(s);
	fz_open(s);
}

static void hexdump(const char *what, const uint8_t *p, size_t n)
{
	size_t i;

	printf("# %s (%zu bytes):", what, n);
	for (i = 0; i < n && i < 512; i++)
		printf("%s%02x", i % 32 ? " " : "\n#   ", p[i]);
	printf("%s\n", n > 512 ? " ..." : "");
}

static void parse_extack(struct nlmsghdr *nlh)
{
	struct nlmsgerr *e = NLMSG_DATA(nlh);
	size_t off = sizeof(*e);
	struct nlattr *a;
	int len;

	if (!(nlh->nlmsg_flags & NLM_F_ACK_TLVS))
		return;
	if (!(nlh->nlmsg_flags & NLM_F_CAPPED))
		off += e->msg.nlmsg_len - NLMSG_HDRLEN;
	len = (int)nlh->nlmsg_len - NLMSG_HDRLEN - (int)off;
	a = (struct nlattr *)((char *)e + off);
	while (len >= (int)sizeof(*a) && a->nla_len >= sizeof(*a) && a->nla_len <= len) {
		if ((a->nla_type & NLA_TYPE_MASK) == NLMSGERR_ATTR_MSG) {
			snprintf(last_extack, sizeof(last_extack), "%.*s",
				 (int)(a->nla_len - sizeof(*a)), (char *)(a + 1));
			INC(n_extack);
		}
		len -= NLA_ALIGN(a->nla_len);
		a = (struct nlattr *)((char *)a + NLA_ALIGN(a->nla_len));
	}
}

/* Reply parsing for STATUS snapshots (optional). */
typedef void (*reply_fn)(struct nlmsghdr *nlh, void *arg);

/*
 * Send one request (already built in b; nlmsg_len and type are set here) and
 * wait for its final answer (NLMSG_ERROR or NLMSG_DONE).  Returns 0 or a
 * negative errno from the kernel; -ETIMEDOUT if no answer arrived.
 */
static int fz_xact(struct fz_sock *s, struct mb *b, reply_fn fn, void *arg)
{
	static __thread uint8_t *rbuf;
	struct sockaddr_nl to = { .nl_family = AF_NETLINK };
	struct nlmsghdr *h = (struct nlmsghdr *)b->p;
	struct genlmsghdr *g = (struct genlmsghdr *)(b->p + NLMSG_HDRLEN);
	uint32_t seq = ++s->seq;
	ssize_t r;
	int err;

	if (!rbuf && !(rbuf = malloc(1 << 20)))
		exit(2);
	if (b->len >= NLMSG_HDRLEN + GENL_HDRLEN)
		INC(n_cmd[g->cmd]);
	h->nlmsg_seq = seq;
	h->nlmsg_pid = 0;
	last_extack[0] = 0;
	inflight[slot].p = b->p;
	inflight[slot].len = b->len;
	__atomic_store_n(&inflight[slot].since, time(NULL), __ATOMIC_RELEASE);
	r = sendto(s->fd, b->p, b->len, 0, (struct sockaddr *)&to, sizeof(to));
	if (r != (ssize_t)b->len) {
		__atomic_store_n(&inflight[slot].since, 0, __ATOMIC_RELEASE);
		if (INC(n_send_fail) < 5)
			printf("# send of %zu bytes failed: %s\n", b->len, strerror(errno));
		return -EIO;
	}
	INC(n_sent);
	t_sent++;
	for (;;) {
		struct nlmsghdr *nlh;
		int rem;

		r = recv(s->fd, rbuf, 1 << 20, 0);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			__atomic_store_n(&inflight[slot].since, 0, __ATOMIC_RELEASE);
			if (INC(n_missing) < 3) {
				printf("# no answer to request seq %u: %s\n", seq, strerror(errno));
				hexdump("request", b->p, b->len);
			}
			return -ETIMEDOUT;
		}
		rem = (int)r;
		for (nlh = (struct nlmsghdr *)rbuf; NLMSG_OK(nlh, rem); nlh = NLMSG_NEXT(nlh, rem)) {
			if (nlh->nlmsg_seq != seq) {
				INC(n_stray);
				continue;
			}
			if (nlh->nlmsg_type == NLMSG_ERROR) {
				struct nlmsgerr *e = NLMSG_DATA(nlh);

				err = e->error;
				if (err)
					parse_extack(nlh);
				goto done;
			}
			if (nlh->nlmsg_type == NLMSG_DONE) {
				err = nlh->nlmsg_len >= NLMSG_LENGTH(sizeof(int)) ?
				      *(int *)NLMSG_DATA(nlh) : 0;
				goto done;
			}
			INC(n_replies);
			if (fn)
				fn(nlh, arg);
		}
	}
done:
	__atomic_store_n(&inflight[slot].since, 0, __ATOMIC_RELEASE);
	INC(n_answered);
	if (-err >= 0 && -err <= FZ_MAX_ERRNO)
		INC(n_errno[-err]);
	else
		INC(n_other_errno);
	return err;
}

static void msg_init(struct mb *b, uint8_t cmd, uint16_t flags)
{
	struct nlmsghdr h = { .nlmsg_type = (uint16_t)family, .nlmsg_flags = flags };
	struct genlmsghdr g = { .cmd = cmd, .version = ACTPLANE_GENL_VERSION };

	b->len = 0;
	mb_put(b, &h, sizeof(h));
	mb_put(b, &g, sizeof(g));
}

static void msg_done(struct mb *b)
{
	mb_pad(b);
	((struct nlmsghdr *)b->p)->nlmsg_len = (uint32_t)b->len;
}

#define REQ (NLM_F_REQUEST | NLM_F_ACK)

/* A well-formed top-level attribute that strict validation always rejects. */
static void put_poison(struct mb *b)
{
	uint16_t type = (uint16_t)(ACTPLANE_A_MAX + 1 + rnd(NLA_TYPE_MASK - ACTPLANE_A_MAX));
	uint8_t d[8];
	uint32_t n = rnd(9);

	if (one_in(4))
		type |= NLA_F_NESTED;
	if (one_in(8))
		type |= NLA_F_NET_BYTEORDER;
	memset(d, (int)rnd(256), sizeof(d));
	at_put(b, type, d, n);
}

static int cmd_changes_state(uint8_t cmd)
{
	switch (cmd) {
	case ACTPLANE_CMD_LABEL_ADD:
	case ACTPLANE_CMD_LABEL_CLEAR:
	case ACTPLANE_CMD_SESSION_CREATE:
	case ACTPLANE_CMD_SESSION_END:
	case ACTPLANE_CMD_LIMITS_SET:
	case ACTPLANE_CMD_POLICY_COMMIT:
	case ACTPLANE_CMD_POLICY_CLEAR:
		return 1;
	}
	return 0;
}

static int simple(struct fz_sock *s, uint8_t cmd)
{
	struct mb b = {};
	int ret;

	msg_init(&b, cmd, REQ);
	msg_done(&b);
	ret = fz_xact(s, &b, NULL, NULL);
	free(b.p);
	return ret;
}

/* ---- STATUS snapshot ----------------------------------------------------------- */

struct snap {
	int ok;
	uint64_t generation;
	uint32_t count;
	char name[256];
	uint64_t mem[__ACTPLANE_MEM_A_MAX];
	uint64_t policy_loads;
	char labels[ACTPLANE_MAX_LABELS + 1][ACTPLANE_LABEL_NAME_LEN];
	int nsessions;			/* from SESSION_DUMP */
	uint32_t staging;		/* sockets staging a policy */
	uint64_t staging_bytes;
};

#define NLA_FOR(a, start, len) \
	for (a = (struct nlattr *)(start); \
	     (len) >= (int)sizeof(*a) && a->nla_len >= sizeof(*a) && a->nla_len <= (len); \
	     (len) -= NLA_ALIGN(a->nla_len), a = (struct nlattr *)((char *)a + NLA_ALIGN(a->nla_len)))

static uint64_t nla_num(const struct nlattr *a)
{
	uint64_t v = 0;
	int n = a->nla_len - (int)sizeof(*a);

	if (n == 8)
		memcpy(&v, a + 1, 8);
	else if (n == 4) {
		uint32_t v32;

		memcpy(&v32, a + 1, 4);
		v = v32;
	}
	return v;
}

static void snap_cb(struct nlmsghdr *nlh, void *arg)
{
	struct snap *sn = arg;
	struct nlattr *a, *c;
	int len = (int)nlh->nlmsg_len - NLMSG_HDRLEN - GENL_HDRLEN, l2;

	if (len < 0)
		return;
	sn->ok = 1;
	NLA_FOR(a, (char *)NLMSG_DATA(nlh) + GENL_HDRLEN, len) {
		int t = a->nla_type & NLA_TYPE_MASK;

		l2 = a->nla_len - (int)sizeof(*a);
		switch (t) {
		case ACTPLANE_A_GENERATION: sn->generation = nla_num(a); break;
		case ACTPLANE_A_COUNT: sn->count = (uint32_t)nla_num(a); break;
		case ACTPLANE_A_POLICY_NAME:
			snprintf(sn->name, sizeof(sn->name), "%.*s", l2, (char *)(a + 1));
			break;
		case ACTPLANE_A_MEMORY:
			NLA_FOR(c, a + 1, l2)
				if ((c->nla_type & NLA_TYPE_MASK) < __ACTPLANE_MEM_A_MAX)
					sn->mem[c->nla_type & NLA_TYPE_MASK] = nla_num(c);
			break;
		case ACTPLANE_A_COUNTERS:
			NLA_FOR(c, a + 1, l2)
				if ((c->nla_type & NLA_TYPE_MASK) == ACTPLANE_CTR_POLICY_LOADS)
					sn->policy_loads = nla_num(c);
			break;
		case ACTPLANE_A_LABEL_TABLE:
			NLA_FOR(c, a + 1, l2) {
				int bit = c->nla_type & NLA_TYPE_MASK;

				if (bit >= 1 && bit <= ACTPLANE_MAX_LABELS)
					snprintf(sn->labels[bit], ACTPLANE_LABEL_NAME_LEN, "%.*s",
						 (int)(c->nla_len - sizeof(*c)), (char *)(c + 1));
			}
			break;
		case ACTPLANE_A_STAGING: sn->staging = (uint32_t)nla_num(a); break;
		case ACTPLANE_A_STAGING_BYTES: sn->staging_bytes = nla_num(a); break;
		}
	}
}

/* SESSION_DUMP: one message per session. */
static void snap_session_cb(struct nlmsghdr *nlh, void *arg)
{
	((struct snap *)arg)->nsessions++;
}

static int take_snap(struct fz_sock *s, struct snap *sn)
{
	struct mb b = {};
	int ret;

	memset(sn, 0, sizeof(*sn));
	msg_init(&b, ACTPLANE_CMD_STATUS, REQ);
	msg_done(&b);
	ret = fz_xact(s, &b, snap_cb, sn);
	if (!ret) {
		msg_init(&b, ACTPLANE_CMD_SESSION_DUMP, NLM_F_REQUEST | NLM_F_DUMP);
		msg_done(&b);
		ret = fz_xact(s, &b, snap_session_cb, sn);
	}
	free(b.p);
	return ret ? ret : sn->ok ? 0 : -ENODATA;
}

/* Describe the first difference between two snapshots; "" if none. */
static const char *snap_diff(const struct snap *a, const struct snap *b)
{
	static char why[512];
	int i;

	why[0] = 0;
	if (a->generation != b->generation)
		snprintf(why, sizeof(why), "policy generation %llu -> %llu",
			 (unsigned long long)a->generation, (unsigned long long)b->generation);
	else if (a->policy_loads != b->policy_loads)
		snprintf(why, sizeof(why), "policy_loads %llu -> %llu",
			 (unsigned long long)a->policy_loads, (unsigned long long)b->policy_loads);
	else if (a->count != b->count || strcmp(a->name, b->name))
		snprintf(why, sizeof(why), "policy %.100s (%u rules) -> %.100s (%u rules)", a->name, a->count,
			 b->name, b->count);
	else if (a->nsessions != b->nsessions)
		snprintf(why, sizeof(why), "sessions %d -> %d", a->nsessions, b->nsessions);
	else if (a->staging != b->staging || a->staging_bytes != b->staging_bytes)
		snprintf(why, sizeof(why), "staging %u sockets, %llu bytes -> %u sockets, %llu bytes",
			 a->staging, (unsigned long long)a->staging_bytes, b->staging,
			 (unsigned long long)b->staging_bytes);
	for (i = 0; !why[0] && i < __ACTPLANE_MEM_A_MAX; i++)
		if (a->mem[i] != b->mem[i])
			snprintf(why, sizeof(why), "memory attribute %d: %llu -> %llu", i,
				 (unsigned long long)a->mem[i], (unsigned long long)b->mem[i]);
	for (i = 1; !why[0] && i <= ACTPLANE_MAX_LABELS; i++)
		if (strcmp(a->labels[i], b->labels[i]))
			snprintf(why, sizeof(why), "label bit %d: '%s' -> '%s'", i - 1, a->labels[i],
				 b->labels[i]);
	return why;
}

/* ---- phase (a): random attributes ---------------------------------------------- */

enum kind { K_ANY, K_U32, K_U64, K_STR, K_BIN, K_FLAG, K_LABELS, K_ELEMS, K_ELEM, K_LIST, K_COND };

static enum kind top_kind(int t)
{
	switch (t) {
	case ACTPLANE_A_EFFECT: case ACTPLANE_A_PID: case ACTPLANE_A_FD: case ACTPLANE_A_FAIL_MODE:
	case ACTPLANE_A_ABI: case ACTPLANE_A_ENFORCER_STATE: case ACTPLANE_A_VERDICT:
	case ACTPLANE_A_SESSION: case ACTPLANE_A_COUNT:
		return K_U32;
	case ACTPLANE_A_LIMIT_BYTES: case ACTPLANE_A_SEQ: case ACTPLANE_A_GENERATION:
		return K_U64;
	case ACTPLANE_A_POLICY_NAME: case ACTPLANE_A_VERSION: case ACTPLANE_A_ENFORCER:
	case ACTPLANE_A_ENFORCER_REASON: case ACTPLANE_A_LABEL:
		return K_STR;
	case ACTPLANE_A_LABELS: case ACTPLANE_A_LABEL_TABLE:
		return K_LABELS;
	case ACTPLANE_A_ELEMS:
		return K_ELEMS;
	case ACTPLANE_A_ELEM:
		return K_ELEM;
	}
	return K_ANY;
}

static enum kind elem_kind(int t)
{
	switch (t) {
	case ACTPLANE_E_KIND: case ACTPLANE_E_CLASS: case ACTPLANE_E_FAMILY: case ACTPLANE_E_PREFIX:
	case ACTPLANE_E_PORT: case ACTPLANE_E_TARGET_KIND: case ACTPLANE_E_TARGET:
	case ACTPLANE_E_LABEL: case ACTPLANE_E_TRANSFORM: case ACTPLANE_E_OP: case ACTPLANE_E_GATE:
	case ACTPLANE_E_RULE: case ACTPLANE_E_EFFECT: case ACTPLANE_E_COND_KIND:
	case ACTPLANE_E_ARG_ID: case ACTPLANE_E_EXIT_STATUS:
		return K_U32;
	case ACTPLANE_E_NAME: case ACTPLANE_E_LITERAL: case ACTPLANE_E_GLOB: case ACTPLANE_E_ARG:
	case ACTPLANE_E_BECAUSE:
		return K_STR;
	case ACTPLANE_E_ADDR: case ACTPLANE_E_EXPR:
		return K_BIN;
	case ACTPLANE_E_NEGATE: case ACTPLANE_E_SESSION_ROOT:
		return K_FLAG;
	case ACTPLANE_E_ARGV: case ACTPLANE_E_UNLESS:
		return K_LIST;
	case ACTPLANE_E_COND: case ACTPLANE_E_CLAUSE:
		return K_COND;
	}
	return K_ANY;
}

/* A string payload: label-like, path-like, printable, binary, or huge. */
static void gen_string(struct mb *b, size_t maxlen, int nul)
{
	static const char lab[] = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-.:";
	size_t n, i;
	int style = (int)rnd(6);

	switch (rnd(8)) {
	case 0: n = 0; break;
	case 1: n = 62 + rnd(4); break;			/* label name limit */
	case 2: n = 126 + rnd(4); break;		/* rule name limit */
	case 3: n = 254 + rnd(4); break;		/* policy name limit */
	case 4: n = 4093 + rnd(6); break;		/* text/pattern limit */
	case 5: n = one_in(6) ? rnd(65000) : rnd(9000); break;	/* huge */
	default: n = rnd(40); break;
	}
	if (n > maxlen)
		n = maxlen;
	mb_reserve(b, n + 1);
	for (i = 0; i < n; i++) {
		uint8_t c;

		switch (style) {
		case 0: c = (uint8_t)lab[rnd(sizeof(lab) - 1)]; break;
		case 1: c = (uint8_t)(i == 0 ? '/' : "abc/*?.x"[rnd(8)]); break;
		case 2: c = (uint8_t)(32 + rnd(95)); break;
		case 3: c = (uint8_t)rnd(256); break;
		case 4: c = (uint8_t)"*?/"[rnd(3)]; break;
		default: c = 'a'; break;
		}
		b->p[b->len++] = c;
	}
	if (nul)
		b->p[b->len++] = 0;
}

static void gen_attr(struct mb *b, int space, int depth, size_t limit);

/* A payload of the given kind (or a random one), then maybe a lie in the header. */
static void gen_payload(struct mb *b, enum kind k, int depth, size_t limit)
{
	uint32_t v32, i, n;
	uint64_t v64;
	size_t room = limit > b->len + 64 ? limit - b->len - 64 : 0;

	if (k == K_ANY || one_in(4))
		k = (enum kind)rnd(K_COND + 1);
	if (depth > 12 && k >= K_LABELS)
		k = K_U32;
	switch (k) {
	case K_ANY:
		break;			/* empty */
	case K_U32:
		switch (rnd(6)) {
		case 0: v32 = interesting_u32(); mb_put(b, &v32, 1 + rnd(3)); break;	/* short */
		case 1: v64 = interesting_u64(); mb_put(b, &v64, 8); break;		/* long */
		case 2: v32 = (uint32_t)getpid(); mb_put(b, &v32, 4); break;
		default: v32 = interesting_u32(); mb_put(b, &v32, 4); break;
		}
		break;
	case K_U64:
		v64 = interesting_u64();
		mb_put(b, &v64, one_in(4) ? rnd(9) : 8);
		break;
	case K_STR:
		gen_string(b, room, !one_in(5));
		break;
	case K_BIN:
		n = one_in(8) ? rnd(600) : rnd(40);
		if (n > room)
			n = (uint32_t)room;
		for (i = 0; i < n; i++) {
			uint8_t c = (uint8_t)(one_in(2) ? rnd(6) : rnd(256));

			mb_put(b, &c, 1);
		}
		break;
	case K_FLAG:
		if (one_in(3)) {
			v32 = interesting_u32();
			mb_put(b, &v32, 1 + rnd(4));
		}
		break;
	case K_LABELS:
		n = one_in(10) ? rnd(5000) : rnd(6);	/* absurd counts now and then */
		for (i = 0; i < n && b->len < limit; i++) {
			size_t off;

			if (one_in(8)) {
				gen_attr(b, 0, depth + 1, limit);
				continue;
			}
			off = at_start(b, one_in(10) ? (uint16_t)rnd(ACTPLANE_A_MAX + 3) : ACTPLANE_A_LABEL);
			if (one_in(3)) {
				char name[32];

				snprintf(name, sizeof(name), "fzl%u", rnd(100));
				mb_put(b, name, strlen(name) + 1);
			} else {
				gen_string(b, limit > b->len ? limit - b->len : 0, !one_in(6));
			}
			at_end(b, off);
		}
		break;
	case K_ELEMS:
		n = one_in(10) ? rnd(2000) : rnd(6);
		for (i = 0; i < n && b->len < limit; i++) {
			size_t off = at_start(b, one_in(10) ? (uint16_t)rnd(40)
							    : (ACTPLANE_A_ELEM | NLA_F_NESTED));

			gen_payload(b, K_ELEM, depth + 1, limit);
			at_end(b, off);
		}
		break;
	case K_ELEM:
		if (!one_in(4)) {
			v32 = one_in(3) ? interesting_u32() : rnd(__ACTPLANE_ELEM_MAX + 1);
			at_u32(b, ACTPLANE_E_KIND, v32);
		}
		n = rnd(8);
		for (i = 0; i < n && b->len < limit; i++)
			gen_attr(b, 1, depth + 1, limit);
		break;
	case K_LIST:
		n = one_in(8) ? rnd(1000) : rnd(6);
		for (i = 0; i < n && b->len < limit; i++) {
			if (one_in(2)) {
				size_t off = at_start(b, ACTPLANE_E_ARG);

				gen_string(b, 300, !one_in(8));
				at_end(b, off);
			} else if (one_in(2)) {
				size_t off = at_start(b, ACTPLANE_E_COND | NLA_F_NESTED);

				gen_payload(b, K_COND, depth + 1, limit);
				at_end(b, off);
			} else {
				gen_attr(b, 1, depth + 1, limit);
			}
		}
		break;
	case K_COND:
		n = rnd(6);
		for (i = 0; i < n && b->len < limit; i++) {
			static const uint16_t ct[] = { ACTPLANE_E_COND_KIND, ACTPLANE_E_NEGATE,
						       ACTPLANE_E_TARGET_KIND, ACTPLANE_E_TARGET,
						       ACTPLANE_E_ARG_ID };

			if (one_in(4))
				gen_attr(b, 1, depth + 1, limit);
			else if (ct[i % 5] == ACTPLANE_E_NEGATE)
				at_put(b, ACTPLANE_E_NEGATE, NULL, 0);
			else
				at_u32(b, ct[rnd(5)], one_in(2) ? rnd(4) : interesting_u32());
		}
		break;
	}
}

/* A deep chain of nests. */
static void gen_deep(struct mb *b, int space, size_t limit)
{
	size_t offs[256];
	int d = 2 + (int)rnd(one_in(3) ? 250 : 30), i;

	for (i = 0; i < d && b->len < limit; i++)
		offs[i] = at_start(b, (uint16_t)((space ? rnd(ACTPLANE_E_MAX + 2) : rnd(ACTPLANE_A_MAX + 2)) |
						 (one_in(8) ? 0 : NLA_F_NESTED)));
	if (one_in(2)) {
		uint32_t v = interesting_u32();

		mb_put(b, &v, 4);
	}
	while (i-- > 0) {
		at_end(b, offs[i]);
		if (one_in(40))
			set_len(b, offs[i], (uint16_t)(b->len - offs[i] + 4 + rnd(64)));
	}
}

/*
 * One attribute in a type space (0: top-level actplane_attr, 1: element
 * attributes), with a typed or random payload, sometimes a lying nla_len,
 * a truncated nest or trailing bytes.
 */
static void gen_attr(struct mb *b, int space, int depth, size_t limit)
{
	int max = space ? ACTPLANE_E_MAX : ACTPLANE_A_MAX;
	uint16_t type;
	enum kind k;
	size_t off, plen;

	if (b->len + 8 > limit)
		return;
	if (one_in(30)) {
		gen_deep(b, space, limit);
		return;
	}
	type = one_in(12) ? (uint16_t)rnd(NLA_TYPE_MASK + 1) : (uint16_t)rnd(max + 3);
	k = space ? elem_kind(type) : top_kind(type);
	if (k >= K_LABELS ? !one_in(10) : one_in(16))
		type |= NLA_F_NESTED;
	if (one_in(40))
		type |= NLA_F_NET_BYTEORDER;
	off = at_start(b, type);
	gen_payload(b, k, depth, limit);
	at_end(b, off);
	plen = b->len - off;
	switch (rnd(24)) {
	case 0:		/* nla_len too small: 0..3 (the core must stop parsing) */
		set_len(b, off, (uint16_t)rnd(4));
		break;
	case 1:		/* nla_len larger than what follows */
		set_len(b, off, (uint16_t)(plen + 1 + rnd(one_in(2) ? 8 : 0xffff - plen)));
		break;
	case 2:		/* nla_len shorter than the payload: the rest reads as attributes */
		if (plen > 4)
			set_len(b, off, (uint16_t)(4 + rnd((uint32_t)plen - 4)));
		break;
	case 3:		/* truncated: keep the header, cut the payload */
		if (plen > 8) {
			b->len = off + 4 + rnd((uint32_t)plen - 4);
			mb_pad(b);
		}
		break;
	case 4:		/* trailing garbage after the attribute */
		{
			uint32_t g = (uint32_t)rnd64();

			mb_put(b, &g, 1 + rnd(4));
		}
		break;
	}
}

static const char *cmd_name(unsigned int c)
{
	static const char *const n[] = {
		"UNSPEC", "STATUS", "ENFORCER_TEST", "EVENT", "LABEL_ADD", "LABEL_CLEAR", "LABEL_GET",
		"SESSION_CREATE", "LIMITS_SET", "POLICY_BEGIN", "POLICY_ADD", "POLICY_COMMIT",
		"POLICY_CLEAR", "POLICY_DUMP", "SESSION_DUMP", "WHY", "SESSION_END",
		"SESSION_POLICY_BEGIN", "SESSION_POLICY_ADD",
	};

	return c < sizeof(n) / sizeof(n[0]) ? n[c] : "(unknown)";
}

static int clear_safe;	/* no labeled object exists: LABEL_CLEAR is a no-op */

static void put_plausible(struct mb *b, uint8_t cmd)
{
	static const char *const names[] = { "fz_a", "fz_b", "secret", "1bad", "bad name", "",
					     "a:b.c-d_e" };
	size_t off;
	uint32_t i, n;

	switch (cmd) {
	case ACTPLANE_CMD_ENFORCER_TEST:
		at_u32(b, ACTPLANE_A_EFFECT, rnd(5));
		break;
	case ACTPLANE_CMD_LABEL_GET:
	case ACTPLANE_CMD_LABEL_CLEAR:
	case ACTPLANE_CMD_WHY:
		if (!one_in(5))
			at_u32(b, ACTPLANE_A_PID, one_in(2) ? (uint32_t)getpid() : interesting_u32());
		if (!one_in(5))
			at_u32(b, ACTPLANE_A_FD, rnd(8));
		if (one_in(2)) {
			off = at_start(b, ACTPLANE_A_LABELS | NLA_F_NESTED);
			for (i = 0, n = rnd(4); i < n; i++)
				at_str(b, ACTPLANE_A_LABEL, names[rnd(7)]);
			at_end(b, off);
		}
		break;
	case ACTPLANE_CMD_POLICY_BEGIN:
	case ACTPLANE_CMD_SESSION_POLICY_BEGIN:
		if (one_in(2)) {
			off = at_start(b, ACTPLANE_A_POLICY_NAME);
			gen_string(b, 300, !one_in(8));
			at_end(b, off);
		}
		break;
	}
}

static void phase_a_one(struct fz_sock *s, struct mb *b)
{
	uint8_t cmd;
	uint16_t flags = REQ;
	size_t limit = one_in(50) ? FZ_MSG_MAX : one_in(5) ? 8192 : 1024;
	int i, n, ret, poisoned;

	if (one_in(4))
		cmd = ((const uint8_t[]){ ACTPLANE_CMD_POLICY_ADD, ACTPLANE_CMD_POLICY_BEGIN,
					  ACTPLANE_CMD_SESSION_POLICY_ADD,
					  ACTPLANE_CMD_SESSION_POLICY_BEGIN })[rnd(4)];
	else
		cmd = (uint8_t)rnd(ACTPLANE_CMD_MAX + 4);
	if (one_in(10))
		flags |= NLM_F_DUMP;
	if (one_in(20))
		flags |= (uint16_t)((uint16_t[]){ NLM_F_ECHO, NLM_F_MULTI, NLM_F_ATOMIC,
						  NLM_F_EXCL, NLM_F_CREATE })[rnd(5)];
	msg_init(b, cmd, flags);
	if (one_in(30))
		b->p[NLMSG_HDRLEN + 1] = (uint8_t)rnd(256);	/* genl version */
	if (one_in(30))
		b->p[NLMSG_HDRLEN + 2] = (uint8_t)rnd(256);	/* reserved */
	/* LABEL_CLEAR of objects nobody labeled changes nothing: let half through */
	poisoned = cmd_changes_state(cmd) &&
		   !(cmd == ACTPLANE_CMD_LABEL_CLEAR && clear_safe && one_in(2));
	if (poisoned)
		put_poison(b);
	if (one_in(200)) {
		/* header shorter than a genl header */
		b->len = NLMSG_HDRLEN + rnd(GENL_HDRLEN);
		((struct nlmsghdr *)b->p)->nlmsg_len = (uint32_t)b->len;
		ret = fz_xact(s, b, NULL, NULL);
		return;
	}
	n = one_in(10) ? (int)rnd(60) : (int)rnd(5);
	if (one_in(3)) {
		/* well-formed attributes the command takes, so handlers run too */
		put_plausible(b, cmd);
		n = one_in(4) ? 1 : 0;
	}
	if ((cmd == ACTPLANE_CMD_POLICY_ADD || cmd == ACTPLANE_CMD_SESSION_POLICY_ADD) &&
	    !one_in(5)) {
		size_t off = at_start(b, ACTPLANE_A_ELEMS | (one_in(20) ? 0 : NLA_F_NESTED));

		gen_payload(b, K_ELEMS, 1, limit);
		at_end(b, off);
	}
	for (i = 0; i < n && b->len < limit; i++)
		gen_attr(b, 0, 0, limit);
	if (b->len > FZ_MSG_MAX)
		b->len = FZ_MSG_MAX;
	((struct nlmsghdr *)b->p)->nlmsg_len = (uint32_t)b->len;
	ret = fz_xact(s, b, NULL, NULL);
	if (poisoned && ret == 0 && !(flags & NLM_F_DUMP)) {
		INC(n_poisoned_ok);
		printf("# BUG: %s with an attribute above ACTPLANE_A_MAX was accepted\n",
		       cmd_name(cmd));
		hexdump("request", b->p, b->len);
	}
}

/* ---- phase (b): element streams ---------------------------------------------- */

#define FE_MAX 24

struct fattr {
	uint16_t type;
	uint32_t len;
	uint8_t *d;
};

struct fel {
	int n;
	struct fattr a[FE_MAX];
};

struct fstream {
	int n, cap;
	struct fel *e;
};

static void fe_raw(struct fel *e, uint16_t type, const void *d, uint32_t len)
{
	struct fattr *a;

	if (e->n >= FE_MAX)
		return;
	a = &e->a[e->n++];
	a->type = type;
	a->len = len;
	a->d = malloc(len ? len : 1);
	if (!a->d)
		exit(2);
	if (len && d)
		memcpy(a->d, d, len);
	else if (len)
		memset(a->d, 0, len);
}

static void fe_u32(struct fel *e, uint16_t type, uint32_t v)
{
	fe_raw(e, type, &v, 4);
}

static void fe_str(struct fel *e, uint16_t type, const char *s)
{
	fe_raw(e, type, s, (uint32_t)strlen(s) + 1);
}

static void fe_mb(struct fel *e, uint16_t type, struct mb *m)
{
	fe_raw(e, type, m->p, (uint32_t)m->len);
	m->len = 0;
}

static struct fel *fs_add(struct fstream *s, uint32_t kind)
{
	struct fel *e;

	if (s->n == s->cap) {
		s->cap = s->cap ? s->cap * 2 : 64;
		s->e = realloc(s->e, sizeof(*s->e) * (size_t)s->cap);
		if (!s->e)
			exit(2);
	}
	e = &s->e[s->n++];
	e->n = 0;
	fe_u32(e, ACTPLANE_E_KIND, kind);
	return e;
}

static void fe_free(struct fel *e)
{
	int i;

	for (i = 0; i < e->n; i++)
		free(e->a[i].d);
	e->n = 0;
}

static void fs_free(struct fstream *s)
{
	int i;

	for (i = 0; i < s->n; i++)
		fe_free(&s->e[i]);
	free(s->e);
	memset(s, 0, sizeof(*s));
}

static void fe_copy(struct fel *dst, const struct fel *src)
{
	int i;

	dst->n = 0;
	for (i = 0; i < src->n; i++)
		fe_raw(dst, src->a[i].type, src->a[i].d, src->a[i].len);
}

static void fs_copy(struct fstream *dst, const struct fstream *src)
{
	int i;

	memset(dst, 0, sizeof(*dst));
	for (i = 0; i < src->n; i++) {
		struct fel *e = fs_add(dst, 0);

		fe_free(e);
		fe_copy(e, &src->e[i]);
	}
}

/* Insert a copy of src at position pos. */
static void fs_insert(struct fstream *s, int pos, const struct fel *src)
{
	struct fel tmp;

	fe_copy(&tmp, src);
	fs_add(s, 0);
	fe_free(&s->e[s->n - 1]);
	memmove(&s->e[pos + 1], &s->e[pos], sizeof(*s->e) * (size_t)(s->n - 1 - pos));
	s->e[pos] = tmp;
}

static void fs_remove(struct fstream *s, int pos)
{
	fe_free(&s->e[pos]);
	memmove(&s->e[pos], &s->e[pos + 1], sizeof(*s->e) * (size_t)(s->n - pos - 1));
	s->n--;
}

/* Element builders; each returns the new element's index within its kind. */
struct counts {
	uint32_t labels, pats, eps, gates, lineages, rules;
};

static uint32_t b_label(struct fstream *s, struct counts *c, const char *name)
{
	fe_str(fs_add(s, ACTPLANE_ELEM_LABEL), ACTPLANE_E_NAME, name);
	return c->labels++;
}

static uint32_t b_pat(struct fstream *s, struct counts *c, uint32_t cls, const char *lit,
		      const char *glob)
{
	struct fel *e = fs_add(s, ACTPLANE_ELEM_PATTERN);

	fe_u32(e, ACTPLANE_E_CLASS, cls);
	fe_str(e, ACTPLANE_E_LITERAL, lit);
	fe_str(e, ACTPLANE_E_GLOB, glob);
	return c->pats++;
}

static uint32_t b_ep(struct fstream *s, struct counts *c, uint32_t fam, const void *addr,
		     uint32_t plen, uint32_t port)
{
	struct fel *e = fs_add(s, ACTPLANE_ELEM_ENDPOINT);

	fe_u32(e, ACTPLANE_E_FAMILY, fam);
	if (fam) {
		fe_raw(e, ACTPLANE_E_ADDR, addr, fam == 2 ? 4 : 16);
		fe_u32(e, ACTPLANE_E_PREFIX, plen);
	}
	fe_u32(e, ACTPLANE_E_PORT, port);
	return c->eps++;
}

static void argv_list(struct mb *m, int n, const char *prefix)
{
	char buf[64];
	int i;

	for (i = 0; i < n; i++) {
		snprintf(buf, sizeof(buf), "%s%d", prefix, i);
		at_str(m, ACTPLANE_E_ARG, buf);
	}
}

static uint32_t b_rule(struct fstream *s, struct counts *c, const char *name, const char *because)
{
	struct fel *e = fs_add(s, ACTPLANE_ELEM_RULE);

	fe_str(e, ACTPLANE_E_NAME, name);
	fe_str(e, ACTPLANE_E_BECAUSE, because);
	return c->rules++;
}

static struct fel *b_clause(struct fstream *s, uint32_t rule, uint32_t eff, uint32_t op,
			    uint32_t tkind, uint32_t target)
{
	struct fel *e = fs_add(s, ACTPLANE_ELEM_CLAUSE);

	fe_u32(e, ACTPLANE_E_RULE, rule);
	fe_u32(e, ACTPLANE_E_EFFECT, eff);
	fe_u32(e, ACTPLANE_E_OP, op);
	fe_u32(e, ACTPLANE_E_TARGET_KIND, tkind);
	fe_u32(e, ACTPLANE_E_TARGET, target);
	return e;
}

static void cond(struct mb *m, uint32_t kind, int negate, int tkind, uint32_t arg)
{
	size_t off = at_start(m, ACTPLANE_E_COND | NLA_F_NESTED);

	at_u32(m, ACTPLANE_E_COND_KIND, kind);
	if (negate)
		at_put(m, ACTPLANE_E_NEGATE, NULL, 0);
	if (kind == ACTPLANE_COND_TARGET) {
		at_u32(m, ACTPLANE_E_TARGET_KIND, (uint32_t)tkind);
		at_u32(m, ACTPLANE_E_TARGET, arg);
	} else {
		at_u32(m, ACTPLANE_E_ARG_ID, arg);
	}
	at_end(m, off);
}

/* A small valid policy using every element kind (labels are prefixed fz_). */
static void build_valid(struct fstream *s)
{
	static const uint8_t net10[4] = { 10, 0, 0, 0 }, fd00[16] = { 0xfd };
	struct counts c = {};
	struct mb m = {};
	struct fel *e;
	uint32_t la, lb, p, ep0, ep1, ep2, g, r0, r1, r2, pk, pu;

	la = b_label(s, &c, "fz_secret");
	lb = b_label(s, &c, "fz_net");
	p = b_pat(s, &c, ACTPLANE_MATCH_EXACT, "/tmp/apfz/secret", "/tmp/apfz/secret");
	e = fs_add(s, ACTPLANE_ELEM_SOURCE);
	fe_u32(e, ACTPLANE_E_TARGET_KIND, ACTPLANE_TARGET_FILE);
	fe_u32(e, ACTPLANE_E_TARGET, p);
	fe_u32(e, ACTPLANE_E_LABEL, la);
	ep0 = b_ep(s, &c, 2, net10, 8, 443);
	e = fs_add(s, ACTPLANE_ELEM_SOURCE);
	fe_u32(e, ACTPLANE_E_TARGET_KIND, ACTPLANE_TARGET_ENDPOINT);
	fe_u32(e, ACTPLANE_E_TARGET, ep0);
	fe_u32(e, ACTPLANE_E_LABEL, lb);
	p = b_pat(s, &c, ACTPLANE_MATCH_ANY, "", "**");
	e = fs_add(s, ACTPLANE_ELEM_SOURCE);
	fe_u32(e, ACTPLANE_E_TARGET_KIND, ACTPLANE_TARGET_EXEC);
	fe_u32(e, ACTPLANE_E_TARGET, p);
	fe_u32(e, ACTPLANE_E_LABEL, lb);
	fe_raw(e, ACTPLANE_E_SESSION_ROOT, NULL, 0);
	p = b_pat(s, &c, ACTPLANE_MATCH_BASENAME, "fzredact", "**/fzredact");
	e = fs_add(s, ACTPLANE_ELEM_TRANSFORM);
	fe_u32(e, ACTPLANE_E_TRANSFORM, ACTPLANE_TRANSFORM_DECLASSIFY);
	fe_u32(e, ACTPLANE_E_LABEL, la);
	fe_u32(e, ACTPLANE_E_TARGET, p);
	p = b_pat(s, &c, ACTPLANE_MATCH_BASENAME, "fztest", "**/fztest");
	e = fs_add(s, ACTPLANE_ELEM_GATE);
	fe_u32(e, ACTPLANE_E_OP, ACTPLANE_OP_EXEC);
	fe_u32(e, ACTPLANE_E_TARGET, p);
	argv_list(&m, 2, "-q");
	fe_mb(e, ACTPLANE_E_ARGV | NLA_F_NESTED, &m);
	fe_u32(e, ACTPLANE_E_EXIT_STATUS, 0);
	g = c.gates++;
	p = b_pat(s, &c, ACTPLANE_MATCH_PREFIX, "/tmp/apfz/src/", "/tmp/apfz/src/**");
	e = fs_add(s, ACTPLANE_ELEM_INVALIDATOR);
	fe_u32(e, ACTPLANE_E_GATE, g);
	fe_u32(e, ACTPLANE_E_OP, ACTPLANE_OP_WRITE);
	fe_u32(e, ACTPLANE_E_TARGET, p);
	p = b_pat(s, &c, ACTPLANE_MATCH_BASENAME, "fzmake", "**/fzmake");
	e = fs_add(s, ACTPLANE_ELEM_LINEAGE);
	fe_u32(e, ACTPLANE_E_TARGET, p);
	c.lineages++;

	r0 = b_rule(s, &c, "fz-no-push", "fuzz rule: pushing is for humans");
	pk = b_pat(s, &c, ACTPLANE_MATCH_BASENAME, "fzgit", "**/fzgit");
	e = b_clause(s, r0, ACTPLANE_EFFECT_BLOCK, ACTPLANE_OP_EXEC, ACTPLANE_TARGET_EXEC, pk);
	at_str(&m, ACTPLANE_E_ARG, "push");
	fe_mb(e, ACTPLANE_E_ARGV | NLA_F_NESTED, &m);
	fe_raw(e, ACTPLANE_E_EXPR, (uint8_t[]){ ACTPLANE_EXPR_LABEL, (uint8_t)la,
						ACTPLANE_EXPR_LABEL, (uint8_t)lb,
						ACTPLANE_EXPR_NOT, 0, ACTPLANE_EXPR_OR, 0 }, 8);

	r1 = b_rule(s, &c, "fz-exfil", "fuzz rule: secrets stay home");
	ep1 = b_ep(s, &c, 0, NULL, 0, 0);
	e = b_clause(s, r1, ACTPLANE_EFFECT_BLOCK, ACTPLANE_OP_CONNECT, ACTPLANE_TARGET_ENDPOINT, ep1);
	fe_raw(e, ACTPLANE_E_EXPR, (uint8_t[]){ ACTPLANE_EXPR_LABEL, (uint8_t)la }, 2);
	cond(&m, ACTPLANE_COND_LINEAGE, 0, 0, 0);
	cond(&m, ACTPLANE_COND_AFTER, 0, 0, g);
	cond(&m, ACTPLANE_COND_TARGET, 1, ACTPLANE_TARGET_ENDPOINT, ep0);
	fe_mb(e, ACTPLANE_E_UNLESS | NLA_F_NESTED, &m);

	r2 = b_rule(s, &c, "fz-kill", "");
	p = b_pat(s, &c, ACTPLANE_MATCH_SUFFIX, ".pem", "**/*.pem");
	pu = b_pat(s, &c, ACTPLANE_MATCH_GLOB, "/tmp/apfz/*/x?y", "/tmp/apfz/*/x?y");
	e = b_clause(s, r2, ACTPLANE_EFFECT_KILL, ACTPLANE_OP_WRITE, ACTPLANE_TARGET_FILE, p);
	cond(&m, ACTPLANE_COND_TARGET, 0, ACTPLANE_TARGET_FILE, pu);
	fe_mb(e, ACTPLANE_E_UNLESS | NLA_F_NESTED, &m);
	ep2 = b_ep(s, &c, 10, fd00, 8, 0);
	b_clause(s, r2, ACTPLANE_EFFECT_NOTIFY, ACTPLANE_OP_RECV, ACTPLANE_TARGET_ENDPOINT, ep2);
	p = b_pat(s, &c, ACTPLANE_MATCH_ANY, "", "/**");
	e = b_clause(s, r0, ACTPLANE_EFFECT_NOTIFY, ACTPLANE_OP_UNLINK, ACTPLANE_TARGET_FILE, p);
	fe_raw(e, ACTPLANE_E_EXPR, (uint8_t[]){ ACTPLANE_EXPR_TRUE, 0 }, 2);
	free(m.p);
}

/* Serialize element e as one ACTPLANE_A_ELEM nest. */
static void put_elem(struct mb *b, const struct fel *e)
{
	size_t off = at_start(b, ACTPLANE_A_ELEM | NLA_F_NESTED);
	int i;

	for (i = 0; i < e->n; i++)
		at_put(b, e->a[i].type, e->a[i].d, e->a[i].len);
	at_end(b, off);
}

static struct fattr *fe_find(struct fel *e, uint16_t type)
{
	int i;

	for (i = 0; i < e->n; i++)
		if ((e->a[i].type & NLA_TYPE_MASK) == type)
			return &e->a[i];
	return NULL;
}

static void fa_replace(struct fattr *a, const void *d, uint32_t len)
{
	free(a->d);
	a->len = len;
	a->d = malloc(len ? len : 1);
	if (!a->d)
		exit(2);
	if (len && d)
		memcpy(a->d, d, len);
	else if (len)
		memset(a->d, 'z', len);
}

static void fe_set_u32(struct fel *e, uint16_t type, uint32_t v)
{
	struct fattr *a = fe_find(e, type);

	if (a)
		fa_replace(a, &v, 4);
	else
		fe_u32(e, type, v);
}

/* A bad or borderline condition program. */
static void bad_expr(struct mb *m)
{
	uint32_t i, n;
	uint8_t op[2];

	m->len = 0;
	switch (rnd(8)) {
	case 0:		/* random bytes */
		n = rnd(300);
		for (i = 0; i < n; i++) {
			op[0] = (uint8_t)rnd(one_in(2) ? 6 : 256);
			mb_put(m, op, 1);
		}
		break;
	case 1:		/* too deep: 17 pushes then 16 ands */
	case 2:		/* at the depth limit: 16 pushes then 15 ors */
		n = rnd(2) ? 17 : 16;
		for (i = 0; i < n; i++)
			mb_put(m, (uint8_t[]){ ACTPLANE_EXPR_TRUE, 0 }, 2);
		for (i = 1; i < n; i++)
			mb_put(m, (uint8_t[]){ ACTPLANE_EXPR_AND, 0 }, 2);
		break;
	case 3:		/* 128 or 129 instructions */
		n = 128 + rnd(2);
		mb_put(m, (uint8_t[]){ ACTPLANE_EXPR_LABEL, 0 }, 2);
		for (i = 1; i < n; i++)
			mb_put(m, (uint8_t[]){ ACTPLANE_EXPR_NOT, 0 }, 2);
		break;
	case 4:		/* label index out of range */
		mb_put(m, (uint8_t[]){ ACTPLANE_EXPR_LABEL, (uint8_t)(2 + rnd(254)) }, 2);
		break;
	case 5:		/* underflow or leftover values */
		mb_put(m, (uint8_t[]){ ACTPLANE_EXPR_TRUE, 0, ACTPLANE_EXPR_TRUE, 0 }, 4);
		if (one_in(2))
			mb_put(m, (uint8_t[]){ ACTPLANE_EXPR_AND, 0, ACTPLANE_EXPR_OR, 0 }, 4);
		break;
	case 6:		/* odd length */
		mb_put(m, (uint8_t[]){ ACTPLANE_EXPR_TRUE, 0, ACTPLANE_EXPR_NOT }, 3);
		break;
	default:	/* empty */
		break;
	}
}

static void bad_list(struct mb *m, int unless)
{
	uint32_t i, n;

	m->len = 0;
	switch (rnd(5)) {
	case 0:		/* at and over the limits */
		n = unless ? 32 + rnd(3) : 64 + rnd(3);
		for (i = 0; i < n; i++) {
			if (unless)
				cond(m, ACTPLANE_COND_TARGET, (int)(i & 1), ACTPLANE_TARGET_FILE, 0);
			else
				at_str(m, ACTPLANE_E_ARG, "x");
		}
		break;
	case 1:		/* absurd counts */
		n = 1000 + rnd(3000);
		for (i = 0; i < n; i++)
			at_u32(m, unless ? ACTPLANE_E_COND : ACTPLANE_E_ARG, i);
		break;
	case 2:		/* the wrong member type */
		at_str(m, unless ? ACTPLANE_E_ARG : (ACTPLANE_E_COND | NLA_F_NESTED), "x");
		break;
	case 3:		/* conditions with bad values */
		n = 1 + rnd(4);
		for (i = 0; i < n; i++)
			cond(m, one_in(2) ? interesting_u32() : rnd(4), 0, (int)rnd(4),
			     one_in(2) ? interesting_u32() : rnd(3));
		break;
	default:	/* random */
		gen_payload(m, K_LIST, 3, 8192);
		break;
	}
}

static const uint16_t index_attrs[] = { ACTPLANE_E_TARGET, ACTPLANE_E_LABEL, ACTPLANE_E_GATE,
					ACTPLANE_E_RULE };

static void mutate_stream(struct fstream *s)
{
	int nmut = 1 + (int)rnd(3), m;
	struct mb tmp = {};

	for (m = 0; m < nmut && s->n > 0; m++) {
		int i = (int)rnd((uint32_t)s->n), j = (int)rnd((uint32_t)s->n), k;
		struct fel *e = &s->e[i];
		struct fattr *a = e->n ? &e->a[rnd((uint32_t)e->n)] : NULL;
		uint32_t v;

		switch (rnd(20)) {
		case 0:	/* drop an element */
			fs_remove(s, i);
			break;
		case 1:	/* duplicate an element */
			fs_insert(s, j, e);
			break;
		case 2:	/* swap two elements */
			{
				struct fel t = s->e[i];

				s->e[i] = s->e[j];
				s->e[j] = t;
			}
			break;
		case 3:	/* move to the front: its references dangle */
			{
				struct fel t = s->e[i];

				memmove(&s->e[1], &s->e[0], sizeof(*s->e) * (size_t)i);
				s->e[0] = t;
			}
			break;
		case 4:	/* out-of-range index */
		case 5:
			v = one_in(2) ? interesting_u32() : (uint32_t)(s->n + rnd(3));
			fe_set_u32(e, index_attrs[rnd(4)], v);
			break;
		case 6:	/* remove an attribute */
			if (a) {
				k = (int)(a - e->a);
				free(a->d);
				memmove(a, a + 1, sizeof(*a) * (size_t)(e->n - k - 1));
				e->n--;
			}
			break;
		case 7:	/* unknown or unsupported attribute */
			{
				static const uint16_t unsup[] = { 0, ACTPLANE_E_ARG, ACTPLANE_E_COND,
								  ACTPLANE_E_COND_KIND, ACTPLANE_E_NEGATE,
								  ACTPLANE_E_ARG_ID, ACTPLANE_E_PAD,
								  ACTPLANE_E_CLAUSE };
				uint16_t t = one_in(2) ? unsup[rnd(8)]
						       : (uint16_t)(ACTPLANE_E_MAX + 1 + rnd(100));

				v = interesting_u32();
				fe_raw(e, t, &v, 4);
			}
			break;
		case 8:	/* retype an attribute */
			if (a)
				a->type = (uint16_t)(rnd(ACTPLANE_E_MAX + 2) | (a->type & NLA_F_NESTED));
			break;
		case 9:	/* wrong length */
			if (a) {
				static const uint32_t lens[] = { 0, 1, 2, 3, 5, 8, 17 };
				uint8_t buf[17];

				memset(buf, (int)rnd(256), sizeof(buf));
				if (a->len >= 1 && one_in(2)) {	/* drop a string's NUL */
					a->d[a->len - 1] = 'x';
				} else {
					v = lens[rnd(7)];
					fa_replace(a, buf, v);
				}
			}
			break;
		case 10: /* over-long string */
			{
				static const uint16_t st[] = { ACTPLANE_E_NAME, ACTPLANE_E_GLOB,
							       ACTPLANE_E_LITERAL, ACTPLANE_E_BECAUSE };
				uint32_t n = one_in(3) ? 4096 + rnd(40000) : 4094 + rnd(4);
				struct fattr *f = fe_find(e, st[rnd(4)]);
				char *str = malloc(n);

				if (!str)
					exit(2);
				memset(str, one_in(2) ? '/' : 'a', n);
				str[0] = '/';
				str[n - 1] = 0;
				if (f)
					fa_replace(f, str, n);
				else
					fe_raw(e, st[rnd(4)], str, n);
				free(str);
			}
			break;
		case 11: /* bad kind */
			v = one_in(2) ? interesting_u32() : rnd(__ACTPLANE_ELEM_MAX + 2);
			fe_set_u32(e, ACTPLANE_E_KIND, v);
			break;
		case 12: /* condition program */
			bad_expr(&tmp);
			{
				struct fattr *f = fe_find(e, ACTPLANE_E_EXPR);

				if (f)
					fa_replace(f, tmp.p, (uint32_t)tmp.len);
				else
					fe_raw(e, ACTPLANE_E_EXPR, tmp.p, (uint32_t)tmp.len);
			}
			break;
		case 13: /* argv / unless lists */
			k = (int)rnd(2);
			bad_list(&tmp, k);
			{
				uint16_t t = k ? ACTPLANE_E_UNLESS : ACTPLANE_E_ARGV;
				struct fattr *f = fe_find(e, t);

				if (f)
					fa_replace(f, tmp.p, (uint32_t)tmp.len);
				else
					fe_raw(e, t | NLA_F_NESTED, tmp.p, (uint32_t)tmp.len);
			}
			break;
		case 14: /* absurd counts of one element */
			{
				int n = 60 + (int)rnd(one_in(4) ? 300 : 10);
				struct fel dup;

				fe_copy(&dup, e);
				for (k = 0; k < n; k++)
					fs_insert(s, i, &dup);
				fe_free(&dup);
			}
			break;
		case 15: /* a random element */
			{
				struct fel r = {};
				uint32_t n = rnd(8);

				fe_u32(&r, ACTPLANE_E_KIND, rnd(__ACTPLANE_ELEM_MAX + 1));
				while (n--) {
					tmp.len = 0;
					gen_payload(&tmp, K_ANY, 2, 4096);
					fe_raw(&r, (uint16_t)rnd(ACTPLANE_E_MAX + 2), tmp.p, (uint32_t)tmp.len);
				}
				fs_insert(s, i, &r);
				fe_free(&r);
			}
			break;
		case 16: /* boundary values */
			{
				static const struct { uint16_t t; uint32_t v[3]; } bv[] = {
					{ ACTPLANE_E_CLASS, { 5, 6, 7 } },
					{ ACTPLANE_E_OP, { 5, 6, 7 } },
					{ ACTPLANE_E_EFFECT, { 0, 3, 4 } },
					{ ACTPLANE_E_TARGET_KIND, { 1, 2, 3 } },
					{ ACTPLANE_E_FAMILY, { 2, 10, 3 } },
					{ ACTPLANE_E_PREFIX, { 32, 33, 129 } },
					{ ACTPLANE_E_PORT, { 65535, 65536, 0xffffffff } },
					{ ACTPLANE_E_EXIT_STATUS, { 255, 256, 0xffffffff } },
					{ ACTPLANE_E_TRANSFORM, { 1, 2, 0xffffffff } },
				};

				k = (int)rnd(sizeof(bv) / sizeof(bv[0]));
				fe_set_u32(e, bv[k].t, bv[k].v[rnd(3)]);
			}
			break;
		case 17: /* pattern semantics */
			{
				static const char *const globs[] = { "relative/x", "", "*", "/", "//",
								     "/a/**/**/**/b", "/[x", "\\" };
				static const char *const lits[] = { "", "x", "/nodir", "/tmp/" };

				uint16_t t = one_in(2) ? ACTPLANE_E_GLOB : ACTPLANE_E_LITERAL;
				const char *str = t == ACTPLANE_E_GLOB ? globs[rnd(8)] : lits[rnd(4)];
				struct fattr *f = fe_find(e, t);

				if (f)
					fa_replace(f, str, (uint32_t)strlen(str) + 1);
				else
					fe_str(e, t, str);
			}
			break;
		case 18: /* address length */
			{
				uint8_t addr[20] = { 1, 2, 3, 4 };

				v = rnd(21);
				if (fe_find(e, ACTPLANE_E_ADDR))
					fa_replace(fe_find(e, ACTPLANE_E_ADDR), addr, v);
				else
					fe_raw(e, ACTPLANE_E_ADDR, addr, v);
			}
			break;
		default: /* flag with a payload, or a nest flag where none belongs */
			if (a) {
				if (one_in(2))
					a->type ^= NLA_F_NESTED;
				else
					fe_raw(e, ACTPLANE_E_SESSION_ROOT, "x", 1);
			}
			break;
		}
	}
	free(tmp.p);
}

/* Serialize elements [from, to) into one POLICY_ADD request. */
static void build_add(struct mb *b, const struct fstream *s, int from, int to)
{
	size_t off;
	int i;

	msg_init(b, ACTPLANE_CMD_POLICY_ADD, REQ);
	off = at_start(b, ACTPLANE_A_ELEMS | NLA_F_NESTED);
	for (i = from; i < to; i++)
		put_elem(b, &s->e[i]);
	at_end(b, off);
	msg_done(b);
}

/*
 * Byte-level damage inside the ACTPLANE_A_ELEMS payload only: the top-level
 * attribute stays well-formed, so the request reaches the handler.
 */
static void damage_inner(struct mb *b)
{
	size_t start = NLMSG_HDRLEN + GENL_HDRLEN + 4, end = b->len, n, i;
	uint16_t l;

	if (end <= start + 4)
		return;
	n = end - start;
	switch (rnd(4)) {
	case 0:		/* flip bytes */
		for (i = 1 + rnd(8); i > 0; i--)
			b->p[start + rnd((uint32_t)n)] ^= (uint8_t)(1u << rnd(8));
		break;
	case 1:		/* random bytes */
		for (i = 1 + rnd(4); i > 0; i--)
			b->p[start + rnd((uint32_t)n)] = (uint8_t)rnd(256);
		break;
	case 2:		/* an nla_len (at a 4-byte boundary) lies */
		i = start + 4 * rnd((uint32_t)(n / 4));
		l = one_in(3) ? (uint16_t)rnd(4) : (uint16_t)rnd(0x10000);
		memcpy(b->p + i, &l, 2);
		break;
	default:	/* the element list ends mid-attribute */
		b->len = start + 4 + 4 * rnd((uint32_t)(n / 4));
		l = (uint16_t)(b->len - (start - 4));
		memcpy(b->p + start - 4, &l, 2);
		((struct nlmsghdr *)b->p)->nlmsg_len = (uint32_t)b->len;
		break;
	}
}

/* Damage at the top level: the core rejects these before the handler runs. */
static void damage_outer(struct mb *b)
{
	size_t elems = NLMSG_HDRLEN + GENL_HDRLEN;
	uint16_t l;

	switch (rnd(4)) {
	case 0:		/* ELEMS without NLA_F_NESTED */
		b->p[elems + 3] &= (uint8_t)~(NLA_F_NESTED >> 8);
		break;
	case 1:		/* ELEMS claims more than the message holds */
		memcpy(&l, b->p + elems, 2);
		l = (uint16_t)(l + 4 + rnd(100));
		memcpy(b->p + elems, &l, 2);
		break;
	case 2:		/* an output-only attribute after ELEMS */
		at_u32(b, (uint16_t)(one_in(2) ? ACTPLANE_A_COUNT : ACTPLANE_A_GENERATION), 1);
		msg_done(b);
		break;
	default:	/* ELEMS of 1..3 bytes */
		b->len = elems + 4 + 1 + rnd(3);
		l = (uint16_t)(b->len - elems);
		memcpy(b->p + elems, &l, 2);
		mb_pad(b);
		((struct nlmsghdr *)b->p)->nlmsg_len = (uint32_t)b->len;
		break;
	}
}

/* Is the top level of this ADD request certainly accepted by the core? */
static int outer_ok(const struct mb *b)
{
	size_t elems = NLMSG_HDRLEN + GENL_HDRLEN;
	uint16_t l, t;

	if (b->len < elems + 4)
		return 0;
	memcpy(&l, b->p + elems, 2);
	memcpy(&t, b->p + elems + 2, 2);
	return t == (ACTPLANE_A_ELEMS | NLA_F_NESTED) && (size_t)NLA_ALIGN(l) == b->len - elems &&
	       (l == 4 || l >= 8);
}


static unsigned long n_rounds, n_voided, n_live_checks, n_ownership_bad;

/*
 * One staging round: BEGIN, the (mutated) element stream in ADD chunks, then
 * COMMIT only if an ADD was refused by the handler (the staged policy is void).
 */
static void phase_b_round(struct fz_sock *pair, const struct fstream *valid, unsigned long budget)
{
	struct fz_sock *s = &pair[one_in(4)], *o = s == &pair[0] ? &pair[1] : &pair[0];
	struct fstream st;
	struct mb b = {};
	int i, from, ret, voided = 0, live;
	unsigned long start = t_sent;

	INC(n_rounds);
	fs_copy(&st, valid);
	if (!one_in(10))
		mutate_stream(&st);
	ret = simple(s, ACTPLANE_CMD_POLICY_BEGIN);
	if (ret) {
		/* the other socket holds a staged policy: drop it */
		fz_reopen(o);
		goto out;
	}
	live = 1;	/* 1: staged here, 0: void, -1: unknown */
	for (from = 0; from < st.n && t_sent - start < budget;) {
		int to = from + 1;
		size_t sz = 0;

		if (one_in(3)) {
			to = from + 1 + (int)rnd((uint32_t)(st.n - from));
		} else {
			for (to = from; to < st.n && sz < FZ_CHUNK; to++)
				for (i = 0; i < st.e[to].n; i++)
					sz += 4 + NLA_ALIGN(st.e[to].a[i].len);
		}
		build_add(&b, &st, from, to);
		if (b.len > FZ_MSG_MAX)
			b.len = FZ_MSG_MAX;
		if (one_in(6))
			damage_inner(&b);
		else if (one_in(12))
			damage_outer(&b);
		((struct nlmsghdr *)b.p)->nlmsg_len = (uint32_t)b.len;
		ret = fz_xact(s, &b, NULL, NULL);
		if (ret && outer_ok(&b) && ret != -ENOMEM && ret != -ETIMEDOUT && ret != -EIO) {
			voided = 1;	/* the handler refused an element: staging is gone */
			live = 0;
		} else if (ret) {
			live = -1;
		}
		from = to;
		if (one_in(40)) {	/* the socket goes away mid-staging */
			fz_reopen(s);
			live = 0;
			break;
		}
	}
	if (voided) {
		INC(n_voided);
		INC(n_commit_tried);
		ret = simple(s, ACTPLANE_CMD_POLICY_COMMIT);
		if (ret == 0) {
			INC(n_commit_ok);
			printf("# BUG: POLICY_COMMIT after a refused POLICY_ADD succeeded (round %lu)\n",
			       n_rounds);
		}
	} else if (live == 1 && one_in(4)) {
		/*
		 * staged here: another socket stages its own (BEGIN works), and
		 * beginning, then closing, there leaves ours alone (an empty ADD
		 * still finds it)
		 */
		INC(n_live_checks);
		ret = simple(o, ACTPLANE_CMD_POLICY_BEGIN);
		if (ret != 0) {
			INC(n_ownership_bad);
			printf("# BEGIN on a second socket while staging: %d (want 0)\n", ret);
		}
		fz_reopen(o);
		msg_init(&b, ACTPLANE_CMD_POLICY_ADD, REQ);
		at_end(&b, at_start(&b, ACTPLANE_A_ELEMS | NLA_F_NESTED));
		msg_done(&b);
		ret = fz_xact(s, &b, NULL, NULL);
		if (ret != 0) {
			INC(n_ownership_bad);
			printf("# ADD after another socket began and closed: %d \"%s\" (want 0)\n", ret,
			       last_extack);
		}
		fz_reopen(s);
	} else if (one_in(8)) {
		fz_reopen(s);
	}
out:
	free(b.p);
	fs_free(&st);
}

/* ---- fixed cases ------------------------------------------------------------------- */

/* Stage a whole stream on s; returns the first error (0 if every ADD passed). */
static int stage(struct fz_sock *s, const struct fstream *st, int *bad_index)
{
	struct mb b = {};
	int from = 0, to, i, ret = simple(s, ACTPLANE_CMD_POLICY_BEGIN);
	size_t sz;

	while (!ret && from < st->n) {
		for (to = from, sz = 0; to < st->n && sz < FZ_CHUNK; to++)
			for (i = 0; i < st->e[to].n; i++)
				sz += 4 + NLA_ALIGN(st->e[to].a[i].len);
		build_add(&b, st, from, to);
		ret = fz_xact(s, &b, NULL, NULL);
		if (ret && bad_index)
			*bad_index = from;
		from = to;
	}
	free(b.p);
	return ret;
}

enum lim { L_LABELS, L_GATES, L_LINEAGES, L_ARGS, L_UNLESS, L_EXPR_LEN, L_EXPR_DEPTH, L_MAX };

static const char *const lim_names[] = { "labels", "gates", "lineage marks", "exec arguments",
					 "unless-conditions", "condition instructions",
					 "condition depth" };

/* A stream at a limit (over = 0) or one past it (over = 1). */
static void build_limit(struct fstream *s, enum lim which, int over)
{
	struct counts c = {};
	struct mb m = {};
	struct fel *e;
	char name[32];
	uint32_t i, p, r;

	p = b_pat(s, &c, ACTPLANE_MATCH_BASENAME, "fzlim", "**/fzlim");
	r = b_rule(s, &c, "fz-limit", "limit case");
	switch (which) {
	case L_LABELS:
		for (i = 0; i < ACTPLANE_MAX_LABELS + (uint32_t)over; i++) {
			snprintf(name, sizeof(name), "fz_lim%u", i);
			b_label(s, &c, name);
		}
		break;
	case L_GATES:
		for (i = 0; i < 256 + (uint32_t)over; i++) {
			e = fs_add(s, ACTPLANE_ELEM_GATE);
			fe_u32(e, ACTPLANE_E_OP, ACTPLANE_OP_EXEC);
			fe_u32(e, ACTPLANE_E_TARGET, p);
		}
		break;
	case L_LINEAGES:
		for (i = 0; i < 64 + (uint32_t)over; i++)
			fe_u32(fs_add(s, ACTPLANE_ELEM_LINEAGE), ACTPLANE_E_TARGET, p);
		break;
	case L_ARGS:
		e = b_clause(s, r, ACTPLANE_EFFECT_BLOCK, ACTPLANE_OP_EXEC, ACTPLANE_TARGET_EXEC, p);
		argv_list(&m, 64 + over, "arg");
		fe_mb(e, ACTPLANE_E_ARGV | NLA_F_NESTED, &m);
		break;
	case L_UNLESS:
		e = b_clause(s, r, ACTPLANE_EFFECT_BLOCK, ACTPLANE_OP_EXEC, ACTPLANE_TARGET_EXEC, p);
		for (i = 0; i < 32 + (uint32_t)over; i++)
			cond(&m, ACTPLANE_COND_TARGET, (int)(i & 1), ACTPLANE_TARGET_EXEC, p);
		fe_mb(e, ACTPLANE_E_UNLESS | NLA_F_NESTED, &m);
		break;
	case L_EXPR_LEN:
		e = b_clause(s, r, ACTPLANE_EFFECT_BLOCK, ACTPLANE_OP_EXEC, ACTPLANE_TARGET_EXEC, p);
		mb_put(&m, (uint8_t[]){ ACTPLANE_EXPR_TRUE, 0 }, 2);
		for (i = 1; i < 128 + (uint32_t)over; i++)
			mb_put(&m, (uint8_t[]){ ACTPLANE_EXPR_NOT, 0 }, 2);
		fe_mb(e, ACTPLANE_E_EXPR, &m);
		break;
	case L_EXPR_DEPTH:
		e = b_clause(s, r, ACTPLANE_EFFECT_BLOCK, ACTPLANE_OP_EXEC, ACTPLANE_TARGET_EXEC, p);
		for (i = 0; i < 16 + (uint32_t)over; i++)
			mb_put(&m, (uint8_t[]){ ACTPLANE_EXPR_TRUE, 0 }, 2);
		for (i = 1; i < 16 + (uint32_t)over; i++)
			mb_put(&m, (uint8_t[]){ ACTPLANE_EXPR_AND, 0 }, 2);
		fe_mb(e, ACTPLANE_E_EXPR, &m);
		break;
	case L_MAX:
		break;
	}
	free(m.p);
}

static void fixed_cases(unsigned long nrules)
{
	struct fz_sock *s = &socks[0], *o = &socks[1];
	struct fstream st = {};
	char why[1024] = "";
	int ret, bad = -1, w, over, ok = 1;
	uint32_t i;
	unsigned long bytes = 0;
	struct mb b = {};

	/* the valid stream stages cleanly (never committed) */
	build_valid(&st);
	ret = stage(s, &st, &bad);
	ktap_result(ret == 0, "fuzz: the hand-built valid policy stages cleanly (never committed)",
		    "ADD of element %d failed: %d (%s) \"%s\"", bad, ret, strerror(-ret), last_extack);
	fs_free(&st);
	fz_reopen(s);

	/*
	 * An element list that ends mid-element (a truncated or garbled tail in
	 * ACTPLANE_A_ELEMS) must void the load, not be silently cut short.
	 */
	{
		static const struct {
			const char *what;
			uint8_t tail[4];
		} tails[] = {
			{ "an element header claiming 64 bytes", { 64, 0, ACTPLANE_A_ELEM, 0x80 } },
			{ "an attribute header with nla_len 0", { 0, 0, 0, 0 } },
			{ "an attribute header with nla_len 2", { 2, 0, ACTPLANE_A_ELEM, 0x80 } },
		};
		struct fel e = {};
		size_t off;

		why[0] = 0;
		fe_u32(&e, ACTPLANE_E_KIND, ACTPLANE_ELEM_LABEL);
		fe_str(&e, ACTPLANE_E_NAME, "fz_tail");
		for (w = 0; w < (int)(sizeof(tails) / sizeof(tails[0])); w++) {
			ret = simple(s, ACTPLANE_CMD_POLICY_BEGIN);
			msg_init(&b, ACTPLANE_CMD_POLICY_ADD, REQ);
			off = at_start(&b, ACTPLANE_A_ELEMS | NLA_F_NESTED);
			put_elem(&b, &e);
			mb_put(&b, tails[w].tail, 4);
			at_end(&b, off);
			msg_done(&b);
			ret = ret ?: fz_xact(s, &b, NULL, NULL);
			if (ret == 0) {
				snprintf(why + strlen(why), sizeof(why) - strlen(why),
					 "%sPOLICY_ADD with one element followed by %s was accepted",
					 why[0] ? "; " : "", tails[w].what);
				if (w == 0)
					hexdump("accepted request", b.p, b.len);
			}
			fz_reopen(s);	/* drop whatever was staged; never committed */
		}
		fe_free(&e);
		ktap_result(!why[0], "fuzz: an element list that ends mid-element is refused", "%s", why);
		why[0] = 0;
	}

	/* limits: at the limit stages, one over is refused naming the element */
	for (w = 0; w < L_MAX; w++) {
		for (over = 0; over <= 1; over++) {
			build_limit(&st, (enum lim)w, over);
			ret = stage(s, &st, NULL);
			if (over && (ret != -EINVAL && ret != -ERANGE && ret != -E2BIG)) {
				ok = 0;
				snprintf(why + strlen(why), sizeof(why) - strlen(why),
					 "%s+1 gave %d; ", lim_names[w], ret);
			} else if (!over && ret) {
				ok = 0;
				snprintf(why + strlen(why), sizeof(why) - strlen(why),
					 "%s at the limit gave %d \"%s\"; ", lim_names[w], ret, last_extack);
			}
			if (over)
				printf("# one over the limit of %s: %s\n", lim_names[w], last_extack);
			if (over && simple(s, ACTPLANE_CMD_POLICY_COMMIT) == 0) {
				ok = 0;
				n_commit_ok++;
				snprintf(why + strlen(why), sizeof(why) - strlen(why),
					 "commit after %s+1 succeeded; ", lim_names[w]);
			}
			n_commit_tried += over;
			fs_free(&st);
			fz_reopen(s);
		}
	}
	ktap_result(ok, "fuzz: limits (64 labels, 256 gates, 64 lineages, 64 args, 32 unless, "
		    "128 insns, depth 16) stage; one over is refused", "%s", why);

	/* many rules staged, then dropped when the socket closes */
	{
		struct counts c = {};
		char path[64], name[32];
		struct snap with_s, with_both, after_s, after;

		for (i = 0; i < nrules; i++) {
			uint32_t p, r;

			snprintf(path, sizeof(path), "/tmp/apfz/rules/t%u", i);
			snprintf(name, sizeof(name), "fz-r%u", i);
			p = b_pat(&st, &c, ACTPLANE_MATCH_EXACT, path, path);
			r = b_rule(&st, &c, name, "staged by the fuzzer");
			b_clause(&st, r, ACTPLANE_EFFECT_BLOCK, ACTPLANE_OP_EXEC, ACTPLANE_TARGET_EXEC, p);
		}
		/*
		 * STATUS over o counts the sockets staging (this phase runs
		 * alone; phase a may have left o a staging area of its own)
		 */
		fz_reopen(o);
		ret = stage(s, &st, &bad);
		take_snap(o, &with_s);
		w = simple(o, ACTPLANE_CMD_POLICY_BEGIN);	/* o stages its own */
		take_snap(o, &with_both);
		fz_reopen(s);
		take_snap(o, &after_s);
		fz_reopen(o);
		take_snap(o, &after);
		ktap_result(ret == 0 && w == 0 && with_s.staging >= 1 &&
			    with_both.staging == with_s.staging + 1 &&
			    after_s.staging == with_s.staging &&
			    after_s.staging_bytes < with_s.staging_bytes &&
			    after.staging == with_s.staging - 1,
			    "fuzz: a many-rule policy stages beside another socket's, and is dropped when "
			    "its socket closes",
			    "stage %d \"%s\", second socket %d (want 0); staging sockets %u, with the "
			    "second %u, after closing the first %u (%llu -> %llu bytes), after both %u",
			    ret, last_extack, w, with_s.staging, with_both.staging, after_s.staging,
			    (unsigned long long)with_s.staging_bytes,
			    (unsigned long long)after_s.staging_bytes, after.staging);
		printf("# staged %lu rules (%d elements)\n", nrules, st.n);
		fs_free(&st);
	}

	/* more than 64 MiB staged: refused with E2BIG, and the commit fails */
	{
		static char because[4096];
		size_t off;
		int n = 0;

		memset(because, 'b', sizeof(because) - 1);
		ret = simple(s, ACTPLANE_CMD_POLICY_BEGIN);
		while (!ret && bytes < (100UL << 20)) {
			msg_init(&b, ACTPLANE_CMD_POLICY_ADD, REQ);
			off = at_start(&b, ACTPLANE_A_ELEMS | NLA_F_NESTED);
			while (b.len < FZ_CHUNK) {
				char name[32];
				struct fel e = {};

				snprintf(name, sizeof(name), "fz-big%d", n++);
				fe_u32(&e, ACTPLANE_E_KIND, ACTPLANE_ELEM_RULE);
				fe_str(&e, ACTPLANE_E_NAME, name);
				fe_str(&e, ACTPLANE_E_BECAUSE, because);
				put_elem(&b, &e);
				fe_free(&e);
			}
			at_end(&b, off);
			msg_done(&b);
			bytes += b.len;
			ret = fz_xact(s, &b, NULL, NULL);
		}
		printf("# staged %lu MiB in %d rules before: %d \"%s\"\n", bytes >> 20, n, ret, last_extack);
		w = simple(s, ACTPLANE_CMD_POLICY_COMMIT);
		n_commit_tried++;
		if (w == 0)
			n_commit_ok++;
		ktap_result(ret == -E2BIG && w == -ENOENT,
			    "fuzz: staging more than 64 MiB is refused (E2BIG) and voids the load",
			    "last ADD %d \"%s\" after %lu MiB, commit %d", ret, last_extack, bytes >> 20, w);
		fz_reopen(s);
	}
	free(b.p);
}

/* ---- phase (c): concurrent clients ------------------------------------------------ */

static void *watchdog(void *arg)
{
	int i;

	for (;;) {
		sleep(5);
		for (i = 0; i < 17; i++) {
			time_t t = __atomic_load_n(&inflight[i].since, __ATOMIC_ACQUIRE);

			if (t && time(NULL) - t > 30 && !inflight[i].reported) {
				inflight[i].reported = 1;
				printf("# thread %d: request in flight for %ld s\n", i, (long)(time(NULL) - t));
				hexdump("stuck request", inflight[i].p, inflight[i].len);
			}
		}
	}
	return arg;
}

struct worker {
	int slot;
	pthread_t tid;
	unsigned long seed, budget;
	const struct fstream *valid;
	struct fz_sock pair[2];
};

/*
 * Each thread: its own sockets, random requests (state changers poisoned as
 * in phase a), staging rounds as in phase b, and socket closes, racing the
 * other threads' BEGIN/ADD/close (the module's ops run in parallel).
 */
static void *worker_main(void *arg)
{
	struct worker *w = arg;
	struct mb b = {};

	rs = w->seed;
	slot = w->slot;
	fz_open(&w->pair[0]);
	fz_open(&w->pair[1]);
	while (t_sent < w->budget) {
		switch (rnd(8)) {
		case 0: case 1: case 2:
			phase_a_one(&w->pair[rnd(2)], &b);
			break;
		case 3:
			fz_reopen(&w->pair[rnd(2)]);
			break;
		default:
			phase_b_round(w->pair, w->valid, w->budget - t_sent);
			break;
		}
	}
	fz_close(&w->pair[0]);
	fz_close(&w->pair[1]);
	free(b.p);
	return NULL;
}

/* ---- main ------------------------------------------------------------------------ */

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
	unsigned long count = 100000, nrules = 10000, seed = 1, i, na, nb, sent;
	int threads = 3, c, k, ret;
	double t0, tmax = 0, ta, tb;
	struct worker w[16] = {};
	struct snap before, after;
	struct fstream valid = {};
	struct ap_nl *nl;
	struct mb b = {};
	char err[256];

	if (getenv("AP_FUZZ_SEED"))
		seed = strtoul(getenv("AP_FUZZ_SEED"), NULL, 0);
	if (getenv("AP_FUZZ_MSGS"))
		count = strtoul(getenv("AP_FUZZ_MSGS"), NULL, 0);
	if (getenv("AP_FUZZ_RULES"))
		nrules = strtoul(getenv("AP_FUZZ_RULES"), NULL, 0);
	while ((c = getopt(argc, argv, "s:n:r:t:j:")) != -1) {
		switch (c) {
		case 's': seed = strtoul(optarg, NULL, 0); break;
		case 'n': count = strtoul(optarg, NULL, 0); break;
		case 'r': nrules = strtoul(optarg, NULL, 0); break;
		case 't': tmax = strtod(optarg, NULL); break;
		case 'j': threads = atoi(optarg); break;
		default:
			fprintf(stderr, "usage: nl_fuzz [-s SEED] [-n COUNT] [-r RULES] [-t SECONDS] "
				"[-j THREADS]\n");
			return 2;
		}
	}
	if (threads < 0 || threads > 16)
		threads = 3;
	rs = seed;
	setvbuf(stdout, NULL, _IOLBF, 0);
	{
		pthread_t wd;

		if (pthread_create(&wd, NULL, watchdog, NULL) == 0)
			pthread_detach(wd);
	}
	nl = ap_nl_open(err, sizeof(err));
	if (!nl) {
		ktap_result(0, "fuzz: open the actplane family", "%s", err);
		return ktap_exit();
	}
	family = ap_nl_family(nl);
	ap_nl_close(nl);
	for (k = 0; k < FZ_NSOCK; k++)
		fz_open(&socks[k]);
	printf("# nl_fuzz: seed %lu, %lu messages, %lu staged rules, %d threads, family %d\n", seed,
	       count, nrules, threads, family);

	ret = take_snap(&socks[0], &before);
	if (ret) {
		ktap_result(0, "fuzz: STATUS before the run", "%d", ret);
		return ktap_exit();
	}
	printf("# before: policy '%s' generation %llu, %u rules\n", before.name,
	       (unsigned long long)before.generation, before.count);
	clear_safe = 1;
	for (k = ACTPLANE_MEM_A_PROCS; k <= ACTPLANE_MEM_A_BYTES; k++)
		clear_safe &= before.mem[k] == 0;
	printf("# LABEL_CLEAR %s\n", clear_safe ? "sent unpoisoned half the time (nothing is labeled)"
						 : "always poisoned (labeled objects exist)");

	/* (a) random attributes on every command: 55% of the messages */
	t0 = now();
	na = count * 55 / 100;
	nb = count * 85 / 100;
	for (i = 0; i < na; i++) {
		struct fz_sock *s = &socks[one_in(50) ? rnd(FZ_NSOCK) : 0];

		phase_a_one(s, &b);
		if (one_in(2000))
			fz_reopen(&socks[rnd(FZ_NSOCK)]);
		if (tmax && (i & 255) == 0 && now() - t0 > tmax * 0.5)
			break;
	}
	sent = n_sent;
	ta = now() - t0;
	printf("# phase a: %lu messages in %.1f s\n", sent, ta);

	/* (b) fixed cases, then mutated element streams: up to 85% */
	for (k = 0; k < FZ_NSOCK; k++)
		fz_reopen(&socks[k]);
	t0 = now();
	fixed_cases(nrules);
	build_valid(&valid);
	while (n_sent < nb || n_rounds < 200) {
		phase_b_round(socks, &valid, nb > n_sent ? nb - n_sent : 50);
		if (tmax && now() - t0 + ta > tmax * 0.85)
			break;
	}
	tb = now() - t0;
	printf("# phase b: %lu messages in %.1f s, %lu staging rounds, %lu voided, "
	       "%lu ownership checks\n", n_sent - sent, tb, n_rounds, n_voided, n_live_checks);

	/* (c) the rest from concurrent clients */
	for (k = 0; k < FZ_NSOCK; k++)
		fz_reopen(&socks[k]);
	sent = n_sent;
	t0 = now();
	for (k = 0; k < threads; k++) {
		w[k].seed = seed * 1000003 + (unsigned long)k + 1;
		w[k].budget = count > n_sent ? (count - sent) / (unsigned long)threads + 1 : 100;
		w[k].valid = &valid;
		w[k].slot = k + 1;
		if (pthread_create(&w[k].tid, NULL, worker_main, &w[k])) {
			perror("pthread_create");
			return 2;
		}
	}
	for (k = 0; k < threads; k++)
		pthread_join(w[k].tid, NULL);
	fs_free(&valid);
	printf("# phase c: %lu messages from %d threads in %.1f s\n", n_sent - sent, threads,
	       now() - t0);

	/* summary */
	printf("# answers by errno:");
	for (k = 0; k <= FZ_MAX_ERRNO; k++)
		if (n_errno[k])
			printf(" %s=%lu", k ? strerrorname_np(k) ? strerrorname_np(k) : "?" : "OK",
			       n_errno[k]);
	printf(" other=%lu; %lu with an ext-ack message, %lu data replies\n", n_other_errno,
	       n_extack, n_replies);
	printf("# requests by command:");
	for (k = 0; k < 256; k++)
		if (n_cmd[k])
			printf(" %d:%lu", k, n_cmd[k]);
	printf("\n# sockets opened %lu, closed %lu\n", n_opens, n_closes);

	ktap_result(n_missing == 0 && n_stray == 0 && n_send_fail == 0 && n_sent >= count,
		    "fuzz: every request answered",
		    "%lu sent (want %lu), %lu unanswered, %lu stray answers, %lu send failures",
		    n_sent, count, n_missing, n_stray, n_send_fail);
	printf("# %lu requests sent to commands 0..%d, %lu answered\n", n_sent, ACTPLANE_CMD_MAX + 3,
	       n_answered);
	ktap_result(n_poisoned_ok == 0, "fuzz: no state-changing request with an invalid attribute accepted",
		    "%lu accepted", n_poisoned_ok);
	ktap_result(n_commit_ok == 0 && n_commit_tried > 0,
		    "fuzz: no commit after a refused element succeeded",
		    "%lu of %lu commits succeeded", n_commit_ok, n_commit_tried);
	printf("# %lu commits after a refused element, all refused\n", n_commit_tried - n_commit_ok);
	ktap_result(n_ownership_bad == 0, "fuzz: staging is per socket: another socket's BEGIN and close leave it alone",
		    "%lu of %lu checks failed", n_ownership_bad, n_live_checks);

	for (k = 0; k < FZ_NSOCK; k++)
		fz_close(&socks[k]);
	fz_open(&socks[0]);
	ret = take_snap(&socks[0], &after);
	ktap_result(ret == 0, "fuzz: module answers STATUS afterwards", "STATUS returned %d", ret);
	if (!ret) {
		const char *d = snap_diff(&before, &after);

		ktap_result(!d[0], "fuzz: policy, labels, limits, sessions, label memory and staging unchanged",
			    "%s", d);
	}
	fz_close(&socks[0]);
	free(b.p);
	return ktap_exit();
}
