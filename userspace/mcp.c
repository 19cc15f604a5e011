// SPDX-License-Identifier: GPL-2.0-only
/*
 * `actplane mcp`: a Model Context Protocol server on stdio, so an agent can
 * ask ActPlane directly.
 *
 * Transport: JSON-RPC 2.0, one message per line on stdin/stdout (MCP stdio
 * transport); nothing else is written to stdout, diagnostics go to stderr.
 * Offered:
 *   resource actplane://policy             the workspace's policy file and its
 *                                          `actplane check` diagnostics
 *   resource actplane://violations/latest  the latest violations with their
 *                                          reasons (.actplane/violations.jsonl)
 *   tool     check_policy                  check a proposed policy (a whole
 *                                          YAML file or a DSL snippet) without
 *                                          loading it
 * The protocol as the 2025-06-18 revision has it (2025-11-25, 2025-03-26 and
 * 2024-11-05 are negotiated too): nothing but initialize and ping is served
 * before initialize, which must name a protocolVersion; a second initialize
 * is refused; a JSON-RPC batch is refused unless 2025-03-26 (the one revision
 * with batches) was negotiated.  Every tool is read-only, declares an
 * outputSchema and returns structuredContent, with its JSON as the text.
 *
 * Bad input never ends the server: unparsable lines get a Parse error,
 * malformed requests an Invalid Request, unknown methods Method not found,
 * and notifications never get an answer.  A line longer than MCP_LINE_MAX
 * is read to its end without being kept (only its top-level "id" is picked
 * out on the way, so that the request gets its answer) and answered with an
 * Invalid Request, so the server's memory stays bounded whatever the client
 * sends.  Text in the answers (policy file, diagnostics, violations) is
 * escaped as escape.h describes; JSON fields hold the raw strings, and
 * everything written goes through ap_esc_json(), so that no string holds a
 * raw control, separator or bidi character or invalid UTF-8 either.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <json.h>
#include <limits.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>

#include "cmd.h"
#include "common.h"
#include "escape.h"
#include "policy/explain.h"
#include "policy/policy.h"
#include "violations.h"

#define MCP_SERVER_VERSION	"0.2.0"
#define MCP_LATEST_MAX		20	/* violations in the latest resource */
#define MCP_LINE_MAX		(4u << 20)	/* bytes in one request line */
#define MCP_ID_MAX		128	/* bytes of an id picked out of a long line */
#define MCP_DIAG_MAX		50	/* diagnostics in one answer */
#define MCP_SOURCE_MAX		(256u << 10)	/* bytes of the policy file shown */
#define URI_POLICY		"actplane://policy"
#define URI_VIOLATIONS		"actplane://violations/latest"

/* JSON-RPC 2.0 and MCP error codes */
#define RPC_PARSE_ERROR		(-32700)
#define RPC_INVALID_REQUEST	(-32600)
#define RPC_METHOD_NOT_FOUND	(-32601)
#define RPC_INVALID_PARAMS	(-32602)
#define RPC_INTERNAL_ERROR	(-32603)
#define MCP_RESOURCE_NOT_FOUND	(-32002)

/* newest first: we answer with the client's version if we know it, else
 * with the first */
static const char *const protocol_versions[] = {
	"2025-11-25", "2025-06-18", "2025-03-26", "2024-11-05",
};
#define N_VERSIONS	(sizeof(protocol_versions) / sizeof(protocol_versions[0]))
/* the one revision with JSON-RPC batches (added by it, removed by 2025-06-18) */
#define BATCH_VERSION	"2025-03-26"

struct mcp {
	const char *ws_opt, *policy_opt, *domain;
	const char *version;	/* negotiated by initialize; NULL before */
};

/* ---- helpers ------------------------------------------------------------ */
static struct json_object *jstr(const char *s)
{
	return json_object_new_string(s ? s : "");
}

static const char *get_str(struct json_object *o, const char *key)
{
	struct json_object *f;

	if (!o || !json_object_object_get_ex(o, key, &f) ||
	    !json_object_is_type(f, json_type_string))
		return NULL;
	return json_object_get_string(f);
}

static struct json_object *get_obj(struct json_object *o, const char *key)
{
	struct json_object *f;

	if (!o || !json_object_object_get_ex(o, key, &f) ||
	    !json_object_is_type(f, json_type_object))
		return NULL;
	return f;
}

/* o as one line of JSON made inert by ap_esc_json(); NULL if out of memory */
static char *json_text(struct json_object *o)
{
	const char *s = json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN |
						      JSON_C_TO_STRING_NOSLASHESCAPE);
	char *text = NULL;
	size_t len = 0;
	FILE *f;

	if (!s || !(f = open_memstream(&text, &len)))
		return NULL;
	ap_esc_json(f, s, strlen(s));
	if (fclose(f)) {
		free(text);
		return NULL;
	}
	return text;
}

static struct json_object *reply(struct json_object *id, struct json_object *result)
{
	struct json_object *r = json_object_new_object();

	json_object_object_add(r, "jsonrpc", jstr("2.0"));
	json_object_object_add(r, "id", json_object_get(id));
	json_object_object_add(r, "result", result);
	return r;
}

static struct json_object *rpc_error(struct json_object *id, int code,
				     const char *msg, struct json_object *data)
{
	struct json_object *r = json_object_new_object(), *e = json_object_new_object();

	json_object_object_add(e, "code", json_object_new_int(code));
	json_object_object_add(e, "message", jstr(msg));
	if (data)
		json_object_object_add(e, "data", data);
	json_object_object_add(r, "jsonrpc", jstr("2.0"));
	json_object_object_add(r, "id", json_object_get(id));	/* NULL: null */
	json_object_object_add(r, "error", e);
	return r;
}

/* the workspace: --workspace, else searched from the working directory, else
 * from $CLAUDE_PROJECT_DIR (set by Claude Code for the servers it starts) */
static const char *workspace(const struct mcp *m, char *buf, size_t len)
{
	const char *env = getenv("CLAUDE_PROJECT_DIR");

	if (m->ws_opt)
		return m->ws_opt;
	if (!ap_workspace_find(NULL, buf, len))
		return buf;
	if (env && *env && !ap_workspace_find(env, buf, len))
		return buf;
	return NULL;
}

static struct json_object *diags_json(const struct ap_diag *d)
{
	struct json_object *a = json_object_new_array();
	size_t i;

	for (i = 0; i < d->n && i < MCP_DIAG_MAX; i++) {
		const struct ap_diag_entry *e = &d->v[i];
		struct json_object *o = json_object_new_object();

		json_object_object_add(o, "severity", jstr(e->severity == AP_SEV_ERROR ?
							   "error" : "warning"));
		if (e->file)
			json_object_object_add(o, "file", jstr(e->file));
		if (e->line) {
			json_object_object_add(o, "line", json_object_new_int((int)e->line));
			json_object_object_add(o, "column", json_object_new_int((int)e->col));
		}
		json_object_object_add(o, "message", jstr(e->message));
		if (e->hint)
			json_object_object_add(o, "hint", jstr(e->hint));
		if (e->source_line)
			json_object_object_add(o, "source", jstr(e->source_line));
		json_object_array_add(a, o);
	}
	return a;
}

static void put_summary(FILE *f, const struct ap_policy *p, const struct ap_diag *d)
{
	if (!p) {
		fprintf(f, "invalid: %u error%s, %u warning%s", d->errors,
			d->errors == 1 ? "" : "s", d->warnings,
			d->warnings == 1 ? "" : "s");
		return;
	}
	fprintf(f, "ok: %zu rule%s, %zu label%s, %zu source%s, %zu gate%s",
		p->n_rules, p->n_rules == 1 ? "" : "s",
		p->n_labels, p->n_labels == 1 ? "" : "s",
		p->n_sources, p->n_sources == 1 ? "" : "s",
		p->n_gates, p->n_gates == 1 ? "" : "s");
	if (p->domain) {
		fputs(", domain ", f);
		ap_esc_word(f, p->domain);
	}
	if (d->warnings)
		fprintf(f, ", %u warning%s", d->warnings, d->warnings == 1 ? "" : "s");
}

/* the diagnostics as `actplane check` prints them, at most MCP_DIAG_MAX */
static void put_diags(FILE *f, const struct ap_diag *d)
{
	size_t i;

	if (!d->n)
		return;
	fputc('\n', f);
	for (i = 0; i < d->n && i < MCP_DIAG_MAX; i++)
		ap_diag_print_entry(f, &d->v[i], false);
	if (d->n > MCP_DIAG_MAX)
		fprintf(f, "(%zu more diagnostics not shown)\n", d->n - MCP_DIAG_MAX);
}

/*
 * The first MCP_SOURCE_MAX bytes of a file (the agent may have made it
 * huge), with line numbers, each line escaped: nothing in it can pass for
 * anything but a line of the file.
 */
static void put_source(FILE *f, const char *path)
{
	char *text = malloc(MCP_SOURCE_MAX);
	size_t line = 1, len = 0, i = 0;
	struct stat st;
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t r = 0;

	if (fd < 0 || !text || fstat(fd, &st)) {
		fputs("(unreadable)\n", f);
		goto out;
	}
	while (len < MCP_SOURCE_MAX &&
	       ((r = read(fd, text + len, MCP_SOURCE_MAX - len)) > 0 ||
		(r < 0 && errno == EINTR)))
		len += r > 0 ? (size_t)r : 0;
	while (i < len) {
		const char *nl = memchr(text + i, '\n', len - i);
		size_t n = nl ? (size_t)(nl - (text + i)) : len - i;

		fprintf(f, "%5zu | ", line++);
		ap_esc_write(f, text + i, n, 0);
		fputc('\n', f);
		i += n + 1;
	}
	if (r < 0)
		fprintf(f, "(read error: %s)\n", strerror(errno));
	else if (S_ISREG(st.st_mode) && (uint64_t)st.st_size > len)
		fprintf(f, "(the remaining %llu bytes are not shown)\n",
			(unsigned long long)st.st_size - len);
out:
	if (fd >= 0)
		close(fd);
	free(text);
}

static struct json_object *text_contents(const char *uri, const char *mime,
					 const char *text)
{
	struct json_object *r = json_object_new_object();
	struct json_object *a = json_object_new_array(), *c = json_object_new_object();

	json_object_object_add(c, "uri", jstr(uri));
	json_object_object_add(c, "mimeType", jstr(mime));
	json_object_object_add(c, "text", jstr(text));
	json_object_array_add(a, c);
	json_object_object_add(r, "contents", a);
	return r;
}

/* ---- resources ---------------------------------------------------------- */
static struct json_object *resource(const char *uri, const char *name,
				    const char *title, const char *desc)
{
	struct json_object *o = json_object_new_object();

	json_object_object_add(o, "uri", jstr(uri));
	json_object_object_add(o, "name", jstr(name));
	json_object_object_add(o, "title", jstr(title));
	json_object_object_add(o, "description", jstr(desc));
	json_object_object_add(o, "mimeType", jstr("text/plain"));
	return o;
}

static struct json_object *resources_list(void)
{
	struct json_object *r = json_object_new_object(), *a = json_object_new_array();

	json_object_array_add(a, resource(URI_POLICY, "policy", "ActPlane policy",
		"The workspace's ActPlane policy file (actplane.yaml) with the "
		"diagnostics of `actplane check`."));
	json_object_array_add(a, resource(URI_VIOLATIONS, "violations-latest",
		"Latest ActPlane violations",
		"The most recent policy violations in this workspace: what was "
		"attempted, by which process, the rule, its effect and the reason."));
	json_object_object_add(r, "resources", a);
	return r;
}

static struct json_object *read_policy(const struct mcp *m)
{
	char wsbuf[PATH_MAX], path[PATH_MAX], *text = NULL;
	const char *ws = workspace(m, wsbuf, sizeof(wsbuf));
	struct ap_policy *p;
	struct ap_diag d;
	size_t len = 0;
	struct json_object *r;
	FILE *f;

	if (m->policy_opt)
		snprintf(path, sizeof(path), "%s", m->policy_opt);
	else if (ap_policy_find(ws, path, sizeof(path)))
		path[0] = '\0';
	f = open_memstream(&text, &len);
	if (!f)
		return NULL;
	if (!path[0]) {
		fprintf(f, "No ActPlane policy: there is no actplane.yaml or "
			".actplane/policy.yaml in ");
		if (ws)
			ap_esc_quoted(f, ws);
		else
			fputs("the working directory", f);
		fprintf(f, " or above.\n"
			"Create one with `actplane init`; the language is described in "
			"docs/policy-language.md.\n");
	} else {
		ap_diag_init(&d);
		p = ap_policy_load_file(path, m->domain, &d);
		fputs("ActPlane policy file: ", f);
		ap_esc_quoted(f, path);
		fputs("\n`actplane check`: ", f);
		put_summary(f, p, &d);
		fputc('\n', f);
		put_diags(f, &d);
		fputs("\nThe file ", f);
		ap_esc_quoted(f, path);
		fputs(", line by line:\n", f);
		put_source(f, path);
		ap_policy_free(p);
		ap_diag_free(&d);
	}
	if (fclose(f)) {
		free(text);
		return NULL;
	}
	r = text_contents(URI_POLICY, "text/plain", text);
	free(text);
	return r;
}

struct latest {
	FILE *f;
	size_t i, n;
};

static int latest_one(const struct ap_violation *v, struct json_object *o,
		      void *ctx)
{
	struct latest *l = ctx;

	fprintf(l->f, "\n[%zu of %zu] ", ++l->i, l->n);
	ap_violation_format_feedback(v, l->f);
	return 0;
}

static int count_one(const struct ap_violation *v, struct json_object *o,
		     void *ctx)
{
	(*(size_t *)ctx)++;
	return 0;
}

static struct json_object *read_violations(const struct mcp *m)
{
	char wsbuf[PATH_MAX], *text = NULL;
	const char *ws = workspace(m, wsbuf, sizeof(wsbuf));
	struct latest l = { 0 };
	struct json_object *r;
	size_t len = 0, total = 0;
	int n = 0;

	l.f = open_memstream(&text, &len);
	if (!l.f)
		return NULL;
	if (ws) {
		n = ap_violations_read_latest(ws, MCP_LATEST_MAX, count_one,
					      &l.n, &total);
		if (n > 0) {
			fprintf(l.f, "The latest %zu of %zu ActPlane policy violations "
				"recorded in ", l.n, total);
			ap_state_path_put(l.f, ws, AP_VIOLATIONS_FILE);
			fputs(" (oldest first):\n", l.f);
			ap_violations_read_latest(ws, MCP_LATEST_MAX, latest_one,
						  &l, NULL);
		}
	}
	if (n < 0) {
		fputs("Cannot read ", l.f);
		ap_state_path_put(l.f, ws, AP_VIOLATIONS_FILE);
		fprintf(l.f, ": %s\n", strerror(-n));
	} else if (n == 0) {
		fputs("No ActPlane policy violations are recorded", l.f);
		if (ws) {
			fputs(" in ", l.f);
			ap_esc_quoted(l.f, ws);
		} else {
			fputs(" (no ActPlane workspace found)", l.f);
		}
		fputs(".\n", l.f);
	}
	if (fclose(l.f)) {
		free(text);
		return NULL;
	}
	r = text_contents(URI_VIOLATIONS, "text/plain", text);
	free(text);
	return r;
}

/* ---- tools ------------------------------------------------------------- */
/*
 * A tool is an entry of tools[] below: its schemas as JSON text and a
 * function that returns tool_ok() with its structured result (which must
 * match the outputSchema) or tool_fail() with why the call cannot be done
 * (a bad argument: the model can fix its call).  Every tool is read-only:
 * nothing here changes the policy or anything else.
 */
struct tool {
	const char *name, *title, *description;
	const char *input_schema, *output_schema;
	struct json_object *(*call)(const struct mcp *m, struct json_object *args);
};

/* a successful call: structured, and its JSON (made inert) as the text */
static struct json_object *tool_ok(struct json_object *structured)
{
	struct json_object *r, *a, *c;
	char *text = json_text(structured);

	if (!text) {
		json_object_put(structured);
		return NULL;
	}
	r = json_object_new_object();
	a = json_object_new_array();
	c = json_object_new_object();
	json_object_object_add(c, "type", jstr("text"));
	json_object_object_add(c, "text", jstr(text));
	json_object_array_add(a, c);
	json_object_object_add(r, "content", a);
	json_object_object_add(r, "structuredContent", structured);
	json_object_object_add(r, "isError", json_object_new_boolean(false));
	free(text);
	return r;
}

/* a tool error: the reason, as text for the model */
static struct json_object *tool_fail(const char *why)
{
	struct json_object *r = json_object_new_object();
	struct json_object *a = json_object_new_array(), *c = json_object_new_object();

	json_object_object_add(c, "type", jstr("text"));
	json_object_object_add(c, "text", jstr(why));
	json_object_array_add(a, c);
	json_object_object_add(r, "content", a);
	json_object_object_add(r, "isError", json_object_new_boolean(true));
	return r;
}

/* the argument key of args in *out (NULL if absent): false if it is not a
 * string, or holds a NUL */
static bool arg_str(struct json_object *args, const char *key, const char **out)
{
	struct json_object *f;

	*out = NULL;
	if (!args || !json_object_object_get_ex(args, key, &f))
		return true;
	if (!json_object_is_type(f, json_type_string))
		return false;
	*out = json_object_get_string(f);
	return (size_t)json_object_get_string_len(f) == strlen(*out);
}

static bool looks_like_yaml(const char *s)
{
	static const char *const keys[] = { "version", "policy", "rules", "domains",
					    "default_domain", "feedback" };
	const char *line = s;
	size_t i;

	while (line && *line) {
		for (i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
			size_t n = strlen(keys[i]);

			if (!strncmp(line, keys[i], n) &&
			    line[n + strspn(line + n, " \t")] == ':')
				return true;
		}
		line = strchr(line, '\n');
		if (line)
			line++;
	}
	return false;
}

static const char check_policy_in[] =
	"{\"type\":\"object\",\"properties\":{"
	"\"policy\":{\"type\":\"string\","
	"\"description\":\"The policy text: YAML file or DSL snippet.\"},"
	"\"format\":{\"type\":\"string\",\"enum\":[\"auto\",\"yaml\",\"dsl\"],"
	"\"description\":\"How to read it; auto (default) takes text with a top-level "
	"version:, policy:, rules: or domains: key as YAML, else as DSL.\"},"
	"\"domain\":{\"type\":\"string\",\"description\":\"Domain to compile, for the "
	"rules:/domains: form (default: its default_domain).\"}},"
	"\"required\":[\"policy\"]}";

static const char check_policy_out[] =
	"{\"type\":\"object\",\"properties\":{"
	"\"valid\":{\"type\":\"boolean\",\"description\":\"true if the policy "
	"compiles (warnings allowed)\"},"
	"\"format\":{\"type\":\"string\",\"enum\":[\"yaml\",\"dsl\"],"
	"\"description\":\"How the text was read.\"},"
	"\"summary\":{\"type\":\"string\",\"description\":\"The result line of "
	"`actplane check`.\"},"
	"\"errors\":{\"type\":\"integer\",\"minimum\":0},"
	"\"warnings\":{\"type\":\"integer\",\"minimum\":0},"
	"\"rules\":{\"type\":\"integer\",\"minimum\":0,"
	"\"description\":\"Rules compiled (a valid policy only).\"},"
	"\"labels\":{\"type\":\"integer\",\"minimum\":0,"
	"\"description\":\"Labels declared (a valid policy only).\"},"
	"\"diagnostics\":{\"type\":\"array\",\"description\":\"The errors and "
	"warnings, at most 50.\",\"items\":{\"type\":\"object\",\"properties\":{"
	"\"severity\":{\"type\":\"string\",\"enum\":[\"error\",\"warning\"]},"
	"\"file\":{\"type\":\"string\"},"
	"\"line\":{\"type\":\"integer\",\"minimum\":1},"
	"\"column\":{\"type\":\"integer\",\"minimum\":0},"
	"\"message\":{\"type\":\"string\"},"
	"\"hint\":{\"type\":\"string\"},"
	"\"source\":{\"type\":\"string\",\"description\":\"The line in question.\"}},"
	"\"required\":[\"severity\",\"message\"]}},"
	"\"diagnostics_omitted\":{\"type\":\"integer\",\"minimum\":1,"
	"\"description\":\"Diagnostics beyond the first 50, not listed.\"}},"
	"\"required\":[\"valid\",\"format\",\"summary\",\"errors\",\"warnings\","
	"\"diagnostics\"]}";

static struct json_object *check_policy(const struct mcp *m,
					struct json_object *args)
{
	const char *text, *format, *domain;
	char wsbuf[PATH_MAX], cwd[PATH_MAX], name[PATH_MAX + 32], *sum = NULL;
	const char *ws = workspace(m, wsbuf, sizeof(wsbuf));
	struct json_object *st;
	struct ap_policy *p;
	struct ap_diag d;
	size_t len = 0;
	bool yaml;
	FILE *f;

	if (!arg_str(args, "policy", &text))
		return tool_fail("\"policy\" must be a string without NUL characters.");
	if (!text)
		return tool_fail("check_policy needs the argument \"policy\": the "
				 "policy text (a YAML file or a DSL snippet).");
	if (!arg_str(args, "format", &format) ||
	    (format && strcmp(format, "auto") && strcmp(format, "yaml") &&
	     strcmp(format, "dsl")))
		return tool_fail("\"format\" must be auto, yaml or dsl.");
	if (!arg_str(args, "domain", &domain))
		return tool_fail("\"domain\" must be a string (a domain name).");
	if (!ws)
		ws = getcwd(cwd, sizeof(cwd)) ? cwd : "/";
	yaml = format && strcmp(format, "auto") ? !strcmp(format, "yaml") :
						 looks_like_yaml(text);
	ap_diag_init(&d);
	if (yaml) {
		/* relative patterns resolve against the workspace, as they would
		 * for its actplane.yaml */
		snprintf(name, sizeof(name), "%s/(proposed policy)", ws);
		p = ap_policy_load_string(text, strlen(text), name,
					  domain ? domain : m->domain, &d);
	} else {
		p = ap_policy_load_dsl(text, strlen(text), ws, &d);
	}
	f = open_memstream(&sum, &len);
	if (f) {
		put_summary(f, p, &d);
		if (fclose(f)) {
			free(sum);
			sum = NULL;
		}
	}
	if (!sum) {
		ap_policy_free(p);
		ap_diag_free(&d);
		return NULL;
	}
	st = json_object_new_object();
	json_object_object_add(st, "valid", json_object_new_boolean(p != NULL));
	json_object_object_add(st, "format", jstr(yaml ? "yaml" : "dsl"));
	json_object_object_add(st, "summary", jstr(sum));
	json_object_object_add(st, "errors", json_object_new_int((int)d.errors));
	json_object_object_add(st, "warnings", json_object_new_int((int)d.warnings));
	if (p) {
		json_object_object_add(st, "rules", json_object_new_int((int)p->n_rules));
		json_object_object_add(st, "labels", json_object_new_int((int)p->n_labels));
	}
	json_object_object_add(st, "diagnostics", diags_json(&d));
	if (d.n > MCP_DIAG_MAX)
		json_object_object_add(st, "diagnostics_omitted",
				       json_object_new_int((int)(d.n - MCP_DIAG_MAX)));
	free(sum);
	ap_policy_free(p);
	ap_diag_free(&d);
	return tool_ok(st);
}

/* ---- explain ---------------------------------------------------------- */

static const char explain_in[] =
	"{\"type\":\"object\",\"properties\":{"
	"\"event\":{\"type\":\"string\",\"description\":\"The operation and its "
	"target, as words: exec PROGRAM [ARG...], read|open|write|unlink PATH, or "
	"connect|recv ADDRESS:PORT; e.g. \\\"exec git push origin main\\\", "
	"\\\"write src/a.c\\\", \\\"connect 10.0.0.1:443\\\".\"},"
	"\"labels\":{\"type\":\"array\",\"items\":{\"type\":\"string\"},"
	"\"description\":\"Labels the acting process carries (e.g. [\\\"SECRET\\\"]): "
	"what it read or was started with.\"},"
	"\"target_labels\":{\"type\":\"array\",\"items\":{\"type\":\"string\"},"
	"\"description\":\"exec: labels the program file carries.\"},"
	"\"after\":{\"type\":\"array\",\"items\":{\"type\":\"string\"},"
	"\"description\":\"Earlier events of the session, oldest first: a program "
	"run (\\\"pytest\\\") or an operation (\\\"write src/a.c\\\"); they arm or "
	"stale `after`/`since` gates.\"},"
	"\"lineage\":{\"type\":\"array\",\"items\":{\"type\":\"string\"},"
	"\"description\":\"Programs the process or an ancestor executed.\"},"
	"\"domain\":{\"type\":\"string\",\"description\":\"Domain to evaluate, for the "
	"rules:/domains: form.\"}},"
	"\"required\":[\"event\"]}";

#define EXPLAIN_STRS "{\"type\":\"array\",\"items\":{\"type\":\"string\"}}"
#define EXPLAIN_OPT_STR "{\"type\":[\"string\",\"null\"]}"
static const char explain_out[] =
	"{\"type\":\"object\",\"properties\":{"
	"\"policy\":{\"type\":\"string\",\"description\":\"The policy file.\"},"
	"\"domain\":" EXPLAIN_OPT_STR ","
	"\"event\":{\"type\":\"object\",\"properties\":{"
	"\"op\":{\"type\":\"string\"},\"written\":{\"type\":\"string\"},"
	"\"target\":{\"type\":\"string\",\"description\":\"What is matched: the "
	"resolved path or the endpoint.\"},"
	"\"ops\":" EXPLAIN_STRS ",\"argv\":" EXPLAIN_STRS "},"
	"\"required\":[\"op\",\"target\",\"ops\"]},"
	"\"subject\":{\"type\":\"object\",\"properties\":{"
	"\"labels\":" EXPLAIN_STRS ",\"view\":" EXPLAIN_STRS ","
	"\"gained\":" EXPLAIN_STRS ",\"dropped\":" EXPLAIN_STRS ","
	"\"after\":" EXPLAIN_STRS ",\"lineage\":" EXPLAIN_STRS "}},"
	"\"clauses\":{\"type\":\"array\",\"description\":\"Every clause whose target "
	"matches, with its conditions.\",\"items\":{\"type\":\"object\",\"properties\":{"
	"\"rule\":{\"type\":\"string\"},\"rule_id\":{\"type\":\"integer\"},"
	"\"clause\":{\"type\":\"integer\"},\"file\":{\"type\":\"string\"},"
	"\"rule_line\":{\"type\":\"integer\"},\"line\":{\"type\":\"integer\"},"
	"\"effect\":{\"type\":\"string\",\"enum\":[\"notify\",\"block\",\"kill\"]},"
	"\"op\":{\"type\":\"string\"},\"text\":{\"type\":\"string\"},"
	"\"conditions\":{\"type\":\"array\",\"items\":{\"type\":\"object\",\"properties\":{"
	"\"kind\":{\"type\":\"string\"},\"text\":{\"type\":\"string\"},"
	"\"holds\":{\"type\":\"boolean\"},\"detail\":{\"type\":\"string\"}},"
	"\"required\":[\"kind\",\"holds\"]}},"
	"\"fires\":{\"type\":\"boolean\"},\"because\":{\"type\":\"string\"}},"
	"\"required\":[\"rule\",\"effect\",\"fires\"]}},"
	"\"decision\":{\"type\":\"object\",\"properties\":{"
	"\"effect\":{\"type\":\"string\",\"enum\":[\"allow\",\"notify\",\"block\",\"kill\"]},"
	"\"denied\":{\"type\":\"boolean\"},"
	"\"rule\":" EXPLAIN_OPT_STR ","
	"\"line\":{\"type\":[\"integer\",\"null\"]},"
	"\"because\":" EXPLAIN_OPT_STR "},"
	"\"required\":[\"effect\",\"denied\"]},"
	"\"notes\":" EXPLAIN_STRS "},"
	"\"required\":[\"event\",\"subject\",\"clauses\",\"decision\"]}";

/*
 * Add each string of the array args[key] to list @which: NULL, or a tool
 * error for a value of the wrong type (the caller frees it).
 */
static struct json_object *explain_list(struct ap_explain_event *ev, struct json_object *args,
					const char *key, enum ap_explain_list which)
{
	struct json_object *a, *v;
	char *err = NULL, msg[160];
	size_t i, n;

	if (!json_object_object_get_ex(args, key, &a))
		return NULL;
	snprintf(msg, sizeof(msg), "\"%s\" must be an array of strings.", key);
	if (!json_object_is_type(a, json_type_array))
		return tool_fail(msg);
	n = json_object_array_length(a);
	for (i = 0; i < n; i++) {
		v = json_object_array_get_idx(a, i);
		if (!json_object_is_type(v, json_type_string) ||
		    (size_t)json_object_get_string_len(v) != strlen(json_object_get_string(v)))
			return tool_fail(msg);
		if (ap_explain_add(ev, which, json_object_get_string(v), &err)) {
			struct json_object *r = tool_fail(err ? err : "invalid value");

			free(err);
			return r;
		}
	}
	return NULL;
}

static struct json_object *explain_policy_error(const char *path, struct ap_diag *d)
{
	char *text = NULL;
	size_t len = 0;
	struct json_object *r;
	FILE *f = open_memstream(&text, &len);

	if (!f)
		return NULL;
	fputs("The policy ", f);
	ap_esc_quoted(f, path);
	fputs(" does not compile, so nothing can be explained; fix it first "
	      "(the check_policy tool shows the same diagnostics).\n", f);
	put_diags(f, d);
	if (fclose(f)) {
		free(text);
		return NULL;
	}
	r = tool_fail(text);
	free(text);
	return r;
}

static struct json_object *explain(const struct mcp *m, struct json_object *args)
{
	static const struct { const char *key; enum ap_explain_list which; } lists[] = {
		{ "labels", AP_EXPLAIN_LABELS }, { "target_labels", AP_EXPLAIN_TARGET_LABELS },
		{ "after", AP_EXPLAIN_AFTER }, { "lineage", AP_EXPLAIN_LINEAGE },
	};
	char wsbuf[PATH_MAX], path[PATH_MAX], *err = NULL;
	const char *ws = workspace(m, wsbuf, sizeof(wsbuf)), *event, *domain;
	struct ap_explain_event ev;
	struct json_object *r = NULL, *res;
	struct ap_policy *p = NULL;
	struct ap_diag d;
	size_t i;

	if (!arg_str(args, "event", &event))
		return tool_fail("\"event\" must be a string without NUL characters.");
	if (!event)
		return tool_fail("explain needs the argument \"event\": the operation and "
				 "its target, e.g. \"exec git push\" or \"write src/a.c\".");
	if (!arg_str(args, "domain", &domain))
		return tool_fail("\"domain\" must be a string (a domain name).");
	if (m->policy_opt)
		snprintf(path, sizeof(path), "%s", m->policy_opt);
	else if (ap_policy_find(ws, path, sizeof(path)))
		return tool_fail("There is no ActPlane policy (actplane.yaml) in this "
				 "workspace, so nothing would be blocked by one.");
	ap_explain_event_init(&ev);
	ap_diag_init(&d);
	if (ap_explain_set_event_text(&ev, event, &err) ||
	    (ws && ap_explain_set_cwd(&ev, ws, &err))) {
		r = tool_fail(err ? err : "invalid event");
		goto out;
	}
	for (i = 0; i < sizeof(lists) / sizeof(lists[0]) && !r; i++)
		r = explain_list(&ev, args, lists[i].key, lists[i].which);
	if (r)
		goto out;
	p = ap_policy_load_file(path, domain ? domain : m->domain, &d);
	if (!p) {
		r = explain_policy_error(path, &d);
		goto out;
	}
	res = ap_explain_json(p, &ev, &err);
	r = res ? tool_ok(res) : tool_fail(err ? err : "cannot explain this event");
out:
	free(err);
	ap_policy_free(p);
	ap_diag_free(&d);
	ap_explain_event_free(&ev);
	return r;
}

static const struct tool tools[] = {
	{
		.name = "check_policy",
		.title = "Check an ActPlane policy",
		.description =
			"Check a proposed ActPlane policy without loading it: either a "
			"whole actplane.yaml file (version: 1 with a `policy: |` block, "
			"or the rules:/domains: form) or a snippet of the rule language "
			"(source, declassify, endorse and rule declarations; a snippet "
			"must declare the labels it uses).  Returns whether it is valid "
			"and its errors and warnings with line, column and a hint, as "
			"`actplane check` does.",
		.input_schema = check_policy_in,
		.output_schema = check_policy_out,
		.call = check_policy,
	},
	{
		.name = "explain",
		.title = "What would ActPlane do?",
		.description =
			"Ask before acting: what the workspace's ActPlane policy would do "
			"to one operation -- a command (\"exec git push\"), a file read, "
			"write or delete, a network connection -- by a process carrying "
			"the given labels, after the given earlier events.  Returns every "
			"rule that matches with which of its conditions hold, and the "
			"decision (allow, notify, block or kill) with the rule's reason.  "
			"Nothing is run or loaded.",
		.input_schema = explain_in,
		.output_schema = explain_out,
		.call = explain,
	},
};
#define N_TOOLS	(sizeof(tools) / sizeof(tools[0]))

static const struct tool *tool_find(const char *name)
{
	size_t i;

	for (i = 0; i < N_TOOLS; i++)
		if (!strcmp(tools[i].name, name))
			return &tools[i];
	return NULL;
}

static struct json_object *tools_list(void)
{
	struct json_object *r = json_object_new_object(), *a = json_object_new_array();
	size_t i;

	json_object_object_add(r, "tools", a);
	for (i = 0; i < N_TOOLS; i++) {
		struct json_object *t = json_object_new_object(), *ann, *in, *out;

		json_object_array_add(a, t);
		json_object_object_add(t, "name", jstr(tools[i].name));
		json_object_object_add(t, "title", jstr(tools[i].title));
		json_object_object_add(t, "description", jstr(tools[i].description));
		in = json_tokener_parse(tools[i].input_schema);
		out = json_tokener_parse(tools[i].output_schema);
		if (!in || !out) {	/* out of memory (the texts are tested) */
			json_object_put(in);
			json_object_put(out);
			json_object_put(r);
			return NULL;
		}
		json_object_object_add(t, "inputSchema", in);
		json_object_object_add(t, "outputSchema", out);
		ann = json_object_new_object();
		json_object_object_add(ann, "readOnlyHint", json_object_new_boolean(true));
		json_object_object_add(ann, "openWorldHint", json_object_new_boolean(false));
		json_object_object_add(t, "annotations", ann);
	}
	return r;
}

/* ---- dispatch ------------------------------------------------------------ */
/* error data naming the versions we speak (and the one asked for) */
static struct json_object *versions_data(const char *requested)
{
	struct json_object *d = json_object_new_object(), *a = json_object_new_array();
	size_t i;

	for (i = 0; i < N_VERSIONS; i++)
		json_object_array_add(a, jstr(protocol_versions[i]));
	json_object_object_add(d, "supported", a);
	if (requested)
		json_object_object_add(d, "requested", jstr(requested));
	return d;
}

static struct json_object *initialize(struct mcp *m, struct json_object *id,
				      struct json_object *params)
{
	const char *want = get_str(params, "protocolVersion");
	struct json_object *client = get_obj(params, "clientInfo");
	struct json_object *r, *caps, *info;
	size_t i;

	if (m->version)
		return rpc_error(id, RPC_INVALID_REQUEST,
				 "Invalid Request: already initialized", NULL);
	if (!want)
		return rpc_error(id, RPC_INVALID_PARAMS, "initialize needs "
				 "params.protocolVersion (a string)", versions_data(NULL));
	if (!get_obj(params, "capabilities"))
		return rpc_error(id, RPC_INVALID_PARAMS, "initialize needs "
				 "params.capabilities (an object)", NULL);
	if (!get_str(client, "name") || !get_str(client, "version"))
		return rpc_error(id, RPC_INVALID_PARAMS, "initialize needs "
				 "params.clientInfo with a name and a version", NULL);
	m->version = protocol_versions[0];
	for (i = 0; i < N_VERSIONS; i++)
		if (!strcmp(want, protocol_versions[i]))
			m->version = protocol_versions[i];
	r = json_object_new_object();
	caps = json_object_new_object();
	json_object_object_add(caps, "resources", json_object_new_object());
	json_object_object_add(caps, "tools", json_object_new_object());
	info = json_object_new_object();
	json_object_object_add(info, "name", jstr("actplane"));
	json_object_object_add(info, "title", jstr("ActPlane"));
	json_object_object_add(info, "version", jstr(MCP_SERVER_VERSION));
	json_object_object_add(r, "protocolVersion", jstr(m->version));
	json_object_object_add(r, "capabilities", caps);
	json_object_object_add(r, "serverInfo", info);
	json_object_object_add(r, "instructions", jstr(
		"ActPlane enforces an OS-level policy on everything this agent runs. "
		"Read actplane://violations/latest to see which of your actions a rule "
		"blocked, killed or reported and why; read actplane://policy for the "
		"rules in force; call check_policy to validate a policy change before "
		"proposing it."));
	return reply(id, r);
}

static struct json_object *call_tool(const struct mcp *m, struct json_object *id,
				     struct json_object *params)
{
	const char *name = get_str(params, "name");
	const struct tool *t = name ? tool_find(name) : NULL;
	struct json_object *args = NULL, *data, *res;

	if (!name)
		return rpc_error(id, RPC_INVALID_PARAMS,
				 "tools/call needs params.name", NULL);
	if (!t) {
		data = json_object_new_object();
		json_object_object_add(data, "name", jstr(name));
		return rpc_error(id, RPC_INVALID_PARAMS, "Unknown tool", data);
	}
	if (json_object_object_get_ex(params, "arguments", &args) &&
	    !json_object_is_type(args, json_type_object))
		return rpc_error(id, RPC_INVALID_PARAMS,
				 "tools/call: params.arguments must be an object", NULL);
	res = t->call(m, args);
	return res ? reply(id, res) : NULL;
}

static struct json_object *read_resource(const struct mcp *m, struct json_object *id,
					 struct json_object *params)
{
	const char *uri = get_str(params, "uri");
	struct json_object *data, *res;

	if (!uri)
		return rpc_error(id, RPC_INVALID_PARAMS,
				 "resources/read needs params.uri", NULL);
	if (!strcmp(uri, URI_POLICY)) {
		res = read_policy(m);
	} else if (!strcmp(uri, URI_VIOLATIONS)) {
		res = read_violations(m);
	} else {
		data = json_object_new_object();
		json_object_object_add(data, "uri", jstr(uri));
		return rpc_error(id, MCP_RESOURCE_NOT_FOUND, "Resource not found", data);
	}
	return res ? reply(id, res) : NULL;
}

static struct json_object *request(struct mcp *m, struct json_object *id,
				   const char *method, struct json_object *params)
{
	struct json_object *res = NULL;

	if (params && !json_object_is_type(params, json_type_object))
		return rpc_error(id, RPC_INVALID_PARAMS, "params must be an object", NULL);
	if (!strcmp(method, "initialize")) {
		res = initialize(m, id, params);
	} else if (!strcmp(method, "ping")) {
		res = reply(id, json_object_new_object());
	} else if (!m->version) {
		/* the lifecycle: initialize comes first (ping may come before) */
		return rpc_error(id, RPC_INVALID_REQUEST, "Invalid Request: not "
				 "initialized (send initialize first)", NULL);
	} else if (!strcmp(method, "resources/list")) {
		res = reply(id, resources_list());
	} else if (!strcmp(method, "resources/templates/list")) {
		res = json_object_new_object();
		json_object_object_add(res, "resourceTemplates", json_object_new_array());
		res = reply(id, res);
	} else if (!strcmp(method, "resources/read")) {
		res = read_resource(m, id, params);
	} else if (!strcmp(method, "tools/list")) {
		res = tools_list();
		res = res ? reply(id, res) : NULL;
	} else if (!strcmp(method, "tools/call")) {
		res = call_tool(m, id, params);
	} else {
		return rpc_error(id, RPC_METHOD_NOT_FOUND, "Method not found", NULL);
	}
	return res ? res : rpc_error(id, RPC_INTERNAL_ERROR,
				     "Internal error (out of memory)", NULL);
}

/* one message; returns the response or NULL (notification) */
static struct json_object *handle(struct mcp *m, struct json_object *msg)
{
	struct json_object *id = NULL, *params = NULL, *f;
	const char *method, *ver;
	bool has_id;

	if (!json_object_is_type(msg, json_type_object))
		return rpc_error(NULL, RPC_INVALID_REQUEST,
				 "Invalid Request: not a JSON object", NULL);
	has_id = json_object_object_get_ex(msg, "id", &id);
	if (has_id && !json_object_is_type(id, json_type_string) &&
	    !json_object_is_type(id, json_type_int))
		return rpc_error(NULL, RPC_INVALID_REQUEST,
				 "Invalid Request: id must be a string or an integer",
				 NULL);
	ver = get_str(msg, "jsonrpc");
	method = get_str(msg, "method");
	if (!method) {
		/* a response to a request we never sent, or garbage */
		if (!has_id || json_object_object_get_ex(msg, "result", &f) ||
		    json_object_object_get_ex(msg, "error", &f))
			return NULL;
		return rpc_error(id, RPC_INVALID_REQUEST,
				 "Invalid Request: no method", NULL);
	}
	if (!ver || strcmp(ver, "2.0"))
		return has_id ? rpc_error(id, RPC_INVALID_REQUEST,
					  "Invalid Request: jsonrpc must be \"2.0\"",
					  NULL) : NULL;
	json_object_object_get_ex(msg, "params", &params);
	if (!has_id)
		return NULL;	/* notifications/initialized, cancelled, ...: nothing to do */
	return request(m, id, method, params);
}

static int send_msg(struct json_object *r)
{
	char *s = json_text(r);
	int ret = !s || fputs(s, stdout) == EOF || fputc('\n', stdout) == EOF ||
		  fflush(stdout) ? -1 : 0;

	free(s);
	json_object_put(r);
	return ret;
}

/* a batch, in a session that negotiated BATCH_VERSION: answered element by
 * element in one array (nothing if it held only notifications) */
static int handle_batch(struct mcp *m, struct json_object *batch)
{
	size_t i, n = json_object_array_length(batch);
	struct json_object *out = json_object_new_array();

	for (i = 0; i < n; i++) {
		struct json_object *r = handle(m, json_object_array_get_idx(batch, i));

		if (r)
			json_object_array_add(out, r);
	}
	if (!json_object_array_length(out)) {
		json_object_put(out);
		return 0;
	}
	return send_msg(out);
}

static int handle_line(struct mcp *m, const char *line)
{
	enum json_tokener_error jerr;
	struct json_object *msg = json_tokener_parse_verbose(line, &jerr), *out;
	int ret;

	if (!msg) {
		if (jerr == json_tokener_success)	/* the literal null */
			return send_msg(rpc_error(NULL, RPC_INVALID_REQUEST,
						  "Invalid Request", NULL));
		return send_msg(rpc_error(NULL, RPC_PARSE_ERROR, "Parse error",
					  jstr(json_tokener_error_desc(jerr))));
	}
	if (json_object_is_type(msg, json_type_array)) {
		if (!json_object_array_length(msg))
			out = rpc_error(NULL, RPC_INVALID_REQUEST,
					"Invalid Request: empty batch", NULL);
		else if (!m->version || strcmp(m->version, BATCH_VERSION))
			out = rpc_error(NULL, RPC_INVALID_REQUEST, "Invalid Request: "
					"JSON-RPC batches are not supported (MCP "
					"2025-06-18); send one message per line", NULL);
		else
			out = NULL;
		ret = out ? send_msg(out) : handle_batch(m, msg);
		json_object_put(msg);
		return ret;
	}
	out = handle(m, msg);
	json_object_put(msg);
	return out ? send_msg(out) : 0;
}

/* ---- input --------------------------------------------------------------- */
/*
 * The top-level "id" of a line too long to keep, picked out as its bytes go
 * by: a scanner that follows strings and nesting and keeps the text of the
 * id's value when it is a string or a number of at most MCP_ID_MAX bytes.
 * The request then gets its error under its own id (a client such as the
 * MCP SDK waits for that, not for an answer with id null).
 */
struct idscan {
	enum {
		ID_START,	/* before the top-level '{' */
		ID_KEY,		/* in the object, before a key */
		ID_COLON,	/* after a key */
		ID_VALUE,	/* after its ':' */
		ID_NUMBER,	/* in a number that is the id */
		ID_OTHER,	/* in or after another value */
		ID_DONE,	/* past the object, or not an object */
	} st;
	unsigned depth;		/* open objects and arrays */
	bool in_str, esc;	/* in a string; after its backslash */
	bool key_is_id;		/* the current key is "id" */
	size_t klen;		/* bytes of the current key */
	char cur[MCP_ID_MAX + 2];	/* the id's value being read */
	size_t clen;
	bool capture;		/* cur is being filled */
	char id[MCP_ID_MAX + 2];	/* the last complete id value */
};

static void idscan_put(struct idscan *s, int c)
{
	if (s->clen <= MCP_ID_MAX)
		s->cur[s->clen++] = (char)c;
	else
		s->capture = false;	/* too long: not kept */
}

static void idscan_end_value(struct idscan *s)
{
	if (s->capture) {
		s->cur[s->clen] = '\0';
		memcpy(s->id, s->cur, s->clen + 1);
	}
	s->capture = false;
	s->st = ID_OTHER;
}

static void idscan_byte(struct idscan *s, int c)
{
	if (s->st == ID_DONE)
		return;
	if (s->in_str) {
		if (s->capture)
			idscan_put(s, c);
		if (s->st == ID_KEY && s->depth == 1 && !s->esc && c != '"') {
			s->key_is_id = (!s->klen || s->key_is_id) && s->klen < 2 &&
				       c == "id"[s->klen];
			s->klen++;
		}
		if (s->esc) {
			s->esc = false;
		} else if (c == '\\') {
			s->esc = true;
		} else if (c == '"') {
			s->in_str = false;
			if (s->st == ID_KEY && s->depth == 1)
				s->st = ID_COLON;
			else if (s->capture)
				idscan_end_value(s);
		}
		return;
	}
	if (s->st == ID_NUMBER) {
		if (c && strchr("0123456789+-.eE", c)) {
			idscan_put(s, c);
			return;
		}
		idscan_end_value(s);
	}
	if (c == ' ' || c == '\t' || c == '\r' || c == '\n')
		return;
	if (s->st == ID_START) {
		s->st = c == '{' ? ID_KEY : ID_DONE;
		s->depth = 1;
		return;
	}
	if (s->depth == 1) {
		if (s->st == ID_KEY && c == '"') {
			s->klen = 0;
			s->key_is_id = false;
		} else if (s->st == ID_COLON && c == ':') {
			s->st = ID_VALUE;
			return;
		} else if (s->st == ID_VALUE && s->key_is_id && s->klen == 2 &&
			   (c == '"' || c == '-' || (c >= '0' && c <= '9'))) {
			s->capture = true;
			s->clen = 0;
			idscan_put(s, c);
			s->st = c == '"' ? ID_OTHER : ID_NUMBER;
		} else if (s->st == ID_VALUE) {
			s->st = ID_OTHER;
		} else if (c == ',') {
			s->st = ID_KEY;
			return;
		}
	}
	if (c == '"') {
		s->in_str = true;
	} else if (c == '{' || c == '[') {
		s->depth++;
	} else if (c == '}' || c == ']') {
		if (!--s->depth)
			s->st = ID_DONE;
	}
}

/* the id found, or NULL: a string or an integer, as JSON-RPC wants */
static struct json_object *idscan_id(const struct idscan *s)
{
	struct json_object *id = s->id[0] ? json_tokener_parse(s->id) : NULL;

	if (id && !json_object_is_type(id, json_type_string) &&
	    !json_object_is_type(id, json_type_int)) {
		json_object_put(id);
		id = NULL;
	}
	return id;
}

/*
 * The next line of in, without its newline, into *buf (grown as needed up
 * to MCP_LINE_MAX + 1 bytes).  Returns its length, -1 at the end of input,
 * or -2 if it was longer than MCP_LINE_MAX or *buf could not grow: the line
 * is then read to its end and dropped, its id left in *ids.
 */
static ssize_t read_line(FILE *in, char **buf, size_t *cap, struct idscan *ids)
{
	size_t len = 0, i;
	bool drop = false;
	int c;

	ids->id[0] = '\0';
	while ((c = getc_unlocked(in)) != EOF && c != '\n') {
		if (drop) {
			idscan_byte(ids, c);
			continue;
		}
		if (len == MCP_LINE_MAX) {
			drop = true;
		} else if (len + 1 >= *cap) {
			size_t ncap = *cap ? *cap * 2 : 65536;
			char *nb;

			if (ncap > MCP_LINE_MAX + 1)
				ncap = MCP_LINE_MAX + 1;
			nb = realloc(*buf, ncap);
			if (nb) {
				*buf = nb;
				*cap = ncap;
			} else {
				drop = true;
			}
		}
		if (drop) {	/* what was kept goes to the scanner first */
			memset(ids, 0, sizeof(*ids));
			for (i = 0; i < len; i++)
				idscan_byte(ids, (unsigned char)(*buf)[i]);
			idscan_byte(ids, c);
			continue;
		}
		(*buf)[len++] = (char)c;
	}
	if (drop)
		return -2;
	if (c == EOF && !len)
		return -1;
	if (!*buf && !(*buf = malloc(*cap = 1)))
		return -2;
	(*buf)[len] = '\0';
	return (ssize_t)len;
}

static const struct ap_opt mcp_opts[] = {
	{ "workspace", 'w', "DIR", NULL, "workspace (default: actplane.yaml or .actplane/ here\n"
				       "or above, else from $CLAUDE_PROJECT_DIR)" },
	{ "policy", 'p', "FILE", NULL, "policy file (default: found from the workspace)" },
	{ "domain", 'd', "NAME", NULL, "domain of a rules:/domains: policy" },
	{ NULL }
};

AP_COMMAND(cmd_mcp, .name = "mcp", .order = 200, .args = "[--workspace DIR]",
	   .help = "MCP server on stdio",
	   .usage = "Usage: actplane mcp [--workspace DIR] [--policy FILE] [--domain NAME]\n"
		    "\n"
		    "Model Context Protocol server on stdin/stdout (MCP 2025-06-18: JSON-RPC 2.0,\n"
		    "one message per line), normally started by the agent (`actplane setup --mcp`).\n"
		    "  resource actplane://policy             the policy and its check diagnostics\n"
		    "  resource actplane://violations/latest  the latest violations and reasons\n"
		    "  tool     check_policy                  check a proposed policy (YAML or DSL)\n",
	   .opts = mcp_opts);

static int cmd_mcp(int argc, char **argv)
{
	struct json_object *id, *err;
	struct idscan ids;
	struct mcp m = { 0 };
	char *line = NULL;
	size_t cap = 0;
	ssize_t n;
	int opt;

	while ((opt = ap_getopt(&cmd_mcp_cmd, argc, argv)) > 0) {
		switch (opt) {
		case 'w': m.ws_opt = optarg; break;
		case 'p': m.policy_opt = optarg; break;
		case 'd': m.domain = optarg; break;
		}
	}
	if (opt < 0)
		return ap_opt_exit(opt);
	if ((opt = ap_no_operands(&cmd_mcp_cmd, argc, argv)))
		return opt;
	/* a client that goes away must end the server, not kill it mid-write */
	signal(SIGPIPE, SIG_IGN);
	while ((n = read_line(stdin, &line, &cap, &ids)) != -1) {
		if (n == -2) {
			char why[96];

			snprintf(why, sizeof(why), "a message is one line of at most %u "
				 "bytes (%u MiB)", MCP_LINE_MAX, MCP_LINE_MAX >> 20);
			id = idscan_id(&ids);
			err = rpc_error(id, RPC_INVALID_REQUEST,
					"Invalid Request: message too large", jstr(why));
			json_object_put(id);
			if (send_msg(err))
				break;
			continue;
		}
		while (n > 0 && line[n - 1] == '\r')
			line[--n] = '\0';
		if (!line[strspn(line, " \t")])
			continue;
		if (strlen(line) != (size_t)n) {	/* embedded NUL */
			if (send_msg(rpc_error(NULL, RPC_PARSE_ERROR, "Parse error",
					       jstr("NUL byte in message"))))
				break;
			continue;
		}
		if (handle_line(&m, line))
			break;
	}
	free(line);
	return 0;
}
