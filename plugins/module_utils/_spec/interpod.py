# -*- coding: utf-8 -*-
# Copyright (c) hostpods contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""PRIVATE: the API server's validation of the fields that place a pod against other pods: label
selectors, ``podAffinity`` and ``podAntiAffinity`` terms and ``topologySpreadConstraints``, with its
messages. Pure. What they do is ``_plan.interpod``."""

from __future__ import annotations

from ansible_collections.hostpods.core.plugins.module_utils._spec import podspec
from ansible_collections.hostpods.core.plugins.module_utils._spec.scheduling import (
    label_name_problems, label_value_problems, labels_errors)

SELECTOR_OPERATORS = ('In', 'NotIn', 'Exists', 'DoesNotExist')
WHEN_UNSATISFIABLE = ('DoNotSchedule', 'ScheduleAnyway')
INCLUSION_POLICIES = ('Honor', 'Ignore')
NOT_POSITIVE = 'must be greater than zero'


def label_selector_errors(selector, path):
    """``ValidateLabelSelector``: matchLabels as labels; each requirement's operator, values and key."""
    if selector is None:
        return []
    errors = labels_errors(selector.get('matchLabels') or {}, path + '.matchLabels')
    for index, requirement in enumerate(selector.get('matchExpressions') or []):
        where = '%s.matchExpressions[%d]' % (path, index)
        operator, values = requirement.get('operator'), requirement.get('values') or []
        if operator in ('In', 'NotIn') and not values:
            errors.append("%s.values: Required value: must be specified when `operator` is 'In' or 'NotIn'" % where)
        elif operator in ('Exists', 'DoesNotExist') and values:
            errors.append("%s.values: Forbidden: may not be specified when `operator` is 'Exists' or 'DoesNotExist'"
                          % where)
        elif operator not in SELECTOR_OPERATORS:
            errors += podspec.invalid(where + '.operator', operator or '', ['not a valid selector operator'])
        key = requirement.get('key') or ''
        problems = label_name_problems(key)
        errors += podspec.invalid(where + '.key', key, ['; '.join(problems)] if problems else [])
        for number, value in enumerate(values):
            problems = label_value_problems(value)
            if problems:
                errors += podspec.invalid('%s.values[%d]' % (where, number), value, ['; '.join(problems)])
    return errors


def _key_list_errors(keys, path, other=(), other_name=''):
    errors = []
    for index, key in enumerate(keys):
        problems = label_name_problems(key)
        if problems:
            errors += podspec.invalid('%s[%d]' % (path, index), key, ['; '.join(problems)])
        if key in other:
            errors += podspec.invalid('%s[%d]' % (path, index), key, ['exists in both matchLabelKeys and %s' % other_name])
    return errors


def affinity_term_errors(term, path):
    """``validatePodAffinityTerm``: its selectors, namespaces, match/mismatch label keys and topology key."""
    errors = label_selector_errors(term.get('labelSelector'), path + '.labelSelector')
    errors += label_selector_errors(term.get('namespaceSelector'), path + '.namespaceSelector')
    for index, name in enumerate(term.get('namespaces') or []):
        errors += podspec.name_errors(name, '%s.namespaces[%d]' % (path, index))
    match, mismatch = term.get('matchLabelKeys') or [], term.get('mismatchLabelKeys') or []
    if (match or mismatch) and term.get('labelSelector') is None:
        errors.append('%s.labelSelector: Forbidden: must be specified when matchLabelKeys or mismatchLabelKeys is set'
                      % path)
    errors += _key_list_errors(match, path + '.matchLabelKeys', set(mismatch), 'mismatchLabelKeys')
    errors += _key_list_errors(mismatch, path + '.mismatchLabelKeys')
    topology = term.get('topologyKey') or ''
    if not topology:
        return errors + ['%s.topologyKey: Required value: can not be empty' % path]
    problems = label_name_problems(topology)
    return errors + (podspec.invalid(path + '.topologyKey', topology, ['; '.join(problems)]) if problems else [])


def pod_affinity_errors(affinity, path):
    """``validatePodAffinity`` / ``validatePodAntiAffinity``: required terms, and weighted preferred ones."""
    errors = []
    for index, term in enumerate(affinity.get('requiredDuringSchedulingIgnoredDuringExecution') or []):
        errors += affinity_term_errors(term, '%s.requiredDuringSchedulingIgnoredDuringExecution[%d]' % (path, index))
    for index, weighted in enumerate(affinity.get('preferredDuringSchedulingIgnoredDuringExecution') or []):
        where = '%s.preferredDuringSchedulingIgnoredDuringExecution[%d]' % (path, index)
        weight = weighted.get('weight')
        if not isinstance(weight, int) or not 1 <= weight <= 100:
            errors.append('%s.weight: Invalid value: %s: must be in the range 1-100' % (where, podspec.excerpt(weight)))
        errors += affinity_term_errors(weighted.get('podAffinityTerm') or {}, where + '.podAffinityTerm')
    return errors


def _selector_keys(selector):
    keys = set((selector or {}).get('matchLabels') or {})
    return keys | {item.get('key') for item in (selector or {}).get('matchExpressions') or []}


def spread_errors(constraints, path='spec.topologySpreadConstraints'):
    """``validateTopologySpreadConstraints``: maxSkew, topologyKey, whenUnsatisfiable, one constraint a
    {topologyKey, whenUnsatisfiable}, minDomains, the node inclusion policies, matchLabelKeys, labelSelector."""
    errors = []
    for index, constraint in enumerate(constraints or []):
        where = '%s[%d]' % (path, index)
        skew, action = constraint.get('maxSkew'), constraint.get('whenUnsatisfiable')
        if not isinstance(skew, int) or skew <= 0:
            errors.append('%s.maxSkew: Invalid value: %s: %s' % (where, podspec.excerpt(skew), NOT_POSITIVE))
        if not constraint.get('topologyKey'):
            errors.append('%s.topologyKey: Required value: can not be empty' % where)
        if action not in WHEN_UNSATISFIABLE:
            errors.append('%s.whenUnsatisfiable: Unsupported value: %s: supported values: "%s"'
                          % (where, podspec.quoted(action or ''), '", "'.join(WHEN_UNSATISFIABLE)))
        if any(other.get('topologyKey') == constraint.get('topologyKey') and other.get('whenUnsatisfiable') == action
               for other in constraints[index + 1:]):
            errors.append('%s.{topologyKey, whenUnsatisfiable}: Duplicate value: "{%s, %s}"'
                          % (where, podspec.excerpt(constraint.get('topologyKey')), action))
        errors += _min_domains_errors(constraint.get('minDomains'), action, where + '.minDomains')
        for policy in ('nodeAffinityPolicy', 'nodeTaintsPolicy'):
            if constraint.get(policy) is not None and constraint[policy] not in INCLUSION_POLICIES:
                errors.append('%s.%s: Unsupported value: %s: supported values: "%s"'
                              % (where, policy, podspec.quoted(constraint[policy]), '", "'.join(INCLUSION_POLICIES)))
        keys = constraint.get('matchLabelKeys') or []
        if keys and constraint.get('labelSelector') is None:
            errors.append('%s.matchLabelKeys: Forbidden: must not be specified when labelSelector is not set' % where)
        errors += _key_list_errors(keys, where + '.matchLabelKeys', _selector_keys(constraint.get('labelSelector')),
                                   'labelSelector')
        errors += label_selector_errors(constraint.get('labelSelector'), where + '.labelSelector')
    return errors


def _min_domains_errors(min_domains, action, path):
    if min_domains is None:
        return []
    errors = [] if min_domains > 0 else ['%s: Invalid value: %d: %s' % (path, min_domains, NOT_POSITIVE)]
    if action != 'DoNotSchedule':
        errors.append('%s: Invalid value: %d: can only use minDomains if whenUnsatisfiable=DoNotSchedule, not %s'
                      % (path, min_domains, action))
    return errors


def interpod_errors(spec):
    """The API server's messages for a pod spec's pod (anti-)affinity and topology spread constraints."""
    affinity = spec.get('affinity') or {}
    errors = []
    for name in ('podAffinity', 'podAntiAffinity'):
        if affinity.get(name) is not None:
            errors += pod_affinity_errors(affinity[name], 'spec.affinity.' + name)
    return errors + spread_errors(spec.get('topologySpreadConstraints') or [])
