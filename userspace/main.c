// SPDX-License-Identifier: GPL-2.0-only
/*
 * actplane — configure and drive the ActPlane policy engine.
 * One command table; each command parses its own options and has --help,
 * which `actplane help CMD` shows too.
 */
#include <stdio.h>
#include <string.h>
#include "args.h"
#include "cmd.h"
#include "common.h"
#include "escape.h"

#define AP_TOOL_VERSION "0.1.0"

/* The one-line descriptions keep every line of `actplane help` within 80 columns. */
static const struct ap_cmd cmds[] = {
	{ "run", cmd_run, "[--policy F] [--enforcer E] -- CMD...", "run an agent as a session", 1 },
	{ "check", cmd_check, "[FILE | - | --policy F] [--strict]", "check a policy file", 0 },
	{ "compile", cmd_compile, "--dump [--json] [--policy F]", "show the compiled policy", 0 },
	{ "explain", cmd_explain, "EVENT [--labels L,...] [--after E]...",
	  "what the policy decides for an event, and why", 0 },
	{ "init", cmd_init, "[--force]", "write a starter actplane.yaml", 0 },
	{ "load", cmd_load, "[--policy F | F] [--domain D]", "compile and load a policy", 1 },
	{ "unload", cmd_unload, "", "remove the loaded policy", 1 },
	{ "rules", cmd_rules, "[--json | --diff FILE]", "print the loaded rules, or diff them with a file", 1 },
	{ "watch", cmd_watch, "[--json | --oneline] [filters]", "print violation events as they happen", 1 },
	{ "status", cmd_status, "[--json]", "module, enforcer, hooks, policy and counters", 0 },
	{ "up", cmd_up, "[--enforcer NAME|FILE]", "attach the BPF hooks and an enforcer", 1 },
	{ "down", cmd_down, "", "detach the enforcer and the BPF hooks", 1 },
	{ "enforcer", cmd_enforcer, "NAME|FILE | test [EFFECT]", "switch or test the enforcer", 1 },
	{ "label", cmd_label, "add|clear LABEL... (--pid P | PATH)", "add or remove labels", 1 },
	{ "labels", cmd_labels, "(--pid P | PATH)", "show the labels of a process or file", 1 },
	{ "session", cmd_session, "create --pid P [--label L]...", "start a session", 1 },
	{ "limits", cmd_limits, "[--bytes N] [--fail-mode open|closed]", "set the label memory limit", 1 },
	{ "setup", cmd_setup, "[--claude|--codex|--mcp] [--user] [--remove]",
	  "add ActPlane hooks to agent settings, or --remove them", 0 },
	{ "feedback-hook", cmd_feedback_hook, "< HOOK-JSON", "agent hook: report new violations", 0 },
	{ "mcp", cmd_mcp, "[--workspace DIR]", "MCP server on stdio", 0 },
	{ "doctor", cmd_doctor, "[--json] [--lsm-file F]", "check this host for what ActPlane needs", 0 },
	{ "help", NULL, "[COMMAND]", "this list, or the help of COMMAND", 0 },
	{}
};

#define N_CMDS (sizeof(cmds) / sizeof(cmds[0]) - 1)

static void usage(FILE *f)
{
	const struct ap_cmd *c;

	fprintf(f, "Usage: actplane COMMAND [ARGS...]\n\n"
		"ActPlane: an OS-level policy engine for AI agent harnesses.\n\n"
		"Commands:\n");
	for (c = cmds; c->name; c++)
		fprintf(f, "  %-14s %s%s\n", c->name, c->help, c->needs_root ? " (root)" : "");
	fprintf(f, "\n'actplane help COMMAND' or 'actplane COMMAND --help' describes a command;\n"
		"docs/cli.md has all of them.  'actplane --version' prints the version.\n");
}

static const struct ap_cmd *find(const char *name)
{
	const struct ap_cmd *c;

	for (c = cmds; c->name; c++)
		if (!strcmp(name, c->name))
			return c;
	return NULL;
}

/* An unknown command: a suggestion and a hint, not the whole list. */
static int unknown(const char *name)
{
	const char *names[N_CMDS], *best;
	size_t i;

	for (i = 0; i < N_CMDS; i++)
		names[i] = cmds[i].name;
	best = ap_closest(name, names, N_CMDS);
	fputs("actplane: unknown command '", stderr);
	ap_esc_puts(stderr, name);
	fputs("'\n", stderr);
	if (best)
		fprintf(stderr, "Did you mean 'actplane %s'?\n", best);
	fprintf(stderr, "Run 'actplane help' for the list of commands.\n");
	return AP_EXIT_USAGE;
}

static int help(int argc, char **argv)
{
	const struct ap_cmd *c;
	char *hargv[] = { NULL, (char *)"--help", NULL };

	if (argc < 2) {
		usage(stdout);
		return 0;
	}
	if (argc > 2)
		return ap_usage_error("help", "give one command");
	c = find(argv[1]);
	if (!c)
		return unknown(argv[1]);
	if (!c->fn)
		return help(1, argv);
	hargv[0] = (char *)c->name;
	return c->fn(2, hargv);
}

int main(int argc, char **argv)
{
	const struct ap_cmd *c;

	if (argc < 2) {
		fprintf(stderr, "Usage: actplane COMMAND [ARGS...]\n"
			"Run 'actplane help' for the list of commands.\n");
		return AP_EXIT_USAGE;
	}
	if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))
		return help(argc - 1, argv + 1);
	if (!strcmp(argv[1], "--version") || !strcmp(argv[1], "version")) {
		printf("actplane %s (netlink ABI %d)\n", AP_TOOL_VERSION, ACTPLANE_ABI_VERSION);
		return 0;
	}
	/* hidden: what the build installs as actplane.8 and the bash completion */
	if (!strcmp(argv[1], "__gen-man") || !strcmp(argv[1], "__gen-completion")) {
		if (argc != 2)
			return ap_usage_error(argv[1], "takes no arguments");
		return ap_gen_docs(cmds, argv[1][6] == 'm' ? "man" : "completion", AP_TOOL_VERSION);
	}
	c = find(argv[1]);
	if (!c) {
		if (argv[1][0] == '-') {
			fputs("actplane: unknown option '", stderr);
			ap_esc_puts(stderr, argv[1]);
			fputs("' (options go after the command)\n"
			      "Run 'actplane help' for the list of commands.\n", stderr);
			return AP_EXIT_USAGE;
		}
		return unknown(argv[1]);
	}
	if (!c->fn)
		return help(argc - 1, argv + 1);
	return c->fn(argc - 1, argv + 1);
}
