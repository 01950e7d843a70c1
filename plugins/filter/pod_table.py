# -*- coding: utf-8 -*-
# Copyright (c) hostpods contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r'''
name: pod_table
short_description: Render pods as the aligned text table of C(kubectl get pods -o wide)
version_added: 0.1.0
description:
  - Takes the C(rows) returned by M(hostpods.core.pod_info), or Pod objects such as the C(pods) returned by
    M(hostpods.core.pod), and renders them as C(kubectl get pods -o wide) does (its columns, aligned as kubectl aligns
    them; C(NOMINATED NODE) and C(READINESS GATES) are always V(<none>) on a node).
  - The C(hostpods get pods -o wide) command on a node prints the same table, from the same code.
options:
  _input:
    description: A list of rows (dicts with C(name), C(ready), C(status), C(restarts), C(age), C(ip), C(node)) or Pod objects.
    type: list
    elements: dict
    required: true
  namespaces:
    description: Add a NAMESPACE column first (as C(kubectl get pods -A)).
    type: bool
    default: false
author:
  - hostpods developers (@hostpods)
'''

EXAMPLES = r'''
- name: Show the pods applied by a task
  ansible.builtin.debug:
    msg: "{{ applied.pods | hostpods.core.pod_table }}"
'''

RETURN = r'''
_value:
  description: The table, one line per pod under a header line.
  type: str
  sample: |-
    NAME   READY   STATUS    RESTARTS   AGE   IP           NODE    NOMINATED NODE   READINESS GATES
    web    1/1     Running   0          12s   172.17.0.2   node1   <none>           <none>
'''

from ansible_collections.hostpods.core.plugins.module_utils._views.table import pods_table


def pod_table(items, namespaces=False):
    return pods_table(items, wide=True, namespaces=namespaces) or 'No resources found.'


class FilterModule:
    def filters(self):
        return {'pod_table': pod_table}
