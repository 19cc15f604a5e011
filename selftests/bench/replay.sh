#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
# Agent-like session replay (macro benchmark), run inside the benchmark root:
# what a coding agent does between thoughts — list, grep, read, edit a file
# with sed, check git status/diff, run a small test, append notes, commit —
# many short execs with reads and writes in a git working tree.
#   replay.sh TREE ROUNDS        TREE is a git repository (committed once)
set -e
cd "$1"
rounds=$2
nmod=$(ls src | grep -c '^mod_.*\.c$')
export HOME=/tmp GIT_CONFIG_NOSYSTEM=1 GIT_AUTHOR_NAME=agent GIT_COMMITTER_NAME=agent \
	GIT_AUTHOR_EMAIL=agent@example.invalid GIT_COMMITTER_EMAIL=agent@example.invalid
i=0
while [ $i -lt "$rounds" ]; do
	m=$(printf %03d $((i * 37 % nmod)))
	t=$(printf %03d $((i * 37 % nmod / 10 * 10)))
	ls -la src > /dev/null
	git status --porcelain > /dev/null
	grep -rn "TODO" src docs | head -n 20 > /dev/null
	cat src/mod_$m.c > /dev/null
	sed -n '10,30p' src/mod_$m.c > /dev/null
	sed -i "s/TODO: tune/DONE: tuned/" src/mod_$m.c
	find docs -name '*.md' | wc -l > /dev/null
	git diff --stat > /dev/null
	[ -f tests/test_$t.sh ] && sh tests/test_$t.sh
	echo "round $i: edited mod_$m" >> NOTES.md
	git add -A
	git -c gc.auto=0 commit -q -m "round $i: mod_$m"
	git log --oneline -n 5 > /dev/null
	wc -l src/*.c | tail -n 1 > /dev/null
	mkdir -p scratch
	cp src/mod_$m.c scratch/
	rm -rf scratch
	i=$((i + 1))
done
