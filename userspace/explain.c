// SPDX-License-Identifier: GPL-2.0-only
/*
 * `actplane explain EVENT [options]`: what the policy decides for a
 * hypothetical event and why, without the kernel.  The evaluation is the
 * policy library's (userspace/policy/explain.c, which the MCP server can
 * call too); this file parses the command line, finds and compiles the
 * policy as `check` does, and prints the result as text or JSON.
 *
 * Exit status: 0 allowed (no rule fires, or notify only), 1 denied (block
 * or kill), 2 usage error, or no policy, or one that does not compile.
 */
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <json-c/json.h>

#include "args.h"
#include "cmd.h"
#include "escape.h"
#include "policy/explain.h"
#include "policy/policy.h"

static const struct ap_opt explain_opts[] = {
	{ "policy", 'p', "FILE", NULL, "the policy (default: actplane.yaml or\n"
				       ".actplane/policy.yaml here or above)" },
	AP_OPT_DOMAIN,
	{ "labels", 'l', "L,...", NULL, "labels the process carries" },
	{ "target-labels", 't', "L,...", NULL, "exec: labels the program file carries" },
	{ "after", 'a', "EVENT", NULL, "an earlier event of the session, for `after` gates:\n"
				       "'PROG [ARG...]' ran (and exited with 0), or\n"
				       "'read|open|write|unlink PATH'; oldest first" },
	{ "lineage", 'L', "PROG", NULL, "the process or one of its ancestors ran PROG" },
	AP_OPT_JSON,
	{ NULL }
};

AP_COMMAND(cmd_explain, .name = "explain", .order = 40, .args = "EVENT [--labels L,...] [--after E]...",
	   .help = "what the policy decides for an event, and why",
	   .usage = "Usage: actplane explain exec|read|open|write|unlink|connect|recv TARGET [ARG...]\n"
		    "                        [--policy FILE] [--domain NAME] [--labels L,...]\n"
		    "                        [--target-labels L,...] [--after EVENT]...\n"
		    "                        [--lineage PROG]... [--json]\n"
		    "\n"
		    "What the policy decides for an event, and why, without the kernel: each\n"
		    "clause whose target matches, each of its conditions and whether it holds,\n"
		    "the effect and the `because`.  Nothing is loaded; no privileges needed.\n"
		    "\n"
		    "  exec PROG [ARG...]    running PROG (a name without '/' is found in PATH)\n"
		    "  read PATH             an open for reading\n"
		    "  write PATH            an open for writing\n"
		    "  open PATH             an open for reading and writing\n"
		    "  unlink PATH           removing PATH\n"
		    "  connect ADDR[:PORT]   connect or UDP send; IPv6 as [ADDR]:PORT\n"
		    "  recv ADDR[:PORT]      receiving from ADDR\n",
	   .opts = explain_opts, .opt_col = 24,
	   .more = "Arguments that start with '-' go after '--':\n"
		   "  actplane explain --labels AGENT -- exec git push --force\n"
		   "\n"
		   "Exit status: 0 allowed (no rule fires, or notify only), 1 denied (block\n"
		   "or kill), 2 usage error, or no policy, or one that does not compile.\n");

/* Find and compile the policy as `check` does; diagnostics only on failure. */
static struct ap_policy *explain_policy(const char *file, const char *domain)
{
	struct ap_policy *p;
	struct ap_diag d;
	char path[PATH_MAX];

	if (file) {
		snprintf(path, sizeof(path), "%s", file);
	} else if (ap_policy_find(NULL, path, sizeof(path))) {
		ap_err("explain: no actplane.yaml or .actplane/policy.yaml in this directory or "
		       "above (give --policy FILE)");
		return NULL;
	}
	ap_diag_init(&d);
	p = ap_policy_load_file(path, domain, &d);
	if (!p) {
		ap_diag_print(stderr, &d, isatty(2));
		fputs("actplane explain: ", stderr);
		ap_esc_puts(stderr, path);
		fprintf(stderr, ": %u error%s\n", d.errors, d.errors == 1 ? "" : "s");
	}
	ap_diag_free(&d);
	return p;
}

static int cmd_explain(int argc, char **argv)
{
	const char *file = NULL, *domain = NULL;
	struct ap_explain_event ev;
	struct json_object *res;
	struct ap_policy *p;
	char *err = NULL;
	bool json = false;
	int c, ret = 0;

	ap_explain_event_init(&ev);
	while (!ret && (c = ap_getopt(&cmd_explain_cmd, argc, argv)) > 0) {
		switch (c) {
		case 'p': file = optarg; break;
		case 'd': domain = optarg; break;
		case 'l': ret = ap_explain_add(&ev, AP_EXPLAIN_LABELS, optarg, &err); break;
		case 't': ret = ap_explain_add(&ev, AP_EXPLAIN_TARGET_LABELS, optarg, &err); break;
		case 'a': ret = ap_explain_add(&ev, AP_EXPLAIN_AFTER, optarg, &err); break;
		case 'L': ret = ap_explain_add(&ev, AP_EXPLAIN_LINEAGE, optarg, &err); break;
		case 'j': json = true; break;
		}
	}
	if (c < 0) {
		ap_explain_event_free(&ev);
		return ap_opt_exit(c);
	}
	if (!ret)
		ret = ap_explain_set_event(&ev, argv + optind, (size_t)(argc - optind), &err);
	if (!ret && ev.n_target_labels && ev.op != AP_OP_EXEC)
		ret = ap_usage_error("explain", "--target-labels goes with exec: the labels of "
				     "the object of a %s do not take part in its decision",
				     ap_op_name(ev.op));
	else if (ret)
		ret = ap_usage_error("explain", "%s", err ? err : "invalid arguments");
	free(err);
	if (ret) {
		ap_explain_event_free(&ev);
		return AP_EXIT_USAGE;
	}
	p = explain_policy(file, domain);
	if (!p) {
		ap_explain_event_free(&ev);
		return 2;
	}
	res = ap_explain_json(p, &ev, NULL);
	if (json)
		printf("%s\n", json_object_to_json_string_ext(res, JSON_C_TO_STRING_PRETTY |
							      JSON_C_TO_STRING_NOSLASHESCAPE));
	else
		ap_explain_print(stdout, res);
	ret = ap_explain_status(res);
	json_object_put(res);
	ap_policy_free(p);
	ap_explain_event_free(&ev);
	return ret;
}
