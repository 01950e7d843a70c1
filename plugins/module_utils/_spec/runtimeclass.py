# -*- coding: utf-8 -*-
# Copyright (c) hostpods contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""PRIVATE: ``RuntimeClass`` objects (validated as ``ValidateRuntimeClass`` does) and the RuntimeClass admission
plugin, which gives a pod naming one its ``spec.overhead`` and merges its scheduling (``nodeSelector``,
``tolerations``) into the pod. Pure.

The classes are the ``RuntimeClass`` objects of the same apply (a node keeps none, as it keeps no
PriorityClass). The class's ``handler`` is the Docker engine's runtime (``HostConfig.Runtime``) of the pod's
sandbox and containers; the admitted pod carries it beside its spec (``HANDLER``, never in the spec a user
sees), so the node (``pod.json``, the sandbox's labels) keeps it and its hash counts it: a pod whose handler
changes gets a new sandbox.
"""

from __future__ import annotations

import copy

from ansible_collections.hostpods.core.plugins.module_utils._spec import podspec
from ansible_collections.hostpods.core.plugins.module_utils._spec import quantity
from ansible_collections.hostpods.core.plugins.module_utils._spec import resource_names
from ansible_collections.hostpods.core.plugins.module_utils._spec import scheduling

KIND, API_VERSION = 'RuntimeClass', 'node.k8s.io/v1'
SCHEMA_FILE = 'runtimeclass-node-v1'
HANDLER = 'runtimeHandler'  # the key of an admitted pod (beside metadata and spec) that holds its class's handler


def normalise(doc):
    """A RuntimeClass as the API server stores it."""
    meta = doc.get('metadata') or {}
    out = {'apiVersion': API_VERSION, 'kind': KIND,
           'metadata': {'name': meta.get('name'), 'labels': meta.get('labels') or {},
                        'annotations': meta.get('annotations') or {}},
           'handler': doc.get('handler') or ''}
    for key in ('overhead', 'scheduling'):
        if doc.get(key) is not None:
            out[key] = copy.deepcopy(doc[key])
    return out


def class_errors(obj):
    """``ValidateRuntimeClass``: a DNS subdomain name, a handler that is a DNS label, an overhead of valid
    quantities, a valid node selector and tolerations."""
    errors = podspec.name_errors(obj['metadata']['name'], 'metadata.name', subdomain=True)
    if not obj['handler']:
        errors.append('handler: Required value')
    else:
        errors += podspec.name_errors(obj['handler'], 'handler')
    fixed = (obj.get('overhead') or {}).get('podFixed')
    if fixed:
        as_limits = {'limits': fixed}
        errors += [error.replace('overhead.podFixed.limits', 'overhead.podFixed') for error in
                   quantity.resources_errors(as_limits, 'overhead.podFixed')
                   + resource_names.resources_errors(as_limits, 'overhead.podFixed')]
    placing = obj.get('scheduling') or {}
    errors += scheduling.labels_errors(placing.get('nodeSelector') or {}, 'scheduling.nodeSelector')
    for index, toleration in enumerate(placing.get('tolerations') or []):
        errors += scheduling.toleration_errors(toleration, 'scheduling.tolerations[%d]' % index)
    return errors


def spec_errors(spec):
    """``validateRuntimeClassName``: a pod's ``runtimeClassName`` is a DNS subdomain."""
    if spec.get('runtimeClassName') is None:
        return []
    return podspec.name_errors(spec['runtimeClassName'], 'spec.runtimeClassName', subdomain=True)


def handler(pod):
    """The runtime handler of an admitted pod ('' when it names no RuntimeClass: the engine's default)."""
    return pod.get(HANDLER) or ''


def carry(pod, source):
    """``pod`` with the handler of ``source`` (a pod, ``pod.json`` or the sandbox's applied pod), when it has one."""
    if source and source.get(HANDLER):
        pod[HANDLER] = source[HANDLER]
    return pod


def _overhead_errors(spec, found):
    """``setOverhead`` and ``validateOverhead``: the class's ``overhead.podFixed`` becomes the pod's overhead; a pod
    that sets another one, or sets one when its class has none, is refused."""
    fixed = (found.get('overhead') or {}).get('podFixed')
    if fixed is None:
        return ['pod rejected: Pod Overhead set without corresponding RuntimeClass defined Overhead'] \
            if spec.get('overhead') else []
    if spec.get('overhead') and not _same_amounts(spec['overhead'], fixed):
        return ["pod rejected: Pod's Overhead doesn't match RuntimeClass's defined Overhead"]
    spec['overhead'] = copy.deepcopy(fixed)
    return []


def _same_amounts(one, two):
    """Two resource lists equal as quantities (``apiequality.Semantic``: 1 cpu is 1000m)."""
    if set(one) != set(two):
        return False
    return all(quantity.parse(one[name]) == quantity.parse(two[name]) for name in one)


def _scheduling_errors(spec, found):
    """``setScheduling``: the class's node selector merged into the pod's (a key with another value is a
    conflict), its tolerations added to the pod's (those the pod has already once)."""
    placing = found.get('scheduling') or {}
    selector = dict(spec.get('nodeSelector') or {})
    for key, value in sorted((placing.get('nodeSelector') or {}).items()):
        if key in selector and selector[key] != value:
            return ['conflict: runtimeClass.scheduling.nodeSelector[%s] = %s; pod.spec.nodeSelector[%s] = %s'
                    % (key, value, key, selector[key])]
        selector[key] = value
    if selector:
        spec['nodeSelector'] = selector
    tolerations = list(spec.get('tolerations') or [])
    tolerations += [copy.deepcopy(item) for item in placing.get('tolerations') or [] if item not in tolerations]
    if tolerations:
        spec['tolerations'] = tolerations
    return []


def admit(pod, classes):
    """The RuntimeClass admission plugin on a defaulted pod, in place: ``classes`` is ``{name: RuntimeClass}`` of
    the apply. Sets the pod's overhead and scheduling from its class and its handler (``HANDLER``); returns the
    plugin's refusals (``pods "web" is forbidden: pod rejected: RuntimeClass "x" not found``)."""
    spec = pod['spec']
    name = spec.get('runtimeClassName')
    if not name:
        return []
    forbidden = 'pods "%s" is forbidden: ' % podspec.excerpt(pod['metadata']['name'])
    found = classes.get(name)
    if found is None:
        return [forbidden + 'pod rejected: RuntimeClass "%s" not found' % podspec.excerpt(name)]
    errors = _overhead_errors(spec, found) or _scheduling_errors(spec, found)
    if errors:
        return [forbidden + error for error in errors]
    pod[HANDLER] = found['handler']
    return []


def engine_problem(name, runtime, engine):
    """Why the engine cannot make a sandbox with the handler ``runtime`` of RuntimeClass ``name``, or '':
    ``engine`` is what the engine says of itself (``runtimes``, ``defaultRuntime``; unknown: no problem, the
    engine's own refusal then says it)."""
    known = engine.get('runtimes')
    if not runtime or known is None or runtime in known or runtime == engine.get('defaultRuntime'):
        return ''
    return ('Failed to create pod sandbox: no runtime for "%s" is configured: RuntimeClass "%s" names the handler '
            '"%s", and the node\'s Docker engine has the runtimes %s (default %s)'
            % (runtime, name, runtime, ', '.join('"%s"' % item for item in known) or 'none',
               engine.get('defaultRuntime') or 'runc'))
