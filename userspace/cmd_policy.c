// SPDX-License-Identifier: GPL-2.0-only
/*
 * `actplane check`, `actplane compile` and `actplane init`: the policy
 * language commands.  They are implemented in the policy library
 * (userspace/policy/cli.c) so host tests can drive them; this file wires them
 * into the tool: their declarations (no .usage: each answers --help and
 * parses its options itself, in the library).
 */
#include <stdio.h>

#include "cmd.h"
#include "policy/policy.h"

AP_COMMAND(cmd_check, .name = "check", .order = 20, .args = "[FILE | - | --policy F] [--strict]",
	   .help = "check a policy file");
AP_COMMAND(cmd_compile, .name = "compile", .order = 30, .args = "--dump [--json] [--policy F]",
	   .help = "show the compiled policy");
AP_COMMAND(cmd_init, .name = "init", .order = 50, .args = "[--force]",
	   .help = "write a starter actplane.yaml");

static int cmd_check(int argc, char **argv)
{
	return ap_cli_check(argc, argv, stdout, stderr);
}

static int cmd_compile(int argc, char **argv)
{
	return ap_cli_compile(argc, argv, stdout, stderr);
}

static int cmd_init(int argc, char **argv)
{
	return ap_cli_init(argc, argv, stdout, stderr);
}
