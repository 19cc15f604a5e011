#!/usr/bin/env bash
# The demo, run inside the VM by `make demo` (module inserted): the boot
# service's start sets the machine up (hooks, the policy, group 1000 may start
# sessions), then uid 1000 runs a scripted agent under `actplane run` itself,
# without root; we see one notify, two blocks and a kill, the feedback the
# agent receives, and the event stream from `actplane watch`.
set -e
top=$ACTPLANE_TOP
step() { printf '\n\033[1m== %s\033[0m\n' "$*"; }

W=/tmp/actplane-demo
rm -rf $W && mkdir -p $W && cp -r "$top/demo/." $W/
echo "API_KEY=sk-demo-1234" > $W/.env
git -C $W init -q && git -C $W -c user.email=a@b -c user.name=agent commit -q --allow-empty -m init
chown -R 1000:1000 $W
export PATH=$W/bin:$PATH DEMO_SEND="$top/build/vm-tests/agent_op pipe-send" \
	DEMO_WRITE="$top/build/vm-tests/agent_op write"
# agent_op takes the operation as its first argument
printf '#!/bin/sh\nexec %s pipe-send "$@"\n' "$top/build/vm-tests/agent_op" > $W/bin/send
printf '#!/bin/sh\nexec %s write "$@"\n' "$top/build/vm-tests/agent_op" > $W/bin/write-file
chmod +x $W/bin/send $W/bin/write-file
export DEMO_SEND=$W/bin/send DEMO_WRITE=$W/bin/write-file

step "The policy ($W/actplane.yaml)"
sed -n '/policy: |/,$p' $W/actplane.yaml
step "actplane check"
actplane check --policy $W/actplane.yaml

step "As root, once: actplane service start   (what actplane.service does at boot)"
printf 'session_group = 1000\nbase_policy = %s\n' $W/actplane.yaml > /tmp/demo-actplane.conf
cat /tmp/demo-actplane.conf
actplane service start --config /tmp/demo-actplane.conf

step "actplane watch --json, in the background (root sees every event)"
actplane watch --json > /tmp/demo-events.jsonl 2>/dev/null &
watcher=$!

step "As uid 1000, no sudo: actplane run -- ./agent.sh"
set +e
(cd $W && setpriv --reuid 1000 --regid 1000 --groups 1000 --inh-caps=-all --bounding-set=-all \
	actplane run -- $W/agent.sh)
rc=$?
set -e
echo "actplane run exited with the agent's status: $rc"
sleep 0.5
kill $watcher 2>/dev/null || true

step "How the secret reached the uploader: actplane why $W/build/config.json"
actplane why $W/build/config.json secret
step "What the agent is told: $W/.actplane/last-violation.txt"
cat $W/.actplane/last-violation.txt
step "Every violation, one JSON line each: $W/.actplane/violations.jsonl"
python3 - $W/.actplane/violations.jsonl <<'PY'
import json, sys
for line in open(sys.argv[1]):
    v = json.loads(line)
    print("  %-6s %-8s %-26s %s" % (v["effect"], v["op"], v["rule"], v["target"]))
PY
step "The same events from actplane watch --json (first one)"
head -n1 /tmp/demo-events.jsonl
step "actplane status"
actplane status | sed -n '1,3p;/^labels/,/^counters/p'
actplane unload >/dev/null; actplane service stop >/dev/null
echo
echo "Demo complete."
