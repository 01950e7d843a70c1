# -*- coding: utf-8 -*-
# Copyright (c) hostpods contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""PRIVATE: bounded concurrency for engine calls (the engine and a 2-core node do not gain past a few)."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

MAX_WORKERS = 8


def run_concurrently(function, items, workers=MAX_WORKERS):
    """``[function(item)]`` in order, with at most ``workers`` at a time."""
    items = list(items)
    if len(items) <= 1:
        return [function(item) for item in items]
    with ThreadPoolExecutor(max_workers=min(workers, len(items))) as pool:
        return list(pool.map(function, items))
