# -*- coding: utf-8 -*-
# Copyright (c) hostpods contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""PRIVATE: where pods may run, between the pure scheduler (``_scheduler``) and the callers.

- ``node_from_facts``: this node as the scheduler sees it, from the node facts the node role writes
  (read by ``_runtime.host``) or, without them, from the host (its name, cpu and memory; no taints).
- ``admit``: the check ``hostpods.core.pod`` makes on ONE node before touching anything: the pods
  that may run here, and a decision (Pending/Unschedulable, or Failed when a kubelet would reject
  a pod bound to this node) for the others (pure).
- ``place``: the decision ``hostpods.core.pod_schedule`` takes on the controller for MANY nodes:
  one node a pod, stickiness included, and what each node must apply and delete (pure).
"""

from __future__ import annotations

from ansible_collections.hostpods.core.plugins.module_utils._errors import HostpodsError
from ansible_collections.hostpods.core.plugins.module_utils._plan import scheduler
from ansible_collections.hostpods.core.plugins.module_utils._plan.planner import is_finished
from ansible_collections.hostpods.core.plugins.module_utils._spec import naming
from ansible_collections.hostpods.core.plugins.module_utils._spec import podspec

HOSTNAME_LABEL = 'kubernetes.io/hostname'
UNSCHEDULABLE, REJECTED, PENDING = 'unschedulable', 'rejected', 'pending'  # the ``action`` of a pod not placed


def node_from_facts(facts, hostname, allocatable, node_name=None):
    """This node as ``_scheduler`` reads nodes (plus ``podCIDR``).

    The name is ``node_name``, else the facts' ``name``, else the host name; ``address`` is the node's
    address (its InternalIP: a pod's ``status.hostIP``) when the facts give one. Labels and taints
    come from the facts (none without them) and the node always carries ``kubernetes.io/hostname``,
    as a kubelet labels its node. Allocatable resources the facts do not give are the host's
    (``allocatable``: ``{'cpu': millicores, 'memory': bytes}``).
    """
    facts = facts or {}
    name = node_name or facts.get('name') or hostname
    labels = dict(facts.get('labels') or {})
    labels.setdefault(HOSTNAME_LABEL, name)
    given = dict(facts.get('allocatable') or {})
    for resource, amount in (allocatable or {}).items():
        if amount and given.get(resource) in (None, ''):
            given[resource] = amount
    node = {'name': name, 'labels': labels, 'taints': list(facts.get('taints') or []), 'allocatable': given,
            'unschedulable': bool(facts.get('unschedulable'))}
    for optional in ('podCIDR', 'address'):
        if facts.get(optional):
            node[optional] = facts[optional]
    try:
        scheduler.NodeInfo(node)
    except (ValueError, KeyError, TypeError, AttributeError) as exc:
        raise HostpodsError('node %s: invalid node facts: %s' % (name, exc))
    return node


# ----------------------------------------------------------------------------- one node (hostpods.core.pod)

def _key(pod):
    return pod['metadata']['namespace'], pod['metadata']['name']


def admit(pods, node, records, bound=()):
    """The pods that may run on ``node``, and ``{key: decision}`` for the others.

    ``records`` are the pods on the node now: each holds what it requests (a finished one does
    not), and a pod of the batch already here stays while the node still admits it (stickiness),
    so re-applying never fails for want of room. The decisions are ``_scheduler``'s; the pods of
    ``bound`` (keys a scheduler placed here) get the kubelet's admission only, as a bound pod does.
    """
    batch = {_key(pod) for pod in pods}
    placed = {key: {'node': node['name'], 'pod': record.applied} for key, record in records.items()
              if record.applied and (key in batch or not is_finished(record.applied, record))}
    try:
        outcomes = scheduler.schedule(pods, [node], placed, {key: node['name'] for key in bound})
    except ValueError as exc:
        raise HostpodsError('cannot schedule on node %s: %s' % (node['name'], exc))
    admitted = [pod for pod in pods if outcomes[_key(pod)]['node'] == node['name']]
    refused = {key: outcome for key, outcome in outcomes.items() if outcome['node'] != node['name']}
    return admitted, refused


def not_placed_object(pod, outcome):
    """The Pod object of a pod no node runs: Pending with ``PodScheduled=False`` (reason Unschedulable
    and kube-scheduler's message, or SchedulingGated), Pending without a condition (another scheduler's
    pod), or Failed with the kubelet's reason and ``Pod was rejected: ...``."""
    meta = naming.kept_metadata(pod['metadata'])
    status = {'phase': outcome['phase'], 'conditions': [], 'qosClass': podspec.qos_class(pod['spec'])}
    condition = scheduler.pod_scheduled_condition(outcome)
    if condition:
        status['conditions'].append(condition)
    if outcome['phase'] == 'Failed':
        status.update(reason=outcome['reason'], message=outcome['message'])
    action = REJECTED if outcome['phase'] == 'Failed' else PENDING if outcome.get('waiting') else UNSCHEDULABLE
    return {'apiVersion': 'v1', 'kind': 'Pod', 'metadata': meta, 'spec': pod['spec'], 'status': status, 'action': action}


def refusal_lines(outcomes):
    """One line a reason for the pods not placed: the pods it holds back, named compactly (``naming.compact_names``),
    then the scheduler's or the kubelet's message, once: ``default/web-000..web-089: 0/1 nodes are available:
    1 Too many pods. ...``; reasons in the order of their first pod. The pods that wait by design, for their gates
    or their scheduler, are no refusal and are left out."""
    groups = {}
    for key, outcome in outcomes:
        if not outcome.get('waiting'):
            groups.setdefault(outcome['message'], []).append(key)
    return ['%s: %s' % (naming.compact_names(keys), message) for message, keys in groups.items()]


def refusal_message(outcomes):
    """The pods not placed and why, in one line (``refusal_lines`` joined; the pods that wait by design, for their
    gates or their scheduler, are no refusal)."""
    return '; '.join(refusal_lines(outcomes))


def downward_allocatable(node):
    """A node's allocatable cpu (millicores) and memory (bytes): what an unset limit means to the downward API."""
    allocatable = scheduler.NodeInfo(node).allocatable
    return {name: allocatable[name] for name in ('cpu', 'memory') if name in allocatable}


class NodeGate:
    """The scheduling check of one ``hostpods.core.pod`` call on its node.

    ``admit`` keeps the pods that may run here (the others are not planned, so nothing on the host
    changes for them); ``report`` puts the refused pods back in the returned ``pods``, in the order
    given.
    """

    def __init__(self, node, placement=None, admission=None):
        self.node = node
        self.placement = placement or {}
        self.admission = admission  # the kubelet's other admit handlers: pod -> (reason, message) or None
        self.order = []
        self.refused = {}
        self.wanted = {}
        self.elsewhere = set()

    def admit(self, pods, records):
        """The pods to plan here. With a ``placement`` (``{"namespace/name": node or None}``, as
        ``hostpods.core.pod_schedule`` returns it), a pod it places on another node or on none is
        left out: another node runs it, or the play reports it; a pod it places here is bound here,
        so this node only admits it as a kubelet does (its pod affinity and spread were weighed
        against every node's pods, which this node does not see)."""
        mine, bound = [], []
        for pod in pods:
            name = '%s/%s' % _key(pod)
            where = self.placement.get(name, self.node['name'])
            if where != self.node['name']:
                self.elsewhere.add(_key(pod))
            else:
                mine.append(pod)
                if name in self.placement:
                    bound.append(_key(pod))
        self.order = [_key(pod) for pod in mine]
        self.wanted = {_key(pod): pod for pod in mine}
        admitted, self.refused = admit(mine, self.node, records, bound)
        for pod in list(admitted) if self.admission else []:
            rejection = self.admission(pod)
            if rejection:
                admitted.remove(pod)
                self.refused[_key(pod)] = scheduler.decision(
                    phase='Failed', reason=rejection[0], message='Pod was rejected: %s' % rejection[1])
        return admitted

    def kept(self, keys):
        """``keys`` without the pods this call does not plan."""
        return [key for key in keys if key not in self.refused and key not in self.elsewhere]

    def report(self, entries):
        by_key = {(entry['metadata']['namespace'], entry['metadata']['name']): entry for entry in entries}
        for key, outcome in self.refused.items():
            by_key[key] = not_placed_object(self.wanted[key], outcome)
        ordered = [by_key.pop(key) for key in self.order if key in by_key]
        return ordered + list(by_key.values())

    @property
    def failing(self):
        """The refused pods that fail the call: all but those waiting by design (gates, another scheduler)."""
        return [key for key in self.order if key in self.refused and not self.refused[key].get('waiting')]

    def message(self):
        """Why the call fails: the pods this node does not take, each with the scheduler's message."""
        if not self.failing:
            return ''
        return '%d pod(s) cannot run on node %s: %s' % (
            len(self.failing), self.node['name'], refusal_message((key, self.refused[key]) for key in self.failing))


# ----------------------------------------------------------------------------- many nodes (hostpods.core.pod_schedule)

def _holds_resources(obj):
    return not podspec.is_terminal_phase((obj.get('status') or {}).get('phase'))


def place(pods, views):
    """Place each pod on one node of ``views``: ``[{'host': inventory name, 'node': node, 'pods': [Pod objects]}]``.

    A pod already running on some nodes keeps the first of them (in ``views`` order) that still
    admits it and is deleted from the others; a pod that must move is deleted from its old node;
    a pod no node takes is left where it runs (if it does) and reported. Returns ``(decisions,
    hosts)``: ``{key: decision}`` with ``host`` added, and ``{host: {'node_name', 'apply': [keys],
    'delete': [keys]}}``.
    """
    nodes, host_of, holders, placed = [], {}, {}, {}
    for view in views:
        node = view['node']
        if node['name'] in host_of:
            raise HostpodsError('hosts %s and %s are both node "%s": give each node its own name'
                                % (host_of[node['name']], view['host'], node['name']))
        host_of[node['name']] = view['host']
        nodes.append(node)
        for obj in view.get('pods') or []:
            holders.setdefault(_key(obj), []).append((node['name'], obj))
    infos = {_key(pod): scheduler.PodInfo(pod) for pod in pods}
    tables = {node['name']: scheduler.NodeInfo(node) for node in nodes}
    for key, copies in holders.items():
        if key in infos:  # the copy that stays: the first whose node still admits the new spec
            keep = next((copy for copy in copies if scheduler.still_admits(infos[key], tables[copy[0]])), copies[0])
            placed[key] = {'node': keep[0], 'pod': keep[1]}
            continue
        for node_name, obj in copies:  # every other pod takes room on its node, under a key of its own
            if _holds_resources(obj):
                placed[key + (node_name,)] = {'node': node_name, 'pod': obj}
    decisions = scheduler.schedule(pods, nodes, placed)
    hosts = {view['host']: {'node_name': view['node']['name'], 'apply': [], 'delete': []} for view in views}
    for pod in pods:
        key = _key(pod)
        outcome = decisions[key]
        outcome['host'] = host_of.get(outcome['node'])
        if outcome['node']:
            hosts[outcome['host']]['apply'].append(key)
        stays = outcome['node'] or (placed.get(key) or {}).get('node')
        for node_name, dummy in holders.get(key, []):
            if node_name != stays:
                hosts[host_of[node_name]]['delete'].append(key)
    return decisions, hosts
