# -*- coding: utf-8 -*-
# Copyright (c) hostpods contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""PRIVATE: the pods on the host as Pod objects with status: their containers inspected
concurrently, then ``status.pod_object``. Reads only."""

from __future__ import annotations

from ansible_collections.hostpods.core.plugins.module_utils._plan.observed import HostFacts
from ansible_collections.hostpods.core.plugins.module_utils._runtime import kernel_log
from ansible_collections.hostpods.core.plugins.module_utils._runtime import nodestate
from ansible_collections.hostpods.core.plugins.module_utils._runtime.concurrency import run_concurrently
from ansible_collections.hostpods.core.plugins.module_utils._runtime.observe import object_lookup
from ansible_collections.hostpods.core.plugins.module_utils._spec import hooks
from ansible_collections.hostpods.core.plugins.module_utils._spec import naming
from ansible_collections.hostpods.core.plugins.module_utils._spec import configs
from ansible_collections.hostpods.core.plugins.module_utils._spec.podspec import epoch_seconds
from ansible_collections.hostpods.core.plugins.module_utils._views.status import pod_object


def _config_checker(record):
    """``check(container)``: the CreateContainerConfigError message of a container that has no instance: its
    ConfigMap or Secret references missing on the node, else the error of its last try to be created (its
    newest event is the kubelet's ``Failed`` ``Error: ...``, as for a subPath that left its volume), or None."""
    lookup, namespace = object_lookup({}), record.namespace
    last_errors = {}
    for event in nodestate.read_events(record.uid) if record.uid else []:
        field = event['involvedObject'].get('fieldPath') or ''
        failed = event.get('reason') == 'Failed' and event.get('message', '').startswith(nodestate.CREATE_ERROR)
        last_errors[field] = event['message'][len(nodestate.CREATE_ERROR):] if failed else None

    def check(container):
        try:
            configs.env_from(lookup, namespace, container.get('envFrom'))
            for item in container.get('env') or []:
                source = item.get('valueFrom') or {}
                if 'configMapKeyRef' in source or 'secretKeyRef' in source:
                    configs.env_ref_value(lookup, namespace, source)
        except configs.ConfigError as exc:
            return str(exc)
        return last_errors.get('spec.containers{%s}' % container['name']) or \
            last_errors.get('spec.initContainers{%s}' % container['name'])
    return check


def _message(client, info, secrets):
    """The termination message of an exited container: its file on the node, or its log's end; the
    values of the Secrets its pod reads (``secrets``) never show."""
    labels = info['Config'].get('Labels') or {}
    try:
        with open(labels[naming.TERMINATION_LOG], encoding='utf-8', errors='replace') as handle:
            text = handle.read(hooks.MAX_MESSAGE_BYTES)
    except OSError:
        text = ''
    policy, code = labels.get(naming.TERMINATION_POLICY, 'File'), info['State'].get('ExitCode')
    tail = client.logs(info['Id'], tail=hooks.FALLBACK_LINES) if not text and policy != 'File' and code else ''
    return configs.scrub(hooks.termination_message(policy, code, text, tail), secrets)


def _secret_values(records, exited):
    """``{uid: the values of the Secrets the pod reads}`` of the pods with an exited container."""
    uids, lookup = {(info['Config'].get('Labels') or {}).get(naming.POD_UID) for info in exited}, object_lookup({})
    return {record.uid: configs.secret_values(record.applied, lookup) for record in records
            if record.uid in uids and record.applied}


def _note_oom_kills(infos):
    """``State.OOMKilled`` of the containers killed (exit code 137) by the OOM killer that the engine did not see
    as such, from the kernel's log (``kernel_log``): their status then says ``OOMKilled``, as a kubelet's does."""
    killed = [info for info in infos if info and not info['State'].get('Running')
              and info['State'].get('ExitCode') == 137 and not info['State'].get('OOMKilled')]
    if killed:
        seen = kernel_log.oom_killed()
        for info in killed:  # a kill of this run of the container: the engine may have started it again since one
            if seen.get(info['Id'], 0.0) > (epoch_seconds(info['State'].get('StartedAt')) or 0.0):
                info['State']['OOMKilled'] = True


def describe_records(client, records, node):
    """Pod objects (with status) for ``records`` on ``node`` (a NodeContext), inspecting their
    containers concurrently."""
    records = [record for record in records if record is not None and record.applied]
    instances = [instance for record in records for instance in record.all_instances()]
    inspected = dict(zip([i.id for i in instances], run_concurrently(lambda i: client.inspect_container(i.id), instances)))
    restarted = [info for info in inspected.values()
                 if info and info['State'].get('Running') and int(info.get('RestartCount') or 0) > 0]
    last_exits = dict(zip([info['Id'] for info in restarted], run_concurrently(
        lambda info: client.last_exit_code(info['Id'], epoch_seconds(info['Created'])), restarted)))
    _note_oom_kills(inspected.values())
    exited = [info for info in inspected.values() if info and not info['State'].get('Running')
              and (info['Config'].get('Labels') or {}).get(naming.TERMINATION_LOG)]
    secrets = _secret_values(records, exited)
    messages = dict(zip([info['Id'] for info in exited], run_concurrently(
        lambda info: _message(client, info, secrets.get(info['Config']['Labels'].get(naming.POD_UID), ())), exited)))
    out = []
    facts = HostFacts(client.image_references()) if any(
        name not in record.instances for record in records
        for name in [c['name'] for c in (record.applied['spec'].get('initContainers') or [])
                     + record.applied['spec']['containers']]) else None
    for record in records:
        by_container = {}
        for name, items in record.instances.items():
            by_container[name] = [inspected[item.id] for item in items if inspected.get(item.id)]
        sandbox = inspected.get(record.sandbox.id) if record.sandbox else None
        out.append(pod_object(record.applied, record.uid, sandbox, by_container, node_name=node.name,
                              image_present=facts.has_image if facts else None, last_exits=last_exits,
                              messages=messages, config_error=_config_checker(record), host_ip=node.host_ip or None,
                              agent_status=record.agent_status))
    return out
