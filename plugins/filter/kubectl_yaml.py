# -*- coding: utf-8 -*-
# Copyright (c) hostpods contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r'''
name: kubectl_yaml
short_description: An object as C(kubectl -o yaml) prints it
version_added: 0.2.0
description:
  - Renders an object (a Pod manifest, say) as YAML the way C(kubectl ... -o yaml) prints it (go-yaml) - keys sorted,
    lists not indented under their key, double quotes where quotes are needed, literal blocks for text of several
    lines.
  - The C(hostpods) command's C(-o yaml) prints the same text, from the same code.
options:
  _input:
    description: The object.
    type: raw
    required: true
author:
  - hostpods developers (@hostpods)
'''

EXAMPLES = r'''
- name: Print a manifest as kubectl would
  ansible.builtin.debug:
    msg: "{{ 'web' | hostpods.core.run_manifest(image='hostpods/busybox:1.35') | hostpods.core.kubectl_yaml }}"
'''

RETURN = r'''
_value:
  description: The YAML text, without a last newline.
  type: str
  sample: "apiVersion: v1\nkind: Pod\nmetadata:\n  creationTimestamp: null"
'''

import json

from ansible_collections.hostpods.core.plugins.module_utils._cli.common import dump


def kubectl_yaml(obj):
    return dump(json.loads(json.dumps(obj)), 'yaml')  # plain data: Ansible's own types are not YAML's


class FilterModule:
    def filters(self):
        return {'kubectl_yaml': kubectl_yaml}
