# -*- coding: utf-8 -*-
# Copyright (c) hostpods contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""PRIVATE: the ``hostpods.core.pod`` module's flow: parse -> read state -> plan -> execute -> report.

Domain exceptions are turned into ``fail_json`` here, once.
"""

from __future__ import annotations

import time

from ansible.module_utils.basic import env_fallback, missing_required_lib

from ansible_collections.hostpods.core.plugins.module_utils._plan import placement as placement
from ansible_collections.hostpods.core.plugins.module_utils._plan import planner as planner
from ansible_collections.hostpods.core.plugins.module_utils._spec import selectors as selectors
from ansible_collections.hostpods.core.plugins.module_utils._runtime.docker_client import (
    DOCKER_IMPORT_ERROR, HAS_DOCKER, DockerClient)
from ansible_collections.hostpods.core.plugins.module_utils._errors import HostpodsError
from ansible_collections.hostpods.core.plugins.module_utils._runtime.executor import Executor, host_path_kinds, node_allocatable
from ansible_collections.hostpods.core.plugins.module_utils._views.pods import (
    describe_records, object_lookup, read_object, read_records)
from ansible_collections.hostpods.core.plugins.module_utils._spec import objects as objects
from ansible_collections.hostpods.core.plugins.module_utils._spec.manifest import collect_documents, load_manifests
from ansible_collections.hostpods.core.plugins.module_utils._plan.observed import HostFacts
from ansible_collections.hostpods.core.plugins.module_utils._views.waiter import pod_done, wait_for

POD_ARG_SPEC = dict(
    definition=dict(type='raw'),
    src=dict(type='path'),
    template=dict(type='raw'),
    state=dict(type='str', default='present', choices=['present', 'absent']),
    namespace=dict(type='str', default='default'),
    wait=dict(type='bool', default=False),
    wait_timeout=dict(type='int', default=120),
    force=dict(type='bool', default=False),
    sandbox_image=dict(type='str'),
    label_selectors=dict(type='list', elements='str'),
    node_name=dict(type='str'),
    placement=dict(type='dict'),
    secret_definitions=dict(type='list', elements='raw', no_log=True),
    docker_host=dict(type='str', fallback=(env_fallback, ['DOCKER_HOST'])),
)


def _diff_entry(plan):
    """Before (as last applied on the host) and after (as asked) of one changed pod."""
    name = '%s/%s' % plan.key
    before = plan.record.applied if plan.record else None
    after = None
    if plan.pod is not None and plan.action != planner.DELETED:
        after = {'metadata': {k: plan.pod['metadata'][k] for k in ('name', 'namespace', 'labels', 'annotations')},
                 'spec': plan.pod['spec']}
    return {'before_header': 'pod %s (on the host)' % name, 'after_header': 'pod %s (%s)' % (name, plan.action),
            'before': before or {}, 'after': after or {}}


def _chosen_pods(params, records, deleting):
    """The pods of the call (validated and defaulted), their keys, and the call's other objects
    (ConfigMaps, Secrets, PersistentVolumeClaims); by selector for a delete without manifests."""
    requirements = selectors.parse(params['label_selectors'])
    if params['definition'] is None:
        chosen = selectors.select(records, requirements, namespace=params['namespace'])
        return [], [(record.namespace, record.name) for record in chosen], []
    documents = collect_documents(params['definition']) + collect_documents(params.get('secret_definitions') or [])
    pods, others = load_manifests(documents, params['namespace'], deleting=deleting)
    pods = [pod for pod in pods if selectors.matches(requirements, pod['metadata'].get('labels'))]
    return pods, [(pod['metadata']['namespace'], pod['metadata']['name']) for pod in pods], others


def _describe(client, keys, records=None):
    """``{key: Pod object}`` of the pods of ``keys`` as they are on the host now."""
    records = records if records is not None else read_records(client)
    return {(obj['metadata']['namespace'], obj['metadata']['name']): obj
            for obj in describe_records(client, [records.get(key) for key in keys])}


def _pod_result(plan, live, check_mode, errors):
    """One entry of the ``pods`` return value."""
    if plan.action in (planner.DELETED, planner.ABSENT):
        meta = {'name': plan.key[1], 'namespace': plan.key[0]}
        if plan.uid:
            meta['uid'] = plan.uid
        obj = {'apiVersion': 'v1', 'kind': 'Pod', 'metadata': meta}
    else:
        obj = live.get(plan.key)
        if obj is None or (check_mode and plan.action == planner.RECREATED):
            pod = plan.pod  # not on the host (yet): what would be created
            obj = {'apiVersion': 'v1', 'kind': 'Pod', 'metadata': dict(pod['metadata'], uid=plan.uid),
                   'spec': pod['spec'], 'status': {'phase': 'Pending'}}
    obj = dict(obj, action=plan.action)
    if check_mode and plan.steps:
        obj['planned_steps'] = [step.describe() for step in plan.steps]
    if plan.key in errors:
        obj['error'] = errors[plan.key]
    return obj


def apply_pods(module, client, params):
    """Plan every pod of the call, carry the plans out (not in check mode), report, and wait."""
    started = time.monotonic()

    def remaining():
        return max(0, params['wait_timeout'] - (time.monotonic() - started))

    deleting = params['state'] == 'absent'
    image = params['sandbox_image'] if deleting else placement.sandbox_image(params['sandbox_image'])
    records = read_records(client)
    pods, keys, others = _chosen_pods(params, records, deleting)
    gate = placement.NodeGate(None if deleting else placement.local_node(params.get('node_name'), node_allocatable()),
                              params.get('placement'))
    if not deleting:  # the pods this node does not take are reported, never planned (see _placement)
        pods = gate.admit(pods, records)
        keys = gate.kept(keys)
    stored = {key: read_object(*key) for key in [(o['kind'], o['metadata']['namespace'], o['metadata']['name'])
                                                 for o in others]}
    object_plans = planner.plan_objects(others, stored, deleting)
    if deleting:
        plans = [planner.plan_delete(key, records.get(key)) for key in keys]
    else:
        facts = HostFacts(client.image_references(), host_path_kinds(planner.host_paths(pods)))
        plans = planner.plan_batch(pods, records, facts, image, params['force'])
    changed = any(plan.changed for plan in plans + object_plans)
    errors = {}
    if not module.check_mode:
        executor = Executor(client, image, max(1, remaining()),
                            lookup=object_lookup({} if deleting else {p.key: p.obj for p in object_plans}),
                            node=gate.runtime_node())
        if not deleting:  # objects first: the pods of the batch use them
            errors.update(executor.run_objects(object_plans))
            executor.refresh_volumes(records.values(), {p.key for p in object_plans if p.changed and p.kind != 'PersistentVolumeClaim'})
        errors.update(executor.run(plans))
        if deleting:  # pods first: a claim in use is not removed
            errors.update(executor.run_objects(object_plans))
    live = {}
    if not deleting:
        live = _describe(client, keys, None if changed and not module.check_mode else records)
    result = {'changed': changed, 'pods': gate.report([_pod_result(plan, live, module.check_mode, errors) for plan in plans]),
              'objects': [dict(objects.redacted(p.obj), action=p.action, **({'error': errors[p.key]} if p.key in errors else {}))
                          for p in object_plans]}
    if module._diff:
        result['diff'] = [_diff_entry(plan) for plan in plans if plan.changed] + [
            {'before_header': '%s %s/%s (on the host)' % (p.kind, p.key[1], p.key[2]),
             'after_header': '%s %s/%s (%s)' % (p.kind, p.key[1], p.key[2], p.action),
             'before': objects.redacted(stored.get(p.key)) or {}, 'after': {} if deleting else objects.redacted(p.obj)}
            for p in object_plans if p.changed]
    if errors:
        result['docker_calls'] = dict(client.calls)
        module.fail_json(msg='; '.join(list(errors.values()) + ([gate.message()] if gate.refused else [])), **result)
    if params['wait'] and not module.check_mode and not deleting:
        waited, done = wait_for(lambda: list(_describe(client, keys).values()), remaining())
        actions = {plan.key: plan.action for plan in plans}
        result['pods'] = gate.report([dict(obj, action=actions[(obj['metadata']['namespace'], obj['metadata']['name'])])
                                      for obj in waited])
        if not done:
            result['docker_calls'] = dict(client.calls)
            pending = ['%s/%s (%s)' % (p['metadata']['namespace'], p['metadata']['name'], p['status']['phase'])
                       for p in waited if not pod_done(p)]
            module.fail_json(msg='Timed out after %ds waiting for pods to be ready: %s'
                             % (params['wait_timeout'], ', '.join(pending)), **result)
    result['docker_calls'] = dict(client.calls)
    if gate.refused:
        module.fail_json(msg=gate.message(), **result)
    return result


def run_with_client(module, function):
    """Call ``function(client)`` with a Docker client; exit with its result, or fail once on an error."""
    if not HAS_DOCKER:
        module.fail_json(msg=missing_required_lib('docker'), exception=str(DOCKER_IMPORT_ERROR))
    try:
        client = DockerClient(module.params.get('docker_host'))
        module.exit_json(**function(client))
    except HostpodsError as exc:
        module.fail_json(msg=exc.msg, **exc.details)


def run_pod_module(module):
    """Entry point of ``hostpods.core.pod``."""
    params = module.params
    if params['definition'] is None and not (params['state'] == 'absent' and params['label_selectors'] is not None):
        module.fail_json(msg='one of definition, src or template is required (or, with state=absent, label_selectors)')
    run_with_client(module, lambda client: apply_pods(module, client, module.params))
