# -*- coding: utf-8 -*-
# Copyright (c) hostpods contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""PRIVATE: what a pod uses of the node's disk, as the kubelet's stats measure it for its local storage evictions.

- ``disk_usage``: a directory's usage as the kubelet's ``fs.DiskUsage`` counts it (``du``: the blocks of every
  file, directory and link under it, a file with many hard links once, without leaving its file system);
- ``StorageMeter.measure``: a pod's disk emptyDir volumes (their Docker volumes' mount points) and its running
  containers (the writable layer, the engine's ``SizeRw``, plus the container's log files), the usage that
  ``_plan.eviction.decision`` judges.
"""

from __future__ import annotations

import glob
import os
import stat

from ansible_collections.hostpods.core.plugins.module_utils._plan import eviction
from ansible_collections.hostpods.core.plugins.module_utils._spec import naming

BLOCK = 512  # st_blocks counts 512-byte blocks


def disk_usage(path):
    """Bytes ``path`` and everything below it take on disk (0 when it is gone)."""
    try:
        top = os.lstat(path)
    except OSError:
        return 0
    seen, total, pending = set(), top.st_blocks * BLOCK, [path] if stat.S_ISDIR(top.st_mode) else []
    while pending:
        try:
            entries = list(os.scandir(pending.pop()))
        except OSError:
            continue  # removed meanwhile
        for entry in entries:
            try:
                found = entry.stat(follow_symlinks=False)
            except OSError:
                continue
            if found.st_dev != top.st_dev:
                continue  # another file system mounted below
            if found.st_nlink > 1 and not stat.S_ISDIR(found.st_mode):
                if (found.st_dev, found.st_ino) in seen:
                    continue
                seen.add((found.st_dev, found.st_ino))
            total += found.st_blocks * BLOCK
            if stat.S_ISDIR(found.st_mode):
                pending.append(entry.path)
    return total


def _file_sizes(log_path):
    """Bytes of a log file and its rotated siblings (``<file>.1``, ...); 0 without one."""
    if not log_path:
        return 0
    total = 0
    for path in [log_path] + glob.glob(glob.escape(log_path) + '.*'):
        try:
            total += os.lstat(path).st_size
        except OSError:
            pass
    return total


class StorageMeter:
    """Measures the pods the local storage evictions watch; remembers the volumes' mount points and the
    containers' log paths (each asked of the engine once)."""

    def __init__(self, client):
        self.client = client
        self.known = {}  # pod UID -> {Docker volume name: its mount point, container ID: its log file}

    def measure(self, record):
        """``{'volumes': {name: bytes}, 'containers': {name: bytes}}`` of the pod of ``record`` (its pod.json's
        spec says what is measured)."""
        meta, spec = record.desired['metadata'], record.desired['spec']
        volumes, containers = eviction.measured(spec)
        usage, known = {'volumes': {}, 'containers': {}}, self.known.setdefault(record.uid, {})
        for name in volumes:
            volume = naming.emptydir_volume_name(meta['namespace'], meta['name'], record.uid, name)
            if volume not in known:
                known[volume] = (self.client.inspect_volume(volume) or {}).get('Mountpoint') or ''
            mountpoint = known[volume]
            if mountpoint:
                usage['volumes'][name] = disk_usage(mountpoint)
        names = [name for name in record.instances if name != naming.SANDBOX_CONTAINER
                 and (containers is None or name in containers)]
        running = {name: record.latest(name) for name in names if record.latest(name) and record.latest(name).running}
        if running:
            layers = self.client.writable_layer_sizes(record.uid)
            for name, latest in running.items():
                if latest.id not in known:
                    known[latest.id] = (self.client.inspect_container(latest.id) or {}).get('LogPath') or ''
                usage['containers'][name] = layers.get(latest.id, 0) + _file_sizes(known[latest.id])
        return usage

    def forget(self, uids):
        """Forget the pods not in ``uids`` (no longer kept)."""
        for uid in set(self.known) - set(uids):
            del self.known[uid]
