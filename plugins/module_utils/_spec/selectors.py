# -*- coding: utf-8 -*-
# Copyright (c) hostpods contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""PRIVATE: Kubernetes label selectors: kubectl's text (``app=web``, ``tier!=db``, ``env in (a,b)``,
``!legacy``) and the API's ``LabelSelector`` objects, as one list of requirements. Pure."""

from __future__ import annotations

import re

from ansible_collections.hostpods.core.plugins.module_utils._errors import ManifestError

_SET = re.compile(r'^([^\s!=(),]+)\s+(in|notin)\s+\(([^)]*)\)$')
_EQUALITY = re.compile(r'^([^\s!=(),]+)\s*(==|=|!=)\s*([^\s!=(),]*)$')
_EXISTS = re.compile(r'^(!?)\s*([^\s!=(),]+)$')


def split_requirements(selector):
    """Split ``"a=b,c in (x,y)"`` on the commas that are outside parentheses."""
    parts, depth, current = [], 0, ''
    for char in selector:
        if char == '(':
            depth += 1
        elif char == ')':
            depth -= 1
        if char == ',' and depth == 0:
            parts.append(current)
            current = ''
        else:
            current += char
    parts.append(current)
    return [part.strip() for part in parts if part.strip()]


def parse(selectors):
    """A list of requirements ``(key, operator, values)`` from a list of selector strings."""
    requirements = []
    for selector in selectors or []:
        for text in split_requirements(selector):
            match = _SET.match(text)
            if match:
                values = {v.strip() for v in match.group(3).split(',') if v.strip()}
                requirements.append((match.group(1), match.group(2), values))
                continue
            match = _EQUALITY.match(text)
            if match:
                operator = '!=' if match.group(2) == '!=' else '='
                requirements.append((match.group(1), operator, {match.group(3)}))
                continue
            match = _EXISTS.match(text)
            if match:
                requirements.append((match.group(2), '!' if match.group(1) else 'exists', set()))
                continue
            raise ManifestError('invalid label selector "%s": expected key=value, key!=value, key in (a,b), '
                                'key notin (a,b), key or !key' % text)
    return requirements


SELECTOR_OPERATORS = {'In': 'in', 'NotIn': 'notin', 'Exists': 'exists', 'DoesNotExist': '!'}


def from_label_selector(selector):
    """``metav1.LabelSelectorAsSelector``: the requirements of a LabelSelector object (``matchLabels`` and
    ``matchExpressions``), or None for a null selector, which matches nothing (``{}`` matches everything)."""
    if selector is None:
        return None
    requirements = [(key, '=', {value}) for key, value in sorted((selector.get('matchLabels') or {}).items())]
    for item in selector.get('matchExpressions') or []:
        requirements.append((item.get('key'), SELECTOR_OPERATORS[item.get('operator')], set(item.get('values') or [])))
    return requirements


def matches(requirements, labels):
    labels = labels or {}
    for key, operator, values in requirements:
        present = key in labels
        if operator == '=' and not (present and labels[key] in values):
            return False
        if operator == 'in' and not (present and labels[key] in values):
            return False
        if operator == '!=' and present and labels[key] in values:
            return False
        if operator == 'notin' and present and labels[key] in values:
            return False
        if operator == 'exists' and not present:
            return False
        if operator == '!' and present:
            return False
    return True


def select(records, requirements, namespace=None, name=None):
    """The records (``{(ns, name): PodRecord}``) a query names, sorted by namespace and name."""
    out = []
    for key in sorted(records):
        record = records[key]
        if namespace is not None and key[0] != namespace:
            continue
        if name is not None and key[1] != name:
            continue
        applied = record.applied or {}
        if not matches(requirements, (applied.get('metadata') or {}).get('labels')):
            continue
        out.append(record)
    return out
