/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The actplane tool's commands.  Each command is declared once, next to its
 * handler, with AP_COMMAND(): name, handler, synopsis, description, flags,
 * its place in `actplane help`, its --help text and its options.  The
 * declarations land in the "ap_cmds" ELF section; main.c walks it (iw's
 * COMMAND() model), so adding a command touches no table elsewhere.
 *
 * From a command's option spec (struct ap_opt) come its getopt_long parser
 * (ap_getopt), the option list of its --help, the man page and the bash
 * completion (gen_docs.c) and its usage errors: "actplane CMD: what is
 * wrong" + "Try 'actplane CMD --help'." and exit status AP_EXIT_USAGE (2).
 * A handler returns the process exit status: 0 success, 1 the command
 * failed, 2 usage (docs/cli.md).
 */
#ifndef ACTPLANE_CMD_H
#define ACTPLANE_CMD_H

#include <stdio.h>

/* One option.  --help (-h) is every command's and is not listed here. */
struct ap_opt {
	const char *name;	/* long name, without "--" */
	int key;		/* ap_getopt's result: the short letter, or AP_OPT_LONG + n */
	const char *arg;	/* its argument as --help shows it ("FILE"); NULL: none */
	const char *values;	/* the words the argument takes ("open closed"); NULL: any */
	const char *help;	/* --help's text; '\n' continues it under itself.
				   NULL: the description above covers it */
};

#define AP_OPT_LONG	0x100	/* keys of options without a short letter start here */

/* options several commands share, with one wording */
#define AP_OPT_JSON	{ "json", 'j', NULL, NULL, "one JSON object (schema in docs/cli.md)" }
#define AP_OPT_DOMAIN	{ "domain", 'd', "NAME", NULL, "domain of a rules:/domains: catalog" }

/* flags */
#define AP_CMD_ROOT	0x1	/* talks to the module with privileges */
#define AP_CMD_OPTS_FIRST 0x2	/* options end at the first operand (run: the agent's argv) */
#define AP_CMD_LENIENT	0x4	/* an unknown option is reported and ignored (feedback-hook) */

struct ap_cmd {
	const char *name;
	int (*fn)(int argc, char **argv);	/* argv[0] is the command name */
	const char *args;	/* one-line synopsis of the arguments (`actplane help`) */
	const char *help;	/* one-line description (`actplane help`) */
	unsigned int flags;
	unsigned int order;	/* `actplane help` lists the commands by this */
	/*
	 * --help is: usage ("Usage: actplane CMD ..." lines, a blank line and
	 * the description), then, if there are options, a blank line and the
	 * option list, then a blank line and more, then what tail prints.
	 * NULL usage: the handler answers --help itself (check, compile, init).
	 */
	const char *usage;
	const struct ap_opt *opts;	/* ends with { NULL } */
	unsigned int opt_col;	/* column of the options' texts; 0: widest option + 3 */
	const char *more;
	void (*tail)(FILE *f);
};

/*
 * Declare a command, before its handler:
 *
 *	AP_COMMAND(cmd_status, .name = "status", .order = 100, .args = "[--json]", ...);
 *
 * declares the handler (static int cmd_status(int argc, char **argv)) and
 * cmd_status_cmd, the struct ap_cmd the handler passes to ap_getopt().  Only
 * a pointer to the struct goes into the section, so its entries are
 * pointer-sized and pointer-aligned whatever alignment the compiler gives
 * the structs themselves.
 */
#define AP_COMMAND(handler, ...)							\
	static int handler(int argc, char **argv);					\
	static const struct ap_cmd handler##_cmd = { .fn = handler, __VA_ARGS__ };	\
	static const struct ap_cmd *const handler##_cmd_ptr				\
	__attribute__((used, section("ap_cmds"), aligned(sizeof(void *)))) = &handler##_cmd

/* The commands, sorted by order; *n is their number.  (main.c) */
const struct ap_cmd *const *ap_commands(size_t *n);
const struct ap_cmd *ap_command(const char *name);

/* ---- the one option parser (args.c) ---------------------------------------- */
#define AP_OPT_END	0	/* no more options: argv[optind...] are the operands */
#define AP_OPT_HELP	(-1)	/* --help was printed: return ap_opt_exit() (0) */
#define AP_OPT_ERROR	(-2)	/* a usage error was printed: return ap_opt_exit() (2) */

/*
 * getopt_long over c's options and --help: the next option's key (optarg
 * set), or one of the above.  Reading a new command line restarts getopt.
 */
int ap_getopt(const struct ap_cmd *c, int argc, char **argv);
int ap_opt_exit(int r);
/* After the options: a usage error (returned) for a stray operand, else 0. */
int ap_no_operands(const struct ap_cmd *c, int argc, char **argv);
/* Print c's --help. */
void ap_cmd_help(const struct ap_cmd *c, FILE *f);

/*
 * The man page (what = "man") or the bash completion ("completion") on
 * stdout, from the commands' declarations (gen_docs.c).
 */
int ap_gen_docs(const char *what, const char *version);

/* shared helpers */
extern const char *ap_prog;		/* "actplane" */
void ap_err(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
