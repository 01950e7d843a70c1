# -*- coding: utf-8 -*-
# Copyright (c) hostpods contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""PRIVATE: ``spec.readinessGates``, as the API server validates them and the kubelet's Ready condition reads them. Pure.

A gate names a pod condition that an API client sets (a load balancer's controller, say); the kubelet's Ready
condition is True only when every gate's condition is (``GeneratePodReadyCondition``). On a node without an API
server nobody sets one, so a pod gated on such a condition is never Ready: its Ready condition is False with reason
``ReadinessGatesNotReady`` and the kubelet's message, the apply warns once (``NOTICE``), and ``wait`` fails at once
naming the gates instead of waiting for what cannot come (``never_ready``). A gate on a condition the node itself
reports (``Initialized``, ``ContainersReady``...) is read from those.
"""

from __future__ import annotations

from ansible_collections.hostpods.core.plugins.module_utils._spec import podspec
from ansible_collections.hostpods.core.plugins.module_utils._spec.scheduling import label_name_problems

REASON = 'ReadinessGatesNotReady'
NODE_CONDITIONS = ('PodReadyToStartContainers', 'Initialized', 'ContainersReady', 'PodScheduled')  # what a node reports
NOTICE = ('spec.readinessGates: accepted; only an API client sets a readiness gate\'s condition and hostpods has no API '
          'server, so the pod\'s Ready condition stays False (%s) and wait fails at once' % REASON)


def gate_types(spec):
    """The condition types of the pod's readiness gates, in order."""
    return [gate.get('conditionType') for gate in spec.get('readinessGates') or []]


def gate_errors(spec):
    """``validateReadinessGates``: each condition type is a qualified name."""
    errors = []
    for index, kind in enumerate(gate_types(spec)):
        path = 'spec.readinessGates[%d].conditionType' % index
        errors += podspec.invalid(path, kind, label_name_problems(kind)) if kind else ['%s: Required value' % path]
    return errors


def unready_message(spec, conditions):
    """The kubelet's message of the gates whose condition among ``conditions`` is not True, or None when none is."""
    status = {condition['type']: condition['status'] for condition in conditions}
    messages = []
    for kind in gate_types(spec):
        if kind not in status:
            messages.append('corresponding condition of pod readiness gate "%s" does not exist.' % kind)
        elif status[kind] != 'True':
            messages.append('the status of pod readiness gate "%s" is not "True", but %s' % (kind, status[kind]))
    return ', '.join(messages) or None


def unsettable(spec):
    """The gates no one on this node ever sets: those on a condition the node does not report."""
    return [kind for kind in gate_types(spec) if kind not in NODE_CONDITIONS]


def never_ready(pod):
    """Whether ``wait`` would wait forever for the pod: it has a gate no one sets and never finishes (Always)."""
    return bool(unsettable(pod['spec'])) and pod['spec'].get('restartPolicy') == 'Always'


def wait_refusal(pods):
    """Why ``wait`` cannot wait for ``pods`` (those of them that are ``never_ready``), or None."""
    lines = ['pod %s/%s: spec.readinessGates "%s"'
             % (pod['metadata']['namespace'], pod['metadata']['name'], '", "'.join(unsettable(pod['spec'])))
             for pod in pods if never_ready(pod)]
    if not lines:
        return None
    return ('Cannot wait for pods to be ready: %s: only an API client sets a readiness gate\'s condition and hostpods '
            'has no API server, so the Ready condition stays False (%s)' % ('; '.join(lines), REASON))


def gates_column(pod):
    """kubectl's READINESS GATES column: ``<true>/<gates>``, or None for a pod without gates."""
    kinds = gate_types(pod['spec'])
    if not kinds:
        return None
    status = {condition['type']: condition['status'] for condition in (pod.get('status') or {}).get('conditions') or []}
    return '%d/%d' % (sum(1 for kind in kinds if status.get(kind) == 'True'), len(kinds))
