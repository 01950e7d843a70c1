# -*- coding: utf-8 -*-
# Copyright (c) hostpods contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""PRIVATE: the API server's ``ValidateObjectMeta`` for every kind hostpods applies (Pods, ConfigMaps,
Secrets, PersistentVolumeClaims): name, namespace, labels and annotations, with its messages. Pure.

Label keys are qualified names and label values label values (``scheduling.labels_errors``); annotation
keys are qualified names once lowercased, and keys and values of all annotations together may have
at most 256 KiB. Owner references name an owner (apiVersion with a version, kind, name, uid), one of them
at most the controller; finalizers are qualified names, standard ones (``kubernetes``, ``orphan``,
``foregroundDeletion``) or with a domain. Only a control plane acts on either (``_spec.notices`` warns).
"""

from __future__ import annotations

from ansible_collections.hostpods.core.plugins.module_utils._spec import podspec
from ansible_collections.hostpods.core.plugins.module_utils._spec import scheduling

TOTAL_ANNOTATION_BYTES = 256 * 1024
STANDARD_FINALIZERS = ('kubernetes', 'orphan', 'foregroundDeletion')
BANNED_OWNERS = (('', 'v1', 'Event'),)  # (group, version, kind): apimachinery's BannedOwners


def annotations_size(annotations):
    """The bytes the API server counts for the annotation limit: every key and value."""
    return sum(len(key.encode('utf-8')) + len(value.encode('utf-8')) for key, value in annotations.items())


def annotations_errors(annotations, path):
    """``ValidateAnnotations``: keys are qualified names (case does not matter), 256 KiB in all."""
    errors = []
    for key in sorted(annotations):
        errors += podspec.invalid(path, key, scheduling.label_name_problems(key.lower()))
    if annotations_size(annotations) > TOTAL_ANNOTATION_BYTES:
        errors.append('%s: Too long: must have at most %d bytes' % (path, TOTAL_ANNOTATION_BYTES))
    return errors


def _group_version(api_version):
    """``schema.ParseGroupVersion``: ``(group, version)``, both empty when it does not parse."""
    parts = api_version.split('/')
    if len(parts) == 1:
        return '', parts[0]
    return tuple(parts) if len(parts) == 2 else ('', '')


def owner_references_errors(references, path='metadata.ownerReferences'):
    """``ValidateOwnerReferences``: each names its owner; at most one is the controller."""
    errors, controller = [], None
    for reference in references:
        group, version = _group_version(reference.get('apiVersion') or '')
        for key, missing in (('apiVersion', not version), ('kind', not reference.get('kind')),
                             ('name', not reference.get('name')), ('uid', not reference.get('uid'))):
            if missing:
                errors.append('%s.%s: Invalid value: %s: %s' % (path, key, podspec.quoted(reference.get(key) or ''),
                                                                'version must not be empty' if key == 'apiVersion'
                                                                else 'must not be empty'))
        if (group, version, reference.get('kind')) in BANNED_OWNERS:
            errors.append('%s: Invalid value: %s: %s/%s, Kind=%s is disallowed from being an owner'
                          % (path, podspec.excerpt(reference), group, version, reference['kind']))
        if reference.get('controller'):
            current = '%s/%s' % (reference.get('kind') or '', reference.get('name') or '')
            if controller is not None:
                errors.append('%s: Invalid value: %s: Only one reference can have Controller set to true. Found "true" '
                              'in references for %s and %s' % (path, podspec.excerpt(references), controller, current))
            else:
                controller = current
    return errors


def finalizers_errors(finalizers, path='metadata.finalizers'):
    """``ValidateFinalizers`` with the core API's rule: qualified names, a standard one or one with a domain;
    ``orphan`` and ``foregroundDeletion`` not both."""
    errors = []
    for name in finalizers:
        problems = scheduling.label_name_problems(name)
        if not problems and '/' not in name and name not in STANDARD_FINALIZERS:
            problems = ['name is neither a standard finalizer name nor is it fully qualified']
        errors += podspec.invalid(path, name, problems)
    if 'orphan' in finalizers and 'foregroundDeletion' in finalizers:
        errors.append('%s: Invalid value: %s: finalizer orphan and foregroundDeletion cannot be both set'
                      % (path, podspec.excerpt(finalizers)))
    return errors


GENERATE_NAME_ALONE = ('metadata.generateName: not supported by hostpods: cannot use generate name with apply '
                       '(kubectl apply refuses it: an apply finds its object by metadata.name, so give the object a '
                       'name)')


def generate_name_errors(meta):
    """``generateName``: beside a name it is kept and has no effect (the name wins, as on the API server), and
    must be a name prefix (a subdomain once a trailing dash is masked: ``maskTrailingDash``); alone it is
    refused, as ``kubectl apply`` refuses it."""
    prefix = meta.get('generateName')
    if not isinstance(prefix, str) or not prefix:
        return []
    if not meta.get('name'):
        return [GENERATE_NAME_ALONE]
    masked = prefix[:-1] + 'a' if len(prefix) > 1 and prefix.endswith('-') else prefix
    return [error.replace('"%s"' % podspec.excerpt(masked), '"%s"' % podspec.excerpt(prefix), 1)
            for error in podspec.name_errors(masked, 'metadata.generateName', subdomain=True)]


def meta_errors(meta):
    """``ValidateObjectMeta`` of a namespaced object (its namespace already defaulted)."""
    generated = generate_name_errors(meta)
    if generated == [GENERATE_NAME_ALONE]:
        return generated  # kubectl refuses it before anything else is looked at
    errors = generated + podspec.name_errors(meta.get('name'), 'metadata.name', subdomain=True)
    errors += podspec.name_errors(meta.get('namespace'), 'metadata.namespace')
    errors += scheduling.labels_errors(meta.get('labels') or {}, 'metadata.labels')
    errors += annotations_errors(meta.get('annotations') or {}, 'metadata.annotations')
    errors += owner_references_errors(meta.get('ownerReferences') or [])
    return errors + finalizers_errors(meta.get('finalizers') or [])
