# -*- coding: utf-8 -*-
# Copyright (c) hostpods contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""PRIVATE: pods as Ansible hosts. Pure.

``pod_hosts`` turns what ``pod_info`` reports of one node into the hosts of the ``hostpods.core.pods``
inventory (one a pod, or one a container), with their variables and groups; ``parse_address`` reads the
address the ``hostpods.core.pod`` connection is given (``[<namespace>/]<pod>[/<container>]``).
"""

from __future__ import annotations

from ansible_collections.hostpods.core.plugins.module_utils._spec.podspec import is_sidecar

CONNECTION = 'hostpods.core.pod'
POD_FORMAT = '{namespace}/{pod}'
CONTAINER_FORMAT = '{namespace}/{pod}/{container}'
ALL_GROUP = 'hostpods_pods'
FORMAT_FIELDS = ('namespace', 'pod', 'container', 'node', 'uid')


class HostsError(ValueError):
    """A setting of the inventory source cannot be used."""


def parse_address(address, namespace=None, container=None):
    """``(namespace, pod, container)`` of the connection's address ``[<namespace>/]<pod>[/<container>]``:
    ``namespace`` and ``container``, when given, win over the address' own; the namespace defaults to
    ``default``, the container to None (kubectl's default container)."""
    parts = (address or '').split('/')
    if not 1 <= len(parts) <= 3 or not all(parts):
        raise HostsError('"%s" is not a pod address: expected <pod>, <namespace>/<pod> or '
                         '<namespace>/<pod>/<container>' % address)
    if len(parts) == 1:
        parts = [None] + parts
    return (namespace or parts[0] or 'default', parts[1], container or (parts[2] if len(parts) == 3 else None))


def host_name(host_format, fields):
    """The host name ``host_format`` (a Python format string) makes of a pod's ``fields``."""
    try:
        return host_format.format(**fields)
    except (KeyError, IndexError, ValueError) as exc:
        raise HostsError('host_format "%s" cannot be used: %s (fields: %s)'
                         % (host_format, exc, ', '.join('{%s}' % name for name in FORMAT_FIELDS)))


def _ready(pod):
    return any(c.get('type') == 'Ready' and c.get('status') == 'True' for c in (pod.get('status') or {}).get('conditions') or [])


def pod_facts(pod, row):
    """``hostpods_pod``: what a play needs to know of a pod, from its Pod object and its kubectl row."""
    meta, spec, status = pod['metadata'], pod['spec'], pod.get('status') or {}
    row = row or {}
    return {
        'name': meta['name'], 'namespace': meta['namespace'], 'uid': meta.get('uid'),
        'labels': dict(meta.get('labels') or {}), 'annotations': dict(meta.get('annotations') or {}),
        'created': meta.get('creationTimestamp'), 'node': spec.get('nodeName'),
        'ip': status.get('podIP'), 'host_ip': status.get('hostIP'), 'phase': status.get('phase'),
        'ready': _ready(pod), 'status': row.get('status'), 'restarts': int(str(row.get('restarts') or '0').split()[0]),
        'containers': [c['name'] for c in spec['containers']],
        'init_containers': [c['name'] for c in spec.get('initContainers') or []],
    }


def _state(status):
    return next(iter((status or {}).get('state') or {'waiting': {}}))


def exec_containers(pod):
    """``hostpods_container`` of each container a play can exec in: the app containers and the sidecars
    (restartable init containers), in that order."""
    spec, status = pod['spec'], pod.get('status') or {}
    statuses = {s['name']: s for s in (status.get('containerStatuses') or []) + (status.get('initContainerStatuses') or [])}
    chosen = [(c, False) for c in spec['containers']] + [(c, True) for c in spec.get('initContainers') or [] if is_sidecar(c)]
    out = []
    for container, init in chosen:
        found = statuses.get(container['name']) or {}
        out.append({'name': container['name'], 'image': found.get('image') or container.get('image'), 'init': init,
                    'ready': bool(found.get('ready')), 'restart_count': int(found.get('restartCount') or 0),
                    'state': _state(found)})
    return out


def pod_hosts(pods, rows, access=None, containers=False, host_format=None, namespaces=None, verbose=False):
    """The hosts of one node's pods: ``[{'name', 'vars', 'groups'}]``, in the pods' order.

    ``pods`` and ``rows`` are ``pod_info``'s results; ``access`` the connection variables that reach the
    node's engine (``ansible_hostpods_node_container``, ``ansible_hostpods_docker_host``...); ``namespaces``
    (when given) the namespaces to keep; ``verbose`` adds the whole Pod object as ``hostpods_pod_object``.
    Group names are returned raw (the plugin makes them safe)."""
    host_format = host_format or (CONTAINER_FORMAT if containers else POD_FORMAT)
    by_key = {(row['namespace'], row['name']): row for row in rows or []}
    out = []
    for pod in pods:
        meta = pod['metadata']
        if namespaces and meta['namespace'] not in namespaces:
            continue
        facts = pod_facts(pod, by_key.get((meta['namespace'], meta['name'])))
        groups = [ALL_GROUP, 'namespace_%s' % facts['namespace']]
        if facts['node']:
            groups.append('node_%s' % facts['node'])
        groups += ['label_%s_%s' % (key, value) for key, value in sorted(facts['labels'].items())]
        variables = dict(access or {}, ansible_connection=CONNECTION, ansible_hostpods_pod=facts['name'],
                         ansible_hostpods_namespace=facts['namespace'], hostpods_pod=facts)
        if verbose:
            variables['hostpods_pod_object'] = pod
        fields = {'namespace': facts['namespace'], 'pod': facts['name'], 'node': facts['node'] or '', 'uid': facts['uid']}
        if not containers:
            out.append({'name': host_name(host_format, dict(fields, container='')), 'vars': variables, 'groups': groups})
            continue
        for container in exec_containers(pod):
            out.append({'name': host_name(host_format, dict(fields, container=container['name'])),
                        'vars': dict(variables, ansible_hostpods_pod_container=container['name'],
                                     hostpods_container=container),
                        'groups': groups + ['container_%s' % container['name']]})
    return out
