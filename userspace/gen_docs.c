// SPDX-License-Identifier: GPL-2.0-only
/*
 * The man page (actplane.8) and the bash completion, generated from the
 * commands' declarations (AP_COMMAND, cmd.h): `actplane __gen-man` and
 * `actplane __gen-completion` (hidden commands the build runs; `make
 * install` installs what they print).
 *
 * A command's options come from its option spec (struct ap_opt), --help
 * included.  A lower-case word right after "actplane CMD" in a synopsis
 * line of its --help ("label add|clear") is a subcommand word.
 *
 * A command that answers --help itself (no .usage: check, compile, init)
 * is run with --help and its standard output on a temporary file, and its
 * options are read from that text: the "Usage:" synopsis lines and the
 * indented option lines ("  -p, --policy FILE   ...").  An option followed
 * by an upper-case word takes an argument; followed by lower-case words
 * joined by '|' ("--fail-mode open|closed") it takes one of those values.
 */
#include <ctype.h>
#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cmd.h"

#define MAX_OPTS	24
#define MAX_WORDS	8

struct gen_opt {
	char name[32];		/* long name without "--" */
	char shrt;		/* short letter, 0 if none */
	bool arg;		/* takes an argument */
	char values[96];	/* its values, space-separated ("" : any) */
};

struct gen_cmd {
	const struct ap_cmd *c;
	char *help;		/* the --help text (malloc'd) */
	struct gen_opt opts[MAX_OPTS];
	size_t n_opts;
	char words[MAX_WORDS][24];
	size_t n_words;
};

/* ---- capture and parse the help ------------------------------------------- */
static char *capture_help(const struct ap_cmd *c)
{
	char *argv[] = { (char *)c->name, (char *)"--help", NULL };
	FILE *tmp = tmpfile();
	char *buf = NULL;
	long len;
	int saved;

	if (!tmp)
		return NULL;
	if (c->usage) {
		ap_cmd_help(c, tmp);
		goto read;
	}
	fflush(stdout);
	saved = dup(STDOUT_FILENO);
	if (saved < 0 || dup2(fileno(tmp), STDOUT_FILENO) < 0) {
		fclose(tmp);
		return NULL;
	}
	optind = 0;		/* every command parses with getopt from scratch */
	c->fn(2, argv);
	fflush(stdout);
	dup2(saved, STDOUT_FILENO);
	close(saved);
read:
	fflush(tmp);
	len = ftell(tmp);
	if (len >= 0 && (buf = calloc(1, (size_t)len + 1))) {
		rewind(tmp);
		if (fread(buf, 1, (size_t)len, tmp) != (size_t)len) {
			free(buf);
			buf = NULL;
		}
	}
	fclose(tmp);
	return buf;
}

static struct gen_opt *opt_get(struct gen_cmd *g, const char *name, size_t len)
{
	size_t i;

	if (!len || len >= sizeof(g->opts[0].name))
		return NULL;
	for (i = 0; i < g->n_opts; i++)
		if (strlen(g->opts[i].name) == len && !strncmp(g->opts[i].name, name, len))
			return &g->opts[i];
	if (g->n_opts == MAX_OPTS)
		return NULL;
	memset(&g->opts[g->n_opts], 0, sizeof(g->opts[0]));
	memcpy(g->opts[g->n_opts].name, name, len);
	return &g->opts[g->n_opts++];
}

static size_t name_len(const char *s)
{
	size_t n = 0;

	while (islower((unsigned char)s[n]) || isdigit((unsigned char)s[n]) || s[n] == '-')
		n++;
	return n;
}

/* "a|b|c" of lower-case words, ending at a blank, ']' or ')' */
static size_t alternatives(const char *s, char *out, size_t outlen)
{
	size_t n = 0, o = 0;

	for (;;) {
		size_t w = 0;

		while (islower((unsigned char)s[n + w]))
			w++;
		if (!w || o + w + 2 > outlen)
			return 0;
		if (o)
			out[o++] = ' ';
		memcpy(out + o, s + n, w);
		o += w;
		n += w;
		if (s[n] != '|')
			break;
		n++;
	}
	if (s[n] && !strchr(" \n])", s[n]))
		return 0;
	out[o] = '\0';
	return n;
}

/* what follows an option name at s: " ARG", " a|b" or nothing */
static void opt_argument(struct gen_opt *o, const char *s)
{
	char vals[sizeof(o->values)];

	if (*s != ' ' || s[1] == ' ')
		return;
	s++;
	while (*s == '[' || *s == '(')
		s++;
	if (isupper((unsigned char)*s)) {
		o->arg = true;
	} else if (alternatives(s, vals, sizeof(vals)) && strchr(s, '|') &&
		   strchr(s, '|') < s + strcspn(s, " \n")) {
		o->arg = true;
		snprintf(o->values, sizeof(o->values), "%s", vals);
	}
}

/* the options of a declared command: its spec, and --help */
static void spec_opts(struct gen_cmd *g)
{
	const struct ap_opt *o;

	g->n_opts = 0;
	for (o = g->c->opts; o && o->name; o++) {
		struct gen_opt *go = opt_get(g, o->name, strlen(o->name));

		if (!go)
			continue;
		go->shrt = o->key < AP_OPT_LONG ? (char)o->key : 0;
		go->arg = o->arg != NULL;
		if (o->values)
			snprintf(go->values, sizeof(go->values), "%s", o->values);
	}
	opt_get(g, "help", 4)->shrt = 'h';
}

static void parse_help(struct gen_cmd *g)
{
	const char *line = g->help, *nl;
	bool synopsis = true;
	char prefix[64];

	snprintf(prefix, sizeof(prefix), "actplane %s ", g->c->name);
	for (; line && *line; line = nl ? nl + 1 : NULL) {
		const char *p = line + strspn(line, " ");

		nl = strchr(line, '\n');
		if (p == (nl ? nl : line + strlen(line)))
			synopsis = false;	/* the synopsis ends at the first blank line */
		if (synopsis) {
			const char *cmdp = strstr(line, prefix), *q;
			char w[96];

			/* a subcommand word right after "actplane CMD" */
			if (cmdp && (!nl || cmdp < nl) &&
			    alternatives(cmdp + strlen(prefix), w, sizeof(w))) {
				char *save = NULL, *tok;

				for (tok = strtok_r(w, " ", &save); tok && g->n_words < MAX_WORDS;
				     tok = strtok_r(NULL, " ", &save))
					snprintf(g->words[g->n_words++], sizeof(g->words[0]), "%s", tok);
			}
			for (q = line; (q = strstr(q, "--")) && (!nl || q < nl); q += 2) {
				size_t n = name_len(q + 2);
				struct gen_opt *o = opt_get(g, q + 2, n);

				if (o)
					opt_argument(o, q + 2 + n);
			}
			continue;
		}
		/* an option line: "  -x, --name ARG   text" or "  --name   text" */
		if (p == line || *p != '-')
			continue;
		{
			char shrt = 0;
			size_t n;
			struct gen_opt *o;

			if (p[1] != '-' && p[1] && p[2] == ',' && p[3] == ' ' && p[4] == '-') {
				shrt = p[1];
				p += 4;
			}
			if (strncmp(p, "--", 2))
				continue;
			n = name_len(p + 2);
			o = opt_get(g, p + 2, n);
			if (!o)
				continue;
			if (shrt)
				o->shrt = shrt;
			opt_argument(o, p + 2 + n);
		}
	}
	opt_get(g, "help", 4)->shrt = 'h';
}

static int load_cmds(struct gen_cmd **out, size_t *n)
{
	const struct ap_cmd *const *cmds;
	struct gen_cmd *g;
	size_t i, count;

	cmds = ap_commands(&count);
	g = calloc(count, sizeof(*g));
	if (!g)
		return -1;
	for (i = 0; i < count; i++) {
		g[i].c = cmds[i];
		g[i].help = capture_help(cmds[i]);
		if (!g[i].help) {
			fprintf(stderr, "actplane: cannot capture the help of %s\n", cmds[i]->name);
			free(g);
			return -1;
		}
		parse_help(&g[i]);	/* subcommand words; options if undeclared */
		if (cmds[i]->usage)
			spec_opts(&g[i]);
	}
	*out = g;
	*n = count;
	return 0;
}

static void free_cmds(struct gen_cmd *g, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		free(g[i].help);
	free(g);
}

/* ---- man page --------------------------------------------------------------- */
/* roff text: backslashes and minus signs escaped, no control character at a line start */
static void roff(FILE *f, const char *s, size_t len, bool line_start)
{
	size_t i;

	for (i = 0; i < len; i++) {
		if (line_start && (s[i] == '.' || s[i] == '\''))
			fputs("\\&", f);
		line_start = false;
		if (s[i] == '\\')
			fputs("\\e", f);
		else if (s[i] == '-')
			fputs("\\-", f);
		else
			fputc(s[i], f);
	}
}

static void roff_line(FILE *f, const char *s, size_t len)
{
	roff(f, s, len, true);
	fputc('\n', f);
}

/* the body of a command's help after its synopsis, as paragraphs, option lists and displays */
static void man_body(FILE *f, const char *text)
{
	enum { NONE, FILL, OPTS, DISPLAY } mode = NONE;
	const char *line, *nl;

	for (line = text; *line; line = nl + (*nl != '\0')) {
		const char *p = line + strspn(line, " ");
		size_t len, indent = (size_t)(p - line);

		nl = line + strcspn(line, "\n");
		len = (size_t)(nl - p);
		if (!len) {		/* blank: ends the block */
			if (mode == DISPLAY)
				fputs(".fi\n", f);
			mode = NONE;
			continue;
		}
		if (!indent) {
			if (mode == DISPLAY)
				fputs(".fi\n", f);
			if (mode != FILL)
				fputs(".PP\n", f);
			mode = FILL;
			roff_line(f, p, len);
		} else if (*p == '-') {	/* "-x, --name ARG   description" */
			const char *gap = strstr(p, "  ");

			if (mode == DISPLAY)
				fputs(".fi\n", f);
			mode = OPTS;
			fputs(".TP\n", f);
			if (!gap || gap > nl) {
				roff_line(f, p, len);
				continue;
			}
			fputs("\\fB", f);
			roff(f, p, (size_t)(gap - p), false);
			fputs("\\fR\n", f);
			gap += strspn(gap, " ");
			roff_line(f, gap, (size_t)(nl - gap));
		} else if (mode == OPTS && indent > 4) {	/* an option's next line */
			roff_line(f, p, len);
		} else {		/* an indented list or example, kept as it is */
			if (mode != DISPLAY)
				fputs(".PP\n.nf\n", f);
			mode = DISPLAY;
			roff_line(f, line, (size_t)(nl - line));
		}
	}
	if (mode == DISPLAY)
		fputs(".fi\n", f);
}

static void man_command(FILE *f, const struct gen_cmd *g)
{
	const char *body = g->help, *nl;

	fprintf(f, ".SS %s\n", g->c->name);
	/* the synopsis: "Usage: actplane CMD ..." and its continuation lines */
	fputs(".nf\n", f);
	for (; *body && *body != '\n'; body = nl + (*nl != '\0')) {
		const char *p = body;

		nl = body + strcspn(body, "\n");
		if (!strncmp(p, "Usage: ", 7))
			p += 7;
		p += strspn(p, " ");
		if (!strncmp(p, "actplane ", 9)) {
			fputs("\\fBactplane ", f);
			roff(f, g->c->name, strlen(g->c->name), false);
			fputs("\\fR", f);
			p += 9 + strlen(g->c->name);
		} else {
			fputs("    ", f);
		}
		roff_line(f, p, (size_t)(nl - p));
	}
	fputs(".fi\n", f);
	man_body(f, body);
	if (g->c->flags & AP_CMD_ROOT)
		fputs(".PP\nNeeds root (CAP_NET_ADMIN or CAP_SYS_ADMIN).\n", f);
}

static int gen_man(const struct gen_cmd *g, size_t n, const char *version, FILE *f)
{
	size_t i;

	fprintf(f, ".\\\" Generated by `actplane __gen-man` from the commands' declarations\n"
		".\\\" (AP_COMMAND in userspace/cmd.h; userspace/gen_docs.c); do not edit.\n"
		".TH ACTPLANE 8 \"\" \"actplane %s\" \"System Administration\"\n"
		".nh\n.ad l\n", version);
	fputs(".SH NAME\n"
	      "actplane \\- an OS\\-level policy engine for AI agent harnesses\n"
	      ".SH SYNOPSIS\n.nf\n"
	      "\\fBactplane\\fR \\fICOMMAND\\fR [\\fIARGS\\fR...]\n"
	      "\\fBactplane\\fR \\fICOMMAND\\fR \\fB\\-\\-help\\fR\n"
	      "\\fBactplane help\\fR [\\fICOMMAND\\fR]\n"
	      "\\fBactplane \\-\\-version\\fR\n"
	      ".fi\n"
	      ".SH DESCRIPTION\n"
	      "ActPlane runs an AI agent (Claude Code, Codex, a script) as a session\n"
	      "under a policy the kernel enforces: every process the agent starts, every\n"
	      "file it reads or writes and every connection it makes passes through the\n"
	      "ActPlane kernel module and its BPF LSM programs, and the agent is told why\n"
	      "it was stopped.\n"
	      ".B actplane\n"
	      "checks and loads policies, attaches the hooks, runs agents and wires them\n"
	      "up to the feedback ActPlane gives them.\n"
	      ".PP\n"
	      "The commands (\\fB(root)\\fR: needs privileges):\n.PD 0\n", f);
	for (i = 0; i < n; i++) {
		fprintf(f, ".TP 16\n.B %s\n", g[i].c->name);
		roff(f, g[i].c->help, strlen(g[i].c->help), true);
		fputs(g[i].c->flags & AP_CMD_ROOT ? " (root)\n" : "\n", f);
	}
	fputs(".PD\n.SH COMMANDS\n", f);
	for (i = 0; i < n; i++)
		man_command(f, &g[i]);
	fputs(".SH EXIT STATUS\n"
	      "0 success, 1 the command failed (the module is not loaded, the kernel\n"
	      "refused, the policy has errors, a check failed), 2 a usage error: a bad\n"
	      "argument is refused before the module is contacted.\n"
	      "\\fBrun\\fR exits with the agent's status;\n"
	      "\\fBrules \\-\\-diff\\fR follows \\fBdiff\\fR(1).\n"
	      ".SH FILES\n"
	      ".TP\n.I actplane.yaml\\fR, \\fP.actplane/policy.yaml\n"
	      "the workspace policy, searched upwards from the working directory\n"
	      ".TP\n.I .actplane/violations.jsonl\n"
	      "every violation of a session, one JSON object per line\n"
	      ".TP\n.I .actplane/last\\-violation.txt\n"
	      "the latest violation, addressed to the agent\n"
	      ".TP\n.I /sys/fs/bpf/actplane\n"
	      "the pinned hooks and enforcer\n"
	      ".SH SEE ALSO\n"
	      "\\fBsudo\\fR(8), \\fBbpftool\\fR(8); docs/cli.md, docs/policy\\-language.md,\n"
	      "docs/agent\\-integration.md and docs/SECURITY.md in the ActPlane sources\n", f);
	return ferror(f) ? 1 : 0;
}

/* ---- bash completion ------------------------------------------------------------ */
static int gen_completion(const struct gen_cmd *g, size_t n, FILE *f)
{
	size_t i, j;

	fputs("# bash completion for actplane(8)                        -*- shell-script -*-\n"
	      "# Generated by `actplane __gen-completion` from the commands' declarations\n"
	      "# (AP_COMMAND in userspace/cmd.h; userspace/gen_docs.c); do not edit.\n\n"
	      "_actplane_commands='", f);
	for (i = 0; i < n; i++)
		fprintf(f, "%s%s", i ? " " : "", g[i].c->name);
	fputs("'\n\n"
	      "_actplane()\n{\n"
	      "\tlocal cur=${COMP_WORDS[COMP_CWORD]} prev=${COMP_WORDS[COMP_CWORD-1]}\n"
	      "\tlocal cmd=${COMP_WORDS[1]} opts='' words='' i\n"
	      "\tCOMPREPLY=()\n"
	      "\tif [ \"$COMP_CWORD\" -le 1 ]; then\n"
	      "\t\tmapfile -t COMPREPLY < <(compgen -W \"$_actplane_commands --help --version\" -- \"$cur\")\n"
	      "\t\treturn 0\n"
	      "\tfi\n"
	      "\t# run: after --, the agent's command line\n"
	      "\tif [ \"$cmd\" = run ]; then\n"
	      "\t\tfor ((i = 2; i < COMP_CWORD; i++)); do\n"
	      "\t\t\t[ \"${COMP_WORDS[i]}\" = -- ] || continue\n"
	      "\t\t\t[ $((i + 1)) -lt \"$COMP_CWORD\" ] ||\n"
	      "\t\t\t\tmapfile -t COMPREPLY < <(compgen -c -- \"$cur\")\n"
	      "\t\t\treturn 0\n"
	      "\t\tdone\n"
	      "\tfi\n"
	      "\t# the argument of an option: its values, else the default (file names)\n"
	      "\tcase \"$cmd $prev\" in\n", f);
	for (i = 0; i < n; i++) {
		for (j = 0; j < g[i].n_opts; j++) {
			const struct gen_opt *o = &g[i].opts[j];

			if (!o->arg)
				continue;
			fprintf(f, "\t'%s --%s'", g[i].c->name, o->name);
			if (o->shrt)
				fprintf(f, "|'%s -%c'", g[i].c->name, o->shrt);
			if (o->values[0])
				fprintf(f, ")\n\t\tmapfile -t COMPREPLY < <(compgen -W '%s' -- \"$cur\")\n"
					"\t\treturn 0 ;;\n", o->values);
			else
				fputs(")\n\t\treturn 0 ;;\n", f);
		}
	}
	fputs("\tesac\n"
	      "\tcase $cmd in\n", f);
	for (i = 0; i < n; i++) {
		fprintf(f, "\t%s)\n", g[i].c->name);
		fputs("\t\topts='", f);
		for (j = 0; j < g[i].n_opts; j++)
			fprintf(f, "%s--%s", j ? " " : "", g[i].opts[j].name);
		fputc('\'', f);
		if (!strcmp(g[i].c->name, "help")) {
			fputs("\n\t\twords=$_actplane_commands", f);
		} else if (g[i].n_words) {
			fputs("\n\t\twords='", f);
			for (j = 0; j < g[i].n_words; j++)
				fprintf(f, "%s%s", j ? " " : "", g[i].words[j]);
			fputc('\'', f);
		}
		fputs(" ;;\n", f);
	}
	fputs("\t*) return 0 ;;\n"
	      "\tesac\n"
	      "\tif [[ $cur == -* ]]; then\n"
	      "\t\tmapfile -t COMPREPLY < <(compgen -W \"$opts\" -- \"$cur\")\n"
	      "\telif [ \"$COMP_CWORD\" -eq 2 ] && [ -n \"$words\" ]; then\n"
	      "\t\tmapfile -t COMPREPLY < <(compgen -W \"$words\" -- \"$cur\")\n"
	      "\tfi\n"
	      "\treturn 0\n"
	      "}\n"
	      "complete -o default -F _actplane actplane\n", f);
	return ferror(f) ? 1 : 0;
}

int ap_gen_docs(const char *what, const char *version)
{
	struct gen_cmd *g;
	size_t n;
	int ret;

	if (load_cmds(&g, &n))
		return 1;
	if (!strcmp(what, "man"))
		ret = gen_man(g, n, version, stdout);
	else
		ret = gen_completion(g, n, stdout);
	free_cmds(g, n);
	if (fflush(stdout))
		ret = 1;
	return ret;
}
