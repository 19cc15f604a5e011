// SPDX-License-Identifier: GPL-2.0-only
#include <errno.h>
#include <grp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include "cmd.h"
#include "common.h"

const char *ap_prog = "actplane";

void ap_err(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "%s: ", ap_prog);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

static const char *const effect_names[__ACTPLANE_EFFECT_MAX] = ACTPLANE_EFFECT_NAMES;

const char *ap_verdict_name(unsigned int effect)
{
	return effect < __ACTPLANE_EFFECT_MAX ? effect_names[effect] : "?";
}

int ap_verdict_parse(const char *s)
{
	unsigned int i;

	for (i = 0; i < __ACTPLANE_EFFECT_MAX; i++)
		if (!strcmp(s, effect_names[i]))
			return (int)i;
	return -1;
}

static const char *const enforcer_states[] = {
	[ACTPLANE_ENFORCER_NONE] = "none",
	[ACTPLANE_ENFORCER_ACTIVE] = "active",
	[ACTPLANE_ENFORCER_FAILED] = "failed",
};

const char *ap_enforcer_state_name(unsigned int state)
{
	return state < sizeof(enforcer_states) / sizeof(enforcer_states[0]) ?
	       enforcer_states[state] : "unknown";
}

/* `limits --fail-mode`, `status`: the one table of the fail modes' words */
static const char *const fail_modes[] = {
	[ACTPLANE_FAIL_OPEN] = "open",
	[ACTPLANE_FAIL_CLOSED] = "closed",
};

const char *ap_fail_mode_name(unsigned long long mode)
{
	return mode < sizeof(fail_modes) / sizeof(fail_modes[0]) && fail_modes[mode] ?
	       fail_modes[mode] : "?";
}

int ap_fail_mode_parse(const char *s)
{
	unsigned int i;

	for (i = 0; i < sizeof(fail_modes) / sizeof(fail_modes[0]); i++)
		if (fail_modes[i] && !strcmp(s, fail_modes[i]))
			return (int)i;
	return -1;
}

static const char *const counter_names[__ACTPLANE_CTR_MAX] = {
	[ACTPLANE_CTR_DECISIONS] = "decisions",
	[ACTPLANE_CTR_ENFORCER_ERRORS] = "enforcer_errors",
	[ACTPLANE_CTR_FALLBACKS] = "fallbacks",
	[ACTPLANE_CTR_ENFORCER_ATTACHES] = "enforcer_attaches",
	[ACTPLANE_CTR_EVENTS_SENT] = "events_sent",
	[ACTPLANE_CTR_EVENTS_DROPPED] = "events_dropped",
	[ACTPLANE_CTR_UNTRACKED_DENIED] = "untracked_denied",
	[ACTPLANE_CTR_UNTRACKED_ALLOWED] = "untracked_allowed",
	[ACTPLANE_CTR_PROPAGATIONS] = "propagations",
	[ACTPLANE_CTR_VIOLATIONS] = "violations",
	[ACTPLANE_CTR_BLOCKED] = "blocked",
	[ACTPLANE_CTR_KILLED] = "killed",
	[ACTPLANE_CTR_POLICY_LOADS] = "policy_loads",
	[ACTPLANE_CTR_PATH_LOOKUPS] = "path_lookups",
	[ACTPLANE_CTR_INCOMPLETE] = "incomplete_evals",
	[ACTPLANE_CTR_TRUST_WITHHELD] = "trust_withheld",
	[ACTPLANE_CTR_IMMUNITY_DROPPED] = "immunity_dropped",
	[ACTPLANE_CTR_PROV_DROPPED] = "provenance_dropped",
	[ACTPLANE_CTR_SESSION_INDEXES] = "session_indexes",
};

const char *ap_counter_name(unsigned int ctr)
{
	return ctr < __ACTPLANE_CTR_MAX && counter_names[ctr] ? counter_names[ctr] : NULL;
}

bool ap_is_root(void)
{
	return geteuid() == 0;
}

uint64_t ap_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* The whole of a file, NUL-terminated (malloc'd); its length in *len if not NULL. */
char *ap_read_file(const char *path, size_t *len)
{
	FILE *f = fopen(path, "re");
	char *buf = NULL;
	size_t cap = 0, n = 0, r;

	if (!f)
		return NULL;
	do {
		if (cap - n < 4096) {
			char *nb = realloc(buf, cap = cap ? cap * 2 : 8192);

			if (!nb) {
				free(buf);
				fclose(f);
				return NULL;
			}
			buf = nb;
		}
		r = fread(buf + n, 1, cap - n - 1, f);
		n += r;
	} while (r);
	fclose(f);
	buf[n] = '\0';
	if (len)
		*len = n;
	return buf;
}

int ap_bpf_lsm_active(const char *file, char **list)
{
	char *text = ap_read_file(file, NULL), *p;
	int active = 0;
	size_t n;

	if (list)
		*list = NULL;
	if (!text)
		return -1;
	text[strcspn(text, "\n")] = '\0';
	for (p = text; *p; p += n + (p[n] == ',')) {
		n = strcspn(p, ",");
		if (n == 3 && !strncmp(p, "bpf", 3))
			active = 1;
	}
	if (list)
		*list = text;
	else
		free(text);
	return active;
}

/* Who may start sessions: a group name or number, "all" or "none" -> ACTPLANE_A_SESSION_GID. */
int ap_parse_session_group(const char *g, unsigned int *gid)
{
	struct group *gr;
	char *end;
	unsigned long v;

	if (!strcmp(g, "all")) {
		*gid = ACTPLANE_SESSION_GID_ANYONE;
		return 0;
	}
	if (!strcmp(g, "none")) {
		*gid = ACTPLANE_SESSION_GID_NOBODY;
		return 0;
	}
	gr = getgrnam(g);
	if (gr) {
		*gid = (unsigned int)gr->gr_gid;
		return 0;
	}
	errno = 0;
	v = strtoul(g, &end, 10);
	if (errno || *end || !*g || v >= ACTPLANE_SESSION_GID_ANYONE)
		return -1;
	*gid = (unsigned int)v;
	return 0;
}
