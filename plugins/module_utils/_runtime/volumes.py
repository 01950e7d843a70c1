# -*- coding: utf-8 -*-
# Copyright (c) hostpods contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""PRIVATE: the executor's handlers for volumes, the files the node writes for pods, and the objects it
keeps (ConfigMaps, Secrets, PersistentVolumeClaims). Pod handlers take ``(run, step)``; object
handlers ``(client, step)``.
"""

from __future__ import annotations

import json
import os

from ansible_collections.hostpods.core.plugins.module_utils._errors import PodStartError
from ansible_collections.hostpods.core.plugins.module_utils._runtime import cgroups
from ansible_collections.hostpods.core.plugins.module_utils._runtime import containers
from ansible_collections.hostpods.core.plugins.module_utils._runtime import files
from ansible_collections.hostpods.core.plugins.module_utils._runtime import mounts
from ansible_collections.hostpods.core.plugins.module_utils._runtime import nodestate
from ansible_collections.hostpods.core.plugins.module_utils._spec import naming
from ansible_collections.hostpods.core.plugins.module_utils._spec import configs
from ansible_collections.hostpods.core.plugins.module_utils._spec import quantity


def record_pod(run, step):
    """``pod.json``: the node agent's desired state, the pod as applied."""
    nodestate.write_desired(run.pod, step.sandbox_image)


def record_ephemeral(run, step):
    nodestate.write_ephemeral(run.uid, step.containers)


def forget_pod(run, step):
    nodestate.remove_desired(step.uid)


def pod_cgroup(run, step):
    """Make the pod's cgroup and write its limits (see ``_runtime.cgroups``)."""
    try:
        cgroups.configure(run.node.engine.get('cgroupVersion'), step.cgroup, step.config, step.driver)
    except OSError as exc:
        raise PodStartError('pod "%s": cannot set its cgroup %s: %s'
                            % (run.pod['metadata']['name'], step.cgroup, exc.strerror or exc))


def metadata(run, step):
    """Keep the pod's new labels and annotations on the node."""
    files.write_file(naming.metadata_path(run.uid), json.dumps(step.metadata, sort_keys=True))


def volume(run, step):
    """Create the Docker volume of an emptyDir (a tmpfs for ``medium: Memory``) or a claim, when missing; an
    ``ephemeral`` volume's claim is kept on the node too, owned by the pod."""
    if step.kind == 'ephemeral':
        claim = configs.ephemeral_claim(run.pod, step.volume)
        files.write_file(configs.store_path('PersistentVolumeClaim', claim['metadata']['namespace'],
                                            claim['metadata']['name']), json.dumps(claim, sort_keys=True))
    if run.client.inspect_volume(step.name) is not None:
        return
    meta = run.pod['metadata']
    labels = {naming.VOLUME_TYPE: step.kind, naming.VOLUME_NAME: step.volume['name'],
              naming.POD_NAMESPACE: meta['namespace']}
    opts = None
    if step.kind in ('emptyDir', 'ephemeral'):  # the pod's own: removed with it
        labels.update({naming.POD_UID: run.uid, naming.POD_NAME: meta['name']})
    if step.kind == 'ephemeral':
        labels[naming.CLAIM_NAME] = configs.ephemeral_claim_name(meta['name'], step.volume['name'])
    elif step.kind == 'emptyDir':
        if step.memory:
            fs_group = (run.pod['spec'].get('securityContext') or {}).get('fsGroup')
            opts = {'type': 'tmpfs', 'device': 'tmpfs', 'o': 'mode=%o' % _empty_dir_mode(step.volume, 0o1777)
                    if fs_group is None else 'mode=2777,gid=%d' % fs_group}
            size = (step.volume['emptyDir'] or {}).get('sizeLimit')
            if size:
                opts['o'] += ',size=%d' % quantity.memory_bytes(size)
    else:
        labels[naming.CLAIM_NAME] = step.volume['persistentVolumeClaim']['claimName']
    created = run.client.create_volume(step.name, labels, opts)
    mountpoint = (created or {}).get('Mountpoint')
    if step.kind == 'emptyDir' and not step.memory and mountpoint and os.path.isdir(mountpoint):
        os.chmod(mountpoint, _empty_dir_mode(step.volume, 0o777))  # world-writable unless its mode says otherwise


def _empty_dir_mode(volume, default):
    """An emptyDir's ``mode`` (the kubelet's EmptyDirVolumeMode), else the kubelet's default."""
    mode = (volume['emptyDir'] or {}).get('mode')
    return default if mode is None else mode


def fs_group(run, step):
    """``fsGroup``: the pod's writable volumes belong to that group (setgid directories), as the
    kubelet's SetVolumeOwnership makes them; ``OnRootMismatch`` leaves a volume whose root is already
    the group's as it is (the kubelet's skipPermissionChange)."""
    root = (run.client.inspect_volume(step.name) or {}).get('Mountpoint')
    if not root or not os.path.isdir(root):
        return
    if step.policy == 'OnRootMismatch' and not files.requires_permission_change(root, step.group):
        return
    files.set_group_ownership(root, step.group)


def image_volume(run, step):
    """An ``image`` volume: the image manager's pull (its events and errors, as for a container's image), then, on
    an engine before image mounts (``step.on_node``), the image's layers mounted read-only on the volume's node
    directory, which the engine binds: afresh, so the directory holds this image (the engine's overlay2 layers,
    top first, from the image's ``GraphDriver``)."""
    source, pod_name = step.volume['image'], run.pod['metadata']['name']
    containers.ensure_image(run, {'image': source['reference'], 'imagePullPolicy': source['pullPolicy']}, step.image,
                            volume=step.name)
    if not step.on_node:
        return
    driver = (run.client.inspect_image(source['reference']) or {}).get('GraphDriver') or {}
    data = driver.get('Data') or {}
    layers = [data['UpperDir']] + [layer for layer in (data.get('LowerDir') or '').split(':') if layer] \
        if data.get('UpperDir') else []
    if driver.get('Name') != 'overlay2' or not layers:
        raise PodStartError('pod "%s": FailedMount: MountVolume.SetUp failed for volume "%s" : hostpods mounts an image '
                            'volume from the engine\'s overlay2 layers, and image %s is kept by the %s storage driver'
                            % (pod_name, step.name, source['reference'], driver.get('Name') or 'another'))
    target = naming.volume_dir(run.uid, step.name)
    try:
        mounts.release(target)
        os.makedirs(target, 0o755, exist_ok=True)
        mounts.mount_image(layers, target)
    except OSError as exc:
        run.event('Warning', 'FailedMount', 'MountVolume.SetUp failed for volume "%s" : %s' % (step.name, exc))
        raise PodStartError('pod "%s": FailedMount: MountVolume.SetUp failed for volume "%s" : cannot mount image %s '
                            'read-only on %s: %s' % (pod_name, step.name, source['reference'], target,
                                                     exc.strerror or exc))


def host_path(run, step):
    try:
        if step.type == 'DirectoryOrCreate':
            os.makedirs(step.path, 0o755, exist_ok=True)
        elif not os.path.exists(step.path):
            fd = os.open(step.path, os.O_CREAT | os.O_WRONLY, 0o644)
            os.close(fd)
    except OSError as exc:
        raise PodStartError('pod "%s": hostPath %s: cannot create %s: %s'
                            % (run.pod['metadata']['name'], step.type, step.path, exc.strerror))


def project(run, step):
    """Write a configMap, secret, downwardAPI or projected volume's files (the kubelet's AtomicWriter), a
    Secret's on the tmpfs of its volume (``step.tmpfs``). A refresh keeps the last good files while a
    reference is missing, as the kubelet does."""
    try:
        contents = configs.volume_files(run.pod, step.volume, run.lookup, run.runtime())
    except configs.ConfigError as exc:
        if step.refresh:
            return
        raise PodStartError('pod "%s": FailedMount: MountVolume.SetUp failed for volume "%s" : %s'
                            % (run.pod['metadata']['name'], step.name, exc))
    target = naming.volume_dir(run.uid, step.name)
    if step.tmpfs and mounts.read_mounts().get(target) != 'tmpfs':
        try:  # never on the disk: a copy an earlier hostpods left there goes before the tmpfs hides it
            files.empty_dir(target)
            mounts.mount_tmpfs(target, 0o755)
        except OSError as exc:
            raise PodStartError('pod "%s": FailedMount: MountVolume.SetUp failed for volume "%s" : cannot mount a '
                                'tmpfs on %s: %s' % (run.pod['metadata']['name'], step.name, target,
                                                     exc.strerror or exc))
    files.write_atomic_dir(target, contents)


def remove_data(run, step):
    """A pod UID's node directory, emptyDir volumes, ephemeral volumes' claims (other claims stay) and cgroups. What the node mounted in the
    directory (subPath pins, Secret volumes' tmpfs) is unmounted first: the removal never reaches into a volume;
    so is what a container's Bidirectional mount propagated into an emptyDir."""
    try:
        mounts.unmount_under(naming.pod_dir(step.uid))
    except OSError as exc:
        raise PodStartError('pod UID %s: cannot unmount what the node mounted for it, so its directory %s stays: %s'
                            % (step.uid, naming.pod_dir(step.uid), exc))
    files.remove_tree(naming.pod_dir(step.uid))
    cgroups.remove(step.uid)
    for item in run.client.pod_volumes(step.uid):
        labels = item.get('Labels') or {}
        if labels.get(naming.VOLUME_TYPE) in ('emptyDir', 'ephemeral'):
            if item.get('Mountpoint'):  # what a Bidirectional mount of the pod left in it goes first
                mounts.unmount_under(item['Mountpoint'])
            run.client.remove_volume(item['Name'])
        if labels.get(naming.VOLUME_TYPE) == 'ephemeral':  # the claim the pod owned goes with it
            files.remove_file(configs.store_path('PersistentVolumeClaim', labels.get(naming.POD_NAMESPACE),
                                                 labels.get(naming.CLAIM_NAME)), prune_up_to=configs.STORE)


# ----------------------------------------------------------------------------- objects

def write_object(client, step):
    kind, namespace, name = step.key
    files.write_file(configs.store_path(kind, namespace, name), json.dumps(step.obj, sort_keys=True),
                     mode=0o600 if kind == 'Secret' else 0o644, private=True)
    if kind == 'PersistentVolumeClaim':
        volume_name = naming.claim_volume_name(namespace, name)
        if client.inspect_volume(volume_name) is None:
            client.create_volume(volume_name, {naming.VOLUME_TYPE: 'persistentVolumeClaim', naming.CLAIM_NAME: name,
                                               naming.POD_NAMESPACE: namespace})


def delete_object(client, step):
    """Forget an object: its file, the directories of its kind and namespace when it was their last, and a
    claim's volume (unless a pod uses it)."""
    kind, namespace, name = step.key
    if kind == 'PersistentVolumeClaim':
        volume_name = naming.claim_volume_name(namespace, name)
        users = [c['Names'][0].lstrip('/') for c in client.volume_users(volume_name)]
        if users:  # kubernetes.io/pvc-protection: a claim in use is not removed
            raise PodStartError('persistentvolumeclaim "%s" is in use by %s; delete those pods first'
                                % (name, ', '.join(users)))
        client.remove_volume(volume_name)
    files.remove_file(configs.store_path(kind, namespace, name), prune_up_to=configs.STORE)
