# -*- coding: utf-8 -*-
# Copyright (c) hostpods contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""PRIVATE: the flows of ``pod_info``, ``pod_logs`` and ``pod_exec`` (kubectl get / logs / exec).

Library calls with plain arguments (``_options``); ``pod_exec`` runs a command in a container
(it changes what the command changes, never the pod)."""

from __future__ import annotations

import shlex
import time

from ansible_collections.hostpods.core.plugins.module_utils._errors import HostpodsError, NotFoundError
from ansible_collections.hostpods.core.plugins.module_utils._runtime import host
from ansible_collections.hostpods.core.plugins.module_utils._runtime.observe import read_records
from ansible_collections.hostpods.core.plugins.module_utils._spec import selectors
from ansible_collections.hostpods.core.plugins.module_utils._spec.podspec import epoch_seconds
from ansible_collections.hostpods.core.plugins.module_utils._views.pods import describe_records
from ansible_collections.hostpods.core.plugins.module_utils._views.status import pod_row


def pod_info(client, params, node=None):
    """``kubectl get pods``: the selected pods with status, their rows, and this node (as the scheduler reads it)."""
    node = node or host.read_node(client, params.get('node_name'))
    requirements = selectors.parse(params['label_selectors'])
    records = read_records(client)
    namespace = None if params['all_namespaces'] else params['namespace']
    chosen = selectors.select(records, requirements, namespace=namespace, name=params['name'])
    pods = describe_records(client, chosen, node)
    now = time.time()
    return {'changed': False, 'pods': pods, 'rows': [pod_row(pod, now) for pod in pods], 'node': node.scheduling}


def _find(client, params):
    """The record of the pod and the spec container the call is about (kubectl's rules and messages)."""
    record = read_records(client).get((params['namespace'], params['name']))
    if record is None or not record.applied:
        raise NotFoundError('pods "%s" not found in namespace "%s"' % (params['name'], params['namespace']), 'Pod',
                            params['name'], params['namespace'])
    spec = record.applied['spec']
    apps = [c['name'] for c in spec['containers']]
    inits = [c['name'] for c in spec.get('initContainers') or []]
    name = params['container']
    if name is None:
        if len(apps) == 1:
            name = apps[0]
        else:
            extra = ' or one of the init containers: [%s]' % ' '.join(inits) if inits else ''
            raise HostpodsError('a container name must be specified for pod %s, choose one of: [%s]%s'
                                % (params['name'], ' '.join(apps), extra), containers=apps, init_containers=inits)
    elif name not in apps + inits:
        raise HostpodsError('container %s is not valid for pod %s' % (name, params['name']),
                            containers=apps, init_containers=inits)
    return record, name


def log_source(client, params):
    """What ``kubectl logs`` reads: ``{container, record, id, tail, timestamps, since, until}`` (the
    instance and the time window of the run asked for; ``since``/``until`` in epoch seconds or None)."""
    record, name = _find(client, params)
    instances = record.instances.get(name) or []
    if not instances:
        raise HostpodsError('container "%s" in pod "%s" is waiting to start: PodInitializing' % (name, params['name']))
    current = client.inspect_container(instances[-1].id)
    if current is None:
        raise HostpodsError('container "%s" in pod "%s" was removed; apply the pod again' % (name, params['name']))
    restarted_in_place = int(current.get('RestartCount') or 0) > 0
    # The boundary between the runs of a container restarted in place: the end of the previous
    # run (Docker sets StartedAt only after the new run may have logged).
    started = epoch_seconds(current['State'].get('FinishedAt'))
    since = until = None
    target = current['Id']
    if params['previous']:
        if restarted_in_place and started:
            until = started
        elif len(instances) > 1:
            target = instances[-2].id
        else:
            raise HostpodsError('previous terminated container "%s" in pod "%s" not found' % (name, params['name']))
    elif restarted_in_place and started:
        since = started
    if params['since_seconds']:
        since = max(since or 0, time.time() - params['since_seconds'])
    tail = params['tail_lines'] if params['tail_lines'] is not None else 'all'
    return {'container': name, 'record': record, 'id': target, 'tail': tail, 'timestamps': params['timestamps'],
            'since': since, 'until': until}


def pod_logs(client, params):
    source = log_source(client, params)
    text = client.logs(source['id'], tail=source['tail'], timestamps=source['timestamps'], since=source['since'],
                       until=source['until'])
    return {'changed': False, 'container': source['container'], 'log': text, 'log_lines': text.splitlines()}


def exec_target(client, params):
    """``(container name, Docker id)`` of the running container a ``kubectl exec`` runs in."""
    record, name = _find(client, params)
    latest = record.latest(name)
    if latest is None or not latest.running:
        raise HostpodsError('cannot exec in a container that is not running: container %s of pod %s'
                            % (name, params['name']))
    return name, latest.id


def pod_exec(client, params, check_mode=False):
    command = params['command']
    argv = ['/bin/sh', '-c', command] if isinstance(command, str) else [str(word) for word in command]
    if not argv:
        raise HostpodsError('command must not be empty')
    name, container_id = exec_target(client, params)
    if check_mode:
        return {'changed': True, 'container': name, 'msg': 'check mode: not run: %s' % shlex.join(argv)}
    stdin = params['stdin'].encode('utf-8') if params['stdin'] is not None else None
    rc, stdout, stderr = client.exec_run(container_id, argv, stdin)
    out, err = stdout.decode('utf-8', errors='replace'), stderr.decode('utf-8', errors='replace')
    result = {'changed': True, 'container': name, 'rc': rc, 'stdout': out, 'stderr': err,
              'stdout_lines': out.splitlines(), 'stderr_lines': err.splitlines()}
    if rc != 0:  # as ansible.builtin.command does: the task fails and shows rc and the output
        result['msg'] = 'non-zero return code'
    return result
