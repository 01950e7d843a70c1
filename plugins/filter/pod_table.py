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
    M(hostpods.core.pod), and renders them as C(kubectl get pods -o wide) does.
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
    NAME   READY   STATUS    RESTARTS   AGE   IP           NODE
    web    1/1     Running   0          12s   172.17.0.2   node1
'''

import time

from ansible_collections.hostpods.core.plugins.module_utils._views.status import pod_row

COLUMNS = (('NAME', 'name'), ('READY', 'ready'), ('STATUS', 'status'), ('RESTARTS', 'restarts'), ('AGE', 'age'),
           ('IP', 'ip'), ('NODE', 'node'))


def pod_table(items, namespaces=False):
    now = time.time()
    rows = [item if 'ready' in item and 'metadata' not in item else pod_row(item, now) for item in items or []
            if 'metadata' not in item or item.get('status')]
    columns = ((('NAMESPACE', 'namespace'),) if namespaces else ()) + COLUMNS
    if not rows:
        return 'No resources found.'
    widths = [max(len(title), *(len(str(row.get(key, ''))) for row in rows)) for title, key in columns]
    lines = ['   '.join(title.ljust(width) for (title, _key), width in zip(columns, widths)).rstrip()]
    for row in rows:
        lines.append('   '.join(str(row.get(key, '')).ljust(width) for (_t, key), width in zip(columns, widths)).rstrip())
    return '\n'.join(lines)


class FilterModule:
    def filters(self):
        return {'pod_table': pod_table}
