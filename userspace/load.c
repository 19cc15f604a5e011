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
#include "sha256.h"
#include "policy/policy.h"

#define AP_CHUNK_BYTES	(48 * 1024)	/* elements per POLICY_ADD message */

struct ap_sender {
	struct ap_nl *nl;
	struct nl_msg *msg;
	struct nlattr *elems;
	unsigned int n_pats, n_eps;
	unsigned int add_cmd;	/* POLICY_ADD, or SESSION_POLICY_ADD */
	int err;
};

static int ap_send_chunk(struct ap_sender *s)
{
	int ret;

	if (!s->msg)
		return 0;
	nla_nest_end(s->msg, s->elems);
	ret = ap_nl_call_raw(s->nl, s->msg, NULL, NULL);
	nlmsg_free(s->msg);
	s->msg = NULL;
	if (ret)
		ap_nl_perror(s->nl, "load", ret);
	return ret;
}

/* Start an element (a new message when the current one is full). */
static struct nlattr *ap_elem(struct ap_sender *s, unsigned int kind)
{
	struct nlattr *e;

	if (s->err)
		return NULL;
	if (s->msg && nlmsg_datalen(nlmsg_hdr(s->msg)) > AP_CHUNK_BYTES)
		s->err = ap_send_chunk(s);
	if (!s->err && !s->msg) {
		s->msg = nlmsg_alloc_size(AP_CHUNK_BYTES + 64 * 1024);
		if (!s->msg || !genlmsg_put(s->msg, NL_AUTO_PORT, NL_AUTO_SEQ, ap_nl_family(s->nl), 0,
					    NLM_F_ACK | NLM_F_REQUEST,
					    s->add_cmd ?: ACTPLANE_CMD_POLICY_ADD,
					    ACTPLANE_GENL_VERSION)) {
			s->err = -ENOMEM;
			return NULL;
		}
		s->elems = nla_nest_start(s->msg, ACTPLANE_A_ELEMS);
	}
	if (s->err)
		return NULL;
	e = nla_nest_start(s->msg, ACTPLANE_A_ELEM);
	if (!e || nla_put_u32(s->msg, ACTPLANE_E_KIND, kind)) {
		s->err = -EMSGSIZE;
		return NULL;
	}
	return e;
}

static void ap_elem_end(struct ap_sender *s, struct nlattr *e)
{
	if (e && !s->err)
		nla_nest_end(s->msg, e);
}

static unsigned int ap_put_pattern(struct ap_sender *s, const struct ap_matcher *m)
{
	struct nlattr *e = ap_elem(s, ACTPLANE_ELEM_PATTERN);

	if (e && (nla_put_u32(s->msg, ACTPLANE_E_CLASS, m->cls) ||
		  nla_put_string(s->msg, ACTPLANE_E_LITERAL, m->literal ? m->literal : "") ||
		  nla_put_string(s->msg, ACTPLANE_E_GLOB, m->glob)))
		s->err = -EMSGSIZE;
	ap_elem_end(s, e);
	return s->n_pats++;
}

static unsigned int ap_put_endpoint(struct ap_sender *s, const struct ap_endpoint *ep)
{
	struct nlattr *e = ap_elem(s, ACTPLANE_ELEM_ENDPOINT);

	if (e && (nla_put_u32(s->msg, ACTPLANE_E_FAMILY, (uint32_t)ep->family) ||
		  (ep->family && nla_put(s->msg, ACTPLANE_E_ADDR, ep->family == AF_INET ? 4 : 16,
					 ep->addr)) ||
		  (ep->family && nla_put_u32(s->msg, ACTPLANE_E_PREFIX, ep->prefix_len)) ||
		  nla_put_u32(s->msg, ACTPLANE_E_PORT, ep->port)))
		s->err = -EMSGSIZE;
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

	if (!argc || s->err)
		return;
	n = nla_nest_start(s->msg, ACTPLANE_E_ARGV);
	for (i = 0; n && i < argc; i++)
		if (nla_put_string(s->msg, ACTPLANE_E_ARG, argv[i]))
			s->err = -EMSGSIZE;
	if (n)
		nla_nest_end(s->msg, n);
}

static void ap_put_u32s(struct ap_sender *s, const int *attrs, const unsigned int *vals, int n)
{
	int i;

	for (i = 0; i < n && !s->err; i++)
		if (nla_put_u32(s->msg, attrs[i], vals[i]))
			s->err = -EMSGSIZE;
}

static int ap_send_policy(struct ap_sender *s, const struct ap_policy *p)
{
	struct nlattr *e;
	size_t i, j;

	for (i = 0; i < p->n_labels; i++) {
		e = ap_elem(s, ACTPLANE_ELEM_LABEL);
		if (e && nla_put_string(s->msg, ACTPLANE_E_NAME, p->labels[i].name))
			s->err = -EMSGSIZE;
		ap_elem_end(s, e);
	}
	for (i = 0; i < p->n_sources; i++) {
		unsigned int kind, idx;

		ap_put_target(s, &p->sources[i].target, &kind, &idx);
		e = ap_elem(s, ACTPLANE_ELEM_SOURCE);
		if (e) {
			int a[] = { ACTPLANE_E_TARGET_KIND, ACTPLANE_E_TARGET, ACTPLANE_E_LABEL };
			unsigned int v[] = { kind, idx, p->sources[i].label };

			ap_put_u32s(s, a, v, 3);
			if (p->sources[i].session_root && nla_put_flag(s->msg, ACTPLANE_E_SESSION_ROOT))
				s->err = -EMSGSIZE;
		}
		ap_elem_end(s, e);
	}
	for (i = 0; i < p->n_transforms; i++) {
		unsigned int pat = ap_put_pattern(s, &p->transforms[i].exec);

		e = ap_elem(s, ACTPLANE_ELEM_TRANSFORM);
		if (e) {
			int a[] = { ACTPLANE_E_TRANSFORM, ACTPLANE_E_LABEL, ACTPLANE_E_TARGET };
			unsigned int v[] = { p->transforms[i].kind, p->transforms[i].label, pat };

			ap_put_u32s(s, a, v, 3);
		}
		ap_elem_end(s, e);
	}
	for (i = 0; i < p->n_gates; i++) {
		unsigned int pat = ap_put_pattern(s, &p->gates[i].match);

		e = ap_elem(s, ACTPLANE_ELEM_GATE);
		if (e) {
			int a[] = { ACTPLANE_E_OP, ACTPLANE_E_TARGET };
			unsigned int v[] = { p->gates[i].op, pat };

			ap_put_u32s(s, a, v, 2);
			ap_put_argv(s, p->gates[i].argv, p->gates[i].argc);
			if (p->gates[i].exit_status >= 0 && !s->err &&
			    nla_put_u32(s->msg, ACTPLANE_E_EXIT_STATUS,
					(unsigned int)p->gates[i].exit_status))
				s->err = -EMSGSIZE;
		}
		ap_elem_end(s, e);
	}
	for (i = 0; i < p->n_invalidators; i++) {
		unsigned int pat = ap_put_pattern(s, &p->invalidators[i].match);

		e = ap_elem(s, ACTPLANE_ELEM_INVALIDATOR);
		if (e) {
			int a[] = { ACTPLANE_E_GATE, ACTPLANE_E_OP, ACTPLANE_E_TARGET };
			unsigned int v[] = { p->invalidators[i].gate, p->invalidators[i].op, pat };

			ap_put_u32s(s, a, v, 3);
			ap_put_argv(s, p->invalidators[i].argv, p->invalidators[i].argc);
		}
		ap_elem_end(s, e);
	}
	for (i = 0; i < p->n_lineages; i++) {
		unsigned int pat = ap_put_pattern(s, &p->lineages[i].exec);

		e = ap_elem(s, ACTPLANE_ELEM_LINEAGE);
		if (e && nla_put_u32(s->msg, ACTPLANE_E_TARGET, pat))
			s->err = -EMSGSIZE;
		ap_elem_end(s, e);
	}
	for (i = 0; i < p->n_rules; i++) {
		const struct ap_rule *r = &p->rules[i];

		e = ap_elem(s, ACTPLANE_ELEM_RULE);
		if (e && (nla_put_string(s->msg, ACTPLANE_E_NAME, r->name) ||
			  nla_put_string(s->msg, ACTPLANE_E_BECAUSE, r->because ? r->because : "")))
			s->err = -EMSGSIZE;
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
			{
				int a[] = { ACTPLANE_E_RULE, ACTPLANE_E_EFFECT, ACTPLANE_E_OP,
					    ACTPLANE_E_TARGET_KIND, ACTPLANE_E_TARGET };
				unsigned int v[] = { (unsigned int)i, c->effect, c->op, kind, idx };

				ap_put_u32s(s, a, v, 5);
			}
			ap_put_argv(s, c->argv, c->argc);
			if (c->expr_len && c->expr_len <= 128) {
				for (k = 0; k < c->expr_len; k++) {
					expr[2 * k] = c->expr[k].op;
					expr[2 * k + 1] = c->expr[k].bit;
				}
				if (nla_put(s->msg, ACTPLANE_E_EXPR, (int)(2 * c->expr_len), expr))
					s->err = -EMSGSIZE;
			}
			if (n_unless && !s->err) {
				struct nlattr *u = nla_nest_start(s->msg, ACTPLANE_E_UNLESS);

				for (k = 0; u && k < n_unless; k++) {
					const struct ap_cond *cd = &c->unless[k];
					struct nlattr *cn = nla_nest_start(s->msg, ACTPLANE_E_COND);

					if (!cn || nla_put_u32(s->msg, ACTPLANE_E_COND_KIND, cd->kind) ||
					    (cd->negate && nla_put_flag(s->msg, ACTPLANE_E_NEGATE)) ||
					    (cd->kind == AP_COND_TARGET &&
					     (nla_put_u32(s->msg, ACTPLANE_E_TARGET_KIND, ck[k]) ||
					      nla_put_u32(s->msg, ACTPLANE_E_TARGET, ci[k]))) ||
					    (cd->kind != AP_COND_TARGET &&
					     nla_put_u32(s->msg, ACTPLANE_E_ARG_ID, cd->id))) {
						s->err = -EMSGSIZE;
						break;
					}
					nla_nest_end(s->msg, cn);
				}
				if (u)
					nla_nest_end(s->msg, u);
			}
			ap_elem_end(s, e);
		}
	}
	if (s->err) {
		if (s->err == -EMSGSIZE)
			ap_err("load: a policy element does not fit in a netlink message");
		return s->err;
	}
	return ap_send_chunk(s);
}

/*
 * What the policy means, as a digest: SHA-256 of its dump without the
 * first line (the file name as given), so the same file compiled from
 * anywhere by this tool gives the same digest.  `actplane run` without
 * root compares it with the loaded policy's.  0 or -ENOMEM.
 */
int ap_policy_digest(const struct ap_policy *p, uint8_t out[ACTPLANE_POLICY_DIGEST_LEN])
{
	char *buf = NULL, *from;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	if (!f)
		return -ENOMEM;
	ap_policy_dump_text(f, p);
	if (fclose(f) || !buf) {
		free(buf);
		return -ENOMEM;
	}
	from = strchr(buf, '\n');
	from = from ? from + 1 : buf;
	ap_sha256(from, len - (size_t)(from - buf), out);
	free(buf);
	return 0;
}

struct begin_req {
	const char *name;
	uint8_t digest[ACTPLANE_POLICY_DIGEST_LEN];
	bool has_digest;
};

static int put_begin(struct nl_msg *msg, void *arg)
{
	const struct begin_req *b = arg;

	if (b->name && nla_put_string(msg, ACTPLANE_A_POLICY_NAME, b->name))
		return -EMSGSIZE;
	if (b->has_digest && nla_put(msg, ACTPLANE_A_POLICY_DIGEST, sizeof(b->digest), b->digest))
		return -EMSGSIZE;
	return 0;
}

int ap_load_policy(const struct ap_policy *p, const char *name)
{
	struct begin_req b = {};
	struct ap_sender s = {};
	char err[256];
	int ret;

	s.nl = ap_nl_open(err, sizeof(err));
	if (!s.nl) {
		ap_err("%s", err);
		return -ENOENT;
	}
	b.name = name;
	b.has_digest = !ap_policy_digest(p, b.digest);
	ret = ap_nl_call(s.nl, ACTPLANE_CMD_POLICY_BEGIN, put_begin, NULL, &b);
	if (ret) {
		ap_nl_perror(s.nl, "load", ret);
		goto out;
	}
	ret = ap_send_policy(&s, p);
	if (s.msg)
		nlmsg_free(s.msg);
	if (ret)
		goto out;
	ret = ap_nl_call(s.nl, ACTPLANE_CMD_POLICY_COMMIT, NULL, NULL, NULL);
	if (ret)
		ap_nl_perror(s.nl, "load", ret);
out:
	ap_nl_close(s.nl);	/* closing the socket drops any half-staged policy */
	return ret;
}

/*
 * Stage @p on @nl as a session policy (SESSION_CREATE with
 * ACTPLANE_A_SESSION_POLICY attaches it).  0 or -errno, said on stderr.
 */
int ap_stage_session_policy(struct ap_nl *nl, const struct ap_policy *p, const char *name)
{
	struct begin_req b = { .name = name };
	struct ap_sender s = { .nl = nl, .add_cmd = ACTPLANE_CMD_SESSION_POLICY_ADD };
	int ret;

	b.has_digest = !ap_policy_digest(p, b.digest);
	ret = ap_nl_call(nl, ACTPLANE_CMD_SESSION_POLICY_BEGIN, put_begin, NULL, &b);
	if (ret) {
		ap_nl_perror(nl, "session policy", ret);
		return ret;
	}
	ret = ap_send_policy(&s, p);
	if (s.msg)
		nlmsg_free(s.msg);
	return ret;
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
	{ NULL }
};

AP_COMMAND(cmd_load, .name = "load", .order = 60, .flags = AP_CMD_ROOT,
	   .args = "[--policy F | F] [--domain D]", .help = "compile and load a policy",
	   .usage = "Usage: actplane load [--policy FILE | FILE] [--domain NAME]\n"
		    "\n"
		    "Compile the policy (default: actplane.yaml or .actplane/policy.yaml,\n"
		    "searched upwards from here) and swap it into the module atomically.\n"
		    "Label state is kept; a failed load leaves the old policy in force.\n"
		    "Needs root.\n",
	   .opts = load_opts);

static int cmd_load(int argc, char **argv)
{
	const char *file = NULL, *domain = NULL;
	struct ap_policy *p;
	char path[PATH_MAX];
	int c, ret;

	while ((c = ap_getopt(&cmd_load_cmd, argc, argv)) > 0) {
		switch (c) {
		case 'p': file = optarg; break;
		case 'd': domain = optarg; break;
		}
	}
	if (c < 0)
		return ap_opt_exit(c);
	if (optind < argc && !file)
		file = argv[optind++];
	if ((ret = ap_no_operands(&cmd_load_cmd, argc, argv)))
		return ret;
	p = ap_compile_policy(file, domain, path, sizeof(path));
	if (!p)
		return 1;
	ret = ap_load_policy(p, path);
	if (!ret)
		printf("loaded %s: %zu rule%s, %zu label%s\n", path, p->n_rules,
		       p->n_rules == 1 ? "" : "s", p->n_labels, p->n_labels == 1 ? "" : "s");
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
