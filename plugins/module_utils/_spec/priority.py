# -*- coding: utf-8 -*-
# Copyright (c) hostpods contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""PRIVATE: pod priority as the API server gives it: ``PriorityClass`` objects (validated as
``ValidatePriorityClass`` does) and the Priority admission plugin, which turns a pod's
``priorityClassName`` into ``spec.priority`` and ``spec.preemptionPolicy``. Pure.

The classes are the two built-in ones and the ``PriorityClass`` objects of the same apply (a node keeps
none: a pod's resolved ``spec.priority`` is what it keeps). A ``globalDefault`` class gives its value
to the pods of the apply that name no class, as on a cluster.
"""

from __future__ import annotations

from ansible_collections.hostpods.core.plugins.module_utils._spec import podspec

KIND, API_VERSION = 'PriorityClass', 'scheduling.k8s.io/v1'
SYSTEM_PREFIX = 'system-'
SYSTEM_CLASSES = {'system-node-critical': 2000001000, 'system-cluster-critical': 2000000000}
HIGHEST_USER_PRIORITY = 1000000000
DEFAULT_PRIORITY = 0  # no class and no global default
DEFAULT_POLICY = 'PreemptLowerPriority'
POLICIES = ('Never', 'PreemptLowerPriority')


def normalise(doc):
    """A PriorityClass as the API server stores it (``preemptionPolicy`` defaulted)."""
    meta = doc.get('metadata') or {}
    return {'apiVersion': API_VERSION, 'kind': KIND,
            'metadata': {'name': meta.get('name'), 'labels': meta.get('labels') or {},
                         'annotations': meta.get('annotations') or {}},
            'value': doc.get('value'), 'globalDefault': bool(doc.get('globalDefault')),
            'description': doc.get('description') or '', 'preemptionPolicy': doc.get('preemptionPolicy') or DEFAULT_POLICY}


def class_errors(obj):
    """``ValidatePriorityClass``: a DNS subdomain name, ``system-`` names reserved for the built-in classes,
    a value of at most 1000000000, a known preemption policy."""
    name, value = obj['metadata']['name'], obj['value']
    errors = podspec.name_errors(name, 'metadata.name', subdomain=True)
    if value is None:
        errors.append('value: Required value')
    elif name and name.startswith(SYSTEM_PREFIX):
        if SYSTEM_CLASSES.get(name) != value or obj['globalDefault']:
            errors.append("metadata.name: Forbidden: priority class names with '%s' prefix are reserved for system "
                          "use only. error: %s is not a known system priority class" % (SYSTEM_PREFIX, podspec.excerpt(name)))
    elif value > HIGHEST_USER_PRIORITY:
        errors.append('value: Forbidden: maximum allowed value of a user defined priority is %d' % HIGHEST_USER_PRIORITY)
    if obj['preemptionPolicy'] not in POLICIES:
        errors.append('preemptionPolicy: Unsupported value: %s: supported values: "%s"'
                      % (podspec.quoted(obj['preemptionPolicy']), '", "'.join(POLICIES)))
    return errors


def default_class(classes):
    """``(the globalDefault class or None, errors)``: only one class may be the default."""
    defaults = [obj for obj in classes if obj['globalDefault']]
    errors = ['PriorityClass "%s": globalDefault: Forbidden: PriorityClass %s is already marked as default. Only one '
              'default can exist' % (obj['metadata']['name'], defaults[0]['metadata']['name']) for obj in defaults[1:]]
    return (defaults[0] if defaults else None), errors


def _resolve(spec, classes, default):
    """``(class name, value, policy)`` the Priority admission plugin gives a pod spec, or a string: why it refuses."""
    name = spec.get('priorityClassName') or ''
    if not name:
        if default is None:
            return '', DEFAULT_PRIORITY, DEFAULT_POLICY
        return default['metadata']['name'], default['value'], default['preemptionPolicy']
    if name in SYSTEM_CLASSES:
        return name, SYSTEM_CLASSES[name], DEFAULT_POLICY
    found = classes.get(name)
    if found is None:
        return 'no PriorityClass with name %s was found' % podspec.excerpt(name)
    return name, found['value'], found['preemptionPolicy']


def admit(pod, classes, default):
    """Resolve a defaulted pod's priority in place, as the Priority admission plugin does on create.

    ``classes``: ``{name: PriorityClass}`` of the apply; ``default``: its globalDefault class. Sets
    ``priorityClassName`` (the default class's name when the pod names none), ``priority`` and
    ``preemptionPolicy`` when a class applies; a pod under no class keeps neither (its priority is 0).
    Returns the plugin's refusals (``pods "web" is forbidden: ...``)."""
    spec = pod['spec']
    resolved = _resolve(spec, classes, default)
    forbidden = 'pods "%s" is forbidden: ' % podspec.excerpt(pod['metadata']['name'])
    if isinstance(resolved, str):
        return [forbidden + resolved]
    name, value, policy = resolved
    errors = []
    if spec.get('priority') is not None and spec['priority'] != value:
        errors.append(forbidden + 'the integer value of priority (%d) must not be provided in pod spec; priority '
                      'admission controller computed %d from the given PriorityClass name' % (spec['priority'], value))
    if name and spec.get('preemptionPolicy') is not None and spec['preemptionPolicy'] != policy:
        errors.append(forbidden + 'the string value of PreemptionPolicy (%s) must not be provided in pod spec; priority '
                      'admission controller computed %s from the given PriorityClass name'
                      % (podspec.excerpt(spec['preemptionPolicy']), policy))
    if name and not errors:
        spec.update(priorityClassName=name, priority=value, preemptionPolicy=policy)
    return errors


def pod_priority(spec):
    """A defaulted pod spec's priority (0 under no class)."""
    return spec.get('priority') or DEFAULT_PRIORITY
