# -*- coding: utf-8 -*-
# Copyright (c) hostpods contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""PRIVATE: wait until pods are Ready (or finished, for pods that run to completion)."""

from __future__ import annotations

import time

from ansible_collections.hostpods.core.plugins.module_utils._spec.podspec import is_terminal_phase


def pod_done(pod):
    """Ready, or Succeeded/Failed for a pod whose restartPolicy lets it finish."""
    status = pod.get('status') or {}
    if is_terminal_phase(status.get('phase')) and pod['spec']['restartPolicy'] != 'Always':
        return True
    return any(c['type'] == 'Ready' and c['status'] == 'True' for c in status.get('conditions') or [])


def wait_for(read_pods, timeout, sleep=time.sleep, clock=time.monotonic, period=1.0):
    """Poll ``read_pods()`` until every pod is done; returns ``(pods, all_done)``."""
    deadline = clock() + timeout
    while True:
        pods = read_pods()
        if all(pod_done(pod) for pod in pods):
            return pods, True
        if clock() >= deadline:
            return pods, False
        sleep(min(period, max(0.0, deadline - clock())))
