# -*- coding: utf-8 -*-
# Copyright (c) hostpods contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""PRIVATE: the manifests kubectl generates: ``kubectl run``'s Pod. Pure.

One definition for the ``hostpods run`` command on a node and the ``hostpods.core.run`` playbook (through the
``hostpods.core.run_manifest`` filter).
"""

from __future__ import annotations

from ansible_collections.hostpods.core.plugins.module_utils._errors import ManifestError
from ansible_collections.hostpods.core.plugins.module_utils._spec.podspec import RESTART_POLICIES

PULL_POLICIES = ('', 'Always', 'IfNotPresent', 'Never')


def _pairs(items, what):
    """``{key: value}`` from ``key=value`` texts (or a dict, as it is)."""
    if isinstance(items, dict):
        return {str(key): str(value) for key, value in items.items()}
    out = {}
    for item in items:
        key, sep, value = str(item).partition('=')
        if not sep or not key:
            raise ManifestError('invalid %s: "%s"' % (what, item))
        out[key] = value
    return out


def run_manifest(name, image, port=None, env=(), labels=None, annotations=(), restart='Always', command=(), args=(),
                 pull_policy=''):
    """The Pod of ``kubectl run NAME --image=IMAGE ...``, as ``--dry-run=client -o yaml`` prints it: label
    ``run=NAME`` unless ``labels`` (``k=v,k2=v2``, or a dict) are given; ``env`` and ``annotations`` as
    ``KEY=VALUE`` texts (or dicts); ``command`` and ``args`` the container's (``kubectl run ... [--command] --
    ARGS`` gives one of them); ``restart`` the pod's ``restartPolicy``."""
    if not name:
        raise ManifestError('NAME is required for run')
    if not image:
        raise ManifestError('required flag(s) "image" not set')
    if restart not in RESTART_POLICIES:
        raise ManifestError('invalid restart policy: %s' % restart)
    if pull_policy not in PULL_POLICIES:
        raise ManifestError('invalid image pull policy: %s' % pull_policy)
    container = {'image': image, 'name': name, 'resources': {}}
    if command:
        container['command'] = [str(item) for item in command]
    if args:
        container['args'] = [str(item) for item in args]
    if env:
        container['env'] = [{'name': key, 'value': value} for key, value in _pairs(env, 'env').items()]
    if port is not None:
        container['ports'] = [{'containerPort': int(port)}]
    if pull_policy:
        container['imagePullPolicy'] = pull_policy
    if isinstance(labels, str):
        labels = labels.split(',')
    metadata = {'creationTimestamp': None, 'labels': _pairs(labels, 'label') if labels else {'run': name}, 'name': name}
    if annotations:
        metadata['annotations'] = _pairs(annotations, 'annotation')
    return {'apiVersion': 'v1', 'kind': 'Pod', 'metadata': metadata,
            'spec': {'containers': [container], 'dnsPolicy': 'ClusterFirst', 'restartPolicy': restart}, 'status': {}}
