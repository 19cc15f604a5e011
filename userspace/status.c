// SPDX-License-Identifier: GPL-2.0-only
/*
 * `actplane status`: module, enforcer and hook state over netlink, plus the
 * pinned BPF links in bpffs.  Human-readable or --json (json-c).  STATUS
 * gives the module's state; the sessions, however many, come from the
 * SESSION_DUMP dump.
 */
#include <dirent.h>
#include <errno.h>
#include <getopt.h>
#include <grp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <json-c/json.h>
#include "args.h"
#include "cmd.h"
#include "common.h"
#include "escape.h"
#include "nl.h"
#include "up.h"

#define AP_MAX_HOOKS 64

struct ap_status {
	char version[64];
	unsigned int abi;
	char enforcer[ACTPLANE_ENFORCER_NAME_LEN];
	unsigned int enforcer_state;
	char reason[160];
	int have_policy;
	char digest[2 * ACTPLANE_POLICY_DIGEST_LEN + 1];	/* hex, "" if none */
	uint64_t generation;
	unsigned int n_rules;
	char policy[4096];
	uint64_t ctr[__ACTPLANE_CTR_MAX];
	uint64_t mem[__ACTPLANE_MEM_A_MAX];
	char labels[ACTPLANE_MAX_LABELS][ACTPLANE_LABEL_NAME_LEN];
	uint32_t staging;		/* sockets staging a policy */
	int provenance;			/* recording on (1), off (0), not reported (-1) */
	uint64_t staging_bytes;
	int nsessions, cap_sessions;
	struct ap_session_row {
		unsigned int id, root, procs, parent, uid, rules;
		bool unpriv;
		char policy[64];	/* its session policy's name, "" if none */
	} *sessions;
	int have_session_cfg;		/* a module that reports who may start sessions */
	unsigned int session_gid, session_quota, session_count;
	unsigned int session_rule_quota, session_rules;
	uint64_t session_mem_quota, session_mem;
	int nhooks;
	struct {
		char name[48];
		uint64_t hits;
		int pinned;
	} hooks[AP_MAX_HOOKS];
};

static void copy_str(char *dst, size_t len, struct nlattr *a)
{
	snprintf(dst, len, "%s", a ? nla_get_string(a) : "");
}

/* Append the session described by the nest @info (enum actplane_session_attr). */
static int add_session(struct ap_status *st, struct nlattr *info)
{
	struct ap_session_row *row;
	struct nlattr *h;
	int rem;

	if (st->nsessions == st->cap_sessions) {
		int cap = st->cap_sessions ? 2 * st->cap_sessions : 64;

		row = realloc(st->sessions, (size_t)cap * sizeof(*row));
		if (!row)
			return -ENOMEM;
		st->sessions = row;
		st->cap_sessions = cap;
	}
	row = &st->sessions[st->nsessions];
	memset(row, 0, sizeof(*row));
	nla_for_each_nested(h, info, rem) {
		if (nla_len(h) != 4)
			continue;
		if (nla_type(h) == ACTPLANE_SESSION_A_ID)
			row->id = nla_get_u32(h);
		else if (nla_type(h) == ACTPLANE_SESSION_A_ROOT)
			row->root = nla_get_u32(h);
		else if (nla_type(h) == ACTPLANE_SESSION_A_PROCS)
			row->procs = nla_get_u32(h);
		else if (nla_type(h) == ACTPLANE_SESSION_A_PARENT)
			row->parent = nla_get_u32(h);
		else if (nla_type(h) == ACTPLANE_SESSION_A_UID)
			row->uid = nla_get_u32(h);
		else if (nla_type(h) == ACTPLANE_SESSION_A_RULES)
			row->rules = nla_get_u32(h);
	}
	nla_for_each_nested(h, info, rem) {
		if (nla_type(h) == ACTPLANE_SESSION_A_UNPRIV)
			row->unpriv = true;
		else if (nla_type(h) == ACTPLANE_SESSION_A_POLICY)
			copy_str(row->policy, sizeof(row->policy), h);
	}
	st->nsessions++;
	return 0;
}

/* One SESSION_DUMP message: one session. */
static int parse_session(struct nlattr **tb, void *arg)
{
	return tb[ACTPLANE_A_SESSION_INFO] ? add_session(arg, tb[ACTPLANE_A_SESSION_INFO]) : 0;
}

static int parse_status(struct nlattr **tb, void *arg)
{
	struct ap_status *st = arg;
	struct nlattr *a, *h;
	int rem, rem2;

	copy_str(st->version, sizeof(st->version), tb[ACTPLANE_A_VERSION]);
	copy_str(st->enforcer, sizeof(st->enforcer), tb[ACTPLANE_A_ENFORCER]);
	copy_str(st->reason, sizeof(st->reason), tb[ACTPLANE_A_ENFORCER_REASON]);
	st->have_policy = !!tb[ACTPLANE_A_POLICY_NAME];
	copy_str(st->policy, sizeof(st->policy), tb[ACTPLANE_A_POLICY_NAME]);
	st->generation = tb[ACTPLANE_A_GENERATION] ? nla_get_u64(tb[ACTPLANE_A_GENERATION]) : 0;
	st->n_rules = tb[ACTPLANE_A_COUNT] ? nla_get_u32(tb[ACTPLANE_A_COUNT]) : 0;
	if (tb[ACTPLANE_A_POLICY_DIGEST] &&
	    nla_len(tb[ACTPLANE_A_POLICY_DIGEST]) == ACTPLANE_POLICY_DIGEST_LEN) {
		const unsigned char *d = nla_data(tb[ACTPLANE_A_POLICY_DIGEST]);
		int k;

		for (k = 0; k < ACTPLANE_POLICY_DIGEST_LEN; k++)
			snprintf(st->digest + 2 * k, 3, "%02x", d[k]);
	}
	st->abi = tb[ACTPLANE_A_ABI] ? nla_get_u32(tb[ACTPLANE_A_ABI]) : 0;
	st->enforcer_state = tb[ACTPLANE_A_ENFORCER_STATE] ?
		nla_get_u32(tb[ACTPLANE_A_ENFORCER_STATE]) : 0;
	if (tb[ACTPLANE_A_COUNTERS])
		nla_for_each_nested(a, tb[ACTPLANE_A_COUNTERS], rem)
			if (nla_type(a) < __ACTPLANE_CTR_MAX && nla_len(a) == 8)
				st->ctr[nla_type(a)] = nla_get_u64(a);
	if (tb[ACTPLANE_A_MEMORY])
		nla_for_each_nested(a, tb[ACTPLANE_A_MEMORY], rem) {
			if (nla_type(a) >= __ACTPLANE_MEM_A_MAX)
				continue;
			st->mem[nla_type(a)] = nla_len(a) == 8 ? nla_get_u64(a) : nla_get_u32(a);
		}
	if (tb[ACTPLANE_A_LABEL_TABLE])
		nla_for_each_nested(a, tb[ACTPLANE_A_LABEL_TABLE], rem)
			if (nla_type(a) >= 1 && nla_type(a) <= ACTPLANE_MAX_LABELS)
				copy_str(st->labels[nla_type(a) - 1], ACTPLANE_LABEL_NAME_LEN, a);
	if (tb[ACTPLANE_A_SESSIONS])	/* a module of ABI 1 lists them in STATUS */
		nla_for_each_nested(a, tb[ACTPLANE_A_SESSIONS], rem)
			if (nla_type(a) == ACTPLANE_A_SESSION_INFO && add_session(st, a))
				return -ENOMEM;
	st->staging = tb[ACTPLANE_A_STAGING] ? nla_get_u32(tb[ACTPLANE_A_STAGING]) : 0;
	st->provenance = tb[ACTPLANE_A_PROVENANCE] ? (int)nla_get_u32(tb[ACTPLANE_A_PROVENANCE]) : -1;
	if (tb[ACTPLANE_A_SESSION_GID] && tb[ACTPLANE_A_SESSION_QUOTA]) {
		st->have_session_cfg = 1;
		st->session_gid = nla_get_u32(tb[ACTPLANE_A_SESSION_GID]);
		st->session_quota = nla_get_u32(tb[ACTPLANE_A_SESSION_QUOTA]);
		st->session_count = tb[ACTPLANE_A_SESSION_COUNT] ?
				    nla_get_u32(tb[ACTPLANE_A_SESSION_COUNT]) : 0;
		st->session_rule_quota = tb[ACTPLANE_A_SESSION_RULE_QUOTA] ?
					 nla_get_u32(tb[ACTPLANE_A_SESSION_RULE_QUOTA]) : 0;
		st->session_rules = tb[ACTPLANE_A_SESSION_RULES] ?
				    nla_get_u32(tb[ACTPLANE_A_SESSION_RULES]) : 0;
		st->session_mem_quota = tb[ACTPLANE_A_SESSION_MEM_QUOTA] ?
					nla_get_u64(tb[ACTPLANE_A_SESSION_MEM_QUOTA]) : 0;
		st->session_mem = tb[ACTPLANE_A_SESSION_MEM] ?
				  nla_get_u64(tb[ACTPLANE_A_SESSION_MEM]) : 0;
	}
	st->staging_bytes = tb[ACTPLANE_A_STAGING_BYTES] ?
		nla_get_u64(tb[ACTPLANE_A_STAGING_BYTES]) : 0;
	if (tb[ACTPLANE_A_HOOKS]) {
		nla_for_each_nested(a, tb[ACTPLANE_A_HOOKS], rem) {
			if (nla_type(a) != ACTPLANE_A_HOOK || st->nhooks >= AP_MAX_HOOKS)
				continue;
			nla_for_each_nested(h, a, rem2) {
				if (nla_type(h) == ACTPLANE_HOOK_A_NAME)
					copy_str(st->hooks[st->nhooks].name,
						 sizeof(st->hooks[0].name), h);
				else if (nla_type(h) == ACTPLANE_HOOK_A_HITS && nla_len(h) == 8)
					st->hooks[st->nhooks].hits = nla_get_u64(h);
			}
			st->nhooks++;
		}
	}
	return 0;
}

/* Which hook programs are pinned (attached) in bpffs. */
static void find_pins(struct ap_status *st, int *enforcer_pinned, int *other_pins)
{
	char path[512];
	int i;

	*enforcer_pinned = access(AP_PIN_ENFORCER, F_OK) == 0;
	*other_pins = 0;
	for (i = 0; i < st->nhooks; i++) {
		snprintf(path, sizeof(path), AP_PIN_DIR "/" AP_PIN_HOOK_PREFIX "%s", st->hooks[i].name);
		st->hooks[i].pinned = access(path, F_OK) == 0;
		*other_pins += st->hooks[i].pinned;
	}
}

static void print_json(const struct ap_status *st, int enforcer_pinned)
{
	json_object *o = json_object_new_object(), *e, *c, *hs, *m, *ls, *ss;
	unsigned int i;

	json_object_object_add(o, "version", json_object_new_string(st->version));
	json_object_object_add(o, "abi", json_object_new_int((int)st->abi));
	e = json_object_new_object();
	json_object_object_add(e, "name", json_object_new_string(st->enforcer));
	json_object_object_add(e, "state",
			       json_object_new_string(ap_enforcer_state_name(st->enforcer_state)));
	json_object_object_add(e, "reason", json_object_new_string(st->reason));
	json_object_object_add(e, "pinned", json_object_new_boolean(enforcer_pinned));
	json_object_object_add(o, "enforcer", e);
	if (st->have_policy) {
		json_object *p = json_object_new_object();

		json_object_object_add(p, "name", json_object_new_string(st->policy));
		json_object_object_add(p, "generation", json_object_new_uint64(st->generation));
		json_object_object_add(p, "rules", json_object_new_int((int)st->n_rules));
		json_object_object_add(p, "digest", st->digest[0] ? json_object_new_string(st->digest) : NULL);
		json_object_object_add(o, "policy", p);
	} else {
		json_object_object_add(o, "policy", NULL);
	}
	c = json_object_new_object();
	for (i = 0; i < __ACTPLANE_CTR_MAX; i++)
		if (ap_counter_name(i))
			json_object_object_add(c, ap_counter_name(i),
					       json_object_new_uint64(st->ctr[i]));
	json_object_object_add(o, "counters", c);
	hs = json_object_new_array();
	for (i = 0; i < (unsigned int)st->nhooks; i++) {
		json_object *h = json_object_new_object();

		json_object_object_add(h, "name", json_object_new_string(st->hooks[i].name));
		json_object_object_add(h, "attached", json_object_new_boolean(st->hooks[i].pinned));
		json_object_object_add(h, "hits", json_object_new_uint64(st->hooks[i].hits));
		json_object_array_add(hs, h);
	}
	json_object_object_add(o, "hooks", hs);
	json_object_object_add(o, "attach_mode", ap_hooks_mode() ?
			       json_object_new_string(ap_hooks_mode()) : NULL);
	json_object_object_add(o, "hook_runs_skipped", json_object_new_uint64(ap_hooks_missed()));
	m = json_object_new_object();
	json_object_object_add(m, "procs", json_object_new_uint64(st->mem[ACTPLANE_MEM_A_PROCS]));
	json_object_object_add(m, "tasks", json_object_new_uint64(st->mem[ACTPLANE_MEM_A_TASKS]));
	json_object_object_add(m, "inodes", json_object_new_uint64(st->mem[ACTPLANE_MEM_A_INODES]));
	json_object_object_add(m, "endpoints",
			       json_object_new_uint64(st->mem[ACTPLANE_MEM_A_ENDPOINTS]));
	json_object_object_add(m, "sockets", json_object_new_uint64(st->mem[ACTPLANE_MEM_A_SOCKS]));
	json_object_object_add(m, "bytes", json_object_new_uint64(st->mem[ACTPLANE_MEM_A_BYTES]));
	json_object_object_add(m, "limit", json_object_new_uint64(st->mem[ACTPLANE_MEM_A_LIMIT]));
	json_object_object_add(m, "fail_mode", json_object_new_string(
		ap_fail_mode_name(st->mem[ACTPLANE_MEM_A_FAIL_MODE])));
	json_object_object_add(m, "denied", json_object_new_uint64(st->mem[ACTPLANE_MEM_A_DENIED]));
	json_object_object_add(m, "untracked",
			       json_object_new_uint64(st->mem[ACTPLANE_MEM_A_UNTRACKED]));
	if (st->provenance >= 0) {
		json_object *p = json_object_new_object();

		json_object_object_add(p, "recording", json_object_new_boolean(st->provenance));
		json_object_object_add(p, "records",
				       json_object_new_uint64(st->mem[ACTPLANE_MEM_A_PROV_RECORDS]));
		json_object_object_add(p, "bytes",
				       json_object_new_uint64(st->mem[ACTPLANE_MEM_A_PROV_BYTES]));
		json_object_object_add(p, "limit",
				       json_object_new_uint64(st->mem[ACTPLANE_MEM_A_PROV_LIMIT]));
		json_object_object_add(p, "dropped",
				       json_object_new_uint64(st->ctr[ACTPLANE_CTR_PROV_DROPPED]));
		json_object_object_add(m, "provenance", p);
	}
	json_object_object_add(o, "memory", m);
	ls = json_object_new_object();
	for (i = 0; i < ACTPLANE_MAX_LABELS; i++)
		if (st->labels[i][0])
			json_object_object_add(ls, st->labels[i], json_object_new_int((int)i));
	json_object_object_add(o, "labels", ls);
	ss = json_object_new_array();
	for (i = 0; i < (unsigned int)st->nsessions; i++) {
		json_object *x = json_object_new_object();

		json_object_object_add(x, "id", json_object_new_int((int)st->sessions[i].id));
		json_object_object_add(x, "root", json_object_new_int((int)st->sessions[i].root));
		json_object_object_add(x, "procs", json_object_new_int((int)st->sessions[i].procs));
		json_object_object_add(x, "parent", json_object_new_int((int)st->sessions[i].parent));
		json_object_object_add(x, "uid", json_object_new_int64(st->sessions[i].uid));
		json_object_object_add(x, "unprivileged", json_object_new_boolean(st->sessions[i].unpriv));
		json_object_object_add(x, "rules", json_object_new_int((int)st->sessions[i].rules));
		json_object_object_add(x, "policy", st->sessions[i].policy[0] ?
				       json_object_new_string(st->sessions[i].policy) : NULL);
		json_object_array_add(ss, x);
	}
	json_object_object_add(o, "sessions", ss);
	if (st->have_session_cfg) {
		ss = json_object_new_object();
		json_object_object_add(ss, "group",
				       st->session_gid == ACTPLANE_SESSION_GID_NOBODY ? NULL :
				       st->session_gid == ACTPLANE_SESSION_GID_ANYONE ?
				       json_object_new_string("all") :
				       json_object_new_int64(st->session_gid));
		json_object_object_add(ss, "quota", json_object_new_int((int)st->session_quota));
		json_object_object_add(ss, "yours", json_object_new_int((int)st->session_count));
		json_object_object_add(ss, "rule_quota", json_object_new_int((int)st->session_rule_quota));
		json_object_object_add(ss, "your_rules", json_object_new_int((int)st->session_rules));
		json_object_object_add(ss, "memory_quota", json_object_new_uint64(st->session_mem_quota));
		json_object_object_add(ss, "your_memory", json_object_new_uint64(st->session_mem));
		json_object_object_add(o, "user_sessions", ss);
	}
	ss = json_object_new_object();
	json_object_object_add(ss, "sockets", json_object_new_int((int)st->staging));
	json_object_object_add(ss, "bytes", json_object_new_uint64(st->staging_bytes));
	json_object_object_add(o, "staging", ss);
	printf("%s\n", json_object_to_json_string_ext(o, JSON_C_TO_STRING_PRETTY |
						      JSON_C_TO_STRING_NOSLASHESCAPE));
	json_object_put(o);
}

static void print_human(const struct ap_status *st, int enforcer_pinned, int pinned_hooks)
{
	unsigned long long skipped;
	const char *mode;
	unsigned int i, n;

	printf("module:    actplane %s (ABI %u)\n", st->version, st->abi);
	if (st->enforcer_state == ACTPLANE_ENFORCER_NONE)
		printf("enforcer:  none attached — the policy's effects apply as written\n");
	else
		printf("enforcer:  %s (%s%s)%s%s\n", st->enforcer,
		       ap_enforcer_state_name(st->enforcer_state),
		       enforcer_pinned ? ", pinned" : "",
		       st->enforcer_state == ACTPLANE_ENFORCER_FAILED ? ": " : "",
		       st->enforcer_state == ACTPLANE_ENFORCER_FAILED ? st->reason : "");
	if (st->have_policy) {
		printf("policy:    ");
		ap_esc_puts(stdout, st->policy);
		printf(" (generation %llu, %u rule%s)\n", (unsigned long long)st->generation,
		       st->n_rules, st->n_rules == 1 ? "" : "s");
	} else {
		printf("policy:    none loaded\n");
	}
	mode = ap_hooks_mode();
	printf("hooks:     %d of %d attached (%s%s%s)\n", pinned_hooks, st->nhooks,
	       mode ? mode : "", mode ? " mode, " : "", AP_PIN_DIR);
	if (mode && !strcmp(mode, "fmod_ret"))
		printf("           fmod_ret mode: exec rules on arguments and `ld.so PROGRAM` are\n"
		       "           decided at the exec's commit, a refusal kills the process\n"
		       "           (docs/SECURITY.md, \"The fmod_ret mode\")\n");
	skipped = ap_hooks_missed();
	if (skipped)
		printf("           %llu hook run%s skipped by the kernel (recursion on a CPU; "
		       "the fail mode could not apply)\n", skipped, skipped == 1 ? "" : "s");
	for (i = 0; i < (unsigned int)st->nhooks; i++)
		printf("  %-20s %-9s %llu calls\n", st->hooks[i].name,
		       st->hooks[i].pinned ? "attached" : "detached",
		       (unsigned long long)st->hooks[i].hits);
	printf("labels:   ");
	for (i = 0, n = 0; i < ACTPLANE_MAX_LABELS; i++)
		if (st->labels[i][0]) {
			putchar(' ');
			ap_esc_word(stdout, st->labels[i]);
			n++;
		}
	printf("%s\n", n ? "" : " (none defined)");
	printf("memory:    %llu of %llu bytes; %llu processes, %llu files, %llu endpoints, "
	       "%llu sockets; fail-%s (%llu denied, %llu untracked)\n",
	       (unsigned long long)st->mem[ACTPLANE_MEM_A_BYTES],
	       (unsigned long long)st->mem[ACTPLANE_MEM_A_LIMIT],
	       (unsigned long long)st->mem[ACTPLANE_MEM_A_PROCS],
	       (unsigned long long)st->mem[ACTPLANE_MEM_A_INODES],
	       (unsigned long long)st->mem[ACTPLANE_MEM_A_ENDPOINTS],
	       (unsigned long long)st->mem[ACTPLANE_MEM_A_SOCKS],
	       ap_fail_mode_name(st->mem[ACTPLANE_MEM_A_FAIL_MODE]),
	       (unsigned long long)st->mem[ACTPLANE_MEM_A_DENIED],
	       (unsigned long long)st->mem[ACTPLANE_MEM_A_UNTRACKED]);
	if (st->provenance >= 0)
		printf("provenance: %s; %llu records, %llu of %llu bytes; %llu arrivals not recorded\n",
		       st->provenance ? "recording" : "off",
		       (unsigned long long)st->mem[ACTPLANE_MEM_A_PROV_RECORDS],
		       (unsigned long long)st->mem[ACTPLANE_MEM_A_PROV_BYTES],
		       (unsigned long long)st->mem[ACTPLANE_MEM_A_PROV_LIMIT],
		       (unsigned long long)st->ctr[ACTPLANE_CTR_PROV_DROPPED]);
	printf("incomplete: %llu event(s) not evaluated completely, decided by the fail mode\n",
	       (unsigned long long)st->ctr[ACTPLANE_CTR_INCOMPLETE]);
	if (st->staging)
		printf("staging:   %u socket%s staging a policy (%llu bytes)\n", st->staging,
		       st->staging == 1 ? "" : "s", (unsigned long long)st->staging_bytes);
	if (st->have_session_cfg) {
		printf("user sessions: ");
		if (st->session_gid == ACTPLANE_SESSION_GID_NOBODY) {
			printf("only root starts sessions ('actplane limits --session-group G')\n");
		} else {
			if (st->session_gid == ACTPLANE_SESSION_GID_ANYONE) {
				printf("every user");
			} else {
				struct group *g = getgrgid((gid_t)st->session_gid);

				printf("members of group ");
				if (g)
					ap_esc_puts(stdout, g->gr_name);
				else
					printf("%u", st->session_gid);
			}
			printf(" may start sessions; %u per user, you have %u\n",
			       st->session_quota, st->session_count);
			printf("           session policies: %u rules per user, yours have %u\n",
			       st->session_rule_quota, st->session_rules);
			printf("           label memory: %llu bytes per user, your sessions' %llu\n",
			       (unsigned long long)st->session_mem_quota,
			       (unsigned long long)st->session_mem);
		}
	}
	printf("sessions:  %d%s\n", st->nsessions, ap_is_root() ? "" : " (yours)");
	for (i = 0; i < (unsigned int)st->nsessions; i++) {
		printf("  session %u: root pid %u, %u processes", st->sessions[i].id,
		       st->sessions[i].root, st->sessions[i].procs);
		if (st->sessions[i].parent)
			printf(", nested in %u", st->sessions[i].parent);
		if (st->sessions[i].unpriv)
			printf(", uid %u", st->sessions[i].uid);
		if (st->sessions[i].policy[0]) {
			printf(", own policy ");
			ap_esc_quoted(stdout, st->sessions[i].policy);
			printf(" (%u rule%s)", st->sessions[i].rules, st->sessions[i].rules == 1 ? "" : "s");
		}
		putchar('\n');
	}
	printf("counters:\n");
	for (i = 0; i < __ACTPLANE_CTR_MAX; i++)
		if (ap_counter_name(i))
			printf("  %-20s %llu\n", ap_counter_name(i), (unsigned long long)st->ctr[i]);
}

static const struct ap_opt status_opts[] = {
	AP_OPT_JSON,
	{ NULL }
};

AP_COMMAND(cmd_status, .name = "status", .order = 100, .args = "[--json]",
	   .help = "module, enforcer, hooks, policy and counters",
	   .usage = "Usage: actplane status [--json]\n"
		    "\n"
		    "Show the module version, the attached enforcer, the loaded policy, the BPF\n"
		    "hooks, label memory, sessions and counters.  Needs the module loaded.\n",
	   .opts = status_opts);

static int cmd_status(int argc, char **argv)
{
	struct ap_status *st;
	struct ap_nl *nl;
	int json = 0, c, ret, enforcer_pinned, pinned_hooks;

	while ((c = ap_getopt(&cmd_status_cmd, argc, argv)) > 0)
		json = c == 'j';
	if (c < 0)
		return ap_opt_exit(c);
	if ((ret = ap_no_operands(&cmd_status_cmd, argc, argv)))
		return ret;
	nl = ap_nl_connect();
	if (!nl)
		return 1;
	st = calloc(1, sizeof(*st));
	if (!st) {
		ap_nl_close(nl);
		return 1;
	}
	ret = ap_nl_call(nl, ACTPLANE_CMD_STATUS, NULL, parse_status, st);
	if (!ret) {
		int from_status = st->nsessions;

		st->nsessions = 0;
		ret = ap_nl_dump(nl, ACTPLANE_CMD_SESSION_DUMP, NULL, parse_session, st);
		if (ret == -EOPNOTSUPP) {	/* ABI 1: STATUS's list is all there is */
			st->nsessions = from_status;
			ret = 0;
		}
	}
	if (ret) {
		ap_nl_perror(nl, "status", ret);
		ap_nl_close(nl);
		free(st->sessions);
		free(st);
		return 1;
	}
	ap_nl_close(nl);
	find_pins(st, &enforcer_pinned, &pinned_hooks);
	if (json)
		print_json(st, enforcer_pinned);
	else
		print_human(st, enforcer_pinned, pinned_hooks);
	free(st->sessions);
	free(st);
	return 0;
}
