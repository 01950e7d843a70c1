# -*- coding: utf-8 -*-
# Copyright (c) hostpods contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""PRIVATE: manifest files as ``kubectl -f`` reads them: a file, a directory's ``*.yaml``, ``*.yml`` and
``*.json`` files in name order (its sub-directories too with ``recursive``, as ``-R``), or standard
input (``-``). The action plugin of ``hostpods.core.pod`` (``src``) and the ``hostpods`` command read
them here."""

from __future__ import annotations

import os
import sys

from ansible_collections.hostpods.core.plugins.module_utils._errors import ManifestError

SUFFIXES = ('.yaml', '.yml', '.json')


def manifest_files(path, recursive=False):
    """The manifest files of ``path`` (a file is itself, whatever its name)."""
    if not os.path.isdir(path):
        if not os.path.exists(path):
            raise ManifestError('the path "%s" does not exist' % path)
        return [path]
    files = []
    for name in sorted(os.listdir(path)):
        full = os.path.join(path, name)
        if os.path.isdir(full):
            if recursive:
                files += manifest_files(full, recursive)
        elif name.endswith(SUFFIXES):
            files.append(full)
    return files


def read_documents(paths, recursive=False, stdin=None):
    """``[(document, origin)]`` of every manifest of ``paths`` (``-`` is ``stdin``), ``kind: List`` expanded."""
    from ansible_collections.hostpods.core.plugins.module_utils._spec.manifest import flatten, parse_text
    documents = []
    for path in paths:
        if path == '-':
            documents += parse_text((stdin or sys.stdin).read(), 'STDIN')
            continue
        for name in manifest_files(path, recursive):
            with open(name, encoding='utf-8') as handle:
                documents += parse_text(handle.read(), name)
    return flatten(documents)
