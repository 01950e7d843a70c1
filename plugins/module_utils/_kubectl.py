# -*- coding: utf-8 -*-
# Copyright (c) hostpods contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""PRIVATE: the flows of ``pod_info``, ``pod_logs``, ``pod_exec`` and ``pod_debug`` (kubectl get / logs / exec /
debug).

Library calls with plain arguments (``_options``); ``pod_exec`` runs a command in a container
(it changes what the command changes, never the pod); ``pod_debug`` adds an ephemeral container to a pod."""

from __future__ import annotations

import contextlib
import shlex
import time

from ansible_collections.hostpods.core.plugins.module_utils._errors import HostpodsError, NotFoundError
from ansible_collections.hostpods.core.plugins.module_utils._options import POD_INFO, defaults
from ansible_collections.hostpods.core.plugins.module_utils._plan.debug import plan_debug
from ansible_collections.hostpods.core.plugins.module_utils._plan.observed import HostFacts
from ansible_collections.hostpods.core.plugins.module_utils._runtime import host
from ansible_collections.hostpods.core.plugins.module_utils._runtime import nodestate
from ansible_collections.hostpods.core.plugins.module_utils._runtime.docker_client import DockerClient
from ansible_collections.hostpods.core.plugins.module_utils._runtime.executor import Executor
from ansible_collections.hostpods.core.plugins.module_utils._runtime.locks import PodLocks
from ansible_collections.hostpods.core.plugins.module_utils._runtime.observe import read_records
from ansible_collections.hostpods.core.plugins.module_utils._spec import ephemeral
from ansible_collections.hostpods.core.plugins.module_utils._spec import selectors
from ansible_collections.hostpods.core.plugins.module_utils._spec.podspec import default_container, epoch_seconds
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
    events = sorted((event for record in chosen if record.uid for event in nodestate.read_events(record.uid)),
                    key=lambda event: (event['lastTimestamp'], event['firstTimestamp']))
    agent = nodestate.agent_view(nodestate.read_heartbeat(), now)
    if host.engine_elsewhere(client):  # another machine's engine: its agent's heartbeat is on that machine
        agent = {'running': None, 'msg': 'the node agent of %s is not visible through its engine' % node.name}
    result = {'changed': False, 'pods': pods, 'rows': [pod_row(pod, now) for pod in pods], 'node': node.scheduling,
              'events': events, 'agent': agent}
    if agent.get('warning'):
        result['warnings'] = [agent['warning']]
    return result


def node_pods(params):
    """``pod_info`` on this node, with a client of its own: the call the ``hostpods.core.pods`` inventory
    makes on each node (in its own process for this machine, inside the node container for a cluster's
    node). ``params``: ``pod_info``'s options (``_options.POD_INFO``), defaults filled in."""
    params = defaults(POD_INFO, params)
    return pod_info(DockerClient(params['docker_host']), params)


def _find(client, params):
    """The record of the pod and the spec container the call is about (kubectl's rules and messages)."""
    record = read_records(client).get((params['namespace'], params['name']))
    return record, pick_container(record, params['namespace'], params['name'], params['container'])


def pick_container(record, namespace, name, container=None, kubectl_default=False):
    """The name of the container of pod ``record`` (a PodRecord, or None) a call is about, with kubectl's
    messages: ``container`` when the pod has it; when None, the only app container, or with
    ``kubectl_default`` the one ``kubectl exec`` defaults to (``podspec.default_container``). Pure."""
    if record is None or not record.applied:
        raise NotFoundError('pods "%s" not found in namespace "%s"' % (name, namespace), 'Pod', name, namespace)
    spec = record.applied['spec']
    apps = [c['name'] for c in spec['containers']]
    inits = [c['name'] for c in spec.get('initContainers') or []]
    if container is None and kubectl_default:
        container = default_container(record.applied)
    if container is None:
        if len(apps) == 1:
            return apps[0]
        extra = ' or one of the init containers: [%s]' % ' '.join(inits) if inits else ''
        raise HostpodsError('a container name must be specified for pod %s, choose one of: [%s]%s'
                            % (name, ' '.join(apps), extra), containers=apps, init_containers=inits)
    ephemeral_ = [c['name'] for c in spec.get('ephemeralContainers') or []]
    if container not in apps + inits + ephemeral_:
        raise HostpodsError('container %s is not valid for pod %s' % (container, name),
                            containers=apps, init_containers=inits, ephemeral_containers=ephemeral_)
    return container


def running_instance(record, container):
    """The running instance of ``container`` of pod ``record``, the one an exec goes to. Pure."""
    latest = record.latest(container)
    if latest is None or not latest.running:
        raise HostpodsError('cannot exec in a container that is not running: container %s of pod %s'
                            % (container, record.name))
    return latest


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
    return name, running_instance(record, name).id


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


DEBUG_SECONDS = 120  # what a debug call may spend waiting for the pod's lock and on the pull and start


def pod_debug(client, params, check_mode=False, node=None):
    """``kubectl debug POD --image=IMAGE [--target=T] [-c NAME] -- COMMAND``: an ephemeral container added to the
    running pod under its lock (see ``_plan.debug``). Without a ``container`` name each call adds a new one,
    ``debugger-xxxxx``, as kubectl does; a name already holding the same container changes nothing."""
    key = (params['namespace'], params['name'])
    container = ephemeral.debug_container(params['container'] or ephemeral.generated_name(), params['image'],
                                          params['command'], params['args'], params['target'],
                                          params['image_pull_policy'])
    # the engine too: the ephemeral container joins the pod's cgroup, as its other containers (either cgroup driver)
    node = node or host.read_node(client, with_engine=True)
    locked = contextlib.nullcontext() if check_mode else PodLocks([key], DEBUG_SECONDS)
    with locked:
        record = read_records(client).get(key)
        if record is None or not record.applied:
            raise NotFoundError('pods "%s" not found in namespace "%s"' % (key[1], key[0]), 'Pod', key[1], key[0])
        present = ephemeral.check_add(record.applied['spec'], container, key[1])
        plan = plan_debug(record, container, HostFacts(client.image_references()), present)
        errors = {} if check_mode else Executor(client, node, DEBUG_SECONDS).run_pods([plan])
    result = {'changed': plan.changed, 'container': container['name']}
    if check_mode:
        result['planned_steps'] = [step.describe() for step in plan.steps]
    now = read_records(client).get(key)
    result['pod'] = describe_records(client, [now], node)[0] if now is not None and now.applied else None
    result['docker_calls'] = dict(client.calls)
    if errors:
        raise HostpodsError(errors[key], **result)
    return result
