// SPDX-License-Identifier: GPL-2.0-only
/*
 * `actplane setup`: wire ActPlane into the agents of a workspace, or of the
 * user (--user), and undo it (--remove).
 *
 *   workspace                          --user (in $HOME)
 *   .claude/settings.local.json        .claude/settings.json      hooks.PostToolUse and
 *                                                                  hooks.PostToolUseFailure
 *                                                                  run `actplane feedback-hook`
 *   .codex/hooks.json (shared)         .codex/hooks.json          hooks.PostToolUse runs it
 *   .mcp.json (shared)                 .claude.json               mcpServers.actplane runs
 *                                                                  `actplane mcp`
 *
 * Existing files are merged, never replaced: other keys, other hooks and
 * other servers stay as they are, and an entry that is already there is not
 * added again (running setup twice changes nothing).  Every file is read
 * first and parsed as strict JSON (no comments, no trailing commas); if one
 * cannot be parsed, or its "hooks" / "mcpServers" has an unexpected type,
 * setup stops before it writes anything, naming the file, line and column
 * (--force moves an invalid file to FILE.actplane-bak and starts a new one).
 *
 * A file setup changes is first copied to FILE.actplane-bak (an existing
 * backup is kept: it holds the file as it was before setup first changed
 * it).  What setup added is recorded in .actplane/setup.json (--user:
 * ~/.local/state/actplane/setup.json) so that --remove takes out exactly
 * that: its entries, the directories and files it created, its .gitignore
 * lines; a file whose remaining content equals its backup gets the backup's
 * bytes back.  In a workspace, the per-user files (the local settings, the
 * record, backups, ActPlane's state files) are added to .gitignore.
 *
 * Team-shared files (.mcp.json, .codex/hooks.json) name the plain command
 * `actplane`, never a path into somebody's build tree; per-user files name
 * `actplane` when PATH finds this very program, else its absolute path.
 *
 * Root never writes here: under sudo setup becomes the invoking user first,
 * and plain root refuses a directory another user owns.  Every file is
 * opened beneath the workspace (or home) directory with no symlink followed
 * (ap_open_beneath); files are replaced atomically (a new temporary file
 * renamed over them) and keep their permissions.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <json.h>
#include <limits.h>
#include <pwd.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>

#include "args.h"
#include "cmd.h"
#include "escape.h"
#include "fileio.h"
#include "run_helper.h"
#include "violations.h"

#define HOOK_TIMEOUT_S	10
#define MAX_FILE_SIZE	(64u << 20)
#define BACKUP_SUFFIX	".actplane-bak"
#define WS_RECORD	".actplane/setup.json"
#define USER_RECORD	".local/state/actplane/setup.json"
#define JSON_OUT_FLAGS	(JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_SPACED | \
			 JSON_C_TO_STRING_NOSLASHESCAPE)

enum agent { CLAUDE = 1, CODEX = 2, MCP = 4 };

/* one settings file setup manages */
struct target {
	enum agent agent;
	const char *rel;		/* beneath the base directory */
	bool shared;			/* team-shared: plain `actplane` */
	const char *const *events;	/* hook events; NULL: the MCP server entry */
	size_t n_events;
	/* filled while setting up */
	char *orig;			/* the file's bytes (NULL: it does not exist) */
	size_t orig_len;
	mode_t mode;
	struct json_object *root;
	bool invalid;			/* --force: not JSON, backed up and replaced */
	bool changed;
};

struct setup_opts {
	bool force, user, remove;
	const char *base;	/* workspace, or home with --user */
	int basefd;
	const char *record;	/* the record of what setup did, beneath base */
	char *tool_user;	/* how per-user files run actplane */
	char *tool_shared;	/* how team-shared files run it */
	char *hook_user, *hook_shared;	/* the hook's shell command lines */
	struct json_object *rec;	/* the record */
	bool rec_changed;
};

static const char *const claude_events[] = { "PostToolUse", "PostToolUseFailure" };
static const char *const codex_events[] = { "PostToolUse" };

/* the per-user files of a workspace: kept out of git */
static const char *const gitignore_lines[] = {
	"# actplane setup: per-user files",
	".claude/settings.local.json",
	WS_RECORD,
	".actplane/violations.jsonl",
	".actplane/last-violation.txt",
	".actplane/feedback-offset",
	"*" BACKUP_SUFFIX,
};

/* ---- files beneath the base directory (no link followed) ------------------- */
static const char *why(int err)
{
	return err == -ELOOP ? "it is a symbolic link (setup follows none)" :
	       err == -EINVAL ? "it is not a regular file" : strerror(-err);
}

/* the directory of rel, opened beneath base; *name: the last component */
static int open_parent(int base, const char *rel, const char **name)
{
	const char *slash = strrchr(rel, '/');
	char dir[PATH_MAX];

	int fd;

	if (!slash) {
		*name = rel;
		fd = fcntl(base, F_DUPFD_CLOEXEC, 0);
		return fd < 0 ? -errno : fd;
	}
	*name = slash + 1;
	snprintf(dir, sizeof(dir), "%.*s", (int)(slash - rel), rel);
	return ap_open_beneath(base, dir, O_RDONLY | O_DIRECTORY, 0);
}

/* the whole file in *buf (NUL-terminated); 0, -ENOENT or -errno */
static int read_beneath(int base, const char *rel, char **buf, size_t *len, mode_t *mode)
{
	struct stat st;
	size_t n = 0;
	char *b;
	int fd = ap_open_beneath(base, rel, O_RDONLY | O_NONBLOCK, 0);

	if (fd < 0)
		return fd;
	if (fstat(fd, &st)) {
		int err = -errno;

		close(fd);
		return err;
	}
	if (!S_ISREG(st.st_mode) || st.st_size > MAX_FILE_SIZE) {
		close(fd);
		return S_ISREG(st.st_mode) ? -EFBIG : -EINVAL;
	}
	b = malloc((size_t)st.st_size + 1);
	if (!b) {
		close(fd);
		return -ENOMEM;
	}
	while (n < (size_t)st.st_size) {
		ssize_t r = read(fd, b + n, (size_t)st.st_size - n);

		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		n += (size_t)r;
	}
	close(fd);
	b[n] = '\0';
	*buf = b;
	*len = n;
	if (mode)
		*mode = st.st_mode & 07777;
	return 0;
}

/* replace rel with text: a new temporary file renamed over it, keeping mode */
static int write_beneath(int base, const char *rel, const char *text, size_t len, mode_t mode)
{
	return ap_write_replace(base, rel, text, len, mode, AP_WRITE_BENEATH | AP_WRITE_EXACT_MODE);
}

/* FILE.actplane-bak with these bytes, unless one exists: 1 written, 0 kept, -errno */
static int backup_beneath(int base, const char *rel, const char *text, size_t len, mode_t mode)
{
	char bak[PATH_MAX];
	int fd, ret;

	if (snprintf(bak, sizeof(bak), "%s%s", rel, BACKUP_SUFFIX) >= (int)sizeof(bak))
		return -ENAMETOOLONG;
	fd = ap_open_beneath(base, bak, O_WRONLY | O_CREAT | O_EXCL, mode);
	if (fd == -EEXIST)
		return 0;
	if (fd < 0)
		return fd;
	ret = ap_write_all(fd, text, len);
	if (close(fd) && !ret)
		ret = -errno;
	if (ret) {
		const char *name;
		int dfd = open_parent(base, bak, &name);

		if (dfd >= 0) {
			unlinkat(dfd, name, 0);
			close(dfd);
		}
	}
	return ret ? ret : 1;
}

/* unlink (flags 0) or rmdir (AT_REMOVEDIR) beneath base */
static int unlink_beneath(int base, const char *rel, int flags)
{
	const char *name;
	int dfd = open_parent(base, rel, &name), ret;

	if (dfd < 0)
		return dfd;
	ret = unlinkat(dfd, name, flags) ? -errno : 0;
	close(dfd);
	return ret;
}

static int restore_backup(int base, const char *rel)
{
	char bak[NAME_MAX + 1];
	const char *name;
	int dfd = open_parent(base, rel, &name), ret;

	if (dfd < 0)
		return dfd;
	snprintf(bak, sizeof(bak), "%s%s", name, BACKUP_SUFFIX);
	ret = renameat(dfd, bak, dfd, name) ? -errno : 0;
	close(dfd);
	return ret;
}

/* ---- the record of what setup did ---------------------------------------------- */
static struct json_object *obj_member(struct json_object *o, const char *key,
				      enum json_type type)
{
	struct json_object *m;

	if (json_object_object_get_ex(o, key, &m) && json_object_is_type(m, type))
		return m;
	m = type == json_type_array ? json_object_new_array() : json_object_new_object();
	json_object_object_add(o, key, m);
	return m;
}

static const char *str_member(struct json_object *o, const char *key)
{
	struct json_object *m;

	return json_object_object_get_ex(o, key, &m) && json_object_is_type(m, json_type_string) ?
	       json_object_get_string(m) : NULL;
}

static bool bool_member(struct json_object *o, const char *key)
{
	struct json_object *m;

	return json_object_object_get_ex(o, key, &m) && json_object_get_boolean(m);
}

/* the record's entry for a file, created as the file is first changed */
static struct json_object *rec_file(struct setup_opts *o, const char *rel, bool created)
{
	struct json_object *files = obj_member(o->rec, "files", json_type_object), *f;

	o->rec_changed = true;
	if (json_object_object_get_ex(files, rel, &f) && json_object_is_type(f, json_type_object))
		return f;
	f = json_object_new_object();
	json_object_object_add(f, "created", json_object_new_boolean(created));
	json_object_object_add(files, rel, f);
	return f;
}

static void rec_dir(struct setup_opts *o, const char *dir)
{
	struct json_object *dirs = obj_member(o->rec, "dirs", json_type_array);
	size_t i;

	for (i = 0; i < json_object_array_length(dirs); i++)
		if (!strcmp(json_object_get_string(json_object_array_get_idx(dirs, i)), dir))
			return;
	json_object_array_add(dirs, json_object_new_string(dir));
	o->rec_changed = true;
}

/* the directories of rel, made where missing (and recorded) */
static int make_parents(struct setup_opts *o, const char *rel)
{
	char dir[PATH_MAX];
	const char *p;
	int fd;

	for (p = strchr(rel, '/'); p; p = strchr(p + 1, '/')) {
		snprintf(dir, sizeof(dir), "%.*s", (int)(p - rel), rel);
		fd = ap_open_beneath(o->basefd, dir, O_RDONLY | O_DIRECTORY, 0);
		if (fd >= 0) {
			close(fd);
			continue;
		}
		if (fd != -ENOENT)
			return fd;
		fd = ap_mkdir_beneath(o->basefd, dir, 0755);
		if (fd)
			return fd;
		rec_dir(o, dir);
	}
	return 0;
}

/* ---- JSON ------------------------------------------------------------------------ */
static void offset_to_linecol(const char *s, size_t off, unsigned *line, unsigned *col)
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
 * Parse buf as strict JSON with an object at the top (blank: an empty
 * object).  NULL with the reason in whybuf otherwise.
 */
static struct json_object *parse_strict(const char *buf, size_t len, char *whybuf,
					size_t whylen)
{
	struct json_tokener *tok;
	struct json_object *o;
	enum json_tokener_error jerr;
	unsigned line, col;
	size_t end;

	if (!buf[strspn(buf, " \t\r\n")])
		return json_object_new_object();
	if (strlen(buf) != len) {
		offset_to_linecol(buf, strlen(buf), &line, &col);
		snprintf(whybuf, whylen, "line %u, column %u: a NUL byte", line, col);
		return NULL;
	}
	tok = json_tokener_new();
	if (!tok) {
		snprintf(whybuf, whylen, "out of memory");
		return NULL;
	}
	/* strict: comments, trailing commas, single quotes are errors */
	json_tokener_set_flags(tok, JSON_TOKENER_STRICT);
	o = json_tokener_parse_ex(tok, buf, (int)len);
	jerr = json_tokener_get_error(tok);
	end = json_tokener_get_parse_end(tok);
	if (jerr == json_tokener_success && buf[end + strspn(buf + end, " \t\r\n")]) {
		end += strspn(buf + end, " \t\r\n");
		jerr = json_tokener_error_parse_unexpected;
		json_object_put(o);
		o = NULL;
	}
	if (jerr != json_tokener_success) {
		offset_to_linecol(buf, end, &line, &col);
		snprintf(whybuf, whylen, "line %u, column %u: %s", line, col,
			 jerr == json_tokener_continue ? "unexpected end of file" :
			 json_tokener_error_desc(jerr));
		json_object_put(o);
		o = NULL;
	} else if (!json_object_is_type(o, json_type_object)) {
		snprintf(whybuf, whylen, "line 1: the top level is a %s, not an object",
			 json_type_to_name(json_object_get_type(o)));
		json_object_put(o);
		o = NULL;
	}
	json_tokener_free(tok);
	return o;
}

static int save_json(int base, const char *rel, struct json_object *root, mode_t mode)
{
	const char *js = json_object_to_json_string_ext(root, JSON_OUT_FLAGS);
	size_t len = strlen(js);
	char *text = malloc(len + 2);
	int ret;

	if (!text)
		return -ENOMEM;
	memcpy(text, js, len);
	text[len++] = '\n';
	ret = write_beneath(base, rel, text, len, mode);
	free(text);
	return ret;
}

/* member key of obj with the wanted type (NULL: absent); -1 if mistyped */
static int typed_member(struct json_object *obj, const char *key, enum json_type type,
			const char *rel, const char *where, struct json_object **out)
{
	struct json_object *m;

	*out = NULL;
	if (!json_object_object_get_ex(obj, key, &m) || !m)
		return 0;
	if (json_object_is_type(m, type)) {
		*out = m;
		return 0;
	}
	ap_err("setup: %s: %s\"%s\" has type %s, expected %s; not rewriting it",
	       rel, where, key, json_type_to_name(json_object_get_type(m)),
	       json_type_to_name(type));
	return -1;
}

/* ---- hooks -------------------------------------------------------------------------- */
static bool is_our_hook(const char *cmd)
{
	return strstr(cmd, "actplane") && strstr(cmd, "feedback-hook");
}

/* the handler object in hooks[event] whose command satisfies match(cmd, arg) */
static struct json_object *find_hook(struct json_object *groups,
				     bool (*match)(const char *, const char *), const char *arg,
				     size_t *gi, size_t *hi)
{
	size_t i, j;

	for (i = 0; groups && i < json_object_array_length(groups); i++) {
		struct json_object *g = json_object_array_get_idx(groups, i), *l, *c;

		if (!json_object_is_type(g, json_type_object) ||
		    !json_object_object_get_ex(g, "hooks", &l) ||
		    !json_object_is_type(l, json_type_array))
			continue;
		for (j = 0; j < json_object_array_length(l); j++) {
			struct json_object *e = json_object_array_get_idx(l, j);

			if (json_object_is_type(e, json_type_object) &&
			    json_object_object_get_ex(e, "command", &c) &&
			    json_object_is_type(c, json_type_string) &&
			    match(json_object_get_string(c), arg)) {
				if (gi)
					*gi = i;
				if (hi)
					*hi = j;
				return e;
			}
		}
	}
	return NULL;
}

static bool match_ours(const char *cmd, const char *unused)
{
	return is_our_hook(cmd);
}

static bool match_exact(const char *cmd, const char *want)
{
	return !strcmp(cmd, want);
}

/* the record's hook entry for event with this command, or NULL */
static struct json_object *rec_hook(struct json_object *f, const char *event, const char *cmd)
{
	struct json_object *hooks, *h;
	size_t i;

	if (!f || !json_object_object_get_ex(f, "hooks", &hooks) ||
	    !json_object_is_type(hooks, json_type_array))
		return NULL;
	for (i = 0; i < json_object_array_length(hooks); i++) {
		h = json_object_array_get_idx(hooks, i);
		if (!strcmp(str_member(h, "event") ?: "", event) &&
		    !strcmp(str_member(h, "command") ?: "", cmd))
			return h;
	}
	return NULL;
}

static struct json_object *rec_file_get(struct setup_opts *o, const char *rel)
{
	struct json_object *files, *f;

	if (json_object_object_get_ex(o->rec, "files", &files) &&
	    json_object_object_get_ex(files, rel, &f) && json_object_is_type(f, json_type_object))
		return f;
	return NULL;
}

/* hooks[event] of the target runs the feedback hook; -1 on a structural problem */
static int add_hooks(struct setup_opts *o, struct target *t)
{
	const char *cmd = t->shared ? o->hook_shared : o->hook_user;
	struct json_object *hooks, *groups, *e, *f, *rh, *g, *list, *h;
	bool new_hooks;
	size_t i;

	if (typed_member(t->root, "hooks", json_type_object, t->rel, "", &hooks))
		return -1;
	for (i = 0; hooks && i < t->n_events; i++)
		if (typed_member(hooks, t->events[i], json_type_array, t->rel, "hooks.", &groups))
			return -1;
	new_hooks = !hooks;
	for (i = 0; i < t->n_events; i++) {
		groups = NULL;
		if (hooks)
			typed_member(hooks, t->events[i], json_type_array, t->rel, "", &groups);
		e = find_hook(groups, match_ours, NULL, NULL, NULL);
		if (e) {
			const char *cur = str_member(e, "command");

			if (!strcmp(cur, cmd) || !o->force)
				continue;
			/* --force: our entry (or one like it) with another command */
			f = rec_file(o, t->rel, !t->orig);
			rh = rec_hook(f, t->events[i], cur);
			if (!rh) {
				rh = json_object_new_object();
				json_object_object_add(rh, "event", json_object_new_string(t->events[i]));
				json_object_object_add(rh, "replaced", json_object_new_string(cur));
				json_object_array_add(obj_member(f, "hooks", json_type_array), rh);
			}
			json_object_object_add(rh, "command", json_object_new_string(cmd));
			json_object_object_add(e, "command", json_object_new_string(cmd));
			t->changed = true;
			continue;
		}
		if (!hooks) {
			hooks = json_object_new_object();
			json_object_object_add(t->root, "hooks", hooks);
		}
		f = rec_file(o, t->rel, !t->orig);
		rh = json_object_new_object();
		json_object_object_add(rh, "event", json_object_new_string(t->events[i]));
		json_object_object_add(rh, "command", json_object_new_string(cmd));
		if (!groups) {
			groups = json_object_new_array();
			json_object_object_add(hooks, t->events[i], groups);
			json_object_object_add(rh, "new_event", json_object_new_boolean(true));
		}
		json_object_array_add(obj_member(f, "hooks", json_type_array), rh);
		g = json_object_new_object();
		list = json_object_new_array();
		h = json_object_new_object();
		json_object_object_add(h, "type", json_object_new_string("command"));
		json_object_object_add(h, "command", json_object_new_string(cmd));
		json_object_object_add(h, "timeout", json_object_new_int(HOOK_TIMEOUT_S));
		json_object_array_add(list, h);
		json_object_object_add(g, "matcher", json_object_new_string("*"));
		json_object_object_add(g, "hooks", list);
		json_object_array_add(groups, g);
		if (new_hooks)
			json_object_object_add(f, "new_hooks", json_object_new_boolean(true));
		t->changed = true;
	}
	if (!t->changed)
		printf("%s: the ActPlane feedback hook is already set up\n", t->rel);
	return 0;
}

/* take out the hooks the record says setup added; 1 changed, 0 not, -1 mistyped */
static int undo_hooks(struct target *t, struct json_object *f)
{
	struct json_object *hooks, *groups, *recs, *e, *g, *list;
	size_t i, gi, hi;
	int changed = 0;

	if (typed_member(t->root, "hooks", json_type_object, t->rel, "", &hooks))
		return -1;
	if (!hooks)
		return 0;
	if (!json_object_object_get_ex(f, "hooks", &recs) ||
	    !json_object_is_type(recs, json_type_array))
		recs = NULL;
	for (i = 0; recs && i < json_object_array_length(recs); i++) {
		struct json_object *rh = json_object_array_get_idx(recs, i);
		const char *event = str_member(rh, "event"), *cmd = str_member(rh, "command");
		const char *old = str_member(rh, "replaced");

		if (!event || !cmd)
			continue;
		if (typed_member(hooks, event, json_type_array, t->rel, "hooks.", &groups))
			return -1;
		e = find_hook(groups, match_exact, cmd, &gi, &hi);
		if (!e)
			continue;
		changed = 1;
		if (old) {
			json_object_object_add(e, "command", json_object_new_string(old));
			continue;
		}
		g = json_object_array_get_idx(groups, gi);
		json_object_object_get_ex(g, "hooks", &list);
		json_object_array_del_idx(list, hi, 1);
		if (!json_object_array_length(list))
			json_object_array_del_idx(groups, gi, 1);
		if (!json_object_array_length(groups) && bool_member(rh, "new_event"))
			json_object_object_del(hooks, event);
	}
	if (changed && !json_object_object_length(hooks) && bool_member(f, "new_hooks"))
		json_object_object_del(t->root, "hooks");
	return changed;
}

/* ---- MCP ---------------------------------------------------------------------------- */
static bool is_server(struct json_object *srv, const char *tool)
{
	struct json_object *c, *a;

	return json_object_is_type(srv, json_type_object) &&
	       json_object_object_get_ex(srv, "command", &c) &&
	       json_object_is_type(c, json_type_string) &&
	       (!tool || !strcmp(json_object_get_string(c), tool)) &&
	       json_object_object_get_ex(srv, "args", &a) &&
	       json_object_is_type(a, json_type_array) &&
	       json_object_array_length(a) >= 1 &&
	       !strcmp(json_object_get_string(json_object_array_get_idx(a, 0)) ?: "", "mcp");
}

static int add_mcp(struct setup_opts *o, struct target *t)
{
	const char *tool = t->shared ? o->tool_shared : o->tool_user;
	struct json_object *servers, *cur, *srv, *args, *f, *rm;

	if (typed_member(t->root, "mcpServers", json_type_object, t->rel, "", &servers))
		return -1;
	if (servers && json_object_object_get_ex(servers, "actplane", &cur)) {
		if (is_server(cur, tool)) {
			printf("%s: the actplane MCP server is already registered\n", t->rel);
			return 0;
		}
		if (!o->force) {
			printf("%s: keeping the existing \"actplane\" server entry "
			       "(it differs; --force replaces it)\n", t->rel);
			return 0;
		}
	} else {
		cur = NULL;
	}
	f = rec_file(o, t->rel, !t->orig);
	if (!servers) {
		servers = json_object_new_object();
		json_object_object_add(t->root, "mcpServers", servers);
		json_object_object_add(f, "new_servers", json_object_new_boolean(true));
	}
	rm = obj_member(f, "mcp", json_type_object);
	/* an entry setup did not write is kept in the record, for --remove */
	if (cur && !(str_member(rm, "command") && is_server(cur, str_member(rm, "command"))))
		json_object_object_add(rm, "replaced", json_object_get(cur));
	json_object_object_add(rm, "command", json_object_new_string(tool));
	srv = json_object_new_object();
	args = json_object_new_array();
	json_object_array_add(args, json_object_new_string("mcp"));
	json_object_object_add(srv, "type", json_object_new_string("stdio"));
	json_object_object_add(srv, "command", json_object_new_string(tool));
	json_object_object_add(srv, "args", args);
	json_object_object_add(servers, "actplane", srv);
	t->changed = true;
	return 0;
}

static int undo_mcp(struct target *t, struct json_object *f)
{
	struct json_object *servers, *rm, *cur, *old;
	const char *tool;

	if (typed_member(t->root, "mcpServers", json_type_object, t->rel, "", &servers))
		return -1;
	if (!servers || !json_object_object_get_ex(f, "mcp", &rm) ||
	    !(tool = str_member(rm, "command")) ||
	    !json_object_object_get_ex(servers, "actplane", &cur) || !is_server(cur, tool))
		return 0;
	if (json_object_object_get_ex(rm, "replaced", &old))
		json_object_object_add(servers, "actplane", json_object_get(old));
	else
		json_object_object_del(servers, "actplane");
	if (!json_object_object_length(servers) && bool_member(f, "new_servers"))
		json_object_object_del(t->root, "mcpServers");
	return 1;
}

/* ---- .gitignore ------------------------------------------------------------------------ */
/* the line of text equal to want (trailing blanks ignored), or NULL */
static char *find_line(char *text, const char *want, bool last)
{
	char *line, *found = NULL;
	size_t n = strlen(want);

	for (line = text; *line; ) {
		size_t len = strcspn(line, "\n"), l = len;

		while (l && strchr(" \t\r", line[l - 1]))
			l--;
		if (l == n && !strncmp(line, want, n)) {
			found = line;
			if (!last)
				break;
		}
		line += len + (line[len] == '\n');
	}
	return found;
}

struct gitignore {
	char *orig, *text;	/* as read (NULL: absent) and as it should be */
	size_t orig_len;
	mode_t mode;
	struct json_object *added;
};

/* read .gitignore and append the per-user lines it lacks; -1 on error */
static int gitignore_plan(struct setup_opts *o, struct gitignore *gi)
{
	size_t i, len;
	char *text;
	FILE *m;
	int r;

	r = read_beneath(o->basefd, ".gitignore", &gi->orig, &gi->orig_len, &gi->mode);
	if (r == -ENOENT) {
		gi->orig = NULL;
		gi->mode = 0644;
	} else if (r) {
		ap_err("setup: cannot read .gitignore: %s", why(r));
		return -1;
	}
	m = open_memstream(&text, &len);
	if (!m)
		return -1;
	if (gi->orig) {
		fwrite(gi->orig, 1, gi->orig_len, m);
		if (gi->orig_len && gi->orig[gi->orig_len - 1] != '\n')
			fputc('\n', m);
	}
	gi->added = json_object_new_array();
	for (i = 1; i < sizeof(gitignore_lines) / sizeof(gitignore_lines[0]); i++) {
		if (gi->orig && find_line(gi->orig, gitignore_lines[i], false))
			continue;
		if (!json_object_array_length(gi->added) &&
		    !(gi->orig && find_line(gi->orig, gitignore_lines[0], false))) {
			fprintf(m, "%s\n", gitignore_lines[0]);
			json_object_array_add(gi->added, json_object_new_string(gitignore_lines[0]));
		}
		fprintf(m, "%s\n", gitignore_lines[i]);
		json_object_array_add(gi->added, json_object_new_string(gitignore_lines[i]));
	}
	if (fclose(m))
		return -1;
	gi->text = text;
	return 0;
}

static int gitignore_write(struct setup_opts *o, struct gitignore *gi)
{
	size_t n = json_object_array_length(gi->added);
	int r = 0;

	if (!n)
		return 0;
	if (gi->orig)
		r = backup_beneath(o->basefd, ".gitignore", gi->orig, gi->orig_len, gi->mode);
	if (r >= 0)
		r = write_beneath(o->basefd, ".gitignore", gi->text, strlen(gi->text), gi->mode);
	if (r < 0) {
		ap_err("setup: cannot write .gitignore: %s", why(r));
		return -1;
	}
	printf(".gitignore: added the per-user files of ActPlane and the agents\n");
	return 0;
}

/* ---- removing ------------------------------------------------------------------------ */
/* after the undo: the backup back, the file removed, or the rest written */
static int finish_removal(struct setup_opts *o, const char *rel, struct json_object *f,
			  struct json_object *root, const char *text, size_t len,
			  mode_t mode, bool changed)
{
	char bak[PATH_MAX], *bbuf = NULL, whyb[160];
	struct json_object *broot = NULL;
	size_t blen = 0;
	bool same_as_backup = false, have_backup;
	int r;

	snprintf(bak, sizeof(bak), "%s%s", rel, BACKUP_SUFFIX);
	have_backup = !read_beneath(o->basefd, bak, &bbuf, &blen, NULL);
	if (have_backup) {
		if (root)
			same_as_backup = (broot = parse_strict(bbuf, blen, whyb, sizeof(whyb))) &&
					 json_object_equal(broot, root);
		else	/* text */
			same_as_backup = (blen == len && !memcmp(bbuf, text, len)) ||
					 (blen + 1 == len && !memcmp(bbuf, text, blen) &&
					  text[blen] == '\n');
		/* a file setup replaced because it was not JSON: nothing of ours is left */
		if (!same_as_backup && root && bool_member(f, "replaced_invalid") &&
		    !json_object_object_length(root))
			same_as_backup = true;
	}
	json_object_put(broot);
	free(bbuf);
	if (same_as_backup) {
		r = restore_backup(o->basefd, rel);
		if (!r)
			printf("%s: restored from %s\n", rel, bak);
	} else if (bool_member(f, "created") &&
		   (root ? !json_object_object_length(root) : !text[strspn(text, " \t\r\n")])) {
		r = unlink_beneath(o->basefd, rel, 0);
		if (!r)
			printf("%s: removed (setup created it)\n", rel);
	} else if (changed) {
		r = root ? save_json(o->basefd, rel, root, mode) :
			   write_beneath(o->basefd, rel, text, len, mode);
		if (!r)
			printf("%s: removed the ActPlane entries%s%s%s\n", rel,
			       have_backup ? " (the backup " : "", have_backup ? bak : "",
			       have_backup ? " stays)" : "");
	} else {
		printf("%s: no ActPlane entry left to remove\n", rel);
		r = 0;
	}
	if (r)
		ap_err("setup: cannot update %s: %s", rel, why(r));
	return r ? -1 : 0;
}

static int remove_json(struct setup_opts *o, struct target *t, struct json_object *f)
{
	char whyb[160];
	int r, ret;

	r = read_beneath(o->basefd, t->rel, &t->orig, &t->orig_len, &t->mode);
	if (r == -ENOENT) {
		printf("%s: not there any more\n", t->rel);
		return 0;
	}
	if (r) {
		ap_err("setup: cannot read %s: %s", t->rel, why(r));
		return -1;
	}
	t->root = parse_strict(t->orig, t->orig_len, whyb, sizeof(whyb));
	if (!t->root) {
		ap_err("setup: %s is not strict JSON (%s); not rewriting it", t->rel, whyb);
		return -1;
	}
	r = t->events ? undo_hooks(t, f) : undo_mcp(t, f);
	if (r < 0)
		return -1;
	ret = finish_removal(o, t->rel, f, t->root, NULL, 0, t->mode, r > 0);
	return ret;
}

static int remove_gitignore(struct setup_opts *o, struct json_object *f)
{
	struct json_object *lines;
	char *buf, *line;
	size_t len, i;
	mode_t mode;
	bool changed = false;
	int r;

	r = read_beneath(o->basefd, ".gitignore", &buf, &len, &mode);
	if (r == -ENOENT)
		return 0;
	if (r) {
		ap_err("setup: cannot read .gitignore: %s", why(r));
		return -1;
	}
	if (!json_object_object_get_ex(f, "lines", &lines) ||
	    !json_object_is_type(lines, json_type_array))
		lines = NULL;
	for (i = 0; lines && i < json_object_array_length(lines); i++) {
		const char *want = json_object_get_string(json_object_array_get_idx(lines, i));

		line = want ? find_line(buf, want, true) : NULL;
		if (!line)
			continue;
		len = strcspn(line, "\n");
		memmove(line, line + len + (line[len] == '\n'),
			strlen(line + len + (line[len] == '\n')) + 1);
		changed = true;
	}
	r = finish_removal(o, ".gitignore", f, NULL, buf, strlen(buf), mode, changed);
	free(buf);
	return r;
}

static int do_remove(struct setup_opts *o, struct target *targets, size_t n, unsigned sel)
{
	struct json_object *files, *f, *dirs;
	size_t i;
	int ret = 0;

	if (!json_object_object_get_ex(o->rec, "files", &files) ||
	    !json_object_is_type(files, json_type_object) || !json_object_object_length(files)) {
		printf("nothing to remove: setup has recorded no change in ");
		ap_esc_puts(stdout, o->base);
		putchar('\n');
		return 0;
	}
	for (i = 0; i < n; i++) {
		if (!(sel & targets[i].agent) || !(f = rec_file_get(o, targets[i].rel)))
			continue;
		if (remove_json(o, &targets[i], f))
			ret = 1;
		else
			json_object_object_del(files, targets[i].rel);
	}
	/* what is shared by the agents goes with the last of them */
	f = rec_file_get(o, ".gitignore");
	if (f && json_object_object_length(files) == 1) {
		if (remove_gitignore(o, f))
			ret = 1;
		else
			json_object_object_del(files, ".gitignore");
	}
	if (json_object_object_length(files)) {
		int r;

		r = save_json(o->basefd, o->record, o->rec, 0644);
		if (r) {
			ap_err("setup: cannot write %s: %s", o->record, why(r));
			ret = 1;
		}
		return ret;
	}
	unlink_beneath(o->basefd, o->record, 0);
	/* the directories setup made, deepest first; only if empty */
	if (json_object_object_get_ex(o->rec, "dirs", &dirs) &&
	    json_object_is_type(dirs, json_type_array))
		for (i = json_object_array_length(dirs); i-- > 0; ) {
			const char *d = json_object_get_string(json_object_array_get_idx(dirs, i));

			/* the record is in the workspace: its text is escaped */
			if (d && !unlink_beneath(o->basefd, d, AT_REMOVEDIR)) {
				ap_esc_puts(stdout, d);
				printf("/: removed (setup created it)\n");
			}
		}
	return ret;
}

/* ---- setting up ---------------------------------------------------------------------- */
static int do_setup(struct setup_opts *o, struct target *targets, size_t n, unsigned sel)
{
	struct gitignore gi = { 0 };
	char whyb[160], bak[PATH_MAX];
	bool bad = false, note = false;
	size_t i;
	int r, ret = 0;

	/* first read, parse and merge everything: a problem anywhere changes nothing */
	for (i = 0; i < n; i++) {
		struct target *t = &targets[i];

		if (!(sel & t->agent))
			continue;
		t->mode = 0644;
		r = read_beneath(o->basefd, t->rel, &t->orig, &t->orig_len, &t->mode);
		if (r == -ENOENT) {
			t->orig = NULL;
			t->root = json_object_new_object();
		} else if (r) {
			ap_err("setup: cannot read %s: %s", t->rel, why(r));
			bad = true;
			continue;
		} else if (!(t->root = parse_strict(t->orig, t->orig_len, whyb, sizeof(whyb)))) {
			snprintf(bak, sizeof(bak), "%s%s", t->rel, BACKUP_SUFFIX);
			r = ap_open_beneath(o->basefd, bak, O_RDONLY | O_NONBLOCK, 0);
			if (r >= 0)
				close(r);
			if (!o->force || r != -ENOENT) {
				ap_err("setup: %s is not strict JSON (%s); not rewriting it.\n"
				       "hint: JSON has no comments and no trailing commas; fix the file%s\n"
				       "      %s%s", t->rel, whyb, o->force ? " (or move" : ", or pass --force",
				       o->force ? bak : "to copy it to ",
				       o->force ? " away: --force keeps an existing backup)" : bak);
				bad = true;
				continue;
			}
			fprintf(stderr, "actplane: setup: %s is not strict JSON (%s); copying it to %s\n"
				"  and starting a new one\n", t->rel, whyb, bak);
			t->invalid = true;
			t->root = json_object_new_object();
			json_object_object_add(rec_file(o, t->rel, false), "replaced_invalid",
					       json_object_new_boolean(true));
		}
		if ((t->events ? add_hooks(o, t) : add_mcp(o, t)) < 0)
			bad = true;
	}
	if (!o->user && !bad && gitignore_plan(o, &gi))
		bad = true;
	if (bad) {
		fprintf(stderr, "actplane: setup: nothing was changed\n");
		ret = 1;
		goto out;
	}
	/*
	 * The record first, with the directories about to be made: a record
	 * that cannot be written stops setup before it changes a file.
	 */
	for (i = 0; i < n && !bad; i++) {
		struct target *t = &targets[i];

		if ((sel & t->agent) && t->changed && (r = make_parents(o, t->rel))) {
			ap_err("setup: cannot create the directory of %s: %s", t->rel, why(r));
			bad = true;
		}
	}
	if (!o->user && json_object_array_length(gi.added)) {
		struct json_object *lines = obj_member(rec_file(o, ".gitignore", !gi.orig),
						       "lines", json_type_array);

		for (i = 0; i < json_object_array_length(gi.added); i++)
			json_object_array_add(lines, json_object_get(
					      json_object_array_get_idx(gi.added, i)));
	}
	if (!bad && o->rec_changed) {
		r = make_parents(o, o->record);
		if (!r)
			r = save_json(o->basefd, o->record, o->rec, 0644);
		if (r) {
			ap_err("setup: cannot write %s (what setup did, for --remove): %s",
			       o->record, why(r));
			bad = true;
		}
	}
	if (bad) {
		fprintf(stderr, "actplane: setup: no settings file was changed\n");
		ret = 1;
		goto out;
	}
	for (i = 0; i < n; i++) {
		struct target *t = &targets[i];
		const char *tool = t->shared ? o->tool_shared : o->tool_user;

		if (!(sel & t->agent) || !t->changed)
			continue;
		/* the file as it was before the first change (none if setup created it) */
		r = t->orig && (t->invalid || !bool_member(rec_file_get(o, t->rel), "created")) ?
		    backup_beneath(o->basefd, t->rel, t->orig, t->orig_len, t->mode) : 0;
		if (r >= 0)
			r = save_json(o->basefd, t->rel, t->root, t->mode);
		if (r < 0) {
			ap_err("setup: cannot write %s: %s", t->rel, why(r));
			ret = 1;
			continue;
		}
		if (!t->events)
			printf("%s: MCP server \"actplane\" runs `%s mcp`\n", t->rel, tool);
		else
			printf("%s: %s hook%s run%s `%s`\n", t->rel,
			       t->n_events == 1 ? "a PostToolUse" : "PostToolUse and PostToolUseFailure",
			       t->n_events == 1 ? "" : "s", t->n_events == 1 ? "s" : "",
			       t->shared ? o->hook_shared : o->hook_user);
		note |= t->shared && strcmp(o->tool_shared, o->tool_user);
		if (t->agent == CODEX)
			printf("hint: Codex runs hooks when its hooks feature is on (the default in current\n"
			       "      versions; older ones need `[features] codex_hooks = true` in\n"
			       "      ~/.codex/config.toml).  Codex keeps MCP servers in config.toml:\n"
			       "      `codex mcp add actplane -- %s mcp`\n", tool);
	}
	if (note)
		printf("note: the files shared with the team run the plain `%s`, which PATH here\n"
		       "      does not find as this program (%s):\n"
		       "      install it (make install), or pass --command\n",
		       o->tool_shared, o->tool_user);
	if (!o->user && gitignore_write(o, &gi))
		ret = 1;
out:
	free(gi.orig);
	free(gi.text);
	json_object_put(gi.added);
	return ret;
}

/* ---- how the agent should invoke us ------------------------------------------ */
static bool same_file(const char *a, const char *b)
{
	struct stat sa, sb;

	return !stat(a, &sa) && !stat(b, &sb) && sa.st_dev == sb.st_dev &&
	       sa.st_ino == sb.st_ino;
}

/* "actplane" when `command -v actplane` is this very program, else its absolute path */
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

static char *hook_command(const char *tool)
{
	char *word = shell_word(tool), *cmd = NULL;

	if (word && asprintf(&cmd, "%s feedback-hook", word) < 0)
		cmd = NULL;
	free(word);
	return cmd;
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

/* still root (not through sudo): only in a directory root owns */
static int root_in_users_workspace(const char *ws)
{
	struct stat st;
	char *esc;

	if (geteuid() != 0 || stat(ws, &st) || st.st_uid == 0)
		return 0;
	esc = ap_esc_strdup(ws, false);
	ap_err("setup: refusing to write as root in %s, which belongs to uid %u;\n"
	       "  run `actplane setup` as that user (or through sudo, which drops to you)",
	       esc ? esc : "the workspace", (unsigned int)st.st_uid);
	free(esc);
	return -1;
}

static const char *home_dir(void)
{
	const char *home = getenv("HOME");
	struct passwd *pw;

	if (home && *home == '/')
		return home;
	pw = getpwuid(getuid());
	return pw && pw->pw_dir && *pw->pw_dir == '/' ? pw->pw_dir : NULL;
}

/* --claude, --codex and --mcp are described in the text */
static const struct ap_opt setup_opts[] = {
	{ "claude", 'c', NULL, NULL, NULL },
	{ "codex", 'x', NULL, NULL, NULL },
	{ "mcp", 'm', NULL, NULL, NULL },
	{ "user", 'u', NULL, NULL, "the user's settings instead of the workspace's" },
	{ "remove", 'R', NULL, NULL, "undo what setup did: take out its entries, delete\n"
				     "the files it created, restore unchanged backups" },
	{ "force", 'f', NULL, NULL, "copy an invalid file to FILE.actplane-bak and start\n"
				    "a new one; update an ActPlane entry that differs" },
	{ "workspace", 'w', "DIR", NULL, "workspace (default: the directory with actplane.yaml\n"
					 "or .actplane/ here or above, else this directory)" },
	{ "command", 'C', "PROGRAM", NULL, "how the agents run actplane (default: `actplane` if\n"
					   "PATH finds this program, else its absolute path)" },
	{ NULL }
};

AP_COMMAND(cmd_setup, .name = "setup", .order = 180,
	   .args = "[--claude|--codex|--mcp] [--user] [--remove]",
	   .help = "add ActPlane hooks to agent settings, or --remove them",
	   .usage = "Usage: actplane setup [--claude] [--codex] [--mcp] [--user] [--force]\n"
		    "                      [--workspace DIR] [--command PROGRAM]\n"
		    "       actplane setup --remove [--claude] [--codex] [--mcp] [--user]\n"
		    "\n"
		    "Wire ActPlane into the agents of this workspace (all three without options):\n"
		    "  --claude   .claude/settings.local.json: PostToolUse and PostToolUseFailure\n"
		    "             hooks run `actplane feedback-hook` (Claude Code)\n"
		    "  --codex    .codex/hooks.json: a PostToolUse hook runs it (Codex)\n"
		    "  --mcp      .mcp.json: registers the `actplane mcp` server\n"
		    "With --user, the same in the user's settings: ~/.claude/settings.json,\n"
		    "~/.codex/hooks.json and ~/.claude.json.\n"
		    "\n"
		    "Existing files are merged: other settings, hooks and servers are kept and\n"
		    "running setup again adds nothing.  A file that is not strict JSON (no\n"
		    "comments, no trailing commas) is never rewritten.  A changed file is first\n"
		    "copied to FILE.actplane-bak (an existing backup is kept); per-user files\n"
		    "are added to .gitignore; the shared .mcp.json and .codex/hooks.json name\n"
		    "the plain `actplane`.  What setup did is recorded in .actplane/setup.json\n"
		    "(--user: ~/.local/state/actplane/setup.json) for --remove.\n",
	   .opts = setup_opts);

static int cmd_setup(int argc, char **argv)
{
	struct target targets[3] = {
		{ .agent = CLAUDE, .rel = ".claude/settings.local.json",
		  .events = claude_events, .n_events = 2 },
		{ .agent = CODEX, .rel = ".codex/hooks.json", .shared = true,
		  .events = codex_events, .n_events = 1 },
		{ .agent = MCP, .rel = ".mcp.json", .shared = true },
	};
	struct setup_opts o = { .basefd = -1 };
	unsigned sel = 0;
	const char *command = NULL;
	char wsbuf[PATH_MAX], whyb[160], *rbuf = NULL;
	size_t i, rlen;
	int opt, ret = 1, r;

	while ((opt = ap_getopt(&cmd_setup_cmd, argc, argv)) > 0) {
		switch (opt) {
		case 'c': sel |= CLAUDE; break;
		case 'x': sel |= CODEX; break;
		case 'm': sel |= MCP; break;
		case 'u': o.user = true; break;
		case 'R': o.remove = true; break;
		case 'f': o.force = true; break;
		case 'w': o.base = optarg; break;
		case 'C': command = optarg; break;
		}
	}
	if (opt < 0)
		return ap_opt_exit(opt);
	if ((opt = ap_no_operands(&cmd_setup_cmd, argc, argv)))
		return opt;
	if (o.user && o.base)
		return ap_usage_error("setup", "--user and --workspace exclude each other");
	if (o.remove && (o.force || command))
		return ap_usage_error("setup", "--remove takes no --force or --command");
	if (!sel)
		sel = CLAUDE | CODEX | MCP;
	if (drop_root())
		return 1;
	if (o.user) {
		o.base = home_dir();
		if (!o.base) {
			ap_err("setup: cannot find your home directory (set HOME)");
			return 1;
		}
		targets[0].rel = ".claude/settings.json";
		targets[1].shared = targets[2].shared = false;
		targets[2].rel = ".claude.json";
	} else if (!o.base) {
		if (!ap_workspace_find(NULL, wsbuf, sizeof(wsbuf))) {
			o.base = wsbuf;
		} else if (getcwd(wsbuf, sizeof(wsbuf))) {
			o.base = wsbuf;
			if (!o.remove) {
				fputs("actplane: setup: no actplane.yaml here or above; setting up ", stderr);
				ap_esc_puts(stderr, wsbuf);
				fputs(" (create a policy with `actplane init`)\n", stderr);
			}
		} else {
			ap_err("setup: cannot determine the working directory: %s",
			       strerror(errno));
			return 1;
		}
	}
	if (root_in_users_workspace(o.base))
		return 1;
	if (o.user) {
		printf("setup --user: the files below are in ");
		ap_esc_puts(stdout, o.base);
		putchar('\n');
	}
	o.basefd = open(o.base, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (o.basefd < 0) {
		ap_err("setup: cannot open %s: %s", o.base, strerror(errno));
		return 1;
	}
	o.record = o.user ? USER_RECORD : WS_RECORD;
	r = read_beneath(o.basefd, o.record, &rbuf, &rlen, NULL);
	if (r == -ENOENT) {
		o.rec = json_object_new_object();
	} else if (r) {
		ap_err("setup: cannot read %s: %s", o.record, why(r));
		goto out;
	} else if (!(o.rec = parse_strict(rbuf, rlen, whyb, sizeof(whyb)))) {
		ap_err("setup: %s is not strict JSON (%s); not rewriting it", o.record, whyb);
		goto out;
	}
	if (o.remove) {
		ret = do_remove(&o, targets, 3, sel);
		goto out;
	}
	o.tool_user = command ? strdup(command) : tool_path();
	o.tool_shared = strdup(command ? command : "actplane");
	o.hook_user = o.tool_user ? hook_command(o.tool_user) : NULL;
	o.hook_shared = o.tool_shared ? hook_command(o.tool_shared) : NULL;
	if (!o.hook_user || !o.hook_shared) {
		ap_err("setup: out of memory");
		goto out;
	}
	ret = do_setup(&o, targets, 3, sel);
out:
	for (i = 0; i < 3; i++) {
		free(targets[i].orig);
		json_object_put(targets[i].root);
	}
	json_object_put(o.rec);
	free(rbuf);
	free(o.tool_user);
	free(o.tool_shared);
	free(o.hook_user);
	free(o.hook_shared);
	if (o.basefd >= 0)
		close(o.basefd);
	return ret;
}
