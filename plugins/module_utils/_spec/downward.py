# -*- coding: utf-8 -*-
# Copyright (c) hostpods contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""PRIVATE: the downward API for env: ``fieldRef`` and ``resourceFieldRef`` values. Pure.

``runtime`` holds what only the node knows when the container is created: ``podIP``, ``hostIP``,
``nodeName`` and ``allocatable`` (``{'cpu': millicores, 'memory': bytes}``), the fallback of an
unset limit, as on a kubelet.
"""

from __future__ import annotations

import re

from ansible_collections.hostpods.core.plugins.module_utils._spec import podspec
from ansible_collections.hostpods.core.plugins.module_utils._spec import quantity

ENV_FIELD_PATHS = ('metadata.name', 'metadata.namespace', 'metadata.uid', 'spec.nodeName', 'spec.serviceAccountName',
                   'status.hostIP', 'status.hostIPs', 'status.podIP', 'status.podIPs')
SUBSCRIPTED = re.compile(r"^metadata\.(labels|annotations)\['([^']+)'\]$")
RESOURCES = ('limits.cpu', 'limits.memory', 'requests.cpu', 'requests.memory')


def field_path_error(path):
    """Kubernetes' message for a fieldRef.fieldPath env cannot use, or None."""
    if path in ENV_FIELD_PATHS or SUBSCRIPTED.match(path or ''):
        return None
    return 'Unsupported value: %s: supported values: "%s", "metadata.labels[\'<KEY>\']", ' \
           '"metadata.annotations[\'<KEY>\']"' % (podspec.quoted(path), '", "'.join(ENV_FIELD_PATHS))


def field_value(pod, path, runtime):
    """The value of ``fieldRef.fieldPath`` for a container of ``pod``."""
    match = SUBSCRIPTED.match(path)
    if match:
        return (pod['metadata'].get(match.group(1)) or {}).get(match.group(2), '')
    values = {
        'metadata.name': pod['metadata']['name'],
        'metadata.namespace': pod['metadata']['namespace'],
        'metadata.uid': pod['metadata'].get('uid', ''),
        'spec.nodeName': runtime.get('nodeName', ''),
        'spec.serviceAccountName': pod['spec'].get('serviceAccountName', 'default'),
        'status.hostIP': runtime.get('hostIP', ''),
        'status.hostIPs': runtime.get('hostIP', ''),
        'status.podIP': runtime.get('podIP', ''),
        'status.podIPs': runtime.get('podIP', ''),
    }
    return values[path]


def resource_value(pod, container_name, resource, divisor, runtime):
    """``resourceFieldRef``: ceil(amount / divisor); an unset limit is the node's allocatable."""
    container = next(c for c in (pod['spec'].get('initContainers') or []) + pod['spec']['containers']
                     if c['name'] == container_name)
    kind, name = resource.split('.', 1)
    amount = ((container.get('resources') or {}).get(kind) or {}).get(name)
    if name == 'cpu':
        milli = quantity.cpu_millicores(amount) if amount is not None else (
            runtime.get('allocatable', {}).get('cpu', 0) if kind == 'limits' else 0)
        per = quantity.cpu_millicores(divisor or '1')
        return str(-(-milli // per))
    value = quantity.memory_bytes(amount) if amount is not None else (
        runtime.get('allocatable', {}).get('memory', 0) if kind == 'limits' else 0)
    per = quantity.memory_bytes(divisor or '1')
    return str(-(-value // per))


def env_source_value(pod, container, source, runtime):
    """The value of one ``env[].valueFrom``."""
    if 'fieldRef' in source:
        return field_value(pod, source['fieldRef']['fieldPath'], runtime)
    ref = source['resourceFieldRef']
    return resource_value(pod, ref.get('containerName') or container['name'], ref['resource'], ref.get('divisor'),
                          runtime)
