# -*- coding: utf-8 -*-
# Copyright (c) hostpods contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r'''
name: run_manifest
short_description: The Pod manifest C(kubectl run) generates
version_added: 0.2.0
description:
  - "Builds the single-container Pod that C(kubectl run NAME --image=IMAGE ...) creates, exactly as
    C(kubectl run --dry-run=client -o yaml) prints it (label C(run=NAME) unless O(labels) are given, C(dnsPolicy),
    C(resources: {}), C(creationTimestamp: null), C(status: {}))."
  - The C(hostpods.core.run) playbook applies it through M(hostpods.core.pod); the C(hostpods run) command on a node
    builds it with the same code.
options:
  _input:
    description: The pod's name (and its container's).
    type: str
    required: true
  image:
    description: The container's image (C(--image)).
    type: str
    required: true
  port:
    description: The port the container exposes (C(--port)), its C(containerPort).
    type: int
  env:
    description: Environment variables (C(--env)), as C(KEY=VALUE) texts or a dict.
    type: raw
  labels:
    description: The pod's labels (C(--labels)), as C(k=v,k2=v2) or a dict; default C(run=NAME).
    type: raw
  annotations:
    description: The pod's annotations (C(--annotations)), as C(KEY=VALUE) texts or a dict.
    type: raw
  restart:
    description: The pod's C(restartPolicy) (C(--restart)).
    type: str
    choices: [Always, OnFailure, Never]
    default: Always
  command:
    description:
      - The container's C(command) (C(kubectl run --command -- ...)), a list, or a text split as a shell splits it.
    type: raw
  args:
    description:
      - The container's C(args) (C(kubectl run -- ...)), a list, or a text split as a shell splits it.
    type: raw
  image_pull_policy:
    description: The container's C(imagePullPolicy) (C(--image-pull-policy)).
    type: str
    choices: [Always, IfNotPresent, Never]
author:
  - hostpods developers (@hostpods)
'''

EXAMPLES = r'''
- name: Print what kubectl run web --image=hostpods/busybox:1.35 --port=8080 -- httpd -f -p 8080 would create
  ansible.builtin.debug:
    msg: "{{ 'web' | hostpods.core.run_manifest(image='hostpods/busybox:1.35', port=8080, args=['httpd', '-f', '-p', '8080'])
             | to_nice_yaml(indent=2) }}"
'''

RETURN = r'''
_value:
  description: The Pod manifest.
  type: dict
  sample:
    apiVersion: v1
    kind: Pod
    metadata: {creationTimestamp: null, labels: {run: web}, name: web}
    spec:
      containers: [{image: "hostpods/busybox:1.35", name: web, ports: [{containerPort: 8080}], resources: {}}]
      dnsPolicy: ClusterFirst
      restartPolicy: Always
    status: {}
'''

import shlex

from ansible.errors import AnsibleFilterError

from ansible_collections.hostpods.core.plugins.module_utils._errors import ManifestError
from ansible_collections.hostpods.core.plugins.module_utils._spec.generators import run_manifest as build


def _argv(value):
    if value is None or value == '':
        return ()
    return shlex.split(value) if isinstance(value, str) else list(value)


def run_manifest(name, image=None, port=None, env=None, labels=None, annotations=None, restart=None, command=None,
                 args=None, image_pull_policy=None):
    try:
        port = None if port in (None, '') else int(port)
    except (TypeError, ValueError):
        raise AnsibleFilterError('run_manifest: invalid port: %s: a port number' % port)
    try:
        return build(name, image, port, env or (), labels or None, annotations or (), restart or 'Always',
                     _argv(command), _argv(args), image_pull_policy or '')
    except ManifestError as exc:
        raise AnsibleFilterError('run_manifest: %s' % exc.msg)


class FilterModule:
    def filters(self):
        return {'run_manifest': run_manifest}
