# -*- coding: utf-8 -*-
# Copyright (c) hostpods contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""PRIVATE: Pod objects with the status a kubelet would report, from inspected containers. Pure.

``pod_object`` follows ``generateAPIPodStatus``: container states, ``getPhase`` and the pod
conditions; ``pod_row`` follows kubectl's ``printPod`` for the ``get pods -o wide`` columns.
"""

from __future__ import annotations

import json

from ansible_collections.hostpods.core.plugins.module_utils._plan.observed import Instance, start_failed
from ansible_collections.hostpods.core.plugins.module_utils._spec import naming
from ansible_collections.hostpods.core.plugins.module_utils._spec import readiness
from ansible_collections.hostpods.core.plugins.module_utils._spec import resources
from ansible_collections.hostpods.core.plugins.module_utils._spec.podspec import (
    epoch_seconds, is_sidecar, is_terminal_phase, kube_time as _time, qos_class, sidecar_names)


def _terminated(info, message=None):
    """``state.terminated`` of an exited container; ``message`` is its termination message."""
    state = info['State']
    code = state.get('ExitCode', 0)
    if state.get('OOMKilled'):
        reason = 'OOMKilled'
    elif code == 0:
        reason = 'Completed'
    else:
        reason = 'Error'
    out = {'exitCode': code, 'reason': reason, 'startedAt': _time(state.get('StartedAt')),
           'finishedAt': _time(state.get('FinishedAt')), 'containerID': 'docker://' + info['Id']}
    text = '\n'.join(part for part in (state.get('Error'), message) if part)
    if text:
        out['message'] = text
    if not out['startedAt']:
        out['reason'] = 'ContainerCannotRun'
        out['startedAt'] = out['finishedAt'] = _time(info.get('Created'))
    return out


def _exited_before_restart(info, exit_code):
    """The run before an in-place restart by the engine, whose exit code Docker does not keep
    (``exit_code`` comes from the engine's events; None when they no longer hold it)."""
    out = {'exitCode': exit_code, 'reason': 'Completed' if exit_code == 0 else 'Error',
           'startedAt': None, 'finishedAt': _time(info['State'].get('FinishedAt')), 'containerID': 'docker://' + info['Id']}
    if exit_code is None:
        out['reason'] = 'Unknown'
    return out


def container_status(container, instances, pod_ref, waiting, last_exits=None, messages=None):
    """One entry of ``containerStatuses``: ``instances`` are the inspected instances, oldest first;
    ``waiting`` is the state (``{'reason': ...}``) of a container that has none yet; ``last_exits``
    maps container IDs restarted in place to the exit code of their previous run."""
    name = container['name']
    status = {'name': name, 'image': container['image'], 'imageID': '', 'ready': False, 'started': False,
              'restartCount': 0, 'state': {'waiting': dict(waiting)}, 'lastState': {}}
    if not instances:
        return status
    info = instances[-1]
    state = info['State']
    status.update({'image': info['Config'].get('Image', container['image']), 'imageID': 'docker://' + info.get('Image', ''),
                   'containerID': 'docker://' + info['Id'],
                   'restartCount': Instance.from_inspect(info).restarts})
    if len(instances) > 1:
        status['lastState'] = {'terminated': _terminated(instances[-2], (messages or {}).get(instances[-2]['Id']))}
    wanted = container.get('resources') or {}
    if wanted.get('requests'):
        status['allocatedResources'] = dict(wanted['requests'])
    if state.get('Running') and (wanted.get('requests') or wanted.get('limits')):
        status['resources'] = resources.actual(container, info.get('HostConfig') or {})
    if state.get('Restarting'):
        status['state'] = {'waiting': {'reason': 'CrashLoopBackOff', 'message': 'back-off restarting failed container=%s pod=%s'
                                       % (name, pod_ref)}}
        status['lastState'] = {'terminated': _terminated(info)}
    elif state.get('Running'):
        status['state'] = {'running': {'startedAt': _time(state.get('StartedAt'))}}
        status['started'] = True
        status['ready'] = True
        if int(info.get('RestartCount') or 0) > 0:
            status['lastState'] = {'terminated': _exited_before_restart(info, (last_exits or {}).get(info['Id']))}
    elif state.get('Status') == 'created' and not start_failed(state):
        status['state'] = {'waiting': {'reason': 'ContainerCreating'}}
    else:
        status['state'] = {'terminated': _terminated(info, (messages or {}).get(info['Id']))}
    return status


def _phase(spec, init_statuses, statuses):
    """``getPhase`` for init containers (sidecars included) and app containers."""
    pending_init = failed_init = 0
    sidecars = {c['name'] for c in spec.get('initContainers') or [] if is_sidecar(c)}
    for status in init_statuses:
        state = status['state']
        if status['name'] in sidecars:
            if 'running' in state and not status.get('started'):
                pending_init += 1
            elif 'waiting' in state and not status.get('lastState', {}).get('terminated'):
                pending_init += 1
            continue
        last = status.get('lastState', {}).get('terminated')
        if 'terminated' in state and state['terminated']['exitCode'] != 0:
            failed_init += 1
        elif 'waiting' in state and last and last['exitCode'] != 0:
            failed_init += 1
        elif not ('terminated' in state and state['terminated']['exitCode'] == 0):
            pending_init += 1
    running = stopped = succeeded = waiting = 0
    for status in statuses:
        state = status['state']
        if 'running' in state:
            running += 1
        elif 'terminated' in state:
            stopped += 1
            succeeded += state['terminated']['exitCode'] == 0
        elif status.get('lastState', {}).get('terminated'):
            stopped += 1
        else:
            waiting += 1
    policy = spec['restartPolicy']
    if failed_init and policy == 'Never':
        return 'Failed'
    if (pending_init or failed_init) and not any(s.get('containerID') for s in statuses):
        return 'Pending'
    if waiting:
        return 'Pending'
    if running:
        return 'Running'
    if stopped:
        if policy == 'Always':
            return 'Running'
        if stopped == succeeded:
            return 'Succeeded'
        return 'Failed' if policy == 'Never' else 'Running'
    return 'Pending'


def _condition(kind, ok, reason=None, message=None, when=None):
    out = {'type': kind, 'status': 'True' if ok else 'False', 'lastProbeTime': None, 'lastTransitionTime': when}
    if reason:
        out['reason'] = reason
    if message:
        out['message'] = message
    return out


def _waiting_reason(container, default, image_present, config_error=None):
    """Why a container that has no Docker container yet waits: a missing ConfigMap/Secret
    reference, its image, or the pod's start-up."""
    problem = config_error(container) if config_error else None
    if problem:
        return {'reason': 'CreateContainerConfigError', 'message': problem}
    if image_present is None or image_present(container['image']):
        return {'reason': default}
    if container.get('imagePullPolicy') == 'Never':
        return {'reason': 'ErrImageNeverPull',
                'message': 'Container image "%s" is not present with pull policy of Never' % container['image']}
    return {'reason': 'ErrImagePull', 'message': 'image "%s" is not present and could not be pulled' % container['image']}


def pod_object(applied, uid, sandbox, instances_by_container, host_ip=None, node_name=None, image_present=None,
               last_exits=None, messages=None, config_error=None, agent_status=None):
    """The Pod as ``kubectl get pod -o yaml`` shows it.

    ``applied`` is the pod as last applied (metadata and spec), ``sandbox`` the inspected sandbox
    (or None), ``instances_by_container`` ``{name: [inspected instances, oldest first]}``;
    ``host_ip`` is the node's (``NodeContext.host_ip``); ``agent_status`` the node agent's view of the
    pod (probe results, back-off, a deadline that passed; see ``agent_overlay``).
    """
    meta, spec = applied['metadata'], json.loads(json.dumps(applied['spec']))
    for key in ('initContainers', 'containers'):
        for container in spec.get(key) or []:
            instances = instances_by_container.get(container['name'])
            if instances:
                container['image'] = instances[-1]['Config'].get('Image', container['image'])
    with_node(spec, node_name)
    init_statuses, statuses = _statuses(meta, uid, spec, instances_by_container, image_present, config_error,
                                        last_exits, messages)
    agent_overlay(spec, init_statuses + statuses, instances_by_container, agent_status or {})
    sandbox_ok = bool(sandbox and sandbox['State'].get('Running'))
    pod_ip = ((sandbox or {}).get('NetworkSettings') or {}).get('IPAddress') or None
    if spec.get('hostNetwork') and sandbox_ok:  # the node's address, as on a kubelet
        pod_ip = host_ip or None
    created = _time((sandbox or {}).get('Created'))
    started = _time((sandbox or {}).get('State', {}).get('StartedAt'))
    phase = _phase(spec, init_statuses, statuses) if sandbox else 'Pending'
    failed = (agent_status or {}).get('phase') == 'Failed'
    phase = 'Failed' if failed else phase
    status = {'phase': phase, 'conditions': _conditions(spec, init_statuses, statuses, phase, sandbox_ok and bool(pod_ip),
                                                        started, created),
              'qosClass': qos_class(spec), 'containerStatuses': statuses}
    for key, value in (('hostIP', host_ip), ('podIP', pod_ip)):
        if value:
            status[key], status[key + 's'] = value, [{'ip': value}]
    if failed:
        status.update(reason=agent_status.get('reason'), message=agent_status.get('message'))
    if started:
        status['startTime'] = started
    if spec.get('initContainers'):
        status['initContainerStatuses'] = init_statuses
    if spec.get('ephemeralContainers'):
        status['ephemeralContainerStatuses'] = ephemeral_statuses(meta, uid, spec, instances_by_container, messages)
    metadata = dict(naming.kept_metadata(meta), uid=uid, labels=meta.get('labels') or {},
                    annotations=meta.get('annotations') or {})
    if created:
        metadata['creationTimestamp'] = created
    return {'apiVersion': 'v1', 'kind': 'Pod', 'metadata': metadata, 'spec': spec, 'status': status}


def ephemeral_statuses(meta, uid, spec, instances_by_container, messages):
    """``ephemeralContainerStatuses``, in the order they were added: never ready, never restarted."""
    pod_ref = '%s_%s(%s)' % (meta['name'], meta['namespace'], uid)
    out = []
    for container in spec['ephemeralContainers']:
        status = container_status(container, instances_by_container.get(container['name']), pod_ref,
                                  {'reason': 'ContainerCreating'}, messages=messages)
        status['ready'] = False
        out.append(status)
    return out


def _statuses(meta, uid, spec, instances_by_container, image_present, config_error, last_exits, messages):
    """``(initContainerStatuses, containerStatuses)``: init containers in order, app containers by name."""
    pod_ref = '%s_%s(%s)' % (meta['name'], meta['namespace'], uid)
    inits = spec.get('initContainers') or []
    init_statuses = [container_status(c, instances_by_container.get(c['name']), pod_ref,
                                      _waiting_reason(c, 'PodInitializing', image_present, config_error), last_exits,
                                      messages)
                     for c in inits]
    app_waiting = 'PodInitializing' if inits else 'ContainerCreating'
    statuses = sorted((container_status(c, instances_by_container.get(c['name']), pod_ref,
                                        _waiting_reason(c, app_waiting, image_present, config_error), last_exits, messages)
                       for c in spec['containers']), key=lambda s: s['name'])
    sidecars = set(sidecar_names(spec))
    for status in init_statuses:
        terminated = status['state'].get('terminated')
        status['started'] = 'running' in status['state']
        # a sidecar is ready while it runs (no probes yet); a regular init container once it exited 0
        status['ready'] = status['started'] if status['name'] in sidecars else bool(terminated and terminated['exitCode'] == 0)
    return init_statuses, statuses


def agent_overlay(spec, statuses, instances_by_container, agent_status):
    """What the node agent knows beyond the engine, on the container statuses: a container waiting for
    its restart back-off is ``waiting: CrashLoopBackOff`` (its last run in ``lastState``); a container
    with a readiness probe is ready only once the probe says so, one with a startup probe started
    only once it succeeded (the kubelet's starting values until then)."""
    containers = {c['name']: c for c in (spec.get('initContainers') or []) + spec['containers']}
    sidecars = set(sidecar_names(spec))
    regular_init = {c['name'] for c in spec.get('initContainers') or []} - sidecars
    for status in statuses:
        name, container = status['name'], containers[status['name']]
        instances = instances_by_container.get(name) or []
        current = instances[-1]['Id'] if instances else None
        waiting = (agent_status.get('waiting') or {}).get(name) or {}
        if current and waiting.get('containerID') == current and 'terminated' in status['state']:
            status['lastState'] = {'terminated': status['state']['terminated']}
            status['state'] = {'waiting': {'reason': waiting['reason'], 'message': waiting['message']}}
        if name in regular_init or 'running' not in status['state']:
            continue
        probed = (agent_status.get('probes') or {}).get(name) or {}
        known = probed.get('containerID') in (current, 'docker://%s' % current)
        if container.get('startupProbe'):
            status['started'] = bool(known and probed.get('started'))
        if container.get('readinessProbe'):
            status['ready'] = bool(status['started'] and known and probed.get('ready'))
        elif container.get('startupProbe'):
            status['ready'] = status['started']


def _conditions(spec, init_statuses, statuses, phase, network_ready, started, created):
    """The pod's conditions (``generateAPIPodStatus``): ready to start containers, initialized, ready."""
    sidecars = set(sidecar_names(spec))
    ready_by_name = {s['name']: s['ready'] for s in statuses + [i for i in init_statuses if i['name'] in sidecars]}
    unready = [name for name in sidecar_names(spec) + [c['name'] for c in spec['containers']] if not ready_by_name[name]]
    incomplete = [s['name'] for s in init_statuses if not (s['started'] if s['name'] in sidecars else s['ready'])]
    initialized = not incomplete or any(s.get('containerID') for s in statuses)
    terminal = is_terminal_phase(phase)
    ready = not unready and not terminal
    reason = None if ready else ('PodCompleted' if phase == 'Succeeded' else 'PodFailed') if terminal else 'ContainersNotReady'
    message = None if ready or terminal else 'containers with unready status: [%s]' % ' '.join(unready)
    conditions = [
        _condition('PodReadyToStartContainers', network_ready, when=started),
        _condition('Initialized', initialized, None if initialized else 'ContainersNotInitialized',
                   None if initialized else 'containers with incomplete status: [%s]' % ' '.join(incomplete), when=started),
        _condition('ContainersReady', ready, reason, message, when=started),
        _condition('PodScheduled', True, when=created),
    ]
    gates = readiness.unready_message(spec, conditions) if ready else None  # GeneratePodReadyCondition
    conditions.insert(2, _condition('Ready', False, readiness.REASON, gates, when=started) if gates
                      else _condition('Ready', ready, reason, message, when=started))
    return conditions


def with_node(spec, node_name):
    """``spec.nodeName``: the node a pod runs on (its one writer; a pod no node runs has none)."""
    if node_name:
        spec['nodeName'] = node_name
    return spec


def planned_object(pod, uid, node_name):
    """The Pod object of a pod check mode would create or recreate: as asked, ``Pending``."""
    return {'apiVersion': 'v1', 'kind': 'Pod', 'metadata': dict(pod['metadata'], uid=uid),
            'spec': with_node(dict(pod['spec']), node_name), 'status': {'phase': 'Pending'}}


def human_duration(since, now):
    """kubectl's HumanDuration of ``now - since`` (epoch seconds): 45s, 2m30s, 15m, 5h30m, 30h, 3d5h, 20d, 2y."""
    if since is None:
        return '<unknown>'
    seconds = int(now - since)
    if seconds < -1:
        return '<invalid>'
    if seconds < 0:
        return '0s'
    if seconds < 120:
        return '%ds' % seconds
    minutes = seconds // 60
    if minutes < 10:
        return '%dm%ds' % (minutes, seconds % 60) if seconds % 60 else '%dm' % minutes
    if minutes < 180:
        return '%dm' % minutes
    hours = seconds // 3600
    if hours < 8:
        return '%dh%dm' % (hours, minutes % 60) if minutes % 60 else '%dh' % hours
    if hours < 48:
        return '%dh' % hours
    if hours < 24 * 8:
        return '%dd%dh' % (hours // 24, hours % 24) if hours % 24 else '%dd' % (hours // 24)
    if hours < 24 * 365 * 2:
        return '%dd' % (hours // 24)
    if hours < 24 * 365 * 8:
        days = (hours // 24) % 365
        return '%dy%dd' % (hours // 24 // 365, days) if days else '%dy' % (hours // 24 // 365)
    return '%dy' % (hours // 24 // 365)


def _terminated_reason(terminated, prefix=''):
    if terminated.get('reason'):
        return prefix + terminated['reason']
    if terminated.get('signal'):
        return prefix + 'Signal:%d' % terminated['signal']
    return prefix + 'ExitCode:%d' % terminated.get('exitCode', 0)


def _init_progress(statuses, total, sidecars):
    """kubectl's pass over the init containers: ``(reason, ready, restarts, counted)``; the reason is
    None when no init container is pending (``counted``: the statuses whose restarts were added)."""
    ready = restarts = 0
    counted = []
    for index, cstatus in enumerate(statuses):
        restarts += cstatus.get('restartCount', 0)
        counted.append(cstatus)
        state = cstatus.get('state') or {}
        terminated, waiting = state.get('terminated'), state.get('waiting')
        if terminated and terminated.get('exitCode') == 0:
            continue
        if cstatus['name'] in sidecars and cstatus.get('started'):
            ready += bool(cstatus.get('ready'))
            continue
        if terminated:
            return _terminated_reason(terminated, 'Init:'), ready, restarts, counted
        if waiting and waiting.get('reason') and waiting['reason'] != 'PodInitializing':
            return 'Init:' + waiting['reason'], ready, restarts, counted
        return 'Init:%d/%d' % (index, total), ready, restarts, counted
    return None, ready, restarts, counted


def _app_progress(status, sidecars, reason):
    """kubectl's pass over the app containers (the sidecars' restarts counted again from zero):
    ``(reason, ready, restarts, counted)``."""
    counted = [c for c in status.get('initContainerStatuses') or [] if c['name'] in sidecars]
    restarts = sum(c.get('restartCount', 0) for c in counted)
    ready, has_running = 0, False
    for cstatus in reversed(status.get('containerStatuses') or []):
        restarts += cstatus.get('restartCount', 0)
        counted.append(cstatus)
        state = cstatus.get('state') or {}
        waiting, terminated = state.get('waiting'), state.get('terminated')
        if waiting and waiting.get('reason'):
            reason = waiting['reason']
        elif terminated:
            reason = _terminated_reason(terminated)
        elif cstatus.get('ready') and 'running' in state:
            has_running = True
            ready += 1
    if reason == 'Completed' and has_running:
        pod_ready = any(c['type'] == 'Ready' and c['status'] == 'True' for c in status.get('conditions') or [])
        reason = 'Running' if pod_ready else 'NotReady'
    return reason, ready, restarts, counted


def _pod_reason(status):
    """kubectl's starting STATUS: the pod's reason, else its phase; SchedulingGated for a gated pod."""
    if any(c['type'] == 'PodScheduled' and c.get('reason') == 'SchedulingGated' for c in status.get('conditions') or []):
        return 'SchedulingGated'
    return status.get('reason') or status.get('phase') or 'Pending'


def pod_row(pod, now, node=None):
    """The ``kubectl get pods -o wide`` columns of a Pod object (kubectl's ``printPod``)."""
    status, spec = pod.get('status') or {}, pod['spec']
    sidecars = sidecar_names(spec)
    total = len(spec['containers']) + len(sidecars)
    init_reason, ready, restarts, counted = _init_progress(status.get('initContainerStatuses') or [],
                                                           len(spec.get('initContainers') or []), sidecars)
    reason = init_reason or _pod_reason(status)
    initialized = any(c['type'] == 'Initialized' and c['status'] == 'True' for c in status.get('conditions') or [])
    if init_reason is None or initialized:
        reason, app_ready, restarts, counted = _app_progress(status, sidecars, reason)
        ready += app_ready
    if pod['metadata'].get('deletionTimestamp') and not is_terminal_phase(status.get('phase')):
        reason = 'Terminating'
    finished = [epoch_seconds(((c.get('lastState') or {}).get('terminated') or {}).get('finishedAt')) for c in counted]
    last_restart = max((stamp for stamp in finished if stamp), default=None)
    restarts_text = str(restarts)
    if restarts and last_restart is not None:
        restarts_text = '%d (%s ago)' % (restarts, human_duration(last_restart, now))
    ips = status.get('podIPs') or []
    return {
        'name': pod['metadata']['name'],
        'namespace': pod['metadata']['namespace'],
        'ready': '%d/%d' % (ready, total),
        'status': reason,
        'restarts': restarts_text,
        'age': human_duration(epoch_seconds(pod['metadata'].get('creationTimestamp')), now),
        'ip': ips[0]['ip'] if ips else '<none>',
        'node': node or spec.get('nodeName') or '<none>',
    }
