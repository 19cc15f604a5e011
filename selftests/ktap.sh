# SPDX-License-Identifier: GPL-2.0-only
# KTAP output for the shell suites (host and in-VM), after the kernel's
# ktap_helpers.sh; scripts/check.sh counts the result lines.  Source it:
#   ktap_ok NAME | ktap_not_ok NAME [WHY] | ktap_skip NAME WHY
#     one result "ok N NAME", "not ok N NAME # WHY", "ok N NAME # SKIP WHY",
#     numbered from 1 in this shell (call them from the suite's shell, not
#     from a subshell or a pipeline, or the numbers repeat)
#   ktap_relay < FILE   the results of another KTAP program (a C helper),
#                       renumbered as this suite's, with its "#" lines
#   ktap_finish         the plan "1..N" and "# Totals: pass:X fail:Y skip:Z";
#                       returns 1 if a result failed
# A suite does not know how many results it will have, so the plan comes
# last (TAP allows it; KTAP makes the plan optional when the count is not
# known in advance).  The version line is printed when this file is sourced.
KTAP_N=0 KTAP_PASS=0 KTAP_FAIL=0 KTAP_SKIP=0
echo "KTAP version 1"

# a KTAP description: one line, no '#'
_ktap_name() { printf '%s' "$*" | tr '\n#' ' %'; }

ktap_ok() {
	KTAP_N=$((KTAP_N + 1)) KTAP_PASS=$((KTAP_PASS + 1))
	echo "ok $KTAP_N $(_ktap_name "$1")"
}

ktap_not_ok() {
	KTAP_N=$((KTAP_N + 1)) KTAP_FAIL=$((KTAP_FAIL + 1))
	echo "not ok $KTAP_N $(_ktap_name "$1")${2:+ # $(printf '%s' "$2" | tr '\n' ' ')}"
}

ktap_skip() {
	KTAP_N=$((KTAP_N + 1)) KTAP_SKIP=$((KTAP_SKIP + 1))
	echo "ok $KTAP_N $(_ktap_name "$1") # SKIP $(printf '%s' "$2" | tr '\n' ' ')"
}

ktap_relay() {
	local line re='^(not ok|ok) [0-9]+ (.*)$' name why
	while IFS= read -r line; do
		if [[ $line =~ $re ]]; then
			name=${BASH_REMATCH[2]}
			if [ "${BASH_REMATCH[1]}" = "not ok" ]; then
				ktap_not_ok "${name%% # *}" "$([[ $name == *' # '* ]] && echo "${name#* # }")"
			elif [[ $name == *' # SKIP'* ]]; then
				why=${name#* # SKIP}
				ktap_skip "${name%% # SKIP*}" "${why# }"
			else
				ktap_ok "${name%% # *}"
			fi
		elif [[ $line == '#'* && $line != '# Totals:'* ]]; then
			printf '%s\n' "$line"
		fi
	done
}

ktap_finish() {
	echo "1..$KTAP_N"
	echo "# Totals: pass:$KTAP_PASS fail:$KTAP_FAIL skip:$KTAP_SKIP"
	[ "$KTAP_FAIL" = 0 ]
}
