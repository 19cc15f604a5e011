/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The actplane tool's command table: every subcommand is one function with
 * the signature below, registered in main.c.  argv[0] is the subcommand name.
 * Return value is the process exit status.
 */
#ifndef ACTPLANE_CMD_H
#define ACTPLANE_CMD_H

struct ap_cmd {
	const char *name;
	int (*fn)(int argc, char **argv);
	const char *args;	/* one-line synopsis of the arguments */
	const char *help;	/* one-line description */
	int needs_root;		/* talks to the module with privileges */
};

/* runtime commands (netlink, BPF) */
int cmd_status(int argc, char **argv);
int cmd_up(int argc, char **argv);
int cmd_down(int argc, char **argv);
int cmd_enforcer(int argc, char **argv);
int cmd_label(int argc, char **argv);
int cmd_labels(int argc, char **argv);
int cmd_session(int argc, char **argv);
int cmd_limits(int argc, char **argv);
int cmd_load(int argc, char **argv);
int cmd_unload(int argc, char **argv);
int cmd_rules(int argc, char **argv);
int cmd_watch(int argc, char **argv);
int cmd_run(int argc, char **argv);

/* policy language (userspace/cmd_policy.c, explain.c) */
int cmd_check(int argc, char **argv);
int cmd_compile(int argc, char **argv);
int cmd_init(int argc, char **argv);
int cmd_explain(int argc, char **argv);

/* agent integration (feedback_hook.c, setup.c, mcp.c) and host checks (doctor.c) */
int cmd_feedback_hook(int argc, char **argv);
int cmd_setup(int argc, char **argv);
int cmd_mcp(int argc, char **argv);
int cmd_doctor(int argc, char **argv);

/*
 * The man page (what = "man") or the bash completion ("completion") on
 * stdout, from the command table and each command's --help (gen_docs.c).
 */
int ap_gen_docs(const struct ap_cmd *cmds, const char *what, const char *version);

/* shared helpers */
extern const char *ap_prog;		/* "actplane" */
void ap_err(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
