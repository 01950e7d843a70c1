# -*- coding: utf-8 -*-
# Copyright (c) hostpods contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""PRIVATE: Kubernetes' $(VAR) expansion for env values, command and args.

``$(NAME)`` is replaced by the variable's value when it is known and left as it is when not;
``$$`` is an escaped ``$`` (so ``$$(NAME)`` gives the literal ``$(NAME)``); any other ``$x`` stays.
"""

from __future__ import annotations


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
