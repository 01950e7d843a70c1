# -*- coding: utf-8 -*-
# Copyright (c) hostpods contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""PRIVATE: Kubernetes' $(VAR) expansion for env values, command and args, and a volume mount's
``subPathExpr`` (as the kubelet's ``ExpandContainerVolumeMounts`` and ``makeMounts``). Pure.

``$(NAME)`` is replaced by the variable's value when it is known and left as it is when not;
``$$`` is an escaped ``$`` (so ``$$(NAME)`` gives the literal ``$(NAME)``); any other ``$x`` stays.
"""

from __future__ import annotations


class ExpansionError(ValueError):
    """A ``subPathExpr`` the kubelet cannot use; the message is the kubelet's."""


def expand(text, lookup):
    """Expand ``text`` with ``lookup`` (a dict of the variables defined so far)."""
    out = []
    i, n = 0, len(text)
    while i < n:
        ch = text[i]
        if ch != '$' or i + 1 >= n:
            out.append(ch)
            i += 1
            continue
        nxt = text[i + 1]
        if nxt == '$':
            out.append('$')
            i += 2
        elif nxt == '(':
            end = text.find(')', i + 2)
            if end == -1:  # not a reference: keep "$(" and go on scanning
                out.append('$(')
                i += 2
                continue
            name = text[i + 2:end]
            out.append(lookup[name] if name in lookup else text[i:end + 1])
            i = end + 1
        else:
            out.append(ch)
            i += 1
    return ''.join(out)


def container_environment(env, resolve=None, base=None):
    """The container's env as an ordered dict, each value expanded against the ones before it.

    ``base`` are the values from ``envFrom`` (``env`` overrides them); ``resolve(valueFrom)`` gives
    the value of an item that has no ``value`` (None: an optional reference that is missing)."""
    values = dict(base or {})
    for item in env or []:
        if 'valueFrom' in item and resolve is not None:
            value = resolve(item['valueFrom'])
            if value is not None:
                values[item['name']] = value
        else:
            values[item['name']] = expand(item.get('value', ''), values)
    return values


def expand_all(words, environment):
    """Expand a command or args list against the container's complete environment."""
    if not words:
        return None
    return [expand(word, environment) for word in words]


class _Missing(dict):
    """The environment as ``expand`` reads it for a ``subPathExpr``: every reference is known, an unset or
    empty variable gives '' and is noted in ``missing``."""

    def __init__(self, environment):
        super().__init__(environment)
        self.missing = set()

    def __contains__(self, name):
        if not dict.get(self, name):
            self.missing.add(name)
        return True

    def __getitem__(self, name):
        return dict.get(self, name) or ''


def expand_sub_path(expression, environment):
    """A ``subPathExpr`` expanded with the container's complete environment, as the kubelet expands it: an
    unset or empty variable fails (``missing value for A, B``), and so does a result that is absolute or
    steps out with '..'. Raises ``ExpansionError``."""
    lookup = _Missing(environment)
    sub_path = expand(expression, lookup)
    if lookup.missing:
        raise ExpansionError('missing value for %s' % ', '.join(sorted(lookup.missing)))
    if sub_path.startswith('/'):
        raise ExpansionError('error SubPath `%s` must not be an absolute path' % sub_path)
    if '..' in sub_path.split('/'):
        raise ExpansionError("unable to provision SubPath `%s`: must not contain '..'" % sub_path)
    return sub_path
