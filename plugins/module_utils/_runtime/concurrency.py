# -*- coding: utf-8 -*-
# Copyright (c) hostpods contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""PRIVATE: concurrency for engine calls. The engine and a 2-core node do not gain past a few calls at
once, so the Docker client lets at most ``MAX_ENGINE_CALLS`` work at a time; waiting (a grace period, a
hook, a container's end) takes no such slot, so the waits of every pod of a call overlap (``run_all``)."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

MAX_WORKERS = 8
MAX_ENGINE_CALLS = 8  # engine calls at work at once (see ``_runtime.docker_client``); waits are not counted


def run_concurrently(function, items, workers=MAX_WORKERS):
    """``[function(item)]`` in order, with at most ``workers`` at a time."""
    items = list(items)
    if len(items) <= 1:
        return [function(item) for item in items]
    with ThreadPoolExecutor(max_workers=min(workers, len(items))) as pool:
        return list(pool.map(function, items))


def run_all(function, items):
    """``[function(item)]`` in order, every item at once (one thread each): for work that mostly waits,
    such as pods whose containers are given their grace periods; the client bounds their engine calls."""
    items = list(items)
    return run_concurrently(function, items, workers=max(1, len(items)))
