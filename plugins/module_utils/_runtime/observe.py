# -*- coding: utf-8 -*-
# Copyright (c) hostpods contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""PRIVATE: read what is on the node: the pods (one container listing), the objects it keeps, and
the few inspects a plan needs. Reads only.
"""

from __future__ import annotations

import os

from ansible_collections.hostpods.core.plugins.module_utils._plan.observed import group_pods
from ansible_collections.hostpods.core.plugins.module_utils._runtime import files
from ansible_collections.hostpods.core.plugins.module_utils._runtime import mounts
from ansible_collections.hostpods.core.plugins.module_utils._runtime import nodestate
from ansible_collections.hostpods.core.plugins.module_utils._runtime.concurrency import run_concurrently
from ansible_collections.hostpods.core.plugins.module_utils._spec import naming
from ansible_collections.hostpods.core.plugins.module_utils._spec import configs


def read_node_record(uid, mount_table=None):
    """``{'desired', 'attempts', 'pod_ip', 'metadata', 'resources', 'status', 'mounts', 'volume_files', 'ephemeral'}``:
    the node's record of one pod UID, with what the node mounted under its directory (``mount_table``: the node's
    mounts, read when not given) and the volumes whose files it holds."""
    mount_table = mounts.read_mounts() if mount_table is None else mount_table
    return {'desired': nodestate.read_desired(uid), 'attempts': nodestate.read_attempts(uid),
            'pod_ip': nodestate.read_pod_ip(uid), 'metadata': files.read_json(naming.metadata_path(uid)),
            'resources': nodestate.read_resources(uid),
            'status': nodestate.read_status(uid), 'mounts': mounts.mounts_under(naming.pod_dir(uid), mount_table),
            'volume_files': nodestate.volumes_with_files(uid), 'ephemeral': nodestate.read_ephemeral(uid)}


def read_node_records():
    """The node's record of every pod UID that has a directory (see ``read_node_record``)."""
    pods = naming.STATE_DIR + os.sep  # a pod's record looks only at the mounts under the pods' directories
    mount_table = {point: kind for point, kind in mounts.read_mounts().items() if point.startswith(pods)}
    return {uid: read_node_record(uid, mount_table) for uid in nodestate.pod_uids()}


def read_records(client):
    """``{(namespace, name): PodRecord}`` for every pod on the node: one container listing, one volume
    listing, and the node's record of each pod UID (see ``_plan.observed.group_pods``; none when the engine
    is another machine's: this machine's records are not of its pods)."""
    from ansible_collections.hostpods.core.plugins.module_utils._runtime.host import engine_elsewhere
    records = {} if engine_elsewhere(client) else read_node_records()
    return group_pods(client.pod_containers(), records, client.pod_volumes())


def read_object(kind, namespace, name):
    """A ConfigMap, Secret or PersistentVolumeClaim as the node keeps it, or None."""
    return files.read_json(configs.store_path(kind, namespace, name))


def list_objects(kind, namespace=None):
    """``[(object, epoch seconds of its last write)]`` of one kind the node keeps, in ``namespace`` or
    in all of them, sorted by namespace and name."""
    out = []
    namespaces = [namespace] if namespace else sorted(files.list_dir(configs.STORE))
    for name_space in namespaces:
        folder = os.path.dirname(configs.store_path(kind, name_space, 'x'))
        for entry in sorted(files.list_dir(folder)):
            if entry.endswith('.json'):
                path = os.path.join(folder, entry)
                obj = files.read_json(path)
                if obj is not None:
                    out.append((obj, files.modified(path)))
    return out


def read_objects_in(kinds, namespaces):
    """``{(kind, namespace, name): object}`` the node keeps of ``kinds`` (those it keeps) in ``namespaces``."""
    return {(kind, obj['metadata']['namespace'], obj['metadata']['name']): obj
            for kind in sorted(set(kinds) & set(configs.KINDS)) for namespace in sorted(namespaces)
            for obj, _written in list_objects(kind, namespace)}


def object_lookup(batch):
    """``lookup(kind, namespace, name)``: the batch's objects first, then the node's."""
    def lookup(kind, namespace, name):
        key = (kind, namespace, name)
        return batch[key] if key in batch else read_object(*key)
    return lookup


def read_restart_counts(client, instances):
    """Fill in how often the engine restarted each of ``instances`` in place (one inspect each)."""
    infos = run_concurrently(lambda instance: client.inspect_container(instance.id), instances)
    for instance, info in zip(instances, infos):
        instance.restart_count = int((info or {}).get('RestartCount') or 0)
