# -*- coding: utf-8 -*-
# Copyright (c) hostpods contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""PRIVATE: Pod objects with the status a kubelet would report, from inspected containers. Pure.

``pod_object`` follows ``generateAPIPodStatus``: container states, ``getPhase`` and the pod
conditions; ``pod_row`` follows kubectl's ``printPod`` for the ``get pods -o wide`` columns.
"""

from __future__ import annotations

import json

from ansible_collections.hostpods.core.plugins.module_utils import _naming as naming

ZERO_TIME = '0001-01-01T00:00:00Z'


def _time(value):
    """Docker's RFC 3339 nano timestamp -> Kubernetes' second precision, or None when unset."""
    if not value or value.startswith('0001-01-01'):
        return None
    return value.split('.')[0].rstrip('Z') + 'Z'


def _attempt(info):
    try:
        return int((info['Config'].get('Labels') or {}).get(naming.ATTEMPT, '0'))
    except ValueError:
        return 0


def _terminated(info):
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
    if state.get('Error'):
        out['message'] = state['Error']
    if not out['startedAt']:
        out['reason'] = 'ContainerCannotRun'
        out['startedAt'] = out['finishedAt'] = _time(info.get('Created'))
    return out


def container_status(container, instances, pod_ref, waiting_reason):
    """One entry of ``containerStatuses``: ``instances`` are the inspected instances, oldest first."""
    name = container['name']
    status = {'name': name, 'image': container['image'], 'imageID': '', 'ready': False, 'started': False,
              'restartCount': 0, 'state': {'waiting': {'reason': waiting_reason}}, 'lastState': {}}
    if not instances:
        return status
    info = instances[-1]
    state = info['State']
    status.update({'image': info['Config'].get('Image', container['image']), 'imageID': 'docker://' + info.get('Image', ''),
                   'containerID': 'docker://' + info['Id'],
                   'restartCount': _attempt(info) + int(info.get('RestartCount') or 0)})
    if len(instances) > 1:
        status['lastState'] = {'terminated': _terminated(instances[-2])}
    if state.get('Restarting'):
        status['state'] = {'waiting': {'reason': 'CrashLoopBackOff', 'message': 'back-off restarting failed container=%s pod=%s'
                                       % (name, pod_ref)}}
        status['lastState'] = {'terminated': _terminated(info)}
    elif state.get('Running'):
        status['state'] = {'running': {'startedAt': _time(state.get('StartedAt'))}}
        status['started'] = True
        status['ready'] = True
    elif state.get('Status') == 'created':
        status['state'] = {'waiting': {'reason': 'ContainerCreating'}}
    else:
        status['state'] = {'terminated': _terminated(info)}
    return status


def _phase(spec, init_statuses, statuses):
    """``getPhase`` for regular init containers and app containers."""
    pending_init = failed_init = 0
    for status in init_statuses:
        state = status['state']
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


def pod_object(applied, uid, sandbox, instances_by_container, host_ip=None):
    """The Pod as ``kubectl get pod -o yaml`` shows it.

    ``applied`` is the pod as last applied (metadata and spec), ``sandbox`` the inspected sandbox
    (or None), ``instances_by_container`` ``{name: [inspected instances, oldest first]}``.
    """
    meta, spec = applied['metadata'], json.loads(json.dumps(applied['spec']))
    for key in ('initContainers', 'containers'):
        for container in spec.get(key) or []:
            instances = instances_by_container.get(container['name'])
            if instances:
                container['image'] = instances[-1]['Config'].get('Image', container['image'])
    pod_ref = '%s_%s(%s)' % (meta['name'], meta['namespace'], uid)
    inits = spec.get('initContainers') or []
    init_statuses = [container_status(c, instances_by_container.get(c['name']), pod_ref, 'PodInitializing')
                     for c in inits]
    app_waiting = 'PodInitializing' if inits else 'ContainerCreating'
    statuses = sorted((container_status(c, instances_by_container.get(c['name']), pod_ref, app_waiting)
                       for c in spec['containers']), key=lambda s: s['name'])
    for status in init_statuses:
        terminated = status['state'].get('terminated')
        status['ready'] = bool(terminated and terminated['exitCode'] == 0)
        status['started'] = 'running' in status['state']
    sandbox_ok = bool(sandbox and sandbox['State'].get('Running'))
    network = (sandbox or {}).get('NetworkSettings') or {}
    pod_ip = network.get('IPAddress') or None
    created = _time((sandbox or {}).get('Created'))
    started = _time((sandbox or {}).get('State', {}).get('StartedAt'))
    phase = _phase(spec, init_statuses, statuses) if sandbox else 'Pending'
    unready = [s['name'] for s in statuses if not s['ready']]
    incomplete = [s['name'] for s in init_statuses if not s['ready']]
    app_started = any(s.get('containerID') for s in statuses)
    initialized = not incomplete or app_started
    terminal = phase in ('Succeeded', 'Failed')
    ready_reason = ('PodCompleted' if phase == 'Succeeded' else 'PodFailed') if terminal else 'ContainersNotReady'
    ready_message = None if terminal else ('containers with unready status: [%s]' % ' '.join(unready))
    conditions = [
        _condition('PodReadyToStartContainers', sandbox_ok and bool(pod_ip), when=started),
        _condition('Initialized', initialized, None if initialized else 'ContainersNotInitialized',
                   None if initialized else 'containers with incomplete status: [%s]' % ' '.join(incomplete), when=started),
        _condition('Ready', not unready and not terminal, None if not unready and not terminal else ready_reason,
                   None if not unready and not terminal else ready_message, when=started),
        _condition('ContainersReady', not unready and not terminal, None if not unready and not terminal else ready_reason,
                   None if not unready and not terminal else ready_message, when=started),
        _condition('PodScheduled', True, when=created),
    ]
    status = {'phase': phase, 'conditions': conditions, 'qosClass': 'BestEffort', 'containerStatuses': statuses}
    if host_ip or network.get('Gateway'):
        status['hostIP'] = host_ip or network.get('Gateway')
        status['hostIPs'] = [{'ip': status['hostIP']}]
    if pod_ip:
        status['podIP'] = pod_ip
        status['podIPs'] = [{'ip': pod_ip}]
    if started:
        status['startTime'] = started
    if inits:
        status['initContainerStatuses'] = init_statuses
    metadata = {'name': meta['name'], 'namespace': meta['namespace'], 'uid': uid,
                'labels': meta.get('labels') or {}, 'annotations': meta.get('annotations') or {}}
    if created:
        metadata['creationTimestamp'] = created
    return {'apiVersion': 'v1', 'kind': 'Pod', 'metadata': metadata, 'spec': spec, 'status': status}
