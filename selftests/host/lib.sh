# SPDX-License-Identifier: GPL-2.0-only
# Shared by the host shell tests: `. "$(dirname "$0")/lib.sh" PREFIX` sets AP
# (build/actplane, absolute), T (a temp directory removed at exit) and t, and
# prints KTAP (selftests/ktap.sh): the version line now, the plan and totals
# at exit, when the script's exit status also becomes 1 if a result failed.
AP=${ACTPLANE_TOP:-.}/build/actplane
AP=$(cd "$(dirname "$AP")" && pwd)/$(basename "$AP")
T=$(mktemp -d "/tmp/actplane-$1.XXXXXX")
. "$(dirname "${BASH_SOURCE[0]}")/../ktap.sh"
trap '_rc=$?; ktap_finish || _rc=1; rm -rf "$T"; exit $_rc' EXIT
TAP_PREFIX=$1

# t NAME COMMANDS: one result, "ok N PREFIX: NAME" or "not ok N ... # last output"
t() {
	local out
	if out=$(eval "$2" 2>&1); then
		ktap_ok "$TAP_PREFIX: $1"
	else
		ktap_not_ok "$TAP_PREFIX: $1" "$(echo "$out" | tail -n 3 | tr '\n' ' ')"
	fi
}
