# -*- coding: utf-8 -*-
# Copyright (c) hostpods contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""PRIVATE: the kubelet's container restart back-off (``flowcontrol.Backoff`` and ``doBackOff``). Pure.

One entry per container and spec (a changed spec starts afresh): the first restart after a crash is
immediate, the next ones wait 10 s, 20 s, 40 s ... at most 300 s, counted from when the container
last finished; an entry expires (the back-off is forgotten) when two failures are more than twice
the cap (10 minutes) apart. Entries are plain dicts so the agent can keep them across restarts.
"""

from __future__ import annotations

INITIAL, MAXIMUM = 10, 300


class Backoff:
    """The back-off entries of one pod: ``{key: {'delay': seconds, 'lastUpdate': epoch}}``."""

    def __init__(self, entries=None, initial=INITIAL, maximum=MAXIMUM):
        self.entries = {key: dict(value) for key, value in (entries or {}).items()}
        self.initial = initial
        self.maximum = maximum

    def _expired(self, entry, event_time):
        return event_time - entry['lastUpdate'] > 2 * self.maximum

    def delay(self, key):
        entry = self.entries.get(key)
        return entry['delay'] if entry else 0

    def waiting(self, key, finished_at, now):
        """Seconds left before the container that finished at ``finished_at`` may restart (0: now)."""
        entry = self.entries.get(key)
        if entry is None or self._expired(entry, finished_at):
            return 0
        return max(0.0, finished_at + entry['delay'] - now)

    def restarted(self, key, finished_at, now):
        """Note a restart (``Next``): the delay doubles (to the cap), or starts again after a long run."""
        entry = self.entries.get(key)
        if entry is None or self._expired(entry, finished_at):
            entry = {'delay': self.initial}
        else:
            entry = {'delay': min(entry['delay'] * 2, self.maximum)}
        entry['lastUpdate'] = now
        self.entries[key] = entry

    def forget_older_than(self, now):
        """Drop expired entries (the kubelet's GC of its back-off table)."""
        self.entries = {key: entry for key, entry in self.entries.items() if now - entry['lastUpdate'] <= 2 * self.maximum}


def key(container, spec_hash):
    return '%s_%s' % (container, spec_hash)


def message(delay, container, pod_ref):
    """The kubelet's ``CrashLoopBackOff`` message."""
    return 'back-off %ds restarting failed container=%s pod=%s' % (delay, container, pod_ref)
