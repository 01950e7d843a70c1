# -*- coding: utf-8 -*-
# Copyright (c) hostpods contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""PRIVATE: the public contract on the Docker host: container and volume names, labels, spec hashes.

Names and labels are dockershim's (``k8s_POD_<pod>_<ns>_<uid>_<attempt>``, ``io.kubernetes.*``,
annotations as ``annotation.<key>``), so ``docker ps`` looks like a Kubernetes node's.
"""

from __future__ import annotations

import copy
import hashlib
import json
import re

from ansible_collections.hostpods.core.plugins.module_utils._spec import podspec
from ansible_collections.hostpods.core.plugins.module_utils._spec import runtimeclass

VERSION = '0.2.0'  # hostpods' version: the node agent's heartbeat, the ApplySets' tooling annotation
POD_NAME = 'io.kubernetes.pod.name'
POD_NAMESPACE = 'io.kubernetes.pod.namespace'
POD_UID = 'io.kubernetes.pod.uid'
CONTAINER_NAME = 'io.kubernetes.container.name'
DOCKER_TYPE = 'io.kubernetes.docker.type'
SANDBOX_ID = 'io.kubernetes.sandbox.id'
SPEC_HASH = 'annotation.io.kubernetes.container.hash'
RESTART_COUNT = 'annotation.io.kubernetes.container.restartCount'
CONTAINER_TYPE = 'annotation.io.kubernetes.container.type'
CONTAINER_PORTS = 'annotation.io.kubernetes.container.ports'
GRACE_PERIOD = 'annotation.io.kubernetes.pod.terminationGracePeriod'
PRE_STOP = 'annotation.io.kubernetes.container.preStopHandler'
TERMINATION_PATH = 'annotation.io.kubernetes.container.terminationMessagePath'
TERMINATION_POLICY = 'annotation.io.kubernetes.container.terminationMessagePolicy'
TERMINATION_LOG = 'hostpods.io/termination-log'
ATTEMPT = 'hostpods.io/attempt'
APPLIED_POD = 'hostpods.io/applied-pod'
POD_HASH = 'hostpods.io/pod-hash'
VOLUME_NAME = 'hostpods.io/volume'
VOLUME_TYPE = 'hostpods.io/volume-type'
CLAIM_NAME = 'hostpods.io/claim-name'
SANDBOX_CONTAINER = 'POD'
STATE_DIR = '/var/lib/hostpods/pods'
SANDBOX_TYPE = 'podsandbox'
CONTAINER_TYPE_DOCKER = 'container'


# What the node's file systems and the engine allow, which Kubernetes does not check: hostpods refuses a
# pod that would break them up front, before anything of its batch is touched.
NAME_MAX = 255      # bytes of one file name (ext4, xfs, overlayfs): a Docker volume's name is one
PATH_MAX = 4095     # bytes of a path the kernel takes (4096 with its terminating NUL)
UID_LENGTH = 36     # the pod UIDs hostpods makes (uuid4)
NOT_KUBERNETES = 'a limit of hostpods on Docker, not of Kubernetes'
# Kubernetes takes a Windows path (C:\\data) for a Windows node; the node here is Linux
ABSOLUTE = 'must be an absolute Linux path on hostpods (%s, which takes Windows paths too)' % NOT_KUBERNETES


def name_limit_errors(path, value, what, made, shorten):
    """The refusal of a ``value`` at ``path`` that makes ``what``, a file name on the node, longer than
    ``NAME_MAX`` (``made`` is that name); ``shorten`` says which fields to cut."""
    length = len(made.encode('utf-8'))
    if length <= NAME_MAX:
        return []
    excess = length - NAME_MAX
    return ['%s: Invalid value: %s: too long for hostpods (%s): %s, whose name may have at most %d bytes and would '
            'have %d; shorten %s by %d character%s' % (path, podspec.quoted(value), NOT_KUBERNETES, what, NAME_MAX,
                                                       length, shorten, excess, '' if excess == 1 else 's')]


def host_name_errors(pod):
    """The pod's names as Docker volume names: an emptyDir is ``k8s_emptydir_<pod>_<namespace>_<uid>_<volume>``
    and a claim ``k8s_pvc_<claim>_<namespace>``, each a directory of /var/lib/docker/volumes. Container names
    have no such limit."""
    meta, errors = pod['metadata'], []
    for index, volume in enumerate(pod['spec'].get('volumes') or []):
        if 'emptyDir' in volume:
            made = emptydir_volume_name(meta['namespace'], meta['name'], 'u' * UID_LENGTH, volume['name'])
            what = ('its emptyDir volume "%s" (spec.volumes[%d]) is the Docker volume k8s_emptydir_<pod>_<namespace>_'
                    '<uid>_%s, a directory of /var/lib/docker/volumes' % (volume['name'], index, volume['name']))
            errors += name_limit_errors('metadata.name', meta['name'], what, made,
                                        'the pod name (or its namespace or the volume name)')
        elif 'persistentVolumeClaim' in volume:
            claim = volume['persistentVolumeClaim'].get('claimName') or ''
            errors += claim_name_errors('spec.volumes[%d].persistentVolumeClaim.claimName' % index, claim,
                                        meta['namespace'])
        elif 'ephemeral' in volume:  # its claim is <pod>-<volume>
            errors += claim_name_errors('metadata.name', '%s-%s' % (meta['name'], volume['name']), meta['namespace'])
    return errors


def claim_name_errors(path, claim, namespace):
    """A claim's name as the Docker volume ``k8s_pvc_<claim>_<namespace>`` (in a pod or a PersistentVolumeClaim)."""
    what = 'the claim is the Docker volume k8s_pvc_<claim>_<namespace>, a directory of /var/lib/docker/volumes'
    return name_limit_errors(path, claim, what, claim_volume_name(namespace, claim),
                             'the claim name (or its namespace)')


def path_problems(path, bind=False):
    """Why a path the node or the engine handles (a hostPath, a mount path, a subPath, a file of a volume)
    cannot be used, although Kubernetes accepts it: Linux' limits, and ':' in a Docker bind."""
    problems = []
    if len(path.encode('utf-8')) > PATH_MAX:
        problems.append('too long for hostpods (%s): a path may have at most %d bytes' % (NOT_KUBERNETES, PATH_MAX))
    if any(len(part.encode('utf-8')) > NAME_MAX for part in path.split('/')):
        problems.append('too long for hostpods (%s): each part of a path may have at most %d bytes'
                        % (NOT_KUBERNETES, NAME_MAX))
    if bind and ':' in path:
        problems.append("must not contain ':' on hostpods (%s): the engine's binds are written source:target"
                        % NOT_KUBERNETES)
    return problems


def canonical(value):
    return json.dumps(value, sort_keys=True, separators=(',', ':'))


def short_hash(value):
    return hashlib.sha256(canonical(value).encode('utf-8')).hexdigest()[:16]


def compact_names(keys):
    """``(namespace, name)`` keys as one short text for a message about many pods: ``namespace/name``
    each, in the order given, and a run of three or more names that differ only by a number counting up
    by one (``web-007``, ``web-008``, ``web-009``) as its first and last (``default/web-007..web-009``)."""
    out, run = [], []

    def close():
        if len(run) >= 3:
            out.append('%s/%s..%s' % (run[0][0], run[0][1], run[-1][1]))
        else:
            out.extend('%s/%s' % key for key in run)
        del run[:]
    for key in keys:
        if run and not _follows(run[-1], key):
            close()
        run.append(key)
    close()
    return ', '.join(out)


def _follows(previous, key):
    """Whether ``key`` is the name after ``previous`` in a numbered run (same namespace, stem and width)."""
    before, after = _NUMBERED.match(previous[1]), _NUMBERED.match(key[1])
    return (previous[0] == key[0] and before is not None and after is not None and before.group(1) == after.group(1)
            and len(before.group(2)) == len(after.group(2)) and int(after.group(2)) == int(before.group(2)) + 1)


_NUMBERED = re.compile(r'^(.*?)(\d+)$')


def sandbox_name(pod_name, namespace, uid, attempt):
    return 'k8s_%s_%s_%s_%s_%d' % (SANDBOX_CONTAINER, pod_name, namespace, uid, attempt)


def container_name(container, pod_name, namespace, uid, attempt):
    return 'k8s_%s_%s_%s_%s_%d' % (container, pod_name, namespace, uid, attempt)


def emptydir_volume_name(namespace, pod_name, uid, volume):
    return 'k8s_emptydir_%s_%s_%s_%s' % (pod_name, namespace, uid, volume)


def claim_volume_name(namespace, claim):
    return 'k8s_pvc_%s_%s' % (claim, namespace)


def pod_hash(pod, sandbox_image):
    """What forces a recreate of the whole pod: its spec, except the containers' images, and its runtime handler
    (``_spec.runtimeclass``: part of the sandbox, as its image is).

    Labels and annotations are not in it: as on Kubernetes they change without a restart; nor are the
    ephemeral containers added to a running pod (``kubectl debug``)."""
    spec = copy.deepcopy(pod['spec'])
    spec.pop('ephemeralContainers', None)
    for key in ('containers', 'initContainers'):
        for container in spec.get(key) or []:
            container.pop('image', None)
    return short_hash(runtimeclass.carry({'spec': spec, 'sandboxImage': sandbox_image}, pod))


# A pod's metadata as applied, kept with it and reported (the rest is the node's: uid, creationTimestamp...)
KEPT_METADATA = ('name', 'namespace', 'generateName', 'labels', 'annotations', 'ownerReferences', 'finalizers')
# What of it changes in place, as on Kubernetes (no container restarts): labels and annotations always, these
# only where given
IN_PLACE_WHERE_GIVEN = ('generateName', 'ownerReferences', 'finalizers')


def kept_metadata(meta):
    """The ``KEPT_METADATA`` of ``meta`` that it has."""
    return {key: meta[key] for key in KEPT_METADATA if key in meta}


def pod_metadata(pod):
    """The part of a pod's metadata that can change in place: labels and annotations, and the generateName,
    owner references and finalizers it has."""
    meta = pod['metadata']
    out = {'labels': meta.get('labels') or {}, 'annotations': meta.get('annotations') or {}}
    out.update((key, meta[key]) for key in IN_PLACE_WHERE_GIVEN if meta.get(key))
    return out


def pod_dir(uid):
    """The node's directory of one pod UID (its record: files, volumes, termination messages)."""
    return '%s/%s' % (STATE_DIR, uid)


def volumes_dir(uid):
    """The node directory of a pod UID's configMap, secret, downwardAPI and projected volumes (root-only)."""
    return '%s/%s/volumes' % (STATE_DIR, uid)


def volume_dir(uid, volume):
    """The node directory of a configMap, secret, downwardAPI or projected volume (a tmpfs is mounted on a
    Secret's)."""
    return '%s/%s' % (volumes_dir(uid), volume)


def subpath_pin(uid, volume, container, index):
    """Where the node bind-mounts a container's subPath (its ``volumeMounts[index]``) for the engine to bind,
    as the kubelet's ``volume-subpaths`` (see ``_runtime.subpath``)."""
    return '%s/%s/volume-subpaths/%s/%s/%d' % (STATE_DIR, uid, volume, container, index)


def hosts_path(uid):
    """The /etc/hosts the node writes for a pod (bind-mounted into each of its containers)."""
    return '%s/%s/etc-hosts' % (STATE_DIR, uid)


def metadata_path(uid):
    """Where the node keeps a pod's current labels and annotations once they changed in place
    (Docker cannot relabel the sandbox)."""
    return '%s/%s/metadata.json' % (STATE_DIR, uid)


CGROUP_ROOT = 'kubepods'  # the kubelet's hierarchy: kubepods/[burstable|besteffort/]pod<uid>
QOS_CGROUPS = {'Guaranteed': '', 'Burstable': 'burstable', 'BestEffort': 'besteffort'}
CGROUP_DRIVERS = ('cgroupfs', 'systemd')  # the engine's cgroup drivers under which pods get cgroups of their own


def pod_cgroup(uid, qos, driver='cgroupfs'):
    """The pod's cgroup (relative to each hierarchy's root) that holds its sandbox and containers, as the
    kubelet's cgroup driver ``driver`` names it; ``qos`` is the pod's QoS class. cgroupfs:
    ``kubepods/burstable/pod<uid>``; systemd: its slices, ``kubepods.slice/kubepods-burstable.slice/
    kubepods-burstable-pod<uid>.slice`` (a ``-`` in a name part is ``_``: systemd reads ``-`` as nesting)."""
    parts = [part for part in (CGROUP_ROOT, QOS_CGROUPS[qos], 'pod%s' % uid) if part]
    if driver != 'systemd':
        return '/'.join(parts)
    return '/'.join(systemd_slice(parts[:depth]) for depth in range(1, len(parts) + 1))


def systemd_slice(parts):
    """The systemd slice unit of a cgroup given as its name parts: ``['kubepods', 'burstable']`` is
    ``kubepods-burstable.slice``."""
    return '-'.join(part.replace('-', '_') for part in parts) + '.slice'


def pod_cgroups(uid):
    """Every cgroup a pod UID may have had (one a QoS class and cgroup driver), for its removal."""
    return [pod_cgroup(uid, qos, driver) for driver in CGROUP_DRIVERS for qos in QOS_CGROUPS]


def container_hash(container):
    """What forces a replacement of one container: its whole spec (so, given the pod hash, its image)."""
    return short_hash(container)


def pod_labels(pod):
    meta = pod['metadata']
    return {POD_NAME: meta['name'], POD_NAMESPACE: meta['namespace'], POD_UID: meta['uid']}


def sandbox_labels(pod, attempt, sandbox_image):
    meta = pod['metadata']
    labels = dict(meta.get('labels') or {})
    labels.update(('annotation.%s' % key, value) for key, value in (meta.get('annotations') or {}).items())
    labels.update(pod_labels(pod))
    labels.update({
        CONTAINER_NAME: SANDBOX_CONTAINER,
        DOCKER_TYPE: SANDBOX_TYPE,
        SPEC_HASH: pod_hash(pod, sandbox_image),
        ATTEMPT: str(attempt),
        APPLIED_POD: canonical(runtimeclass.carry({'metadata': kept_metadata(meta), 'spec': pod['spec']}, pod)),
    })
    return labels


def container_labels(pod, container, kind, attempt, sandbox_id, sandbox_image):
    labels = pod_labels(pod)
    labels.update({
        POD_HASH: pod_hash(pod, sandbox_image),
        CONTAINER_NAME: container['name'],
        DOCKER_TYPE: CONTAINER_TYPE_DOCKER,
        SANDBOX_ID: sandbox_id,
        SPEC_HASH: container_hash(container),
        RESTART_COUNT: str(attempt),
        ATTEMPT: str(attempt),
        CONTAINER_TYPE: kind,
        GRACE_PERIOD: str(pod['spec']['terminationGracePeriodSeconds']),
    })
    labels[TERMINATION_PATH] = container.get('terminationMessagePath', '/dev/termination-log')
    labels[TERMINATION_POLICY] = container.get('terminationMessagePolicy', 'File')
    labels[TERMINATION_LOG] = termination_log_path(pod['metadata']['uid'], container['name'], attempt)
    if container.get('ports'):
        labels[CONTAINER_PORTS] = canonical(container['ports'])
    pre_stop = (container.get('lifecycle') or {}).get('preStop')
    if pre_stop:  # kept on the container so a delete by name can run it (restoreSpecsFromContainerLabels)
        labels[PRE_STOP] = canonical({'handler': pre_stop, 'ports': container.get('ports') or []})
    return labels


def termination_log_path(uid, container, attempt):
    """The node's file bind-mounted at a container instance's terminationMessagePath."""
    return '%s/%s/containers/%s/%d-termination-log' % (STATE_DIR, uid, container, attempt)
