#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# A declassifier is trusted by its path; its caller controls its environment
# (issue #14, item 14).  The trust must go to the program, not to code the
# caller slips into it: LD_PRELOAD into a root-owned ELF declassifier, a
# `sed` found first on the caller's PATH by a script declassifier, and
# BASH_ENV in a bash one each try to read the secret under the
# declassifier's immunity and send it.  Controls: the same declassifiers,
# run cleanly, still declassify.
. "$(dirname "$0")/lib.sh"

T=/tmp/aptrust POLICY=/tmp/aptrust/actplane.yaml

setup() {
	"$AP" up >/dev/null
	mkdir -p $T
	mountpoint -q $T || mount -t tmpfs tmpfs $T
	mkdir -p $T/trusted $T/plain $T/evil $T/out
	echo "API_KEY=hunter2" > $T/secret.env
	# exfil.py SECRET OUT: read SECRET, send it to 127.0.0.1:9, write OK or EPERM to OUT
	cat > $T/exfil.py <<'PY'
import socket, sys
data = open(sys.argv[1], "rb").read()
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
try:
    s.sendto(data, ("127.0.0.1", 9))
    res = "OK"
except PermissionError:
    res = "EPERM"
open(sys.argv[2], "w").write(res)
PY
	# root-owned declassifiers: an ELF, a sh script that runs sed from PATH, a bash script
	cp /usr/bin/cat $T/trusted/cat-elf
	cp /usr/bin/cat $T/plain/cat-elf
	printf '#!/bin/sh\nsed -e "s/=.*/=REDACTED/" "$1"\n' > $T/trusted/redact
	printf '#!/bin/bash\nsed -e "s/=.*/=REDACTED/" "$1"\n' > $T/trusted/redact-bash
	chmod 755 $T/trusted/*
	# the agent's own sed, first on its PATH, and its BASH_ENV file
	printf '#!/usr/bin/python3\nimport runpy, sys\nsys.argv = ["exfil", "%s", "%s"]\nrunpy.run_path("%s")\n' \
		$T/secret.env $T/out/sed $T/exfil.py > $T/evil/sed
	printf 'python3 %s %s %s\n' $T/exfil.py $T/secret.env $T/out/bash_env > $T/evil/env.sh
	chmod 755 $T/evil/sed
	chown -R 1000:1000 $T/evil $T/out
	load 'source SECRET = file "**/secret.env"
declassify SECRET by exec "'$T'/trusted/*"
rule no-exfil:
  block connect endpoint "127.0.0.1" if SECRET
  because "secrets must not reach the network"'
}

# outcome NAME: what the payload wrote (or "not-run")
outcome() { cat "$T/out/$1" 2>/dev/null || echo not-run; }

t_preload_control() {
	rm -f $T/out/*
	AP_EXFIL_SECRET=$T/secret.env AP_EXFIL_OUT=$T/out/plain \
		LD_PRELOAD=$VMT/libpreload_exfil.so $T/plain/cat-elf /dev/null
	expect_eq "payload in an untrusted program" "$(outcome plain)" EPERM
}

t_preload_trusted() {
	rm -f $T/out/*
	AP_EXFIL_SECRET=$T/secret.env AP_EXFIL_OUT=$T/out/trusted \
		LD_PRELOAD=$VMT/libpreload_exfil.so $T/trusted/cat-elf /dev/null
	# secure-execution mode: the loader ignores the caller's preload
	expect_eq "payload in a trusted ELF declassifier" "$(outcome trusted)" not-run
}

t_path_sed() {
	rm -f $T/out/*
	before=$(counter immunity_dropped 2>/dev/null || echo 0)
	PATH=$T/evil:$PATH $T/trusted/redact $T/secret.env >/dev/null
	expect_eq "the caller's sed run by a trusted script" "$(outcome sed)" EPERM
	[ "$(counter immunity_dropped)" -gt "$before" ] || fail "immunity_dropped not counted"
}

t_bash_env() {
	rm -f $T/out/*
	before=$(counter trust_withheld 2>/dev/null || echo 0)
	BASH_ENV=$T/evil/env.sh $T/trusted/redact-bash $T/secret.env >/dev/null
	expect_eq "BASH_ENV code in a trusted bash script" "$(outcome bash_env)" EPERM
	[ "$(counter trust_withheld)" -gt "$before" ] || fail "trust_withheld not counted"
}

# the declassifiers still work when run as they are: their output carries
# no SECRET, so it may be sent
t_trusted_controls() {
	for d in redact redact-bash; do
		rm -f $T/out/*
		$T/trusted/$d $T/secret.env > $T/out/$d.txt
		python3 $T/exfil.py $T/out/$d.txt $T/out/res
		unlabel_self
		expect_eq "$d output sent" "$(cat $T/out/res)" OK
		expect_eq "$d output" "$(cat $T/out/$d.txt)" "API_KEY=REDACTED"
	done
	$T/trusted/cat-elf $T/secret.env > $T/out/cat.txt
	python3 $T/exfil.py $T/out/cat.txt $T/out/res
	unlabel_self
	expect_eq "trusted cat output sent" "$(cat $T/out/res)" OK
	kernel_clean
}

setup
run_test "trusted exec: control: a preloaded payload in an untrusted program is labeled" t_preload_control
run_test "trusted exec: LD_PRELOAD into a trusted ELF declassifier does not run" t_preload_trusted
run_test "trusted exec: a sed on the caller's PATH run by a trusted script is not immune" t_path_sed
run_test "trusted exec: BASH_ENV withholds a bash declassifier's trust" t_bash_env
run_test "trusted exec: the declassifiers, run cleanly, still declassify" t_trusted_controls
"$AP" unload >/dev/null 2>&1
"$AP" down >/dev/null 2>&1
