#!/usr/bin/env python3
# -*- coding: utf-8 -*-
# Copyright (c) hostpods contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Bundle the hostpods core library (the collection's plugins/module_utils) into one zip file that a
node's python3 imports from (zipimport), for the node agent and the hostpods command.

    hostpods-bundle.py COLLECTION_ROOT OUTPUT.zip

The zip is the same, byte for byte, for the same sources (sorted entries, fixed times), so the node
role copies it only when the library changed.
"""

import os
import sys
import zipfile

PACKAGES = ('ansible_collections', 'ansible_collections/hostpods', 'ansible_collections/hostpods/core',
            'ansible_collections/hostpods/core/plugins', 'ansible_collections/hostpods/core/plugins/module_utils')
FIXED_TIME = (2020, 1, 1, 0, 0, 0)


def entries(root):
    base = os.path.join(root, 'plugins', 'module_utils')
    for directory, dirs, files in os.walk(base):
        dirs[:] = sorted(d for d in dirs if d != '__pycache__')
        for name in sorted(files):
            if name.endswith('.py'):
                path = os.path.join(directory, name)
                yield path, 'ansible_collections/hostpods/core/plugins/' + os.path.relpath(path, os.path.join(root, 'plugins'))


def main(root, output):
    members = sorted(entries(root), key=lambda item: item[1])
    tmp = output + '.tmp'
    with zipfile.ZipFile(tmp, 'w', zipfile.ZIP_DEFLATED) as bundle:
        given = {name for _path, name in members}
        for package in PACKAGES:
            if package + '/__init__.py' not in given:  # namespace packages, made regular for zipimport
                bundle.writestr(zipfile.ZipInfo(package + '/__init__.py', FIXED_TIME), '')
        for path, name in members:
            with open(path, 'rb') as handle:
                info = zipfile.ZipInfo(name, FIXED_TIME)
                info.compress_type = zipfile.ZIP_DEFLATED
                info.external_attr = 0o644 << 16
                bundle.writestr(info, handle.read())
    os.replace(tmp, output)


if __name__ == '__main__':
    if len(sys.argv) != 3:
        sys.exit('usage: hostpods-bundle.py COLLECTION_ROOT OUTPUT.zip')
    main(sys.argv[1], sys.argv[2])
