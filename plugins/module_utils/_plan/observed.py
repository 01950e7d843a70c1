# -*- coding: utf-8 -*-
# Copyright (c) hostpods contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""PRIVATE: the observed state of the host, as plain values the planner can read. Pure.

Built per call (see ``_runtime.observe``) from one ``docker ps -a`` listing by label, the node's
record of each pod UID (its directory: what was applied, attempt numbers, the pod IP of its
/etc/hosts) and the pods' labelled volumes: a ``PodRecord`` per pod, and for a pod found under
several UIDs, the other UIDs as strays to remove.
"""

from __future__ import annotations

import json
import re

from ansible_collections.hostpods.core.plugins.module_utils._spec import naming
from ansible_collections.hostpods.core.plugins.module_utils._spec import runtimeclass
from ansible_collections.hostpods.core.plugins.module_utils._spec.podspec import ImageRef, epoch_seconds

_EXITED = re.compile(r'^Exited \((-?\d+)\)')
_UPTIME = re.compile(r'^Up (Less than a second|About an? (minute|hour)|(\d+) (second|minute|hour|day|week|month|year)s?)')
_UNITS = {'second': 1, 'minute': 60, 'hour': 3600, 'day': 86400, 'week': 7 * 86400, 'month': 30 * 86400,
          'year': 365 * 86400}
RUNNING_STATES = ('running', 'restarting', 'paused')


def uptime_bounds(status):
    """``(at least, less than)`` seconds a container has been up, from the listing's human ``Status``
    (``Up 5 minutes``: 300 to 360), or None when it is not up."""
    match = _UPTIME.match(status or '')
    if not match:
        return None
    if match.group(1) == 'Less than a second':
        return 0, 1
    if match.group(2):
        unit = _UNITS[match.group(2)]
        return unit, 2 * unit
    count, unit = int(match.group(3)), _UNITS[match.group(4)]
    return count * unit, (count + 1) * unit


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
        self.finished_at = None  # epoch seconds, known from an inspect (see from_inspect)
        self.uptime = uptime_bounds(entry.get('Status'))
        self.image = entry.get('Image', '')
        networks = ((entry.get('NetworkSettings') or {}).get('Networks') or {}).values()
        self.ip = next((network.get('IPAddress') for network in networks if network.get('IPAddress')), None)
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
        instance = cls(listing_entry(info), int(info.get('RestartCount') or 0))
        instance.finished_at = epoch_seconds((info.get('State') or {}).get('FinishedAt'))
        if instance.finished_at is None and instance.state == 'exited':  # the engine could not start it
            instance.finished_at = instance.created
        return instance

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


def start_failed(state):
    """Whether a container's ``docker inspect`` State is one the engine created but could not start: an exited
    container to the kubelet (dockershim's EXITED, reason ContainerCannotRun, exit code 128), not one being made."""
    return state.get('Status') == 'created' and bool(state.get('Error') or state.get('ExitCode'))


def listing_entry(info):
    """The entry a sparse ``docker ps -a`` listing has for a container, from its ``docker inspect`` output
    (for callers that can only inspect, such as the ``hostpods.core.pod`` connection through the CLI)."""
    state = info.get('State') or {}
    status = state.get('Status', '')
    if start_failed(state):
        status = 'exited'
    return {'Id': info['Id'], 'Names': [info.get('Name') or '/'], 'Labels': (info.get('Config') or {}).get('Labels'),
            'Image': (info.get('Config') or {}).get('Image', ''),
            'State': status, 'Status': 'Exited (%d)' % state.get('ExitCode', 0) if status == 'exited' else '',
            'Created': epoch_seconds(info.get('Created')) or 0}


class PodRecord:
    """Everything of one pod (namespace, name) of one UID found on the node.

    ``desired`` is its ``pod.json`` (what was last applied), ``attempts`` the next attempt numbers
    the node remembers, ``volumes`` its labelled Docker volumes, ``pod_ip`` the IP its /etc/hosts
    holds; ``strays`` are instances of other UIDs of the same pod, ``stray_uids`` those UIDs.
    ``node_mounts`` are the node's mount points under the pod's directory (Secret volumes' tmpfs,
    subPath pins) and ``volume_files`` the names of the volumes whose files the node holds (their
    ``..data``); both None when the node's directory was not read."""

    def __init__(self, namespace, name, uid=None):
        self.namespace = namespace
        self.name = name
        self.uid = uid
        self.sandboxes = []
        self.instances = {}
        self.strays = []
        self.stray_uids = []
        self.live_metadata = None  # labels and annotations changed in place (see naming.metadata_path)
        self.live_resources = None  # resources resized in place (resources.json; see _plan.resize)
        self.desired = None
        self.agent_status = None  # the node agent's status.json (back-off, probes, a passed deadline)
        self.attempts = {}
        self.volumes = []
        self.pod_ip = None
        self.node_mounts = None
        self.volume_files = None
        self.ephemeral = []  # spec.ephemeralContainers: added by hostpods.core.pod_debug, never restarted

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
    def resized(self):
        """What was resized in place since the running sandbox was made (``resources.json``), or None."""
        live = self.live_resources
        if live and self.sandbox is not None and live.get('sandbox') == self.sandbox.id:
            return live
        return None

    def spec_hash(self, instance):
        """The container spec hash ``instance`` runs with: its label's, or the one it was resized to in place."""
        return ((self.resized or {}).get('instances') or {}).get(instance.id) or instance.hash

    @property
    def hash(self):
        """The pod spec hash last applied: the one resized to in place, on the sandbox, on the containers when it
        is gone, else the node's record."""
        if self.resized:
            return self.resized['podHash']
        if self.sandbox:
            return self.sandbox.hash
        for instance in self.all_instances():
            if instance.labels.get(naming.POD_HASH):
                return instance.labels[naming.POD_HASH]
        return ((self.desired or {}).get('hostpods') or {}).get('podHash', '')

    @property
    def applied(self):
        """The pod as last applied (metadata and spec): the sandbox's label, else the node's record,
        with the labels and annotations changed in place since."""
        applied = None
        if self.sandbox:
            try:
                applied = json.loads(self.sandbox.labels.get(naming.APPLIED_POD, ''))
            except ValueError:
                applied = None
        elif self.desired:
            applied = runtimeclass.carry({'metadata': dict({'labels': None, 'annotations': None},
                                                           **naming.kept_metadata(self.desired['metadata'])),
                                          'spec': self.desired['spec']}, self.desired)
        if applied and self.live_metadata:
            for key in naming.IN_PLACE_WHERE_GIVEN:  # what the change in place left out is gone
                applied['metadata'].pop(key, None)
            applied['metadata'].update(self.live_metadata)
        if applied and self.sandbox and self.resized:
            for container in (applied['spec'].get('initContainers') or []) + applied['spec']['containers']:
                if container['name'] in self.resized['containers']:
                    container['resources'] = self.resized['containers'][container['name']]
        if applied and self.ephemeral:
            applied['spec'] = dict(applied['spec'], ephemeralContainers=list(self.ephemeral))
        return applied

    @property
    def next_sandbox_attempt(self):
        return max([item.attempt + 1 for item in self.sandboxes] + [self.attempts.get(naming.SANDBOX_CONTAINER, 0)])

    def next_attempt(self, container):
        """The next instance's attempt: after the newest one and every one the node remembers."""
        latest = self.latest(container)
        return max(latest.restarts + 1 if latest else 0, self.attempts.get(container, 0))

    def older(self, container):
        """The instances of ``container`` before its newest one (oldest first)."""
        return list(self.instances.get(container) or [])[:-1]

    @property
    def last_seen(self):
        """Which UID of a pod wins: the one the node recorded as applied, then the newest containers,
        then the latest applied."""
        created = [item.created for item in self.all_instances()]
        return (self.desired is not None, bool(created), max(created or [0]),
                ((self.desired or {}).get('hostpods') or {}).get('appliedAt', ''))


def _record(by_uid, uid, namespace, name):
    record = by_uid.get(uid)
    if record is None:
        record = by_uid[uid] = PodRecord(namespace, name, uid)
    return record


def group_pods(entries, node_records=None, volumes=None):
    """``{(namespace, name): PodRecord}`` from a sparse container listing, the node's records
    (``{uid: {'desired', 'attempts', 'pod_ip', 'metadata', 'resources', 'status', 'mounts', 'volume_files'}}``) and the
    pods' labelled volumes.

    A pod whose containers were all removed is still known by its node record or its volumes (its
    UID and emptyDir data stay). When several UIDs hold one pod (a leftover of an interrupted or
    concurrent run), the newest wins and the others are strays, to be removed with their data.
    """
    by_uid = {}
    for entry in entries:
        labels = entry.get('Labels') or {}
        uid = labels.get(naming.POD_UID)
        if not uid or naming.POD_NAME not in labels or naming.POD_NAMESPACE not in labels:
            continue
        _record(by_uid, uid, labels[naming.POD_NAMESPACE], labels[naming.POD_NAME]).add(Instance(entry))
    for uid, found in (node_records or {}).items():
        meta = (found.get('desired') or {}).get('metadata') or {}
        if uid in by_uid or (meta.get('name') and meta.get('namespace')):
            record = _record(by_uid, uid, meta.get('namespace'), meta.get('name'))
            record.desired, record.attempts = found.get('desired'), found.get('attempts') or {}
            record.pod_ip, record.live_metadata = found.get('pod_ip'), found.get('metadata')
            record.live_resources = found.get('resources')
            record.agent_status = found.get('status')
            record.ephemeral = found.get('ephemeral') or []
            for field, key in (('node_mounts', 'mounts'), ('volume_files', 'volume_files')):
                setattr(record, field, None if found.get(key) is None else frozenset(found[key]))
    for volume in volumes or []:
        labels = volume.get('Labels') or {}
        if labels.get(naming.POD_UID) and labels.get(naming.POD_NAME) and labels.get(naming.POD_NAMESPACE):
            _record(by_uid, labels[naming.POD_UID], labels[naming.POD_NAMESPACE], labels[naming.POD_NAME]).volumes.append(
                volume['Name'])
    records = {}
    for record in sorted(by_uid.values(), key=lambda r: r.last_seen):
        key = (record.namespace, record.name)
        previous = records.get(key)
        if previous:
            record.strays = previous.all_instances() + previous.strays
            record.stray_uids = previous.stray_uids + [previous.uid]
        records[key] = record
    return records


class HostFacts:
    """What the planner must know about the host besides containers: images, host paths, under which cgroup driver pods get a
    cgroup of their own (``pod_cgroups``: see ``NodeContext.pod_cgroups``), whether the node holds the mounts of
    their ``image`` volumes (``image_mounts_on_node``: see ``NodeContext.image_mounts_on_node``) and the claims their
    ``ephemeral`` volumes would make, where one exists already."""

    def __init__(self, images=None, paths=None, pod_cgroups='', claims=None, image_mounts_on_node=True):
        self.images = {ImageRef(image).normalized for image in images or ()}
        self.paths = dict(paths or {})
        self.pod_cgroups = pod_cgroups
        self.image_mounts_on_node = image_mounts_on_node
        self.claims = dict(claims or {})  # {(namespace, name): the PersistentVolumeClaim the node keeps} of ephemeral volumes

    def has_image(self, image):
        return ImageRef(image).normalized in self.images
