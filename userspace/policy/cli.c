// SPDX-License-Identifier: GPL-2.0-only
/*
 * The policy-language commands: `check`, `compile` and `init`.  They live in
 * the library (userspace/cmd_policy.c only forwards to them) so host tests
 * can run them with their own output streams.
 *
 * Exit status: 0 success, 1 the policy has errors (or warnings under
 * --strict) or the command failed, 2 usage error.
 */
#include <errno.h>
#include <stdarg.h>
#include <fcntl.h>
#include <getopt.h>
#include <json.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../escape.h"
#include "../fileio.h"
#include "internal.h"

struct opts {
	const char *policy, *domain, *output;
	bool strict, quiet, dump, json, force, session;
};

static bool use_color(FILE *f)
{
	return isatty(fileno(f)) && !getenv("NO_COLOR");
}

static int __attribute__((format(printf, 3, 4)))
usage_error(FILE *err, const char *cmd, const char *fmt, ...)
{
	va_list ap;

	fprintf(err, "actplane %s: ", cmd);
	va_start(ap, fmt);
	vfprintf(err, fmt, ap);
	va_end(ap);
	fprintf(err, "\nTry 'actplane %s --help'.\n", cmd);
	return 2;
}

/* parse argv for cmd; returns -1 to continue, else the exit status */
static int parse_opts(int argc, char **argv, const char *cmd,
		      const struct option *lo, const char *so,
		      const char *help, struct opts *o, FILE *out, FILE *err)
{
	int c;

	optind = 0;	/* full re-initialisation: commands may run twice */
	opterr = 0;
	while ((c = getopt_long(argc, argv, so, lo, NULL)) != -1) {
		switch (c) {
		case 'p':
			o->policy = optarg;
			break;
		case 'd':
			o->domain = optarg;
			break;
		case 's':
			o->strict = true;
			break;
		case 'q':
			o->quiet = true;
			break;
		case 'S':
			o->session = true;
			break;
		case 'D':
			o->dump = true;
			break;
		case 'j':
			o->json = true;
			break;
		case 'f':
			o->force = true;
			break;
		case 'o':
			o->output = optarg;
			break;
		case 'h':
			fputs(help, out);
			return 0;
		case ':':
			return usage_error(err, cmd, "option '%s' needs an argument",
					   argv[optind - 1]);
		default:
			return usage_error(err, cmd, "unknown option '%s'",
					   argv[optind - 1]);
		}
	}
	return -1;
}

/* resolve --policy or discover; prints the error and returns NULL */
static char *policy_path(const struct opts *o, FILE *err)
{
	char buf[PATH_MAX];
	int ret;

	if (o->policy)
		return ap_xstrdup(o->policy);
	ret = ap_policy_find(NULL, buf, sizeof(buf));
	if (ret) {
		fprintf(err, "actplane: no actplane.yaml or .actplane/policy.yaml in this directory or above\n"
			"hint: create one with `actplane init`, or pass --policy FILE\n");
		return NULL;
	}
	return ap_xstrdup(buf);
}

/* load, print diagnostics; NULL on errors (or warnings with --strict) */
static struct ap_policy *load(const struct opts *o, const char *path,
			      FILE *err, struct ap_diag *d)
{
	struct ap_policy *p;

	ap_diag_init(d);
	if (!strcmp(path, "-"))	/* standard input; relative patterns: the working directory */
		p = ap_policy_load_fd(0, "<stdin>", o->domain, d);
	else
		p = ap_policy_load_file(path, o->domain, d);
	if (o->session)		/* labels it has no source for are the machine's */
		ap_diag_session_policy(d);
	ap_diag_print(err, d, use_color(err));
	if (!p) {
		fputs("actplane: ", err);
		ap_esc_puts(err, path);
		fprintf(err, ": %u error%s, %u warning%s\n",
			d->errors, d->errors == 1 ? "" : "s", d->warnings,
			d->warnings == 1 ? "" : "s");
		return NULL;
	}
	/* what a session policy may not have is the error, whatever it warned */
	if (o->session && ap_policy_session_check(p, d)) {
		ap_diag_print_entry(err, &d->v[d->n - 1], use_color(err));
		ap_policy_free(p);
		return NULL;
	}
	if (o->strict && d->warnings) {
		fputs("actplane: ", err);
		ap_esc_puts(err, path);
		fprintf(err, ": %u warning%s (--strict)\n",
			d->warnings, d->warnings == 1 ? "" : "s");
		ap_policy_free(p);
		return NULL;
	}
	return p;
}

static void summary(FILE *out, const char *path, const struct ap_policy *p,
		    const struct ap_diag *d)
{
	ap_esc_puts(out, path);
	fprintf(out, ": ok: %zu rule%s, %zu label%s, %zu source%s, %zu gate%s",
		p->n_rules, p->n_rules == 1 ? "" : "s",
		p->n_labels, p->n_labels == 1 ? "" : "s",
		p->n_sources, p->n_sources == 1 ? "" : "s",
		p->n_gates, p->n_gates == 1 ? "" : "s");
	if (p->domain) {
		fputs(", domain ", out);
		ap_esc_word(out, p->domain);
	}
	if (d->warnings)
		fprintf(out, ", %u warning%s", d->warnings,
			d->warnings == 1 ? "" : "s");
	fputc('\n', out);
}

int ap_cli_check(int argc, char **argv, FILE *out, FILE *err)
{
	static const struct option lo[] = {
		{ "policy", required_argument, NULL, 'p' },
		{ "domain", required_argument, NULL, 'd' },
		{ "strict", no_argument, NULL, 's' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "session", no_argument, NULL, 'S' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 }
	};
	static const char help[] =
		"Usage: actplane check [FILE | - | --policy FILE] [--domain NAME] [--strict]\n"
		"                      [--session] [--quiet]\n"
		"\n"
		"Check a policy without loading it: parse FILE (- reads standard input;\n"
		"default: actplane.yaml found by walking up from the working directory),\n"
		"compile the selected domain and report errors and warnings with\n"
		"file:line:col.\n"
		"\n"
		"  -p, --policy FILE   policy file, as FILE (default: actplane.yaml or\n"
		"                      .actplane/policy.yaml here or above)\n"
		"  -d, --domain NAME   domain of a rules:/domains: catalog\n"
		"  -s, --strict        fail on warnings too\n"
		"  -S, --session       also check that it can be a session policy (what\n"
		"                      `actplane run` as a user attaches): rules, and\n"
		"                      sources of its own labels (at most 8), which only\n"
		"                      it may declassify or endorse; no gates or lineages;\n"
		"                      its other labels are the machine's (checked by run)\n"
		"  -q, --quiet         print nothing on success\n"
		"  -h, --help          this help\n"
		"\n"
		"Exit status: 0 valid, 1 errors (or warnings with --strict), 2 usage.\n";
	struct opts o = { 0 };
	struct ap_policy *p;
	struct ap_diag d;
	char *path;
	int ret = parse_opts(argc, argv, "check", lo, ":p:d:sqSh", help, &o,
			     out, err);

	if (ret >= 0)
		return ret;
	if (optind < argc && !o.policy)
		o.policy = argv[optind++];	/* check FILE, check - */
	if (optind < argc)
		return usage_error(err, "check", "unexpected argument '%s'",
				   argv[optind]);
	path = policy_path(&o, err);
	if (!path)
		return 1;
	p = load(&o, path, err, &d);
	if (p && !o.quiet)
		summary(out, path, p, &d);
	ret = p ? 0 : 1;
	ap_policy_free(p);
	ap_diag_free(&d);
	free(path);
	return ret;
}

int ap_cli_compile(int argc, char **argv, FILE *out, FILE *err)
{
	static const struct option lo[] = {
		{ "policy", required_argument, NULL, 'p' },
		{ "domain", required_argument, NULL, 'd' },
		{ "dump", no_argument, NULL, 'D' },
		{ "json", no_argument, NULL, 'j' },
		{ "strict", no_argument, NULL, 's' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 }
	};
	static const char help[] =
		"Usage: actplane compile [--policy FILE] [--domain NAME] [--dump] [--json]\n"
		"                        [--strict]\n"
		"\n"
		"Compile a policy into the form the kernel module loads and show it.\n"
		"\n"
		"  -p, --policy FILE   policy file (default: discovered as for check)\n"
		"  -d, --domain NAME   domain of a rules:/domains: catalog\n"
		"  -D, --dump          print the compiled policy: labels and their bits,\n"
		"                      sources, transforms, gates, rules and the per-op\n"
		"                      index\n"
		"  -j, --json          print the compiled policy as JSON\n"
		"  -s, --strict        fail on warnings too\n"
		"  -h, --help          this help\n";
	struct opts o = { 0 };
	struct ap_policy *p;
	struct ap_diag d;
	char *path;
	int ret = parse_opts(argc, argv, "compile", lo, ":p:d:Djsh", help, &o,
			     out, err);

	if (ret >= 0)
		return ret;
	if (optind < argc)
		return usage_error(err, "compile", "unexpected argument '%s'",
				   argv[optind]);
	path = policy_path(&o, err);
	if (!path)
		return 1;
	p = load(&o, path, err, &d);
	if (p) {
		if (o.json) {
			struct json_object *j = ap_policy_dump_json(p);

			fprintf(out, "%s\n", json_object_to_json_string_ext(j,
				JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_NOSLASHESCAPE));
			json_object_put(j);
		} else if (o.dump) {
			ap_policy_dump_text(out, p);
		} else {
			summary(out, path, p, &d);
		}
	}
	ret = p ? 0 : 1;
	ap_policy_free(p);
	ap_diag_free(&d);
	free(path);
	return ret;
}

/* a new file (never an existing one, never through a link), removed if it is not written whole */
static int write_new(const char *path, const char *text, size_t len)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644), ret;

	if (fd < 0)
		return -errno;
	ret = ap_write_all(fd, text, len);
	if (!ret && fsync(fd))
		ret = -errno;
	if (close(fd) && !ret)
		ret = -errno;
	if (ret)
		unlink(path);
	return ret;
}

int ap_cli_init(int argc, char **argv, FILE *out, FILE *err)
{
	static const struct option lo[] = {
		{ "force", no_argument, NULL, 'f' },
		{ "output", required_argument, NULL, 'o' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 }
	};
	static const char help[] =
		"Usage: actplane init [--force] [--output FILE]\n"
		"\n"
		"Write a commented starter policy (actplane.yaml in the working\n"
		"directory) that `actplane check` accepts.  An existing file is never\n"
		"overwritten without --force.\n"
		"\n"
		"  -o, --output FILE   write FILE instead of ./actplane.yaml\n"
		"  -f, --force         replace an existing file\n"
		"  -h, --help          this help\n";
	struct opts o = { 0 };
	const char *path;
	size_t len = strlen(ap_starter_policy);
	int ret = parse_opts(argc, argv, "init", lo, ":fo:h", help, &o,
			     out, err);

	if (ret >= 0)
		return ret;
	if (optind < argc && !o.output)
		o.output = argv[optind++];
	if (optind < argc)
		return usage_error(err, "init", "unexpected argument '%s'",
				   argv[optind]);
	path = o.output ? o.output : "actplane.yaml";

	if (o.force)	/* a sibling file renamed over it: never half a file */
		ret = ap_write_replace(AT_FDCWD, path, ap_starter_policy, len, 0644,
				       AP_WRITE_FSYNC);
	else
		ret = write_new(path, ap_starter_policy, len);
	if (ret == -EEXIST && !o.force) {
		fprintf(err, "actplane init: %s already exists; not overwriting it\n"
			"hint: pass --force to replace it\n", path);
		return 1;
	}
	if (ret) {
		fprintf(err, "actplane init: cannot write %s: %s\n", path, strerror(-ret));
		return 1;
	}
	fprintf(out, "wrote %s; check it with `actplane check%s%s`\n", path,
		o.output ? " --policy " : "", o.output ? path : "");
	return 0;
}
