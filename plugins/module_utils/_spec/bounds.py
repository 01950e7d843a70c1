# -*- coding: utf-8 -*-
# Copyright (c) hostpods contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""PRIVATE: what reading and refusing a manifest may cost, so that no input can exhaust the controller. Pure.

- A manifest text (a file, a ``definition`` string, a rendered template) is at most ``MAX_TEXT_BYTES``.
- YAML is read by ``_spec.yaml_bounds.Loader``, a safe loader (libyaml's parser when PyYAML has it) that counts what the
  document would be once its aliases are expanded: a document nested deeper than ``MAX_DEPTH`` levels, a recursive alias, or aliases
  (merge keys included) that would expand a text past ``MAX_EXPANDED`` are refused while the text is
  composed, before anything is built from it (the "billion laughs" of a kilobyte).
- Documents given as data (a dict or a list) are measured the same way by ``data_problem``.
- Error messages stay short: ``error_lines`` keeps at most ``MAX_ERRORS`` messages of a manifest,
  each at most ``MAX_ERROR_CHARS`` characters; ``batch_lines`` at most ``MAX_MANIFESTS`` manifests.

The size of a document is counted in units that are about its bytes in YAML or JSON: one per
node (mapping, sequence or scalar) plus the characters of each scalar, every alias counted as the
whole node it stands for.
"""

from __future__ import annotations

from ansible_collections.hostpods.core.plugins.module_utils._spec.podspec import excerpt

MAX_TEXT_BYTES = 8 * 1024 * 1024
MAX_EXPANDED = MAX_TEXT_BYTES
MAX_DEPTH = 100
MAX_INT_DIGITS = 100
MAX_ERROR_CHARS = 1024
MAX_ERRORS = 10
MAX_MANIFESTS = 20

TOO_DEEP = 'nested deeper than %d levels (hostpods reads at most %d)' % (MAX_DEPTH, MAX_DEPTH)
RECURSIVE = 'a recursive alias (a node that contains itself) cannot be applied'
TOO_BIG = ('expands to more than %d bytes once its aliases are expanded (a YAML alias bomb?); hostpods reads '
           'at most %d bytes of manifests from one text' % (MAX_EXPANDED, MAX_EXPANDED))


def text_problem(size):
    """Why a text of ``size`` bytes is refused, or None."""
    if size > MAX_TEXT_BYTES:
        return 'Too long: %d bytes: hostpods reads at most %d bytes (8 MiB) of manifests from one file or text' \
            % (size, MAX_TEXT_BYTES)
    return None


def text_size(text):
    """The UTF-8 size of ``text``, without encoding a text that is too long anyway."""
    return len(text) if len(text) > MAX_TEXT_BYTES else len(text.encode('utf-8', errors='replace'))


def data_problem(value):
    """Why a document given as data (dicts, lists, scalars) is refused, or None: the same bounds as text."""
    try:
        return TOO_BIG if _measure(value, 1, {}, set()) > MAX_EXPANDED else None
    except _Refused as exc:
        return exc.args[0]


class _Refused(Exception):
    pass


def _measure(value, depth, done, active):
    if depth > MAX_DEPTH:
        raise _Refused(TOO_DEEP)
    if isinstance(value, str):
        return 1 + len(value)
    if not isinstance(value, (dict, list)):
        return 1
    key = id(value)
    if key in done:
        return done[key]
    if key in active:
        raise _Refused(RECURSIVE)
    active.add(key)
    total = 1
    for item in (value.items() if isinstance(value, dict) else value):
        if isinstance(value, dict):
            total += _measure(item[0], depth + 1, done, active) + _measure(item[1], depth + 1, done, active)
        else:
            total += _measure(item, depth + 1, done, active)
        if total > MAX_EXPANDED:
            raise _Refused(TOO_BIG)
    active.discard(key)
    done[key] = total
    return total


def error_lines(errors):
    """At most ``MAX_ERRORS`` messages, each cut to ``MAX_ERROR_CHARS``, and how many more there were."""
    out = [excerpt(error, MAX_ERROR_CHARS) for error in errors[:MAX_ERRORS]]
    if len(errors) > MAX_ERRORS:
        out.append('... and %d more problems' % (len(errors) - MAX_ERRORS))
    return out


def batch_lines(problems):
    """At most ``MAX_MANIFESTS`` manifests' problems, and how many more manifests had problems."""
    out = list(problems[:MAX_MANIFESTS])
    if len(problems) > MAX_MANIFESTS:
        out.append('... and %d more manifests with problems' % (len(problems) - MAX_MANIFESTS))
    return out
