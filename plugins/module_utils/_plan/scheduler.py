# -*- coding: utf-8 -*-
# Copyright (c) hostpods contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""PRIVATE: which node each pod goes to, decided as kube-scheduler's default plugins decide. Pure.

No Docker, no host access: ``schedule(pods, nodes, placed)`` takes plain data and returns one
decision a pod. The rules, in the order they apply to a pod:

1. Sticky: a pod already placed on a node that still exists stays there (re-applying never
   reshuffles) while that node would still admit it: same ``spec.nodeName`` (or none), required
   node affinity/``nodeSelector`` still matching, no untolerated ``NoExecute`` taint. Otherwise it
   is placed again and ``previous`` names the node it must leave.
2. ``spec.nodeName`` naming a node skips the scheduler, as on Kubernetes: that node's kubelet
   admits the pod or rejects it (``phase: Failed``, reason ``OutOfcpu``/``NodeAffinity``/...,
   message ``Pod was rejected: ...``). Cordons and ``NoSchedule`` taints do not apply to it.
3. Every other pod (and one whose ``nodeName`` is no node) runs the Filter plugins in
   kube-scheduler order, each node stopping at its first failure: NodeUnschedulable, NodeName,
   TaintToleration (NoSchedule, NoExecute), NodeAffinity (PreFilter on ``matchFields`` included),
   NodePorts, NodeResourcesFit (cpu, memory, pods, hugepages and extended resources),
   PodTopologySpread and InterPodAffinity (``_plan.spread``, ``_plan.podaffinity``). The fitting nodes
   are scored as the default profile does (TaintToleration x3, NodeAffinity x2, PodTopologySpread x2,
   InterPodAffinity x2, NodeResourcesFit LeastAllocated x1, NodeResourcesBalancedAllocation x1, each
   normalised to 0..100); the highest total wins, ties go
   to the first node name (kube-scheduler picks at random). No node fits: ``phase: Pending``,
   ``reason: Unschedulable`` and kube-scheduler's exact message, preemption part included.

Pods are taken by priority (``spec.priority``, highest first; ``_spec.priority`` resolves it), then in
the given order; each placement counts against its node for the pods after it. Gated pods
(``schedulingGates``) and pods for another ``schedulerName`` wait (Pending), as kube-scheduler leaves
them. Not modelled: image locality, volume plugins, percentageOfNodesToScore, and preemption itself:
hostpods never evicts a pod; where evicting lower-priority pods would make room, the message says so.
"""

from __future__ import annotations

from ansible_collections.hostpods.core.plugins.module_utils._plan.nodeaffinity import (
    prefilter_node_names, required_affinity_matches, term_matches, tolerates, untolerated_taint)
from ansible_collections.hostpods.core.plugins.module_utils._plan import podaffinity
from ansible_collections.hostpods.core.plugins.module_utils._plan import spread
from ansible_collections.hostpods.core.plugins.module_utils._spec import podspec
from ansible_collections.hostpods.core.plugins.module_utils._spec import priority
from ansible_collections.hostpods.core.plugins.module_utils._spec import quantity
from ansible_collections.hostpods.core.plugins.module_utils._spec import resources

MAX_NODE_SCORE = 100
DEFAULT_MILLI_CPU_REQUEST = 100  # schedutil.DefaultMilliCPURequest: what a container without a cpu request counts for scoring
DEFAULT_MEMORY_REQUEST = 200 * 1024 * 1024  # schedutil.DefaultMemoryRequest
DEFAULT_MAX_PODS = 110  # the kubelet's default --max-pods, used when a node does not say
UNLIMITED_WHEN_MISSING = ('cpu', 'memory', 'ephemeral-storage')  # a node that does not report these is not limited by them
SCORED_RESOURCES = ('cpu', 'memory')
WEIGHT_TAINT, WEIGHT_AFFINITY, WEIGHT_FIT, WEIGHT_BALANCED = 3, 2, 1, 1
WEIGHT_SPREAD, WEIGHT_INTERPOD = 2, 2
DEFAULT_SCHEDULER = 'default-scheduler'

UNSCHEDULABLE = 'Unschedulable'  # status codes: preemption could help / could not
UNRESOLVABLE = 'UnschedulableAndUnresolvable'

REASON_NODE_UNSCHEDULABLE = 'node(s) were unschedulable'
REASON_NODE_NAME = "node(s) didn't match the requested node name"
REASON_TAINT = 'node(s) had untolerated taint {%s: %s}'
REASON_AFFINITY = "node(s) didn't match Pod's node affinity/selector"
REASON_AFFINITY_CONFLICT = 'pod affinity terms conflict'
REASON_PREFILTERED = "node(s) didn't satisfy plugin(s) [NodeAffinity]"
REASON_PORTS = "node(s) didn't have free ports for the requested pod ports"
REASON_TOO_MANY_PODS = 'Too many pods'
REASON_INSUFFICIENT = 'Insufficient %s'
REASON_KUBELET_TAINTS = "node(s) had taints that the pod didn't tolerate"
PREEMPTION_NOT_HELPFUL = 'Preemption is not helpful for scheduling'
PREEMPTION_NO_VICTIMS = 'No preemption victims found for incoming pod'
PREEMPTION_NEVER = 'not eligible due to preemptionPolicy=Never.'
PREEMPTION_NOT_DONE = 'node(s) would fit with lower-priority pods evicted (hostpods does not preempt pods)'
REASON_GATED = 'SchedulingGated'
GATED_MESSAGE = 'Scheduling is blocked due to non-empty scheduling gates'
NO_NODES = 'no nodes available to schedule pods'
RESOURCE_ORDER = {'pods': 0, 'cpu': 1, 'memory': 2, 'ephemeral-storage': 3}  # then the others by name
UNSCHEDULABLE_NODE_TAINT = {'key': 'node.kubernetes.io/unschedulable', 'effect': 'NoSchedule'}


# ----------------------------------------------------------------------------- pods

def container_requests(container):
    """A container's ``resources.requests``, each missing one defaulted to its limit (as the API server does)."""
    resources = container.get('resources') or {}
    requests = dict(resources.get('requests') or {})
    for name, amount in (resources.get('limits') or {}).items():
        requests.setdefault(name, amount)
    return requests


def _container_values(container, path, non_missing):
    out = {}
    for name, amount in container_requests(container).items():
        try:
            out[name] = quantity.resource_value(name, amount)
        except ValueError as exc:
            raise ValueError('%s.resources.requests[%s]: %s' % (path, name, exc))
    if non_missing:
        out.setdefault('cpu', DEFAULT_MILLI_CPU_REQUEST)
        out.setdefault('memory', DEFAULT_MEMORY_REQUEST)
    return out


def pod_requests(pod, non_missing=False):
    """``{resource: int}`` a pod requests (cpu in millicores, memory in bytes), as resourcehelper.PodRequests:
    the containers' requests by the sidecar formula (``resources.aggregate``), the pod-level requests instead
    where the pod sets them, and the pod's ``overhead``. ``non_missing`` counts a container without a cpu/memory request as 100m/200Mi,
    as the scheduler does for scoring.
    """
    spec = pod.get('spec') or {}
    total = resources.aggregate(spec, lambda container, path: _container_values(container, path, non_missing))
    total.update(resources.pod_level(spec, 'requests'))
    resources.add(total, resources.overhead(spec))
    return total


def host_ports(pod):
    """``[(host IP, protocol, host port)]`` of a pod's containers, as the NodePorts plugin sees them
    (no host IP is every address, 0.0.0.0)."""
    return [(ip or '0.0.0.0', protocol, port) for ip, protocol, port, _target in podspec.host_ports(pod.get('spec') or {})]


class Usage:
    """What one pod takes on its node (requests, non-zero requests for scoring, host ports) and what other
    pods' constraints see of it (namespace, labels, pod (anti-)affinity terms, priority)."""

    def __init__(self, key, requests=None, nonzero=None, ports=None):
        self.key = key
        self.requests = requests or {}
        self.nonzero = nonzero or {'cpu': DEFAULT_MILLI_CPU_REQUEST, 'memory': DEFAULT_MEMORY_REQUEST}
        self.ports = ports or []
        self.namespace = key[0]
        self.labels = {}
        self.terms = podaffinity.NO_TERMS
        self.priority = priority.DEFAULT_PRIORITY


class PodInfo(Usage):
    """A pod as the scheduler reads it."""

    def __init__(self, pod):
        meta = pod.get('metadata') or {}
        spec = pod.get('spec') or {}
        key = (meta.get('namespace') or 'default', meta.get('name'))
        try:
            Usage.__init__(self, key, pod_requests(pod), pod_requests(pod, non_missing=True), host_ports(pod))
        except ValueError as exc:
            raise ValueError('pod "%s/%s": %s' % (key[0], key[1], exc))
        node_affinity = (spec.get('affinity') or {}).get('nodeAffinity') or {}
        self.node_name = spec.get('nodeName') or ''
        self.node_selector = spec.get('nodeSelector') or {}
        self.required = node_affinity.get('requiredDuringSchedulingIgnoredDuringExecution')
        self.preferred = node_affinity.get('preferredDuringSchedulingIgnoredDuringExecution') or []
        self.tolerations = spec.get('tolerations') or []
        self.preemption_policy = spec.get('preemptionPolicy') or 'PreemptLowerPriority'
        self.labels = meta.get('labels') or {}
        self.terms = podaffinity.PodTerms(spec, self.namespace, self.labels)
        self.spread = spread.constraints_of(spec, self.labels)
        self.priority = priority.pod_priority(spec)
        self.gated = bool(spec.get('schedulingGates'))
        self.scheduler_name = spec.get('schedulerName') or DEFAULT_SCHEDULER


def _placed_node(entry):
    """The node name of one ``placed`` entry (None when there is none)."""
    return entry if isinstance(entry, str) or entry is None else entry.get('node')


def _usage_of(key, entry):
    """The node and usage of one ``placed`` entry: a node name, or ``{'node', 'pod'}``, or ``{'node', 'requests'}``."""
    if isinstance(entry, str) or entry is None:
        return entry, Usage(key)
    if entry.get('pod') is not None:
        info = PodInfo(entry['pod'])
        info.key = key
        return entry.get('node'), info
    requests = {name: amount if isinstance(amount, int) else quantity.resource_value(name, amount)
                for name, amount in (entry.get('requests') or {}).items()}
    nonzero = {name: requests.get(name, default) for name, default in (('cpu', DEFAULT_MILLI_CPU_REQUEST), ('memory', DEFAULT_MEMORY_REQUEST))}
    return entry.get('node'), Usage(key, requests, nonzero)


# ----------------------------------------------------------------------------- nodes

class NodeInfo:
    """A node and what the pods placed on it so far take."""

    def __init__(self, node):
        self.node = node
        self.name = node['name']
        self.labels = node.get('labels') or {}
        self.taints = node.get('taints') or []
        self.unschedulable = bool(node.get('unschedulable'))
        self.allocatable = {}
        for name, amount in (node.get('allocatable') or {}).items():
            plain = isinstance(amount, int) and not isinstance(amount, bool)
            self.allocatable[name] = amount if plain else quantity.resource_value(name, amount)
        self.allocatable.setdefault('pods', DEFAULT_MAX_PODS)
        self.requested = {}
        self.nonzero = {'cpu': 0, 'memory': 0}
        self.pods = []
        self.ports = []

    def capacity(self, name):
        """What the node can give of a resource; None when it is not limited."""
        if name in self.allocatable:
            return self.allocatable[name]
        return None if name in UNLIMITED_WHEN_MISSING else 0

    def add(self, usage):
        self.pods.append(usage)
        resources.add(self.requested, usage.requests)
        resources.add(self.nonzero, {name: usage.nonzero.get(name, 0) for name in SCORED_RESOURCES})
        self.ports.extend(usage.ports)

    def keeping(self, keep):
        """A copy of this node holding only the pods ``keep(pod)`` keeps."""
        copy = NodeInfo(self.node)
        for usage in self.pods:
            if keep(usage):
                copy.add(usage)
        return copy


# ----------------------------------------------------------------------------- filters

def _ports_conflict(wanted, used):
    """``HostPortInfo.CheckConflict``: same protocol and port, and the same host IP or either one 0.0.0.0."""
    for ip, protocol, port in wanted:
        for other_ip, other_protocol, other_port in used:
            if (protocol, port) == (other_protocol, other_port) and (ip == other_ip or '0.0.0.0' in (ip, other_ip)):
                return True
    return False


def _resource_order(name):
    return RESOURCE_ORDER.get(name, len(RESOURCE_ORDER)), name


def insufficient_resources(info, node, skip_unknown_extended=False):
    """``noderesources.fitsRequest``: ``[(resource, reason, requested, used, capacity)]`` that do not fit."""
    out = []
    allowed = node.capacity('pods')
    if len(node.pods) + 1 > allowed:
        out.append(('pods', REASON_TOO_MANY_PODS, 1, len(node.pods), allowed))
    for name in sorted(info.requests, key=_resource_order):
        amount = info.requests[name]
        capacity = node.capacity(name)
        if amount <= 0 or capacity is None or (skip_unknown_extended and '/' in name and name not in node.allocatable):
            continue
        used = node.requested.get(name, 0)
        if amount > capacity - used:
            out.append((name, REASON_INSUFFICIENT % name, amount, used, capacity))
    return out


def tolerates_node(info, node):
    """No ``NoSchedule`` or ``NoExecute`` taint of the node is left untolerated by the pod."""
    return untolerated_taint(info.tolerations, node.taints, ('NoSchedule', 'NoExecute')) is None


class Cycle:
    """One pod's PreFilter over every node, for the plugins that look at the other pods: PodTopologySpread
    and InterPodAffinity (``_plan.spread``, ``_plan.podaffinity``)."""

    def __init__(self, info, table):
        self.nodes = list(table.values())
        self.spread = spread.State(info, self.nodes, required_affinity_matches, tolerates_node)
        self.affinity = podaffinity.State(info, self.nodes)


def run_filters(info, node, cycle=None):
    """The Filter plugins in kube-scheduler order: None when the node fits, else ``(code, [reasons])``."""
    if node.unschedulable and not any(tolerates(item, UNSCHEDULABLE_NODE_TAINT) for item in info.tolerations):
        return UNRESOLVABLE, [REASON_NODE_UNSCHEDULABLE]
    if info.node_name and info.node_name != node.name:
        return UNRESOLVABLE, [REASON_NODE_NAME]
    taint = untolerated_taint(info.tolerations, node.taints, ('NoSchedule', 'NoExecute'))
    if taint is not None:
        return UNRESOLVABLE, [REASON_TAINT % (taint.get('key') or '', taint.get('value') or '')]
    if not required_affinity_matches(info, node):
        return UNRESOLVABLE, [REASON_AFFINITY]
    if _ports_conflict(info.ports, node.ports):
        return UNSCHEDULABLE, [REASON_PORTS]
    short = insufficient_resources(info, node)
    if short:
        return UNSCHEDULABLE, [item[1] for item in short]
    for state in (cycle.spread, cycle.affinity) if cycle else ():
        status = state.filter(node, UNRESOLVABLE, UNSCHEDULABLE)
        if status is not None:
            return status
    return None


def kubelet_admission(info, node):
    """A kubelet's admission of a pod bound to it (``generalFilter``): ``[(reason, message, short reason)]``, first one reported."""
    out = []
    for name, short, requested, used, capacity in insufficient_resources(info, node, skip_unknown_extended=True):
        out.append(('OutOf%s' % name, "Node didn't have enough resource: %s, requested: %d, used: %d, capacity: %d"
                    % (name, requested, used, capacity), short))
    if not required_affinity_matches(info, node):
        out.append(('NodeAffinity', 'Predicate NodeAffinity failed: %s' % REASON_AFFINITY, REASON_AFFINITY))
    if _ports_conflict(info.ports, node.ports):
        out.append(('NodePorts', 'Predicate NodePorts failed: %s' % REASON_PORTS, REASON_PORTS))
    if untolerated_taint(info.tolerations, node.taints, ('NoExecute',)) is not None:
        out.append(('TaintToleration', 'Predicate TaintToleration failed: %s' % REASON_KUBELET_TAINTS, REASON_KUBELET_TAINTS))
    return out


def still_admits(info, node):
    """Whether a pod already on ``node`` may stay there."""
    return (not info.node_name or info.node_name == node.name) and required_affinity_matches(info, node) \
        and untolerated_taint(info.tolerations, node.taints, ('NoExecute',)) is None


# ----------------------------------------------------------------------------- scores

def normalize(scores, reverse=False):
    """``helper.DefaultNormalizeScore``: scale to 0..100 by the highest score (reversed: fewer is better)."""
    top = max(scores.values(), default=0)
    if top == 0:
        return {name: MAX_NODE_SCORE if reverse else score for name, score in scores.items()}
    return {name: MAX_NODE_SCORE - MAX_NODE_SCORE * score // top if reverse else MAX_NODE_SCORE * score // top
            for name, score in scores.items()}


def least_allocated(info, node):
    """NodeResourcesFit LeastAllocated: the share of cpu and memory left free after placing the pod, 0..100."""
    total = weights = 0
    for name in SCORED_RESOURCES:
        capacity = node.capacity(name)
        if not capacity:
            continue
        requested = node.nonzero[name] + info.nonzero.get(name, 0)
        total += 0 if requested > capacity else (capacity - requested) * MAX_NODE_SCORE // capacity
        weights += 1
    return total // weights if weights else 0


def balanced_allocation(info, node):
    """NodeResourcesBalancedAllocation: 100 when cpu and memory would be used in the same proportion."""
    fractions = []
    for name in SCORED_RESOURCES:
        capacity = node.capacity(name)
        if not capacity:
            continue
        fractions.append(min(float(node.requested.get(name, 0) + info.requests.get(name, 0)) / float(capacity), 1.0))
    deviation = abs(fractions[0] - fractions[1]) / 2 if len(fractions) == 2 else 0.0
    return int((1 - deviation) * MAX_NODE_SCORE)


def score_nodes(info, feasible, nodes=()):
    """``{node name: total score}`` of the fitting nodes, as the default profile weighs its plugins (``nodes``:
    every node, whose pods the spread and inter-pod affinity scores count)."""
    prefer = [item for item in info.tolerations if (item.get('effect') or '') in ('', 'PreferNoSchedule')]
    taints = normalize({node.name: sum(1 for taint in node.taints if taint.get('effect') == 'PreferNoSchedule'
                                       and not any(tolerates(item, taint) for item in prefer)) for node in feasible}, reverse=True)
    affinity = normalize({node.name: sum(term.get('weight') or 0 for term in info.preferred
                                         if term.get('weight') and term_matches(term.get('preference'), node)) for node in feasible})
    best_effort = not any(info.requests.get(name, 0) for name in SCORED_RESOURCES)
    spreading = spread.scores(info, feasible, nodes, required_affinity_matches, tolerates_node)
    interpod = podaffinity.scores(info, feasible, nodes)
    return {node.name: WEIGHT_TAINT * taints[node.name] + WEIGHT_AFFINITY * affinity[node.name]
            + WEIGHT_FIT * least_allocated(info, node) + (0 if best_effort else WEIGHT_BALANCED * balanced_allocation(info, node))
            + WEIGHT_SPREAD * spreading[node.name] + WEIGHT_INTERPOD * interpod[node.name]
            for node in feasible}


# ----------------------------------------------------------------------------- messages

def fit_error_message(total, statuses, prefilter_message='', postfilter_message=''):
    """``FitError.Error()``: ``0/N nodes are available: <count reason, sorted>. <postfilter>.``"""
    message = '0/%d nodes are available:' % total
    if prefilter_message:
        message += ' %s.' % prefilter_message
    else:
        counts = {}
        for dummy, reasons in statuses.values():
            for reason in reasons:
                counts[reason] = counts.get(reason, 0) + 1
        if counts:
            message += ' %s.' % ', '.join(sorted('%d %s' % (count, reason) for reason, count in counts.items()))
    if postfilter_message:
        message += ' %s.' % postfilter_message
    return message


def _eviction_would_help(info, table, name):
    """DefaultPreemption's victim search on one node: the pod would pass every filter there once the node's
    pods of lower priority were gone."""
    if not any(usage.priority < info.priority for usage in table[name].pods):
        return False
    trial = dict(table)
    trial[name] = table[name].keeping(lambda usage: usage.priority >= info.priority)
    return run_filters(info, trial[name], Cycle(info, trial)) is None


def preemption_message(info, statuses, table):
    """DefaultPreemption's PostFilter message: nodes where preemption is not helpful (an unresolvable
    reason), nodes without victims, and nodes where evicting lower-priority pods would make room, which
    hostpods does not do (it never evicts a pod)."""
    if info.preemption_policy == 'Never':
        return 'preemption: %s' % PREEMPTION_NEVER
    outcome = {}
    for name, (code, dummy) in statuses.items():
        if code == UNRESOLVABLE:
            outcome[name] = (UNRESOLVABLE, [PREEMPTION_NOT_HELPFUL])
        else:
            outcome[name] = (UNRESOLVABLE, [PREEMPTION_NOT_DONE if _eviction_would_help(info, table, name)
                                            else PREEMPTION_NO_VICTIMS])
    return 'preemption: %s' % fit_error_message(len(table), outcome)


def decision(node=None, phase=None, reason=None, message=None, nodes=None, scores=None, sticky=False, previous=None,
             waiting=False):
    """One pod's outcome. ``node`` is where it runs (None: nowhere); ``nodes`` the reasons per refusing node;
    ``waiting``: Pending by design (scheduling gates, another scheduler), not for want of a node."""
    return {'node': node, 'phase': phase, 'reason': reason, 'message': message, 'nodes': nodes or {},
            'scores': scores or {}, 'sticky': sticky, 'previous': previous, 'waiting': waiting}


def pod_scheduled_condition(outcome):
    """The ``PodScheduled`` condition (without timestamps) a decision gives the pod; None for a rejected pod
    and for a pod no scheduler has looked at (another ``schedulerName``)."""
    if outcome['node']:
        return {'type': 'PodScheduled', 'status': 'True'}
    if outcome['phase'] == 'Pending' and outcome['reason']:
        return {'type': 'PodScheduled', 'status': 'False', 'reason': outcome['reason'], 'message': outcome['message']}
    return None


def waiting_decision(info):
    """The decision of a pod no scheduler places yet: gated (SchedulingGates' PreEnqueue, as kube-scheduler
    reports it) or for another scheduler; None for the others."""
    if info.gated:
        return decision(phase='Pending', reason=REASON_GATED, message=GATED_MESSAGE, waiting=True)
    if info.scheduler_name != DEFAULT_SCHEDULER and not info.node_name:
        return decision(phase='Pending', message='waiting for scheduler "%s", which hostpods is not (a pod bound by '
                        'spec.nodeName runs)' % info.scheduler_name, waiting=True)
    return None


# ----------------------------------------------------------------------------- placing

def _unschedulable(info, table, statuses, prefilter_message=''):
    message = fit_error_message(len(table), statuses, prefilter_message, preemption_message(info, statuses, table))
    return decision(phase='Pending', reason='Unschedulable', message=message,
                    nodes={name: list(reasons) for name, (dummy, reasons) in statuses.items()})


def _schedule_one(info, table):
    """kube-scheduler's scheduling cycle for one pod: PreFilter, Filter, PostFilter message, Score."""
    if not table:
        return decision(phase='Pending', reason='Unschedulable', message=NO_NODES)
    names = prefilter_node_names(info)
    if names is not None and not names:
        return _unschedulable(info, table, {name: (UNRESOLVABLE, [REASON_AFFINITY_CONFLICT]) for name in table}, REASON_AFFINITY_CONFLICT)
    statuses, feasible, cycle = {}, [], Cycle(info, table)
    for node in table.values():
        status = (UNRESOLVABLE, [REASON_PREFILTERED]) if names is not None and node.name not in names \
            else run_filters(info, node, cycle)
        if status is None:
            feasible.append(node)
        else:
            statuses[node.name] = status
    if not feasible:
        return _unschedulable(info, table, statuses)
    scores = score_nodes(info, feasible, cycle.nodes)
    best = min(feasible, key=lambda node: (-scores[node.name], node.name))
    return decision(node=best.name, message='Successfully assigned %s/%s to %s' % (info.key[0], info.key[1], best.name),
                    nodes={name: list(reasons) for name, (dummy, reasons) in statuses.items()}, scores=scores)


def _place(info, table):
    if info.node_name and info.node_name in table:  # bound already: the node's kubelet decides
        failures = kubelet_admission(info, table[info.node_name])
        if failures:
            return decision(phase='Failed', reason=failures[0][0], message='Pod was rejected: %s' % failures[0][1],
                            nodes={info.node_name: [item[2] for item in failures]})
        return decision(node=info.node_name)
    return _schedule_one(info, table)


def schedule(pods, nodes, placed=None, bound=None):
    """Decide a node for each pod; returns ``{(namespace, name): decision}`` in the order of ``pods``.

    ``nodes``: ``[{'name', 'labels', 'taints', 'allocatable': {'cpu': millicores, 'memory': bytes,
    'pods': count}, 'unschedulable': bool}]`` (ints as given; strings are read as quantities).
    ``placed``: ``{(namespace, name): {'node': name, 'pod': applied Pod}}`` for the pods that already
    run (a bare node name counts as a pod without requests). Pods in ``pods`` are defaulted Pods.
    ``bound``: ``{key: node name}`` of pods a scheduler already placed, which that node's kubelet admits
    as if ``spec.nodeName`` named it. Gated pods and pods for another scheduler wait; pods that stay where
    they are hold their place first; the others are placed by priority, highest first, then in order.
    """
    placed = placed or {}
    table = {}
    for node in nodes:
        table[node['name']] = NodeInfo(node)
    infos = [PodInfo(pod) for pod in pods]
    for info in infos:
        info.node_name = (bound or {}).get(info.key, info.node_name)
    batch = {info.key for info in infos}
    for key, entry in placed.items():
        node, usage = _usage_of(key, entry)
        if key not in batch and node in table:
            table[node].add(usage)
    outcomes = {}
    for info in infos:
        previous = _placed_node(placed.get(info.key))
        waiting = waiting_decision(info)
        if waiting:
            outcomes[info.key] = dict(waiting, previous=previous)
        elif previous in table and still_admits(info, table[previous]):
            table[previous].add(info)
            outcomes[info.key] = decision(node=previous, sticky=True, previous=previous)
    for info in sorted((info for info in infos if info.key not in outcomes), key=lambda item: -item.priority):
        outcome = _place(info, table)
        outcome['previous'] = _placed_node(placed.get(info.key))
        if outcome['node']:
            table[outcome['node']].add(info)
        outcomes[info.key] = outcome
    return {info.key: outcomes[info.key] for info in infos}
