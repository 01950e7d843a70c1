# -*- coding: utf-8 -*-
# Copyright (c) hostpods contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""PRIVATE: the executor's handlers for the sandbox and the containers: pull, create, start, run an
init container to completion, stop (preStop, grace period) and remove. Each takes ``(run, step)``:
the ``PodRun`` of the pod and one step of its plan (see ``_plan.steps``).
"""

from __future__ import annotations

import json
import os

from ansible_collections.hostpods.core.plugins.module_utils._errors import HostpodsError, PodStartError
from ansible_collections.hostpods.core.plugins.module_utils._plan import translate
from ansible_collections.hostpods.core.plugins.module_utils._runtime import handlers
from ansible_collections.hostpods.core.plugins.module_utils._runtime import files
from ansible_collections.hostpods.core.plugins.module_utils._runtime import nodestate
from ansible_collections.hostpods.core.plugins.module_utils._runtime import subpath
from ansible_collections.hostpods.core.plugins.module_utils._runtime.concurrency import run_concurrently
from ansible_collections.hostpods.core.plugins.module_utils._spec import dns
from ansible_collections.hostpods.core.plugins.module_utils._spec import naming
from ansible_collections.hostpods.core.plugins.module_utils._spec import configs
from ansible_collections.hostpods.core.plugins.module_utils._spec import runtimeclass
from ansible_collections.hostpods.core.plugins.module_utils._spec import security
from ansible_collections.hostpods.core.plugins.module_utils._spec.expansion import ExpansionError

MINIMUM_GRACE = 2  # the kubelet's minimumGracePeriodInSeconds
LOG_TAIL_LINES = 20
SIDECAR_START_POLLS, SIDECAR_POLL_SECONDS = 50, 0.1


# ----------------------------------------------------------------------------- stopping

def kill(run, instance, grace=None, why=''):
    """Stop a container as the kubelet kills it: its preStop hook first, within the grace period,
    then SIGTERM and, after what is left of the period (at least 2 s), SIGKILL. ``grace`` defaults
    to the instance's own (its pod's terminationGracePeriodSeconds, at least 2 s)."""
    grace, started = max(MINIMUM_GRACE, instance.grace_period) if grace is None else grace, run.clock()
    if instance.running and instance.container != naming.SANDBOX_CONTAINER:
        run.event('Normal', 'Killing', why or 'Stopping container %s' % instance.container, _spec_of(run, instance))
    pre_stop = instance.labels.get(naming.PRE_STOP)
    if pre_stop and instance.running:
        spec = json.loads(pre_stop)
        info = run.client.inspect_container(instance.labels.get(naming.SANDBOX_ID, '')) or {}
        handlers.run_handler(run.client, instance.id, spec['handler'],
                             (info.get('NetworkSettings') or {}).get('IPAddress', ''), spec['ports'], grace)
    run.client.stop(instance.id, max(MINIMUM_GRACE, int(grace - (run.clock() - started))))


def _spec_of(run, instance):
    """The spec container of an instance (for its event's field path), or a stand-in with its name."""
    if run.pod is not None:
        for container in (run.pod['spec'].get('initContainers') or []) + run.pod['spec']['containers']:
            if container['name'] == instance.container:
                return container
    return {'name': instance.container}


def stop(run, step):
    run_concurrently(lambda instance: kill(run, instance, step.grace, step.why), step.instances)


def remove(run, step):
    run_concurrently(lambda instance: run.client.remove_container(instance.id), step.instances)


# ----------------------------------------------------------------------------- resizing

def update_resources(run, step):
    """Resize a running container in place (the engine's container update): same container, no restart."""
    run.client.update_resources(step.instance.id, step.settings)


def record_resources(run, step):
    """``resources.json``: what was resized in place since the running sandbox was made."""
    nodestate.write_resources(run.uid, {'sandbox': run.sandbox_id, 'podHash': step.pod_hash,
                                        'containers': step.containers, 'instances': step.instances})


# ----------------------------------------------------------------------------- creating

def pull(run, step):
    """Pull the sandbox image (the only image a Pull step names); a failure says which image, why and how to
    provide it (no event: nothing of a new pod is on the node yet to keep it)."""
    try:
        run.client.pull(step.image)
    except HostpodsError as exc:
        message = run.node.sandbox_image_problem(exc.msg)
        raise PodStartError('pod "%s/%s": %s' % (run.pod['metadata']['namespace'], run.pod['metadata']['name'],
                                                 message))


def sandbox(run, step):
    """The pod's sandbox, with the runtime its RuntimeClass names: one the engine does not have fails the pod as the
    kubelet's ``FailedCreatePodSandBox`` (an event once the node keeps the pod), before anything is made."""
    problem = runtimeclass.engine_problem(run.pod['spec'].get('runtimeClassName'), runtimeclass.handler(run.pod),
                                          run.node.engine)
    if problem:
        if nodestate.read_desired(run.uid) is not None:
            run.event('Warning', 'FailedCreatePodSandBox', problem)
        raise PodStartError('pod "%s/%s": FailedCreatePodSandBox: %s'
                            % (run.pod['metadata']['namespace'], run.pod['metadata']['name'], problem))
    settings, _event = dns.resolver_settings(run.pod, run.node.resolv_conf)
    body = translate.sandbox_body(run.pod, step.attempt, run.node.sandbox_image, settings, run.node.agent,
                                  run.node.pod_cgroups)
    meta = run.pod['metadata']
    nodestate.note_attempt(run.uid, naming.SANDBOX_CONTAINER, step.attempt)
    sandbox_id = run.client.create_container(naming.sandbox_name(meta['name'], meta['namespace'], run.uid, step.attempt),
                                             body)
    run.client.start(sandbox_id)
    run.sandbox_id = sandbox_id


def start_container(run, step):
    """An app container or sidecar instance: the older one stopped first, older dead ones pruned; the
    init order goes on once a sidecar runs."""
    ensure_image(run, step.container, step.image)
    if step.replaces is not None and step.replaces.running:
        kill(run, step.replaces)
    try:
        container_id = create_and_start(run, step.container, step.kind, step.attempt)
    finally:  # a start that failed leaves its instance, and the one it replaces stays the newest dead one
        for container_id_ in step.prune:
            run.client.remove_container(container_id_)
    if step.sidecar:
        for _poll in range(SIDECAR_START_POLLS):
            if ((run.client.inspect_container(container_id) or {}).get('State') or {}).get('Running'):
                return
            run.sleep(SIDECAR_POLL_SECONDS)


def run_init(run, step):
    """A regular init container, run to completion: each failure is retried after the step's back-off
    (while the call's time budget lasts) or fails the pod, as the step says; each new instance
    replaces the one before, which is removed once the new one has run."""
    if step.running is None:
        ensure_image(run, step.container, step.image)
    pod_name, name = run.pod['metadata']['name'], step.container['name']
    existing, attempt, tries, stale = step.running, step.attempt, 0, list(step.prune)
    if not step.wait:  # the node agent: start it, and see how it ends at a later sync
        try:
            create_and_start(run, step.container, 'init', attempt)
        finally:
            for old in stale[:-1]:  # the newest dead instance stays (its logs, lastState)
                run.client.remove_container(old)
        return
    while True:
        container_id = existing.id if existing else create_and_start(run, step.container, 'init', attempt)
        existing = None
        code = run.client.wait(container_id, timeout=max(1, int(run.remaining())))
        if code is None:
            raise PodStartError('pod "%s": init container "%s" is still running after the time budget '
                                '(wait_timeout); it keeps running and the next apply waits for it' % (pod_name, name))
        for old in stale:
            run.client.remove_container(old)
        stale = [container_id]
        if code == 0:
            return
        tail = configs.scrub(run.client.logs(container_id, tail=LOG_TAIL_LINES).strip(),
                             configs.secret_values(run.pod, run.lookup))
        log = ('; log tail: %s' % tail.replace('\n', ' | ')) if tail else '; no log output'
        if step.on_failure == 'fail':
            raise PodStartError('pod "%s" failed (Init:Error): init container "%s" exited with code %d '
                                'and restartPolicy is Never%s' % (pod_name, name, code, log), exit_code=code)
        delay = step.backoff[min(tries, len(step.backoff) - 1)]
        run.event('Warning', 'BackOff', 'Back-off restarting failed container %s in pod %s' % (name, run.pod_ref),
                  step.container)
        if delay >= run.remaining():
            raise PodStartError('pod "%s" is not initialized (Init:CrashLoopBackOff): init container "%s" exited '
                                'with code %d after %d attempt(s); the next apply retries it%s'
                                % (pod_name, name, code, tries + 1, log), exit_code=code)
        run.sleep(delay)
        tries += 1
        attempt += 1


def ensure_image(run, container, action, volume=None):
    """The image manager's part: pull per imagePullPolicy (``pull``), or refuse a missing image under
    Never (``never-missing``). ``volume``: the name of the image volume ``container`` stands for (``image``,
    ``imagePullPolicy``), whose events are the pod's."""
    image, pod_name = container['image'], run.pod['metadata']['name']
    what, about = ('image volume "%s"' % volume, None) if volume else ('container "%s"' % container['name'], container)
    if action == 'never-missing':
        message = 'Container image "%s" is not present with pull policy of Never' % image
        run.event('Warning', 'ErrImageNeverPull', message, about)
        raise PodStartError('pod "%s": %s: ErrImageNeverPull: %s' % (pod_name, what, message))
    if action != 'pull':
        run.event('Normal', 'Pulled', 'Container image "%s" already present on machine' % image, about)
        return
    namespace = run.pod['metadata']['namespace']
    secrets = [run.lookup('Secret', namespace, ref['name']) for ref in run.pod['spec'].get('imagePullSecrets') or []]
    run.event('Normal', 'Pulling', 'Pulling image "%s"' % image, about)
    started = run.clock()
    try:
        run.client.pull(image, configs.registry_auth(secrets, image))
    except HostpodsError as exc:
        run.event('Warning', 'Failed', 'Failed to pull image "%s": %s' % (image, exc.msg), about)
        raise PodStartError('pod "%s": %s: ErrImagePull: Failed to pull image "%s": %s'
                            % (pod_name, what, image, exc.msg))
    run.event('Normal', 'Pulled', 'Successfully pulled image "%s" in %.3fs' % (image, run.clock() - started), about)


def check_security(run, container, runtime):
    """What the kubelet checks before creating a container: runAsNonRoot against the image's user,
    and that a Localhost seccomp profile exists on the node (read into ``runtime``)."""
    pod = run.pod
    pod_name, name = pod['metadata']['name'], container['name']
    if security.effective(pod, container, 'runAsNonRoot'):
        image = run.client.inspect_image(container['image']) or {}
        problem = security.non_root_error(pod, container, (image.get('Config') or {}).get('User', ''))
        if problem:
            raise PodStartError('pod "%s": container "%s": CreateContainerConfigError: %s' % (pod_name, name, problem))
    profile = security.effective(pod, container, 'seccompProfile') or {}
    if profile.get('type') == 'Localhost':
        path = os.path.join(security.SECCOMP_ROOT, profile['localhostProfile'])
        try:
            with open(path, encoding='utf-8') as handle:
                runtime.setdefault('seccompProfiles', {})[profile['localhostProfile']] = handle.read()
        except OSError as exc:
            raise PodStartError('pod "%s": container "%s": CreateContainerError: cannot load seccomp profile "%s": %s'
                                % (pod_name, name, path, exc.strerror))


def start_ephemeral(run, step):
    """An ephemeral container: pulled as its policy says, created once (attempt 0) and started, in the PID
    namespace of its target container when it has one; never restarted."""
    ensure_image(run, step.container, step.image)
    create_and_start(run, step.container, step.kind, 0, pid_target=step.target.id if step.target is not None else None)


def create_and_start(run, container, kind, attempt, pid_target=None):
    """Create and start one container instance joined to the sandbox; its postStart hook runs (a
    failure kills it: FailedPostStartHook). Returns its ID."""
    meta = run.pod['metadata']
    runtime = run.runtime()
    check_security(run, container, runtime)
    nodestate.note_attempt(run.uid, container['name'], attempt)
    files.write_file(naming.termination_log_path(run.uid, container['name'], attempt), '', mode=0o666)
    try:
        body = translate.container_body(run.pod, container, kind, attempt, run.sandbox_id, run.node.sandbox_image,
                                        subpath_sources(run, container, runtime), runtime, pid_target)
    except (configs.ConfigError, subpath.SubPathError) as exc:
        run.event('Warning', 'Failed', nodestate.CREATE_ERROR + str(exc), container)
        raise PodStartError('pod "%s": container "%s": CreateContainerConfigError: %s' % (meta['name'], container['name'], exc))
    container_id = run.client.create_container(
        naming.container_name(container['name'], meta['name'], meta['namespace'], run.uid, attempt), body)
    run.event('Normal', 'Created', 'Created container %s' % container['name'], container)
    run.client.start(container_id)
    run.event('Normal', 'Started', 'Started container %s' % container['name'], container)
    post_start = (container.get('lifecycle') or {}).get('postStart')
    if post_start:
        problem = handlers.run_handler(run.client, container_id, post_start, runtime['podIP'], container.get('ports'),
                                       max(1, run.remaining()))
        if problem:  # the kubelet kills the container (FailedPostStartHook); its restart policy decides
            run.event('Warning', 'FailedPostStartHook', problem, container)
            run.client.stop(container_id, 0)
            raise PodStartError('pod "%s": container "%s": PostStartHookError: %s'
                                % (meta['name'], container['name'], problem))
    return container_id


def subpath_sources(run, container, runtime):
    """Each subPath of the container (a subPathExpr expanded with its environment) made safe as the kubelet makes
    it (see ``_runtime.subpath``): created inside its volume when missing, and pinned on the pod's node path that
    the engine binds; and the mount point of each Docker volume it mounts with a mountPropagation (the engine
    propagates binds only). Returns ``{index in volumeMounts: the node path to bind}``; raises
    ``subpath.SubPathError``."""
    pod = run.pod
    out = {}
    expressions = any(mount.get('subPathExpr') for mount in container.get('volumeMounts') or [])
    environment = translate.container_environment_of(pod, container, runtime) if expressions else None
    try:
        found = translate.subpath_mounts(pod, container, environment, runtime.get('engineApi'))
    except ExpansionError as exc:
        raise subpath.SubPathError(str(exc), str(exc))
    for index, volume_name, sub_path, kind, source in found:
        base = source
        if kind == 'volume':
            base = _mountpoint(run, source, 'subPath %s' % sub_path)
        pin = naming.subpath_pin(run.uid, volume_name, container['name'], index)
        out[index] = subpath.prepare(base, sub_path, pin, volume_name, container['name'])
    for index, source in translate.bound_volumes(pod, container):
        out[index] = _mountpoint(run, source, 'mountPropagation')
    return out


def _mountpoint(run, volume, what):
    """Where the engine keeps a Docker volume's files on the node."""
    found = (run.client.inspect_volume(volume) or {}).get('Mountpoint')
    if not found:
        raise PodStartError('pod "%s": cannot find volume %s for %s' % (run.pod['metadata']['name'], volume, what))
    return found
