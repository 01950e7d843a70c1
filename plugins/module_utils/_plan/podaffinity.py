# -*- coding: utf-8 -*-
# Copyright (c) hostpods contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""PRIVATE: kube-scheduler's InterPodAffinity plugin: pod affinity and anti-affinity terms, its Filter
(with its reasons) and its Score. Pure; called by ``_plan.scheduler``.

A term selects pods by labels (``labelSelector``, with ``matchLabelKeys``/``mismatchLabelKeys`` merged as the
API server merges them on create) in namespaces (``namespaces``, ``namespaceSelector`` against the only labels
a namespace has here, ``kubernetes.io/metadata.name``; neither: the pod's own namespace), over the nodes that
share the term's ``topologyKey`` label value with the node of a matching pod.
"""

from __future__ import annotations

from ansible_collections.hostpods.core.plugins.module_utils._spec import selectors

NAMESPACE_NAME_LABEL = 'kubernetes.io/metadata.name'  # the label every Namespace has
HARD_POD_AFFINITY_WEIGHT = 1  # InterPodAffinityArgs.hardPodAffinityWeight, the default
MAX_NODE_SCORE = 100
REASON_AFFINITY = "node(s) didn't match pod affinity rules"
REASON_ANTI_AFFINITY = "node(s) didn't match pod anti-affinity rules"
REASON_EXISTING_ANTI_AFFINITY = "node(s) didn't satisfy existing pods anti-affinity rules"
REQUIRED = 'requiredDuringSchedulingIgnoredDuringExecution'
PREFERRED = 'preferredDuringSchedulingIgnoredDuringExecution'


def namespace_labels(namespace):
    return {NAMESPACE_NAME_LABEL: namespace}


class Term:
    """``framework.AffinityTerm``: which pods a term selects, over which topology, with which weight."""

    def __init__(self, term, namespace, labels, weight=0):
        self.topology_key = term.get('topologyKey') or ''
        self.weight = weight
        self.namespaces = set(term.get('namespaces') or [])
        self.namespace_selector = selectors.from_label_selector(term.get('namespaceSelector'))
        if not self.namespaces and term.get('namespaceSelector') is None:
            self.namespaces = {namespace}
        self.selector = selectors.from_label_selector(term.get('labelSelector'))
        if self.selector is not None:
            self.selector = self.selector + _label_keys(term, labels)

    def matches(self, pod):
        """``AffinityTerm.Matches``: ``pod`` (with ``namespace`` and ``labels``) is in the term's namespaces
        and carries its labels."""
        in_namespaces = pod.namespace in self.namespaces or (
            self.namespace_selector is not None and selectors.matches(self.namespace_selector, namespace_labels(pod.namespace)))
        return in_namespaces and self.selector is not None and selectors.matches(self.selector, pod.labels)


def _label_keys(term, labels):
    """The requirements the API server adds for ``matchLabelKeys`` (the pod's value) and ``mismatchLabelKeys``
    (anything but it), for the keys the pod has."""
    out = [(key, 'in', {labels[key]}) for key in term.get('matchLabelKeys') or [] if key in labels]
    return out + [(key, 'notin', {labels[key]}) for key in term.get('mismatchLabelKeys') or [] if key in labels]


class PodTerms:
    """A pod's terms: required and preferred, affinity and anti-affinity."""

    def __init__(self, spec, namespace, labels):
        affinity = spec.get('affinity') or {}
        pod_affinity, anti = affinity.get('podAffinity') or {}, affinity.get('podAntiAffinity') or {}
        self.required_affinity = [Term(term, namespace, labels) for term in pod_affinity.get(REQUIRED) or []]
        self.required_anti = [Term(term, namespace, labels) for term in anti.get(REQUIRED) or []]
        self.preferred_affinity = [Term(item.get('podAffinityTerm') or {}, namespace, labels, item.get('weight') or 0)
                                   for item in pod_affinity.get(PREFERRED) or []]
        self.preferred_anti = [Term(item.get('podAffinityTerm') or {}, namespace, labels, item.get('weight') or 0)
                               for item in anti.get(PREFERRED) or []]

    @property
    def any(self):
        return bool(self.required_affinity or self.required_anti or self.preferred_affinity or self.preferred_anti)


NO_TERMS = PodTerms({}, '', {})


def _count(counts, node, key, amount=1):
    if key in node.labels:
        pair = (key, node.labels[key])
        counts[pair] = counts.get(pair, 0) + amount


class State:
    """InterPodAffinity's PreFilter over every node: the topology pairs of the pods that match the incoming
    pod's required terms, and of the pods whose required anti-affinity the incoming pod matches."""

    def __init__(self, info, nodes):
        self.info = info
        self.affinity, self.anti, self.existing_anti = {}, {}, {}
        terms = info.terms
        for node in nodes:
            for other in node.pods:
                for term in other.terms.required_anti:
                    if term.matches(info):
                        _count(self.existing_anti, node, term.topology_key)
                if terms.required_affinity and all(term.matches(other) for term in terms.required_affinity):
                    for term in terms.required_affinity:
                        _count(self.affinity, node, term.topology_key)
                for term in terms.required_anti:
                    if term.matches(other):
                        _count(self.anti, node, term.topology_key)

    def _affinity_ok(self, node):
        terms = self.info.terms.required_affinity
        pods_exist = True
        for term in terms:
            if term.topology_key not in node.labels:
                return False  # every topology label must be on the node
            if self.affinity.get((term.topology_key, node.labels[term.topology_key]), 0) <= 0:
                pods_exist = False
        # the first pod of a series with affinity to itself: no pod matches anywhere, and it matches its own terms
        return pods_exist or (not self.affinity and all(term.matches(self.info) for term in terms))

    def _anti_ok(self, node):
        return not any(self.anti.get((term.topology_key, node.labels.get(term.topology_key)), 0) > 0
                       for term in self.info.terms.required_anti if term.topology_key in node.labels)

    def _existing_ok(self, node):
        return not any(self.existing_anti.get(pair, 0) > 0 for pair in node.labels.items())

    def filter(self, node, unresolvable, unschedulable):
        """The Filter: None when the node passes, else ``(code, [reason])``."""
        if not self._affinity_ok(node):
            return unresolvable, [REASON_AFFINITY]
        if not self._anti_ok(node):
            return unschedulable, [REASON_ANTI_AFFINITY]
        if not self._existing_ok(node):
            return unschedulable, [REASON_EXISTING_ANTI_AFFINITY]
        return None


def _add_terms(scores, terms, pod, node, multiplier, weight=None):
    for term in terms:
        if term.matches(pod) and term.topology_key in node.labels:
            values = scores.setdefault(term.topology_key, {})
            value = node.labels[term.topology_key]
            values[value] = values.get(value, 0) + multiplier * (term.weight if weight is None else weight)


def scores(info, feasible, nodes):
    """The Score, normalised to 0..100 over ``feasible`` (``{node name: score}``): the incoming pod's
    preferred terms against every pod, and every pod's terms against the incoming pod (its required affinity
    weighing ``hardPodAffinityWeight``); a pod counts for every node sharing its node's topology value."""
    mine = info.terms.preferred_affinity or info.terms.preferred_anti
    topology = {}
    for node in nodes:
        if not node.labels:
            continue
        for other in node.pods:
            if not mine and not other.terms.any:
                continue
            _add_terms(topology, info.terms.preferred_affinity, other, node, 1)
            _add_terms(topology, info.terms.preferred_anti, other, node, -1)
            _add_terms(topology, other.terms.required_affinity, info, node, 1, HARD_POD_AFFINITY_WEIGHT)
            _add_terms(topology, other.terms.preferred_affinity, info, node, 1)
            _add_terms(topology, other.terms.preferred_anti, info, node, -1)
    raw = {node.name: sum(values.get(node.labels[key], 0) for key, values in topology.items() if key in node.labels)
           for node in feasible}
    if not topology or not raw:
        return {name: 0 for name in raw}
    low, high = min(raw.values()), max(raw.values())
    return {name: int(MAX_NODE_SCORE * (float(score - low) / (high - low))) if high > low else 0
            for name, score in raw.items()}
