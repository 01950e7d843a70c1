# -*- coding: utf-8 -*-
# Copyright (c) hostpods contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""PRIVATE: what kube-scheduler's TaintToleration and NodeAffinity plugins match: tolerations against taints
(operators ``Equal``, ``Exists``, and ``Lt``/``Gt``, which compare the values as int64), node selector terms
against a node's labels and name. Pure; used by ``_plan.scheduler``."""

from __future__ import annotations

import re

_DECIMAL = re.compile(r'^[+-]?[0-9]+$')
_CANONICAL = re.compile(r'^(0|-?[1-9][0-9]*)$')  # content.IsDecimalInteger


def _canonical_int64(text):
    """The int64 of a value in canonical decimal form (``IsDecimalInteger``), else None."""
    if not isinstance(text, str) or not _CANONICAL.match(text):
        return None
    number = int(text)
    return number if -2 ** 63 <= number < 2 ** 63 else None


def tolerates(toleration, taint):
    """``Toleration.ToleratesTaint``: an empty effect or key matches all; Exists matches every value; Lt and Gt
    tolerate a taint whose value, as an int64, is less or greater than the toleration's."""
    effect = toleration.get('effect') or ''
    if effect and effect != (taint.get('effect') or ''):
        return False
    key = toleration.get('key') or ''
    if key and key != (taint.get('key') or ''):
        return False
    operator = toleration.get('operator') or 'Equal'
    if operator == 'Equal':
        return (toleration.get('value') or '') == (taint.get('value') or '')
    if operator in ('Lt', 'Gt'):
        wanted, have = _canonical_int64(toleration.get('value') or ''), _canonical_int64(taint.get('value') or '')
        if wanted is None or have is None:
            return False
        return have < wanted if operator == 'Lt' else have > wanted
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
