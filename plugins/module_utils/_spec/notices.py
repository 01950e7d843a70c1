# -*- coding: utf-8 -*-
# Copyright (c) hostpods contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""PRIVATE: what an apply warns about: once per apply and message, naming the pods. Pure.

- ``pod_notices(doc)``: of one Pod manifest as written: the fields hostpods accepts although only the
  control plane acts on them (a service account's token), and the API server's own warnings
  (deprecated annotations), in its words.
- ``grouped(entries)``: one line a message, naming the pods that gave it, in the order first given.
"""

from __future__ import annotations

MAX_NAMED = 10  # pods named in one warning; the others are counted

NO_TOKEN = ('serviceAccountName: no service account token is mounted: hostpods has no API server to issue one (the '
            'name only feeds the downward API; automountServiceAccountToken: false says so and silences this warning)')


def pod_notices(doc):
    """The warnings of one valid Pod manifest ``doc`` (as written, before defaults)."""
    spec = doc.get('spec') or {}
    out = []
    wants_token = spec.get('automountServiceAccountToken') or (
        spec.get('automountServiceAccountToken') is None and (spec.get('serviceAccountName') or spec.get('serviceAccount')))
    if wants_token:
        out.append(NO_TOKEN)
    return out


def grouped(entries):
    """``[(pod key (namespace, name), message)]`` as one line a message: ``message: pods ns/a, ns/b``."""
    pods, order = {}, []
    for key, message in entries:
        if message not in pods:
            pods[message] = []
            order.append(message)
        if key not in pods[message]:
            pods[message].append(key)
    return ['%s: %s' % (message, named(pods[message])) for message in order]


def named(keys):
    """``pod ns/a`` or ``pods ns/a, ns/b`` (at most ``MAX_NAMED`` named, the others counted)."""
    names = ['%s/%s' % key for key in keys[:MAX_NAMED]]
    more = ' and %d more' % (len(keys) - MAX_NAMED) if len(keys) > MAX_NAMED else ''
    return '%s %s%s' % ('pod' if len(keys) == 1 else 'pods', ', '.join(names), more)
