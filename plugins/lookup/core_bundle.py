# -*- coding: utf-8 -*-
# Copyright (c) hostpods contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r'''
name: core_bundle
short_description: The hostpods core library as one archive, for the tools a node runs without Ansible
version_added: 0.2.0
description:
  - Packs the collection's C(plugins/module_utils) (its C(*.py) files, and the C(*.json) data they read, the
    official Kubernetes schema of C(hostpods explain)) into one gzip tar, under
    C(ansible_collections/hostpods/core/plugins/module_utils/) with an empty C(__init__.py) at each level above it.
    Unpacked in a directory on C(sys.path), the node's own python3 imports the library as the modules do; the
    P(hostpods.core.node#role) role unpacks it in C(/usr/local/lib/hostpods) for the C(hostpods) command (and the
    node agent).
  - The same files make the same archive (sorted, no times, no owners), so its digest tells whether a node has it.
  - Takes no terms. Reads the files of the collection the lookup belongs to, on the controller.
author:
  - hostpods developers (@hostpods)
'''

EXAMPLES = r'''
- name: Show the digest of the core library
  ansible.builtin.debug:
    msg: "{{ lookup('hostpods.core.core_bundle').digest }}"
'''

RETURN = r'''
_raw:
  description: One dict.
  type: list
  elements: dict
  contains:
    digest:
      description: The SHA-256 of the archive, hexadecimal.
      type: str
      sample: 3f5a0c7e9d1b4e0f8a2c6d4b1e9f7a3c5d8e0b2a4c6e8f0a1b3c5d7e9f1a3b5c
    archive:
      description: The gzip tar, base64-encoded.
      type: str
      sample: H4sIAAAAAAAA/+3...
    files:
      description: How many files it holds.
      type: int
      sample: 72
'''

import base64
import gzip
import hashlib
import io
import os
import tarfile

from ansible.errors import AnsibleLookupError
from ansible.plugins.lookup import LookupBase

PREFIX = 'ansible_collections/hostpods/core/plugins/module_utils'
SHIPPED = ('.py', '.json')  # the library's code, and the data it reads (_spec/schema/v1.json)
COLLECTION_ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def _files(root):
    """``{archive name: bytes}`` of the library under ``root`` (a collection root), its data and its package files."""
    base = os.path.join(root, 'plugins', 'module_utils')
    if not os.path.isdir(base):
        raise AnsibleLookupError('no plugins/module_utils under %s' % root)
    files = {}
    parts = PREFIX.split('/')
    for depth in range(1, len(parts) + 1):
        files['/'.join(parts[:depth]) + '/__init__.py'] = b''
    for directory, subdirectories, names in os.walk(base):
        subdirectories[:] = sorted(name for name in subdirectories if name != '__pycache__')
        for name in sorted(names):
            if name.endswith(SHIPPED):
                path = os.path.join(directory, name)
                with open(path, 'rb') as handle:
                    files[PREFIX + '/' + os.path.relpath(path, base).replace(os.sep, '/')] = handle.read()
    return files


def core_bundle(root=COLLECTION_ROOT):
    """``{digest, archive, files}`` of the core library of the collection at ``root``."""
    files = _files(root)
    buffer = io.BytesIO()
    with gzip.GzipFile(fileobj=buffer, mode='wb', mtime=0) as packed:
        with tarfile.open(fileobj=packed, mode='w', format=tarfile.USTAR_FORMAT) as tar:
            for name in sorted(files):
                info = tarfile.TarInfo(name)
                info.size, info.mode, info.mtime = len(files[name]), 0o644, 0
                info.uname = info.gname = 'root'
                tar.addfile(info, io.BytesIO(files[name]))
    archive = buffer.getvalue()
    return {'digest': hashlib.sha256(archive).hexdigest(), 'archive': base64.b64encode(archive).decode('ascii'),
            'files': len(files)}


class LookupModule(LookupBase):
    def run(self, terms, variables=None, **kwargs):
        if terms:
            raise AnsibleLookupError('core_bundle takes no terms')
        return [core_bundle()]
