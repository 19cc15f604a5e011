// SPDX-License-Identifier: GPL-2.0-only
/*
 * The escaping of agent-controlled text: see escape.h for the rule.  One
 * walker does the work; writing, measuring and testing are its three uses.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "escape.h"

/* a valid UTF-8 sequence at s: its length (2-4) and code point; 0 if none */
static size_t utf8_decode(const unsigned char *s, size_t len, uint32_t *cp)
{
	unsigned char b = s[0], lo = 0x80, hi = 0xbf;
	uint32_t c;
	size_t n, i;

	if (b >= 0xc2 && b <= 0xdf) {
		n = 2;
		c = b & 0x1f;
	} else if (b >= 0xe0 && b <= 0xef) {
		n = 3;
		c = b & 0x0f;
		lo = b == 0xe0 ? 0xa0 : 0x80;	/* no overlong forms */
		hi = b == 0xed ? 0x9f : 0xbf;	/* no surrogates */
	} else if (b >= 0xf0 && b <= 0xf4) {
		n = 4;
		c = b & 0x07;
		lo = b == 0xf0 ? 0x90 : 0x80;
		hi = b == 0xf4 ? 0x8f : 0xbf;	/* nothing above U+10FFFF */
	} else {
		return 0;
	}
	if (len < n)
		return 0;
	for (i = 1; i < n; i++) {
		if (s[i] < lo || s[i] > hi)
			return 0;
		lo = 0x80;
		hi = 0xbf;
		c = c << 6 | (s[i] & 0x3f);
	}
	*cp = c;
	return n;
}

/* code points that are valid UTF-8 but still control the display */
static bool cp_escaped(uint32_t cp)
{
	return (cp >= 0x80 && cp <= 0x9f) ||		/* C1 controls */
	       cp == 0x061c || cp == 0x200e || cp == 0x200f ||	/* bidi marks */
	       (cp >= 0x2028 && cp <= 0x202e) ||	/* separators, embeddings */
	       (cp >= 0x2066 && cp <= 0x2069);		/* bidi isolates */
}

/*
 * The next character of s[0, len), len > 0: returns the bytes it takes and
 * puts its escaped form in out, or leaves out empty when it is written as
 * it is.
 */
static size_t esc_next(const unsigned char *s, size_t len, char quote,
		       char out[16])
{
	unsigned char b = s[0];
	uint32_t cp;
	size_t n;

	out[0] = '\0';
	if (b == '\\' || (quote && b == (unsigned char)quote)) {
		out[0] = '\\';
		out[1] = (char)b;
		out[2] = '\0';
	} else if (b == '\n' || b == '\r' || b == '\t') {
		out[0] = '\\';
		out[1] = b == '\n' ? 'n' : b == '\r' ? 'r' : 't';
		out[2] = '\0';
	} else if (b < 0x20 || b == 0x7f) {
		snprintf(out, 16, "\\x%02x", b);
	} else if (b >= 0x80) {
		n = utf8_decode(s, len, &cp);
		if (!n)
			snprintf(out, 16, "\\x%02x", b);
		else if (cp_escaped(cp))
			snprintf(out, 16, "\\u%04x", (unsigned)cp);
		return n ? n : 1;
	}
	return 1;
}

/*
 * Walk s[0, len): write it escaped to f (NULL: only measure) and return the
 * display columns; *plain (if given) tells whether nothing needed escaping.
 */
static size_t esc_walk(FILE *f, const char *s, size_t len, char quote,
		       bool *plain)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t i = 0, run = 0, cols = 0;
	char out[16];

	if (plain)
		*plain = true;
	while (i < len) {
		size_t n = esc_next(u + i, len - i, quote, out);

		if (!out[0]) {		/* written as it is: extend the run */
			cols++;
			i += n;
			continue;
		}
		if (plain)
			*plain = false;
		if (f) {
			fwrite(s + run, 1, i - run, f);
			fputs(out, f);
		}
		cols += strlen(out);
		i += n;
		run = i;
	}
	if (f && i > run)
		fwrite(s + run, 1, i - run, f);
	return cols;
}

size_t ap_esc_write(FILE *f, const char *s, size_t len, char quote)
{
	return esc_walk(f, s, len, quote, NULL);
}

size_t ap_esc_width(const char *s, size_t len)
{
	return esc_walk(NULL, s, len, 0, NULL);
}

bool ap_esc_is_plain(const char *s, size_t len)
{
	bool plain;

	esc_walk(NULL, s, len, 0, &plain);
	return plain;
}

void ap_esc_puts(FILE *f, const char *s)
{
	if (s)
		esc_walk(f, s, strlen(s), 0, NULL);
}

void ap_esc_quoted(FILE *f, const char *s)
{
	fputc('"', f);
	if (s)
		esc_walk(f, s, strlen(s), '"', NULL);
	fputc('"', f);
}

void ap_esc_word(FILE *f, const char *s)
{
	static const char word[] = "abcdefghijklmnopqrstuvwxyz"
				   "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._:+@/-";

	if (s && *s && !s[strspn(s, word)])
		fputs(s, f);
	else
		ap_esc_quoted(f, s);
}

void ap_esc_shell_word(FILE *f, const char *s)
{
	size_t len = strlen(s);
	bool plain = ap_esc_is_plain(s, len);

	if (plain && len && !s[strcspn(s, " \t\n'\"\\$`*?[]{}()<>|&;#~!")]) {
		fputs(s, f);
	} else if (plain && !strchr(s, '\'')) {
		fprintf(f, "'%s'", s);
	} else {
		fputs("$'", f);
		esc_walk(f, s, len, '\'', NULL);
		fputc('\'', f);
	}
}

void ap_esc_json(FILE *f, const char *json, size_t len)
{
	const unsigned char *u = (const unsigned char *)json;
	size_t i = 0, run = 0, n;
	uint32_t cp;

	while (i < len) {
		if (u[i] < 0x7f) {
			i++;
			continue;
		}
		fwrite(json + run, 1, i - run, f);
		if (u[i] == 0x7f) {
			fputs("\\u007f", f);
			n = 1;
		} else if (!(n = utf8_decode(u + i, len - i, &cp))) {
			fputs("\\ufffd", f);
			n = 1;
		} else if (cp_escaped(cp)) {
			fprintf(f, "\\u%04x", (unsigned)cp);
		} else {
			fwrite(json + i, 1, n, f);
		}
		i += n;
		run = i;
	}
	fwrite(json + run, 1, i - run, f);
}

char *ap_esc_strdup(const char *s, bool quoted)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	if (!f)
		return NULL;
	if (quoted)
		ap_esc_quoted(f, s);
	else
		ap_esc_puts(f, s);
	if (fclose(f)) {
		free(buf);
		return NULL;
	}
	return buf;
}
