#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# Host tests of the agent-facing commands (no module needed): feedback-hook,
# setup, mcp and doctor, driven through build/actplane in temp workspaces.
# JSON is checked with python3 (a dependency of the project).
. "$(dirname "$0")/lib.sh" ux

# py 'EXPR' < json: exit 0 iff the Python expression is true for d = the JSON
py() { python3 -c 'import json,sys; d=json.load(sys.stdin); sys.exit(0 if eval(sys.argv[1]) else print("false:", json.dumps(d)[:400]) or 1)' "$1"; }

# one violation record per line, as `actplane run` writes them
violation() { # seq rule because [op target]
	python3 -c 'import json,sys
s,r,b=sys.argv[1:4]; op=sys.argv[4] if len(sys.argv)>4 else "exec"; tg=sys.argv[5] if len(sys.argv)>5 else "/usr/bin/git"
print(json.dumps({"seq":int(s),"time":"2025-05-01T10:00:00Z","pid":4242,"ppid":4200,"uid":1000,"comm":"git","exe":"/usr/bin/git","session":3,"op":op,"target":tg,"argv":["git","push","origin","main"],"rule":r,"effect":"block","proposed":"block","blocked":True,"killed":False,"labels":["AGENT"],"provenance":[{"label":"AGENT","from":"exec /usr/bin/claude"}],"because":b,"enforcer":"enforce"}))' "$@"
}

# ---- feedback-hook -----------------------------------------------------------
W=$T/ws
mkdir -p "$W/src/deep" && (cd "$W" && "$AP" init >/dev/null) && mkdir -p "$W/.actplane"
J=$W/.actplane/violations.jsonl
claude_in() { # event cwd
	python3 -c 'import json,sys; print(json.dumps({"session_id":"abc","transcript_path":"/tmp/t.jsonl","cwd":sys.argv[2],"permission_mode":"default","hook_event_name":sys.argv[1],"tool_name":"Bash","tool_input":{"command":"git push"},"tool_use_id":"toolu_1","tool_response":{"stdout":""}}))' "$1" "$2"
}
hook() { claude_in "$1" "$2" | (cd / && "$AP" feedback-hook); }

t "feedback-hook prints nothing when no violation was recorded" \
	'out=$(hook PostToolUse "$W"); [ $? = 0 ] && [ -z "$out" ]'
violation 1 no-agent-push "Pushing is left to the user." >>"$J"
t "feedback-hook injects a new violation as additionalContext (PostToolUse)" \
	'hook PostToolUse "$W/src/deep" | py "d[\"hookSpecificOutput\"][\"hookEventName\"] == \"PostToolUse\" and \"no-agent-push\" in d[\"hookSpecificOutput\"][\"additionalContext\"] and \"Pushing is left to the user.\" in d[\"hookSpecificOutput\"][\"additionalContext\"] and \"no-agent-push\" in d[\"systemMessage\"]"'
t "feedback-hook delivers each violation once" \
	'out=$(hook PostToolUse "$W"); [ $? = 0 ] && [ -z "$out" ]'
violation 2 no-secret-egress "Secrets stay on this machine." connect 93.184.216.34:443 >>"$J"
violation 3 test-before-commit "Run make check first." >>"$J"
t "feedback-hook answers PostToolUseFailure with only the new violations" \
	'hook PostToolUseFailure "$W" | py "d[\"hookSpecificOutput\"][\"hookEventName\"] == \"PostToolUseFailure\" and \"no-secret-egress\" in (c := d[\"hookSpecificOutput\"][\"additionalContext\"]) and \"test-before-commit\" in c and \"no-agent-push\" not in c and \"2 policy violations\" in c"'
printf '%s' '{"seq":4,"rule":"half-writ' >>"$J"
t "feedback-hook waits for a line that is still being written" \
	'out=$(hook PostToolUse "$W"); [ -z "$out" ]'
printf '%s\n' 'ten","because":"x"}' >>"$J"
t "feedback-hook delivers the line once it is complete" \
	'hook PostToolUse "$W" | py "\"half-written\" in d[\"hookSpecificOutput\"][\"additionalContext\"]"'
violation 5 codex-rule "Codex reason." >>"$J"
t "feedback-hook answers a Codex PostToolUse event" \
	'python3 -c "import json; print(json.dumps({\"session_id\":\"s\",\"turn_id\":\"t\",\"transcript_path\":None,\"cwd\":\"$W\",\"hook_event_name\":\"PostToolUse\",\"model\":\"gpt-5\",\"permission_mode\":\"default\",\"tool_name\":\"Bash\",\"tool_input\":{\"command\":\"ls\"},\"tool_response\":\"\",\"tool_use_id\":\"c1\"}))" | "$AP" feedback-hook | py "d[\"hookSpecificOutput\"][\"hookEventName\"] == \"PostToolUse\" and \"codex-rule\" in d[\"hookSpecificOutput\"][\"additionalContext\"]"'
violation 6 stop-rule "Later." >>"$J"
t "feedback-hook keeps violations for an event that cannot carry context" \
	'out=$(claude_in Stop "$W" | "$AP" feedback-hook 2>/dev/null); [ $? = 0 ] && [ -z "$out" ] && hook PostToolUse "$W" | py "\"stop-rule\" in d[\"hookSpecificOutput\"][\"additionalContext\"]"'
violation 7 bad-input "Input." >>"$J"
t "feedback-hook survives invalid input (exit 0, uses its working directory)" \
	'out=$(echo "not json{" | (cd "$W/src" && "$AP" feedback-hook) 2>"$T/err"); [ $? = 0 ] && echo "$out" | py "\"bad-input\" in d[\"hookSpecificOutput\"][\"additionalContext\"]" && grep -q "not a JSON object" "$T/err"'
t "feedback-hook outside a workspace exits 0 silently" \
	'out=$(claude_in PostToolUse / | (cd / && "$AP" feedback-hook)); [ $? = 0 ] && [ -z "$out" ]'
mkdir -p "$T/fresh" && (cd "$T/fresh" && "$AP" init >/dev/null)
t "feedback-hook leaves a workspace without violations untouched" \
	'out=$(hook PostToolUse "$T/fresh"); [ $? = 0 ] && [ -z "$out" ] && [ ! -e "$T/fresh/.actplane" ]'
chmod 000 "$W/.actplane/feedback-offset" 2>/dev/null
if [ "$(id -u)" != 0 ]; then
	t "feedback-hook never fails the tool call on its own errors" \
		'out=$(hook PostToolUse "$W" 2>"$T/err"); [ $? = 0 ] && [ -z "$out" ] && grep -q "feedback-hook" "$T/err"'
else
	t "feedback-hook never fails the tool call on its own errors" \
		'out=$(claude_in PostToolUse "$W" | (cd / && "$AP" feedback-hook --bogus) 2>"$T/err"); [ $? = 0 ] && grep -q "bad option" "$T/err"'
fi
chmod 644 "$W/.actplane/feedback-offset"

# ---- setup ---------------------------------------------------------------------
S=$T/setup
mkdir -p "$S/.claude" "$S/.actplane"
cat >"$S/.claude/settings.local.json" <<'EOF'
{
  "permissions": { "allow": ["Bash(ls:*)"] },
  "env": { "FOO": "bar" },
  "hooks": {
    "PostToolUse": [
      { "matcher": "Edit|Write", "hooks": [ { "type": "command", "command": "prettier --write" } ] }
    ],
    "Stop": [ { "hooks": [ { "type": "command", "command": "notify-send done" } ] } ]
  }
}
EOF
echo '{"mcpServers": {"docs": {"command": "docs-server", "args": ["--stdio"]}}, "other": 1}' >"$S/.mcp.json"
t "setup merges into existing settings files" \
	'(cd "$S" && "$AP" setup --command /opt/ap/actplane >/dev/null) &&
	 py "d[\"permissions\"][\"allow\"] == [\"Bash(ls:*)\"] and d[\"env\"] == {\"FOO\": \"bar\"} and d[\"hooks\"][\"Stop\"][0][\"hooks\"][0][\"command\"] == \"notify-send done\" and d[\"hooks\"][\"PostToolUse\"][0][\"hooks\"][0][\"command\"] == \"prettier --write\" and d[\"hooks\"][\"PostToolUse\"][1] == {\"matcher\": \"*\", \"hooks\": [{\"type\": \"command\", \"command\": \"/opt/ap/actplane feedback-hook\", \"timeout\": 10}]} and d[\"hooks\"][\"PostToolUseFailure\"][0][\"hooks\"][0][\"command\"] == \"/opt/ap/actplane feedback-hook\"" <"$S/.claude/settings.local.json"'
t "setup writes the Codex hooks file" \
	'py "d[\"hooks\"][\"PostToolUse\"] == [{\"matcher\": \"*\", \"hooks\": [{\"type\": \"command\", \"command\": \"/opt/ap/actplane feedback-hook\", \"timeout\": 10}]}]" <"$S/.codex/hooks.json"'
t "setup registers the MCP server next to the existing ones" \
	'py "d[\"other\"] == 1 and d[\"mcpServers\"][\"docs\"][\"command\"] == \"docs-server\" and d[\"mcpServers\"][\"actplane\"] == {\"type\": \"stdio\", \"command\": \"/opt/ap/actplane\", \"args\": [\"mcp\"]}" <"$S/.mcp.json"'
sum1=$(cat "$S/.claude/settings.local.json" "$S/.codex/hooks.json" "$S/.mcp.json" | md5sum)
t "setup is idempotent (a second run changes nothing)" \
	'(cd "$S" && "$AP" setup --command /opt/ap/actplane | grep -q "already") && [ "$(cat "$S/.claude/settings.local.json" "$S/.codex/hooks.json" "$S/.mcp.json" | md5sum)" = "$sum1" ]'
t "setup does not add a second hook for another actplane path" \
	'(cd "$S" && "$AP" setup --claude --command /usr/bin/actplane >/dev/null) && py "len(d[\"hooks\"][\"PostToolUse\"]) == 2 and len(d[\"hooks\"][\"PostToolUseFailure\"]) == 1" <"$S/.claude/settings.local.json"'
t "setup --force updates the existing hook command" \
	'(cd "$S" && "$AP" setup --claude --force --command /usr/bin/actplane >/dev/null) && py "d[\"hooks\"][\"PostToolUse\"][1][\"hooks\"][0][\"command\"] == \"/usr/bin/actplane feedback-hook\" and len(d[\"hooks\"][\"PostToolUse\"]) == 2" <"$S/.claude/settings.local.json"'
printf '{ "hooks": { "PostToolUse": [ }\n' >"$S/.codex/hooks.json"
cp "$S/.codex/hooks.json" "$T/bad.json"
t "setup refuses to rewrite invalid JSON and says where it is broken" \
	'out=$(cd "$S" && "$AP" setup --codex 2>&1); [ $? = 1 ] && echo "$out" | grep -q "hooks.json is not strict JSON (line 1" && cmp -s "$S/.codex/hooks.json" "$T/bad.json"'
t "setup --force moves invalid JSON aside and writes a new file" \
	'(cd "$S" && "$AP" setup --codex --force >/dev/null 2>&1) && cmp -s "$S/.codex/hooks.json.actplane-bak" "$T/bad.json" && py "len(d[\"hooks\"][\"PostToolUse\"]) == 1" <"$S/.codex/hooks.json"'
echo '{"hooks": ["not", "an", "object"]}' >"$S/.claude/settings.local.json"
t "setup refuses a settings file whose hooks has the wrong type" \
	'out=$(cd "$S" && "$AP" setup --claude 2>&1); [ $? = 1 ] && echo "$out" | grep -q "\"hooks\" has type array, expected object"'

# strict JSON: a comment or a trailing comma stops setup before it writes anything
P=$T/strict
mkdir -p "$P/.claude" "$P/.actplane"
printf '{\n  "env": {"A": "1"},\n  // the team default\n  "model": "x"\n}\n' >"$P/.claude/settings.local.json"
echo '{"mcpServers": {}}' >"$P/.mcp.json"
cp "$P/.claude/settings.local.json" "$T/commented.json"
t "setup stops at a comment, naming the file and line, and changes nothing" \
	'out=$(cd "$P" && "$AP" setup --claude --mcp --command actplane 2>&1); [ $? = 1 ] &&
	 echo "$out" | grep -q "settings.local.json is not strict JSON (line 3" &&
	 cmp -s "$P/.claude/settings.local.json" "$T/commented.json" &&
	 [ "$(cat "$P/.mcp.json")" = "{\"mcpServers\": {}}" ] && [ ! -e "$P/.gitignore" ]'
printf '{\n  "mcpServers": {\n    "docs": {"command": "d"},\n  }\n}\n' >"$P/.mcp.json"
cp "$P/.mcp.json" "$T/trailing.json"
t "setup stops at a trailing comma, naming the file and line" \
	'out=$(cd "$P" && "$AP" setup --mcp --command actplane 2>&1); [ $? = 1 ] &&
	 echo "$out" | grep -q "\.mcp\.json is not strict JSON (line 4" && cmp -s "$P/.mcp.json" "$T/trailing.json"'

# backups, .gitignore, plain `actplane` in shared files, --remove
B=$T/bak
mkdir -p "$B/.claude" "$B/.actplane" "$T/bin"
printf '{"permissions": {"allow": ["Bash(ls:*)"]},\n "hooks": {"Stop": []}}\n' >"$B/.claude/settings.local.json"
printf '{"mcpServers":{"docs":{"command":"docs-server"}}}' >"$B/.mcp.json"
printf 'node_modules/\n*.log' >"$B/.gitignore"
cp "$B/.claude/settings.local.json" "$T/orig.settings.local.json"
cp "$B/.mcp.json" "$T/orig.mcp.json"
cp "$B/.gitignore" "$T/orig.gitignore"
t "setup keeps a backup of every file it changes (FILE.actplane-bak)" \
	'(cd "$B" && PATH=/usr/bin:/bin "$AP" setup >/dev/null 2>&1) &&
	 cmp "$B/.claude/settings.local.json.actplane-bak" "$T/orig.settings.local.json" &&
	 cmp "$B/.mcp.json.actplane-bak" "$T/orig.mcp.json" && cmp "$B/.gitignore.actplane-bak" "$T/orig.gitignore" &&
	 [ ! -e "$B/.codex/hooks.json.actplane-bak" ]'
t "setup writes the plain actplane into the team-shared files, not a build path" \
	'py "d[\"mcpServers\"][\"actplane\"][\"command\"] == \"actplane\"" <"$B/.mcp.json" &&
	 py "d[\"hooks\"][\"PostToolUse\"][0][\"hooks\"][0][\"command\"] == \"actplane feedback-hook\"" <"$B/.codex/hooks.json" &&
	 py "d[\"hooks\"][\"PostToolUse\"][0][\"hooks\"][0][\"command\"] == \"$AP feedback-hook\"" <"$B/.claude/settings.local.json"'
t "setup adds its per-user files to .gitignore, keeping what was there" \
	'for l in "node_modules/" "*.log" ".claude/settings.local.json" ".actplane/setup.json" "*.actplane-bak"; do
		grep -qxF -- "$l" "$B/.gitignore" || { echo "no $l"; exit 1; }; done'
cp "$B/.gitignore" "$T/gitignore.1"
t "a second setup neither adds .gitignore lines nor replaces a backup" \
	'(cd "$B" && PATH=/usr/bin:/bin "$AP" setup --force --command /opt/other/actplane >/dev/null 2>&1) &&
	 cmp "$B/.gitignore" "$T/gitignore.1" && cmp "$B/.mcp.json.actplane-bak" "$T/orig.mcp.json" &&
	 cmp "$B/.claude/settings.local.json.actplane-bak" "$T/orig.settings.local.json" &&
	 py "d[\"mcpServers\"][\"actplane\"][\"command\"] == \"/opt/other/actplane\"" <"$B/.mcp.json"'
ln -s "$AP" "$T/bin/actplane"
t "setup writes the plain actplane when PATH finds this very program" \
	'mkdir -p "$T/onpath/.actplane" && (cd "$T/onpath" && PATH="$T/bin:/usr/bin:/bin" "$AP" setup --claude >/dev/null 2>&1) &&
	 py "d[\"hooks\"][\"PostToolUse\"][0][\"hooks\"][0][\"command\"] == \"actplane feedback-hook\"" <"$T/onpath/.claude/settings.local.json"'
t "setup --remove restores every file it changed and deletes what it created" \
	'(cd "$B" && "$AP" setup --remove >/dev/null) &&
	 cmp "$B/.claude/settings.local.json" "$T/orig.settings.local.json" && cmp "$B/.mcp.json" "$T/orig.mcp.json" &&
	 cmp "$B/.gitignore" "$T/orig.gitignore" && [ ! -e "$B/.codex" ] && [ ! -e "$B/.actplane/setup.json" ] &&
	 [ -d "$B/.actplane" ] && [ -z "$(find "$B" -name "*.actplane-bak")" ]'
# --remove takes out only what setup added: later edits and the user's own entries stay
R=$T/rm
mkdir -p "$R/.actplane"
echo '{"mcpServers": {}, "hooks": {"PostToolUse": [{"matcher": "Bash", "hooks": [{"type": "command", "command": "actplane feedback-hook"}]}]}}' >"$R/.mcp.json"
mkdir -p "$R/.claude" && cp "$R/.mcp.json" "$R/.claude/settings.local.json"
t "setup --remove keeps later edits and entries setup did not add" \
	'(cd "$R" && "$AP" setup --command actplane >/dev/null 2>&1) &&
	 python3 -c "import json,sys; p=sys.argv[1]; d=json.load(open(p)); d[\"later\"]=1; json.dump(d, open(p, \"w\"))" "$R/.mcp.json" &&
	 (cd "$R" && "$AP" setup --remove >/dev/null) &&
	 py "d[\"later\"] == 1 and d[\"mcpServers\"] == {}" <"$R/.mcp.json" && [ -e "$R/.mcp.json.actplane-bak" ] &&
	 py "d[\"hooks\"][\"PostToolUse\"][0][\"matcher\"] == \"Bash\" and len(d[\"hooks\"][\"PostToolUse\"]) == 1 and \"PostToolUseFailure\" not in d[\"hooks\"]" <"$R/.claude/settings.local.json"'
t "setup --remove with nothing recorded changes nothing" \
	'mkdir -p "$T/none" && out=$(cd "$T/none" && "$AP" setup --remove) && echo "$out" | grep -q "nothing to remove" && [ -z "$(ls -A "$T/none")" ]'

# --user: the same entries in the user's own settings
H=$T/home
mkdir -p "$H" "$T/uws/.actplane"
echo '{"numStartups": 3, "mcpServers": {"x": {"command": "x"}}}' >"$H/.claude.json"
cp "$H/.claude.json" "$T/orig.claude.json"
t "setup --user configures the user-level Claude Code and Codex settings" \
	'(cd "$T/uws" && HOME="$H" PATH=/usr/bin:/bin "$AP" setup --user >/dev/null) &&
	 py "d[\"hooks\"][\"PostToolUse\"][0][\"hooks\"][0][\"command\"] == \"$AP feedback-hook\" and d[\"hooks\"][\"PostToolUseFailure\"][0][\"hooks\"][0][\"command\"] == \"$AP feedback-hook\"" <"$H/.claude/settings.json" &&
	 py "len(d[\"hooks\"][\"PostToolUse\"]) == 1" <"$H/.codex/hooks.json" &&
	 py "d[\"numStartups\"] == 3 and d[\"mcpServers\"][\"x\"] == {\"command\": \"x\"} and d[\"mcpServers\"][\"actplane\"][\"args\"] == [\"mcp\"]" <"$H/.claude.json" &&
	 cmp "$H/.claude.json.actplane-bak" "$T/orig.claude.json" &&
	 [ -z "$(ls -A "$T/uws/.actplane")" ] && [ ! -e "$T/uws/.claude" ] && [ ! -e "$H/.gitignore" ]'
t "setup --user --remove undoes it" \
	'(cd "$T/uws" && HOME="$H" "$AP" setup --user --remove >/dev/null) &&
	 cmp "$H/.claude.json" "$T/orig.claude.json" && [ "$(ls -A "$H")" = .claude.json ]'

# links: setup opens every file beneath the workspace and follows none
L=$T/links
mkdir -p "$L/.actplane" "$T/elsewhere"
ln -s "$T/elsewhere" "$L/.claude"
t "setup follows no symbolic link in the workspace" \
	'out=$(cd "$L" && "$AP" setup --claude --command actplane 2>&1); [ $? = 1 ] &&
	 echo "$out" | grep -q "symbolic link" && [ -z "$(ls -A "$T/elsewhere")" ]'

if [ "$(id -u)" = 0 ]; then
	O=$T/owned
	mkdir -p "$O/.actplane" && chown -R 12345:12345 "$O"
	chmod o+x "$T"
	t "setup as plain root refuses to write in a user's workspace" \
		'out=$(cd "$O" && env -u SUDO_UID -u SUDO_GID "$AP" setup --command actplane 2>&1); [ $? = 1 ] && echo "$out" | grep -q "refusing to write as root" && [ ! -e "$O/.claude" ]'
	t "setup under sudo writes as the invoking user" \
		'(cd "$O" && SUDO_UID=12345 SUDO_GID=12345 "$AP" setup --command actplane >/dev/null) && [ "$(stat -c %u:%g "$O/.claude" "$O/.claude/settings.local.json" "$O/.codex/hooks.json" "$O/.mcp.json" | sort -u)" = "12345:12345" ]'
fi

# ---- mcp -------------------------------------------------------------------------
M=$T/mcp.out
{
	echo '{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-06-18","capabilities":{},"clientInfo":{"name":"test","version":"1"}}}'
	echo '{"jsonrpc":"2.0","method":"notifications/initialized"}'
	echo '{"jsonrpc":"2.0","id":2,"method":"resources/list"}'
	echo '{"jsonrpc":"2.0","id":3,"method":"tools/list"}'
	echo '{"jsonrpc":"2.0","id":4,"method":"resources/read","params":{"uri":"actplane://violations/latest"}}'
	echo '{"jsonrpc":"2.0","id":5,"method":"tools/call","params":{"name":"check_policy","arguments":{"policy":"source SECRET = file \"**/.env\"\nrule no-egress:\n  block connect endpoint \"*\" if SECRET\n  because \"keep secrets local\"\n"}}}'
	echo '{"jsonrpc":"2.0","id":6,"method":"tools/call","params":{"name":"check_policy","arguments":{"policy":"version: 1\npolicy: |\n  rule r:\n    blok exec \"git\" if NOPE\n"}}}'
	echo '{"jsonrpc":"2.0","id":7,"method":"resources/read","params":{"uri":"actplane://policy"}}'
	echo 'this is not json'
	echo '{"jsonrpc":"2.0","id":8,"method":"no/such/method"}'
	echo '{"jsonrpc":"2.0","id":9,"method":"resources/read","params":{"uri":"actplane://nope"}}'
	echo '{"jsonrpc":"2.0","id":10,"method":"tools/call","params":{"name":"check_policy","arguments":{}}}'
	echo '{"jsonrpc":"2.0","id":11,"method":"tools/call","params":{"name":"rm_rf"}}'
	echo '{"jsonrpc":"2.0","id":12,"method":"tools/call","params":{"name":"check_policy","arguments":"policy"}}'
	echo '{"jsonrpc":"2.0","id":13,"method":"initialize","params":{"protocolVersion":"2025-06-18","capabilities":{},"clientInfo":{"name":"test","version":"1"}}}'
} | (cd "$W/src" && "$AP" mcp) >"$M" 2>"$T/mcp.err"
mcp_rc=$?
resp() { python3 -c 'import json,sys
for l in open(sys.argv[1]):
    d=json.loads(l)
    if isinstance(d, list):
        d=[x for x in d if x.get("id")==int(sys.argv[2])] and [x for x in d if x.get("id")==int(sys.argv[2])][0] or None
        if d is None: continue
    if d.get("id")==int(sys.argv[2]) or (sys.argv[2]=="0" and d.get("id") is None):
        print(json.dumps(d)); break' "$M" "$1"; }
t "mcp answers every request on its own line and exits 0 at EOF" \
	'[ $mcp_rc = 0 ] && [ "$(wc -l <"$M")" = 14 ] && python3 -c "import json,sys; [json.loads(l) for l in open(sys.argv[1])]" "$M"'
t "mcp answers initialize with its capabilities and the client's protocol version" \
	'resp 1 | py "d[\"result\"][\"protocolVersion\"] == \"2025-06-18\" and \"resources\" in d[\"result\"][\"capabilities\"] and \"tools\" in d[\"result\"][\"capabilities\"] and d[\"result\"][\"serverInfo\"][\"name\"] == \"actplane\""'
t "mcp lists its two resources" \
	'resp 2 | py "sorted(r[\"uri\"] for r in d[\"result\"][\"resources\"]) == [\"actplane://policy\", \"actplane://violations/latest\"]"'
t "mcp lists the check_policy and explain tools with input and output schemas, read-only" \
	'resp 3 | py "[x[\"name\"] for x in d[\"result\"][\"tools\"]] == [\"check_policy\", \"explain\"] and all(t[\"annotations\"][\"readOnlyHint\"] is True and \"outputSchema\" in t for t in d[\"result\"][\"tools\"]) and (x := d[\"result\"][\"tools\"][0])[\"inputSchema\"][\"required\"] == [\"policy\"] and \"valid\" in x[\"outputSchema\"][\"required\"] and x[\"outputSchema\"][\"properties\"][\"diagnostics\"][\"type\"] == \"array\" and x[\"annotations\"][\"readOnlyHint\"] is True"'
t "mcp returns the latest violation with its reason" \
	'resp 4 | py "(c := d[\"result\"][\"contents\"][0])[\"uri\"] == \"actplane://violations/latest\" and \"bad-input\" in c[\"text\"] and \"Input.\" in c[\"text\"] and \"no-agent-push\" in c[\"text\"]"'
t "mcp check_policy accepts a good snippet" \
	'resp 5 | py "d[\"result\"][\"isError\"] is False and (s := d[\"result\"][\"structuredContent\"])[\"valid\"] is True and s[\"format\"] == \"dsl\" and s[\"rules\"] == 1 and s[\"summary\"].startswith(\"ok: 1 rule\")"'
t "mcp check_policy: the text block is the JSON of structuredContent" \
	'resp 5 | py "len(d[\"result\"][\"content\"]) == 1 and json.loads(d[\"result\"][\"content\"][0][\"text\"]) == d[\"result\"][\"structuredContent\"]"'
t "mcp check_policy reports the errors of a bad YAML file with positions" \
	'resp 6 | py "(s := d[\"result\"][\"structuredContent\"])[\"valid\"] is False and s[\"format\"] == \"yaml\" and s[\"errors\"] >= 1 and any(x[\"line\"] == 4 and \"blok\" in x[\"message\"] for x in s[\"diagnostics\"]) and s[\"summary\"].startswith(\"invalid: \") and json.loads(d[\"result\"][\"content\"][0][\"text\"]) == s"'
t "mcp returns the policy file with its check result" \
	'resp 7 | py "\"ok: 3 rules\" in (c := d[\"result\"][\"contents\"][0][\"text\"]) and \"rule no-agent-push\" in c and c.count(\"actplane.yaml\") >= 2"'
t "mcp answers a line that is not JSON with a parse error" \
	'resp 0 | py "d[\"error\"][\"code\"] == -32700"'
t "mcp answers an unknown method with Method not found" \
	'resp 8 | py "d[\"error\"][\"code\"] == -32601"'
t "mcp answers an unknown resource with Resource not found" \
	'resp 9 | py "d[\"error\"][\"code\"] == -32002 and d[\"error\"][\"data\"][\"uri\"] == \"actplane://nope\""'
t "mcp reports missing tool arguments as a tool error" \
	'resp 10 | py "d[\"result\"][\"isError\"] is True"'
t "mcp rejects an unknown tool (Invalid params, naming it)" \
	'resp 11 | py "d[\"error\"][\"code\"] == -32602 and d[\"error\"][\"data\"][\"name\"] == \"rm_rf\""'
t "mcp rejects tool arguments that are not an object (Invalid params)" \
	'resp 12 | py "d[\"error\"][\"code\"] == -32602"'
t "mcp refuses a second initialize" \
	'resp 13 | py "d[\"error\"][\"code\"] == -32600 and \"already initialized\" in d[\"error\"][\"message\"]"'
t "mcp writes nothing but JSON-RPC on stdout" \
	'! grep -qv "^[[{]" "$M"'

# The lifecycle and framing of the 2025-06-18 revision, one session each:
# session LINE...: the answers of `actplane mcp` to those lines
session() { printf '%s\n' "$@" | (cd "$W/src" && "$AP" mcp) 2>/dev/null; }
# pyl 'EXPR' < answers: exit 0 iff EXPR is true for a = the answers, parsed
pyl() { python3 -c 'import json,sys; a=[json.loads(l) for l in sys.stdin]; sys.exit(0 if eval(sys.argv[1]) else print("false:", json.dumps(a)[:600]) or 1)' "$1"; }
init() { # [VERSION]: an initialize request (id "i"), with VERSION if given
	printf '{"jsonrpc":"2.0","id":"i","method":"initialize","params":{%s"capabilities":{},"clientInfo":{"name":"test","version":"1"}}}' \
		"${1:+\"protocolVersion\":\"$1\",}"
}
session '{"jsonrpc":"2.0","id":1,"method":"tools/list"}' \
	'{"jsonrpc":"2.0","id":2,"method":"resources/read","params":{"uri":"actplane://policy"}}' \
	'{"jsonrpc":"2.0","id":3,"method":"tools/call","params":{"name":"check_policy","arguments":{"policy":"x"}}}' \
	'{"jsonrpc":"2.0","method":"notifications/initialized"}' \
	'{"jsonrpc":"2.0","id":4,"method":"ping"}' "$(init 2025-06-18)" \
	'{"jsonrpc":"2.0","id":5,"method":"tools/list"}' >"$T/pre.out"
t "mcp serves no request before initialize (Invalid Request), but ping" \
	'pyl "[x[\"id\"] for x in a] == [1, 2, 3, 4, \"i\", 5] and all(x[\"error\"][\"code\"] == -32600 and \"not initialized\" in x[\"error\"][\"message\"] for x in a[:3]) and a[3][\"result\"] == {} and a[4][\"result\"][\"protocolVersion\"] == \"2025-06-18\" and \"tools\" in a[5][\"result\"]" <"$T/pre.out"'
session "$(init)" \
	"$(init | sed 's/"params":{/&"protocolVersion":20250618,/')" \
	"$(init 2025-06-18 | sed 's/,"clientInfo":{[^}]*}//')" \
	"$(init 2025-06-18 | sed 's/"capabilities":{},//')" \
	'{"jsonrpc":"2.0","id":5,"method":"tools/list"}' >"$T/noversion.out"
t "mcp refuses initialize without a protocolVersion, clientInfo or capabilities (Invalid params)" \
	'pyl "len(a) == 5 and all(x[\"error\"][\"code\"] == -32602 for x in a[:4]) and \"protocolVersion\" in a[0][\"error\"][\"message\"] and \"2025-06-18\" in a[0][\"error\"][\"data\"][\"supported\"] and \"protocolVersion\" in a[1][\"error\"][\"message\"] and \"clientInfo\" in a[2][\"error\"][\"message\"] and \"capabilities\" in a[3][\"error\"][\"message\"]" <"$T/noversion.out"'
t "mcp stays uninitialized after a refused initialize" \
	'pyl "a[4][\"error\"][\"code\"] == -32600" <"$T/noversion.out"'
for v in 2025-11-25 2025-06-18 2025-03-26 2024-11-05 1999-01-01; do
	session "$(init $v)" | python3 -c 'import json,sys; print(json.load(sys.stdin)["result"]["protocolVersion"])'
done >"$T/versions.out"
t "mcp answers with the client's protocol version, else with its latest (2025-11-25)" \
	'[ "$(tr "\n" " " <"$T/versions.out")" = "2025-11-25 2025-06-18 2025-03-26 2024-11-05 2025-11-25 " ]'
batch='[{"jsonrpc":"2.0","id":1,"method":"ping"},{"jsonrpc":"2.0","id":2,"method":"tools/list"}]'
session "$batch" "$(init 2025-06-18)" "$batch" '[]' >"$T/batch.out"
t "mcp refuses a JSON-RPC batch, before initialize and in a 2025-06-18 session" \
	'pyl "len(a) == 4 and all(x[\"id\"] is None and x[\"error\"][\"code\"] == -32600 and \"batch\" in x[\"error\"][\"message\"] for x in a[:1] + a[2:]) and a[1][\"id\"] == \"i\"" <"$T/batch.out"'
session "$(init 2025-03-26)" "$batch" '[1, {"jsonrpc":"2.0","method":"notifications/initialized"}]' \
	'[{"jsonrpc":"2.0","method":"notifications/initialized"}]' >"$T/batch0326.out"
t "mcp answers a batch element by element in a 2025-03-26 session (the revision that has them)" \
	'pyl "len(a) == 3 and [x[\"id\"] for x in a[1]] == [1, 2] and a[1][0][\"result\"] == {} and \"tools\" in a[1][1][\"result\"] and a[2] == [{\"jsonrpc\": \"2.0\", \"id\": None, \"error\": {\"code\": -32600, \"message\": \"Invalid Request: not a JSON object\"}}]" <"$T/batch0326.out"'

# ---- doctor ------------------------------------------------------------------------
printf 'lockdown,capability,landlock,yama,apparmor\n' >"$T/lsm-nobpf"
printf 'lockdown,capability,landlock,yama,apparmor,bpf\n' >"$T/lsm-bpf"
# without bpf: the fmod_ret mode (ok), or FAIL where the kernel lacks CONFIG_BPF_LSM
t "doctor explains a missing bpf LSM: the fmod_ret mode, and how to enable the LSM" \
	'out=$("$AP" doctor --lsm-file "$T/lsm-nobpf"); [ $? = 1 ] &&
	 { echo "$out" | grep -q "^ok    bpf is not among the active LSMs.*attaches the hooks in fmod_ret mode" ||
	   { echo "$out" | grep -q "^FAIL  bpf is not among the active LSMs" &&
	     echo "$out" | grep -q "built without CONFIG_BPF_LSM"; }; } &&
	 echo "$out" | grep -q "lsm=lockdown,landlock,yama,apparmor,bpf" &&
	 echo "$out" | grep -q "GRUB_CMDLINE_LINUX" &&
	 echo "$out" | grep -q "update-grub" && echo "$out" | grep -q "reboot"'
t "doctor accepts an LSM list with bpf" \
	'"$AP" doctor --lsm-file "$T/lsm-bpf" | grep -q "^ok    bpf LSM active"'
t "doctor prints one ok/FAIL line per check" \
	'[ "$("$AP" doctor --lsm-file "$T/lsm-bpf" | grep -c "^\(ok  \|FAIL\)")" = 10 ]'
t "doctor probes struct_ops from modules in the kernel's BTF" \
	'out=$("$AP" doctor --lsm-file "$T/lsm-bpf");
	 echo "$out" | grep -q "^ok    struct_ops types from modules" ||
	 { echo "$out" | grep -q "^FAIL  this kernel cannot register a module.s struct_ops type" &&
	   echo "$out" | grep -q "Linux 6.9 or newer"; }'
t "doctor reports an unreadable LSM list" \
	'out=$("$AP" doctor --lsm-file "$T/missing"); [ $? = 1 ] && echo "$out" | grep -q "^FAIL  cannot read the active LSM list"'

for c in setup feedback-hook mcp doctor; do
	t "$c --help exits 0" '"$AP" '$c' --help | grep -qi usage'
done
