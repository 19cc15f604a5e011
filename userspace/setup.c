// SPDX-License-Identifier: GPL-2.0-only
/*
 * `actplane setup`: wire ActPlane into the agents of a workspace.
 *
 *   .claude/settings.local.json  hooks.PostToolUse and hooks.PostToolUseFailure
 *                                run `actplane feedback-hook` (Claude Code)
 *   .codex/hooks.json            hooks.PostToolUse runs it (Codex)
 *   .mcp.json                    mcpServers.actplane runs `actplane mcp`
 *
 * Existing files are merged, never replaced: other keys, other hooks and
 * other servers stay as they are, and an entry that is already there is not
 * added again (running setup twice changes nothing).  A file that is not
 * valid JSON, or whose "hooks" / "mcpServers" has an unexpected type, is left
 * alone with an error (--force moves an invalid file aside to FILE.bak and
 * starts a new one).  Files are replaced atomically (temp file + rename) and
 * keep their permissions.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <json.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>

#include "cmd.h"
#include "run_helper.h"
#include "violations.h"

#define HOOK_TIMEOUT_S	10
#define JSON_OUT_FLAGS	(JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_SPACED | \
			 JSON_C_TO_STRING_NOSLASHESCAPE)

struct setup_opts {
	bool force;
	const char *ws;		/* workspace directory */
	char *tool;		/* how to invoke actplane (program path) */
	char *hook_cmd;		/* shell command line of the hook */
};

/* ---- JSON files ---------------------------------------------------------- */
static char *slurp(const char *path, size_t *len, int *err)
{
	FILE *f = fopen(path, "re");
	char *buf = NULL;
	size_t cap = 0, n = 0;

	*err = 0;
	if (!f) {
		*err = errno;
		return NULL;
	}
	for (;;) {
		size_t r;

		if (cap - n < 4096) {
			char *nb = realloc(buf, cap = cap ? cap * 2 : 8192);

			if (!nb) {
				*err = ENOMEM;
				break;
			}
			buf = nb;
		}
		r = fread(buf + n, 1, cap - n - 1, f);
		n += r;
		if (r == 0)
			break;
	}
	if (ferror(f) && !*err)
		*err = errno ? errno : EIO;
	fclose(f);
	if (*err) {
		free(buf);
		return NULL;
	}
	buf[n] = '\0';
	*len = n;
	return buf;
}

static void offset_to_linecol(const char *s, size_t off, unsigned *line,
			      unsigned *col)
{
	size_t i;

	*line = 1;
	*col = 1;
	for (i = 0; i < off && s[i]; i++) {
		if (s[i] == '\n') {
			(*line)++;
			*col = 1;
		} else {
			(*col)++;
		}
	}
}

/*
 * Load a JSON object from path.  A missing or blank file is an empty object
 * (*existed tells which).  Returns NULL with a message in why on a parse
 * error or a top level that is not an object.
 */
static struct json_object *load_object(const char *path, bool *existed,
				       char *why, size_t whylen)
{
	struct json_tokener *tok;
	struct json_object *o;
	enum json_tokener_error jerr;
	unsigned line, col;
	size_t len, end;
	char *buf;
	int err;

	*existed = false;
	buf = slurp(path, &len, &err);
	if (!buf) {
		if (err == ENOENT)
			return json_object_new_object();
		snprintf(why, whylen, "cannot read it: %s", strerror(err));
		return NULL;
	}
	*existed = true;
	if (!buf[strspn(buf, " \t\r\n")]) {
		free(buf);
		return json_object_new_object();
	}
	tok = json_tokener_new();
	if (!tok) {
		snprintf(why, whylen, "out of memory");
		free(buf);
		return NULL;
	}
	o = json_tokener_parse_ex(tok, buf, (int)len);
	jerr = json_tokener_get_error(tok);
	end = json_tokener_get_parse_end(tok);
	if (jerr == json_tokener_success && buf[end + strspn(buf + end, " \t\r\n")]) {
		jerr = json_tokener_error_parse_unexpected;
		json_object_put(o);
		o = NULL;
	}
	if (jerr != json_tokener_success) {
		offset_to_linecol(buf, end, &line, &col);
		snprintf(why, whylen, "line %u, column %u: %s", line, col,
			 jerr == json_tokener_continue ? "unexpected end of file" :
			 json_tokener_error_desc(jerr));
		json_object_put(o);
		o = NULL;
	} else if (!json_object_is_type(o, json_type_object)) {
		snprintf(why, whylen, "the top level is a %s, not an object",
			 json_type_to_name(json_object_get_type(o)));
		json_object_put(o);
		o = NULL;
	}
	json_tokener_free(tok);
	free(buf);
	return o;
}

static int mkdir_parent(const char *path)
{
	char dir[PATH_MAX], *slash;

	snprintf(dir, sizeof(dir), "%s", path);
	slash = strrchr(dir, '/');
	if (!slash || slash == dir)
		return 0;
	*slash = '\0';
	if (mkdir(dir, 0755) && errno != EEXIST)
		return -errno;
	return 0;
}

static int save_object(const char *path, struct json_object *o)
{
	const char *js = json_object_to_json_string_ext(o, JSON_OUT_FLAGS);
	char tmp[PATH_MAX];
	struct stat st;
	mode_t mode = 0644;
	size_t len = strlen(js);
	int fd, ret = 0;
	FILE *f;

	if (!stat(path, &st))
		mode = st.st_mode & 07777;
	ret = mkdir_parent(path);
	if (ret)
		return ret;
	if (snprintf(tmp, sizeof(tmp), "%s.tmp.%d", path, (int)getpid()) >=
	    (int)sizeof(tmp))
		return -ENAMETOOLONG;
	fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode);
	if (fd < 0)
		return -errno;
	fchmod(fd, mode);
	f = fdopen(fd, "w");
	if (!f) {
		ret = -errno;
		close(fd);
		unlink(tmp);
		return ret;
	}
	if (fwrite(js, 1, len, f) != len || fputc('\n', f) == EOF)
		ret = -errno ? -errno : -EIO;
	if (fclose(f) && !ret)
		ret = -errno;
	if (!ret && rename(tmp, path))
		ret = -errno;
	if (ret)
		unlink(tmp);
	return ret;
}

/* load, or with --force move an invalid file aside; NULL after an error */
static struct json_object *open_config(const struct setup_opts *o,
				       const char *path, const char *rel)
{
	struct json_object *root;
	char why[256], bak[PATH_MAX];
	bool existed;

	root = load_object(path, &existed, why, sizeof(why));
	if (root)
		return root;
	if (!o->force || !existed) {
		ap_err("setup: %s is not valid JSON (%s); not rewriting it.\n"
		       "hint: fix the file, or pass --force to move it to %s.bak and write a new one",
		       rel, why, rel);
		return NULL;
	}
	snprintf(bak, sizeof(bak), "%s.bak", path);
	if (rename(path, bak)) {
		ap_err("setup: cannot move %s aside: %s", rel, strerror(errno));
		return NULL;
	}
	fprintf(stderr, "actplane: setup: %s was not valid JSON (%s); moved it to %s.bak\n",
		rel, why, rel);
	return json_object_new_object();
}

/* member key of obj as the wanted type, created when absent; NULL if mistyped */
static struct json_object *member(struct json_object *obj, const char *key,
				  enum json_type type, const char *rel,
				  const char *where)
{
	struct json_object *m;

	if (json_object_object_get_ex(obj, key, &m) && m) {
		if (json_object_is_type(m, type))
			return m;
		ap_err("setup: %s: %s\"%s\" has type %s, expected %s; not rewriting it",
		       rel, where, key, json_type_to_name(json_object_get_type(m)),
		       json_type_to_name(type));
		return NULL;
	}
	m = type == json_type_array ? json_object_new_array() :
				      json_object_new_object();
	json_object_object_add(obj, key, m);
	return m;
}

/* ---- hooks ----------------------------------------------------------------- */
static bool is_our_hook(const char *cmd)
{
	return strstr(cmd, "actplane") && strstr(cmd, "feedback-hook");
}

/*
 * Make sure hooks[event] runs the feedback hook.  Returns 1 if something was
 * changed, 0 if it was already there, -1 on a structural problem.
 */
static int ensure_hook(const struct setup_opts *o, struct json_object *hooks,
		       const char *event, const char *rel)
{
	struct json_object *groups, *group, *list, *h;
	char where[64];
	size_t i, j;

	snprintf(where, sizeof(where), "hooks.");
	groups = member(hooks, event, json_type_array, rel, where);
	if (!groups)
		return -1;
	for (i = 0; i < json_object_array_length(groups); i++) {
		struct json_object *g = json_object_array_get_idx(groups, i), *l, *c;

		if (!json_object_is_type(g, json_type_object) ||
		    !json_object_object_get_ex(g, "hooks", &l) ||
		    !json_object_is_type(l, json_type_array))
			continue;
		for (j = 0; j < json_object_array_length(l); j++) {
			struct json_object *e = json_object_array_get_idx(l, j);

			if (!json_object_is_type(e, json_type_object) ||
			    !json_object_object_get_ex(e, "command", &c) ||
			    !json_object_is_type(c, json_type_string) ||
			    !is_our_hook(json_object_get_string(c)))
				continue;
			if (!strcmp(json_object_get_string(c), o->hook_cmd) ||
			    !o->force)
				return 0;
			json_object_object_add(e, "command",
					       json_object_new_string(o->hook_cmd));
			return 1;
		}
	}
	group = json_object_new_object();
	list = json_object_new_array();
	h = json_object_new_object();
	json_object_object_add(h, "type", json_object_new_string("command"));
	json_object_object_add(h, "command", json_object_new_string(o->hook_cmd));
	json_object_object_add(h, "timeout", json_object_new_int(HOOK_TIMEOUT_S));
	json_object_array_add(list, h);
	json_object_object_add(group, "matcher", json_object_new_string("*"));
	json_object_object_add(group, "hooks", list);
	json_object_array_add(groups, group);
	return 1;
}

/* returns 0 unchanged, 1 written, -1 error */
static int setup_hooks(const struct setup_opts *o, const char *rel,
		       const char *const *events, size_t n_events)
{
	struct json_object *root, *hooks;
	char path[PATH_MAX];
	size_t i;
	int changed = 0, r, ret = 0;

	snprintf(path, sizeof(path), "%s/%s", o->ws, rel);
	root = open_config(o, path, rel);
	if (!root)
		return -1;
	hooks = member(root, "hooks", json_type_object, rel, "");
	for (i = 0; hooks && i < n_events; i++) {
		r = ensure_hook(o, hooks, events[i], rel);
		if (r < 0) {
			hooks = NULL;
			break;
		}
		changed |= r;
	}
	if (!hooks) {
		ret = -1;
	} else if (!changed) {
		printf("%s: the ActPlane feedback hook is already set up\n", rel);
	} else if ((r = save_object(path, root))) {
		ap_err("setup: cannot write %s: %s", rel, strerror(-r));
		ret = -1;
	} else {
		printf("%s: ", rel);
		for (i = 0; i < n_events; i++)
			printf("%s%s", i ? (i + 1 == n_events ? " and " : ", ") : "",
			       events[i]);
		printf(" hook%s run%s `%s`\n", n_events == 1 ? "" : "s",
		       n_events == 1 ? "s" : "", o->hook_cmd);
		ret = 1;
	}
	json_object_put(root);
	return ret;
}

/* ---- MCP -------------------------------------------------------------------- */
static int setup_mcp(const struct setup_opts *o)
{
	static const char rel[] = ".mcp.json";
	struct json_object *root, *servers, *cur, *srv, *args, *c, *a;
	char path[PATH_MAX];
	int ret = 0, r;
	bool same = false;

	snprintf(path, sizeof(path), "%s/%s", o->ws, rel);
	root = open_config(o, path, rel);
	if (!root)
		return 1;
	servers = member(root, "mcpServers", json_type_object, rel, "");
	if (!servers) {
		json_object_put(root);
		return 1;
	}
	if (json_object_object_get_ex(servers, "actplane", &cur)) {
		same = json_object_is_type(cur, json_type_object) &&
		       json_object_object_get_ex(cur, "command", &c) &&
		       json_object_is_type(c, json_type_string) &&
		       !strcmp(json_object_get_string(c), o->tool) &&
		       json_object_object_get_ex(cur, "args", &a) &&
		       json_object_is_type(a, json_type_array) &&
		       json_object_array_length(a) >= 1 &&
		       !strcmp(json_object_get_string(json_object_array_get_idx(a, 0)), "mcp");
		if (same || !o->force) {
			if (same)
				printf("%s: the actplane MCP server is already registered\n", rel);
			else
				printf("%s: keeping the existing \"actplane\" server entry "
				       "(it differs; --force replaces it)\n", rel);
			json_object_put(root);
			return 0;
		}
	}
	srv = json_object_new_object();
	args = json_object_new_array();
	json_object_array_add(args, json_object_new_string("mcp"));
	json_object_object_add(srv, "type", json_object_new_string("stdio"));
	json_object_object_add(srv, "command", json_object_new_string(o->tool));
	json_object_object_add(srv, "args", args);
	json_object_object_add(servers, "actplane", srv);
	r = save_object(path, root);
	if (r) {
		ap_err("setup: cannot write %s: %s", rel, strerror(-r));
		ret = 1;
	} else {
		printf("%s: MCP server \"actplane\" runs `%s mcp`\n", rel, o->tool);
	}
	json_object_put(root);
	return ret;
}

/* ---- how the agent should invoke us ------------------------------------------ */
static bool same_file(const char *a, const char *b)
{
	struct stat sa, sb;

	return !stat(a, &sa) && !stat(b, &sb) && sa.st_dev == sb.st_dev &&
	       sa.st_ino == sb.st_ino;
}

/* "actplane" when PATH finds this very program, else its absolute path */
static char *tool_path(void)
{
	char self[PATH_MAX], cand[PATH_MAX];
	const char *path = getenv("PATH");
	ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);

	if (n <= 0)
		return strdup("actplane");
	self[n] = '\0';
	while (path && *path) {
		size_t len = strcspn(path, ":");

		if (len && snprintf(cand, sizeof(cand), "%.*s/actplane", (int)len,
				    path) < (int)sizeof(cand) &&
		    !access(cand, X_OK))
			return strdup(same_file(cand, self) ? "actplane" : self);
		path += len + (path[len] == ':');
	}
	return strdup(self);
}

/* shell-quote a program path for the hook's command line */
static char *shell_word(const char *s)
{
	size_t n = 3, i;
	char *out, *p;

	if (!s[strcspn(s, " \t\n'\"\\$`*?[]{}()<>|&;#~!")])
		return strdup(s);
	for (i = 0; s[i]; i++)
		n += s[i] == '\'' ? 4 : 1;
	out = p = malloc(n);
	if (!out)
		return NULL;
	*p++ = '\'';
	for (i = 0; s[i]; i++) {
		if (s[i] == '\'') {
			memcpy(p, "'\\''", 4);
			p += 4;
		} else {
			*p++ = s[i];
		}
	}
	*p++ = '\'';
	*p = '\0';
	return out;
}

/*
 * Root never writes in a user's workspace (its links could point anywhere):
 * under sudo, setup becomes the invoking user before it touches a file.
 */
static int drop_root(void)
{
	struct ap_invoker who;

	ap_invoker_from_env(&who);
	if (ap_invoker_drop(&who, true)) {
		ap_err("setup: cannot become uid %u: %s", (unsigned int)who.uid, strerror(errno));
		return -1;
	}
	return 0;
}

/* still root (not through sudo): only in a workspace root owns */
static int root_in_users_workspace(const char *ws)
{
	struct stat st;

	if (geteuid() != 0 || stat(ws, &st) || st.st_uid == 0)
		return 0;
	ap_err("setup: refusing to write as root in %s, which belongs to uid %u;\n"
	       "  run `actplane setup` as that user (or through sudo, which drops to you)",
	       ws, (unsigned int)st.st_uid);
	return -1;
}

int cmd_setup(int argc, char **argv)
{
	static const struct option lo[] = {
		{ "claude", no_argument, NULL, 'c' },
		{ "codex", no_argument, NULL, 'x' },
		{ "mcp", no_argument, NULL, 'm' },
		{ "force", no_argument, NULL, 'f' },
		{ "workspace", required_argument, NULL, 'w' },
		{ "command", required_argument, NULL, 'C' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 }
	};
	static const char help[] =
		"Usage: actplane setup [--claude] [--codex] [--mcp] [--force]\n"
		"                      [--workspace DIR] [--command PROGRAM]\n"
		"\n"
		"Wire ActPlane into the agents of this workspace (all three without options):\n"
		"  --claude   .claude/settings.local.json: PostToolUse and PostToolUseFailure\n"
		"             hooks run `actplane feedback-hook` (Claude Code)\n"
		"  --codex    .codex/hooks.json: a PostToolUse hook runs it (Codex)\n"
		"  --mcp      .mcp.json: registers the `actplane mcp` server\n"
		"\n"
		"Existing files are merged: other settings, hooks and servers are kept and\n"
		"running setup again adds nothing.  Invalid JSON is never rewritten.\n"
		"\n"
		"  -f, --force           move an invalid file to FILE.bak and start a new one;\n"
		"                        update an existing ActPlane entry that differs\n"
		"  -w, --workspace DIR   workspace (default: the directory with actplane.yaml\n"
		"                        or .actplane/ here or above, else this directory)\n"
		"  -C, --command PROGRAM how the agents run actplane (default: `actplane` if\n"
		"                        PATH finds this program, else its absolute path)\n"
		"  -h, --help            this help\n";
	struct setup_opts o = { 0 };
	static const char *const claude_events[] = { "PostToolUse", "PostToolUseFailure" };
	static const char *const codex_events[] = { "PostToolUse" };
	bool claude = false, codex = false, mcp = false;
	const char *command = NULL;
	char wsbuf[PATH_MAX], *word;
	int opt, ret = 0, r = 0;

	optind = 0;
	opterr = 0;
	while ((opt = getopt_long(argc, argv, ":cxmfw:C:h", lo, NULL)) != -1) {
		switch (opt) {
		case 'c': claude = true; break;
		case 'x': codex = true; break;
		case 'm': mcp = true; break;
		case 'f': o.force = true; break;
		case 'w': o.ws = optarg; break;
		case 'C': command = optarg; break;
		case 'h':
			fputs(help, stdout);
			return 0;
		case ':':
			ap_err("setup: option '%s' needs an argument", argv[optind - 1]);
			return 2;
		default:
			ap_err("setup: unknown option '%s'\nTry 'actplane setup --help'.",
			       argv[optind - 1]);
			return 2;
		}
	}
	if (optind < argc) {
		ap_err("setup: unexpected argument '%s'\nTry 'actplane setup --help'.",
		       argv[optind]);
		return 2;
	}
	if (!claude && !codex && !mcp)
		claude = codex = mcp = true;
	if (drop_root())
		return 1;
	if (!o.ws) {
		if (!ap_workspace_find(NULL, wsbuf, sizeof(wsbuf))) {
			o.ws = wsbuf;
		} else if (getcwd(wsbuf, sizeof(wsbuf))) {
			o.ws = wsbuf;
			fprintf(stderr, "actplane: setup: no actplane.yaml here or above; "
				"setting up %s (create a policy with `actplane init`)\n", wsbuf);
		} else {
			ap_err("setup: cannot determine the working directory: %s",
			       strerror(errno));
			return 1;
		}
	}
	if (root_in_users_workspace(o.ws))
		return 1;
	o.tool = command ? strdup(command) : tool_path();
	word = o.tool ? shell_word(o.tool) : NULL;
	if (!word || asprintf(&o.hook_cmd, "%s feedback-hook", word) < 0) {
		ap_err("setup: out of memory");
		free(word);
		free(o.tool);
		return 1;
	}
	free(word);

	if (claude && setup_hooks(&o, ".claude/settings.local.json", claude_events, 2) < 0)
		ret = 1;
	if (codex && (r = setup_hooks(&o, ".codex/hooks.json", codex_events, 1)) < 0)
		ret = 1;
	if (codex && r > 0) {
		printf("hint: Codex runs project hooks when its hooks feature is on (the default in\n"
		       "      current versions; older ones need `[features] codex_hooks = true` in\n"
		       "      ~/.codex/config.toml).  Codex keeps MCP servers in config.toml:\n"
		       "      `codex mcp add actplane -- %s mcp`\n", o.tool);
	}
	if (mcp)
		ret |= setup_mcp(&o);
	free(o.tool);
	free(o.hook_cmd);
	return ret ? 1 : 0;
}
