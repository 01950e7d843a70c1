# -*- coding: utf-8 -*-
# Copyright (c) hostpods contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""PRIVATE: where pods may run, between the pure scheduler (``_scheduler``) and the callers.

- ``scheduling_errors``: the API server's validation of ``nodeName``, ``nodeSelector``, node
  affinity and tolerations (pure).
- ``read_node_facts`` / ``node_from_facts``: this node as the scheduler sees it, from the node
  facts the node role writes (``/etc/ansible/facts.d/hostpods.fact``) or, without them, from the
  host (its name, cpu and memory; no taints).
- ``admit``: the check ``hostpods.core.pod`` makes on ONE node before touching anything: the pods
  that may run here, and a decision (Pending/Unschedulable, or Failed when a kubelet would reject
  a pod bound to this node) for the others (pure).
- ``place``: the decision ``hostpods.core.pod_schedule`` takes on the controller for MANY nodes:
  one node a pod, stickiness included, and what each node must apply and delete (pure).
"""

from __future__ import annotations

import json
import os
import re
import socket
import subprocess

from ansible_collections.hostpods.core.plugins.module_utils._plan import scheduler as scheduler
from ansible_collections.hostpods.core.plugins.module_utils._errors import HostpodsError
from ansible_collections.hostpods.core.plugins.module_utils._views.status import qos_class

NODE_FACTS = '/etc/ansible/facts.d/hostpods.fact'
# The kubelet's default --pod-infra-container-image.
DEFAULT_SANDBOX_IMAGE = 'registry.k8s.io/pause:3.10'
HOSTNAME_LABEL = 'kubernetes.io/hostname'
TERMINAL_PHASES = ('Succeeded', 'Failed')
UNSCHEDULABLE, REJECTED = 'unschedulable', 'rejected'  # the ``action`` of a pod that is not placed

_NAME = re.compile(r'^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$')
_VALUE = re.compile(r'^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$')
_SUBDOMAIN = re.compile(r'^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$')
_NAME_RULE = ("must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric "
              "character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is "
              "'([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')")
_VALUE_RULE = ("a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must "
               "start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used "
               "for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')")
_SUBDOMAIN_RULE = ("a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and "
                   "must start and end with an alphanumeric character")
EFFECTS = ('NoExecute', 'NoSchedule', 'PreferNoSchedule')


# ----------------------------------------------------------------------------- validation (as the API server)

def label_name_problems(key):
    """``validation.IsQualifiedName``: ``[prefix/]name``, the name a label key, the prefix a DNS subdomain."""
    parts = key.split('/')
    if len(parts) == 1:
        name = parts[0]
    elif len(parts) == 2:
        prefix, name = parts
        if not prefix:
            return ['prefix part must be non-empty']
        if len(prefix) > 253 or not _SUBDOMAIN.match(prefix):
            return ['prefix part ' + _SUBDOMAIN_RULE]
    else:
        return ["a qualified name " + _NAME_RULE + " with an optional DNS subdomain prefix and '/' "
                "(e.g. 'example.com/MyName')"]
    if not name:
        return ['name part must be non-empty']
    if len(name) > 63:
        return ['name part must be no more than 63 characters']
    return [] if _NAME.match(name) else ['name part ' + _NAME_RULE]


def label_value_problems(value):
    problems = ['must be no more than 63 characters'] if len(value) > 63 else []
    return problems + ([] if _VALUE.match(value) else [_VALUE_RULE])


def _invalid(path, value, problems):
    return ['%s: Invalid value: "%s": %s' % (path, value, '; '.join(problems))] if problems else []


def _requirement_errors(requirement, path):
    operator, values = requirement.get('operator'), requirement.get('values') or []
    errors = []
    if operator in ('In', 'NotIn'):
        if not values:
            errors.append("%s.values: Required value: must be specified when `operator` is 'In' or 'NotIn'" % path)
    elif operator in ('Exists', 'DoesNotExist'):
        if values:
            errors.append("%s.values: Forbidden: may not be specified when `operator` is 'Exists' or 'DoesNotExist'" % path)
    elif operator in ('Gt', 'Lt'):
        if len(values) != 1:
            errors.append("%s.values: Required value: must be specified single value when `operator` is 'Lt' or 'Gt'" % path)
    else:
        errors.append('%s.operator: Invalid value: "%s": not a valid selector operator' % (path, operator or ''))
    return errors + _invalid(path + '.key', requirement.get('key') or '', label_name_problems(requirement.get('key') or ''))


def _field_requirement_errors(requirement, path):
    errors = []
    if requirement.get('operator') in ('In', 'NotIn'):
        if len(requirement.get('values') or []) != 1:
            errors.append("%s.values: Required value: must be only one value when `operator` is 'In' or 'NotIn' for "
                          "node field selector" % path)
    else:
        errors.append('%s.operator: Invalid value: "%s": not a valid selector operator' % (path, requirement.get('operator') or ''))
    if requirement.get('key') != 'metadata.name':
        errors.append('%s.key: Unsupported value: "%s": supported values: "metadata.name"' % (path, requirement.get('key') or ''))
    return errors


def _term_errors(term, path):
    errors = []
    for index, requirement in enumerate((term or {}).get('matchExpressions') or []):
        errors += _requirement_errors(requirement, '%s.matchExpressions[%d]' % (path, index))
    for index, requirement in enumerate((term or {}).get('matchFields') or []):
        errors += _field_requirement_errors(requirement, '%s.matchFields[%d]' % (path, index))
    return errors


def _toleration_errors(toleration, path):
    key, operator = toleration.get('key') or '', toleration.get('operator') or ''
    value, effect = toleration.get('value') or '', toleration.get('effect') or ''
    errors = _invalid(path + '.key', key, label_name_problems(key)) if key else []
    if not key and operator != 'Exists':
        errors.append('%s.operator: Invalid value: "%s": operator must be Exists when `key` is empty, which means '
                      '"match all values and all keys"' % (path, operator))
    if toleration.get('tolerationSeconds') is not None and effect != 'NoExecute':
        errors.append("%s.effect: Invalid value: \"%s\": effect must be 'NoExecute' when `tolerationSeconds` is set"
                      % (path, effect))
    if operator in ('', 'Equal'):
        errors += _invalid(path + '.operator', value, label_value_problems(value))
    elif operator == 'Exists':
        if value:
            errors.append("%s.operator: Invalid value: \"%s\": value must be empty when `operator` is 'Exists'" % (path, value))
    else:
        errors.append('%s.operator: Unsupported value: "%s": supported values: "Equal", "Exists"' % (path, operator))
    if effect and effect not in EFFECTS:
        errors.append('%s.effect: Unsupported value: "%s": supported values: "%s"' % (path, effect, '", "'.join(EFFECTS)))
    return errors


def scheduling_errors(spec):
    """The API server's messages for a pod spec's ``nodeName``, ``nodeSelector``, node affinity and tolerations."""
    errors = []
    node_name = spec.get('nodeName')
    if node_name:
        if len(node_name) > 253 or not _SUBDOMAIN.match(node_name):
            errors.append('spec.nodeName: Invalid value: "%s": %s' % (node_name, _SUBDOMAIN_RULE))
    for key, value in sorted((spec.get('nodeSelector') or {}).items()):
        errors += _invalid('spec.nodeSelector', key, label_name_problems(key))
        errors += _invalid('spec.nodeSelector', value, label_value_problems(value))
    path = 'spec.affinity.nodeAffinity'
    affinity = (spec.get('affinity') or {}).get('nodeAffinity') or {}
    required = affinity.get('requiredDuringSchedulingIgnoredDuringExecution')
    if required is not None:
        where = path + '.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms'
        terms = required.get('nodeSelectorTerms') or []
        if not terms:
            errors.append('%s: Required value: must have at least one node selector term' % where)
        for index, term in enumerate(terms):
            errors += _term_errors(term, '%s[%d]' % (where, index))
    for index, preferred in enumerate(affinity.get('preferredDuringSchedulingIgnoredDuringExecution') or []):
        where = '%s.preferredDuringSchedulingIgnoredDuringExecution[%d]' % (path, index)
        weight = preferred.get('weight')
        if not isinstance(weight, int) or not 1 <= weight <= 100:
            errors.append('%s.weight: Invalid value: %s: must be in the range 1-100' % (where, weight))
        errors += _term_errors(preferred.get('preference'), where + '.preference')
    for index, toleration in enumerate(spec.get('tolerations') or []):
        errors += _toleration_errors(toleration, 'spec.tolerations[%d]' % index)
    return errors


# ----------------------------------------------------------------------------- this node

def read_node_facts(path=NODE_FACTS):
    """The node facts the node role writes (JSON, or an executable fact script printing it); None without them."""
    if not os.path.exists(path):
        return None
    try:
        with open(path, encoding='utf-8') as handle:
            text = handle.read()
        try:
            facts = json.loads(text)
        except ValueError:
            if not os.access(path, os.X_OK):
                raise
            facts = json.loads(subprocess.run([path], capture_output=True, text=True, check=True, timeout=30).stdout)
    except (OSError, ValueError, subprocess.SubprocessError) as exc:
        raise HostpodsError('cannot read the node facts %s: %s' % (path, exc))
    if not isinstance(facts, dict):
        raise HostpodsError('cannot read the node facts %s: not a JSON object' % path)
    return facts


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

def record_finished(record):
    """Whether a pod on the host has finished (Succeeded or Failed): it then holds no resources."""
    applied = record.applied
    if not applied or applied['spec'].get('restartPolicy', 'Always') == 'Always':
        return False
    for container in applied['spec'].get('containers') or []:
        latest = record.latest(container['name'])
        if latest is None or latest.running or latest.exit_code is None:
            return False
    return True


def _key(pod):
    return pod['metadata']['namespace'], pod['metadata']['name']


def admit(pods, node, records):
    """The pods that may run on ``node``, and ``{key: decision}`` for the others.

    ``records`` are the pods on the node now: each holds what it requests (a finished one does
    not), and a pod of the batch already here stays while the node still admits it (stickiness),
    so re-applying never fails for want of room. The decisions are ``_scheduler``'s.
    """
    batch = {_key(pod) for pod in pods}
    placed = {key: {'node': node['name'], 'pod': record.applied} for key, record in records.items()
              if record.applied and (key in batch or not record_finished(record))}
    try:
        outcomes = scheduler.schedule(pods, [node], placed)
    except ValueError as exc:
        raise HostpodsError('cannot schedule on node %s: %s' % (node['name'], exc))
    admitted = [pod for pod in pods if outcomes[_key(pod)]['node'] == node['name']]
    refused = {key: outcome for key, outcome in outcomes.items() if outcome['node'] != node['name']}
    return admitted, refused


def not_placed_object(pod, outcome):
    """The Pod object of a pod no node runs: Pending with ``PodScheduled=False`` (reason Unschedulable
    and kube-scheduler's message), or Failed with the kubelet's reason and ``Pod was rejected: ...``."""
    meta = {key: pod['metadata'][key] for key in ('name', 'namespace', 'labels', 'annotations') if key in pod['metadata']}
    status = {'phase': outcome['phase'], 'conditions': [], 'qosClass': qos_class(pod['spec'])}
    condition = scheduler.pod_scheduled_condition(outcome)
    if condition:
        status['conditions'].append(condition)
    if outcome['phase'] == 'Failed':
        status.update(reason=outcome['reason'], message=outcome['message'])
    return {'apiVersion': 'v1', 'kind': 'Pod', 'metadata': meta, 'spec': pod['spec'], 'status': status,
            'action': REJECTED if outcome['phase'] == 'Failed' else UNSCHEDULABLE}


def refusal_message(outcomes):
    """One line naming each pod not placed and why: ``default/big: 0/1 nodes are available: ...``."""
    return '; '.join('%s/%s: %s' % (key[0], key[1], outcome['message']) for key, outcome in outcomes)


def sandbox_image(given=None, facts_path=NODE_FACTS):
    """The sandbox (pause) image of this node's pods: ``given``, else the node facts' ``sandboxImage``
    (the image the node role provided), else ``DEFAULT_SANDBOX_IMAGE``."""
    if given:
        return given
    return (read_node_facts(facts_path) or {}).get('sandboxImage') or DEFAULT_SANDBOX_IMAGE


def node_address(facts_path=NODE_FACTS):
    """This node's address from its facts (the node role records it), or None: pods report it as
    ``status.hostIP`` (and hostNetwork pods as their ``podIP``), as a kubelet reports the node's IP.
    Unreadable facts give None here: deleting pods must not fail on them (applying pods and
    pod_info report them, through ``local_node``)."""
    try:
        return (read_node_facts(facts_path) or {}).get('address') or None
    except HostpodsError:
        return None


def local_node(node_name=None, allocatable=None, facts_path=NODE_FACTS):
    """This host as a node: its facts file when there is one (see ``node_from_facts``)."""
    return node_from_facts(read_node_facts(facts_path), socket.gethostname(), allocatable, node_name)


class NodeGate:
    """The scheduling check of one ``hostpods.core.pod`` call on its node.

    ``admit`` keeps the pods that may run here (the others are not planned, so nothing on the host
    changes for them); ``report`` puts the refused pods back in the returned ``pods``, in the order
    given, and names this node in every pod's ``spec.nodeName``.
    """

    def __init__(self, node, placement=None):
        self.node = node
        self.placement = placement or {}
        self.order = []
        self.refused = {}
        self.wanted = {}
        self.elsewhere = set()

    def admit(self, pods, records):
        """The pods to plan here. With a ``placement`` (``{"namespace/name": node or None}``, as
        ``hostpods.core.pod_schedule`` returns it), a pod it places on another node or on none is
        left out: another node runs it, or the play reports it."""
        mine = []
        for pod in pods:
            where = self.placement.get('%s/%s' % _key(pod), self.node['name'])
            if where != self.node['name']:
                self.elsewhere.add(_key(pod))
            else:
                mine.append(pod)
        self.order = [_key(pod) for pod in mine]
        self.wanted = {_key(pod): pod for pod in mine}
        admitted, self.refused = admit(mine, self.node, records)
        return admitted

    def kept(self, keys):
        """``keys`` without the pods this call does not plan."""
        return [key for key in keys if key not in self.refused and key not in self.elsewhere]

    def report(self, entries):
        by_key = {(entry['metadata']['namespace'], entry['metadata']['name']): entry for entry in entries}
        for key, outcome in self.refused.items():
            by_key[key] = not_placed_object(self.wanted[key], outcome)
        for entry in by_key.values() if self.node else ():
            if entry.get('spec') is not None and entry.get('action') not in (UNSCHEDULABLE, REJECTED, 'deleted', 'absent'):
                entry['spec'] = dict(entry['spec'], nodeName=self.node['name'])
        ordered = [by_key.pop(key) for key in self.order if key in by_key]
        return ordered + list(by_key.values())

    def runtime_node(self):
        """This node for the downward API: its name, address (when known) and allocatable cpu
        (millicores) and memory (bytes)."""
        if not self.node:
            return None
        allocatable = scheduler.NodeInfo(self.node).allocatable
        return {'name': self.node['name'], 'address': self.node.get('address'),
                'allocatable': {name: allocatable[name] for name in ('cpu', 'memory') if name in allocatable}}

    def message(self):
        """Why the call fails: the pods this node does not take, each with the scheduler's message."""
        if not self.refused:
            return ''
        return '%d pod(s) cannot run on node %s: %s' % (
            len(self.refused), self.node['name'], refusal_message((key, self.refused[key]) for key in self.order if key in self.refused))


# ----------------------------------------------------------------------------- many nodes (hostpods.core.pod_schedule)

def _holds_resources(obj):
    return ((obj.get('status') or {}).get('phase')) not in TERMINAL_PHASES


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
