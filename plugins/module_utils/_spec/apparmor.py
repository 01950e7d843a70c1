# -*- coding: utf-8 -*-
# Copyright (c) hostpods contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""PRIVATE: AppArmor, as the API server validates it and the kubelet enforces it with dockershim. Pure.

- ``appArmorProfile`` (pod and container: ``RuntimeDefault``, ``Unconfined``, ``Localhost`` with
  ``localhostProfile``) and the deprecated annotations ``container.apparmor.security.beta.kubernetes.io/<container>``
  (``runtime/default``, ``unconfined``, ``localhost/<profile>``), which a cluster still honours.
- ``profile(pod, container)``: the kubelet's ``GetProfile``: the container's field, else its annotation (as
  the kubelet reads a static pod, whose annotations were never copied to fields), else the pod's field.
- ``docker_options``: dockershim's ``getAppArmorOpts``: nothing for the runtime default (the engine applies
  its ``docker-default``), ``apparmor=unconfined``, ``apparmor=<profile>``.
- ``admission_error``: the kubelet's AppArmor admit handler: a pod that asks for a profile on a node that
  cannot enforce one is rejected (``Cannot enforce AppArmor: ...``), never run unconfined.
- ``deprecation_notices``: the API server's warning for an annotation without its field.
"""

from __future__ import annotations

from ansible_collections.hostpods.core.plugins.module_utils._spec import podspec

ANNOTATION_PREFIX = 'container.apparmor.security.beta.kubernetes.io/'
RUNTIME_DEFAULT, UNCONFINED, LOCALHOST = 'RuntimeDefault', 'Unconfined', 'Localhost'
TYPES = (LOCALHOST, RUNTIME_DEFAULT, UNCONFINED)
ANNOTATION_RUNTIME_DEFAULT, ANNOTATION_UNCONFINED, ANNOTATION_LOCALHOST = 'runtime/default', 'unconfined', 'localhost/'
MAX_LOCALHOST_PROFILE = 4095  # PATH_MAX - 1
REASON = 'AppArmor'  # the pod's status.reason when the kubelet rejects it
NOT_ENABLED = 'AppArmor is not enabled on the host'
DEPRECATED = 'deprecated since v1.30; use the "appArmorProfile" field instead'


def _containers(spec):
    for key in ('initContainers', 'containers'):
        for index, container in enumerate(spec.get(key) or []):
            yield 'spec.%s[%d]' % (key, index), container


def field_of(annotation, kubelet=False):
    """The profile an annotation value stands for (the API server's ``apparmorFieldForAnnotation``), or None for an
    invalid one; with ``kubelet``, as the kubelet reads it, ``localhost/`` alone being a Localhost profile without
    a name (which its admission then rejects)."""
    if annotation == ANNOTATION_UNCONFINED:
        return {'type': UNCONFINED}
    if annotation == ANNOTATION_RUNTIME_DEFAULT:
        return {'type': RUNTIME_DEFAULT}
    if annotation.startswith(ANNOTATION_LOCALHOST) and (kubelet or annotation[len(ANNOTATION_LOCALHOST):]):
        return {'type': LOCALHOST, 'localhostProfile': annotation[len(ANNOTATION_LOCALHOST):]}
    return None


def profile(pod, container):
    """The profile a container runs with (the kubelet's ``GetProfile``), or None: the engine's default."""
    own = (container.get('securityContext') or {}).get('appArmorProfile')
    if own is not None:
        return own
    annotation = (pod['metadata'].get('annotations') or {}).get(ANNOTATION_PREFIX + container['name'])
    derived = field_of(annotation, kubelet=True) if annotation is not None else None
    if derived is not None:  # an invalid annotation counts for nothing (the kubelet's admission rejects it)
        return derived
    return (pod['spec'].get('securityContext') or {}).get('appArmorProfile')


def docker_options(pod, container):
    """The engine's ``SecurityOpt`` for the container's profile (dockershim's ``getAppArmorOpts``)."""
    chosen = profile(pod, container) or {}
    if chosen.get('type') == UNCONFINED:
        return ['apparmor=unconfined']
    if chosen.get('type') == LOCALHOST:
        return ['apparmor=%s' % chosen.get('localhostProfile', '')]
    return []  # the runtime's default: the engine applies its docker-default profile


def required(pod):
    """``isRequired``: the pod asks for a profile other than unconfined (field or annotation)."""
    spec = pod['spec']
    if ((spec.get('securityContext') or {}).get('appArmorProfile') or {}).get('type', UNCONFINED) != UNCONFINED:
        return True
    if any(((c.get('securityContext') or {}).get('appArmorProfile') or {}).get('type', UNCONFINED) != UNCONFINED
           for _path, c in _containers(spec)):
        return True
    return any(value != ANNOTATION_UNCONFINED for key, value in (pod['metadata'].get('annotations') or {}).items()
               if key.startswith(ANNOTATION_PREFIX))


def admission_error(pod, enabled):
    """The kubelet's AppArmor admission of ``pod`` on a node where AppArmor is ``enabled`` (or not):
    ``(reason, message)`` of the rejection, or None."""
    if not required(pod):
        return None
    if not enabled:
        return REASON, 'Cannot enforce AppArmor: %s' % NOT_ENABLED
    for _path, container in _containers(pod['spec']):
        chosen = profile(pod, container)
        if chosen and chosen.get('type') == LOCALHOST and not (chosen.get('localhostProfile') or '').strip():
            return REASON, 'Cannot enforce AppArmor: invalid empty AppArmor profile name: "localhost/"'
    return None


# ----------------------------------------------------------------------------- the API server's rules

def field_errors(value, path):
    """``validateAppArmorProfileField`` of one ``appArmorProfile`` at ``path``."""
    if value is None:
        return []
    kind, local = value.get('type'), value.get('localhostProfile')
    if kind == LOCALHOST:
        if local is None or not local.strip():
            return ['%s.localhostProfile: Required value: must be set when AppArmor type is Localhost' % path]
        errors = []
        if local.strip() != local:
            errors.append('%s.localhostProfile: Invalid value: %s: must not be padded with whitespace'
                          % (path, podspec.quoted(local)))
        if len(local) > MAX_LOCALHOST_PROFILE:
            errors.append('%s.localhostProfile: Too long: may not be more than %d bytes'
                          % (path, MAX_LOCALHOST_PROFILE))
        return errors
    if kind in (RUNTIME_DEFAULT, UNCONFINED):
        if local is not None:
            return ['%s.localhostProfile: Invalid value: %s: can only be set when AppArmor type is Localhost'
                    % (path, podspec.quoted(local))]
        return []
    if not kind:
        return ['%s.type: Required value: type is required when appArmorProfile is set' % path]
    return ['%s.type: Unsupported value: %s: supported values: "%s"' % (path, podspec.quoted(kind), '", "'.join(TYPES))]


def annotation_errors(annotations, spec):
    """``ValidateAppArmorPodAnnotations``: each annotation names a container of the pod and a valid profile."""
    names = {container.get('name') for _path, container in _containers(spec)}
    errors = []
    for key, value in sorted((annotations or {}).items()):
        if not key.startswith(ANNOTATION_PREFIX):
            continue
        where, name = 'metadata.annotations[%s]' % key, key[len(ANNOTATION_PREFIX):]
        if name not in names:
            errors.append('%s: Invalid value: %s: container not found' % (where, podspec.quoted(name)))
        if value not in ('', ANNOTATION_RUNTIME_DEFAULT, ANNOTATION_UNCONFINED) and \
                not value.startswith(ANNOTATION_LOCALHOST):
            errors.append('%s: Invalid value: %s: invalid AppArmor profile name: %s'
                          % (where, podspec.quoted(value), podspec.quoted(value)))
    return errors


def match_errors(annotations, spec):
    """``validateAppArmorAnnotationsAndFieldsMatchOnCreate``: an annotation and the field its container runs with
    (its own, else the pod's) say the same."""
    pod_profile = (spec.get('securityContext') or {}).get('appArmorProfile')
    errors = []
    for path, container in _containers(spec):
        chosen = (container.get('securityContext') or {}).get('appArmorProfile') or pod_profile
        annotation = (annotations or {}).get(ANNOTATION_PREFIX + str(container.get('name')))
        if chosen is None or annotation is None:
            continue
        where = '%s.securityContext.appArmorProfile' % path
        expected = {UNCONFINED: ANNOTATION_UNCONFINED, RUNTIME_DEFAULT: ANNOTATION_RUNTIME_DEFAULT}.get(
            chosen.get('type'))
        if expected is not None and annotation != expected:
            errors.append('%s.type: Forbidden: apparmor type in annotation and field must match' % where)
        elif chosen.get('type') == LOCALHOST:
            if not annotation.startswith(ANNOTATION_LOCALHOST):
                errors.append('%s.type: Forbidden: apparmor type in annotation and field must match' % where)
            elif annotation[len(ANNOTATION_LOCALHOST):] != chosen.get('localhostProfile'):
                errors.append('%s.localhostProfile: Forbidden: apparmor profile in annotation and field must match'
                              % where)
    return errors


def errors(pod_like):
    """Every AppArmor rule of a pod (``{'metadata', 'spec'}``)."""
    spec, annotations = pod_like['spec'], pod_like['metadata'].get('annotations') or {}
    out = field_errors((spec.get('securityContext') or {}).get('appArmorProfile'),
                       'spec.securityContext.appArmorProfile')
    for path, container in _containers(spec):
        out += field_errors((container.get('securityContext') or {}).get('appArmorProfile'),
                            '%s.securityContext.appArmorProfile' % path)
    return out + annotation_errors(annotations, spec) + match_errors(annotations, spec)


def deprecation_notices(doc):
    """The API server's warning for each annotation whose container has no field of its own (unless the
    annotation only repeats the pod's field), as ``applyAppArmorVersionSkew`` gives it."""
    spec = doc.get('spec') or {}
    annotations = (doc.get('metadata') or {}).get('annotations') or {}
    pod_profile = (spec.get('securityContext') or {}).get('appArmorProfile')
    out = []
    for _path, container in _containers(spec):
        key = ANNOTATION_PREFIX + str(container.get('name'))
        if key not in annotations or (container.get('securityContext') or {}).get('appArmorProfile') is not None:
            continue
        derived = field_of(annotations[key])
        if derived is None or derived != pod_profile:
            out.append('metadata.annotations[%s]: %s' % (key, DEPRECATED))
    return out
