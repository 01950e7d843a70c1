# -*- coding: utf-8 -*-
# Copyright (c) hostpods contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""PRIVATE: desired pods + actual state -> one ordered plan per pod. Pure: no Docker calls.

The rules are the kubelet's (``computePodActions``): a new pod gets a sandbox, its volumes, its
init containers one by one, then its containers; a changed image replaces only that container
(attempt + 1); any other change recreates the pod (sandbox attempt + 1); a dead sandbox is
replaced and every container restarted; a container that stopped is restarted when the pod's
restartPolicy says so. A hostPath that fails its type check is raised here, before anything is
touched; images are pulled (or found missing under ``Never``) container by container, as a kubelet does.
"""

from __future__ import annotations

import uuid

from ansible_collections.hostpods.core.plugins.module_utils._spec import naming as naming
from ansible_collections.hostpods.core.plugins.module_utils._spec import objects as objects
from ansible_collections.hostpods.core.plugins.module_utils._errors import PreflightError
from ansible_collections.hostpods.core.plugins.module_utils._views.status import is_sidecar

CREATED, UPDATED, RECREATED, UNCHANGED, DELETED, ABSENT = 'created', 'updated', 'recreated', 'unchanged', 'deleted', 'absent'

HOSTPATH_EXPECT = {
    'Directory': ('directory', 'is not a directory'),
    'File': ('file', 'is not a file'),
    'Socket': ('socket', 'is not a socket file'),
    'CharDevice': ('char', 'is not a character device'),
    'BlockDevice': ('block', 'is not a block device'),
    'DirectoryOrCreate': ('directory', 'is not a directory'),
    'FileOrCreate': ('file', 'is not a file'),
}


class Step:
    """One thing the executor does: ``op`` plus its arguments."""

    def __init__(self, op, **args):
        self.op = op
        self.args = args

    def __getattr__(self, name):
        try:
            return self.__dict__['args'][name]
        except KeyError:
            raise AttributeError(name)

    def describe(self):
        parts = [self.op]
        for key in ('name', 'path', 'container', 'key'):
            if key in self.args:
                value = self.args[key]
                parts.append(value['name'] if isinstance(value, dict) else str(value))
        if 'attempt' in self.args:
            parts.append('attempt %d' % self.args['attempt'])
        if self.op == 'pull':
            parts.append(self.args['image'])
        elif self.args.get('image') == 'pull':
            parts.append('(pull %s)' % self.args['container']['image'])
        elif self.args.get('image') == 'never-missing':
            parts.append('(ErrImageNeverPull: %s is not present)' % self.args['container']['image'])
        return ' '.join(parts)

    def __repr__(self):
        return 'Step(%s)' % self.describe()


class PodPlan:
    """What one pod needs: ``action`` (the contract's word) and the ordered ``steps``."""

    def __init__(self, key, pod, record, action, steps, uid=None, sandbox_attempt=None, reason=''):
        self.key = key
        self.pod = pod
        self.record = record
        self.action = action
        self.steps = steps
        self.uid = uid
        self.sandbox_attempt = sandbox_attempt
        self.reason = reason

    @property
    def changed(self):
        return self.action not in (UNCHANGED, ABSENT)


def should_restart(restart_policy, instance):
    """``ShouldContainerBeRestarted`` for a container that is not running."""
    if instance.state == 'created':
        return True
    if restart_policy == 'Always':
        return True
    if restart_policy == 'OnFailure':
        return instance.exit_code != 0
    return False


def is_terminal(pod, record):
    """Succeeded or Failed pods stay as they are (a terminal phase is sticky)."""
    policy = pod['spec']['restartPolicy']
    if policy == 'Always':
        return False
    for container in pod['spec'].get('initContainers') or []:
        latest = record.latest(container['name'])
        if is_sidecar(container):
            continue
        if latest and latest.state == 'exited' and latest.exit_code != 0 and policy == 'Never':
            return True
    latest = [record.latest(c['name']) for c in pod['spec']['containers']]
    if any(item is None or item.running or item.state == 'created' for item in latest):
        return False
    if policy == 'Never':
        return True
    return all(item.exit_code == 0 for item in latest)


def plan_apply(pod, record, facts, sandbox_image, force=False, new_uid=None):
    """The plan that brings ``record`` (or nothing) to ``pod``."""
    plan = _plan_spec(pod, record, facts, sandbox_image, force, new_uid)
    if plan.action in (UNCHANGED, UPDATED) and record.applied \
            and naming.pod_metadata(record.applied) != naming.pod_metadata(pod):
        # Labels and annotations change in place, as on Kubernetes: no container restarts.
        plan.steps.insert(0, Step('metadata', metadata=naming.pod_metadata(pod)))
        plan.action = UPDATED
        plan.reason = plan.reason or 'labels or annotations changed'
    return plan


def _plan_spec(pod, record, facts, sandbox_image, force, new_uid):
    key = (pod['metadata']['namespace'], pod['metadata']['name'])
    desired_hash = naming.pod_hash(pod, sandbox_image)
    fresh = record is None or not record.sandboxes and not record.instances
    pod = dict(pod, metadata=dict(pod['metadata'], uid=(new_uid or str(uuid.uuid4())) if fresh else record.uid))
    if fresh:
        return _fresh(key, pod, None, CREATED, pod['metadata']['uid'], 0, sandbox_image, '', facts)
    if force or record.hash != desired_hash:
        reason = 'force: true' if force else 'the pod spec changed'
        return _fresh(key, pod, record, RECREATED, record.uid, record.next_sandbox_attempt,
                      sandbox_image, reason, facts)
    if is_terminal(pod, record):
        # Once the app containers finished, the kubelet stops the sidecars (and the pod) too.
        sidecars = [c['name'] for c in pod['spec'].get('initContainers') or [] if is_sidecar(c)]
        running = any(record.latest(name) and record.latest(name).running for name in sidecars)
        return PodPlan(key, pod, record, UPDATED if running else UNCHANGED,
                       [Step('stop_pod', record=record)] if running else [], record.uid,
                       record.sandbox.attempt if record.sandbox else None, 'the pod finished' if running else '')
    sandbox = record.sandbox
    if (sandbox is None or not sandbox.running) and pod['spec']['restartPolicy'] == 'Never' \
            and any(record.latest(c['name']) for c in pod['spec']['containers']):
        # computePodActions: a Never pod that already ran gets no new sandbox; it is killed and ends.
        running = [i for i in record.all_instances() if i.running]
        return PodPlan(key, pod, record, UPDATED if running else UNCHANGED,
                       [Step('stop_pod', record=record)] if running else [], record.uid,
                       sandbox.attempt if sandbox else None, 'the sandbox died and restartPolicy is Never')
    if sandbox is None or not sandbox.running:
        return _fresh(key, pod, record, RECREATED, record.uid, record.next_sandbox_attempt,
                      sandbox_image, 'the sandbox is not running', facts, restart=True)
    steps = _resume(pod, record, facts)
    return PodPlan(key, pod, record, UPDATED if steps else UNCHANGED, steps, record.uid, sandbox.attempt,
                   'containers to start or replace' if steps else '')


def plan_batch(pods, records, facts, sandbox_image, force=False):
    """One plan per pod; every preflight problem of the batch is raised together."""
    plans, errors = [], []
    for pod in pods:
        key = (pod['metadata']['namespace'], pod['metadata']['name'])
        try:
            plans.append(plan_apply(pod, records.get(key), facts, sandbox_image, force))
        except PreflightError as exc:
            errors.extend(exc.details.get('errors') or [exc.msg])
    if errors:
        raise PreflightError('Cannot apply: ' + '; '.join(errors), errors=errors)
    return plans


class ObjectPlan:
    """What one ConfigMap, Secret or PersistentVolumeClaim needs: ``action`` and ``steps``."""

    def __init__(self, obj, action, steps):
        self.obj = obj
        self.kind = obj['kind']
        self.key = (obj['kind'], obj['metadata']['namespace'], obj['metadata']['name'])
        self.action = action
        self.steps = steps

    @property
    def changed(self):
        return self.action not in (UNCHANGED, ABSENT)


def plan_objects(items, stored, deleting=False):
    """Plans of the batch's objects against ``stored`` (``{(kind, ns, name): object or None}``)."""
    plans = []
    for obj in items:
        key = (obj['kind'], obj['metadata']['namespace'], obj['metadata']['name'])
        current = stored.get(key)
        if deleting:
            plans.append(ObjectPlan(obj, DELETED if current else ABSENT,
                                    [Step('delete_object', key=key, obj=current)] if current else []))
        elif current is None:
            plans.append(ObjectPlan(obj, CREATED, [Step('write_object', key=key, obj=obj)]))
        elif naming.canonical(current) != naming.canonical(obj):
            if current.get('immutable'):
                raise PreflightError('%s "%s" is immutable: field is immutable when `immutable` is set'
                                     % (obj['kind'], obj['metadata']['name']))
            plans.append(ObjectPlan(obj, UPDATED, [Step('write_object', key=key, obj=obj)]))
        else:
            plans.append(ObjectPlan(obj, UNCHANGED, []))
    return plans


def plan_delete(key, record):
    if record is None:
        return PodPlan(key, None, None, ABSENT, [])
    return PodPlan(key, None, record, DELETED, [Step('remove_pod', record=record, keep_volumes=False)], record.uid)


def _fresh(key, pod, record, action, uid, sandbox_attempt, sandbox_image, reason, facts, restart=False):
    """Steps for a new sandbox and everything in it; an old record is removed first."""
    steps = []
    if record is not None and not restart:  # a recreate starts clean, new emptyDirs included
        steps.append(Step('remove_pod', record=record, keep_volumes=False))
    steps.extend(_volume_steps(pod, facts))
    if not facts.has_image(sandbox_image):
        steps.append(Step('pull', image=sandbox_image))
    steps.append(Step('sandbox', attempt=sandbox_attempt))
    steps.extend(Step('project', name=volume['name'], volume=volume) for volume in pod['spec'].get('volumes') or []
                 if any(key in volume for key in objects.REFERENCING_VOLUMES))
    if record is not None and restart:
        # A restart keeps the pod's emptyDir volumes (same UID): the new sandbox holds the
        # Memory ones mounted before the old containers, which hold them too, are removed.
        steps.append(Step('remove_pod', record=record, keep_volumes=True))
    for kind, op in (('initContainers', 'init'), ('containers', 'start')):
        for container in pod['spec'].get(kind) or []:
            attempt = record.next_attempt(container['name']) if restart and record else 0
            steps.append(Step('sidecar' if is_sidecar(container) else op, container=container, attempt=attempt,
                              image=_image_action(container, facts)))
    return PodPlan(key, pod, record, action, steps, uid, sandbox_attempt, reason)


def _resume(pod, record, facts):
    """Steps that finish or repair a pod whose sandbox runs."""
    steps = []
    spec = pod['spec']
    app_started = any(record.latest(c['name']) for c in spec['containers'])
    for container in spec.get('initContainers') or []:
        latest = record.latest(container['name'])
        if is_sidecar(container):  # kept running for the pod's whole life, in init order
            step = _keep_running(container, latest, 'Always', facts, kind='init')
            steps.extend([step] if step else [])
            continue
        if not app_started:  # after initialization the kubelet ignores regular init containers
            if latest is not None and latest.succeeded:
                continue
            if latest is not None and latest.running:
                steps.append(Step('await_init', container=container, instance=latest))
            else:
                steps.append(Step('init', container=container, attempt=record.next_attempt(container['name']),
                                  image=_image_action(container, facts)))
    for container in spec['containers']:
        step = _keep_running(container, record.latest(container['name']), spec['restartPolicy'], facts)
        steps.extend([step] if step else [])
    return steps


def _keep_running(container, latest, restart_policy, facts, kind='container'):
    """The step that starts, replaces (changed image) or restarts one container, or None."""
    image = _image_action(container, facts)
    first = 'sidecar' if kind == 'init' else 'start'
    if latest is None:
        return Step(first, container=container, attempt=0, image=image)
    if latest.hash != naming.container_hash(container) or (
            not latest.running and should_restart(restart_policy, latest)):
        return Step('replace', container=container, attempt=latest.attempt + 1, old=latest, image=image, kind=kind)
    return None


def _image_action(container, facts):
    """What the kubelet's image manager does before creating the container, per imagePullPolicy:
    ``present`` (use the local image), ``pull``, or ``never-missing`` (ErrImageNeverPull)."""
    present = facts.has_image(container['image'])
    policy = container['imagePullPolicy']
    if policy == 'Always' or (policy == 'IfNotPresent' and not present):
        return 'pull'
    return 'present' if present else 'never-missing'


def _volume_steps(pod, facts):
    steps, errors = [], []
    meta = pod['metadata']
    fs_group = (pod['spec'].get('securityContext') or {}).get('fsGroup')
    for index, volume in enumerate(pod['spec'].get('volumes') or []):
        if 'emptyDir' in volume:
            medium = (volume['emptyDir'] or {}).get('medium', '')
            steps.append(Step('volume', name=naming.emptydir_volume_name(meta['namespace'], meta['name'], meta.get('uid', ''),
                                                                         volume['name']),
                              volume=volume, kind='emptyDir', memory=medium == 'Memory'))
        elif 'persistentVolumeClaim' in volume:
            claim = volume['persistentVolumeClaim']['claimName']
            steps.append(Step('volume', name=naming.claim_volume_name(meta['namespace'], claim), volume=volume,
                              kind='persistentVolumeClaim', memory=False))
        if fs_group is not None and ('persistentVolumeClaim' in volume or 'emptyDir' in volume and
                                     (volume['emptyDir'] or {}).get('medium') != 'Memory'):
            steps.append(Step('fs_group', name=steps[-1].name, group=fs_group))
        elif 'hostPath' in volume:
            path, kind = volume['hostPath']['path'], volume['hostPath'].get('type', '')
            found = facts.paths.get(path, 'missing')
            expect = HOSTPATH_EXPECT.get(kind)
            if kind.endswith('OrCreate') and found == 'missing':
                steps.append(Step('host_path', path=path, type=kind))
            elif expect and found != expect[0]:
                errors.append('%s: spec.volumes[%d].hostPath: hostPath type check failed: %s %s'
                              % (meta['name'], index, path, expect[1]))
    if errors:
        raise PreflightError('; '.join(errors), errors=errors)
    return steps


def host_paths(pods):
    """The hostPath paths the planner needs facts about."""
    return sorted({v['hostPath']['path'] for pod in pods for v in pod['spec'].get('volumes') or [] if 'hostPath' in v})
