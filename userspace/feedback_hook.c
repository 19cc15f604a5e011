// SPDX-License-Identifier: GPL-2.0-only
/*
 * `actplane feedback-hook`: tell the agent about violations through its own
 * hook protocol.  Claude Code (PostToolUse, PostToolUseFailure, and the
 * other events that take additional context) and Codex (PostToolUse) run it
 * after each tool call with the event as JSON on stdin; when violations were
 * appended to .actplane/violations.jsonl since the last delivery, it answers
 *
 *   {"hookSpecificOutput": {"hookEventName": EVENT,
 *                           "additionalContext": TEXT},
 *    "systemMessage": SUMMARY}
 *
 * which both agents add to the model's context for its next turn, and records
 * how far it delivered in .actplane/feedback-offset.  Otherwise it prints
 * nothing.  It never fails the agent's tool call: every error is a message
 * on stderr and exit status 0.
 *
 * The input is bounded (HOOK_INPUT_MAX): a larger event is drained, reported
 * on stderr and answered with nothing, so its violations wait for the next
 * event.  Every field of the violation records (read from a file in the
 * agent's workspace) and of the event reaches TEXT, SUMMARY and stderr
 * escaped as escape.h describes; json-c then escapes the JSON.
 */
#include <errno.h>
#include <stdarg.h>
#include <getopt.h>
#include <json.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>

#include "cmd.h"
#include "escape.h"
#include "violations.h"

#define HOOK_INPUT_MAX	(4u << 20)	/* an event with a large tool response */
#define HOOK_SHOW_MAX	10		/* violations spelled out per answer */

/* events whose JSON answer may carry hookSpecificOutput.additionalContext */
static const char *const context_events[] = {
	"PostToolUse", "PostToolUseFailure", "PreToolUse", "UserPromptSubmit",
	"SessionStart",
};

static void hook_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void hook_warn(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "actplane feedback-hook: ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

/*
 * The whole of stdin, NULL if unreadable.  *too_big is set when it holds
 * more than HOOK_INPUT_MAX bytes: what is beyond is read and dropped (the
 * agent must not block writing it), the buffer never grows past the limit.
 */
static char *read_stdin(size_t *len, bool *too_big)
{
	size_t cap = 65536, n = 0;
	char *buf = malloc(cap + 1), sink[65536];

	*too_big = false;
	if (!buf)
		return NULL;
	for (;;) {
		ssize_t r;

		if (n == cap && cap < HOOK_INPUT_MAX) {
			size_t ncap = cap * 2 < HOOK_INPUT_MAX ? cap * 2 : HOOK_INPUT_MAX;
			char *nb = realloc(buf, ncap + 1);

			if (!nb)
				break;
			buf = nb;
			cap = ncap;
		}
		r = n < cap ? read(STDIN_FILENO, buf + n, cap - n) :
			      read(STDIN_FILENO, sink, sizeof(sink));
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		if (n < cap)
			n += (size_t)r;
		else
			*too_big = true;
	}
	buf[n] = '\0';
	*len = n;
	return buf;
}

/* a warning about a workspace file: "cannot use "PATH": why" */
static void hook_warn_file(const char *what, const char *ws, const char *name,
			   int err)
{
	fprintf(stderr, "actplane feedback-hook: %s ", what);
	ap_state_path_put(stderr, ws, name);
	fprintf(stderr, ": %s\n", strerror(err));
}

struct collect {
	struct json_object *all;	/* array of the new records */
};

static int collect_one(const struct ap_violation *v, struct json_object *o,
		       void *ctx)
{
	struct collect *c = ctx;

	json_object_array_add(c->all, json_object_get(o));
	return 0;
}

static char *context_text(struct json_object *all, const char *workspace,
			  char **summary)
{
	size_t n = json_object_array_length(all), first, i;
	char *text = NULL, *sum = NULL;
	size_t len = 0, slen = 0;
	FILE *f = open_memstream(&text, &len);
	FILE *s = open_memstream(&sum, &slen);

	if (!f || !s) {
		if (f)
			fclose(f);
		if (s)
			fclose(s);
		free(text);
		free(sum);
		return NULL;
	}
	first = n > HOOK_SHOW_MAX ? n - HOOK_SHOW_MAX : 0;
	fprintf(f, "ActPlane, the OS-level policy engine this session runs under, "
		"reported %zu policy violation%s since your previous tool call. "
		"Read the reason given for each and adjust your plan.\n",
		n, n == 1 ? "" : "s");
	if (first) {
		fprintf(f, "The %zu oldest are not repeated here; all of them are in ",
			first);
		ap_state_path_put(f, workspace, AP_VIOLATIONS_FILE);
		fputs(".\n", f);
	}
	fprintf(s, "ActPlane: told the agent about %zu policy violation%s (rule",
		n, n == 1 ? "" : "s");
	for (i = first; i < n; i++) {
		struct ap_violation v;

		ap_violation_from_json(json_object_array_get_idx(all, i), &v);
		fprintf(f, "\n[%zu of %zu] ", i + 1, n);
		ap_violation_format_feedback(&v, f);
		fputs(i == first ? " " : ", ", s);
		ap_esc_quoted(s, v.rule && *v.rule ? v.rule : "?");
		ap_violation_release(&v);
	}
	fprintf(s, ")");
	if (fclose(f) | fclose(s)) {
		free(text);
		free(sum);
		return NULL;
	}
	*summary = sum;
	return text;
}

static const char *find_workspace(const char *opt, const char *cwd, char *buf,
				  size_t len)
{
	const char *env = getenv("CLAUDE_PROJECT_DIR");

	if (opt)
		return opt;
	if (cwd && !ap_workspace_find(cwd, buf, len))
		return buf;
	if (env && *env && !ap_workspace_find(env, buf, len))
		return buf;
	if (!ap_workspace_find(NULL, buf, len))
		return buf;
	return NULL;
}

static const struct ap_opt feedback_hook_opts[] = {
	{ "workspace", 'w', "DIR", NULL, "use DIR instead of searching from the event's cwd" },
	{ NULL }
};

/* AP_CMD_LENIENT: a broken hook entry must not break the agent either */
AP_COMMAND(cmd_feedback_hook, .name = "feedback-hook", .order = 190, .flags = AP_CMD_LENIENT,
	   .args = "< HOOK-JSON", .help = "agent hook: report new violations",
	   .usage = "Usage: actplane feedback-hook [--workspace DIR]\n"
		    "\n"
		    "Agent hook (Claude Code PostToolUse/PostToolUseFailure, Codex PostToolUse):\n"
		    "reads the hook event as JSON on stdin and, if ActPlane recorded violations\n"
		    "since the last delivery, prints the hook answer that adds them to the\n"
		    "agent's context:\n"
		    "  {\"hookSpecificOutput\": {\"hookEventName\": EVENT, \"additionalContext\": TEXT},\n"
		    "   \"systemMessage\": SUMMARY}\n"
		    "Otherwise it prints nothing.  The workspace is found by walking up from the\n"
		    "event's \"cwd\" to actplane.yaml or .actplane/.  Always exits 0: problems are\n"
		    "reported on stderr and never fail the agent's tool call.\n"
		    "`actplane setup` installs it.  See docs/agent-integration.md.\n",
	   .opts = feedback_hook_opts);

static int cmd_feedback_hook(int argc, char **argv)
{
	struct json_object *in = NULL, *f, *out, *hso;
	const char *event = "PostToolUse", *cwd = NULL, *ws_opt = NULL, *ws;
	char wsbuf[PATH_MAX], jsonl[PATH_MAX], *input = NULL, *text, *summary = NULL;
	struct stat st;
	struct ap_jsonl_pos pos, before;
	struct collect c;
	size_t len = 0, i;
	bool known = false, too_big = false;
	int opt, fd, n;

	while ((opt = ap_getopt(&cmd_feedback_hook_cmd, argc, argv)) > 0)
		ws_opt = optarg;
	if (opt == AP_OPT_HELP)
		return 0;

	if (!isatty(STDIN_FILENO))
		input = read_stdin(&len, &too_big);
	if (too_big) {
		/* event and cwd unknown: keep the violations for the next event */
		hook_warn("hook input is larger than %u MiB; nothing delivered "
			  "(the violations wait for the next event)",
			  HOOK_INPUT_MAX >> 20);
		goto out;
	}
	if (input && len) {
		enum json_tokener_error jerr;

		in = json_tokener_parse_verbose(input, &jerr);
		if (!in || !json_object_is_type(in, json_type_object)) {
			hook_warn("hook input is not a JSON object (%s); using the working directory",
				  in ? "wrong type" : json_tokener_error_desc(jerr));
			json_object_put(in);
			in = NULL;
		}
	}
	if (in && json_object_object_get_ex(in, "hook_event_name", &f) &&
	    json_object_is_type(f, json_type_string))
		event = json_object_get_string(f);
	if (in && json_object_object_get_ex(in, "cwd", &f) &&
	    json_object_is_type(f, json_type_string))
		cwd = json_object_get_string(f);
	for (i = 0; i < sizeof(context_events) / sizeof(context_events[0]); i++)
		known |= !strcmp(event, context_events[i]);
	if (!known) {
		/* leave the violations for an event that can carry them */
		fputs("actplane feedback-hook: event ", stderr);
		ap_esc_quoted(stderr, event);
		fputs(" cannot carry additional context; nothing delivered\n", stderr);
		goto out;
	}

	ws = find_workspace(ws_opt, cwd, wsbuf, sizeof(wsbuf));
	if (!ws)
		goto out;	/* not an ActPlane workspace: nothing to say */
	if (ap_state_path(ws, AP_VIOLATIONS_FILE, jsonl, sizeof(jsonl)) ||
	    (stat(jsonl, &st) && errno == ENOENT))
		goto out;	/* nothing recorded yet: leave the workspace as it is */
	fd = ap_feedback_begin(ws, &pos);
	if (fd < 0) {
		hook_warn_file("cannot use", ws, AP_FEEDBACK_STATE_FILE, -fd);
		goto out;
	}
	before = pos;
	c.all = json_object_new_array();
	n = ap_violations_read_since(ws, &pos, collect_one, &c);
	if (n < 0) {
		hook_warn_file("cannot read", ws, AP_VIOLATIONS_FILE, -n);
	} else if (n == 0) {
		if (pos.offset != before.offset || pos.ino != before.ino)
			ap_feedback_commit(fd, &pos);
	} else if (!(text = context_text(c.all, ws, &summary))) {
		hook_warn("out of memory");
	} else {
		out = json_object_new_object();
		hso = json_object_new_object();
		json_object_object_add(hso, "hookEventName",
				       json_object_new_string(event));
		json_object_object_add(hso, "additionalContext",
				       json_object_new_string(text));
		json_object_object_add(out, "hookSpecificOutput", hso);
		json_object_object_add(out, "systemMessage",
				       json_object_new_string(summary));
		printf("%s\n", json_object_to_json_string_ext(out,
			JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE));
		/* only what reached the agent counts as delivered */
		if (fflush(stdout) || ferror(stdout))
			hook_warn("cannot write the answer: %s", strerror(errno));
		else if ((n = ap_feedback_commit(fd, &pos)))
			hook_warn("cannot record the delivery: %s", strerror(-n));
		json_object_put(out);
		free(text);
		free(summary);
	}
	json_object_put(c.all);
	ap_feedback_end(fd);
out:
	json_object_put(in);
	free(input);
	return 0;
}
