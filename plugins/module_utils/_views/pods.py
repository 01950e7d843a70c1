# -*- coding: utf-8 -*-
# Copyright (c) hostpods contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""PRIVATE: read the pods on the host (one listing, concurrent inspects) and report them as Pod objects."""

from __future__ import annotations

import json
import os
import socket

from ansible_collections.hostpods.core.plugins.module_utils._spec import hooks as hooks
from ansible_collections.hostpods.core.plugins.module_utils._spec import naming as naming
from ansible_collections.hostpods.core.plugins.module_utils._spec import objects as objects
from ansible_collections.hostpods.core.plugins.module_utils._plan import placement as placement
from ansible_collections.hostpods.core.plugins.module_utils._runtime.executor import run_concurrently
from ansible_collections.hostpods.core.plugins.module_utils._plan.observed import HostFacts, group_pods
from ansible_collections.hostpods.core.plugins.module_utils._views.status import epoch_seconds, pod_object


def read_records(client):
    """``{(namespace, name): PodRecord}`` for every pod on the host, from one listing, with the
    labels and annotations changed in place since each pod was created."""
    records = group_pods(client.pod_containers())
    for record in records.values():
        path = naming.metadata_path(record.uid)
        if record.uid and os.path.exists(path):
            with open(path, encoding='utf-8') as handle:
                record.live_metadata = json.load(handle)
    return records


def read_object(kind, namespace, name):
    """A ConfigMap, Secret or PersistentVolumeClaim as the node keeps it, or None."""
    try:
        with open(objects.store_path(kind, namespace, name), encoding='utf-8') as handle:
            return json.load(handle)
    except (OSError, ValueError):
        return None


def object_lookup(batch):
    """``lookup(kind, namespace, name)``: the batch's objects first, then the node's."""
    def lookup(kind, namespace, name):
        key = (kind, namespace, name)
        return batch[key] if key in batch else read_object(*key)
    return lookup


def _config_checker(record):
    """``check(container)``: the CreateContainerConfigError message of a container whose ConfigMap or
    Secret references are missing on the node, or None."""
    lookup, namespace = object_lookup({}), record.namespace

    def check(container):
        try:
            objects.env_from(lookup, namespace, container.get('envFrom'))
            for item in container.get('env') or []:
                source = item.get('valueFrom') or {}
                if 'configMapKeyRef' in source or 'secretKeyRef' in source:
                    objects.env_ref_value(lookup, namespace, source)
        except objects.ConfigError as exc:
            return str(exc)
        return None
    return check


def _message(client, info):
    """The termination message of an exited container: its file on the node, or its log's end."""
    labels = info['Config'].get('Labels') or {}
    try:
        with open(labels[naming.TERMINATION_LOG], encoding='utf-8', errors='replace') as handle:
            text = handle.read(hooks.MAX_MESSAGE_BYTES)
    except OSError:
        text = ''
    policy, code = labels.get(naming.TERMINATION_POLICY, 'File'), info['State'].get('ExitCode')
    tail = client.logs(info['Id'], tail=hooks.FALLBACK_LINES) if not text and policy != 'File' and code else ''
    return hooks.termination_message(policy, code, text, tail)


def describe_records(client, records):
    """Pod objects (with status) for ``records``, inspecting their containers concurrently."""
    records = [record for record in records if record is not None and record.applied]
    instances = [instance for record in records for instance in record.all_instances()]
    inspected = dict(zip([i.id for i in instances], run_concurrently(lambda i: client.inspect_container(i.id), instances)))
    restarted = [info for info in inspected.values()
                 if info and info['State'].get('Running') and int(info.get('RestartCount') or 0) > 0]
    last_exits = dict(zip([info['Id'] for info in restarted], run_concurrently(
        lambda info: client.last_exit_code(info['Id'], epoch_seconds(info['Created'])), restarted)))
    exited = [info for info in inspected.values() if info and not info['State'].get('Running')
              and (info['Config'].get('Labels') or {}).get(naming.TERMINATION_LOG)]
    messages = dict(zip([info['Id'] for info in exited], run_concurrently(lambda info: _message(client, info), exited)))
    out, node_name = [], socket.gethostname()
    # status.hostIP: the node's address from its facts; else the bridge's gateway (read here for hostNetwork pods,
    # from each sandbox's network otherwise).
    address = placement.node_address()
    host_ip = address or (client.bridge_gateway() if any(r.applied['spec'].get('hostNetwork') for r in records) else None)
    facts = HostFacts(client.image_references()) if any(
        name not in record.instances for record in records
        for name in [c['name'] for c in (record.applied['spec'].get('initContainers') or [])
                     + record.applied['spec']['containers']]) else None
    for record in records:
        by_container = {}
        for name, items in record.instances.items():
            by_container[name] = [inspected[item.id] for item in items if inspected.get(item.id)]
        sandbox = inspected.get(record.sandbox.id) if record.sandbox else None
        out.append(pod_object(record.applied, record.uid, sandbox, by_container, node_name=node_name,
                              image_present=facts.has_image if facts else None, last_exits=last_exits,
                              messages=messages, config_error=_config_checker(record),
                              host_ip=host_ip if address or record.applied['spec'].get('hostNetwork') else None))
    return out
