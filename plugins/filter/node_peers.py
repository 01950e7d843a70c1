# -*- coding: utf-8 -*-
# Copyright (c) hostpods contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r'''
name: node_peers
short_description: The other nodes of a hostpods cluster, with their pod CIDRs and addresses
version_added: 0.2.0
description:
  - Used by the P(hostpods.core.node#role) role for the routes of the flat pod network. Takes the hosts of the
    cluster's inventory group and returns, for each other host that has a pod CIDR different from this node's,
    its pod CIDR and the address to route it through, sorted by pod CIDR.
  - A host's pod CIDR and address come from its C(node_info) fact when the node role set it in this run;
    otherwise its pod CIDR is C(node_pod_cidr), else C(hostpods_pod_cidr), and its address C(node_address), else
    C(hostpods_node_ip), else the default IPv4 address of its facts. A host without an address gets an empty one
    (the role refuses to go on then).
options:
  _input:
    description: The inventory names of the cluster's hosts (this node may be one of them).
    type: list
    elements: str
    required: true
  hostvars:
    description: Ansible's C(hostvars).
    type: raw
    required: true
  host:
    description: This node's inventory name (left out).
    type: str
    required: true
  pod_cidr:
    description: This node's pod CIDR (hosts with the same one are left out).
    type: str
    default: ''
author:
  - hostpods developers (@hostpods)
'''

EXAMPLES = r'''
- name: Find the peers
  ansible.builtin.set_fact:
    peers: "{{ groups['hostpods_nodes'] | hostpods.core.node_peers(hostvars, inventory_hostname, node_pod_cidr) }}"
'''

RETURN = r'''
_value:
  description: One entry a peer, sorted by pod CIDR.
  type: list
  elements: dict
  contains:
    host:
      description: Its inventory name.
      type: str
      sample: hostpods-node2
    pod_cidr:
      description: Its pod CIDR.
      type: str
      sample: 10.244.2.0/24
    address:
      description: The address its pods are routed through; empty when none is known.
      type: str
      sample: 10.213.0.3
  sample: [{"host": "hostpods-node2", "pod_cidr": "10.244.2.0/24", "address": "10.213.0.3"}]
'''

from collections.abc import Mapping

from ansible.errors import AnsibleUndefinedVariable
from jinja2 import Undefined

MISSING = object()


def _get(variables, name):
    """A variable of a host, templated; MISSING when it is not defined or its template is undefined (as
    Jinja's ``default`` sees it)."""
    if not isinstance(variables, Mapping) or name not in variables:
        return MISSING
    try:
        value = variables[name]
    except AnsibleUndefinedVariable:
        return MISSING
    return MISSING if isinstance(value, Undefined) else value


def _first(variables, names, default):
    for name in names:
        value = _get(variables, name)
        if value is not MISSING:
            return value
    return default


def peer_of(variables):
    """(pod CIDR, address) of one host."""
    info = _get(variables, 'node_info')
    if info is not MISSING:
        return info['pod_cidr'], info['address']
    facts = _get(variables, 'ansible_facts')
    fact_ipv4 = facts.get('default_ipv4', {}) if isinstance(facts, Mapping) else {}
    default_address = fact_ipv4.get('address', '') if isinstance(fact_ipv4, Mapping) else ''
    return (_first(variables, ('node_pod_cidr', 'hostpods_pod_cidr'), ''),
            _first(variables, ('node_address', 'hostpods_node_ip'), default_address))


def node_peers(hosts, hostvars, host, pod_cidr=''):
    peers = []
    for name in hosts or []:
        if name == host:
            continue
        cidr, address = peer_of(hostvars[name])
        if cidr and cidr != pod_cidr:
            peers.append({'host': name, 'pod_cidr': cidr, 'address': address})
    return sorted(peers, key=lambda peer: str(peer['pod_cidr']).lower())


class FilterModule:
    def filters(self):
        return {'node_peers': node_peers}
