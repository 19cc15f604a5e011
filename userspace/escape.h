/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Agent-controlled text made inert: the one escaping used for everything
 * ActPlane shows to a terminal or to the agent as human text (the `run`
 * report, the feedback file, the hook's additionalContext, MCP text, `check`
 * diagnostics, `watch`, `rules`, `status`, `labels`, `compile --dump`).
 * JSON output is not passed through it: json-c escapes the C0 controls, and
 * ap_esc_json() below does the rest where JSON goes to the agent (MCP).
 *
 * The rule (docs/SECURITY.md, "Agent-controlled text and input limits"):
 *   printable ASCII and valid printable UTF-8 (é, 中文)   unchanged
 *   backslash                                          \\
 *   newline, carriage return, tab                      \n \r \t
 *   other C0 controls (ESC, ...) and DEL               \xNN     (\x1b, \x7f)
 *   a byte that is not part of valid UTF-8             \xNN     (each byte)
 *   C1 controls U+0080-U+009F (valid UTF-8),
 *   U+2028/U+2029 (line/paragraph separators), the
 *   bidi controls U+061C, U+200E, U+200F, U+202A-U+202E,
 *   U+2066-U+2069                                      \uNNNN   (\u0085)
 *   the quote character of a quoted field              \" (or \')
 * so the output holds no control character, no escape sequence and nothing
 * that reorders or breaks the surrounding line, and (backslash being escaped
 * too) it reads back unambiguously.  These are also the escapes of bash's
 * $'...' quoting, which ap_esc_shell_word() uses.
 */
#ifndef ACTPLANE_ESCAPE_H
#define ACTPLANE_ESCAPE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

/*
 * Write s[0, len) escaped; quote, if not 0, is escaped as well (\<quote>).
 * Returns the display columns written (one per character; a wide CJK
 * character counts one).
 */
size_t ap_esc_write(FILE *f, const char *s, size_t len, char quote);
/* s escaped, unquoted (NULL writes nothing): for text that reads as prose */
void ap_esc_puts(FILE *f, const char *s);
/* s escaped inside double quotes, '"' as \": for a field in a sentence */
void ap_esc_quoted(FILE *f, const char *s);
/*
 * s as it is when it is a plain word ([A-Za-z0-9._:+@/-], not empty), else
 * quoted as ap_esc_quoted(): for values that are normally single words
 * (an operation, an effect, an enforcer, a time) but come from a file the
 * agent can write.
 */
void ap_esc_word(FILE *f, const char *s);
/*
 * A command-line argument as a shell would need it: as it is if it has no
 * shell metacharacter, 'in single quotes' if it needs no escaping, else
 * $'in ANSI-C quotes' with the escapes above.
 */
void ap_esc_shell_word(FILE *f, const char *s);
/* the display columns of s[0, len) once escaped (for carets under it) */
size_t ap_esc_width(const char *s, size_t len);
/* true if s[0, len) needs no escaping (printable UTF-8, no backslash) */
bool ap_esc_is_plain(const char *s, size_t len);
/*
 * JSON text as json-c writes it (where DEL and bytes above 0x7f occur only
 * inside strings) with DEL, the C1 controls, separators and bidi controls
 * above written \uNNNN and each byte that is not valid UTF-8 as \ufffd: the
 * same JSON value (an invalid byte reads as U+FFFD anyway), now valid UTF-8,
 * whose raw text holds nothing that controls a display.
 */
void ap_esc_json(FILE *f, const char *json, size_t len);
/* malloc'd escaped copy, in double quotes if quoted; NULL if out of memory */
char *ap_esc_strdup(const char *s, bool quoted);

#endif
