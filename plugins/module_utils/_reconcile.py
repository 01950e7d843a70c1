# -*- coding: utf-8 -*-
# Copyright (c) hostpods contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""PRIVATE: one reconcile, as a library call: manifests -> plan -> execute -> status -> wait.

``apply_pods(client, params)`` takes plain arguments (``_options.POD``) and returns the result the
``hostpods.core.pod`` module returns, or raises ``ApplyError`` carrying that partial result. It
needs only Python 3 and the docker SDK (no Ansible), so the node agent and scripts drive the same
code as the module (see ``_module`` for the module's side).
"""

from __future__ import annotations

import contextlib
import time

from ansible_collections.hostpods.core.plugins.module_utils import _options as options
from ansible_collections.hostpods.core.plugins.module_utils._errors import HostpodsError, ManifestError
from ansible_collections.hostpods.core.plugins.module_utils._plan import capabilities
from ansible_collections.hostpods.core.plugins.module_utils._plan import placement
from ansible_collections.hostpods.core.plugins.module_utils._plan import planner
from ansible_collections.hostpods.core.plugins.module_utils._plan import prune
from ansible_collections.hostpods.core.plugins.module_utils._plan.observed import HostFacts
from ansible_collections.hostpods.core.plugins.module_utils._runtime import host
from ansible_collections.hostpods.core.plugins.module_utils._runtime import nodestate
from ansible_collections.hostpods.core.plugins.module_utils._runtime import observe
from ansible_collections.hostpods.core.plugins.module_utils._runtime.locks import PodLocks
from ansible_collections.hostpods.core.plugins.module_utils._spec import applyset as sets
from ansible_collections.hostpods.core.plugins.module_utils._spec import configs
from ansible_collections.hostpods.core.plugins.module_utils._spec import containers
from ansible_collections.hostpods.core.plugins.module_utils._spec import naming
from ansible_collections.hostpods.core.plugins.module_utils._spec import notices
from ansible_collections.hostpods.core.plugins.module_utils._spec import readiness
from ansible_collections.hostpods.core.plugins.module_utils._spec import resource_names
from ansible_collections.hostpods.core.plugins.module_utils._spec import runtimeclass
from ansible_collections.hostpods.core.plugins.module_utils._spec import security
from ansible_collections.hostpods.core.plugins.module_utils._spec import selectors
from ansible_collections.hostpods.core.plugins.module_utils._spec.manifest import collect_documents, load_manifests
from ansible_collections.hostpods.core.plugins.module_utils._views.pods import describe_records
from ansible_collections.hostpods.core.plugins.module_utils._views.status import planned_object
from ansible_collections.hostpods.core.plugins.module_utils._views.waiter import pod_done, wait_for


class ApplyError(HostpodsError):
    """The apply failed; ``details`` is the result so far (``pods``, ``objects``, ``docker_calls``...)."""


class Batch:
    """What one call is about: the pods asked for (validated and defaulted; then admitted on this
    node), the keys of the pods to report, and the call's ConfigMaps, Secrets and claims; with ``prune``,
    its ApplySet (every manifest labelled as a member), the set's parent and members on the node."""

    def __init__(self, params):
        self.params = params
        self.deleting = params['state'] == 'absent'
        self.requirements = selectors.parse(params['label_selectors'])
        self.pods, self.others, self.keys, self.stored, notes = [], [], [], {}, []
        self.applyset = sets.ApplySet(params['applyset'], params['namespace']) if params['prune'] else None
        self.parent, self.members, self.locked = None, {}, set()
        if params['definition'] is not None:
            documents = configs.join_secret_values(collect_documents(params['definition']), params['secret_data'])
            pods, self.others = load_manifests(documents, params['namespace'], deleting=self.deleting, warnings=notes)
            self.pods = [pod for pod in pods if selectors.matches(self.requirements, pod['metadata'].get('labels'))]
            self.keys = [(pod['metadata']['namespace'], pod['metadata']['name']) for pod in self.pods]
        kept = set(self.keys)
        self.notes = [(key, message) for key, message in notes if key in kept]
        if self.applyset:
            self.applyset.label(self.pods + self.others)
        self.manifests = self.pods + self.others  # all of them, wherever the pods are placed
        self.gate = placement.NodeGate(None, params['placement'])

    def warnings(self, node):
        """What the call warns about, once a message, naming its pods (see ``_spec.notices``)."""
        return notices.grouped(self.notes + [
            ((pod['metadata']['namespace'], pod['metadata']['name']), message)
            for pod in self.pods for message in security.node_notices(pod, node.security)])

    def objects_by_key(self):
        """``{(kind, namespace, name): object}`` of the call's ConfigMaps, Secrets and claims."""
        return {(o['kind'], o['metadata']['namespace'], o['metadata']['name']): o for o in self.others}

    @property
    def by_selector(self):
        return self.params['definition'] is None

    def lock_keys(self, records):
        """The pods to lock: the call's, and those on the node that mount one of its ConfigMaps or
        Secrets (their files may be refreshed); ``records`` are needed only for a selector or objects.
        A selector with ``namespace`` None (no module gives it; ``hostpods delete -A``) takes every namespace."""
        if self.by_selector:
            chosen = selectors.select(records, self.requirements, namespace=self.params['namespace'])
            self.keys = [(record.namespace, record.name) for record in chosen]
        objects_ = {(o['kind'], o['metadata']['namespace'], o['metadata']['name']) for o in self.others}
        mounting = [key for key, record in (records or {}).items() if record.applied and any(
            (kind, key[0], name) in objects_ for volume in record.applied['spec'].get('volumes') or []
            for kind, name in configs.references(volume))]
        pruning = [key for key, record in (records or {}).items() if self.applyset and record.applied and
                   key not in self.keys and sets.is_member(record.applied['metadata'], self.applyset.id)]
        self.locked = set(self.keys + mounting + pruning)
        return self.keys + mounting + pruning

    def admit(self, records, node):
        """Read the call's objects as the node keeps them and keep the pods this node takes (the others
        are reported, never planned; see ``placement.NodeGate``)."""
        if not self.deleting:
            self.gate = placement.NodeGate(node.scheduling, self.params['placement'],
                                           lambda pod: security.admission_error(pod, node.security))
            self.pods = self.gate.admit(self.pods, records)
            self.keys = self.gate.kept(self.keys)
        self.stored = {key: observe.read_object(*key) for key in
                       [(o['kind'], o['metadata']['namespace'], o['metadata']['name']) for o in self.others]}
        if self.applyset:
            self.parent = observe.read_object(*self.applyset.key)
            self.members = observe.read_objects_in(*self.applyset.scope(self.parent))

    def plan_prune(self, records):
        """The prune of the call's ApplySet (None without one): only pods whose locks the call holds."""
        if not self.applyset:
            return None
        return prune.plan_prune(self.applyset, self.parent, self.manifests,
                                {key: record for key, record in records.items() if key in self.locked}, self.members,
                                self.params['prune_claims'], self.params['grace_period'])


def plan_call(client, params, node, records, batch):
    """The whole plan of a call (see ``planner.Plan``)."""
    object_plans = planner.plan_objects(batch.others, batch.stored, batch.deleting)
    if batch.deleting:
        return planner.Plan([planner.plan_delete(key, records.get(key), params['grace_period']) for key in batch.keys],
                            object_plans, True)
    claims = {key: observe.read_object('PersistentVolumeClaim', *key) for key in planner.ephemeral_claims(batch.pods)}
    claims.update((key[1:], obj) for key, obj in batch.objects_by_key().items() if key[0] == 'PersistentVolumeClaim')
    facts = HostFacts(client.image_references(), host.host_path_kinds(planner.host_paths(batch.pods)),
                      pod_cgroups=node.pod_cgroups, claims={key: obj for key, obj in claims.items() if obj},
                      image_mounts_on_node=node.image_mounts_on_node)
    changed = planner.changed_objects(object_plans)

    def plan_pods():
        return planner.plan_batch(batch.pods, records, facts, node.sandbox_image, params['force'], changed,
                                  restarts=planner.AGENT if node.agent else planner.NOW)
    plans = plan_pods()
    unknown = [instance for plan in plans for instance in planner.needs_restart_counts(plan)]
    if unknown:  # new instances are numbered after the engine's restarts in place: read them, plan again
        observe.read_restart_counts(client, unknown)
        plans = plan_pods()
    plans += planner.plan_refreshes(records, changed, skip={plan.key for plan in plans},
                                    image_mounts=node.image_mounts_on_node)
    return planner.Plan(plans, object_plans, prune=batch.plan_prune(records))


def _diff(plan, stored):
    """Before (as last applied on the host) and after (as asked) of each changed pod and object (pruned ones
    and the ApplySet's parent included)."""
    out = []
    for pod_plan in plan.pods + (plan.prune.pods if plan.prune else []):
        if not pod_plan.changed:
            continue
        name = '%s/%s' % pod_plan.key
        before = pod_plan.record.applied if pod_plan.record else None
        after = None
        if pod_plan.pod is not None and pod_plan.action not in (planner.DELETED, prune.PRUNED):
            after = runtimeclass.carry({'metadata': naming.kept_metadata(pod_plan.pod['metadata']),
                                        'spec': pod_plan.pod['spec']}, pod_plan.pod)
        out.append({'before_header': 'pod %s (on the host)' % name, 'after_header': 'pod %s (%s)' % (name, pod_plan.action),
                    'before': before or {}, 'after': after or {}})
    objects_ = plan.objects + (plan.prune.objects if plan.prune else [])
    stored = dict(stored)
    if plan.prune and plan.prune.parent_action != planner.UNCHANGED:
        stored[plan.prune.applyset.key] = plan.prune.stored
        objects_.append(planner.ObjectPlan(plan.prune.parent, plan.prune.parent_action, []))
    for obj in objects_:
        if obj.changed:
            out.append({'before_header': '%s %s/%s (on the host)' % (obj.kind, obj.key[1], obj.key[2]),
                        'after_header': '%s %s/%s (%s)' % (obj.kind, obj.key[1], obj.key[2], obj.action),
                        'before': configs.redacted(stored.get(obj.key, obj.obj if obj.action == prune.PRUNED else None))
                        or {}, 'after': {} if plan.deleting or obj.action == prune.PRUNED else configs.redacted(obj.obj)})
    return out


def _pod_result(pod_plan, live, check_mode, errors, node):
    """One entry of the ``pods`` return value."""
    if pod_plan.action in (planner.DELETED, planner.ABSENT, prune.PRUNED):
        meta = {'name': pod_plan.key[1], 'namespace': pod_plan.key[0]}
        if pod_plan.uid:
            meta['uid'] = pod_plan.uid
        obj = {'apiVersion': 'v1', 'kind': 'Pod', 'metadata': meta}
    else:
        obj = live.get(pod_plan.key)
        if obj is None or (check_mode and pod_plan.action == planner.RECREATED):
            obj = planned_object(pod_plan.pod, pod_plan.uid, node.name)  # not on the host (yet)
    obj = dict(obj, action=pod_plan.action)
    if check_mode and pod_plan.steps:
        obj['planned_steps'] = [step.describe() for step in pod_plan.steps]
    if pod_plan.key in errors:
        obj['error'] = errors[pod_plan.key]
    return obj


def _objects_result(plan, errors):
    """The ``objects`` of the result: the ApplySet's parent first (with a prune), the call's, the pruned ones."""
    plans = [(p.obj, p.action, p.key) for p in plan.objects + (plan.prune.objects if plan.prune else [])]
    if plan.prune:
        plans.insert(0, (plan.prune.parent, plan.prune.parent_action, plan.prune.applyset.key))
    return [dict(configs.redacted(obj), action=action, **({'error': errors[key]} if key in errors else {}))
            for obj, action, key in plans]


def _live(client, keys, node, records=None):
    """``{key: Pod object}`` of the pods of ``keys`` as they are on the host now."""
    records = records if records is not None else observe.read_records(client)
    return {(obj['metadata']['namespace'], obj['metadata']['name']): obj
            for obj in describe_records(client, [records.get(key) for key in keys], node)}


def _refuse_what_the_node_cannot_do(pods, node):
    """What this node would ignore or cannot do is refused by path: what the node's engine cannot do
    (``capabilities.refusals``), probes and restart rules without the node agent (they are its), SELinux settings
    on a node with SELinux (hostpods does not label volumes)."""
    errors = ['%s/%s: %s' % (pod['metadata']['namespace'], pod['metadata']['name'], problem)
              for pod in pods for problem in capabilities.refusals(pod, node)]
    if not node.agent:
        errors += ['%s/%s: %s: needs the node agent hostpods-agent, which is not running on node %s (no fresh '
                   'heartbeat in %s); install and start it with the hostpods.core.node role (scripts/setup.sh on the '
                   'machine it sets up)' % (pod['metadata']['namespace'], pod['metadata']['name'], path, node.name,
                                            nodestate.HEARTBEAT)
                   for pod in pods for path in containers.agent_paths(pod)]
    errors += ['%s/%s: %s' % (pod['metadata']['namespace'], pod['metadata']['name'], problem)
               for pod in pods for problem in security.node_problems(pod, node.security)]
    if errors:
        raise ManifestError('Cannot apply: ' + '; '.join(errors), errors=errors)


def _locked(keys, check_mode, timeout):
    """The pods' locks (one writer per pod on the node, shared with the node agent); none in check mode."""
    return contextlib.nullcontext() if check_mode else PodLocks(keys, timeout)


def _fail(msg, result, client):
    result['docker_calls'] = dict(client.calls)
    raise ApplyError(msg, **result)


def apply_pods(client, params, check_mode=False, diff=False, node=None, clock=time.monotonic):
    """Plan every pod of the call, carry the plan out (not in check mode), report, and wait.

    ``params`` are the module's options (``_options.POD``; missing ones take their defaults);
    ``node`` is this node (read from the host when not given). Every failure is one ``ApplyError``
    whose ``details`` hold the result so far (nothing at all changed when it came before execution)."""
    try:
        return _apply(client, params, check_mode, diff, node, clock)
    except ApplyError:
        raise
    except HostpodsError as exc:
        raise ApplyError(exc.msg, **dict(exc.details, changed=False))


def _apply(client, params, check_mode, diff, node, clock):
    started = clock()
    params = options.defaults(options.POD, params)
    if params['definition'] is None and not (params['state'] == 'absent' and params['label_selectors'] is not None):
        raise ManifestError(options.NO_DEFINITION)

    def remaining():
        return max(0, params['wait_timeout'] - (clock() - started))

    deleting = params['state'] == 'absent'
    problems = sets.option_errors(params)
    if problems:
        raise ManifestError('; '.join(problems), errors=problems)
    verb = 'delete' if deleting else 'apply'
    host.refuse_elsewhere(client, verb + ' pods', host.FILES_ELSEWHERE % verb)
    node = node or host.read_node(client, params['node_name'], params['sandbox_image'], strict=not deleting,
                                  with_engine=not deleting)
    batch = Batch(params)
    if not deleting:  # a delete names pods only (their identity): nothing of them to refuse
        _refuse_what_the_node_cannot_do(batch.pods, node)
    warnings = batch.warnings(node)
    before = observe.read_records(client) if batch.by_selector or batch.others or batch.applyset else None
    with _locked(batch.lock_keys(before), check_mode, params['wait_timeout']):
        records = observe.read_records(client)  # under the locks: no other run changes these pods now
        batch.admit(records, node)
        plan = plan_call(client, params, node, records, batch)
        errors = {}
        if not check_mode and plan.has_steps:
            # imported only when there is something to do: a module compiles what it imports at every run
            from ansible_collections.hostpods.core.plugins.module_utils._runtime.executor import Executor
            lookup = observe.object_lookup({} if deleting else {p.key: p.obj for p in plan.objects})
            errors = Executor(client, node, max(1, remaining()), lookup=lookup).run(plan)
    keys = batch.keys + [p.key for p in plan.pods if p.key not in batch.keys]
    live = {} if deleting else _live(client, keys, node, None if plan.changed and not check_mode else records)
    pruned = plan.prune.pods if plan.prune else []
    result = {'changed': plan.changed,
              **({'warnings': warnings} if warnings else {}),
              'pods': batch.gate.report([_pod_result(p, live, check_mode, errors, node) for p in plan.pods + pruned]),
              'objects': _objects_result(plan, errors)}
    if diff:
        result['diff'] = _diff(plan, batch.stored)
    warning = resource_names.hugepages_warning(batch.pods)
    if warning:  # beside the batch's warnings (_spec.notices), never instead of them
        result['warnings'] = result.get('warnings', []) + [warning]
    if errors:
        _fail('; '.join(list(errors.values()) + ([batch.gate.message()] if batch.gate.failing else [])), result, client)
    if params['wait'] and not check_mode and not deleting:
        _wait(client, batch.keys, node, plan, batch, result, remaining(), params['wait_timeout'])
    if batch.gate.failing:
        _fail(batch.gate.message(), result, client)
    result['docker_calls'] = dict(client.calls)
    return result


def _wait(client, keys, node, plan, batch, result, timeout, wait_timeout):
    """Wait until every pod is ready (or finished); the result then shows them as they are. A pod gated on a
    condition no one on the node sets never is: the call fails at once, naming the gates."""
    never = readiness.wait_refusal([pod for pod in batch.pods
                                    if (pod['metadata']['namespace'], pod['metadata']['name']) in keys])
    if never:
        _fail(never, result, client)
    waited, done = wait_for(lambda: list(_live(client, keys, node).values()), timeout)
    actions = {pod_plan.key: pod_plan.action for pod_plan in plan.pods}
    pruned = [obj for obj in result['pods'] if obj['action'] == prune.PRUNED]
    result['pods'] = batch.gate.report([dict(obj, action=actions[(obj['metadata']['namespace'], obj['metadata']['name'])])
                                        for obj in waited] + pruned)
    if not done:
        by_phase = {}
        for obj in waited:
            if not pod_done(obj):
                by_phase.setdefault(obj['status']['phase'], []).append((obj['metadata']['namespace'], obj['metadata']['name']))
        pending = ['%s (%s)' % (naming.compact_names(keys), phase) for phase, keys in by_phase.items()]
        _fail('Timed out after %ds waiting for pods to be ready: %s' % (wait_timeout, ', '.join(pending)), result, client)
