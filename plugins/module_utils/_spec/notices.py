# -*- coding: utf-8 -*-
# Copyright (c) hostpods contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""PRIVATE: what an apply warns about: once per apply and message, naming the pods. Pure.

- ``pod_notices(doc)``: of one Pod manifest as written: the fields hostpods accepts although only the
  control plane acts on them (a service account's token, owner references, finalizers, the overhead that
  the RuntimeClass admission sets, readiness gates), and the API server's own warnings
  (deprecated annotations: AppArmor's and seccomp's too), in its words. What has no effect on this
  node (SELinux options without SELinux, Windows options) is ``_spec.security.node_notices``.
- ``grouped(entries)``: one line a message, naming the pods that gave it, in the order first given.
"""

from __future__ import annotations

from ansible_collections.hostpods.core.plugins.module_utils._spec import apparmor
from ansible_collections.hostpods.core.plugins.module_utils._spec import readiness
from ansible_collections.hostpods.core.plugins.module_utils._spec import security

MAX_NAMED = 10  # pods named in one warning; the others are counted

# The API server's warnings of annotations no kubelet reads any more (pkg/api/pod/warnings.go)
DEPRECATED_ANNOTATIONS = (
    ('scheduler.alpha.kubernetes.io/critical-pod',
     'non-functional in v1.16+; use the "priorityClassName" field instead'),
    ('security.alpha.kubernetes.io/sysctls', 'non-functional in v1.11+; use the "sysctls" field instead'),
    ('security.alpha.kubernetes.io/unsafe-sysctls', 'non-functional in v1.11+; use the "sysctls" field instead'),
)
NO_TOKEN = ('serviceAccountName: no service account token is mounted: hostpods has no API server to issue one (the '
            'name only feeds the downward API; automountServiceAccountToken: false says so and silences this warning)')

CONTROL_PLANE = (  # (path, message): fields only a control plane acts on, accepted as written
    ('metadata.ownerReferences', 'metadata.ownerReferences: accepted; only the control plane\'s garbage collector acts '
                                 'on them (it deletes a pod whose owners are gone); hostpods never deletes a pod for them'),
    ('metadata.finalizers', 'metadata.finalizers: accepted; only a control plane removes finalizers, so a delete does '
                            'not wait for them: hostpods deletes the pod at once'),
    ('spec.overhead', 'spec.overhead: accepted as written and added to the pod\'s requests and cgroup, as a kubelet '
                      'adds it; on a cluster the RuntimeClass admission plugin sets it from the pod\'s RuntimeClass '
                      '(and refuses a pod that sets it without one)'),
)


def pod_notices(doc):
    """The warnings of one valid Pod manifest ``doc`` (as written, before defaults)."""
    spec = doc.get('spec') or {}
    out = []
    automount = spec.get('automountServiceAccountToken')
    wants_token = automount or (automount is None and (spec.get('serviceAccountName') or spec.get('serviceAccount')))
    if wants_token:
        out.append(NO_TOKEN)
    out += [message for path, message in CONTROL_PLANE if _is_set(doc, path)]
    if readiness.unsettable(spec):
        out.append(readiness.NOTICE)
    annotations = (doc.get('metadata') or {}).get('annotations') or {}
    out += ['metadata.annotations[%s]: %s' % (key, message) for key, message in DEPRECATED_ANNOTATIONS
            if key in annotations]
    return out + apparmor.deprecation_notices(doc) + security.seccomp_notices(doc)


def _is_set(doc, path):
    """Whether the field at ``path`` (a dotted path of maps) is set to something non-empty."""
    value = doc
    for name in path.split('.'):
        value = value.get(name) if isinstance(value, dict) else None
    return bool(value)


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
