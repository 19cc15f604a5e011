// SPDX-License-Identifier: GPL-2.0-only
/*
 * actplane — configure and drive the ActPlane policy engine.
 * One command table; each command parses its own options and has --help.
 */
#include <stdio.h>
#include <string.h>
#include "cmd.h"
#include "common.h"

#define AP_TOOL_VERSION "0.1.0"

static const struct ap_cmd cmds[] = {
	{ "status", cmd_status, "[--json]", "show module, enforcer, hooks and counters", 0 },
	{ "up", cmd_up, "[--enforcer NAME|FILE]", "attach the BPF hooks and an enforcer (pinned)", 1 },
	{ "down", cmd_down, "", "detach the enforcer and the BPF hooks", 1 },
	{ "enforcer", cmd_enforcer, "NAME|FILE | test [EFFECT]", "switch or test the enforcer", 1 },
	{ "label", cmd_label, "add|clear LABEL... (--pid P | PATH)", "add or remove labels", 1 },
	{ "labels", cmd_labels, "(--pid P | PATH)", "show the labels of a process or file", 1 },
	{ "session", cmd_session, "create --pid P [--label L]...", "start a session", 1 },
	{ "limits", cmd_limits, "[--bytes N] [--fail-mode open|closed]", "label memory limit", 1 },
	{ "run", cmd_run, "[--policy F] [--enforcer E] -- CMD...", "run an agent as a session", 1 },
	{ "load", cmd_load, "[--policy F | F] [--domain D]", "compile and load a policy", 1 },
	{ "unload", cmd_unload, "", "remove the loaded policy", 1 },
	{ "rules", cmd_rules, "", "list the loaded rules", 1 },
	{ "watch", cmd_watch, "[--json]", "print violation events as they happen", 1 },
	{ "check", cmd_check, "[--policy F] [--domain D] [--strict]", "check a policy file", 0 },
	{ "compile", cmd_compile, "--dump [--json] [--policy F]", "show the compiled policy", 0 },
	{ "init", cmd_init, "[--force]", "write a starter actplane.yaml", 0 },
	{ "setup", cmd_setup, "[--claude|--codex|--mcp] [--force]", "add ActPlane hooks / MCP to agent settings", 0 },
	{ "feedback-hook", cmd_feedback_hook, "< HOOK-JSON", "agent hook: report new violations to the agent", 0 },
	{ "mcp", cmd_mcp, "[--workspace DIR]", "MCP server on stdio (policy, violations, check)", 0 },
	{ "doctor", cmd_doctor, "[--lsm-file F]", "check this host for what ActPlane needs", 0 },
	{}
};

static void usage(FILE *f)
{
	const struct ap_cmd *c;

	fprintf(f, "usage: actplane COMMAND [ARGS]\n\n"
		"ActPlane: an OS-level policy engine for AI agent harnesses.\n\nCommands:\n");
	for (c = cmds; c->name; c++)
		fprintf(f, "  %-13s %-38s %s%s\n", c->name, c->args, c->help,
			c->needs_root ? " (root)" : "");
	fprintf(f, "\n'actplane COMMAND --help' describes a command.\n");
}

int main(int argc, char **argv)
{
	const struct ap_cmd *c;

	if (argc < 2) {
		usage(stderr);
		return 2;
	}
	if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") || !strcmp(argv[1], "help")) {
		usage(stdout);
		return 0;
	}
	if (!strcmp(argv[1], "--version") || !strcmp(argv[1], "version")) {
		printf("actplane %s (netlink ABI %d)\n", AP_TOOL_VERSION, ACTPLANE_ABI_VERSION);
		return 0;
	}
	for (c = cmds; c->name; c++) {
		if (strcmp(argv[1], c->name))
			continue;
		return c->fn(argc - 1, argv + 1);
	}
	ap_err("unknown command '%s'", argv[1]);
	usage(stderr);
	return 2;
}
