# -*- coding: utf-8 -*-
# Copyright (c) hostpods contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""PRIVATE: the observed state of the host, as plain values the planner can read. Pure.

Built from one ``docker ps -a`` listing (by label) per call (see ``_runtime.observe``): a
``PodRecord`` per pod with its sandboxes and container instances.
"""

from __future__ import annotations

import json
import re

from ansible_collections.hostpods.core.plugins.module_utils._spec import naming as naming
from ansible_collections.hostpods.core.plugins.module_utils._spec.podspec import ImageRef, epoch_seconds

_EXITED = re.compile(r'^Exited \((-?\d+)\)')
RUNNING_STATES = ('running', 'restarting', 'paused')


class Instance:
    """One Docker container of a pod (the sandbox or one instance of a container).

    ``restart_count`` is how often the engine restarted it in place (its restart policy): unknown
    (None) from a listing, read from an inspect when a plan needs it (see ``restarts``)."""

    def __init__(self, entry, restart_count=None):
        self.id = entry['Id']
        self.name = (entry.get('Names') or ['/'])[0].lstrip('/')
        self.labels = entry.get('Labels') or {}
        self.state = entry.get('State', '')
        match = _EXITED.match(entry.get('Status') or '')
        self.exit_code = int(match.group(1)) if match else None
        self.restart_count = restart_count
        self.container = self.labels.get(naming.CONTAINER_NAME, '')
        self.kind = self.labels.get(naming.CONTAINER_TYPE, 'container')
        try:
            self.attempt = int(self.labels.get(naming.ATTEMPT, '0'))
        except ValueError:
            self.attempt = 0
        self.hash = self.labels.get(naming.SPEC_HASH, '')
        self.created = entry.get('Created', 0)

    @classmethod
    def from_inspect(cls, info):
        """An Instance from ``docker inspect`` output (state, exit code and engine restarts known)."""
        return cls(listing_entry(info), int(info.get('RestartCount') or 0))

    @property
    def restarts(self):
        """The container's restart count (``restartCount``): its attempt number plus the engine's
        restarts of this instance in place. A replacement's attempt is one more."""
        return self.attempt + (self.restart_count or 0)

    @property
    def running(self):
        return self.state in RUNNING_STATES

    @property
    def succeeded(self):
        return self.state == 'exited' and self.exit_code == 0

    @property
    def grace_period(self):
        try:
            return int(self.labels.get(naming.GRACE_PERIOD, '30'))
        except ValueError:
            return 30


def listing_entry(info):
    """The entry a sparse ``docker ps -a`` listing has for a container, from its ``docker inspect`` output
    (for callers that can only inspect, such as the ``hostpods.core.pod`` connection through the CLI)."""
    state = info.get('State') or {}
    status = state.get('Status', '')
    return {'Id': info['Id'], 'Names': [info.get('Name') or '/'], 'Labels': (info.get('Config') or {}).get('Labels'),
            'State': status, 'Status': 'Exited (%d)' % state.get('ExitCode', 0) if status == 'exited' else '',
            'Created': epoch_seconds(info.get('Created')) or 0}


class PodRecord:
    """Everything of one pod (namespace, name) found on the host."""

    def __init__(self, namespace, name):
        self.namespace = namespace
        self.name = name
        self.uid = None
        self.sandboxes = []
        self.instances = {}
        self.strays = []
        self.live_metadata = None  # labels and annotations changed in place (see naming.metadata_path)

    def add(self, instance):
        if instance.container == naming.SANDBOX_CONTAINER:
            self.sandboxes.append(instance)
            self.sandboxes.sort(key=lambda item: (item.attempt, item.created))
        else:
            items = self.instances.setdefault(instance.container, [])
            items.append(instance)
            items.sort(key=lambda item: (item.attempt, item.created))
        self.uid = self.uid or instance.labels.get(naming.POD_UID)

    @property
    def sandbox(self):
        return self.sandboxes[-1] if self.sandboxes else None

    def latest(self, container):
        items = self.instances.get(container)
        return items[-1] if items else None

    def all_instances(self):
        out = list(self.sandboxes)
        for items in self.instances.values():
            out.extend(items)
        return out

    @property
    def hash(self):
        """The pod spec hash last applied: on the sandbox, or on the containers when it is gone."""
        if self.sandbox:
            return self.sandbox.hash
        for instance in self.all_instances():
            if instance.labels.get(naming.POD_HASH):
                return instance.labels[naming.POD_HASH]
        return ''

    @property
    def applied(self):
        """The pod as last applied (metadata and spec): the sandbox's label, with the labels and
        annotations changed in place since."""
        if not self.sandbox:
            return None
        try:
            applied = json.loads(self.sandbox.labels.get(naming.APPLIED_POD, ''))
        except ValueError:
            return None
        if self.live_metadata:
            applied['metadata'].update(self.live_metadata)
        return applied

    @property
    def next_sandbox_attempt(self):
        return max([item.attempt for item in self.sandboxes] or [-1]) + 1

    def next_attempt(self, container):
        latest = self.latest(container)
        return latest.restarts + 1 if latest else 0

    def older(self, container):
        """The instances of ``container`` before its newest one (oldest first)."""
        return list(self.instances.get(container) or [])[:-1]


def group_pods(entries):
    """``{(namespace, name): PodRecord}`` from a sparse container listing.

    When containers of several UIDs share a pod name (a leftover of an interrupted run), the UID of
    the newest sandbox wins and the others are kept on ``record.strays`` for removal.
    """
    by_uid = {}
    for entry in entries:
        labels = entry.get('Labels') or {}
        uid = labels.get(naming.POD_UID)
        if not uid or naming.POD_NAME not in labels or naming.POD_NAMESPACE not in labels:
            continue
        record = by_uid.get(uid)
        if record is None:
            record = by_uid[uid] = PodRecord(labels[naming.POD_NAMESPACE], labels[naming.POD_NAME])
        record.add(Instance(entry))
    records = {}
    for record in sorted(by_uid.values(), key=lambda r: max([i.created for i in r.all_instances()] or [0])):
        key = (record.namespace, record.name)
        previous = records.get(key)
        record.strays = (previous.all_instances() + previous.strays) if previous else []
        records[key] = record
    return records


class HostFacts:
    """What the planner must know about the host besides containers: images and host paths."""

    def __init__(self, images=None, paths=None):
        self.images = {ImageRef(image).normalized for image in images or ()}
        self.paths = dict(paths or {})

    def has_image(self, image):
        return ImageRef(image).normalized in self.images
