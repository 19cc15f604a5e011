// SPDX-License-Identifier: GPL-2.0-only
/* Shared argument handling for the actplane commands (see args.h). */
#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <uapi/actplane.h>
#include "args.h"
#include "cmd.h"
#include "escape.h"

int ap_usage_error(const char *cmd, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "actplane %s: ", cmd);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\nTry 'actplane %s --help'.\n", cmd);
	return AP_EXIT_USAGE;
}

int ap_getopt_error(const char *cmd, int c, int argc, char **argv)
{
	const char *opt = optind > 0 && optind <= argc ? argv[optind - 1] : "?";
	char shortopt[3] = { '-', (char)optopt, 0 };
	size_t len;

	/* "--name[=value]" as given; a short option (maybe in a cluster) by its letter */
	if (!strncmp(opt, "--", 2))
		len = strcspn(opt, "=");
	else if (optopt)
		opt = shortopt, len = 2;
	else
		len = strlen(opt);
	fprintf(stderr, "actplane %s: %s '", cmd, c == ':' ? "missing argument for option" :
		"unknown option");
	ap_esc_write(stderr, opt, len, 0);
	fprintf(stderr, "'\nTry 'actplane %s --help'.\n", cmd);
	return AP_EXIT_USAGE;
}

int ap_parse_uint(const char *s, uint64_t min, uint64_t max, uint64_t *out)
{
	unsigned long long v;
	char *end;

	if (!s || *s < '0' || *s > '9')
		return -1;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno || *end || v < min || v > max)
		return -1;
	*out = v;
	return 0;
}

int ap_parse_pid_arg(const char *cmd, const char *s, int *pid)
{
	uint64_t v;

	if (ap_parse_uint(s, 1, 0x7fffffff, &v))
		return ap_usage_error(cmd, "--pid takes a process id (a number from 1), not '%s'", s);
	*pid = (int)v;
	return 0;
}

int ap_parse_size(const char *s, uint64_t *out)
{
	unsigned long long v;
	unsigned int shift = 0;
	char *end;

	if (!s || *s < '0' || *s > '9')
		return -1;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno)
		return -1;
	switch (*end) {
	case 'k': case 'K': shift = 10; end++; break;
	case 'm': case 'M': shift = 20; end++; break;
	case 'g': case 'G': shift = 30; end++; break;
	case 't': case 'T': shift = 40; end++; break;
	}
	if (*end || (shift && v > (~0ULL >> shift)))
		return -1;
	*out = v << shift;
	return 0;
}

int ap_parse_session_memory(const char *s, uint64_t *out)
{
	return ap_parse_size(s, out) || *out < ACTPLANE_SESSION_MEM_QUOTA_MIN ||
	       *out > ACTPLANE_SESSION_MEM_QUOTA_MAX ? -1 : 0;
}

/* Damerau-free Levenshtein distance, bounded to short words */
static size_t distance(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b), i, j, row[64], prev, tmp;

	if (la > 63 || lb > 63)
		return 64;
	for (j = 0; j <= lb; j++)
		row[j] = j;
	for (i = 1; i <= la; i++) {
		prev = row[0];
		row[0] = i;
		for (j = 1; j <= lb; j++) {
			size_t best = prev + (a[i - 1] != b[j - 1]);

			if (row[j] + 1 < best)
				best = row[j] + 1;
			if (row[j - 1] + 1 < best)
				best = row[j - 1] + 1;
			tmp = row[j];
			row[j] = best;
			prev = tmp;
		}
	}
	return row[lb];
}

const char *ap_closest(const char *word, const char *const *cands, size_t n)
{
	const char *best = NULL;
	size_t i, d, bestd = 64, len = strlen(word);

	for (i = 0; i < n; i++) {
		/* a unique-looking prefix ("stat" for "status") counts as close */
		if (len >= 3 && !strncmp(cands[i], word, len))
			d = 1;
		else
			d = distance(word, cands[i]);
		if (d < bestd) {
			bestd = d;
			best = cands[i];
		}
	}
	/* at most 2 edits, and fewer than half the word */
	if (!best || bestd > 2 || bestd * 2 >= len + (len < 4))
		return NULL;
	return best;
}

/* ---- the commands' option parser and --help (cmd.h) --------------------------- */
#define AP_MAX_OPTS	32

/* the getopt_long tables of the command line being read */
static struct {
	const struct ap_cmd *cmd;
	char **argv;
	struct option lo[AP_MAX_OPTS + 2];
	char shorts[3 * AP_MAX_OPTS + 8];
} cur;

static void opts_build(const struct ap_cmd *c, char **argv)
{
	const struct ap_opt *o;
	size_t n = 0, s = 0;

	memset(&cur, 0, sizeof(cur));
	cur.cmd = c;
	cur.argv = argv;
	if (c->flags & AP_CMD_OPTS_FIRST)
		cur.shorts[s++] = '+';
	cur.shorts[s++] = ':';
	for (o = c->opts; o && o->name && n < AP_MAX_OPTS; o++, n++) {
		cur.lo[n] = (struct option){ o->name, o->arg ? required_argument : no_argument,
					     NULL, o->key };
		if (o->key < AP_OPT_LONG) {
			cur.shorts[s++] = (char)o->key;
			if (o->arg)
				cur.shorts[s++] = ':';
		}
	}
	cur.lo[n] = (struct option){ "help", no_argument, NULL, 'h' };
	cur.shorts[s++] = 'h';
	optind = 0;		/* getopt from scratch: a new command line */
	opterr = 0;
}

int ap_getopt(const struct ap_cmd *c, int argc, char **argv)
{
	int r;

	if (cur.cmd != c || cur.argv != argv)
		opts_build(c, argv);
	for (;;) {
		r = getopt_long(argc, argv, cur.shorts, cur.lo, NULL);
		if (r == -1) {
			r = AP_OPT_END;
		} else if (r == 'h') {
			ap_cmd_help(c, stdout);
			r = AP_OPT_HELP;
		} else if (r == '?' || r == ':') {
			if (c->flags & AP_CMD_LENIENT) {
				/* a broken hook entry must not break the agent either */
				fprintf(stderr, "actplane %s: ignoring bad option ", c->name);
				ap_esc_quoted(stderr, argv[optind - 1]);
				fputs(" (see --help)\n", stderr);
				continue;
			}
			ap_getopt_error(c->name, r, argc, argv);
			r = AP_OPT_ERROR;
		} else {
			return r;
		}
		cur.cmd = NULL;		/* done with this command line */
		return r;
	}
}

int ap_opt_exit(int r)
{
	return r == AP_OPT_HELP ? 0 : AP_EXIT_USAGE;
}

int ap_no_operands(const struct ap_cmd *c, int argc, char **argv)
{
	if (optind < argc)
		return ap_usage_error(c->name, "unexpected argument '%s'", argv[optind]);
	return 0;
}

/* "-x, --name ARG" (or "    --name ARG"): its width */
static int opt_head(FILE *f, const struct ap_opt *o)
{
	char head[96];

	if (o->key < AP_OPT_LONG)
		snprintf(head, sizeof(head), "-%c, --%s%s%s", o->key, o->name,
			 o->arg ? " " : "", o->arg ? o->arg : "");
	else
		snprintf(head, sizeof(head), "    --%s%s%s", o->name,
			 o->arg ? " " : "", o->arg ? o->arg : "");
	if (f)
		fprintf(f, "  %s", head);
	return 2 + (int)strlen(head);
}

void ap_cmd_help(const struct ap_cmd *c, FILE *f)
{
	static const struct ap_opt help_opt = { "help", 'h', NULL, NULL, "this help" };
	const struct ap_opt *o;
	int col = (int)c->opt_col, listed = 0;

	fputs(c->usage, f);
	for (o = c->opts; o && o->name; o++) {
		if (!o->help)
			continue;
		listed++;
		if (!c->opt_col && opt_head(NULL, o) + 3 > col)
			col = opt_head(NULL, o) + 3;
	}
	if (listed) {
		if (!c->opt_col && opt_head(NULL, &help_opt) + 3 > col)
			col = opt_head(NULL, &help_opt) + 3;
		fputc('\n', f);
		for (o = c->opts;; o++) {
			const struct ap_opt *p = o && o->name ? o : &help_opt;
			const char *text = p->help;
			int w;

			if (!text)
				continue;
			w = opt_head(f, p);
			/* an option wider than the column: its text two blanks after it */
			fprintf(f, "%*s", w + 2 > col ? 2 : col - w, "");
			for (;;) {
				size_t len = strcspn(text, "\n");

				fprintf(f, "%.*s\n", (int)len, text);
				if (!text[len])
					break;
				text += len + 1;
				fprintf(f, "%*s", col, "");
			}
			if (p == &help_opt)
				break;
		}
	}
	if (c->more)
		fprintf(f, "\n%s", c->more);
	if (c->tail)
		c->tail(f);
}
