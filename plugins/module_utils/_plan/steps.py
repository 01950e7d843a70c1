# -*- coding: utf-8 -*-
# Copyright (c) hostpods contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""PRIVATE: the typed steps of a plan: everything the executor may do to the host, one class each. Pure.

A step holds all the executor needs to carry it out (no policy is left to the executor: stop order,
attempt numbers, retries and what to prune are decided by the planner and written here), and
``describe()`` says it in one line for check mode's ``planned_steps``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Optional, Tuple

# The kubelet's restart back-off (seconds): immediately, then 10 s doubling to 300 s.
BACKOFF = (0, 10, 20, 40, 80, 160, 300)
SANDBOX_GRACE = 10  # seconds the sandbox gets to stop (it holds only namespaces)


def _names(instances):
    return ', '.join(instance.container for instance in instances)


def _image_note(container, image):
    if image == 'pull':
        return ' (pull %s)' % container['image']
    if image == 'never-missing':
        return ' (ErrImageNeverPull: %s is not present)' % container['image']
    return ''


class Step:
    """Base class: ``op`` names the step's kind (its handler in the executor)."""

    op = ''

    def describe(self):  # pragma: no cover - every step overrides it
        return self.op

    def __repr__(self):
        return 'Step(%s)' % self.describe()


# ----------------------------------------------------------------------------- stopping and removing

@dataclass(frozen=True, repr=False)
class Stop(Step):
    """Stop ``instances`` at once, as the kubelet kills containers: preStop, SIGTERM, then SIGKILL after
    the grace period (each instance's own, from its labels, unless ``grace`` is given)."""
    instances: Tuple
    grace: Optional[int] = None
    why: str = ''  # the Killing event's message when it is not a plain stop (a failed liveness probe...)
    op = 'stop'

    def describe(self):
        together = ' (together)' if len(self.instances) > 1 else ''
        grace = ' (grace %ds)' % self.grace if self.grace is not None else ''
        why = ': %s' % self.why if self.why else ''
        return 'stop %s%s%s%s' % (_names(self.instances), together, grace, why)


@dataclass(frozen=True, repr=False)
class Remove(Step):
    """Remove containers (stopped before by Stop steps)."""
    instances: Tuple
    op = 'remove'

    def describe(self):
        return 'remove %s' % ', '.join(instance.name for instance in self.instances)


@dataclass(frozen=True, repr=False)
class RemovePodData(Step):
    """Remove a pod UID's emptyDir volumes and its node directory (``/var/lib/hostpods/pods/<uid>``)."""
    uid: str
    op = 'remove_data'

    def describe(self):
        return 'remove the emptyDir volumes and node directory of pod UID %s' % self.uid


# ----------------------------------------------------------------------------- the node's record of the pod

@dataclass(frozen=True, repr=False)
class RecordPod(Step):
    """Write ``pod.json``: the pod as applied (the node agent's desired state), once its sandbox exists."""
    pod: dict
    sandbox_image: str
    op = 'record_pod'

    def describe(self):
        return 'record the applied pod for the node agent (pod.json)'


@dataclass(frozen=True, repr=False)
class ForgetPod(Step):
    """Remove ``pod.json`` first when deleting, so the node agent lets the pod go."""
    uid: str
    op = 'forget_pod'

    def describe(self):
        return 'forget the pod (pod.json of UID %s)' % self.uid


# ----------------------------------------------------------------------------- volumes and files

@dataclass(frozen=True, repr=False)
class Metadata(Step):
    """Keep the pod's changed labels and annotations on the node (Docker cannot relabel)."""
    metadata: dict
    op = 'metadata'

    def describe(self):
        return 'metadata (labels and annotations in place)'


@dataclass(frozen=True, repr=False)
class Volume(Step):
    """Create a Docker volume (an emptyDir of the pod, or a claim's), when missing."""
    name: str
    volume: dict
    kind: str  # 'emptyDir' | 'persistentVolumeClaim' | 'ephemeral' (a claim the pod owns)
    memory: bool = False
    op = 'volume'

    def describe(self):
        return 'volume %s (%s%s)' % (self.name, self.kind, ', Memory' if self.memory else '')


@dataclass(frozen=True, repr=False)
class FsGroup(Step):
    """Give a volume's files to the pod's ``fsGroup`` (setgid directories), as SetVolumeOwnership; with the
    ``fsGroupChangePolicy`` ``OnRootMismatch``, only when the volume's root is not already the group's."""
    name: str
    group: int
    policy: str = 'Always'
    op = 'fs_group'

    def describe(self):
        return 'fs_group %s gid %d (%s)' % (self.name, self.group, self.policy)


@dataclass(frozen=True, repr=False)
class ImageVolume(Step):
    """An ``image`` volume: the image manager's ``image`` action first (``pull``, ``present``, ``never-missing``: see
    ``_image_note``); then, with ``on_node`` (engines before image mounts), the image's layers mounted read-only
    on the volume's node directory, afresh (the engine binds that directory; else it mounts the image itself)."""
    name: str
    volume: dict
    image: str = 'present'
    on_node: bool = True
    op = 'image_volume'

    def describe(self):
        source = self.volume['image']
        return 'image volume %s%s%s' % (self.name, _image_note({'image': source['reference']}, self.image),
                                        ' (mounted on the node)' if self.on_node else '')


@dataclass(frozen=True, repr=False)
class HostPath(Step):
    """Create a ``DirectoryOrCreate`` or ``FileOrCreate`` hostPath."""
    path: str
    type: str
    op = 'host_path'

    def describe(self):
        return 'host_path %s (%s)' % (self.path, self.type)


@dataclass(frozen=True, repr=False)
class Project(Step):
    """Write a configMap, secret, downwardAPI or projected volume's files (the kubelet's AtomicWriter).
    ``refresh``: the pod runs and an object it reads changed; a missing reference then keeps the last
    good files, as the kubelet does, instead of failing the pod. ``tmpfs``: the files of a Secret go
    on a tmpfs mounted on the volume's node directory (mounted first when it is not, on the directory
    emptied of any copy on the disk), never on the node's disk."""
    name: str
    volume: dict
    refresh: bool = False
    tmpfs: bool = False
    op = 'project'

    def describe(self):
        return '%s %s%s' % ('refresh' if self.refresh else 'project', self.name, ' (tmpfs)' if self.tmpfs else '')


# ----------------------------------------------------------------------------- the sandbox and containers

def _amounts(config):
    quota = 'unlimited' if config['cpuQuota'] is None else '%d/%d' % (config['cpuQuota'], 100000)
    memory = 'unlimited' if config['memory'] is None else '%d bytes' % config['memory']
    return 'cpu shares %d, cpu quota %s, memory %s' % (config['cpuShares'], quota, memory)


@dataclass(frozen=True, repr=False)
class PodCgroup(Step):
    """Make the pod's cgroup ``cgroup`` (``naming.pod_cgroup``, the sandbox's and containers' parent) under the
    engine's cgroup driver ``driver`` and write its limits ``config`` (``resources.pod_cgroup``), before the sandbox
    or around an in-place resize."""
    cgroup: str
    driver: str
    config: dict
    op = 'pod_cgroup'

    def describe(self):
        return 'pod cgroup %s (%s)' % (self.cgroup, _amounts(self.config))


@dataclass(frozen=True, repr=False)
class Pull(Step):
    """Pull the sandbox (pause) image, missing on the node (containers' images are pulled by their own steps)."""
    image: str
    op = 'pull'

    def describe(self):
        return 'pull %s (the sandbox image)' % self.image


@dataclass(frozen=True, repr=False)
class Sandbox(Step):
    """Create and start the pod's sandbox (attempt ``attempt``); the steps after it join it."""
    attempt: int
    op = 'sandbox'

    def describe(self):
        return 'sandbox attempt %d' % self.attempt


@dataclass(frozen=True, repr=False)
class StartContainer(Step):
    """Create and start one instance of an app container or a sidecar.

    ``image``: what the image manager does first (``present``, ``pull`` or ``never-missing``).
    ``replaces``: an older instance, stopped first when it runs (a changed spec or a restart).
    ``prune``: older dead instances removed once this one exists (the newest dead one is kept).
    ``sidecar``: a restartable init container; the next init step waits until it runs."""
    container: dict
    attempt: int
    image: str = 'present'
    sidecar: bool = False
    replaces: Optional[object] = None
    prune: Tuple = field(default=())

    @property
    def op(self):
        if self.replaces is not None:
            return 'replace'
        return 'sidecar' if self.sidecar else 'start'

    @property
    def kind(self):
        """The container type label: ``init`` for sidecars, ``container`` for app containers."""
        return 'init' if self.sidecar else 'container'

    def describe(self):
        return '%s %s attempt %d%s' % (self.op, self.container['name'], self.attempt,
                                       _image_note(self.container, self.image))


@dataclass(frozen=True, repr=False)
class RunInit(Step):
    """Run a regular init container to completion (or wait for ``running``, an instance already running).

    ``on_failure``: ``fail`` (restartPolicy Never: the pod fails) or ``retry`` (a new instance after
    the ``backoff`` delays, as long as the call's time budget lasts). Each new instance replaces the
    previous one, which is removed once the next has run (``prune``: older ones, removed first).
    Without ``wait`` (the node agent) the instance is only started: a later sync sees how it ends."""
    container: dict
    attempt: int
    image: str = 'present'
    on_failure: str = 'retry'
    backoff: Tuple = BACKOFF
    running: Optional[object] = None
    prune: Tuple = field(default=())
    wait: bool = True

    @property
    def op(self):
        return 'await_init' if self.running is not None else 'init'

    def describe(self):
        then = 'the pod fails' if self.on_failure == 'fail' else 'retried after %s s' % '/'.join(
            str(delay) for delay in self.backoff[1:4]) + '...'
        note = _image_note(self.container, self.image)
        if not self.wait:
            return '%s %s attempt %d%s (started; a later sync sees it end)' % (
                self.op, self.container['name'], self.attempt, note)
        return '%s %s attempt %d%s (on failure: %s)' % (self.op, self.container['name'], self.attempt, note, then)


@dataclass(frozen=True, repr=False)
class UpdateResources(Step):
    """Resize a running container in place (the engine's container update): same container, no restart.
    ``settings`` are its new cgroup settings (CpuShares, CpuPeriod, CpuQuota, Memory, MemorySwap)."""
    instance: object
    container: dict
    settings: dict
    op = 'update_resources'

    def describe(self):
        shown = ', '.join('%s %s' % (key, self.settings[key]) for key in sorted(self.settings))
        return 'resize %s in place (%s)' % (self.container['name'], shown)


@dataclass(frozen=True, repr=False)
class RecordResources(Step):
    """Keep on the node what was resized in place (``resources.json``; Docker cannot relabel): the running
    sandbox, the pod's hash now, the resized containers' resources and each updated instance's spec hash."""
    pod_hash: str
    containers: dict
    instances: dict
    op = 'record_resources'

    def describe(self):
        return 'record the resized resources of %s (resources.json)' % ', '.join(sorted(self.containers))


@dataclass(frozen=True, repr=False)
class RecordEphemeral(Step):
    """Write the pod's ephemeral containers (``spec.ephemeralContainers``) in its node record, the new one last."""
    containers: Tuple
    op = 'record_ephemeral'

    def describe(self):
        return 'record ephemeral container %s in spec.ephemeralContainers' % self.containers[-1]['name']


@dataclass(frozen=True, repr=False)
class StartEphemeral(Step):
    """Create and start an ephemeral container in the running pod (attempt 0: it is never restarted), in the PID
    namespace of ``target`` (the target container's running instance) when given."""
    container: dict
    image: str = 'present'
    target: Optional[object] = None
    op = 'ephemeral'
    kind = 'ephemeral'

    def describe(self):
        target = ' (target %s)' % self.target.container if self.target is not None else ''
        return 'start ephemeral %s%s%s' % (self.container['name'], target, _image_note(self.container, self.image))


# ----------------------------------------------------------------------------- objects

@dataclass(frozen=True, repr=False)
class WriteObject(Step):
    """Keep a ConfigMap, Secret or PersistentVolumeClaim on the node (a claim's volume created when missing)."""
    key: tuple
    obj: dict
    op = 'write_object'

    def describe(self):
        return 'write %s %s/%s' % self.key


@dataclass(frozen=True, repr=False)
class DeleteObject(Step):
    """Forget an object (a claim's volume is removed, unless a pod still uses it)."""
    key: tuple
    op = 'delete_object'

    def describe(self):
        return 'delete %s %s/%s' % self.key
