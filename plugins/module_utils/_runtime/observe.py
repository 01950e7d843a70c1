# -*- coding: utf-8 -*-
# Copyright (c) hostpods contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""PRIVATE: read what is on the node: the pods (one container listing), the objects it keeps, and
the few inspects a plan needs. Reads only.
"""

from __future__ import annotations

import os

from ansible_collections.hostpods.core.plugins.module_utils._plan.observed import group_pods
from ansible_collections.hostpods.core.plugins.module_utils._runtime import host
from ansible_collections.hostpods.core.plugins.module_utils._runtime.concurrency import run_concurrently
from ansible_collections.hostpods.core.plugins.module_utils._spec import naming
from ansible_collections.hostpods.core.plugins.module_utils._spec import configs


def read_records(client):
    """``{(namespace, name): PodRecord}`` for every pod on the host, from one listing, with the
    labels and annotations changed in place since each pod was created."""
    records = group_pods(client.pod_containers())
    for record in records.values():
        if record.uid:
            record.live_metadata = host.read_json(naming.metadata_path(record.uid))
    return records


def read_object(kind, namespace, name):
    """A ConfigMap, Secret or PersistentVolumeClaim as the node keeps it, or None."""
    return host.read_json(configs.store_path(kind, namespace, name))


def read_events(uid):
    """The events of one pod, oldest first, as the node agent keeps them (``<pod dir>/events.json``, a JSON
    list of Kubernetes Event objects), or none. The hook of ``hostpods describe``: events from the agent
    arrive through ``pod_info``'s ``events`` once it returns them; this file is read until then."""
    events = host.read_json(os.path.join(naming.pod_dir(uid), 'events.json')) if uid else None
    return events if isinstance(events, list) else []


def list_objects(kind, namespace=None):
    """``[(object, epoch seconds of its last write)]`` of one kind the node keeps, in ``namespace`` or
    in all of them, sorted by namespace and name."""
    out = []
    namespaces = [namespace] if namespace else sorted(host.list_dir(configs.STORE))
    for name_space in namespaces:
        folder = os.path.dirname(configs.store_path(kind, name_space, 'x'))
        for entry in sorted(host.list_dir(folder)):
            if entry.endswith('.json'):
                path = os.path.join(folder, entry)
                obj = host.read_json(path)
                if obj is not None:
                    out.append((obj, host.modified(path)))
    return out


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
