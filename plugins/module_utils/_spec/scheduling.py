# -*- coding: utf-8 -*-
# Copyright (c) hostpods contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""PRIVATE: the API server's validation of label keys and values and of the scheduling fields
(``nodeName``, ``nodeSelector``, node affinity, tolerations, ``schedulingGates``, ``schedulerName``,
``priorityClassName``, ``preemptionPolicy``), with its messages. Pure. Pod (anti-)affinity and topology
spread are ``_spec.interpod``."""

from __future__ import annotations

import re

from ansible_collections.hostpods.core.plugins.module_utils._spec import podspec

_NAME = re.compile(r'^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$')
_VALUE = re.compile(r'^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$')
_NAME_RULE = ("must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric "
              "character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is "
              "'([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')")
_VALUE_RULE = ("a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must "
               "start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used "
               "for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')")
EFFECTS = ('NoExecute', 'NoSchedule', 'PreferNoSchedule')
TOLERATION_OPERATORS = ('Equal', 'Exists', 'Gt', 'Lt')
PREEMPTION_POLICIES = ('Never', 'PreemptLowerPriority')
_DECIMAL_INTEGER = re.compile(r'^(0|-?[1-9][0-9]*)$')
DECIMAL_INTEGER_MSG = 'must be a valid decimal integer in canonical form'


def label_name_problems(key):
    """``validation.IsQualifiedName``: ``[prefix/]name``, the name a label key, the prefix a DNS subdomain."""
    parts = key.split('/')
    if len(parts) == 1:
        name = parts[0]
    elif len(parts) == 2:
        prefix, name = parts
        if not prefix:
            return ['prefix part must be non-empty']
        if not podspec.is_subdomain(prefix):
            return ['prefix part ' + podspec.SUBDOMAIN_MSG]
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
    return podspec.invalid(path, value, ['; '.join(problems)]) if problems else []


def labels_errors(labels, path):
    """``ValidateLabels`` (metadata.labels, nodeSelector): each key a qualified name, each value a label value."""
    errors = []
    for key, value in sorted(labels.items()):
        errors += podspec.invalid(path, key, label_name_problems(key))
        errors += podspec.invalid(path, value, label_value_problems(value))
    return errors


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
        errors += podspec.invalid(path + '.operator', operator or '', ['not a valid selector operator'])
    return errors + _invalid(path + '.key', requirement.get('key') or '', label_name_problems(requirement.get('key') or ''))


def _field_requirement_errors(requirement, path):
    errors = []
    if requirement.get('operator') in ('In', 'NotIn'):
        if len(requirement.get('values') or []) != 1:
            errors.append("%s.values: Required value: must be only one value when `operator` is 'In' or 'NotIn' for "
                          "node field selector" % path)
    else:
        errors += podspec.invalid(path + '.operator', requirement.get('operator') or '',
                                  ['not a valid selector operator'])
    if requirement.get('key') != 'metadata.name':
        errors.append('%s.key: Unsupported value: %s: supported values: "metadata.name"'
                      % (path, podspec.quoted(requirement.get('key') or '')))
    return errors


def _term_errors(term, path):
    errors = []
    for index, requirement in enumerate((term or {}).get('matchExpressions') or []):
        errors += _requirement_errors(requirement, '%s.matchExpressions[%d]' % (path, index))
    for index, requirement in enumerate((term or {}).get('matchFields') or []):
        errors += _field_requirement_errors(requirement, '%s.matchFields[%d]' % (path, index))
    return errors


def toleration_errors(toleration, path):
    key, operator = toleration.get('key') or '', toleration.get('operator') or ''
    value, effect = toleration.get('value') or '', toleration.get('effect') or ''
    errors = _invalid(path + '.key', key, label_name_problems(key)) if key else []
    if not key and operator != 'Exists':
        errors.append('%s.operator: Invalid value: %s: operator must be Exists when `key` is empty, which means '
                      '"match all values and all keys"' % (path, podspec.quoted(operator)))
    if toleration.get('tolerationSeconds') is not None and effect != 'NoExecute':
        errors.append("%s.effect: Invalid value: %s: effect must be 'NoExecute' when `tolerationSeconds` is set"
                      % (path, podspec.quoted(effect)))
    if operator in ('', 'Equal'):
        errors += _invalid(path + '.operator', value, label_value_problems(value))
    elif operator == 'Exists':
        if value:
            errors.append("%s.operator: Invalid value: %s: value must be empty when `operator` is 'Exists'"
                          % (path, podspec.quoted(value)))
    elif operator in ('Gt', 'Lt'):  # compared as int64 with the taint's value (TaintTolerationComparisonOperators)
        if not _DECIMAL_INTEGER.match(value) or not -2 ** 63 <= int(value) < 2 ** 63:
            errors += podspec.invalid(path + '.value', value, [DECIMAL_INTEGER_MSG])
    else:
        errors.append('%s.operator: Unsupported value: %s: supported values: "%s"'
                      % (path, podspec.quoted(operator), '", "'.join(TOLERATION_OPERATORS)))
    if effect and effect not in EFFECTS:
        errors.append('%s.effect: Unsupported value: %s: supported values: "%s"'
                      % (path, podspec.quoted(effect), '", "'.join(EFFECTS)))
    return errors


def scheduling_errors(spec):
    """The API server's messages for a pod spec's ``nodeName``, ``nodeSelector``, node affinity and tolerations."""
    errors = []
    node_name = spec.get('nodeName')
    if node_name:
        if not podspec.is_subdomain(node_name):
            errors += podspec.invalid('spec.nodeName', node_name, [podspec.SUBDOMAIN_MSG])
    errors += labels_errors(spec.get('nodeSelector') or {}, 'spec.nodeSelector')
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
            errors.append('%s.weight: Invalid value: %s: must be in the range 1-100' % (where, podspec.excerpt(weight)))
        errors += _term_errors(preferred.get('preference'), where + '.preference')
    for index, toleration in enumerate(spec.get('tolerations') or []):
        errors += toleration_errors(toleration, 'spec.tolerations[%d]' % index)
    return errors + _gate_errors(spec) + _priority_errors(spec)


def _gate_errors(spec):
    """``validateSchedulingGates`` (qualified names, no duplicates), and no ``nodeName`` while gated."""
    errors, seen = [], set()
    for index, gate in enumerate(spec.get('schedulingGates') or []):
        name, where = gate.get('name') or '', 'spec.schedulingGates[%d]' % index
        errors += _invalid(where, name, label_name_problems(name))
        if name in seen:
            errors.append('%s: Duplicate value: %s' % (where, podspec.quoted(name)))
        seen.add(name)
    if spec.get('schedulingGates') and spec.get('nodeName'):
        errors.append('spec.nodeName: Forbidden: cannot be set until all schedulingGates have been removed')
    if spec.get('schedulerName') is not None:
        errors += podspec.name_errors(spec['schedulerName'], 'spec.schedulerName', subdomain=True)
    return errors


def _priority_errors(spec):
    errors = []
    if spec.get('priorityClassName'):
        errors += podspec.name_errors(spec['priorityClassName'], 'spec.priorityClassName', subdomain=True)
    policy = spec.get('preemptionPolicy')
    if policy is not None and policy not in PREEMPTION_POLICIES:
        errors.append('spec.preemptionPolicy: Unsupported value: %s: supported values: "%s"'
                      % (podspec.quoted(policy), '", "'.join(PREEMPTION_POLICIES)))
    return errors


# ----------------------------------------------------------------------------- this node
