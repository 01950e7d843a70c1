# -*- coding: utf-8 -*-
# Copyright (c) hostpods contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r'''
name: pod_describe
short_description: Render a pod as the text of C(kubectl describe pod)
version_added: 0.2.0
description:
  - Takes a Pod object, such as an item of the C(pods) returned by M(hostpods.core.pod_info) or M(hostpods.core.pod),
    or a list of them, and renders each as C(kubectl describe pod) does (its sections, labels and alignment; times in
    the controller's time zone).
  - The C(hostpods describe pod) command on a node prints the same text, from the same code.
options:
  _input:
    description: A Pod object with its C(status), or a list of Pod objects.
    type: raw
    required: true
  events:
    description:
      - Events to show in the C(Events) table, as the C(events) returned by M(hostpods.core.pod_info) (Kubernetes Event
        objects with C(type), C(reason), C(message), C(count), C(firstTimestamp), C(lastTimestamp), C(source.component)
        and C(involvedObject)); each pod gets those whose C(involvedObject.uid) is its own (or names no uid).
      - V(null) leaves the C(Events) section out (C(kubectl describe --show-events=false)).
    type: list
    elements: dict
    default: []
author:
  - hostpods developers (@hostpods)
'''

EXAMPLES = r'''
- name: Read a pod
  hostpods.core.pod_info:
    name: web
  register: listing

- name: Describe it
  ansible.builtin.debug:
    msg: "{{ (listing.pods[0] | hostpods.core.pod_describe(events=listing.events | default([]))).split('\n') }}"
'''

RETURN = r'''
_value:
  description: The text, one pod after another (separated by two empty lines, as kubectl separates them).
  type: str
  sample: |-
    Name:         web
    Namespace:    default
    Node:         node1/10.0.0.7
    Start Time:   Sat, 28 Nov 2026 10:00:00 +0000
    Labels:       app=web
    Annotations:  <none>
    Status:       Running
    IP:           172.17.0.5
'''

from ansible.errors import AnsibleFilterError

from ansible_collections.hostpods.core.plugins.module_utils._views.describe import describe_pod


def _own(events, pod):
    uid = pod['metadata'].get('uid')
    return [event for event in events if (event.get('involvedObject') or {}).get('uid') in (uid, None)]


def pod_describe(pods, events=()):
    items = pods if isinstance(pods, list) else [pods]
    if not all(isinstance(item, dict) and isinstance(item.get('metadata'), dict) and 'spec' in item for item in items):
        raise AnsibleFilterError('pod_describe takes Pod objects (with metadata, spec and status)')
    return '\n\n'.join(describe_pod(item, None if events is None else _own(events, item)) for item in items)


class FilterModule:
    def filters(self):
        return {'pod_describe': pod_describe}
