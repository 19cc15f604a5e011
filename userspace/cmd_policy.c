// SPDX-License-Identifier: GPL-2.0-only
/*
 * `actplane check`, `actplane compile` and `actplane init`: the policy
 * language commands.  They are implemented in the policy library
 * (userspace/policy/cli.c) so host tests can drive them; this file wires them
 * into the tool's command table.
 */
#include <stdio.h>

#include "cmd.h"
#include "policy/policy.h"

int cmd_check(int argc, char **argv)
{
	return ap_cli_check(argc, argv, stdout, stderr);
}

int cmd_compile(int argc, char **argv)
{
	return ap_cli_compile(argc, argv, stdout, stderr);
}

int cmd_init(int argc, char **argv)
{
	return ap_cli_init(argc, argv, stdout, stderr);
}
