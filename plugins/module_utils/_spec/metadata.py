# -*- coding: utf-8 -*-
# Copyright (c) hostpods contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""PRIVATE: the API server's ``ValidateObjectMeta`` for every kind hostpods applies (Pods, ConfigMaps,
Secrets, PersistentVolumeClaims): name, namespace, labels and annotations, with its messages. Pure.

Label keys are qualified names and label values label values (``scheduling.labels_errors``); annotation
keys are qualified names once lowercased, and keys and values of all annotations together may have
at most 256 KiB.
"""

from __future__ import annotations

from ansible_collections.hostpods.core.plugins.module_utils._spec import podspec
from ansible_collections.hostpods.core.plugins.module_utils._spec import scheduling

TOTAL_ANNOTATION_BYTES = 256 * 1024


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


def meta_errors(meta):
    """``ValidateObjectMeta`` of a namespaced object (its namespace already defaulted)."""
    errors = podspec.name_errors(meta.get('name'), 'metadata.name', subdomain=True)
    errors += podspec.name_errors(meta.get('namespace'), 'metadata.namespace')
    errors += scheduling.labels_errors(meta.get('labels') or {}, 'metadata.labels')
    errors += annotations_errors(meta.get('annotations') or {}, 'metadata.annotations')
    return errors
