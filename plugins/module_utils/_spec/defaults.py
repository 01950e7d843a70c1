# -*- coding: utf-8 -*-
# Copyright (c) hostpods contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""PRIVATE: a Pod defaulted as the API server stores it (``SetDefaults_Pod`` and friends). Pure."""

from __future__ import annotations

import copy

from ansible_collections.hostpods.core.plugins.module_utils._spec import configs
from ansible_collections.hostpods.core.plugins.module_utils._spec import podspec
from ansible_collections.hostpods.core.plugins.module_utils._spec import probes
from ansible_collections.hostpods.core.plugins.module_utils._spec import resources

VOLUME_SOURCES = ('emptyDir', 'hostPath', 'persistentVolumeClaim', 'ephemeral', 'configMap', 'secret', 'downwardAPI',
                  'projected', 'image')


def apply_defaults(doc, namespace):
    """A defaulted deep copy of a Pod, as the API server would store it."""
    pod = copy.deepcopy(doc)
    pod.pop('status', None)
    meta = pod['metadata'] = pod.get('metadata') or {}
    meta.pop('creationTimestamp', None)
    meta['namespace'] = meta.get('namespace') or namespace
    meta['labels'] = meta.get('labels') or {}
    meta['annotations'] = meta.get('annotations') or {}
    spec = pod['spec'] = pod.get('spec') or {}
    spec.setdefault('restartPolicy', 'Always')
    spec.setdefault('terminationGracePeriodSeconds', 30)
    spec.setdefault('dnsPolicy', 'ClusterFirst')
    spec.setdefault('schedulerName', 'default-scheduler')
    spec.setdefault('securityContext', {})
    spec.setdefault('enableServiceLinks', True)
    account = spec.get('serviceAccountName') or spec.get('serviceAccount')  # v1's deprecated serviceAccount is the same
    for key in ('serviceAccountName', 'serviceAccount'):
        if account:
            spec[key] = account
        else:
            spec.pop(key, None)
    for key in ('initContainers', 'containers'):
        for container in spec.get(key) or []:
            container.setdefault('imagePullPolicy', podspec.ImageRef(container.get('image') or '').default_pull_policy)
            container.setdefault('terminationMessagePath', '/dev/termination-log')
            container.setdefault('terminationMessagePolicy', 'File')
            wanted = container['resources'] = container.get('resources') or {}
            if wanted.get('limits'):  # a missing request is its limit, as the API server defaults it
                wanted['requests'] = dict(wanted['limits'], **(wanted.get('requests') or {}))
            for port in container.get('ports') or []:
                port.setdefault('protocol', 'TCP')
                if spec.get('hostNetwork') and key == 'containers':  # SetDefaults_PodSpec
                    port.setdefault('hostPort', port.get('containerPort'))
            for item in container.get('env') or []:
                if 'fieldRef' in (item.get('valueFrom') or {}):
                    item['valueFrom']['fieldRef'].setdefault('apiVersion', 'v1')
            for name in ('command', 'args', 'env', 'ports', 'volumeMounts'):
                if container.get(name) == []:
                    del container[name]
            probes.default_container(container)
    if not spec.get('initContainers'):
        spec.pop('initContainers', None)
    resources.apply_defaults(spec)
    _default_volumes(spec)
    return pod


def _default_volumes(spec):
    """The API server's defaults of the pod's volumes (an unset source is an emptyDir)."""
    for volume in spec.get('volumes') or []:
        for key in [k for k, v in volume.items() if v is None]:  # null is unset, as in the API
            del volume[key]
        if not any(key in volume for key in VOLUME_SOURCES):
            volume['emptyDir'] = {}
        for key in configs.REFERENCING_VOLUMES:
            if key in volume:
                volume[key] = volume[key] or {}
                volume[key].setdefault('defaultMode', configs.DEFAULT_MODE)
        if 'hostPath' in volume:
            volume['hostPath'].setdefault('type', '')
        if 'image' in volume:  # as a container's image: Always for :latest, else IfNotPresent
            volume['image'] = volume['image'] or {}
            reference = podspec.ImageRef(volume['image'].get('reference') or '')
            volume['image'].setdefault('pullPolicy', reference.default_pull_policy)
    if not spec.get('volumes'):
        spec.pop('volumes', None)
