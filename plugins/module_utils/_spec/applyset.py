# -*- coding: utf-8 -*-
# Copyright (c) hostpods contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""PRIVATE: ApplySets, as ``kubectl apply --prune --applyset`` keeps them (KEP-3659). Pure.

An ApplySet is a parent object (a Secret by default, or a ConfigMap) whose label ``applyset.kubernetes.io/id``
is ``applyset-<base64url(sha256(<name>.<namespace>.<kind>.<group>))>-v1``; every object an apply of the set
creates carries ``applyset.kubernetes.io/part-of: <that id>``. The parent's annotations say which kinds
(``contains-group-kinds``) and which namespaces besides its own (``additional-namespaces``) hold members, and
which tool manages it (``tooling``): a prune looks there, and only there, for members the current manifests
no longer contain. The node keeps the parent like any Secret or ConfigMap it is given.
"""

from __future__ import annotations

import base64
import hashlib

from ansible_collections.hostpods.core.plugins.module_utils._errors import ManifestError
from ansible_collections.hostpods.core.plugins.module_utils._spec import configs
from ansible_collections.hostpods.core.plugins.module_utils._spec import naming
from ansible_collections.hostpods.core.plugins.module_utils._spec import podspec

PART_OF = 'applyset.kubernetes.io/part-of'
PARENT_ID = 'applyset.kubernetes.io/id'
TOOLING = 'applyset.kubernetes.io/tooling'
GROUP_KINDS = 'applyset.kubernetes.io/contains-group-kinds'
NAMESPACES = 'applyset.kubernetes.io/additional-namespaces'
TOOL = 'hostpods'
PARENT_TYPES = {'secrets': 'Secret', 'configmaps': 'ConfigMap'}  # kubectl's built-in parent types
CLAIM = 'PersistentVolumeClaim'


def applyset_id(name, namespace, kind='Secret', group=''):
    """The ApplySet's ID: the parent's group, kind, namespace and name, hashed as the KEP says."""
    digest = hashlib.sha256('.'.join((name, namespace, kind, group)).encode('utf-8')).digest()
    return 'applyset-%s-v1' % base64.urlsafe_b64encode(digest).decode('ascii').rstrip('=')


def option_errors(params):
    """What is wrong with a call's ``prune``, ``applyset`` and ``prune_claims`` options (kubectl's rules)."""
    prune, name = params.get('prune'), params.get('applyset')
    errors = []
    if prune and not name:
        errors.append('prune needs applyset: the name of the ApplySet whose members an earlier apply created '
                      '(kubectl apply --prune --applyset=NAME)')
    if name and not prune:
        errors.append('applyset requires prune=true (kubectl: --applyset requires --prune)')
    if params.get('prune_claims') and not prune:
        errors.append('prune_claims requires prune=true')
    if prune and params.get('state') == 'absent':
        errors.append('prune is for state=present: it deletes what an earlier apply of the set created and the '
                      'manifests no longer contain')
    if prune and params.get('label_selectors') is not None:
        errors.append('prune cannot be combined with label_selectors: the pods a selector leaves out would be pruned')
    return errors


class ApplySet:
    """One ApplySet: its parent (``kind``, ``name``, ``namespace``) and ``id``, from the ``applyset`` option
    (``NAME``, ``secrets/NAME`` or ``configmaps/NAME``, as kubectl's ``--applyset``) and the call's namespace."""

    def __init__(self, ref, namespace):
        resource, sep, name = ref.rpartition('/')
        if not sep:
            resource = 'secrets'
        if resource not in PARENT_TYPES:
            raise ManifestError('applyset: resource "%s" is not permitted as an ApplySet parent (hostpods keeps '
                                '%s)' % (resource, ' and '.join(sorted(PARENT_TYPES))))
        problems = podspec.name_errors(name, 'applyset', subdomain=True)
        if problems:
            raise ManifestError('Invalid applyset: ' + '; '.join(problems), errors=problems)
        self.kind, self.name, self.namespace = PARENT_TYPES[resource], name, namespace
        self.key = (self.kind, namespace, name)
        self.id = applyset_id(name, namespace, self.kind)

    def __str__(self):
        return '%s./%s' % ({v: k for k, v in PARENT_TYPES.items()}[self.kind], self.name)

    def label(self, objects):
        """Put the member label on each object (pods included), as kubectl does; one that sets it already, or
        that is the parent itself, is refused before anything is touched."""
        errors = []
        for obj in objects:
            meta = obj['metadata']
            where = '%s %s/%s' % (obj.get('kind', 'Pod'), meta['namespace'], meta['name'])
            if (obj.get('kind', 'Pod'), meta['namespace'], meta['name']) == self.key:
                errors.append('%s: is the parent of ApplySet %s: it cannot be one of its members' % (where, self))
            elif PART_OF in (meta.get('labels') or {}):
                errors.append('%s: ApplySet label "%s" already set in input data' % (where, PART_OF))
            else:
                meta['labels'] = dict(meta.get('labels') or {}, **{PART_OF: self.id})
        if errors:
            raise ManifestError('Cannot apply: ' + '; '.join(errors), errors=errors)

    def check_parent(self, stored):
        """Refuse a parent on the node that is not this ApplySet's (kubectl's checks of a fetched parent)."""
        if stored is None:
            return
        meta = stored.get('metadata') or {}
        tooling = (meta.get('annotations') or {}).get(TOOLING)
        if tooling is None:
            raise ManifestError('ApplySet parent object "%s" already exists and is missing required annotation "%s"'
                                % (self, TOOLING))
        managed_by = tooling.rpartition('/')[0] or tooling
        if managed_by != TOOL:
            raise ManifestError('ApplySet parent object "%s" already exists and is managed by tooling "%s" instead '
                                'of "%s"' % (self, managed_by, TOOL))
        found = (meta.get('labels') or {}).get(PARENT_ID)
        if found != self.id:
            raise ManifestError('ApplySet parent object "%s" exists and has incorrect value for label "%s" (got: %s, '
                                'want: %s)' % (self, PARENT_ID, found, self.id))

    def scope(self, stored):
        """``(kinds, namespaces)`` where the stored parent says members are (nothing without a parent)."""
        if stored is None:
            return frozenset(), frozenset()
        annotations = (stored.get('metadata') or {}).get('annotations') or {}
        kinds = frozenset(kind for kind in (annotations.get(GROUP_KINDS) or '').split(',') if kind)
        namespaces = frozenset(ns for ns in (annotations.get(NAMESPACES) or '').split(',') if ns) | {self.namespace}
        return kinds, namespaces

    def parent(self, kinds, namespaces):
        """The parent object listing ``kinds`` (core group: the kind alone) and ``namespaces``, as the node keeps it."""
        annotations = {TOOLING: '%s/v%s' % (TOOL, naming.VERSION), GROUP_KINDS: ','.join(sorted(kinds)),
                       NAMESPACES: ','.join(sorted(set(namespaces) - {self.namespace}))}
        doc = {'apiVersion': 'v1', 'kind': self.kind,
               'metadata': {'name': self.name, 'namespace': self.namespace, 'labels': {PARENT_ID: self.id},
                            'annotations': annotations}}
        return configs.normalise(doc, self.namespace)


def is_member(obj_metadata, set_id):
    """Whether an object's metadata (labels) says it is a member of the ApplySet ``set_id``."""
    return ((obj_metadata or {}).get('labels') or {}).get(PART_OF) == set_id


def group_kinds(objects):
    """The kinds (``<kind>.<group>``; the core group's alone) and namespaces of ``objects``."""
    return ({obj.get('kind', 'Pod') for obj in objects}, {obj['metadata']['namespace'] for obj in objects})
