# SPDX-License-Identifier: GPL-2.0-only
"""A hostile agent confined to its workspace, for the caches' selftests.

    import ws_agent; ws_agent.enter(WORKSPACE)

enter() chroots into the workspace (so the files the agent touches are on
the process root's own mount, where the module's ancestor walk, walk cache
and no-hit cache apply) and returns the list the checks append failures to.
opens() and connects() report "ok" or "EPERM".
"""
import os
import socket


def enter(workspace):
    os.chroot(workspace)
    os.chdir("/")
    return []


def opens(path):
    try:
        os.close(os.open(path, os.O_RDONLY))
        return "ok"
    except PermissionError:
        return "EPERM"


def connects(port, host="127.0.0.1"):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    try:
        s.connect((host, port))
        return "ok"
    except PermissionError:
        return "EPERM"
    finally:
        s.close()
