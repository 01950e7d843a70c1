# -*- coding: utf-8 -*-
# Copyright (c) hostpods contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""PRIVATE: what the kernel's log (``/dev/kmsg``) says of the node's containers: which ones had a process killed
by the OOM killer of their memory cgroup. Reads only.

The engine says so itself (``State.OOMKilled``) where it gets the kernel's OOM notification; it does not on some
kernels with cgroup v1 (Docker 20.10 on Linux 6.18 here), nor when the limit that was hit is the pod cgroup's above
the container's. The kernel logs each kill with the cgroup of its victim (``oom-kill:...,task_memcg=<path>,``),
whose last part names the container (``<id>`` under the cgroupfs driver, ``docker-<id>.scope`` under systemd), as
cAdvisor reads it for the kubelet, and when: each record's microseconds since boot (the monotonic clock's)."""

from __future__ import annotations

import errno
import os
import re
import time

KMSG = '/dev/kmsg'
KILL = re.compile(r'oom-kill:[^\n]*?task_memcg=[^,\n]*/(?:docker-)?([0-9a-f]{64})(?:\.scope)?,')
MAX_RECORDS = 100000


def oom_killed(path=KMSG):
    """``{container ID: epoch seconds of its last OOM kill}`` of the kernel's log (empty when it cannot be read)."""
    try:
        handle = os.open(path, os.O_RDONLY | os.O_NONBLOCK)
    except OSError:
        return {}
    boot = time.time() - time.monotonic()
    found = {}
    try:
        for _record in range(MAX_RECORDS):
            try:
                data = os.read(handle, 8192)
            except OSError as exc:
                if exc.errno == errno.EPIPE:  # records overwritten meanwhile: read on
                    continue
                break  # EAGAIN: the end of the log
            if not data:
                break
            for line in data.decode('utf-8', 'replace').splitlines():  # a record each (a file stands for them all)
                header, _sep, message = line.partition(';')
                match = KILL.search(message)
                if match:
                    fields = header.split(',')
                    when = boot + int(fields[2]) / 1e6 if len(fields) > 2 and fields[2].isdigit() else 0.0
                    found[match.group(1)] = max(found.get(match.group(1), 0.0), when)
    finally:
        os.close(handle)
    return found
