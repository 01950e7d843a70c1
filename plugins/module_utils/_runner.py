# -*- coding: utf-8 -*-
# Copyright (c) hostpods contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""PRIVATE: the ``hostpods.core.pod`` module's flow: parse -> read state -> plan -> execute -> report.

Domain exceptions are turned into ``fail_json`` here, once.
"""

from __future__ import annotations

import time

from ansible.module_utils.basic import env_fallback, missing_required_lib

from ansible_collections.hostpods.core.plugins.module_utils import _planner as planner
from ansible_collections.hostpods.core.plugins.module_utils import _selectors as selectors
from ansible_collections.hostpods.core.plugins.module_utils._docker_client import (
    DOCKER_IMPORT_ERROR, HAS_DOCKER, DockerClient)
from ansible_collections.hostpods.core.plugins.module_utils._errors import HostpodsError
from ansible_collections.hostpods.core.plugins.module_utils._executor import Executor, host_path_kinds
from ansible_collections.hostpods.core.plugins.module_utils._inventory import describe_records, read_records
from ansible_collections.hostpods.core.plugins.module_utils._manifest import collect_documents, load_pods
from ansible_collections.hostpods.core.plugins.module_utils._state import HostFacts
from ansible_collections.hostpods.core.plugins.module_utils._waiter import pod_done, wait_for

POD_ARG_SPEC = dict(
    definition=dict(type='raw'),
    src=dict(type='path'),
    template=dict(type='raw'),
    state=dict(type='str', default='present', choices=['present', 'absent']),
    namespace=dict(type='str', default='default'),
    wait=dict(type='bool', default=False),
    wait_timeout=dict(type='int', default=120),
    force=dict(type='bool', default=False),
    sandbox_image=dict(type='str', default='registry.k8s.io/pause:3.10'),
    label_selectors=dict(type='list', elements='str'),
    docker_host=dict(type='str', fallback=(env_fallback, ['DOCKER_HOST'])),
)


def _diff_entry(plan, after):
    name = '%s/%s' % plan.key
    before = plan.record.applied if plan.record else None
    return {'before_header': 'pod %s (on the host)' % name, 'after_header': 'pod %s (%s)' % (name, plan.action),
            'before': before or {}, 'after': after or {}}


def _planned_object(plan):
    """What check mode reports for a pod that does not exist yet."""
    pod = plan.pod
    return {'apiVersion': 'v1', 'kind': 'Pod', 'metadata': dict(pod['metadata'], uid=plan.uid), 'spec': pod['spec'],
            'status': {'phase': 'Pending'}}


def apply_pods(module, client, params):
    started = time.monotonic()
    deleting = params['state'] == 'absent'
    records = read_records(client)
    if params['definition'] is None:  # delete by selector (and namespace)
        requirements = selectors.parse(params['label_selectors'])
        pods = []
        keys = [(r.namespace, r.name) for r in selectors.select(records, requirements, namespace=params['namespace'])]
    else:
        pods = load_pods(collect_documents(params['definition']), params['namespace'], deleting=deleting)
        keys = [(pod['metadata']['namespace'], pod['metadata']['name']) for pod in pods]
        if params['label_selectors']:
            requirements = selectors.parse(params['label_selectors'])
            pods = [pod for pod in pods if selectors.matches(requirements, pod['metadata'].get('labels'))]
            keys = [(pod['metadata']['namespace'], pod['metadata']['name']) for pod in pods]
    if deleting:
        plans = [planner.plan_delete(key, records.get(key)) for key in keys]
    else:
        facts = HostFacts(client.image_references(), host_path_kinds(planner.host_paths(pods)))
        plans = planner.plan_batch(pods, records, facts, params['sandbox_image'], params['force'])
    errors = {}
    if not module.check_mode:
        budget = max(1, params['wait_timeout'] - (time.monotonic() - started))
        errors = Executor(client, params['sandbox_image'], budget).run(plans)
    live = {}
    if not deleting:
        if not module.check_mode and any(plan.changed for plan in plans):
            records = read_records(client)
        current = [records.get(key) for key in keys]
        live = {(obj['metadata']['namespace'], obj['metadata']['name']): obj
                for obj in describe_records(client, current)}
    result_pods, diff = [], []
    for plan in plans:
        if deleting:
            meta = {'name': plan.key[1], 'namespace': plan.key[0]}
            if plan.uid:
                meta['uid'] = plan.uid
            obj = {'apiVersion': 'v1', 'kind': 'Pod', 'metadata': meta}
        else:
            obj = live.get(plan.key)
            if obj is None or (module.check_mode and plan.action == planner.RECREATED):
                obj = _planned_object(plan)
        obj = dict(obj, action=plan.action)
        if module.check_mode and plan.steps:
            obj['planned_steps'] = [step.describe() for step in plan.steps]
        if plan.key in errors:
            obj['error'] = errors[plan.key]
        result_pods.append(obj)
        if plan.changed:
            diff.append(_diff_entry(plan, None if deleting else {'metadata': {k: plan.pod['metadata'][k] for k in (
                'name', 'namespace', 'labels', 'annotations')}, 'spec': plan.pod['spec']}))
    result = {'changed': any(plan.changed for plan in plans), 'pods': result_pods}
    if module._diff:
        result['diff'] = diff
    if errors:
        result['docker_calls'] = dict(client.calls)
        module.fail_json(msg='; '.join(errors[key] for key in keys if key in errors), **result)
    if params['wait'] and not module.check_mode and not deleting:
        remaining = max(0, params['wait_timeout'] - (time.monotonic() - started))

        def read():
            latest = read_records(client)
            return describe_records(client, [latest.get(key) for key in keys])
        waited, done = wait_for(read, remaining)
        actions = {(p['metadata']['namespace'], p['metadata']['name']): p['action'] for p in result_pods}
        result['pods'] = [dict(p, action=actions[(p['metadata']['namespace'], p['metadata']['name'])]) for p in waited]
        if not done:
            result['docker_calls'] = dict(client.calls)
            pending = ['%s/%s (%s)' % (p['metadata']['namespace'], p['metadata']['name'], p['status']['phase'])
                       for p in waited if not pod_done(p)]
            module.fail_json(msg='Timed out after %ds waiting for pods to be ready: %s'
                             % (params['wait_timeout'], ', '.join(pending)), **result)
    result['docker_calls'] = dict(client.calls)
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
