// SPDX-License-Identifier: GPL-2.0-only
/* Shared argument handling for the actplane commands (see args.h). */
#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "args.h"
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
	}
	if (*end || (shift && v > (~0ULL >> shift)))
		return -1;
	*out = v << shift;
	return 0;
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
