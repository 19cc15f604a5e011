// SPDX-License-Identifier: GPL-2.0-only
/*
 * actplane — configure and drive the ActPlane policy engine.
 * Each command is declared next to its handler (AP_COMMAND, cmd.h); this
 * file finds them in the "ap_cmds" section, lists them and dispatches.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "args.h"
#include "cmd.h"
#include "common.h"
#include "escape.h"


/* The declarations of every command (AP_COMMAND in cmd.h), placed by the linker. */
extern const struct ap_cmd *const __start_ap_cmds[], *const __stop_ap_cmds[];

static int by_order(const void *a, const void *b)
{
	const struct ap_cmd *x = *(const struct ap_cmd *const *)a;
	const struct ap_cmd *y = *(const struct ap_cmd *const *)b;

	if (x->order != y->order)
		return x->order < y->order ? -1 : 1;
	return strcmp(x->name, y->name);
}

const struct ap_cmd *const *ap_commands(size_t *n)
{
	static const struct ap_cmd **sorted;
	static size_t count;

	if (!sorted) {
		count = (size_t)(__stop_ap_cmds - __start_ap_cmds);
		sorted = malloc(count * sizeof(*sorted));
		if (!sorted) {
			ap_err("out of memory");
			exit(1);
		}
		memcpy(sorted, __start_ap_cmds, count * sizeof(*sorted));
		qsort(sorted, count, sizeof(*sorted), by_order);
	}
	*n = count;
	return sorted;
}

const struct ap_cmd *ap_command(const char *name)
{
	const struct ap_cmd *const *c;
	size_t i, n;

	c = ap_commands(&n);
	for (i = 0; i < n; i++)
		if (!strcmp(name, c[i]->name))
			return c[i];
	return NULL;
}

static void usage(FILE *f)
{
	const struct ap_cmd *const *c;
	size_t i, n;

	c = ap_commands(&n);
	fprintf(f, "Usage: actplane COMMAND [ARGS...]\n\n"
		"ActPlane: an OS-level policy engine for AI agent harnesses.\n\n"
		"Commands:\n");
	for (i = 0; i < n; i++)
		fprintf(f, "  %-14s %s%s\n", c[i]->name, c[i]->help,
			c[i]->flags & AP_CMD_ROOT ? " (root)" : "");
	fprintf(f, "\n'actplane help COMMAND' or 'actplane COMMAND --help' describes a command;\n"
		"docs/cli.md has all of them.  'actplane --version' prints the version.\n");
}

/* An unknown command: a suggestion and a hint, not the whole list. */
static int unknown(const char *name)
{
	const struct ap_cmd *const *c;
	const char *names[64], *best;
	size_t i, n;

	c = ap_commands(&n);
	for (i = 0; i < n && i < 64; i++)
		names[i] = c[i]->name;
	best = ap_closest(name, names, i);
	fputs("actplane: unknown command '", stderr);
	ap_esc_puts(stderr, name);
	fputs("'\n", stderr);
	if (best)
		fprintf(stderr, "Did you mean 'actplane %s'?\n", best);
	fprintf(stderr, "Run 'actplane help' for the list of commands.\n");
	return AP_EXIT_USAGE;
}

/* The one-line descriptions keep every line of `actplane help` within 80 columns. */
AP_COMMAND(cmd_help, .name = "help", .order = 1000, .args = "[COMMAND]",
	   .help = "this list, or the help of COMMAND",
	   .usage = "Usage: actplane help [COMMAND]\n"
		    "\n"
		    "Without a COMMAND, the list of commands; with one, its help, which\n"
		    "'actplane COMMAND --help' prints too.\n");

/* A command's --help: from its declaration, or its handler's own (check, compile, init). */
static int command_help(const struct ap_cmd *c)
{
	char *argv[] = { (char *)c->name, (char *)"--help", NULL };

	if (c->usage) {
		ap_cmd_help(c, stdout);
		return 0;
	}
	optind = 0;
	return c->fn(2, argv);
}

static int cmd_help(int argc, char **argv)
{
	const struct ap_cmd *c;
	int r;

	while ((r = ap_getopt(&cmd_help_cmd, argc, argv)) > 0)
		;
	if (r < 0)
		return ap_opt_exit(r);
	if (optind == argc) {
		usage(stdout);
		return 0;
	}
	if (argc - optind > 1)
		return ap_usage_error("help", "give one command");
	c = ap_command(argv[optind]);
	if (!c)
		return unknown(argv[optind]);
	if (c == &cmd_help_cmd) {
		usage(stdout);
		return 0;
	}
	return command_help(c);
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
		return cmd_help(argc - 1, argv + 1);
	if (!strcmp(argv[1], "--version")) {	/* the tool only; `version` says more */
		printf("actplane %s (netlink ABI %d)\n", AP_TOOL_VERSION, ACTPLANE_ABI_VERSION);
		return 0;
	}
	/* hidden: what the build installs as actplane.8 and the bash completion */
	if (!strcmp(argv[1], "__gen-man") || !strcmp(argv[1], "__gen-completion")) {
		if (argc != 2)
			return ap_usage_error(argv[1], "takes no arguments");
		return ap_gen_docs(argv[1][6] == 'm' ? "man" : "completion", AP_TOOL_VERSION);
	}
	c = ap_command(argv[1]);
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
	return c->fn(argc - 1, argv + 1);
}
