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
    """The pods of the call (validated and defaulted) and their keys; by selector for a delete
    without manifests."""
    requirements = selectors.parse(params['label_selectors'])
    if params['definition'] is None:
        chosen = selectors.select(records, requirements, namespace=params['namespace'])
        return [], [(record.namespace, record.name) for record in chosen]
    pods = load_pods(collect_documents(params['definition']), params['namespace'], deleting=deleting)
    pods = [pod for pod in pods if selectors.matches(requirements, pod['metadata'].get('labels'))]
    return pods, [(pod['metadata']['namespace'], pod['metadata']['name']) for pod in pods]


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
    records = read_records(client)
    pods, keys = _chosen_pods(params, records, deleting)
    if deleting:
        plans = [planner.plan_delete(key, records.get(key)) for key in keys]
    else:
        facts = HostFacts(client.image_references(), host_path_kinds(planner.host_paths(pods)))
        plans = planner.plan_batch(pods, records, facts, params['sandbox_image'], params['force'])
    changed = any(plan.changed for plan in plans)
    errors = {}
    if not module.check_mode:
        errors = Executor(client, params['sandbox_image'], max(1, remaining())).run(plans)
    live = {}
    if not deleting:
        live = _describe(client, keys, None if changed and not module.check_mode else records)
    result = {'changed': changed, 'pods': [_pod_result(plan, live, module.check_mode, errors) for plan in plans]}
    if module._diff:
        result['diff'] = [_diff_entry(plan) for plan in plans if plan.changed]
    if errors:
        result['docker_calls'] = dict(client.calls)
        module.fail_json(msg='; '.join(errors[key] for key in keys if key in errors), **result)
    if params['wait'] and not module.check_mode and not deleting:
        waited, done = wait_for(lambda: list(_describe(client, keys).values()), remaining())
        actions = {plan.key: plan.action for plan in plans}
        result['pods'] = [dict(obj, action=actions[(obj['metadata']['namespace'], obj['metadata']['name'])])
                          for obj in waited]
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
