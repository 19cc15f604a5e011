// SPDX-License-Identifier: GPL-2.0-only
/*
 * Diagnostics: errors and warnings with a position in the policy file, the
 * offending line, a caret under the culprit and a hint, printed the way gcc
 * and rustc do so editors can jump to them.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../escape.h"
#include "internal.h"

void ap_diag_init(struct ap_diag *d)
{
	memset(d, 0, sizeof(*d));
}

void ap_diag_free(struct ap_diag *d)
{
	size_t i;

	for (i = 0; i < d->n; i++) {
		free(d->v[i].file);
		free(d->v[i].message);
		free(d->v[i].hint);
		free(d->v[i].source_line);
	}
	free(d->v);
	memset(d, 0, sizeof(*d));
}

/*
 * A session policy reads the machine's labels (docs/policy-language.md §8):
 * drop the warnings that say a label has no source in this file alone.
 */
void ap_diag_session_policy(struct ap_diag *d)
{
	size_t i, k = 0;

	for (i = 0; i < d->n; i++) {
		struct ap_diag_entry *e = &d->v[i];
		bool moot = e->severity == AP_SEV_WARNING &&
			    ((e->message && strstr(e->message, "is never introduced by a source")) ||
			     (e->hint && strstr(e->hint, "needs a label that no source")));

		if (!moot) {
			d->v[k++] = *e;
			continue;
		}
		free(e->file);
		free(e->message);
		free(e->hint);
		free(e->source_line);
		d->warnings--;
	}
	d->n = k;
}

void diag_vadd(struct ap_diag *d, enum ap_severity sev,
	       const struct ap_text *t, unsigned line, unsigned col,
	       unsigned span, const char *hint, const char *fmt, va_list ap)
{
	struct ap_diag_entry *e;
	const char *src;
	size_t len;

	if (!d)
		return;
	if (d->n == d->cap) {
		d->cap = d->cap ? d->cap * 2 : 8;
		d->v = ap_xrealloc(d->v, d->cap * sizeof(*d->v));
	}
	e = &d->v[d->n++];
	memset(e, 0, sizeof(*e));
	e->severity = sev;
	if (vasprintf(&e->message, fmt, ap) < 0)
		e->message = ap_xstrdup("(out of memory formatting message)");
	e->hint = hint ? ap_xstrdup(hint) : NULL;
	e->file = t && t->name ? ap_xstrdup(t->name) : NULL;
	e->span = span ? span : 1;
	if (t && line != AP_NOPOS) {
		e->line = line + 1;
		e->col = col + 1;
		src = text_line(t, line, &len);
		if (src) {
			e->source_line = ap_xstrndup(src, len);
			/* keep the caret on the line */
			if (col > len)
				e->col = len + 1;
			if (e->col - 1 + e->span > len + 1)
				e->span = len + 1 > e->col - 1 ?
					  len + 1 - (e->col - 1) : 1;
			if (!e->span)
				e->span = 1;
		}
	}
	if (sev == AP_SEV_ERROR)
		d->errors++;
	else
		d->warnings++;
}

void diag_add(struct ap_diag *d, enum ap_severity sev, const struct ap_text *t,
	      unsigned line, unsigned col, unsigned span, const char *hint,
	      const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	diag_vadd(d, sev, t, line, col, span, hint, fmt, ap);
	va_end(ap);
}

void diag_add_at(struct ap_diag *d, enum ap_severity sev, const char *file, unsigned line,
		 unsigned col, const char *hint, const char *fmt, ...)
{
	struct ap_diag_entry *e;
	va_list ap;

	if (!d)
		return;
	va_start(ap, fmt);
	diag_vadd(d, sev, NULL, AP_NOPOS, 0, 0, hint, fmt, ap);
	va_end(ap);
	e = &d->v[d->n - 1];
	e->file = file ? ap_xstrdup(file) : NULL;
	e->line = line;
	e->col = line ? col : 0;
}

#define C_RESET	"\033[0m"
#define C_BOLD	"\033[1m"
#define C_RED	"\033[1;31m"
#define C_MAG	"\033[1;35m"
#define C_GREEN	"\033[1;32m"
#define C_CYAN	"\033[1;36m"

/*
 * Everything but the template is escaped (escape.h): the file name, the
 * message and hint (which quote tokens of the policy) and the source line,
 * so a policy cannot write control characters or escape sequences to the
 * terminal, nor a line that looks like a diagnostic of its own.  The caret
 * is placed under the escaped form of the source line.
 */
void ap_diag_print_entry(FILE *f, const struct ap_diag_entry *e, bool color)
{
	const char *sev = e->severity == AP_SEV_ERROR ? "error" : "warning";
	const char *sc = e->severity == AP_SEV_ERROR ? C_RED : C_MAG;
	size_t i, len, pre, at, width;

	if (e->file) {
		fputs(color ? C_BOLD : "", f);
		ap_esc_puts(f, e->file);
		if (e->line)
			fprintf(f, ":%u:%u", e->line, e->col);
		fprintf(f, ":%s ", color ? C_RESET : "");
	}
	fprintf(f, "%s%s:%s ", color ? sc : "", sev, color ? C_RESET : "");
	ap_esc_puts(f, e->message);
	fputc('\n', f);
	if (e->source_line) {
		len = strlen(e->source_line);
		pre = e->col > 1 ? e->col - 1 : 0;
		if (pre > len)
			pre = len;
		at = ap_esc_width(e->source_line, pre);
		width = ap_esc_width(e->source_line + pre,
				     e->span < len - pre ? e->span : len - pre);
		fprintf(f, "%5u | ", e->line);
		ap_esc_write(f, e->source_line, len, 0);
		fputs("\n      | ", f);
		for (i = 0; i < at; i++)
			fputc(' ', f);
		fputs(color ? C_GREEN : "", f);
		fputc('^', f);
		for (i = 1; i < width; i++)
			fputc('~', f);
		fprintf(f, "%s\n", color ? C_RESET : "");
	}
	if (e->hint) {
		fprintf(f, "%shint:%s ", color ? C_CYAN : "", color ? C_RESET : "");
		ap_esc_puts(f, e->hint);
		fputc('\n', f);
	}
}

void ap_diag_print(FILE *f, const struct ap_diag *d, bool color)
{
	size_t i;

	for (i = 0; i < d->n; i++)
		ap_diag_print_entry(f, &d->v[i], color);
}

const struct ap_diag_entry *ap_diag_find(const struct ap_diag *d,
					 const char *fragment)
{
	size_t i;

	for (i = 0; i < d->n; i++) {
		if (strstr(d->v[i].message, fragment))
			return &d->v[i];
		if (d->v[i].hint && strstr(d->v[i].hint, fragment))
			return &d->v[i];
	}
	return NULL;
}
