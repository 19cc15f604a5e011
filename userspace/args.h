/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Argument handling shared by the tool's commands: one usage-error style
 * ("actplane CMD: what is wrong" + "Try 'actplane CMD --help'.", exit 2),
 * strict number parsing, and the did-you-mean suggestion for misspelt words.
 * Every command validates its arguments with these before it opens a
 * netlink socket, so a bad argument fails the same way with or without the
 * module.
 */
#ifndef ACTPLANE_ARGS_H
#define ACTPLANE_ARGS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define AP_EXIT_USAGE	2

/* Print the usage error for CMD and return AP_EXIT_USAGE. */
int ap_usage_error(const char *cmd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/*
 * The error for getopt_long's ':' (missing argument) or '?' (unknown option)
 * result; the option string must start with ':' (after any '+').
 */
int ap_getopt_error(const char *cmd, int c, int argc, char **argv);

/* Strict unsigned decimal in [min, max]: no sign, no blanks, no suffix. */
int ap_parse_uint(const char *s, uint64_t min, uint64_t max, uint64_t *out);

/*
 * --pid's argument: a process id (1 to 2^31-1) in *pid, 0; or the usage
 * error for CMD printed and AP_EXIT_USAGE returned.
 */
int ap_parse_pid_arg(const char *cmd, const char *s, int *pid);

/* A byte count: decimal with an optional K, M, G or T suffix (powers of 1024). */
int ap_parse_size(const char *s, uint64_t *out);
/* A user's label memory (limits --session-memory, session_memory): a size
 * from 4K to 1T, the module's range.  0 or -1. */
int ap_parse_session_memory(const char *s, uint64_t *out);

/* The candidate closest to word (edit distance), or NULL if none is close. */
const char *ap_closest(const char *word, const char *const *cands, size_t n);

#endif
