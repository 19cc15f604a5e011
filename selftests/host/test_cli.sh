#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# Host tests of the actplane tool's command line (no module needed).
. "$(dirname "$0")/lib.sh" cli

t "--help lists every command" '"$AP" --help | grep -q "^  status" && "$AP" --help | grep -q "^  label "'
t "unknown command exits 2 with a message" 'out=$("$AP" frobnicate 2>&1); [ $? = 2 ] && echo "$out" | grep -q "unknown command"'
for c in status up down enforcer label labels session limits check compile init; do
	t "$c --help exits 0" '"$AP" '$c' --help | grep -qi usage'
done
t "status without the module explains how to load it" \
	'out=$("$AP" status 2>&1); [ $? = 1 ] && echo "$out" | grep -q "module is not loaded"'
t "enforcer test rejects an unknown effect" '"$AP" enforcer test maybe 2>&1 | grep -q "unknown effect"'
t "limits rejects a bad size" '"$AP" limits --bytes 12Q 2>&1 | grep -q "invalid size"'
t "label add needs a label" '! "$AP" label add --pid 1 2>/dev/null'
