# -*- coding: utf-8 -*-
# Copyright (c) hostpods contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r'''
name: node_facts
short_description: The node facts of a hostpods node, as a Node object has them
version_added: 0.2.0
description:
  - Used by the P(hostpods.core.node#role) role to write C(/etc/ansible/facts.d/hostpods.fact) (read back as
    C(ansible_local.hostpods); the scheduler of C(hostpods.core.apply) and M(hostpods.core.pod) read it).
  - Takes what the role's probe measured on the node (C(cpu_millis), C(memory_bytes), C(ephemeral_storage_bytes),
    C(engine)) and the role's settings, and returns the facts - capacity in Kubernetes quantities (CPUs whole or in
    millicores, memory in Ki, ephemeral-storage (the file system of the engine's data root, when the probe read it;
    no eviction threshold taken off) in Ki, pods), allocatable (the capacity with O(allocatable) over it, as strings), labels (with
    C(kubernetes.io/hostname), C(kubernetes.io/os) and C(kubernetes.io/arch) under O(labels)).
  - Pure, no I/O.
options:
  _input:
    description: What the node role's probe found; C(cpu_millis), C(memory_bytes), C(ephemeral_storage_bytes) and C(engine) are read.
    type: dict
    required: true
  name:
    description: The node's name.
    type: str
    required: true
  address:
    description: The node's address (its pods' C(status.hostIP)).
    type: str
    default: ''
  architecture:
    description: The machine architecture as Ansible's facts name it (V(x86_64) becomes V(amd64), V(aarch64) V(arm64)).
    type: str
    required: true
  labels:
    description: The node's own labels, over the three well-known ones.
    type: dict
    default: {}
  taints:
    description: The node's taints.
    type: list
    elements: dict
    default: []
  unschedulable:
    description: Whether the node is cordoned.
    type: bool
    default: false
  allocatable:
    description:
      - Allocatable resources over the measured capacity (values are written as strings).
      - Extended resources (a domain-prefixed name such as C(example.com/dongle)) and C(hugepages-<size>) are the node's
        declared capacity too, as a device plugin or an administrator advertises them on a Node.
    type: dict
    default: {}
  max_pods:
    description: The capacity C(pods).
    type: raw
    default: 110
  pod_cidr:
    description: The node's pod CIDR; empty to take the first subnet of O(bridge_subnets).
    type: str
    default: ''
  pod_subnet:
    description: The cluster's pod subnet, recorded when O(pod_network) is on and O(pod_cidr) is set.
    type: str
    default: ''
  pod_network:
    description: Whether the node runs the flat pod network.
    type: bool
    default: true
  bridge_subnets:
    description: The subnets of the engine's bridge, separated by spaces (used without a O(pod_cidr)).
    type: str
    default: ''
  sandbox_image:
    description: The node's sandbox image.
    type: str
    default: ''
  engine:
    description: The engine's version; the probe's C(engine) when not given.
    type: str
author:
  - hostpods developers (@hostpods)
'''

EXAMPLES = r'''
- name: Record the node facts
  ansible.builtin.copy:
    dest: /etc/ansible/facts.d/hostpods.fact
    content: "{{ probe | hostpods.core.node_facts(name=inventory_hostname, architecture=ansible_facts.architecture) | to_nice_json(indent=2) }}\n"
    mode: "0644"
'''

RETURN = r'''
_value:
  description: The node facts.
  type: dict
  sample:
    name: node1
    address: 10.213.0.2
    labels: {"kubernetes.io/arch": "amd64", "kubernetes.io/hostname": "node1", "kubernetes.io/os": "linux"}
    taints: []
    unschedulable: false
    capacity: {"cpu": "2", "ephemeral-storage": "61202244Ki", "memory": "8148084Ki", "pods": "110"}
    allocatable: {"cpu": "2", "ephemeral-storage": "61202244Ki", "memory": "8148084Ki", "pods": "20"}
    podCIDR: 10.244.1.0/24
    podSubnet: 10.244.0.0/16
    sandboxImage: registry.k8s.io/pause:3.10
    engine: 20.10.24+dfsg1
'''

ARCHITECTURES = {'x86_64': 'amd64', 'aarch64': 'arm64'}


def declared(name):
    """A resource the node declares rather than measures: an extended resource or huge pages."""
    return '/' in name or name.startswith('hugepages-')


def capacity(cpu_millis, memory_bytes, max_pods, storage_bytes=0):
    """CPUs (whole, or in millicores), memory (Ki), ephemeral-storage (Ki, when measured) and pods as Kubernetes
    quantities."""
    millis = int(cpu_millis)
    cpu = str(millis // 1000) if millis % 1000 == 0 else '%dm' % millis
    out = {'cpu': cpu, 'memory': '%dKi' % (int(memory_bytes) // 1024), 'pods': str(max_pods)}
    if int(storage_bytes or 0) > 0:
        out['ephemeral-storage'] = '%dKi' % (int(storage_bytes) // 1024)
    return out


def node_facts(probe, name, architecture, address='', labels=None, taints=None, unschedulable=False, allocatable=None,
               max_pods=110, pod_cidr='', pod_subnet='', pod_network=True, bridge_subnets='', sandbox_image='',
               engine=None):
    measured = capacity(probe['cpu_millis'], probe['memory_bytes'], max_pods, probe.get('ephemeral_storage_bytes'))
    well_known = {'kubernetes.io/hostname': name, 'kubernetes.io/os': 'linux',
                  'kubernetes.io/arch': ARCHITECTURES.get(architecture, architecture)}
    bridge = (bridge_subnets or '').split()
    return {
        'name': name,
        'address': address,
        'labels': {**well_known, **(labels or {})},
        'taints': list(taints or []),
        'unschedulable': bool(unschedulable),
        'capacity': {**measured, **{key: str(amount) for key, amount in (allocatable or {}).items() if declared(key)}},
        'allocatable': {**measured, **{key: str(amount) for key, amount in (allocatable or {}).items()}},
        'podCIDR': pod_cidr or (bridge[0] if bridge else ''),
        'podSubnet': pod_subnet if pod_network and pod_cidr else '',
        'sandboxImage': sandbox_image,
        'engine': probe.get('engine', '') if engine is None else engine,
    }


class FilterModule:
    def filters(self):
        return {'node_facts': node_facts}
