# -*- coding: utf-8 -*-
# Copyright (c) hostpods contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""PRIVATE: kube-scheduler's PodTopologySpread plugin: ``topologySpreadConstraints`` (``maxSkew``,
``topologyKey``, ``whenUnsatisfiable``, ``labelSelector`` with ``matchLabelKeys``, ``minDomains``,
``nodeAffinityPolicy``, ``nodeTaintsPolicy``), its Filter (``DoNotSchedule``) with its reasons and its
Score (``ScheduleAnyway``). Pure; called by ``_plan.scheduler``. No system default constraints: they apply
only to pods of Services and ReplicaSets, which a node does not have.
"""

from __future__ import annotations

import math

from ansible_collections.hostpods.core.plugins.module_utils._spec import selectors

HOSTNAME_LABEL = 'kubernetes.io/hostname'
MAX_NODE_SCORE = 100
REASON_CONSTRAINTS = "node(s) didn't match pod topology spread constraints"
REASON_MISSING_LABEL = REASON_CONSTRAINTS + ' (missing required label)'
DO_NOT_SCHEDULE, SCHEDULE_ANYWAY = 'DoNotSchedule', 'ScheduleAnyway'


class Constraint:
    """One constraint, its selector with ``matchLabelKeys`` merged (the pod's values of those keys)."""

    def __init__(self, item, labels):
        self.max_skew = item.get('maxSkew') or 1
        self.topology_key = item.get('topologyKey') or ''
        self.when = item.get('whenUnsatisfiable') or DO_NOT_SCHEDULE
        self.min_domains = item.get('minDomains') or 1
        self.affinity_policy = item.get('nodeAffinityPolicy') or 'Honor'
        self.taints_policy = item.get('nodeTaintsPolicy') or 'Ignore'
        self.selector = selectors.from_label_selector(item.get('labelSelector'))
        if self.selector is not None:
            self.selector = self.selector + [(key, '=', {labels[key]}) for key in item.get('matchLabelKeys') or []
                                             if key in labels]

    def selects(self, labels):
        return self.selector is not None and selectors.matches(self.selector, labels)

    def count(self, node, namespace):
        """``countPodsMatchSelector``: the node's pods of the namespace that the selector selects."""
        return sum(1 for pod in node.pods if pod.namespace == namespace and self.selects(pod.labels))

    def includes(self, info, node, fits_affinity, tolerates):
        """``matchNodeInclusionPolicies``: Honor the pod's node affinity (default) and, if asked, its taints."""
        if self.affinity_policy == 'Honor' and not fits_affinity(info, node):
            return False
        return not (self.taints_policy == 'Honor' and not tolerates(info, node))


def constraints_of(spec, labels):
    return [Constraint(item, labels) for item in spec.get('topologySpreadConstraints') or []]


def _has_keys(node, constraints):
    return all(item.topology_key in node.labels for item in constraints)


class State:
    """PodTopologySpread's PreFilter over every node: pods matching each ``DoNotSchedule`` constraint, by
    topology value, on the nodes that carry every key and pass the inclusion policies."""

    def __init__(self, info, nodes, fits_affinity, tolerates):
        self.info = info
        self.constraints = [item for item in info.spread if item.when == DO_NOT_SCHEDULE]
        self.counts = [{} for dummy in self.constraints]
        for node in nodes:
            if not self.constraints or not _has_keys(node, self.constraints):
                continue
            for index, item in enumerate(self.constraints):
                if item.includes(info, node, fits_affinity, tolerates):
                    value = node.labels[item.topology_key]
                    self.counts[index][value] = self.counts[index].get(value, 0) + item.count(node, info.namespace)

    def _global_minimum(self, index):
        counts = self.counts[index]
        if len(counts) < self.constraints[index].min_domains:
            return 0  # fewer eligible domains than minDomains: the global minimum is 0
        return min(counts.values()) if counts else 2 ** 31 - 1

    def filter(self, node, unresolvable, unschedulable):
        """The Filter: ``matching pods in the node's domain + 1 if the pod matches itself - global minimum``
        may not exceed ``maxSkew``; a node without the topology key fits no constraint."""
        for index, item in enumerate(self.constraints):
            if item.topology_key not in node.labels:
                return unresolvable, [REASON_MISSING_LABEL]
            own = 1 if item.selects(self.info.labels) else 0
            skew = self.counts[index].get(node.labels[item.topology_key], 0) + own - self._global_minimum(index)
            if skew > item.max_skew:
                return unschedulable, [REASON_CONSTRAINTS]
        return None


def _round(value):
    """Go's ``math.Round``: half away from zero."""
    return int(math.floor(value + 0.5)) if value >= 0 else -int(math.floor(-value + 0.5))


def scores(info, feasible, nodes, fits_affinity, tolerates):
    """The Score of the ``ScheduleAnyway`` constraints, normalised to 0..100 over ``feasible`` (fewer matching
    pods in a node's domain, the higher); nodes without every topology key get 0."""
    soft = [item for item in info.spread if item.when == SCHEDULE_ANYWAY]
    if not soft:
        return {node.name: 0 for node in feasible}
    ignored = {node.name for node in feasible if not _has_keys(node, soft)}
    counted = [dict.fromkeys(node.labels[item.topology_key] for node in feasible if node.name not in ignored)
               for item in soft]
    sizes = [len(feasible) - len(ignored) if item.topology_key == HOSTNAME_LABEL else len(counted[index])
             for index, item in enumerate(soft)]
    counts = [{value: 0 for value in values} for values in counted]
    for node in nodes:
        if not _has_keys(node, soft):
            continue
        for index, item in enumerate(soft):
            value = node.labels[item.topology_key]
            if item.topology_key != HOSTNAME_LABEL and value in counts[index] and \
                    item.includes(info, node, fits_affinity, tolerates):
                counts[index][value] += item.count(node, info.namespace)
    raw = {}
    for node in feasible:
        if node.name in ignored:
            continue
        total = 0.0
        for index, item in enumerate(soft):
            found = item.count(node, info.namespace) if item.topology_key == HOSTNAME_LABEL else \
                counts[index][node.labels[item.topology_key]]
            total += found * math.log(sizes[index] + 2) + (item.max_skew - 1)
        raw[node.name] = _round(total)
    low, high = min(raw.values(), default=0), max(raw.values(), default=0)
    return {node.name: 0 if node.name in ignored else
            (MAX_NODE_SCORE if high == 0 else MAX_NODE_SCORE * (high + low - raw[node.name]) // high) for node in feasible}
