# -*- coding: utf-8 -*-
# Copyright (c) hostpods contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""PRIVATE: ephemeral containers, as ``kubectl debug`` adds them to a running pod. Pure.

The container ``kubectl debug`` generates (``debugger-<5 characters>`` unless named), defaulted as the API
server defaults it, and the API server's rules for adding one (``validateEphemeralContainers``): a DNS label
unique among the pod's containers, a target that is one of its containers or init containers, and an existing
ephemeral container never changed. An ephemeral container is never restarted and goes with its pod.
"""

from __future__ import annotations

import random

from ansible_collections.hostpods.core.plugins.module_utils._errors import ManifestError
from ansible_collections.hostpods.core.plugins.module_utils._spec import podspec

SUFFIX_CHARS = 'bcdfghjklmnpqrstvwxz2456789'  # utilrand.String's alphabet: kubectl debug's name suffix
KIND = 'ephemeral'  # the container type label (annotation.io.kubernetes.container.type)


def generated_name(choice=random.SystemRandom().choice):
    """``debugger-xxxxx``, as kubectl debug names a debug container it is not given a name for."""
    return 'debugger-' + ''.join(choice(SUFFIX_CHARS) for _index in range(5))


def debug_container(name, image, command=None, args=None, target=None, pull_policy=None):
    """The ephemeral container of ``kubectl debug --image=IMAGE [--target=T] [-c NAME] -- COMMAND``, defaulted
    (stdin and tty off: nothing attaches to it)."""
    container = {'name': name, 'image': image,
                 'imagePullPolicy': pull_policy or podspec.ImageRef(image or '').default_pull_policy,
                 'terminationMessagePath': '/dev/termination-log', 'terminationMessagePolicy': 'File',
                 'resources': {}, 'stdin': False, 'tty': False}
    if command:
        container['command'] = [str(item) for item in command]
    if args:
        container['args'] = [str(item) for item in args]
    if target:
        container['targetContainerName'] = target
    return container


def add_errors(spec, container):
    """The API server's refusals of adding ``container`` to a pod's ``spec`` (its ephemeral containers included):
    ``[]``, or messages naming the field. Re-adding an identical container is no error (nothing to do)."""
    existing = spec.get('ephemeralContainers') or []
    index = len(existing)
    path = 'spec.ephemeralContainers[%d]' % index
    errors = podspec.name_errors(container['name'], path + '.name')
    if not container.get('image'):
        errors.append('%s.image: Required value' % path)
    else:
        problem = podspec.image_problem(container['image'])
        if problem:
            errors.append('%s.image: Invalid value: %s: %s' % (path, podspec.quoted(container['image']), problem))
    for position, item in enumerate(existing):
        if item['name'] == container['name'] and item != container:
            errors.append('spec.ephemeralContainers[%d]: Forbidden: existing ephemeral containers "%s" may not be '
                          'changed' % (position, item['name']))
    others = [c['name'] for c in (spec.get('initContainers') or []) + spec['containers']]
    if container['name'] in others:
        errors.append('%s.name: Duplicate value: "%s"' % (path, container['name']))
    target = container.get('targetContainerName')
    if target is not None and target not in others:
        errors.append('%s.targetContainerName: Not found: "%s"' % (path, target))
    return errors


def check_add(spec, container, pod_name):
    """Raise the API server's refusal (see ``add_errors``); True when the same container is there already."""
    errors = add_errors(spec, container)
    if errors:
        raise ManifestError('Pod "%s" is invalid: %s' % (pod_name, '; '.join(errors)), errors=errors)
    return container in (spec.get('ephemeralContainers') or [])
