# SPDX-License-Identifier: GPL-2.0-only
# Shared by the host shell tests: `. "$(dirname "$0")/lib.sh" PREFIX` sets AP
# (build/actplane, absolute), T (a temp directory removed at exit) and t.
AP=${ACTPLANE_TOP:-.}/build/actplane
AP=$(cd "$(dirname "$AP")" && pwd)/$(basename "$AP")
T=$(mktemp -d "/tmp/actplane-$1.XXXXXX")
trap 'rm -rf "$T"' EXIT
TAP_PREFIX=$1

# t NAME COMMANDS: one "ok - PREFIX: NAME" or "not ok - ...: last output" line
t() {
	local out
	if out=$(eval "$2" 2>&1); then
		echo "ok - $TAP_PREFIX: $1"
	else
		echo "not ok - $TAP_PREFIX: $1: $(echo "$out" | tail -n 3 | tr '\n' ' ')"
	fi
}
