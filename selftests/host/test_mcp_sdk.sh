#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# `actplane mcp` against a real client: the official MCP TypeScript SDK
# (@modelcontextprotocol/sdk, pinned by selftests/host/mcp-client/package.json
# and package-lock.json, installed under build/mcp-client by `make deps`)
# runs selftests/host/mcp-client/client.mjs: initialize and the version
# negotiated, every tool (its structuredContent checked against its
# outputSchema), every resource, an unknown tool, an oversized argument.  One
# KTAP result per check.  Without Node.js or the SDK this fails: run make deps.
# The raw protocol (lifecycle, batches, bad initialize) is tested in test_ux.sh.
. "$(dirname "$0")/lib.sh" mcp-sdk
top=$(cd "${ACTPLANE_TOP:-.}" && pwd)
SDK=${ACTPLANE_BUILD:-$top/build}/mcp-client
MC=$top/selftests/host/mcp-client

want=$(sed -n 's|.*"@modelcontextprotocol/sdk": *"\([^"]*\)".*|\1|p' "$MC/package.json")
if ! command -v node >/dev/null; then
	ktap_not_ok "mcp-sdk: Node.js is installed" "run 'make deps' (as root)"
	exit 1
fi
have=$(node -p 'require(process.argv[1]).version' \
	"$SDK/node_modules/@modelcontextprotocol/sdk/package.json" 2>/dev/null)
if [ "$have" != "$want" ]; then
	ktap_not_ok "mcp-sdk: @modelcontextprotocol/sdk $want is installed in $SDK" \
		"found: ${have:-nothing}: run 'make deps' (as root)"
	exit 1
fi

# a workspace with a policy and one recorded violation
W=$T/ws
if ! mkdir -p "$W/.actplane" || ! (cd "$W" && "$AP" init >/dev/null); then
	ktap_not_ok "mcp-sdk: a workspace set up with 'actplane init'"
	exit 1
fi
python3 -c 'import json
print(json.dumps({"seq": 1, "time": "2025-05-01T10:00:00Z", "pid": 4242, "ppid": 4200,
    "uid": 1000, "comm": "git", "exe": "/usr/bin/git", "session": 3, "op": "exec",
    "target": "/usr/bin/git", "argv": ["git", "push", "origin", "main"],
    "rule": "no-agent-push", "effect": "block", "proposed": "block", "blocked": True,
    "killed": False, "labels": ["AGENT"],
    "provenance": [{"label": "AGENT", "from": "exec /usr/bin/claude"}],
    "because": "Pushing is left to the user.", "enforcer": "enforce"}))' \
	>"$W/.actplane/violations.jsonl"

# the script resolves the SDK from its own directory
cp "$MC/client.mjs" "$T/client.mjs"
ln -s "$SDK/node_modules" "$T/node_modules"
# client.mjs prints KTAP of its own: its results become this script's
timeout 300 node "$T/client.mjs" "$AP" "$W" 2>"$T/node.err" >"$T/tap"
rc=$?
ktap_relay <"$T/tap"
if [ "$rc" != 0 ] && ! grep -qE '^not ok [0-9]+ ' "$T/tap"; then
	ktap_not_ok "mcp-sdk: client.mjs ended normally" \
		"exit $rc: $(grep -m 1 'Error' "$T/node.err" || tail -n 1 "$T/node.err")"
fi
exit "$rc"
