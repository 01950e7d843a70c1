# -*- coding: utf-8 -*-
# Copyright (c) hostpods contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""PRIVATE: desired pods + observed state -> the plan: one ordered list of typed steps per pod. Pure.

The rules are the kubelet's (``computePodActions``): a new pod gets a sandbox, its volumes, its
init containers one by one, then its containers; a changed image replaces only that container
(attempt + 1); any other change recreates the pod (sandbox attempt + 1); a dead sandbox is
replaced and every container restarted; a container that stopped is restarted when the pod's
restartPolicy says so; the volumes of a running pod that mounts a changed ConfigMap or Secret are
refreshed in place. Stopping follows the kubelet's termination order (app containers together,
then sidecars in reverse order, then the sandbox). The plan is the whole truth: the executor only
carries its steps out. A hostPath that fails its type check is raised here, before anything is
touched; images are pulled (or found missing under ``Never``) container by container.
"""

from __future__ import annotations

import uuid

from ansible_collections.hostpods.core.plugins.module_utils._errors import PreflightError
from ansible_collections.hostpods.core.plugins.module_utils._plan import resize
from ansible_collections.hostpods.core.plugins.module_utils._plan import steps as S
from ansible_collections.hostpods.core.plugins.module_utils._plan import translate
from ansible_collections.hostpods.core.plugins.module_utils._spec import naming
from ansible_collections.hostpods.core.plugins.module_utils._spec import configs
from ansible_collections.hostpods.core.plugins.module_utils._spec import podspec

CREATED, UPDATED, RECREATED, UNCHANGED, DELETED, ABSENT = 'created', 'updated', 'recreated', 'unchanged', 'deleted', 'absent'

# Who restarts what stopped (the ``restarts`` argument of the planning functions):
NOW = 'now'      # the module on a node without the agent: every repair at once (the engine restarts crashes)
AGENT = 'agent'  # the module on a node whose agent keeps this pod: spec changes only; the agent restarts
KEEP = 'keep'    # the agent: repairs and restarts (after the back-off), never a spec it was not given

HOSTPATH_EXPECT = {
    'Directory': ('directory', 'is not a directory'),
    'File': ('file', 'is not a file'),
    'Socket': ('socket', 'is not a socket file'),
    'CharDevice': ('char', 'is not a character device'),
    'BlockDevice': ('block', 'is not a block device'),
    'DirectoryOrCreate': ('directory', 'is not a directory'),
    'FileOrCreate': ('file', 'is not a file'),
}


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


class Plan:
    """The plan of one call: the object plans and the pod plans, in the order they are carried out
    (objects before the pods that use them; when deleting, pods before the claims they hold), and the
    call's ``prune`` (a ``_plan.prune.PrunePlan``, or None)."""

    def __init__(self, pods, objects_=(), deleting=False, prune=None):
        self.pods = list(pods)
        self.objects = list(objects_)
        self.deleting = deleting
        self.prune = prune

    @property
    def changed(self):
        return any(plan.changed for plan in self.pods + self.objects) or bool(self.prune and self.prune.changed)

    @property
    def has_steps(self):
        """Whether the executor has anything to carry out (the prune's steps included)."""
        return any(plan.steps for _what, plans, _after in self.phases() for plan in plans)

    def phases(self):
        """``[(what, plans, after_success)]`` in execution order: ``what`` is ``objects`` or ``pods``; a phase
        ``after_success`` runs only when nothing failed before it (a prune, as kubectl prunes only after the
        whole apply succeeded, and writes the ApplySet's parent last only after the whole prune did)."""
        if self.deleting:
            return [('pods', self.pods, False), ('objects', self.objects, False)]
        if self.prune is None:
            return [('objects', self.objects, False), ('pods', self.pods, False)]
        prune = self.prune
        return [('objects', prune.first + self.objects, False), ('pods', self.pods, False), ('pods', prune.pods, True),
                ('objects', prune.objects, True), ('objects', prune.last, True)]


# ----------------------------------------------------------------------------- stopping

def stop_steps(instances, grace=None):
    """The kubelet's termination order for the running ``instances`` of a pod: the app containers
    together (each with its grace period, or ``grace``), then the sidecars one by one in reverse start
    order, then the sandbox."""
    running = [item for item in instances if item.running]
    sandboxes = [item for item in running if item.container == naming.SANDBOX_CONTAINER]
    sidecars = sorted([item for item in running if item.kind == 'init'], key=lambda item: item.created, reverse=True)
    apps = [item for item in running if item not in sandboxes and item not in sidecars]
    steps = [S.Stop(tuple(apps), grace=grace)] if apps else []
    steps.extend(S.Stop((item,), grace=grace) for item in sidecars)
    if sandboxes:
        steps.append(S.Stop(tuple(sandboxes), grace=S.SANDBOX_GRACE))
    return steps


def removal_steps(record, keep_volumes, grace=None):
    """Stop (within ``grace`` seconds when given) and remove every container of ``record`` and of its
    strays (other UIDs of the pod), the strays' data and, unless ``keep_volumes``, its own emptyDir
    volumes and node directory."""
    instances = record.all_instances() + list(record.strays)
    steps = stop_steps(instances, grace)
    if instances:
        steps.append(S.Remove(tuple(instances)))
    if not keep_volumes and record.uid:
        steps.append(S.RemovePodData(record.uid))
    steps.extend(S.RemovePodData(uid) for uid in record.stray_uids)
    return steps


def stray_steps(record):
    """Remove what other UIDs of the pod left on the node (an interrupted or concurrent run): their
    containers, volumes and node directories."""
    steps = stop_steps(record.strays)
    if record.strays:
        steps.append(S.Remove(tuple(record.strays)))
    steps.extend(S.RemovePodData(uid) for uid in record.stray_uids)
    return steps


def sandbox_changed(pod, record):
    """Why the running sandbox no longer holds the pod's containers (``PodSandboxChanged``), or '':
    the engine restarted it under them (a new network namespace), a container joined another
    sandbox, or the pod IP is no longer the one of its /etc/hosts."""
    sandbox = record.sandbox
    apps = [item for name in record.instances for item in [record.latest(name)] if item is not None and item.running]
    if any(item.labels.get(naming.SANDBOX_ID) not in (None, sandbox.id) for item in apps):
        return 'containers are joined to another sandbox'
    if sandbox.uptime and any(item.uptime and item.uptime[0] >= sandbox.uptime[1] for item in apps):
        return 'the sandbox restarted under its containers'
    if not pod['spec'].get('hostNetwork') and sandbox.ip and record.pod_ip and sandbox.ip != record.pod_ip:
        return 'the pod IP changed from %s to %s' % (record.pod_ip, sandbox.ip)
    return ''


def node_mounted_volumes(pod, image_mounts=True):
    """``{volume name: what the node mounts on its directory}``: a Secret volume's tmpfs and, with ``image_mounts``
    (see ``NodeContext.image_mounts_on_node``), an image volume's image."""
    return {volume['name']: 'the image mount' if 'image' in volume else 'the tmpfs'
            for volume in pod['spec'].get('volumes') or []
            if configs.on_tmpfs(volume) or (image_mounts and 'image' in volume)}


def lost_mounts(pod, record, image_mounts=True):
    """Why the node no longer holds what the pod's running containers were given, or '': a Secret volume's
    tmpfs, an image volume's mount (``image_mounts``: the node makes them) or a subPath's pin is missing (the node
    restarted, and the engine started the containers again on what was left), so the containers are made again
    (``PodSandboxChanged``). Unknown mounts: ''."""
    if record.node_mounts is None:
        return ''
    uid, mounted = record.uid, node_mounted_volumes(pod, image_mounts)
    by_engine = set() if image_mounts else {v['name'] for v in pod['spec'].get('volumes') or [] if 'image' in v}
    for container in (pod['spec'].get('initContainers') or []) + pod['spec']['containers']:
        latest = record.latest(container['name'])
        if latest is None or not latest.running:
            continue
        for index, mount in enumerate(container.get('volumeMounts') or []):
            if mount['name'] in by_engine:
                continue  # the engine mounts the image, a subPath in it too
            if podspec.has_sub_path(mount):
                path, what = naming.subpath_pin(uid, mount['name'], container['name'], index), 'the subPath'
            elif mount['name'] in mounted:
                path, what = naming.volume_dir(uid, mount['name']), mounted[mount['name']]
            else:
                continue
            if path not in record.node_mounts:
                return 'the node lost %s of volume "%s" that container "%s" mounts' % (
                    what, mount['name'], container['name'])
    return ''


def image_volume_steps(pod, facts, record=None):
    """The image manager's pull and the node's mount of each ``image`` volume (but, given ``record``, those the
    node holds already)."""
    held = record.node_mounts if record is not None and record.node_mounts is not None else None
    return [S.ImageVolume(volume['name'], volume, image_action(
        {'image': volume['image']['reference'], 'imagePullPolicy': volume['image']['pullPolicy']}, facts),
        on_node=facts.image_mounts_on_node)
        for volume in pod['spec'].get('volumes') or [] if 'image' in volume and (
            held is None or (facts.image_mounts_on_node and naming.volume_dir(record.uid, volume['name']) not in held))]


def project_step(volume, refresh=False):
    """The step that writes a configMap, secret, downwardAPI or projected volume's files (a Secret's on a tmpfs)."""
    return S.Project(volume['name'], volume, refresh, tmpfs=configs.on_tmpfs(volume))


def repair_steps(pod, record, skip=(), facts=None):
    """Write again the files of the pod's configMap, secret, downwardAPI and projected volumes that the node
    no longer holds (a tmpfs is empty after a node restart; someone removed them), and put on a tmpfs the
    Secret files that are not on one; ``skip``: volumes already written; mount again the image volumes the node
    mounts and no longer holds (given ``facts``). Unknown files: nothing."""
    if record.volume_files is None or record.node_mounts is None:
        return []
    uid = record.uid
    images = image_volume_steps(pod, facts, record) if facts is not None else []
    return images + [
        project_step(volume) for volume in pod['spec'].get('volumes') or []
        if any(key in volume for key in configs.REFERENCING_VOLUMES) and volume['name'] not in skip and (
            volume['name'] not in record.volume_files or
            (configs.on_tmpfs(volume) and naming.volume_dir(uid, volume['name']) not in record.node_mounts))]


# ----------------------------------------------------------------------------- applying

def plan_apply(pod, record, facts, sandbox_image, force=False, new_uid=None, changed_objects=frozenset(), restarts=NOW):
    """The plan that brings ``record`` (or nothing) to ``pod``. ``changed_objects``: the
    ``(kind, namespace, name)`` of the ConfigMaps and Secrets this call changes; ``restarts``: who
    restarts what stopped (``NOW``, ``AGENT``, ``KEEP``)."""
    if restarts == AGENT and (record is None or record.desired is None):
        restarts = NOW  # a pod the agent does not know yet: the module repairs it
    plan = _plan_spec(pod, record, facts, sandbox_image, force, new_uid, restarts)
    if plan.action in (UNCHANGED, UPDATED) and record:
        # a tmpfs mounted now would not reach containers that lost their mounts: the agent makes them again
        running = record.sandbox and record.sandbox.running and not lost_mounts(plan.pod, record,
                                                                                facts.image_mounts_on_node)
        refresh = refresh_steps(plan.pod, changed_objects) if running else []
        repair = repair_steps(plan.pod, record, {step.name for step in refresh}, facts) \
            if running and not is_finished(plan.pod, record) else []
        if refresh or repair:
            plan.steps[:0] = refresh + repair
            plan.action = UPDATED
            plan.reason = plan.reason or ('a ConfigMap or Secret it mounts changed' if refresh else
                                          'the node lost the files of volume "%s"' % repair[0].name)
        if record.applied and naming.pod_metadata(record.applied) != naming.pod_metadata(pod):
            # Labels, annotations, owner references and finalizers change in place, as on Kubernetes: no restarts.
            plan.steps.insert(0, S.Metadata(naming.pod_metadata(pod)))
            plan.action = UPDATED
            plan.reason = plan.reason or 'its metadata changed (labels, annotations, owners or finalizers)'
        if plan.action == UPDATED and restarts != KEEP:
            plan.steps.insert(0, S.RecordPod(plan.pod, sandbox_image))
        strays = stray_steps(record)
        if strays:
            plan.steps[:0] = strays
            plan.action = UPDATED
            plan.reason = plan.reason or 'copies of the pod under other UIDs (%s)' % ', '.join(
                record.stray_uids or [record.strays[0].name])
    return plan


def _apps(pod, record):
    out = []
    for container in pod['spec']['containers']:
        latest = record.latest(container['name'])
        policy, rules = podspec.container_policy(container, pod['spec']['restartPolicy'])
        out.append((latest.state, latest.exit_code, policy, rules) if latest else None)
    return out


def is_finished(pod, record):
    """Whether the pod on the host has finished (Succeeded or Failed): see ``podspec.pod_finished``."""
    failed_init = any(latest and latest.state == 'exited' and latest.exit_code != 0
                      for latest in (record.latest(c['name']) for c in pod['spec'].get('initContainers') or []
                                     if not podspec.is_sidecar(c)))
    return podspec.pod_finished(pod['spec']['restartPolicy'], _apps(pod, record), failed_init)


def _plan_spec(pod, record, facts, sandbox_image, force, new_uid, restarts=NOW):
    key = (pod['metadata']['namespace'], pod['metadata']['name'])
    fresh = record is None or record.uid is None
    pod = dict(pod, metadata=dict(pod['metadata'], uid=(new_uid or str(uuid.uuid4())) if fresh else record.uid))
    if fresh:
        return _fresh(key, pod, None, CREATED, 0, sandbox_image, '', facts)
    if restarts == KEEP and record.hash and record.hash != naming.pod_hash(pod, sandbox_image):
        # an apply is under way or stopped half-way: the agent reports it and waits for the next apply
        return PodPlan(key, pod, record, UNCHANGED, [], record.uid, None, 'the pod on the node is not the pod applied')
    if force or record.hash != naming.pod_hash(pod, sandbox_image):
        resized = None if force else resize.plan_steps(pod, record, facts.pod_cgroups, sandbox_image,
                                                       lambda container: image_action(container, facts))
        if resized is not None:
            return PodPlan(key, pod, record, UPDATED, resized, record.uid, record.sandbox.attempt,
                           'resources resized in place')
        reason = 'force: true' if force else 'the pod spec changed'
        return _fresh(key, pod, record, RECREATED, record.next_sandbox_attempt, sandbox_image, reason, facts)
    sandbox = record.sandbox
    attempt = sandbox.attempt if sandbox else None
    if is_finished(pod, record):
        # Once the app containers finished, the kubelet stops the sidecars (and the pod) too.
        sidecars = [record.latest(name) for name in podspec.sidecar_names(pod['spec'])]
        steps = stop_steps(record.all_instances()) if any(item and item.running for item in sidecars) else []
        return PodPlan(key, pod, record, UPDATED if steps else UNCHANGED, steps, record.uid, attempt,
                       'the pod finished' if steps else '')
    if (sandbox is None or not sandbox.running) and pod['spec']['restartPolicy'] == 'Never' \
            and any(record.latest(c['name']) for c in pod['spec']['containers']):
        # computePodActions: a Never pod that already ran gets no new sandbox; it is killed and ends.
        steps = stop_steps(record.all_instances())
        return PodPlan(key, pod, record, UPDATED if steps else UNCHANGED, steps, record.uid, attempt,
                       'the sandbox died and restartPolicy is Never')
    changed = 'the sandbox is not running' if sandbox is None or not sandbox.running else (
        sandbox_changed(pod, record) or lost_mounts(pod, record, facts.image_mounts_on_node))
    if changed and restarts == AGENT:  # the agent restarts the pod
        return PodPlan(key, pod, record, UNCHANGED, [], record.uid, attempt, '')
    if changed:
        return _fresh(key, pod, record, RECREATED, record.next_sandbox_attempt, sandbox_image, changed, facts,
                      restart=True, restarts=restarts)
    steps = _resume(pod, record, facts, restarts)
    return PodPlan(key, pod, record, UPDATED if steps else UNCHANGED, steps, record.uid, attempt,
                   'containers to start or replace' if steps else '')


def plan_batch(pods, records, facts, sandbox_image, force=False, changed_objects=frozenset(), restarts=NOW):
    """One plan per pod; every preflight problem of the batch is raised together."""
    plans, errors = [], []
    for pod in pods:
        key = (pod['metadata']['namespace'], pod['metadata']['name'])
        try:
            plans.append(plan_apply(pod, records.get(key), facts, sandbox_image, force, changed_objects=changed_objects,
                                    restarts=restarts))
        except PreflightError as exc:
            errors.extend(exc.details.get('errors') or [exc.msg])
    if errors:
        raise PreflightError('Cannot apply: ' + '; '.join(errors), errors=errors)
    return plans


def refresh_steps(pod, changed_objects):
    """Rewrite, in place, the volumes of ``pod`` that take files from a changed ConfigMap or Secret."""
    namespace = pod['metadata']['namespace']
    return [project_step(volume, refresh=True) for volume in pod['spec'].get('volumes') or []
            if any((kind, namespace, name) in changed_objects for kind, name in configs.references(volume))]


def plan_refreshes(records, changed_objects, skip=(), image_mounts=True):
    """Plans for the running pods outside the call (``skip``: the keys of the call's pods) whose
    mounted ConfigMaps or Secrets the call changes, as the kubelet's sync refreshes them. A pod whose
    containers lost their mounts is left to its next apply (or the node agent), which makes them again:
    a tmpfs mounted now would hide the files they see (``image_mounts``: see ``lost_mounts``)."""
    plans = []
    for key, record in sorted(records.items()):
        applied = record.applied
        if key in skip or not applied or not record.sandbox or not record.sandbox.running:
            continue
        pod = dict(applied, metadata=dict(applied['metadata'], uid=record.uid))
        if lost_mounts(pod, record, image_mounts):
            continue
        steps = refresh_steps(pod, changed_objects)
        if steps:
            plans.append(PodPlan(key, pod, record, UPDATED, steps, record.uid, record.sandbox.attempt,
                                 'a ConfigMap or Secret it mounts changed'))
    return plans


def needs_restart_counts(plan):
    """The instances a plan numbered new instances after without knowing how often the engine
    restarted them in place: the caller reads those counts and plans the pod again."""
    if plan.record is None:
        return []
    names = [step.container['name'] for step in plan.steps if isinstance(step, (S.StartContainer, S.RunInit))]
    return [latest for latest in (plan.record.latest(name) for name in names)
            if latest is not None and latest.restart_count is None]


def _fresh(key, pod, record, action, sandbox_attempt, sandbox_image, reason, facts, restart=False, restarts=NOW):
    """Steps for a new sandbox and everything in it; an old record is removed first (a restart keeps
    the pod's emptyDir volumes, and removes the old containers once the new sandbox holds them)."""
    steps = removal_steps(record, keep_volumes=False) if record is not None and not restart else []
    if record is not None and restart and record.sandbox and record.sandbox.running:
        steps.extend(stop_steps(record.all_instances()))  # its host ports and network go before the new sandbox
    steps.extend(_volume_steps(pod, facts))
    if not facts.has_image(sandbox_image):
        steps.append(S.Pull(sandbox_image))
    if facts.pod_cgroups:  # the kubelet makes the pod's cgroup before its sandbox
        steps.append(resize.pod_cgroup_step(pod, facts.pod_cgroups))
    steps.append(S.Sandbox(sandbox_attempt))
    if restarts != KEEP:  # the agent keeps the pod.json it was given
        steps.append(S.RecordPod(pod, sandbox_image))
    steps.extend(image_volume_steps(pod, facts))  # as the kubelet's, once the sandbox runs
    steps.extend(project_step(volume) for volume in pod['spec'].get('volumes') or []
                 if any(key_ in volume for key_ in configs.REFERENCING_VOLUMES))
    if record is not None and restart:
        # the new sandbox holds the Memory volumes before the old containers, which hold them too, go
        steps.extend(removal_steps(record, keep_volumes=True))
    policy = 'fail' if pod['spec']['restartPolicy'] == 'Never' else 'retry'
    for container in pod['spec'].get('initContainers') or []:
        attempt = record.next_attempt(container['name']) if restart else 0
        image = image_action(container, facts)
        if podspec.is_sidecar(container):
            steps.append(S.StartContainer(container, attempt, image, sidecar=True))
        else:
            steps.append(S.RunInit(container, attempt, image, on_failure=policy, wait=restarts != KEEP))
            if restarts == KEEP:
                break  # the agent never waits: the next init container starts at a later sync
    else:
        steps.extend(_app_starts(pod, record if restart else None, facts))
    return PodPlan(key, pod, record, action, steps, pod['metadata']['uid'], sandbox_attempt, reason)


def _app_starts(pod, record, facts):
    return [S.StartContainer(c, record.next_attempt(c['name']) if record else 0, image_action(c, facts))
            for c in pod['spec']['containers']]


def _resume(pod, record, facts, restarts=NOW):
    """Steps that finish or repair a pod whose sandbox runs. The agent (``KEEP``) never waits for an
    init container: it starts the next one, or the app containers, at a later sync."""
    steps = []
    spec = pod['spec']
    app_started = any(record.latest(c['name']) for c in spec['containers'])
    policy = 'fail' if spec['restartPolicy'] == 'Never' else 'retry'
    for container in spec.get('initContainers') or []:
        name, latest = container['name'], record.latest(container['name'])
        if podspec.is_sidecar(container):  # kept running for the pod's whole life, in init order
            steps.extend(_keep_running(container, record, ('Always', ()), facts, restarts, sidecar=True))
        elif not app_started and not (latest is not None and latest.succeeded):
            # after initialization the kubelet ignores regular init containers
            everything = tuple(item.id for item in record.instances.get(name) or [])
            if latest is not None and latest.running:
                if restarts == KEEP:
                    return steps  # it runs: the agent looks again at its next sync
                steps.append(S.RunInit(container, latest.attempt, 'present', policy, running=latest,
                                       prune=everything[:-1]))
            else:
                if restarts == KEEP and latest is not None and latest.state == 'exited' and policy == 'fail':
                    return steps
                steps.append(S.RunInit(container, record.next_attempt(name), image_action(container, facts), policy,
                                       prune=everything, wait=restarts != KEEP))
                if restarts == KEEP:
                    return steps
    for container in spec['containers']:
        steps.extend(_keep_running(container, record, podspec.container_policy(container, spec['restartPolicy']), facts,
                                   restarts))
    return steps


def _keep_running(container, record, policy, facts, restarts=NOW, sidecar=False):
    """The step that starts, replaces (changed spec) or restarts one container: zero or one. The
    module on a node whose agent keeps the pod (``AGENT``) leaves starts and restarts to the agent;
    the agent (``KEEP``) never replaces a container whose spec it was not given."""
    latest = record.latest(container['name'])
    image = image_action(container, facts)
    changed = latest is not None and record.spec_hash(latest) != naming.container_hash(container)
    restart_policy, rules = policy
    stopped = latest is None or (not latest.running and podspec.should_restart(restart_policy, latest.state,
                                                                               latest.exit_code, rules))
    if (changed and restarts == KEEP) or (not changed and (not stopped or restarts == AGENT)):
        return []
    if latest is None:
        return [S.StartContainer(container, record.next_attempt(container['name']), image, sidecar=sidecar)]
    older = tuple(item.id for item in record.older(container['name']))
    return [S.StartContainer(container, record.next_attempt(container['name']), image, sidecar=sidecar, replaces=latest,
                             prune=older)]


def image_action(container, facts):
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
    context = pod['spec'].get('securityContext') or {}
    fs_group, policy = context.get('fsGroup'), context.get('fsGroupChangePolicy') or 'Always'
    for index, volume in enumerate(pod['spec'].get('volumes') or []):
        if 'emptyDir' in volume:
            memory = (volume['emptyDir'] or {}).get('medium', '') == 'Memory'
            name = naming.emptydir_volume_name(meta['namespace'], meta['name'], meta['uid'], volume['name'])
            steps.append(S.Volume(name, volume, 'emptyDir', memory))
            if fs_group is not None and not memory:
                steps.append(S.FsGroup(name, fs_group, policy))
        elif 'persistentVolumeClaim' in volume or 'ephemeral' in volume:
            kind = 'ephemeral' if 'ephemeral' in volume else 'persistentVolumeClaim'
            name = translate.volume_sources({'metadata': meta, 'spec': {'volumes': [volume]}})[volume['name']][1]
            if kind == 'ephemeral':
                errors += _claim_owner_errors(pod, volume, facts)
            steps.append(S.Volume(name, volume, kind))
            if fs_group is not None:
                steps.append(S.FsGroup(name, fs_group, policy))
        elif 'hostPath' in volume:
            path, kind = volume['hostPath']['path'], volume['hostPath'].get('type', '')
            found = facts.paths.get(path, 'missing')
            expect = HOSTPATH_EXPECT.get(kind)
            if kind.endswith('OrCreate') and found == 'missing':
                steps.append(S.HostPath(path, kind))
            elif expect and found != expect[0]:
                errors.append('%s: spec.volumes[%d].hostPath: hostPath type check failed: %s %s'
                              % (meta['name'], index, path, expect[1]))
    if errors:
        raise PreflightError('; '.join(errors), errors=errors)
    return steps


def _claim_owner_errors(pod, volume, facts):
    """An ``ephemeral`` volume whose claim exists on the node and is not this pod's: the kubelet does not use it."""
    name = configs.ephemeral_claim_name(pod['metadata']['name'], volume['name'])
    claim = facts.claims.get((pod['metadata']['namespace'], name))
    problem = configs.not_owner_error(pod, claim) if claim else None
    return ['%s: spec.volumes: %s' % (pod['metadata']['name'], problem)] if problem else []


def ephemeral_claims(pods):
    """The ``(namespace, name)`` of the claims the pods' ``ephemeral`` volumes make (the planner needs them)."""
    return sorted({(pod['metadata']['namespace'], configs.ephemeral_claim_name(pod['metadata']['name'], volume['name']))
                   for pod in pods for volume in pod['spec'].get('volumes') or [] if 'ephemeral' in volume})


def host_paths(pods):
    """The hostPath paths the planner needs facts about."""
    return sorted({v['hostPath']['path'] for pod in pods for v in pod['spec'].get('volumes') or [] if 'hostPath' in v})


# ----------------------------------------------------------------------------- deleting, and objects

def plan_delete(key, record, grace=None):
    """Forget the pod first (the node agent lets it go), then stop its containers within their grace
    periods (or ``grace`` seconds) and remove every trace of every UID it had."""
    if record is None:
        return PodPlan(key, None, None, ABSENT, [])
    forget = [S.ForgetPod(uid) for uid in [record.uid] + record.stray_uids if uid]
    return PodPlan(key, None, record, DELETED, forget + removal_steps(record, keep_volumes=False, grace=grace),
                   record.uid)


def plan_objects(items, stored, deleting=False):
    """Plans of the batch's objects against ``stored`` (``{(kind, ns, name): object or None}``)."""
    plans = []
    for obj in items:
        key = (obj['kind'], obj['metadata']['namespace'], obj['metadata']['name'])
        current = stored.get(key)
        if deleting:
            plans.append(ObjectPlan(obj, DELETED if current else ABSENT, [S.DeleteObject(key)] if current else []))
        elif current is None:
            plans.append(ObjectPlan(obj, CREATED, [S.WriteObject(key, obj)]))
        elif naming.canonical(current) != naming.canonical(obj):
            if current.get('immutable'):
                raise PreflightError('%s "%s" is immutable: field is immutable when `immutable` is set'
                                     % (obj['kind'], obj['metadata']['name']))
            plans.append(ObjectPlan(obj, UPDATED, [S.WriteObject(key, obj)]))
        else:
            plans.append(ObjectPlan(obj, UNCHANGED, []))
    return plans


def changed_objects(object_plans):
    """The keys of the ConfigMaps and Secrets a call writes (their mounted files are refreshed)."""
    return frozenset(plan.key for plan in object_plans if plan.changed and plan.kind != 'PersistentVolumeClaim')
