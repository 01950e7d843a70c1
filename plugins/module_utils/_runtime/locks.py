# -*- coding: utf-8 -*-
# Copyright (c) hostpods contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""PRIVATE: one writer per pod on a node: a lock file per pod (``flock``), shared by every apply and by
the node agent.

A module takes the locks of all its pods (in sorted order, so two runs never deadlock) before it
reads the node and keeps them until it has carried its plan out; the agent takes one pod's lock
for one sync. A lock dies with its process, so a killed run never leaves one behind.
"""

from __future__ import annotations

import errno
import fcntl
import hashlib
import json
import os
import time

from ansible_collections.hostpods.core.plugins.module_utils._errors import HostpodsError

LOCK_DIR = '/var/lib/hostpods/locks'
MAX_NAME = 250  # a file name has at most 255 bytes, with .lock
POLL_SECONDS = 0.1


class LockTimeout(HostpodsError):
    """A pod stayed locked by another run for longer than the wait allowed."""


def lock_path(namespace, name):
    """The pod's lock file; a name too long for a file name (a pod name has up to 253 characters) is
    shortened with a digest of itself."""
    if len(name) > MAX_NAME:
        name = '%s-%s' % (name[:MAX_NAME - 41], hashlib.sha1(name.encode('utf-8')).hexdigest())
    return os.path.join(LOCK_DIR, namespace, name + '.lock')


def _holder(handle):
    try:
        handle.seek(0)
        return json.loads(handle.read() or '{}')
    except (OSError, ValueError):
        return {}


class PodLocks:
    """The locks of several pods, held together (``with PodLocks(keys, timeout): ...``).

    ``keys`` are ``(namespace, name)``; ``who`` says who holds them (shown to a run that waits)."""

    def __init__(self, keys, timeout, who='hostpods.core.pod', clock=time.monotonic, sleep=time.sleep):
        self.keys = sorted(set(keys))
        self.timeout = timeout
        self.who = who
        self.clock = clock
        self.sleep = sleep
        self.handles = []

    def __enter__(self):
        deadline = self.clock() + self.timeout
        try:
            for key in self.keys:
                self.handles.append(self._acquire(key, deadline))
        except BaseException:
            self.release()
            raise
        return self

    def __exit__(self, *exc_info):
        self.release()

    def _acquire(self, key, deadline):
        path = lock_path(*key)
        os.makedirs(os.path.dirname(path), 0o755, exist_ok=True)
        handle = open(path, 'a+', encoding='utf-8')  # pylint: disable=consider-using-with
        while True:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except OSError as exc:
                if exc.errno not in (errno.EAGAIN, errno.EACCES):
                    handle.close()
                    raise
                if self.clock() >= deadline:
                    holder = _holder(handle)
                    handle.close()
                    raise LockTimeout('pod %s/%s is being applied by another run (%s, pid %s, since %s); waited %ds'
                                      % (key[0], key[1], holder.get('who', 'unknown'), holder.get('pid', '?'),
                                         holder.get('since', '?'), self.timeout))
                self.sleep(POLL_SECONDS)
        handle.seek(0)
        handle.truncate()
        handle.write(json.dumps({'who': self.who, 'pid': os.getpid(),
                                 'since': time.strftime('%Y-%m-%dT%H:%M:%SZ', time.gmtime())}))
        handle.flush()
        return handle

    def release(self):
        while self.handles:
            handle = self.handles.pop()
            try:
                fcntl.flock(handle, fcntl.LOCK_UN)
            finally:
                handle.close()


def try_lock(key, who='hostpods-agent'):
    """One pod's lock without waiting: a held ``PodLocks``, or None when another process has it."""
    locks = PodLocks([key], 0, who)
    try:
        return locks.__enter__()
    except LockTimeout:
        return None
