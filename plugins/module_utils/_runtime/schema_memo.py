# -*- coding: utf-8 -*-
# Copyright (c) hostpods contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""PRIVATE: the documents that passed the official schema before, remembered on the disk of the machine that
validates them (the controller, or the node for the ``hostpods`` command).

The schema check is a pure function of the document, the ``kubernetes-validate`` release and hostpods' own
check; loading the schema and ``jsonschema`` alone costs about 0.2 s of CPU at every apply. A document whose
digest is remembered under the same release and check is valid: only valid ones are written down, so a
document with an error is checked (and refused) every time. Best effort: a cache that cannot be read or
written is no cache, never an error.
"""

from __future__ import annotations

import hashlib
import importlib.util
import json
import os

LIMIT = 20000  # digests kept in one file; a fuller file starts again


def _default_dir():
    base = os.environ.get('XDG_CACHE_HOME') or os.path.join(os.path.expanduser('~'), '.cache')
    return os.path.join(base, 'hostpods')


def _typed(value):
    """What JSON cannot hold (dates from YAML...) kept apart from the string it would print as."""
    return {'__type__': type(value).__name__, 'value': str(value)}


class SchemaMemo:
    """Digests of documents found valid under one schema identity (``identity``: bytes naming the schema
    release and the check's code)."""

    def __init__(self, identity, directory=None):
        self.path = os.path.join(directory or _default_dir(),
                                 'schema-valid-%s' % hashlib.sha256(identity).hexdigest()[:24])
        self._known = None

    def _load(self):
        if self._known is None:
            try:
                with open(self.path, encoding='ascii') as handle:
                    self._known = set(handle.read().split())
            except (OSError, ValueError):
                self._known = set()
        return self._known

    @staticmethod
    def digest(doc):
        text = json.dumps(doc, sort_keys=True, separators=(',', ':'), default=_typed)
        return hashlib.sha256(text.encode('utf-8', 'surrogatepass')).hexdigest()

    def known(self, digest):
        return digest in self._load()

    def remember(self, digest):
        known = self._load()
        if digest in known:
            return
        known.add(digest)
        try:
            os.makedirs(os.path.dirname(self.path), mode=0o700, exist_ok=True)
            mode = 'w' if len(known) > LIMIT else 'a'
            with open(self.path, mode, encoding='ascii') as handle:
                handle.write(digest + '\n')
        except OSError:
            pass


def schema_identity(check_file):
    """The release of ``kubernetes-validate`` (read without importing it: that import is the cost saved) and
    the code of the check in ``check_file``; None when the package is not installed (no schema, nothing to
    remember)."""
    spec = importlib.util.find_spec('kubernetes_validate')
    if spec is None or not spec.submodule_search_locations:
        return None
    parts = []
    for path in (os.path.join(list(spec.submodule_search_locations)[0], 'version.py'), check_file):
        try:
            with open(path, 'rb') as handle:
                parts.append(handle.read())
        except OSError:
            return None
    return b'\0'.join(parts)


def memo_for(check_file, directory=None):
    """The memo of the schema check in ``check_file`` (None without ``kubernetes-validate``)."""
    identity = schema_identity(check_file)
    return SchemaMemo(identity, directory) if identity is not None else None


def schema_check(directory=None):
    """What ``load_manifests`` takes as ``check_schema`` to check against the official schema: the memo of
    ``_spec.manifest``'s check, or True (check every time) without one."""
    from ansible_collections.hostpods.core.plugins.module_utils._spec import manifest
    return memo_for(manifest.__file__, directory) or True
