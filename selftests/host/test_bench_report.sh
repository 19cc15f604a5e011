#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# Host tests of the benchmark report's target verdicts (selftests/bench/report.py):
# a target missed by less than the noise of its own trials must say so, and
# one missed by more must not be excused; a quotient over what the no-op
# programs add is given only where that is above the noise, and a quotient
# missed by less than its trials' noise says so.
. "$(dirname "$0")/lib.sh" bench-report
top=$(cd "${ACTPLANE_TOP:-.}" && pwd)

# call FUNC SUMMARY ARGS: the targets rows report.FUNC(L, SUMMARY, *ARGS) writes
# (SUMMARY a JSON object, ARGS a JSON array)
call() {
	PYTHONDONTWRITEBYTECODE=1 python3 - "$top/selftests/bench" "$@" <<'PY'
import json, sys
sys.path.insert(0, sys.argv[1])
import report
L = []
getattr(report, sys.argv[2])(L, json.loads(sys.argv[3]), *json.loads(sys.argv[4]))
print("\n".join(L))
PY
}
# rows: the (h)÷(a) row for a fork limit of 1.03, with the no-op floor
rows() { call abs_rows "$1" '[{"fork": 1.03}, "h", ", labeled agent", true]'; }
# added: the "(e)−(a) ≤ 2 × ((b)−(a))" row for open
added() { call added_rows "$1" '[["open"], "e", 2]'; }

noisy='{"b": {"fork": {"ratio": 0.99}}, "h": {"fork": {"ratio": 1.038, "spread": 0.05}}}'
clear='{"b": {"fork": {"ratio": 0.99}}, "h": {"fork": {"ratio": 1.080, "spread": 0.05}}}'
met='{"b": {"fork": {"ratio": 0.99}}, "h": {"fork": {"ratio": 1.020, "spread": 0.05}}}'
floor='{"b": {"fork": {"ratio": 1.05}}, "h": {"fork": {"ratio": 1.090, "spread": 0.002}}}'

t "a miss smaller than half the trials' spread is marked as within the noise" \
	'rows "$noisy" | grep -F "| 1.038 | **missed**" | grep -F "within the noise" | grep -F "(0.050)"'
t "a miss larger than half the spread is not excused" \
	'r=$(rows "$clear"); echo "$r" | grep -F "| 1.080 | **missed**" && ! echo "$r" | grep -F noise'
t "a met target carries no remark" \
	'r=$(rows "$met"); echo "$r" | grep -F "| 1.020 | met |" && ! echo "$r" | grep -F -e noise -e no-op'
t "a floor over the limit is still named, and a tight run is not called noise" \
	'r=$(rows "$floor"); echo "$r" | grep -F "no-op programs (b): 1.050, over the target" &&
	 ! echo "$r" | grep -F noise'
# the floor under the limit: (c), the hooks with no policy, is named too
# (here over the limit: nothing the rules do could meet it)
hooks='{"b": {"fork": {"ratio": 1.01}}, "c": {"fork": {"ratio": 1.035}}, "h": {"fork": {"ratio": 1.060, "spread": 0.002}}}'
t "a floor under the limit names what the hooks with no policy cost" \
	'r=$(rows "$hooks"); echo "$r" | grep -F "no-op programs (b): 1.010; hooks with no policy (c): 1.035, over the target" &&
	 ! rows "$floor" | grep -F "(c)"'

# the replay's row (report.write() passes the macro summary this way): four
# digits, and a miss names the no-op floor (b) and the hooks with no policy (c)
replay='{"b": {"agent replay": {"ratio": 1.0042}}, "c": {"agent replay": {"ratio": 1.0063}},
	"h": {"agent replay": {"ratio": 1.0223, "spread": 0.0044}}}'
t "the replay's missed row names its floors" \
	'call abs_rows "$replay" "[{\"agent replay\": 1.01}, \"h\", \", labeled agent\", true, 4]" |
	 grep -F "| agent replay, labeled agent ≤ 1.01x | (h)÷(a) | 1.0223 | **missed**; no-op programs (b): 1.0042; hooks with no policy (c): 1.0063 |"'

# (b) adds 10 instructions, but its trials spread by 4%: the quotient is noise
tiny='{"b": {"open": {"ratio": 1.002, "spread": 0.04, "added": 10}}, "e": {"open": {"added": 60}}}'
# (b) adds 180 with a tight spread: 450 over it is a real miss, 300 a met target
over='{"b": {"open": {"ratio": 1.035, "spread": 0.002, "added": 180}}, "e": {"open": {"added": 450}}}'
under='{"b": {"open": {"ratio": 1.035, "spread": 0.002, "added": 180}}, "e": {"open": {"added": 300}}}'
t "a no-op cost within its trials' noise gives no quotient and no verdict" \
	'r=$(added "$tiny"); echo "$r" | grep -F "| — | n/a: (b)−(a) is within the noise" &&
	 ! echo "$r" | grep -F -e missed -e "| met"'
t "a no-op cost above the noise gives the quotient and its verdict" \
	'added "$over" | grep -F "| 2.50 | **missed** |" && added "$under" | grep -F "| 1.67 | met |"'
# an exec-like benchmark: (b) adds 8,600 of a million, above the noise of its
# trials, but (e)'s trials spread by 2%: 20,400 added (2.37 times) cannot be told
# from 17,200 (2 times), so the miss is marked as noise; with a tight spread it is not
exec_noisy='{"b": {"open": {"ratio": 1.0086, "spread": 0.015, "added": 8600, "a_median": 1000000}},
	"e": {"open": {"ratio": 1.0204, "spread": 0.02, "added": 20400, "a_median": 1000000}}}'
exec_tight='{"b": {"open": {"ratio": 1.0086, "spread": 0.001, "added": 8600, "a_median": 1000000}},
	"e": {"open": {"ratio": 1.0204, "spread": 0.001, "added": 20400, "a_median": 1000000}}}'
t "a quotient missed by less than its trials' spread is marked as within the noise" \
	'added "$exec_noisy" | grep -F "| 2.37 | **missed**; 3200 instructions over" |
	 grep -F "spread (25000), so within the noise |"'
t "a quotient missed by more than its trials' spread is not excused" \
	'r=$(added "$exec_tight"); echo "$r" | grep -F "| 2.37 | **missed** |" && ! echo "$r" | grep -F noise'
