#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# Provenance: how a label got where it is.  Each test makes a flow happen
# (shell, Python, C), then asserts the chain the module reports for it: in
# the violation event (`watch --json`) and from `actplane why`.
. "$(dirname "$0")/lib.sh"

W=/tmp/approv POLICY=/tmp/approv/actplane.yaml
OP=$VMT/agent_op

setup() {
	"$AP" up >/dev/null
	mkdir -p $W
	mountpoint -q $W || mount -t tmpfs tmpfs $W
	echo "API_KEY=hunter2" > $W/.env
	echo "TOKEN=t0k3n" > $W/token.txt
	load 'source secret = file "**/.env"
source token = file "**/token.txt"
rule no-exfil:
  block connect "*" if secret or token
  because "secrets must not reach the network"'
}

# hops JSON LABEL: the chain of LABEL in the first event of the file, one
# "obj op comm name" line per hop, then "end: E more: N"
hops() {
	python3 - "$1" "$2" <<'EOF'
import json, sys
ev = json.loads(open(sys.argv[1]).readline())
for p in ev["provenance"]:
    if p["label"] != sys.argv[2]:
        continue
    for h in p.get("chain", []):
        print(h["obj"], h["op"], h["comm"], h["name"])
    print("end:", p.get("chain_end"), "more:", p.get("chain_more"))
EOF
}

# the hop lines' first three words (obj op comm), space-joined
shape() { hops "$@" | grep -v '^end:' | awk '{print $1 "/" $2 "/" $3}' | tr '\n' ' ' | sed 's/ $//'; }
records() { json_get "$(status_json)" "j['memory']['provenance']['records']"; }

# The flow of the issue: .env read by cat -> pipe -> tr -> cfg.json -> the
# uploader; three uploaders (bash, Python, C) are each refused, and each
# event carries the six hops back to the source.
t_five_hop_chain() {
	cd $W
	cat .env | tr a-z A-Z > cfg.json
	unlabel_self
	local want="file/write/tr process/read/tr pipe/write/cat process/read/cat file/source/cat"
	start_watch 1 $W/ev-bash.json
	got=$(bash -c 'read x < cfg.json; echo "$x" > /dev/udp/127.0.0.1/9 && echo ok || echo refused' 2>/dev/null)
	unlabel_self	# reading the labeled uploader's output labeled this shell
	wait $WATCH_PID
	expect_eq "bash uploader" "$got" refused
	expect_eq "bash chain" "$(shape $W/ev-bash.json secret)" "process/read/bash $want"
	start_watch 1 $W/ev-py.json
	got=$(python3 -c '
import socket, sys
data = open(sys.argv[1]).read().encode()
try:
    socket.socket(socket.AF_INET, socket.SOCK_DGRAM).sendto(data, ("127.0.0.1", 9)); print("ok")
except PermissionError:
    print("refused")' cfg.json)
	unlabel_self
	wait $WATCH_PID
	expect_eq "python uploader" "$got" refused
	expect_eq "python chain" "$(shape $W/ev-py.json secret)" "process/read/python3 $want"
	start_watch 1 $W/ev-c.json
	got=$("$OP" send 127.0.0.1 9 $W/cfg.json) || true
	unlabel_self
	wait $WATCH_PID
	expect_eq "C uploader" "$got" EPERM
	expect_eq "C chain" "$(shape $W/ev-c.json secret)" "process/read/agent_op $want"
	# names: the files by path, the processes by comm[pid], the source by its rule
	h=$(hops $W/ev-c.json secret)
	expect_contains "cfg.json hop" "$h" "file write tr $W/cfg.json"
	expect_contains ".env hop" "$h" "file source cat $W/.env"
	expect_contains "end" "$h" "end: origin more: 0"
	rule=$(json_get "$(head -n1 $W/ev-c.json)" "[h.get('rule') for p in j['provenance'] for h in p['chain'] if h['op']=='source'][0]")
	expect_eq "source hop names its rule" "$rule" 'source file **/.env'
}

# `actplane why` answers for a file and a live process at any time, in the
# same words, and names the hops' times.
t_why() {
	cd $W
	out=$("$AP" why $W/cfg.json secret)
	expect_contains "why file: head" "$out" '"secret":'
	expect_contains "why file: first hop" "$out" "file \"$W/cfg.json\" <- write by \"tr\"["
	expect_contains "why file: pipe hop" "$out" 'pipe "pipe:['
	expect_contains "why file: origin" "$out" "file \"$W/.env\" <- \"source file **/.env\", by \"cat\"["
	sh -c 'read x < cfg.json; sleep 30' &
	local pid=$!
	sleep 0.5
	out=$("$AP" why --pid $pid)
	kill $pid; wait $pid 2>/dev/null || true
	expect_contains "why pid: the process" "$out" "process \"sh[$pid]\" <- read at "
	expect_contains "why pid: back to the source" "$out" "<- \"source file **/.env\""
	# a label the target does not carry: a clear error
	err=$("$AP" why $W/cfg.json token 2>&1) && fail "why of an absent label succeeded"
	expect_contains "absent label" "$err" "does not carry that label"
}

# Unix socket, FIFO, shared mapping and a renamed file, in one chain.
t_channels_chain() {
	cd $W
	rm -f fifo; mkfifo fifo
	(cat .env > fifo) &
	sh -c 'read x < fifo; echo "$x" > mid.txt'
	wait
	mv mid.txt renamed.txt
	python3 - $W <<'EOF'
import mmap, os, socket, sys, time
w = sys.argv[1]
with open(w + "/map.bin", "wb") as f:
    f.write(b"\0" * 4096)
a, b = socket.socketpair(socket.AF_UNIX, socket.SOCK_STREAM)
pid = os.fork()
if pid == 0:
    # mapped shared and writable while unlabeled; labeled later by the socket
    f = open(w + "/map.bin", "r+b")
    m = mmap.mmap(f.fileno(), 4096, mmap.MAP_SHARED, mmap.PROT_READ | mmap.PROT_WRITE)
    data = b.recv(100)
    m[:len(data)] = data
    os._exit(0)
a.sendall(open(w + "/renamed.txt", "rb").read())
os.waitpid(pid, 0)
EOF
	unlabel_self
	start_watch 1 $W/ev-ch.json
	got=$("$OP" send 127.0.0.1 9 $W/map.bin) || true
	wait $WATCH_PID
	expect_eq "reader of the mapped file" "$got" EPERM
	expect_eq "chain" "$(shape $W/ev-ch.json secret)" \
		"process/read/agent_op file/map/python3 process/read/python3 socket/write/python3 process/read/python3 file/write/sh process/read/sh pipe/write/cat process/read/cat file/source/cat"
	h=$(hops $W/ev-ch.json secret)
	# the renamed file is named as it was when the label arrived
	expect_contains "file before the rename" "$h" "file write sh $W/mid.txt"
	expect_contains "the FIFO by its path" "$h" "pipe write cat $W/fifo"
	# an object gone from the chain is still shown as it was recorded
	rm -f $W/renamed.txt $W/fifo
	out=$("$AP" why $W/map.bin secret)
	expect_contains "the removed file's hop" "$out" "file \"$W/mid.txt\" <- write by \"sh\"["
	expect_contains "the removed FIFO's hop" "$out" "pipe \"$W/fifo\" <- write by \"cat\"["
}

# Two sources reaching one process: the event carries a chain for each.
t_two_sources() {
	cd $W
	start_watch 1 $W/ev-two.json
	got=$(sh -c "cat .env token.txt > both.txt; $OP send 127.0.0.1 9 $W/both.txt") || true
	wait $WATCH_PID
	unlabel_self
	expect_eq "sender" "$got" EPERM
	expect_eq "secret chain" "$(shape $W/ev-two.json secret)" \
		"process/read/agent_op file/write/cat process/read/cat file/source/cat"
	expect_eq "token chain" "$(shape $W/ev-two.json token)" \
		"process/read/agent_op file/write/cat process/read/cat file/source/cat"
	expect_contains "token source" "$(hops $W/ev-two.json token)" "file source cat $W/token.txt"
}

# A chain longer than 16 hops: 16 are shown, the rest counted.
t_long_chain() {
	cd $W
	cp .env hop0
	for i in $(seq 1 12); do
		sh -c "cat hop$((i - 1)) > hop$i"
	done
	out=$("$AP" why $W/hop12 secret)
	expect_eq "lines" "$(printf '%s\n' "$out" | grep -c ' <- ')" 16
	expect_contains "rest counted" "$out" "... 11 more hops"
}

# With the records' budget used up, arrivals go unrecorded and chains say
# so; the labels themselves still arrive (provenance never fails a store).
t_budget_cut() {
	cd $W
	local dropped
	dropped=$(counter provenance_dropped)
	# 128 KiB of labels, so 32 KiB of records: 600 labeled files need more
	"$AP" limits --bytes 128K
	mkdir -p many
	sh -c 'read x < .env; for i in $(seq 600); do echo "$x" > many/f$i; done'
	"$AP" limits --bytes 16M
	[ "$(counter provenance_dropped)" -gt "$dropped" ] || fail "no arrival went unrecorded"
	expect_eq "last file still labeled" "$("$AP" labels $W/many/f600)" secret
	out=$("$AP" why $W/many/f600 secret)
	expect_contains "cut chain" "$out" "not recorded further"
	rm -rf many
}

# Recording on or off, the same operations get the same decisions.
t_recording_off_same_decisions() {
	cd $W
	local n r mode
	for mode in off on; do
		"$AP" limits --provenance $mode
		r=$(records)
		start_watch 1 $W/ev-$mode.json
		got=$(sh -c "cat .env | tr a-z A-Z > cfg-$mode.json; $OP send 127.0.0.1 9 $W/cfg-$mode.json") || true
		wait $WATCH_PID
		unlabel_self
		expect_eq "sender ($mode)" "$got" EPERM
		got=$("$OP" send 127.0.0.1 9 $W/token.txt) || true
		unlabel_self
		expect_eq "token sender ($mode)" "$got" EPERM
		n=$(hops $W/ev-$mode.json secret | grep -c -v '^end:' || true)
		if [ $mode = off ]; then
			expect_eq "no hops while off" "$n" 0
			expect_contains "off: unrecorded" "$(hops $W/ev-$mode.json secret)" "end: unrecorded"
			expect_eq "status says off" "$(json_get "$(status_json)" "j['memory']['provenance']['recording']")" False
			[ "$(records)" -le "$r" ] || fail "records made while recording was off"
		else
			expect_eq "hops while on" "$n" 6
		fi
	done
}

# Agent-chosen file names reach the terminal escaped: no control
# characters, no line that the name starts.
t_hostile_names() {
	cd $W
	local evil=$'evil\n- Effect: none\e[31m.txt'
	sh -c 'read x < .env; echo "$x" > "$1"' sh "$W/$evil"
	out=$("$AP" why "$W/$evil" secret)
	printf '%s' "$out" | grep -q $'\e' && fail "raw ESC in why output"
	printf '%s\n' "$out" | grep -q '^- Effect' && fail "a name started a line"
	expect_contains "escaped newline" "$out" '\n- Effect'
	rm -f "$W/$evil"
}

# Records go with their objects: a flow whose processes, pipe and file are
# all gone leaves nothing behind.
t_records_freed() {
	cd $W
	local before now
	before=$(records)
	sh -c "cat .env | tr a-z A-Z > tmp1; cat tmp1 > tmp2; rm tmp1 tmp2"
	unlabel_self
	for _ in $(seq 50); do
		now=$(records)
		[ "$now" -le "$before" ] && break
		sleep 0.2
	done
	expect_eq "records after the flow is gone" "$now" "$before"
	kernel_clean
}

# `actplane run` (the agent as uid 1000): the printed block, the feedback
# file, violations.jsonl and the feedback hook all carry the chain.
t_run_files_carry_chain() {
	local ws=$W/ws
	rm -rf $ws; mkdir -p $ws
	echo "API_KEY=hunter2" > $ws/.env
	cat > $ws/actplane.yaml <<'Y'
version: 1
policy: |
  source secret = file "**/.env"
  rule no-exfil:
    block connect "*" if secret
    because "secrets must not reach the network"
Y
	chown -R 1000:1000 $ws
	SUDO_UID=1000 SUDO_GID=1000 "$AP" run --policy $ws/actplane.yaml --log $W/run.log -- \
		sh -c "cd $ws && cat .env | tr a-z A-Z > cfg.json && python3 -c '
import socket
try:
    socket.socket(socket.AF_INET, socket.SOCK_DGRAM).sendto(open(\"cfg.json\").read().encode(), (\"127.0.0.1\", 9))
except PermissionError:
    pass'" >/dev/null 2>&1 || true
	"$AP" load $POLICY >/dev/null	# run replaced the suite's policy
	log=$(cat $W/run.log)
	expect_contains "run's block" "$log" 'how "secret" got here (newest first):'
	expect_contains "run's block: the file hop" "$log" "file \"$ws/cfg.json\" <- write by \"tr\"["
	fb=$(cat $ws/.actplane/last-violation.txt)
	expect_contains "feedback file" "$fb" '- How "secret" got here (newest first):'
	expect_contains "feedback file: origin" "$fb" "file \"$ws/.env\" <- \"source file **/.env\", by \"cat\"["
	python3 - $ws/.actplane/violations.jsonl <<'PY' || fail "jsonl: $(cat $ws/.actplane/violations.jsonl)"
import json, sys
v = [json.loads(l) for l in open(sys.argv[1])][-1]
c = [p for p in v["provenance"] if p["label"] == "secret"][0]
shape = [(h["obj"], h["op"], h["comm"]) for h in c["chain"]]
assert shape == [("process", "read", "python3"), ("file", "write", "tr"), ("process", "read", "tr"),
                 ("pipe", "write", "cat"), ("process", "read", "cat"), ("file", "source", "cat")], shape
assert c["chain_end"] == "origin" and c["chain_more"] == 0, c
PY
	out=$(echo "{\"hook_event_name\":\"PostToolUse\",\"cwd\":\"$ws\"}" |
		setpriv --reuid 1000 --regid 1000 --clear-groups "$AP" feedback-hook)
	expect_contains "feedback hook" "$out" 'How \"secret\" got here'
}

setup
run_test "a five-hop chain (.env | tr > cfg.json; upload) in the event, from sh, Python and C" t_five_hop_chain
run_test "actplane why: a file and a live process" t_why
run_test "a chain through a FIFO, a renamed file, a Unix socket and a shared mapping" t_channels_chain
run_test "two sources reaching one process: a chain each" t_two_sources
run_test "a long chain: 16 hops shown, the rest counted" t_long_chain
run_test "records' budget used up: chains say they are cut, labels still arrive" t_budget_cut
run_test "recording on or off: the same decisions" t_recording_off_same_decisions
run_test "hostile file names in a chain are escaped" t_hostile_names
run_test "actplane run: the printed block, feedback file, jsonl and hook carry the chain" t_run_files_carry_chain
run_test "records go with their objects" t_records_freed
"$AP" down >/dev/null
