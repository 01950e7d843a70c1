# -*- coding: utf-8 -*-
# Copyright (c) hostpods contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""PRIVATE: the node's record of each pod UID, as a kubelet's pod directory: ``/var/lib/hostpods/pods/<uid>/``.

- ``pod.json``: the pod as last applied (defaulted, with its UID), its hashes and sandbox image:
  the node agent's desired state. Written by an apply once the pod's sandbox exists, removed first
  by a delete.
- ``attempts.json``: the next attempt number of each container (and the sandbox), so names never
  repeat on the node even after ``docker rm -f``.
- ``events.json``: the pod's Kubernetes events (a bounded history; repeated events are counted).
- ``pod-ip``: the pod IP the node wrote into the pod's ``/etc/hosts``.
- ``status.json``: the node agent's view of the pod (back-off, probe results, a deadline that passed).
- ``resources.json``: the resources resized in place since its sandbox was made (Docker cannot relabel a
  container): that sandbox's ID, the pod's hash now, each resized container's resources and the spec hash
  each instance updated in place now runs with (see ``_plan.resize``).
- ``ephemeral.json``: the ephemeral containers added to the pod (``hostpods.core.pod_debug``), its
  ``spec.ephemeralContainers``: kept apart from ``pod.json`` (an apply never writes them), gone with the pod.
- ``volumes/<volume>``: the files of its configMap, secret, downwardAPI and projected volumes (a Secret's on
  a tmpfs mounted there); ``volume-subpaths/<volume>/<container>/<index>``: its subPaths, bind-mounted.

Every writer holds the pod's lock (``_runtime.locks``), except events, which have a lock of their own.
"""

from __future__ import annotations

import fcntl
import json
import os
import time

from ansible_collections.hostpods.core.plugins.module_utils._runtime import files
from ansible_collections.hostpods.core.plugins.module_utils._spec import naming
from ansible_collections.hostpods.core.plugins.module_utils._spec import runtimeclass
from ansible_collections.hostpods.core.plugins.module_utils._spec.podspec import rfc3339

MAX_EVENTS = 50
CREATE_ERROR = 'Error: '  # how the kubelet's Failed event of a container it could not create begins
HEARTBEAT = '/run/hostpods/agent.json'
STALE_SECONDS = 30  # a heartbeat older than this: the agent is not running


def _path(uid, name):
    return os.path.join(naming.pod_dir(uid), name)


# ----------------------------------------------------------------------------- desired state

def write_desired(pod, sandbox_image, now=time.time):
    """``pod.json``: what the agent keeps (``pod`` has its UID), atomically."""
    uid = pod['metadata']['uid']
    containers = (pod['spec'].get('initContainers') or []) + pod['spec']['containers']
    started = ((read_desired(uid) or {}).get('hostpods') or {}).get('startTime') or rfc3339(now())
    body = {'apiVersion': 'v1', 'kind': 'Pod', 'metadata': pod['metadata'], 'spec': pod['spec'],
            **runtimeclass.carry({}, pod),
            'hostpods': {'podHash': naming.pod_hash(pod, sandbox_image), 'sandboxImage': sandbox_image,
                         'containerHashes': {c['name']: naming.container_hash(c) for c in containers},
                         'appliedAt': rfc3339(now()), 'startTime': started}}
    files.write_file(_path(uid, 'pod.json'), json.dumps(body, sort_keys=True))


def read_desired(uid):
    return files.read_json(_path(uid, 'pod.json'))


def remove_desired(uid):
    files.remove_file(_path(uid, 'pod.json'))


def read_ephemeral(uid):
    """The pod's ephemeral containers (``spec.ephemeralContainers``), in the order they were added."""
    return files.read_json(_path(uid, 'ephemeral.json')) or []


def write_ephemeral(uid, containers):
    files.write_file(_path(uid, 'ephemeral.json'), json.dumps(list(containers), sort_keys=True))


def pod_uids():
    """The UIDs that have a directory on this node."""
    try:
        return sorted(name for name in os.listdir(naming.STATE_DIR) if os.path.isdir(naming.pod_dir(name)))
    except OSError:
        return []


def volumes_with_files(uid):
    """The names of the pod's configMap, secret, downwardAPI and projected volumes whose files the node
    holds (their ``..data``: a tmpfs is empty after the node restarts)."""
    root = naming.volumes_dir(uid)
    try:
        names = os.listdir(root)
    except OSError:
        return []
    return sorted(name for name in names if os.path.isdir(os.path.join(root, name, '..data')))


# ----------------------------------------------------------------------------- the agent's status of the pod

def read_status(uid):
    """``status.json``: what the agent knows of the pod beyond the engine (back-off, probes, a deadline)."""
    return files.read_json(_path(uid, 'status.json')) or {}


def write_status(uid, status):
    files.write_file(_path(uid, 'status.json'), json.dumps(status, sort_keys=True))


# ----------------------------------------------------------------------------- attempts

def read_resources(uid):
    return files.read_json(_path(uid, 'resources.json'))


def write_resources(uid, content):
    files.write_file(_path(uid, 'resources.json'), json.dumps(content, sort_keys=True))


def read_attempts(uid):
    return files.read_json(_path(uid, 'attempts.json')) or {}


def note_attempt(uid, container, attempt):
    """Remember that ``attempt`` of ``container`` (``POD``: the sandbox) was used: the next is higher."""
    attempts = read_attempts(uid)
    if attempts.get(container, 0) <= attempt:
        attempts[container] = attempt + 1
        files.write_file(_path(uid, 'attempts.json'), json.dumps(attempts, sort_keys=True))


# ----------------------------------------------------------------------------- the pod IP

def write_pod_ip(uid, pod_ip):
    if files.read_text(_path(uid, 'pod-ip')) != pod_ip:
        files.write_file(_path(uid, 'pod-ip'), pod_ip)


def read_pod_ip(uid):
    return files.read_text(_path(uid, 'pod-ip')) or None


# ----------------------------------------------------------------------------- events

def _same(event, new):
    return all(event.get(key) == new.get(key) for key in ('type', 'reason', 'message', 'source')) and \
        event['involvedObject'].get('fieldPath') == new['involvedObject'].get('fieldPath')


def record_event(pod, type_, reason, message, field_path='', component='hostpods', node='', now=time.time):
    """Add one event to the pod's history (``pod``: its metadata, with the UID); an event the history
    holds already (same type, reason, message, source and field) is counted, not repeated; past
    ``MAX_EVENTS`` the oldest go."""
    meta = pod['metadata']
    stamp = rfc3339(now())
    involved = {'kind': 'Pod', 'name': meta['name'], 'namespace': meta['namespace'], 'uid': meta['uid'], 'apiVersion': 'v1'}
    if field_path:
        involved['fieldPath'] = field_path
    new = {'type': type_, 'reason': reason, 'message': message, 'count': 1, 'firstTimestamp': stamp,
           'lastTimestamp': stamp, 'involvedObject': involved, 'source': {'component': component, 'host': node}}
    path = _path(meta['uid'], 'events.json')
    os.makedirs(os.path.dirname(path), 0o755, exist_ok=True)
    with open(path + '.lock', 'a', encoding='utf-8') as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        events = files.read_json(path) or []
        for index, event in enumerate(events):
            if _same(event, new):  # counted, and moved last: the history stays in lastTimestamp order
                new = dict(event, count=event['count'] + 1, lastTimestamp=stamp)
                del events[index]
                break
        events.append(new)
        files.write_file(path, json.dumps(events[-MAX_EVENTS:]))


def read_events(uid):
    return files.read_json(_path(uid, 'events.json')) or []


# ----------------------------------------------------------------------------- the agent's heartbeat

def write_heartbeat(data, path=None):
    files.write_file(path or HEARTBEAT, json.dumps(data, sort_keys=True))


def read_heartbeat(path=None):
    return files.read_json(path or HEARTBEAT)


def agent_view(heartbeat, now):
    """``pod_info``'s ``agent``: the heartbeat, ``running`` when it is fresh (and a warning when not)."""
    if not heartbeat:
        return {'running': False, 'warning': 'the node agent hostpods-agent is not running here (no heartbeat %s): '
                'nothing restarts containers or runs probes; install it with the hostpods.core.node role' % HEARTBEAT}
    age = now - (heartbeat.get('written') or 0)
    out = dict(heartbeat, running=age <= STALE_SECONDS)
    if not out['running']:
        out['warning'] = 'the node agent hostpods-agent last wrote its heartbeat %ds ago: it is not running' % age
    return out
