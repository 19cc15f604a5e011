#!/usr/bin/env bash
# The demo, run inside the VM by `make demo` (module already inserted):
# bring ActPlane up, show the BPF hook -> kfunc counter moving, ask the
# enforcer for decisions, switch to the audit enforcer, bring it down.
set -e
step() { printf '\n\033[1m== %s\033[0m\n' "$*"; }
run() { printf '$ %s\n' "$*"; "$@"; }

step "The module is loaded; nothing is attached yet"
run actplane status
step "Attach the BPF LSM hooks and the default enforcer (links pinned in bpffs)"
run actplane up
run ls /sys/fs/bpf/actplane
step "Every open on the machine now passes the file_open hook into the module"
before=$(actplane status --json | python3 -c 'import json,sys; print(json.load(sys.stdin)["hooks"][0]["hits"])')
run sh -c 'for i in $(seq 100); do cat /etc/hostname >/dev/null; done'
after=$(actplane status --json | python3 -c 'import json,sys; print(json.load(sys.stdin)["hooks"][0]["hits"])')
echo "file_open calls into the module: $before -> $after"
step "The module consults the struct_ops enforcer on a rule match"
run actplane enforcer test block
step "Switch to the audit enforcer (dry run: everything becomes notify)"
run actplane enforcer audit
run actplane enforcer test kill
run actplane status
step "Detach everything; the module can be unloaded"
run actplane down
run rmmod actplane
echo
echo "Demo complete. (The policy engine and a scripted agent come with later milestones.)"
