// SPDX-License-Identifier: GPL-2.0-only
/*
 * Admin label commands:
 *   actplane label add|clear LABEL... (--pid P | PATH)
 *   actplane labels (--pid P | PATH)
 *   actplane session create --pid P [--label L]...
 *   actplane limits [--bytes N[K|M|G|T]] [--fail-mode open|closed] [--provenance on|off]
 *                   [--session-group G|all|none] [--session-quota N] [--session-rules N]
 *                   [--session-memory N[K|M|G|T]]
 *   actplane why (--pid P | PATH) [LABEL...]
 * A file is passed to the module as an O_PATH descriptor, so the module
 * labels the inode the tool actually opened (no path is looked up twice).
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "args.h"
#include "cmd.h"
#include "common.h"
#include "escape.h"
#include "events.h"
#include "nl.h"
#include "load.h"
#include "policy/policy.h"

struct label_req {
	char **labels;
	int nlabels;
	int pid;		/* > 0: target process */
	int fd;			/* >= 0: target file */
	int have_limit, have_mode, have_prov, have_gid, have_quota, have_rules, have_mem;
	int spol;		/* SESSION_CREATE: attach the staged session policy */
	unsigned long long limit, mem;
	unsigned int mode, prov, gid, quota, rules;
	/* replies */
	char out[ACTPLANE_MAX_LABELS][ACTPLANE_LABEL_NAME_LEN];
	int nout;
	unsigned int session;
	struct ap_chain chain;
	int have_chain;
};

static int put_req(struct nl_msg *msg, void *arg)
{
	struct label_req *r = arg;
	struct nlattr *nest;
	int i;

	if (r->nlabels) {
		nest = nla_nest_start(msg, ACTPLANE_A_LABELS);
		if (!nest)
			return -EMSGSIZE;
		for (i = 0; i < r->nlabels; i++)
			if (nla_put_string(msg, ACTPLANE_A_LABEL, r->labels[i]))
				return -EMSGSIZE;
		nla_nest_end(msg, nest);
	}
	if (r->pid > 0 && nla_put_u32(msg, ACTPLANE_A_PID, (uint32_t)r->pid))
		return -EMSGSIZE;
	if (r->fd >= 0 && nla_put_u32(msg, ACTPLANE_A_FD, (uint32_t)r->fd))
		return -EMSGSIZE;
	if (r->have_limit && nla_put_u64(msg, ACTPLANE_A_LIMIT_BYTES, r->limit))
		return -EMSGSIZE;
	if (r->have_mode && nla_put_u32(msg, ACTPLANE_A_FAIL_MODE, r->mode))
		return -EMSGSIZE;
	if (r->have_prov && nla_put_u32(msg, ACTPLANE_A_PROVENANCE, r->prov))
		return -EMSGSIZE;
	if (r->have_gid && nla_put_u32(msg, ACTPLANE_A_SESSION_GID, r->gid))
		return -EMSGSIZE;
	if (r->have_quota && nla_put_u32(msg, ACTPLANE_A_SESSION_QUOTA, r->quota))
		return -EMSGSIZE;
	if (r->have_rules && nla_put_u32(msg, ACTPLANE_A_SESSION_RULE_QUOTA, r->rules))
		return -EMSGSIZE;
	if (r->have_mem && nla_put_u64(msg, ACTPLANE_A_SESSION_MEM_QUOTA, r->mem))
		return -EMSGSIZE;
	if (r->spol && nla_put_flag(msg, ACTPLANE_A_SESSION_POLICY))
		return -EMSGSIZE;
	return 0;
}

static int parse_reply(struct nlattr **tb, void *arg)
{
	struct label_req *r = arg;
	struct nlattr *a;
	int rem;

	if (tb[ACTPLANE_A_SESSION])
		r->session = nla_get_u32(tb[ACTPLANE_A_SESSION]);
	if (tb[ACTPLANE_A_CHAIN] && !r->have_chain) {
		if (ap_chain_parse(tb[ACTPLANE_A_CHAIN], &r->chain))
			ap_chain_release(&r->chain);
		else
			r->have_chain = 1;
	}
	if (tb[ACTPLANE_A_LABELS])
		nla_for_each_nested(a, tb[ACTPLANE_A_LABELS], rem)
			if (nla_type(a) == ACTPLANE_A_LABEL && r->nout < ACTPLANE_MAX_LABELS)
				snprintf(r->out[r->nout++], ACTPLANE_LABEL_NAME_LEN, "%s",
					 (char *)nla_data(a));
	return 0;
}

/*
 * @cmd with @r on a new socket; if @spol is not NULL, staged on it first
 * as the session policy SESSION_CREATE attaches (from file @path).
 */
static int call_with(uint8_t cmd, struct label_req *r, const char *what,
		     const struct ap_policy *spol, const char *path)
{
	char err[256];
	struct ap_nl *nl = ap_nl_open(err, sizeof(err));
	int ret;

	if (!nl) {
		ap_err("%s", err);
		return -1;
	}
	if (spol) {
		ret = ap_stage_session_policy(nl, spol, path);
		if (ret) {
			ap_nl_close(nl);
			return ret;
		}
		r->spol = 1;
	}
	ret = ap_nl_call(nl, cmd, put_req, parse_reply, r);
	if (ret)
		ap_nl_perror(nl, what, ret);
	ap_nl_close(nl);
	return ret;
}

static int call(uint8_t cmd, struct label_req *r, const char *what)
{
	return call_with(cmd, r, what, NULL, NULL);
}

/* Open PATH as the target (O_PATH: no read permission needed, no side effects). */
static int open_target(const char *path, struct label_req *r)
{
	r->fd = open(path, O_PATH | O_CLOEXEC);
	if (r->fd < 0) {
		ap_err("%s: %s", path, strerror(errno));
		return -1;
	}
	return 0;
}

/* --pid PID: the process a command is about */
static const struct ap_opt pid_opt[] = {
	{ "pid", 'p', "PID", NULL, "the process instead of a PATH" },
	{ NULL }
};

AP_COMMAND(cmd_label, .name = "label", .order = 140, .flags = AP_CMD_ROOT,
	   .args = "add|clear LABEL... (--pid P | PATH)", .help = "add or remove labels",
	   .usage = "Usage: actplane label add LABEL... (--pid PID | PATH)\n"
		    "       actplane label clear [LABEL...] (--pid PID | PATH)\n"
		    "\n"
		    "Add or remove labels on a process (all its threads) or a file (by inode:\n"
		    "hard links, renames and bind mounts share them).  Labels propagate from\n"
		    "there as the process and the file are used.  `clear` without a LABEL\n"
		    "removes them all.  Needs root.\n",
	   .opts = pid_opt);

static int cmd_label(int argc, char **argv)
{
	struct label_req r = { .fd = -1 };
	const char *path = NULL, *cmd;
	int c, add, ret;

	if (argc >= 2 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))) {
		ap_cmd_help(&cmd_label_cmd, stdout);
		return 0;
	}
	if (argc < 2)
		return ap_usage_error("label", "give 'add' or 'clear'");
	if (strcmp(argv[1], "add") && strcmp(argv[1], "clear"))
		return ap_usage_error("label", "unknown subcommand '%s' (add or clear)", argv[1]);
	add = !strcmp(argv[1], "add");
	cmd = add ? "label add" : "label clear";
	argc--;
	argv++;
	while ((c = ap_getopt(&cmd_label_cmd, argc, argv)) > 0)
		if (ap_parse_pid_arg("label", optarg, &r.pid))
			return AP_EXIT_USAGE;
	if (c < 0)
		return ap_opt_exit(c);
	r.labels = argv + optind;
	r.nlabels = argc - optind;
	if (!r.pid) {
		if (r.nlabels < 1)
			return ap_usage_error("label", "%s: give --pid PID or a PATH", cmd);
		path = r.labels[--r.nlabels];
	}
	if (add && !r.nlabels)
		return ap_usage_error("label", "label add: name at least one label");
	if (path && open_target(path, &r))
		return 1;
	ret = call(add ? ACTPLANE_CMD_LABEL_ADD : ACTPLANE_CMD_LABEL_CLEAR, &r, cmd);
	if (r.fd >= 0)
		close(r.fd);
	return ret ? 1 : 0;
}

AP_COMMAND(cmd_labels, .name = "labels", .order = 150, .flags = AP_CMD_ROOT,
	   .args = "(--pid P | PATH)", .help = "show the labels of a process or file",
	   .usage = "Usage: actplane labels (--pid PID | PATH)\n"
		    "\n"
		    "Print the labels of a process or a file, one per line (and the process's\n"
		    "session as 'session N').  Needs root.\n",
	   .opts = pid_opt);

static int cmd_labels(int argc, char **argv)
{
	struct label_req r = { .fd = -1 };
	int c, i, ret;

	while ((c = ap_getopt(&cmd_labels_cmd, argc, argv)) > 0)
		if (ap_parse_pid_arg("labels", optarg, &r.pid))
			return AP_EXIT_USAGE;
	if (c < 0)
		return ap_opt_exit(c);
	if (!!r.pid == (optind < argc) || argc - optind > 1)
		return ap_usage_error("labels", "give --pid PID or one PATH");
	if (!r.pid && open_target(argv[optind], &r))
		return 1;
	ret = call(ACTPLANE_CMD_LABEL_GET, &r, "labels");
	if (r.fd >= 0)
		close(r.fd);
	if (ret)
		return 1;
	for (i = 0; i < r.nout; i++) {
		ap_esc_puts(stdout, r.out[i]);
		putchar('\n');
	}
	if (r.session)
		printf("session %u\n", r.session);
	return 0;
}

static const struct ap_opt session_opts[] = {
	{ "pid", 'p', "PID", NULL, "the session's root process" },
	{ "label", 'l', "LABEL", NULL, "a seed label (repeatable)" },
	{ "policy", 'P', "FILE", NULL, "the session's own policy (rules only), on top\n"
				       "of the machine's" },
	{ NULL }
};

AP_COMMAND(cmd_session, .name = "session", .order = 160,
	   .args = "create --pid P [--label L]... [--policy F] | list | end ID",
	   .help = "start, list or end sessions",
	   .usage = "Usage: actplane session create --pid PID [--label LABEL]... [--policy FILE]\n"
		    "       actplane session list\n"
		    "       actplane session end ID\n"
		    "\n"
		    "create: start a session rooted at PID with seed labels; its descendants\n"
		    "inherit the session.  Prints the session id.  Needs root (a user root\n"
		    "allowed may create one for its own process only, without labels: that\n"
		    "is what `actplane run` does).  --policy FILE gives the session its own\n"
		    "policy, on top of the machine's: rules only, over the machine's labels.\n"
		    "list: the live sessions (as a user: the ones you started), with their\n"
		    "root process, size, the session each is nested in and its own policy.\n"
		    "end: SIGKILL every process of session ID and of the sessions nested in\n"
		    "it (as a user: a session you started, your processes in it).\n",
	   .opts = session_opts);

static unsigned int u32_or0(struct nlattr *a)
{
	return a ? nla_get_u32(a) : 0;
}

static int print_session_row(struct nlattr **tb, void *arg)
{
	struct nlattr *si[ACTPLANE_SESSION_A_MAX + 1];
	int *n = arg;

	if (!tb[ACTPLANE_A_SESSION_INFO] ||
	    nla_parse_nested(si, ACTPLANE_SESSION_A_MAX, tb[ACTPLANE_A_SESSION_INFO], NULL))
		return 0;
	if (!(*n)++)
		printf("%-8s %-8s %-6s %-8s %-6s %-6s %s\n", "SESSION", "ROOT", "PROCS", "IN", "UID",
		       "RULES", "POLICY");
	printf("%-8u %-8u %-6u %-8u %-6u %-6u ", u32_or0(si[ACTPLANE_SESSION_A_ID]),
	       u32_or0(si[ACTPLANE_SESSION_A_ROOT]), u32_or0(si[ACTPLANE_SESSION_A_PROCS]),
	       u32_or0(si[ACTPLANE_SESSION_A_PARENT]), u32_or0(si[ACTPLANE_SESSION_A_UID]),
	       u32_or0(si[ACTPLANE_SESSION_A_RULES]));
	/* the policy's name is a path the user chose: escaped */
	if (si[ACTPLANE_SESSION_A_POLICY])
		ap_esc_quoted(stdout, nla_get_string(si[ACTPLANE_SESSION_A_POLICY]));
	else
		fputs("-", stdout);
	puts(si[ACTPLANE_SESSION_A_UNPRIV] ? "" : " (root's)");
	return 0;
}

static int session_list(void)
{
	struct ap_nl *nl = ap_nl_connect();
	int ret, n = 0;

	if (!nl)
		return 1;
	ret = ap_nl_dump(nl, ACTPLANE_CMD_SESSION_DUMP, NULL, print_session_row, &n);
	if (ret)
		ap_nl_perror(nl, "session list", ret);
	ap_nl_close(nl);
	if (!ret && !n)
		printf("no sessions%s\n", ap_is_root() ? "" : " of yours");
	return ret ? 1 : 0;
}

struct end_req {
	unsigned int id, n;
};

static int put_session_id(struct nl_msg *msg, void *arg)
{
	return nla_put_u32(msg, ACTPLANE_A_SESSION, ((struct end_req *)arg)->id) ? -EMSGSIZE : 0;
}

static int parse_count(struct nlattr **tb, void *arg)
{
	if (tb[ACTPLANE_A_COUNT])
		((struct end_req *)arg)->n = nla_get_u32(tb[ACTPLANE_A_COUNT]);
	return 0;
}

static int session_end(const char *arg)
{
	struct end_req e = { 0, 0 };
	struct ap_nl *nl;
	uint64_t v;
	int ret;

	if (ap_parse_uint(arg, 1, 0xffffffffu, &v))
		return ap_usage_error("session", "end takes a session id (a number from 1), not '%s'",
				      arg);
	e.id = (unsigned int)v;
	nl = ap_nl_connect();
	if (!nl)
		return 1;
	ret = ap_nl_call(nl, ACTPLANE_CMD_SESSION_END, put_session_id, parse_count, &e);
	if (ret)
		ap_nl_perror(nl, "session end", ret);
	else
		printf("session %u: %u process%s ended\n", e.id, e.n, e.n == 1 ? "" : "es");
	ap_nl_close(nl);
	return ret ? 1 : 0;
}

static int cmd_session(int argc, char **argv)
{
	static char *labels[ACTPLANE_MAX_LABELS];
	struct label_req r = { .fd = -1, .labels = labels };
	const char *policy = NULL;
	struct ap_policy *p = NULL;
	char path[PATH_MAX];
	int c, ret;

	if (argc >= 2 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))) {
		ap_cmd_help(&cmd_session_cmd, stdout);
		return 0;
	}
	if (argc < 2)
		return ap_usage_error("session", "give 'create', 'list' or 'end'");
	if (!strcmp(argv[1], "list") || !strcmp(argv[1], "end")) {
		bool end = argv[1][0] == 'e';

		if (argc != (end ? 3 : 2))
			return ap_usage_error("session", end ? "end takes one session id" :
					      "list takes no arguments");
		return end ? session_end(argv[2]) : session_list();
	}
	if (strcmp(argv[1], "create"))
		return ap_usage_error("session", "unknown subcommand '%s' (create, list, end)", argv[1]);
	argc--;
	argv++;
	while ((c = ap_getopt(&cmd_session_cmd, argc, argv)) > 0) {
		switch (c) {
		case 'p':
			if (ap_parse_pid_arg("session", optarg, &r.pid))
				return AP_EXIT_USAGE;
			break;
		case 'l':
			if (r.nlabels >= ACTPLANE_MAX_LABELS)
				return ap_usage_error("session", "at most %d labels", ACTPLANE_MAX_LABELS);
			labels[r.nlabels++] = optarg;
			break;
		case 'P':
			policy = optarg;
			break;
		}
	}
	if (c < 0)
		return ap_opt_exit(c);
	if ((c = ap_no_operands(&cmd_session_cmd, argc, argv)))
		return c;
	if (!r.pid)
		return ap_usage_error("session", "session create: --pid PID is required");
	if (policy) {
		p = ap_compile_policy_as(policy, NULL, path, sizeof(path), true);
		if (!p || ap_policy_session_report(p, stderr)) {
			ap_policy_free(p);
			return 1;
		}
	}
	ret = call_with(ACTPLANE_CMD_SESSION_CREATE, &r, "session create", p, path);
	ap_policy_free(p);
	if (ret)
		return 1;
	printf("%u\n", r.session);
	return 0;
}

static const struct ap_opt limits_opts[] = {
	{ "bytes", 'b', "N", NULL, "limit in bytes (K, M, G, T: powers of 1024)" },
	{ "fail-mode", 'f', "M", "open closed", "open or closed" },
	{ "provenance", 'P', "on|off", "on off", "record where labels come from (default on)" },
	{ "session-group", 'g', "G", NULL, "who may run 'actplane run' without root:\n"
					  "group G (name or number), all, none" },
	{ "session-quota", 'q', "N", NULL, "live sessions per user (default 8)" },
	{ "session-rules", 'r', "N", NULL, "rules of a user's session policies together\n"
					  "(default 4096)" },
	{ "session-memory", 'm', "N", NULL, "label memory a user's sessions may make\n"
					   "(default 4M; K, M, G, T as for --bytes)" },
	{ NULL }
};

AP_COMMAND(cmd_limits, .name = "limits", .order = 170, .flags = AP_CMD_ROOT,
	   .args = "[--bytes N] [--fail-mode open|closed] [--provenance on|off] [--session-group G]",
	   .help = "set the label memory limit, who may start sessions",
	   .usage = "Usage: actplane limits [--bytes N[K|M|G|T]] [--fail-mode open|closed]\n"
		    "                       [--provenance on|off]\n"
		    "                       [--session-group G|all|none] [--session-quota N]\n"
		    "                       [--session-rules N] [--session-memory N[K|M|G|T]]\n"
		    "\n"
		    "Set the label memory limit and what happens when it is reached:\n"
		    "  open    the operation proceeds untracked and is counted (default)\n"
		    "  closed  the operation that cannot be tracked fails with ENOMEM\n"
		    "--provenance turns the recording of where labels come from (see\n"
		    "'actplane why') on or off; its records use at most a quarter of the\n"
		    "limit, on top of it, and never make a label store fail.\n"
		    "--session-group lets the members of group G (or all users) start sessions\n"
		    "without root ('actplane run' as themselves, under the loaded policy and\n"
		    "their workspace's as the session's own); none (the default) allows\n"
		    "nobody.  --session-quota caps each user's live sessions (1-1024),\n"
		    "--session-rules the rules of their live session policies together\n"
		    "(1-1048576), --session-memory the label memory their sessions' processes\n"
		    "make (entries of the files, endpoints and channels they label first;\n"
		    "4K-1T), within --bytes; past it their flows follow the fail mode, and\n"
		    "nobody else's do.\n"
		    "'actplane status' shows the usage.  Needs root.\n",
	   .opts = limits_opts);

static int cmd_limits(int argc, char **argv)
{
	struct label_req r = { .fd = -1 };
	uint64_t v;
	int c;

	while ((c = ap_getopt(&cmd_limits_cmd, argc, argv)) > 0) {
		switch (c) {
		case 'b':
			if (ap_parse_size(optarg, &v))
				return ap_usage_error("limits", "invalid size '%s' for --bytes "
						      "(e.g. 65536, 64K, 16M)", optarg);
			r.limit = v;
			r.have_limit = 1;
			break;
		case 'f':
			if (ap_fail_mode_parse(optarg) < 0)
				return ap_usage_error("limits", "--fail-mode is 'open' or 'closed', "
						      "not '%s'", optarg);
			r.mode = (unsigned int)ap_fail_mode_parse(optarg);
			r.have_mode = 1;
			break;
		case 'P':
			if (strcmp(optarg, "on") && strcmp(optarg, "off"))
				return ap_usage_error("limits", "--provenance is 'on' or 'off', "
						      "not '%s'", optarg);
			r.prov = !strcmp(optarg, "on");
			r.have_prov = 1;
			break;
		case 'g':
			if (ap_parse_session_group(optarg, &r.gid))
				return ap_usage_error("limits", "--session-group: no group '%s' (give "
						      "a group name or number, 'all' or 'none')", optarg);
			r.have_gid = 1;
			break;
		case 'q':
			if (ap_parse_uint(optarg, 1, ACTPLANE_SESSION_QUOTA_MAX, &v))
				return ap_usage_error("limits", "--session-quota is a number from 1 to %d, "
						      "not '%s'", ACTPLANE_SESSION_QUOTA_MAX, optarg);
			r.quota = (unsigned int)v;
			r.have_quota = 1;
			break;
		case 'r':
			if (ap_parse_uint(optarg, 1, ACTPLANE_SESSION_RULE_QUOTA_MAX, &v))
				return ap_usage_error("limits", "--session-rules is a number from 1 to %u, "
						      "not '%s'", ACTPLANE_SESSION_RULE_QUOTA_MAX, optarg);
			r.rules = (unsigned int)v;
			r.have_rules = 1;
			break;
		case 'm':
			if (ap_parse_session_memory(optarg, &v))
				return ap_usage_error("limits", "--session-memory is a size from 4K to "
						      "1T (e.g. 4M), not '%s'", optarg);
			r.mem = v;
			r.have_mem = 1;
			break;
		}
	}
	if (c < 0)
		return ap_opt_exit(c);
	if ((c = ap_no_operands(&cmd_limits_cmd, argc, argv)))
		return c;
	if (!r.have_limit && !r.have_mode && !r.have_prov && !r.have_gid && !r.have_quota &&
	    !r.have_rules && !r.have_mem)
		return ap_usage_error("limits", "give --bytes, --fail-mode, --provenance, "
				      "--session-group, --session-quota, --session-rules and/or "
				      "--session-memory");
	return call(ACTPLANE_CMD_LIMITS_SET, &r, "limits") ? 1 : 0;
}

AP_COMMAND(cmd_why, .name = "why", .order = 155, .flags = AP_CMD_ROOT,
	   .args = "(--pid P | PATH) [LABEL]...", .help = "show how a process or file got its labels",
	   .usage = "Usage: actplane why (--pid PID | PATH) [LABEL]...\n"
		    "\n"
		    "Print the provenance chain of each LABEL (default: every label) of a\n"
		    "process or file: one line per hop, newest first, from the process or\n"
		    "file back to where the label entered (a source rule, 'actplane label\n"
		    "add', a session's seed), e.g.\n"
		    "  process \"python[980]\" <- read at 16:40:01\n"
		    "  file \"/w/build/config.json\" <- write by \"jq\"[413] at 16:39:58\n"
		    "The module records the first arrival of each label on each object; a\n"
		    "chain shows at most 16 hops and says when it is cut.  Needs root.\n",
	   .opts = pid_opt);

static int cmd_why(int argc, char **argv)
{
	struct label_req r = { .fd = -1 };
	struct ap_provenance p;
	char *names[ACTPLANE_MAX_LABELS];
	int c, i, n, ret = 0;

	while ((c = ap_getopt(&cmd_why_cmd, argc, argv)) > 0)
		if (ap_parse_pid_arg("why", optarg, &r.pid))
			return AP_EXIT_USAGE;
	if (c < 0)
		return ap_opt_exit(c);
	if (!r.pid) {
		if (optind >= argc)
			return ap_usage_error("why", "give --pid PID or a PATH");
		if (open_target(argv[optind++], &r))
			return 1;
	}
	n = argc - optind;
	if (n > ACTPLANE_MAX_LABELS)
		return ap_usage_error("why", "at most %d labels", ACTPLANE_MAX_LABELS);
	for (i = 0; i < n; i++)
		names[i] = argv[optind + i];
	if (!n) {
		/* every label the target carries */
		if (call(ACTPLANE_CMD_LABEL_GET, &r, "why")) {
			ret = 1;
			goto out;
		}
		for (i = 0; i < r.nout; i++)
			names[i] = r.out[i];
		n = r.nout;
		if (!n)
			printf("no labels\n");
	}
	for (i = 0; i < n; i++) {
		r.labels = &names[i];
		r.nlabels = 1;
		r.have_chain = 0;
		if (call(ACTPLANE_CMD_WHY, &r, "why")) {
			ret = 1;
			continue;
		}
		if (!r.have_chain)
			continue;
		memset(&p, 0, sizeof(p));
		p.label = r.chain.label;
		ap_chain_view(&r.chain, &p);
		ap_esc_quoted(stdout, p.label);
		fputs(":\n", stdout);
		ap_chain_format(stdout, &p, "  ");
		ap_chain_release(&r.chain);
	}
out:
	if (r.fd >= 0)
		close(r.fd);
	return ret;
}
