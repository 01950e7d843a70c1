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
   NodePorts, NodeResourcesFit. The fitting nodes are scored as the default profile does
   (TaintToleration x3, NodeAffinity x2, NodeResourcesFit LeastAllocated x1,
   NodeResourcesBalancedAllocation x1, each normalised to 0..100); the highest total wins, ties go
   to the first node name (kube-scheduler picks at random). No node fits: ``phase: Pending``,
   ``reason: Unschedulable`` and kube-scheduler's exact message, preemption part included.

Pods are taken in the given order; each placement counts against its node for the pods after it.
Not modelled: pod (anti-)affinity, topology spread, image locality, volume plugins, priorities
(every pod has priority 0, so preemption never finds a victim), percentageOfNodesToScore.
"""

from __future__ import annotations

import re

from ansible_collections.hostpods.core.plugins.module_utils._spec import podspec
from ansible_collections.hostpods.core.plugins.module_utils._spec import quantity
from ansible_collections.hostpods.core.plugins.module_utils._spec import resources

MAX_NODE_SCORE = 100
DEFAULT_MILLI_CPU_REQUEST = 100  # schedutil.DefaultMilliCPURequest: what a container without a cpu request counts for scoring
DEFAULT_MEMORY_REQUEST = 200 * 1024 * 1024  # schedutil.DefaultMemoryRequest
DEFAULT_MAX_PODS = 110  # the kubelet's default --max-pods, used when a node does not say
UNLIMITED_WHEN_MISSING = ('cpu', 'memory', 'ephemeral-storage')  # a node that does not report these is not limited by them
SCORED_RESOURCES = ('cpu', 'memory')
WEIGHT_TAINT, WEIGHT_AFFINITY, WEIGHT_FIT, WEIGHT_BALANCED = 3, 2, 1, 1

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
NO_NODES = 'no nodes available to schedule pods'
_DECIMAL = re.compile(r'^[+-]?[0-9]+$')
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
    where the pod sets them. ``non_missing`` counts a container without a cpu/memory request as 100m/200Mi,
    as the scheduler does for scoring.
    """
    spec = pod.get('spec') or {}
    total = resources.aggregate(spec, lambda container, path: _container_values(container, path, non_missing))
    total.update(resources.pod_level(spec, 'requests'))
    return total


def host_ports(pod):
    """``[(host IP, protocol, host port)]`` of a pod's containers, as the NodePorts plugin sees them
    (no host IP is every address, 0.0.0.0)."""
    return [(ip or '0.0.0.0', protocol, port) for ip, protocol, port, _target in podspec.host_ports(pod.get('spec') or {})]


class Usage:
    """What one pod takes on its node: requests, non-zero requests (for scoring) and host ports."""

    def __init__(self, key, requests=None, nonzero=None, ports=None):
        self.key = key
        self.requests = requests or {}
        self.nonzero = nonzero or {'cpu': DEFAULT_MILLI_CPU_REQUEST, 'memory': DEFAULT_MEMORY_REQUEST}
        self.ports = ports or []


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
        self.pods.append(usage.key)
        resources.add(self.requested, usage.requests)
        resources.add(self.nonzero, {name: usage.nonzero.get(name, 0) for name in SCORED_RESOURCES})
        self.ports.extend(usage.ports)


# ----------------------------------------------------------------------------- taints and affinity

def tolerates(toleration, taint):
    """``Toleration.ToleratesTaint``: an empty effect or key matches all; Exists matches every value."""
    effect = toleration.get('effect') or ''
    if effect and effect != (taint.get('effect') or ''):
        return False
    key = toleration.get('key') or ''
    if key and key != (taint.get('key') or ''):
        return False
    operator = toleration.get('operator') or 'Equal'
    if operator == 'Equal':
        return (toleration.get('value') or '') == (taint.get('value') or '')
    return operator == 'Exists'


def untolerated_taint(tolerations, taints, effects):
    """The first taint with one of ``effects`` that no toleration tolerates, or None."""
    for taint in taints:
        if taint.get('effect') in effects and not any(tolerates(item, taint) for item in tolerations):
            return taint
    return None


def _int64(text):
    """``strconv.ParseInt(text, 10, 64)``: None when it is not a decimal int64."""
    if not isinstance(text, str) or not _DECIMAL.match(text):
        return None
    number = int(text)
    return number if -2 ** 63 <= number < 2 ** 63 else None


def _expression_matches(expression, labels):
    """One ``matchExpressions`` requirement against node labels; None when the requirement is invalid."""
    key = expression.get('key') or ''
    operator = expression.get('operator')
    values = expression.get('values') or []
    present = key in labels
    if operator in ('In', 'NotIn'):
        if not values:
            return None
        found = present and labels[key] in values
        return found if operator == 'In' else not found
    if operator in ('Exists', 'DoesNotExist'):
        if values:
            return None
        return present if operator == 'Exists' else not present
    if operator in ('Gt', 'Lt'):
        wanted = _int64(values[0]) if len(values) == 1 else None
        if wanted is None:
            return None
        have = _int64(labels[key]) if present else None
        if have is None:
            return False
        return have > wanted if operator == 'Gt' else have < wanted
    return None


def _field_matches(expression, node_name):
    """One ``matchFields`` requirement (In/NotIn, one value; only ``metadata.name`` is a node field)."""
    values = expression.get('values') or []
    operator = expression.get('operator')
    if operator not in ('In', 'NotIn') or len(values) != 1:
        return None
    actual = node_name if expression.get('key') == 'metadata.name' else ''
    return (actual == values[0]) if operator == 'In' else (actual != values[0])


def term_matches(term, node):
    """A NodeSelectorTerm: its requirements are ANDed; an empty or invalid term matches no node."""
    expressions = (term or {}).get('matchExpressions') or []
    fields = (term or {}).get('matchFields') or []
    if not expressions and not fields:
        return False
    return all(_expression_matches(item, node.labels) is True for item in expressions) and \
        all(_field_matches(item, node.name) is True for item in fields)


def required_affinity_matches(info, node):
    """``nodeSelector`` (every label equal) and required node affinity (any term) both hold."""
    for key, value in info.node_selector.items():
        if key not in node.labels or node.labels[key] != value:
            return False
    if info.required is None:
        return True
    return any(term_matches(term, node) for term in info.required.get('nodeSelectorTerms') or [])


def prefilter_node_names(info):
    """NodeAffinity PreFilter: the node names ``matchFields metadata.name In`` allows in every term, or None for all."""
    if info.required is None:
        return None
    names = None
    for term in info.required.get('nodeSelectorTerms') or []:
        term_names = None
        for field in term.get('matchFields') or []:
            if field.get('key') == 'metadata.name' and field.get('operator') == 'In':
                allowed = set(field.get('values') or [])
                term_names = allowed if term_names is None else term_names & allowed
        if term_names is None:  # this term does not pin names, and terms are ORed
            return None
        names = term_names if names is None else names | term_names
    return names


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


def run_filters(info, node):
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


def score_nodes(info, feasible):
    """``{node name: total score}`` of the fitting nodes, as the default profile weighs its plugins."""
    prefer = [item for item in info.tolerations if (item.get('effect') or '') in ('', 'PreferNoSchedule')]
    taints = normalize({node.name: sum(1 for taint in node.taints if taint.get('effect') == 'PreferNoSchedule'
                                       and not any(tolerates(item, taint) for item in prefer)) for node in feasible}, reverse=True)
    affinity = normalize({node.name: sum(term.get('weight') or 0 for term in info.preferred
                                         if term.get('weight') and term_matches(term.get('preference'), node)) for node in feasible})
    best_effort = not any(info.requests.get(name, 0) for name in SCORED_RESOURCES)
    return {node.name: WEIGHT_TAINT * taints[node.name] + WEIGHT_AFFINITY * affinity[node.name]
            + WEIGHT_FIT * least_allocated(info, node) + (0 if best_effort else WEIGHT_BALANCED * balanced_allocation(info, node))
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


def preemption_message(info, statuses, total):
    """DefaultPreemption's PostFilter message. Every pod has priority 0 here, so no node has a victim."""
    if info.preemption_policy == 'Never':
        return 'preemption: %s' % PREEMPTION_NEVER
    outcome = {name: (UNRESOLVABLE, [PREEMPTION_NOT_HELPFUL if code == UNRESOLVABLE else PREEMPTION_NO_VICTIMS])
               for name, (code, dummy) in statuses.items()}
    return 'preemption: %s' % fit_error_message(total, outcome)


def decision(node=None, phase=None, reason=None, message=None, nodes=None, scores=None, sticky=False, previous=None):
    """One pod's outcome. ``node`` is where it runs (None: nowhere); ``nodes`` the reasons per refusing node."""
    return {'node': node, 'phase': phase, 'reason': reason, 'message': message, 'nodes': nodes or {},
            'scores': scores or {}, 'sticky': sticky, 'previous': previous}


def pod_scheduled_condition(outcome):
    """The ``PodScheduled`` condition (without timestamps) a decision gives the pod; None for a rejected pod."""
    if outcome['node']:
        return {'type': 'PodScheduled', 'status': 'True'}
    if outcome['phase'] == 'Pending':
        return {'type': 'PodScheduled', 'status': 'False', 'reason': outcome['reason'], 'message': outcome['message']}
    return None


# ----------------------------------------------------------------------------- placing

def _unschedulable(info, table, statuses, prefilter_message=''):
    message = fit_error_message(len(table), statuses, prefilter_message, preemption_message(info, statuses, len(table)))
    return decision(phase='Pending', reason='Unschedulable', message=message,
                    nodes={name: list(reasons) for name, (dummy, reasons) in statuses.items()})


def _schedule_one(info, table):
    """kube-scheduler's scheduling cycle for one pod: PreFilter, Filter, PostFilter message, Score."""
    if not table:
        return decision(phase='Pending', reason='Unschedulable', message=NO_NODES)
    names = prefilter_node_names(info)
    if names is not None and not names:
        return _unschedulable(info, table, {name: (UNRESOLVABLE, [REASON_AFFINITY_CONFLICT]) for name in table}, REASON_AFFINITY_CONFLICT)
    statuses, feasible = {}, []
    for node in table.values():
        status = (UNRESOLVABLE, [REASON_PREFILTERED]) if names is not None and node.name not in names else run_filters(info, node)
        if status is None:
            feasible.append(node)
        else:
            statuses[node.name] = status
    if not feasible:
        return _unschedulable(info, table, statuses)
    scores = score_nodes(info, feasible)
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


def schedule(pods, nodes, placed=None):
    """Decide a node for each pod; returns ``{(namespace, name): decision}`` in the order of ``pods``.

    ``nodes``: ``[{'name', 'labels', 'taints', 'allocatable': {'cpu': millicores, 'memory': bytes,
    'pods': count}, 'unschedulable': bool}]`` (ints as given; strings are read as quantities).
    ``placed``: ``{(namespace, name): {'node': name, 'pod': applied Pod}}`` for the pods that already
    run (a bare node name counts as a pod without requests). Pods in ``pods`` are defaulted Pods.
    """
    placed = placed or {}
    table = {}
    for node in nodes:
        table[node['name']] = NodeInfo(node)
    infos = [PodInfo(pod) for pod in pods]
    batch = {info.key for info in infos}
    for key, entry in placed.items():
        node, usage = _usage_of(key, entry)
        if key not in batch and node in table:
            table[node].add(usage)
    outcomes = {}
    for info in infos:  # pods that stay where they are hold their place before any pod is placed
        previous = _placed_node(placed.get(info.key))
        if previous in table and still_admits(info, table[previous]):
            table[previous].add(info)
            outcomes[info.key] = decision(node=previous, sticky=True, previous=previous)
    for info in infos:
        if info.key in outcomes:
            continue
        outcome = _place(info, table)
        outcome['previous'] = _placed_node(placed.get(info.key))
        if outcome['node']:
            table[outcome['node']].add(info)
        outcomes[info.key] = outcome
    return {info.key: outcomes[info.key] for info in infos}
