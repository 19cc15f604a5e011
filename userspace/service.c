// SPDX-License-Identifier: GPL-2.0-only
/*
 * `actplane service start|stop|check [--config F]`: what the boot service
 * (dist/actplane.service) runs.  start: the module, the hooks, who may start
 * sessions without root and the machine's base policy, from
 * /etc/actplane/actplane.conf; stop: nobody may start sessions, hooks down;
 * check: the configuration and the base policy, checked, without root.
 *
 * The configuration: one "key = value" per line, '#' comments:
 *   session_group = actplane     who may `actplane run` without root: a group
 *                                (name or number), all, none
 *   session_quota = 8            live sessions per user (1-1024)
 *   session_rules = 4096         rules of a user's session policies together
 *   session_memory = 4M          label memory a user's sessions may make
 *   base_policy = /etc/actplane/base.yaml   loaded if it exists
 *   attach = auto                lsm, fmod_ret or auto (actplane up --attach)
 *   enforcer = enforce           a built-in enforcer or a FILE.bpf.o
 * A file with an error changes nothing: it is reported as file:line:col.
 */
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <netlink/genl/genl.h>
#include "args.h"
#include "cmd.h"
#include "common.h"
#include "escape.h"
#include "load.h"
#include "nl.h"
#include "up.h"
#include "policy/policy.h"

#define AP_CONF_DEFAULT	"/etc/actplane/actplane.conf"

struct ap_conf {
	char group[256];
	unsigned int gid;	/* ACTPLANE_A_SESSION_GID */
	bool group_missing;	/* a group name this system does not know */
	unsigned int quota;
	unsigned int rules;	/* ACTPLANE_A_SESSION_RULE_QUOTA */
	uint64_t mem;		/* ACTPLANE_A_SESSION_MEM_QUOTA */
	char base_policy[PATH_MAX];
	enum ap_attach attach;
	char attach_word[16];
	char enforcer[PATH_MAX];	/* "" : keep the attached one (default if none) */
};

static void conf_defaults(struct ap_conf *c)
{
	memset(c, 0, sizeof(*c));
	snprintf(c->group, sizeof(c->group), "actplane");
	c->quota = ACTPLANE_SESSION_QUOTA_DEFAULT;	/* the module's, so a conf without */
	c->rules = ACTPLANE_SESSION_RULE_QUOTA_DEFAULT;	/* them changes nothing */
	c->mem = ACTPLANE_SESSION_MEM_QUOTA_DEFAULT;
	snprintf(c->base_policy, sizeof(c->base_policy), "/etc/actplane/base.yaml");
	c->attach = AP_ATTACH_AUTO;
	snprintf(c->attach_word, sizeof(c->attach_word), "auto");
}

static const char *const conf_keys =
	"session_group, session_quota, session_rules, session_memory, base_policy, attach, enforcer";

/* One line's error: "FILE:LINE:COL: error: WHAT" and a hint. */
static int conf_error(const char *file, int line, int col, const char *hint, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));
static int conf_error(const char *file, int line, int col, const char *hint, const char *fmt, ...)
{
	va_list ap;

	ap_esc_puts(stderr, file);
	fprintf(stderr, ":%d:%d: error: ", line, col);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	if (hint)
		fprintf(stderr, "  hint: %s\n", hint);
	return -1;
}

static int conf_value(struct ap_conf *c, const char *file, int ln, int col, const char *key,
		      const char *val)
{
	uint64_t v;

	if (!strcmp(key, "session_group")) {
		if (snprintf(c->group, sizeof(c->group), "%s", val) >= (int)sizeof(c->group))
			return conf_error(file, ln, col, NULL, "group name too long");
		c->group_missing = false;
		if (ap_parse_session_group(val, &c->gid)) {
			bool number = val[0] && strspn(val, "0123456789") == strlen(val);

			if (number)
				return conf_error(file, ln, col, "a group name or number, all, or none",
						  "'%s' is not a group id", val);
			c->group_missing = true;	/* the service says so; nobody then */
			c->gid = ACTPLANE_SESSION_GID_NOBODY;
		}
		return 0;
	}
	if (!strcmp(key, "session_quota")) {
		if (ap_parse_uint(val, 1, ACTPLANE_SESSION_QUOTA_MAX, &v))
			return conf_error(file, ln, col, "a number from 1 to 1024",
					  "bad session_quota '%s'", val);
		c->quota = (unsigned int)v;
		return 0;
	}
	if (!strcmp(key, "session_rules")) {
		if (ap_parse_uint(val, 1, ACTPLANE_SESSION_RULE_QUOTA_MAX, &v))
			return conf_error(file, ln, col, "a number from 1 to 1048576",
					  "bad session_rules '%s'", val);
		c->rules = (unsigned int)v;
		return 0;
	}
	if (!strcmp(key, "session_memory")) {
		if (ap_parse_session_memory(val, &v))
			return conf_error(file, ln, col, "a size from 4K to 1T, e.g. 4M",
					  "bad session_memory '%s'", val);
		c->mem = v;
		return 0;
	}
	if (!strcmp(key, "base_policy")) {
		if (val[0] != '/')
			return conf_error(file, ln, col, "an absolute path",
					  "base_policy '%s' is not absolute", val);
		snprintf(c->base_policy, sizeof(c->base_policy), "%s", val);
		return 0;
	}
	if (!strcmp(key, "attach")) {
		if (ap_attach_parse(val, &c->attach))
			return conf_error(file, ln, col, "lsm, fmod_ret or auto",
					  "bad attach mode '%s'", val);
		snprintf(c->attach_word, sizeof(c->attach_word), "%s", val);
		return 0;
	}
	if (!strcmp(key, "enforcer")) {
		snprintf(c->enforcer, sizeof(c->enforcer), "%s", val);
		return 0;
	}
	return conf_error(file, ln, 1, conf_keys, "unknown key '%s'", key);
}

/* Read @file into @c (defaults for what it does not set).  0, or -1 (reported). */
static int conf_read(const char *file, bool must_exist, struct ap_conf *c)
{
	static const char *const keys[] = { "session_group", "session_quota", "base_policy",
					    "attach", "enforcer" };
	unsigned int seen = 0, i;
	char line[4096];
	int ln = 0;
	FILE *f;

	conf_defaults(c);
	c->gid = ACTPLANE_SESSION_GID_NOBODY;
	if (ap_parse_session_group(c->group, &c->gid))
		c->group_missing = true;
	f = fopen(file, "r");
	if (!f) {
		if (errno == ENOENT && !must_exist)
			return 0;
		ap_err("%s: %s", file, strerror(errno));
		return -1;
	}
	while (fgets(line, sizeof(line), f)) {
		char *p = line, *key, *eq, *val, *e;

		ln++;
		if (!strchr(line, '\n') && !feof(f)) {
			fclose(f);
			return conf_error(file, ln, 1, NULL, "line too long");
		}
		line[strcspn(line, "\n")] = 0;
		while (isspace((unsigned char)*p))
			p++;
		if (!*p || *p == '#')
			continue;
		key = p;
		eq = strchr(p, '=');
		if (!eq) {
			fclose(f);
			return conf_error(file, ln, (int)(p - line) + 1, "write key = value",
					  "no '=' on this line");
		}
		for (e = eq; e > key && isspace((unsigned char)e[-1]); e--)
			;
		*e = 0;
		val = eq + 1;
		while (isspace((unsigned char)*val))
			val++;
		for (e = val + strlen(val); e > val && isspace((unsigned char)e[-1]); e--)
			;
		*e = 0;
		if (!*val) {
			fclose(f);
			return conf_error(file, ln, (int)(eq - line) + 2, NULL, "'%s' has no value", key);
		}
		for (i = 0; i < sizeof(keys) / sizeof(keys[0]) && strcmp(keys[i], key); i++)
			;
		if (i < sizeof(keys) / sizeof(keys[0]) && (seen & (1u << i))) {
			fclose(f);
			return conf_error(file, ln, 1, "give each key once", "'%s' is set twice", key);
		}
		seen |= 1u << i;
		if (conf_value(c, file, ln, (int)(val - line) + 1, key, val)) {
			fclose(f);
			return -1;
		}
	}
	fclose(f);
	return 0;
}

/* The base policy, compiled; NULL and *@absent when the file is not there. */
static struct ap_policy *base_policy(const struct ap_conf *c, bool *absent, char *path, size_t len)
{
	struct stat st;

	*absent = stat(c->base_policy, &st) != 0 && errno == ENOENT;
	if (*absent)
		return NULL;
	return ap_compile_policy(c->base_policy, NULL, path, len);
}

static void print_plan(const struct ap_conf *c, const struct ap_policy *p, bool absent)
{
	printf("sessions without root: ");
	if (c->gid == ACTPLANE_SESSION_GID_ANYONE)
		printf("every user");
	else if (c->gid == ACTPLANE_SESSION_GID_NOBODY && !c->group_missing)
		printf("nobody");
	else if (c->group_missing)
		printf("nobody (no group '%s' on this system: groupadd --system %s)", c->group,
		       c->group);
	else
		printf("group %s", c->group);
	printf(", %u per user, their session policies %u rules together, their label memory %llu "
	       "bytes\n", c->quota, c->rules, (unsigned long long)c->mem);
	printf("base policy: ");
	ap_esc_quoted(stdout, c->base_policy);
	if (absent)
		printf(" (absent: no rules until 'actplane load')\n");
	else
		printf(" (%zu rule%s)\n", p->n_rules, p->n_rules == 1 ? "" : "s");
	printf("attach: %s, enforcer: %s\n", c->attach_word,
	       c->enforcer[0] ? c->enforcer : "the attached one (" AP_DEFAULT_ENFORCER " if none)");
}

struct limits_req {
	unsigned int gid, quota, rules;
	uint64_t mem;
	bool quota_set;
};

static int put_limits(struct nl_msg *msg, void *arg)
{
	const struct limits_req *l = arg;

	if (nla_put_u32(msg, ACTPLANE_A_SESSION_GID, l->gid))
		return -EMSGSIZE;
	if (l->quota_set && (nla_put_u32(msg, ACTPLANE_A_SESSION_QUOTA, l->quota) ||
			     nla_put_u32(msg, ACTPLANE_A_SESSION_RULE_QUOTA, l->rules) ||
			     nla_put_u64(msg, ACTPLANE_A_SESSION_MEM_QUOTA, l->mem)))
		return -EMSGSIZE;
	return 0;
}

static int set_sessions(const struct limits_req *l)
{
	struct ap_nl *nl = ap_nl_connect();
	int ret;

	if (!nl)
		return -1;
	ret = ap_nl_call(nl, ACTPLANE_CMD_LIMITS_SET, put_limits, NULL, (void *)l);
	if (ret)
		ap_nl_perror(nl, "limits", ret);
	ap_nl_close(nl);
	return ret;
}

static int service_start(const struct ap_conf *c)
{
	struct ap_up_opts up = { .attach = c->attach, .enforcer = c->enforcer[0] ? c->enforcer : NULL };
	struct limits_req l = { .gid = c->gid, .quota = c->quota, .rules = c->rules,
				.mem = c->mem, .quota_set = true };
	char self[PATH_MAX], path[PATH_MAX];
	struct ap_up_result r;
	struct ap_policy *p;
	bool absent;
	ssize_t n;

	/* everything that can be checked first: a bad base policy starts nothing */
	p = base_policy(c, &absent, path, sizeof(path));
	if (!p && !absent)
		return 1;
	if (up.enforcer && ap_enforcer_arg_check("service", up.enforcer)) {
		ap_policy_free(p);
		return 1;
	}
	n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	self[n > 0 ? n : 0] = 0;
	if (ap_ensure_module(self) || ap_up(&up, &r) || (p && ap_load_policy(p, path)) ||
	    set_sessions(&l)) {
		ap_policy_free(p);
		return 1;
	}
	print_plan(c, p, absent);
	printf("actplane service started (%s mode)\n", ap_hooks_mode() ?: "unknown");
	ap_policy_free(p);
	return 0;
}

static int service_stop(void)
{
	struct limits_req l = { .gid = ACTPLANE_SESSION_GID_NOBODY };
	char err[256];
	struct ap_nl *nl = ap_nl_open(err, sizeof(err));
	int removed;

	if (nl) {	/* module loaded: nobody starts a session any more */
		ap_nl_close(nl);
		if (set_sessions(&l))
			return 1;
	}
	if (ap_down(&removed))
		return 1;
	printf("actplane service stopped (%d link%s removed; labels and the policy stay "
	       "in the module)\n", removed, removed == 1 ? "" : "s");
	return 0;
}

static const struct ap_opt service_opts[] = {
	{ "config", 'c', "FILE", NULL, "the configuration (default " AP_CONF_DEFAULT ")" },
	{ NULL }
};

AP_COMMAND(cmd_service, .name = "service", .order = 175,
	   .args = "start|stop|check [--config F]", .help = "what the boot service runs",
	   .usage = "Usage: actplane service start|stop|check [--config FILE]\n"
		    "\n"
		    "What actplane.service runs at boot (docs/install.md).\n"
		    "  start  load the module, attach the hooks, load the base policy and let\n"
		    "         the configured group start sessions without root (needs root)\n"
		    "  stop   let nobody start sessions, detach the hooks (needs root)\n"
		    "  check  check the configuration and the base policy; change nothing\n"
		    "The configuration (default " AP_CONF_DEFAULT "; defaults if it is\n"
		    "missing) has one 'key = value' per line:\n"
		    "  session_group = actplane   a group (name or number), all, or none\n"
		    "  session_quota = 8          live sessions per user (1-1024)\n"
		    "  session_rules = 4096       rules of a user's session policies together\n"
		    "  session_memory = 4M        label memory a user's sessions may make\n"
		    "  base_policy = /etc/actplane/base.yaml   loaded if it exists\n"
		    "  attach = auto              lsm, fmod_ret or auto\n"
		    "  enforcer = enforce         a built-in enforcer or FILE.bpf.o\n"
		    "A configuration or base policy with an error starts nothing.\n",
	   .opts = service_opts);

static int cmd_service(int argc, char **argv)
{
	const char *file = NULL, *verb;
	struct ap_conf c;
	char path[PATH_MAX];
	struct ap_policy *p;
	bool absent;
	int ch;

	if (argc >= 2 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))) {
		ap_cmd_help(&cmd_service_cmd, stdout);
		return 0;
	}
	if (argc < 2 || argv[1][0] == '-')
		return ap_usage_error("service", "give start, stop or check");
	verb = argv[1];
	if (strcmp(verb, "start") && strcmp(verb, "stop") && strcmp(verb, "check"))
		return ap_usage_error("service", "unknown subcommand '%s' (start, stop, check)", verb);
	argc--;
	argv++;
	while ((ch = ap_getopt(&cmd_service_cmd, argc, argv)) > 0)
		if (ch == 'c')
			file = optarg;
	if (ch < 0)
		return ap_opt_exit(ch);
	if ((ch = ap_no_operands(&cmd_service_cmd, argc, argv)))
		return ch;
	if (strcmp(verb, "check") && !ap_is_root()) {
		ap_err("service %s needs root", verb);
		return 1;
	}
	if (!strcmp(verb, "stop"))
		return service_stop();
	if (conf_read(file ? file : AP_CONF_DEFAULT, file != NULL, &c))
		return 1;
	if (!strcmp(verb, "start"))
		return service_start(&c);
	p = base_policy(&c, &absent, path, sizeof(path));
	if (!p && !absent)
		return 1;
	print_plan(&c, p, absent);
	ap_policy_free(p);
	return 0;
}
