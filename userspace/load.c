// SPDX-License-Identifier: GPL-2.0-only
/*
 * `actplane load [--policy F] [--domain D]` and `actplane unload`:
 * compile a policy with the policy library and send it to the module as a
 * list of elements (POLICY_BEGIN, POLICY_ADD..., POLICY_COMMIT).  The module
 * swaps it in atomically; on any error the previous policy stays in force
 * and the kernel's extended-ACK message names the bad element.
 */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>
#include <netlink/genl/genl.h>
#include <netlink/genl/ctrl.h>
#include "args.h"
#include "cmd.h"
#include "common.h"
#include "escape.h"
#include "nl.h"
#include "load.h"
#include "blake2b.h"
#include "policy/policy.h"

#define AP_CHUNK_BYTES	(48 * 1024)	/* elements per POLICY_ADD message */

/* room for a full message's last element: one of at most 64 KiB, with the headers */
#define AP_BUILD_BYTES	(AP_CHUNK_BYTES + 68 * 1024)

/*
 * The policy as POLICY_ADD (or SESSION_POLICY_ADD) messages, all built
 * before any is sent: the digest, which POLICY_BEGIN carries, is of their
 * elements (the payloads of their ACTPLANE_A_ELEMS, in order).  Each is
 * built in one reused buffer and kept as a copy of its own size, so the
 * tool holds about the policy's encoded size and zeroes nothing.
 */
struct ap_sender {
	int family;
	unsigned int add_cmd;	/* POLICY_ADD, or SESSION_POLICY_ADD */
	struct nlmsghdr *hdr;	/* the message being built (AP_BUILD_BYTES), or NULL */
	bool open;		/* a message is being filled */
	size_t max;
	struct nlattr *elems;
	struct nlmsghdr **msgs;	/* full ones, in order */
	size_t n_msgs, cap_msgs;
	unsigned int n_pats, n_eps;
	struct ap_blake2b_ctx hash;
	int err;
};

/*
 * Attributes written straight into the message being filled: the same
 * bytes as libnl's nla_put*() (which cost more than encoding the policy
 * itself, a call and a memset per attribute).  The first error (-EMSGSIZE:
 * the message is full) stays in s->err, and every writer does nothing once
 * it is set: a builder checks s->err once, at the end.
 */
static struct nlattr *ap_reserve(struct ap_sender *s, int type, size_t len)
{
	size_t at, total = NLA_ALIGN(NLA_HDRLEN + len);
	struct nlattr *a;

	if (s->err)
		return NULL;	/* also: no message buffer */
	at = NLMSG_ALIGN(s->hdr->nlmsg_len);
	if (total > s->max - at) {
		s->err = -EMSGSIZE;
		return NULL;
	}
	a = (struct nlattr *)((char *)s->hdr + at);
	a->nla_type = (uint16_t)type;
	a->nla_len = (uint16_t)(NLA_HDRLEN + len);
	if (len) {	/* zero the last word: the padding, the payload written over the rest */
		uint32_t zero = 0;

		memcpy((char *)a + total - sizeof(zero), &zero, sizeof(zero));
	}
	s->hdr->nlmsg_len = (uint32_t)(at + total);
	return a;
}

static void ap_put(struct ap_sender *s, int type, size_t len, const void *data)
{
	struct nlattr *a = ap_reserve(s, type, len);

	if (a)
		memcpy((char *)a + NLA_HDRLEN, data, len);
}

static void ap_put_u32(struct ap_sender *s, int type, uint32_t v)
{
	ap_put(s, type, sizeof(v), &v);
}

static void ap_put_str(struct ap_sender *s, int type, const char *str)
{
	ap_put(s, type, strlen(str) + 1, str);
}

static void ap_put_flag(struct ap_sender *s, int type)
{
	ap_reserve(s, type, 0);
}

static struct nlattr *ap_nest_start(struct ap_sender *s, int type)
{
	return ap_reserve(s, NLA_F_NESTED | type, 0);
}

/* Bytes from @start to the end of the message. */
static size_t ap_since(const struct ap_sender *s, const struct nlattr *start)
{
	return (size_t)((const char *)s->hdr + s->hdr->nlmsg_len - (const char *)start);
}

static void ap_nest_end(struct ap_sender *s, struct nlattr *start)
{
	size_t len;

	if (!start)
		return;	/* never started: s->err says why */
	len = ap_since(s, start);
	if (len > UINT16_MAX)	/* an attribute's length is 16 bits */
		s->err = s->err ?: -EMSGSIZE;
	else
		start->nla_len = (uint16_t)len;
}

/* The message being filled is complete: into the digest and the list. */
static void ap_close_chunk(struct ap_sender *s)
{
	struct nlmsghdr *full;

	if (!s->open || s->err)
		return;
	ap_nest_end(s, s->elems);
	if (s->n_msgs == s->cap_msgs) {
		size_t cap = s->cap_msgs ? 2 * s->cap_msgs : 8;
		struct nlmsghdr **v = realloc(s->msgs, cap * sizeof(*v));

		if (!v) {
			s->err = -ENOMEM;
			return;
		}
		s->msgs = v;
		s->cap_msgs = cap;
	}
	full = malloc(s->hdr->nlmsg_len);
	if (!full) {
		s->err = -ENOMEM;
		return;
	}
	memcpy(full, s->hdr, s->hdr->nlmsg_len);
	ap_blake2b_update(&s->hash, nla_data(s->elems), (size_t)nla_len(s->elems));
	s->msgs[s->n_msgs++] = full;
	s->open = false;
}

static void ap_sender_free(struct ap_sender *s)
{
	size_t i;

	for (i = 0; i < s->n_msgs; i++)
		free(s->msgs[i]);
	free(s->msgs);
	free(s->hdr);
	memset(s, 0, sizeof(*s));
}

/* A new POLICY_ADD (or SESSION_POLICY_ADD) message, its element list open. */
static void ap_open_chunk(struct ap_sender *s)
{
	struct genlmsghdr *g;

	if (!s->hdr) {
		s->hdr = malloc(AP_BUILD_BYTES);
		if (!s->hdr) {
			s->err = -ENOMEM;
			return;
		}
		s->max = AP_BUILD_BYTES;
	}
	/* as genlmsg_put(): port and sequence number filled in when sent */
	*s->hdr = (struct nlmsghdr){ .nlmsg_len = NLMSG_HDRLEN + GENL_HDRLEN,
				     .nlmsg_type = (uint16_t)s->family,
				     .nlmsg_flags = NLM_F_ACK | NLM_F_REQUEST };
	g = nlmsg_data(s->hdr);
	*g = (struct genlmsghdr){ .cmd = (uint8_t)s->add_cmd, .version = ACTPLANE_GENL_VERSION };
	s->open = true;
	s->elems = ap_nest_start(s, ACTPLANE_A_ELEMS);
}

/* Start an element (a new message when the current one is full). */
static struct nlattr *ap_elem(struct ap_sender *s, unsigned int kind)
{
	struct nlattr *e;

	if (s->err)
		return NULL;
	if (s->open && nlmsg_datalen(s->hdr) > AP_CHUNK_BYTES)
		ap_close_chunk(s);
	if (!s->err && !s->open)
		ap_open_chunk(s);
	e = ap_nest_start(s, ACTPLANE_A_ELEM);
	ap_put_u32(s, ACTPLANE_E_KIND, kind);
	return s->err ? NULL : e;
}

/*
 * End element @e.  A large element that takes the message's element list
 * past what its 16-bit length can say moves to a message of its own.
 */
static void ap_elem_end(struct ap_sender *s, struct nlattr *e)
{
	size_t len;
	void *copy;

	if (!e || s->err)
		return;
	ap_nest_end(s, e);
	if (s->err || ap_since(s, s->elems) <= UINT16_MAX)
		return;
	len = ap_since(s, e);
	copy = malloc(len);
	if (!copy) {
		s->err = -ENOMEM;
		return;
	}
	memcpy(copy, e, len);
	s->hdr->nlmsg_len = (uint32_t)((char *)e - (char *)s->hdr);
	ap_close_chunk(s);
	if (!s->err)
		ap_open_chunk(s);
	if (!s->err)
		ap_put(s, NLA_F_NESTED | ACTPLANE_A_ELEM, len - NLA_HDRLEN,
		       (char *)copy + NLA_HDRLEN);
	free(copy);
}

static unsigned int ap_put_pattern(struct ap_sender *s, const struct ap_matcher *m)
{
	struct nlattr *e = ap_elem(s, ACTPLANE_ELEM_PATTERN);

	ap_put_u32(s, ACTPLANE_E_CLASS, m->cls);
	ap_put_str(s, ACTPLANE_E_LITERAL, m->literal ? m->literal : "");
	ap_put_str(s, ACTPLANE_E_GLOB, m->glob);
	ap_elem_end(s, e);
	return s->n_pats++;
}

static unsigned int ap_put_endpoint(struct ap_sender *s, const struct ap_endpoint *ep)
{
	struct nlattr *e = ap_elem(s, ACTPLANE_ELEM_ENDPOINT);

	ap_put_u32(s, ACTPLANE_E_FAMILY, (uint32_t)ep->family);
	if (ep->family) {
		ap_put(s, ACTPLANE_E_ADDR, ep->family == AF_INET ? 4 : 16, ep->addr);
		ap_put_u32(s, ACTPLANE_E_PREFIX, ep->prefix_len);
	}
	ap_put_u32(s, ACTPLANE_E_PORT, ep->port);
	ap_elem_end(s, e);
	return s->n_eps++;
}

/* A target: its pattern or endpoint element, sent just before its user. */
static void ap_put_target(struct ap_sender *s, const struct ap_target *t, unsigned int *kind,
			  unsigned int *idx)
{
	*kind = (unsigned int)t->kind;
	*idx = t->kind == AP_TARGET_ENDPOINT ? ap_put_endpoint(s, &t->ep)
					     : ap_put_pattern(s, &t->path);
}

static void ap_put_argv(struct ap_sender *s, char **argv, size_t argc)
{
	struct nlattr *n;
	size_t i;

	if (!argc)
		return;
	n = ap_nest_start(s, ACTPLANE_E_ARGV);
	for (i = 0; i < argc && !s->err; i++)
		ap_put_str(s, ACTPLANE_E_ARG, argv[i]);
	ap_nest_end(s, n);
}

/* Build @p's messages into @s (family and add_cmd set); 0 or -errno. */
static int ap_build_policy(struct ap_sender *s, const struct ap_policy *p)
{
	struct nlattr *e;
	size_t i, j;

	for (i = 0; i < p->n_labels; i++) {
		e = ap_elem(s, ACTPLANE_ELEM_LABEL);
		ap_put_str(s, ACTPLANE_E_NAME, p->labels[i].name);
		ap_elem_end(s, e);
	}
	for (i = 0; i < p->n_sources; i++) {
		unsigned int kind, idx;

		ap_put_target(s, &p->sources[i].target, &kind, &idx);
		e = ap_elem(s, ACTPLANE_ELEM_SOURCE);
		ap_put_u32(s, ACTPLANE_E_TARGET_KIND, kind);
		ap_put_u32(s, ACTPLANE_E_TARGET, idx);
		ap_put_u32(s, ACTPLANE_E_LABEL, p->sources[i].label);
		if (p->sources[i].session_root)
			ap_put_flag(s, ACTPLANE_E_SESSION_ROOT);
		ap_elem_end(s, e);
	}
	for (i = 0; i < p->n_transforms; i++) {
		unsigned int pat = ap_put_pattern(s, &p->transforms[i].exec);

		e = ap_elem(s, ACTPLANE_ELEM_TRANSFORM);
		ap_put_u32(s, ACTPLANE_E_TRANSFORM, p->transforms[i].kind);
		ap_put_u32(s, ACTPLANE_E_LABEL, p->transforms[i].label);
		ap_put_u32(s, ACTPLANE_E_TARGET, pat);
		ap_elem_end(s, e);
	}
	for (i = 0; i < p->n_gates; i++) {
		unsigned int pat = ap_put_pattern(s, &p->gates[i].match);

		e = ap_elem(s, ACTPLANE_ELEM_GATE);
		ap_put_u32(s, ACTPLANE_E_OP, p->gates[i].op);
		ap_put_u32(s, ACTPLANE_E_TARGET, pat);
		ap_put_argv(s, p->gates[i].argv, p->gates[i].argc);
		if (p->gates[i].exit_status >= 0)
			ap_put_u32(s, ACTPLANE_E_EXIT_STATUS, (unsigned int)p->gates[i].exit_status);
		ap_elem_end(s, e);
	}
	for (i = 0; i < p->n_invalidators; i++) {
		unsigned int pat = ap_put_pattern(s, &p->invalidators[i].match);

		e = ap_elem(s, ACTPLANE_ELEM_INVALIDATOR);
		ap_put_u32(s, ACTPLANE_E_GATE, p->invalidators[i].gate);
		ap_put_u32(s, ACTPLANE_E_OP, p->invalidators[i].op);
		ap_put_u32(s, ACTPLANE_E_TARGET, pat);
		ap_put_argv(s, p->invalidators[i].argv, p->invalidators[i].argc);
		ap_elem_end(s, e);
	}
	for (i = 0; i < p->n_lineages; i++) {
		unsigned int pat = ap_put_pattern(s, &p->lineages[i].exec);

		e = ap_elem(s, ACTPLANE_ELEM_LINEAGE);
		ap_put_u32(s, ACTPLANE_E_TARGET, pat);
		ap_elem_end(s, e);
	}
	for (i = 0; i < p->n_rules; i++) {
		const struct ap_rule *r = &p->rules[i];

		e = ap_elem(s, ACTPLANE_ELEM_RULE);
		ap_put_str(s, ACTPLANE_E_NAME, r->name);
		ap_put_str(s, ACTPLANE_E_BECAUSE, r->because ? r->because : "");
		ap_elem_end(s, e);
		for (j = 0; j < r->n_clauses; j++) {
			const struct ap_clause *c = &r->clauses[j];
			unsigned int kind, idx, ck[AP_MAX_UNLESS], ci[AP_MAX_UNLESS];
			uint8_t expr[2 * AP_EXPR_MAX_INSNS];
			size_t k, n_unless = c->n_unless;

			if (n_unless > AP_MAX_UNLESS) {	/* the compiler refuses more */
				s->err = -E2BIG;
				break;
			}

			ap_put_target(s, &c->target, &kind, &idx);
			for (k = 0; k < n_unless; k++) {
				ck[k] = 0;
				ci[k] = 0;
				if (c->unless[k].kind == AP_COND_TARGET)
					ap_put_target(s, &c->unless[k].target, &ck[k], &ci[k]);
			}
			e = ap_elem(s, ACTPLANE_ELEM_CLAUSE);
			if (!e)
				break;
			ap_put_u32(s, ACTPLANE_E_RULE, (unsigned int)i);
			ap_put_u32(s, ACTPLANE_E_EFFECT, c->effect);
			ap_put_u32(s, ACTPLANE_E_OP, c->op);
			ap_put_u32(s, ACTPLANE_E_TARGET_KIND, kind);
			ap_put_u32(s, ACTPLANE_E_TARGET, idx);
			ap_put_argv(s, c->argv, c->argc);
			if (c->expr_len && c->expr_len <= 128) {
				for (k = 0; k < c->expr_len; k++) {
					expr[2 * k] = c->expr[k].op;
					expr[2 * k + 1] = c->expr[k].bit;
				}
				ap_put(s, ACTPLANE_E_EXPR, 2 * c->expr_len, expr);
			}
			if (n_unless) {
				struct nlattr *u = ap_nest_start(s, ACTPLANE_E_UNLESS);

				for (k = 0; k < n_unless && !s->err; k++) {
					const struct ap_cond *cd = &c->unless[k];
					struct nlattr *cn = ap_nest_start(s, ACTPLANE_E_COND);

					ap_put_u32(s, ACTPLANE_E_COND_KIND, cd->kind);
					if (cd->negate)
						ap_put_flag(s, ACTPLANE_E_NEGATE);
					if (cd->kind == AP_COND_TARGET) {
						ap_put_u32(s, ACTPLANE_E_TARGET_KIND, ck[k]);
						ap_put_u32(s, ACTPLANE_E_TARGET, ci[k]);
					} else {
						ap_put_u32(s, ACTPLANE_E_ARG_ID, cd->id);
					}
					ap_nest_end(s, cn);
				}
				ap_nest_end(s, u);
			}
			ap_elem_end(s, e);
		}
	}
	ap_close_chunk(s);
	return s->err;
}

/*
 * Build @p's messages on @s and its digest: BLAKE2b-256 of its elements as
 * the module is sent them (not the file name, which POLICY_BEGIN carries),
 * so the same file compiled from anywhere by this tool gives the same
 * digest.  `actplane run` without root compares it with the loaded
 * policy's.  0, or -ENOMEM / -EMSGSIZE (said on stderr).
 */
static int ap_encode_policy(struct ap_sender *s, const struct ap_policy *p,
			    uint8_t digest[ACTPLANE_POLICY_DIGEST_LEN])
{
	int ret;

	ap_blake2b_init(&s->hash, ACTPLANE_POLICY_DIGEST_LEN);
	ret = ap_build_policy(s, p);
	if (ret == -EMSGSIZE)
		ap_err("the policy has an element too large for a netlink message");
	else if (ret)
		ap_err("out of memory encoding the policy");
	else
		ap_blake2b_final(&s->hash, digest);
	return ret;
}

/* 0, or -ENOMEM / -EMSGSIZE (said on stderr). */
int ap_policy_digest(const struct ap_policy *p, uint8_t out[ACTPLANE_POLICY_DIGEST_LEN])
{
	struct ap_sender s = {};
	int ret = ap_encode_policy(&s, p, out);

	ap_sender_free(&s);
	return ret;
}

struct begin_req {
	const char *name;
	uint8_t digest[ACTPLANE_POLICY_DIGEST_LEN];
};

static int put_begin(struct nl_msg *msg, void *arg)
{
	const struct begin_req *b = arg;

	if (b->name && nla_put_string(msg, ACTPLANE_A_POLICY_NAME, b->name))
		return -EMSGSIZE;
	if (nla_put(msg, ACTPLANE_A_POLICY_DIGEST, sizeof(b->digest), b->digest))
		return -EMSGSIZE;
	return 0;
}

/*
 * Stage @p on @nl: @begin_cmd (with its name and digest), then its
 * messages.  0 or -errno, said on stderr as @what.
 */
static int ap_stage_policy(struct ap_nl *nl, const struct ap_policy *p, const char *name,
			   uint8_t begin_cmd, unsigned int add_cmd, const char *what,
			   struct ap_load_times *t)
{
	struct ap_sender s = { .family = ap_nl_family(nl), .add_cmd = add_cmd };
	struct begin_req b = { .name = name };
	uint64_t t0 = ap_now_ns(), t1;
	size_t i;
	int ret;

	ret = ap_encode_policy(&s, p, b.digest);
	if (ret)
		goto out;
	t1 = ap_now_ns();
	ret = ap_nl_call(nl, begin_cmd, put_begin, NULL, &b);
	for (i = 0; !ret && i < s.n_msgs; i++) {
		struct nl_msg *m = nlmsg_convert(s.msgs[i]);

		ret = m ? ap_nl_call_raw(nl, m, NULL, NULL) : -ENOMEM;
		nlmsg_free(m);
	}
	if (t) {
		t->build_ns = t1 - t0;
		t->stage_ns = ap_now_ns() - t1;
	}
	if (ret)
		ap_nl_perror(nl, what, ret);
out:
	ap_sender_free(&s);
	return ret;
}

/* Load @p as the machine's policy; with @t, how long the parts took. */
int ap_load_policy_timed(const struct ap_policy *p, const char *name, struct ap_load_times *t)
{
	struct ap_nl *nl;
	char err[256];
	uint64_t t0;
	int ret;

	nl = ap_nl_open(err, sizeof(err));
	if (!nl) {
		ap_err("%s", err);
		return -ENOENT;
	}
	ret = ap_stage_policy(nl, p, name, ACTPLANE_CMD_POLICY_BEGIN, ACTPLANE_CMD_POLICY_ADD,
			      "load", t);
	if (!ret) {
		t0 = ap_now_ns();
		ret = ap_nl_call(nl, ACTPLANE_CMD_POLICY_COMMIT, NULL, NULL, NULL);
		if (t)
			t->commit_ns = ap_now_ns() - t0;
		if (ret)
			ap_nl_perror(nl, "load", ret);
	}
	ap_nl_close(nl);	/* closing the socket drops any half-staged policy */
	return ret;
}

int ap_load_policy(const struct ap_policy *p, const char *name)
{
	return ap_load_policy_timed(p, name, NULL);
}

/*
 * Stage @p on @nl as a session policy (SESSION_CREATE with
 * ACTPLANE_A_SESSION_POLICY attaches it).  0 or -errno, said on stderr.
 */
int ap_stage_session_policy(struct ap_nl *nl, const struct ap_policy *p, const char *name)
{
	return ap_stage_policy(nl, p, name, ACTPLANE_CMD_SESSION_POLICY_BEGIN,
			       ACTPLANE_CMD_SESSION_POLICY_ADD, "session policy", NULL);
}

/*
 * Find, check and compile the policy; print diagnostics (as of a session
 * policy if @session: ap_diag_session_policy()).  NULL on error.
 */
struct ap_policy *ap_compile_policy_as(const char *file, const char *domain, char *path,
				       size_t len, bool session)
{
	struct ap_policy *p;
	struct ap_diag d;
	char cwd[PATH_MAX];

	if (file) {
		snprintf(path, len, "%s", file);
	} else if (!getcwd(cwd, sizeof(cwd)) || ap_policy_find(cwd, path, len)) {
		ap_err("no policy file: no actplane.yaml or .actplane/policy.yaml here or above "
		       "(give --policy F, or create one with 'actplane init')");
		return NULL;
	}
	ap_diag_init(&d);
	p = ap_policy_load_file(path, domain, &d);
	if (session)
		ap_diag_session_policy(&d);
	ap_diag_print(stderr, &d, isatty(2));
	ap_diag_free(&d);
	return p;
}

struct ap_policy *ap_compile_policy(const char *file, const char *domain, char *path, size_t len)
{
	return ap_compile_policy_as(file, domain, path, len, false);
}

static const struct ap_opt load_opts[] = {
	{ "policy", 'p', "FILE", NULL, "the policy file" },
	AP_OPT_DOMAIN,
	{ "timing", 't', NULL, NULL, "say how long each part of the load took" },
	{ NULL }
};

AP_COMMAND(cmd_load, .name = "load", .order = 60, .flags = AP_CMD_ROOT,
	   .args = "[--policy F | F] [--domain D] [--timing]", .help = "compile and load a policy",
	   .usage = "Usage: actplane load [--policy FILE | FILE] [--domain NAME] [--timing]\n"
		    "\n"
		    "Compile the policy (default: actplane.yaml or .actplane/policy.yaml,\n"
		    "searched upwards from here) and swap it into the module atomically.\n"
		    "Label state is kept; a failed load leaves the old policy in force.\n"
		    "--timing adds a line on stderr with the time of each part: compiling,\n"
		    "encoding for the module (with the digest), sending (the module\n"
		    "checks each element as it arrives) and the commit (the module builds\n"
		    "its indexes and swaps).  Needs root.\n",
	   .opts = load_opts);

static int cmd_load(int argc, char **argv)
{
	const char *file = NULL, *domain = NULL;
	struct ap_load_times t = {};
	bool timing = false;
	struct ap_policy *p;
	char path[PATH_MAX];
	uint64_t t0;
	int c, ret;

	while ((c = ap_getopt(&cmd_load_cmd, argc, argv)) > 0) {
		switch (c) {
		case 'p': file = optarg; break;
		case 'd': domain = optarg; break;
		case 't': timing = true; break;
		}
	}
	if (c < 0)
		return ap_opt_exit(c);
	if (optind < argc && !file)
		file = argv[optind++];
	if ((ret = ap_no_operands(&cmd_load_cmd, argc, argv)))
		return ret;
	t0 = ap_now_ns();
	p = ap_compile_policy(file, domain, path, sizeof(path));
	if (!p)
		return 1;
	t.compile_ns = ap_now_ns() - t0;
	ret = ap_load_policy_timed(p, path, &t);
	if (!ret)
		printf("loaded %s: %zu rule%s, %zu label%s\n", path, p->n_rules,
		       p->n_rules == 1 ? "" : "s", p->n_labels, p->n_labels == 1 ? "" : "s");
	if (!ret && timing)
		fprintf(stderr, "actplane: timing: compile %.3f ms, encode %.3f ms, send %.3f ms, "
			"commit %.3f ms\n", t.compile_ns / 1e6, t.build_ns / 1e6, t.stage_ns / 1e6,
			t.commit_ns / 1e6);
	ap_policy_free(p);
	return ret ? 1 : 0;
}

AP_COMMAND(cmd_unload, .name = "unload", .order = 70, .flags = AP_CMD_ROOT,
	   .args = "", .help = "remove the loaded policy",
	   .usage = "Usage: actplane unload\n"
		    "\n"
		    "Remove the loaded policy (labels and sessions stay).  Needs root.\n");

static int cmd_unload(int argc, char **argv)
{
	struct ap_nl *nl;
	int ret;

	while ((ret = ap_getopt(&cmd_unload_cmd, argc, argv)) > 0)
		;
	if (ret < 0)
		return ap_opt_exit(ret);
	if ((ret = ap_no_operands(&cmd_unload_cmd, argc, argv)))
		return ret;
	nl = ap_nl_connect();
	if (!nl)
		return 1;
	ret = ap_nl_call(nl, ACTPLANE_CMD_POLICY_CLEAR, NULL, NULL, NULL);
	if (ret)
		ap_nl_perror(nl, "unload", ret);
	else
		printf("policy removed\n");
	ap_nl_close(nl);
	return ret ? 1 : 0;
}
